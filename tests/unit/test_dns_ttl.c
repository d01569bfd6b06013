/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of resolver/dns_ttl.c: the TTL reader for DNS answers, fed
 * well-formed answers and the hostile shapes a name server could send
 * (compression loops, truncation, lying lengths). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "resolver/dns_ttl.h"

#define T_PTR 12
#define T_CNAME 5
#define T_TXT 16

/* A message under construction. */
struct mb {
	uint8_t b[4096];
	size_t n;
};

static void put8(struct mb *m, unsigned v)
{
	assert_true(m->n < sizeof(m->b));
	m->b[m->n++] = (uint8_t)v;
}

static void put16(struct mb *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void put32(struct mb *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

/* Labels of a dotted name, without the final zero byte. */
static void put_labels(struct mb *m, const char *dotted)
{
	while (*dotted) {
		size_t n = strcspn(dotted, ".");

		put8(m, (unsigned)n);
		for (size_t i = 0; i < n; i++)
			put8(m, (unsigned char)dotted[i]);
		dotted += n;
		if (*dotted == '.')
			dotted++;
	}
}

static void put_name(struct mb *m, const char *dotted)
{
	put_labels(m, dotted);
	put8(m, 0);
}

static void put_ptr(struct mb *m, unsigned off)
{
	put16(m, 0xc000 | off);
}

static void put_header(struct mb *m, unsigned qd, unsigned an)
{
	m->n = 0;
	put16(m, 0x1234);
	put16(m, 0x8180);
	put16(m, qd);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
}

/* Header and the question q (PTR, IN); the question name is at 12. */
static void put_question(struct mb *m, const char *q, unsigned an)
{
	put_header(m, 1, an);
	put_name(m, q);
	put16(m, T_PTR);
	put16(m, 1);
}

/* The fixed part of a record, owner a pointer to off. */
static void put_rr(struct mb *m, unsigned owner, unsigned type, uint32_t ttl,
		   unsigned rdlen)
{
	put_ptr(m, owner);
	put16(m, type);
	put16(m, 1);
	put32(m, ttl);
	put16(m, rdlen);
}

/* A PTR record for the question's name pointing at target. */
static void put_ptr_rr(struct mb *m, uint32_t ttl, const char *target)
{
	put_rr(m, 12, T_PTR, ttl, (unsigned)strlen(target) + 2);
	put_name(m, target);
}

static enum dns_ttl_result ttl_of(const struct mb *m, uint32_t *ttl)
{
	/* An exact-size heap copy, so that ASan sees any overread. */
	uint8_t *p = malloc(m->n ? m->n : 1);
	enum dns_ttl_result r;

	assert_non_null(p);
	memcpy(p, m->b, m->n);
	r = dns_answer_ttl(p, m->n, T_PTR, ttl);
	free(p);
	return r;
}

#define Q "142.69.2.81.in-addr.arpa"

static void test_simple(void **state)
{
	struct mb m;
	uint32_t ttl = 0;

	(void)state;
	put_question(&m, Q, 1);
	put_ptr_rr(&m, 3600, "london.example");
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_OK);
	assert_int_equal(ttl, 3600);
}

static void test_smallest_of_several(void **state)
{
	struct mb m;
	uint32_t ttl = 0;

	(void)state;
	put_question(&m, Q, 3);
	put_ptr_rr(&m, 900, "a.example");
	put_ptr_rr(&m, 120, "b.example");
	put_ptr_rr(&m, 7200, "c.example");
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_OK);
	assert_int_equal(ttl, 120);
}

/* RFC 2317 classless delegation: the PTR lives behind a CNAME, and the
 * CNAME's TTL counts. */
static void test_cname_chain(void **state)
{
	struct mb m;
	uint32_t ttl = 0;
	size_t target;

	(void)state;
	put_question(&m, "5.2.0.192.in-addr.arpa", 2);
	put_rr(&m, 12, T_CNAME, 100, 2 + 5 + 2);
	target = m.n;
	put_labels(&m, "5.0-25");
	put_ptr(&m, 12 + 2);   /* "2.0.192.in-addr.arpa" of the question */
	put_rr(&m, (unsigned)target, T_PTR, 300, 11);
	put_name(&m, "h.example");
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_OK);
	assert_int_equal(ttl, 100);
}

