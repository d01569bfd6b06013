/* SPDX-License-Identifier: GPL-2.0-only */
/* rp_index: linear probing from positions into the caller's arrays. */
#include <stdlib.h>
#include <string.h>

#include "replay/rp_index.h"

static size_t ri_home(const struct rp_index *x, uint64_t key)
{
	/* The keys are already hashes or small exact numbers: mix the
	 * latter so that runs of ports or pids spread. */
	key ^= key >> 31;
	key *= 0x9e3779b97f4a7c15ull;
	return (size_t)(key >> 17) & (x->cap - 1);
}

int64_t rp_index_find(const struct rp_index *x, uint64_t key, rp_index_eq eq,
		      const void *ctx)
{
	if (!x->cap)
		return -1;
	for (size_t i = ri_home(x, key); x->at[i]; i = (i + 1) & (x->cap - 1))
		if (x->key[i] == key && eq(ctx, x->at[i] - 1))
			return (int64_t)x->at[i] - 1;
	return -1;
}

static void ri_put(struct rp_index *x, uint64_t key, uint32_t pos)
{
	size_t i = ri_home(x, key);

	while (x->at[i])
		i = (i + 1) & (x->cap - 1);
	x->key[i] = key;
	x->at[i] = pos + 1;
}

static int ri_grow(struct rp_index *x)
{
	size_t old = x->cap, cap = old ? old * 2 : 64;
	uint64_t *k = calloc(cap, sizeof(*k)), *ok = x->key;
	uint32_t *a = calloc(cap, sizeof(*a)), *oa = x->at;

	if (!k || !a) {
		free(k);
		free(a);
		return -1;
	}
	x->key = k;
	x->at = a;
	x->cap = cap;
	for (size_t i = 0; i < old; i++)
		if (oa[i])
			ri_put(x, ok[i], oa[i] - 1);
	free(ok);
	free(oa);
	return 0;
}

int rp_index_add(struct rp_index *x, uint64_t key, uint32_t pos)
{
	if (2 * (x->n + 1) > x->cap && ri_grow(x) < 0)
		return -1;
	ri_put(x, key, pos);
	x->n++;
	return 0;
}

static size_t ri_slot(const struct rp_index *x, uint64_t key, uint32_t pos)
{
	size_t i = ri_home(x, key);

	while (x->at[i] && (x->key[i] != key || x->at[i] != pos + 1))
		i = (i + 1) & (x->cap - 1);
	return i;
}

void rp_index_del(struct rp_index *x, uint64_t key, uint32_t pos)
{
	size_t mask = x->cap - 1, i, j;

	if (!x->cap)
		return;
	i = j = ri_slot(x, key, pos);
	if (!x->at[i])
		return;
	x->n--;
	for (;;) {
		size_t k;

		x->at[i] = 0;
		do {
			j = (j + 1) & mask;
			if (!x->at[j])
				return;
			k = ri_home(x, x->key[j]);
		} while (i <= j ? (i < k && k <= j) : (i < k || k <= j));
		x->key[i] = x->key[j];
		x->at[i] = x->at[j];
		i = j;
	}
}

void rp_index_move(struct rp_index *x, uint64_t key, uint32_t from,
		   uint32_t to)
{
	size_t i;

	if (!x->cap)
		return;
	i = ri_slot(x, key, from);
	if (x->at[i])
		x->at[i] = to + 1;
}

void rp_index_clear(struct rp_index *x)
{
	if (x->cap)
		memset(x->at, 0, x->cap * sizeof(*x->at));
	x->n = 0;
}

void rp_index_free(struct rp_index *x)
{
	free(x->key);
	free(x->at);
	memset(x, 0, sizeof(*x));
}
