/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of common/escape.c: terminal and JSON escaping of strangers'
 * strings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/escape.h"
#include "tests/unit/ref_utf8.h"

/* in is a C literal; its length is given so NULs inside can be tested. */
static void check_term_n(const char *in, size_t len, const char *want)
{
	char out[512];
	size_t n;

	memset(out, 'Z', sizeof(out));
	n = esc_term(out, sizeof(out), in, len);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void check_term(const char *in, const char *want)
{
	check_term_n(in, strlen(in), want);
}

static void check_json_n(const char *in, size_t len, const char *want)
{
	char out[512];
	size_t n;

	memset(out, 'Z', sizeof(out));
	n = esc_json(out, sizeof(out), in, len);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void check_json(const char *in, const char *want)
{
	check_json_n(in, strlen(in), want);
}

static void test_term_plain(void **state)
{
	(void)state;
	check_term("", "");
	check_term("firefox", "firefox");
	check_term("a b~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}", "a b~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}");
}

static void test_term_controls(void **state)
{
	(void)state;
	/* ESC and CSI/OSC sequences lose their introducer. */
	check_term("\x1b[31mred", "\\x1b[31mred");
	check_term("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07");
	check_term("\x1b" "c", "\\x1bc");
	/* C0 controls and DEL. */
	check_term("a\tb\nc\rd", "a\\x09b\\x0ac\\x0dd");
	check_term("x\x7fy", "x\\x7fy");
	check_term_n("a\0b", 3, "a\\x00b");
	/* C1 controls in UTF-8 form: CSI (U+009B), NEL, the ends of C1. */
	check_term("\xc2\x9b" "2J", "\\xc2\\x9b2J");
	check_term("\xc2\x85", "\\xc2\\x85");
	check_term("\xc2\x80\xc2\x9f", "\\xc2\\x80\\xc2\\x9f");
	/* A raw C1 byte is not UTF-8 at all. */
	check_term("\x9b" "2J", "\\x9b2J");
}

static void test_term_utf8_kept(void **state)
{
	(void)state;
	check_term("Z\xc3\xbcrich", "Z\xc3\xbcrich");            /* Zürich */
	check_term("S\xc3\xa3o Paulo", "S\xc3\xa3o Paulo");      /* São Paulo */
	check_term("\xe6\x9d\xb1\xe4\xba\xac", "\xe6\x9d\xb1\xe4\xba\xac");
	check_term("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");      /* U+1F600 */
	/* Just past C1, and the last code point. */
	check_term("\xc2\xa0", "\xc2\xa0");
	check_term("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");
	check_term("\xed\x9f\xbf", "\xed\x9f\xbf");              /* U+D7FF */
	check_term("\xee\x80\x80", "\xee\x80\x80");              /* U+E000 */
}

static void test_term_invalid_utf8(void **state)
{
	(void)state;
	check_term("\xff", "\\xff");
	check_term("\xfe\xfe", "\\xfe\\xfe");
	check_term("\x80", "\\x80");                 /* lone continuation */
	check_term("a\xc3", "a\\xc3");               /* cut at the end */
	check_term("\xe2\x82" "A", "\\xe2\\x82A");   /* cut, then ASCII kept */
	check_term("\xe2\x82\xc3\xa9", "\\xe2\\x82\xc3\xa9");
	/* Overlong forms, including the classic overlong "/" and NUL. */
	check_term("\xc0\xaf", "\\xc0\\xaf");
	check_term("\xc1\xbf", "\\xc1\\xbf");
	check_term("\xc0\x80", "\\xc0\\x80");
	check_term("\xe0\x80\xaf", "\\xe0\\x80\\xaf");
	check_term("\xe0\x9f\xbf", "\\xe0\\x9f\\xbf");
	check_term("\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf");
	check_term("\xf0\x8f\xbf\xbf", "\\xf0\\x8f\\xbf\\xbf");
	/* An overlong ESC must not sneak an escape through. */
	check_term("\xc0\x9b", "\\xc0\\x9b");
	/* UTF-16 surrogates. */
	check_term("\xed\xa0\x80", "\\xed\\xa0\\x80");
	check_term("\xed\xbf\xbf", "\\xed\\xbf\\xbf");
	/* Past U+10FFFF, and 5/6-byte forms. */
	check_term("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	check_term("\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80");
	check_term("\xf8\x88\x80\x80\x80", "\\xf8\\x88\\x80\\x80\\x80");
}

/* UTF-8 of one code point, for the tables below. */
static size_t utf8_put(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* "a<cp>b" comes out as "a\xHH..b" (escaped) or unchanged (kept). */
static void check_cp(uint32_t cp, int escaped)
{
	char in[8], want[40], *w = want;
	size_t n;

	in[0] = 'a';
	n = utf8_put(in + 1, cp);
	in[1 + n] = 'b';
	*w++ = 'a';
	for (size_t i = 0; i < n; i++) {
		if (escaped)
			w += sprintf(w, "\\x%02x", (unsigned char)in[1 + i]);
		else
			*w++ = in[1 + i];
	}
	*w++ = 'b';
	*w = '\0';
	check_term_n(in, n + 2, want);
	assert_int_equal(esc_is_format(cp), escaped);
}

/* Bidi controls, zero-width and other invisible format characters: each
 * escaped, byte by byte; their neighbours, visible, kept. */
static void test_term_format(void **state)
{
	static const uint32_t esc[] = {
		0x00ad,                                  /* soft hyphen */
		0x061c,                                  /* ALM */
		0x200b, 0x200c, 0x200d, 0x200e, 0x200f,  /* ZWSP..RLM */
		0x2028, 0x2029,                          /* LS, PS */
		0x202a, 0x202b, 0x202c, 0x202d, 0x202e,  /* LRE..RLO */
		0x2060, 0x2061, 0x2062, 0x2063, 0x2064,  /* WJ, invisibles */
		0x2066, 0x2067, 0x2068, 0x2069,          /* LRI..PDI */
		0x206a, 0x206f,
		0xfeff,                                  /* BOM */
		0x0600, 0x06dd, 0x070f, 0x180e, 0xfff9, 0xfffb,
		0x110bd, 0x1d173, 0xe0001, 0xe0020, 0xe0041, 0xe007f,
	};
	static const uint32_t keep[] = {
		0x00a0, 0x00ac, 0x00ae, 0x00e9, 0x05d0, 0x0627, 0x200a, 0x2010,
		0x2027, 0x202f, 0x205f, 0x2070, 0x3042, 0xfefc, 0xff01,
		0xfffc, 0xfffd, 0x1f600, 0xe0080, 0xe0100,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(esc) / sizeof(esc[0]); i++)
		check_cp(esc[i], 1);
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		check_cp(keep[i], 0);
	/* The classic: an RLO makes "exe.gnp" read as "png.exe". */
	check_term("evil\xe2\x80\xae" "gnp.exe",
		   "evil\\xe2\\x80\\xae" "gnp.exe");
	/* A hidden zero-width space in a look-alike name. */
	check_term("pay\xe2\x80\x8bpal.example", "pay\\xe2\\x80\\x8bpal.example");
	/* Ordinary text around them is left alone. */
	check_term("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\xe2\x81\xa6x",
		   "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\\xe2\\x81\\xa6x");
}

/* A terminal whose codeset is not UTF-8 reads bytes 0x80-0x9f as C1
 * controls, wherever they sit: every character holding one is escaped. */
static void test_term_not_utf8(void **state)
{
	(void)state;
	assert_true(esc_term_utf8());
	/* In UTF-8, 日本 and U+0100 are plain text. */
	check_term("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac");
	check_term("\xc4\x80", "\xc4\x80");

	esc_term_set_utf8(0);
	assert_false(esc_term_utf8());
	check_term("plain ascii ~", "plain ascii ~");
	/* No byte of 0x80-0x9f: kept (in ISO 8859-1, "Ã©" at worst). */
	check_term("caf\xc3\xa9", "caf\xc3\xa9");
	check_term("Z\xc3\xbcrich", "Z\xc3\xbcrich");
	/* 日 = e6 97 a5, 本 = e6 9c ac: 0x97 would be SOS, 0x9c ST. */
	check_term("\xe6\x97\xa5\xe6\x9c\xac",
		   "\\xe6\\x97\\xa5\\xe6\\x9c\\xac");
	check_term("\xc4\x80", "\\xc4\\x80");                /* U+0100 */
	check_term("\xc4\x9b" "2J", "\\xc4\\x9b2J");         /* U+011B */
	check_term("\xf0\x9f\x98\x80", "\\xf0\\x9f\\x98\\x80");
	/* What UTF-8 mode escapes is escaped here too. */
	check_term("\x9b" "2J", "\\x9b2J");
	check_term("\xc2\x9b", "\\xc2\\x9b");
	check_term("\x1b[2J", "\\x1b[2J");
	check_term("a\xe2\x80\xae" "b", "a\\xe2\\x80\\xaeb");
	esc_term_set_utf8(1);
	check_term("\xc4\x80", "\xc4\x80");
}

static void test_codeset_names(void **state)
{
	(void)state;
	assert_true(esc_codeset_is_utf8("UTF-8"));
	assert_true(esc_codeset_is_utf8("utf-8"));
	assert_true(esc_codeset_is_utf8("UTF8"));
	assert_false(esc_codeset_is_utf8("ANSI_X3.4-1968"));
	assert_false(esc_codeset_is_utf8("ISO-8859-1"));
	assert_false(esc_codeset_is_utf8("KOI8-R"));
	assert_false(esc_codeset_is_utf8("UTF-16"));
	assert_false(esc_codeset_is_utf8("UTF-8x"));
	assert_false(esc_codeset_is_utf8(""));
	assert_false(esc_codeset_is_utf8(NULL));
}

static void test_term_truncation(void **state)
{
	char out[16];

	(void)state;
	/* Room for nothing, not even the NUL: nothing is written. */
	assert_int_equal(esc_term(NULL, 0, "abc", 3), 0);

	memset(out, 'Z', sizeof(out));
	assert_int_equal(esc_term(out, 1, "abc", 3), 0);
	assert_string_equal(out, "");

	assert_int_equal(esc_term(out, 3, "abc", 3), 2);
	assert_string_equal(out, "ab");

	/* "\x1b" takes 4 bytes: with 4 of room it can't sit beside the NUL. */
	assert_int_equal(esc_term(out, 4, "\x1b", 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(esc_term(out, 5, "\x1b", 1), 4);
	assert_string_equal(out, "\\x1b");
	assert_int_equal(esc_term(out, 5, "a\x1b", 2), 1);
	assert_string_equal(out, "a");
	assert_int_equal(esc_term(out, 6, "a\x1b", 2), 5);
	assert_string_equal(out, "a\\x1b");

	/* A character is all or nothing. */
	assert_int_equal(esc_term(out, 3, "a\xc3\xbc", 3), 1);
	assert_string_equal(out, "a");
	assert_int_equal(esc_term(out, 4, "a\xc3\xbc", 3), 3);
	assert_string_equal(out, "a\xc3\xbc");
	assert_int_equal(esc_term(out, 4, "\xf0\x9f\x98\x80", 4), 0);
	assert_int_equal(esc_term(out, 5, "\xf0\x9f\x98\x80", 4), 4);

	/* An escaped C1 character is one unit of two escapes. */
	assert_int_equal(esc_term(out, 8, "\xc2\x9b", 2), 0);
	assert_string_equal(out, "");
	assert_int_equal(esc_term(out, 9, "\xc2\x9b", 2), 8);

	/* Truncation stops the output: nothing after the cut sneaks in. */
	assert_int_equal(esc_term(out, 4, "a\x1b" "bc", 4), 1);
	assert_string_equal(out, "a");

	/* Input bounded by len, not by a NUL. */
	assert_int_equal(esc_term(out, sizeof(out), "abcdef", 2), 2);
	assert_string_equal(out, "ab");
}

static void test_json_escapes(void **state)
{
	(void)state;
	check_json("plain", "plain");
	check_json("a\"b\\c", "a\\\"b\\\\c");
	check_json("a/b", "a/b");
	check_json("\b\f\n\r\t", "\\b\\f\\n\\r\\t");
	check_json("\x01\x1f", "\\u0001\\u001f");
	check_json("\x1b]0;pwned\x07", "\\u001b]0;pwned\\u0007");
	check_json_n("a\0b", 3, "a\\u0000b");
	check_json("\x7f", "\\u007f");
	check_json("\xc2\x9b" "2J", "\\u009b2J");
	check_json("\xc2\x80\xc2\x9f", "\\u0080\\u009f");
}

static void test_json_utf8(void **state)
{
	(void)state;
	check_json("Z\xc3\xbcrich", "Z\xc3\xbcrich");
	check_json("S\xc3\xa3o Paulo", "S\xc3\xa3o Paulo");
	check_json("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");
	/* Invalid input: one U+FFFD per maximal invalid subpart. */
	check_json("\xff", "\xef\xbf\xbd");
	check_json("a\xe2\x82" "b", "a\xef\xbf\xbd" "b");
	check_json("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");
	check_json("\xed\xa0\x80",
		   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	check_json("\xf4\x90\x80\x80" "x",
		   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "x");
	check_json("\xf0\x9f\x98", "\xef\xbf\xbd");
}

static void test_json_truncation(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(esc_json(NULL, 0, "a", 1), 0);
	/* \u0001 is 6 bytes. */
	assert_int_equal(esc_json(out, 6, "\x01", 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(esc_json(out, 7, "\x01", 1), 6);
	assert_string_equal(out, "\\u0001");
	/* \" is 2 bytes: never a lone backslash at the end. */
	assert_int_equal(esc_json(out, 4, "ab\"", 3), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(esc_json(out, 4, "a\\", 2), 3);
	assert_string_equal(out, "a\\\\");
	assert_int_equal(esc_json(out, 3, "a\\", 2), 1);
	assert_string_equal(out, "a");
	/* U+FFFD and valid characters are whole too. */
	assert_int_equal(esc_json(out, 3, "\xff", 1), 0);
	assert_int_equal(esc_json(out, 4, "\xff", 1), 3);
	assert_int_equal(esc_json(out, 4, "\xe6\x9d\xb1", 3), 3);
	assert_int_equal(esc_json(out, 3, "\xe6\x9d\xb1", 3), 0);
}

/* Input for a round: random bytes, bytes from the top half, or a mix of
 * whole characters chosen to sit near the edges (C1, bidi, zero-width,
 * CJK) with random bytes between them. */
static size_t random_input(unsigned char *in, size_t cap, int round)
{
	static const uint32_t picks[] = {
		0x85, 0x9b, 0x9f, 0xa0, 0xad, 0xe9, 0x100, 0x11b, 0x61c, 0x200b,
		0x200d, 0x200f, 0x2028, 0x202e, 0x2060, 0x2066, 0x2069, 0xfeff,
		0x65e5, 0x672c, 0x1f600, 0xe0041,
	};
	size_t len = (size_t)(rand() % (int)cap);

	if (round % 3 != 2) {
		for (size_t i = 0; i < len; i++)
			in[i] = (unsigned char)(round % 3 ? rand() : 0x80 + rand() % 0x50);
		return len;
	}
	size_t n = 0;

	while (n + 4 <= len) {
		if (rand() % 3) {
			char c[4];
			size_t k = utf8_put(c, picks[rand() % (int)(sizeof(picks) / sizeof(picks[0]))]);

			memcpy(in + n, c, k);
			n += k;
		} else {
			in[n++] = (unsigned char)rand();
		}
	}
	return n;
}

/* Random bytes in, and what comes out is valid UTF-8 with no control
 * character in it, NUL-terminated within the buffer; from esc_term, no
 * bidi or zero-width character either, and with a codeset not UTF-8 no
 * byte 0x80-0x9f at all. */
static void test_property_random(void **state)
{
	unsigned char in[64];
	char out[300];

	(void)state;
	srand(12345);
	for (int round = 0; round < 30000; round++) {
		size_t len = random_input(in, sizeof(in), round);
		size_t outsz = (size_t)(rand() % (int)sizeof(out)) + 1;
		int json = round & 1;
		int not_utf8 = !json && round % 4 == 2;

		esc_term_set_utf8(!not_utf8);
		size_t n = json ? esc_json(out, outsz, (char *)in, len)
				: esc_term(out, outsz, (char *)in, len);

		esc_term_set_utf8(1);
		assert_true(n < outsz);
		assert_int_equal(strlen(out), n);
		for (size_t i = 0; i < n;) {
			uint32_t cp;
			size_t k = ref_utf8((unsigned char *)out + i, n - i, &cp);

			assert_int_not_equal(k, 0);
			assert_false(cp < 0x20 || (cp >= 0x7f && cp <= 0x9f));
			assert_false(!json && ref_invisible(cp));
			for (size_t j = 0; not_utf8 && j < k; j++)
				assert_false((unsigned char)out[i + j] >= 0x80 &&
					     (unsigned char)out[i + j] <= 0x9f);
			/* JSON: no bare quote, every backslash starts a
			 * whole escape. */
			assert_false(json && cp == '"');
			if (json && cp == '\\') {
				assert_true(i + 1 < n);
				assert_non_null(strchr("\"\\bfnrtu", out[i + 1]));
				if (out[i + 1] == 'u')
					assert_true(i + 5 < n);
				k = out[i + 1] == 'u' ? 6 : 2;
			}
			i += k;
		}
		/* Enough room: nothing is lost, and valid input passes as is. */
		if (outsz == sizeof(out) && !json && !not_utf8) {
			int all_ok = 1;

			for (size_t i = 0; i < len;) {
				uint32_t cp;
				size_t k = ref_utf8(in + i, len - i, &cp);

				if (!k || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
				    esc_is_format(cp)) {
					all_ok = 0;
					break;
				}
				i += k;
			}
			if (all_ok)
				assert_memory_equal(out, in, len);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_term_plain),
		cmocka_unit_test(test_term_controls),
		cmocka_unit_test(test_term_utf8_kept),
		cmocka_unit_test(test_term_invalid_utf8),
		cmocka_unit_test(test_term_format),
		cmocka_unit_test(test_term_not_utf8),
		cmocka_unit_test(test_codeset_names),
		cmocka_unit_test(test_term_truncation),
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_json_utf8),
		cmocka_unit_test(test_json_truncation),
		cmocka_unit_test(test_property_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
