/* SPDX-License-Identifier: GPL-2.0-only */
/* supervise: the collector's loop, and the ordered shutdown. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/util.h"
#include "collector/run.h"
#include "privsep/seccomp.h"
#include "privsep/testhook.h"

#define SHUTDOWN_GRACE_MS 2000

static void sup_stop(struct run *r, enum stop_kind k, const char *why)
{
	if (r->stop != STOP_NONE)
		return;
	r->stop = k;
	if (why)
		snprintf(r->why, sizeof(r->why), "%s", why);
}

/* Collect every child that has ended; the first death stops the run. */
static void sup_reap(struct run *r)
{
	int st, i;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (i = 0; i < RUN_CHILDREN; i++) {
			struct run_child *c = &r->child[i];

			if (c->pid != pid)
				continue;
			c->status = st;
			c->reaped = 1;
			c->pid = 0;
			/* What it said before it died is said now, before
			 * the reason the run stops. */
			relay_drain(&c->err, clock_mono_ms());
		}
	}
	/* Every child is needed to the end: one gone ends the run. */
	for (i = 0; i < RUN_CHILDREN; i++)
		if (r->child[i].reaped) {
			sup_stop(r, STOP_CHILD, NULL);
			break;
		}
}

static void sup_signal(struct run *r)
{
	struct signalfd_siginfo si;

	while (read(r->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			sup_reap(r);
		} else if (r->stop == STOP_NONE) {
			r->stop = STOP_SIGNAL;
			r->stop_signal = (int)si.ssi_signo;
		}
	}
}

/* A send to the ui failed: because it is gone (its exit tells), or not. */
static void sup_send_failed(struct run *r, const char *why)
{
	if (errno != EPIPE && errno != ECONNRESET)
		sup_stop(r, STOP_ERROR, why);
	else
		r->ui_chan->fd = -1;
}

/* The ui is ready for the stream (privsep/msg.h, struct msg_sync). What
 * the children have written so far is relayed now, before the answer:
 * in screen mode it is on the terminal before the screen opens. Then,
 * while the screen runs, their lines are held until run_shutdown. */
static void sup_sync(struct run *r, const struct msg *m)
{
	struct msg_sync y;

	if (r->synced) {
		sup_stop(r, STOP_ERROR, "repeated SYNC_REQ from the ui");
		return;
	}
	r->synced = 1;
	memcpy(&y, m->payload, sizeof(y));
	r->screen = y.screen;
	r->sweep_test_ms = testhook_sweep_ms();
	for (int i = 0; i < RUN_CHILDREN; i++)
		relay_pending(&r->child[i].err, clock_mono_ms());
	if (y.screen)
		relay_hold_start(&r->hold);
	if (msg_send(r->ui_chan, MSG_SYNC_ANS, &y, sizeof(y)) < 0) {
		sup_send_failed(r, strerror(errno));
		return;
	}
	r->next_dump = clock_mono_ms() + r->o->interval_ms;  /* from its start */
	if (stream_hello(r->stream, r->o->interval_ms) < 0 ||
	    stream_dump(r->stream, DUMP_PERIODIC) < 0) {
		sup_send_failed(r, r->stream->err);
		return;
	}
}

/* Share of a core, in thousandths, the screen's full sweeps may take
 * (indexed by enum stream_need). Little when the rows shown are
 * refreshed alone (MSG_CTL_REFRESH) and off-screen figures only place
 * flows by age, address or owner; twice that for a sort by bytes, whose
 * totals only grow, so a flow off the screen moves up at the next sweep
 * (the status line says how old that is); much more when the sort or the
 * totals shown need every flow's rate. The kernel's dump walks all its
 * hash buckets whatever the table holds, so only spacing keeps a screen
 * at rest light (doc/BENCHMARKS.md). */
static const unsigned sup_sweep_permille[] = {
	[STREAM_NEED_ROWS] = 5,
	[STREAM_NEED_ORDER] = 10,
	[STREAM_NEED_ALL] = 120,
};
/* The screen's sweeps are never further apart: a flow that started
 * between two sweeps and shows no event is missed this long at most. */
#define SUP_SWEEP_MAX_MS 60000u

