/* SPDX-License-Identifier: GPL-2.0-only */
/* signals: one signalfd for the supervisor's loop. */
#include <signal.h>
#include <sys/signalfd.h>

#include "privsep/signals.h"

int signals_fd(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd >= 0)
		sigaction(SIGPIPE, &ign, NULL);
	return fd;
}
