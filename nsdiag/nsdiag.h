/* SPDX-License-Identifier: GPL-2.0-only */
/* nsdiag: the namespace helper, flowtop-nsdiag, the one process of a run
 * that may enter network namespaces.
 *
 * The collector finds the sockets of containers and other network
 * namespaces by reading their /proc/PID/net tables; a new flow's socket
 * costs a read of a whole table there. Inside a namespace the kernel
 * answers for one exact tuple instead, but only on a sock_diag socket made
 * in that namespace, and entering one (setns) takes CAP_SYS_ADMIN. So the
 * collector never holds it after start-up: this helper does, alone. It
 * runs as the service user with CAP_SYS_ADMIN as its only capability, no
 * file access (no open in its allowlist, Landlock), and does one thing:
 * handed a namespace descriptor by the collector, it enters that namespace
 * (setns, CLONE_NEWNET only), makes a NETLINK_SOCK_DIAG socket there and
 * hands it back (privsep/nsdiag_wire.h). It reads nothing but the
 * collector's requests, four bytes each.
 *
 * It is started only when the collector may give it the capability: root,
 * sudo, or an install that grants CAP_SYS_ADMIN (make install
 * CONTAINERS=1). Without it the collector reads the namespaces' tables as
 * before.
 */
#ifndef FLOWTOP_NSDIAG_H
#define FLOWTOP_NSDIAG_H

#include "privsep/role.h"

/* The role's entry: confine (the service user keeping CAP_SYS_ADMIN,
 * Landlock, seccomp), then serve on descriptor 3 until it closes. */
int nsdiag_role_main(const struct role_spec *self, const struct role_ctx *ctx);

/* Answer one request read from chan: 1 when answered (whether or not a
 * socket could be made), 0 at the end of the channel, -1 when the channel
 * failed. */
int nsdiag_serve_one(int chan);

extern const struct sc_policy nsdiag_policy;
extern const struct ll_policy nsdiag_landlock;

#endif
