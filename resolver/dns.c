/* SPDX-License-Identifier: GPL-2.0-only */
/* dns: reverse DNS with c-ares (see dns.h).
 *
 * Flow of one address: dns_lookup -> dns_cache (hit: answered at once;
 * pending: merged; new: queued) -> dns_pump starts queued entries while a
 * query slot is free -> ares_query(PTR) -> dns_on_answer caches the cleaned
 * name and TTL, calls done() and pumps again.
 *
 * Only ares_query is used, never ares_gethostbyaddr or ares_search: those
 * may read /etc/hosts or the HOSTALIASES file, which the sandbox forbids.
 * c-ares reads resolv.conf only inside ares_init_options, in dns_open.
 */
#include <arpa/inet.h>
#include <ares.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "privsep/flow_wire.h"
#include "resolver/dns.h"
#include "resolver/dns_cache.h"
#include "resolver/dns_ttl.h"

#define DNS_PTR_TYPE 12      /* T_PTR */
#define DNS_CLASS_IN 1       /* C_IN */
#define DNS_ARPA_LEN 80      /* "x.x.(32 nibbles)ip6.arpa" needs 73 */

/* When the name servers refuse (c-ares could reach none: no route, or a
 * port unreachable), the next DNS_DOWN_MS of queries fail at once,
 * cached as any failure is; the first one after goes to c-ares again and
 * finds out whether a server is back. Each refused query made and closed
 * a socket: 125k addresses to name took the resolver 1.6 s of CPU, and
 * a --once snapshot waited for them. c-ares also ends a query "refused"
 * when one of its own sends failed (a TCP retry refused, no descriptor
 * left), so only DNS_DOWN_AFTER refusals in a row, with no other answer
 * between them, say the servers are down. */
#define DNS_DOWN_MS 1000
#define DNS_DOWN_AFTER 4

/* One query in flight: c-ares hands the slot back to dns_on_answer. The
 * slots are allocated once, max_inflight of them, so a query never needs
 * memory of its own. */
struct dns_slot {
	struct dns *d;
	struct dc_entry *e;
	struct dns_slot *next_free;
};

struct dns {
	ares_channel ch;
	struct dns_cache *cache;
	dns_done_fn done;
	void *ctx;
	unsigned max_inflight;
	struct dns_slot *slots, *free_slots;
	int pumping;      /* dns_pump is on the stack: don't nest it */
	int closing;      /* ares_destroy is cancelling: answer nothing */
	int lib_init;     /* ares_library_init succeeded */
	uint64_t down_until;  /* CLOCK_MONOTONIC ms: no server to ask until */
	unsigned refused;     /* queries refused in a row */
};

static void dns_pump(struct dns *d);

static unsigned dns_or(unsigned v, unsigned def)
{
	return v ? v : def;
}

static void dns_defaults(const struct dns_cfg *in, struct dns_cfg *out)
{
	static const struct dns_cfg zero;

	if (!in)
		in = &zero;
	out->max_inflight = dns_or(in->max_inflight, 64);
	out->queue_max = dns_or(in->queue_max, 65536);
	out->timeout_ms = dns_or(in->timeout_ms, 1000);
	out->tries = dns_or(in->tries, 2);
	out->min_ttl = dns_or(in->min_ttl, 60);
	out->max_ttl = dns_or(in->max_ttl, 86400);
	out->neg_ttl = dns_or(in->neg_ttl, 300);
	out->cache_max = in->cache_max ? in->cache_max : 65536;
	out->resolv_conf = in->resolv_conf;
	/* c-ares keeps these in an int. */
	if (out->timeout_ms > INT_MAX)
		out->timeout_ms = INT_MAX;
	if (out->tries > INT_MAX)
		out->tries = INT_MAX;
}

/* ---- reverse names ---- */

static void dns_arpa_name(char out[DNS_ARPA_LEN], uint8_t family,
			  const uint8_t a[16])
{
	static const char hex[] = "0123456789abcdef";
	char *p = out;

	if (family == FLOW_FAM_IPV4) {
		snprintf(out, DNS_ARPA_LEN, "%u.%u.%u.%u.in-addr.arpa",
			 a[3], a[2], a[1], a[0]);
		return;
	}
	for (int i = 15; i >= 0; i--) {
		*p++ = hex[a[i] & 0x0f];
		*p++ = '.';
		*p++ = hex[a[i] >> 4];
		*p++ = '.';
	}
	memcpy(p, "ip6.arpa", sizeof("ip6.arpa"));
}

