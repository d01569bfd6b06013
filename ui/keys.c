/* SPDX-License-Identifier: GPL-2.0-only */
/* keys: top/htop/upstream flowtop habits, in one table. */
#include <curses.h>

#include "common/util.h"
#include "ui/keys.h"

#define CTRL(c) ((c) & 0x1f)
#define ESC 27

static const struct key_def keys[] = {
	{ { KEY_UP, 'u', 'k' }, "Up, u, k", "select the row above", KA_UP },
	{ { KEY_DOWN, 'd', 'j' }, "Down, d, j", "select the row below", KA_DOWN },
	{ { KEY_PPAGE }, "PageUp", "one screen up", KA_PGUP },
	{ { KEY_NPAGE }, "PageDown", "one screen down", KA_PGDN },
	{ { KEY_HOME }, "Home", "first row", KA_HOME },
	{ { KEY_END }, "End", "last row", KA_END },
	{ { KEY_LEFT, 'h' }, "Left, h", "scroll columns left", KA_LEFT },
	{ { KEY_RIGHT, 'l' }, "Right, l", "scroll columns right", KA_RIGHT },
	{ { '\t' }, "Tab", "flows, processes, countries", KA_TAB },
	{ { 'g' }, "g", "group by pid/user/unit/container", KA_GROUP },
	{ { '\n', '\r', KEY_ENTER }, "Enter", "details of the selected flow", KA_DETAIL },
	{ { '<' }, "<", "sort by the column to the left", KA_SORT_PREV },
	{ { '>' }, ">", "sort by the column to the right", KA_SORT_NEXT },
	{ { 'r' }, "r", "reverse the sort order", KA_REVERSE },
	{ { '/' }, "/", "filter: text, or nat, zone:N, mark:N", KA_FILTER },
	{ { ESC }, "Esc", "clear the filter, close a pane", KA_CLEAR },
	{ { 'p', ' ' }, "p, Space", "pause the display (--replay: the replay)",
	  KA_PAUSE },
	{ { '.' }, ".", "--replay: the next frame, paused", KA_STEP },
	{ { '+', '=' }, "+", "--replay: twice as fast (up to 64x)", KA_FASTER },
	{ { '-' }, "-", "--replay: half as fast (down to 1/4x)", KA_SLOWER },
	{ { 'a' }, "a", "active flows only (rate > 0)", KA_ACTIVE },
	{ { 'b' }, "b", "rates in bits or bytes", KA_BITS },
	{ { 's' }, "s", "show the source side", KA_SRC },
	{ { 'n' }, "n", "NAT, zone, mark and labels columns", KA_NAT },
	{ { 'T' }, "T", "TCP on/off", KA_TCP },
	{ { 'U' }, "U", "UDP and UDP-Lite on/off", KA_UDP },
	{ { 'D' }, "D", "DCCP on/off", KA_DCCP },
	{ { 'I' }, "I", "ICMP on/off", KA_ICMP },
	{ { 'S' }, "S", "SCTP on/off", KA_SCTP },
	{ { '?' }, "?", "this help", KA_HELP },
	{ { 'q', CTRL('c') }, "q, Ctrl+C", "quit", KA_QUIT },
};

const struct key_def *keys_table(size_t *n)
{
	*n = ARRAY_LEN(keys);
	return keys;
}

enum key_action keys_action(int code)
{
	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		for (size_t j = 0; j < KEY_CODES && keys[i].codes[j]; j++)
			if (keys[i].codes[j] == code)
				return keys[i].act;
	return KA_NONE;
}
