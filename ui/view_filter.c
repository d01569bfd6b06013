/* SPDX-License-Identifier: GPL-2.0-only */
/* view_filter: whether a row matches the `/` filter. The filter is
 * compiled once per rebuild (lower-cased, its kind worked out), then
 * tried on every flow with a plain scan: the strings are short, and a
 * library substring search spends more setting up than searching. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ui/users.h"
#include "ui/view_int.h"

long view_match(const char *filter, const char *s)
{
	const char *p;

	if (!filter[0])
		return 0;
	if (!s)
		return -1;
	p = strcasestr(s, filter);
	return p ? p - s : -1;
}

int view_filter_numeric(const char *f)
{
	if (!*f)
		return 0;
	for (; *f; f++)
		if (!isdigit((unsigned char)*f))
			return 0;
	return 1;
}

int view_filter_addrlike(const char *f)
{
	if (!*f)
		return 0;
	for (; *f; f++)
		if (!isxdigit((unsigned char)*f) && *f != '.' && *f != ':')
			return 0;
	return 1;
}

/* N of "name:N": decimal, or hexadecimal after 0x; -1 when f is not one
 * or N is past 32 bits. */
static int vf_term_number(const char *f, const char *name, uint32_t *val)
{
	size_t n = strlen(name);
	int base = 10;
	uint64_t v = 0;

	if (strncasecmp(f, name, n) || f[n] != ':')
		return -1;
	f += n + 1;
	if (f[0] == '0' && (f[1] == 'x' || f[1] == 'X') && f[2]) {
		base = 16;
		f += 2;
	}
	if (!*f)
		return -1;
	for (; *f; f++) {
		int d = isdigit((unsigned char)*f) ? *f - '0' :
			base == 16 && isxdigit((unsigned char)*f) ?
			tolower((unsigned char)*f) - 'a' + 10 : -1;

		if (d < 0 || (v = v * (unsigned)base + (unsigned)d) > UINT32_MAX)
			return -1;
	}
	*val = (uint32_t)v;
	return 0;
}

enum view_term view_filter_term(const char *f, uint32_t *val)
{
	*val = 0;
	if (!strcasecmp(f, "nat"))
		return VIEW_TERM_NAT;
	if (vf_term_number(f, "zone", val) == 0)
		return *val <= UINT16_MAX ? VIEW_TERM_ZONE : VIEW_TERM_NONE;
	if (vf_term_number(f, "mark", val) == 0)
		return VIEW_TERM_MARK;
	return VIEW_TERM_NONE;
}

static int vf_term(const struct vf_ctx *c, const struct flow_wire *w)
{
	switch (c->term) {
	case VIEW_TERM_NAT:
		return flow_is_nat(w);
	case VIEW_TERM_ZONE:
		return w->zone == c->term_val;
	case VIEW_TERM_MARK:
		return w->mark == c->term_val;
	default:
		return 0;
	}
}

void vf_compile(struct vf_ctx *c, const char *f)
{
	/* tolower as strcasestr sees it, so both agree in any locale. */
	for (unsigned i = 0; i < 256; i++)
		c->fold[i] = (unsigned char)tolower((int)i);
	c->len = strnlen(f, sizeof(c->low) - 1);
	for (size_t i = 0; i < c->len; i++)
		c->low[i] = c->fold[(unsigned char)f[i]];
	c->low[c->len] = 0;
	c->numeric = view_filter_numeric(f);
	c->addrlike = view_filter_addrlike(f);
	c->colon = strchr(f, ':') != NULL;
	c->dot = strchr(f, '.') != NULL;
	c->term = view_filter_term(f, &c->term_val);
	vf_ip4_compile(&c->ip4, f);
	c->va = NULL;
	for (size_t i = 0; i < VF_MEMO; i++)
		c->comm[i].match = c->user[i].match = -1;
	for (size_t i = 0; i < VF_SERVICE_MEMO; i++)
		c->service[i].match = -1;
}

/* Does s hold the filter, in any case? */
static int vf_has(const struct vf_ctx *c, const char *s)
{
	if (!s)
		return 0;
	for (; *s; s++) {
		size_t i = 0;

		while (i < c->len && c->fold[(unsigned char)s[i]] ==
		       (unsigned char)c->low[i])
			i++;
		if (i == c->len)
			return 1;
	}
	return 0;
}

int vf_annot(const struct vf_ctx *c, const struct print_annot *a)
{
	return vf_has(c, a->name) || vf_has(c, a->country) ||
	       vf_has(c, a->country_name) || vf_has(c, a->city) ||
	       vf_has(c, a->as_org);
}

/* The text of an address can hold the filter only if the kinds agree:
 * dotted quads have no ':', IPv6 text has no '.' unless it ends in an
 * embedded IPv4 address. Saves formatting most addresses. */
