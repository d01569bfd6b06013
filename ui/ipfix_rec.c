/* SPDX-License-Identifier: GPL-2.0-only */
/* ipfix_rec: one flow as an IPFIX record for the exporter
 * (privsep/ipfix_wire.h): its tuple, the deltas and span the feed chose,
 * and its owner's names. */
#include <netinet/in.h>
#include <string.h>

#include "ui/ipfix_feed.h"

/* The kernel's TCP conntrack states (enum tcp_conntrack). */
enum { IXS_SYN_SENT = 1, IXS_SYN_RECV, IXS_ESTABLISHED, IXS_FIN_WAIT,
       IXS_CLOSE_WAIT, IXS_LAST_ACK, IXS_TIME_WAIT, IXS_CLOSE,
       IXS_SYN_SENT2 };

#define IXF_FIN 0x01
#define IXF_SYN 0x02
#define IXF_RST 0x04
#define IXF_ACK 0x10

uint8_t ipfix_state_flags(uint8_t l4proto, uint8_t state)
{
	if (l4proto != IPPROTO_TCP)
		return 0;
	switch (state) {
	case IXS_SYN_SENT:
	case IXS_SYN_SENT2:
		return IXF_SYN;
	case IXS_SYN_RECV:
	case IXS_ESTABLISHED:
		return IXF_SYN | IXF_ACK;
	case IXS_FIN_WAIT:
	case IXS_CLOSE_WAIT:
	case IXS_LAST_ACK:
	case IXS_TIME_WAIT:
		return IXF_SYN | IXF_ACK | IXF_FIN;
	case IXS_CLOSE:
		return IXF_RST;         /* conntrack closes on a reset */
	default:
		return 0;
	}
}

/* Copy at most max bytes of s (NUL-ended within cap) to out, control
 * bytes as '?': the exporter refuses them, and a collector's screen
 * should not meet them either. */
static uint8_t ixr_str(unsigned char *out, const char *s, size_t cap,
		       size_t max)
{
	size_t n = s ? strnlen(s, cap) : 0;

	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = c < 0x20 || c == 0x7f ? '?' : c;
	}
	return (uint8_t)n;
}

static void ixr_tuple(struct ix_rec *r, const struct flow_wire *w)
{
	size_t alen = w->family == FLOW_FAM_IPV4 ? 4 : 16;

	r->family = w->family;
	r->proto = w->l4proto;
	memcpy(r->src, w->src, alen);
	memcpy(r->dst, w->dst, alen);
	if (w->l4proto == IPPROTO_ICMP || w->l4proto == IPPROTO_ICMPV6) {
		/* NetFlow's custom for ICMP: type and code in the port. */
		r->dport = (uint16_t)(w->icmp_type << 8 | w->icmp_code);
		return;
	}
	r->sport = w->sport;
	r->dport = w->dport;
}

size_t ipfix_rec_build(unsigned char *out, const struct flow_entry *e,
		       const struct ipfix_names *n, const uint64_t delta[4],
		       uint64_t start_ms, uint64_t end_ms, uint8_t flags,
		       uint8_t reason)
{
	const struct flow_wire *w = &e->w;
	const struct ui_owner *o = w->pid && n->owners ?
		owners_get(n->owners, w->pid, flow_owner_tag(w)) : NULL;
	const char *user = w->owner != FLOW_OWNER_NONE ?
		users_name(n->users, w->uid) : NULL;
	struct ix_rec r = {
		.start_ms = start_ms, .end_ms = end_ms < start_ms ? start_ms : end_ms,
		.octets = delta[0], .packets = delta[1],
		.rev_octets = delta[2], .rev_packets = delta[3],
		.pid = w->pid,
		.uid = w->owner != FLOW_OWNER_NONE ? w->uid : UINT32_MAX,
		.tcp_flags = flags, .end_reason = reason,
	};
	unsigned char *p = out + sizeof(r);
	size_t size;

	ixr_tuple(&r, w);
	r.comm_len = ixr_str(p, w->comm, sizeof(w->comm), IX_COMM_MAX);
	p += r.comm_len;
	r.user_len = ixr_str(p, user, USERS_NAME_MAX + 1, IX_USER_MAX);
	p += r.user_len;
	if (o) {
		r.unit_len = ixr_str(p, o->unit, sizeof(o->unit), IX_UNIT_MAX);
		p += r.unit_len;
		r.container_len = ixr_str(p, o->container,
					  sizeof(o->container),
					  IX_CONTAINER_MAX);
		p += r.container_len;
	}
	memcpy(out, &r, sizeof(r));
	size = ix_rec_size(&r);
	memset(p, 0, size - (size_t)(p - out));
	return size;
}
