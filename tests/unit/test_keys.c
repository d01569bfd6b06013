/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for ui/keys.c: one action per key code, and the man page's
 * KEYS section lists exactly the keys of the table, in its order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "tests/unit/skip.h"

#include "ui/keys.h"

static void test_codes_unique(void **state)
{
	size_t n;
	const struct key_def *k = keys_table(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		assert_true(k[i].label && k[i].label[0]);
		assert_true(k[i].help && k[i].help[0]);
		for (size_t j = 0; j < KEY_CODES && k[i].codes[j]; j++)
			assert_int_equal(keys_action(k[i].codes[j]), k[i].act);
	}
	assert_int_equal(keys_action('Z'), KA_NONE);
	assert_int_equal(keys_action('g'), KA_GROUP);
}

/* A label as troff shows it: "\-" is the minus sign. */
static void man_unescape(char out[32], const char *in)
{
	size_t n = 0;

	for (; *in && n < 31; in++, n++) {
		if (in[0] == '\\' && in[1] == '-')
			in++;
		out[n] = *in;
	}
	out[n] = 0;
}

/* The labels after ".TP" / ".B " in the KEYS section. */
static size_t man_labels(FILE *f, char labels[][32], size_t max)
{
	char line[512];
	int in_keys = 0, after_tp = 0;
	size_t n = 0;

	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, ".SH ", 4)) {
			in_keys = !strcmp(line, ".SH KEYS");
			continue;
		}
		if (!in_keys)
			continue;
		if (after_tp && !strncmp(line, ".B ", 3) && n < max)
			man_unescape(labels[n++], line + 3);
		after_tp = !strcmp(line, ".TP");
	}
	return n;
}

static void test_man_page_lists_the_keys(void **state)
{
	FILE *f = fopen("man/flowtop.8", "r");
	char labels[64][32];
	size_t n, nm;
	const struct key_def *k = keys_table(&n);

	(void)state;
	if (!f)
		skip_or_fail("no man/flowtop.8: run from the top of the tree (make check does)");
	nm = man_labels(f, labels, 64);
	fclose(f);
	assert_int_equal(nm, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(labels[i], k[i].label);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes_unique),
		cmocka_unit_test(test_man_page_lists_the_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
