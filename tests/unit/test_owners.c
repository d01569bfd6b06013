/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of ui/owners.c: the ui's table of the processes flows name. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ui/owners.h"

static struct msg_owner owner_msg(uint32_t pid, uint64_t start,
				  const char *cgroup)
{
	struct msg_owner m;

	memset(&m, 0, sizeof(m));
	m.pid = pid;
	m.start = start;
	m.uid = 1000;
	snprintf(m.comm, sizeof(m.comm), "p%u", pid);
	snprintf(m.cmdline, sizeof(m.cmdline), "prog --n %u", pid);
	snprintf(m.exe, sizeof(m.exe), "/usr/bin/prog");
	snprintf(m.cgroup, sizeof(m.cgroup), "%s", cgroup);
	return m;
}

static void test_put_get_replace(void **state)
{
	struct owners *t = owners_new();
	struct msg_owner m = owner_msg(42, 7, "/system.slice/nginx.service");
	const struct ui_owner *o;

	(void)state;
	assert_non_null(t);
	assert_null(owners_get(t, 42, 7));
	assert_int_equal(owners_put(t, &m), 0);
	o = owners_get(t, 42, 7);
	assert_non_null(o);
	assert_string_equal(o->cmdline, "prog --n 42");
	assert_string_equal(o->exe, "/usr/bin/prog");
	assert_string_equal(o->unit, "nginx.service");
	assert_string_equal(o->container, "");
	assert_int_equal(o->exited, 0);
	/* The same pid again: another process (pid reused) replaces it. */
	m = owner_msg(42, 8, "/system.slice/docker-"
		      "0123456789abcdef0123456789abcdef"
		      "0123456789abcdef0123456789abcdef.scope");
	assert_int_equal(owners_put(t, &m), 0);
	o = owners_get(t, 42, 8);
	assert_int_equal(o->start, 8);
	assert_string_equal(o->container, "docker:0123456789ab");
	assert_string_equal(o->where, "docker:0123456789ab");
	assert_int_equal(owners_count(t), 1);
	/* A flow of the first one (its start tag 7) is not given the
	 * second's details. */
	assert_null(owners_get(t, 42, 7));
	/* The tag is the start's low 24 bits. */
	m = owner_msg(42, 0x1234567890ull, "");
	assert_int_equal(owners_put(t, &m), 0);
	assert_non_null(owners_get(t, 42, 0x567890));
	assert_null(owners_get(t, 42, 0x567891));
	owners_free(t);
}

/* A process in another network namespace: the container wins where the
 * cgroup names one; else the namespace, by name or by inode. */
static void test_where(void **state)
{
	struct owners *t = owners_new();
	struct msg_owner m = owner_msg(7, 1, "/system.slice/docker-"
		"0123456789abcdef0123456789abcdef"
		"0123456789abcdef0123456789abcdef.scope");
	const struct ui_owner *o;

	(void)state;
	strcpy(m.netns, "net:[4026532178]");
	assert_int_equal(owners_put(t, &m), 0);
	o = owners_get(t, 7, 1);
	assert_string_equal(o->netns, "net:[4026532178]");
	assert_string_equal(o->where, "docker:0123456789ab");
	m = owner_msg(8, 1, "/user.slice");
	strcpy(m.netns, "blue");
	assert_int_equal(owners_put(t, &m), 0);
	assert_string_equal(owners_get(t, 8, 1)->where, "netns:blue");
	m = owner_msg(9, 1, "");
	strcpy(m.netns, "net:[4026532178]");
	assert_int_equal(owners_put(t, &m), 0);
	assert_string_equal(owners_get(t, 9, 1)->where, "net:[4026532178]");
	m = owner_msg(10, 1, "/user.slice");
	assert_int_equal(owners_put(t, &m), 0);
	assert_string_equal(owners_get(t, 10, 1)->where, "");
	owners_free(t);
}

static void test_gone_matches_start(void **state)
{
	struct owners *t = owners_new();
	struct msg_owner m = owner_msg(5, 100, "");

	(void)state;
	assert_int_equal(owners_put(t, &m), 0);
	owners_gone(t, 5, 99);          /* an older process with that pid */
	assert_int_equal(owners_get(t, 5, 100)->exited, 0);
	owners_gone(t, 6, 100);         /* unknown pid: nothing */
	owners_gone(t, 5, 100);
	assert_int_equal(owners_get(t, 5, 100)->exited, 1);
	owners_free(t);
}

/* Many owners, half exited; a sweep keeping every third pid drops the
 * exited ones not kept and nothing else, and every other stays findable
 * (the table deletes by backward shift). */
static void test_sweep(void **state)
{
	struct owners *t = owners_new();
	const uint32_t n = 5000;

	(void)state;
	for (uint32_t pid = 1; pid <= n; pid++) {
		struct msg_owner m = owner_msg(pid, pid, "");

		assert_int_equal(owners_put(t, &m), 0);
		if (pid % 2)
			owners_gone(t, pid, pid);
	}
	assert_int_equal(owners_count(t), n);
	owners_sweep_begin(t);
	for (uint32_t pid = 3; pid <= n; pid += 3)
		owners_keep(t, pid);
	owners_sweep_end(t);
	for (uint32_t pid = 1; pid <= n; pid++) {
		int want = !(pid % 2) || !(pid % 3);
		const struct ui_owner *o = owners_get(t, pid, pid);

		if (want) {
			assert_non_null(o);
			assert_int_equal(o->pid, pid);
		} else {
			assert_null(o);
		}
	}
	owners_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_replace),
		cmocka_unit_test(test_gone_matches_start),
		cmocka_unit_test(test_where),
		cmocka_unit_test(test_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