static int vf_addr(const struct vf_ctx *c, const struct flow_wire *w,
		   const uint8_t *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0xff, 0xff };
	char buf[INET6_ADDRSTRLEN];

	if (w->family == FLOW_FAM_IPV4)
		return vf_ip4_match(&c->ip4, a);
	if (c->dot && !c->colon && memcmp(a, mapped, sizeof(mapped)))
		return 0;
	if (!inet_ntop(AF_INET6, a, buf, sizeof(buf)))
		return 0;
	return vf_has(c, buf);
}

static int vf_number(const struct vf_ctx *c, uint32_t n)
{
	char buf[12], *p = buf + sizeof(buf) - 1;

	*p = 0;
	do
		*--p = (char)('0' + n % 10);
	while (n /= 10);
	return vf_has(c, p);
}

/* Flows of one program share its name: scan each name once a rebuild.
 * The memo is found by the name itself, not the pid: many processes can
 * share a name, and a pid's name can change. */
static int vf_comm(struct vf_ctx *c, const struct flow_wire *w)
{
	uint64_t a, b;
	struct vf_comm_memo *m;

	_Static_assert(sizeof(m->comm) == sizeof(w->comm), "comm size");
	memcpy(&a, w->comm, 8);
	memcpy(&b, w->comm + 8, 8);
	m = &c->comm[((a ^ b * 0x9e3779b97f4a7c15ull) * 0xff51afd7ed558ccdull
		      >> 32) % VF_MEMO];
	if (m->match < 0 || memcmp(m->comm, w->comm, sizeof(m->comm))) {
		memcpy(m->comm, w->comm, sizeof(m->comm));
		m->match = (int8_t)vf_has(c, w->comm);
	}
	return m->match;
}

/* Most flows go to a few ports: look each service name up once. */
static int vf_service(struct vf_ctx *c, const struct view_src *src,
		      const struct flow_wire *w)
{
	uint32_t key = (uint32_t)w->l4proto << 16 | w->dport;
	struct vf_memo *m = &c->service[(w->dport ^ w->l4proto * 7919u) %
					VF_SERVICE_MEMO];

	if (m->match < 0 || m->key != key) {
		m->key = key;
		m->match = (int8_t)vf_has(c, src->service(src->ctx, w->l4proto,
							   w->dport));
	}
	return m->match;
}

/* The user as the USER column shows it (name, else uid): once per uid a
 * rebuild, as the table does not change. */
static int vf_user(struct vf_ctx *c, const struct view_src *src,
		   const struct flow_wire *w)
{
	struct vf_memo *m = &c->user[w->uid % VF_MEMO];
	char num[USERS_SHOW_MIN];

	if (w->owner == FLOW_OWNER_NONE)
		return 0;
	if (m->match < 0 || m->key != w->uid) {
		m->key = w->uid;
		m->match = (int8_t)vf_has(c, users_show(src->users, w->uid,
							 num, sizeof(num)));
	}
	return m->match;
}

int vf_flow(struct vf_ctx *c, const struct view_src *src,
	    const struct flow_entry *e)
{
	const struct flow_wire *w = &e->w;
	struct print_annot a = { 0 };

	if (c->term)
		return vf_term(c, w);
	if (vf_comm(c, w) || vf_user(c, src, w))
		return 1;
	if (c->numeric && (vf_number(c, w->sport) || vf_number(c, w->dport)))
		return 1;
	if (c->addrlike && (vf_addr(c, w, w->src) || vf_addr(c, w, w->dst)))
		return 1;
	if (src->service && vf_service(c, src, w))
		return 1;
	if (c->va)
		return va_match(c->va, c, c->slot[0]) ||
		       va_match(c->va, c, c->slot[1]);
	if (!src->annot)
		return 0;
	src->annot(src->ctx, w->family, w->src, &a);
	if (vf_annot(c, &a))
		return 1;
	memset(&a, 0, sizeof(a));
	src->annot(src->ctx, w->family, w->dst, &a);
	return vf_annot(c, &a);
}

int vf_proc(const struct vf_ctx *c, const struct proc_agg *p)
{
	return vf_has(c, p->comm) || (c->numeric && vf_number(c, p->pid));
}

/* The label as shown; by user also the uid, when the filter is a number. */
int vf_group(const struct vf_ctx *c, enum group_by by,
	     const struct group_agg *g)
{
	return vf_has(c, g->label) ||
	       (by == GROUP_USER && c->numeric && vf_number(c, g->uid));
}

int vf_country(const struct vf_ctx *c, const struct country_agg *cn)
{
	char as[16];

	snprintf(as, sizeof(as), "AS%u", cn->asn);
	return vf_has(c, cn->cc) || vf_has(c, cn->name) ||
	       vf_has(c, cn->as_org) || (cn->asn && vf_has(c, as));
}
