/* SPDX-License-Identifier: GPL-2.0-only */
/* bench_ui: the screen's cost at 10k, 100k and 250k flows with churn.
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
 * Prints, per size: frame p50/p99/max, key-to-frame p50/p99/max, rebuild
 * p50/p99, and whether the target (p99 frame < 16 ms at 250k) is
 * met. Usage: bench_ui [-f FRAMES] [SIZES...]
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>

#include "privsep/msg.h"
#include "ui/annot.h"
#include "ui/linger.h"
#include "ui/screen.h"
#include "ui/view.h"

#define SIM_FRAME_NS (33ull * 1000000)
#define SIM_BUILD_NS (250ull * 1000000)
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
};

/* n DESTROY + n NEW events, as a busy host makes them. */
static void churn(struct sim *s, size_t n)
{
	for (size_t i = 0; i < n && s->n; i++) {
		size_t k = rnd() % s->n;
		struct flow_wire w;
		const struct flow_entry *e = flow_table_find(s->t, s->ids[k], 0);

		(void)e;
		/* DESTROY by tuple: find it through the table's own walk. */
		const struct flow_entry *any = flow_table_at(s->t, rnd() % flow_table_count(s->t));

		w = any->w;
		w.event = FLOW_EV_DESTROY;
		flow_table_apply(s->t, &w, s->sim_ns, 0);
		struct flow_wire nw = mkflow(s->next_id++, FLOW_EV_NEW);

		flow_table_apply(s->t, &nw, s->sim_ns, 0);
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

static void frame(struct sim *s, int force, struct sample *build)
{
	if (force || (s->changed && s->sim_ns - s->last_build >= SIM_BUILD_NS)) {
		double t0 = now_ms();

		/* linger_gone stamps the real clock: expire on it too. */
		linger_expire(&s->lg, (uint64_t)(now_ms() * 1e6));
		view_rebuild(&s->v, &s->src);
		add(build, now_ms() - t0);
		s->changed = 0;
		s->last_build = s->sim_ns;
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

/* What one rebuild costs by what it does: the figures behind the p99. */
static void rebuild_cases(struct sim *s)
{
	static const struct { const char *what; int col; const char *filter; } c[] = {
		{ "sort BYTES", FC_BYTES, "" }, { "sort RATE", FC_RATE, "" },
		{ "sort PROCESS", FC_PROC, "" }, { "sort GEO", FC_GEO, "" },
		{ "filter 'fire'", FC_BYTES, "fire" },
		{ "filter '10.12'", FC_BYTES, "10.12" },
	};

	printf("        one rebuild:");
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		double t0;

		s->v.ts[VIEW_FLOWS].sort_col = c[i].col;
		s->v.ts[VIEW_FLOWS].reverse = 0;
		snprintf(s->v.filter, sizeof(s->v.filter), "%s", c[i].filter);
		t0 = now_ms();
		view_rebuild(&s->v, &s->src);
		printf(" %s %.1f ms%s", c[i].what, now_ms() - t0,
		       i + 1 < sizeof(c) / sizeof(c[0]) ? "," : "\n");
	}
	s->v.filter[0] = 0;
}

static void run(size_t n, int frames)
{
	struct sim s;
	struct sample fr = { 0 }, kl = { 0 }, bd = { 0 };
	size_t churn_per_frame = n / 10 / 30 + 1;   /* 10% a second */

	memset(&s, 0, sizeof(s));
	s.t = flow_table_new();
	s.an = annots_new(0, 0);
	linger_init(&s.lg, 5ull * 1000000000);
	flow_table_on_gone(s.t, linger_gone, &s.lg);
	view_init(&s.v, 0);
	s.src = (struct view_src){ .table = s.t, .linger = &s.lg,
		.annot = annots_get, .service = annots_service, .ctx = s.an,
		.sel = SEL_ALL, .now_real_ns = 1700000100ull * 1000000000ull };
	s.si = (struct screen_info){ .interval_ms = 1000, .cadence_ms = 1000,
		.sel = SEL_ALL, .now_real_ns = s.src.now_real_ns };
	s.ids = calloc(1, sizeof(*s.ids));
	s.n = 1;
	for (size_t i = 0; i < n; i++) {
		struct flow_wire w = mkflow(s.next_id++, FLOW_EV_DUMP);

		flow_table_apply(s.t, &w, 0, 1);
	}
	flow_table_dump_end(s.t, 1);
	s.sim_ns = 1000000000;
	dump(&s);
	frame(&s, 1, &bd);
	for (int f = 0; f < frames; f++) {
		double t0, t1;

		s.sim_ns += SIM_FRAME_NS;
		churn(&s, churn_per_frame);
		if (f % 30 == 29)
			dump(&s);
		if (f % KEY_EVERY == 0) {
			t0 = now_ms();
			int rebuild = key(&s, (unsigned)f / KEY_EVERY);

			frame(&s, rebuild, &bd);
			t1 = now_ms();
			add(&kl, t1 - t0);
			add(&fr, t1 - t0);
			continue;
		}
		t0 = now_ms();
		frame(&s, 0, &bd);
		add(&fr, now_ms() - t0);
	}
	printf("%7zu flows (+%zu closed, lingering), %zu churn/frame: frame p50 %.2f ms p99 %.2f ms max %.2f | "
	       "key->frame p50 %.2f p99 %.2f max %.2f | rebuild p50 %.2f p99 %.2f (%zu)\n",
	       n, linger_count(&s.lg), churn_per_frame * 2, pct(&fr, .5), pct(&fr, .99), pct(&fr, 1),
	       pct(&kl, .5), pct(&kl, .99), pct(&kl, 1), pct(&bd, .5),
	       pct(&bd, .99), bd.n);
	rebuild_cases(&s);
	if (n >= 250000)
		printf("target p99 frame < 16 ms at %zu flows: %s\n", n,
		       pct(&fr, .99) < 16 ? "met" : "NOT met");
	fflush(stdout);
	view_free(&s.v);
	linger_free(&s.lg);
	annots_free(s.an);
	flow_table_free(s.t);
	free(s.ids);
	free(fr.v);
	free(kl.v);
	free(bd.v);
}

int main(int argc, char **argv)
{
	size_t sizes[8] = { 10000, 100000, 250000 };
	int ns = 3, frames = 300, a = 1;
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");

	if (argc > 2 && !strcmp(argv[1], "-f")) {
		frames = atoi(argv[2]);
		a = 3;
	}
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
		run(sizes[i], frames);
	screen_close();
	return 0;
}
