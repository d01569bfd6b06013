/* SPDX-License-Identifier: GPL-2.0-only */
/* cmdline: a process's command line for the ui's detail pane. The ui can't
 * read /proc; the collector reads /proc/PID/cmdline for it. */
#ifndef FLOWTOP_CMDLINE_H
#define FLOWTOP_CMDLINE_H

#include <stdint.h>
#include "privsep/msg.h"

/* Fill *a for pid, whose /proc/PID directory is open as dirfd (-1: none,
 * found 0): arguments joined by spaces, control bytes made '?', cut to
 * fit. A process that is gone or unreadable gives found 0 and "". */
void cmdline_read(int dirfd, uint32_t pid, struct msg_cmdline_ans *a);

#endif
