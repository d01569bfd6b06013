/* SPDX-License-Identifier: GPL-2.0-only */
/* The validator's allowlist (flowtop -u). It is handed, at fork, the
 * download (read), the output file in the database directory (write) and
 * the installed database (read); it decompresses, writes the database out
 * and opens it with libmaxminddb, which opens by path only: so openat is
 * allowed, read-only (no O_CREAT, no write access), for
 * "/proc/self/fd/N". What else it could open read-only is limited by its
 * unprivileged uid; it has no socket but its channel, can't write a file
 * it was not handed (RLIMIT and the flags), can't fork or exec. */
#include <fcntl.h>
#include "common/util.h"
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
	SC_OPEN_READONLY,
	SC_ALLOW(clock_gettime),
	SC_GROUP_MEMORY,	/* brk, mmap, munmap, mremap, madvise, futex */
	SC_GROUP_DYING,	/* signal handling, getpid/gettid/tgkill, exit */
};

const struct sc_policy validate_policy = {
	"validator", validate_rules,
	ARRAY_LEN(validate_rules),
};
