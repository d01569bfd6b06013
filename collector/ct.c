/* SPDX-License-Identifier: GPL-2.0-only */
/* ct: conntrack dumps and events read straight from ctnetlink and turned
 * into flow_wire records.
 *
 * Two netlink sockets: one subscribed to the event groups (non-blocking,
 * read from the collector's poll loop) and one for dump requests. They are
 * kept apart because a dump's replies and the event stream would otherwise
 * interleave on one socket.
 *
 * Messages are parsed here rather than by libnetfilter_conntrack: the
 * library decodes every attribute of an entry into a struct nf_conntrack
 * before flowtop reads a dozen of them back, which made parsing the
 * largest part of the collector's cost at 100k flows. The parser below
 * walks an entry's attributes once, descends only into the nests a
 * flow_wire record needs, and writes values into the record as it goes.
 * The kernel is trusted, but its messages are still bounds-checked:
 * every message header against the bytes received (ct_msgs_next), every
 * attribute header against its message or nest, and every value against
 * its exact size before it is read (ct_walk, ct_get). An entry with a
 * malformed attribute is dropped, as one flowtop can't show.
 *
 * ct_to_wire() still converts library objects, for the unit tests (the
 * only use of libnetfilter_conntrack left here); both paths end in
 * ct_finish(), so they agree on every rule by construction, and a test
 * compares their records byte by byte on a real kernel's dump and events.
 *
 * After ct_open() only recvfrom and sendto are called on the two sockets
 * (and close in ct_close), as the collector's seccomp allowlist expects.
 */
#include <endian.h>
#include <stdbool.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include "collector/ct.h"
#include "collector/gone_ids.h"
#include "privsep/msg.h"

/* Kernel-side queue of the event socket: deep enough to ride out bursts of
 * flow churn between two reads; beyond it the kernel drops events and
 * reports ENOBUFS, which the caller repairs with a dump. */
#define CT_EVENT_RCVBUF (4u << 20)

/* Userspace receive buffer of the dump socket. The kernel sizes each dump
 * batch after the largest read it has seen, up to 32 KiB (netlink_dump,
 * max_recvmsg_len); twice that leaves room should a kernel ever send more,
 * and a batch that still does not fit is reported, never cut short. */
#define CT_DUMP_BUFSIZE (64u << 10)

/* The kernel sends one event per datagram, a few hundred bytes each. */
#define CT_EVENT_BUFSIZE (16u << 10)

/* Kernel-side queue of the dump socket: the answers of one chunk of GET
 * requests (ct_get_entries) are all queued before the first is read. */
#define CT_DUMP_RCVBUF (1u << 20)

struct ct_source {
	int ev_fd;
	int dump_fd;
	uint32_t dump_portid;   /* the dump socket's address, in replies */
	uint32_t seq;           /* sequence number of the last dump request */
	uint32_t sel;
	unsigned char *dump_buf;
	unsigned char *ev_buf;
	unsigned char *get_buf; /* the requests of one ct_get_entries chunk */
	uint64_t dump_entries;  /* in the last complete dump */
	int dumping;            /* events read now fall within a dump */
	int dump_lost;          /* events were lost during the last dump */
	struct gone_ids gone;   /* destroyed during the dump under way */
};

/* Where a protocol's state is kept while a message is parsed. */
enum ct_slot {
	CT_SLOT_NONE,           /* protocol without states */
	CT_SLOT_TCP,
	CT_SLOT_SCTP,
	CT_SLOT_DCCP,
	CT_SLOTS,
};

/* What flowtop needs to know about each protocol it shows. */
struct ct_proto {
	uint32_t sel;           /* selection bit; 0: not shown */
	uint8_t icmp;           /* ICMP type/code/id instead of ports */
	uint8_t slot;           /* enum ct_slot */
};

static const struct ct_proto ct_protos[UINT8_MAX + 1] = {
	[IPPROTO_TCP] = { SEL_TCP, 0, CT_SLOT_TCP },
	[IPPROTO_UDP] = { SEL_UDP, 0, CT_SLOT_NONE },
	[IPPROTO_UDPLITE] = { SEL_UDP, 0, CT_SLOT_NONE },
	[IPPROTO_SCTP] = { SEL_SCTP, 0, CT_SLOT_SCTP },
	[IPPROTO_DCCP] = { SEL_DCCP, 0, CT_SLOT_DCCP },
	[IPPROTO_ICMP] = { SEL_ICMP, 1, CT_SLOT_NONE },
	[IPPROTO_ICMPV6] = { SEL_ICMP, 1, CT_SLOT_NONE },
};

/* Library state attribute of each slot (ct_to_wire). */
static const enum nf_conntrack_attr ct_state_attr[CT_SLOTS] = {
	[CT_SLOT_TCP] = ATTR_TCP_STATE,
	[CT_SLOT_SCTP] = ATTR_SCTP_STATE,
	[CT_SLOT_DCCP] = ATTR_DCCP_STATE,
};

/* --- one entry, from either source ------------------------------------ */

#define CT_HAVE_SRC4 0x01u
#define CT_HAVE_DST4 0x02u
#define CT_HAVE_SRC6 0x04u
#define CT_HAVE_DST6 0x08u
#define CT_HAVE_STATE(slot) (0x10u << (slot))   /* slot 1..3: 0x20..0x80 */
#define CT_HAVE_REPLY(bit) ((bit) << 8)         /* the reply tuple's */

/* An entry as read, before the rules of ct_finish() apply. The record
 * collects what maps one to one (addresses, ports, ICMP fields, counters,
 * start, id); the rest waits here. */
struct ct_entry {
	struct flow_wire rec;
	uint8_t msg_family;     /* nfgen_family of the message */
	uint8_t l3;             /* AF_INET, AF_INET6: set with the tuple */
	uint8_t l4;             /* 0: unknown */
	uint8_t reply;          /* parsing the reply tuple */
	uint16_t have;          /* CT_HAVE_* */
	uint8_t state[CT_SLOTS];
};

static int ct_is_loopback(uint8_t family, const uint8_t *a)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };
	static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (family == FLOW_FAM_IPV4)
		return a[0] == 127;
	if (!memcmp(a, v6_loopback, sizeof(v6_loopback)))
		return 1;
	return !memcmp(a, v4_mapped, sizeof(v4_mapped)) && a[12] == 127;
}

