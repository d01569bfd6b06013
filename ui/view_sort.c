/* SPDX-License-Identifier: GPL-2.0-only */
/* view_sort: the rows' order by (k, conntrack id, build order), sorted
 * only where the screen looks.
 *
 * A full sort of 250k flows costs more than a frame, yet a frame shows
 * some fifty rows. So a rebuild only splits the keys into buckets by
 * their top varying 11 bits (one counting pass and one scatter, both
 * stable), and a bucket is sorted the first time one of its ranks is
 * asked for: the rows on screen, the selection, the end the user jumps
 * to. Buckets hold disjoint key ranges in order, so the ranks a sorted
 * bucket gives are the ranks a full sort gives. A big bucket (few
 * distinct keys) gets an LSD radix sort on the digits that vary in it,
 * a small one a comparison sort; both keep equal keys in build order.
 * String keys hold only a prefix: runs of equal prefixes that may differ
 * further are finished with a comparison on the whole string. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ui/view_int.h"

#define VS_BITS 11
#define VS_BUCKETS (1u << VS_BITS)
#define VS_MASK (VS_BUCKETS - 1)
#define VS_ID_DIGITS ((32 + VS_BITS - 1) / VS_BITS)
#define VS_K_DIGITS ((64 + VS_BITS - 1) / VS_BITS)
#define VS_DIGITS (VS_ID_DIGITS + VS_K_DIGITS)
/* Under this a bucket is sorted by comparisons: the radix sort's
 * counting arrays cost more than they save. */
#define VS_SMALL 2048u

static unsigned vs_digit(const struct vs_key *r, unsigned d)
{
	if (d < VS_ID_DIGITS)
		return (r->id >> (VS_BITS * d)) & VS_MASK;
	return (unsigned)(r->k >> (VS_BITS * (d - VS_ID_DIGITS))) & VS_MASK;
}

/* The bucket of a key: the top 11 bits of what varies. */
static unsigned vs_bucket_of(const struct view_order *o, const struct vs_key *r)
{
	return (unsigned)((o->on_id ? r->id : r->k) >> o->shift) & VS_MASK;
}

static int vs_cmp_key(const void *pa, const void *pb)
{
	const struct vs_key *a = pa, *b = pb;

	if (a->k != b->k)
		return a->k < b->k ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* ---- one bucket ---- */

/* Count every digit in one pass; varies[d] when digit d is not the same
 * in every key. */
static void vs_count(const struct vs_key *r, size_t n, uint32_t *cnt,
		     int *varies)
{
	memset(cnt, 0, VS_DIGITS * VS_BUCKETS * sizeof(*cnt));
	for (size_t i = 0; i < n; i++)
		for (unsigned d = 0; d < VS_DIGITS; d++)
			cnt[d * VS_BUCKETS + vs_digit(&r[i], d)]++;
	for (unsigned d = 0; d < VS_DIGITS; d++)
		varies[d] = cnt[d * VS_BUCKETS + vs_digit(&r[0], d)] != n;
}

static void vs_pass(const struct vs_key *in, struct vs_key *out, size_t n,
		    uint32_t *cnt, unsigned d)
{
	uint32_t sum = 0;

	for (unsigned b = 0; b < VS_BUCKETS; b++) {
		uint32_t c = cnt[b];

		cnt[b] = sum;
		sum += c;
	}
	for (size_t i = 0; i < n; i++)
		out[cnt[vs_digit(&in[i], d)]++] = in[i];
}

/* LSD radix sort of a[0..n) with b[0..n) as scratch; stable, so keys
 * equal in (k, id) stay in build order. */
static void vs_radix(struct vs_key *a, struct vs_key *b, size_t n,
		     uint32_t *cnt)
{
	int varies[VS_DIGITS];
	struct vs_key *in = a, *out = b;

	vs_count(a, n, cnt, varies);
	for (unsigned d = 0; d < VS_DIGITS; d++) {
		if (!varies[d])
			continue;
		vs_pass(in, out, n, cnt + d * VS_BUCKETS, d);
		struct vs_key *t = in;

		in = out;
		out = t;
	}
	if (in != a)
		memcpy(a, in, n * sizeof(*a));
}

struct vs_strs {
	const struct view_row *rows;
	int desc;
};

static int vs_cmp_full(const void *pa, const void *pb, void *arg)
{
	const struct vs_strs *st = arg;
	uint32_t ia = ((const struct vs_key *)pa)->idx;
	uint32_t ib = ((const struct vs_key *)pb)->idx;
	const struct view_row *a = &st->rows[ia], *b = &st->rows[ib];
	int c = strcasecmp(a->s ? a->s : "", b->s ? b->s : "");

	if (c)
		return st->desc ? -c : c;
	if (a->ident != b->ident)
		return a->ident < b->ident ? -1 : 1;
	/* A closed flow and its successor can share everything: build
	 * order decides, so the order never depends on qsort's whims. */
	return ia < ib ? -1 : ia > ib;
}

/* Runs of one prefix where some string is longer than the prefix. Equal
 * prefixes share a bucket, so a bucket's runs are whole. */
static void vs_fixup(struct vs_key *r, size_t n, const struct view_row *rows,
		     int desc)
{
	struct vs_strs st = { rows, desc };
	size_t i = 0;

	while (i < n) {
		size_t j = i + 1;
		uint32_t any_long = rows[r[i].idx].flags & ROW_LONG;

		while (j < n && r[j].k == r[i].k)
			any_long |= rows[r[j++].idx].flags & ROW_LONG;
		if (any_long && j - i > 1)
			qsort_r(r + i, j - i, sizeof(*r), vs_cmp_full, &st);
		i = j;
	}
}

static int vs_cmp_ident(const void *pa, const void *pb, void *arg)
{
	const struct view_row *rows = arg;
	uint32_t ia = ((const struct vs_key *)pa)->idx;
	uint32_t ib = ((const struct vs_key *)pb)->idx;

	if (rows[ia].ident != rows[ib].ident)
		return rows[ia].ident < rows[ib].ident ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

/* A string's rank stands for the string: rows with equal strings are
 * ordered by their whole ident, as the string compare orders them, not by
 * id alone. Only runs of one key and one id can differ (rare). */
static void vs_rank_ties(struct vs_key *r, size_t n, struct view_row *rows)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i + 1;
		uint32_t any = rows[r[i].idx].flags & ROW_RANK;

		while (j < n && r[j].k == r[i].k && r[j].id == r[i].id)
			any |= rows[r[j++].idx].flags & ROW_RANK;
		if (any && j - i > 1)
			qsort_r(r + i, j - i, sizeof(*r), vs_cmp_ident, rows);
		i = j;
	}
}

