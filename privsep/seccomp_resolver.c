/* The resolver's allowlist: it answers the ui over its channel and can
 * reach nothing else. */
#include "privsep/seccomp.h"

static const struct sc_rule resolver_rules[] = {
	/* the channel to the ui */
	SC_ALLOW(recvmsg),
	SC_ALLOW(sendmsg),
	SC_ALLOW(poll),
	SC_ALLOW(ppoll),
	SC_ALLOW(close),
	/* error messages on stderr */
	SC_ALLOW(write),
	SC_ALLOW(clock_gettime),
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

const struct sc_policy seccomp_resolver_policy = {
	"resolver", resolver_rules,
	sizeof(resolver_rules) / sizeof(resolver_rules[0]),
};
