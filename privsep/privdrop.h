/* SPDX-License-Identifier: GPL-2.0-only */
/* privdrop: capabilities and identities, for whichever process asks.
 *
 * The order in every role follows OpenBSD's daemons: open what the role
 * needs, chroot, setgroups/setresgid/setresuid (any failure is fatal), drop
 * capabilities, then confine with seccomp.
 */
#ifndef FLOWTOP_PRIVDROP_H
#define FLOWTOP_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>

struct ids {
	uid_t uid;
	gid_t gid;
};

/* A capability and its name, for the message that says it is missing. */
struct priv_cap_name {
	int cap;
	const char *name;
};

/* What the first process asks for: the capabilities it keeps for its
 * whole run, those start-up needs on top (only until the children are
 * set up), and those without which it cannot start at all. */
struct priv_caps {
	const int *keep;
	size_t nkeep;
	const int *setup;
	size_t nsetup;
	const struct priv_cap_name *required;
	size_t nrequired;
};
#define PRIV_CAPS_MAX 16

/* Make this process not dumpable (PR_SET_DUMPABLE 0): no core file, no
 * ptrace by its own uid, /proc/PID/ (mem, environ, fd, ...) root's. A
 * change of uid, gid or a gain of permitted capabilities makes the kernel
 * reset the flag to the fs.suid_dumpable sysctl (1 makes it dumpable
 * again), so every process calls this at its start and again after its
 * last identity change. -1 with errno. */
int priv_nodump(void);

/* Check that every required capability can be had (permitted set), then
 * keep only keep and setup, made effective (those not permitted are left
 * out). -1 with a message for the user in err. */
int priv_start(const struct priv_caps *c, char *err, size_t errlen);

/* The unprivileged identity: user "flowtop" if it exists, else "nobody". */
int priv_unpriv_ids(struct ids *out, char *err, size_t errlen);

/* The IPFIX exporter's identity: user "flowtop-ipfix" if it exists (make
 * install makes it), so that the process holding the socket to the flow
 * collector shares no uid with the resolver; else unpriv. */
void priv_ipfix_ids(const struct ids *unpriv, struct ids *out);

/* The invoking user's identity (what the ui runs as): the real user; when
 * that is root, SUDO_UID and SUDO_GID if set, else the unprivileged
 * identity. */
int priv_user_ids(const struct ids *unpriv, struct ids *out,
		char *err, size_t errlen);

/* Create an empty directory for the resolver's chroot. */
int priv_make_empty_dir(char *path, size_t pathlen, char *err, size_t errlen);

/* chdir into dir and remove it, so that nothing can ever be created in it;
 * priv_chroot_cwd() later makes it the root. */
int priv_enter_empty(const char *dir, char *err, size_t errlen);

/* Become id for good. With keep_chroot, CAP_SYS_CHROOT alone survives, for
 * one priv_chroot_cwd() after the role has opened its files as id; without,
 * no capability at all is left. */
int priv_become(const struct ids *id, int keep_chroot, char *err, size_t errlen);

/* As priv_become, but the effective (so filesystem) ids are eff's until
 * priv_settle(id): files opened meanwhile are opened with eff's
 * permissions and no supplementary group, while nothing that runs then
 * holds more than id's or eff's rights and CAP_SYS_CHROOT. */
int priv_become_as(const struct ids *id, const struct ids *eff,
		   int keep_chroot, char *err, size_t errlen);

/* Is capability cap in this process's permitted set? */
int priv_permitted(int cap);

/* Become id for good, keeping capability cap alone (it must be
 * permitted now): a role whose one privileged act needs a capability
 * no identity change can stand in for. */
int priv_become_with(const struct ids *id, int cap, char *err, size_t errlen);

/* After priv_become_as: the effective ids become id's too. */
int priv_settle(const struct ids *id, char *err, size_t errlen);

/* flowtop -u by a normal user of a setuid or file-capability install: it
 * goes on as that user, with no capability (not run by root, it can only
 * write where the user may). */
int priv_drop_to_caller(char *err, size_t errlen);

/* chroot into the working directory, then drop every capability. */
int priv_chroot_cwd(char *err, size_t errlen);

/* Drop every capability and check that none is left. */
int priv_drop_all(char *err, size_t errlen);

/* The filesystem uid 0 for a moment, to make or open a file only root
 * may touch while the effective uid is the caller's (a file-capability
 * start): *was gets the filesystem uid to go back to with priv_fs_back().
 * Needs CAP_SETUID unless the effective uid is 0 already. */
int priv_fs_root(uid_t *was, char *err, size_t errlen);

/* Back to the filesystem uid was, with the effective capabilities the
 * kernel takes away on leaving uid 0 (CAP_DAC_READ_SEARCH among them)
 * raised again from the permitted set. */
int priv_fs_back(uid_t was, char *err, size_t errlen);

/* Once the children are set up: only c->keep stays, in every set
 * (bounding included, where that can be changed). */
int priv_keep_only(const struct priv_caps *c, char *err, size_t errlen);

#endif
