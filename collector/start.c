/* SPDX-License-Identifier: GPL-2.0-only */
/* start: the collector's start-up, in the order that keeps privilege
 * shortest: open the conntrack sockets, the socket -> process map and the
 * sysctls, save the terminal, make the channels, fork the resolver and the
 * ui, then drop to the three capabilities it keeps and confine itself. */
#include <errno.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collector/enter_netns.h"
#include "collector/run.h"
#include "common/clock.h"
#include "common/escape.h"
#include "common/siphash.h"
#include "common/util.h"
#include "privsep/landlock.h"
#include "privsep/seccomp.h"
#include "privsep/signals.h"
#include "privsep/testhook.h"

#define NETFILTER_SYSCTL_DIR "/proc/sys/net/netfilter"
/* The sysctl state of every network namespace (collector/sysctl.h). Not
 * where the caller could write: the collector runs with the caller's real
 * uid, and a file the caller could change would let them decide what
 * flowtop writes into the sysctls, or switch counting off under another
 * user's run. /run is root's, on every start: under sudo and setuid the
 * effective uid is 0; a file-capability start (effective uid the
 * caller's; CAP_NET_ADMIN alone opens the knobs, /proc/sys/net checks no
 * file owner for it) makes and opens the file with the filesystem uid 0
 * for that moment, which CAP_SETUID, held until the children are
 * started, allows. Either way the file is root's, mode 0600, in a
 * directory of mode 0700. */
#define SYSCTL_STATE_DIR "/run/flowtop"

/* What the collector keeps for its whole run. */
static const int caps_collector[] = {
	CAP_NET_ADMIN, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH,
};
/* What start-up needs on top, only until the others are forked. SETPCAP
 * (a root start only) lets each role empty its bounding set. SYS_ADMIN,
 * where the start has it (root, sudo, setuid, make install CONTAINERS=1),
 * goes to the namespace helper alone (nsdiag/nsdiag.h). */
static const int caps_setup[] = {
	CAP_SETUID, CAP_SETGID, CAP_SYS_CHROOT, CAP_SETPCAP, CAP_SYS_ADMIN,
};
/* Without these flowtop can't start; the collector's other two only name
 * processes, and it runs on without them. */
static const struct priv_cap_name caps_required[] = {
	{ CAP_NET_ADMIN, "CAP_NET_ADMIN" }, { CAP_SETUID, "CAP_SETUID" },
	{ CAP_SETGID, "CAP_SETGID" }, { CAP_SYS_CHROOT, "CAP_SYS_CHROOT" },
};
static const struct priv_caps start_caps = {
	caps_collector, ARRAY_LEN(caps_collector),
	caps_setup, ARRAY_LEN(caps_setup),
	caps_required, ARRAY_LEN(caps_required),
};

static struct run *last_words_run;
/* Opened in start_open, handed to the stream in start_channels. */
static struct procmap *start_procmap;

/* Runs in the collector's SIGSYS handler: async-signal-safe calls only. */
static void start_last_words(long nr)
{
	static const char pre[] = "flowtop: collector killed by seccomp: syscall ";
	const char *name = seccomp_syscall_name(nr);
	struct run *r = last_words_run;

	if (r) {
		/* Closing the channel stops the ui, and the ui the resolver. */
		if (r->ui_chan && r->ui_chan->fd >= 0)
			close(r->ui_chan->fd);
		ct_sysctl_restore(&r->sysctl);
		tty_restore(&r->tty);
	}
	if (write(STDERR_FILENO, pre, sizeof(pre) - 1) < 0 ||
	    write(STDERR_FILENO, name, strlen(name)) < 0 ||
	    write(STDERR_FILENO, "\n", 1) < 0)
		_exit(1);
	_exit(1);
}

static int start_fail(struct run *r, const char *what)
{
	snprintf(r->why, sizeof(r->why), "%s", what);
	return -1;
}

