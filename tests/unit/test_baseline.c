/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of ui/baseline.c: the memory of --alert and --learn. What
 * baseline_format writes, baseline_load reads back the same, whatever
 * bytes a program's name holds; what a damaged or hostile file holds is
 * refused with its line and why. Every file is loaded from a heap block
 * of exactly its length, without a NUL, so that a read past the end is
 * an AddressSanitizer report in the unit-san build. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ui/baseline.h"

#define HEAD "# flowtop baseline 1\n"
#define T0 1764745200ull        /* 2025-12-03 07:00 UTC */

static int load_n(struct baseline *b, const char *s, size_t len,
		  uint64_t now, char *err, size_t errlen)
{
	char *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, s, len);
	r = baseline_load(b, copy, len, now, err, errlen);
	free(copy);
	return r;
}

static void load_ok(struct baseline *b, const char *s, uint64_t now)
{
	char err[256];

	if (load_n(b, s, strlen(s), now, err, sizeof(err)) < 0)
		fail_msg("refused (%s): %s", err, s);
}

/* The baseline as text, NUL-terminated for comparisons. */
static char *fmt(struct baseline *b, uint64_t now)
{
	char *out, *s;
	size_t len;

	assert_int_equal(baseline_format(b, now, &out, &len), 0);
	assert_non_null(out);
	s = malloc(len + 1);
	assert_non_null(s);
	memcpy(s, out, len);
	s[len] = 0;
	assert_int_equal(strlen(s), len);
	free(out);
	return s;
}

static void fmt_is(struct baseline *b, uint64_t now, const char *want)
{
	char *s = fmt(b, now);

	if (strcmp(s, want))
		fail_msg("formatted:\n%s\nwanted:\n%s", s, want);
	free(s);
}

