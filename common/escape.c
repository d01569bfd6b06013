/* SPDX-License-Identifier: GPL-2.0-only */
/* escape: make strings from strangers safe for a terminal or for JSON.
 *
 * Both escapers walk the input one unit at a time (a byte, a whole UTF-8
 * character, or a maximal invalid subpart), decide what that unit becomes,
 * and write it only when the whole result fits beside the final NUL: a
 * truncated output never ends inside an escape or a character.
 */
#include <langinfo.h>
#include <locale.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "common/escape.h"
#include "common/util.h"

/* One decoded unit of the input. */
struct esc_unit {
	uint32_t cp;     /* the code point, when valid */
	size_t len;      /* input bytes the unit spans, at least 1 */
	int valid;
};

/* Range of the second byte after each lead byte, from the Unicode
 * standard's table of well-formed UTF-8 (Table 3-7). Narrowing the second
 * byte is what rejects overlong forms (E0, F0), UTF-16 surrogates (ED) and
 * code points past U+10FFFF (F4). */
static int esc_lead(unsigned char c, size_t *need, unsigned char *lo,
		    unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf) {
		*need = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		*need = 3;
		if (c == 0xe0)
			*lo = 0xa0;
		else if (c == 0xed)
			*hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		*need = 4;
		if (c == 0xf0)
			*lo = 0x90;
		else if (c == 0xf4)
			*hi = 0x8f;
	} else {
		return -1;  /* a continuation byte, C0/C1 (overlong), F5..FF */
	}
	return 0;
}

/* Decode the unit at s[0..len), len >= 1. An invalid unit spans its
 * maximal subpart: the bytes that began a well-formed sequence before it
 * broke off (at least one), so the next unit starts where a valid
 * character may. */
static struct esc_unit esc_next(const unsigned char *s, size_t len)
{
	struct esc_unit u = { .cp = s[0], .len = 1, .valid = 1 };
	unsigned char lo, hi;
	size_t need;

	if (s[0] < 0x80)
		return u;
	if (esc_lead(s[0], &need, &lo, &hi) < 0) {
		u.valid = 0;
		return u;
	}
	u.cp = s[0] & (0x7fu >> need);
	for (size_t i = 1; i < need; i++) {
		if (i >= len || s[i] < lo || s[i] > hi) {
			u.len = i;
			u.valid = 0;
			return u;
		}
		u.cp = (u.cp << 6) | (s[i] & 0x3fu);
		lo = 0x80;
		hi = 0xbf;
	}
	u.len = need;
	return u;
}

/* C0, DEL and C1: the code points a terminal may act on. */
static int esc_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* Invisible characters that change how the text around them shows: the
 * Unicode general category Cf (format) as of Unicode 15, with the
 * unassigned U+2065 inside its run, plus the line and paragraph
 * separators (Zl, Zp). Among them the bidi controls (U+061C, U+200E/F,
 * U+202A-U+202E, U+2066-U+2069), which reorder a row on the screen, and
 * the zero-width ones (U+200B-U+200D, U+2060, U+FEFF, tags), which hide
 * text or make two names look alike. Sorted, for the search below. */
static const struct esc_range {
	uint32_t lo, hi;
} esc_format[] = {
	{ 0x00ad, 0x00ad },   /* soft hyphen */
	{ 0x0600, 0x0605 },   /* Arabic number signs */
	{ 0x061c, 0x061c },   /* Arabic letter mark */
	{ 0x06dd, 0x06dd },
	{ 0x070f, 0x070f },
	{ 0x0890, 0x0891 },
	{ 0x08e2, 0x08e2 },
	{ 0x180e, 0x180e },   /* Mongolian vowel separator */
	{ 0x200b, 0x200f },   /* zero width space, (non-)joiner, LRM, RLM */
	{ 0x2028, 0x202e },   /* line/paragraph separators, LRE..RLO */
	{ 0x2060, 0x206f },   /* word joiner, invisible operators, LRI..PDI */
	{ 0xfeff, 0xfeff },   /* zero width no-break space (BOM) */
	{ 0xfff9, 0xfffb },   /* interlinear annotation */
	{ 0x110bd, 0x110bd },
	{ 0x110cd, 0x110cd },
	{ 0x13430, 0x1343f }, /* Egyptian hieroglyph format controls */
	{ 0x1bca0, 0x1bca3 }, /* shorthand format controls */
	{ 0x1d173, 0x1d17a }, /* musical symbol format controls */
	/* the whole Tags block: language tag, tag characters, and the code
	 * points between them that are unassigned today, invisible too */
	{ 0xe0000, 0xe007f },
};

