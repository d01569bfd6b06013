/* resolver: the sandboxed process that answers the ui's lookups.
 *
 * In this version it answers pings only; reverse DNS, GeoIP and service
 * names come with the resolver issue.
 */
#ifndef FLOWTOP_RESOLVER_H
#define FLOWTOP_RESOLVER_H

#include "privsep/msg.h"

/* Serve the ui until it closes the channel. Returns the exit status. */
int resolver_main(struct msg_chan *ui);

#endif