static int ct_selected(const struct flow_wire *rec, uint32_t sel)
{
	uint32_t fam = rec->family == FLOW_FAM_IPV4 ? SEL_IPV4 : SEL_IPV6;

	if (!(sel & fam) || !(sel & ct_protos[rec->l4proto].sel))
		return 0;
	if (sel & SEL_LOOPBACK)
		return 1;
	return !ct_is_loopback(rec->family, rec->src) &&
	       !ct_is_loopback(rec->family, rec->dst);
}

static int ct_finish_addrs(struct ct_entry *e)
{
	struct flow_wire *rec = &e->rec;
	const unsigned v4 = CT_HAVE_SRC4 | CT_HAVE_DST4;
	const unsigned v6 = CT_HAVE_SRC6 | CT_HAVE_DST6;

	unsigned need;

	switch (e->l3) {
	case AF_INET:
		need = v4;
		rec->family = FLOW_FAM_IPV4;
		break;
	case AF_INET6:
		need = v6;
		rec->family = FLOW_FAM_IPV6;
		break;
	default:
		return -1;
	}
	if ((e->have & need) != need)
		return -1;
	if ((e->have & CT_HAVE_REPLY(need)) != CT_HAVE_REPLY(need)) {
		/* No reply tuple given: the flow as if no NAT touched it. */
		memcpy(rec->rsrc, rec->dst, sizeof(rec->rsrc));
		memcpy(rec->rdst, rec->src, sizeof(rec->rdst));
		rec->rsport = rec->dport;
		rec->rdport = rec->sport;
	}
	if (rec->family == FLOW_FAM_IPV4) {
		/* IPv4 uses the first 4 bytes, the rest stays zero. */
		memset(rec->src + 4, 0, sizeof(rec->src) - 4);
		memset(rec->dst + 4, 0, sizeof(rec->dst) - 4);
		memset(rec->rsrc + 4, 0, sizeof(rec->rsrc) - 4);
		memset(rec->rdst + 4, 0, sizeof(rec->rdst) - 4);
	}
	return 0;
}

/* The rules shared by both sources: returns 0 if e->rec passes sel, 1 if
 * it is filtered out, -1 if the entry is not one flowtop can show. */
static int ct_finish(struct ct_entry *e, uint8_t event, uint32_t sel)
{
	const struct ct_proto *p = &ct_protos[e->l4];
	struct flow_wire *rec = &e->rec;
	const char *why;

	rec->event = event;
	rec->l4proto = e->l4;
	if (!p->sel || ct_finish_addrs(e) < 0)
		return -1;
	if (p->icmp) {
		rec->sport = 0;
		rec->dport = 0;
		rec->rsport = 0;
		rec->rdport = 0;
	} else {
		rec->icmp_type = 0;
		rec->icmp_code = 0;
		rec->icmp_id = 0;
	}
	rec->state = FLOW_STATE_NONE;
	if (p->slot != CT_SLOT_NONE) {
		if (e->have & CT_HAVE_STATE(p->slot))
			rec->state = e->state[p->slot];
		else if (event == FLOW_EV_UPDATE)
			/* The kernel leaves the state out of UPDATE events
			 * about other changes (status bits, mark): nothing
			 * the ui could use. */
			return 1;
		else    /* the kernel's NONE of every protocol */
			rec->state = 0;
	}
	/* The kernel is trusted, but a record the ui would refuse (a state
	 * a newer kernel added, ICMP over the wrong family) must not end
	 * the channel: drop it here. */
	if (flow_wire_check(rec, &why) < 0)
		return -1;
	return ct_selected(rec, sel) ? 0 : 1;
}

/* --- from a library object (unit tests) -------------------------------- */

static void ct_entry_addr(const struct nf_conntrack *ct,
			  enum nf_conntrack_attr attr, uint8_t *to,
			  size_t len, struct ct_entry *e, unsigned bit)
{
	const void *v = nfct_get_attr(ct, attr);

	if (v) {
		memcpy(to, v, len);
		e->have |= bit;
	}
}

static void ct_entry_reply(const struct nf_conntrack *ct, struct ct_entry *e)
{
	ct_entry_addr(ct, ATTR_REPL_IPV4_SRC, e->rec.rsrc, 4, e,
		      CT_HAVE_REPLY(CT_HAVE_SRC4));
	ct_entry_addr(ct, ATTR_REPL_IPV4_DST, e->rec.rdst, 4, e,
		      CT_HAVE_REPLY(CT_HAVE_DST4));
	ct_entry_addr(ct, ATTR_REPL_IPV6_SRC, e->rec.rsrc, 16, e,
		      CT_HAVE_REPLY(CT_HAVE_SRC6));
	ct_entry_addr(ct, ATTR_REPL_IPV6_DST, e->rec.rdst, 16, e,
		      CT_HAVE_REPLY(CT_HAVE_DST6));
	e->rec.rsport = ntohs(nfct_get_attr_u16(ct, ATTR_REPL_PORT_SRC));
	e->rec.rdport = ntohs(nfct_get_attr_u16(ct, ATTR_REPL_PORT_DST));
}

/* The library's label bitmask, laid out as the kernel sends it. */
static void ct_entry_labels(const struct nf_conntrack *ct, uint8_t *to)
{
	const struct nfct_bitmask *b = nfct_get_attr(ct, ATTR_CONNLABELS);
	const unsigned per = 8 * sizeof(unsigned long);

	if (!b)
		return;
	for (unsigned n = 0; n < FLOW_LABELS &&
	     n <= nfct_bitmask_maxbit(b); n++) {
		unsigned long word;
		uint8_t *at = to + n / per * sizeof(word);

		if (!nfct_bitmask_test_bit(b, n))
			continue;
		memcpy(&word, at, sizeof(word));
		word |= 1ul << (n % per);
		memcpy(at, &word, sizeof(word));
	}
}

int ct_to_wire(const void *ctv, uint8_t event, uint32_t sel,
	       struct flow_wire *rec)
{
	const struct nf_conntrack *ct = ctv;
	struct ct_entry e;
	int r;

