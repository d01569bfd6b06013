/* ui: the process that holds the flow table and shows it. In this version
 * it is the batch printer (text table or JSON Lines on stdout). */
#ifndef FLOWTOP_UI_H
#define FLOWTOP_UI_H

#include "privsep/msg.h"
#include "privsep/options.h"

/* Run until the snapshots asked for are printed (batch mode) or the
 * collector closes the channel. Returns the exit status; errors are
 * reported on stderr here. */
int ui_main(const struct options *o, struct msg_chan *col,
	    struct msg_chan *res);

#endif
