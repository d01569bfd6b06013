/* SPDX-License-Identifier: GPL-2.0-only */
/* bench_ui: the screen's cost at 10k to 1M flows with churn, with names
 * off and on.
 *
 * Drives the real model (flow_table, linger, view) and the real renderer
 * (screen_*.c through ncurses, newterm on /dev/null at 200x50, so every
 * frame is computed and written as on a terminal) the way tui.c does:
 * each frame takes a batch of churn (NEW and DESTROY events, counters from
 * "dumps"), rebuilds the rows when the data changed (at most every 250 ms
 * of simulated time) and draws. Every few frames a key arrives (sort
 * column, reverse, filter, paging, tab): it is handled, the rows rebuilt
 * and the frame drawn at once; that is the key-to-frame latency, to which
 * the real loop adds at most one collector slice (8 ms) of waiting.
 *
 * Names on: a bench resolver answers every question the ui asks through
 * the real path (annots_want as the ui asks for new flows, annots_send on
 * a SOCK_SEQPACKET pair, LOOKUP_ANS / SERVICE_ANS back, msg_recv and
 * annots_apply), with a host name and a country, city and AS for every
 * address. Those flows come from a LAN of 4096 hosts and go to a pool of
 * remote addresses a quarter as large as the table, as a router's do; the
 * rows are sorted by destination (by name, as names are known), a filter
 * on part of the names is on, and the keys reverse the sort, change the
 * filter and move.
 *
 * Prints, per size: frame p50/p99/max, key-to-frame p50/p99/max, rebuild
 * p50/p99, what single rebuilds cost, and whether the targets
 * (p99 frame < 16 ms at 250k flows, < 33 ms at 1M with names on) are met.
 * Usage: bench_ui [-f FRAMES] [SIZES...]; BENCH_UI_SIZES and
 * BENCH_UI_NAMES_SIZES (space-separated, "" for none) choose the sizes of
 * the runs with names off (default 10k 100k 250k) and on (default 10k
 * 100k 250k 1M).
 */
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "privsep/lookup_wire.h"
#include "privsep/msg.h"
#include "ui/annot.h"
#include "ui/linger.h"
#include "ui/screen.h"
#include "ui/view.h"

#define SIM_FRAME_NS (33ull * 1000000)
#define SIM_BUILD_NS (250ull * 1000000)
#define SIM_PART_NS (8ull * 1000000)     /* tui.c's TUI_PART_NS */
#define KEY_EVERY 7

struct sample {
	double *v;
	size_t n, cap;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void add(struct sample *s, double v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			exit(1);
	}
	s->v[s->n++] = v;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(struct sample *s, double p)
{
	if (!s->n)
		return 0;
	qsort(s->v, s->n, sizeof(*s->v), cmp_d);
	size_t i = (size_t)(p * (double)(s->n - 1) + 0.5);

	return s->v[i];
}

static uint32_t rnd(void)
{
	static uint64_t x = 88172645463325252ull;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (uint32_t)x;
}

static const char *const comms[] = {
	"firefox", "chrome", "sshd", "curl", "python3", "nginx", "postgres",
	"systemd-resolve", "dockerd", "ntpd",
};

static struct flow_wire mkflow(uint32_t id, uint8_t ev)
{
	struct flow_wire w;