	memset(&e, 0, sizeof(e));
	e.l3 = nfct_get_attr_u8(ct, ATTR_L3PROTO);
	e.l4 = nfct_get_attr_u8(ct, ATTR_L4PROTO);
	ct_entry_addr(ct, ATTR_ORIG_IPV4_SRC, e.rec.src, 4, &e, CT_HAVE_SRC4);
	ct_entry_addr(ct, ATTR_ORIG_IPV4_DST, e.rec.dst, 4, &e, CT_HAVE_DST4);
	ct_entry_addr(ct, ATTR_ORIG_IPV6_SRC, e.rec.src, 16, &e, CT_HAVE_SRC6);
	ct_entry_addr(ct, ATTR_ORIG_IPV6_DST, e.rec.dst, 16, &e, CT_HAVE_DST6);
	ct_entry_reply(ct, &e);
	e.rec.mark = nfct_get_attr_u32(ct, ATTR_MARK);
	e.rec.zone = nfct_get_attr_u16(ct, ATTR_ZONE);
	ct_entry_labels(ct, e.rec.labels);
	/* The getters give 0 for what is absent (counters without
	 * nf_conntrack_acct, the start without nf_conntrack_timestamp),
	 * which is what the record means by "unknown". */
	e.rec.sport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_SRC));
	e.rec.dport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST));
	e.rec.icmp_type = nfct_get_attr_u8(ct, ATTR_ICMP_TYPE);
	e.rec.icmp_code = nfct_get_attr_u8(ct, ATTR_ICMP_CODE);
	e.rec.icmp_id = ntohs(nfct_get_attr_u16(ct, ATTR_ICMP_ID));
	for (unsigned slot = CT_SLOT_NONE + 1; slot < CT_SLOTS; slot++) {
		enum nf_conntrack_attr attr = ct_state_attr[slot];

		if (nfct_attr_is_set(ct, attr) > 0) {
			e.state[slot] = nfct_get_attr_u8(ct, attr);
			e.have |= CT_HAVE_STATE(slot);
		}
	}
	e.rec.orig_bytes = nfct_get_attr_u64(ct, ATTR_ORIG_COUNTER_BYTES);
	e.rec.orig_packets = nfct_get_attr_u64(ct, ATTR_ORIG_COUNTER_PACKETS);
	e.rec.reply_bytes = nfct_get_attr_u64(ct, ATTR_REPL_COUNTER_BYTES);
	e.rec.reply_packets = nfct_get_attr_u64(ct, ATTR_REPL_COUNTER_PACKETS);
	e.rec.start_ns = nfct_get_attr_u64(ct, ATTR_TIMESTAMP_START);
	e.rec.id = nfct_get_attr_u32(ct, ATTR_ID);
	r = ct_finish(&e, event, sel);
	*rec = e.rec;
	return r;
}

/* --- from a netlink message -------------------------------------------- */

/* Messages and attributes are walked here, with <linux/netlink.h> alone,
 * rather than with libmnl's mnl_attr_parse() and mnl_attr_validate(): an
 * entry carries some thirty attributes that the walk visits, and the
 * library's out-of-line calls for each (parse, ok, next, type, validate,
 * payload) made the parse four times as expensive (43 against 9 ms of
 * user time per dump of 100k entries). The checks are the same. A
 * message's header must fit in what is left of its datagram and its
 * length must cover the header and stay within the datagram. An
 * attribute's header must fit in what is left of its message or nest,
 * its length must cover its header and stay within that space, and a
 * value's payload must be exactly the value's size before it is read. A
 * malformed message ends the walk of its datagram; a malformed attribute
 * makes its whole entry malformed. */

/* The messages of one datagram. */
struct ct_msgs {
	const unsigned char *p;
	size_t left;
};

/* The next whole message, NULL at the end or at one that doesn't fit. */
static const struct nlmsghdr *ct_msgs_next(struct ct_msgs *m)
{
	const struct nlmsghdr *nlh = (const void *)m->p;
	size_t step;

	if (m->left < sizeof(*nlh) || nlh->nlmsg_len < sizeof(*nlh) ||
	    nlh->nlmsg_len > m->left)
		return NULL;
	step = NLMSG_ALIGN(nlh->nlmsg_len);
	if (step > m->left)
		step = m->left;
	m->p += step;
	m->left -= step;
	return nlh;
}

typedef int (*ct_attr_fn)(const struct nlattr *a, void *data);

static inline uint16_t ct_attr_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

/* Only for attributes ct_walk() handed out: nla_len >= NLA_HDRLEN. */
static inline size_t ct_attr_len(const struct nlattr *a)
{
	return (size_t)a->nla_len - NLA_HDRLEN;
}

static inline const void *ct_attr_data(const struct nlattr *a)
{
	return (const unsigned char *)a + NLA_HDRLEN;
}

/* Call fn for each attribute of the len bytes at p (4-byte aligned, as
 * netlink lays them out): 0, or -1 when one is malformed or fn failed. */
