/* The collector's allowlist, once it has forked the others: netlink and
 * channel I/O, supervising its children, restoring sysctls (pwrite on
 * descriptors opened earlier) and the terminal, and reading /proc to map
 * sockets to processes. */
#include <fcntl.h>
#include <sys/ioctl.h>
#include "privsep/seccomp.h"

/* Flags that would let openat write or create: none may be set. What
 * procmap passes is O_RDONLY|O_CLOEXEC, plus O_DIRECTORY for directories.
 * (O_TMPFILE needs write access, so O_ACCMODE keeps it out too.) */
#define SC_OPEN_WRITE_FLAGS \
	(O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | O_EXCL)

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
	/* messages on stderr, sysctl restore */
	SC_ALLOW(write),
	SC_ALLOW(writev),
	SC_ALLOW(pwrite64),
	/* socket -> process (collector/procmap.c): /proc/PID/fd links and
	 * /proc/PID/stat, /proc/net/icmp{,6}, all relative to a /proc
	 * descriptor opened before the sandbox; the sock_diag and rtnetlink
	 * sockets use sendto/recvfrom above. Read-only opens only. */
	SC_ALLOW_ARG(openat, 2, SCMP_CMP_MASKED_EQ, SC_OPEN_WRITE_FLAGS),
	SC_ALLOW(getdents64),
	SC_ALLOW(readlinkat),
	/* terminal restore when the ui died without doing it */
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, TCSETS),
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, TCSETSW),
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, TCGETS),
	/* supervision */
	SC_ALLOW(kill),
	SC_ALLOW(wait4),
	SC_ALLOW(clock_gettime),
	SC_ALLOW(clock_nanosleep),
	SC_ALLOW(nanosleep),
	/* memory */
	SC_ALLOW(brk),
	SC_ALLOW(mmap),
	SC_ALLOW(munmap),
	SC_ALLOW(mremap),
	SC_ALLOW(madvise),
	SC_ALLOW(futex),
	/* signals and dying (the SIGSYS handler re-raises) */
	SC_ALLOW(rt_sigaction),
	SC_ALLOW(rt_sigprocmask),
	SC_ALLOW(rt_sigreturn),
	SC_ALLOW(restart_syscall),
	SC_ALLOW(getpid),
	SC_ALLOW(gettid),
	SC_ALLOW(tgkill),
	SC_ALLOW(exit),
	SC_ALLOW(exit_group),
};

const struct sc_policy seccomp_collector_policy = {
	"collector", collector_rules,
	sizeof(collector_rules) / sizeof(collector_rules[0]),
};
