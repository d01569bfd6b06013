/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for collector/sysctl.c, on fake knob files in a temporary
 * directory standing in for /proc/sys/net/netfilter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "collector/sysctl.h"

#define ACCT "nf_conntrack_acct"
#define TSTAMP "nf_conntrack_timestamp"

struct fixture {
	char dir[64];
	struct ct_sysctl s;
	char err[512];
};

static void knob_path(const struct fixture *f, const char *name, char *out,
		      size_t n)
{
	snprintf(out, n, "%s/%s", f->dir, name);
}

static void knob_write(const struct fixture *f, const char *name,
		       const char *value)
{
	char path[128];
	FILE *fp;

	knob_path(f, name, path, sizeof(path));
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(value, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* The knob's whole content, "" when it can't be read. */
static const char *knob_read(const struct fixture *f, const char *name)
{
	static char buf[64];
	char path[128];
	int fd;
	ssize_t n;

	knob_path(f, name, path, sizeof(path));
	buf[0] = '\0';
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/flowtop-sysctl-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	f->s.acct.fd = f->s.tstamp.fd = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[128];

	if (f->s.acct.fd >= 0)
		close(f->s.acct.fd);
	if (f->s.tstamp.fd >= 0)
		close(f->s.tstamp.fd);
	knob_path(f, ACCT, path, sizeof(path));
	if (unlink(path) < 0)
		rmdir(path);
	knob_path(f, TSTAMP, path, sizeof(path));
	if (unlink(path) < 0)
		rmdir(path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void test_enable_and_restore(void **state)
{
	struct fixture *f = *state;

	knob_write(f, ACCT, "0\n");
	knob_write(f, TSTAMP, "0\n");
	assert_int_equal(ct_sysctl_enable(&f->s, f->dir, f->err,
					  sizeof(f->err)), 0);
	assert_string_equal(knob_read(f, ACCT), "1\n");
	assert_string_equal(knob_read(f, TSTAMP), "1\n");
	assert_true(f->s.acct.fd >= 0);
	assert_true(f->s.tstamp.fd >= 0);
	assert_int_equal(f->s.acct.changed, 1);
	assert_int_equal(f->s.tstamp.changed, 1);
	assert_int_equal(f->s.acct.old_len, 2);
	assert_memory_equal(f->s.acct.old, "0\n", 2);

	ct_sysctl_restore(&f->s);
	assert_string_equal(knob_read(f, ACCT), "0\n");
	assert_string_equal(knob_read(f, TSTAMP), "0\n");
}

/* The saved bytes go back as they were read. */
static void test_restore_exact_bytes(void **state)
{
	struct fixture *f = *state;

	knob_write(f, ACCT, "0");
	knob_write(f, TSTAMP, "0\n");
	assert_int_equal(ct_sysctl_enable(&f->s, f->dir, f->err,
					  sizeof(f->err)), 0);
	assert_string_equal(knob_read(f, ACCT), "1\n");
	knob_write(f, ACCT, "1");   /* as procfs would hold it: one byte */
	ct_sysctl_restore(&f->s);
	assert_string_equal(knob_read(f, ACCT), "0");
}

/* A knob that is already on is neither written nor restored. */
static void test_already_on(void **state)
{
	struct fixture *f = *state;

	/* Without the newline, so that a write of "1\n" would show. */
	knob_write(f, ACCT, "1");
	knob_write(f, TSTAMP, "0\n");
	assert_int_equal(ct_sysctl_enable(&f->s, f->dir, f->err,
					  sizeof(f->err)), 0);
	assert_string_equal(knob_read(f, ACCT), "1");
	assert_int_equal(f->s.acct.changed, 0);
	assert_int_equal(f->s.tstamp.changed, 1);
	ct_sysctl_restore(&f->s);
	assert_string_equal(knob_read(f, ACCT), "1");
	assert_string_equal(knob_read(f, TSTAMP), "0\n");
}

static void test_restore_idempotent(void **state)
{
	struct fixture *f = *state;

	knob_write(f, ACCT, "0\n");
	knob_write(f, TSTAMP, "0\n");
	assert_int_equal(ct_sysctl_enable(&f->s, f->dir, f->err,
					  sizeof(f->err)), 0);
	ct_sysctl_restore(&f->s);
	assert_string_equal(knob_read(f, ACCT), "0\n");
	/* Someone switches it on again after we are done: a second restore
	 * (another exit path) must not touch it. */
	knob_write(f, ACCT, "1\n");
	ct_sysctl_restore(&f->s);
	ct_sysctl_restore(&f->s);
	assert_string_equal(knob_read(f, ACCT), "1\n");
	assert_string_equal(knob_read(f, TSTAMP), "0\n");
	assert_int_equal(f->s.acct.changed, 0);
	assert_int_equal(f->s.tstamp.changed, 0);
}

static void test_missing_knob(void **state)
{
	struct fixture *f = *state;

	knob_write(f, ACCT, "0\n");
	assert_int_equal(ct_sysctl_enable(&f->s, f->dir, f->err,
					  sizeof(f->err)), 0);
	assert_true(f->s.acct.fd >= 0);
	assert_int_equal(f->s.tstamp.fd, -1);
	assert_int_equal(f->s.tstamp.changed, 0);
	assert_string_equal(knob_read(f, ACCT), "1\n");
	ct_sysctl_restore(&f->s);
	assert_string_equal(knob_read(f, ACCT), "0\n");
	assert_string_equal(knob_read(f, TSTAMP), "");
}

static void test_missing_directory(void **state)
{
	struct fixture *f = *state;
	char dir[128];

	snprintf(dir, sizeof(dir), "%s/absent", f->dir);
	assert_int_equal(ct_sysctl_enable(&f->s, dir, f->err,
					  sizeof(f->err)), 0);
	assert_int_equal(f->s.acct.fd, -1);
	assert_int_equal(f->s.tstamp.fd, -1);
	ct_sysctl_restore(&f->s);
}

/* An existing knob that can't be opened for writing is an error naming
 * it, and the knob already switched on is put back. A directory stands in
 * for the unwritable file: root may open any file, but no directory, for
 * writing. */
static void test_unwritable_knob(void **state)
{
	struct fixture *f = *state;
	char path[128];

	knob_write(f, ACCT, "0\n");
	knob_path(f, TSTAMP, path, sizeof(path));
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(ct_sysctl_enable(&f->s, f->dir, f->err,
					  sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, path));
	assert_non_null(strstr(f->err, "writing"));
	assert_string_equal(knob_read(f, ACCT), "0\n");
	assert_int_equal(f->s.acct.fd, -1);
	assert_int_equal(f->s.acct.changed, 0);
	assert_int_equal(f->s.tstamp.fd, -1);
	ct_sysctl_restore(&f->s);
	assert_string_equal(knob_read(f, ACCT), "0\n");
}

static void test_empty_value_rejected(void **state)
{
	struct fixture *f = *state;
	char path[128];

	knob_write(f, ACCT, "");
	knob_write(f, TSTAMP, "0\n");
	assert_int_equal(ct_sysctl_enable(&f->s, f->dir, f->err,
					  sizeof(f->err)), -1);
	knob_path(f, ACCT, path, sizeof(path));
	assert_non_null(strstr(f->err, path));
	assert_string_equal(knob_read(f, TSTAMP), "0\n");
}

static struct ct_sysctl *signal_target;

static void on_signal(int sig)
{
	(void)sig;
	ct_sysctl_restore(signal_target);
}

/* What the collector's fatal-signal path does. */
static void test_restore_from_signal_handler(void **state)
{
	struct fixture *f = *state;
	struct sigaction sa, old;

	knob_write(f, ACCT, "0\n");
	knob_write(f, TSTAMP, "0\n");
	assert_int_equal(ct_sysctl_enable(&f->s, f->dir, f->err,
					  sizeof(f->err)), 0);
	signal_target = &f->s;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	assert_int_equal(raise(SIGUSR1), 0);
	assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
	assert_string_equal(knob_read(f, ACCT), "0\n");
	assert_string_equal(knob_read(f, TSTAMP), "0\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enable_and_restore,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_exact_bytes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_already_on,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_idempotent,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_knob,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_directory,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_knob,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_value_rejected,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_from_signal_handler,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
