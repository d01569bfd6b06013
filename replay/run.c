/* SPDX-License-Identifier: GPL-2.0-only */
/* run: the process a replay starts as: no privilege kept, the file
 * opened as the caller, the reader and then the ui started as the user a
 * live run's ui is, both waited for, their stderr relayed, the terminal
 * put back. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/escape.h"
#include "common/util.h"
#include "privsep/msg.h"
#include "privsep/relay.h"
#include "privsep/signals.h"
#include "privsep/tty.h"
#include "replay/replay.h"

/* How long the reader may take to check the file before it says it is
 * ready (a gigabyte of recording takes some seconds). */
#define RUN_READY_MS 120000
#define RUN_GRACE_MS 2000

enum { RUN_READER, RUN_UI, RUN_KIDS };

struct run_kid {
	const struct role_spec *spec;
	pid_t pid;              /* 0: not running */
	int status, reaped;
	struct relay err;
};

struct replay_run {
	const struct options *o;
	const struct replay_roles *roles;
	struct ids caller;      /* who opens the file */
	struct ids user;        /* who runs */
	struct tty_state tty;
	int sigfd, file;
	int col[2], res[2];     /* [0] the reader's end, [1] the ui's */
	struct run_kid kid[RUN_KIDS];
	struct relay_hold hold;
	int stop_signal;
	char why[300];
};

__attribute__((format(printf, 2, 3)))
static int run_fail(struct replay_run *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return -1;
}

/* Who opens the file and who runs: the file is opened as whoever
 * started flowtop (under sudo the user who typed it; root started
 * directly, root, as --record writes), the rest runs as a live run's ui
 * does: that user, never root (root started directly: the service
 * user). No capability is kept from here on: a setuid or
 * file-capability install gives everything up. */
static int run_identity(struct replay_run *r)
{
	struct ids unpriv;
	char err[256];

	r->caller = r->user = (struct ids){ getuid(), getgid() };
	if (getuid() == 0) {
		if (priv_unpriv_ids(&unpriv, err, sizeof(err)) < 0 ||
		    priv_user_ids(&unpriv, &r->user, err, sizeof(err)) < 0)
			return run_fail(r, "%s", err);
		if (r->user.uid != unpriv.uid)
			r->caller = r->user;
	}
	if (priv_become_as(&r->user, &r->caller, 0, err, sizeof(err)) < 0 ||
	    priv_nodump() < 0)
		return run_fail(r, "%s", err);
	return 0;
}

/* The recording, as the caller may read it: a regular file only (a
 * FIFO or a device would block the reader, or never end). */
static int run_open(struct replay_run *r)
{
	const char *path = r->o->replay;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return run_fail(r, "--replay %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return run_fail(r, "--replay %s: %s", path,
				"not a regular file");
	}
	if (fcntl(fd, F_SETFL, 0) < 0) {
		close(fd);
		return run_fail(r, "--replay %s: %s", path, strerror(errno));
	}
	r->file = fd;
	return 0;
}

static int run_signals(struct replay_run *r)
{
	r->sigfd = signals_fd();
	return r->sigfd < 0 ? run_fail(r, "signals: %s", strerror(errno)) : 0;
}

static int run_spawn(struct replay_run *r, int id, const struct role_spec *spec,
		     int fd0, int fd1, int fd2)
{
	struct role_ctx ctx = {
		.o = r->o, .slot = 1u + (unsigned)id, .fd = { fd0, fd1, fd2, -1 },
		.unpriv = r->user, .user = r->user, .caller = r->caller,
	};
	int efd = -1;
	pid_t pid = role_spawn(spec, &ctx, &efd, r->why, sizeof(r->why));

	if (pid < 0)
		return -1;
	relay_init(&r->kid[id].err, efd, STDERR_FILENO, spec->name,
		   clock_mono_ms());
	r->kid[id].err.hold = &r->hold;
	r->kid[id].spec = spec;
	r->kid[id].pid = pid;
	return 0;
}

static void run_reap(struct replay_run *r)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (int i = 0; i < RUN_KIDS; i++) {
			if (r->kid[i].pid != pid)
				continue;
			r->kid[i].status = st;
			r->kid[i].reaped = 1;
			r->kid[i].pid = 0;
			relay_drain(&r->kid[i].err, clock_mono_ms());
		}
	}
}

/* Signals and stderr until timeout_ms (-1: for ever), or until fd (-1:
 * none) is readable: 1 when it is, 0 when something ended (a child, a
 * stop signal), -1 on timeout. */
