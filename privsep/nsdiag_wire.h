/* SPDX-License-Identifier: GPL-2.0-only */
/* nsdiag_wire: the collector and the namespace helper (flowtop-nsdiag)
 * over their own socketpair, the one channel of a run that carries
 * descriptors. The collector sends a network namespace (an open
 * /proc/PID/ns/net) with a request; the helper answers with a sock_diag
 * socket made inside that namespace, or with the errno that stopped it.
 * One request at a time, each answered before the next is sent.
 */
#ifndef FLOWTOP_NSDIAG_WIRE_H
#define FLOWTOP_NSDIAG_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NSW_OP_DIAG 1u          /* a NETLINK_SOCK_DIAG socket, please */

struct nsw_req {
	uint32_t op;
};

struct nsw_ans {
	int32_t err;            /* 0: the socket is attached; else an errno */
};

/* Send len bytes of msg, with descriptor fd attached unless it is -1.
 * 0, or -1 with errno. */
int nsw_send(int chan, const void *msg, size_t len, int fd);

/* Receive one message into msg (len bytes) and at most one descriptor
 * (close-on-exec) into *fd, -1 when none came. 1 for a message, 0 at the
 * end of the channel (or an empty message, which a SEQPACKET socket can't
 * tell from it), -1 with errno: EBADMSG when the message was not
 * exactly len bytes or came with more than one descriptor or anything
 * but descriptors (whatever came with it is closed). */
int nsw_recv(int chan, void *msg, size_t len, int *fd);

#endif
