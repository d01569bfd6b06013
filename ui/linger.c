/* SPDX-License-Identifier: GPL-2.0-only */
/* linger: a ring of closed flows (see linger.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "ui/linger.h"

#define LINGER_MIN_CAP 64u

void linger_init(struct linger_set *l, uint64_t keep_ns)
{
	memset(l, 0, sizeof(*l));
	l->keep_ns = keep_ns;
}

void linger_free(struct linger_set *l)
{
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static struct linger_item *lg_slot(const struct linger_set *l, size_t i)
{
	return &l->items[(l->head + i) % l->cap];
}

/* Double the ring, unrolling it so head is 0 again. */
static int lg_grow(struct linger_set *l)
{
	size_t cap = l->cap ? l->cap * 2 : LINGER_MIN_CAP;
	struct linger_item *n;

	if (cap > LINGER_MAX)
		cap = LINGER_MAX;
	n = aligned_alloc(_Alignof(struct linger_item), cap * sizeof(*n));
	if (!n)
		return -1;
	for (size_t i = 0; i < l->count; i++)
		n[i] = *lg_slot(l, i);
	free(l->items);
	l->items = n;
	l->cap = cap;
	l->head = 0;
	return 0;
}

void linger_add(struct linger_set *l, const struct flow_entry *e, uint64_t now_ns)
{
	if (!l->keep_ns || (flow_sel_bits(&e->w) & l->muted_sel))
		return;
	if (l->count == l->cap && l->cap < LINGER_MAX && lg_grow(l) < 0)
		return;
	if (l->count == l->cap) {
		/* Full at the bound: the oldest makes room. */
		l->head = (l->head + 1) % l->cap;
		l->count--;
	}
	struct linger_item *it = lg_slot(l, l->count++);

	it->e = *e;
	it->closed_ns = now_ns;
}

void linger_gone(void *ctx, const struct flow_entry *e)
{
	linger_add(ctx, e, clock_mono_ns());
}

void linger_expire(struct linger_set *l, uint64_t now_ns)
{
	while (l->count && lg_slot(l, 0)->closed_ns + l->keep_ns <= now_ns) {
		l->head = (l->head + 1) % l->cap;
		l->count--;
	}
}

size_t linger_count(const struct linger_set *l)
{
	return l->count;
}

const struct linger_item *linger_at(const struct linger_set *l, size_t i)
{
	return i < l->count ? lg_slot(l, i) : NULL;
}
