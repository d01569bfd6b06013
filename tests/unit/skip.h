/* SPDX-License-Identifier: GPL-2.0-only */
/* skip_or_fail: for a unit test that cannot run because something it needs
 * is missing (root, a network namespace, a file). Outside CI the test is
 * skipped, with the reason printed; with CI=true it fails with that reason,
 * so that CI never passes with a test that silently stopped running. The
 * shell side of the same rule is tests/skip.sh.
 *
 * Include after <cmocka.h>. Does not return inside a test. */
#ifndef FLOWTOP_TESTS_UNIT_SKIP_H
#define FLOWTOP_TESTS_UNIT_SKIP_H

#define skip_or_fail(...) skip_or_fail_at(__FILE__, __LINE__, __VA_ARGS__)

void skip_or_fail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