static int ct_walk(const unsigned char *p, size_t len, ct_attr_fn fn,
		   void *data)
{
	while (len > 0) {
		const struct nlattr *a = (const void *)p;
		size_t step;

		if (len < NLA_HDRLEN || a->nla_len < NLA_HDRLEN ||
		    a->nla_len > len)
			return -1;
		if (fn(a, data) < 0)
			return -1;
		/* The last attribute's padding may be left out. */
		step = NLA_ALIGN(a->nla_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

static int ct_nest(const struct nlattr *a, ct_attr_fn fn, void *data)
{
	return ct_walk(ct_attr_data(a), ct_attr_len(a), fn, data);
}

/* Copy a value of exactly len bytes. */
static inline int ct_get(const struct nlattr *a, void *to, size_t len)
{
	if (ct_attr_len(a) != len)
		return -1;
	memcpy(to, ct_attr_data(a), len);
	return 0;
}

/* A big-endian 16-bit value (ports, ICMP id), stored in host order. */
static inline int ct_get_be16(const struct nlattr *a, uint16_t *to)
{
	uint16_t v;

	if (ct_get(a, &v, sizeof(v)) < 0)
		return -1;
	*to = ntohs(v);
	return 0;
}

static inline int ct_get_be32(const struct nlattr *a, uint32_t *to)
{
	uint32_t v;

	if (ct_get(a, &v, sizeof(v)) < 0)
		return -1;
	*to = ntohl(v);
	return 0;
}

/* A big-endian 64-bit value (counters, start time), in host order. */
static inline int ct_get_be64(const struct nlattr *a, uint64_t *to)
{
	uint64_t v;

	if (ct_get(a, &v, sizeof(v)) < 0)
		return -1;
	*to = be64toh(v);
	return 0;
}

static unsigned ct_bit_orig(unsigned bit)
{
	return bit;
}

static unsigned ct_bit_reply(unsigned bit)
{
	return CT_HAVE_REPLY(bit);
}

static int ct_get_addr(const struct nlattr *a, uint8_t *to, size_t len,
		       struct ct_entry *e, unsigned bit)
{
	if (ct_get(a, to, len) < 0)
		return -1;
	e->have |= bit;
	return 0;
}

static int ct_ip_cb(const struct nlattr *a, void *data)
{
	struct ct_entry *e = data;
	uint8_t *src = e->reply ? e->rec.rsrc : e->rec.src;
	uint8_t *dst = e->reply ? e->rec.rdst : e->rec.dst;
	unsigned (*bit)(unsigned) = e->reply ? ct_bit_reply : ct_bit_orig;

	switch (ct_attr_type(a)) {
	case CTA_IP_V4_SRC:
		return ct_get_addr(a, src, 4, e, bit(CT_HAVE_SRC4));
	case CTA_IP_V4_DST:
		return ct_get_addr(a, dst, 4, e, bit(CT_HAVE_DST4));
	case CTA_IP_V6_SRC:
		return ct_get_addr(a, src, 16, e, bit(CT_HAVE_SRC6));
	case CTA_IP_V6_DST:
		return ct_get_addr(a, dst, 16, e, bit(CT_HAVE_DST6));
	default:
		return 0;
	}
}

/* The reply tuple's ports; its protocol and ICMP fields repeat the
 * original's and are not read. */
static int ct_reply_proto_cb(const struct nlattr *a, void *data)
{
	struct ct_entry *e = data;

	switch (ct_attr_type(a)) {
	case CTA_PROTO_SRC_PORT:
		return ct_get_be16(a, &e->rec.rsport);
	case CTA_PROTO_DST_PORT:
		return ct_get_be16(a, &e->rec.rdport);
	default:
		return 0;
	}
}

static int ct_proto_cb(const struct nlattr *a, void *data)
{
	struct ct_entry *e = data;

	switch (ct_attr_type(a)) {
	case CTA_PROTO_NUM:
		return ct_get(a, &e->l4, 1);
	case CTA_PROTO_SRC_PORT:
		return ct_get_be16(a, &e->rec.sport);
	case CTA_PROTO_DST_PORT:
		return ct_get_be16(a, &e->rec.dport);
	case CTA_PROTO_ICMP_ID:
	case CTA_PROTO_ICMPV6_ID:
		return ct_get_be16(a, &e->rec.icmp_id);
	case CTA_PROTO_ICMP_TYPE:
	case CTA_PROTO_ICMPV6_TYPE:
		return ct_get(a, &e->rec.icmp_type, 1);
	case CTA_PROTO_ICMP_CODE:
	case CTA_PROTO_ICMPV6_CODE:
		return ct_get(a, &e->rec.icmp_code, 1);
	default:
		return 0;
	}
}

static int ct_tuple_cb(const struct nlattr *a, void *data)
{
	switch (ct_attr_type(a)) {
	case CTA_TUPLE_IP:
		return ct_nest(a, ct_ip_cb, data);
	case CTA_TUPLE_PROTO:
		return ct_nest(a, ((struct ct_entry *)data)->reply ?
			       ct_reply_proto_cb : ct_proto_cb, data);
	default:
		return 0;
	}
}

/* One protocol's CTA_PROTOINFO_<proto> nest: only its state is read. */
struct ct_state_ctx {
	struct ct_entry *e;
	uint16_t type;          /* CTA_PROTOINFO_<proto>_STATE */
	uint8_t slot;
};

static int ct_state_cb(const struct nlattr *a, void *data)
{
	struct ct_state_ctx *c = data;

	if (ct_attr_type(a) != c->type)
		return 0;
	if (ct_get(a, &c->e->state[c->slot], 1) < 0)
		return -1;
	c->e->have |= CT_HAVE_STATE(c->slot);
	return 0;
}

static int ct_protoinfo_cb(const struct nlattr *a, void *data)
{
	struct ct_state_ctx c = { .e = data };

	switch (ct_attr_type(a)) {
	case CTA_PROTOINFO_TCP:
		c.type = CTA_PROTOINFO_TCP_STATE;
		c.slot = CT_SLOT_TCP;
		break;
	case CTA_PROTOINFO_SCTP:
		c.type = CTA_PROTOINFO_SCTP_STATE;
		c.slot = CT_SLOT_SCTP;
		break;
	case CTA_PROTOINFO_DCCP:
		c.type = CTA_PROTOINFO_DCCP_STATE;
		c.slot = CT_SLOT_DCCP;
		break;
	default:
		return 0;
	}
	return ct_nest(a, ct_state_cb, &c);
}

/* One direction's counters. The kernel sends 64-bit counters; the 32-bit
 * ones of old kernels count only where no 64-bit one is given, whatever
 * the order (as libnetfilter_conntrack reads them). */
struct ct_counters_ctx {
	uint64_t *packets, *bytes;
	uint8_t wide;           /* bit 0: 64-bit packets seen, bit 1: bytes */
};

static int ct_counter32(const struct nlattr *a, uint64_t *to, int wide)
{
	uint32_t v;

	if (ct_get_be32(a, &v) < 0)
		return -1;
	if (!wide)
		*to = v;
	return 0;
}

static int ct_counters_cb(const struct nlattr *a, void *data)
{
	struct ct_counters_ctx *c = data;

	switch (ct_attr_type(a)) {
	case CTA_COUNTERS_PACKETS:
		c->wide |= 1;
		return ct_get_be64(a, c->packets);
	case CTA_COUNTERS_BYTES:
		c->wide |= 2;
		return ct_get_be64(a, c->bytes);
	case CTA_COUNTERS32_PACKETS:
		return ct_counter32(a, c->packets, c->wide & 1);
	case CTA_COUNTERS32_BYTES:
		return ct_counter32(a, c->bytes, c->wide & 2);
	default:
		return 0;
	}
}

static int ct_counters(const struct nlattr *a, uint64_t *packets,
		       uint64_t *bytes)
{
	struct ct_counters_ctx c = { .packets = packets, .bytes = bytes };

	return ct_nest(a, ct_counters_cb, &c);
}

static int ct_timestamp_cb(const struct nlattr *a, void *data)
{
	struct ct_entry *e = data;

	if (ct_attr_type(a) != CTA_TIMESTAMP_START)
		return 0;
	return ct_get_be64(a, &e->rec.start_ns);
}

/* The kernel sends its label words as they are, as long as it keeps
 * them (16 bytes today); a longer set is cut to what a record holds,
 * since the bits past 128 do not exist in any kernel. */
static int ct_labels(const struct nlattr *a, uint8_t *to)
{
	size_t len = ct_attr_len(a);
	size_t max = sizeof(((struct flow_wire *)0)->labels);

	memcpy(to, ct_attr_data(a), len < max ? len : max);
	return 0;
}

static int ct_attr_cb(const struct nlattr *a, void *data)
{
	struct ct_entry *e = data;
	int r;

	switch (ct_attr_type(a)) {
	case CTA_TUPLE_ORIG:
		/* The tuple's network layer is the message's family. */
		e->l3 = e->msg_family;
		return ct_nest(a, ct_tuple_cb, e);
	case CTA_TUPLE_REPLY:
		e->reply = 1;
		r = ct_nest(a, ct_tuple_cb, e);
		e->reply = 0;
		return r;
	case CTA_MARK:
		return ct_get_be32(a, &e->rec.mark);
	case CTA_ZONE:
		return ct_get_be16(a, &e->rec.zone);
	case CTA_LABELS:
		return ct_labels(a, e->rec.labels);
	case CTA_PROTOINFO:
		return ct_nest(a, ct_protoinfo_cb, e);
	case CTA_COUNTERS_ORIG:
		return ct_counters(a, &e->rec.orig_packets,
				   &e->rec.orig_bytes);
	case CTA_COUNTERS_REPLY:
		return ct_counters(a, &e->rec.reply_packets,
				   &e->rec.reply_bytes);
	case CTA_TIMESTAMP:
		return ct_nest(a, ct_timestamp_cb, e);
	case CTA_ID:
		return ct_get_be32(a, &e->rec.id);
	default:
		return 0;
	}
}

/* Parse one conntrack message (whose header ct_msgs_next() accepted:
 * nlmsg_len covers the header and lies within the bytes received) and
 * apply the rules: as ct_finish(). */
static int ct_parse(const struct nlmsghdr *nlh, uint8_t event, uint32_t sel,
		    struct ct_entry *e)
{
	const size_t skip = NLMSG_ALIGN(sizeof(struct nfgenmsg));
	const unsigned char *p = NLMSG_DATA(nlh);
	size_t len = nlh->nlmsg_len - NLMSG_HDRLEN;

	memset(e, 0, sizeof(*e));
	if (len < skip)
		return -1;
	/* nfgen_family: the first byte of struct nfgenmsg. */
	e->msg_family = p[offsetof(struct nfgenmsg, nfgen_family)];
	if (ct_walk(p + skip, len - skip, ct_attr_cb, e) < 0)
		return -1;
	return ct_finish(e, event, sel);
}

/* The flow event a ctnetlink message reports, 0 when it is none. */
static uint8_t ct_event_of(const struct nlmsghdr *nlh)
{
	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_CTNETLINK)
		return 0;
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case IPCTNL_MSG_CT_NEW:
		/* NEW of an entry just made, otherwise an update. */
		return nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL) ?
		       FLOW_EV_NEW : FLOW_EV_UPDATE;
	case IPCTNL_MSG_CT_DELETE:
		return FLOW_EV_DESTROY;
	default:
		return 0;
	}
}

