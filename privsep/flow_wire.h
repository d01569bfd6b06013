/* SPDX-License-Identifier: GPL-2.0-only */
/* flow_wire: the fixed-size flow record the collector sends to the ui.
 *
 * One record describes one conntrack entry at one moment. Records travel in
 * batches (MSG_FLOWS); the ui trusts none of the fields until
 * flow_wire_check() accepted the record.
 */
#ifndef FLOWTOP_FLOW_WIRE_H
#define FLOWTOP_FLOW_WIRE_H

#include <stdint.h>
#include <string.h>

enum flow_event {
	FLOW_EV_DUMP = 1,   /* seen in a full dump: state and counters are current */
	FLOW_EV_NEW,        /* conntrack NEW event */
	FLOW_EV_UPDATE,     /* conntrack UPDATE event (state change) */
	FLOW_EV_DESTROY,    /* conntrack DESTROY event: the flow is gone */
	/* Asked of the kernel for the screen's rows (MSG_CTL_REFRESH): state
	 * and counters are current, but no dump frames it, so it sweeps
	 * nothing and names no flow the ui does not hold. */
	FLOW_EV_REFRESH,
	FLOW_EV_LAST = FLOW_EV_REFRESH,
};

enum flow_family {
	FLOW_FAM_IPV4 = 4,
	FLOW_FAM_IPV6 = 6,
};

#define FLOW_STATE_NONE 0xff  /* protocol without states (UDP, ICMP) */
#define FLOW_COMM_LEN 16      /* as the kernel's TASK_COMM_LEN */

/* What the record says about the flow's local owner. */
enum flow_owner {
	FLOW_OWNER_NONE = 0,    /* no socket of this host matched: uid 0, unused */
	FLOW_OWNER_SOCKET,      /* uid is the local socket's; pid and comm
				 * when its process is known */
	FLOW_OWNER_HIDDEN,      /* uid is the local socket's; the process is
				 * another user's, not shown: pid 0, comm "" */
};

/* Where the owner's socket is in the flow. */
enum flow_side {
	FLOW_SIDE_NONE = 0,
	FLOW_SIDE_ORIG,         /* the original source: it opened the flow,
				 * the peer is dst */
	FLOW_SIDE_REPLY,        /* the reply's source: it answered (a
				 * server), the peer is src */
};

/* Field order keeps every member naturally aligned; size is checked below. */
struct flow_wire {
	uint64_t orig_bytes;
	uint64_t orig_packets;
	uint64_t reply_bytes;
	uint64_t reply_packets;
	uint64_t start_ns;      /* CLOCK_REALTIME ns the flow started, 0: unknown */
	uint32_t id;            /* kernel conntrack id */
	uint32_t pid;           /* owning process, 0: unknown */
	uint32_t mark;          /* conntrack mark */
	uint8_t  src[16];       /* original direction; IPv4 uses the first 4 bytes */
	uint8_t  dst[16];
	/* Reply direction, as the kernel expects the answer: the original
	 * swapped unless NAT rewrote it (then rsrc is the real responder). */
	uint8_t  rsrc[16];
	uint8_t  rdst[16];
	uint16_t sport;         /* host byte order; ICMP: 0 */
	uint16_t dport;         /* host byte order; ICMP: 0 */
	uint16_t rsport;        /* reply direction; ICMP: 0 */
	uint16_t rdport;
	uint16_t icmp_id;       /* ICMP echo id, host byte order */
	uint8_t  icmp_type;
	uint8_t  icmp_code;
	uint8_t  event;         /* enum flow_event */
	uint8_t  family;        /* enum flow_family */
	uint8_t  l4proto;       /* IPPROTO_TCP, _UDP, _UDPLITE, _SCTP, _DCCP, _ICMP, _ICMPV6 */
	uint8_t  state;         /* kernel state number of TCP/SCTP/DCCP, else FLOW_STATE_NONE */
	char     comm[FLOW_COMM_LEN]; /* owner's comm, NUL-terminated, "" unknown */
	/* uid of the local socket, as sock_diag and /proc/net list it to
	 * every user of the namespace (who opened it); see owner. */
	uint32_t uid;
	uint8_t  owner;         /* enum flow_owner */
	/* The low 24 bits of the owner's start time (field 22 of
	 * /proc/PID/stat), little-endian; 0 with no pid: tells the process
	 * from a later one given the same pid (flow_owner_tag). */
	uint8_t  owner_tag[3];
	uint16_t zone;          /* conntrack zone, 0: the default */
	/* conntrack labels (ct label), 128 bits as the kernel keeps them:
	 * an array of unsigned long, bit n of the set in word n / bits of
	 * a long (flow_label_next); all zero: none. */
	uint8_t  labels[16];
	/* Which end the local socket is (enum flow_side): the other one is
	 * the peer the owner talks to. FLOW_SIDE_NONE without a socket. */
	uint8_t  side;
	uint8_t  reserved;      /* 0 */
};

