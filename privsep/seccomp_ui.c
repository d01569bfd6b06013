/* The ui's allowlist: channels to the collector and the resolver, output
 * on stdout/stderr, the terminal's size and mode. No file opening. */
#include <sys/ioctl.h>
#include "privsep/seccomp.h"

static const struct sc_rule ui_rules[] = {
	/* channels */
	SC_ALLOW(recvmsg),
	SC_ALLOW(sendmsg),
	SC_ALLOW(poll),
	SC_ALLOW(ppoll),
	SC_ALLOW(close),
	/* output (stdio looks at stdout once with fstat) */
	SC_ALLOW(write),
	SC_ALLOW(writev),
	SC_ALLOW(fstat),
	SC_ALLOW(newfstatat),
	/* terminal: isatty, size, modes */
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, TCGETS),
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, TCSETS),
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, TCSETSW),
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, TIOCGWINSZ),
	SC_ALLOW(clock_gettime),
	/* memory */
	SC_ALLOW(brk),
	SC_ALLOW(mmap),
	SC_ALLOW(munmap),
	SC_ALLOW(mremap),
	SC_ALLOW(madvise),
	SC_ALLOW(futex),
	SC_ALLOW(sysinfo),	/* glibc's qsort sizes its buffer by RAM */
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

const struct sc_policy seccomp_ui_policy = {
	"ui", ui_rules, sizeof(ui_rules) / sizeof(ui_rules[0]),
};
