/* SPDX-License-Identifier: GPL-2.0-only */
/* bench_lookup: end-to-end lookup throughput, ui -> resolver -> ui.
 *
 * Forks a resolver that serves one SOCK_SEQPACKET channel exactly as the
 * ui's peer does in flowtop (resolver_serve(): the resolver's lookup loop
 * without the sandbox), with DNS off and GeoIP and service names on. Then,
 * acting as the ui, asks about N distinct random public IPv4 addresses in
 * MSG_LOOKUP_REQ batches (LOOKUP_GEO) and, alongside, N service names in
 * MSG_SERVICE_REQ batches (TCP and UDP ports), and reads MSG_LOOKUP_ANS /
 * MSG_SERVICE_ANS until every one is answered. Prints
 *
 *   lookups: N in S s = R/s
 *
 * timed from the first request sent to the last answer received (the
 * resolver's start-up, opening the databases, is before: a PING/PONG says
 * it is ready). The target: 100k distinct addresses in under 1 s.
 *
 * Usage: bench_lookup [--geoip-dir DIR] [--conf-dir DIR] [-n N]
 *                     [--batch B] [--window W] [--seed S] [--timeout SEC]
 *                     [--no-services] [--no-verify]
 *   --batch    records per request message (default: as many as fit)
 *   --window   at most W addresses asked and not yet answered (default 0:
 *              no limit, everything is sent as fast as the socket takes it)
 *   --no-verify  skip the sanity check that the answers carry what the
 *              test databases say of 81.2.69.142 (GB, London) and
 *              1.128.0.1 (AS1221), which are always among the addresses
 *              when a GeoIP dir is given
 * Exit status: 0 all answered (and verified), 1 error/timeout/wrong answer,
 * 2 usage.
 *
 * The ui end is non-blocking and polled for both directions, so neither
 * side can block the other with a full socket buffer.
 *
 * Built with -DBENCH_STUB_RESOLVER, the resolver is a trivial stand-in
 * (answers every record at once, no GeoIP): that measures the harness and
 * the channel alone.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "privsep/flow_wire.h"
#include "privsep/lookup_wire.h"
#include "privsep/msg.h"
#include "common/hash32.h"
#include "common/options.h"
#include "resolver/resolver.h"

/* Provided by resolver/resolver.c (declared again here so that the harness
 * compiles before resolver.h carries it): serve lookups on ui until EOF,
 * like the resolver process but without confining itself; o as parsed by
 * options_parse (no_dns, no_geoip, geoip_dir, conf_dir are what it reads).
 * Returns an exit status. */
int resolver_serve(struct msg_chan *ui, const struct options *o);

#define REQ_FIT ((uint32_t)(MSG_MAX_PAYLOAD / sizeof(struct lookup_req)))
#define SVC_FIT ((uint32_t)(MSG_MAX_PAYLOAD / sizeof(struct service_req)))
#define SVC_KEYS (2u * 65536u)     /* (port, tcp|udp) */

static const uint32_t known_addr[] = {
	0x5102458e,   /* 81.2.69.142: GB, United Kingdom, London */
	0x01800001,   /* 1.128.0.1: AS1221 Telstra Pty Ltd */
};
#define KNOWN_N (sizeof(known_addr) / sizeof(known_addr[0]))

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- addresses */


/* Globally routable unicast, roughly: none of the special-purpose blocks. */
static int is_public4(uint32_t a)
{
	static const struct { uint32_t net, mask; } special[] = {
		{ 0x00000000, 0xff000000 },  /* 0/8 */
		{ 0x0a000000, 0xff000000 },  /* 10/8 */
		{ 0x64400000, 0xffc00000 },  /* 100.64/10 */
		{ 0x7f000000, 0xff000000 },  /* 127/8 */
		{ 0xa9fe0000, 0xffff0000 },  /* 169.254/16 */
		{ 0xac100000, 0xfff00000 },  /* 172.16/12 */
		{ 0xc0000000, 0xffffff00 },  /* 192.0.0/24 */
		{ 0xc0000200, 0xffffff00 },  /* 192.0.2/24 */
		{ 0xc0586300, 0xffffff00 },  /* 192.88.99/24 */
		{ 0xc0a80000, 0xffff0000 },  /* 192.168/16 */
		{ 0xc6120000, 0xfffe0000 },  /* 198.18/15 */
		{ 0xc6336400, 0xffffff00 },  /* 198.51.100/24 */
		{ 0xcb007100, 0xffffff00 },  /* 203.0.113/24 */
		{ 0xe0000000, 0xe0000000 },  /* 224/3: multicast, reserved */
	};
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if ((a & special[i].mask) == special[i].net)
			return 0;
	return 1;
}