int ct_nlmsg_to_wire(const void *msg, size_t len, uint8_t event,
		     uint32_t sel, struct flow_wire *rec)
{
	struct ct_msgs m = { msg, len };
	const struct nlmsghdr *nlh = ct_msgs_next(&m);
	struct ct_entry e;
	int r;

	memset(rec, 0, sizeof(*rec));
	if (!nlh)
		return -1;
	if (!event)
		event = ct_event_of(nlh);
	else if (ct_event_of(nlh) == 0)
		return -1;
	if (!event)
		return -1;
	r = ct_parse(nlh, event, sel, &e);
	*rec = e.rec;
	return r;
}

/* --- sockets ------------------------------------------------------------ */

static int ct_fail(char *err, size_t errlen, const char *what)
{
	int e = errno;

	snprintf(err, errlen, "%s: %s%s", what, strerror(e),
		 e == EPERM ? " (CAP_NET_ADMIN is needed)" : "");
	return -1;
}

/* One datagram from the kernel into buf: its length, 0 for one to ignore
 * (sent by another socket; only a process with CAP_NET_ADMIN could),
 * -1 with errno set; EMSGSIZE when it did not fit. */
static ssize_t ct_recv(int fd, void *buf, size_t size, int flags)
{
	struct sockaddr_nl from;
	socklen_t fromlen;
	ssize_t n;

	do {
		fromlen = sizeof(from);
		/* MSG_TRUNC: the datagram's real length, to see a cut. */
		n = recvfrom(fd, buf, size, MSG_TRUNC | flags,
			     (struct sockaddr *)&from, &fromlen);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n > size) {
		errno = EMSGSIZE;
		return -1;
	}
	if (fromlen != sizeof(from) || from.nl_family != AF_NETLINK ||
	    from.nl_pid != 0)
		return 0;
	return n;
}

/* The negative errno an NLMSG_ERROR or NLMSG_DONE message carries (0: an
 * acknowledgement, or the end of a dump that went well). */
static int ct_msg_errno(const struct nlmsghdr *nlh)
{
	int e;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(e)))
		return nlh->nlmsg_type == NLMSG_ERROR ? -EBADMSG : 0;
	memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
	if (e > 0)
		return nlh->nlmsg_type == NLMSG_ERROR ? -EBADMSG : 0;
	return e;
}

