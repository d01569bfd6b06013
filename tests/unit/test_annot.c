/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for ui/annot.c's slots: what the screen's view keeps per
 * address (ui/view_annot.c) is only right if a slot keeps naming one
 * address and the log of answered slots misses nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "privsep/flow_wire.h"
#include "privsep/lookup_wire.h"
#include "ui/annot.h"

static void addr_of(unsigned i, uint8_t a[16])
{
	memset(a, 0, 16);
	a[0] = 10;
	a[1] = (uint8_t)(i >> 16);
	a[2] = (uint8_t)(i >> 8);
	a[3] = (uint8_t)i;
}

static void answer(struct annots *an, unsigned i, uint8_t parts)
{
	struct lookup_ans r;
	struct msg m = { .type = MSG_LOOKUP_ANS, .len = sizeof(r),
			 .payload = &r };

	memset(&r, 0, sizeof(r));
	r.family = FLOW_FAM_IPV4;
	r.parts = parts;
	addr_of(i, r.addr);
	snprintf(r.name, sizeof(r.name), "host-%u.example", i);
	snprintf(r.country, sizeof(r.country), "GB");
	snprintf(r.city, sizeof(r.city), "City %u", i % 7);
	annots_apply(an, &m);
}

struct seen {
	uint8_t *hit;
	size_t n;
	int all;
};

static void on_changed(void *ctx, uint32_t slot)
{
	struct seen *s = ctx;

	if (slot == ANNOT_NONE)
		s->all++;
	else if (slot < s->n)
		s->hit[slot]++;
}

/* Slots stay with their address while the index grows past several
 * doublings; what a slot reads is what annots_get says. */
static void test_slots_stable(void **state)
{
	struct annots *an = annots_new(LOOKUP_DNS | LOOKUP_GEO, 0);
	unsigned n = 5000;
	uint32_t *slot = calloc(n, sizeof(*slot));
	uint8_t a[16];

	(void)state;
	assert_non_null(an);
	addr_of(1, a);
	assert_true(annots_slot(an, FLOW_FAM_IPV4, a) == ANNOT_NONE);
	for (unsigned i = 0; i < n; i++) {
		addr_of(i, a);
		annots_want(an, FLOW_FAM_IPV4, a);
		slot[i] = annots_slot(an, FLOW_FAM_IPV4, a);
		assert_true(slot[i] < annots_slots(an));
	}
	assert_int_equal(annots_slots(an), n);
	for (unsigned i = 0; i < n; i += 3)
		answer(an, i, LOOKUP_DNS | LOOKUP_GEO);
	for (unsigned i = 0; i < n; i++) {
		struct print_annot by_slot = { 0 }, by_addr;
		char want[32];

		addr_of(i, a);
		assert_int_equal(annots_slot(an, FLOW_FAM_IPV4, a), slot[i]);
		annots_slot_get(an, slot[i], &by_slot);
		annots_get(an, FLOW_FAM_IPV4, a, &by_addr);
		assert_true(by_slot.name == by_addr.name);
		assert_true(by_slot.city == by_addr.city);
		if (i % 3 == 0) {
			snprintf(want, sizeof(want), "host-%u.example", i);
			assert_string_equal(by_slot.name, want);
		} else {
			assert_null(by_slot.name);
		}
	}
	/* The other family is another address. */
	addr_of(3, a);
	assert_true(annots_slot(an, FLOW_FAM_IPV6, a) == ANNOT_NONE);
	annots_free(an);
	free(slot);
}

/* The look-up in steps (hint, warm, slot_h) finds what annots_slot
 * finds, known or not, in an empty table too. */
