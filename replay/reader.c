/* SPDX-License-Identifier: GPL-2.0-only */
/* reader: flowtop-replay, the recording checked, then played to the ui
 * as the collector and the resolver would have told it. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "privsep/landlock.h"
#include "privsep/role.h"
#include "privsep/testhook.h"
#include "replay/replay.h"
#include "replay/rp_line.h"
#include "replay/rp_play.h"
#include "replay/rp_src.h"

/* A pause in the recording (nothing was written: the machine slept, or
 * flowtop was not running) is played in this long at most. */
#define RD_GAP_MAX_MS 3000u
#define RD_FLOWS_MAX (MSG_MAX_PAYLOAD / sizeof(struct flow_wire))

struct rd {
	const struct options *o;
	struct msg_chan col, res;
	struct rp_src src;
	struct rp_play *play;
	struct rp_line line;    /* the next line, read and parsed */
	int have_line;
	int ended;              /* no frame is left */
	int synced, screen;
	uint32_t sel;
	uint64_t seq, frame, frames;
	uint64_t frame_ns;      /* the recorded time of the last frame */
	uint64_t mono_ns;       /* the dump time the ui was told for it */
	uint32_t speed;         /* REPLAY_SPEED_* */
	int paused;
	uint64_t sent_ms;       /* when the last frame went */
	int ui_gone;            /* a send found the ui gone: its end, not
				 * a failure */
	struct flow_wire batch[RD_FLOWS_MAX];
	size_t nbatch;
	char err[300];
};

static const struct ll_policy rd_landlock = {
	.role = "replay",
	.scoped = LANDLOCK_SCOPE_SIGNAL | LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET,
};

/* "FILE:LINE: why", for the one message of a failure. */
static int rd_fail(struct rd *r, const char *why)
{
	snprintf(r->err, sizeof(r->err), "%s:%llu: %s", r->o->replay,
		 (unsigned long long)r->src.lineno, why);
	return -1;
}

/* The next line into r->line: 1, 0 at the end of the file, -1. */
static int rd_read(struct rd *r)
{
	const char *s, *why;
	size_t n;
	int rc;

	if (r->have_line)
		return 1;
	rc = rp_src_next(&r->src, &s, &n, &why);
	if (rc < 0)
		return rd_fail(r, why);
	if (rc == 0)
		return 0;
	if (rp_line_parse(s, n, &r->line, &why) < 0)
		return rd_fail(r, why);
	r->have_line = 1;
	return 1;
}

/* Lines into the state until a frame is complete: 1 (rp_play_take's
 * turn), 0 when the file has no frame left, -1. */
static int rd_frame(struct rd *r)
{
	const char *why;

	for (;;) {
		int rc = rd_read(r);

		if (rc < 0)
			return -1;
		if (rc == 0) {
			rc = rp_play_end(r->play, &why);
			return rc < 0 ? rd_fail(r, why) : rc;
		}
		rc = rp_play_line(r->play, &r->line, &why);
		if (rc < 0)
			return rd_fail(r, why);
		if (rc == 1)
			return 1;
		r->have_line = 0;
	}
}

/* The whole file, once: every line checked, the frames counted, and
 * every name and place learnt; then back to the start. */
