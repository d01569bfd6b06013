/* SPDX-License-Identifier: GPL-2.0-only */
/* sysctl: switch nf_conntrack_acct and nf_conntrack_timestamp on for the
 * run (flowtop shows counters and ages only with them) and put the old
 * values back on every exit path. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "collector/sysctl.h"

static void ct_knob_reset(struct ct_sysctl_knob *k)
{
	k->fd = -1;
	k->old_len = 0;
	k->changed = 0;
}

/* Is the value as read already "1" (with or without the newline)? */
static int ct_knob_is_on(const struct ct_sysctl_knob *k)
{
	size_t n = k->old_len;

	while (n > 0 && (k->old[n - 1] == '\n' || k->old[n - 1] == ' '))
		n--;
	return n == 1 && k->old[0] == '1';
}

static int ct_knob_fail(const char *path, const char *what,
			char *err, size_t errlen)
{
	snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
	return -1;
}

/* Remember the knob's value and set it to 1. A knob that does not exist
 * (conntrack built without the feature) is left out, not an error. */
static int ct_knob_enable(struct ct_sysctl_knob *k, const char *dir,
			  const char *name, char *err, size_t errlen)
{
	char path[PATH_MAX];
	ssize_t n;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path)) {
		snprintf(err, errlen, "sysctl directory name too long: %s", dir);
		return -1;
	}
	/* Opened for writing now, while we still may: restoring later must
	 * need nothing but pwrite(). */
	k->fd = open(path, O_RDWR | O_CLOEXEC);
	if (k->fd < 0)
		return errno == ENOENT ? 0 :
		       ct_knob_fail(path, "cannot open for writing", err, errlen);
	n = pread(k->fd, k->old, sizeof(k->old), 0);
	if (n < 0)
		return ct_knob_fail(path, "cannot read", err, errlen);
	if (n == 0 || (size_t)n == sizeof(k->old)) {
		snprintf(err, errlen, "unexpected value in %s", path);
		return -1;
	}
	k->old_len = (size_t)n;
	if (ct_knob_is_on(k))
		return 0;
	if (pwrite(k->fd, "1\n", 2, 0) != 2)
		return ct_knob_fail(path, "cannot write", err, errlen);
	k->changed = 1;
	return 0;
}

static void ct_knob_restore(struct ct_sysctl_knob *k)
{
	ssize_t r;

	if (!k->changed || k->fd < 0)
		return;
	/* A failure can't be helped: this runs on the way out, possibly in
	 * a signal handler. */
	r = pwrite(k->fd, k->old, k->old_len, 0);
	(void)r;
	k->changed = 0;
}

static void ct_knob_close(struct ct_sysctl_knob *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

int ct_sysctl_enable(struct ct_sysctl *s, const char *dir,
		     char *err, size_t errlen)
{
	ct_knob_reset(&s->acct);
	ct_knob_reset(&s->tstamp);
	if (ct_knob_enable(&s->acct, dir, "nf_conntrack_acct", err, errlen) == 0 &&
	    ct_knob_enable(&s->tstamp, dir, "nf_conntrack_timestamp",
			   err, errlen) == 0)
		return 0;
	/* Leave the system as we found it; later restores do nothing. */
	ct_sysctl_restore(s);
	ct_knob_close(&s->acct);
	ct_knob_close(&s->tstamp);
	return -1;
}

void ct_sysctl_restore(struct ct_sysctl *s)
{
	ct_knob_restore(&s->acct);
	ct_knob_restore(&s->tstamp);
}
