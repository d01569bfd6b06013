/* SPDX-License-Identifier: GPL-2.0-only */
/* alert: flows judged against the baseline, the marks, the syslog lines,
 * and the baseline's trips to and from its writer. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/escape.h"
#include "privsep/baseline_wire.h"
#include "privsep/lookup_wire.h"
#include "ui/alert.h"
#include "ui/baseline.h"

/* How long a flow waits for its peer's place before it is judged with
 * what is known: GeoIP answers are local and quick, and a flow should
 * be told about while it is still on the screen. */
#define AL_GEO_WAIT_NS (3ull * 1000000000ull)
/* Flows waiting at most; past it, one is judged at once. */
#define AL_QUEUE_MAX 65536u
/* A changed baseline is saved this long after its first change. */
#define AL_SAVE_NS (60ull * 1000000000ull)
/* The program key: "unit:" or "exe:" and the name. */
#define AL_PROGRAM_MAX (BL_PROGRAM_MAX)

struct al_item {
	struct flow_wire w;     /* the flow as it was handed over */
	uint32_t th;            /* its flow_tuple_hash */
	uint64_t deadline;      /* judged by then, places or not */
	char *program;
};

struct alert {
	const struct options *o;
	struct baseline *b;
	int chan, log;
	struct al_item *q;
	size_t nq, q_cap;
	uint64_t marked, lost;
	uint64_t dirty_since;   /* CLOCK_MONOTONIC of the first unsaved
				 * change, 0: none */
	int fresh;              /* the file was missing or empty: written
				 * at the end, learnt something or not */
};

static const char *const al_json_names[BL_KINDS] = {
	[BL_DST] = "destination", [BL_COUNTRY] = "country", [BL_ASN] = "asn",
};

const char *alert_kind_json(unsigned kind)
{
	return kind < BL_KINDS ? al_json_names[kind] : "?";
}

struct alert *alert_new(const struct options *o, int chan, int log_fd)
{
	struct alert *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->b = baseline_new(o->baseline_max,
			    (uint64_t)o->baseline_expire_days * 86400u);
	if (!a->b) {
		free(a);
		return NULL;
	}
	a->o = o;
	a->chan = chan;
	a->log = log_fd;
	return a;
}

void alert_free(struct alert *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nq; i++)
		free(a->q[i].program);
	free(a->q);
	baseline_free(a->b);
	free(a);
}

static uint64_t al_now_s(void)
{
	return clock_real_ns() / 1000000000ull;
}

/* One message of the writer's, into buf (1 + BW_CHUNK bytes). Its
 * length, or -1. */
static ssize_t al_recv(int fd, char *buf)
{
	struct iovec io = { buf, 1 + BW_CHUNK };
	struct msghdr mh = { .msg_iov = &io, .msg_iovlen = 1 };
	ssize_t n;

	do
		n = recvmsg(fd, &mh, 0);
	while (n < 0 && errno == EINTR);
	return n;
}

/* The old file's bytes, whole, into *out (*n bytes). */
static int al_read_old(struct alert *a, char **out, size_t *n, char *err,
		       size_t errlen)
{
	size_t max = (size_t)bw_file_max(a->o->baseline_max), len = 0;
	char *msg = malloc(1 + BW_CHUNK), *buf = NULL;
	ssize_t got = -1;

	while (msg && (got = al_recv(a->chan, msg)) > 0 && msg[0] == BW_DATA) {
		char *p;

		if (len + (size_t)got - 1 > max)
			break;
		p = realloc(buf, len + (size_t)got);
		if (!p)
			break;
		buf = p;
		memcpy(buf + len, msg + 1, (size_t)got - 1);
		len += (size_t)got - 1;
	}
	if (!msg || got != 1 || msg[0] != BW_END) {
		snprintf(err, errlen, "%s: the baseline's writer did not send "
			 "it whole", a->o->baseline);
		free(msg);
		free(buf);
		return -1;
	}
	free(msg);
	*out = buf;
	*n = len;
	return 0;
}

int alert_load(struct alert *a, char *err, size_t errlen)
{
	char why[512], *buf = NULL;
	size_t n = 0;
	int r;

	if (al_read_old(a, &buf, &n, err, errlen) < 0)
		return -1;
	r = baseline_load(a->b, buf ? buf : "", n, al_now_s(), why,
			  sizeof(why));
	a->fresh = n == 0;
	free(buf);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", a->o->baseline, why);
		return -1;
	}
	return 0;
}

/* The program a flow's owner is: its systemd service, where the last
 * unit of its cgroup is one (a scope or a session is made anew for each
 * run), else its executable. A path longer than a key holds is cut (two
 * such paths alike for a kilobyte are one program), never left out: a
 * long path must not be a way around the alerts. -1: neither is known. */