	memset(&w, 0, sizeof(w));
	w.id = id;
	w.event = ev;
	w.family = rnd() % 4 ? FLOW_FAM_IPV4 : FLOW_FAM_IPV6;
	w.l4proto = rnd() % 3 ? IPPROTO_TCP : IPPROTO_UDP;
	w.state = w.l4proto == IPPROTO_TCP ? 3 : FLOW_STATE_NONE;
	w.src[0] = 10;
	w.src[1] = (uint8_t)rnd();
	w.src[2] = (uint8_t)rnd();
	w.src[3] = (uint8_t)rnd();
	for (int i = 0; i < (w.family == FLOW_FAM_IPV4 ? 4 : 16); i++)
		w.dst[i] = (uint8_t)rnd();
	w.sport = (uint16_t)(1024 + rnd() % 60000);
	w.dport = (uint16_t)(rnd() % 2 ? 443 : rnd() % 1024);
	w.pid = 1000 + rnd() % 500;
	snprintf(w.comm, sizeof(w.comm), "%s", comms[rnd() % 10]);
	w.orig_bytes = rnd() % 1000000;
	w.reply_bytes = rnd() % 5000000;
	w.start_ns = 1700000000ull * 1000000000ull;
	return w;
}

/* ---- names on: a router's flows and a resolver that knows every address ---- */

/* Remote addresses a quarter as many as flows, so that flows share them as
 * they do to popular servers; each family its own pool. */
struct pool {
	uint8_t (*a)[16];
	size_t n;
};

static void pool_fill(struct pool *p, size_t n, int v6)
{
	p->n = n ? n : 1;
	p->a = calloc(p->n, sizeof(*p->a));
	if (!p->a)
		exit(1);
	for (size_t i = 0; i < p->n; i++) {
		uint8_t *a = p->a[i];

		for (int j = 0; j < (v6 ? 16 : 4); j++)
			a[j] = (uint8_t)rnd();
		if (v6) {
			a[0] = 0x20;
			a[1] = (uint8_t)(1 + rnd() % 14);
		} else {
			a[0] = (uint8_t)(11 + rnd() % 200);   /* public, not 10/8 */
		}
	}
}

struct names {
	struct pool p4, p6;
};

/* A flow of the router: from one of 4096 LAN hosts to a pooled address. */
static struct flow_wire mkflow_named(const struct names *nm, uint32_t id,
				     uint8_t ev)
{
	struct flow_wire w = mkflow(id, ev);
	unsigned host = rnd() % 4096;
	const struct pool *p = w.family == FLOW_FAM_IPV4 ? &nm->p4 : &nm->p6;

	memset(w.src, 0, sizeof(w.src));
	if (w.family == FLOW_FAM_IPV4) {
		w.src[0] = 10;
		w.src[2] = (uint8_t)(host >> 8);
		w.src[3] = (uint8_t)host;
	} else {
		w.src[0] = 0xfd;
		w.src[14] = (uint8_t)(host >> 8);
		w.src[15] = (uint8_t)host;
	}
	memcpy(w.dst, p->a[rnd() % p->n], sizeof(w.dst));
	return w;
}

static uint32_t addr_hash(uint8_t family, const uint8_t *a)
{
	uint32_t h = 2166136261u ^ family;

	for (int i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	return h;
}

static const struct { const char *cc, *name, *city[3]; } countries[] = {
	{ "US", "United States", { "Ashburn", "San Jose", "New York" } },
	{ "DE", "Germany", { "Frankfurt am Main", "Berlin", "Munich" } },
	{ "GB", "United Kingdom", { "London", "Manchester", "Edinburgh" } },
	{ "FR", "France", { "Paris", "Marseille", "Lyon" } },
	{ "NL", "Netherlands", { "Amsterdam", "Rotterdam", "Utrecht" } },
	{ "JP", "Japan", { "Tokyo", "Osaka", "Nagoya" } },
	{ "BR", "Brazil", { "Sao Paulo", "Rio de Janeiro", "Fortaleza" } },
	{ "IN", "India", { "Mumbai", "Bengaluru", "Chennai" } },
	{ "AU", "Australia", { "Sydney", "Melbourne", "Perth" } },
	{ "SE", "Sweden", { "Stockholm", "Gothenburg", "Malmo" } },
	{ "CH", "Switzerland", { "Zurich", "Geneva", "Basel" } },
	{ "CA", "Canada", { "Toronto", "Montreal", "Vancouver" } },
};

static const char *const as_orgs[] = {
	"Example Broadband Networks Inc.", "Cloud Provider Example, LLC",
	"Example Telekom AG", "CDN Example Ltd", "Regional Cable Example Co.",
	"Example Mobile Carrier K.K.", "University Network Example",
	"Hosting Example SAS",
};

static const char *const isps[] = {
	"example-isp.net", "telco-broadband.example.com", "cable.example.de",
	"fibre.example.co.uk", "mobile.carrier.example.jp",
};

/* A name of one of several shapes, 15 to 90 bytes. */
static void host_name(char *buf, size_t sz, uint32_t h, const uint8_t *a,
		      int lan)
{
	unsigned x = a[12] ^ a[2], y = a[15] ^ a[3];

	if (lan) {
		snprintf(buf, sz, "%s-%u.home.lan",
			 h % 2 ? "desktop" : "phone", (unsigned)a[14] << 8 | a[15]);
		return;
	}
	switch (h % 6) {
	case 0: snprintf(buf, sz, "host-%u-%u.%s", x, y, isps[h / 6 % 5]); break;
	case 1: snprintf(buf, sz, "%u-%u-%u-%u.dynamic.%s", a[0], a[1], x, y,
			 isps[h / 6 % 5]); break;
	case 2: snprintf(buf, sz, "ec2-%u-%u-%u-%u.eu-west-1.compute.cloud-provider.example.com",
			 a[0], a[1], x, y); break;
	case 3: snprintf(buf, sz, "srv%u.cdn%u.example-cdn.net", x * 256 + y,
			 h / 6 % 50); break;
	case 4: snprintf(buf, sz, "mail%u.example-%u.org", y % 10, x); break;
	default:
		snprintf(buf, sz, "customer-%u.pool-%u-%u.residential.very-long-regional-broadband-provider.example.net",
			 x * 256 + y, a[0], a[1]);
	}
}

static void answer_addr(const struct lookup_req *q, struct lookup_ans *r)
{
	uint32_t h = addr_hash(q->family, q->addr);
	int lan = q->addr[0] == 10 || q->addr[0] == 0xfd;
	size_t c = h / 7 % (sizeof(countries) / sizeof(countries[0]));

	memset(r, 0, sizeof(*r));
	r->family = q->family;
	r->parts = q->parts;
	memcpy(r->addr, q->addr, sizeof(r->addr));
	if (q->parts & LOOKUP_DNS)
		host_name(r->name, sizeof(r->name), h, q->addr, lan);
	if (q->parts & LOOKUP_GEO) {
		snprintf(r->country, sizeof(r->country), "%s", countries[c].cc);
		snprintf(r->country_name, sizeof(r->country_name), "%s",
			 countries[c].name);
		snprintf(r->city, sizeof(r->city), "%s", countries[c].city[h % 3]);
		r->asn = 64496 + h % 1000;
		snprintf(r->as_org, sizeof(r->as_org), "%s",
			 as_orgs[h / 11 % (sizeof(as_orgs) / sizeof(as_orgs[0]))]);
	}
}

static void answer_port(const struct service_req *q, struct service_ans *r)
{
	memset(r, 0, sizeof(*r));
	r->port = q->port;
	r->l4proto = q->l4proto;
	if (q->port == 443)
		snprintf(r->name, sizeof(r->name), "https");
	else if (q->port == 53)
		snprintf(r->name, sizeof(r->name), "domain");
}

struct sim {
	struct flow_table *t;
	struct linger_set lg;
	struct annots *an;
	struct view v;
	struct view_src src;
	struct screen_info si;
	uint32_t *ids;       /* live ids, for DESTROYs */
	size_t n;
	uint32_t next_id;
	uint64_t sim_ns, last_build;
	int changed;
	double build_t0;     /* when the build under way began */
	double key_t0;       /* when the key it answers came; < 0: none */
	struct sample *key_rows;     /* from a key to its rows in place */
	struct names *nm;    /* names on: the flows' addresses */
	struct msg_chan *ui, *res;   /* names on: the two ends */
	struct sample *names_ms;     /* ui time asking and applying answers */
};

static struct flow_wire sim_flow(const struct sim *s, uint32_t id, uint8_t ev)
{
	return s->nm ? mkflow_named(s->nm, id, ev) : mkflow(id, ev);
}

/* The ui's side: every answer waiting, applied as ui/proto.c does. */
static void ui_take_answers(struct sim *s)
{
	struct msg m;
	const char *why;
	int r;

	while ((r = msg_recv_nb(s->ui, &m, &why)) == 1)
		annots_apply(s->an, &m);
	if (r != -2) {
		fprintf(stderr, "bench_ui: answers: %s\n", why);
		exit(1);
	}
}

/* Answer a batch of n records of one kind; the ui takes them at once,
 * so neither end's buffer fills. */
static void res_answer(struct sim *s, uint32_t type, const void *ans,
		       size_t n, size_t size)
{
	if (msg_send(s->res, type, ans, (uint32_t)(n * size)) < 0) {
		perror("bench_ui: answer");
		exit(1);
	}
	ui_take_answers(s);
}

#define ANS_PER (MSG_MAX_PAYLOAD / sizeof(struct lookup_ans))

/* The bench resolver: every question waiting, answered in full. */
static void res_serve(struct sim *s)
{
	static struct lookup_ans ans[ANS_PER];
	static struct service_ans sans[MSG_MAX_PAYLOAD / sizeof(struct service_ans)];
	struct msg m;
	const char *why;
	int r;

	while ((r = msg_recv_nb(s->res, &m, &why)) == 1) {
		size_t n = 0;

		if (m.type == MSG_SERVICE_REQ) {
			for (size_t i = 0; i < m.len / sizeof(struct service_req); i++) {
				struct service_req q;

				memcpy(&q, (const char *)m.payload + i * sizeof(q), sizeof(q));
				answer_port(&q, &sans[n++]);
			}
			res_answer(s, MSG_SERVICE_ANS, sans, n, sizeof(*sans));
			continue;
		}
		for (size_t i = 0; i < m.len / sizeof(struct lookup_req); i++) {
			struct lookup_req q;

			memcpy(&q, (const char *)m.payload + i * sizeof(q), sizeof(q));
			answer_addr(&q, &ans[n++]);
			if (n == ANS_PER) {
				res_answer(s, MSG_LOOKUP_ANS, ans, n, sizeof(*ans));
				n = 0;
			}
		}
		if (n)
			res_answer(s, MSG_LOOKUP_ANS, ans, n, sizeof(*ans));
	}
	if (r != -2) {
		fprintf(stderr, "bench_ui: questions: %s\n", why);
		exit(1);
	}
}

static void ask_flow(void *ctx, const struct flow_entry *e)
{
	struct annots *a = ctx;

	annots_want(a, e->w.family, e->w.src);
	annots_want(a, e->w.family, e->w.dst);
	annots_want_service(a, e->w.l4proto, e->w.dport);
}

/* What ui_ask does after a batch of flows, then the answers. The
 * questions of one call must fit the socket's buffer: callers ask after
 * at most a few thousand new flows. */
static void ask_and_answer(struct sim *s)
{
	double t0 = now_ms();

	flow_table_each_new(s->t, ask_flow, s->an);
	if (annots_send(s->an, s->ui) < 0) {
		perror("bench_ui: ask");
		exit(1);
	}
	res_serve(s);
	add(s->names_ms, now_ms() - t0);
	s->changed = 1;
}

static void names_open(struct sim *s, size_t n)
{
	int sv[2], big = 4 << 20;

	s->nm = calloc(1, sizeof(*s->nm));
	s->ui = malloc(sizeof(*s->ui));
	s->res = malloc(sizeof(*s->res));
	if (!s->nm || !s->ui || !s->res ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv) < 0)
		exit(1);
	/* As much room as the system allows (the default ~200 KiB holds
	 * the questions of some 5,000 flows). */
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	msg_chan_init(s->ui, sv[0], MSG_DIR_RES_UI, MSG_DIR_UI_RES, "resolver");
	msg_chan_init(s->res, sv[1], MSG_DIR_UI_RES, MSG_DIR_RES_UI, "ui");
	pool_fill(&s->nm->p4, n / 4, 0);
	pool_fill(&s->nm->p6, n / 12, 1);
	s->an = annots_new(LOOKUP_DNS | LOOKUP_GEO, 1);
}

static void names_close(struct sim *s)
{
	if (!s->nm)
		return;
	close(s->ui->fd);
	close(s->res->fd);
	free(s->ui);
	free(s->res);
	free(s->nm->p4.a);
	free(s->nm->p6.a);
	free(s->nm);
}

/* n DESTROY + n NEW events, as a busy host makes them. */
static void churn(struct sim *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		/* DESTROY a flow the table holds, as the kernel would. */
		struct flow_wire w = flow_table_at(s->t, rnd() %
						   flow_table_count(s->t))->w;

		w.event = FLOW_EV_DESTROY;
		flow_table_apply(s->t, &w, s->sim_ns, 0);
		w = sim_flow(s, s->next_id++, FLOW_EV_NEW);
		flow_table_apply(s->t, &w, s->sim_ns, 0);
	}
	s->changed = 1;
}