static int ct_dump_request(struct ct_source *s)
{
	struct {
		struct nlmsghdr h;
		struct nfgenmsg g;
	} req;
	const struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	ssize_t n;

	_Static_assert(offsetof(__typeof__(req), g) == NLMSG_HDRLEN,
		       "nfgenmsg must follow the header");
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.g));
	req.h.nlmsg_type = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = ++s->seq;
	/* AF_UNSPEC: one request lists both families. */
	req.g.nfgen_family = AF_UNSPEC;
	req.g.version = NFNETLINK_V0;
	do
		n = sendto(s->dump_fd, &req, req.h.nlmsg_len, 0,
			   (const struct sockaddr *)&kernel, sizeof(kernel));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != req.h.nlmsg_len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

/* State of one dump being read. */
struct ct_dump_run {
	struct ct_source *s;
	ct_emit_fn emit;
	void *arg;
	uint64_t entries;       /* every entry, shown or not */
	int stopped;            /* emit returned -1 */
	int done;               /* NLMSG_DONE seen, or an error */
	int error;              /* negative errno from the kernel */
};

static void ct_dump_msg(struct ct_dump_run *d, const struct nlmsghdr *nlh)
{
	struct ct_entry e;

	/* Replies carry this socket's address and the request's number;
	 * anything else is the leftover of an earlier dump that ended in an
	 * error before its NLMSG_DONE. */
	if (nlh->nlmsg_pid != d->s->dump_portid || nlh->nlmsg_seq != d->s->seq)
		return;
	/* NLM_F_DUMP_INTR: the table changed in a way that may have made
	 * the dump skip or repeat entries (ctnetlink's conntrack dump is
	 * not known to set it). The dump is taken as it is: every record is still a real
	 * entry, a skipped flow is swept from the ui and comes back with
	 * the next dump, one interval later, as it would if it had been
	 * created a moment after this dump. Dumping again at once would
	 * double the cost exactly when the table churns most. */
	switch (nlh->nlmsg_type) {
	case NLMSG_DONE:
		d->done = 1;
		d->error = ct_msg_errno(nlh);
		return;
	case NLMSG_ERROR:
		d->error = ct_msg_errno(nlh);
		/* An acknowledgement (0) ends nothing. */
		if (d->error)
			d->done = 1;
		return;
	case NLMSG_NOOP:
	case NLMSG_OVERRUN:
		return;
	}
	/* Once the consumer stopped, the rest of the dump is still read and
	 * dropped: left on the socket it would only delay the next dump. */
	if (ct_event_of(nlh) == 0)
		return;
	d->entries++;
	if (d->stopped)
		return;
	if (ct_parse(nlh, FLOW_EV_DUMP, d->s->sel, &e) == 0 &&
	    !gone_ids_has(&d->s->gone, &e.rec) &&
	    d->emit(&e.rec, d->arg) < 0)
		d->stopped = 1;
}

static int ct_events(struct ct_source *s, ct_emit_fn emit, void *arg,
		     unsigned budget, char *err, size_t errlen);

/* Between two batches, the events queued meanwhile: a dump of a large
 * table takes long enough for the event socket to overflow otherwise,
 * and what they say is then in the ui when the dump ends. The budget
 * keeps a flood of events from stalling the dump. */
#define CT_DUMP_EVENTS_BUDGET 256u

static int ct_dump_events(struct ct_dump_run *d, char *err, size_t errlen)
{
	int r;

	if (d->stopped)
		return 0;
	r = ct_events(d->s, d->emit, d->arg, CT_DUMP_EVENTS_BUDGET, err,
		      errlen);
	if (r == 1)
		d->s->dump_lost = 1;
	return r < 0 ? -1 : 0;
}