/* Open-addressing set: address -> index into the request list. */
struct addr_map {
	uint32_t *key;
	uint32_t *val;     /* index + 1; 0 = empty slot */
	uint32_t mask;
};

static int map_init(struct addr_map *m, uint32_t n)
{
	uint32_t size = 1;

	while (size < n * 2)
		size <<= 1;
	m->key = calloc(size, sizeof(*m->key));
	m->val = calloc(size, sizeof(*m->val));
	m->mask = size - 1;
	return m->key && m->val ? 0 : -1;
}

static uint32_t *map_slot(const struct addr_map *m, uint32_t a)
{
	uint32_t h = hash32_fmix(a ^ 0x9e3779b9U) & m->mask;

	while (m->val[h] && m->key[h] != a)
		h = (h + 1) & m->mask;
	m->key[h] = a;
	return &m->val[h];
}

static int map_find(const struct addr_map *m, uint32_t a, uint32_t *idx)
{
	uint32_t h = hash32_fmix(a ^ 0x9e3779b9U) & m->mask;

	while (m->val[h]) {
		if (m->key[h] == a) {
			*idx = m->val[h] - 1;
			return 1;
		}
		h = (h + 1) & m->mask;
	}
	return 0;
}

/* ---------------------------------------------------------------- stub */

#ifdef BENCH_STUB_RESOLVER
/* Answers every record at once: measures the harness and the channel. */
int resolver_serve(struct msg_chan *ui, const struct options *o)
{
	static struct lookup_ans ans[MSG_MAX_PAYLOAD / sizeof(struct lookup_ans)];
	static struct service_ans sans[MSG_MAX_PAYLOAD / sizeof(struct service_ans)];
	const size_t amax = sizeof(ans) / sizeof(ans[0]);
	const size_t smax = sizeof(sans) / sizeof(sans[0]);
	struct msg m;
	const char *why;
	int r;

	(void)o;
	while ((r = msg_recv(ui, &m, &why)) == 1) {
		if (m.type == MSG_PING) {
			if (msg_send(ui, MSG_PONG, m.payload, m.len) < 0)
				return 1;
		} else if (m.type == MSG_LOOKUP_REQ) {
			size_t n = m.len / sizeof(struct lookup_req), k = 0;

			for (size_t i = 0; i < n; i++) {
				struct lookup_req q;

				memcpy(&q, (const char *)m.payload + i * sizeof(q), sizeof(q));
				memset(&ans[k], 0, sizeof(ans[k]));
				ans[k].family = q.family;
				ans[k].parts = q.parts;
				memcpy(ans[k].addr, q.addr, 16);
				if (++k == amax || i + 1 == n) {
					if (msg_send(ui, MSG_LOOKUP_ANS, ans,
						     (uint32_t)(k * sizeof(ans[0]))) < 0)
						return 1;
					k = 0;
				}
			}
		} else if (m.type == MSG_SERVICE_REQ) {
			size_t n = m.len / sizeof(struct service_req), k = 0;

			for (size_t i = 0; i < n; i++) {
				struct service_req q;

				memcpy(&q, (const char *)m.payload + i * sizeof(q), sizeof(q));
				memset(&sans[k], 0, sizeof(sans[k]));
				sans[k].port = q.port;
				sans[k].l4proto = q.l4proto;
				if (++k == smax || i + 1 == n) {
					if (msg_send(ui, MSG_SERVICE_ANS, sans,
						     (uint32_t)(k * sizeof(sans[0]))) < 0)
						return 1;
					k = 0;
				}
			}
		}
	}
	if (r < 0)
		fprintf(stderr, "stub resolver: %s\n", why);
	return r < 0;
}
#endif