static int run_wait(struct replay_run *r, int fd, int timeout_ms)
{
	uint64_t until = clock_mono_ms() + (uint64_t)timeout_ms;

	for (;;) {
		struct pollfd p[2 + RUN_KIDS] = {
			{ .fd = r->sigfd, .events = POLLIN },
			{ .fd = fd, .events = POLLIN },
		};
		int left = timeout_ms < 0 ? -1 :
			(int)(until > clock_mono_ms() ? until - clock_mono_ms() : 0);
		struct signalfd_siginfo si;

		for (int i = 0; i < RUN_KIDS; i++)
			p[2 + i] = (struct pollfd){ r->kid[i].err.fd, POLLIN, 0 };
		if (poll(p, ARRAY_LEN(p), left) == 0)
			return -1;
		for (int i = 0; i < RUN_KIDS; i++)
			if (p[2 + i].revents)
				relay_read(&r->kid[i].err, clock_mono_ms());
		while (read(r->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			if (si.ssi_signo == SIGCHLD)
				run_reap(r);
			else
				r->stop_signal = (int)si.ssi_signo;
		}
		if (r->stop_signal || r->kid[RUN_READER].reaped ||
		    r->kid[RUN_UI].reaped)
			return 0;
		if (fd >= 0 && p[1].revents)
			return 1;
	}
}

/* The reader checks the whole file before the ui starts: its errors are
 * said before any screen opens. Its word that it is ready is read off
 * the ui's channel here. */
static int run_reader(struct replay_run *r)
{
	struct msg_chan *c = malloc(sizeof(*c));
	const char *why;
	struct msg m;
	int rc;

	if (!c)
		return run_fail(r, "out of memory");
	if (run_spawn(r, RUN_READER, r->roles->reader, r->col[0], r->res[0],
		      r->file) < 0) {
		free(c);
		return -1;
	}
	close(r->col[0]);
	close(r->res[0]);
	close(r->file);
	msg_chan_init(c, r->col[1], MSG_DIR_COL_UI, MSG_DIR_UI_COL, "replay");
	rc = run_wait(r, r->col[1], RUN_READY_MS);
	if (rc == 1)
		rc = msg_recv(c, &m, &why) == 1 &&
		     m.type == MSG_REPLAY_STATE ? 1 : 0;
	free(c);
	if (rc == 1)
		return 0;
	if (rc < 0)
		return run_fail(r, "--replay %s: %s", r->o->replay,
				"the file was not read in time");
	return -1;      /* the reader said why; or a signal */
}

/* The screen opens as the ui's does: not in batch, and on a terminal. */
static int run_ui(struct replay_run *r)
{
	for (int i = 0; i < RUN_KIDS; i++)
		relay_pending(&r->kid[i].err, clock_mono_ms());
	if (!r->o->batch && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
		relay_hold_start(&r->hold);
	if (run_spawn(r, RUN_UI, r->roles->ui, r->col[1], r->res[1], -1) < 0)
		return -1;
	close(r->col[1]);
	close(r->res[1]);
	return 0;
}

static int run_start(struct replay_run *r)
{
	char err[256];

	if (run_identity(r) < 0 || run_open(r) < 0)
		return -1;
	if (priv_settle(&r->user, err, sizeof(err)) < 0 || priv_nodump() < 0)
		return run_fail(r, "%s", err);
	if (run_signals(r) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, r->col) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, r->res) < 0)
		return run_fail(r, "socketpair: %s", strerror(errno));
	if (seccomp_board_init() < 0)
		return run_fail(r, "cannot map the seccomp trap board");
	seccomp_names_init();
	tty_save(&r->tty);
	if (run_reader(r) < 0 || run_ui(r) < 0)
		return -1;
	if (seccomp_install(r->roles->self->policy, err, sizeof(err)) < 0)
		return run_fail(r, "%s", err);
	return 0;
}

/* The ui's end closes the reader's channels; a reader that ended first
 * closes the ui's. One that outlasts the grace is stopped by its pid. */
static void run_stop(struct replay_run *r)
{
	uint64_t until = clock_mono_ms() + RUN_GRACE_MS;

	if (r->stop_signal || r->why[0])
		for (int i = 0; i < RUN_KIDS; i++)
			if (r->kid[i].pid)
				kill(r->kid[i].pid, SIGTERM);
	while ((r->kid[RUN_READER].pid || r->kid[RUN_UI].pid) &&
	       clock_mono_ms() < until)
		(void)run_wait(r, -1, (int)(until - clock_mono_ms()));
	for (int i = 0; i < RUN_KIDS; i++)
		if (r->kid[i].pid)
			kill(r->kid[i].pid, SIGKILL);
}

/* A child that died of a signal, then the exit statuses: the status. */
static int run_report(const struct replay_run *r)
{
	for (int i = 0; i < RUN_KIDS; i++) {
		const struct run_kid *k = &r->kid[i];
		int sig;

		if (!k->reaped || !WIFSIGNALED(k->status))
			continue;
		sig = WTERMSIG(k->status);
		if (sig == SIGTERM && r->stop_signal)
			continue;
		if (sig == SIGSYS)
			fprintf(stderr, "flowtop: %s killed by seccomp: "
				"syscall %s\n", k->spec->name,
				seccomp_syscall_name(
					seccomp_board_read(1u + (unsigned)i)));
		else
			fprintf(stderr, "flowtop: %s killed by signal %d\n",
				k->spec->name, sig);
		return 1;
	}
	if (r->stop_signal)
		return r->o->count ? 1 : 0;
	for (int i = 0; i < RUN_KIDS; i++)
		if (r->kid[i].reaped && WIFEXITED(r->kid[i].status) &&
		    WEXITSTATUS(r->kid[i].status) != 0)
			return 1;
	return 0;
}

int replay_main(const struct options *o, const struct replay_roles *roles)
{
	struct replay_run *r = calloc(1, sizeof(*r));
	int rc = 1;

	if (!r) {
		fprintf(stderr, "flowtop: out of memory\n");
		return 1;
	}
	prctl(PR_SET_NAME, roles->self->comm, 0, 0, 0);
	esc_term_from_locale();
	r->o = o;
	r->roles = roles;
	r->sigfd = r->file = -1;
	r->col[0] = r->col[1] = r->res[0] = r->res[1] = -1;
	r->tty.fd = -1;
	for (int i = 0; i < RUN_KIDS; i++)
		relay_init(&r->kid[i].err, -1, STDERR_FILENO, "", 0);
	if (run_start(r) == 0)
		(void)run_wait(r, -1, -1);
	else if (r->why[0])
		fprintf(stderr, "flowtop: %s\n", r->why);
	run_stop(r);
	tty_restore(&r->tty);
	relay_hold_release(&r->hold, STDERR_FILENO);
	for (int i = 0; i < RUN_KIDS; i++)
		relay_drain(&r->kid[i].err, clock_mono_ms());
	rc = r->why[0] ? 1 : run_report(r);
	free(r);
	return rc;
}
