/* SPDX-License-Identifier: GPL-2.0-only */
/* privdrop: capabilities (libcap-ng) and identities. */
#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privsep/privdrop.h"

int priv_nodump(void)
{
	return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* Dropping the bounding set needs CAP_SETPCAP, which only a root start has;
 * with no_new_privs set later, the bounding set can grant nothing anyway. */
static capng_select_t priv_select(void)
{
	return capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP) ?
		CAPNG_SELECT_BOTH : CAPNG_SELECT_CAPS;
}

/* Keep, of caps[0..n), those in the permitted set; all made effective. */
static void priv_keep_permitted(const int *caps, size_t n, int *have)
{
	size_t i;

	for (i = 0; i < n; i++)
		have[i] = capng_have_capability(CAPNG_PERMITTED, caps[i]);
}

static void priv_add(const int *caps, size_t n, const int *have)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!have || have[i])
			capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
				     caps[i]);
}

/* One line (it must fit struct run's why): which capabilities are
 * missing and how to get them. */
static void priv_missing(const struct priv_caps *c, char *err, size_t errlen)
{
	size_t i, len = 0;

	len += (size_t)snprintf(err, errlen, "missing");
	for (i = 0; i < c->nrequired && len < errlen; i++)
		if (!capng_have_capability(CAPNG_PERMITTED, c->required[i].cap))
			len += (size_t)snprintf(err + len, errlen - len, " %s",
						c->required[i].name);
	if (len < errlen)
		len += (size_t)snprintf(err + len, errlen - len,
			": run it with sudo, or install it with 'make install' "
			"(file capabilities) or 'make install SETUID=1', "
			"then join the group flowtop");
	/* Then neither would help: the kernel ignores both at exec. */
	if (len < errlen && prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1)
		snprintf(err + len, errlen - len, " (no_new_privs is set here: "
			 "both are ignored)");
}

