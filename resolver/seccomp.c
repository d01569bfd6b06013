/* SPDX-License-Identifier: GPL-2.0-only */
/* The resolver's allowlist, once it has opened (not read) its databases
 * and service files and built its DNS channel; it reads them under this
 * filter. No write access to any file, no execve, ptrace, bind, listen or
 * accept: it serves no one; the one kind of open it may make is
 * read-only, inside its chroot (see below). The only new descriptors it
 * may make are the UDP and TCP sockets of DNS queries to the name servers
 * c-ares read from resolv.conf before the sandbox. */
#include <fcntl.h>
#include <sys/socket.h>
#include "common/util.h"
#include "privsep/seccomp.h"

static const struct sc_rule resolver_rules[] = {
	/* the channel to the ui */
	SC_ALLOW(recvmsg),
	SC_ALLOW(sendmsg),
	SC_ALLOW(poll),
	SC_ALLOW(ppoll),
	SC_ALLOW(close),
	/* DNS over UDP and TCP (c-ares) */
	SC_SOCKET(AF_INET, SOCK_DGRAM),
	SC_SOCKET(AF_INET, SOCK_STREAM),
	SC_SOCKET(AF_INET6, SOCK_DGRAM),
	SC_SOCKET(AF_INET6, SOCK_STREAM),
	SC_ALLOW(connect),
	SC_ALLOW(sendto),
	SC_ALLOW(recvfrom),
	SC_ALLOW(writev),	/* queries over TCP */
	/* the outcome of a TCP connect; c-ares' TCP sockets */
	SC_SOCKOPT(getsockopt, SOL_SOCKET, SO_ERROR),
	SC_SOCKOPT(setsockopt, IPPROTO_TCP, TCP_NODELAY),
	SC_ALLOW_ARG(fcntl, 1, SCMP_CMP_EQ, F_GETFL),
	SC_ALLOW_ARG(fcntl, 1, SCMP_CMP_EQ, F_SETFL),
	SC_ALLOW_ARG(fcntl, 1, SCMP_CMP_EQ, F_SETFD),
	/* The databases (files.h): the chroot is the GeoIP directory, which
	 * its uid cannot write, or its own /proc/self/fd, so read-only opens
	 * reach the databases and nothing else. libmaxminddb opens, fstats
	 * and maps a file; stat and a listing notice a replaced one. */
	SC_OPEN_READONLY,
	SC_ALLOW(newfstatat),
	SC_ALLOW(fstat),
	SC_ALLOW(getdents64),
	/* the service files, read from the descriptors opened before the
	 * sandbox (stdio) */
	SC_ALLOW(read),
	/* error messages on stderr */
	SC_ALLOW(write),
	SC_ALLOW(clock_gettime),
	SC_GROUP_MEMORY,	/* brk, mmap, munmap, mremap, madvise, futex */
	SC_GROUP_DYING,	/* signal handling, getpid/gettid/tgkill, exit */
};

const struct sc_policy resolver_policy = {
	"resolver", resolver_rules,
	ARRAY_LEN(resolver_rules),
};
