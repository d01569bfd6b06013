/* SPDX-License-Identifier: GPL-2.0-only */
/* dns: asynchronous reverse DNS (PTR) with c-ares, and its cache.
 *
 * dns_open() reads resolv.conf and makes the c-ares channel before the
 * resolver is confined; afterwards only its UDP/TCP sockets are used (no
 * file is opened: lookups never consult /etc/hosts). At most max_inflight
 * queries are outstanding; more wait in a bounded queue. Answers are
 * cached: positive ones for their TTL clamped to [min_ttl, max_ttl],
 * failures (NXDOMAIN, no PTR, timeout, refused) for neg_ttl; the cache
 * holds at most cache_max addresses and evicts the least recently used.
 * When the servers refuse (none reachable: 4 queries refused in a row,
 * no other answer between), lookups fail at once, without asking, for a
 * second; any other answer ends that.
 * Names are escaped (esc_term) and bounded before they leave this module.
 */
#ifndef FLOWTOP_DNS_H
#define FLOWTOP_DNS_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include "privsep/lookup_wire.h"

struct dns_cfg {
	unsigned max_inflight;     /* default 64 */
	unsigned queue_max;        /* pending beyond in-flight; default 65536 */
	unsigned timeout_ms;       /* per try; default 1000 */
	unsigned tries;            /* default 2 */
	unsigned min_ttl, max_ttl; /* seconds; default 60, 86400 */
	unsigned neg_ttl;          /* seconds; default 300 */
	size_t cache_max;          /* default 65536 */
	const char *resolv_conf;   /* NULL: the system's */
};

struct dns_answer {
	uint8_t family;            /* FLOW_FAM_IPV4 / FLOW_FAM_IPV6 */
	uint8_t addr[16];
	char name[LOOKUP_NAME_LEN];/* escaped; "" when there is no name */
};

typedef void (*dns_done_fn)(void *ctx, const struct dns_answer *a);

/* cfg NULL or fields 0: defaults. NULL with a message in err on failure. */
struct dns *dns_open(const struct dns_cfg *cfg, dns_done_fn done, void *ctx,
		     char *err, size_t errlen);
void dns_close(struct dns *d);

/* Ask for the name of addr. A cached answer calls done() before this
 * returns; otherwise done() runs later from dns_process(). A request for an
 * address already in flight or queued is merged. 0, or -1 when the queue
 * is full (the caller may ask again later). */
int dns_lookup(struct dns *d, uint8_t family, const uint8_t addr[16]);

/* The sockets to poll (at most max) and the poll timeout in ms (-1 none). */
int dns_pollfds(struct dns *d, struct pollfd *fds, int max);
int dns_timeout_ms(struct dns *d);

/* Handle readiness on fds (as filled by dns_pollfds and polled) and
 * timeouts; starts queued queries as slots free up. */
void dns_process(struct dns *d, const struct pollfd *fds, int n);

/* What a name server's answer abuf[0..alen) to the PTR query for (family,
 * addr) says: the name as c-ares' ares_parse_ptr_reply gives it (malloc'ed,
 * not yet cleaned: dc_complete / dc_name_clean do that), or NULL when it
 * gives none; *ttl is the answer's TTL (dns_ttl.h), 0 when not found. The
 * whole path from a server's bytes to a name, apart from the cache. */
char *dns_ptr_parse(const unsigned char *abuf, size_t alen, uint8_t family,
		    const uint8_t addr[16], uint32_t *ttl);
/* The TCP ports of the name servers c-ares talks to (a truncated answer
 * is asked again over TCP), each once; at most max. For the resolver's
 * Landlock rule, before its sandbox. */
size_t dns_tcp_ports(const struct dns *d, uint16_t *ports, size_t max);

/* Queries in flight plus queued. */
size_t dns_pending(const struct dns *d);

#endif
