/* SPDX-License-Identifier: GPL-2.0-only */
/* lookup_wire: checks of the lookup records, done by whoever receives them. */
#include <netinet/in.h>
#include <string.h>

#include "privsep/flow_wire.h"
#include "privsep/lookup_wire.h"

#define LW_FAIL(field) do { if (why) *why = (field); return -1; } while (0)

static int lw_terminated(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

static int lw_family_addr(uint8_t family, const uint8_t *addr)
{
	static const uint8_t zero[12];

	if (family == FLOW_FAM_IPV6)
		return 0;
	if (family == FLOW_FAM_IPV4)
		return memcmp(addr + 4, zero, sizeof(zero)) ? -1 : 0;
	return -1;
}

static int lw_parts(uint8_t parts)
{
	return parts && !(parts & ~(LOOKUP_DNS | LOOKUP_GEO)) ? 0 : -1;
}

/* "" or two upper-case letters (ISO 3166-1 alpha-2). */
static int lw_country(const char *c)
{
	if (!lw_terminated(c, 4))
		return -1;
	if (c[0] == 0)
		return 0;
	return c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z' &&
	       c[2] == 0 ? 0 : -1;
}

int lookup_req_check(const struct lookup_req *r, const char **why)
{
	if (lw_family_addr(r->family, r->addr) < 0)
		LW_FAIL("family/addr");
	if (lw_parts(r->parts) < 0)
		LW_FAIL("parts");
	if (r->reserved[0] || r->reserved[1])
		LW_FAIL("reserved");
	return 0;
}

int lookup_ans_check(const struct lookup_ans *a, const char **why)
{
	if (lw_family_addr(a->family, a->addr) < 0)
		LW_FAIL("family/addr");
	if (lw_parts(a->parts) < 0)
		LW_FAIL("parts");
	if (a->reserved[0] || a->reserved[1])
		LW_FAIL("reserved");
	if (!lw_terminated(a->name, sizeof(a->name)))
		LW_FAIL("name");
	if (lw_country(a->country) < 0)
		LW_FAIL("country");
	if (!lw_terminated(a->country_name, sizeof(a->country_name)) ||
	    !lw_terminated(a->city, sizeof(a->city)) ||
	    !lw_terminated(a->as_org, sizeof(a->as_org)))
		LW_FAIL("geo text");
	return 0;
}

/* A protocol flowtop shows that has ports (not ICMP/ICMPv6). */
static int lw_l4proto(uint8_t p)
{
	return flow_proto_name(p) && p != IPPROTO_ICMP && p != IPPROTO_ICMPV6 ?
		0 : -1;
}

int service_req_check(const struct service_req *r, const char **why)
{
	if (lw_l4proto(r->l4proto) < 0)
		LW_FAIL("l4proto");
	if (r->reserved)
		LW_FAIL("reserved");
	return 0;
}

int service_ans_check(const struct service_ans *a, const char **why)
{
	if (lw_l4proto(a->l4proto) < 0)
		LW_FAIL("l4proto");
	if (a->reserved)
		LW_FAIL("reserved");
	if (!lw_terminated(a->name, sizeof(a->name)))
		LW_FAIL("name");
	return 0;
}
