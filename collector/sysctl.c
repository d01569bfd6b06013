/* SPDX-License-Identifier: GPL-2.0-only */
/* sysctl: switch nf_conntrack_acct and nf_conntrack_timestamp on while any
 * flowtop runs in the network namespace (flowtop shows counters and ages
 * only with them), and have the last run to end put back the values the
 * administrator had set (see sysctl.h for the state file).
 *
 * Everything after ct_sysctl_enable() is async-signal-safe: no stdio, no
 * malloc, only syscalls on descriptors opened there. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "collector/sysctl.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

#define NETNS_SELF "/proc/self/ns/net"
/* flock is retried every 10 ms: about 5 s at start, 2 s on the way out. */
#define LOCK_TRIES_START 500
#define LOCK_TRIES_END 200

static const char *const knob_name[CT_SYSCTL_KNOBS] = {
	"nf_conntrack_acct", "nf_conntrack_timestamp",
};

void ct_sysctl_init(struct ct_sysctl *s)
{
	memset(s, 0, sizeof(*s));
	s->fd[0] = s->fd[1] = -1;
	s->state_fd = s->proc_fd = -1;
}

static int sc_fail(char *err, size_t errlen, const char *what,
		   const char *path)
{
	snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
	return -1;
}

/* Is the value as read "1" (with or without the newline)? */
static int sc_is_on(const char *v, size_t n)
{
	while (n > 0 && (v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	return n == 1 && v[0] == '1';
}

/* --- other runs: alive? ------------------------------------------------ */

/* "PID/stat" into buf (at least 24 bytes), without stdio. */
static void sc_stat_name(char *buf, pid_t pid)
{
	char digits[12];
	size_t n = 0, i = 0;
	unsigned long v = (unsigned long)pid;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < sizeof(digits));
	while (n)
		buf[i++] = digits[--n];
	memcpy(buf + i, "/stat", 6);
}

/* The start time (field 22 of /proc/PID/stat) of pid: 1 with *start set,
 * 0 when there is no such process, -1 when it can't be told. */
static int sc_proc_start(int proc_fd, pid_t pid, uint64_t *start)
{
	char name[24], buf[1024];
	ssize_t n;
	char *p, *end;
	int fd, field;

	if (pid <= 0)
		return 0;
	sc_stat_name(name, pid);
	fd = openat(proc_fd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH ? 0 : -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n == 0 || errno == ESRCH ? 0 : -1;
	buf[n] = 0;
	/* The command name may hold anything, ')' too: the last one ends it.
	 * Field 3 (the state) follows it, after a space. */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	end = buf + n;
	for (field = 2; field < 22; field++) {
		p = memchr(p, ' ', (size_t)(end - p));
		if (!p)
			return -1;
		p++;
	}
	*start = 0;
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9')
		*start = *start * 10 + (uint64_t)(*p++ - '0');
	return 1;
}

/* A run whose liveness can't be told counts as alive: better leave the
 * knobs on than switch them off under a running flowtop. */
static int sc_run_alive(const struct ct_sysctl *s,
			const struct ct_sysctl_entry *e)
{
	uint64_t start;
	int r = sc_proc_start(s->proc_fd, (pid_t)e->pid, &start);

	return r < 0 || (r == 1 && start == e->start);
}

/* Keep the entries of the runs alive, other than this one. */
static void sc_prune(const struct ct_sysctl *s, struct ct_sysctl_state *st)
{
	uint32_t i, n = 0;

	for (i = 0; i < st->nruns; i++) {
		const struct ct_sysctl_entry *e = &st->run[i];

		if (e->pid == (int32_t)s->pid && e->start == s->start)
			continue;
		if (sc_run_alive(s, e))
			st->run[n++] = *e;
	}
	st->nruns = n;
}

/* --- the state file ---------------------------------------------------- */

static int sc_lock(int fd, int tries)
{
	struct timespec ten_ms = { 0, 10 * 1000 * 1000 };

	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK || --tries <= 0)
			return -1;
		nanosleep(&ten_ms, NULL);
	}
	return 0;
}

static void sc_unlock(int fd)
{
	flock(fd, LOCK_UN);
}

static uint64_t sc_netns_cookie(void)
{
	uint64_t c = 0;
	socklen_t len = sizeof(c);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &c, &len) < 0 ||
	    len != sizeof(c))
		c = 0;
	close(fd);
	return c;
}

static void sc_fresh(struct ct_sysctl_state *st, uint64_t cookie)
{
	memset(st, 0, sizeof(*st));
	memcpy(st->magic, CT_SYSCTL_MAGIC, sizeof(st->magic));
	st->netns_cookie = cookie;
}

/* The state as stored: 0, or 1 when there is none to trust (an empty or
 * foreign file, or one of a namespace that is gone, whose inode number
 * this one reuses): then *st is fresh. */
