/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of privsep/ipfix_wire.c: what the exporter takes from the
 * ui. Each rule of ix_msg_check is broken once, alone, on a message that
 * passes otherwise, and the reason must name that rule: a check that
 * went missing or a bound one off shows here. Messages are checked from
 * a heap block of exactly their length, so a read past the end is an
 * AddressSanitizer report in the unit-san build. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "privsep/ipfix_wire.h"
#include "tests/unit/ix_test.h"

static int check_n(const uint8_t *buf, size_t len, const char **why)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, buf, len);
	r = ix_msg_check(copy, len, why);
	free(copy);
	return r;
}

static void pass(const struct ix_tmsg *m)
{
	const char *why = NULL;

	if (check_n(m->buf, m->len, &why) < 0)
		fail_msg("refused: %s", why);
}

static void refused(const struct ix_tmsg *m, const char *want)
{
	const char *why = NULL;

	if (check_n(m->buf, m->len, &why) == 0)
		fail_msg("accepted, wanted: %s", want);
	assert_string_equal(why, want);
}

/* A message of one sample record of family f; its offset in *at. */
static void one(struct ix_tmsg *m, uint8_t f, size_t *at)
{
	struct ix_trec t;

	ix_tmsg_init(m);
	ix_trec_sample(&t, f, 0);
	*at = ix_tmsg_add(m, &t);
}

static struct ix_rec *rec_at(struct ix_tmsg *m, size_t at)
{
	return (struct ix_rec *)(void *)(m->buf + at);
}

static void test_accepted(void **state)
{
	struct ix_tmsg *m = malloc(sizeof(*m));
	struct ix_trec t;
	size_t at;

	(void)state;
	one(m, 4, &at);
	pass(m);
	one(m, 6, &at);
	pass(m);
	ix_tmsg_init(m);
	for (unsigned i = 0; i < 40; i++) {
		ix_trec_sample(&t, i % 3 ? 4 : 6, i);
		ix_tmsg_add(m, &t);
	}
	pass(m);
	/* end_ms == start_ms: a flow of one instant */
	one(m, 4, &at);
	rec_at(m, at)->end_ms = rec_at(m, at)->start_ms;
	pass(m);
	/* every end reason */
	for (uint8_t e = IX_END_IDLE; e <= IX_END_FORCED; e++) {
		one(m, 6, &at);
		rec_at(m, at)->end_reason = e;
		pass(m);
	}
	free(m);
}

/* Strings at their limits, of every padding, with bytes >= 0x80 and
 * every printable one. */
static void test_strings_accepted(void **state)
{
	struct ix_tmsg *m = malloc(sizeof(*m));
	char comm[IX_COMM_MAX + 1], user[IX_USER_MAX + 1];
	char unit[IX_UNIT_MAX + 1], ctr[IX_CONTAINER_MAX + 1];
	struct ix_trec t;

	(void)state;
	memset(comm, 'c', IX_COMM_MAX);
	memset(user, 'u', IX_USER_MAX);
	memset(unit, 0x80, IX_UNIT_MAX);
	for (size_t i = 0; i < IX_CONTAINER_MAX; i++)
		ctr[i] = (char)(0x20 + i % 95);
	comm[IX_COMM_MAX] = user[IX_USER_MAX] = '\0';
	unit[IX_UNIT_MAX] = ctr[IX_CONTAINER_MAX] = '\0';
	ix_tmsg_init(m);
	ix_trec_sample(&t, 4, 0);
	t.comm = comm;
	t.user = user;
	t.unit = unit;
	t.container = ctr;
	ix_tmsg_add(m, &t);
	for (size_t pad = 0; pad < 8; pad++) {
		t.comm = comm + IX_COMM_MAX - pad;
		t.user = t.unit = t.container = "";
		ix_tmsg_add(m, &t);
	}
	pass(m);
	free(m);
}

/* A message of exactly IX_MSG_MAX bytes passes; a byte more does not. */
static void test_size_limit(void **state)
{
	struct ix_tmsg *m = malloc(sizeof(*m));
	char pad[IX_UNIT_MAX + 1] = "";
	struct ix_trec t;
	size_t left;

	(void)state;
	ix_tmsg_init(m);
	ix_trec_sample(&t, 4, 0);
	t.comm = t.user = t.unit = t.container = "";
	while (IX_MSG_MAX - m->len >= sizeof(struct ix_rec) + 2 * 208)
		ix_tmsg_add(m, &t);
	/* the last two records fill the message to the byte */
	left = IX_MSG_MAX - m->len - 2 * sizeof(struct ix_rec);
	memset(pad, 'x', left / 2);
	t.unit = pad;
	ix_tmsg_add(m, &t);
	memset(pad, 'x', IX_MSG_MAX - m->len - sizeof(struct ix_rec));
	pad[IX_MSG_MAX - m->len - sizeof(struct ix_rec)] = '\0';
	ix_tmsg_add(m, &t);
	assert_int_equal(m->len, IX_MSG_MAX);
	pass(m);
	m->len++;
	refused(m, "longer than 64 KiB");
	free(m);
}