/* A periodic dump's worth of counter change: rates move. */
static void dump(struct sim *s)
{
	size_t n = flow_table_count(s->t);

	for (size_t i = 0; i < n; i++) {
		struct flow_wire w = flow_table_at(s->t, i)->w;

		w.event = FLOW_EV_DUMP;
		w.orig_bytes += rnd() % 10000;
		w.reply_bytes += rnd() % 50000;
		flow_table_apply(s->t, &w, s->sim_ns, 0);
	}
	flow_table_rates(s->t, s->sim_ns);
	s->changed = 1;
}

/* A frame as a turn of tui.c's loop: a build begun when a key asked
 * for one or the data changed, at most one part of it (SIM_PART_NS), and
 * the rows drawn, the last ones built until the new ones are in place. */
static void frame(struct sim *s, int force, struct sample *build)
{
	double t0 = now_ms();

	if (force || (!view_building(&s->v) && s->changed &&
		      s->sim_ns - s->last_build >= SIM_BUILD_NS)) {
		/* linger_gone stamps the real clock: expire on it too. */
		linger_expire(&s->lg, (uint64_t)(t0 * 1e6));
		view_build_start(&s->v);
		s->build_t0 = t0;
		s->key_t0 = force ? t0 : -1;
		s->changed = 0;
		s->last_build = s->sim_ns;
	}
	if (view_building(&s->v) &&
	    view_build_step(&s->v, &s->src,
			    (uint64_t)(t0 * 1e6) + SIM_PART_NS) != 0) {
		add(build, now_ms() - s->build_t0);
		if (s->key_t0 >= 0)
			add(s->key_rows, now_ms() - s->key_t0);
	}
	screen_draw(&s->v, &s->src, &s->si);
	screen_flush();
}