static void vs_sort_bucket(struct view *v, unsigned b)
{
	struct view_order *o = &v->ord;
	size_t s = o->start[b], n = o->start[b + 1] - s;

	o->sorted[b] = 1;
	if (n < 2)
		return;
	if (n < VS_SMALL)
		qsort(o->key + s, n, sizeof(*o->key), vs_cmp_key);
	else
		vs_radix(o->key + s, o->tmp + s, n, o->cnt);
	/* Until the next rebuild a bucket sorted after the annotation
	 * table started over keeps prefix order: its strings are gone. */
	if (o->any_long && va_strings_ok(v))
		vs_fixup(o->key + s, n, v->rows, o->desc_strings);
	if (o->any_rank)
		vs_rank_ties(o->key + s, n, v->rows);
}

/* ---- the whole order ---- */

int vs_reserve(struct view *v, size_t n)
{
	struct view_order *o = &v->ord;

	if (!o->cnt) {
		o->cnt = malloc(VS_DIGITS * VS_BUCKETS * sizeof(*o->cnt));
		o->start = malloc((VS_BUCKETS + 1) * sizeof(*o->start));
		o->sorted = malloc(VS_BUCKETS);
		if (!o->cnt || !o->start || !o->sorted)
			return -1;
	}
	if (n <= o->cap)
		return 0;
	struct vs_key *a = realloc(o->key, n * sizeof(*a));

	if (!a)
		return -1;
	o->key = a;
	a = realloc(o->tmp, n * sizeof(*a));
	if (!a)
		return -1;
	o->tmp = a;
	o->cap = n;
	return 0;
}

void vs_free(struct view_order *o)
{
	free(o->key);
	free(o->tmp);
	free(o->cnt);
	free(o->start);
	free(o->sorted);
	memset(o, 0, sizeof(*o));
}

/* Where the top varying bit of what varies is: the bucket digit ends
 * there. k first; only when every k is the same does the id decide,
 * and not even then when the strings behind that one prefix must be
 * compared whole: they order the run before ids do, so it must stay in
 * one bucket (k's digit, the same for all). */
static void vs_pick_digit(struct view_order *o, uint64_t vary_k,
			  uint32_t vary_id)
{
	int one = !vary_k && o->any_long;
	uint64_t vary = vary_k ? vary_k : one ? 0 : vary_id;
	unsigned top = vary ? 63u - (unsigned)__builtin_clzll(vary) : 0;

	o->on_id = !vary_k && !one;
	o->shift = top >= VS_BITS - 1 ? top - (VS_BITS - 1) : 0;
}

void vs_order(struct view *v, uint64_t vary_k, uint32_t vary_id,
	      int desc_strings)
{
	struct view_order *o = &v->ord;
	size_t n = v->nrows;
	uint32_t *cnt = o->cnt, sum = 0;

	o->desc_strings = desc_strings;
	vs_pick_digit(o, vary_k, vary_id);
	memset(cnt, 0, VS_BUCKETS * sizeof(*cnt));
	for (size_t i = 0; i < n; i++)
		cnt[vs_bucket_of(o, &o->key[i])]++;
	for (unsigned b = 0; b < VS_BUCKETS; b++) {
		o->start[b] = sum;
		sum += cnt[b];
		cnt[b] = o->start[b];
	}
	o->start[VS_BUCKETS] = sum;
	for (size_t i = 0; i < n; i++)
		o->tmp[cnt[vs_bucket_of(o, &o->key[i])]++] = o->key[i];
	struct vs_key *t = o->key;

	o->key = o->tmp;
	o->tmp = t;
	memset(o->sorted, 0, VS_BUCKETS);
}

/* The bucket holding rank i: the last whose start is <= i. */
static unsigned vs_bucket_at(const struct view_order *o, size_t i)
{
	unsigned lo = 0, hi = VS_BUCKETS;

	while (hi - lo > 1) {
		unsigned mid = (lo + hi) / 2;

		if (o->start[mid] <= i)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

size_t vs_row_index(struct view *v, size_t i)
{
	unsigned b = vs_bucket_at(&v->ord, i);

	if (!v->ord.sorted[b])
		vs_sort_bucket(v, b);
	return v->ord.key[i].idx;
}

size_t vs_rank_of(struct view *v, const struct vs_key *key)
{
	struct view_order *o = &v->ord;
	unsigned b = vs_bucket_of(o, key);

	if (!o->sorted[b])
		vs_sort_bucket(v, b);
	for (size_t i = o->start[b]; i < o->start[b + 1]; i++)
		if (o->key[i].idx == key->idx)
			return i;
	return (size_t)-1;
}
