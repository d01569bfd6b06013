/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for collector/sysctl.c, in a temporary directory: fake knob
 * files standing in for /proc/sys/net/netfilter, the state directory
 * standing in for /run/flowtop, and a fake /proc whose PID/stat files say
 * which runs live (pids 1001... are runs of this test, not processes). */
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
#include "tests/unit/skip.h"

#define ACCT "nf_conntrack_acct"
#define TSTAMP "nf_conntrack_timestamp"
#define RUNS 4

struct fixture {
	char dir[64];
	char knobs[96], state[96], proc[96];
	struct ct_sysctl s[RUNS];     /* s[i] is pid 1001 + i */
	char err[512];
};

static pid_t run_pid(int i)
{
	return (pid_t)(1001 + i);
}

static void path_in(const char *dir, const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void file_put(const char *path, const char *value)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(value, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void knob_write(const struct fixture *f, const char *name,
		       const char *value)
{
	char path[160];

	path_in(f->knobs, name, path, sizeof(path));
	file_put(path, value);
}

/* The knob's whole content, "" when it can't be read. */
static const char *knob_read(const struct fixture *f, const char *name)
{
	static char buf[64];
	char path[160];
	int fd;
	ssize_t n;

	path_in(f->knobs, name, path, sizeof(path));
	buf[0] = '\0';
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

/* "acct tstamp" with the newlines left out. */
static const char *knobs(const struct fixture *f)
{
	static char both[64];
	char a[32];

	snprintf(a, sizeof(a), "%s", knob_read(f, ACCT));
	a[strcspn(a, "\n")] = 0;
	snprintf(both, sizeof(both), "%s %s", a, knob_read(f, TSTAMP));
	both[strcspn(both, "\n")] = 0;
	return both;
}

/* Run i's /proc/PID/stat, started at start (field 22); the command name
 * has the parentheses and spaces a hostile one could have. */
static void proc_live(const struct fixture *f, int i, unsigned long start)
{
	char dir[160], path[192], line[256];
	int n, k;

	snprintf(dir, sizeof(dir), "%s/%d", f->proc, (int)run_pid(i));
	mkdir(dir, 0755);
	n = snprintf(line, sizeof(line), "%d (a) b) 9 9) S", (int)run_pid(i));
	for (k = 4; k <= 21; k++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " %d", k);
	snprintf(line + n, sizeof(line) - (size_t)n, " %lu 23 24\n", start);
	snprintf(path, sizeof(path), "%s/stat", dir);
	file_put(path, line);
}

static void proc_gone(const struct fixture *f, int i)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%d/stat", f->proc, (int)run_pid(i));
	unlink(path);
	snprintf(path, sizeof(path), "%s/%d", f->proc, (int)run_pid(i));
	rmdir(path);
}

static int enable(struct fixture *f, int i)
{
	const struct ct_sysctl_where w = {
		.knobs = f->knobs, .state = f->state, .proc = f->proc,
		.owner = geteuid(), .pid = run_pid(i),
	};

	return ct_sysctl_enable(&f->s[i], &w, f->err, sizeof(f->err));
}

/* Both knobs off, as the administrator set them; run 0 starts. */
static void start_from_off(struct fixture *f)
{
	knob_write(f, ACCT, "0\n");
	knob_write(f, TSTAMP, "0\n");
	assert_int_equal(enable(f, 0), 0);
}

/* Run i ends as SIGKILL would end it: no restore, its process gone. */
static void killed(struct fixture *f, int i)
{
	ct_sysctl_close(&f->s[i]);
	proc_gone(f, i);
}

static void state_path(const struct fixture *f, char *out, size_t n)
{
	struct stat ns;

	assert_int_equal(stat("/proc/self/ns/net", &ns), 0);
	snprintf(out, n, "%s/netns-%llu", f->state,
		 (unsigned long long)ns.st_ino);
}

static void state_load(const struct fixture *f, struct ct_sysctl_state *st)
{
	char path[192];
	int fd;

	state_path(f, path, sizeof(path));
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, st, sizeof(*st)), (ssize_t)sizeof(*st));
	close(fd);
}

