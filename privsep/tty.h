/* SPDX-License-Identifier: GPL-2.0-only */
/* tty: the terminal state the collector saves before the ui may change it,
 * and puts back if the ui dies without doing so. */
#ifndef FLOWTOP_TTY_H
#define FLOWTOP_TTY_H

#include <termios.h>

struct tty_state {
	int fd;            /* -1: no terminal */
	struct termios saved;
};

void tty_save(struct tty_state *t);

/* Async-signal-safe (one ioctl). */
void tty_restore(const struct tty_state *t);

#endif
