/* SPDX-License-Identifier: GPL-2.0-only */
/* view_keys: what a row of each tab sorts by (the filter is
 * view_filter.c). A key is a 64-bit number; strings give their first 8 bytes,
 * lower-cased, big-endian first, and the whole string for ties. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ui/users.h"
#include "ui/view_int.h"

uint64_t vk_str(const char *s, uint32_t *flags)
{
	uint64_t k = 0;
	size_t i = 0;

	if (!s)
		return 0;
	for (; i < 8 && s[i]; i++)
		k |= (uint64_t)(unsigned char)tolower((unsigned char)s[i]) <<
			(56 - 8 * i);
	if (i == 8 && s[8])
		*flags |= ROW_LONG;
	return k;
}

/* Unnamed addresses first, in numeric order; then names, by name. */
static uint64_t vk_addr_pa(const struct flow_wire *w, const uint8_t *a,
			   const struct print_annot *pa, const char **s,
			   uint32_t *flags)
{
	uint64_t k = (uint64_t)w->family << 56;

	if (pa->name && pa->name[0]) {
		*s = pa->name;
		*flags |= ROW_LONG;   /* the prefix lost a bit: compare fully */
		return 1ull << 63 | vk_str(pa->name, flags) >> 1;
	}
	for (unsigned i = 0; i < 7; i++)
		k |= (uint64_t)a[i] << (48 - 8 * i);
	return k;
}

/* Country, then city. */
static uint64_t vk_geo_pa(const struct print_annot *pa, const char **s,
			  uint32_t *flags)
{
	uint64_t k = pa->country && pa->country[0] ?
		(uint64_t)(unsigned char)pa->country[0] << 56 |
		(uint64_t)(unsigned char)pa->country[1] << 48 : 0;

	*s = pa->city;
	if (pa->city) {
		*flags |= ROW_LONG;
		k |= vk_str(pa->city, flags) >> 16;
	}
	return k;
}

uint64_t vk_annotated(const struct flow_wire *w, const uint8_t *a, int col,
		      const struct print_annot *pa, const char **s,
		      uint32_t *flags)
{
	*s = NULL;
	if (col == FC_GEO)
		return vk_geo_pa(pa, s, flags);
	return vk_addr_pa(w, a, pa, s, flags);
}

static uint64_t vk_addr(const struct view_src *src, const struct flow_wire *w,
			const uint8_t *a, int col, const char **s,
			uint32_t *flags)
{
	struct print_annot pa = { 0 };

	if (src->annot)
		src->annot(src->ctx, w->family, a, &pa);
	return vk_annotated(w, a, col, &pa, s, flags);
}

static uint64_t vk_double(double d)
{
	/* Non-negative doubles order like their bit patterns. */
	uint64_t u;

	if (!(d > 0))
		return 0;
	memcpy(&u, &d, sizeof(u));
	return u;
}

static uint64_t vk_sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* No local socket first; then uids without a name, in numeric order;
 * then names, by name. */
static uint64_t vk_user(const struct view_src *src, const struct flow_wire *w,
			const char **s, uint32_t *flags)
{
	const char *name;

	if (w->owner == FLOW_OWNER_NONE)
		return 0;
	name = users_name(src->users, w->uid);
	if (!name)
		return 1ull << 32 | w->uid;
	*s = name;
	*flags |= ROW_LONG;   /* the prefix lost a bit: compare fully */
	return 1ull << 63 | vk_str(name, flags) >> 1;
}

/* No NAT first; then by what was translated (the destination, the
 * source, both: flow_nat) and the first 32 bits of the new address and
 * its port (the destination's where both were). */
static uint64_t vk_nat(const struct flow_wire *w)
{
	unsigned nat = flow_nat(w);
	int dnat = (nat & FLOW_NAT_DST) != 0;
	const uint8_t *a = dnat ? w->rsrc : w->rdst;
	uint16_t port = dnat ? w->rsport : w->rdport;

	if (!nat)
		return 0;
	return (uint64_t)nat << 48 |
	       (uint64_t)a[0] << 40 | (uint64_t)a[1] << 32 |
	       (uint64_t)a[2] << 24 | (uint64_t)a[3] << 16 | port;
}

/* No labels first; then by the lowest label, then the next one. */
static uint64_t vk_labels(const struct flow_wire *w)
{
	int first = flow_label_next(w, 0), next;

	if (first < 0)
		return 0;
	next = flow_label_next(w, (unsigned)first + 1);
	return 1ull << 40 | (uint64_t)first << 16 |
	       (uint64_t)(next < 0 ? 0 : next + 1);
}

uint64_t vk_flow(const struct view_src *src, const struct flow_entry *e,
		 int col, const char **s, uint32_t *flags)
{
	const struct flow_wire *w = &e->w;

	*s = NULL;
	switch (col) {
	case FC_PID: return w->pid;
	case FC_USER: return vk_user(src, w, s, flags);
	case FC_PROC:
		*s = w->comm;
		return vk_str(w->comm, flags);
	case FC_PROTO:
		return vk_str(flow_proto_name(w->l4proto), flags) | w->family;
	case FC_STATE:
		*s = flow_state_name(w->l4proto, w->state);
		return vk_str(*s, flags);
	case FC_AGE:
		return w->start_ns && w->start_ns < src->now_real_ns ?
			src->now_real_ns - w->start_ns : 0;
	case FC_SRC: return vk_addr(src, w, w->src, col, s, flags);
	case FC_SPORT: return w->sport;
	case FC_DST: return vk_addr(src, w, w->dst, col, s, flags);
	case FC_DPORT: return w->dport;
	case FC_GEO: return vk_addr(src, w, w->dst, col, s, flags);
	case FC_NAT: return vk_nat(w);
	case FC_ZONE: return w->zone;
	case FC_MARK: return w->mark;
	case FC_LABELS: return vk_labels(w);
	case FC_RATE: return vk_double(e->orig_rate + e->reply_rate);
	default:
		return vk_sat_add(w->orig_bytes, w->reply_bytes);
	}
}

uint64_t vk_proc(const struct proc_agg *p, int col, const char **s,
		 uint32_t *flags)
{
	*s = NULL;
	switch (col) {
	case PC_PID: return p->pid;
	case PC_PROC:
		*s = p->comm;
		return vk_str(p->comm, flags);
	case PC_FLOWS: return p->flows;
	case PC_SENT: return p->orig_bytes;
	case PC_RECV: return p->reply_bytes;
	case PC_SENT_RATE: return vk_double(p->orig_rate);
	default: return vk_double(p->reply_rate);
	}
}

/* The naming column sorts by the label ("(hidden)" and the like first);
 * the totals as by process. */
uint64_t vk_group(const struct group_agg *g, int col, const char **s,
		  uint32_t *flags)
{
	if (col >= PC_FLOWS)
		return vk_proc(&g->sum, col, s, flags);
	*s = g->label;
	return vk_str(g->label, flags);
}

uint64_t vk_country(const struct country_agg *c, int col, const char **s,
		    uint32_t *flags)
{
	*s = NULL;
	switch (col) {
	case CC_CODE: return vk_str(c->cc, flags);
	case CC_NAME:
		*s = c->name;
		return vk_str(c->name, flags);
	case CC_AS: return c->asn;
	case CC_FLOWS: return c->flows;
	case CC_SENT: return c->sent_bytes;
	case CC_RECV: return c->recv_bytes;
	case CC_SENT_RATE: return vk_double(c->sent_rate);
	default: return vk_double(c->recv_rate);
	}
}
