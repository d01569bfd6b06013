/* SPDX-License-Identifier: GPL-2.0-only */
/* skip_or_fail_at: see skip.h. Linked into every unit test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/skip.h"

void skip_or_fail_at(const char *file, int line, const char *fmt, ...)
{
	const char *ci = getenv("CI");
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (ci && strcmp(ci, "true") == 0) {
		print_error("cannot run: %s (CI=true: a test that cannot run fails)\n", why);
		_fail(file, line);
	}
	print_message("skipped: %s\n", why);
	_skip(file, line);
}
