/* SPDX-License-Identifier: GPL-2.0-only */
/* gone_ids: the conntrack entries destroyed while a dump runs. */
#include <stdlib.h>
#include <string.h>

#include "collector/gone_ids.h"
#include "common/hash32.h"

#define GONE_IDS_START 1024u

enum { GI_EMPTY, GI_GONE, GI_BACK };

/* The id in the high half, a hash of the tuple (what flow_key holds
 * beside the id) in the low. */
static uint64_t gi_key(const struct flow_wire *w)
{
	struct flow_key k;
	uint32_t h = 0, word;

	flow_key_of(w, &k);
	k.id = 0;
	for (size_t i = 0; i + 4 <= sizeof(k); i += 4) {
		memcpy(&word, (const unsigned char *)&k + i, 4);
		h = hash32_fmix(h ^ word);
	}
	return (uint64_t)w->id << 32 | h;
}

static size_t gi_probe(const struct gone_ids *g, uint64_t key)
{
	size_t i = hash32_fmix((uint32_t)(key >> 32) ^ (uint32_t)key) &
		   (g->cap - 1);

	while (g->state[i] != GI_EMPTY && g->keys[i] != key)
		i = (i + 1) & (g->cap - 1);
	return i;
}

/* Twice the slots, every key placed again; -1 when that is not possible. */
static int gi_grow(struct gone_ids *g)
{
	size_t cap = g->cap ? 2 * g->cap : GONE_IDS_START, i;
	struct gone_ids n = { .cap = cap, .used = g->used };

	if (cap > 2 * (size_t)GONE_IDS_MAX)
		return -1;
	n.keys = malloc(cap * sizeof(*n.keys));
	n.state = calloc(cap, 1);
	if (!n.keys || !n.state) {
		free(n.keys);
		free(n.state);
		return -1;
	}
	for (i = 0; i < g->cap; i++) {
		if (g->state[i] != GI_EMPTY) {
			size_t j = gi_probe(&n, g->keys[i]);

			n.keys[j] = g->keys[i];
			n.state[j] = g->state[i];
		}
	}
	free(g->keys);
	free(g->state);
	*g = n;
	return 0;
}

void gone_ids_mark(struct gone_ids *g, const struct flow_wire *w, int gone)
{
	uint64_t key;
	size_t i;

	if (g->full)
		return;
	/* Kept at most half full, so probes stay short. */
	if (2 * (g->used + 1) > g->cap && gi_grow(g) < 0) {
		g->full = 1;
		return;
	}
	key = gi_key(w);
	i = gi_probe(g, key);
	if (g->state[i] == GI_EMPTY) {
		if (!gone)
			return;  /* a NEW of an entry not destroyed: no news */
		g->keys[i] = key;
		g->used++;
	}
	g->state[i] = gone ? GI_GONE : GI_BACK;
}

int gone_ids_has(const struct gone_ids *g, const struct flow_wire *w)
{
	return g->cap && g->state[gi_probe(g, gi_key(w))] == GI_GONE;
}

void gone_ids_free(struct gone_ids *g)
{
	free(g->keys);
	free(g->state);
	memset(g, 0, sizeof(*g));
}

void gone_ids_clear(struct gone_ids *g)
{
	if (g->cap > GONE_IDS_START) {
		gone_ids_free(g);
		return;
	}
	if (g->cap)
		memset(g->state, 0, g->cap);
	g->used = 0;
	g->full = 0;
}
