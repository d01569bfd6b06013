/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of resolver/dns_cache.c: TTL clamping, negative entries,
 * expiry (on a clock the test moves by hand), LRU eviction at the bound,
 * the queue bound and FIFO order, merging of duplicates, and the cleaning
 * of names from strangers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "privsep/flow_wire.h"
#include "resolver/dns_cache.h"

static uint64_t now_ms;

static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return now_ms;
}

static struct dns_cache *mk(size_t max, size_t queue_max)
{
	struct dc_cfg cfg = {
		.max = max, .queue_max = queue_max,
		.min_ttl = 60, .max_ttl = 86400, .neg_ttl = 300,
		.clock = fake_clock,
	};
	struct dns_cache *c;

	now_ms = 1000000;
	c = dc_new(&cfg);
	assert_non_null(c);
	return c;
}

/* IPv4 address 192.0.2.i as a 16-byte key. */
static const uint8_t *v4(unsigned i)
{
	static uint8_t a[16];

	memset(a, 0, sizeof(a));
	a[0] = 192; a[1] = 0; a[2] = 2; a[3] = (uint8_t)i;
	return a;
}

static enum dc_result get(struct dns_cache *c, unsigned i, char *name)
{
	char buf[DC_NAME_MAX + 1];

	return dc_get(c, FLOW_FAM_IPV4, v4(i), name ? name : buf,
		      DC_NAME_MAX + 1);
}

/* Queue address i, take it in flight and answer it. */
static const char *answer(struct dns_cache *c, unsigned i, const char *raw,
			  uint32_t ttl)
{
	struct dc_entry *e;
	uint8_t fam, addr[16];

	assert_int_equal(get(c, i, NULL), DC_QUEUED);
	e = dc_next(c);
	assert_non_null(e);
	dc_entry_key(e, &fam, addr);
	assert_int_equal(fam, FLOW_FAM_IPV4);
	assert_memory_equal(addr, v4(i), 16);
	return dc_complete(c, e, raw, ttl);
}

static void test_hit_after_answer(void **state)
{
	struct dns_cache *c = mk(16, 16);
	char name[DC_NAME_MAX + 1];

	(void)state;
	assert_string_equal(answer(c, 1, "host.example.", 3600), "host.example");
	assert_int_equal(get(c, 1, name), DC_HIT);
	assert_string_equal(name, "host.example");
	assert_int_equal(dc_done_count(c), 1);
	assert_int_equal(dc_inflight_count(c), 0);
	dc_free(c);
}

/* A request for an address already queued or in flight is merged; an
 * IPv6 address with the same first bytes is another address. */
static void test_duplicates_merge(void **state)
{
	struct dns_cache *c = mk(16, 16);
	struct dc_entry *e;
	char name[DC_NAME_MAX + 1];

	(void)state;
	assert_int_equal(get(c, 1, NULL), DC_QUEUED);
	assert_int_equal(get(c, 1, NULL), DC_MERGED);
	assert_int_equal(dc_queued_count(c), 1);
	assert_int_equal(dc_get(c, FLOW_FAM_IPV6, v4(1), name, sizeof(name)),
			 DC_QUEUED);
	assert_int_equal(dc_queued_count(c), 2);
	e = dc_next(c);
	assert_non_null(e);
	assert_int_equal(get(c, 1, NULL), DC_MERGED);
	assert_int_equal(dc_inflight_count(c), 1);
	assert_int_equal(dc_queued_count(c), 1);
	dc_complete(c, e, "a.example", 100);
	assert_int_equal(get(c, 1, name), DC_HIT);
	assert_string_equal(name, "a.example");
	dc_free(c);
}

