/* SPDX-License-Identifier: GPL-2.0-only */
/* sysctl: nf_conntrack_acct and nf_conntrack_timestamp, switched on for the
 * run and put back afterwards.
 *
 * The files are opened once, before the collector confines itself, and kept
 * open, so that restoring needs only pwrite(): ct_sysctl_restore() is safe to
 * call from a signal handler and from every exit path.
 */
#ifndef FLOWTOP_SYSCTL_H
#define FLOWTOP_SYSCTL_H

#include <stddef.h>

struct ct_sysctl_knob {
	int fd;            /* -1 when the knob is absent */
	char old[16];      /* value before we changed it, as read */
	size_t old_len;
	int changed;       /* we wrote a new value */
};

struct ct_sysctl {
	struct ct_sysctl_knob acct;
	struct ct_sysctl_knob tstamp;
};

/* Open both knobs under dir (normally "/proc/sys/net/netfilter"), remember
 * their values and set them to 1. 0, or -1 with a message in err. */
int ct_sysctl_enable(struct ct_sysctl *s, const char *dir,
		     char *err, size_t errlen);

/* Write the remembered values back to the knobs we changed. Idempotent and
 * async-signal-safe. */
void ct_sysctl_restore(struct ct_sysctl *s);

#endif
