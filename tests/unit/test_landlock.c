/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for privsep/landlock.c: the rights each ABI handles, the
 * status words, and (where the kernel has Landlock) a ruleset built and
 * applied in a child: a path-beneath rule lets its directory be read and
 * nothing else, a descriptor rule lets exactly that file be opened. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "privsep/landlock.h"
#include "tests/unit/skip.h"

static void test_rights_by_abi(void **state)
{
	(void)state;
	assert_int_equal(landlock_fs_rights(0), 0);
	assert_int_equal(landlock_fs_rights(1), 0x1fff);
	assert_int_equal(landlock_fs_rights(2), 0x3fff);
	assert_int_equal(landlock_fs_rights(3), 0x7fff);
	assert_int_equal(landlock_fs_rights(4), 0x7fff);
	assert_int_equal(landlock_fs_rights(5), 0xffff);
	assert_int_equal(landlock_fs_rights(7), 0xffff);
	assert_int_equal(landlock_net_rights(3), 0);
	assert_int_equal(landlock_net_rights(4), 3);
	assert_int_equal(landlock_scopes(5), 0);
	assert_int_equal(landlock_scopes(6), 3);
}

static void test_status_words(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(landlock_status(0, b, sizeof(b)), "Landlock off");
	assert_string_equal(landlock_status(3, b, sizeof(b)), "Landlock ABI 3");
	assert_string_equal(landlock_status(LL_ABI_WANTED, b, sizeof(b)), "");
	assert_string_equal(landlock_status(LL_ABI_WANTED + 1, b, sizeof(b)), "");
}

/* In a child: restrict to dir (read) and file_fd (read), then report
 * which opens work, as bits. */
static int ll_child(const char *dir, const char *inside, const char *other)
{
	char path[64], err[256];
	struct ll_rule rules[2] = {
		{ dir, -1, LL_READ },
		{ NULL, open(other, O_RDONLY | O_CLOEXEC),
		  LANDLOCK_ACCESS_FS_READ_FILE },
	};
	struct ll_policy p = { .role = "test", .rules = rules, .nrules = 2,
		.scoped = LANDLOCK_SCOPE_SIGNAL };
	int bits = 0, fd;

	if (rules[1].fd < 0 || landlock_apply(&p, err, sizeof(err)) <= 0) {
		fprintf(stderr, "%s\n", err);
		return 64;
	}
	if ((fd = open(inside, O_RDONLY)) >= 0)
		bits |= 1, close(fd);
	if ((fd = open(inside, O_WRONLY)) < 0 && errno == EACCES)
		bits |= 2;
	if ((fd = open("/etc/passwd", O_RDONLY)) < 0 && errno == EACCES)
		bits |= 4;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", rules[1].fd);
	if ((fd = open(path, O_RDONLY)) >= 0)
		bits |= 8, close(fd);
	if ((fd = open(other, O_WRONLY)) < 0 && errno == EACCES)
		bits |= 16;
	/* a signal outside the domain: the parent */
	if (kill(getppid(), 0) < 0 && errno == EPERM)
		bits |= 32;
	return bits;
}

static void test_apply_in_child(void **state)
{
	char dir[] = "/tmp/ft-ll-XXXXXX", other[] = "/tmp/ft-ll-other-XXXXXX";
	char inside[64];
	int st, fd, abi = landlock_abi();
	pid_t pid;

	(void)state;
	if (abi == 0)
		skip_or_fail("the kernel has no Landlock");
	assert_non_null(mkdtemp(dir));
	snprintf(inside, sizeof(inside), "%s/f", dir);
	fd = open(inside, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	fd = mkstemp(other);
	assert_true(fd >= 0);
	close(fd);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(ll_child(dir, inside, other));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	unlink(inside);
	rmdir(dir);
	unlink(other);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st),
			 1 | 2 | 4 | 8 | 16 | (abi >= 6 ? 32 : 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rights_by_abi),
		cmocka_unit_test(test_status_words),
		cmocka_unit_test(test_apply_in_child),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