int priv_start(const struct priv_caps *c, char *err, size_t errlen)
{
	int have_setup[PRIV_CAPS_MAX], have_keep[PRIV_CAPS_MAX];
	size_t i;

	if (c->nsetup > PRIV_CAPS_MAX || c->nkeep > PRIV_CAPS_MAX) {
		snprintf(err, errlen, "too many capabilities asked for");
		return -1;
	}

	if (capng_get_caps_process() < 0) {
		snprintf(err, errlen, "cannot read capabilities: %s",
			 strerror(errno));
		return -1;
	}
	for (i = 0; i < c->nrequired; i++)
		if (!capng_have_capability(CAPNG_PERMITTED, c->required[i].cap)) {
			priv_missing(c, err, errlen);
			return -1;
		}
	priv_keep_permitted(c->setup, c->nsetup, have_setup);
	priv_keep_permitted(c->keep, c->nkeep, have_keep);
	capng_clear(CAPNG_SELECT_CAPS);
	priv_add(c->setup, c->nsetup, have_setup);
	priv_add(c->keep, c->nkeep, have_keep);
	if (capng_apply(CAPNG_SELECT_CAPS) < 0) {
		snprintf(err, errlen, "cannot set capabilities: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int priv_lookup(const char *name, struct ids *out)
{
	struct passwd *pw = getpwnam(name);

	if (!pw || pw->pw_uid == 0)
		return -1;
	out->uid = pw->pw_uid;
	out->gid = pw->pw_gid;
	return 0;
}

int priv_unpriv_ids(struct ids *out, char *err, size_t errlen)
{
	if (priv_lookup("flowtop", out) == 0 || priv_lookup("nobody", out) == 0)
		return 0;
	snprintf(err, errlen, "no unprivileged user: neither 'flowtop' nor "
		 "'nobody' exists");
	return -1;
}

void priv_ipfix_ids(const struct ids *unpriv, struct ids *out)
{
	if (priv_lookup("flowtop-ipfix", out) < 0)
		*out = *unpriv;
}

/* A decimal id from the environment, 1..INT_MAX-1; -1 when absent/bad. */
static long priv_env_id(const char *name)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v >= INT_MAX)
		return -1;
	return v;
}

int priv_user_ids(const struct ids *unpriv, struct ids *out,
		char *err, size_t errlen)
{
	long su, sg;

	(void)err;
	(void)errlen;
	if (getuid() != 0) {
		out->uid = getuid();
		out->gid = getgid();
		return 0;
	}
	/* Only a real root start may pick the ui's uid from the
	 * environment; a setuid start has an untrusted environment. */
	su = priv_env_id("SUDO_UID");
	sg = priv_env_id("SUDO_GID");
	if (su > 0) {
		struct passwd *pw = getpwuid((uid_t)su);

		out->uid = (uid_t)su;
		out->gid = sg > 0 ? (gid_t)sg : pw ? pw->pw_gid : unpriv->gid;
		return 0;
	}
	*out = *unpriv;
	return 0;
}

int priv_make_empty_dir(char *path, size_t pathlen, char *err, size_t errlen)
{
	/* Literal /tmp: TMPDIR comes from a possibly untrusted environment.
	 * 0711: the resolver, no longer root when it chroots, must be able to
	 * search it, but nobody may list or write it. */
	if ((size_t)snprintf(path, pathlen, "/tmp/flowtop-empty-XXXXXX") >= pathlen
	    || !mkdtemp(path) || chmod(path, 0711) < 0) {
		snprintf(err, errlen, "cannot create an empty directory in /tmp: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* Stand in dir and remove it: a deleted directory stays empty for good,
 * and the working directory keeps it for the later chroot("."). */
int priv_enter_empty(const char *dir, char *err, size_t errlen)
{
	if (chdir(dir) < 0 || rmdir(dir) < 0) {
		snprintf(err, errlen, "entering %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int priv_chroot_cwd(char *err, size_t errlen)
{
	if (chroot(".") < 0 || chdir("/") < 0) {
		snprintf(err, errlen, "chroot into the working directory: %s",
			 strerror(errno));
		return -1;
	}
	return priv_drop_all(err, errlen);
}

/* Real and saved ids become id's, the effective (and with them the
 * filesystem) ids eff's. Supplementary groups: id's own group, or none
 * when eff differs (then no group of the user's and none of id's lends
 * access to what eff opens). */
static int priv_set_ids(const struct ids *id, const struct ids *eff,
			char *err, size_t errlen)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	int split = id->uid != eff->uid || id->gid != eff->gid;
	int rc = split ? setgroups(0, NULL) : setgroups(1, &id->gid);

	if (rc < 0 && (errno != EPERM || getgid() != id->gid || split)) {
		snprintf(err, errlen, "setgroups: %s", strerror(errno));
		return -1;
	}
	if (setresgid(id->gid, eff->gid, id->gid) < 0 ||
	    setresuid(id->uid, eff->uid, id->uid) < 0) {
		snprintf(err, errlen, "cannot become uid %u gid %u: %s",
			 (unsigned)id->uid, (unsigned)id->gid, strerror(errno));
		return -1;
	}
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 ||
	    ru != id->uid || eu != eff->uid || su != id->uid ||
	    rg != id->gid || eg != eff->gid || sg != id->gid) {
		snprintf(err, errlen, "identity change to uid %u did not stick",
			 (unsigned)id->uid);
		return -1;
	}
	return 0;
}

static int priv_apply(capng_select_t sel, char *err, size_t errlen)
{
	if (capng_apply(sel) < 0) {
		snprintf(err, errlen, "cannot drop capabilities: %s",
			 strerror(errno));
		return -1;
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return 0;
}

int priv_drop_all(char *err, size_t errlen)
{
	capng_get_caps_process();
	capng_clear(CAPNG_SELECT_CAPS);
	if (priv_apply(CAPNG_SELECT_CAPS, err, errlen) < 0)
		return -1;
	capng_get_caps_process();
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE) {
		snprintf(err, errlen, "capabilities survived the drop");
		return -1;
	}
	return 0;
}

/* The identity change of priv_become_as, keeping capability keep (-1:
 * none) in the effective, permitted and bounding sets. */
static int priv_become_keep(const struct ids *id, const struct ids *eff,
			    int keep, char *err, size_t errlen)
{
	/* The bounding set first: after the uid change SETPCAP is gone. */
	capng_get_caps_process();
	if (priv_select() == CAPNG_SELECT_BOTH) {
		capng_clear(CAPNG_SELECT_BOUNDS);
		if (keep >= 0)
			capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET, keep);
		if (priv_apply(CAPNG_SELECT_BOUNDS, err, errlen) < 0)
			return -1;
	}
	/* Without KEEPCAPS a root start loses every capability with uid 0. */
	if (keep >= 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "PR_SET_KEEPCAPS: %s", strerror(errno));
		return -1;
	}
	if (priv_set_ids(id, eff, err, errlen) < 0)
		return -1;
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	if (keep < 0)
		return priv_drop_all(err, errlen);
	capng_get_caps_process();
	capng_clear(CAPNG_SELECT_CAPS);
	capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, keep);
	return priv_apply(CAPNG_SELECT_CAPS, err, errlen);
}

int priv_become_as(const struct ids *id, const struct ids *eff,
		   int keep_chroot, char *err, size_t errlen)
{
	return priv_become_keep(id, eff, keep_chroot ? CAP_SYS_CHROOT : -1,
				err, errlen);
}

int priv_become(const struct ids *id, int keep_chroot, char *err, size_t errlen)
{
	return priv_become_as(id, id, keep_chroot, err, errlen);
}

int priv_permitted(int cap)
{
	capng_get_caps_process();
	return capng_have_capability(CAPNG_PERMITTED, (unsigned)cap) != 0;
}

int priv_become_with(const struct ids *id, int cap, char *err, size_t errlen)
{
	if (!priv_permitted(cap)) {
		snprintf(err, errlen, "capability %d is not permitted", cap);
		return -1;
	}
	return priv_become_keep(id, id, cap, err, errlen);
}

int priv_settle(const struct ids *id, char *err, size_t errlen)
{
	/* id's ids are the real and saved ones: no capability needed. */
	if (setresgid(id->gid, id->gid, id->gid) < 0 ||
	    setresuid(id->uid, id->uid, id->uid) < 0) {
		snprintf(err, errlen, "cannot settle as uid %u: %s",
			 (unsigned)id->uid, strerror(errno));
		return -1;
	}
	return 0;
}

int priv_drop_to_caller(char *err, size_t errlen)
{
	uid_t uid = getuid();
	gid_t gid = getgid();

	/* A setuid start: the caller's ids back everywhere; with uid 0 gone
	 * from all four, the kernel clears every capability too. */
	if (geteuid() != uid &&
	    (setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)) {
		snprintf(err, errlen, "cannot drop to uid %u: %s",
			 (unsigned)uid, strerror(errno));
		return -1;
	}
	return priv_drop_all(err, errlen);
}

int priv_fs_root(uid_t *was, char *err, size_t errlen)
{
	/* An invalid id changes nothing and returns the current one. */
	*was = (uid_t)setfsuid((uid_t)-1);
	if (*was == 0)
		return 0;
	setfsuid(0);
	if ((uid_t)setfsuid((uid_t)-1) != 0) {
		snprintf(err, errlen, "cannot take the filesystem uid 0 "
			 "(CAP_SETUID missing?)");
		return -1;
	}
	return 0;
}

int priv_fs_back(uid_t was, char *err, size_t errlen)
{
	int c;

	if (was == 0)
		return 0;
	setfsuid(was);
	if ((uid_t)setfsuid((uid_t)-1) != was) {
		snprintf(err, errlen, "cannot go back to filesystem uid %u",
			 (unsigned)was);
		return -1;
	}
	capng_get_caps_process();
	for (c = 0; c <= CAP_LAST_CAP; c++)
		if (capng_have_capability(CAPNG_PERMITTED, (unsigned)c))
			capng_update(CAPNG_ADD, CAPNG_EFFECTIVE, (unsigned)c);
	if (capng_apply(CAPNG_SELECT_CAPS) < 0) {
		snprintf(err, errlen, "cannot raise capabilities again: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

int priv_keep_only(const struct priv_caps *c, char *err, size_t errlen)
{
	capng_select_t sel;
	size_t i;

	capng_get_caps_process();
	sel = priv_select();
	capng_clear(CAPNG_SELECT_BOTH);
	priv_add(c->keep, c->nkeep, NULL);
	for (i = 0; i < c->nkeep; i++)
		capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET, c->keep[i]);
	return priv_apply(sel, err, errlen);
}
