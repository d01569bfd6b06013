/* SPDX-License-Identifier: GPL-2.0-only */
/* flow_slots: what a writer of flows (--record's lines, --ipfix's
 * records) remembers of each live flow, in a table of its own keyed by
 * the flow's conntrack id and tuple hash.
 *
 * Open addressing with linear probing at half load, under the process's
 * SipHash key (the ids and tuples are the kernel's, but whoever opens
 * connections chooses the tuples). A slot is caller-sized; it begins
 * with its uint64_t key, 0 in a free slot. Slots move when the table
 * grows or a slot is deleted: a pointer holds only until the next put or
 * delete.
 */
#ifndef FLOWTOP_UI_FLOW_SLOTS_H
#define FLOWTOP_UI_FLOW_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "ui/flow_table.h"

struct flow_slots {
	unsigned char *s;
	size_t size;            /* bytes a slot, its key first */
	size_t cap, n;          /* cap 0 or a power of two */
};

/* e's key: its id and tuple hash, never 0. */
uint64_t flow_slots_key(const struct flow_entry *e);

/* An empty table of slots of size bytes (>= 8, a multiple of 8). 0, or
 * -1 when out of memory. */
int flow_slots_init(struct flow_slots *t, size_t size);
void flow_slots_free(struct flow_slots *t);

/* The slot of key, or NULL. */
void *flow_slots_get(const struct flow_slots *t, uint64_t key);

/* The slot of key; a new one (zero but for its key, *fresh set) when
 * there was none. NULL when out of memory. */
void *flow_slots_put(struct flow_slots *t, uint64_t key, int *fresh);

/* Remove slot (from get or put). */
void flow_slots_del(struct flow_slots *t, void *slot);

#endif
