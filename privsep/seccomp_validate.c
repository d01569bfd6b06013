/* The validator's allowlist (flowtop -u). It is handed, at fork, the
 * download (read), the output file in the database directory (write) and
 * the installed database (read); it decompresses, writes the database out
 * and opens it with libmaxminddb, which opens by path only: so openat is
 * allowed, read-only (no O_CREAT, no write access), for
 * "/proc/self/fd/N". What else it could open read-only is limited by its
 * unprivileged uid; it has no socket but its channel, can't write a file
 * it was not handed (RLIMIT and the flags), can't fork or exec. */
#include <fcntl.h>
#include "privsep/seccomp.h"

static const struct sc_rule validate_rules[] = {
	/* its result to the parent */
	SC_ALLOW(sendmsg),
	SC_ALLOW(close),
	/* the descriptors it was handed */
	SC_ALLOW(read),
	SC_ALLOW(pread64),
	SC_ALLOW(pwrite64),
	SC_ALLOW(write),
	SC_ALLOW(lseek),
	SC_ALLOW(fstat),
	SC_ALLOW(newfstatat),
	/* MMDB_open("/proc/self/fd/N"): read-only opens only */
	/* (O_TMPFILE needs write access, which the mask refuses) */
	SC_ALLOW_ARG(openat, 2, SCMP_CMP_MASKED_EQ,
		     O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND),
	SC_ALLOW(clock_gettime),
	/* memory */
	SC_ALLOW(brk),
	SC_ALLOW(mmap),
	SC_ALLOW(munmap),
	SC_ALLOW(mremap),
	SC_ALLOW(madvise),
	SC_ALLOW(futex),
	/* signals and dying */
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

const struct sc_policy seccomp_validate_policy = {
	"validator", validate_rules,
	sizeof(validate_rules) / sizeof(validate_rules[0]),
};
