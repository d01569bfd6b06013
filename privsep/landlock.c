/* SPDX-License-Identifier: GPL-2.0-only */
/* landlock: see landlock.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privsep/landlock.h"

/* struct landlock_ruleset_attr as of ABI 6; older kernels get the prefix
 * they know (ABI 1-3: handled_access_fs, 4-5: and handled_access_net). */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

/* struct landlock_net_port_attr (ABI 4). */
struct ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

/* Rights a path-beneath rule on a file that is not a directory may carry. */
#define LL_FILE_RIGHTS (LANDLOCK_ACCESS_FS_EXECUTE | \
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE | \
	LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

static int ll_abi_cached = -1;

int landlock_abi(void)
{
	long v;

	if (ll_abi_cached >= 0)
		return ll_abi_cached;
	v = syscall(SYS_landlock_create_ruleset, NULL, 0,
		    LANDLOCK_CREATE_RULESET_VERSION);
	ll_abi_cached = v < 0 ? 0 : (int)v;
	return ll_abi_cached;
}

uint64_t landlock_fs_rights(int abi)
{
	uint64_t r;

	if (abi < 1)
		return 0;
	r = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;  /* ABI 1: bits 0-12 */
	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return r;
}

uint64_t landlock_net_rights(int abi)
{
	return abi >= 4 ? LANDLOCK_ACCESS_NET_BIND_TCP |
		LANDLOCK_ACCESS_NET_CONNECT_TCP : 0;
}

uint64_t landlock_scopes(int abi)
{
	return abi >= 6 ? LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET |
		LANDLOCK_SCOPE_SIGNAL : 0;
}

static size_t ll_attr_size(int abi)
{
	if (abi >= 6)
		return sizeof(struct ll_ruleset_attr);
	if (abi >= 4)
		return 2 * sizeof(uint64_t);
	return sizeof(uint64_t);
}

static int ll_fail(char *err, size_t errlen, const char *what,
		   const char *role)
{
	snprintf(err, errlen, "Landlock (%s): %s: %s", role, what,
		 strerror(errno));
	return -1;
}

/* One path-beneath rule; a path that does not exist is skipped. */
static int ll_add_path(int ruleset, const struct ll_rule *r, uint64_t fs,
		       const char *role, char *err, size_t errlen)
{
	struct landlock_path_beneath_attr pb;
	struct stat st;
	int fd = r->fd, rc;

	if (r->path) {
		fd = open(r->path, O_PATH | O_CLOEXEC);
		if (fd < 0)
			return errno == ENOENT ? 0 :
				ll_fail(err, errlen, r->path, role);
	}
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (r->path)
			close(fd);
		errno = EBADF;
		return ll_fail(err, errlen, "rule descriptor", role);
	}
	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = r->access & fs;
	if (!S_ISDIR(st.st_mode))
		pb.allowed_access &= LL_FILE_RIGHTS;
	pb.parent_fd = fd;
	rc = pb.allowed_access ? (int)syscall(SYS_landlock_add_rule, ruleset,
			LANDLOCK_RULE_PATH_BENEATH, &pb, 0) : 0;
	if (r->path)
		close(fd);
	return rc < 0 ? ll_fail(err, errlen, r->path ? r->path :
				"rule descriptor", role) : 0;
}

int landlock_apply(const struct ll_policy *p, char *err, size_t errlen)
{
	int abi = landlock_abi();
	struct ll_ruleset_attr attr;
	int ruleset;
	size_t i;

	if (abi == 0)
		return 0;
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = landlock_fs_rights(abi);
	attr.handled_access_net = landlock_net_rights(abi);
	attr.scoped = p->scoped & landlock_scopes(abi);
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr,
			       ll_attr_size(abi), 0);
	if (ruleset < 0)
		return ll_fail(err, errlen, "create_ruleset", p->role);
	for (i = 0; i < p->nrules; i++)
		if (ll_add_path(ruleset, &p->rules[i], attr.handled_access_fs,
				p->role, err, errlen) < 0)
			goto fail;
	for (i = 0; attr.handled_access_net && i < p->nports; i++) {
		struct ll_net_port_attr np = {
			.allowed_access = LANDLOCK_ACCESS_NET_CONNECT_TCP,
			.port = p->ports[i],
		};

		if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_NET_PORT,
			    &np, 0) < 0) {
			ll_fail(err, errlen, "TCP port rule", p->role);
			goto fail;
		}
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		ll_fail(err, errlen, "no_new_privs", p->role);
		goto fail;
	}
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0) {
		ll_fail(err, errlen, "restrict_self", p->role);
		goto fail;
	}
	close(ruleset);
	return abi;
fail:
	close(ruleset);
	return -1;
}

void landlock_report(void)
{
	static int said;
	int abi = landlock_abi();

	if (said++)
		return;
	if (abi == 0)
		fprintf(stderr, "flowtop: Landlock not available (kernel ABI "
			"0): running with seccomp alone\n");
	else if (abi < LL_ABI_WANTED)
		fprintf(stderr, "flowtop: Landlock ABI %d only (flowtop uses "
			"%d): running with the rights it knows%s%s\n", abi,
			LL_ABI_WANTED, abi < 4 ? ", no TCP port rules" : "",
			", no signal or abstract socket scoping");
}

const char *landlock_status(int abi, char *buf, size_t len)
{
	if (abi == 0)
		snprintf(buf, len, "Landlock off");
	else if (abi < LL_ABI_WANTED)
		snprintf(buf, len, "Landlock ABI %d", abi);
	else if (len)
		buf[0] = 0;
	return buf;
}
