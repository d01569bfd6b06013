/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for the seccomp policies: what each role must never be
 * allowed, whatever later edits add to its table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/socket.h>
#include "privsep/seccomp.h"
#include "collector/run.h"
#include "geoip-update/sandbox.h"
#include "resolver/resolver.h"
#include "ui/ui.h"

static int sc_allows(const struct sc_policy *p, int nr)
{
	for (size_t i = 0; i < p->count; i++)
		if (p->rules[i].nr == nr)
			return 1;
	return 0;
}

/* Nothing that opens files, runs programs, traces or serves. */
static void assert_never(const struct sc_policy *p, int may_read_files)
{
	static const int banned[] = {
		SCMP_SYS(open), SCMP_SYS(openat2),
		SCMP_SYS(creat), SCMP_SYS(execve), SCMP_SYS(execveat),
		SCMP_SYS(ptrace), SCMP_SYS(bind), SCMP_SYS(listen),
		SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(fork),
		SCMP_SYS(vfork), SCMP_SYS(clone), SCMP_SYS(clone3),
		SCMP_SYS(chroot), SCMP_SYS(mount), SCMP_SYS(setuid),
	};

	for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++) {
		if (sc_allows(p, banned[i]))
			fail_msg("%s policy allows syscall %d", p->role, banned[i]);
	}
	if (!may_read_files)
		assert_false(sc_allows(p, SCMP_SYS(openat)));
}

static void test_resolver_never(void **state)
{
	(void)state;
	assert_never(&resolver_policy, 1);
}

static void test_ui_never(void **state)
{
	(void)state;
	assert_never(&ui_policy, 0);
	/* The ui makes no sockets at all. */
	assert_false(sc_allows(&ui_policy, SCMP_SYS(socket)));
}

/* Every openat rule of p is read-only: no write access, no creation. */
static void assert_openat_read_only(const struct sc_policy *p)
{
	for (size_t i = 0; i < p->count; i++) {
		const struct sc_rule *r = &p->rules[i];

		if (r->nr != SCMP_SYS(openat))
			continue;
		assert_int_equal(r->argc, 1);
		assert_int_equal(r->args[0].arg, 2);
		assert_int_equal(r->args[0].op, SCMP_CMP_MASKED_EQ);
		assert_true((r->args[0].datum_a & O_ACCMODE) == O_ACCMODE);
		assert_true(r->args[0].datum_a & O_CREAT);
		assert_true(r->args[0].datum_a & O_TRUNC);
		assert_int_equal(r->args[0].datum_b, 0);
	}
}

static void test_collector_never(void **state)
{
	(void)state;
	assert_never(&collector_policy, 1);
	assert_false(sc_allows(&collector_policy, SCMP_SYS(socket)));
	/* It reads /proc, but no openat rule may let it write or create. */
	assert_openat_read_only(&collector_policy);
}

/* The resolver reads databases inside its chroot (live reload), the
 * validator its /proc/self/fd files: read-only. The fetcher opens none. */
static void test_resolver_opens_read_only(void **state)
{
	(void)state;
	assert_openat_read_only(&resolver_policy);
}

static void test_update_children_never(void **state)
{
	(void)state;
	assert_never(&fetch_policy, 0);
	assert_never(&validate_policy, 1);
	assert_openat_read_only(&validate_policy);
	assert_false(sc_allows(&validate_policy, SCMP_SYS(socket)));
	assert_false(sc_allows(&validate_policy, SCMP_SYS(connect)));
}

/* The resolver's socket() is limited to AF_INET/AF_INET6 datagram and
 * stream sockets: every socket rule compares both arguments. */
static void test_resolver_socket_args(void **state)
{
	int seen = 0;

	(void)state;
	for (size_t i = 0; i < resolver_policy.count; i++) {
		const struct sc_rule *r = &resolver_policy.rules[i];

		if (r->nr != SCMP_SYS(socket))
			continue;
		seen++;
		assert_int_equal(r->argc, 2);
		assert_int_equal(r->args[0].arg, 0);
		assert_int_equal(r->args[0].op, SCMP_CMP_EQ);
		assert_true(r->args[0].datum_a == AF_INET ||
			    r->args[0].datum_a == AF_INET6);
		assert_int_equal(r->args[1].arg, 1);
		assert_int_equal(r->args[1].op, SCMP_CMP_MASKED_EQ);
		assert_true(r->args[1].datum_b == SOCK_DGRAM ||
			    r->args[1].datum_b == SOCK_STREAM);
	}
	assert_int_equal(seen, 4);
}

/* Each policy loads: libseccomp accepts every rule of every table. */
static void test_policies_build(void **state)
{
	const struct sc_policy *all[] = {
		&collector_policy, &resolver_policy,
		&ui_policy,
	};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);

		assert_non_null(ctx);
		for (size_t j = 0; j < all[i]->count; j++) {
			const struct sc_rule *r = &all[i]->rules[j];

			assert_int_equal(seccomp_rule_add_array(ctx,
				SCMP_ACT_ALLOW, r->nr, r->argc,
				r->argc ? r->args : NULL), 0);
		}
		seccomp_release(ctx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolver_never),
		cmocka_unit_test(test_ui_never),
		cmocka_unit_test(test_collector_never),
		cmocka_unit_test(test_resolver_opens_read_only),
		cmocka_unit_test(test_update_children_never),
		cmocka_unit_test(test_resolver_socket_args),
		cmocka_unit_test(test_policies_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