/* ---- answers ---- */

/* Hand an answer to the caller. e's key is read before done() runs, as
 * done() may call dns_lookup and change the cache. */
static void dns_deliver(struct dns *d, struct dc_entry *e, const char *name)
{
	struct dns_answer a;

	memset(&a, 0, sizeof(a));
	dc_entry_key(e, &a.family, a.addr);
	snprintf(a.name, sizeof(a.name), "%s", name);
	d->done(d->ctx, &a);
}

char *dns_ptr_parse(const unsigned char *abuf, size_t alen, uint8_t family,
		    const uint8_t addr[16], uint32_t *ttl)
{
	struct hostent *h = NULL;
	int af = family == FLOW_FAM_IPV4 ? AF_INET : AF_INET6;
	char *name;

	*ttl = 0;
	if (!abuf || alen == 0 || alen > INT_MAX ||
	    (family != FLOW_FAM_IPV4 && family != FLOW_FAM_IPV6) ||
	    ares_parse_ptr_reply(abuf, (int)alen, addr, af == AF_INET ? 4 : 16,
				 af, &h) != ARES_SUCCESS || !h || !h->h_name) {
		if (h)
			ares_free_hostent(h);
		return NULL;
	}
	/* c-ares accepted the answer; if our stricter reader does not find
	 * the TTL, ttl 0 is clamped up to min_ttl by the cache. */
	if (dns_answer_ttl(abuf, alen, DNS_PTR_TYPE, ttl) != DNS_TTL_OK)
		*ttl = 0;
	name = strdup(h->h_name);
	ares_free_hostent(h);
	return name;
}

/* Cache what the server said about e; returns the cleaned name. A name
 * c-ares refuses is a negative answer, as is any failure (out of memory
 * for the name included). */
static const char *dns_store(struct dns *d, struct dc_entry *e, int status,
			     const unsigned char *abuf, int alen)
{
	uint8_t family, addr[16];
	uint32_t ttl = 0;
	const char *name;
	char *raw = NULL;

	dc_entry_key(e, &family, addr);
	if (status == ARES_SUCCESS && alen > 0)
		raw = dns_ptr_parse(abuf, (size_t)alen, family, addr, &ttl);
	name = dc_complete(d->cache, e, raw, raw ? ttl : 0);
	free(raw);
	return name;
}

/* Slot s's query ended with status: cache, free the slot, answer. */
static void dns_finish(struct dns_slot *s, int status,
		       const unsigned char *abuf, int alen)
{
	struct dns *d = s->d;
	struct dc_entry *e = s->e;
	char name[DC_NAME_MAX + 1];

	snprintf(name, sizeof(name), "%s", dns_store(d, e, status, abuf, alen));
	s->e = NULL;
	s->next_free = d->free_slots;
	d->free_slots = s;
	dns_deliver(d, e, name);
	dns_pump(d);
}

static void dns_on_answer(void *arg, int status, int timeouts,
			  unsigned char *abuf, int alen)
{
	struct dns_slot *s = arg;

	(void)timeouts;
	/* During dns_close the cache is about to go; nobody is listening. */
	if (s->d->closing || status == ARES_EDESTRUCTION)
		return;
	if (status != ARES_ECONNREFUSED) {
		s->d->refused = 0;
		s->d->down_until = 0;
	} else if (++s->d->refused >= DNS_DOWN_AFTER) {
		s->d->down_until = clock_mono_ms() + DNS_DOWN_MS;
	}
	dns_finish(s, status, abuf, alen);
}

/* ---- queue ---- */

