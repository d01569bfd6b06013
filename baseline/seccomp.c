/* SPDX-License-Identifier: GPL-2.0-only */
/* The baseline writer's allowlist: the old file read once, the ui's
 * channel, and each save's new file, written, flushed and renamed over
 * the old, relative to the one directory opened before the sandbox
 * (Landlock holds it to that directory). No read-only open. */
#include <fcntl.h>
#include "baseline/writer.h"
#include "common/util.h"

/* The one open it makes once sealed: NAME.new for a save. */
#define BW_OPEN_FLAGS (O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | \
		       O_NOFOLLOW | O_NONBLOCK)

static const struct sc_rule baseline_writer_rules[] = {
	/* the old file, the ui's channel, the new file */
	SC_ALLOW(read),
	SC_ALLOW(recvfrom),	/* recv */
	SC_ALLOW(sendto),	/* send */
	SC_ALLOW(write),
	SC_ALLOW(close),
	/* a save: NAME.new (checked to be a regular file, then made
	 * blocking), flushed, renamed over NAME, the directory flushed; a
	 * save cut short removed */
	SC_ALLOW_ARG(openat, 2, SCMP_CMP_EQ, BW_OPEN_FLAGS),
	SC_ALLOW(fstat),
	SC_ALLOW_ARG(newfstatat, 3, SCMP_CMP_EQ, AT_EMPTY_PATH),
	SC_ALLOW_ARG(fcntl, 1, SCMP_CMP_EQ, F_SETFL),
	SC_ALLOW(fdatasync),
	SC_ALLOW(fsync),
	SC_ALLOW(renameat),
	SC_ALLOW_ARG(renameat2, 4, SCMP_CMP_EQ, 0),
	SC_ALLOW_ARG(unlinkat, 2, SCMP_CMP_EQ, 0),
	SC_GROUP_MEMORY,	/* brk, mmap, munmap, mremap, madvise, futex */
	SC_GROUP_DYING,	/* signal handling, getpid/gettid/tgkill, exit */
};

const struct sc_policy baseline_writer_policy = {
	"baseline", baseline_writer_rules, ARRAY_LEN(baseline_writer_rules),
};
