/* SPDX-License-Identifier: GPL-2.0-only */
/* flow_wire: protocol and state tables, and the range check every received
 * flow record goes through before the ui looks at it. */
#include <netinet/in.h>
#include <string.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nf_conntrack_sctp.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_dccp.h>
#include "common/options.h"
#include "privsep/flow_wire.h"

#define FLOW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Indexed by the kernel's own enums, so a renumbering upstream shows up
 * here as a wrong name rather than silently shifting every state. */
static const char *const flow_tcp_states[] = {
	[TCP_CONNTRACK_NONE] = "NONE",
	[TCP_CONNTRACK_SYN_SENT] = "SYN_SENT",
	[TCP_CONNTRACK_SYN_RECV] = "SYN_RECV",
	[TCP_CONNTRACK_ESTABLISHED] = "ESTABLISHED",
	[TCP_CONNTRACK_FIN_WAIT] = "FIN_WAIT",
	[TCP_CONNTRACK_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCP_CONNTRACK_LAST_ACK] = "LAST_ACK",
	[TCP_CONNTRACK_TIME_WAIT] = "TIME_WAIT",
	[TCP_CONNTRACK_CLOSE] = "CLOSE",
	[TCP_CONNTRACK_SYN_SENT2] = "SYN_SENT2",
};
_Static_assert(FLOW_ARRAY_LEN(flow_tcp_states) == TCP_CONNTRACK_MAX,
	       "TCP state table out of step with the kernel");

static const char *const flow_sctp_states[] = {
	[SCTP_CONNTRACK_NONE] = "NONE",
	[SCTP_CONNTRACK_CLOSED] = "CLOSED",
	[SCTP_CONNTRACK_COOKIE_WAIT] = "COOKIE_WAIT",
	[SCTP_CONNTRACK_COOKIE_ECHOED] = "COOKIE_ECHOED",
	[SCTP_CONNTRACK_ESTABLISHED] = "ESTABLISHED",
	[SCTP_CONNTRACK_SHUTDOWN_SENT] = "SHUTDOWN_SENT",
	[SCTP_CONNTRACK_SHUTDOWN_RECD] = "SHUTDOWN_RECD",
	[SCTP_CONNTRACK_SHUTDOWN_ACK_SENT] = "SHUTDOWN_ACK_SENT",
	[SCTP_CONNTRACK_HEARTBEAT_SENT] = "HEARTBEAT_SENT",
	[SCTP_CONNTRACK_HEARTBEAT_ACKED] = "HEARTBEAT_ACKED",
};
_Static_assert(FLOW_ARRAY_LEN(flow_sctp_states) == SCTP_CONNTRACK_MAX,
	       "SCTP state table out of step with the kernel");

static const char *const flow_dccp_states[] = {
	[DCCP_CONNTRACK_NONE] = "NONE",
	[DCCP_CONNTRACK_REQUEST] = "REQUEST",
	[DCCP_CONNTRACK_RESPOND] = "RESPOND",
	[DCCP_CONNTRACK_PARTOPEN] = "PARTOPEN",
	[DCCP_CONNTRACK_OPEN] = "OPEN",
	[DCCP_CONNTRACK_CLOSEREQ] = "CLOSEREQ",
	[DCCP_CONNTRACK_CLOSING] = "CLOSING",
	[DCCP_CONNTRACK_TIMEWAIT] = "TIMEWAIT",
	[DCCP_CONNTRACK_IGNORE] = "IGNORE",
	[DCCP_CONNTRACK_INVALID] = "INVALID",
};
_Static_assert(FLOW_ARRAY_LEN(flow_dccp_states) == DCCP_CONNTRACK_MAX,
	       "DCCP state table out of step with the kernel");

struct flow_proto {
	const char *name;           /* NULL: not a protocol flowtop shows */
	uint8_t family;             /* 0: either; else the only family */
	uint8_t icmp;               /* ports are zero, ICMP fields are used */
	const char *const *states;  /* NULL: stateless */
	unsigned nstates;
};

#define FLOW_STATES(t) .states = (t), .nstates = FLOW_ARRAY_LEN(t)

static const struct flow_proto flow_protos[UINT8_MAX + 1] = {
	[IPPROTO_TCP] = { .name = "tcp", FLOW_STATES(flow_tcp_states) },
	[IPPROTO_UDP] = { .name = "udp" },
	[IPPROTO_UDPLITE] = { .name = "udplite" },
	[IPPROTO_SCTP] = { .name = "sctp", FLOW_STATES(flow_sctp_states) },
	[IPPROTO_DCCP] = { .name = "dccp", FLOW_STATES(flow_dccp_states) },
	[IPPROTO_ICMP] = { .name = "icmp", .family = FLOW_FAM_IPV4, .icmp = 1 },
	[IPPROTO_ICMPV6] = { .name = "icmpv6", .family = FLOW_FAM_IPV6,
			     .icmp = 1 },
};

unsigned flow_state_count(uint8_t l4proto)
{
	return flow_protos[l4proto].nstates;
}

const char *flow_state_name(uint8_t l4proto, uint8_t state)
{
	const struct flow_proto *p = &flow_protos[l4proto];

	return state < p->nstates ? p->states[state] : NULL;
}

const char *flow_proto_name(uint8_t l4proto)
{
	return flow_protos[l4proto].name;
}

