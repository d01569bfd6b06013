/* SPDX-License-Identifier: GPL-2.0-only */
/* record: what --record writes of each flow, and when. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ui/flow_slots.h"
#include "ui/record.h"

/* A flow written (flow_slots.h): what its last line showed. */
struct rec_slot {
	uint64_t key;
	uint64_t sig;           /* rec_sig of its last line */
};

struct record {
	FILE *out;
	struct flow_slots written;
	const struct flow_entry **starts, **updates;
	size_t list_cap;
	int begun;              /* the "begin" line is written */
};

#define REC_OUT_BUF (1 << 20)

/* What a line shows that can move: counters, state, owner. Two lines
 * whose sums agree by chance are one update fewer, nothing worse. */
static uint64_t rec_sig(const struct flow_entry *e)
{
	const struct flow_wire *w = &e->w;

	return w->orig_bytes + w->reply_bytes + w->orig_packets +
	       w->reply_packets + ((uint64_t)w->state << 48) +
	       ((uint64_t)w->pid << 20) + w->uid;
}

struct record *record_new(FILE *out)
{
	struct record *rc = calloc(1, sizeof(*rc));

	if (!rc || flow_slots_init(&rc->written, sizeof(struct rec_slot)) < 0) {
		free(rc);
		return NULL;
	}
	rc->out = out;
	/* Lines leave a megabyte at a time, and at each pass's end. */
	setvbuf(out, NULL, _IOFBF, REC_OUT_BUF);
	return rc;
}

void record_free(struct record *rc)
{
	if (!rc)
		return;
	fflush(rc->out);
	flow_slots_free(&rc->written);
	free(rc->starts);
	free(rc->updates);
	free(rc);
}

static int rec_lists(struct record *rc, size_t n)
{
	const struct flow_entry **a, **b;

	if (n <= rc->list_cap)
		return 0;
	a = realloc(rc->starts, n * sizeof(*a));
	if (a)
		rc->starts = a;
	b = a ? realloc(rc->updates, n * sizeof(*b)) : NULL;
	if (!b)
		return -1;
	rc->updates = b;
	rc->list_cap = n;
	return 0;
}

/* A line of its own: "begin" (a run starts recording: a replay ends
 * the flows an earlier run left open in the same file) and "tick" (a
 * pass with nothing else to say: a replay knows when every pass was, so
 * its rates fall to 0 when the recorded ones did). */
static int rec_mark(struct record *rc, const char *event, uint64_t real_ns)
{
	return fprintf(rc->out, "{\"event\":\"%s\",\"time\":%" PRIu64 ".%06"
		       PRIu64 "}\n", event, real_ns / 1000000000u,
		       real_ns % 1000000000u / 1000u) < 0 ? -1 : 0;
}

static int rec_begin(struct record *rc, uint64_t real_ns)
{
	if (rc->begun)
		return 0;
	rc->begun = 1;
	return rec_mark(rc, "begin", real_ns);
}

int record_pass(struct record *rc, struct flow_table *t,
		const struct print_opts *po, uint64_t real_ns)
{
	size_t n = flow_table_count(t), ns = 0, nu = 0;

	if (rec_lists(rc, n) < 0)
		return -1;
	if (rec_begin(rc, real_ns) < 0)
		return -1;
	for (size_t k = 0; k < n; k++) {
		const struct flow_entry *e = flow_table_at(t, k);
		int fresh;
		struct rec_slot *s = flow_slots_put(&rc->written,
						    flow_slots_key(e), &fresh);

		if (!s)
			return -1;
		if (!fresh && s->sig == rec_sig(e))
			continue;
		if (fresh)
			rc->starts[ns++] = e;
		else
			rc->updates[nu++] = e;
		s->sig = rec_sig(e);
	}
	if (print_events(rc->out, po, "start", rc->starts, ns, real_ns) < 0 ||
	    print_events(rc->out, po, "update", rc->updates, nu, real_ns) < 0 ||
	    (!ns && !nu && rec_mark(rc, "tick", real_ns) < 0) ||
	    fflush(rc->out) != 0)
		return -1;
	return 0;
}

int record_end(struct record *rc, const struct flow_entry *e,
	       const struct print_opts *po, uint64_t real_ns)
{
	struct rec_slot *s = flow_slots_get(&rc->written, flow_slots_key(e));

	if (rec_begin(rc, real_ns) < 0)
		return -1;
	if (s)
		flow_slots_del(&rc->written, s);
	else if (print_events(rc->out, po, "start", &e, 1, real_ns) < 0)
		return -1;
	return print_events(rc->out, po, "end", &e, 1, real_ns);
}

void record_forget(struct record *rc, const struct flow_entry *e)
{
	struct rec_slot *s = flow_slots_get(&rc->written, flow_slots_key(e));

	if (s)
		flow_slots_del(&rc->written, s);
}
