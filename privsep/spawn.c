/* spawn: fork the resolver and the ui and set each up: name, signals,
 * descriptors, identity, capabilities, seccomp, then its main loop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "privsep/run.h"
#include "privsep/seccomp.h"
#include "privsep/testhook.h"
#include "resolver/resolver.h"
#include "ui/ui.h"

/* The children leave shutdown to the collector: a Ctrl-C reaches the
 * whole process group, and only the collector decides what it means. */
static void spawn_signals(void)
{
	static const int ignored[] = { SIGINT, SIGQUIT, SIGHUP, SIGPIPE };
	struct sigaction sa;
	sigset_t all;
	unsigned i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		sigaction(ignored[i], &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
}

/* Keep stdio and the role's channel ends (moved to 3 and 4); close the
 * rest, so no netlink socket or sysctl file reaches a child. */
static int spawn_fds(int a, int b)
{
	/* Lift both out of the way first: either may already be 3 or 4. */
	int ha = fcntl(a, F_DUPFD_CLOEXEC, 64);
	int hb = b >= 0 ? fcntl(b, F_DUPFD_CLOEXEC, 64) : -1;

	if (ha < 0 || (b >= 0 && hb < 0))
		return -1;
	if (dup2(ha, 3) < 0 || (hb >= 0 && dup2(hb, 4) < 0))
		return -1;
	return close_range(hb >= 0 ? 5 : 4, ~0u, 0);
}

static void spawn_die(enum role role, const char *what)
{
	fprintf(stderr, "flowtop: %s: %s\n", role_name(role), what);
	exit(1);
}

/* Cleared by the identity change, so set after it; and the collector may
 * already be gone. Then the role's allowlist. */
static void spawn_seal(enum role role, const struct sc_policy *p)
{
	char err[300] = "";

	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0 || getppid() == 1)
		spawn_die(role, "the collector went away during start-up");
	if (seccomp_trap_init(role, NULL) < 0 ||
	    seccomp_install(p, err, sizeof(err)) < 0)
		spawn_die(role, err[0] ? err : strerror(errno));
	testhook_seccomp(role);
}

static int spawn_ui(struct run *r)
{
	struct msg_chan *col = malloc(sizeof(*col)), *res = malloc(sizeof(*res));
	char err[300];

	if (spawn_fds(r->col_ui[1], r->ui_res[0]) < 0)
		spawn_die(ROLE_UI, strerror(errno));
	if (!col || !res)
		spawn_die(ROLE_UI, "out of memory");
	msg_chan_init(col, 3, MSG_DIR_COL_UI, MSG_DIR_UI_COL, "collector");
	msg_chan_init(res, 4, MSG_DIR_RES_UI, MSG_DIR_UI_RES, "resolver");
	if (priv_become(&r->ui_ids, 0, err, sizeof(err)) < 0)
		spawn_die(ROLE_UI, err);
	/* The screen reads terminfo: before the sandbox, as the user. */
	if (ui_prepare(r->o, res) < 0)
		exit(1);
	spawn_seal(ROLE_UI, &seccomp_ui_policy);
	return ui_main(r->o, col, res);
}

/* The resolver opens its files (the conf dir, the GeoIP dir, both the
 * user's to name) with the permissions of the user who started flowtop,
 * never root's, while its real and saved ids are already the
 * unprivileged user's and it holds only CAP_SYS_CHROOT, for the one
 * chroot that follows: what a hostile database could do at open time, it
 * does without root. A reload later reads the GeoIP dir it was let into
 * as the unprivileged user. */
static int spawn_resolver(struct run *r)
{
	struct msg_chan *ui = malloc(sizeof(*ui));
	struct resolver *res;
	char err[300];

	if (spawn_fds(r->ui_res[1], -1) < 0)
		spawn_die(ROLE_RESOLVER, strerror(errno));
	if (!ui)
		spawn_die(ROLE_RESOLVER, "out of memory");
	msg_chan_init(ui, 3, MSG_DIR_UI_RES, MSG_DIR_RES_UI, "ui");
	if (priv_enter_empty(r->empty_dir, err, sizeof(err)) < 0 ||
	    priv_become_as(&r->unpriv, &r->ui_ids, 1, err, sizeof(err)) < 0)
		spawn_die(ROLE_RESOLVER, err);
	res = resolver_open(r->o);
	if (!res)
		exit(1);
	resolver_enter_root(res, r->o);
	if (priv_settle(&r->unpriv, err, sizeof(err)) < 0 ||
	    priv_chroot_cwd(err, sizeof(err)) < 0)
		spawn_die(ROLE_RESOLVER, err);
	spawn_seal(ROLE_RESOLVER, &seccomp_resolver_policy);
	return resolver_run(res, ui);
}

static int spawn_child(struct run *r, enum role role)
{
	prctl(PR_SET_NAME, role_comm(role), 0, 0, 0);
	spawn_signals();
	return role == ROLE_UI ? spawn_ui(r) : spawn_resolver(r);
}

pid_t run_spawn(struct run *r, enum role role)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(r->why, sizeof(r->why), "cannot start the %s: %s",
			 role_name(role), strerror(errno));
		return -1;
	}
	if (pid == 0)
		exit(spawn_child(r, role));
	r->pid[role] = pid;
	return pid;
}
