/* SPDX-License-Identifier: GPL-2.0-only */
/* The option lists of `flowtop --help`, man/flowtop.8 (its OPTIONS
 * section) and the getopt table in common/options.c must name the same
 * options: each is checked against the table, every difference named. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/options.h"

#define MAX_NAMES 128
#define NAME_LEN 32

struct names {
	size_t n;
	char name[MAX_NAMES][NAME_LEN];
};

static int names_has(const struct names *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->name[i], name) == 0)
			return 1;
	return 0;
}

static void names_add(struct names *s, const char *name)
{
	if (names_has(s, name) || s->n == MAX_NAMES)
		return;
	snprintf(s->name[s->n++], NAME_LEN, "%s", name);
}

/* "-x" and "--word" tokens of text, up to the first two spaces (where the
 * description starts); arguments such as SEC or "\fIsec\fP" are skipped. */
static void names_scan(struct names *s, const char *text)
{
	const char *p = text, *end = strstr(text, "  ");

	while (*p && (!end || p < end)) {
		size_t n = 0;
		char tok[NAME_LEN];

		p += strspn(p, " ,\"");
		while (p[n] && !strchr(" ,\"", p[n]) && n + 1 < sizeof(tok)) {
			tok[n] = p[n];
			n++;
		}
		tok[n] = '\0';
		p += n ? n : 1;
		if (tok[0] == '-' && (isalnum((unsigned char)tok[1]) ||
				      (tok[1] == '-' && isalpha((unsigned char)tok[2]))))
			names_add(s, tok);
	}
}

static void names_from_table(struct names *s)
{
	const struct option *o = options_long_table();
	const char *sh = options_short_table();
	char tok[NAME_LEN];

	for (; o->name; o++) {
		snprintf(tok, sizeof(tok), "--%s", o->name);
		names_add(s, tok);
	}
	for (; *sh; sh++) {
		if (*sh == ':')
			continue;
		snprintf(tok, sizeof(tok), "-%c", *sh);
		names_add(s, tok);
	}
}

static void names_from_help(struct names *s)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	options_usage(f);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " ");
		if (line[0] == '-')
			names_scan(s, line);
	}
	free(buf);
}

/* Roff's "\-" is a plain minus for this purpose. */
static void man_unescape(char *line)
{
	char *w = line;

	for (const char *r = line; *r; r++) {
		if (r[0] == '\\' && r[1] == '-')
			r++;
		*w++ = *r;
	}
	*w = '\0';
}

/* The tag line after each .TP of the OPTIONS section. */
static void names_from_man(struct names *s)
{
	FILE *f = fopen("man/flowtop.8", "r");
	char line[512];
	int in_options = 0, tag = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, ".SH ", 4) == 0)
			in_options = strcmp(line, ".SH OPTIONS") == 0;
		if (!in_options)
			continue;
		if (tag && line[0] == '.' && strchr(line, ' ')) {
			man_unescape(line);
			names_scan(s, strchr(line, ' ') + 1);
		}
		tag = strcmp(line, ".TP") == 0;
	}
	fclose(f);
}

/* Every name of want in got and the other way round; each miss printed. */
static int names_diff(const struct names *table, const struct names *doc,
		      const char *where)
{
	int bad = 0;

	for (size_t i = 0; i < table->n; i++)
		if (!names_has(doc, table->name[i])) {
			print_error("%s lacks %s (in the getopt table)\n", where,
				    table->name[i]);
			bad = 1;
		}
	for (size_t i = 0; i < doc->n; i++)
		if (!names_has(table, doc->name[i])) {
			print_error("%s lists %s, which the getopt table lacks\n",
				    where, doc->name[i]);
			bad = 1;
		}
	return bad;
}

static struct names table, help, man;

static void test_table_pairs_short_and_long(void **state)
{
	const struct option *o;
	const char *sh = options_short_table();

	(void)state;
	/* Each short letter has its long name, as --help and the man page
	 * write them side by side. */
	for (; *sh; sh++) {
		int found = 0;

		if (*sh == ':')
			continue;
		for (o = options_long_table(); o->name; o++)
			found |= o->val == *sh;
		if (!found)
			print_error("-%c has no long name\n", *sh);
		assert_true(found);
	}
}

static void test_help_matches_table(void **state)
{
	(void)state;
	names_from_table(&table);
	names_from_help(&help);
	assert_true(help.n > 10);
	assert_int_equal(names_diff(&table, &help, "--help"), 0);
}

static void test_man_matches_table(void **state)
{
	(void)state;
	names_from_table(&table);
	names_from_man(&man);
	assert_true(man.n > 10);
	assert_int_equal(names_diff(&table, &man, "man/flowtop.8 OPTIONS"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_pairs_short_and_long),
		cmocka_unit_test(test_help_matches_table),
		cmocka_unit_test(test_man_matches_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