/* No byte a terminal would act on: the reason is printed as it is. */
static void err_printable(const char *err)
{
	for (const unsigned char *c = (const unsigned char *)err; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			fail_msg("control byte 0x%02x in \"%s\"", *c, err);
}

/* s[0..len) refused with a reason starting want; what b held is gone. */
static void refused_n(const char *s, size_t len, const char *want)
{
	struct baseline *b = baseline_new(100, 0);
	char err[256];

	assert_non_null(b);
	assert_int_equal(baseline_see(b, "exe:/bin/x", BL_DST, "10.1.1.1", 5),
			 1);
	memset(err, 'X', sizeof(err));
	if (load_n(b, s, len, T0, err, sizeof(err)) == 0)
		fail_msg("accepted: %.*s", (int)len, s);
	if (strncmp(err, want, strlen(want)))
		fail_msg("\"%s\" instead of \"%s...\"", err, want);
	err_printable(err);
	assert_null(strchr(err, '\n'));
	assert_int_equal(baseline_count(b), 0);
	assert_int_equal(baseline_has(b, "exe:/bin/x", BL_DST, "10.1.1.1"), 0);
	assert_int_equal(baseline_dirty(b), 0);
	assert_int_equal(baseline_evicted(b), 0);
	baseline_free(b);
}

static void refused(const char *s, const char *want)
{
	refused_n(s, strlen(s), want);
}

/* HEAD then body, refused with a reason starting want. */
static void refused_entry(const char *body, const char *want)
{
	char *s = malloc(strlen(HEAD) + strlen(body) + 1);

	assert_non_null(s);
	strcpy(s, HEAD);
	strcat(s, body);
	refused(s, want);
	free(s);
}

static void accepted_entry(const char *body)
{
	struct baseline *b = baseline_new(100, 0);
	char *s = malloc(strlen(HEAD) + strlen(body) + 1);

	assert_non_null(b);
	assert_non_null(s);
	strcpy(s, HEAD);
	strcat(s, body);
	load_ok(b, s, T0);
	assert_int_equal(baseline_count(b), 1);
	free(s);
	baseline_free(b);
}

/* A string of n bytes c (then a NUL), to free. */
static char *run_of(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = 0;
	return s;
}

/* "dst 1 PROGRAM 10.0.0.1\n" with a program of n bytes c, to free. */
static char *long_entry(char c, size_t n)
{
	static const char tail[] = " 10.0.0.1\n";
	char *s = malloc(6 + n + sizeof(tail));

	assert_non_null(s);
	memcpy(s, "dst 1 ", 6);
	memset(s + 6, c, n);
	memcpy(s + 6 + n, tail, sizeof(tail));
	return s;
}

static void test_empty(void **state)
{
	struct baseline *b = baseline_new(10, 0);
	char err[64];

	(void)state;
	assert_null(baseline_new(0, 0));
	assert_non_null(b);
	assert_int_equal(baseline_load(b, NULL, 0, T0, err, sizeof(err)), 0);
	assert_int_equal(load_n(b, "", 0, T0, err, sizeof(err)), 0);
	assert_int_equal(baseline_count(b), 0);
	load_ok(b, "# flowtop baseline 1", T0);
	load_ok(b, HEAD, T0);
	load_ok(b, HEAD "\n# a comment\n\n#\n", T0);
	assert_int_equal(baseline_count(b), 0);
	fmt_is(b, T0, HEAD);
	assert_int_equal(baseline_dirty(b), 0);
	assert_string_equal(baseline_kind_name(BL_DST), "dst");
	assert_string_equal(baseline_kind_name(BL_COUNTRY), "country");
	assert_string_equal(baseline_kind_name(BL_ASN), "asn");
	assert_string_equal(baseline_kind_name(BL_KINDS), "?");
	assert_int_equal(BL_NEW_DST | BL_NEW_COUNTRY | BL_NEW_ASN, 7);
	baseline_free(b);
	baseline_free(NULL);
}

static void test_see_has(void **state)
{
	struct baseline *b = baseline_new(100, 0);
	char *p_max = run_of('p', BL_PROGRAM_MAX);
	char *p_over = run_of('p', BL_PROGRAM_MAX + 1);
	const char *curl = "exe:/usr/bin/curl";

	(void)state;
	assert_int_equal(baseline_has(b, curl, BL_DST, "81.2.69.142"), 0);
	assert_int_equal(baseline_see(b, curl, BL_DST, "81.2.69.142", T0), 1);
	assert_int_equal(baseline_see(b, curl, BL_DST, "81.2.69.142", T0), 0);
	assert_int_equal(baseline_has(b, curl, BL_DST, "81.2.69.142"), 1);
	assert_int_equal(baseline_has(b, curl, BL_DST, "81.2.69.143"), 0);
	assert_int_equal(baseline_has(b, "exe:/usr/bin/wget", BL_DST,
				      "81.2.69.142"), 0);
	assert_int_equal(baseline_see(b, curl, BL_COUNTRY, "GB", T0), 1);
	assert_int_equal(baseline_see(b, curl, BL_COUNTRY, "GB", T0), 0);
	assert_int_equal(baseline_see(b, curl, BL_ASN, "1221", T0), 1);
	assert_int_equal(baseline_see(b, curl, BL_ASN, "1221", T0), 0);
	/* Kinds are apart: a value of one is not known as another. */
	assert_int_equal(baseline_has(b, curl, BL_COUNTRY, "1221"), 0);
	assert_int_equal(baseline_see(b, "unit:nginx.service", BL_COUNTRY,
				      "GB", T0), 1);
	assert_int_equal(baseline_see(b, curl, BL_ASN, "4294967295", T0), 1);
	assert_int_equal(baseline_see(b, p_max, BL_ASN, "1", T0), 1);
	assert_int_equal(baseline_has(b, p_max, BL_ASN, "1"), 1);
	assert_int_equal(baseline_count(b), 6);

	/* Bad arguments change nothing. */
	assert_int_equal(baseline_see(b, "", BL_DST, "1.2.3.4", T0), -1);
	assert_int_equal(baseline_see(b, NULL, BL_DST, "1.2.3.4", T0), -1);
	assert_int_equal(baseline_see(b, curl, BL_DST, NULL, T0), -1);
	assert_int_equal(baseline_see(b, p_over, BL_DST, "1.2.3.4", T0), -1);
	assert_int_equal(baseline_see(b, curl, BL_KINDS, "1.2.3.4", T0), -1);
	assert_int_equal(baseline_see(b, curl, (enum bl_kind)-1, "GB", T0), -1);
	assert_int_equal(baseline_see(b, curl, BL_DST, "1.2.3", T0), -1);
	assert_int_equal(baseline_see(b, curl, BL_DST, "example.com", T0), -1);
	assert_int_equal(baseline_see(b, curl, BL_DST, "", T0), -1);
	assert_int_equal(baseline_see(b, curl, BL_DST, "fe80::1%eth0", T0),
			 -1);
	assert_int_equal(baseline_see(b, curl, BL_COUNTRY, "gb", T0), -1);
	assert_int_equal(baseline_see(b, curl, BL_COUNTRY, "G", T0), -1);
	assert_int_equal(baseline_see(b, curl, BL_COUNTRY, "GBR", T0), -1);
	assert_int_equal(baseline_see(b, curl, BL_COUNTRY, "G1", T0), -1);
	assert_int_equal(baseline_see(b, curl, BL_ASN, "0", T0), -1);
	assert_int_equal(baseline_see(b, curl, BL_ASN, "01", T0), -1);
	assert_int_equal(baseline_see(b, curl, BL_ASN, "4294967296", T0), -1);
	assert_int_equal(baseline_see(b, curl, BL_ASN, "-5", T0), -1);
	assert_int_equal(baseline_see(b, curl, BL_ASN, "", T0), -1);
	assert_int_equal(baseline_has(b, p_over, BL_ASN, "1"), 0);
	assert_int_equal(baseline_has(b, curl, BL_COUNTRY, "gb"), 0);
	assert_int_equal(baseline_count(b), 6);
	free(p_max);
	free(p_over);
	baseline_free(b);
}

static void test_last_seen(void **state)
{
	struct baseline *b = baseline_new(100, 0);
	struct baseline *c = baseline_new(100, 0);
	char *s;

	(void)state;
	assert_int_equal(baseline_see(b, "p", BL_DST, "10.0.0.1", 100), 1);
	assert_int_equal(baseline_see(b, "p", BL_DST, "10.0.0.1", 50), 0);
	fmt_is(b, 100, HEAD "dst 100 p 10.0.0.1\n");
	assert_int_equal(baseline_see(b, "p", BL_DST, "10.0.0.1", 200), 0);
	fmt_is(b, 200, HEAD "dst 200 p 10.0.0.1\n");
	/* A clock gone mad is held at 2^40, which the file may hold. */
	assert_int_equal(baseline_see(b, "p", BL_ASN, "7", UINT64_MAX), 1);
	s = fmt(b, 200);
	assert_string_equal(s, HEAD "dst 200 p 10.0.0.1\n"
			    "asn 1099511627776 p 7\n");
	load_ok(c, s, 200);
	assert_int_equal(baseline_count(c), 2);
	free(s);
	baseline_free(b);
	baseline_free(c);
}

static void test_dirty(void **state)
{
	struct baseline *b = baseline_new(100, 0);
	char *s;

	(void)state;
	assert_int_equal(baseline_dirty(b), 0);
	assert_int_equal(baseline_see(b, "p", BL_COUNTRY, "FR", 10), 1);
	assert_int_equal(baseline_dirty(b), 1);
	s = fmt(b, 10);
	assert_int_equal(baseline_dirty(b), 0);
	assert_int_equal(baseline_see(b, "p", BL_COUNTRY, "FR", 10), 0);
	assert_int_equal(baseline_dirty(b), 0);
	assert_int_equal(baseline_see(b, "p", BL_COUNTRY, "FR", 9), 0);
	assert_int_equal(baseline_dirty(b), 0);
	assert_int_equal(baseline_see(b, "p", BL_COUNTRY, "fr", 99), -1);
	assert_int_equal(baseline_dirty(b), 0);
	/* Seen again within the hour: not worth a save on its own. */
	assert_int_equal(baseline_see(b, "p", BL_COUNTRY, "FR", 3599), 0);
	assert_int_equal(baseline_dirty(b), 0);
	assert_int_equal(baseline_see(b, "p", BL_COUNTRY, "FR", 3600), 0);
	assert_int_equal(baseline_dirty(b), 1);
	free(fmt(b, 3600));
	assert_int_equal(baseline_dirty(b), 0);
	assert_int_equal(baseline_see(b, "p", BL_COUNTRY, "DE", 3600), 1);
	assert_int_equal(baseline_dirty(b), 1);
	/* A load replaces what was there and matches the file. */
	load_ok(b, s, 10);
	assert_int_equal(baseline_dirty(b), 0);
	assert_int_equal(baseline_count(b), 1);
	assert_int_equal(baseline_has(b, "p", BL_COUNTRY, "DE"), 0);
	free(s);
	baseline_free(b);
}

static const char *const hostile[] = {
	"exe:/tmp/a b",
	"exe:/tmp/100%",
	"exe:/tmp/%41",
	"unit:new\nline.service",
	"exe:/tmp/\x01\xff",
	"exe:/home/zo\xc3\xab/\xc3\xbcn\xc3\xafq",
	"#exe:/not/a/comment",
	"exe:/tmp/\r\t\x7f\x80",
};

static void test_round_trip_hostile(void **state)
{
	struct baseline *b = baseline_new(1000, 0);
	struct baseline *c = baseline_new(1000, 0);
	char *big = run_of('\xff', BL_PROGRAM_MAX), *s, *t;
	size_t i, lines = 0;

	(void)state;
	for (i = 0; i < sizeof(hostile) / sizeof(*hostile); i++) {
		assert_int_equal(baseline_see(b, hostile[i], BL_DST, "10.0.0.1",
					      T0 + i), 1);
		assert_int_equal(baseline_see(b, hostile[i], BL_COUNTRY, "NZ",
					      T0), 1);
		assert_int_equal(baseline_see(b, hostile[i], BL_ASN, "65000",
					      T0), 1);
	}
	assert_int_equal(baseline_see(b, big, BL_DST, "::1", T0), 1);
	s = fmt(b, T0);
	assert_non_null(strstr(s, "\ndst 1764745200 exe:/tmp/a%20b 10.0.0.1\n"
				  "country 1764745200 exe:/tmp/a%20b NZ\n"
				  "asn 1764745200 exe:/tmp/a%20b 65000\n"));
	assert_non_null(strstr(s, " 1764745201 exe:/tmp/100%25 10.0.0.1\n"));
	assert_non_null(strstr(s, " 1764745202 exe:/tmp/%2541 10.0.0.1\n"));
	assert_non_null(strstr(s, " unit:new%0Aline.service "));
	assert_non_null(strstr(s, " exe:/tmp/%01%FF "));
	assert_non_null(strstr(s, " exe:/home/zo%C3%AB/%C3%BCn%C3%AFq "));
	assert_non_null(strstr(s, "\nasn 1764745200 #exe:/not/a/comment "
				  "65000\n"));
	assert_non_null(strstr(s, " exe:/tmp/%0D%09%7F%80 "));
	for (const char *c0 = s; *c0; c0++)
		lines += *c0 == '\n';
	assert_int_equal(lines, 1 + baseline_count(b));

	load_ok(c, s, T0);
	assert_int_equal(baseline_count(c), baseline_count(b));
	for (i = 0; i < sizeof(hostile) / sizeof(*hostile); i++) {
		const char *p = hostile[i];

		assert_int_equal(baseline_has(c, p, BL_DST, "10.0.0.1"), 1);
		assert_int_equal(baseline_has(c, p, BL_COUNTRY, "NZ"), 1);
		assert_int_equal(baseline_has(c, p, BL_ASN, "65000"), 1);
	}
	assert_int_equal(baseline_has(c, big, BL_DST, "::1"), 1);
	assert_int_equal(baseline_has(c, "exe:/tmp/A", BL_DST, "10.0.0.1"), 0);
	t = fmt(c, T0);
	assert_string_equal(t, s);
	free(s);
	free(t);
	free(big);
	baseline_free(b);
	baseline_free(c);
}

static void test_canonical_ipv6(void **state)
{
	struct baseline *b = baseline_new(100, 0);

	(void)state;
	assert_int_equal(baseline_see(b, "p", BL_DST,
				      "2001:0db8:0000:0000:0000:0000:0000:0001",
				      10), 1);
	assert_int_equal(baseline_see(b, "p", BL_DST, "2001:db8::1", 11), 0);
	assert_int_equal(baseline_has(b, "p", BL_DST, "2001:DB8::0:1"), 1);
	assert_int_equal(baseline_see(b, "p", BL_DST, "::ffff:1.2.3.4", 10), 1);
	assert_int_equal(baseline_see(b, "p", BL_DST, "1.2.3.4", 10), 1);
	fmt_is(b, 11, HEAD "dst 10 p 1.2.3.4\n"
	       "dst 11 p 2001:db8::1\n"
	       "dst 10 p ::ffff:1.2.3.4\n");
	/* The file's other spellings are the same entry. */
	load_ok(b, HEAD "dst 5 p 2001:0DB8::0001\n"
		"dst 6 p 2001:db8:0:0::1\n"
		"dst 4 p 2001:db8::1\n", 10);
	assert_int_equal(baseline_count(b), 1);
	assert_int_equal(baseline_see(b, "p", BL_DST, "2001:db8::1", 6), 0);
	assert_int_equal(baseline_dirty(b), 0);
	fmt_is(b, 10, HEAD "dst 6 p 2001:db8::1\n");
	baseline_free(b);
}

static void test_repeated(void **state)
{
	struct baseline *b = baseline_new(100, 0);

	(void)state;
	load_ok(b, HEAD "asn 100 p 13335\n"
		"asn 300 p 13335\n"
		"country 7 p GB\n"
		"asn 200 p 13335", 1000);
	assert_int_equal(baseline_count(b), 2);
	assert_int_equal(baseline_dirty(b), 0);
	fmt_is(b, 1000, HEAD "country 7 p GB\nasn 300 p 13335\n");
	baseline_free(b);
}

static void test_sorted(void **state)
{
	struct baseline *b = baseline_new(100, 0);
	static const struct {
		const char *prog;
		enum bl_kind kind;
		const char *value;
	} in[] = {
		{ "\xff", BL_DST, "1.1.1.1" },
		{ "z", BL_DST, "1.1.1.1" },
		{ "a", BL_ASN, "13335" },
		{ "b", BL_DST, "1.1.1.1" },
		{ "a", BL_COUNTRY, "GB" },
		{ "a", BL_DST, "9.9.9.9" },
		{ "a b", BL_DST, "1.1.1.1" },
		{ "a", BL_ASN, "1221" },
		{ "a", BL_COUNTRY, "FR" },
		{ "a", BL_DST, "10.0.0.1" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(*in); i++)
		assert_int_equal(baseline_see(b, in[i].prog, in[i].kind,
					      in[i].value, 1), 1);
	fmt_is(b, 1, HEAD
	       "dst 1 a 10.0.0.1\n"
	       "dst 1 a 9.9.9.9\n"
	       "country 1 a FR\n"
	       "country 1 a GB\n"
	       "asn 1 a 1221\n"
	       "asn 1 a 13335\n"
	       "dst 1 a%20b 1.1.1.1\n"
	       "dst 1 b 1.1.1.1\n"
	       "dst 1 z 1.1.1.1\n"
	       "dst 1 %FF 1.1.1.1\n");
	baseline_free(b);
}

static void test_expire_load(void **state)
{
	static const char file[] = HEAD
		"dst 8999 old 10.0.0.1\n"
		"dst 9000 edge 10.0.0.2\n"
		"dst 20000 future 10.0.0.3\n"
		"asn 8000 edge 1\n";
	struct baseline *b = baseline_new(100, 1000);
	struct baseline *never = baseline_new(100, 0);

	(void)state;
	load_ok(b, file, 10000);
	assert_int_equal(baseline_count(b), 2);
	assert_int_equal(baseline_has(b, "old", BL_DST, "10.0.0.1"), 0);
	assert_int_equal(baseline_has(b, "edge", BL_DST, "10.0.0.2"), 1);
	assert_int_equal(baseline_has(b, "edge", BL_ASN, "1"), 0);
	assert_int_equal(baseline_has(b, "future", BL_DST, "10.0.0.3"), 1);
	assert_int_equal(baseline_evicted(b), 0);
	fmt_is(b, 10000, HEAD "dst 9000 edge 10.0.0.2\n"
	       "dst 20000 future 10.0.0.3\n");
	/* Before expire_s seconds of the epoch have passed, nothing can be
	 * that old. */
	load_ok(b, file, 500);
	assert_int_equal(baseline_count(b), 4);
	load_ok(never, file, UINT64_MAX);
	assert_int_equal(baseline_count(never), 4);
	baseline_free(b);
	baseline_free(never);
}

static void test_expire_format(void **state)
{
	struct baseline *b = baseline_new(100, 1000);

	(void)state;
	assert_int_equal(baseline_see(b, "a", BL_DST, "10.0.0.1", 100), 1);
	assert_int_equal(baseline_see(b, "b", BL_DST, "10.0.0.1", 1500), 1);
	fmt_is(b, 1100, HEAD "dst 100 a 10.0.0.1\ndst 1500 b 10.0.0.1\n");
	assert_int_equal(baseline_count(b), 2);
	fmt_is(b, 1101, HEAD "dst 1500 b 10.0.0.1\n");
	assert_int_equal(baseline_count(b), 1);
	assert_int_equal(baseline_has(b, "a", BL_DST, "10.0.0.1"), 0);
	assert_int_equal(baseline_has(b, "b", BL_DST, "10.0.0.1"), 1);
	assert_int_equal(baseline_evicted(b), 0);
	/* Gone means new again. */
	assert_int_equal(baseline_see(b, "a", BL_DST, "10.0.0.1", 1101), 1);
	fmt_is(b, 2500, HEAD "dst 1500 b 10.0.0.1\n");
	fmt_is(b, 2502, HEAD);
	assert_int_equal(baseline_count(b), 0);
	baseline_free(b);
}

static void dst_of(char *out, size_t outsz, unsigned i)
{
	snprintf(out, outsz, "10.%u.%u.%u", i >> 16 & 255, i >> 8 & 255,
		 i & 255);
}

/* 74 new destinations into room for 64: each time it is full, the
 * oldest eighth (8) goes at once. 64 + 1 - 8 = 57, 64 again at the
 * 72nd, 57 at the 73rd, 58 at the 74th. */
static void test_limit_see(void **state)
{
	struct baseline *b = baseline_new(64, 0);
	char v[32];
	unsigned i;

	(void)state;
	for (i = 1; i <= 74; i++) {
		dst_of(v, sizeof(v), i);
		assert_int_equal(baseline_see(b, i & 1 ? "odd" : "even", BL_DST,
					      v, i), 1);
		assert_true(baseline_count(b) <= 64);
	}
	assert_int_equal(baseline_count(b), 58);
	assert_int_equal(baseline_evicted(b), 16);
	for (i = 1; i <= 74; i++) {
		dst_of(v, sizeof(v), i);
		assert_int_equal(baseline_has(b, i & 1 ? "odd" : "even", BL_DST,
					      v), i > 16);
	}
	/* Seen again, an old entry is the newest. */
	assert_int_equal(baseline_see(b, "odd", BL_DST, "10.0.0.17", 100), 0);
	for (i = 75; i <= 81; i++) {
		dst_of(v, sizeof(v), i);
		assert_int_equal(baseline_see(b, "x", BL_DST, v, i), 1);
	}
	assert_int_equal(baseline_count(b), 57);
	assert_int_equal(baseline_has(b, "odd", BL_DST, "10.0.0.17"), 1);
	assert_int_equal(baseline_has(b, "even", BL_DST, "10.0.0.18"), 0);
	baseline_free(b);
}

static void test_limit_stream(void **state)
{
	struct baseline *b = baseline_new(1000, 0);
	struct baseline *one = baseline_new(1, 0);
	char v[32], *s;
	unsigned i;

	(void)state;
	assert_int_equal(baseline_see(b, "first", BL_ASN, "1", 0), 1);
	for (i = 1; i <= 100000; i++) {
		dst_of(v, sizeof(v), i);
		assert_int_equal(baseline_see(b, i % 3 ? "p" : "q", BL_DST, v,
					      i), 1);
	}
	assert_true(baseline_count(b) <= 1000);
	assert_true(baseline_count(b) >= 875);
	assert_int_equal(baseline_evicted(b), 100001 - baseline_count(b));
	assert_int_equal(baseline_has(b, "first", BL_ASN, "1"), 0);
	for (i = 100000 - 874; i <= 100000; i++) {
		dst_of(v, sizeof(v), i);
		assert_int_equal(baseline_has(b, i % 3 ? "p" : "q", BL_DST, v),
				 1);
	}
	s = fmt(b, 100000);
	assert_null(strstr(s, " first "));
	free(s);

	assert_int_equal(baseline_see(one, "a", BL_ASN, "1", 1), 1);
	assert_int_equal(baseline_see(one, "b", BL_ASN, "2", 2), 1);
	assert_int_equal(baseline_count(one), 1);
	assert_int_equal(baseline_evicted(one), 1);
	assert_int_equal(baseline_has(one, "a", BL_ASN, "1"), 0);
	fmt_is(one, 2, HEAD "asn 2 b 2\n");
	baseline_free(b);
	baseline_free(one);
}

/* A file of 100 entries, in no order of time, into room for 10: the 10
 * most recently seen stay, whatever their place in the file. */
static void test_limit_load(void **state)
{
	struct baseline *b = baseline_new(10, 0);
	size_t cap = 100 * 64 + 64, len;
	char *s = malloc(cap), v[32];
	unsigned i;

	(void)state;
	assert_non_null(s);
	len = (size_t)snprintf(s, cap, HEAD);
	for (i = 0; i < 100; i++) {
		unsigned t = (i * 37) % 100 + 1;

		dst_of(v, sizeof(v), t);
		len += (size_t)snprintf(s + len, cap - len, "dst %u p%u %s\n",
					t, t % 4, v);
	}
	assert_true(baseline_see(b, "gone", BL_DST, "1.1.1.1", 1000) == 1);
	load_ok(b, s, 100);
	assert_int_equal(baseline_count(b), 10);
	assert_int_equal(baseline_evicted(b), 90);
	assert_int_equal(baseline_dirty(b), 0);
	assert_int_equal(baseline_has(b, "gone", BL_DST, "1.1.1.1"), 0);
	for (i = 1; i <= 100; i++) {
		char p[8];

		dst_of(v, sizeof(v), i);
		snprintf(p, sizeof(p), "p%u", i % 4);
		assert_int_equal(baseline_has(b, p, BL_DST, v), i > 90);
	}
	/* Full: the next new one makes room (an eighth of 10, at least 1). */
	assert_int_equal(baseline_see(b, "p9", BL_DST, "10.9.9.9", 101), 1);
	assert_int_equal(baseline_count(b), 10);
	assert_int_equal(baseline_evicted(b), 91);
	assert_int_equal(baseline_has(b, "p3", BL_DST, "10.0.0.91"), 0);
	free(s);
	baseline_free(b);
}

static void test_refused_lines(void **state)
{
	(void)state;
	refused("# flowtop baseline 2\n", "line 1: not a flowtop baseline");
	refused("# flowtop baseline 1 \n", "line 1: not a flowtop baseline");
	refused("# flowtop baseline", "line 1: not a flowtop baseline");
	refused("\n" HEAD, "line 1: not a flowtop baseline");
	refused("dst 1 p 10.0.0.1\n", "line 1: not a flowtop baseline");
	refused("# flowtop baseline 1\r\n", "line 1: carriage return");
	refused_entry("dst 1 p 10.0.0.1\r\n", "line 2: carriage return");
	refused_entry("\n#\r\n", "line 3: carriage return");
	refused_entry("dst 1 p 10.0.0.1\n\r", "line 3: carriage return");
	refused_n("# flowtop\0baseline 1\n", 21, "line 1: NUL byte");
	refused_n(HEAD "dst 1 p\0q 10.0.0.1\n", strlen(HEAD) + 19,
		  "line 2: NUL byte");
	refused_n(HEAD "dst 1 p 10.0.0.1\n# \0\n", strlen(HEAD) + 21,
		  "line 3: NUL byte");
	refused_n(HEAD "\0", strlen(HEAD) + 1, "line 2: NUL byte");
	/* Lines are counted with the blank ones and the comments. */
	refused_entry("\n# c\n\ndst 1 p\n", "line 5: expected 4 fields");
}

static void test_refused_fields(void **state)
{
	(void)state;
	refused_entry("dst 1 p\n", "line 2: expected 4 fields, found 3");
	refused_entry("dst 1 p 10.0.0.1 x\n",
		      "line 2: expected 4 fields, found 5");
	refused_entry("dst\n", "line 2: expected 4 fields, found 1");
	refused_entry("dst 1  p 10.0.0.1\n", "line 2: empty field");
	refused_entry(" dst 1 p 10.0.0.1\n", "line 2: empty field");
	refused_entry("dst 1 p 10.0.0.1 \n", "line 2: empty field");
	refused_entry(" \n", "line 2: empty field");
	refused_entry("dst\t1 p 10.0.0.1\n", "line 2: expected 4 fields");
	refused_entry("foo 1 p 10.0.0.1\n", "line 2: unknown kind \"foo\"");
	refused_entry("DST 1 p 10.0.0.1\n", "line 2: unknown kind \"DST\"");
	/* What the file holds is escaped before it is shown. */
	refused_entry("dst 1 p 10.0.0.1\n\x1b[2J 1 p 10.0.0.1\n",
		      "line 3: unknown kind \"\\x1b[2J\"");
}

static void test_refused_time(void **state)
{
	(void)state;
	refused_entry("dst 12a p 10.0.0.1\n", "line 2: bad time \"12a\"");
	refused_entry("dst -1 p 10.0.0.1\n", "line 2: bad time \"-1\"");
	refused_entry("dst +1 p 10.0.0.1\n", "line 2: bad time \"+1\"");
	refused_entry("dst 0x10 p 10.0.0.1\n", "line 2: bad time \"0x10\"");
	refused_entry("dst 1.5 p 10.0.0.1\n", "line 2: bad time \"1.5\"");
	refused_entry("dst 0100 p 10.0.0.1\n",
		      "line 2: time \"0100\" has a leading zero");
	refused_entry("dst 00 p 10.0.0.1\n",
		      "line 2: time \"00\" has a leading zero");
	refused_entry("dst 1099511627777 p 10.0.0.1\n",
		      "line 2: time \"1099511627777\" is past 2^40");
	refused_entry("dst 184467440737095516160 p 10.0.0.1\n",
		      "line 2: time \"184467440737095516160\" is past 2^40");
	accepted_entry("dst 0 p 10.0.0.1\n");
	accepted_entry("dst 1099511627776 p 10.0.0.1");
}

static void test_refused_escapes(void **state)
{
	char *s;

	(void)state;
	refused_entry("dst 1 p%4 10.0.0.1\n",
		      "line 2: bad escape in the program");
	refused_entry("dst 1 p%zz 10.0.0.1\n",
		      "line 2: bad escape in the program");
	refused_entry("dst 1 p% 10.0.0.1\n",
		      "line 2: bad escape in the program");
	refused_entry("dst 1 p%g0 10.0.0.1\n",
		      "line 2: bad escape in the program");
	refused_entry("dst 1 p 10.0.0.1%\n", "line 2: bad escape in the value");
	refused_entry("dst 1 p 10.0.0.1%2\n",
		      "line 2: bad escape in the value");
	refused_entry("dst 1 p%00q 10.0.0.1\n",
		      "line 2: escaped NUL (%00) in the program");
	refused_entry("country 1 p G%00\n",
		      "line 2: escaped NUL (%00) in the value");
	refused_entry("dst 1 p\x01q 10.0.0.1\n",
		      "line 2: byte 0x01 in the program must be written %01");
	refused_entry("dst 1 p\x7f 10.0.0.1\n",
		      "line 2: byte 0x7f in the program must be written %7F");
	refused_entry("dst 1 zo\xc3\xab 10.0.0.1\n",
		      "line 2: byte 0xc3 in the program must be written %C3");
	refused_entry("dst 1 a\tb 10.0.0.1\n",
		      "line 2: byte 0x09 in the program must be written %09");
	refused_entry("country 1 p G\xff\n",
		      "line 2: byte 0xff in the value must be written %FF");
	/* Upper and lower hex, and escapes of bytes that need none. */
	accepted_entry("dst 1 %2fusr%2Fbin%2fcurl 10.0.0.1\n");
	accepted_entry("country 1 %70 %47%42\n");

	s = long_entry('p', BL_PROGRAM_MAX + 1);
	refused_entry(s, "line 2: program longer than 1024 bytes");
	free(s);
	s = long_entry('p', BL_PROGRAM_MAX);
	accepted_entry(s);
	free(s);
}

/* BL_PROGRAM_MAX escaped bytes make a 3k line: still a program, still a
 * line. */
static void test_escaped_program_max(void **state)
{
	char *s = malloc(6 + 3 * (BL_PROGRAM_MAX + 1) + 16);
	size_t len = 6;

	(void)state;
	assert_non_null(s);
	memcpy(s, "dst 1 ", 6);
	for (unsigned i = 0; i < BL_PROGRAM_MAX; i++, len += 3)
		memcpy(s + len, "%41", 3);
	strcpy(s + len, " 10.0.0.1\n");
	accepted_entry(s);
	strcpy(s + len, "%41 10.0.0.1\n");
	refused_entry(s, "line 2: program longer than 1024 bytes");
	free(s);
}

static void test_refused_values(void **state)
{
	(void)state;
	refused_entry("dst 1 p 10.0.0\n", "line 2: bad address");
	refused_entry("dst 1 p example.com\n", "line 2: bad address");
	refused_entry("dst 1 p 10.0.0.1%2F24\n", "line 2: bad address");
	refused_entry("dst 1 p 010.0.0.1\n", "line 2: bad address");
	refused_entry("dst 1 p 1111111111111111111111111111111111111111111111"
		      "111111111111111111111111\n", "line 2: bad address");
	refused_entry("dst 1 p GB\n", "line 2: bad address");
	refused_entry("country 1 p gb\n", "line 2: bad country");
	refused_entry("country 1 p Gb\n", "line 2: bad country");
	refused_entry("country 1 p G\n", "line 2: bad country");
	refused_entry("country 1 p GBR\n", "line 2: bad country");
	refused_entry("country 1 p G1\n", "line 2: bad country");
	refused_entry("country 1 p 10.0.0.1\n", "line 2: bad country");
	refused_entry("asn 1 p 0\n", "line 2: bad AS number");
	refused_entry("asn 1 p 01\n", "line 2: bad AS number");
	refused_entry("asn 1 p 4294967296\n", "line 2: bad AS number");
	refused_entry("asn 1 p 99999999999999999999999\n",
		      "line 2: bad AS number");
	refused_entry("asn 1 p -5\n", "line 2: bad AS number");
	refused_entry("asn 1 p AS13335\n", "line 2: bad AS number");
	accepted_entry("asn 1 p 4294967295\n");
	accepted_entry("asn 1 p 1\n");
	accepted_entry("country 1 p ZZ\n");
	accepted_entry("dst 1 p ::\n");
}

static void test_line_length(void **state)
{
	size_t hl = strlen(HEAD), len = hl + BL_LINE_MAX + 1;
	char *s = malloc(len + 1);

	(void)state;
	assert_non_null(s);
	memcpy(s, HEAD, hl);
	memset(s + hl, 'x', BL_LINE_MAX + 1);
	s[hl] = '#';
	/* BL_LINE_MAX bytes and a newline: a line. */
	s[hl + BL_LINE_MAX] = '\n';
	s[len] = 0;
	{
		struct baseline *b = baseline_new(10, 0);

		load_ok(b, s, T0);
		baseline_free(b);
	}
	/* One more, with its newline or at the end: too long. */
	s[hl + BL_LINE_MAX] = 'x';
	refused_n(s, len, "line 2: longer than 4096 bytes");
	s[len] = '\n';
	refused_n(s, len + 1, "line 2: longer than 4096 bytes");
	free(s);

	s = malloc(hl + 8 + BL_LINE_MAX + 2);
	assert_non_null(s);
	memcpy(s, HEAD "\n#\n", hl + 3);
	memset(s + hl + 3, '#', BL_LINE_MAX + 1);
	refused_n(s, hl + 3 + BL_LINE_MAX + 1,
		  "line 4: longer than 4096 bytes");
	free(s);
}

static void test_err_buffer(void **state)
{
	struct baseline *b = baseline_new(10, 0);
	static const char bad[] = HEAD "dst 1 p\n";
	char err[8];

	(void)state;
	assert_int_equal(load_n(b, bad, strlen(bad), T0, NULL, 0), -1);
	assert_int_equal(load_n(b, bad, strlen(bad), T0, err, 0), -1);
	memset(err, 'X', sizeof(err));
	assert_int_equal(load_n(b, bad, strlen(bad), T0, err, sizeof(err)), -1);
	assert_string_equal(err, "line 2:");
	memset(err, 'X', sizeof(err));
	assert_int_equal(load_n(b, bad, strlen(bad), T0, err, 3), -1);
	assert_string_equal(err, "li");
	/* A success leaves no reason behind. */
	err[0] = 'X';
	assert_int_equal(load_n(b, HEAD, strlen(HEAD), T0, err, sizeof(err)),
			 0);
	assert_string_equal(err, "");
	baseline_free(b);
}

static void test_load_replaces(void **state)
{
	struct baseline *b = baseline_new(10, 0);

	(void)state;
	assert_int_equal(baseline_see(b, "a", BL_DST, "10.0.0.1", 1), 1);
	load_ok(b, HEAD "# written by hand\n\ncountry 3 b DE", T0);
	assert_int_equal(baseline_count(b), 1);
	assert_int_equal(baseline_has(b, "a", BL_DST, "10.0.0.1"), 0);
	assert_int_equal(baseline_has(b, "b", BL_COUNTRY, "DE"), 1);
	assert_int_equal(baseline_see(b, "b", BL_COUNTRY, "DE", 2), 0);
	assert_int_equal(baseline_dirty(b), 0);
	fmt_is(b, T0, HEAD "country 3 b DE\n");
	baseline_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_see_has),
		cmocka_unit_test(test_last_seen),
		cmocka_unit_test(test_dirty),
		cmocka_unit_test(test_round_trip_hostile),
		cmocka_unit_test(test_canonical_ipv6),
		cmocka_unit_test(test_repeated),
		cmocka_unit_test(test_sorted),
		cmocka_unit_test(test_expire_load),
		cmocka_unit_test(test_expire_format),
		cmocka_unit_test(test_limit_see),
		cmocka_unit_test(test_limit_stream),
		cmocka_unit_test(test_limit_load),
		cmocka_unit_test(test_refused_lines),
		cmocka_unit_test(test_refused_fields),
		cmocka_unit_test(test_refused_time),
		cmocka_unit_test(test_refused_escapes),
		cmocka_unit_test(test_escaped_program_max),
		cmocka_unit_test(test_refused_values),
		cmocka_unit_test(test_line_length),
		cmocka_unit_test(test_err_buffer),
		cmocka_unit_test(test_load_replaces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
