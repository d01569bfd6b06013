/* SPDX-License-Identifier: GPL-2.0-only */
/* The resolver's Landlock rules, beside its seccomp table. Once confined
 * it reads its GeoIP directory and nothing else: that is its chroot's "/"
 * when it watches the directory for replaced databases; chrooted in the
 * removed empty directory instead, it opens nothing at all. Its only TCP
 * connects go to the name servers' ports (a truncated DNS answer is asked
 * again over TCP); it binds no TCP port, and may neither signal nor reach
 * an abstract unix socket outside itself. */
#include "privsep/landlock.h"
#include "resolver/dns.h"
#include "resolver/resolver.h"

#define RES_LL_PORTS 16

static const struct ll_rule resolver_geoip_root[] = {
	{ "/", -1, LL_READ },
};

void resolver_ll_policy(struct ll_policy *p, int watch, const struct dns *d)
{
	static uint16_t ports[RES_LL_PORTS];

	p->role = "resolver";
	p->rules = watch ? resolver_geoip_root : NULL;
	p->nrules = watch ? 1 : 0;
	p->ports = ports;
	p->nports = dns_tcp_ports(d, ports, RES_LL_PORTS);
	p->scoped = LANDLOCK_SCOPE_SIGNAL | LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
}
