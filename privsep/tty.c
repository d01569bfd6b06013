/* SPDX-License-Identifier: GPL-2.0-only */
/* tty: save and restore terminal modes. */
#include <unistd.h>

#include "common/util.h"
#include "privsep/tty.h"

void tty_save(struct tty_state *t)
{
	static const int fds[] = { STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO };
	unsigned i;

	t->fd = -1;
	for (i = 0; i < ARRAY_LEN(fds); i++) {
		if (tcgetattr(fds[i], &t->saved) == 0) {
			t->fd = fds[i];
			return;
		}
	}
}

void tty_restore(const struct tty_state *t)
{
	if (t->fd >= 0)
		tcsetattr(t->fd, TCSADRAIN, &t->saved);
}
