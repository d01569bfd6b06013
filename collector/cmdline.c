/* SPDX-License-Identifier: GPL-2.0-only */
/* cmdline: read /proc/PID/cmdline into a message the ui may trust. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "collector/cmdline.h"

/* Arguments are NUL-separated and may hold anything: make the separators
 * spaces and every control byte '?' (msg_check_cmdline_ans demands it). */
static void cmdline_clean(char *s, size_t n)
{
	while (n > 0 && s[n - 1] == 0)
		n--;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0)
			s[i] = ' ';
		else if (c < 0x20 || c == 0x7f)
			s[i] = '?';
	}
	s[n] = 0;
}

void cmdline_read(int dirfd, uint32_t pid, struct msg_cmdline_ans *a)
{
	ssize_t n;
	int fd;

	memset(a, 0, sizeof(*a));
	a->pid = pid;
	if (dirfd < 0)
		return;
	/* Read-only, as the collector's seccomp policy insists. Through the
	 * directory the visibility check was made on: a pid reused since
	 * gives nothing, never the new process's arguments. */
	fd = openat(dirfd, "cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, a->text, sizeof(a->text) - 1);
	close(fd);
	/* Kernel threads and zombies have an empty command line. */
	if (n <= 0)
		return;
	cmdline_clean(a->text, (size_t)n);
	a->found = 1;
}
