/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of ui/users.c: the uid -> name table, loaded from a
 * fabricated source (no /etc/passwd) and, once, from the system's. */
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/escape.h"
#include "tests/unit/fake_users.h"
#include "ui/users.h"

static struct users *load(const struct fake_user *e, size_t n, size_t max,
			  size_t max_bytes, struct fake_users_src *src)
{
	struct users *u = fake_users_load(e, n, max, max_bytes, src);

	assert_non_null(u);
	return u;
}

static void test_lookup(void **state)
{
	static const struct fake_user e[] = {
		{ 0, "root" }, { 1, "daemon" }, { 65534, "nobody" },
		{ 1000, "alice" }, { 4294967294u, "big" },
	};
	struct users *u = load(e, 5, USERS_MAX, USERS_BYTES_MAX, NULL);
	char buf[USERS_SHOW_MIN];

	(void)state;
	assert_int_equal(users_count(u), 5);
	assert_false(users_truncated(u));
	assert_string_equal(users_name(u, 0), "root");
	assert_string_equal(users_name(u, 1), "daemon");
	assert_string_equal(users_name(u, 65534), "nobody");
	assert_string_equal(users_name(u, 1000), "alice");
	assert_string_equal(users_name(u, 4294967294u), "big");
	assert_null(users_name(u, 2));
	assert_null(users_name(u, 1001));
	assert_null(users_name(u, 4294967295u));
	/* The column: the name, else the number. */
	assert_string_equal(users_show(u, 1000, buf, sizeof(buf)), "alice");
	assert_string_equal(users_show(u, 1001, buf, sizeof(buf)), "1001");
	assert_string_equal(users_show(u, 4294967295u, buf, sizeof(buf)),
			    "4294967295");
	users_free(u);

	/* No table at all: numbers. */
	assert_null(users_name(NULL, 0));
	assert_int_equal(users_count(NULL), 0);
	assert_string_equal(users_show(NULL, 0, buf, sizeof(buf)), "0");
	users_free(NULL);
}

/* An empty source, and one that gives nothing usable. */
static void test_empty(void **state)
{
	static const struct fake_user e[] = {
		{ 5, "" }, { 6, NULL },
		{ 7, "a-name-of-thirty-three-bytes-long" },
	};
	struct users *u;
	char buf[USERS_SHOW_MIN];

	(void)state;
	_Static_assert(sizeof("a-name-of-thirty-three-bytes-long") - 1 ==
		       USERS_NAME_MAX + 1, "the long name is one too long");
	u = load(e, 0, USERS_MAX, USERS_BYTES_MAX, NULL);
	assert_int_equal(users_count(u), 0);
	assert_null(users_name(u, 0));
	users_free(u);
	/* Empty, missing and over-long names are not kept, and do not
	 * count as a cut. */
	u = load(e, 3, USERS_MAX, USERS_BYTES_MAX, NULL);
	assert_int_equal(users_count(u), 0);
	assert_false(users_truncated(u));
	assert_null(users_name(u, 5));
	assert_null(users_name(u, 7));
	assert_string_equal(users_show(u, 7, buf, sizeof(buf)), "7");
	users_free(u);
}

/* A uid listed twice keeps its first name, as getpwuid answers. */
static void test_duplicates(void **state)
{
	static const struct fake_user e[] = {
		{ 0, "root" }, { 0, "toor" }, { 1000, "alice" },
		{ 1000, "alice2" }, { 1001, "alice" },
	};
	struct users *u = load(e, 5, USERS_MAX, USERS_BYTES_MAX, NULL);

	(void)state;
	assert_int_equal(users_count(u), 3);
	assert_string_equal(users_name(u, 0), "root");
	assert_string_equal(users_name(u, 1000), "alice");
	assert_string_equal(users_name(u, 1001), "alice");
	users_free(u);
}

/* Names are kept as bytes, whatever they hold; escaped where shown. */
static void test_hostile_names(void **state)
{
	static const struct fake_user e[] = {
		{ 100, "\x1b]0;pwned\x07" },
		{ 101, "ev\xe2\x80\xaeil" },         /* U+202E */
		{ 102, "\xff\xfe" },                  /* not UTF-8 */
		{ 103, "j\xc3\xbcrgen" },             /* valid UTF-8 */
		{ 104, "a\"b\\c" },
	};
	struct users *u = load(e, 5, USERS_MAX, USERS_BYTES_MAX, NULL);
	/* As the screen and the text table show them, and as JSON. */
	static const struct {
		uint32_t uid;
		int json;
		const char *shown;
	} want[] = {
		{ 100, 0, "\\x1b]0;pwned\\x07" },
		{ 101, 0, "ev\\xe2\\x80\\xaeil" },
		{ 102, 0, "\\xff\\xfe" },
		{ 103, 0, "j\xc3\xbcrgen" },
		{ 104, 1, "a\\\"b\\\\c" },
		{ 100, 1, "\\u001b]0;pwned\\u0007" },
	};
	char out[6 * USERS_NAME_MAX + 1];

	(void)state;
	assert_int_equal(users_count(u), 5);
	assert_string_equal(users_name(u, 100), "\x1b]0;pwned\x07");
	assert_string_equal(users_name(u, 102), "\xff\xfe");
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
		const char *n = users_name(u, want[i].uid);

		assert_non_null(n);
		if (want[i].json)
			esc_json(out, sizeof(out), n, strlen(n));
		else
			esc_term(out, sizeof(out), n, strlen(n));
		assert_string_equal(out, want[i].shown);
	}
	users_free(u);
}

