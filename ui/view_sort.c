/* view_sort: sort a tab's rows by (k, conntrack id) fast enough for 250k
 * flows within a frame: an LSD radix sort on 16-bit digits, one counting
 * pass for every digit, and digits that are the same in every row (the
 * high bytes of small numbers) skipped. Radix sorting is stable, so equal
 * keys keep the order of the pass before: the id. String keys hold only a
 * prefix; runs of equal prefixes that may differ further are finished
 * with a comparison sort on the whole string. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ui/view.h"

/* The sort works on compact keys, 16 bytes a row, then gathers the rows
 * in their order once: the passes stream less memory.  * each pass's 2048 write streams in cache (11-bit digits measured
 * best: 8-bit ones take more passes, 16-bit ones miss the cache). */
struct vs_key {
	uint64_t k;
	uint32_t id;
	uint32_t idx;
};

#define VS_BITS 11
#define VS_ID_DIGITS ((32 + VS_BITS - 1) / VS_BITS)
#define VS_K_DIGITS ((64 + VS_BITS - 1) / VS_BITS)
#define VS_DIGITS (VS_ID_DIGITS + VS_K_DIGITS)
#define VS_BUCKETS (1u << VS_BITS)
#define VS_MASK (VS_BUCKETS - 1)

static unsigned vs_digit(const struct vs_key *r, unsigned d)
{
	if (d < VS_ID_DIGITS)
		return (r->id >> (VS_BITS * d)) & VS_MASK;
	return (unsigned)(r->k >> (VS_BITS * (d - VS_ID_DIGITS))) & VS_MASK;
}

/* Count every digit in one pass; 1 where a digit varies. */
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

static int vs_cmp_full(const void *pa, const void *pb, void *arg)
{
	const struct view_row *a = pa, *b = pb;
	int vs_desc_strings = *(const int *)arg;
	int c = strcasecmp(a->s ? a->s : "", b->s ? b->s : "");

	if (c)
		return vs_desc_strings ? -c : c;
	if (a->ident != b->ident)
		return a->ident < b->ident ? -1 : 1;
	return 0;
}

/* Runs of one prefix where some string is longer than the prefix. */
static void vs_fixup(struct view_row *r, size_t n, int desc)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i + 1;
		int any_long = r[i].flags & ROW_LONG;

		while (j < n && r[j].k == r[i].k) {
			any_long |= r[j].flags & ROW_LONG;
			j++;
		}
		if (any_long && j - i > 1)
			qsort_r(r + i, j - i, sizeof(*r), vs_cmp_full, &desc);
		i = j;
	}
}

static int vs_reserve(struct view *v, size_t n)
{
	if (n <= v->sk_cap)
		return 0;
	struct vs_key *a = realloc(v->sk, n * sizeof(*a));

	if (!a)
		return -1;
	v->sk = a;
	a = realloc(v->sk2, n * sizeof(*a));
	if (!a)
		return -1;
	v->sk2 = a;
	v->sk_cap = n;
	return 0;
}

int view_sort_rows(struct view *v, int desc_strings)
{
	size_t n = v->nrows;
	int varies[VS_DIGITS];
	struct vs_key *a, *b;

	v->follow_at = (size_t)-1;
	if (n < 2)
		return 0;
	if (!v->keys)
		v->keys = malloc(VS_DIGITS * VS_BUCKETS * sizeof(*v->keys));
	if (!v->keys || vs_reserve(v, n) < 0)
		return -1;
	a = v->sk;
	b = v->sk2;
	v->any_long = 0;
	for (size_t i = 0; i < n; i++) {
		v->any_long |= v->rows[i].flags & ROW_LONG;
		a[i].k = v->rows[i].k;
		a[i].id = (uint32_t)(v->rows[i].ident >> 32);
		a[i].idx = (uint32_t)i;
	}
	vs_count(a, n, v->keys, varies);
	for (unsigned d = 0; d < VS_DIGITS; d++) {
		if (!varies[d])
			continue;
		vs_pass(a, b, n, v->keys + d * VS_BUCKETS, d);
		struct vs_key *t = a;

		a = b;
		b = t;
	}
	/* The gather also spots the selected row, saving the view a scan. */
	v->follow_at = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		v->tmp[i] = v->rows[a[i].idx];
		if (v->tmp[i].ident == v->follow_ident)
			v->follow_at = i;
	}
	struct view_row *t = v->rows;

	v->rows = v->tmp;
	v->tmp = t;
	if (v->any_long) {
		vs_fixup(v->rows, n, desc_strings);
		v->follow_at = (size_t)-1;   /* rows moved again: scan */
	}
	return 0;
}
