/* SPDX-License-Identifier: GPL-2.0-only */
/* ref_utf8: what the escapers' output must be, decided apart from
 * common/escape.c, for the property test (test_escape.c) and the fuzz
 * target (fuzz_escape.c). */
#ifndef FLOWTOP_TEST_REF_UTF8_H
#define FLOWTOP_TEST_REF_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* An independent UTF-8 check for the property tests: decodes by bit
 * patterns and rejects by the value, where escape.c works from the byte
 * table. Returns the sequence length, 0 when invalid; *cp the value. */
static inline size_t ref_utf8(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n;
	uint32_t v, min;

	*cp = 0;
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

/* The characters that reorder or hide text, listed apart from escape.c's
 * table: bidi controls, zero-width characters, separators, tags. */
static inline int ref_invisible(uint32_t cp)
{
	return cp == 0x00ad || cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2064) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff ||
	       (cp >= 0xe0000 && cp <= 0xe007f);
}

#endif
