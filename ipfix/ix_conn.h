/* SPDX-License-Identifier: GPL-2.0-only */
/* ix_conn: the exporter's one socket to the flow collector, resolved and
 * connected before its sandbox (which allows neither socket nor
 * connect): UDP, or TCP within IX_CONNECT_MS, so that a collector that
 * can't be reached is said before the run goes on (the collector waits
 * 5 s for the exporter's word).
 */
#ifndef FLOWTOP_IPFIX_IX_CONN_H
#define FLOWTOP_IPFIX_IX_CONN_H

#include <stddef.h>

#include "common/ix_url.h"

#define IX_CONNECT_MS 3000

/* "udp://[2001:db8::1]:4739": u as the user would write it. */
void ix_conn_name(const struct ix_url *u, char *buf, size_t len);

/* Resolve u's host and connect to its addresses in turn until one
 * takes (a TCP connect waits IX_CONNECT_MS for them all). The socket is
 * non-blocking and close-on-exec; a UDP one asks for a 4 MiB send buffer
 * (the kernel may give less). Moved to descriptor at when at >= 0 (so a
 * seccomp table can name it). The descriptor, or -1 with a one-line
 * reason in err that names the URL: "tcp://192.0.2.1:4739: Connection
 * refused". */
int ix_conn_open(const struct ix_url *u, int at, char *err, size_t errlen);

#endif
