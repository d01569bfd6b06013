/* SPDX-License-Identifier: GPL-2.0-only */
/* ipfix_wire: what the ui and the IPFIX exporter (flowtop-ipfix) say over
 * their SOCK_SEQPACKET pair, for --ipfix.
 *
 *   exporter -> collector, first:  IX_READY, or IX_ERROR and a reason
 *   ui -> exporter:  IX_RECORDS: struct ix_msg_head, then head.count
 *                    records, each a struct ix_rec followed by its four
 *                    strings (comm, user, unit, container: the lengths in
 *                    the record, no NUL), padded with zeros to a multiple
 *                    of 8 bytes; at most IX_MSG_MAX bytes in all. The
 *                    strings go into IPFIX as they are, unescaped (a
 *                    collector shows them as it likes), so they may hold
 *                    no control byte (< 0x20, 0x7f): the ui replaces
 *                    those before sending
 *   exporter -> ui:  IX_STATS: struct ix_stats, when its counts move
 *
 * The ui decides what is a record and when (ui/ipfix_feed.h: active and
 * idle timeouts, the end of a flow); the exporter only encodes records as
 * IPFIX and sends them. It trusts none of the ui's bytes until
 * ix_msg_check() has accepted the whole message.
 */
#ifndef FLOWTOP_IPFIX_WIRE_H
#define FLOWTOP_IPFIX_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define IX_READY 'R'
#define IX_ERROR 'E'
#define IX_RECORDS 'F'
#define IX_STATS 'S'

#define IX_MSG_MAX (64u << 10)

/* The strings' limits: a record must fit one IPFIX message of a UDP
 * datagram (1420 bytes) with room to spare. */
#define IX_COMM_MAX 15
#define IX_USER_MAX 64
#define IX_UNIT_MAX 200
#define IX_CONTAINER_MAX 200

/* flowEndReason (RFC 7011's IANA registry). */
enum ix_end_reason {
	IX_END_IDLE = 1,        /* idle timeout: nothing moved for a while */
	IX_END_ACTIVE = 2,      /* active timeout: a long flow's part */
	IX_END_FLOW = 3,        /* end of flow: conntrack's DESTROY */
	IX_END_FORCED = 4,      /* flowtop ended, the flow still open */
};

struct ix_msg_head {
	uint8_t kind;           /* IX_RECORDS */
	uint8_t pad[3];         /* 0 */
	uint32_t count;         /* records that follow, >= 1 */
};

/* One biflow record (RFC 5103): forward is conntrack's original
 * direction, reverse its reply. Numbers in host byte order; addresses as
 * on the wire (IPv4 in the first 4 bytes, the rest zero). */
struct ix_rec {
	uint64_t start_ms;      /* CLOCK_REALTIME ms: flowStartMilliseconds */
	uint64_t end_ms;        /* flowEndMilliseconds, >= start_ms */
	uint64_t octets;        /* octetDeltaCount */
	uint64_t packets;       /* packetDeltaCount */
	uint64_t rev_octets;    /* reverseOctetDeltaCount */
	uint64_t rev_packets;   /* reversePacketDeltaCount */
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t pid;           /* 0: no known process */
	uint32_t uid;           /* the socket's uid; UINT32_MAX: none,
				 * exported as it is (flowtopUserId
				 * 4294967295, never a real uid) */
	uint16_t sport;         /* ICMP: 0 */
	uint16_t dport;         /* ICMP: type << 8 | code */
	uint8_t family;         /* 4 or 6 */
	uint8_t proto;          /* IPPROTO_* */
	uint8_t tcp_flags;      /* tcpControlBits, 0 when not known */
	uint8_t end_reason;     /* enum ix_end_reason */
	uint8_t comm_len;       /* <= IX_COMM_MAX */
	uint8_t user_len;       /* <= IX_USER_MAX */
	uint8_t unit_len;       /* <= IX_UNIT_MAX */
	uint8_t container_len;  /* <= IX_CONTAINER_MAX */
	uint8_t pad[4];         /* 0 */
};
_Static_assert(sizeof(struct ix_rec) == 104, "ix_rec layout changed");

/* The exporter's counts since its start. */
struct ix_stats {
	uint8_t kind;           /* IX_STATS */
	uint8_t lost;           /* 1: its TCP collector closed or failed:
				 * every record from then on is dropped */
	uint8_t pad[6];
	uint64_t sent;          /* records in messages sent */
	uint64_t dropped;       /* records it could not send (over UDP,
				 * also those of a datagram the collector's
				 * host refused: moved from sent) */
	uint64_t messages;      /* IPFIX messages the kernel took,
				 * template messages included */
};

/* The bytes a record and its strings take in an IX_RECORDS message. */
static inline size_t ix_rec_size(const struct ix_rec *r)
{
	size_t n = sizeof(*r) + r->comm_len + r->user_len + r->unit_len +
		   r->container_len;

	return (n + 7) & ~(size_t)7;
}

/* Check a whole IX_RECORDS message of len bytes: its head (the kind,
 * the padding zero, count >= 1), each record's fields in range (family 4
 * or 6, an IPv4 record's address bytes 4..15 zero, end_reason 1..4,
 * end_ms >= start_ms, the padding zero), its strings within limits and
 * free of control bytes (NUL among them), the zeros after them, nothing
 * left over. 0, or -1 with *why naming the first fault (a static
 * string). */
int ix_msg_check(const void *msg, size_t len, const char **why);

/* In a message ix_msg_check() accepted: the record at offset off (the
 * first is at sizeof(struct ix_msg_head)) copied to *r, its strings at
 * *strings (comm, then user, unit, container, back to back). Returns the
 * next record's offset. */
size_t ix_msg_rec(const void *msg, size_t off, struct ix_rec *r,
		  const char **strings);

#endif