/* The longest name kept, escaped 4 bytes a byte, fits the buffer the
 * printers give it. */
static void test_longest_name_escaped(void **state)
{
	char name[USERS_NAME_MAX + 1], out[4 * USERS_NAME_MAX + 1];
	struct fake_user e[1];
	struct users *u;

	(void)state;
	memset(name, 0x1b, USERS_NAME_MAX);
	name[USERS_NAME_MAX] = '\0';
	e[0] = (struct fake_user){ 9, name };
	u = load(e, 1, USERS_MAX, USERS_BYTES_MAX, NULL);
	assert_string_equal(users_name(u, 9), name);
	assert_int_equal(esc_term(out, sizeof(out), name, USERS_NAME_MAX),
			 4 * USERS_NAME_MAX);
	users_free(u);
}

/* The bounds: entries and bytes. What is cut shows as its number, and
 * the source is not read on once the table is full. */
static void test_bounds(void **state)
{
	enum { N = 1000 };
	struct fake_user *e = calloc(N, sizeof(*e));
	char (*names)[8] = calloc(N, sizeof(*names));
	struct fake_users_src src;
	struct users *u;

	(void)state;
	assert_non_null(e);
	assert_non_null(names);
	for (size_t i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "u%zu", i);
		e[i] = (struct fake_user){ (uint32_t)(10000 + i), names[i] };
	}
	u = load(e, N, N, USERS_BYTES_MAX, &src);
	assert_int_equal(users_count(u), N);
	assert_false(users_truncated(u));
	users_free(u);

	u = load(e, N, 100, USERS_BYTES_MAX, &src);
	assert_int_equal(users_count(u), 100);
	assert_true(users_truncated(u));
	assert_string_equal(users_name(u, 10099), "u99");
	assert_null(users_name(u, 10100));
	assert_int_equal(src.calls, 101);
	users_free(u);

	/* Bytes: "u0".."u9" take 3 each with the NUL, "u10".. 4. */
	u = load(e, N, N, 3 * 10 + 4 * 5, &src);
	assert_int_equal(users_count(u), 15);
	assert_true(users_truncated(u));
	assert_string_equal(users_name(u, 10014), "u14");
	assert_null(users_name(u, 10015));
	users_free(u);

	/* Asked for more than the caps allow: capped. */
	u = load(e, N, (size_t)-1, (size_t)-1, &src);
	assert_int_equal(users_count(u), N);
	users_free(u);
	free(e);
	free(names);
}

/* USERS_MAX itself: the 65537th entry is left out. */
static void test_cap(void **state)
{
	size_t n = USERS_MAX + 1;
	struct fake_user *e = calloc(n, sizeof(*e));
	struct users *u;

	(void)state;
	assert_non_null(e);
	for (size_t i = 0; i < n; i++)
		e[i] = (struct fake_user){ (uint32_t)i, "x" };
	u = load(e, n, (size_t)-1, (size_t)-1, NULL);
	assert_int_equal(users_count(u), USERS_MAX);
	assert_true(users_truncated(u));
	assert_string_equal(users_name(u, USERS_MAX - 1), "x");
	assert_null(users_name(u, USERS_MAX));
	for (size_t i = 0; i < USERS_MAX; i += 997)
		assert_non_null(users_name(u, (uint32_t)i));
	users_free(u);
	free(e);
}

/* The system's table answers as getpwuid does (what the ui loads before
 * its sandbox): root, and nobody where the database has it. */
static void test_system(void **state)
{
	struct users *u = users_load_system();
	static const char *const names[] = { "root", "nobody", "daemon" };

	(void)state;
	assert_non_null(u);
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		struct passwd *pw = getpwnam(names[i]);
		uid_t uid;

		if (!pw)
			continue;
		uid = pw->pw_uid;
		pw = getpwuid(uid);     /* the first name of that uid */
		assert_non_null(pw);
		assert_string_equal(users_name(u, (uint32_t)uid), pw->pw_name);
	}
	users_free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_longest_name_escaped),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_system),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