/* How far apart periodic dumps are, given the last one took took ms. In
 * batch every interval, unless a dump takes more than half of it, which
 * would leave no time for events and the ui: then twice its duration.
 * On the screen as far apart as the budget for their cost says, from one
 * interval to SUP_SWEEP_MAX_MS (the dump marks tell the ui). */
static uint64_t sup_gap(const struct run *r, uint64_t took)
{
	uint64_t gap = r->o->interval_ms, want;

	if (2 * took > gap)
		gap = 2 * took;
	/* --record writes every flow's changes at the interval; --ipfix
	 * judges its timeouts then. */
	if (r->screen && !r->o->record && !r->o->ipfix) {
		want = took * 1000 / sup_sweep_permille[r->stream->need];
		if (want > gap)
			gap = want < SUP_SWEEP_MAX_MS ? want : SUP_SWEEP_MAX_MS;
		if (r->sweep_test_ms)
			gap = r->sweep_test_ms;
	}
	return gap < MSG_CADENCE_MAX_MS ? gap : MSG_CADENCE_MAX_MS;
}

/* When the next periodic dump is due, one that started at start and
 * ended at end having been due at due. */
static uint64_t sup_next_dump(struct run *r, uint64_t due, uint64_t start,
			      uint64_t end)
{
	uint64_t gap = sup_gap(r, end - start);

	r->dump_start = start;
	r->dump_took = end - start;
	r->stream->cadence_ms = (uint32_t)gap;
	if (gap == r->o->interval_ms && due + gap > end)
		return due + gap;    /* on the regular beat */
	return start + gap;
}

/* The screen's needs changed: the next sweep comes as the new budget
 * says, counted from the last one (sooner when every flow is needed). */
static void sup_replan(struct run *r)
{
	uint64_t gap;

	if (!r->screen || !r->dump_start)
		return;
	gap = sup_gap(r, r->dump_took);
	r->stream->cadence_ms = (uint32_t)gap;
	r->next_dump = r->dump_start + gap;
}

/* The ui may only ask for what the catalogue lets it; anything else ends
 * the run. An EOF means the ui is ending: its exit status will tell. */
static void sup_from_ui(struct run *r)
{
	const char *why;
	struct msg m;
	char buf[200];
	int rc, need;

	errno = 0;
	rc = msg_recv(r->ui_chan, &m, &why);
	/* A ui that quit with our messages unread resets the channel: that
	 * is its end, like an EOF, and its exit status tells how it went. */
	if (rc == 0 || (rc < 0 && errno == ECONNRESET)) {
		r->ui_chan->fd = -1;
		return;
	}
	if (rc < 0) {
		snprintf(buf, sizeof(buf), "bad message from the ui: %s", why);
		sup_stop(r, STOP_ERROR, buf);
		return;
	}
	if (m.type == MSG_SYNC_REQ) {
		sup_sync(r, &m);
		return;
	}
	/* Only the screen, once its stream runs, names rows to refresh. */
	if (m.type == MSG_CTL_REFRESH && !(r->synced && r->screen)) {
		sup_stop(r, STOP_ERROR, "CTL_REFRESH from the ui outside the "
			 "screen's stream");
		return;
	}
	need = r->stream->need;
	if (stream_control(r->stream, &m) < 0)
		sup_stop(r, STOP_ERROR, r->stream->err);
	else if (r->stream->need != need)
		sup_replan(r);
}

static void sup_collect(struct run *r, int dump)
{
	int rc = dump ? stream_dump(r->stream, DUMP_PERIODIC) :
		stream_events(r->stream);

	if (rc < 0)
		sup_send_failed(r, r->stream->err);
}

/* The children's stderr pipes, after the other descriptors of a poll set
 * (a closed one is -1, which poll skips). */
static void sup_relay_fds(const struct run *r, struct pollfd *p)
{
	for (int i = 0; i < RUN_CHILDREN; i++) {
		p[i].fd = r->child[i].err.fd;
		p[i].events = POLLIN;
		p[i].revents = 0;
	}
}

static void sup_relay(struct run *r, const struct pollfd *p)
{
	for (int i = 0; i < RUN_CHILDREN; i++)
		if (p[i].revents)
			relay_read(&r->child[i].err, clock_mono_ms());
}