static int al_program(const struct ui_owner *ow, char *out, size_t n)
{
	const char *last = strrchr(ow->unit, '/');
	int max = (int)(n < BL_PROGRAM_MAX + 1 ? n : BL_PROGRAM_MAX + 1) - 1;
	size_t ul;

	last = last ? last + 1 : ow->unit;
	ul = strlen(last);
	if (ul > 8 && !strcmp(last + ul - 8, ".service"))
		snprintf(out, n, "unit:%.*s", max - 5, ow->unit);
	else if (ow->exe && ow->exe[0])
		snprintf(out, n, "exe:%.*s", max - 4, ow->exe);
	else
		return -1;
	return 0;
}

/* The end of the flow that is not its owner's socket. */
static const uint8_t *al_peer(const struct flow_wire *w)
{
	return w->side == FLOW_SIDE_REPLY ? w->src : w->dst;
}

static void al_addr(const struct flow_wire *w, const uint8_t *addr,
		    char *out, size_t n)
{
	if (!inet_ntop(w->family == FLOW_FAM_IPV4 ? AF_INET : AF_INET6, addr,
		       out, (socklen_t)n))
		snprintf(out, n, "?");
}

/* The syslog line (RFC 3164, as syslog(3) writes it, which journald and
 * rsyslog read): the program is escaped (its path is anybody's choice). */
