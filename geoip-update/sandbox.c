/* SPDX-License-Identifier: GPL-2.0-only */
/* sandbox: identity, rlimits and seccomp for the updater's children. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "geoip-update/sandbox.h"
#include "privsep/privdrop.h"
#include "privsep/testhook.h"

/* The child's role, as its parent's relay names it: its own lines start
 * with "flowtop: ROLE: " (privsep/relay.h). */
static const char *sandbox_role = "updater";

static const char *sandbox_role_of(const char *comm)
{
	return strcmp(comm, "flowtop-fetch") == 0 ? "fetcher" : "validator";
}

/* Runs in the SIGSYS handler: write(2) only. */
static void sandbox_last_words(long nr)
{
	static const char pre[] = "flowtop: ";
	static const char mid[] = ": killed by seccomp: syscall ";
	const char *name = seccomp_syscall_name(nr);

	if (write(STDERR_FILENO, pre, sizeof(pre) - 1) < 0 ||
	    write(STDERR_FILENO, sandbox_role, strlen(sandbox_role)) < 0 ||
	    write(STDERR_FILENO, mid, sizeof(mid) - 1) < 0 ||
	    write(STDERR_FILENO, name, strlen(name)) < 0 ||
	    write(STDERR_FILENO, "\n", 1) < 0)
		_exit(1);
	_exit(1);
}

void gu_child_name(const char *comm)
{
	sandbox_role = sandbox_role_of(comm);
	prctl(PR_SET_NAME, comm, 0, 0, 0);
	if (priv_nodump() < 0)
		_exit(1);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() == 1)
		_exit(1);
}

static int sandbox_ids(char *err, size_t errlen)
{
	struct ids id;

	if (geteuid() != 0)
		return priv_drop_all(err, errlen);
	if (priv_unpriv_ids(&id, err, errlen) < 0)
		return -1;
	return priv_become(&id, 0, err, errlen);
}

int gu_child_confine(const char *comm, const struct sc_policy *p,
		     const struct ll_policy *ll, char *err, size_t errlen)
{
	static const struct rlimit none = { 0, 0 };

	/* Files may not grow, no process may be made: nothing the seccomp
	 * list allows could do either, this is the second lock. */
	if (sandbox_ids(err, errlen) < 0)
		return -1;
	/* The uid change cleared the death signal: set it again. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() == 1) {
		snprintf(err, errlen, "the updater went away during start-up");
		return -1;
	}
	/* And the dumpable flag, reset to fs.suid_dumpable. */
	if (priv_nodump() < 0) {
		snprintf(err, errlen, "PR_SET_DUMPABLE failed");
		return -1;
	}
	if (setrlimit(RLIMIT_NPROC, &none) < 0 ||
	    (strcmp(comm, "flowtop-fetch") == 0 &&
	     setrlimit(RLIMIT_FSIZE, &none) < 0)) {
		snprintf(err, errlen, "setrlimit failed");
		return -1;
	}
	seccomp_names_init();
	/* No trap board in -u: the handler names the syscall itself. */
	if (seccomp_trap_init(0, sandbox_last_words) < 0)
		return -1;
	/* Landlock's syscalls are in neither allowlist: before the filter. */
	if (landlock_apply(ll, err, errlen) < 0 ||
	    seccomp_install(p, err, errlen) < 0)
		return -1;
	testhook_landlock(sandbox_role_of(comm));
	testhook_stderr(sandbox_role_of(comm));
	return 0;
}
