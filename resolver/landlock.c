/* SPDX-License-Identifier: GPL-2.0-only */
/* The resolver's Landlock rules, beside its seccomp table. Once confined
 * it reads its databases and nothing else: the GeoIP directory that is its
 * chroot's "/" when it watches it for replaced databases, or, chrooted in
 * its /proc/self/fd, each database file it opened before (files.h); in
 * the empty directory it opens nothing at all. Its only TCP connects go
 * to the name servers' ports (a truncated DNS answer is asked again over
 * TCP); it binds no TCP port, and may neither signal nor reach an
 * abstract unix socket outside itself. */
#include "privsep/landlock.h"
#include "resolver/dns.h"
#include "resolver/resolver.h"

#define RES_LL_PORTS 16

void resolver_ll_policy(struct ll_policy *p, const struct ll_rule *rules,
			size_t nrules, const struct dns *d)
{
	static uint16_t ports[RES_LL_PORTS];

	p->role = "resolver";
	p->rules = rules;
	p->nrules = nrules;
	p->ports = ports;
	p->nports = dns_tcp_ports(d, ports, RES_LL_PORTS);
	p->scoped = LANDLOCK_SCOPE_SIGNAL | LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
}