static void test_fifo_and_queue_bound(void **state)
{
	struct dns_cache *c = mk(16, 3);
	uint8_t fam, addr[16];

	(void)state;
	for (unsigned i = 1; i <= 3; i++)
		assert_int_equal(get(c, i, NULL), DC_QUEUED);
	assert_int_equal(get(c, 4, NULL), DC_FULL);
	assert_int_equal(get(c, 2, NULL), DC_MERGED);   /* full, yet merged */
	for (unsigned i = 1; i <= 2; i++) {
		dc_entry_key(dc_next(c), &fam, addr);
		assert_memory_equal(addr, v4(i), 16);
	}
	assert_int_equal(get(c, 4, NULL), DC_QUEUED);
	dc_entry_key(dc_next(c), &fam, addr);
	assert_memory_equal(addr, v4(3), 16);
	dc_entry_key(dc_next(c), &fam, addr);
	assert_memory_equal(addr, v4(4), 16);
	assert_null(dc_next(c));
	assert_int_equal(dc_inflight_count(c), 4);
	dc_free(c);   /* entries still in flight are freed too (ASan) */
}

/* Check that address i is answered until t_ms after now and is queued
 * again from then on; then take it off the queue again (answered as
 * negative) so that the next answer() finds the queue empty. */
static void expect_kept(struct dns_cache *c, unsigned i, uint64_t t_ms)
{
	uint64_t start = now_ms;

	now_ms = start + t_ms - 1;
	assert_int_equal(get(c, i, NULL), DC_HIT);
	now_ms = start + t_ms;
	assert_int_equal(get(c, i, NULL), DC_QUEUED);
	now_ms = start;
	dc_complete(c, dc_next(c), NULL, 0);
}

static void test_ttl_in_range(void **state)
{
	struct dns_cache *c = mk(16, 16);

	(void)state;
	answer(c, 1, "a.example", 300);
	expect_kept(c, 1, 300 * 1000);
	dc_free(c);
}

static void test_ttl_clamped(void **state)
{
	struct dns_cache *c = mk(16, 16);

	(void)state;
	answer(c, 1, "low.example", 5);
	expect_kept(c, 1, 60 * 1000);
	answer(c, 2, "zero.example", 0);
	expect_kept(c, 2, 60 * 1000);
	answer(c, 3, "high.example", 0x7fffffffu);
	expect_kept(c, 3, 86400ull * 1000);
	dc_free(c);
}

/* min_ttl above max_ttl: the minimum wins, nothing is kept for less. */
static void test_ttl_bounds_swapped(void **state)
{
	struct dc_cfg cfg = {
		.max = 4, .queue_max = 4, .min_ttl = 100, .max_ttl = 10,
		.neg_ttl = 1, .clock = fake_clock,
	};
	struct dns_cache *c = dc_new(&cfg);

	(void)state;
	assert_non_null(c);
	answer(c, 1, "a.example", 50);
	expect_kept(c, 1, 100 * 1000);
	dc_free(c);
}

/* No name, an empty name or just the root: negative, kept neg_ttl. */
static void test_negative(void **state)
{
	struct dns_cache *c = mk(16, 16);
	char name[DC_NAME_MAX + 1];

	(void)state;
	assert_string_equal(answer(c, 1, NULL, 3600), "");
	assert_string_equal(answer(c, 2, "", 3600), "");
	assert_string_equal(answer(c, 3, ".", 3600), "");
	strcpy(name, "junk");
	assert_int_equal(get(c, 1, name), DC_HIT);
	assert_string_equal(name, "");
	expect_kept(c, 1, 300 * 1000);
	expect_kept(c, 2, 300 * 1000);
	expect_kept(c, 3, 300 * 1000);
	dc_free(c);
}

/* An expired entry is asked again; while the queue is full it stays. */
static void test_expired_requeue(void **state)
{
	struct dns_cache *c = mk(16, 1);
	char name[DC_NAME_MAX + 1];

	(void)state;
	answer(c, 1, "old.example", 60);
	now_ms += 60 * 1000;
	assert_int_equal(get(c, 2, NULL), DC_QUEUED);   /* fills the queue */
	assert_int_equal(get(c, 1, NULL), DC_FULL);
	assert_int_equal(dc_done_count(c), 1);
	dc_complete(c, dc_next(c), "two.example", 60);
	assert_int_equal(get(c, 1, NULL), DC_QUEUED);
	assert_int_equal(dc_done_count(c), 1);           /* only 2 is done */
	dc_complete(c, dc_next(c), "new.example", 60);
	assert_int_equal(get(c, 1, name), DC_HIT);
	assert_string_equal(name, "new.example");
	dc_free(c);
}

