/* run: one flowtop run as the collector sees it, from start-up to the last
 * child reaped.
 *
 * start.c opens everything that needs privilege, forks the resolver and the
 * ui (spawn.c sets each child up) and confines the collector; supervise.c
 * is the collector's loop and the ordered shutdown.
 */
#ifndef FLOWTOP_RUN_H
#define FLOWTOP_RUN_H

#include <sys/types.h>

#include "collector/ct.h"
#include "collector/stream.h"
#include "collector/sysctl.h"
#include "collector/track.h"
#include "privsep/msg.h"
#include "privsep/options.h"
#include "privsep/privdrop.h"
#include "privsep/role.h"
#include "privsep/tty.h"

enum stop_kind {
	STOP_NONE,
	STOP_DONE,      /* the ui finished its batch */
	STOP_SIGNAL,    /* SIGINT, SIGTERM or SIGHUP */
	STOP_CHILD,     /* a child exited or died */
	STOP_ERROR,     /* the collector failed; message in why */
};

struct run {
	const struct options *o;
	struct ct_source *ct;
	struct track *track;          /* --track: our nftables table */
	struct ct_sysctl sysctl;
	struct tty_state tty;
	struct ids unpriv, ui_ids;
	char empty_dir[64];
	int sigfd;
	pid_t pid[ROLE_COUNT];        /* 0: not running */
	int status[ROLE_COUNT];       /* wait status once reaped */
	int reaped[ROLE_COUNT];
	int termed[ROLE_COUNT];       /* we sent it SIGTERM/SIGKILL */
	/* socketpair ends: [0] the collector's or ui's, [1] the peer's */
	int col_ui[2];                /* collector <-> ui */
	int ui_res[2];                /* ui <-> resolver */
	struct msg_chan *ui_chan;     /* the collector's end */
	struct stream *stream;
	enum stop_kind stop;
	int stop_signal;
	char why[300];
};

/* Everything from the parsed options to the exit status. */
int run_main(const struct options *o);

/* spawn.c: fork role (RESOLVER or UI); returns the pid or -1 (why set). */
pid_t run_spawn(struct run *r, enum role role);

/* supervise.c: the collector's loop until a stop reason is set. */
void run_supervise(struct run *r);

/* supervise.c: stop the children, restore sysctls and terminal, report;
 * returns the exit status. */
int run_shutdown(struct run *r);

#endif