static int start_sysctl(struct run *r, char *err, size_t errlen)
{
	const struct ct_sysctl_where w = {
		.knobs = NETFILTER_SYSCTL_DIR, .state = SYSCTL_STATE_DIR,
		.proc = "/proc", .owner = 0, .pid = getpid(),
	};
	char err2[200];
	uid_t was;
	int rc;

	if (priv_fs_root(&was, err, errlen) < 0)
		return -1;
	rc = ct_sysctl_enable(&r->sysctl, &w, err, errlen);
	if (priv_fs_back(was, err2, sizeof(err2)) < 0) {
		ct_sysctl_restore(&r->sysctl);
		snprintf(err, errlen, "%s", err2);
		return -1;
	}
	return rc;
}

static int start_open(struct run *r)
{
	char err[256];

	/* The key of procmap's tables (common/siphash.h): getrandom is not
	 * in the collector's seccomp table. Each child draws its own. */
	(void)siphash_seed();
	if (r->o->netns && enter_netns(r->o->netns, r->o->netns_path, err,
				       sizeof(err)) < 0)
		return start_fail(r, err);
	if (priv_start(&start_caps, err, sizeof(err)) < 0 ||
	    priv_unpriv_ids(&r->unpriv, err, sizeof(err)) < 0 ||
	    priv_user_ids(&r->unpriv, &r->ui_ids, err, sizeof(err)) < 0)
		return start_fail(r, err);
	priv_ipfix_ids(&r->unpriv, &r->ipfix_ids);
	r->ct = ct_open(r->o->sel, err, sizeof(err));
	if (!r->ct)
		return start_fail(r, err);
	testhook_event_rcvbuf(ct_event_fd(r->ct));
	if (r->o->track) {
		r->track = track_start(err, sizeof(err));
		if (!r->track)
			return start_fail(r, err);
	}
	/* Its netlink sockets and /proc directory can't be opened once the
	 * collector is confined. Without them flowtop still works, only
	 * without process names. */
	start_procmap = procmap_open(err, sizeof(err));
	if (!start_procmap)
		fprintf(stderr, "flowtop: no process names: %s\n", err);
	else
		/* Who may see which process: the real user, the caller of a
		 * file-capability or setuid start; root under sudo (then
		 * every process), not the ui's uid (r->ui_ids, SUDO_UID). */
		procmap_set_viewer(start_procmap, (uint32_t)getuid(),
				   (uint32_t)getgid());
	if (start_sysctl(r, err, sizeof(err)) < 0)
		return start_fail(r, err);
	tty_save(&r->tty);
	return 0;
}

/* Signals arrive through a descriptor, so the loop handles them in order
 * with everything else. */
static int start_signals(struct run *r)
{
	r->sigfd = signals_fd();
	return r->sigfd < 0 ? start_fail(r, strerror(errno)) : 0;
}

/* What the collector may have in flight to the ui: while the ui is
 * busy (a JSON snapshot of 1M flows takes it about half a second), the
 * collector goes on reading the kernel's events into this queue; were it
 * blocked instead, the event socket would overflow under churn and a
 * resync would cost a full dump. 16 MiB holds about half a second of
 * 100k new and 100k closed flows a second. Kernel memory, used only while
 * the ui lags. */
#define START_UI_SNDBUF (16 << 20)

