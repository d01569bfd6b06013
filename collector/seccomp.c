/* SPDX-License-Identifier: GPL-2.0-only */
/* The collector's allowlist, once it has forked the others: netlink and
 * channel I/O, supervising its children, restoring sysctls (pwrite on
 * descriptors opened earlier) and the terminal, and reading /proc to map
 * sockets to processes. */
#include <fcntl.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include "common/util.h"
#include "privsep/seccomp.h"

static const struct sc_rule collector_rules[] = {
	/* channels, netlink, signalfd */
	SC_ALLOW(read),
	SC_ALLOW(recvmsg),
	SC_ALLOW(recvfrom),
	SC_ALLOW(sendmsg),
	SC_ALLOW(sendto),
	SC_ALLOW(poll),
	SC_ALLOW(ppoll),
	SC_ALLOW(close),
	/* what the namespace helper hands back is checked to be a netlink
	 * sock_diag socket (collector/procmap_ns.c); the request and answer
	 * go with sendmsg/recvmsg above, the namespace opened read-only */
	SC_SOCKOPT(getsockopt, SOL_SOCKET, SO_DOMAIN),
	SC_SOCKOPT(getsockopt, SOL_SOCKET, SO_PROTOCOL),
	/* messages on stderr, sysctl restore */
	SC_ALLOW(write),
	SC_ALLOW(writev),
	SC_ALLOW(pwrite64),
	/* the sysctl state file, open since before the sandbox
	 * (collector/sysctl.c): its lock, read and rewritten in place on the
	 * way out; whether the other runs live is read (read-only opens)
	 * from /proc/PID/stat. */
	SC_ALLOW_ARG(flock, 1, SCMP_CMP_EQ, LOCK_EX | LOCK_NB),
	SC_ALLOW_ARG(flock, 1, SCMP_CMP_EQ, LOCK_UN),
	SC_ALLOW(pread64),
	/* socket -> process (collector/procmap.c): /proc/PID/fd links and
	 * /proc/PID/stat, /proc/net/icmp{,6}, all relative to a /proc
	 * descriptor opened before the sandbox; the sock_diag and rtnetlink
	 * sockets use sendto/recvfrom above. The traffic counters of an
	 * empty table (collector/untracked.c): snmp and snmp6 under a
	 * /proc/self/net descriptor opened before. Read-only opens only. */
	SC_OPEN_READONLY,
	SC_ALLOW(getdents64),
	SC_ALLOW(readlinkat),
	/* who owns an open /proc/PID (procmap_may_see: root's when the
	 * process is not dumpable): fstat, which glibc makes
	 * newfstatat(fd, "", AT_EMPTY_PATH) */
	SC_ALLOW(fstat),
	SC_ALLOW_ARG(newfstatat, 3, SCMP_CMP_EQ, AT_EMPTY_PATH),
	/* terminal restore when the ui died without doing it */
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, TCSETS),
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, TCSETSW),
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, TCGETS),
	/* supervision (no kill: the children run under other uids and the
	 * collector has no CAP_KILL; it stops them by closing their channel) */
	SC_ALLOW(wait4),
	SC_ALLOW(clock_gettime),
	SC_ALLOW(clock_nanosleep),
	SC_ALLOW(nanosleep),
	SC_GROUP_MEMORY,	/* brk, mmap, munmap, mremap, madvise, futex */
	SC_GROUP_DYING,	/* signal handling, getpid/gettid/tgkill, exit */
};

const struct sc_policy collector_policy = {
	"collector", collector_rules,
	ARRAY_LEN(collector_rules),
};
