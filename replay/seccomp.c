/* SPDX-License-Identifier: GPL-2.0-only */
/* The replay's two allowlists. The reader reads the one file it was
 * handed and talks to the ui; it opens nothing. The process started
 * waits for its two children, relays their stderr and puts the terminal
 * back; it reads no file either once they run. */
#include <sys/ioctl.h>
#include "common/util.h"
#include "replay/replay.h"

static const struct sc_rule reader_rules[] = {
	/* the recording: read twice (checked, then played) */
	SC_ALLOW(read),
	SC_ALLOW(lseek),
	/* the ui's two channels */
	SC_ALLOW(recvmsg),
	SC_ALLOW(sendmsg),
	SC_ALLOW(poll),
	SC_ALLOW(ppoll),
	SC_ALLOW(clock_gettime),	/* the pace of the frames */
	SC_ALLOW(close),
	SC_ALLOW(write),		/* its stderr, relayed */
	SC_ALLOW(fstat),		/* stdio, before its first message */
	SC_ALLOW(newfstatat),
	SC_GROUP_MEMORY,	/* brk, mmap, munmap, mremap, madvise, futex */
	SC_GROUP_DYING,	/* signal handling, getpid/gettid/tgkill, exit */
};

const struct sc_policy replay_reader_policy = {
	"replay", reader_rules, ARRAY_LEN(reader_rules),
};

static const struct sc_rule run_rules[] = {
	/* signals (a signalfd) and the children's stderr */
	SC_ALLOW(read),
	SC_ALLOW(write),
	SC_ALLOW(poll),
	SC_ALLOW(ppoll),
	SC_ALLOW(clock_gettime),
	SC_ALLOW(close),
	SC_ALLOW(fstat),
	SC_ALLOW(newfstatat),
	/* the children: its own, same uid, stopped by pid */
	SC_ALLOW(wait4),
	SC_ALLOW(kill),
	/* the terminal put back if the ui could not */
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, TCSETS),
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, TCSETSW),
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, TCGETS),
	SC_GROUP_MEMORY,	/* brk, mmap, munmap, mremap, madvise, futex */
	SC_GROUP_DYING,	/* signal handling, getpid/gettid/tgkill, exit */
};

const struct sc_policy replay_policy = {
	"replay-run", run_rules, ARRAY_LEN(run_rules),
};