static int ct_dump_read(struct ct_dump_run *d, char *err, size_t errlen)
{
	struct ct_source *s = d->s;

	while (!d->done) {
		ssize_t n = ct_recv(s->dump_fd, s->dump_buf, CT_DUMP_BUFSIZE, 0);
		struct ct_msgs m = { s->dump_buf, 0 };
		const struct nlmsghdr *nlh;

		if (n < 0) {
			snprintf(err, errlen, "conntrack dump: %s",
				 errno == EMSGSIZE ?
				 "reply larger than the receive buffer" :
				 strerror(errno));
			return -1;
		}
		m.left = (size_t)n;
		while (!d->done && (nlh = ct_msgs_next(&m)))
			ct_dump_msg(d, nlh);
		if (!d->done && ct_dump_events(d, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int ct_dump(struct ct_source *s, ct_emit_fn emit, void *arg,
	    char *err, size_t errlen)
{
	struct ct_dump_run d = { .s = s, .emit = emit, .arg = arg };
	int r;

	if (ct_dump_request(s) < 0) {
		snprintf(err, errlen, "conntrack dump request: %s",
			 strerror(errno));
		return -1;
	}
	/* The set is empty: the last dump cleared it when it ended. */
	s->dump_lost = 0;
	s->dumping = 1;
	r = ct_dump_read(&d, err, errlen);
	s->dumping = 0;
	/* A destroyed entry the set could not hold may have been listed. */
	if (s->gone.full)
		s->dump_lost = 1;
	gone_ids_clear(&s->gone);
	if (r < 0)
		return -1;
	if (d.error) {
		snprintf(err, errlen, "conntrack dump: %s", strerror(-d.error));
		return -1;
	}
	if (d.stopped) {
		snprintf(err, errlen, "conntrack dump: consumer stopped");
		return -1;
	}
	s->dump_entries = d.entries;
	return 0;
}

int ct_dump_lost_events(const struct ct_source *s)
{
	return s->dump_lost;
}

uint64_t ct_dump_entries(const struct ct_source *s)
{
	return s->dump_entries;
}

/* --- single entries by tuple (ct_get_entries) ----------------------------------- */

/* Requests sent at once. Each answer is a socket buffer of its own, some
 * 8 KiB of receive space whatever the entry's size (ctnetlink allocates a
 * page for it): 32 of them fit the dump socket's queue (CT_DUMP_RCVBUF)
 * with room to spare. */
#define CT_GET_CHUNK 32u
/* One request: header, nfgenmsg, the tuple's nests and values. */
#define CT_GET_REQ_MAX 128u

/* CTA_TUPLE_PROTO's members: ports, or ICMP's id, type and code (the
 * kernel wants all three). false when they do not fit in size. */
static bool ct_put_l4(struct nlmsghdr *nlh, size_t size,
		      const struct flow_key *k)
{
	int v6 = k->l4proto == IPPROTO_ICMPV6;

	if (!mnl_attr_put_u8_check(nlh, size, CTA_PROTO_NUM, k->l4proto))
		return false;
	if (!ct_protos[k->l4proto].icmp)
		return mnl_attr_put_u16_check(nlh, size, CTA_PROTO_SRC_PORT,
					      htons(k->sport)) &&
		       mnl_attr_put_u16_check(nlh, size, CTA_PROTO_DST_PORT,
					      htons(k->dport));
	return mnl_attr_put_u16_check(nlh, size, v6 ? CTA_PROTO_ICMPV6_ID :
				      CTA_PROTO_ICMP_ID, htons(k->icmp_id)) &&
	       mnl_attr_put_u8_check(nlh, size, v6 ? CTA_PROTO_ICMPV6_TYPE :
				     CTA_PROTO_ICMP_TYPE, k->icmp_type) &&
	       mnl_attr_put_u8_check(nlh, size, v6 ? CTA_PROTO_ICMPV6_CODE :
				     CTA_PROTO_ICMP_CODE, k->icmp_code);
}

/* CTA_TUPLE_ORIG { CTA_TUPLE_IP { src, dst }, CTA_TUPLE_PROTO { ... } },
 * as ctnetlink_parse_tuple reads it. */
static bool ct_put_tuple(struct nlmsghdr *nlh, size_t size,
			 const struct flow_key *k)
{
	int v4 = k->family == FLOW_FAM_IPV4;
	size_t alen = v4 ? 4 : 16;
	struct nlattr *tuple, *ip, *proto;

	if (!(tuple = mnl_attr_nest_start_check(nlh, size, CTA_TUPLE_ORIG)) ||
	    !(ip = mnl_attr_nest_start_check(nlh, size, CTA_TUPLE_IP)) ||
	    !mnl_attr_put_check(nlh, size, v4 ? CTA_IP_V4_SRC : CTA_IP_V6_SRC,
				alen, k->src) ||
	    !mnl_attr_put_check(nlh, size, v4 ? CTA_IP_V4_DST : CTA_IP_V6_DST,
				alen, k->dst))
		return false;
	mnl_attr_nest_end(nlh, ip);
	if (!(proto = mnl_attr_nest_start_check(nlh, size, CTA_TUPLE_PROTO)) ||
	    !ct_put_l4(nlh, size, k))
		return false;
	mnl_attr_nest_end(nlh, proto);
	mnl_attr_nest_end(nlh, tuple);
	return true;
}

size_t ct_get_request(void *buf, size_t size, const struct flow_key *k,
		      uint32_t seq)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *g;

	if (flow_key_check(k, NULL) < 0 ||
	    size < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*g)))
		return 0;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = k->family == FLOW_FAM_IPV4 ? AF_INET : AF_INET6;
	g->version = NFNETLINK_V0;
	if (!ct_put_tuple(nlh, size, k))
		return 0;
	/* Without it the kernel looks in zone 0 alone. */
	if (k->zone && !mnl_attr_put_u16_check(nlh, size, CTA_ZONE,
					       htons(k->zone)))
		return 0;
	return nlh->nlmsg_len;
}

/* Send the requests for keys[0..n) (n <= CT_GET_CHUNK) at once, with
 * sequence numbers seq0 + i. -1 with errno on a failed send. */
static int ct_get_send(struct ct_source *s, const struct flow_key *keys,
		       size_t n, uint32_t seq0)
{
	const struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	size_t at = 0;
	ssize_t r;

	for (size_t i = 0; i < n; i++)
		at += ct_get_request(s->get_buf + at,
				     CT_GET_CHUNK * CT_GET_REQ_MAX - at,
				     &keys[i], seq0 + (uint32_t)i);
	if (!at)
		return 0;
	do
		r = sendto(s->dump_fd, s->get_buf, at, 0,
			   (const struct sockaddr *)&kernel, sizeof(kernel));
	while (r < 0 && errno == EINTR);
	if (r >= 0 && (size_t)r != at)
		errno = EMSGSIZE;
	return r >= 0 && (size_t)r == at ? 0 : -1;
}

/* One answer: the entry asked for under seq0 + i, if it is still the
 * flow of that id (a tuple is found in either direction, and a closed
 * flow's tuple may be another's by now). Errors (ENOENT: gone) are
 * dropped. 0, or -1 once emit stopped. */
static int ct_get_answer(struct ct_source *s, const struct nlmsghdr *nlh,
			 const struct flow_key *keys, size_t n, uint32_t seq0,
			 ct_emit_fn emit, void *arg)
{
	uint32_t i = nlh->nlmsg_seq - seq0;
	struct ct_entry e;

	if (nlh->nlmsg_pid != s->dump_portid || i >= n ||
	    ct_event_of(nlh) == 0)
		return 0;
	if (ct_parse(nlh, FLOW_EV_REFRESH, s->sel, &e) != 0 ||
	    e.rec.id != keys[i].id)
		return 0;
	return emit(&e.rec, arg);
}

/* The kernel answers a GET while it handles the send, so every answer is
 * queued when sendto returns: read until the socket is dry, never
 * blocking on one that was lost. */
static int ct_get_read(struct ct_source *s, const struct flow_key *keys,
		       size_t n, uint32_t seq0, ct_emit_fn emit, void *arg)
{
	for (;;) {
		ssize_t len = ct_recv(s->dump_fd, s->dump_buf, CT_DUMP_BUFSIZE,
				      MSG_DONTWAIT);
		struct ct_msgs m = { s->dump_buf, 0 };
		const struct nlmsghdr *nlh;

		if (len < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		/* A full queue dropped answers: the rest still count. */
		if (len < 0 && errno == ENOBUFS)
			continue;
		if (len < 0)
			return -1;
		m.left = (size_t)len;
		while ((nlh = ct_msgs_next(&m)))
			if (ct_get_answer(s, nlh, keys, n, seq0, emit,
					  arg) < 0)
				return -2;
	}
}

int ct_get_entries(struct ct_source *s, const struct flow_key *keys, size_t n,
	   ct_emit_fn emit, void *arg, char *err, size_t errlen)
{
	for (size_t done = 0; done < n; done += CT_GET_CHUNK) {
		size_t k = n - done < CT_GET_CHUNK ? n - done : CT_GET_CHUNK;
		uint32_t seq0 = s->seq + 1;
		int r;

		s->seq += (uint32_t)k;
		if (ct_get_send(s, keys + done, k, seq0) < 0) {
			snprintf(err, errlen, "conntrack get: %s",
				 strerror(errno));
			return -1;
		}
		r = ct_get_read(s, keys + done, k, seq0, emit, arg);
		if (r < 0) {
			snprintf(err, errlen, "conntrack get: %s", r == -2 ?
				 "consumer stopped" : strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Emit the events of one datagram: 0, or -1 once the consumer stopped. A
 * stop drops the rest of the datagram, which the kernel never fills with
 * more than one event; later datagrams stay queued. */
static int ct_event_datagram(struct ct_source *s, size_t len, ct_emit_fn emit,
			     void *arg)
{
	struct ct_msgs m = { s->ev_buf, len };
	const struct nlmsghdr *nlh;

	while ((nlh = ct_msgs_next(&m))) {
		uint8_t event = ct_event_of(nlh);
		struct ct_entry e;

		if (!event || ct_parse(nlh, event, s->sel, &e) != 0)
			continue;
		if (s->dumping && event != FLOW_EV_UPDATE)
			gone_ids_mark(&s->gone, &e.rec,
				      event == FLOW_EV_DESTROY);
		if (emit(&e.rec, arg) < 0)
			return -1;
	}
	return 0;
}

/* Up to budget datagrams (0: no limit) until the socket (non-blocking)
 * runs dry; as ct_read_events returns. */
static int ct_events(struct ct_source *s, ct_emit_fn emit, void *arg,
		     unsigned budget, char *err, size_t errlen)
{
	for (unsigned i = 0; !budget || i < budget; i++) {
		ssize_t n = ct_recv(s->ev_fd, s->ev_buf, CT_EVENT_BUFSIZE, 0);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			/* Events lost: to a full queue, or (never seen)
			 * one larger than the buffer. */
			if (errno == ENOBUFS || errno == EMSGSIZE)
				return 1;
			snprintf(err, errlen, "conntrack events: %s",
				 strerror(errno));
			return -1;
		}
		if (ct_event_datagram(s, (size_t)n, emit, arg) < 0) {
			snprintf(err, errlen,
				 "conntrack events: consumer stopped");
			return -1;
		}
	}
	return 0;
}

int ct_read_events(struct ct_source *s, ct_emit_fn emit, void *arg,
		   char *err, size_t errlen)
{
	return ct_events(s, emit, arg, 0, err, errlen);
}

/* A ctnetlink socket joined to groups (a bit mask: 1 << (group - 1)); its
 * descriptor with *portid set to its address, or -1 with errno. */
static int ct_socket(unsigned groups, int flags, uint32_t *portid)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK, .nl_groups = groups,
	};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | flags,
			NETLINK_NETFILTER);

	int e;

	if (fd < 0)
		return -1;
	/* nl_pid 0: the kernel picks a free address, read back below. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0) {
		if (len == sizeof(sa)) {
			*portid = sa.nl_pid;
			return fd;
		}
		errno = EINVAL;
	}
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

static int ct_open_events(struct ct_source *s, char *err, size_t errlen)
{
	unsigned groups = 1u << (NFNLGRP_CONNTRACK_NEW - 1) |
			  1u << (NFNLGRP_CONNTRACK_UPDATE - 1) |
			  1u << (NFNLGRP_CONNTRACK_DESTROY - 1);
	int size = CT_EVENT_RCVBUF;
	uint32_t portid;

	s->ev_fd = ct_socket(groups, SOCK_NONBLOCK, &portid);
	if (s->ev_fd < 0)
		return ct_fail(err, errlen, "conntrack event socket");
	/* Beyond net.core.rmem_max with CAP_NET_ADMIN, else within it. Best
	 * effort: a smaller queue only means more resynchronisations. */
	if (setsockopt(s->ev_fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)) < 0)
		(void)setsockopt(s->ev_fd, SOL_SOCKET, SO_RCVBUF, &size,
				 sizeof(size));
	return 0;
}

static int ct_open_dump(struct ct_source *s, char *err, size_t errlen)
{
	int size = CT_DUMP_RCVBUF;

	s->dump_fd = ct_socket(0, 0, &s->dump_portid);
	if (s->dump_fd < 0)
		return ct_fail(err, errlen, "conntrack dump socket");
	/* Room for a chunk of GET answers (ct_get_entries); a dump queues one batch
	 * at a time whatever the size. Best effort, as the event socket's. */
	if (setsockopt(s->dump_fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)) < 0)
		(void)setsockopt(s->dump_fd, SOL_SOCKET, SO_RCVBUF, &size,
				 sizeof(size));
	return 0;
}

