/* SPDX-License-Identifier: GPL-2.0-only */
/* signals: the supervising process's signals, read from a descriptor so
 * that its loop takes them in turn with everything else. */
#ifndef FLOWTOP_SIGNALS_H
#define FLOWTOP_SIGNALS_H

/* Block SIGCHLD, SIGINT, SIGTERM, SIGHUP and SIGQUIT and return a
 * non-blocking signalfd for them; SIGPIPE is ignored (a peer gone is a
 * failed write). -1 with errno. */
int signals_fd(void);

#endif
