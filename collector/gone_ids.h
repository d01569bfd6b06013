/* SPDX-License-Identifier: GPL-2.0-only */
/* gone_ids: the conntrack ids destroyed while a dump runs.
 *
 * The collector reads events between the batches of a dump. The kernel
 * sends an entry's DESTROY event a moment before it takes the entry out
 * of its hash, so a batch read after the event can still list the entry:
 * passed on, it would come back to life in the ui until the next dump.
 * The dump drops the records of entries this set holds. A NEW event for
 * an entry clears it again: an id can be reused for a new entry of the
 * same tuple, and that one is real.
 *
 * An entry is its id and its tuple: ids are 32-bit hashes, so a table of
 * a million entries holds about a hundred pairs that share one, and
 * dropping by id alone would drop live entries.
 *
 * The set is bounded: past GONE_IDS_MAX ids it is full, and the dump
 * that filled it is repaired as a dump with lost events is (a resync).
 */
#ifndef FLOWTOP_GONE_IDS_H
#define FLOWTOP_GONE_IDS_H

#include <stddef.h>
#include <stdint.h>
#include "privsep/flow_wire.h"

/* Ids held at most: a dump of 1M entries under 100k destroys a second
 * takes about 1.6 s. */
#define GONE_IDS_MAX (1u << 19)

struct gone_ids {
	uint64_t *keys;         /* keys[0..cap), linear probing: id, tuple */
	uint8_t *state;         /* per slot: 0 empty, 1 destroyed, 2 new again */
	size_t cap;             /* a power of two, 0 before the first add */
	size_t used;
	int full;               /* an add found no room: the set is not exact */
};

/* An empty set; frees what it held beyond a small start size. */
void gone_ids_clear(struct gone_ids *g);
void gone_ids_free(struct gone_ids *g);

/* w's entry was destroyed (gone) or created again (!gone). */
void gone_ids_mark(struct gone_ids *g, const struct flow_wire *w, int gone);

/* Whether the dump record w is of an entry already destroyed. */
int gone_ids_has(const struct gone_ids *g, const struct flow_wire *w);

#endif