static int rd_check(struct rd *r)
{
	int rc;

	testhook_parse("replay", "the recording");
	while ((rc = rd_frame(r)) == 1) {
		(void)rp_play_take(r->play);
		r->frames++;
	}
	if (rc < 0)
		return -1;
	if (r->src.cut)
		fprintf(stderr, "flowtop: replay: %s: the last line is cut "
			"short (the file was truncated): played without it\n",
			r->o->replay);
	rp_play_rewind(r->play);
	r->have_line = 0;
	if (rp_src_rewind(&r->src) < 0) {
		snprintf(r->err, sizeof(r->err), "%s: %s", r->o->replay,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- to the ui ---- */

/* A send failed: the ui quit while a frame was on its way (q), or not. */
static int rd_send_failed(struct rd *r)
{
	r->ui_gone = errno == EPIPE || errno == ECONNRESET;
	snprintf(r->err, sizeof(r->err), "to the ui: %s", strerror(errno));
	return -1;
}

static int rd_send(struct rd *r, uint32_t type, const void *p, size_t n)
{
	if (msg_send(&r->col, type, p, (uint32_t)n) == 0)
		return 0;
	return rd_send_failed(r);
}

static int rd_flush(struct rd *r)
{
	size_t n = r->nbatch;

	r->nbatch = 0;
	return n ? rd_send(r, MSG_FLOWS, r->batch, n * sizeof(*r->batch)) : 0;
}

static int rd_flow(void *ctx, const struct flow_wire *w)
{
	struct rd *r = ctx;

	r->batch[r->nbatch++] = *w;
	return r->nbatch == RD_FLOWS_MAX ? rd_flush(r) : 0;
}

static int rd_owner(void *ctx, const struct msg_owner *o)
{
	return rd_send(ctx, MSG_OWNER, o, sizeof(*o));
}

static int rd_owner_gone(void *ctx, const struct msg_owner_gone *g)
{
	return rd_send(ctx, MSG_OWNERS_GONE, g, sizeof(*g));
}

static int rd_state(struct rd *r)
{
	struct msg_replay_state st = {
		.real_ns = r->frame_ns, .frame = r->frame,
		.frames = r->frames, .speed = r->speed,
		.flags = (r->paused ? REPLAY_F_PAUSED : 0) |
			 (r->ended ? REPLAY_F_END : 0),
	};

	return rd_send(r, MSG_REPLAY_STATE, &st, sizeof(st));
}

/* The open flows as one periodic dump at the frame's time. */
static int rd_dump(struct rd *r)
{
	const struct rp_sink sink = { r, rd_owner, rd_owner_gone, rd_flow };
	struct msg_dump_mark mk = {
		.seq = ++r->seq, .mono_ns = r->mono_ns, .real_ns = r->frame_ns,
		.kind = DUMP_PERIODIC, .cadence_ms = r->o->interval_ms,
	};

	if (rd_send(r, MSG_DUMP_BEGIN, &mk, sizeof(mk)) < 0 ||
	    rp_play_open(r->play, r->sel, &sink) < 0 || rd_flush(r) < 0)
		return -1;
	return rd_send(r, MSG_DUMP_END, &mk, sizeof(mk));
}

/* The frame rd_frame completed: what changed, then the dump. The ui's
 * rates run on the dump times, so they are the recorded times (kept
 * rising: a clock set back while recording makes no rate, not a
 * negative one). */
static int rd_play(struct rd *r)
{
	const struct rp_sink sink = { r, rd_owner, rd_owner_gone, rd_flow };
	uint64_t t = rp_play_take(r->play);

	r->frame_ns = t;
	r->mono_ns = t > r->mono_ns ? t : r->mono_ns + 1000;
	if (++r->frame > r->frames)
		r->frames = r->frame;     /* the file grew since the check */
	r->sent_ms = clock_mono_ms();
	if (rp_play_owners(r->play, &sink) < 0 ||
	    rp_play_gone(r->play, r->sel, &sink) < 0 || rd_flush(r) < 0)
		return -1;
	return rd_dump(r);
}

/* The next frame, or the end said. */
static int rd_step(struct rd *r)
{
	int rc = r->ended ? 0 : rd_frame(r);

	if (rc < 0)
		return -1;
	if (rc == 0)
		r->ended = 1;
	else if (rd_play(r) < 0)
		return -1;
	/* Nothing ahead: the end is known now, not a frame later. */
	rc = r->ended ? 1 : rd_read(r);
	if (rc < 0)
		return -1;
	if (rc == 0 && !rp_play_pending(r->play))
		r->ended = 1;
	return rd_state(r);
}

/* When the next frame is due on the screen, in CLOCK_MONOTONIC ms; 0
 * when none is (paused, ended, batch, not started). */
static uint64_t rd_due(const struct rd *r)
{
	uint64_t gap, next;

	if (!r->screen || !r->frame || r->paused || r->ended)
		return 0;
	/* The next frame's time is its first line's; at the end of the
	 * file (a last frame held back a line) it is due at once. */
	next = r->have_line ? r->line.time_ns : r->frame_ns;
	gap = next > r->frame_ns ? (next - r->frame_ns) / 1000000u : 0;
	gap = gap * REPLAY_SPEED_ONE / r->speed;
	return r->sent_ms + (gap < RD_GAP_MAX_MS ? gap : RD_GAP_MAX_MS);
}

/* ---- from the ui ---- */

static int rd_sync(struct rd *r, const struct msg *m)
{
	struct msg_sync y;
	struct msg_hello h = { MSG_PROTO_VERSION, r->o->interval_ms };

	if (r->synced)
		return rd_fail(r, "repeated SYNC_REQ from the ui");
	memcpy(&y, m->payload, sizeof(y));
	r->synced = 1;
	r->screen = y.screen != 0;
	if (rd_send(r, MSG_SYNC_ANS, &y, sizeof(y)) < 0 ||
	    rd_send(r, MSG_HELLO, &h, sizeof(h)) < 0)
		return -1;
	return rd_step(r);
}

static int rd_key(struct rd *r, const struct msg *m)
{
	struct msg_replay_ctl c;

	memcpy(&c, m->payload, sizeof(c));
	switch (c.op) {
	case REPLAY_OP_PAUSE:
		r->paused = !r->paused;
		r->sent_ms = clock_mono_ms();
		break;
	case REPLAY_OP_STEP:
		r->paused = 1;
		return rd_step(r);
	case REPLAY_OP_FASTER:
		if (r->speed < REPLAY_SPEED_MAX)
			r->speed *= 2;
		break;
	case REPLAY_OP_SLOWER:
		if (r->speed > REPLAY_SPEED_MIN)
			r->speed /= 2;
		break;
	case REPLAY_OP_NEXT:
		return r->screen ? 0 : rd_step(r);
	}
	return rd_state(r);
}

static int rd_cmdline(struct rd *r, const struct msg *m)
{
	struct msg_cmdline_req q;
	struct msg_cmdline_ans a = { 0 };
	const struct msg_owner *o;

	memcpy(&q, m->payload, sizeof(q));
	o = rp_play_owner(r->play, q.pid);
	a.pid = q.pid;
	if (o && o->cmdline[0]) {
		a.found = 1;
		memcpy(a.text, o->cmdline, sizeof(a.text));
	}
	return rd_send(r, MSG_CMDLINE_ANS, &a, sizeof(a));
}

/* A new selection: the frame shown again, as the collector's next dump
 * would follow it (a paused replay too). */
static int rd_filter(struct rd *r, const struct msg *m)
{
	struct msg_filter f;

	memcpy(&f, m->payload, sizeof(f));
	r->sel = f.sel;
	return r->frame ? rd_dump(r) : 0;
}

/* 1 on, 0 when the ui has closed the channel, -1. */
static int rd_from_ui(struct rd *r)
{
	const char *why;
	struct msg m;
	int rc = msg_recv_nb(&r->col, &m, &why);

	if (rc == -2)
		return 1;
	if (rc <= 0)
		return rc == 0 || errno == ECONNRESET ? 0 :
			rd_fail(r, why);
	if (!r->synced && m.type != MSG_SYNC_REQ)
		return rd_fail(r, "a message from the ui before SYNC_REQ");
	switch (m.type) {
	case MSG_SYNC_REQ: rc = rd_sync(r, &m); break;
	case MSG_CTL_REPLAY: rc = rd_key(r, &m); break;
	case MSG_CMDLINE_REQ: rc = rd_cmdline(r, &m); break;
	case MSG_CTL_FILTER: rc = rd_filter(r, &m); break;
	default: rc = 0; break;     /* CTL_REFRESH: every flow is current */
	}
	return rc < 0 ? -1 : 1;
}

/* ---- the ui's lookups ---- */

static int rd_lookups(struct rd *r, const struct msg *m)
{
	struct lookup_ans a[MSG_MAX_PAYLOAD / sizeof(struct lookup_ans)];
	size_t n = m->len / sizeof(struct lookup_req), k = 0;

	for (size_t i = 0; i < n; i++) {
		struct lookup_req q;

		memcpy(&q, (const char *)m->payload + i * sizeof(q), sizeof(q));
		rp_play_answer(r->play, &q, &a[k++]);
		if (k == sizeof(a) / sizeof(a[0]) || i + 1 == n) {
			if (msg_send(&r->res, MSG_LOOKUP_ANS, a,
				     (uint32_t)(k * sizeof(a[0]))) < 0)
				return -1;
			k = 0;
		}
	}
	return 0;
}

static int rd_services(struct rd *r, const struct msg *m)
{
	struct service_ans a[MSG_MAX_PAYLOAD / sizeof(struct service_ans)];
	size_t n = m->len / sizeof(struct service_req), k = 0;

	for (size_t i = 0; i < n; i++) {
		struct service_req q;

		memcpy(&q, (const char *)m->payload + i * sizeof(q), sizeof(q));
		rp_play_service(r->play, &q, &a[k++]);
		if (k == sizeof(a) / sizeof(a[0]) || i + 1 == n) {
			if (msg_send(&r->res, MSG_SERVICE_ANS, a,
				     (uint32_t)(k * sizeof(a[0]))) < 0)
				return -1;
			k = 0;
		}
	}
	return 0;
}

/* The recording holds what the lookups of its run found: DNS and GeoIP
 * are "on" unless this run turned them off. */
static int rd_pong(struct rd *r, const struct msg *m)
{
	struct msg_res_info ri = {
		.geo_dbs = r->o->no_geoip ? 0 : 1,
		.flags = r->o->no_dns ? 0 : RES_INFO_DNS,
	};

	if (msg_send(&r->res, MSG_PONG, m->payload, m->len) < 0)
		return -1;
	return msg_send(&r->res, MSG_RES_INFO, &ri, sizeof(ri));
}

static int rd_from_lookups(struct rd *r)
{
	const char *why;
	struct msg m;
	int rc = msg_recv_nb(&r->res, &m, &why);

	if (rc == -2)
		return 1;
	if (rc <= 0)
		return rc == 0 || errno == ECONNRESET ? 0 : rd_fail(r, why);
	if (m.type == MSG_PING)
		rc = rd_pong(r, &m);
	else if (m.type == MSG_LOOKUP_REQ)
		rc = rd_lookups(r, &m);
	else
		rc = rd_services(r, &m);
	if (rc < 0)
		return rd_send_failed(r);
	return 1;
}

/* Until the ui closes its channels: 0, or -1 with r->err. */
static int rd_loop(struct rd *r)
{
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = r->col.fd, .events = POLLIN },
			{ .fd = r->res.fd, .events = POLLIN },
		};
		uint64_t due = rd_due(r), now = clock_mono_ms();
		int timeout = !due ? -1 : due > now ? (int)(due - now) : 0;
		int rc = 1;

		if (poll(p, 2, timeout) < 0 && errno != EINTR) {
			snprintf(r->err, sizeof(r->err), "poll: %s",
				 strerror(errno));
			return -1;
		}
		if (p[1].revents)
			rc = rd_from_lookups(r);
		if (rc > 0 && p[0].revents)
			rc = rd_from_ui(r);
		if (rc > 0 && (due = rd_due(r)) && clock_mono_ms() >= due)
			rc = rd_step(r) < 0 ? -1 : 1;
		if (rc <= 0)
			return rc;
	}
}