/* The screen's sweeps may be far apart: the socket table is refreshed
 * between them as often as dumps every interval would (stream.h). 0: not
 * due to anything but dumps. */
static uint64_t sup_sockets_due(const struct run *r)
{
	uint64_t due;

	if (!r->screen || !r->dump_start)
		return 0;
	due = stream_sockets_due(r->stream);
	return due && due < r->next_dump ? due : 0;
}

/* Before the ui has asked for the stream, no event is read and no dump
 * made (the first dump, made then, has the table as it is). */
void run_supervise(struct run *r)
{
	while (r->stop == STOP_NONE) {
		struct pollfd p[3 + RUN_CHILDREN] = {
			{ .fd = r->sigfd, .events = POLLIN },
			{ .fd = r->synced ? ct_event_fd(r->ct) : -1,
			  .events = POLLIN },
			{ .fd = r->ui_chan->fd, .events = POLLIN },
		};
		uint64_t now = clock_mono_ms(), next = r->next_dump;
		uint64_t held = stream_settle_due(r->stream);
		uint64_t sockets = sup_sockets_due(r);
		int timeout;

		if (held && held < next)
			next = held;
		if (stream_resync_due(r->stream))
			next = now;
		if (sockets && sockets < next)
			next = sockets;
		timeout = !r->synced ? -1 : next > now ? (int)(next - now) : 0;

		sup_relay_fds(r, p + 3);
		if (poll(p, ARRAY_LEN(p), timeout) < 0 && errno != EINTR) {
			sup_stop(r, STOP_ERROR, strerror(errno));
			break;
		}
		sup_relay(r, p + 3);
		if (p[0].revents)
			sup_signal(r);
		if (r->stop == STOP_NONE && p[2].revents && r->ui_chan->fd >= 0)
			sup_from_ui(r);
		if (r->stop == STOP_NONE && p[1].revents && r->ui_chan->fd >= 0)
			sup_collect(r, 0);
		if (r->stop == STOP_NONE && r->ui_chan->fd >= 0 &&
		    stream_resync_due(r->stream) &&
		    stream_resync(r->stream) < 0)
			sup_send_failed(r, r->stream->err);
		held = stream_settle_due(r->stream);
		if (r->stop == STOP_NONE && held && clock_mono_ms() >= held &&
		    r->ui_chan->fd >= 0 &&
		    stream_release(r->stream, !p[1].revents) < 0)
			sup_send_failed(r, r->stream->err);
		if (r->stop == STOP_NONE && r->synced &&
		    clock_mono_ms() >= r->next_dump && r->ui_chan->fd >= 0) {
			uint64_t start = clock_mono_ms();

			sup_collect(r, 1);
			r->next_dump = sup_next_dump(r, r->next_dump, start,
						     clock_mono_ms());
		}
		sockets = sup_sockets_due(r);
		if (r->stop == STOP_NONE && sockets &&
		    clock_mono_ms() >= sockets && r->ui_chan->fd >= 0 &&
		    stream_sockets_tick(r->stream) < 0)
			sup_send_failed(r, r->stream->err);
	}
}

static int sup_alive(const struct run *r)
{
	for (int i = 0; i < RUN_CHILDREN; i++)
		if (r->child[i].pid)
			return 1;
	return 0;
}

/* The children run under other uids and the collector has no CAP_KILL,
 * so it stops them by closing the ui's channel: the ui ends on EOF, and
 * the resolver when the ui's channel closes; the namespace helper ends
 * when its own channel closes, the recorder when the ui's stream to it
 * does (once it has written what the ui sent), the baseline's writer when
 * the ui's channel to it does (once the ui's last save is on disk), the
 * IPFIX exporter likewise (once it has sent what the ui handed it). One
 * that hangs is left to its parent-death signal when the collector
 * exits. */