/* Records for other names do not count; names compare without case. */
static void test_owner_must_match(void **state)
{
	struct mb m;
	uint32_t ttl = 0;

	(void)state;
	put_question(&m, Q, 1);
	put_name(&m, "1.2.3.4.in-addr.arpa");
	put16(&m, T_PTR); put16(&m, 1); put32(&m, 50); put16(&m, 3);
	put_name(&m, "x");
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_NONE);

	put_question(&m, Q, 1);
	put_name(&m, "142.69.2.81.IN-ADDR.Arpa");
	put16(&m, T_PTR); put16(&m, 1); put32(&m, 50); put16(&m, 3);
	put_name(&m, "x");
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_OK);
	assert_int_equal(ttl, 50);
}

static void test_other_types_and_classes(void **state)
{
	struct mb m;
	uint32_t ttl = 0;

	(void)state;
	put_question(&m, Q, 2);
	put_rr(&m, 12, T_TXT, 10, 2);
	put8(&m, 1); put8(&m, 'x');
	put_ptr(&m, 12); put16(&m, T_PTR); put16(&m, 3 /* CH */);
	put32(&m, 20); put16(&m, 3); put_name(&m, "x");
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_NONE);

	put_question(&m, Q, 0);
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_NONE);
}

/* RFC 2181: a TTL with the top bit set is read as zero. */
static void test_top_bit_ttl(void **state)
{
	struct mb m;
	uint32_t ttl = 99;

	(void)state;
	put_question(&m, Q, 1);
	put_ptr_rr(&m, 0x80000000u, "x.example");
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_OK);
	assert_int_equal(ttl, 0);

	put_question(&m, Q, 1);
	put_ptr_rr(&m, 0x7fffffffu, "x.example");
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_OK);
	assert_int_equal(ttl, 0x7fffffffu);
}

static void test_pointer_to_itself(void **state)
{
	struct mb m;
	uint32_t ttl;

	(void)state;
	put_header(&m, 1, 0);
	put_ptr(&m, 12);
	put16(&m, T_PTR); put16(&m, 1);
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_BAD);
}

static void test_pointer_forward(void **state)
{
	struct mb m;
	uint32_t ttl;

	(void)state;
	put_header(&m, 1, 0);
	put_ptr(&m, 16);
	put16(&m, T_PTR); put16(&m, 1);
	put_name(&m, "a");
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_BAD);
}

/* A name whose pointer leads back into its own stretch, and two stretches
 * pointing at each other (kept inside a TXT record's data, which is not
 * read as names): both loops, both refused. */
static void test_pointer_loops(void **state)
{
	struct mb m;
	uint32_t ttl;
	size_t a;

	(void)state;
	put_question(&m, Q, 1);
	a = m.n;
	put8(&m, 1); put8(&m, 'a'); put_ptr(&m, (unsigned)a);
	put16(&m, T_PTR); put16(&m, 1); put32(&m, 5); put16(&m, 2);
	put_ptr(&m, 12);
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_BAD);

	put_question(&m, Q, 2);
	put_rr(&m, 12, T_TXT, 5, 8);
	a = m.n;
	put8(&m, 1); put8(&m, 'a'); put_ptr(&m, (unsigned)a + 4);
	put8(&m, 1); put8(&m, 'b'); put_ptr(&m, (unsigned)a);
	put_rr(&m, (unsigned)a + 4, T_PTR, 5, 2);
	put_ptr(&m, 12);
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_BAD);
}

/* A long chain of backward pointers, each to a one-label stretch kept in a
 * TXT record's data; the PTR's owner enters the chain at its end. hops
 * pointers are followed reading that owner. */
static void chain(struct mb *m, unsigned hops)
{
	size_t prev = 12;

	put_question(m, "x", 2);
	put_rr(m, 12, T_TXT, 5, 4 * (hops - 1));
	for (unsigned i = 1; i < hops; i++) {
		size_t here = m->n;

		put8(m, 1); put8(m, 'a'); put_ptr(m, (unsigned)prev);
		prev = here;
	}
	/* The owner, "a" * (hops - 1) + "x", is not the question: NONE. */
	put_rr(m, (unsigned)prev, T_PTR, 5, 2);
	put_ptr(m, 12);
}

static void test_hop_limit(void **state)
{
	struct mb m;
	uint32_t ttl;

	(void)state;
	chain(&m, 64);
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_NONE);
	chain(&m, 65);
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_BAD);
}

