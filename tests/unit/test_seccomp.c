/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for the seccomp policies: what each role must never be
 * allowed, whatever later edits add to its table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common/util.h"
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

	for (size_t i = 0; i < ARRAY_LEN(banned); i++) {
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
	/* It signals no one: its children stop when their channel closes. */
	assert_false(sc_allows(&collector_policy, SCMP_SYS(kill)));
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

static const struct sc_policy *const every_policy[] = {
	&collector_policy, &resolver_policy, &ui_policy, &fetch_policy,
	&validate_policy,
};

/* No role may make memory executable: mmap only with PROT_EXEC masked
 * out, and no mprotect at all. */
static void test_no_executable_memory(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(every_policy); i++) {
		const struct sc_policy *p = every_policy[i];
		int mmaps = 0;

		assert_false(sc_allows(p, SCMP_SYS(mprotect)));
		assert_false(sc_allows(p, SCMP_SYS(pkey_mprotect)));
		for (size_t j = 0; j < p->count; j++) {
			const struct sc_rule *r = &p->rules[j];

			if (r->nr != SCMP_SYS(mmap))
				continue;
			mmaps++;
			assert_int_equal(r->argc, 1);
			assert_int_equal(r->args[0].arg, 2);
			assert_int_equal(r->args[0].op, SCMP_CMP_MASKED_EQ);
			assert_true(r->args[0].datum_a & PROT_EXEC);
			assert_int_equal(r->args[0].datum_b, 0);
		}
		assert_int_equal(mmaps, 1);
	}
}

/* get/setsockopt, where a role has them at all, for one level and option
 * each; socket() for listed families and types only. */
static void test_socket_calls_have_arguments(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(every_policy); i++) {
		const struct sc_policy *p = every_policy[i];

		for (size_t j = 0; j < p->count; j++) {
			const struct sc_rule *r = &p->rules[j];

			if (r->nr == SCMP_SYS(setsockopt) ||
			    r->nr == SCMP_SYS(getsockopt)) {
				assert_int_equal(r->argc, 2);
				assert_int_equal(r->args[0].arg, 1);
				assert_int_equal(r->args[0].op, SCMP_CMP_EQ);
				assert_int_equal(r->args[1].arg, 2);
				assert_int_equal(r->args[1].op, SCMP_CMP_EQ);
			}
			if (r->nr == SCMP_SYS(socket) ||
			    r->nr == SCMP_SYS(socketpair))
				assert_int_equal(r->argc, 2);
		}
	}
}

/* Run what() in a child confined by the ui's policy as the installed
 * build loads it, with a SIGSYS handler that would report a trap on a
 * pipe. The child must die of SIGSYS without its handler having run. */
static int pipe_w = -1;

static void note_trap(long nr)
{
	(void)nr;
	if (write(pipe_w, "T", 1) < 0)
		_exit(3);
	_exit(2);
}

static void assert_killed_untrapped(void (*what)(void))
{
	char err[256] = "", got;
	int fds[2], st;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		pipe_w = fds[1];
		if (seccomp_trap_init(0, note_trap) < 0 ||
		    seccomp_install(&ui_policy, err, sizeof(err)) < 0)
			_exit(4);
		what();
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
	assert_int_equal(read(fds[0], &got, 1), 0);
	close(fds[0]);
}

static void make_socket(void)
{
	(void)socket(AF_INET, SOCK_DGRAM, 0);
}

static void map_executable(void)
{
	(void)mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
}

/* The installed build (this test links it) kills on a violation: code
 * that has taken over a role can't catch the SIGSYS and go on. */
static void test_violation_kills(void **state)
{
	(void)state;
	assert_killed_untrapped(make_socket);
	assert_killed_untrapped(map_executable);
}

/* Each policy loads: libseccomp accepts every rule of every table. */
static void test_policies_build(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(every_policy); i++) {
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);

		assert_non_null(ctx);
		for (size_t j = 0; j < every_policy[i]->count; j++) {
			const struct sc_rule *r = &every_policy[i]->rules[j];

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
		cmocka_unit_test(test_no_executable_memory),
		cmocka_unit_test(test_socket_calls_have_arguments),
		cmocka_unit_test(test_violation_kills),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