static void sup_stop_children(struct run *r)
{
	uint64_t until = clock_mono_ms() + SHUTDOWN_GRACE_MS;
	int i;

	for (i = 0; i < RUN_CHILDREN; i++)
		r->child[i].termed = r->child[i].pid != 0;
	if (r->ui_chan && r->ui_chan->fd >= 0) {
		close(r->ui_chan->fd);
		r->ui_chan->fd = -1;
	}
	if (r->nsd_fd >= 0) {
		if (r->stream->pm)
			procmap_set_ns_helper(r->stream->pm, -1);
		close(r->nsd_fd);
		r->nsd_fd = -1;
	}
	while (sup_alive(r) && clock_mono_ms() < until) {
		struct pollfd p[1 + RUN_CHILDREN] = {
			{ .fd = r->sigfd, .events = POLLIN },
		};

		/* A child blocked on a full stderr pipe could not end. */
		sup_relay_fds(r, p + 1);
		if (poll(p, ARRAY_LEN(p), (int)(until - clock_mono_ms())) > 0) {
			sup_relay(r, p + 1);
			if (p[0].revents)
				sup_signal(r);
		}
	}
}

/* The test build's handler put the syscall on the board; the installed
 * build's filter kills before any handler runs, so only the role is
 * known. */
static void sup_report_seccomp(const char *role, long nr)
{
	if (nr >= 0)
		fprintf(stderr, "flowtop: %s killed by seccomp: syscall %s\n",
			role, seccomp_syscall_name(nr));
	else
		fprintf(stderr, "flowtop: %s killed by seccomp: a system call "
			"outside its allowlist\n", role);
}

/* A child that died of a signal, resolver first (enum run_child_id's
 * order): that is the cause. */
static int sup_report_signaled(const struct run *r)
{
	unsigned i;

	for (i = 0; i < RUN_CHILDREN; i++) {
		const struct run_child *c = &r->child[i];
		int sig;

		if (!c->reaped || !WIFSIGNALED(c->status))
			continue;
		sig = WTERMSIG(c->status);
		if (c->termed && sig == SIGTERM)
			continue;       /* its parent-death signal */
		if (sig == SIGSYS)
			sup_report_seccomp(c->spec->name,
					   seccomp_board_read(RUN_SLOT(i)));
		else
			fprintf(stderr, "flowtop: %s killed by signal %d (%s)\n",
				c->spec->name, sig, strsignal(sig));
		return 1;
	}
	return 0;
}

/* Why the run stopped, said once; returns the exit status. */
static int sup_report(const struct run *r)
{
	const struct run_child *ui = &r->child[RUN_UI];
	const struct run_child *res = &r->child[RUN_RESOLVER];
	const struct run_child *nsd = &r->child[RUN_NSDIAG];

	if (sup_report_signaled(r))
		return 1;
	switch (r->stop) {
	case STOP_ERROR:
		fprintf(stderr, "flowtop: %s\n", r->why);
		return 1;
	case STOP_SIGNAL:
		/* Without a count, a signal is the normal way to stop. */
		if (r->o->count == 0)
			return 0;
		fprintf(stderr, "flowtop: stopped by %s before the last snapshot\n",
			strsignal(r->stop_signal));
		return 1;
	default:
		break;
	}
	if (ui->reaped && WIFEXITED(ui->status))
		return WEXITSTATUS(ui->status) == 0 ? 0 : 1;
	if (res->reaped && WIFEXITED(res->status) &&
	    WEXITSTATUS(res->status) == 0)
		fprintf(stderr, "flowtop: resolver exited unexpectedly\n");
	if (nsd->reaped && !ui->reaped && !res->reaped)
		fprintf(stderr, "flowtop: nsdiag exited unexpectedly\n");
	return 1;
}

int run_shutdown(struct run *r)
{
	sup_stop_children(r);
	ct_sysctl_restore(&r->sysctl);
	/* Closing its socket makes the kernel delete the --track table (an
	 * exit would too; this is only sooner). */
	track_stop(r->track);
	r->track = NULL;
	tty_restore(&r->tty);
	/* The screen is closed: what the children said while it ran, then
	 * their last lines, before why the run ended; one that is still
	 * running (left to its death signal) says no more. */
	relay_hold_release(&r->hold, STDERR_FILENO);
	for (int i = 0; i < RUN_CHILDREN; i++)
		relay_drain(&r->child[i].err, clock_mono_ms());
	return sup_report(r);
}