/* ---------------------------------------------------------------- the ui end */

struct bench {
	uint32_t n;              /* addresses */
	uint32_t *addr;          /* host order */
	uint8_t *answered;       /* per address: answers seen */
	uint32_t asked, done, extra;
	uint32_t with_country, with_asn;
	struct lookup_ans known[KNOWN_N];
	int known_seen[KNOWN_N];
	struct addr_map map;
	/* services */
	uint32_t svc_n, svc_asked, svc_done, svc_named, svc_extra;
	uint8_t *svc_answered;   /* SVC_KEYS */
	/* knobs */
	uint32_t batch, window;
	int geo;                 /* a GeoIP dir was given */
};

static uint32_t svc_key(uint16_t port, uint8_t proto)
{
	return (uint32_t)port + (proto == IPPROTO_UDP ? 65536u : 0u);
}

static int die_msg(const char *what, const char *why)
{
	fprintf(stderr, "bench_lookup: %s: %s\n", what, why);
	return -1;
}

static int take_lookup_ans(struct bench *b, const struct msg *m)
{
	size_t n = m->len / sizeof(struct lookup_ans);

	for (size_t i = 0; i < n; i++) {
		struct lookup_ans a;
		const char *why = NULL;
		uint32_t ip, idx;

		memcpy(&a, (const char *)m->payload + i * sizeof(a), sizeof(a));
		if (lookup_ans_check(&a, &why) < 0)
			return die_msg("malformed LOOKUP_ANS record", why);
		if (a.family != FLOW_FAM_IPV4)
			return die_msg("LOOKUP_ANS", "answer for an address never asked (IPv6)");
		memcpy(&ip, a.addr, 4);
		ip = ntohl(ip);
		if (!map_find(&b->map, ip, &idx))
			return die_msg("LOOKUP_ANS", "answer for an address never asked");
		if (!(a.parts & LOOKUP_GEO))
			return die_msg("LOOKUP_ANS", "answer without the GEO part asked for");
		if (a.parts & LOOKUP_DNS)
			return die_msg("LOOKUP_ANS", "a DNS answer although DNS is off");
		if (b->answered[idx]++) {
			b->extra++;
			continue;
		}
		b->done++;
		if (a.country[0])
			b->with_country++;
		if (a.asn)
			b->with_asn++;
		for (size_t k = 0; k < KNOWN_N; k++)
			if (ip == known_addr[k]) {
				b->known[k] = a;
				b->known_seen[k] = 1;
			}
	}
	return 0;
}

static int take_service_ans(struct bench *b, const struct msg *m)
{
	size_t n = m->len / sizeof(struct service_ans);

	for (size_t i = 0; i < n; i++) {
		struct service_ans a;
		const char *why = NULL;
		uint32_t k;

		memcpy(&a, (const char *)m->payload + i * sizeof(a), sizeof(a));
		if (service_ans_check(&a, &why) < 0)
			return die_msg("malformed SERVICE_ANS record", why);
		if (a.l4proto != IPPROTO_TCP && a.l4proto != IPPROTO_UDP)
			return die_msg("SERVICE_ANS", "answer for a protocol never asked");
		k = svc_key(a.port, a.l4proto);
		if (k >= b->svc_n)
			return die_msg("SERVICE_ANS", "answer for a port never asked");
		if (b->svc_answered[k]++) {
			b->svc_extra++;
			continue;
		}
		b->svc_done++;
		if (a.name[0])
			b->svc_named++;
	}
	return 0;
}

/* Send the next batch of address requests (then one of service requests).
 * 1 sent, 0 would block / nothing to send, -1 error. */
