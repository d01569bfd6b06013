/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of common/escape.c: terminal and JSON escaping of strangers'
 * strings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/escape.h"

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

/* An independent UTF-8 check for the property tests: decodes by bit
 * patterns and rejects by the value, where escape.c works from the byte
 * table. Returns the sequence length, 0 when invalid; *cp the value. */
static size_t ref_utf8(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n;
	uint32_t v, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, v = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, v = s[0] & 0x0f, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, v = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/* Random bytes in, and what comes out is valid UTF-8 with no control
 * character in it, NUL-terminated within the buffer. */
static void test_property_random(void **state)
{
	unsigned char in[64];
	char out[300];

	(void)state;
	srand(12345);
	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(rand() % (int)sizeof(in));
		size_t outsz = (size_t)(rand() % (int)sizeof(out)) + 1;
		int json = round & 1;

		for (size_t i = 0; i < len; i++)
			in[i] = (unsigned char)(round % 3 ? rand() : 0x80 + rand() % 0x50);
		size_t n = json ? esc_json(out, outsz, (char *)in, len)
				: esc_term(out, outsz, (char *)in, len);

		assert_true(n < outsz);
		assert_int_equal(strlen(out), n);
		for (size_t i = 0; i < n;) {
			uint32_t cp;
			size_t k = ref_utf8((unsigned char *)out + i, n - i, &cp);

			assert_int_not_equal(k, 0);
			assert_false(cp < 0x20 || (cp >= 0x7f && cp <= 0x9f));
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
		if (outsz == sizeof(out) && !json) {
			int all_ok = 1;

			for (size_t i = 0; i < len;) {
				uint32_t cp;
				size_t k = ref_utf8(in + i, len - i, &cp);

				if (!k || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
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
		cmocka_unit_test(test_term_truncation),
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_json_utf8),
		cmocka_unit_test(test_json_truncation),
		cmocka_unit_test(test_property_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