static void test_name_too_long(void **state)
{
	struct mb m;
	uint32_t ttl;
	char label[64];

	(void)state;
	memset(label, 'a', 63);
	label[63] = '\0';
	put_header(&m, 1, 0);
	for (int i = 0; i < 4; i++)      /* 4 * 64 + 1 = 257 > 255 */
		put_labels(&m, label);
	put8(&m, 0);
	put16(&m, T_PTR); put16(&m, 1);
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_BAD);

	put_header(&m, 1, 0);             /* 3 * 64 + 63 + 1 = 256: too long */
	for (int i = 0; i < 3; i++)
		put_labels(&m, label);
	label[62] = '\0';
	put_labels(&m, label);
	put8(&m, 0);
	put16(&m, T_PTR); put16(&m, 1);
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_BAD);
	label[62] = 'a';

	put_header(&m, 1, 0);             /* 3 * 64 + 62 + 1 = 255: fine */
	for (int i = 0; i < 3; i++)
		put_labels(&m, label);
	label[61] = '\0';
	put_labels(&m, label);
	put8(&m, 0);
	put16(&m, T_PTR); put16(&m, 1);
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_NONE);
}

static void test_label_types(void **state)
{
	struct mb m;
	uint32_t ttl;

	(void)state;
	put_header(&m, 1, 0);
	put8(&m, 0x41);
	put8(&m, 0);
	put16(&m, T_PTR); put16(&m, 1);
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_BAD);
	m.b[12] = 0x81;
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_BAD);
}

static void test_huge_rdlength(void **state)
{
	struct mb m;
	uint32_t ttl;

	(void)state;
	put_question(&m, Q, 1);
	put_rr(&m, 12, T_PTR, 60, 0xffff);
	put_name(&m, "x");
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_BAD);
}

/* The CNAME's target must end inside its own record data. */
static void test_cname_overruns_rdata(void **state)
{
	struct mb m;
	uint32_t ttl;

	(void)state;
	put_question(&m, Q, 2);
	put_rr(&m, 12, T_CNAME, 60, 2);
	put_name(&m, "long.example");
	put_ptr_rr(&m, 60, "x");
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_BAD);

	put_question(&m, Q, 2);            /* data after the target: bad too */
	put_rr(&m, 12, T_CNAME, 60, 4);
	put_name(&m, "c");
	put8(&m, 0);
	put_ptr_rr(&m, 60, "x");
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_BAD);
}

static void test_header_problems(void **state)
{
	struct mb m;
	uint32_t ttl;

	(void)state;
	assert_int_equal(dns_answer_ttl(NULL, 0, T_PTR, &ttl), DNS_TTL_BAD);
	put_question(&m, Q, 1);
	put_ptr_rr(&m, 60, "x");
	m.n = 11;
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_BAD);

	put_header(&m, 0, 0);              /* no question */
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_BAD);

	put_question(&m, Q, 0xffff);       /* counts that lie */
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_BAD);
	m.b[4] = 0xff;
	m.b[5] = 0xff;
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_BAD);
}

/* Every proper prefix of a good answer is truncated somewhere: none may
 * be read as an answer (ASan checks none reads past its end). */
static void test_every_truncation(void **state)
{
	struct mb m;
	uint32_t ttl;
	size_t full;

	(void)state;
	put_question(&m, Q, 2);
	put_rr(&m, 12, T_CNAME, 100, 4);
	put8(&m, 1); put8(&m, 'c'); put_ptr(&m, 12);
	put_rr(&m, (unsigned)m.n - 4, T_PTR, 300, 11);
	put_name(&m, "h.example");
	full = m.n;
	assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_OK);
	assert_int_equal(ttl, 100);
	for (m.n = 0; m.n < full; m.n++)
		assert_int_equal(ttl_of(&m, &ttl), DNS_TTL_BAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_smallest_of_several),
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_owner_must_match),
		cmocka_unit_test(test_other_types_and_classes),
		cmocka_unit_test(test_top_bit_ttl),
		cmocka_unit_test(test_pointer_to_itself),
		cmocka_unit_test(test_pointer_forward),
		cmocka_unit_test(test_pointer_loops),
		cmocka_unit_test(test_hop_limit),
		cmocka_unit_test(test_name_too_long),
		cmocka_unit_test(test_label_types),
		cmocka_unit_test(test_huge_rdlength),
		cmocka_unit_test(test_cname_overruns_rdata),
		cmocka_unit_test(test_header_problems),
		cmocka_unit_test(test_every_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