static int send_batch(struct msg_chan *c, struct bench *b)
{
	static struct lookup_req req[MSG_MAX_PAYLOAD / sizeof(struct lookup_req)];
	static struct service_req sreq[MSG_MAX_PAYLOAD / sizeof(struct service_req)];
	uint32_t k = 0, sk = 0;

	if (b->asked < b->n) {
		uint32_t room = b->batch;

		if (b->window) {
			uint32_t out = b->asked - b->done;

			if (out >= b->window)
				return 0;
			if (room > b->window - out)
				room = b->window - out;
		}
		for (; k < room && b->asked + k < b->n; k++) {
			uint32_t ip = htonl(b->addr[b->asked + k]);

			memset(&req[k], 0, sizeof(req[k]));
			req[k].family = FLOW_FAM_IPV4;
			req[k].parts = LOOKUP_GEO;
			memcpy(req[k].addr, &ip, 4);
		}
		if (msg_send(c, MSG_LOOKUP_REQ, req,
			     k * (uint32_t)sizeof(req[0])) < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return die_msg("send LOOKUP_REQ", strerror(errno));
		}
		b->asked += k;
	}
	if (b->svc_asked < b->svc_n) {
		uint32_t room = k ? k : b->batch;

		if (room > SVC_FIT)
			room = SVC_FIT;
		for (; sk < room && b->svc_asked + sk < b->svc_n; sk++) {
			uint32_t key = b->svc_asked + sk;

			memset(&sreq[sk], 0, sizeof(sreq[sk]));
			sreq[sk].port = (uint16_t)(key & 0xffff);
			sreq[sk].l4proto = key < 65536 ? IPPROTO_TCP : IPPROTO_UDP;
		}
		if (msg_send(c, MSG_SERVICE_REQ, sreq,
			     sk * (uint32_t)sizeof(sreq[0])) < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return k ? 1 : 0;
			return die_msg("send SERVICE_REQ", strerror(errno));
		}
		b->svc_asked += sk;
	}
	return k || sk ? 1 : 0;
}

/* Receive everything queued. 0 ok, -1 error or EOF. */
static int drain(struct msg_chan *c, struct bench *b)
{
	for (;;) {
		struct msg m;
		const char *why = "?";
		int r = msg_recv_nb(c, &m, &why);

		if (r == -2)
			return 0;
		if (r == 0)
			return die_msg("resolver", "closed the channel before answering everything");
		if (r < 0)
			return die_msg("receive", why);
		if (m.type == MSG_LOOKUP_ANS) {
			if (take_lookup_ans(b, &m) < 0)
				return -1;
		} else if (m.type == MSG_SERVICE_ANS) {
			if (take_service_ans(b, &m) < 0)
				return -1;
		} else if (m.type != MSG_PONG && m.type != MSG_RES_INFO) {
			return die_msg("receive", "unexpected message type");
		}
	}
}

