/* SPDX-License-Identifier: GPL-2.0-only */
/* The namespace helper's allowlist: its channel, entering a network
 * namespace, one kind of socket. No file is opened, nothing is read but
 * the channel. */
#include <linux/netlink.h>
#include <sched.h>
#include "common/util.h"
#include "nsdiag/nsdiag.h"

static const struct sc_rule nsdiag_rules[] = {
	/* the channel: a request with a namespace, an answer with a socket */
	SC_ALLOW(recvmsg),
	SC_ALLOW(sendmsg),
	SC_ALLOW(close),
	/* into a network namespace, never another kind */
	SC_ALLOW_ARG(setns, 1, SCMP_CMP_EQ, CLONE_NEWNET),
	/* the socket it hands back: netlink, sock_diag */
	SC_ALLOW2(socket, SC_CMP(0, SCMP_CMP_EQ, AF_NETLINK, 0),
		  SC_CMP(2, SCMP_CMP_EQ, NETLINK_SOCK_DIAG, 0)),
	/* a message on stderr (the relay's pipe) before it ends */
	SC_ALLOW(write),
	SC_GROUP_MEMORY,	/* brk, mmap, munmap, mremap, madvise, futex */
	SC_GROUP_DYING,	/* signal handling, getpid/gettid/tgkill, exit */
};

const struct sc_policy nsdiag_policy = {
	"nsdiag", nsdiag_rules, ARRAY_LEN(nsdiag_rules),
};