/* One key, as tui.c handles it; 1 when the rows must be rebuilt. */
static int key(struct sim *s, unsigned k)
{
	switch (k % 8) {
	case 0: view_sort_step(&s->v, -1); return 1;
	case 1: view_sort_reverse(&s->v); return 1;
	case 2: snprintf(s->v.filter, sizeof(s->v.filter), "10.1%u", k % 10); return 1;
	case 3: s->v.filter[0] = 0; return 1;
	case 4: view_move(&s->v, screen_page(&s->si)); return 0;
	case 5: view_move(&s->v, 1); return 0;
	case 6: view_sort_step(&s->v, 1); return 1;
	default: view_end(&s->v); return 0;
	}
}

/* Parts of names: some in a sixth of the names, some in a few. */
static const char *const name_filters[] = {
	"dynamic", "cdn4", "telco-broad", "EU-WEST", "host-1",
};
#define NAME_FILTERS (sizeof(name_filters) / sizeof(name_filters[0]))

/* Names on: the sort stays on names and a name filter stays on. */
static int key_named(struct sim *s, unsigned k)
{
	switch (k % 6) {
	case 0: view_sort_reverse(&s->v); return 1;
	case 1:
	case 4:
		snprintf(s->v.filter, sizeof(s->v.filter), "%s",
			 name_filters[k % NAME_FILTERS]);
		return 1;
	case 2: view_move(&s->v, screen_page(&s->si)); return 0;
	case 3: view_end(&s->v); return 0;
	default: view_move(&s->v, -3); return 0;
	}
}