static int wait_pong(struct msg_chan *c, double timeout)
{
	uint64_t cookie = 0x62656e6368ULL;   /* "bench" */
	double end = now_s() + timeout;
	struct msg m;
	const char *why = "?";

	if (msg_send(c, MSG_PING, &cookie, sizeof(cookie)) < 0)
		return die_msg("send PING", strerror(errno));
	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int left = (int)((end - now_s()) * 1000);
		int r;

		if (left <= 0)
			return die_msg("resolver", "no PONG: not ready in time");
		if (poll(&p, 1, left) < 0 && errno != EINTR)
			return die_msg("poll", strerror(errno));
		r = msg_recv_nb(c, &m, &why);
		if (r == -2)
			continue;
		if (r == 0)
			return die_msg("resolver", "exited during start-up");
		if (r < 0)
			return die_msg("receive", why);
		if (m.type == MSG_PONG)
			return 0;
		if (m.type == MSG_RES_INFO)   /* what the resolver can do */
			continue;
		return die_msg("receive", "unexpected message before PONG");
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bench_lookup [--geoip-dir DIR] [--conf-dir DIR] [-n N]"
		" [--batch B] [--window W] [--seed S] [--timeout SEC]"
		" [--no-services] [--no-verify]\n");
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static struct msg_chan chan;      /* 64 KiB buffer: not on the stack */
static struct msg_chan res_chan;

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "geoip-dir", required_argument, NULL, 'g' },
		{ "conf-dir", required_argument, NULL, 'c' },
		{ "batch", required_argument, NULL, 'b' },
		{ "window", required_argument, NULL, 'w' },
		{ "seed", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "no-services", no_argument, NULL, 'S' },
		{ "no-verify", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *geoip_dir = NULL, *conf_dir = NULL;
	uint32_t seed = 1, timeout = 30;
	int services = 1, verify = 1, opt, sv[2], status = 0, rc = 0;
	struct bench b = { .n = 100000, .batch = REQ_FIT };
	double t0, t1, end;
	pid_t pid;

	while ((opt = getopt_long(argc, argv, "n:h", lo, NULL)) != -1) {
		switch (opt) {
		case 'g': geoip_dir = optarg; break;
		case 'c': conf_dir = optarg; break;
		case 'n':
			if (parse_u32(optarg, KNOWN_N + 1, 10000000, &b.n) < 0)
				goto bad;
			break;
		case 'b':
			if (parse_u32(optarg, 1, REQ_FIT, &b.batch) < 0)
				goto bad;
			break;
		case 'w':
			if (parse_u32(optarg, 0, UINT32_MAX, &b.window) < 0)
				goto bad;
			break;
		case 's':
			if (parse_u32(optarg, 0, UINT32_MAX, &seed) < 0)
				goto bad;
			break;
		case 'T':
			if (parse_u32(optarg, 1, 3600, &timeout) < 0)
				goto bad;
			break;
		case 'S': services = 0; break;
		case 'V': verify = 0; break;
		case 'h': usage(stdout); return 0;
		default: goto bad;
		}
	}
	if (optind != argc)
		goto bad;
	b.geo = geoip_dir != NULL;
	if (!b.geo)
		verify = 0;

	/* The addresses: the known ones first (when verifying), then public
	 * addresses in a seeded bijective order, skipping the known ones. */
	b.addr = calloc(b.n, sizeof(*b.addr));
	b.answered = calloc(b.n, 1);
	b.svc_n = services ? (b.n < SVC_KEYS ? b.n : SVC_KEYS) : 0;
	b.svc_answered = calloc(SVC_KEYS, 1);
	if (!b.addr || !b.answered || !b.svc_answered || map_init(&b.map, b.n) < 0) {
		fprintf(stderr, "bench_lookup: out of memory\n");
		return 1;
	}
	{
		uint32_t i = 0, x = 0;

		if (verify)
			for (; i < KNOWN_N; i++)
				b.addr[i] = known_addr[i];
		for (; i < b.n; x++) {
			/* A bijection: distinct addresses without a set
			 * to check against. */
			uint32_t a = hash32_fmix(x ^ hash32_fmix(seed));
			int dup = 0;

			if (!is_public4(a))
				continue;
			for (size_t k = 0; k < KNOWN_N; k++)
				dup |= a == known_addr[k];
			if (dup)
				continue;
			b.addr[i++] = a;
		}
		for (i = 0; i < b.n; i++)
			*map_slot(&b.map, b.addr[i]) = i + 1;
	}

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("bench_lookup: socketpair");
		return 1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("bench_lookup: fork");
		return 1;
	}
	if (pid == 0) {
		/* The resolver, set up from a command line as flowtop's own. */
		struct options o;
		char *rargv[8];
		int rargc = 0;

		close(sv[0]);
		rargv[rargc++] = (char *)"flowtop";
		rargv[rargc++] = (char *)"-n";
		if (geoip_dir) {
			rargv[rargc++] = (char *)"--geoip-dir";
			rargv[rargc++] = (char *)geoip_dir;
		} else {
			rargv[rargc++] = (char *)"-G";
		}
		if (conf_dir) {
			rargv[rargc++] = (char *)"--conf-dir";
			rargv[rargc++] = (char *)conf_dir;
		}
		rargv[rargc] = NULL;
		if (options_parse(&o, rargc, rargv) != OPT_RUN)
			_exit(2);
		msg_chan_init(&res_chan, sv[1], MSG_DIR_UI_RES, MSG_DIR_RES_UI, "ui");
		_exit(resolver_serve(&res_chan, &o));
	}
	close(sv[1]);
	signal(SIGPIPE, SIG_IGN);
	msg_chan_init(&chan, sv[0], MSG_DIR_RES_UI, MSG_DIR_UI_RES, "resolver");
	if (fcntl(chan.fd, F_SETFL, fcntl(chan.fd, F_GETFL) | O_NONBLOCK) < 0) {
		perror("bench_lookup: fcntl");
		rc = 1;
		goto out;
	}
	if (wait_pong(&chan, 10) < 0) {
		rc = 1;
		goto out;
	}

	fprintf(stderr, "bench_lookup: %u distinct public IPv4 addresses, %u service"
		" names, batches of %u, window %u, GeoIP %s, DNS off\n",
		b.n, b.svc_n, b.batch, b.window, geoip_dir ? geoip_dir : "off");
	t0 = now_s();
	end = t0 + timeout;
	while (b.done < b.n || b.svc_done < b.svc_n) {
		int want_out = (b.asked < b.n &&
				(!b.window || b.asked - b.done < b.window)) ||
			       b.svc_asked < b.svc_n;
		struct pollfd p = {
			.fd = chan.fd,
			.events = POLLIN | (want_out ? POLLOUT : 0),
		};
		int left = (int)((end - now_s()) * 1000);

		if (left <= 0) {
			fprintf(stderr, "bench_lookup: timed out after %u s: %u of %u"
				" addresses, %u of %u services answered\n", timeout,
				b.done, b.n, b.svc_done, b.svc_n);
			rc = 1;
			goto out;
		}
		if (poll(&p, 1, left) < 0) {
			if (errno == EINTR)
				continue;
			perror("bench_lookup: poll");
			rc = 1;
			goto out;
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			if (drain(&chan, &b) < 0) {
				rc = 1;
				goto out;
			}
		}
		if (p.revents & POLLOUT) {
			int r;

			while ((r = send_batch(&chan, &b)) == 1)
				;
			if (r < 0) {
				rc = 1;
				goto out;
			}
		}
	}
	t1 = now_s();

	printf("lookups: %u in %.3f s = %.0f/s\n", b.n, t1 - t0, b.n / (t1 - t0));
	printf("services: %u in the same run (%u named); answers with a country:"
	       " %u, with an ASN: %u; repeated answers: %u\n", b.svc_n,
	       b.svc_named, b.with_country, b.with_asn, b.extra + b.svc_extra);
	printf("target (100000 distinct addresses in under 1 s): %s\n",
	       b.n < 100000 ? "not measured (fewer addresses)" :
	       (t1 - t0) * 100000.0 / b.n < 1.0 ? "met" : "NOT met");
	if (verify) {
		const struct lookup_ans *l = &b.known[0], *t = &b.known[1];

		if (!b.known_seen[0] || strcmp(l->country, "GB") ||
		    strcmp(l->city, "London")) {
			fprintf(stderr, "bench_lookup: wrong answer: 81.2.69.142 ->"
				" country '%s', city '%s' (expected GB, London from"
				" the test databases)\n", l->country, l->city);
			rc = 1;
		}
		if (!b.known_seen[1] || t->asn != 1221) {
			fprintf(stderr, "bench_lookup: wrong answer: 1.128.0.1 -> AS%u"
				" (expected AS1221 from the test databases)\n", t->asn);
			rc = 1;
		}
	}
out:
	close(chan.fd);          /* EOF: the resolver returns */
	for (int i = 0; i < 50; i++) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (i == 49) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fprintf(stderr, "bench_lookup: resolver did not exit at EOF; killed\n");
			rc = 1;
		}
		usleep(100000);
	}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "bench_lookup: resolver killed by signal %d\n",
			WTERMSIG(status));
		rc = 1;
	} else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_lookup: resolver exited with status %d\n",
			WEXITSTATUS(status));
		rc = 1;
	}
	free(b.addr);
	free(b.answered);
	free(b.svc_answered);
	free(b.map.key);
	free(b.map.val);
	fflush(stdout);
	return rc;
bad:
	usage(stderr);
	return 2;
}
