/* SPDX-License-Identifier: GPL-2.0-only */
/* spawn: fork a role and set up what every child shares: name, its own
 * hash key, signals, descriptors; role_seal() is the last step of its own confinement. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/siphash.h"
#include "common/util.h"
#include "privsep/relay.h"
#include "privsep/role.h"
#include "privsep/testhook.h"

/* The children leave shutdown to the process that started them: a Ctrl-C
 * reaches the whole process group, and only the collector decides what it
 * means. */
static void spawn_signals(void)
{
	static const int ignored[] = { SIGINT, SIGQUIT, SIGHUP, SIGPIPE };
	struct sigaction sa;
	sigset_t all;
	unsigned i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	for (i = 0; i < ARRAY_LEN(ignored); i++)
		sigaction(ignored[i], &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
}

/* Keep stdio (stderr already the relay's pipe) and the role's channel
 * ends (moved to 3, 4, 5, 6 and 7); close the rest, so no netlink socket or
 * sysctl file reaches a child. */
static int spawn_fds(const int fd[ROLE_FDS])
{
	int held[ROLE_FDS], top = 3;

	/* Lift all out of the way first: any may already be 3 to 7. */
	for (int i = 0; i < ROLE_FDS; i++) {
		held[i] = fd[i] >= 0 ? fcntl(fd[i], F_DUPFD_CLOEXEC, 64) : -1;
		if (fd[i] >= 0 && held[i] < 0)
			return -1;
	}
	for (int i = 0; i < ROLE_FDS; i++) {
		if (held[i] >= 0 && dup2(held[i], 3 + i) < 0)
			return -1;
		if (held[i] >= 0)
			top = 4 + i;
	}
	/* A gap below the last end (none given for 4) holds whatever the
	 * parent had there: closed too. */
	for (int i = 0; i < ROLE_FDS && 3 + i < top; i++)
		if (held[i] < 0)
			close(3 + i);
	return close_range((unsigned)top, ~0u, 0);
}

int role_refuse(int fd, const char *why)
{
	char msg[512];
	size_t n = strlen(why);

	if (n > sizeof(msg) - 1)
		n = sizeof(msg) - 1;
	msg[0] = 'E';
	memcpy(msg + 1, why, n);
	(void)!send(fd, msg, 1 + n, MSG_NOSIGNAL);
	return 1;
}

void role_die(const struct role_spec *spec, const char *what)
{
	fprintf(stderr, "flowtop: %s: %s\n", spec->name, what);
	exit(1);
}

static int spawn_limits(unsigned limits)
{
	static const struct rlimit none = { 0, 0 };

	if ((limits & ROLE_LIMIT_NO_FORK) && setrlimit(RLIMIT_NPROC, &none) < 0)
		return -1;
	if ((limits & ROLE_LIMIT_NO_CORE) && setrlimit(RLIMIT_CORE, &none) < 0)
		return -1;
	return 0;
}

int role_seal(const struct role_spec *spec, unsigned slot,
	      const struct ll_policy *ll, char *err, size_t errlen)
{
	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0 || getppid() == 1) {
		snprintf(err, errlen, "the process that started it went away");
		return -1;
	}
	/* Again: the identity change just made reset it to fs.suid_dumpable. */
	if (priv_nodump() < 0) {
		snprintf(err, errlen, "PR_SET_DUMPABLE: %s", strerror(errno));
		return -1;
	}
	if (spawn_limits(spec->limits) < 0) {
		snprintf(err, errlen, "setrlimit: %s", strerror(errno));
		return -1;
	}
	if (seccomp_trap_init(slot, NULL) < 0) {
		snprintf(err, errlen, "SIGSYS handler: %s", strerror(errno));
		return -1;
	}
	/* Landlock's syscalls are in no allowlist: before the filter. */
	if (landlock_apply(ll, err, errlen) < 0 ||
	    seccomp_install(spec->policy, err, errlen) < 0)
		return -1;
	testhook_sealed();
	testhook_landlock(spec->name);
	testhook_seccomp(spec->name);
	testhook_stderr(spec->name);
	return 0;
}

pid_t role_spawn(const struct role_spec *spec, const struct role_ctx *ctx,
		 int *err_fd, char *err, size_t errlen)
{
	int rd, wr;
	pid_t pid;

	if (relay_pipe(&rd, &wr) < 0) {
		snprintf(err, errlen, "cannot start the %s: pipe: %s",
			 spec->name, strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid != 0) {
		int e = errno;

		close(wr);
		if (pid < 0) {
			close(rd);
			snprintf(err, errlen, "cannot start the %s: %s",
				 spec->name, strerror(e));
			return -1;
		}
		*err_fd = rd;
		return pid;
	}
	/* Its stderr is the pipe (dup2 clears close-on-exec on 2); both
	 * ends are closed with the rest by spawn_fds. */
	if (dup2(wr, STDERR_FILENO) < 0)
		_exit(1);
	prctl(PR_SET_NAME, spec->comm, 0, 0, 0);
	/* Not dumpable from its first instruction on (the collector may be
	 * dumpable while it sets up; role_seal sets it again after the
	 * identity change). */
	if (priv_nodump() < 0)
		role_die(spec, "PR_SET_DUMPABLE failed");
	/* Its own hash key, not its parent's, drawn before any sandbox
	 * (few roles may call getrandom once sealed). */
	(void)siphash_seed();
	spawn_signals();
	if (spawn_fds(ctx->fd) < 0)
		role_die(spec, strerror(errno));
	exit(spec->entry(spec, ctx));
}
