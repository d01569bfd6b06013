/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of ui/snap_order.c: the batch snapshot's order is exactly
 * flow_table_sorted's, for tables whose totals tie, saturate, share all
 * their low or high bits, and for random ones. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "ui/flow_table.h"
#include "ui/snap_order.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Flow i: a distinct tuple, the id and counters given. */
static void add(struct flow_table *t, uint32_t i, uint32_t id, uint64_t orig,
		uint64_t reply)
{
	struct flow_wire r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	r.event = FLOW_EV_DUMP;
	r.family = FLOW_FAM_IPV4;
	r.l4proto = IPPROTO_UDP;
	r.src[0] = 10;
	memcpy(r.src + 1, &i, 3);
	r.dst[0] = 10;
	r.sport = (uint16_t)(i >> 24);
	r.dport = 53;
	r.orig_bytes = orig;
	r.reply_bytes = reply;
	assert_int_equal(flow_table_apply(t, &r, 1, 1), 0);
}

static void check_same_order(struct flow_table *t)
{
	size_t n = flow_table_count(t);
	const struct flow_entry **want = calloc(n + 1, sizeof(*want));
	const struct flow_entry **got = calloc(n + 1, sizeof(*got));

	assert_non_null(want);
	assert_non_null(got);
	assert_int_equal(flow_table_sorted(t, want, n), n);
	assert_int_equal(snap_order(t, got), (long)n);
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(got[i], want[i]);
	free(want);
	free(got);
}

/* kind picks how counters and ids are drawn. */
static void run_kind(int kind, uint32_t n)
{
	struct flow_table *t = flow_table_new();

	assert_non_null(t);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t r = rng(), o, p;
		uint32_t id = (uint32_t)rng();

		switch (kind) {
		case 0:     /* no traffic at all: the ids alone order */
			o = p = 0;
			break;
		case 1:     /* few distinct totals: ties broken by id */
			o = r % 4 * 1000;
			p = r >> 60;
			break;
		case 2:     /* huge counters: the sum saturates */
			o = UINT64_MAX - r % 3;
			p = r % 5;
			break;
		case 3:     /* only high bits differ, ids only low ones */
			o = (r % 7) << 48;
			p = 0;
			id = (uint32_t)(r % 1000);
			break;
		default:    /* anything */
			o = r >> (r % 64);
			p = rng() >> (rng() % 64);
			if (o + p < o)
				p = 0;
			break;
		}
		/* Ids unique (i < 2^20), so that no two entries tie and
		 * qsort's order of equals does not matter. */
		add(t, i, kind == 3 ? id * 4096 + i : (id & ~0xfffffu) | i, o, p);
	}
	check_same_order(t);
	flow_table_free(t);
}

static void test_same_order_as_flow_table_sorted(void **state)
{
	(void)state;
	for (int kind = 0; kind < 5; kind++) {
		run_kind(kind, 1);
		run_kind(kind, 2);
		run_kind(kind, 1000);
		run_kind(kind, 70000);     /* past one radix digit */
	}
}

static void test_empty_table(void **state)
{
	struct flow_table *t = flow_table_new();
	const struct flow_entry *out[1] = { NULL };

	(void)state;
	assert_int_equal(snap_order(t, out), 0);
	assert_null(out[0]);
	flow_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_order_as_flow_table_sorted),
		cmocka_unit_test(test_empty_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
