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

static void spawn_confine(struct run *r, enum role role)
{
	const struct sc_policy *p = role == ROLE_UI ?
		&seccomp_ui_policy : &seccomp_resolver_policy;
	const struct ids *id = role == ROLE_UI ? &r->ui_ids : &r->unpriv;
	char err[300];

	if (priv_become(id, role == ROLE_RESOLVER ? r->empty_dir : NULL,
			err, sizeof(err)) < 0)
		spawn_die(role, err);
	/* Cleared by the identity change, so set now; and the collector
	 * may already be gone. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0 || getppid() == 1)
		spawn_die(role, "the collector went away during start-up");
	if (seccomp_trap_init(role, NULL) < 0 ||
	    seccomp_install(p, err, sizeof(err)) < 0)
		spawn_die(role, err[0] ? err : strerror(errno));
	testhook_seccomp(role);
}

static int spawn_child(struct run *r, enum role role)
{
	struct msg_chan *ch[2];
	int rc;

	prctl(PR_SET_NAME, role_comm(role), 0, 0, 0);
	spawn_signals();
	if (role == ROLE_UI)
		rc = spawn_fds(r->col_ui[1], r->ui_res[0]);
	else
		rc = spawn_fds(r->ui_res[1], -1);
	if (rc < 0)
		spawn_die(role, strerror(errno));
	ch[0] = malloc(sizeof(*ch[0]));
	ch[1] = malloc(sizeof(*ch[1]));
	if (!ch[0] || !ch[1])
		spawn_die(role, "out of memory");
	if (role == ROLE_UI) {
		msg_chan_init(ch[0], 3, MSG_DIR_COL_UI, MSG_DIR_UI_COL, "collector");
		msg_chan_init(ch[1], 4, MSG_DIR_RES_UI, MSG_DIR_UI_RES, "resolver");
	} else {
		msg_chan_init(ch[0], 3, MSG_DIR_UI_RES, MSG_DIR_RES_UI, "ui");
	}
	spawn_confine(r, role);
	if (role == ROLE_UI)
		return ui_main(r->o, ch[0], ch[1]);
	return resolver_main(ch[0]);
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
