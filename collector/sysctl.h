/* SPDX-License-Identifier: GPL-2.0-only */
/* sysctl: nf_conntrack_acct and nf_conntrack_timestamp, switched on while
 * any flowtop runs in a network namespace and put back, by the last one to
 * end, to what the administrator had set.
 *
 * The knobs are per network namespace, and so are the runs that share
 * them: a state file per namespace (under /run/flowtop, root's alone)
 * records the administrator's values of the knobs flowtop switched on and
 * the running collectors (pid and start time, so that a reused pid is not
 * taken for a run). Every change is made under flock on that file:
 *
 *   start: drop the entries of runs that are gone; if none is left but the
 *          file says a knob was switched on (the last run was killed with
 *          SIGKILL), put the recorded value back first; record the value of
 *          each knob not on yet, record this run, then switch them on;
 *   end:   remove this run (and the dead); only if no run is left, put the
 *          recorded values back.
 *
 * The knobs, the state file and /proc are opened once, before the collector
 * confines itself, and kept open: ending needs only flock, pread, pwrite and
 * read-only opens under /proc, so ct_sysctl_restore() works under the
 * collector's seccomp filter and from a signal handler.
 */
#ifndef FLOWTOP_SYSCTL_H
#define FLOWTOP_SYSCTL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CT_SYSCTL_KNOBS 2        /* nf_conntrack_acct, nf_conntrack_timestamp */
#define CT_SYSCTL_MAX_RUNS 128   /* concurrent runs in one namespace */
#define CT_SYSCTL_VALUE_MAX 16

struct ct_sysctl {
	int fd[CT_SYSCTL_KNOBS];  /* the knobs, -1 when absent */
	int state_fd;             /* the state file, -1 when no knob exists */
	int proc_fd;              /* where PID/stat says whether a run lives */
	pid_t pid;                /* this run's entry */
	uint64_t start;
	uint64_t cookie;          /* the namespace's, as recorded */
	int registered;           /* the entry is in the state file */
};

/* Where things are; tests point them into a temporary directory. */
struct ct_sysctl_where {
	const char *knobs;        /* "/proc/sys/net/netfilter" */
	const char *state;        /* "/run/flowtop" */
	const char *proc;         /* "/proc" */
	uid_t owner;              /* who must own the state directory and file */
	pid_t pid;                /* this run: getpid() */
};

/* The state file, as written (native byte order; it never leaves the
 * host, and /run does not outlive a boot). */
#define CT_SYSCTL_MAGIC "FTSYSCT1"
struct ct_sysctl_saved {
	uint32_t switched;        /* flowtop set it to 1; value is the admin's */
	uint32_t len;
	char value[CT_SYSCTL_VALUE_MAX];
};
struct ct_sysctl_entry {
	int32_t pid;
	uint32_t zero;
	uint64_t start;           /* /proc/PID/stat field 22, clock ticks */
};
struct ct_sysctl_state {
	char magic[8];
	uint64_t netns_cookie;    /* SO_NETNS_COOKIE, 0 where not known */
	struct ct_sysctl_saved knob[CT_SYSCTL_KNOBS];
	uint32_t nruns;
	uint32_t zero;
	struct ct_sysctl_entry run[CT_SYSCTL_MAX_RUNS];
};

/* Nothing open, nothing to restore. */
void ct_sysctl_init(struct ct_sysctl *s);

/* Open the knobs, the state file of this network namespace and w->proc,
 * then, under the lock, as described above: restore a stale state, record
 * this run and switch the knobs on. No knob at all (conntrack without
 * them) is not an error: nothing is done. 0, or -1 with a message in err
 * (then nothing is left switched on by this run). */
int ct_sysctl_enable(struct ct_sysctl *s, const struct ct_sysctl_where *w,
		     char *err, size_t errlen);

/* Remove this run from the state; when it was the last one, put the
 * administrator's values back. Idempotent and async-signal-safe. Should
 * the lock not come within about two seconds, the entry stays and the
 * next start treats it as a dead run's. */
void ct_sysctl_restore(struct ct_sysctl *s);

/* Close what ct_sysctl_enable opened (after the restore). */
void ct_sysctl_close(struct ct_sysctl *s);

#endif