static void state_store(const struct fixture *f,
			const struct ct_sysctl_state *st)
{
	char path[192];
	int fd;

	state_path(f, path, sizeof(path));
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, st, sizeof(*st)), (ssize_t)sizeof(*st));
	close(fd);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int i;

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/flowtop-sysctl-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	path_in(f->dir, "netfilter", f->knobs, sizeof(f->knobs));
	path_in(f->dir, "run", f->state, sizeof(f->state));
	path_in(f->dir, "proc", f->proc, sizeof(f->proc));
	if (mkdir(f->knobs, 0755) < 0 || mkdir(f->proc, 0755) < 0)
		return -1;
	for (i = 0; i < RUNS; i++) {
		ct_sysctl_init(&f->s[i]);
		proc_live(f, i, 5000 + (unsigned long)i);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	int i;

	for (i = 0; i < RUNS; i++)
		ct_sysctl_close(&f->s[i]);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* --- one run, as before ------------------------------------------------ */

static void test_enable_and_restore(void **state)
{
	struct fixture *f = *state;
	struct stat sb;
	char path[192];

	start_from_off(f);
	assert_string_equal(knob_read(f, ACCT), "1\n");
	assert_string_equal(knob_read(f, TSTAMP), "1\n");
	assert_true(f->s[0].fd[0] >= 0);
	assert_true(f->s[0].fd[1] >= 0);
	assert_int_equal(f->s[0].registered, 1);
	/* The state: root's alone (here: ours), made as needed. */
	assert_int_equal(stat(f->state, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	state_path(f, path, sizeof(path));
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	ct_sysctl_restore(&f->s[0]);
	assert_string_equal(knob_read(f, ACCT), "0\n");
	assert_string_equal(knob_read(f, TSTAMP), "0\n");
}

/* The saved bytes go back as they were read. */
static void test_restore_exact_bytes(void **state)
{
	struct fixture *f = *state;

	knob_write(f, ACCT, "0");
	knob_write(f, TSTAMP, "0\n");
	assert_int_equal(enable(f, 0), 0);
	assert_string_equal(knob_read(f, ACCT), "1\n");
	knob_write(f, ACCT, "1");   /* as procfs would hold it: one byte */
	ct_sysctl_restore(&f->s[0]);
	assert_string_equal(knob_read(f, ACCT), "0");
}

/* A knob that is already on is neither written nor restored. */
static void test_already_on(void **state)
{
	struct fixture *f = *state;
	struct ct_sysctl_state st;

	/* Without the newline, so that a write of "1\n" would show. */
	knob_write(f, ACCT, "1");
	knob_write(f, TSTAMP, "0\n");
	assert_int_equal(enable(f, 0), 0);
	assert_string_equal(knob_read(f, ACCT), "1");
	state_load(f, &st);
	assert_int_equal(st.knob[0].switched, 0);
	assert_int_equal(st.knob[1].switched, 1);
	assert_int_equal(st.nruns, 1);
	assert_int_equal(st.run[0].pid, 1001);
	assert_int_equal(st.run[0].start, 5000);
	ct_sysctl_restore(&f->s[0]);
	assert_string_equal(knob_read(f, ACCT), "1");
	assert_string_equal(knob_read(f, TSTAMP), "0\n");
	state_load(f, &st);
	assert_int_equal(st.nruns, 0);
	assert_int_equal(st.knob[1].switched, 0);
}

static void test_restore_idempotent(void **state)
{
	struct fixture *f = *state;

	start_from_off(f);
	ct_sysctl_restore(&f->s[0]);
	assert_string_equal(knob_read(f, ACCT), "0\n");
	/* Someone switches it on again after we are done: a second restore
	 * (another exit path) must not touch it. */
	knob_write(f, ACCT, "1\n");
	ct_sysctl_restore(&f->s[0]);
	ct_sysctl_restore(&f->s[0]);
	assert_string_equal(knob_read(f, ACCT), "1\n");
	assert_string_equal(knob_read(f, TSTAMP), "0\n");
	assert_int_equal(f->s[0].registered, 0);
}

static void test_missing_knob(void **state)
{
	struct fixture *f = *state;

	knob_write(f, ACCT, "0\n");
	assert_int_equal(enable(f, 0), 0);
	assert_true(f->s[0].fd[0] >= 0);
	assert_int_equal(f->s[0].fd[1], -1);
	assert_string_equal(knob_read(f, ACCT), "1\n");
	ct_sysctl_restore(&f->s[0]);
	assert_string_equal(knob_read(f, ACCT), "0\n");
	assert_string_equal(knob_read(f, TSTAMP), "");
}

/* No knob at all: nothing to do, not even a state file. */
static void test_missing_directory(void **state)
{
	struct fixture *f = *state;
	struct stat sb;

	snprintf(f->knobs, sizeof(f->knobs), "%s/absent", f->dir);
	assert_int_equal(enable(f, 0), 0);
	assert_int_equal(f->s[0].fd[0], -1);
	assert_int_equal(f->s[0].fd[1], -1);
	assert_int_equal(f->s[0].state_fd, -1);
	assert_int_equal(stat(f->state, &sb), -1);
	ct_sysctl_restore(&f->s[0]);
}

/* An existing knob that can't be opened for writing is an error naming
 * it, and neither knob is left switched on. A directory stands in for the
 * unwritable file: root may open any file, but no directory, for
 * writing. */
static void test_unwritable_knob(void **state)
{
	struct fixture *f = *state;
	char path[160];

	knob_write(f, ACCT, "0\n");
	path_in(f->knobs, TSTAMP, path, sizeof(path));
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(enable(f, 0), -1);
	assert_non_null(strstr(f->err, path));
	assert_non_null(strstr(f->err, "writing"));
	assert_string_equal(knob_read(f, ACCT), "0\n");
	assert_int_equal(f->s[0].fd[0], -1);
	assert_int_equal(f->s[0].fd[1], -1);
	assert_int_equal(f->s[0].registered, 0);
	ct_sysctl_restore(&f->s[0]);
	assert_string_equal(knob_read(f, ACCT), "0\n");
}

/* A bad value is an error naming the knob; nothing switched, no run
 * recorded. */
static void test_empty_value_rejected(void **state)
{
	struct fixture *f = *state;
	struct ct_sysctl_state st;
	char path[160];

	knob_write(f, ACCT, "");
	knob_write(f, TSTAMP, "0\n");
	assert_int_equal(enable(f, 0), -1);
	path_in(f->knobs, ACCT, path, sizeof(path));
	assert_non_null(strstr(f->err, path));
	assert_string_equal(knob_read(f, TSTAMP), "0\n");
	state_load(f, &st);
	assert_int_equal(st.nruns, 0);
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

	start_from_off(f);
	signal_target = &f->s[0];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	assert_int_equal(raise(SIGUSR1), 0);
	assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
	assert_string_equal(knob_read(f, ACCT), "0\n");
	assert_string_equal(knob_read(f, TSTAMP), "0\n");
}

/* --- several runs ------------------------------------------------------- */

/* The first to end leaves counting on for the other; the last puts the
 * administrator's values back. */
static void test_concurrent_first_ends(void **state)
{
	struct fixture *f = *state;

	start_from_off(f);
	assert_int_equal(enable(f, 1), 0);
	assert_string_equal(knobs(f), "1 1");
	ct_sysctl_restore(&f->s[0]);
	assert_string_equal(knobs(f), "1 1");
	ct_sysctl_restore(&f->s[1]);
	assert_string_equal(knobs(f), "0 0");
}

/* The same, ending in the order they started in reverse. */
static void test_concurrent_last_ends(void **state)
{
	struct fixture *f = *state;

	start_from_off(f);
	assert_int_equal(enable(f, 1), 0);
	assert_int_equal(enable(f, 2), 0);
	ct_sysctl_restore(&f->s[2]);
	ct_sysctl_restore(&f->s[0]);
	assert_string_equal(knobs(f), "1 1");
	ct_sysctl_restore(&f->s[1]);
	assert_string_equal(knobs(f), "0 0");
}

/* One of two runs is killed: counting stays on for the other, which puts
 * the values back when it ends. */
static void test_killed_during_concurrent_run(void **state)
{
	struct fixture *f = *state;

	start_from_off(f);
	assert_int_equal(enable(f, 1), 0);
	killed(f, 1);
	assert_string_equal(knobs(f), "1 1");
	ct_sysctl_restore(&f->s[0]);
	assert_string_equal(knobs(f), "0 0");
}

/* The only run is killed: the next start puts the administrator's values
 * back first, records them again, and its end leaves them. */
static void test_stale_state_restored(void **state)
{
	struct fixture *f = *state;
	struct ct_sysctl_state st;

	start_from_off(f);
	killed(f, 0);
	assert_string_equal(knobs(f), "1 1");
	assert_int_equal(enable(f, 1), 0);
	assert_string_equal(knobs(f), "1 1");
	state_load(f, &st);
	assert_int_equal(st.nruns, 1);
	assert_int_equal(st.run[0].pid, 1002);
	assert_int_equal(st.knob[0].switched, 1);
	assert_memory_equal(st.knob[0].value, "0\n", 2);
	ct_sysctl_restore(&f->s[1]);
	assert_string_equal(knobs(f), "0 0");
}

/* A reused pid is not the run: another start time means it is gone. */
static void test_reused_pid_is_dead(void **state)
{
	struct fixture *f = *state;

	start_from_off(f);
	ct_sysctl_close(&f->s[0]);
	proc_live(f, 0, 9999);          /* pid 1001 again, another process */
	assert_int_equal(enable(f, 1), 0);
	ct_sysctl_restore(&f->s[1]);
	assert_string_equal(knobs(f), "0 0");
}

/* The administrator switches a knob off while flowtop runs, and another
 * run starts: it switches it on again and the last run leaves it off. A
 * knob that was on when the first run started stays on. */
static void test_admin_changes_mid_run(void **state)
{
	struct fixture *f = *state;

	knob_write(f, ACCT, "1\n");
	knob_write(f, TSTAMP, "0\n");
	assert_int_equal(enable(f, 0), 0);
	knob_write(f, ACCT, "0\n");
	assert_int_equal(enable(f, 1), 0);
	assert_string_equal(knobs(f), "1 1");
	ct_sysctl_restore(&f->s[0]);
	assert_string_equal(knobs(f), "1 1");
	ct_sysctl_restore(&f->s[1]);
	assert_string_equal(knobs(f), "0 0");
}

/* A state file left by a network namespace that is gone (its inode
 * number reused by this one) is not restored here. */
static void test_other_namespace_ignored(void **state)
{
	struct fixture *f = *state;
	struct ct_sysctl_state st;

	start_from_off(f);
	killed(f, 0);
	state_load(f, &st);
	st.netns_cookie++;
	state_store(f, &st);
	knob_write(f, ACCT, "1\n");   /* this namespace's administrator's */
	assert_int_equal(enable(f, 1), 0);
	ct_sysctl_restore(&f->s[1]);
	assert_string_equal(knobs(f), "1 1");
}

/* --- the state file's safety ------------------------------------------- */

static void test_state_dir_open_to_others(void **state)
{
	struct fixture *f = *state;

	knob_write(f, ACCT, "0\n");
	knob_write(f, TSTAMP, "0\n");
	assert_int_equal(mkdir(f->state, 0700), 0);
	assert_int_equal(chmod(f->state, 0755), 0);
	assert_int_equal(enable(f, 0), -1);
	assert_non_null(strstr(f->err, f->state));
	assert_string_equal(knobs(f), "0 0");
}

static void test_state_file_symlink(void **state)
{
	struct fixture *f = *state;
	char path[192], target[192];

	knob_write(f, ACCT, "0\n");
	knob_write(f, TSTAMP, "0\n");
	assert_int_equal(mkdir(f->state, 0700), 0);
	state_path(f, path, sizeof(path));
	path_in(f->dir, "elsewhere", target, sizeof(target));
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(enable(f, 0), -1);
	assert_non_null(strstr(f->err, path));
	assert_int_equal(access(target, F_OK), -1);
	assert_string_equal(knobs(f), "0 0");
}

static void test_state_file_foreign_owner(void **state)
{
	struct fixture *f = *state;
	char path[192];

	if (geteuid() != 0)
		skip_or_fail("needs root to give the file away");
	knob_write(f, ACCT, "0\n");
	knob_write(f, TSTAMP, "0\n");
	assert_int_equal(mkdir(f->state, 0700), 0);
	state_path(f, path, sizeof(path));
	file_put(path, "");
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(chown(path, 12345, 12345), 0);
	assert_int_equal(enable(f, 0), -1);
	assert_non_null(strstr(f->err, path));
	assert_string_equal(knobs(f), "0 0");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_enable_and_restore),
		T(test_restore_exact_bytes),
		T(test_already_on),
		T(test_restore_idempotent),
		T(test_missing_knob),
		T(test_missing_directory),
		T(test_unwritable_knob),
		T(test_empty_value_rejected),
		T(test_restore_from_signal_handler),
		T(test_concurrent_first_ends),
		T(test_concurrent_last_ends),
		T(test_killed_during_concurrent_run),
		T(test_stale_state_restored),
		T(test_reused_pid_is_dead),
		T(test_admin_changes_mid_run),
		T(test_other_namespace_ignored),
		T(test_state_dir_open_to_others),
		T(test_state_file_symlink),
		T(test_state_file_foreign_owner),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
