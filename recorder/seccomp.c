/* SPDX-License-Identifier: GPL-2.0-only */
/* The recorder's allowlist: the ui's stream in, whole lines out to the
 * file, and the rotation's renames and new file, relative to the one
 * directory opened before the sandbox (Landlock holds it to that
 * directory). No read-only open: it reads no file. */
#include <fcntl.h>
#include "common/util.h"
#include "recorder/recorder.h"

/* The one open it makes once sealed: a new FILE after a rotation. */
#define REC_OPEN_FLAGS (O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | \
			O_NOFOLLOW | O_NONBLOCK)

static const struct sc_rule recorder_rules[] = {
	/* the ui's stream, the collector's ready byte, the file */
	SC_ALLOW(read),
	SC_ALLOW(write),
	SC_ALLOW(close),
	/* rotation: the renames, the new file (checked to be a regular
	 * file, then made blocking again), flushed to disk */
	SC_ALLOW(renameat),
	SC_ALLOW_ARG(renameat2, 4, SCMP_CMP_EQ, 0),
	SC_ALLOW_ARG(openat, 2, SCMP_CMP_EQ, REC_OPEN_FLAGS),
	SC_ALLOW(fstat),
	SC_ALLOW_ARG(newfstatat, 3, SCMP_CMP_EQ, AT_EMPTY_PATH),
	SC_ALLOW_ARG(fcntl, 1, SCMP_CMP_EQ, F_SETFL),
	SC_ALLOW(fdatasync),
	SC_GROUP_MEMORY,	/* brk, mmap, munmap, mremap, madvise, futex */
	SC_GROUP_DYING,	/* signal handling, getpid/gettid/tgkill, exit */
};

const struct sc_policy recorder_policy = {
	"recorder", recorder_rules, ARRAY_LEN(recorder_rules),
};
