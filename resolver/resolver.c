/* SPDX-License-Identifier: GPL-2.0-only */
/* resolver: request loop. Answers are collected per loop turn and sent in
 * batches, so many lookups cost few messages. */
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "privsep/flow_wire.h"
#include "privsep/lookup_wire.h"
#include "resolver/dns.h"
#include "resolver/files.h"
#include "resolver/geoip.h"
#include "resolver/resolver.h"
#include "resolver/services.h"

#define RES_ANS_BATCH (MSG_MAX_PAYLOAD / sizeof(struct lookup_ans))
#define RES_SVC_BATCH (MSG_MAX_PAYLOAD / sizeof(struct service_ans))
#define RES_MAX_DNS_FDS 16
#define RES_RELOAD_MS 2000
struct resolver {
	struct geo *geo;           /* NULL with -G */
	struct services *svc;
	struct dns *dns;           /* NULL with -n or when DNS cannot work */
	struct msg_chan *ui;
	size_t nans, nsvc;
	struct lookup_ans ans[RES_ANS_BATCH];
	struct service_ans svcans[RES_SVC_BATCH];
	int failed;                /* a send to the ui failed */
	int watch;                 /* chrooted in the GeoIP dir: reload */
	int64_t next_check_ms;
};

static void res_report(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "flowtop: %s\n", line);
}

static int res_flush(struct resolver *r)
{
	if (r->nans && msg_send(r->ui, MSG_LOOKUP_ANS, r->ans,
				(uint32_t)(r->nans * sizeof(r->ans[0]))) < 0)
		r->failed = 1;
	if (r->nsvc && msg_send(r->ui, MSG_SERVICE_ANS, r->svcans,
				(uint32_t)(r->nsvc * sizeof(r->svcans[0]))) < 0)
		r->failed = 1;
	r->nans = r->nsvc = 0;
	return r->failed ? -1 : 0;
}

/* A free answer slot, flushing a full batch first. */
static struct lookup_ans *res_ans_slot(struct resolver *r, uint8_t family,
				       const uint8_t *addr, uint8_t parts)
{
	struct lookup_ans *a;

	if (r->nans == RES_ANS_BATCH)
		res_flush(r);
	a = &r->ans[r->nans++];
	memset(a, 0, sizeof(*a));
	a->family = family;
	a->parts = parts;
	memcpy(a->addr, addr, sizeof(a->addr));
	return a;
}

static void res_dns_done(void *ctx, const struct dns_answer *d)
{
	struct resolver *r = ctx;
	struct lookup_ans *a = res_ans_slot(r, d->family, d->addr, LOOKUP_DNS);

	snprintf(a->name, sizeof(a->name), "%s", d->name);
}

static void res_geo(struct resolver *r, const struct lookup_req *q)
{
	struct lookup_ans *a = res_ans_slot(r, q->family, q->addr, LOOKUP_GEO);
	struct geo_info gi;

	/* Without databases the answer is "nothing known", still an answer:
	 * the ui must not wait for it. */
	if (!r->geo || !geo_lookup(r->geo, q->family, q->addr, &gi))
		return;
	memcpy(a->country, gi.country, sizeof(a->country));
	memcpy(a->country_name, gi.country_name, sizeof(a->country_name));
	memcpy(a->city, gi.city, sizeof(a->city));
	memcpy(a->as_org, gi.as_org, sizeof(a->as_org));
	a->asn = gi.asn;
}

static void res_dns(struct resolver *r, const struct lookup_req *q)
{
	/* No DNS (or a full queue): an empty name now, not a wait forever. */
	if (!r->dns || dns_lookup(r->dns, q->family, q->addr) < 0)
		res_ans_slot(r, q->family, q->addr, LOOKUP_DNS);
}

static void res_lookups(struct resolver *r, const struct msg *m)
{
	size_t i, n = m->len / sizeof(struct lookup_req);

	for (i = 0; i < n; i++) {
		struct lookup_req q;

		memcpy(&q, (const unsigned char *)m->payload + i * sizeof(q),
		       sizeof(q));
		if (q.parts & LOOKUP_GEO)
			res_geo(r, &q);
		if (q.parts & LOOKUP_DNS)
			res_dns(r, &q);
	}
}

static void res_services(struct resolver *r, const struct msg *m)
{
	size_t i, n = m->len / sizeof(struct service_req);

	for (i = 0; i < n; i++) {
		struct service_req q;
		struct service_ans *a;
		const char *name;

		memcpy(&q, (const unsigned char *)m->payload + i * sizeof(q),
		       sizeof(q));
		if (r->nsvc == RES_SVC_BATCH)
			res_flush(r);
		a = &r->svcans[r->nsvc++];
		memset(a, 0, sizeof(*a));
		a->port = q.port;
		a->l4proto = q.l4proto;
		name = r->svc ? svc_name(r->svc, q.l4proto, q.port) : NULL;
		if (name)
			snprintf(a->name, sizeof(a->name), "%s", name);
	}
}

