/* The collector's allowlist, once it has forked the others: netlink and
 * channel I/O, supervising its children, and restoring sysctls (pwrite on
 * descriptors opened earlier) and the terminal. */
#include <sys/ioctl.h>
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
	/* messages on stderr, sysctl restore */
	SC_ALLOW(write),
	SC_ALLOW(writev),
	SC_ALLOW(pwrite64),
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
