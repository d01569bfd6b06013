/* SPDX-License-Identifier: GPL-2.0-only */
/* What the fuzz targets ask of text that reaches a terminal: n bytes, the
 * whole string, with no byte below 0x20, no DEL and no C1 control encoded
 * in UTF-8 (U+0080 to U+009F). A violation aborts, which libFuzzer
 * reports as a crash. */
#ifndef FLOWTOP_FUZZ_TEXT_H
#define FLOWTOP_FUZZ_TEXT_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static inline void fuzz_text_safe(const char *s, size_t n)
{
	if (strlen(s) != n)
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			abort();
		if (c == 0xc2 && i + 1 < n &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f)
			abort();
	}
}

#endif
