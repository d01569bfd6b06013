/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target for the replay's reading of a whole recording
 * (replay/rp_src.c, rp_line.c, rp_play.c): the input is the file. Every
 * line is read, parsed and played into frames, twice (as the reader
 * checks the file, then plays it after a rewind), with the ui's
 * lookups asked in between. Whatever the file holds: no crash, every
 * record the ui would be sent passes the checks msg_decode runs on it
 * (flow_wire_check, the MSG_OWNER and lookup answer rules), a DESTROY
 * comes only for a flow the ui was sent (or sent a NEW for just before),
 * and both passes make the same frames.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/options.h"
#include "privsep/lookup_wire.h"
#include "replay/rp_play.h"
#include "replay/rp_src.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	uint64_t flows, owners;   /* what the sink was handed */
	uint64_t frames;
	struct rp_play *play;
	uint32_t last_new_id;     /* a NEW just before its DESTROY */
	int new_pending;
};

static int fz_bad(const char *what)
{
	fprintf(stderr, "fuzz_replay: %s\n", what);
	abort();
}

static int fz_flow(void *ctx, const struct flow_wire *w)
{
	struct fz *f = ctx;
	const char *why;

	if (flow_wire_check(w, &why) < 0)
		fz_bad(why);
	if (w->event == FLOW_EV_NEW) {
		f->last_new_id = w->id;
		f->new_pending = 1;
	} else if (w->event == FLOW_EV_DESTROY) {
		f->new_pending = 0;
	} else if (w->event != FLOW_EV_DUMP) {
		fz_bad("a record that is neither DUMP, NEW nor DESTROY");
	}
	f->flows++;
	return 0;
}

static int fz_owner(void *ctx, const struct msg_owner *o)
{
	struct fz *f = ctx;

	if (!o->pid || o->pid > MSG_PID_MAX ||
	    !memchr(o->comm, 0, sizeof(o->comm)) ||
	    !memchr(o->cmdline, 0, sizeof(o->cmdline)) ||
	    !memchr(o->exe, 0, sizeof(o->exe)) ||
	    !memchr(o->cgroup, 0, sizeof(o->cgroup)) ||
	    !memchr(o->netns, 0, sizeof(o->netns)))
		fz_bad("MSG_OWNER the ui would refuse");
	for (const char *c = o->cmdline; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			fz_bad("a control byte in a command line");
	f->owners++;
	return 0;
}

static int fz_gone(void *ctx, const struct msg_owner_gone *g)
{
	(void)ctx;
	if (!g->pid || g->pid > MSG_PID_MAX)
		fz_bad("OWNERS_GONE pid out of range");
	return 0;
}

/* Ask about the frame's first addresses, as the ui would. */
static void fz_ask(struct rp_play *p, const uint8_t *data, size_t size)
{
	struct lookup_req q = { .family = FLOW_FAM_IPV4,
				.parts = LOOKUP_DNS | LOOKUP_GEO };
	struct lookup_ans a;
	const char *why;

	memcpy(q.addr, data, size < 4 ? size : 4);
	rp_play_answer(p, &q, &a);
	if (lookup_ans_check(&a, &why) < 0)
		fz_bad(why);
}

/* The frame complete, handed to a sink as the reader would send it. */
static void fz_frame(struct fz *f, const uint8_t *data, size_t size)
{
	const struct rp_sink sink = { f, fz_owner, fz_gone, fz_flow };

	(void)rp_play_take(f->play);
	f->frames++;
	if (rp_play_owners(f->play, &sink) < 0 ||
	    rp_play_gone(f->play, SEL_ALL, &sink) < 0 ||
	    rp_play_open(f->play, SEL_ALL, &sink) < 0)
		fz_bad("a sink that never fails failed");
	if (f->new_pending)
		fz_bad("a NEW without its DESTROY");
	fz_ask(f->play, data, size);
}

/* One pass over the file: the frames made. */
static uint64_t fz_pass(struct fz *f, struct rp_src *src, const uint8_t *data,
			size_t size)
{
	struct rp_line *l = malloc(sizeof(*l));
	const char *s, *why;
	size_t n;
	int have = 0, rc;

	f->frames = 0;
	for (;;) {
		if (!have) {
			rc = rp_src_next(src, &s, &n, &why);
			if (rc <= 0 || rp_line_parse(s, n, l, &why) < 0)
				break;
			have = 1;
		}
		rc = rp_play_line(f->play, l, &why);
		if (rc < 0)
			break;
		if (rc == 0) {
			have = 0;
			continue;
		}
		fz_frame(f, data, size);
	}
	/* The last frames, at the end of the file. */
	while (rp_play_end(f->play, &why) == 1)
		fz_frame(f, data, size);
	free(l);
	return f->frames;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { 0 };
	struct rp_src src;
	uint64_t first;
	FILE *tmp = tmpfile();

	if (!tmp)
		return 0;
	if (fwrite(data, 1, size, tmp) != size || fflush(tmp) != 0 ||
	    rp_src_init(&src, fileno(tmp)) < 0 || rp_src_rewind(&src) < 0 ||
	    !(f.play = rp_play_new())) {
		fclose(tmp);
		return 0;
	}
	first = fz_pass(&f, &src, data, size);
	rp_play_rewind(f.play);
	if (rp_src_rewind(&src) == 0 && fz_pass(&f, &src, data, size) != first)
		fz_bad("the second pass made other frames");
	rp_play_free(f.play);
	rp_src_free(&src);
	fclose(tmp);
	return 0;
}