/* At the bound the least recently used answer goes; a hit counts as use. */
static void test_lru_eviction(void **state)
{
	struct dns_cache *c = mk(3, 16);
	char name[DC_NAME_MAX + 1];

	(void)state;
	answer(c, 1, "one", 600);
	answer(c, 2, "two", 600);
	answer(c, 3, "three", 600);
	assert_int_equal(get(c, 1, name), DC_HIT);      /* 2 is now the oldest */
	answer(c, 4, "four", 600);
	assert_int_equal(dc_done_count(c), 3);
	assert_int_equal(get(c, 1, name), DC_HIT);
	assert_int_equal(get(c, 3, name), DC_HIT);
	assert_int_equal(get(c, 4, name), DC_HIT);
	assert_string_equal(name, "four");
	assert_int_equal(get(c, 2, NULL), DC_QUEUED);   /* evicted: asked anew */
	dc_free(c);
}

/* In-flight and queued entries are never evicted, whatever the bound. */
static void test_pending_not_evicted(void **state)
{
	struct dns_cache *c = mk(1, 16);
	struct dc_entry *e;

	(void)state;
	assert_int_equal(get(c, 9, NULL), DC_QUEUED);
	e = dc_next(c);
	answer(c, 1, "one", 600);
	answer(c, 2, "two", 600);       /* evicts one */
	assert_int_equal(dc_done_count(c), 1);
	assert_int_equal(get(c, 8, NULL), DC_QUEUED);
	assert_int_equal(get(c, 1, NULL), DC_QUEUED);
	assert_int_equal(get(c, 9, NULL), DC_MERGED);
	assert_int_equal(get(c, 8, NULL), DC_MERGED);
	assert_int_equal(dc_queued_count(c), 2);
	assert_string_equal(dc_complete(c, e, "nine", 600), "nine");
	assert_int_equal(dc_done_count(c), 1);
	assert_int_equal(get(c, 2, NULL), DC_QUEUED);   /* nine pushed two out */
	dc_free(c);
}

/* Many addresses: the table grows and every one is still found. */
static void test_many(void **state)
{
	struct dns_cache *c = mk(20000, 20000);
	char name[DC_NAME_MAX + 1], want[32];
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	(void)state;
	for (unsigned i = 0; i < 20000; i++) {
		a[14] = (uint8_t)(i >> 8);
		a[15] = (uint8_t)i;
		assert_int_equal(dc_get(c, FLOW_FAM_IPV6, a, name, sizeof(name)),
				 DC_QUEUED);
		snprintf(want, sizeof(want), "h%u.example", i);
		dc_complete(c, dc_next(c), want, 600);
	}
	for (unsigned i = 0; i < 20000; i += 997) {
		a[14] = (uint8_t)(i >> 8);
		a[15] = (uint8_t)i;
		assert_int_equal(dc_get(c, FLOW_FAM_IPV6, a, name, sizeof(name)),
				 DC_HIT);
		snprintf(want, sizeof(want), "h%u.example", i);
		assert_string_equal(name, want);
	}
	dc_free(c);
}

static void test_complete_not_inflight(void **state)
{
	struct dns_cache *c = mk(4, 4);
	struct dc_entry *e;

	(void)state;
	assert_int_equal(get(c, 1, NULL), DC_QUEUED);
	e = dc_next(c);
	dc_complete(c, e, "x", 60);
	assert_string_equal(dc_complete(c, e, "y", 60), "");
	assert_int_equal(dc_inflight_count(c), 0);
	dc_free(c);
}

/* ---- names ---- */