static void dns_start(struct dns *d, struct dc_entry *e)
{
	struct dns_slot *s = d->free_slots;
	uint8_t family, addr[16];
	char q[DNS_ARPA_LEN];

	d->free_slots = s->next_free;
	s->e = e;
	dc_entry_key(e, &family, addr);
	if (d->down_until && clock_mono_ms() < d->down_until) {
		dns_finish(s, ARES_ECONNREFUSED, NULL, 0);
		return;
	}
	dns_arpa_name(q, family, addr);
	/* May call dns_on_answer before it returns (e.g. no socket). */
	ares_query(d->ch, q, DNS_CLASS_IN, DNS_PTR_TYPE, dns_on_answer, s);
}

/* Start queued lookups while slots are free. A query that fails at once
 * answers (and pumps) from inside ares_query; the guard turns that nested
 * pump into a no-op and this loop carries on, so the stack stays flat. */
static void dns_pump(struct dns *d)
{
	struct dc_entry *e;

	if (d->pumping || d->closing)
		return;
	d->pumping = 1;
	while (d->free_slots && (e = dc_next(d->cache)))
		dns_start(d, e);
	d->pumping = 0;
}

/* ---- open/close ---- */

static int dns_channel(struct dns *d, const struct dns_cfg *cfg,
		       char *err, size_t errlen)
{
	struct ares_options o;
	int mask, r;

	memset(&o, 0, sizeof(o));
	/* No search list and no HOSTALIASES file: both only matter to
	 * ares_search, but say so anyway. STAYOPEN keeps the query sockets
	 * between answers, so the collector can still see who owns a DNS
	 * flow when its NEW event arrives and leave flowtop's own out. */
	o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES | ARES_FLAG_STAYOPEN;
	o.timeout = (int)cfg->timeout_ms;
	o.tries = (int)cfg->tries;
	o.lookups = (char *)"b";   /* DNS only, never /etc/hosts */
	mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	       ARES_OPT_LOOKUPS;
	if (cfg->resolv_conf) {
		o.resolvconf_path = (char *)cfg->resolv_conf;
		mask |= ARES_OPT_RESOLVCONF;
	}
	r = ares_init_options(&d->ch, &o, mask);
	if (r != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(r));
		return -1;
	}
	return 0;
}

/* c-ares quietly falls back to 127.0.0.1 when resolv.conf is missing;
 * for a file the user named, that would hide a typo. */
static int dns_check_conf(const char *path, char *err, size_t errlen)
{
	if (path && access(path, R_OK) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int dns_alloc(struct dns *d, const struct dns_cfg *cfg)
{
	struct dc_cfg cc = {
		.max = cfg->cache_max, .queue_max = cfg->queue_max,
		.min_ttl = cfg->min_ttl, .max_ttl = cfg->max_ttl,
		.neg_ttl = cfg->neg_ttl,
	};

	d->max_inflight = cfg->max_inflight;
	d->slots = calloc(d->max_inflight, sizeof(*d->slots));
	d->cache = dc_new(&cc);
	if (!d->slots || !d->cache)
		return -1;
	for (unsigned i = 0; i < d->max_inflight; i++) {
		d->slots[i].d = d;
		d->slots[i].next_free = d->free_slots;
		d->free_slots = &d->slots[i];
	}
	return 0;
}

struct dns *dns_open(const struct dns_cfg *cfg_in, dns_done_fn done, void *ctx,
		     char *err, size_t errlen)
{
	struct dns_cfg cfg;
	struct dns *d;
	int r;

	dns_defaults(cfg_in, &cfg);
	if (!done) {
		snprintf(err, errlen, "no answer callback");
		return NULL;
	}
	if (dns_check_conf(cfg.resolv_conf, err, errlen) < 0)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d || dns_alloc(d, &cfg) < 0) {
		snprintf(err, errlen, "out of memory");
		dns_close(d);
		return NULL;
	}
	d->done = done;
	d->ctx = ctx;
	r = ares_library_init(ARES_LIB_INIT_ALL);
	if (r != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(r));
		dns_close(d);
		return NULL;
	}
	d->lib_init = 1;
	if (dns_channel(d, &cfg, err, errlen) < 0) {
		dns_close(d);
		return NULL;
	}
	return d;
}