static void test_head(void **state)
{
	struct ix_tmsg m;
	struct ix_msg_head h;
	size_t at;

	(void)state;
	one(&m, 4, &at);
	for (size_t n = 0; n < sizeof(h); n++) {
		struct ix_tmsg s = m;

		s.len = n;
		refused(&s, "shorter than its head");
	}
	for (unsigned k = 0; k < 256; k++) {
		struct ix_tmsg s = m;

		if (k == IX_RECORDS)
			continue;
		s.buf[0] = (uint8_t)k;
		refused(&s, "not a records message");
	}
	for (int i = 1; i <= 3; i++) {
		struct ix_tmsg s = m;

		s.buf[i] = 1;
		refused(&s, "the head's padding is not zero");
	}
	memcpy(&h, m.buf, sizeof(h));
	h.count = 0;
	memcpy(m.buf, &h, sizeof(h));
	refused(&m, "no records");
}

/* count says more records than there are, or fewer. */
static void test_count(void **state)
{
	struct ix_tmsg m;
	struct ix_msg_head h;
	size_t at;

	(void)state;
	one(&m, 4, &at);
	memcpy(&h, m.buf, sizeof(h));
	h.count = 2;
	memcpy(m.buf, &h, sizeof(h));
	refused(&m, "a record is cut short");
	h.count = UINT32_MAX;
	memcpy(m.buf, &h, sizeof(h));
	refused(&m, "a record is cut short");
	one(&m, 4, &at);
	ix_tmsg_add(&m, &(struct ix_trec){ .r = *rec_at(&m, at), .comm = "",
					   .user = "", .unit = "",
					   .container = "" });
	h.count = 1;
	memcpy(m.buf, &h, sizeof(h));
	refused(&m, "bytes left over after the records");
	/* a record's head cut, and a byte past the last record */
	for (size_t cut = 1; cut < sizeof(struct ix_rec); cut += 7) {
		struct ix_tmsg s;

		one(&s, 6, &at);
		s.len = at + sizeof(struct ix_rec) - cut;
		refused(&s, "a record is cut short");
	}
	one(&m, 4, &at);
	m.len += 8;
	refused(&m, "bytes left over after the records");
}

static void test_family(void **state)
{
	struct ix_tmsg m;
	size_t at;

	(void)state;
	for (unsigned f = 0; f < 256; f++) {
		if (f == 4 || f == 6)
			continue;
		one(&m, 4, &at);
		rec_at(&m, at)->family = (uint8_t)f;
		refused(&m, "a record's family is not 4 or 6");
	}
}

/* An IPv4 record: any byte past the fourth of either address. An IPv6
 * record may have them all. */
static void test_ipv4_bytes(void **state)
{
	struct ix_tmsg m;
	size_t at;

	(void)state;
	for (int i = 4; i < 16; i++) {
		one(&m, 4, &at);
		rec_at(&m, at)->src[i] = 1;
		refused(&m, "an IPv4 record's addresses go past 4 bytes");
		one(&m, 4, &at);
		rec_at(&m, at)->dst[i] = 0x80;
		refused(&m, "an IPv4 record's addresses go past 4 bytes");
		one(&m, 6, &at);
		rec_at(&m, at)->src[i] = 0xff;
		rec_at(&m, at)->dst[i] = 0xff;
		pass(&m);
	}
}

static void test_end(void **state)
{
	static const uint8_t bad_reasons[] = { 0, 5, 6, 255 };
	struct ix_tmsg m;
	size_t at;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_reasons); i++) {
		one(&m, 4, &at);
		rec_at(&m, at)->end_reason = bad_reasons[i];
		refused(&m, "a record's end reason is not 1 to 4");
	}
	one(&m, 4, &at);
	rec_at(&m, at)->end_ms = rec_at(&m, at)->start_ms - 1;
	refused(&m, "a record ends before it starts");
}

/* Each string one byte over its limit (the bytes there, so only the
 * limit can refuse it). */
static void test_string_limits(void **state)
{
	char big[IX_UNIT_MAX + 2];
	struct ix_tmsg m;
	struct ix_trec t;
	const char **s[] = { &t.comm, &t.user, &t.unit, &t.container };
	const size_t max[] = { IX_COMM_MAX, IX_USER_MAX, IX_UNIT_MAX,
			       IX_CONTAINER_MAX };

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		ix_trec_sample(&t, 6, 1);
		memset(big, 'a', max[i] + 1);
		big[max[i] + 1] = '\0';
		*s[i] = big;
		ix_tmsg_init(&m);
		ix_tmsg_add(&m, &t);
		refused(&m, "a record's string is over its limit");
		big[max[i]] = '\0';
		ix_tmsg_init(&m);
		ix_tmsg_add(&m, &t);
		pass(&m);
	}
}