static int start_channels(struct run *r)
{
	int big = START_UI_SNDBUF;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, r->col_ui) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, r->ui_res) < 0)
		return start_fail(r, strerror(errno));
	/* Past wmem_max with CAP_NET_ADMIN, which the collector holds; else
	 * as much as wmem_max allows. */
	if (setsockopt(r->col_ui[0], SOL_SOCKET, SO_SNDBUFFORCE, &big,
		       sizeof(big)) < 0)
		(void)setsockopt(r->col_ui[0], SOL_SOCKET, SO_SNDBUF, &big,
				 sizeof(big));
	r->ui_chan = malloc(sizeof(*r->ui_chan));
	r->stream = malloc(sizeof(*r->stream));
	if (!r->ui_chan || !r->stream)
		return start_fail(r, "out of memory");
	msg_chan_init(r->ui_chan, r->col_ui[0], MSG_DIR_UI_COL, MSG_DIR_COL_UI,
		      "ui");
	stream_init(r->stream, r->ct, r->ui_chan);
	stream_set_procmap(r->stream, start_procmap);
	r->stream->tracking_forced = r->track != NULL;
	return 0;
}

/* Start one child with its channel ends (-1 for none). */
static int start_child_fds(struct run *r, enum run_child_id id,
			   const struct role_spec *spec,
			   const int fd[ROLE_FDS])
{
	struct role_ctx ctx = {
		.o = r->o, .slot = RUN_SLOT(id),
		/* The exporter's service identity is its own. */
		.unpriv = id == RUN_IPFIX ? r->ipfix_ids : r->unpriv,
		.user = r->ui_ids,
		.caller = { getuid(), getgid() },
		.empty_dir = r->empty_dir,
	};

	int efd = -1;
	pid_t pid;

	memcpy(ctx.fd, fd, sizeof(ctx.fd));
	/* Under sudo the one who typed it, as the ui (priv_user_ids took
	 * SUDO_UID); root started directly stays root. */
	if (getuid() == 0 && r->ui_ids.uid != r->unpriv.uid)
		ctx.caller = r->ui_ids;
	pid = role_spawn(spec, &ctx, &efd, r->why, sizeof(r->why));

	if (pid < 0)
		return -1;
	/* Its stderr reaches ours through the loop, escaped and bounded. */
	relay_init(&r->child[id].err, efd, STDERR_FILENO, spec->name,
		   clock_mono_ms());
	r->child[id].err.hold = &r->hold;
	r->child[id].spec = spec;
	r->child[id].pid = pid;
	return 0;
}

/* A child with one channel end, the usual case. */
static int start_child(struct run *r, enum run_child_id id,
		       const struct role_spec *spec, int fd0)
{
	const int fd[ROLE_FDS] = { fd0, -1, -1, -1, -1 };

	return start_child_fds(r, id, spec, fd);
}

/* The namespace helper, when the collector may give it CAP_SYS_ADMIN
 * and has a socket table to use it for; without it the namespaces'
 * tables are read from /proc as before. */
static int start_nsdiag(struct run *r)
{
	int pair[2];

	if (!start_procmap || !priv_permitted(CAP_SYS_ADMIN) ||
	    testhook_no_nsdiag())
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		return start_fail(r, strerror(errno));
	if (start_child(r, RUN_NSDIAG, r->roles->nsdiag, pair[1]) < 0) {
		close(pair[0]);
		close(pair[1]);
		return -1;
	}
	close(pair[1]);
	r->nsd_fd = pair[0];
	procmap_set_ns_helper(start_procmap, pair[0]);
	return 0;
}

/* How long the recorder and the baseline's writer may take to open
 * their files. */
#define START_REC_WAIT_MS 5000
/* What the ui may have on its way to the recorder: the lines of a pass
 * while the disk is slow. */
#define START_REC_SNDBUF (4 << 20)

/* A writer's first word, read here before the ui gets fd, its peer's
 * end: 'R' ready, or 'E' and why it can't (its file, in the caller's
 * words: escaped for the terminal). */
static int start_ready(struct run *r, int fd, const char *who,
		       const char *opt)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char said[512], shown[280];
	ssize_t n;

	n = poll(&p, 1, START_REC_WAIT_MS) == 1 ?
		read(fd, said, sizeof(said)) : -1;
	if (n == 1 && said[0] == 'R')
		return 0;
	if (n > 1 && said[0] == 'E') {
		esc_term(shown, sizeof(shown), said + 1, (size_t)n - 1);
		snprintf(r->why, sizeof(r->why), "%s: %s", who, shown);
		return -1;
	}
	snprintf(r->why, sizeof(r->why), "%s: the %s did not start", opt, who);
	return -1;
}