struct rcase {
	const char *what;
	int col;
	const char *filter;
};

static const struct rcase cases_plain[] = {
	{ "sort BYTES", FC_BYTES, "" }, { "sort RATE", FC_RATE, "" },
	{ "sort PROCESS", FC_PROC, "" }, { "sort GEO", FC_GEO, "" },
	{ "filter 'fire'", FC_BYTES, "fire" },
	{ "filter '10.12'", FC_BYTES, "10.12" },
	{ NULL, 0, NULL },
};

static const struct rcase cases_named[] = {
	{ "sort DEST (names)", FC_DST, "" }, { "sort GEO", FC_GEO, "" },
	{ "sort BYTES", FC_BYTES, "" },
	{ "sort DEST filter 'dynamic'", FC_DST, "dynamic" },
	{ "sort DEST filter 'cdn4'", FC_DST, "cdn4" },
	{ "filter '10.12'", FC_BYTES, "10.12" },
	{ NULL, 0, NULL },
};

/* A key to a column whose ranks were never worked out (places, after a
 * run sorted by name: every place sorted at once), built in parts as the
 * loop builds it: the longest part and when the rows are in place. */
static void first_sort_by(struct sim *s, int col, const char *what)
{
	double t0 = now_ms(), longest = 0;
	size_t parts = 0;

	s->v.ts[VIEW_FLOWS].sort_col = col;
	view_build_start(&s->v);
	for (int r = 0; r == 0;) {
		double p0 = now_ms();

		r = view_build_step(&s->v, &s->src,
				    (uint64_t)(p0 * 1e6) + SIM_PART_NS);
		longest = now_ms() - p0 > longest ? now_ms() - p0 : longest;
		parts++;
	}
	printf("        first sort by %s, in parts: %zu parts, the longest %.2f ms; rows in place after %.2f ms\n",
	       what, parts, longest, now_ms() - t0);
}

