/* SPDX-License-Identifier: GPL-2.0-only */
/* flow_slots: see flow_slots.h. */
#include <stdlib.h>
#include <string.h>

#include "common/siphash.h"
#include "ui/flow_slots.h"

#define FS_FIRST_CAP 1024

uint64_t flow_slots_key(const struct flow_entry *e)
{
	/* An id of 0 with a hash of 0 is moved off 0, the free mark. */
	uint64_t k = (uint64_t)e->w.id << 32 | e->tuple_hash;

	return k ? k : 1;
}

static uint64_t fs_key_at(const struct flow_slots *t, size_t i)
{
	uint64_t k;

	memcpy(&k, t->s + i * t->size, sizeof(k));
	return k;
}

static size_t fs_home(const struct flow_slots *t, uint64_t key)
{
	return (size_t)siphash13(siphash_key(), &key, sizeof(key)) &
	       (t->cap - 1);
}

/* The index of key, or of the free slot where it would go. */
static size_t fs_find(const struct flow_slots *t, uint64_t key)
{
	size_t i = fs_home(t, key);
	uint64_t k;

	while ((k = fs_key_at(t, i)) && k != key)
		i = (i + 1) & (t->cap - 1);
	return i;
}

static int fs_grow(struct flow_slots *t)
{
	size_t old = t->cap, cap = old ? old * 2 : FS_FIRST_CAP;
	unsigned char *was = t->s, *s = calloc(cap, t->size);

	if (!s)
		return -1;
	t->s = s;
	t->cap = cap;
	for (size_t i = 0; i < old; i++) {
		const unsigned char *from = was + i * t->size;
		uint64_t k;

		memcpy(&k, from, sizeof(k));
		if (k)
			memcpy(t->s + fs_find(t, k) * t->size, from, t->size);
	}
	free(was);
	return 0;
}

int flow_slots_init(struct flow_slots *t, size_t size)
{
	memset(t, 0, sizeof(*t));
	t->size = size;
	return fs_grow(t);
}

void flow_slots_free(struct flow_slots *t)
{
	free(t->s);
	memset(t, 0, sizeof(*t));
}

void *flow_slots_get(const struct flow_slots *t, uint64_t key)
{
	size_t i = fs_find(t, key);

	return fs_key_at(t, i) ? t->s + i * t->size : NULL;
}

void *flow_slots_put(struct flow_slots *t, uint64_t key, int *fresh)
{
	size_t i = fs_find(t, key);
	unsigned char *s;

	*fresh = 0;
	if (fs_key_at(t, i))
		return t->s + i * t->size;
	if (2 * (t->n + 1) > t->cap) {
		if (fs_grow(t) < 0)
			return NULL;
		i = fs_find(t, key);
	}
	t->n++;
	*fresh = 1;
	s = t->s + i * t->size;
	memset(s, 0, t->size);
	memcpy(s, &key, sizeof(key));
	return s;
}

/* Linear probing's delete: later members of the run move back, so no
 * search stops early at the hole. */
void flow_slots_del(struct flow_slots *t, void *slot)
{
	size_t mask = t->cap - 1, size = t->size;
	size_t i = (size_t)((unsigned char *)slot - t->s) / size, j = i;
	static const uint64_t zero;

	t->n--;
	for (;;) {
		size_t k;
		uint64_t key;

		memcpy(t->s + i * size, &zero, sizeof(zero));
		do {
			j = (j + 1) & mask;
			key = fs_key_at(t, j);
			if (!key)
				return;
			k = fs_home(t, key);
		} while (i <= j ? (i < k && k <= j) : (i < k || k <= j));
		memcpy(t->s + i * size, t->s + j * size, size);
		i = j;
	}
}