/* Once, after the PONG: lets the ui say why places or names are missing. */
static int res_send_info(struct resolver *r)
{
	struct msg_res_info ri = {
		.geo_dbs = r->geo ? (uint32_t)geo_count(r->geo) : 0,
		.flags = r->dns ? RES_INFO_DNS : 0,
	};

	return msg_send(r->ui, MSG_RES_INFO, &ri, sizeof(ri));
}

static int res_dispatch(struct resolver *r, const struct msg *m)
{
	uint64_t cookie;

	switch (m->type) {
	case MSG_PING:
		memcpy(&cookie, m->payload, sizeof(cookie));
		if (msg_send(r->ui, MSG_PONG, &cookie, sizeof(cookie)) < 0)
			return -1;
		return res_send_info(r);
	case MSG_LOOKUP_REQ:
		res_lookups(r, m);
		return 0;
	case MSG_SERVICE_REQ:
		res_services(r, m);
		return 0;
	default:
		/* msg_recv only lets through what the ui may send. */
		return -1;
	}
}

/* 1 to go on, 0 at the ui's EOF, -1 on error (reported). */
static int res_from_ui(struct resolver *r)
{
	struct msg m;
	const char *why;
	int rc = msg_recv(r->ui, &m, &why);

	if (rc == 0)
		return 0;
	if (rc < 0) {
		fprintf(stderr, "flowtop: resolver: bad message from the ui: "
			"%s\n", why);
		return -1;
	}
	if (res_dispatch(r, &m) < 0) {
		if (errno == EPIPE || errno == ECONNRESET)
			return 0;
		return -1;
	}
	return 1;
}

void resolver_landlock(const struct resolver *r, const struct res_files *f,
		       struct ll_policy *p)
{
	const struct ll_rule *rules;
	size_t n;

	res_files_ll_rules(f, &rules, &n);
	resolver_ll_policy(p, rules, n, r->dns);
}

/* The poll timeout: DNS's, shortened to the next reload check. */
static int res_timeout(struct resolver *r)
{
	int t = r->dns ? dns_timeout_ms(r->dns) : -1;
	int64_t left;

	if (!r->watch)
		return t;
	left = r->next_check_ms - (int64_t)clock_mono_ms();
	left = left < 0 ? 0 : left;
	return (t < 0 || left < t) ? (int)left : t;
}

static void res_reload(struct resolver *r)
{
	if (!r->watch || (int64_t)clock_mono_ms() < r->next_check_ms)
		return;
	geo_reload(r->geo, res_report, NULL);
	r->next_check_ms = (int64_t)clock_mono_ms() + RES_RELOAD_MS;
}

int resolver_run(struct resolver *r, struct msg_chan *ui)
{
	struct pollfd p[1 + RES_MAX_DNS_FDS];
	int rc = 1;

	r->ui = ui;
	while (rc == 1) {
		int n = r->dns ? dns_pollfds(r->dns, p + 1, RES_MAX_DNS_FDS) : 0;
		int timeout = res_timeout(r);

		p[0].fd = ui->fd;
		p[0].events = POLLIN;
		p[0].revents = 0;
		if (poll(p, (nfds_t)(1 + n), timeout) < 0 && errno != EINTR) {
			perror("flowtop: resolver: poll");
			return 1;
		}
		if (r->dns)
			dns_process(r->dns, p + 1, n);
		res_reload(r);
		if (p[0].revents)
			rc = res_from_ui(r);
		if (res_flush(r) < 0)
			rc = 0;   /* the ui is gone; the collector tells why */
	}
	return rc == 0 ? 0 : 1;
}

struct resolver *resolver_new(const struct options *o)
{
	struct resolver *r = calloc(1, sizeof(*r));
	char err[256];

	if (!r) {
		fprintf(stderr, "flowtop: resolver: out of memory\n");
		return NULL;
	}
	if (!o->no_dns) {
		r->dns = dns_open(NULL, res_dns_done, r, err, sizeof(err));
		if (!r->dns)
			fprintf(stderr, "flowtop: no reverse DNS: %s\n", err);
	}
	return r;
}

void resolver_load(struct resolver *r, struct res_files *f)
{
	r->geo = res_files_geo(f, res_report, NULL);
	r->svc = res_files_services(f, res_report, NULL);
	r->watch = r->geo && res_files_root(f) == RES_ROOT_GEOIP_DIR;
	if (r->watch)
		r->next_check_ms = (int64_t)clock_mono_ms() + RES_RELOAD_MS;
}

void resolver_close(struct resolver *r)
{
	if (!r)
		return;
	if (r->geo)
		geo_close(r->geo);
	if (r->svc)
		svc_free(r->svc);
	if (r->dns)
		dns_close(r->dns);
	free(r);
}

int resolver_serve(struct msg_chan *ui, const struct options *o)
{
	struct res_files *f = res_files_open(o);
	struct resolver *r = f ? resolver_new(o) : NULL;
	int rc = 1;

	if (r) {
		resolver_load(r, f);
		rc = resolver_run(r, ui);
	}
	res_files_free(f);
	resolver_close(r);
	return rc;
}
