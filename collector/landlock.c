/* SPDX-License-Identifier: GPL-2.0-only */
/* The collector's Landlock rules, beside its seccomp table. Once confined
 * it reads /proc only (sockets to processes, command lines, whether other
 * runs live, the SNMP counters) and writes only the two conntrack sysctls.
 * Its netlink sockets, the sysctl descriptors, the state file under
 * /run/flowtop and the terminal were opened before and keep working:
 * Landlock checks at open time. It binds and connects no TCP port.
 *
 * It is scoped from abstract unix sockets, not from signals: its children
 * were forked before its domain and so are outside it, and the kernel
 * checks the parent-death signal they rely on (the collector has no
 * CAP_KILL and never signals them itself) against the dying collector's
 * domain; a signal-scoped collector's death would leave them running. */
#include "collector/run.h"
#include "common/util.h"
#include "privsep/landlock.h"

static const struct ll_rule collector_rules[] = {
	{ "/proc", -1, LL_READ },
	{ "/proc/sys/net/netfilter/nf_conntrack_acct", -1,
	  LL_READ | LL_WRITE_FILE },
	{ "/proc/sys/net/netfilter/nf_conntrack_timestamp", -1,
	  LL_READ | LL_WRITE_FILE },
};

const struct ll_policy collector_landlock = {
	.role = "collector",
	.rules = collector_rules,
	.nrules = ARRAY_LEN(collector_rules),
	.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET,
};