int esc_is_format(uint32_t cp)
{
	size_t lo = 0, hi = ARRAY_LEN(esc_format);

	if (cp < esc_format[0].lo)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < esc_format[mid].lo)
			hi = mid;
		else if (cp > esc_format[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

/* The terminal's codeset: UTF-8 unless the ui says otherwise. */
static int esc_utf8 = 1;

void esc_term_set_utf8(int utf8)
{
	esc_utf8 = utf8 != 0;
}

int esc_term_utf8(void)
{
	return esc_utf8;
}

void esc_term_from_locale(void)
{
	locale_t loc = newlocale(LC_CTYPE_MASK, "", (locale_t)0);

	esc_term_set_utf8(loc != (locale_t)0 &&
			  esc_codeset_is_utf8(nl_langinfo_l(CODESET, loc)));
	if (loc != (locale_t)0)
		freelocale(loc);
}

int esc_codeset_is_utf8(const char *codeset)
{
	return codeset && (!strcasecmp(codeset, "UTF-8") ||
			   !strcasecmp(codeset, "UTF8"));
}

/* Bytes 0x80..0x9f: C1 controls to a terminal whose codeset is not UTF-8
 * (ISO 8859, KOI8 and the like), whatever character they are part of. */
static int esc_has_c1_byte(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 0x80 && s[i] <= 0x9f)
			return 1;
	return 0;
}

/* Append n bytes if they fit with the NUL still after them. */
static int esc_put(char *out, size_t outsz, size_t *at, const void *p,
		   size_t n)
{
	if (*at + n + 1 > outsz)
		return -1;
	memcpy(out + *at, p, n);
	*at += n;
	return 0;
}

static const char esc_hex[] = "0123456789abcdef";

/* \xHH for every byte of a unit; all or nothing. */
static int esc_put_hex_bytes(char *out, size_t outsz, size_t *at,
			     const unsigned char *s, size_t n)
{
	if (*at + 4 * n + 1 > outsz)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char h[4] = { '\\', 'x', esc_hex[s[i] >> 4], esc_hex[s[i] & 15] };

		memcpy(out + *at, h, sizeof(h));
		*at += sizeof(h);
	}
	return 0;
}

/* How one unit of input goes out: all of it, or -1 when it does not fit
 * (the output then ends before it, never inside an escape). */
typedef int (*esc_emit_fn)(char *out, size_t outsz, size_t *at,
			   const unsigned char *s, struct esc_unit u);

/* Walk in unit by unit, emitting each; out is always NUL-terminated. */
static size_t esc_walk(char *out, size_t outsz, const char *in, size_t len,
		       esc_emit_fn emit)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t at = 0;

	if (outsz == 0)
		return 0;
	while (len > 0) {
		struct esc_unit u = esc_next(s, len);

		if (emit(out, outsz, &at, s, u) < 0)
			break;
		s += u.len;
		len -= u.len;
	}
	out[at] = '\0';
	return at;
}

static int esc_term_unit(char *out, size_t outsz, size_t *at,
			 const unsigned char *s, struct esc_unit u)
{
	if (u.valid && !esc_is_control(u.cp) && !esc_is_format(u.cp) &&
	    (esc_utf8 || !esc_has_c1_byte(s, u.len)))
		return esc_put(out, outsz, at, s, u.len);
	return esc_put_hex_bytes(out, outsz, at, s, u.len);
}

size_t esc_term(char *out, size_t outsz, const char *in, size_t len)
{
	return esc_walk(out, outsz, in, len, esc_term_unit);
}

/* The JSON form of one valid code point that needs escaping, or 0. */
static size_t esc_json_escape(uint32_t cp, char buf[8])
{
	static const char short_form[0x20] = {
		['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r',
		['\t'] = 't',
	};

	if (cp == '"' || cp == '\\') {
		buf[0] = '\\';
		buf[1] = (char)cp;
		return 2;
	}
	/* JSON demands only C0; DEL and C1 are escaped too because JSON
	 * output is read on terminals as often as by programs. */
	if (!esc_is_control(cp))
		return 0;
	if (cp < 0x20 && short_form[cp]) {
		buf[0] = '\\';
		buf[1] = short_form[cp];
		return 2;
	}
	memcpy(buf, "\\u00", 4);
	buf[4] = esc_hex[cp >> 4];
	buf[5] = esc_hex[cp & 15];
	return 6;
}

static int esc_json_unit(char *out, size_t outsz, size_t *at,
			 const unsigned char *s, struct esc_unit u)
{
	static const char replacement[] = "\xef\xbf\xbd";  /* U+FFFD */
	char buf[8];
	size_t n;

	if (!u.valid)
		return esc_put(out, outsz, at, replacement, 3);
	if ((n = esc_json_escape(u.cp, buf)) > 0)
		return esc_put(out, outsz, at, buf, n);
	return esc_put(out, outsz, at, s, u.len);
}

size_t esc_json(char *out, size_t outsz, const char *in, size_t len)
{
	return esc_walk(out, outsz, in, len, esc_json_unit);
}