/* What one rebuild costs by what it does: the figures behind the p99. */
static void rebuild_cases(struct sim *s, const struct rcase *c)
{
	printf("        one rebuild:");
	for (size_t i = 0; c[i].what; i++) {
		double t0;

		s->v.ts[VIEW_FLOWS].sort_col = c[i].col;
		s->v.ts[VIEW_FLOWS].reverse = 0;
		snprintf(s->v.filter, sizeof(s->v.filter), "%s", c[i].filter);
		t0 = now_ms();
		view_rebuild(&s->v, &s->src);
		printf(" %s %.1f ms (%zu rows)%s", c[i].what, now_ms() - t0,
		       s->v.nrows, c[i + 1].what ? "," : "\n");
	}
	s->v.filter[0] = 0;
}

static void sim_open(struct sim *s, size_t n, int names, struct sample *nms)
{
	memset(s, 0, sizeof(*s));
	s->t = flow_table_new();
	s->names_ms = nms;
	if (names)
		names_open(s, n);
	else
		s->an = annots_new(0, 0);
	linger_init(&s->lg, 5ull * 1000000000);
	flow_table_on_gone(s->t, linger_gone, &s->lg);
	view_init(&s->v, 0);
	s->src = (struct view_src){ .table = s->t, .linger = &s->lg,
		.annot = annots_get, .service = annots_service, .ctx = s->an,
		.sel = SEL_ALL, .now_real_ns = 1700000100ull * 1000000000ull };
	s->si = (struct screen_info){ .interval_ms = 1000,
		.sel = SEL_ALL, .now_real_ns = s->src.now_real_ns };
	for (size_t i = 0; i < n; i++) {
		struct flow_wire w = sim_flow(s, s->next_id++, FLOW_EV_DUMP);

		flow_table_apply(s->t, &w, 0, 1);
		if (names && i % 2000 == 1999)
			ask_and_answer(s);
	}
	flow_table_dump_end(s->t, 1);
	if (names)
		ask_and_answer(s);
	s->sim_ns = 1000000000;
	dump(s);
	if (names) {
		s->v.ts[VIEW_FLOWS].sort_col = FC_DST;
		snprintf(s->v.filter, sizeof(s->v.filter), "%s", name_filters[0]);
	}
}

static void sim_close(struct sim *s)
{
	view_free(&s->v);
	linger_free(&s->lg);
	annots_free(s->an);
	flow_table_free(s->t);
	names_close(s);
}

