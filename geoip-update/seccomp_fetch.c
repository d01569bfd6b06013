/* SPDX-License-Identifier: GPL-2.0-only */
/* The fetcher's allowlist (flowtop -u), once libcurl, OpenSSL and c-ares
 * are set up and the mirror hosts resolved. No open or openat: the CA
 * bundle is in memory, names come from c-ares channels made before the
 * sandbox (DNS sockets only), and libcurl is never left to resolve a name.
 * It can make TCP and UDP sockets and talk on the channel to its parent,
 * and nothing else: no file, no process, no exec. */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "common/util.h"
#include "privsep/seccomp.h"

static const struct sc_rule fetch_rules[] = {
	/* the channel to the parent */
	SC_ALLOW(recvmsg),
	SC_ALLOW(sendmsg),
	SC_ALLOW(close),
	/* HTTP(S) over TCP, DNS over UDP and TCP */
	SC_SOCKET(AF_INET, SOCK_STREAM),
	SC_SOCKET(AF_INET6, SOCK_STREAM),
	SC_SOCKET(AF_INET, SOCK_DGRAM),
	SC_SOCKET(AF_INET6, SOCK_DGRAM),
	/* libcurl's multi handle wakes itself through a socketpair */
	SC_ALLOW2(socketpair, SC_CMP(0, SCMP_CMP_EQ, AF_UNIX, 0),
		  SC_CMP(1, SCMP_CMP_MASKED_EQ, 0xf, SOCK_STREAM)),
	SC_ALLOW(connect),
	SC_ALLOW(poll),
	SC_ALLOW(ppoll),
	SC_ALLOW(sendto),
	SC_ALLOW(recvfrom),
	SC_ALLOW(read),
	SC_ALLOW(write),
	SC_ALLOW(writev),
	/* the outcome of a connect; libcurl's TCP_NODELAY (its default) */
	SC_SOCKOPT(getsockopt, SOL_SOCKET, SO_ERROR),
	SC_SOCKOPT(setsockopt, IPPROTO_TCP, TCP_NODELAY),
	SC_ALLOW(getsockname),
	SC_ALLOW(getpeername),
	SC_ALLOW(shutdown),
	SC_ALLOW_ARG(fcntl, 1, SCMP_CMP_EQ, F_GETFL),
	SC_ALLOW_ARG(fcntl, 1, SCMP_CMP_EQ, F_SETFL),
	SC_ALLOW_ARG(fcntl, 1, SCMP_CMP_EQ, F_GETFD),
	SC_ALLOW_ARG(fcntl, 1, SCMP_CMP_EQ, F_SETFD),
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, FIONBIO),
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, FIONREAD),
	/* time, randomness (TLS) */
	SC_ALLOW(clock_gettime),
	SC_ALLOW(gettimeofday),
	SC_ALLOW(getrandom),
	SC_GROUP_MEMORY,	/* brk, mmap, munmap, mremap, madvise, futex */
	SC_GROUP_DYING,	/* signal handling, getpid/gettid/tgkill, exit */
};

const struct sc_policy fetch_policy = {
	"fetcher", fetch_rules, ARRAY_LEN(fetch_rules),
};