static void test_slot_in_steps(void **state)
{
	struct annots *an = annots_new(LOOKUP_DNS, 0);
	uint8_t a[16];
	uint32_t h;

	(void)state;
	assert_non_null(an);
	addr_of(7, a);
	h = annots_slot_hint(an, FLOW_FAM_IPV4, a);
	annots_slot_warm(an, h);
	assert_true(annots_slot_h(an, FLOW_FAM_IPV4, a, h) == ANNOT_NONE);
	for (unsigned i = 0; i < 3000; i += 2) {
		addr_of(i, a);
		annots_want(an, FLOW_FAM_IPV4, a);
	}
	for (unsigned i = 0; i < 3000; i++) {
		addr_of(i, a);
		h = annots_slot_hint(an, FLOW_FAM_IPV4, a);
		annots_slot_warm(an, h);
		assert_int_equal(annots_slot_h(an, FLOW_FAM_IPV4, a, h),
				 annots_slot(an, FLOW_FAM_IPV4, a));
		assert_true((annots_slot(an, FLOW_FAM_IPV4, a) == ANNOT_NONE) ==
			    (i % 2 == 1));
	}
	annots_free(an);
}

/* The log: "everything" first, then exactly the slots answers changed,
 * once each part arrives; an answer that adds nothing is not logged. */
static void test_changed_log(void **state)
{
	struct annots *an = annots_new(LOOKUP_DNS | LOOKUP_GEO, 0);
	unsigned n = 300;
	struct seen s = { calloc(n, 1), n, 0 };
	uint8_t a[16];

	(void)state;
	for (unsigned i = 0; i < n; i++) {
		addr_of(i, a);
		annots_want(an, FLOW_FAM_IPV4, a);
	}
	annots_each_changed(an, on_changed, &s);
	assert_int_equal(s.all, 1);
	s.all = 0;
	for (unsigned i = 0; i < n; i += 2)
		answer(an, i, LOOKUP_GEO);
	answer(an, 0, LOOKUP_GEO);          /* again: nothing new */
	answer(an, 100000, LOOKUP_DNS);     /* never asked: ignored */
	annots_each_changed(an, on_changed, &s);
	assert_int_equal(s.all, 0);
	for (unsigned i = 0; i < n; i++) {
		addr_of(i, a);
		assert_int_equal(s.hit[annots_slot(an, FLOW_FAM_IPV4, a)],
				 i % 2 == 0);
	}
	memset(s.hit, 0, n);
	answer(an, 4, LOOKUP_DNS);          /* the other part: logged */
	annots_each_changed(an, on_changed, &s);
	addr_of(4, a);
	assert_int_equal(s.hit[annots_slot(an, FLOW_FAM_IPV4, a)], 1);
	memset(s.hit, 0, n);
	annots_each_changed(an, on_changed, &s);   /* drained */
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(s.hit[i], 0);
	assert_int_equal(s.all, 0);
	annots_free(an);
	free(s.hit);
}

/* Past the table's bound it starts over: slots then name other
 * addresses, so the generation moves and the log says "everything". */
static void test_start_over(void **state)
{
	struct annots *an = annots_new(LOOKUP_DNS, 0);
	struct seen s = { NULL, 0, 0 };
	uint8_t a[16];
	uint64_t gen = annots_generation(an);

	(void)state;
	for (unsigned i = 0; i < ANNOT_MAX; i++) {
		addr_of(i, a);
		annots_want(an, FLOW_FAM_IPV4, a);
	}
	annots_each_changed(an, on_changed, &s);
	s.all = 0;
	assert_int_equal(annots_generation(an), gen);
	addr_of(ANNOT_MAX, a);
	annots_want(an, FLOW_FAM_IPV4, a);
	assert_true(annots_generation(an) != gen);
	assert_int_equal(annots_slots(an), 1);
	assert_int_equal(annots_slot(an, FLOW_FAM_IPV4, a), 0);
	annots_each_changed(an, on_changed, &s);
	assert_int_equal(s.all, 1);
	annots_free(an);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots_stable),
		cmocka_unit_test(test_slot_in_steps),
		cmocka_unit_test(test_changed_log),
		cmocka_unit_test(test_start_over),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