static void run(size_t n, int frames, int names)
{
	struct sim s;
	struct sample fr = { 0 }, kl = { 0 }, bd = { 0 }, nms = { 0 };
	struct sample kr = { 0 };
	size_t churn_per_frame = n / 10 / 30 + 1;   /* 10% a second */
	size_t owed = 0;
	int dump_owed = 0;
	double target = n >= 1000000 ? 33 : 16;

	sim_open(&s, n, names, &nms);
	s.key_rows = &kr;
	frame(&s, 1, &bd);
	nms.n = kr.n = bd.n = 0;   /* from here on: the churn's */
	for (int f = 0; f < frames; f++) {
		double t0, t1;

		s.sim_ns += SIM_FRAME_NS;
		owed += churn_per_frame;
		dump_owed |= f % 30 == 29;
		/* tui.c takes in no data while a build is under way. */
		if (!view_building(&s.v)) {
			churn(&s, owed);
			owed = 0;
			if (names)
				ask_and_answer(&s);
			if (dump_owed)
				dump(&s);
			dump_owed = 0;
		}
		if (f % KEY_EVERY == 0) {
			unsigned k = (unsigned)f / KEY_EVERY;

			t0 = now_ms();
			frame(&s, names ? key_named(&s, k) : key(&s, k), &bd);
			t1 = now_ms();
			add(&kl, t1 - t0);
			add(&fr, t1 - t0);
			continue;
		}
		t0 = now_ms();
		frame(&s, 0, &bd);
		add(&fr, now_ms() - t0);
	}
	printf("%7zu flows (+%zu closed, lingering), %zu churn/frame%s: frame p50 %.2f ms p99 %.2f ms max %.2f | "
	       "key->frame p50 %.2f p99 %.2f max %.2f\n",
	       n, linger_count(&s.lg), churn_per_frame * 2,
	       names ? ", names on, sort DEST by name, name filter" : "",
	       pct(&fr, .5), pct(&fr, .99), pct(&fr, 1),
	       pct(&kl, .5), pct(&kl, .99), pct(&kl, 1));
	printf("        built in parts: rows in place after p50 %.2f ms p99 %.2f ms (%zu builds); after a key p50 %.2f ms p99 %.2f ms max %.2f (%zu)\n",
	       pct(&bd, .5), pct(&bd, .99), bd.n, pct(&kr, .5), pct(&kr, .99),
	       pct(&kr, 1), kr.n);
	if (names)
		printf("        names: %zu addresses known, %zu unanswered; asking and taking the answers of a frame's new flows p50 %.2f ms p99 %.2f ms\n",
		       annots_slots(s.an), annots_outstanding(s.an), pct(&nms, .5),
		       pct(&nms, .99));
	if (names)
		first_sort_by(&s, FC_GEO, "place");
	rebuild_cases(&s, names ? cases_named : cases_plain);
	if (n >= 250000)
		printf("target p99 frame < %.0f ms at %zu flows%s: %s\n", target,
		       n, names ? " with names" : "",
		       pct(&fr, .99) < target ? "met" : "NOT met");
	fflush(stdout);
	sim_close(&s);
	free(fr.v);
	free(kl.v);
	free(bd.v);
	free(nms.v);
	free(kr.v);
}

/* Sizes from the environment variable var, else the defaults. */
static int sizes_from(const char *var, size_t *sizes, int max, int ndef)
{
	const char *e = getenv(var);
	char *end;
	int n = 0;

	if (!e)
		return ndef;
	while (n < max) {
		unsigned long v;

		errno = 0;
		v = strtoul(e, &end, 10);
		if (end == e || errno)
			break;
		sizes[n++] = v;
		e = end;
	}
	return n;
}

int main(int argc, char **argv)
{
	size_t sizes[8] = { 10000, 100000, 250000 };
	size_t named[8] = { 10000, 100000, 250000, 1000000 };
	int ns, nn, frames = 300, a = 1;
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");

	if (argc > 2 && !strcmp(argv[1], "-f")) {
		frames = atoi(argv[2]);
		a = 3;
	}
	ns = sizes_from("BENCH_UI_SIZES", sizes, 8, 3);
	nn = sizes_from("BENCH_UI_NAMES_SIZES", named, 8, 4);
	if (a < argc)
		ns = 0;
	for (; a < argc && ns < 8; a++)
		sizes[ns++] = strtoul(argv[a], NULL, 10);
	setenv("TERM", "xterm-256color", 1);
	setenv("LINES", "50", 1);
	setenv("COLUMNS", "200", 1);
	if (!out || !in || screen_open(out, in) < 0)
		return 1;
	for (int i = 0; i < ns; i++)
		run(sizes[i], frames, 0);
	for (int i = 0; i < nn; i++)
		run(named[i], frames, 1);
	screen_close();
	return 0;
}