static void start_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* --record: the recorder first, so that a file it can't write ends the
 * run before the screen opens. */
static int start_recorder(struct run *r)
{
	int big = START_REC_SNDBUF;

	r->ui_rec[0] = r->ui_rec[1] = -1;
	if (!r->o->record)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, r->ui_rec) < 0)
		return start_fail(r, strerror(errno));
	if (setsockopt(r->ui_rec[0], SOL_SOCKET, SO_SNDBUFFORCE, &big,
		       sizeof(big)) < 0)
		(void)setsockopt(r->ui_rec[0], SOL_SOCKET, SO_SNDBUF, &big,
				 sizeof(big));
	if (start_child(r, RUN_RECORDER, r->roles->recorder, r->ui_rec[1]) < 0)
		return -1;
	start_close(&r->ui_rec[1]);
	return start_ready(r, r->ui_rec[0], "recorder", "--record");
}

/* --alert, --learn: the baseline's writer, before the screen opens for
 * the same reason. Its channel is a SOCK_SEQPACKET pair
 * (privsep/baseline_wire.h). */
static int start_baseline(struct run *r)
{
	r->ui_base[0] = r->ui_base[1] = -1;
	if (!r->o->baseline)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
		       r->ui_base) < 0)
		return start_fail(r, strerror(errno));
	if (start_child(r, RUN_BASELINE, r->roles->baseline, r->ui_base[1]) < 0)
		return -1;
	start_close(&r->ui_base[1]);
	return start_ready(r, r->ui_base[0], "baseline",
			   r->o->alert ? "--alert" : "--learn");
}

/* What the ui may have on its way to the IPFIX exporter: a pass's
 * records at once, when every flow of a big table is due together (the
 * first idle timeout after a start: some 270k records); the exporter
 * drains it at millions a second. The channel holds at most
 * net.unix.max_dgram_qlen messages (512 by default) of up to 64 KiB. */
#define START_IPFIX_SNDBUF (32 << 20)

/* --ipfix: the exporter, which connects to the flow collector as the
 * service user before its sandbox: a collector that can't be reached
 * over TCP ends the run before the screen opens. Its channel is a
 * SOCK_SEQPACKET pair (privsep/ipfix_wire.h) that the ui writes without
 * waiting: a lagging exporter costs records, counted, never the ui's
 * time. */
static int start_ipfix(struct run *r)
{
	int big = START_IPFIX_SNDBUF;

	r->ui_ipfix[0] = r->ui_ipfix[1] = -1;
	if (!r->o->ipfix)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
		       r->ui_ipfix) < 0)
		return start_fail(r, strerror(errno));
	if (setsockopt(r->ui_ipfix[0], SOL_SOCKET, SO_SNDBUFFORCE, &big,
		       sizeof(big)) < 0)
		(void)setsockopt(r->ui_ipfix[0], SOL_SOCKET, SO_SNDBUF, &big,
				 sizeof(big));
	if (start_child(r, RUN_IPFIX, r->roles->ipfix, r->ui_ipfix[1]) < 0)
		return -1;
	start_close(&r->ui_ipfix[1]);
	return start_ready(r, r->ui_ipfix[0], "ipfix", "--ipfix");
}

/* The ui gets every channel's other end: the collector's, the
 * resolver's, and the writers' it was given. */
static int start_ui(struct run *r)
{
	const int fd[ROLE_FDS] = { r->col_ui[1], r->ui_res[0], r->ui_rec[0],
				   r->ui_base[0], r->ui_ipfix[0] };

	return start_child_fds(r, RUN_UI, r->roles->ui, fd);
}

