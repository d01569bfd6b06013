/* SPDX-License-Identifier: GPL-2.0-only */
/* flow_table: the ui's model of the conntrack table.
 *
 * Entries are keyed by the kernel's conntrack id and kept in step with the
 * collector's stream: records from full dumps (FLOW_EV_DUMP), the
 * screen's refreshes of the flows it shows (FLOW_EV_REFRESH) and DESTROY
 * events carry current counters; NEW and UPDATE events carry state only, so
 * they never overwrite counters. A dump is a mark-and-sweep: entries not
 * listed in dump N are dropped when dump N ends; a refresh sweeps nothing
 * and adds nothing. Rates are computed per snapshot from the counter
 * change between two readings, over the time between them (or since the
 * entry was first seen); a flow not read again keeps its rate.
 */
#ifndef FLOWTOP_FLOW_TABLE_H
#define FLOWTOP_FLOW_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include "privsep/flow_wire.h"

struct flow_entry {
	/* First, beside the counters and the id: every rebuild of the screen
	 * reads these three of every flow, and one cache line is cheaper
	 * than two. */
	uint32_t tuple_hash;      /* flow_tuple_hash(&w), kept for the screen */
	uint8_t has_rate;         /* rates computed at least once */
	/* --alert (ui/alert.h): ALERT_QUEUED once the flow is handed to
	 * the judgement, then the BL_NEW_* bits of what was new. 0 in a new
	 * entry; a copy (the linger ring's) carries it. */
	uint8_t alert;
	/* The screen's (ui/view_annot.c): the annotation table's slots of
	 * src and dst, + 1; 0 not looked up. 0 in a new entry; a copy
	 * (the linger ring's) carries them, so a flow is looked up once. */
	uint32_t annot_slot1[2];
	struct flow_wire w;       /* latest state; counters from the latest dump */
	uint64_t seen_seq;        /* last dump that listed it */
	uint64_t base_mono_ns;    /* when base_* were taken */
	uint64_t base_orig_bytes;
	uint64_t base_reply_bytes;
	uint64_t counters_mono_ns;/* when w's counters were taken (0: never) */
	double orig_rate;         /* bytes/s over the last snapshot interval */
	double reply_rate;
};

struct flow_table;

struct flow_table *flow_table_new(void);
void flow_table_free(struct flow_table *t);

/* Apply one validated record received at mono_ns (for DUMP records: the
 * dump's start time) while dump seq is current (0: none yet). A DESTROY
 * removes the entry. A record whose id is known but whose tuple differs
 * replaces the old entry as a new flow. 0, or -1 on allocation failure. */
int flow_table_apply(struct flow_table *t, const struct flow_wire *r,
		     uint64_t mono_ns, uint64_t seq);

/* End of dump seq: drop entries that dump did not list. */
void flow_table_dump_end(struct flow_table *t, uint64_t seq);

/* How many entries were ever added or removed: a change of it says the
 * set of flows changed, even where the count came back to what it was. */
uint64_t flow_table_changes(const struct flow_table *t);

/* Take a snapshot at mono_ns: compute every entry's rates from its counter
 * change since its base, then make the current counters the new base. */
void flow_table_rates(struct flow_table *t, uint64_t mono_ns);

/* The same, for the entries whose counters were read at least min_ns
 * after their base; the others keep their rates and their base, so a
 * reading too soon after the last one is measured with the next. */
void flow_table_rates_over(struct flow_table *t, uint64_t min_ns);

/* Told of every entry just before the table drops it: a DESTROY (the
 * entry then carries the record's final counters and state) or a dump that
 * no longer lists it. The ui keeps closed flows on screen a while. */
typedef void (*flow_table_gone_fn)(void *ctx, const struct flow_entry *e);
void flow_table_on_gone(struct flow_table *t, flow_table_gone_fn fn,
			void *ctx);

/* A 32-bit hash of the original-direction tuple: with the conntrack id it
 * names a flow across table changes (ids alone can collide). */
uint32_t flow_tuple_hash(const struct flow_wire *w);

/* The live entry with conntrack id and flow_tuple_hash th, or NULL. */
const struct flow_entry *flow_table_find(const struct flow_table *t,
					 uint32_t id, uint32_t th);

/* The same, to mark it (--alert's bits). */
struct flow_entry *flow_table_find_mut(struct flow_table *t, uint32_t id,
				       uint32_t th);

size_t flow_table_count(const struct flow_table *t);

/* Call fn on every entry added since the last call that is still in the
 * table, for work done once a flow (asking for its names): a dump of 250k
 * flows then costs the flows that are new, not the table. If the log of
 * new entries was not drained for long (or could not grow), fn sees every
 * entry instead. */
typedef void (*flow_table_each_fn)(void *ctx, const struct flow_entry *e);
void flow_table_each_new(struct flow_table *t, flow_table_each_fn fn,
			 void *ctx);

/* Entry i, 0 <= i < count, in no particular order; NULL past the end.
 * For walks that need no order; valid until the next change. */
const struct flow_entry *flow_table_at(const struct flow_table *t, size_t i);
/* The same, for the screen's memo in the entry (annot_slot1). */
struct flow_entry *flow_table_at_mut(struct flow_table *t, size_t i);

/* Fill out (capacity cap) with pointers to the entries, sorted by total
 * bytes (orig + reply) descending, then id ascending. Returns the number
 * stored (min(count, cap)). Pointers stay valid until the next change. */
size_t flow_table_sorted(struct flow_table *t, const struct flow_entry **out,
			 size_t cap);

#endif