static int sc_read(int fd, struct ct_sysctl_state *st, uint64_t cookie)
{
	ssize_t n = pread(fd, st, sizeof(*st), 0);
	int i;

	if (n != (ssize_t)sizeof(*st) ||
	    memcmp(st->magic, CT_SYSCTL_MAGIC, sizeof(st->magic)) != 0 ||
	    st->netns_cookie != cookie || st->nruns > CT_SYSCTL_MAX_RUNS)
		goto fresh;
	for (i = 0; i < CT_SYSCTL_KNOBS; i++)
		if (st->knob[i].len > CT_SYSCTL_VALUE_MAX)
			goto fresh;
	return 0;
fresh:
	sc_fresh(st, cookie);
	return 1;
}

static int sc_write(int fd, const struct ct_sysctl_state *st)
{
	/* One write of a fixed size at offset 0, in one page of a tmpfs: a
	 * SIGKILL leaves the old or the new state, not half of each. */
	return pwrite(fd, st, sizeof(*st), 0) == (ssize_t)sizeof(*st) ? 0 : -1;
}

/* Put the recorded values back into the knobs flowtop switched on. */
static void sc_put_back(const struct ct_sysctl *s, struct ct_sysctl_state *st)
{
	int i;

	for (i = 0; i < CT_SYSCTL_KNOBS; i++) {
		struct ct_sysctl_saved *k = &st->knob[i];

		if (!k->switched)
			continue;
		if (s->fd[i] >= 0 &&
		    pwrite(s->fd[i], k->value, k->len, 0) != (ssize_t)k->len) {
			/* Can't be helped: this runs on the way out. */
		}
		k->switched = 0;
		k->len = 0;
	}
}

/* This run leaves (the lock held): the last one puts the values back. */
static void sc_leave(struct ct_sysctl *s, struct ct_sysctl_state *st)
{
	sc_prune(s, st);
	if (st->nruns == 0)
		sc_put_back(s, st);
	(void)sc_write(s->state_fd, st);
	s->registered = 0;
}

/* /run/flowtop/netns-INODE: a directory and a file that only the owner
 * (root) may use, made if missing, never followed through a link, and
 * checked on the descriptor. A file-capability start gets here with the
 * filesystem uid 0 (start.c), as the caller must not own them. */
static int sc_open_state(const struct ct_sysctl_where *w, char *err,
			 size_t errlen)
{
	char name[48], path[PATH_MAX];
	struct stat ns, sb;
	int dfd, fd;

	if (stat(NETNS_SELF, &ns) < 0)
		return sc_fail(err, errlen, "cannot stat", NETNS_SELF);
	snprintf(name, sizeof(name), "netns-%llu",
		 (unsigned long long)ns.st_ino);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", w->state, name) >=
	    sizeof(path)) {
		snprintf(err, errlen, "state directory name too long: %s",
			 w->state);
		return -1;
	}
	if (mkdir(w->state, 0700) == 0) {
		if (chmod(w->state, 0700) < 0)   /* whatever the umask */
			return sc_fail(err, errlen, "cannot chmod", w->state);
	} else if (errno != EEXIST) {
		return sc_fail(err, errlen, "cannot create", w->state);
	}
	dfd = open(w->state, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return sc_fail(err, errlen, "cannot open", w->state);
	if (fstat(dfd, &sb) < 0 || !S_ISDIR(sb.st_mode) ||
	    sb.st_uid != w->owner || (sb.st_mode & 077)) {
		snprintf(err, errlen, "%s must be a directory of uid %u's alone "
			 "(mode 0700)", w->state, (unsigned)w->owner);
		close(dfd);
		return -1;
	}
	fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	close(dfd);
	if (fd < 0)
		return sc_fail(err, errlen, "cannot open", path);
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_uid != w->owner || (sb.st_mode & 077) || sb.st_nlink != 1) {
		snprintf(err, errlen, "%s must be a file of uid %u's alone "
			 "(mode 0600)", path, (unsigned)w->owner);
		close(fd);
		return -1;
	}
	return fd;
}

/* --- start ------------------------------------------------------------- */

/* Open the knobs for writing now, while we still may. A knob that does
 * not exist (conntrack built without the feature) is left out. */
static int sc_open_knobs(struct ct_sysctl *s, const char *dir, char *err,
			 size_t errlen)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < CT_SYSCTL_KNOBS; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     knob_name[i]) >= sizeof(path)) {
			snprintf(err, errlen, "sysctl directory name too long: %s",
				 dir);
			return -1;
		}
		s->fd[i] = open(path, O_RDWR | O_CLOEXEC);
		if (s->fd[i] < 0 && errno != ENOENT)
			return sc_fail(err, errlen, "cannot open for writing",
				       path);
	}
	return 0;
}

/* The knobs' values now, each checked. */
static int sc_read_knobs(const struct ct_sysctl *s, const char *dir,
			 struct ct_sysctl_saved *now, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < CT_SYSCTL_KNOBS; i++) {
		ssize_t n;

		memset(&now[i], 0, sizeof(now[i]));
		if (s->fd[i] < 0)
			continue;
		n = pread(s->fd[i], now[i].value, sizeof(now[i].value), 0);
		if (n < 0) {
			snprintf(err, errlen, "cannot read %s/%s: %s", dir,
				 knob_name[i], strerror(errno));
			return -1;
		}
		if (n == 0 || (size_t)n == sizeof(now[i].value)) {
			snprintf(err, errlen, "unexpected value in %s/%s", dir,
				 knob_name[i]);
			return -1;
		}
		now[i].len = (uint32_t)n;
	}
	return 0;
}