static int start_children(struct run *r)
{
	char err[256];

	if (priv_make_empty_dir(r->empty_dir, sizeof(r->empty_dir), err,
				sizeof(err)) < 0)
		return start_fail(r, err);
	if (seccomp_board_init() < 0)
		return start_fail(r, "cannot map the seccomp trap board");
	seccomp_names_init();
	if (start_recorder(r) < 0 || start_baseline(r) < 0 ||
	    start_ipfix(r) < 0)
		return -1;
	if (start_child(r, RUN_RESOLVER, r->roles->resolver, r->ui_res[1]) < 0)
		return -1;
	/* The resolver's DNS queries are flowtop's own: never listed. */
	if (start_procmap)
		procmap_set_hidden_pid(start_procmap,
				       r->child[RUN_RESOLVER].pid);
	if (start_ui(r) < 0)
		return -1;
	close(r->col_ui[1]);
	close(r->ui_res[0]);
	close(r->ui_res[1]);
	start_close(&r->ui_rec[0]);
	start_close(&r->ui_base[0]);
	start_close(&r->ui_ipfix[0]);
	return start_nsdiag(r);
}

static int start_confine(struct run *r)
{
	char err[256];

	if (priv_keep_only(&start_caps, err, sizeof(err)) < 0)
		return start_fail(r, err);
	/* The filesystem-uid switches of start_sysctl and the capability
	 * changes may have reset the flag to fs.suid_dumpable. */
	if (priv_nodump() < 0)
		return start_fail(r, "PR_SET_DUMPABLE failed");
	last_words_run = r;
	/* No Landlock here: a Landlock domain may not ptrace-read processes
	 * outside it, and reading /proc/PID/fd of every process is how the
	 * collector names the owners of flows (DESIGN.md, Confinement). */
	if (seccomp_trap_init(RUN_SLOT_COLLECTOR, start_last_words) < 0 ||
	    seccomp_install(r->roles->collector->policy, err, sizeof(err)) < 0)
		return start_fail(r, err);
	return 0;
}

int run_main(const struct options *o, const struct run_roles *roles)
{
	struct run *r = calloc(1, sizeof(*r));
	int rc;

	if (!r) {
		fprintf(stderr, "flowtop: out of memory\n");
		return 1;
	}
	prctl(PR_SET_NAME, roles->collector->comm, 0, 0, 0);
	/* Not dumpable before it opens anything; start_confine sets it again
	 * after the last change of identity or capabilities. */
	if (priv_nodump() < 0) {
		fprintf(stderr, "flowtop: PR_SET_DUMPABLE: %s\n", strerror(errno));
		free(r);
		return 1;
	}
	/* Once per run, before the screen: the kernel lacks Landlock or
	 * some of its rights. */
	landlock_report();
	r->o = o;
	r->roles = roles;
	r->sigfd = -1;
	r->nsd_fd = -1;
	for (int i = 0; i < RUN_CHILDREN; i++)
		relay_init(&r->child[i].err, -1, STDERR_FILENO, "", 0);
	/* The terminal's codeset, for escaping what the children say. */
	esc_term_from_locale();
	ct_sysctl_init(&r->sysctl);
	r->tty.fd = -1;
	if (start_open(r) < 0 || start_signals(r) < 0 ||
	    start_channels(r) < 0) {
		ct_sysctl_restore(&r->sysctl);
		fprintf(stderr, "flowtop: %s\n", r->why);
		return 1;
	}
	/* The stream (HELLO, the first dump) starts when the ui asks for it
	 * (supervise.c). */
	if (start_children(r) < 0 || start_confine(r) < 0)
		r->stop = STOP_ERROR;
	testhook_seccomp(roles->collector->name);
	if (r->stop == STOP_NONE)
		run_supervise(r);
	rc = run_shutdown(r);
	testhook_counts(r->stream->resyncs, r->stream->pm_full_runs);
	return rc;
}