static int rd_run(struct rd *r)
{
	struct msg_replay_state ready = { .speed = REPLAY_SPEED_ONE };

	if (rd_check(r) < 0)
		return -1;
	ready.frames = r->frames;
	if (rd_send(r, MSG_REPLAY_STATE, &ready, sizeof(ready)) < 0)
		return -1;
	return rd_loop(r);
}

int replay_reader_main(const struct role_spec *self,
		       const struct role_ctx *ctx)
{
	struct rd *r = calloc(1, sizeof(*r));
	char err[256];
	int rc;

	if (!r || !(r->play = rp_play_new()) || rp_src_init(&r->src, 5) < 0)
		role_die(self, "out of memory");
	r->o = ctx->o;
	r->sel = ctx->o->sel;
	r->speed = REPLAY_SPEED_ONE;
	msg_chan_init(&r->col, 3, MSG_DIR_UI_COL, MSG_DIR_COL_UI, "ui");
	msg_chan_init(&r->res, 4, MSG_DIR_UI_RES, MSG_DIR_RES_UI, "ui");
	if (priv_become(&ctx->user, 0, err, sizeof(err)) < 0 ||
	    role_seal(self, ctx->slot, &rd_landlock, err, sizeof(err)) < 0)
		role_die(self, err);
	rc = rd_run(r);
	if (rc < 0 && r->ui_gone)
		rc = 0;
	if (rc < 0)
		fprintf(stderr, "flowtop: replay: %s\n", r->err);
	rp_src_free(&r->src);
	rp_play_free(r->play);
	free(r);
	return rc < 0 ? 1 : 0;
}
