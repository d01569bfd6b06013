/* SPDX-License-Identifier: GPL-2.0-only */
/* ix_out: the exporter's IPFIX messages onto its one connected socket,
 * never waiting on it, and the count of what went and what did not.
 *
 * UDP: one datagram a message, MSG_DONTWAIT. A full send buffer drops
 * the message's records. ECONNREFUSED says an earlier datagram met a
 * closed port (the kernel reports the ICMP error on the next send): the
 * previous message's records move from sent to dropped, and the send is
 * tried once more. (The last datagram's refusal, with no send after it,
 * goes unseen.)
 *
 * TCP: the stream must carry whole messages in order, so what the
 * kernel does not take at once waits in a pending buffer, sent when the
 * socket is writable (the caller polls for POLLOUT while
 * ix_out_pending() says so). While more than IX_PEND_LIMIT bytes wait,
 * new messages are dropped whole. A hard error (EPIPE, ECONNRESET, ...)
 * or the collector's closing loses the connection for good: from then
 * on every record is dropped. There is no reconnect: the sandbox allows
 * no new socket.
 */
#ifndef FLOWTOP_IPFIX_IX_OUT_H
#define FLOWTOP_IPFIX_IX_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "privsep/ipfix_wire.h"

#define IX_PEND_LIMIT (1u << 20)
#define IX_PEND_MSGS 8192u      /* messages waiting, at most */

/* Why records were dropped, each counted apart. */
enum ix_drop {
	IX_DROP_REFUSED,        /* UDP: the collector's host refused them */
	IX_DROP_FULL,           /* UDP: the socket's send buffer was full */
	IX_DROP_SLOW,           /* TCP: too much waiting, or left at exit */
	IX_DROP_LOST,           /* TCP: the connection was lost */
	IX_DROP_ERROR,          /* UDP: another error (no route, ...) */
	IX_DROPS
};

struct ix_pend_msg {
	size_t end;             /* its last byte's offset in pend, + 1 */
	unsigned records;
};

struct ix_out {
	int fd;
	int tcp;
	int lost;               /* TCP: the connection is gone */
	int lost_errno;         /* why, 0: the collector closed it */
	int error_errno;        /* the last IX_DROP_ERROR's errno */
	uint64_t sent;          /* records the kernel took */
	uint64_t messages;      /* messages the kernel took */
	uint64_t dropped[IX_DROPS];
	unsigned prev_records;  /* UDP: the last datagram's records */
	uint8_t *pend;          /* TCP: pend[head..tail) still to send */
	size_t head, tail;
	struct ix_pend_msg *q;  /* TCP: the messages in pend, oldest first */
	size_t qhead, qlen;
};

/* Send on fd (connected; tcp: a stream). 0, or -1: out of memory. */
int ix_out_init(struct ix_out *o, int fd, int tcp);

/* Send one message holding records data records (an ix_sink_fn). */
void ix_out_send(void *out, const uint8_t *msg, size_t len,
		 unsigned records);

/* Records dropped before they were encoded (the connection is lost). */
void ix_out_drop(struct ix_out *o, enum ix_drop why, unsigned records);

/* TCP: bytes wait for the socket to be writable. */
int ix_out_pending(const struct ix_out *o);

/* TCP: send what waits, as far as the kernel takes it now. */
void ix_out_write(struct ix_out *o);

/* TCP: the collector closed the connection, or it failed (POLLHUP,
 * POLLERR, POLLRDHUP while nothing was sent). */
void ix_out_closed(struct ix_out *o);

/* TCP: wait up to ms milliseconds for what waits to be sent; what is
 * left then is dropped. */
void ix_out_drain(struct ix_out *o, int ms);

uint64_t ix_out_dropped(const struct ix_out *o);

/* The counts as the ui gets them. */
void ix_out_stats(const struct ix_out *o, struct ix_stats *s);

/* Why records were dropped, for the last line on stderr: "the collector
 * refused them", "the connection was lost: Broken pipe", several joined
 * by "; ". */
const char *ix_out_why(const struct ix_out *o, char *buf, size_t len);

void ix_out_free(struct ix_out *o);

#endif