static void al_log(struct alert *a, const struct al_item *it, unsigned bits,
		   const struct print_annot *pa, const char *peer)
{
	char line[2048], prog[1024], when[32], kinds[40] = "", src[64],
	     dst[64], place[128] = "";
	const char *proto = flow_proto_name(it->w.l4proto);
	struct msghdr mh = { 0 };
	struct iovec io;
	time_t t = (time_t)al_now_s();
	struct tm tm;
	int n;

	if (a->log < 0)
		return;
	for (unsigned k = 0; k < BL_KINDS; k++)
		if (bits & (1u << k))
			snprintf(kinds + strlen(kinds), sizeof(kinds) - strlen(kinds),
				 "%s%s", kinds[0] ? "," : "", al_json_names[k]);
	esc_term(prog, sizeof(prog), it->program, strlen(it->program));
	if (pa->country && pa->country[0])
		snprintf(place, sizeof(place), " country %.3s", pa->country);
	if (pa->asn)
		snprintf(place + strlen(place), sizeof(place) - strlen(place),
			 " AS%u", pa->asn);
	al_addr(&it->w, it->w.src, src, sizeof(src));
	al_addr(&it->w, it->w.dst, dst, sizeof(dst));
	if (!localtime_r(&t, &tm) || !strftime(when, sizeof(when),
					       "%b %e %H:%M:%S", &tm))
		snprintf(when, sizeof(when), "-");
	n = snprintf(line, sizeof(line), "<%d>%s flowtop[%d]: NEW %s for %s: "
		     "peer %s%s; %s %s:%u -> %s:%u, pid %u, uid %u",
		     1 * 8 + 5, when, (int)getpid(), kinds, prog, peer, place,
		     proto ? proto : "?", src, it->w.sport, dst, it->w.dport,
		     it->w.pid, it->w.uid);
	io = (struct iovec){ line, n < (int)sizeof(line) ? (size_t)n :
			     sizeof(line) - 1 };
	mh.msg_iov = &io;
	mh.msg_iovlen = 1;
	/* A syslog that lags must not stall the screen: the line is
	 * counted lost instead. */
	if (sendmsg(a->log, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		a->lost++;
}

static void al_judge(struct alert *a, const struct alert_ctx *c,
		     const struct al_item *it)
{
	const uint8_t *peer = al_peer(&it->w);
	struct print_annot pa;
	char addr[64], asn[16];
	uint64_t now = al_now_s();
	unsigned bits = 0;
	struct flow_entry *e;

	al_addr(&it->w, peer, addr, sizeof(addr));
	annots_get((void *)c->annots, it->w.family, peer, &pa);
	if (baseline_see(a->b, it->program, BL_DST, addr, now) == 1)
		bits |= BL_NEW_DST;
	if (pa.country && pa.country[0] &&
	    baseline_see(a->b, it->program, BL_COUNTRY, pa.country, now) == 1)
		bits |= BL_NEW_COUNTRY;
	snprintf(asn, sizeof(asn), "%u", pa.asn);
	if (pa.asn && baseline_see(a->b, it->program, BL_ASN, asn, now) == 1)
		bits |= BL_NEW_ASN;
	if (!a->o->alert || !bits)
		return;
	e = flow_table_find_mut(c->table, it->w.id, it->th);
	if (e)
		e->alert |= (uint8_t)bits;
	a->marked++;
	al_log(a, it, bits, &pa, addr);
}

/* Hand e to the judgement once its owner is known. */
static void al_offer(struct alert *a, const struct alert_ctx *c,
		     struct flow_entry *e, uint64_t now)
{
	char program[AL_PROGRAM_MAX + 8];
	const struct ui_owner *ow;
	struct al_item it;

	if (e->w.owner != FLOW_OWNER_SOCKET || !e->w.pid)
		return;         /* not (yet) known: asked again next pass */
	ow = owners_get(c->owners, e->w.pid, flow_owner_tag(&e->w));
	if (!ow)
		return;
	e->alert |= ALERT_QUEUED;
	if (e->w.side == FLOW_SIDE_NONE || al_program(ow, program,
						      sizeof(program)) < 0)
		return;         /* no program to judge it for */
	it = (struct al_item){ .w = e->w, .th = e->tuple_hash,
			       .deadline = now + AL_GEO_WAIT_NS,
			       .program = strdup(program) };
	if (!it.program)
		return;
	if (!c->geo || a->nq >= AL_QUEUE_MAX) {
		al_judge(a, c, &it);
		free(it.program);
		return;
	}
	if (a->nq == a->q_cap) {
		size_t cap = a->q_cap ? a->q_cap * 2 : 256;
		struct al_item *q = realloc(a->q, cap * sizeof(*q));

		if (!q) {
			al_judge(a, c, &it);
			free(it.program);
			return;
		}
		a->q = q;
		a->q_cap = cap;
	}
	a->q[a->nq++] = it;
}

/* Judge the waiting flows whose places are known, or that waited long
 * enough (all of them when all). */
static void al_drain(struct alert *a, const struct alert_ctx *c,
		     uint64_t now, int all)
{
	size_t i, k = 0;

	for (i = 0; i < a->nq; i++) {
		struct al_item *it = &a->q[i];

		if (all || now >= it->deadline ||
		    annots_answered(c->annots, it->w.family, al_peer(&it->w),
				    LOOKUP_GEO)) {
			al_judge(a, c, it);
			free(it->program);
		} else {
			a->q[k++] = *it;
		}
	}
	a->nq = k;
	if (baseline_dirty(a->b) && !a->dirty_since)
		a->dirty_since = now ? now : 1;
}

void alert_pass(struct alert *a, const struct alert_ctx *c, uint64_t now_ns)
{
	struct flow_entry *e;

	for (size_t i = 0; (e = flow_table_at_mut(c->table, i)); i++)
		if (!(e->alert & ALERT_QUEUED))
			al_offer(a, c, e, now_ns);
	al_drain(a, c, now_ns, 0);
}

void alert_settle(struct alert *a, const struct alert_ctx *c,
		  uint64_t now_ns)
{
	al_drain(a, c, now_ns, 0);
}

void alert_gone(struct alert *a, const struct alert_ctx *c,
		const struct flow_entry *e)
{
	struct flow_entry copy = *e;

	if (!(copy.alert & ALERT_QUEUED))
		al_offer(a, c, &copy, clock_mono_ns());
}

void alert_flush(struct alert *a, const struct alert_ctx *c)
{
	al_drain(a, c, clock_mono_ns(), 1);
}

static int al_send(int fd, char kind, const char *p, size_t n)
{
	char head = kind;
	struct iovec io[2] = { { &head, 1 }, { (void *)p, n } };
	struct msghdr mh = { .msg_iov = io, .msg_iovlen = n ? 2 : 1 };
	ssize_t r;

	do
		r = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)(1 + n) ? 0 : -1;
}

int alert_save(struct alert *a, uint64_t now_ns, int final)
{
	char *text;
	size_t len, off;

	if (!baseline_dirty(a->b) && !(final && a->fresh))
		return 0;
	if (!final && (!a->dirty_since || now_ns - a->dirty_since < AL_SAVE_NS))
		return 0;
	if (baseline_format(a->b, al_now_s(), &text, &len) < 0)
		return 0;       /* out of memory: tried again at the next */
	for (off = 0; off < len; off += BW_CHUNK) {
		size_t n = len - off < BW_CHUNK ? len - off : BW_CHUNK;

		if (al_send(a->chan, BW_DATA, text + off, n) < 0)
			break;
	}
	free(text);
	a->dirty_since = 0;
	a->fresh = 0;
	return off >= len && al_send(a->chan, BW_COMMIT, NULL, 0) == 0 ? 0 : -1;
}

uint64_t alert_marked(const struct alert *a)
{
	return a->marked;
}

int alert_logs(const struct alert *a)
{
	return a->log >= 0;
}

uint64_t alert_lost(const struct alert *a)
{
	return a->lost;
}

size_t alert_entries(const struct alert *a)
{
	return baseline_count(a->b);
}