static void check_clean(const char *raw, const char *want)
{
	char out[DC_NAME_MAX + 1];

	memset(out, 'Z', sizeof(out));
	assert_int_equal(dc_name_clean(out, raw), strlen(want));
	assert_string_equal(out, want);
}

static void test_clean_escapes(void **state)
{
	(void)state;
	check_clean("ev\x1b[31mil.example", "ev\\x1b[31mil.example");
	check_clean("bell\x07.example.", "bell\\x07.example");
	check_clean("del\x7f.c1\xc2\x9b.example", "del\\x7f.c1\\xc2\\x9b.example");
	check_clean("bad\xff\xfe.example", "bad\\xff\\xfe.example");
	check_clean("z\xc3\xbcrich.example", "z\xc3\xbcrich.example");
	check_clean("new\nline", "new\\x0aline");
	check_clean(NULL, "");
}

/* One root dot goes; a dot c-ares escaped ("\.") is part of a label. */
static void test_clean_root_dot(void **state)
{
	(void)state;
	check_clean("a.example.", "a.example");
	check_clean("a.example", "a.example");
	check_clean("a\\.", "a\\.");
	check_clean("a\\\\.", "a\\\\");
	check_clean("a..", "a.");
	check_clean(".", "");
	check_clean("", "");
}

/* Longer than 253 bytes: cut at 253, never inside an escape. */
static void test_clean_bound(void **state)
{
	char raw[600], want[DC_NAME_MAX + 1];

	(void)state;
	memset(raw, 'a', 300);
	raw[300] = '\0';
	memset(want, 'a', DC_NAME_MAX);
	want[DC_NAME_MAX] = '\0';
	check_clean(raw, want);

	raw[253] = '.';      /* 253 bytes and a root dot: nothing cut */
	raw[254] = '\0';
	check_clean(raw, want);

	memset(raw, 'a', 250);   /* 250 + "\x01" (4 bytes) > 253 */
	raw[250] = '\x01';
	raw[251] = '\0';
	want[250] = '\0';
	check_clean(raw, want);
}

/* dc_complete stores the cleaned form, so a hit never gives a raw byte. */
static void test_complete_cleans(void **state)
{
	struct dns_cache *c = mk(4, 4);
	char name[DC_NAME_MAX + 1];

	(void)state;
	assert_string_equal(answer(c, 1, "x\x1b]0;owned\x07.example.", 60),
			    "x\\x1b]0;owned\\x07.example");
	assert_int_equal(get(c, 1, name), DC_HIT);
	assert_null(strchr(name, '\x1b'));
	assert_string_equal(name, "x\\x1b]0;owned\\x07.example");
	dc_free(c);
}

/* A buffer too small for the name gets none rather than a cut one. */
static void test_hit_small_buffer(void **state)
{
	struct dns_cache *c = mk(4, 4);
	char name[8];

	(void)state;
	answer(c, 1, "a-long-name.example", 60);
	memset(name, 'Z', sizeof(name));
	assert_int_equal(dc_get(c, FLOW_FAM_IPV4, v4(1), name, sizeof(name)),
			 DC_HIT);
	assert_string_equal(name, "");
	dc_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_after_answer),
		cmocka_unit_test(test_duplicates_merge),
		cmocka_unit_test(test_fifo_and_queue_bound),
		cmocka_unit_test(test_ttl_in_range),
		cmocka_unit_test(test_ttl_clamped),
		cmocka_unit_test(test_ttl_bounds_swapped),
		cmocka_unit_test(test_negative),
		cmocka_unit_test(test_expired_requeue),
		cmocka_unit_test(test_lru_eviction),
		cmocka_unit_test(test_pending_not_evicted),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_complete_not_inflight),
		cmocka_unit_test(test_clean_escapes),
		cmocka_unit_test(test_clean_root_dot),
		cmocka_unit_test(test_clean_bound),
		cmocka_unit_test(test_complete_cleans),
		cmocka_unit_test(test_hit_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
