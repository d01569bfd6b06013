/* SPDX-License-Identifier: GPL-2.0-only */
/* run: one flowtop run as the collector sees it, from start-up to the last
 * child reaped.
 *
 * start.c opens everything that needs privilege, starts the resolver and
 * the ui from the role specs main/ wires in (privsep/spawn.c forks them;
 * each confines itself) and confines the collector; supervise.c is the
 * collector's loop and the ordered shutdown.
 */
#ifndef FLOWTOP_RUN_H
#define FLOWTOP_RUN_H

#include <sys/types.h>

#include "collector/ct.h"
#include "collector/stream.h"
#include "collector/sysctl.h"
#include "collector/track.h"
#include "privsep/msg.h"
#include "common/options.h"
#include "privsep/privdrop.h"
#include "privsep/relay.h"
#include "privsep/role.h"
#include "privsep/seccomp.h"
#include "privsep/tty.h"

enum stop_kind {
	STOP_NONE,
	STOP_DONE,      /* the ui finished its batch */
	STOP_SIGNAL,    /* SIGINT, SIGTERM or SIGHUP */
	STOP_CHILD,     /* a child exited or died */
	STOP_ERROR,     /* the collector failed; message in why */
};

/* The processes of a run, as main/ wires them. The collector knows the
 * other two only as the peers of its channels. */
struct run_roles {
	const struct role_spec *collector;    /* its own name, comm, policy */
	const struct role_spec *resolver;
	const struct role_spec *ui;
	/* The namespace helper (nsdiag/nsdiag.h), started only when the
	 * collector may hand it CAP_SYS_ADMIN. */
	const struct role_spec *nsdiag;
	/* The recorder (recorder/recorder.h), with --record only. */
	const struct role_spec *recorder;
	/* The baseline's writer (baseline/writer.h), with --alert or
	 * --learn only. */
	const struct role_spec *baseline;
	/* The IPFIX exporter (ipfix/exporter.h), with --ipfix only. */
	const struct role_spec *ipfix;
};

/* The children, in the order a death is reported: the resolver's first,
 * as the ui then ends for want of it. The namespace helper may not run
 * (pid 0). */
enum run_child_id { RUN_RESOLVER, RUN_UI, RUN_NSDIAG, RUN_RECORDER,
		    RUN_BASELINE, RUN_IPFIX, RUN_CHILDREN };

struct run_child {
	const struct role_spec *spec;
	pid_t pid;                    /* 0: not running */
	int status;                   /* wait status once reaped */
	int reaped;
	int termed;                   /* we stopped it */
	struct relay err;             /* its stderr, to ours */
};

/* Trap board slots: the collector's, then one per child. */
#define RUN_SLOT_COLLECTOR 0u
#define RUN_SLOT(child) (1u + (unsigned)(child))

struct run {
	const struct options *o;
	const struct run_roles *roles;
	struct ct_source *ct;
	struct track *track;          /* --track: our nftables table */
	struct ct_sysctl sysctl;
	struct tty_state tty;
	struct ids unpriv, ui_ids;
	struct ids ipfix_ids;         /* the exporter's (priv_ipfix_ids) */
	char empty_dir[64];
	int sigfd;
	struct run_child child[RUN_CHILDREN];
	/* socketpair ends: [0] the collector's or ui's, [1] the peer's */
	int col_ui[2];                /* collector <-> ui */
	int ui_res[2];                /* ui <-> resolver */
	int ui_rec[2];                /* ui -> recorder (--record), -1 */
	int ui_base[2];               /* ui <-> baseline writer, -1 */
	int ui_ipfix[2];              /* ui <-> IPFIX exporter, -1 */
	int nsd_fd;                   /* the collector's end to the namespace
				       * helper, -1 when it does not run */
	struct msg_chan *ui_chan;     /* the collector's end */
	struct stream *stream;
	int synced;                   /* the ui asked for the stream */
	int screen;                   /* ... for the screen, not batch */
	uint64_t next_dump;           /* when the next periodic dump is due */
	uint64_t dump_start, dump_took;  /* the last periodic dump's, ms */
	uint32_t sweep_test_ms;       /* test build: forced sweep spacing */
	/* The children's lines while the ui's screen runs, said at the end */
	struct relay_hold hold;
	enum stop_kind stop;
	int stop_signal;
	char why[300];
};

/* Everything from the parsed options to the exit status. */
int run_main(const struct options *o, const struct run_roles *roles);

/* supervise.c: the collector's loop until a stop reason is set. */
void run_supervise(struct run *r);

/* supervise.c: stop the children, restore sysctls and terminal, report;
 * returns the exit status. */
int run_shutdown(struct run *r);

/* The collector's allowlist (seccomp.c). */
extern const struct sc_policy collector_policy;

#endif
