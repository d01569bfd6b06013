/* SPDX-License-Identifier: GPL-2.0-only */
/* rp_index: a hash index from 64-bit keys to positions in an array the
 * caller keeps, for the replay's tables. Keys are the caller's (a
 * SipHash of what a remote host or the file chose, or an exact small
 * number); two items may share a key, so a lookup asks the caller
 * whether the item at a position is the one sought. Linear probing at
 * most half full; removal shifts the run back (no tombstones).
 */
#ifndef FLOWTOP_RP_INDEX_H
#define FLOWTOP_RP_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct rp_index {
	uint64_t *key;
	uint32_t *at;          /* position + 1; 0: empty slot */
	size_t cap;            /* 0 or a power of two */
	size_t n;
};

/* Whether the item at pos is the one sought. */
typedef int (*rp_index_eq)(const void *ctx, uint32_t pos);

/* The position of the item with key that eq accepts, or -1. */
int64_t rp_index_find(const struct rp_index *x, uint64_t key, rp_index_eq eq,
		      const void *ctx);

/* Add pos under key (not there yet). 0, or -1 when out of memory. */
int rp_index_add(struct rp_index *x, uint64_t key, uint32_t pos);

/* Remove the slot holding pos under key. */
void rp_index_del(struct rp_index *x, uint64_t key, uint32_t pos);

/* The item under key at position from is now at position to. */
void rp_index_move(struct rp_index *x, uint64_t key, uint32_t from,
		   uint32_t to);

void rp_index_clear(struct rp_index *x);
void rp_index_free(struct rp_index *x);

#endif