_Static_assert(sizeof(struct flow_wire) == 176, "flow_wire layout changed");

#define FLOW_LABELS 128

/* The first label set at or after from (0..FLOW_LABELS), -1 when none
 * is: a word at a time, since most flows have none and every printed or
 * sorted flow is asked. */
int flow_label_next(const struct flow_wire *w, unsigned from);

/* Whether label n (0..FLOW_LABELS-1) is set. */
static inline int flow_label_bit(const struct flow_wire *w, unsigned n)
{
	return flow_label_next(w, n) == (int)n;
}

/* What NAT changed, read off the two tuples (0: the reply direction is
 * the original swapped): FLOW_NAT_DST when another address or port
 * answers for the destination (DNAT, a published port), FLOW_NAT_SRC
 * when the source goes out as another (SNAT, masquerade). */
#define FLOW_NAT_DST 1u
#define FLOW_NAT_SRC 2u
unsigned flow_nat(const struct flow_wire *w);

static inline int flow_is_nat(const struct flow_wire *w)
{
	return flow_nat(w) != 0;
}

#define FLOW_OWNER_TAG_MASK 0xffffffu

static inline uint32_t flow_owner_tag(const struct flow_wire *w)
{
	return (uint32_t)w->owner_tag[0] | (uint32_t)w->owner_tag[1] << 8 |
	       (uint32_t)w->owner_tag[2] << 16;
}

static inline void flow_set_owner_tag(struct flow_wire *w, uint64_t start)
{
	w->owner_tag[0] = (uint8_t)start;
	w->owner_tag[1] = (uint8_t)(start >> 8);
	w->owner_tag[2] = (uint8_t)(start >> 16);
}

/* Number of states the kernel defines for a protocol (TCP 10, SCTP 10,
 * DCCP 10), 0 for protocols without states. */
unsigned flow_state_count(uint8_t l4proto);

/* Upper-case kernel name of a state ("ESTABLISHED"), NULL when none. */
const char *flow_state_name(uint8_t l4proto, uint8_t state);

/* Protocol name as the JSON contract spells it ("tcp", "icmpv6"), NULL when
 * the protocol is not one flowtop shows. */
const char *flow_proto_name(uint8_t l4proto);

/* 0 if every field of r is in range, comm is NUL-terminated and a hidden
 * owner names nothing but its uid, else -1 and *why names the first bad
 * field. */
int flow_wire_check(const struct flow_wire *r, const char **why);

/* The selection bits (enum flow_sel, common/options.h) a flow of w's
 * kind needs: its family's and its protocol's. */
uint32_t flow_sel_bits(const struct flow_wire *w);

/* What the kernel needs to find one entry without a dump (a conntrack
 * GET by its original tuple), and its id to check the answer: the ui
 * names the flows it shows with these (MSG_CTL_REFRESH). Addresses and
 * ports as in struct flow_wire. */
struct flow_key {
	uint8_t  src[16];       /* IPv4 uses the first 4 bytes, rest zero */
	uint8_t  dst[16];
	uint32_t id;            /* kernel conntrack id */
	uint16_t sport;         /* host byte order; ICMP: 0 */
	uint16_t dport;
	uint16_t icmp_id;       /* ICMP only, else 0 */
	uint8_t  icmp_type;
	uint8_t  icmp_code;
	uint8_t  family;        /* enum flow_family */
	uint8_t  l4proto;       /* a protocol flowtop shows, of that family */
	uint16_t zone;          /* conntrack zone (the same tuple may be in
				 * several) */
};

_Static_assert(sizeof(struct flow_key) == 48, "flow_key layout changed");

/* The key of the flow w describes. */
void flow_key_of(const struct flow_wire *w, struct flow_key *k);

/* 0 if k names a flow flowtop could show (family, protocol, unused bytes
 * zero), else -1 and *why names the first bad field. */
int flow_key_check(const struct flow_key *k, const char **why);

#endif
