/* SPDX-License-Identifier: GPL-2.0-only */
/* record: what --record writes of each flow, and when. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/siphash.h"
#include "ui/record.h"

/* A flow written: its key and what its last line showed. */
struct rec_slot {
	uint64_t key;           /* id << 32 | tuple hash */
	uint64_t sig;           /* rec_sig of its last line */
	uint8_t used;
};

struct record {
	FILE *out;
	struct rec_slot *s;
	size_t cap, n;          /* cap: 0 or a power of two */
	const struct flow_entry **starts, **updates;
	size_t list_cap;
	int begun;              /* the "begin" line is written */
};

#define REC_OUT_BUF (1 << 20)

static uint64_t rec_key(const struct flow_entry *e)
{
	return (uint64_t)e->w.id << 32 | e->tuple_hash;
}

/* What a line shows that can move: counters, state, owner. Two lines
 * whose sums agree by chance are one update fewer, nothing worse. */
static uint64_t rec_sig(const struct flow_entry *e)
{
	const struct flow_wire *w = &e->w;

	return w->orig_bytes + w->reply_bytes + w->orig_packets +
	       w->reply_packets + ((uint64_t)w->state << 48) +
	       ((uint64_t)w->pid << 20) + w->uid;
}

static size_t rec_home(const struct record *rc, uint64_t key)
{
	return (size_t)siphash13(siphash_key(), &key, sizeof(key)) &
	       (rc->cap - 1);
}

/* The slot of key, or where it would go. */
static size_t rec_find(const struct record *rc, uint64_t key)
{
	size_t i = rec_home(rc, key);

	while (rc->s[i].used && rc->s[i].key != key)
		i = (i + 1) & (rc->cap - 1);
	return i;
}

static int rec_grow(struct record *rc)
{
	size_t old = rc->cap, cap = old ? old * 2 : 1024;
	struct rec_slot *was = rc->s, *s = calloc(cap, sizeof(*s));

	if (!s)
		return -1;
	rc->s = s;
	rc->cap = cap;
	for (size_t i = 0; i < old; i++)
		if (was[i].used)
			rc->s[rec_find(rc, was[i].key)] = was[i];
	free(was);
	return 0;
}

/* Linear probing's delete: later members of the run move back, so no
 * search stops early at the hole. */
static void rec_del(struct record *rc, size_t i)
{
	size_t mask = rc->cap - 1, j = i;

	for (;;) {
		size_t k;

		rc->s[i].used = 0;
		do {
			j = (j + 1) & mask;
			if (!rc->s[j].used)
				return;
			k = rec_home(rc, rc->s[j].key);
		} while (i <= j ? (i < k && k <= j) : (i < k || k <= j));
		rc->s[i] = rc->s[j];
		i = j;
	}
}

struct record *record_new(FILE *out)
{
	struct record *rc = calloc(1, sizeof(*rc));

	if (!rc || rec_grow(rc) < 0) {
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
	free(rc->s);
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

/* Note e as written now; -1 when out of memory. */
static int rec_note(struct record *rc, size_t i, const struct flow_entry *e)
{
	if (!rc->s[i].used) {
		if (2 * (rc->n + 1) > rc->cap) {
			if (rec_grow(rc) < 0)
				return -1;
			i = rec_find(rc, rec_key(e));
		}
		rc->n++;
	}
	rc->s[i] = (struct rec_slot){ rec_key(e), rec_sig(e), 1 };
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
		size_t i = rec_find(rc, rec_key(e));

		if (rc->s[i].used && rc->s[i].sig == rec_sig(e))
			continue;
		if (rc->s[i].used)
			rc->updates[nu++] = e;
		else
			rc->starts[ns++] = e;
		if (rec_note(rc, i, e) < 0)
			return -1;
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
	size_t i = rec_find(rc, rec_key(e));

	if (rec_begin(rc, real_ns) < 0)
		return -1;
	if (rc->s[i].used) {
		rec_del(rc, i);
		rc->n--;
	} else if (print_events(rc->out, po, "start", &e, 1, real_ns) < 0) {
		return -1;
	}
	return print_events(rc->out, po, "end", &e, 1, real_ns);
}

void record_forget(struct record *rc, const struct flow_entry *e)
{
	size_t i = rec_find(rc, rec_key(e));

	if (rc->s[i].used) {
		rec_del(rc, i);
		rc->n--;
	}
}