size_t dns_tcp_ports(const struct dns *d, uint16_t *ports, size_t max)
{
	struct ares_addr_port_node *list = NULL, *s;
	size_t n = 0, i;

	if (!d || ares_get_servers_ports(d->ch, &list) != ARES_SUCCESS)
		return 0;
	for (s = list; s; s = s->next) {
		/* 0: the channel's default, the DNS port */
		uint16_t p = s->tcp_port > 0 && s->tcp_port < 65536 ?
			(uint16_t)s->tcp_port : 53;

		for (i = 0; i < n && ports[i] != p; i++)
			;
		if (i == n && n < max)
			ports[n++] = p;
	}
	ares_free_data(list);
	return n;
}

void dns_close(struct dns *d)
{
	if (!d)
		return;
	d->closing = 1;
	if (d->ch)
		ares_destroy(d->ch);   /* cancels queries: callbacks return early */
	if (d->lib_init)
		ares_library_cleanup();
	dc_free(d->cache);
	free(d->slots);
	free(d);
}

/* ---- lookups and events ---- */

int dns_lookup(struct dns *d, uint8_t family, const uint8_t addr[16])
{
	uint8_t key[16] = { 0 };
	char name[DC_NAME_MAX + 1];
	struct dns_answer a;

	if (family != FLOW_FAM_IPV4 && family != FLOW_FAM_IPV6)
		return -1;
	/* One key per address: an IPv4 address's unused bytes are zero. */
	memcpy(key, addr, family == FLOW_FAM_IPV4 ? 4 : 16);
	switch (dc_get(d->cache, family, key, name, sizeof(name))) {
	case DC_HIT:
		memset(&a, 0, sizeof(a));
		a.family = family;
		memcpy(a.addr, key, sizeof(key));
		snprintf(a.name, sizeof(a.name), "%s", name);
		d->done(d->ctx, &a);
		return 0;
	case DC_MERGED:
		return 0;
	case DC_QUEUED:
		dns_pump(d);
		return 0;
	case DC_FULL:
	default:
		return -1;
	}
}

int dns_pollfds(struct dns *d, struct pollfd *fds, int max)
{
	ares_socket_t socks[ARES_GETSOCK_MAXNUM];
	int bits = ares_getsock(d->ch, socks, ARES_GETSOCK_MAXNUM);
	int n = 0;

	for (int i = 0; i < ARES_GETSOCK_MAXNUM && n < max; i++) {
		short ev = 0;

		if (ARES_GETSOCK_READABLE(bits, i))
			ev |= POLLIN;
		if (ARES_GETSOCK_WRITABLE(bits, i))
			ev |= POLLOUT;
		if (!ev)
			break;   /* ares_getsock fills the array from the start */
		fds[n].fd = socks[i];
		fds[n].events = ev;
		fds[n].revents = 0;
		n++;
	}
	return n;
}

int dns_timeout_ms(struct dns *d)
{
	struct timeval tv, *t = ares_timeout(d->ch, NULL, &tv);
	long long ms;

	if (!t)
		return -1;
	/* c-ares rounds the time left down to whole milliseconds, so 0 may
	 * mean "due within the next millisecond", and ares_process_fd does
	 * nothing until it is: at least 1 ms keeps the caller from spinning. */
	ms = (long long)t->tv_sec * 1000 + (t->tv_usec + 999) / 1000;
	if (ms < 1)
		return 1;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

void dns_process(struct dns *d, const struct pollfd *fds, int n)
{
	for (int i = 0; i < n; i++) {
		short re = fds[i].revents;
		ares_socket_t r = ARES_SOCKET_BAD, w = ARES_SOCKET_BAD;

		/* An error or hangup is seen by reading: c-ares then retries or
		 * fails the queries on that socket. */
		if (re & (POLLIN | POLLERR | POLLHUP | POLLNVAL))
			r = fds[i].fd;
		if (re & POLLOUT)
			w = fds[i].fd;
		if (r != ARES_SOCKET_BAD || w != ARES_SOCKET_BAD)
			ares_process_fd(d->ch, r, w);
	}
	/* Expire timed-out tries even when no socket was ready. */
	ares_process_fd(d->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	dns_pump(d);
}

size_t dns_pending(const struct dns *d)
{
	return dc_queued_count(d->cache) + dc_inflight_count(d->cache);
}
