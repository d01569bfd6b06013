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

#define VS_DIGITS 6             /* id: 2, k: 4 */
#define VS_BUCKETS 65536u

static unsigned vs_digit(const struct view_row *r, unsigned d)
{
	uint32_t id = (uint32_t)(r->ident >> 32);

	if (d < 2)
		return (id >> (16 * d)) & 0xffff;
	return (unsigned)(r->k >> (16 * (d - 2))) & 0xffff;
}

/* Count every digit in one pass; 1 where a digit varies. */
static void vs_count(const struct view_row *r, size_t n, uint32_t *cnt,
		     int *varies)
{
	memset(cnt, 0, VS_DIGITS * VS_BUCKETS * sizeof(*cnt));
	for (size_t i = 0; i < n; i++)
		for (unsigned d = 0; d < VS_DIGITS; d++)
			cnt[d * VS_BUCKETS + vs_digit(&r[i], d)]++;
	for (unsigned d = 0; d < VS_DIGITS; d++)
		varies[d] = cnt[d * VS_BUCKETS + vs_digit(&r[0], d)] != n;
}

static void vs_pass(const struct view_row *in, struct view_row *out,
		    size_t n, uint32_t *cnt, unsigned d)
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

int view_sort_rows(struct view *v, int desc_strings)
{
	size_t n = v->nrows;
	int varies[VS_DIGITS];

	if (n < 2)
		return 0;
	if (!v->keys) {
		v->keys = malloc(VS_DIGITS * VS_BUCKETS * sizeof(*v->keys));
		if (!v->keys)
			return -1;
	}
	vs_count(v->rows, n, v->keys, varies);
	for (unsigned d = 0; d < VS_DIGITS; d++) {
		if (!varies[d])
			continue;
		vs_pass(v->rows, v->tmp, n, v->keys + d * VS_BUCKETS, d);
		struct view_row *t = v->rows;

		v->rows = v->tmp;
		v->tmp = t;
	}
	vs_fixup(v->rows, n, desc_strings);
	return 0;
}
