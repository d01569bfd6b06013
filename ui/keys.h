/* SPDX-License-Identifier: GPL-2.0-only */
/* keys: the one table of the screen's keys. The dispatcher, the `?` help
 * window and the KEYS section of man/flowtop.8 all come from it (a unit
 * test checks the man page lists every label), so they can't drift. */
#ifndef FLOWTOP_KEYS_H
#define FLOWTOP_KEYS_H

#include <stddef.h>

enum key_action {
	KA_NONE, KA_UP, KA_DOWN, KA_PGUP, KA_PGDN, KA_HOME, KA_END,
	KA_LEFT, KA_RIGHT, KA_TAB, KA_DETAIL, KA_HELP, KA_QUIT, KA_BITS,
	KA_ACTIVE, KA_SRC, KA_TCP, KA_UDP, KA_DCCP, KA_ICMP, KA_SCTP,
	KA_SORT_PREV, KA_SORT_NEXT, KA_REVERSE, KA_FILTER, KA_CLEAR, KA_PAUSE,
	KA_GROUP, KA_NAT, KA_STEP, KA_FASTER, KA_SLOWER,
};

#define KEY_CODES 4

struct key_def {
	int codes[KEY_CODES];   /* ncurses key codes; 0 ends the list */
	const char *label;      /* as the help and the man page name it */
	const char *help;
	enum key_action act;
};

const struct key_def *keys_table(size_t *n);

/* The action of a key code, KA_NONE when it has none. */
enum key_action keys_action(int code);

#endif
