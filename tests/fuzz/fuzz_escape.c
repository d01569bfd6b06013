/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target for the escapers (common/escape.c).
 *
 * The first input byte picks the case: its low bit the terminal's codeset
 * (UTF-8 or not), the rest an output size; the remaining bytes are the
 * string to escape. Both esc_term and esc_json run on it.
 *
 * What must hold, whatever the bytes: no crash or sanitizer report, the
 * output NUL-terminated within its buffer and of the length returned,
 * valid UTF-8, and no byte < 0x20, no 0x7f, no C1 code point in it; from
 * esc_term no bidi, zero-width or other format code point either
 * (esc_is_format, and ref_invisible, a list of the ones that matter kept
 * apart from it), and with a codeset not UTF-8 no byte 0x80-0x9f at all.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/escape.h"
#include "tests/unit/ref_utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_check(const char *out, size_t outsz, size_t n, int term,
		     int not_utf8)
{
	const uint8_t *o = (const uint8_t *)out;

	if (n >= outsz || strlen(out) != n)
		abort();
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = ref_utf8(o + i, n - i, &cp);

		if (!k || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			abort();
		if (term && (ref_invisible(cp) || esc_is_format(cp)))
			abort();
		for (size_t j = 0; not_utf8 && j < k; j++)
			if (o[i + j] >= 0x80 && o[i + j] <= 0x9f)
				abort();
		i += k;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[4096];
	size_t outsz;
	int not_utf8;

	if (size < 1)
		return 0;
	not_utf8 = data[0] & 1;
	/* Small sizes cut through escapes; 0x7f maps to the whole buffer. */
	outsz = (data[0] >> 1) == 0x7f ? sizeof(out) : (size_t)(data[0] >> 1) + 1;
	data++;
	size--;

	memset(out, 'Z', sizeof(out));
	esc_term_set_utf8(!not_utf8);
	size_t n = esc_term(out, outsz, (const char *)data, size);

	esc_term_set_utf8(1);
	fz_check(out, outsz, n, 1, not_utf8);

	memset(out, 'Z', sizeof(out));
	n = esc_json(out, outsz, (const char *)data, size);
	fz_check(out, outsz, n, 0, 0);
	return 0;
}