static void test_rec_pad(void **state)
{
	struct ix_tmsg m;
	size_t at;

	(void)state;
	for (int i = 0; i < 4; i++) {
		one(&m, 4, &at);
		rec_at(&m, at)->pad[i] = 1;
		refused(&m, "a record's padding is not zero");
	}
}

/* A control byte anywhere in any string; the bytes around the range
 * pass. */
static void test_control_bytes(void **state)
{
	static const uint8_t ctl[] = { 0x00, 0x01, 0x0a, 0x1b, 0x1f, 0x7f };
	struct ix_tmsg m;
	struct ix_trec t;
	size_t at, n;

	(void)state;
	ix_trec_sample(&t, 4, 0);
	t.comm = "comm";
	t.user = "user";
	t.unit = "unit.service";
	t.container = "box";
	n = strlen(t.comm) + strlen(t.user) + strlen(t.unit) +
	    strlen(t.container);
	for (size_t k = 0; k < sizeof(ctl); k++) {
		for (size_t i = 0; i < n; i++) {
			ix_tmsg_init(&m);
			at = ix_tmsg_add(&m, &t);
			m.buf[at + sizeof(struct ix_rec) + i] = ctl[k];
			refused(&m, "a record's string holds a control byte");
		}
	}
	ix_tmsg_init(&m);
	at = ix_tmsg_add(&m, &t);
	m.buf[at + sizeof(struct ix_rec)] = 0x20;
	m.buf[at + sizeof(struct ix_rec) + 1] = 0x7e;
	m.buf[at + sizeof(struct ix_rec) + 2] = 0x80;
	m.buf[at + sizeof(struct ix_rec) + 3] = 0xff;
	pass(&m);
}

/* The strings cut anywhere; the zeros after them not zero. */
static void test_string_tail(void **state)
{
	struct ix_tmsg m;
	struct ix_trec t;
	size_t at, end, n;

	(void)state;
	ix_trec_sample(&t, 6, 0);
	t.comm = "abc";                 /* 3 + 5 + 15 + 0 = 23: 1 zero */
	n = 3 + strlen(t.user) + strlen(t.unit) + strlen(t.container);
	assert_int_equal(n % 8, 7);
	ix_tmsg_init(&m);
	at = ix_tmsg_add(&m, &t);
	end = m.len;
	for (size_t cut = 1; cut <= n + 1; cut++) {
		struct ix_tmsg s = m;

		s.len = end - cut;
		refused(&s, "a record's strings are cut short");
	}
	m.buf[end - 1] = 1;
	refused(&m, "the padding after a record's strings is not zero");
	(void)at;
}

/* Every record is checked, not only the first. */
static void test_later_record(void **state)
{
	struct ix_tmsg m;
	struct ix_trec t;
	size_t at;

	(void)state;
	ix_tmsg_init(&m);
	for (unsigned i = 0; i < 5; i++) {
		ix_trec_sample(&t, 4, i);
		at = ix_tmsg_add(&m, &t);
	}
	pass(&m);
	rec_at(&m, at)->end_reason = 0;
	refused(&m, "a record's end reason is not 1 to 4");
}

/* ix_msg_rec walks the records a check accepted, strings and all. */
static void test_walk(void **state)
{
	struct ix_tmsg m;
	struct ix_trec t[7];
	const char *why, *s;
	struct ix_rec r;
	size_t off = sizeof(struct ix_msg_head);

	(void)state;
	ix_tmsg_init(&m);
	for (unsigned i = 0; i < 7; i++) {
		ix_trec_sample(&t[i], i % 2 ? 6 : 4, i);
		ix_tmsg_add(&m, &t[i]);
	}
	assert_int_equal(ix_msg_check(m.buf, m.len, &why), 0);
	for (unsigned i = 0; i < 7; i++) {
		size_t cl = strlen(t[i].comm), ul = strlen(t[i].user);
		size_t nl = strlen(t[i].unit), kl = strlen(t[i].container);

		off = ix_msg_rec(m.buf, off, &r, &s);
		assert_int_equal(r.pid, t[i].r.pid);
		assert_int_equal(r.family, t[i].r.family);
		assert_int_equal(r.comm_len, cl);
		assert_memory_equal(s, t[i].comm, cl);
		assert_memory_equal(s + cl, t[i].user, ul);
		assert_memory_equal(s + cl + ul, t[i].unit, nl);
		assert_memory_equal(s + cl + ul + nl, t[i].container, kl);
	}
	assert_int_equal(off, m.len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_strings_accepted),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_head),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_family),
		cmocka_unit_test(test_ipv4_bytes),
		cmocka_unit_test(test_end),
		cmocka_unit_test(test_string_limits),
		cmocka_unit_test(test_rec_pad),
		cmocka_unit_test(test_control_bytes),
		cmocka_unit_test(test_string_tail),
		cmocka_unit_test(test_later_record),
		cmocka_unit_test(test_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
