/* tui: the interactive screen's loop: the collector's stream, the
 * resolver's answers and the keyboard, one frame at a time. */
#ifndef FLOWTOP_TUI_H
#define FLOWTOP_TUI_H

#include "privsep/msg.h"
#include "ui/ui_int.h"

/* Run until q, or the collector closes the channel. A UI_* code. */
int tui_run(struct ui *u);

/* A dump ended (called from the stream code). A UI_* code. */
int tui_dump_end(struct ui *u, const struct msg_dump_mark *mk);

/* The collector's answer to a command line request: a validated
 * MSG_CMDLINE_ANS payload. */
void tui_cmdline(struct ui *u, const void *payload);

#endif
