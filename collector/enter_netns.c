/* SPDX-License-Identifier: GPL-2.0-only */
/* enter_netns: --netns. Everything the collector opens afterwards (the
 * conntrack and sock_diag sockets, /proc/self/net, the sysctls and their
 * state file) is that namespace's, and so is everything the roles it
 * forks do: the resolver's DNS queries leave from inside it. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "collector/enter_netns.h"

int enter_netns(const char *spec, const char *path, char *err, size_t errlen)
{
	int fd, rc;

	if (getuid() != 0) {
		snprintf(err, errlen, "--netns is for root only: entering a "
			 "network namespace takes CAP_SYS_ADMIN");
		return -1;
	}
	/* O_NONBLOCK: a FIFO named by mistake does not hang the start. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "--netns %s: cannot open %s: %s", spec,
			 path, strerror(errno));
		return -1;
	}
	rc = setns(fd, CLONE_NEWNET);
	if (rc < 0)
		snprintf(err, errlen, "--netns %s: %s", spec, errno == EINVAL ?
			 "not a network namespace" : strerror(errno));
	close(fd);
	return rc;
}
