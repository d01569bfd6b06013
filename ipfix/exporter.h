/* SPDX-License-Identifier: GPL-2.0-only */
/* exporter: flowtop-ipfix, the process that sends the ui's flow records
 * to a flow collector as IPFIX (RFC 7011; biflows, RFC 5103), for
 * --ipfix udp://HOST:PORT or tcp://HOST:PORT.
 *
 * The ui decides what is a record and when (privsep/ipfix_wire.h); this
 * process, started by the collector before the ui, runs as the service
 * user with no capability, resolves HOST and connects to it (ix_conn.h),
 * builds libfixbuf's state (ix_enc.h), says ready (or why not: one line)
 * on descriptor 3, which the collector reads before the ui gets the
 * other end, and seals itself: no file, no new socket, sends only on its
 * two descriptors (seccomp.c; Landlock with no rule). Then it encodes
 * each IX_RECORDS message the ui sends and sends the IPFIX messages at
 * once (ix_out.h), never waiting on the network: what can't go is
 * dropped and counted, and the counts go back to the ui as IX_STATS.
 * Over UDP the templates are sent again every 30 s, so a collector
 * started later learns them; over TCP once, at the start of the
 * connection. A lost TCP connection is not made again. When the ui's
 * channel ends it sends what is left (over TCP waiting up to 2 s for a
 * slow collector), says on stderr how many records it dropped and why,
 * if any, and exits 0. A message from the ui that fails ix_msg_check()
 * ends it with status 1.
 */
#ifndef FLOWTOP_IPFIX_EXPORTER_H
#define FLOWTOP_IPFIX_EXPORTER_H

#include "privsep/role.h"

#define IX_UI_FD 3              /* the ui's channel, as spawned */
#define IX_SOCK_FD 4            /* the collector's socket, which the
				 * seccomp table names */

int ipfix_exporter_main(const struct role_spec *self,
			const struct role_ctx *ctx);

extern const struct sc_policy ipfix_exporter_policy;

#endif
