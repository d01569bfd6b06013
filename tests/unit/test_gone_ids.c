/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for collector/gone_ids.c: the entries destroyed while a dump
 * runs, whose late listings the dump drops. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <cmocka.h>
#include "collector/gone_ids.h"

static struct flow_wire udp(uint32_t id, uint32_t n)
{
	struct flow_wire w;

	memset(&w, 0, sizeof(w));
	w.id = id;
	w.family = FLOW_FAM_IPV4;
	w.l4proto = IPPROTO_UDP;
	w.src[0] = 10;
	memcpy(w.src + 1, &n, 3);
	w.dst[0] = 192;
	w.sport = (uint16_t)(1024 + (n >> 24));
	w.dport = 53;
	return w;
}

/* A destroyed entry is held; another of the same id and another tuple
 * is not (ids collide in a large table); created again, it is not. */
static void test_mark_and_has(void **state)
{
	struct gone_ids g = { 0 };
	struct flow_wire a = udp(7, 1), b = udp(7, 2), c = udp(8, 1);

	(void)state;
	assert_false(gone_ids_has(&g, &a));
	gone_ids_mark(&g, &a, 0);       /* a NEW before any DESTROY */
	assert_false(gone_ids_has(&g, &a));
	gone_ids_mark(&g, &a, 1);
	assert_true(gone_ids_has(&g, &a));
	assert_false(gone_ids_has(&g, &b));
	assert_false(gone_ids_has(&g, &c));
	gone_ids_mark(&g, &a, 0);
	assert_false(gone_ids_has(&g, &a));
	gone_ids_mark(&g, &a, 1);
	assert_true(gone_ids_has(&g, &a));
	gone_ids_clear(&g);
	assert_false(gone_ids_has(&g, &a));
	assert_false(g.full);
	gone_ids_free(&g);
}

/* It grows to hold a long dump's destroys, every one still found, and
 * is emptied by a clear; past its bound it says it is full. */
static void test_grow_and_bound(void **state)
{
	struct gone_ids g = { 0 };
	uint32_t n;

	(void)state;
	for (n = 0; n < 100000; n++) {
		struct flow_wire w = udp(n * 2654435761u, n);

		gone_ids_mark(&g, &w, 1);
	}
	assert_false(g.full);
	for (n = 0; n < 100000; n++) {
		struct flow_wire w = udp(n * 2654435761u, n), o = udp(n, n + 1);

		assert_true(gone_ids_has(&g, &w));
		if (o.id != w.id)
			assert_false(gone_ids_has(&g, &o));
	}
	gone_ids_clear(&g);
	for (n = 0; n < 100000; n += 997) {
		struct flow_wire w = udp(n * 2654435761u, n);

		assert_false(gone_ids_has(&g, &w));
	}
	for (n = 0; n <= GONE_IDS_MAX; n++) {
		struct flow_wire w = udp(n, n);

		gone_ids_mark(&g, &w, 1);
	}
	assert_true(g.full);
	gone_ids_clear(&g);
	assert_false(g.full);
	gone_ids_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mark_and_has),
		cmocka_unit_test(test_grow_and_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