/* The lock held: the stale state first, then this run in. */
static int sc_join(struct ct_sysctl *s, const struct ct_sysctl_where *w,
		   struct ct_sysctl_state *st, char *err, size_t errlen)
{
	struct ct_sysctl_saved now[CT_SYSCTL_KNOBS];
	int i;

	sc_prune(s, st);
	if (st->nruns == 0)
		sc_put_back(s, st);     /* left by a run that was killed */
	if (sc_read_knobs(s, w->knobs, now, err, errlen) < 0) {
		(void)sc_write(s->state_fd, st);
		return -1;
	}
	if (st->nruns == CT_SYSCTL_MAX_RUNS) {
		snprintf(err, errlen, "%u flowtop runs in this network namespace "
			 "already", CT_SYSCTL_MAX_RUNS);
		(void)sc_write(s->state_fd, st);
		return -1;
	}
	/* A knob that is off now gets its value recorded, unless an earlier
	 * run recorded one: then the administrator's is already there. */
	for (i = 0; i < CT_SYSCTL_KNOBS; i++)
		if (s->fd[i] >= 0 && !st->knob[i].switched &&
		    !sc_is_on(now[i].value, now[i].len)) {
			st->knob[i] = now[i];
			st->knob[i].switched = 1;
		}
	st->run[st->nruns].pid = (int32_t)s->pid;
	st->run[st->nruns].zero = 0;
	st->run[st->nruns].start = s->start;
	st->nruns++;
	/* Recorded before a knob is touched: a SIGKILL from here on leaves a
	 * state the next start restores. */
	if (sc_write(s->state_fd, st) < 0) {
		snprintf(err, errlen, "cannot write the state in %s: %s",
			 w->state, strerror(errno));
		return -1;
	}
	s->registered = 1;
	for (i = 0; i < CT_SYSCTL_KNOBS; i++) {
		if (s->fd[i] < 0 || sc_is_on(now[i].value, now[i].len))
			continue;
		if (pwrite(s->fd[i], "1\n", 2, 0) != 2) {
			snprintf(err, errlen, "cannot write %s/%s: %s", w->knobs,
				 knob_name[i], strerror(errno));
			sc_leave(s, st);
			return -1;
		}
	}
	return 0;
}

int ct_sysctl_enable(struct ct_sysctl *s, const struct ct_sysctl_where *w,
		     char *err, size_t errlen)
{
	struct ct_sysctl_state st;
	int r;

	ct_sysctl_init(s);
	s->pid = w->pid;
	if (sc_open_knobs(s, w->knobs, err, errlen) < 0)
		goto fail;
	if (s->fd[0] < 0 && s->fd[1] < 0)
		return 0;               /* nothing to switch, nothing to keep */
	s->proc_fd = open(w->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->proc_fd < 0) {
		sc_fail(err, errlen, "cannot open", w->proc);
		goto fail;
	}
	if (sc_proc_start(s->proc_fd, s->pid, &s->start) != 1) {
		snprintf(err, errlen, "cannot read the start time of pid %ld "
			 "in %s", (long)s->pid, w->proc);
		goto fail;
	}
	s->state_fd = sc_open_state(w, err, errlen);
	if (s->state_fd < 0)
		goto fail;
	s->cookie = sc_netns_cookie();
	if (sc_lock(s->state_fd, LOCK_TRIES_START) < 0) {
		snprintf(err, errlen, "the sysctl state of this network "
			 "namespace (in %s) stays locked by another flowtop",
			 w->state);
		goto fail;
	}
	sc_read(s->state_fd, &st, s->cookie);
	r = sc_join(s, w, &st, err, errlen);
	sc_unlock(s->state_fd);
	if (r == 0)
		return 0;
fail:
	ct_sysctl_close(s);
	return -1;
}

/* --- the way out ------------------------------------------------------- */

void ct_sysctl_restore(struct ct_sysctl *s)
{
	struct ct_sysctl_state st;

	if (!s->registered || s->state_fd < 0)
		return;
	/* Without the lock, or with a state that is not ours any more, the
	 * entry stays: the next start sees a dead run. */
	if (sc_lock(s->state_fd, LOCK_TRIES_END) < 0) {
		s->registered = 0;
		return;
	}
	if (sc_read(s->state_fd, &st, s->cookie) == 0)
		sc_leave(s, &st);
	s->registered = 0;
	sc_unlock(s->state_fd);
}

void ct_sysctl_close(struct ct_sysctl *s)
{
	int i;

	for (i = 0; i < CT_SYSCTL_KNOBS; i++) {
		if (s->fd[i] >= 0)
			close(s->fd[i]);
		s->fd[i] = -1;
	}
	if (s->state_fd >= 0)
		close(s->state_fd);
	if (s->proc_fd >= 0)
		close(s->proc_fd);
	s->state_fd = s->proc_fd = -1;
	s->registered = 0;
}