static int flow_all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* The address, port and owner fields; p is a protocol flowtop shows. */
static const char *flow_check_body(const struct flow_wire *r,
				   const struct flow_proto *p)
{
	if (!memchr(r->comm, '\0', sizeof(r->comm)))
		return "comm";
	if (!r->pid && !flow_all_zero(r->owner_tag, sizeof(r->owner_tag)))
		return "owner tag";
	if (r->owner > FLOW_OWNER_HIDDEN)
		return "owner";
	if (r->owner == FLOW_OWNER_NONE && r->uid)
		return "uid";
	if (r->side > FLOW_SIDE_REPLY || r->reserved ||
	    (r->owner == FLOW_OWNER_NONE && r->side))
		return "side";
	/* A hidden owner is shown by its uid alone. */
	if (r->owner == FLOW_OWNER_HIDDEN && (r->pid || r->comm[0]))
		return "hidden owner";
	if (r->family == FLOW_FAM_IPV4) {
		if (!flow_all_zero(r->src + 4, sizeof(r->src) - 4))
			return "src";
		if (!flow_all_zero(r->dst + 4, sizeof(r->dst) - 4))
			return "dst";
		if (!flow_all_zero(r->rsrc + 4, sizeof(r->rsrc) - 4))
			return "rsrc";
		if (!flow_all_zero(r->rdst + 4, sizeof(r->rdst) - 4))
			return "rdst";
	}
	if (p->icmp && r->sport)
		return "sport";
	if (p->icmp && r->dport)
		return "dport";
	if (p->icmp && (r->rsport || r->rdport))
		return "reply ports";
	return NULL;
}

int flow_wire_check(const struct flow_wire *r, const char **why)
{
	const struct flow_proto *p = &flow_protos[r->l4proto];
	const char *bad = NULL;

	if (r->event < FLOW_EV_DUMP || r->event > FLOW_EV_LAST)
		bad = "event";
	else if (r->family != FLOW_FAM_IPV4 && r->family != FLOW_FAM_IPV6)
		bad = "family";
	else if (!p->name || (p->family && p->family != r->family))
		bad = "l4proto";
	else if (p->nstates ? r->state >= p->nstates
			    : r->state != FLOW_STATE_NONE)
		bad = "state";
	else
		bad = flow_check_body(r, p);
	if (!bad)
		return 0;
	if (why)
		*why = bad;
	return -1;
}

void flow_key_of(const struct flow_wire *w, struct flow_key *k)
{
	const struct flow_proto *p = &flow_protos[w->l4proto];
	size_t alen = w->family == FLOW_FAM_IPV4 ? 4 : 16;

	memset(k, 0, sizeof(*k));
	memcpy(k->src, w->src, alen);
	memcpy(k->dst, w->dst, alen);
	k->id = w->id;
	k->family = w->family;
	k->l4proto = w->l4proto;
	k->zone = w->zone;
	if (p->icmp) {
		k->icmp_id = w->icmp_id;
		k->icmp_type = w->icmp_type;
		k->icmp_code = w->icmp_code;
	} else {
		k->sport = w->sport;
		k->dport = w->dport;
	}
}

int flow_key_check(const struct flow_key *k, const char **why)
{
	const struct flow_proto *p = &flow_protos[k->l4proto];
	const char *bad = NULL;

	if (k->family != FLOW_FAM_IPV4 && k->family != FLOW_FAM_IPV6)
		bad = "family";
	else if (!p->name || (p->family && p->family != k->family))
		bad = "l4proto";
	else if (k->family == FLOW_FAM_IPV4 &&
		 (!flow_all_zero(k->src + 4, sizeof(k->src) - 4) ||
		  !flow_all_zero(k->dst + 4, sizeof(k->dst) - 4)))
		bad = "address";
	else if (p->icmp && (k->sport || k->dport))
		bad = "ports";
	else if (!p->icmp && (k->icmp_id || k->icmp_type || k->icmp_code))
		bad = "icmp fields";
	if (!bad)
		return 0;
	if (why)
		*why = bad;
	return -1;
}

int flow_label_next(const struct flow_wire *w, unsigned from)
{
	const unsigned per = 8 * sizeof(unsigned long);

	for (unsigned i = from / per; i < FLOW_LABELS / per; i++) {
		unsigned long word;

		memcpy(&word, w->labels + i * sizeof(word), sizeof(word));
		if (i == from / per)
			word &= ~0ul << (from % per);
		if (word)
			return (int)(i * per) + __builtin_ctzl(word);
	}
	return -1;
}

unsigned flow_nat(const struct flow_wire *w)
{
	unsigned k = 0;

	if (memcmp(w->rsrc, w->dst, sizeof(w->rsrc)) || w->rsport != w->dport)
		k |= FLOW_NAT_DST;
	if (memcmp(w->rdst, w->src, sizeof(w->rdst)) || w->rdport != w->sport)
		k |= FLOW_NAT_SRC;
	return k;
}

uint32_t flow_sel_bits(const struct flow_wire *w)
{
	uint32_t fam = w->family == FLOW_FAM_IPV4 ? SEL_IPV4 : SEL_IPV6;

	switch (w->l4proto) {
	case IPPROTO_TCP: return fam | SEL_TCP;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE: return fam | SEL_UDP;
	case IPPROTO_DCCP: return fam | SEL_DCCP;
	case IPPROTO_SCTP: return fam | SEL_SCTP;
	default: return fam | SEL_ICMP;
	}
}
