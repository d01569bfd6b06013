/* SPDX-License-Identifier: GPL-2.0-only */
/* landlock: the second wall beside seccomp, where the kernel has it.
 *
 * A role describes what it may still open after its sandbox (path-beneath
 * rules, by path or by a descriptor it holds), the TCP ports it may
 * connect to and the scopes it is shut out of; landlock_apply() asks the
 * running kernel which Landlock ABI it speaks, handles every access right
 * that ABI knows (so anything not allowed by a rule is refused) and
 * restricts the calling process. Landlock checks at open, bind and connect
 * time: descriptors opened before keep working. Without Landlock, or with
 * an older ABI, the role runs with what the kernel offers (nothing, or
 * fewer rights handled) and landlock_report() says so once.
 *
 * Called before the seccomp filter (its syscalls are in no role's list);
 * it sets no_new_privs itself, as landlock_restrict_self() needs it
 * without CAP_SYS_ADMIN. The framework knows no role: the tables live in
 * each role's folder beside its seccomp table.
 */
#ifndef FLOWTOP_LANDLOCK_H
#define FLOWTOP_LANDLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <linux/landlock.h>

/* Debian 12's linux-libc-dev (6.1) stops at ABI 2; the rest of the ABI is
 * fixed kernel interface, defined here when the headers lack it. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)        /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)       /* ABI 5 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)        /* ABI 4 */
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)     /* ABI 4 */
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)               /* ABI 6 */
#endif
/* enum landlock_rule_type's LANDLOCK_RULE_NET_PORT (ABI 4); an enum can't
 * be tested with #ifdef, so it has a name of its own. */
#define LL_RULE_NET_PORT 2

/* The newest ABI whose rights flowtop uses (the scopes). */
#define LL_ABI_WANTED 6

/* Rights of a rule, in the kernel's terms. */
#define LL_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_WRITE_FILE (LANDLOCK_ACCESS_FS_WRITE_FILE | \
		       LANDLOCK_ACCESS_FS_TRUNCATE)

/* One path-beneath rule: path (opened O_PATH here; a missing one is
 * skipped, its rights stay refused), or, when path is NULL, a descriptor
 * the role holds (fd). */
struct ll_rule {
	const char *path;
	int fd;
	uint64_t access;       /* LANDLOCK_ACCESS_FS_* bits */
};

struct ll_policy {
	const char *role;
	const struct ll_rule *rules;
	size_t nrules;
	const uint16_t *ports; /* TCP ports it may connect to (ABI 4+) */
	size_t nports;
	uint64_t scoped;       /* LANDLOCK_SCOPE_* bits (ABI 6+) */
};

/* The running kernel's Landlock ABI, 0 when it has none (ENOSYS,
 * EOPNOTSUPP: built without it, or not enabled at boot). Asked once, then
 * remembered, so it can be read after the seccomp filter too. */
int landlock_abi(void);

/* What an ABI knows: the filesystem and network rights it handles and the
 * scopes it has. */
uint64_t landlock_fs_rights(int abi);
uint64_t landlock_net_rights(int abi);
uint64_t landlock_scopes(int abi);

/* Restrict the calling process to p. Returns the ABI applied (0: the
 * kernel has no Landlock, nothing done), or -1 with err set. */
int landlock_apply(const struct ll_policy *p, char *err, size_t errlen);

/* Say once on stderr that the kernel lacks Landlock or its newer rights:
 * "flowtop: Landlock not available (kernel ABI 0): running with seccomp
 * alone". Nothing when the ABI is LL_ABI_WANTED or newer. */
void landlock_report(void);

/* The status line's words for abi: "" when complete, else "Landlock off"
 * or "Landlock ABI N". */
const char *landlock_status(int abi, char *buf, size_t len);

#endif
