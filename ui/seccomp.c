/* SPDX-License-Identifier: GPL-2.0-only */
/* The ui's allowlist: channels to the collector and the resolver, the
 * screen on the terminal (or batch output on stdout), keys from stdin.
 * No file opening: terminfo is read before the filter goes on. */
#include <sys/ioctl.h>
#include "common/util.h"
#include "privsep/seccomp.h"

static const struct sc_rule ui_rules[] = {
	/* channels */
	SC_ALLOW(recvmsg),	/* collector and resolver messages */
	SC_ALLOW(sendmsg),	/* lookups, selection, command line requests */
	SC_ALLOW(poll),		/* the loop: channels and the keyboard */
	SC_ALLOW(ppoll),
	SC_ALLOW(close),
	/* terminal and stdout */
	SC_ALLOW(read),		/* keys from stdin (ncurses' getch) */
	SC_ALLOW(write),	/* the screen, batch output, messages */
	SC_ALLOW(writev),
	SC_ALLOW(fstat),	/* stdio looks at stdout once */
	SC_ALLOW(newfstatat),
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, TCGETS),	/* isatty, saving modes */
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, TCSETS),	/* cbreak/noecho, endwin */
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, TCSETSW),
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, TCSETSF),
	SC_ALLOW_ARG(ioctl, 1, SCMP_CMP_EQ, TIOCGWINSZ),	/* size after SIGWINCH */
	SC_ALLOW(clock_gettime),	/* frame timing */
	SC_GROUP_MEMORY,	/* brk, mmap, munmap, mremap, madvise, futex */
	SC_ALLOW(sysinfo),	/* glibc's qsort sizes its buffer by RAM */
	SC_GROUP_DYING,	/* signal handling, getpid/gettid/tgkill, exit */
};

const struct sc_policy ui_policy = {
	"ui", ui_rules, ARRAY_LEN(ui_rules),
};
