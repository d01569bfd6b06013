/* SPDX-License-Identifier: GPL-2.0-only */
/* snap_order: a least-significant-digit radix sort, 16 bits a pass, of
 * (~total, id), skipping the digits every key shares (see snap_order.h). */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "ui/snap_order.h"

struct so_key {
	uint64_t rank;      /* ~total: ascending is total descending */
	uint32_t id;
	uint32_t idx;       /* flow_table_at */
};

#define SO_DIGITS 6     /* id: 2, rank: 4 */
#define SO_RADIX 65536

static unsigned so_digit(const struct so_key *k, int d)
{
	return d < 2 ? k->id >> (16 * d) & 0xffff :
		(unsigned)(k->rank >> (16 * (d - 2)) & 0xffff);
}

static uint64_t so_total(const struct flow_entry *e)
{
	uint64_t s = e->w.orig_bytes + e->w.reply_bytes;

	return s < e->w.orig_bytes ? UINT64_MAX : s;
}

/* The keys, and the counts of every digit's values in one walk. */
static void so_keys(const struct flow_table *t, struct so_key *k, size_t n,
		    uint32_t (*count)[SO_RADIX])
{
	for (size_t i = 0; i < n; i++) {
		const struct flow_entry *e = flow_table_at(t, i);

		k[i].rank = ~so_total(e);
		k[i].id = e->w.id;
		k[i].idx = (uint32_t)i;
		for (int d = 0; d < SO_DIGITS; d++)
			count[d][so_digit(&k[i], d)]++;
	}
}

/* One stable pass from src to dst by digit d; 0 when every key has the
 * same digit there (nothing moved). */
static int so_pass(const struct so_key *src, struct so_key *dst, size_t n,
		   int d, uint32_t *count)
{
	uint32_t at = 0;

	if (count[so_digit(&src[0], d)] == n)
		return 0;
	for (size_t v = 0; v < SO_RADIX; v++) {
		uint32_t c = count[v];

		count[v] = at;
		at += c;
	}
	for (size_t i = 0; i < n; i++)
		dst[count[so_digit(&src[i], d)]++] = src[i];
	return 1;
}

long snap_order(const struct flow_table *t, const struct flow_entry **out)
{
	size_t n = flow_table_count(t);
	size_t len = 2 * n * sizeof(struct so_key) +
		     SO_DIGITS * SO_RADIX * sizeof(uint32_t);
	struct so_key *a, *b;
	uint32_t (*count)[SO_RADIX];
	void *mem;

	if (n == 0)
		return 0;
	/* Mapped, not malloc'ed: given back whole at the end, so that the
	 * table's steady memory does not grow by it. */
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return -1;
	a = mem;
	b = a + n;
	count = (uint32_t (*)[SO_RADIX])(b + n);
	so_keys(t, a, n, count);
	for (int d = 0; d < SO_DIGITS; d++) {
		if (so_pass(a, b, n, d, count[d])) {
			struct so_key *x = a;

			a = b;
			b = x;
		}
	}
	for (size_t i = 0; i < n; i++)
		out[i] = flow_table_at(t, a[i].idx);
	munmap(mem, len);
	return (long)n;
}