struct ct_source *ct_open(uint32_t sel, char *err, size_t errlen)
{
	struct ct_source *s = calloc(1, sizeof(*s));

	if (!s) {
		ct_fail(err, errlen, "conntrack");
		return NULL;
	}
	s->ev_fd = -1;
	s->dump_fd = -1;
	s->sel = sel;
	s->dump_buf = malloc(CT_DUMP_BUFSIZE);
	s->ev_buf = malloc(CT_EVENT_BUFSIZE);
	s->get_buf = malloc(CT_GET_CHUNK * CT_GET_REQ_MAX);
	if (!s->dump_buf || !s->ev_buf || !s->get_buf) {
		ct_fail(err, errlen, "conntrack buffers");
		ct_close(s);
		return NULL;
	}
	if (ct_open_events(s, err, errlen) < 0 ||
	    ct_open_dump(s, err, errlen) < 0) {
		ct_close(s);
		return NULL;
	}
	return s;
}

void ct_close(struct ct_source *s)
{
	if (!s)
		return;
	if (s->ev_fd >= 0)
		close(s->ev_fd);
	if (s->dump_fd >= 0)
		close(s->dump_fd);
	free(s->dump_buf);
	free(s->ev_buf);
	free(s->get_buf);
	gone_ids_free(&s->gone);
	free(s);
}

void ct_set_selection(struct ct_source *s, uint32_t sel)
{
	s->sel = sel;
}

int ct_event_fd(const struct ct_source *s)
{
	return s->ev_fd;
}
