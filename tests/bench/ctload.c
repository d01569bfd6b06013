/* SPDX-License-Identifier: GPL-2.0-only */
/* ctload: synthetic conntrack load for flowtop's benchmarks.
 *
 *   ctload fill N [--from I]       insert N entries (indices I .. I+N-1)
 *   ctload churn R D [--from I] [--lag-ms L]
 *                                  create R entries per second and destroy
 *                                  each about L ms (default 50) after it was
 *                                  created, for D seconds: R creates plus R
 *                                  destroys per second, 2R kernel events
 *   ctload flush-synthetic         destroy every entry ctload could have made
 *
 * Meant to run inside a network namespace the caller made for it
 * (`ip netns exec NS ctload ...`): it works on the conntrack table of the
 * namespace it runs in and sends no packets.
 *
 * Entries are talked into existence over ctnetlink (IPCTNL_MSG_CT_NEW with
 * NLM_F_CREATE|NLM_F_EXCL, IPCTNL_MSG_CT_DELETE), many messages to one
 * sendmsg: the kernel runs every message of the datagram in the sender's
 * context before sendmsg returns, and answers only the ones that fail
 * (no NLM_F_ACK), so a batch costs one system call and the errors are read
 * back right after it. Messages are built by libnetfilter_conntrack
 * (nfct_nlmsg_build) into libmnl buffers.
 *
 * What an entry looks like: index i picks the kind (i % 4: TCP/IPv4,
 * UDP/IPv4, TCP/IPv6, UDP/IPv6) and, through j = i / 4, a distinct tuple:
 *   IPv4  198.18.(j>>8 & 255).(j & 255):(1024 + (j>>16)) -> 198.19.K.1:443
 *   IPv6  2001:db8:K::(j):40000 -> 2001:db8:ffff::1:443
 * where K is 1 for `fill` entries and 2 for `churn` entries, so the two
 * never collide. Both directions are marked seen (SEEN_REPLY|ASSURED: never
 * early-dropped), TCP entries are ESTABLISHED, fill entries time out after
 * an hour and churn entries after ten minutes. All addresses are in the
 * benchmarking (RFC 2544) and documentation (RFC 3849) prefixes, never
 * loopback, so flowtop shows them.
 *
 * Table size: the limit is net.netfilter.nf_conntrack_max. On the kernels
 * checked (6.18) the value is global: writable only in the initial
 * namespace, read-only (mode 0444) in every other one, where it shows the
 * global value; but the kernel compares it with each namespace's own count
 * (nf_conntrack_count is per namespace), so every namespace may hold up to
 * nf_conntrack_max entries of its own. nf_conntrack_buckets (the hash
 * table, shared by all namespaces) is likewise read-only outside the
 * initial namespace. `fill` therefore cannot raise the limit from inside a
 * namespace: it says so, and how many entries will not fit, before it
 * starts. It tries to raise it when it runs in the initial namespace.
 *
 * Prints one line of key=value figures per command on stdout; exit 0, 1 on
 * a runtime error, 2 on a usage error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>

#define SYSCTL_DIR "/proc/sys/net/netfilter/"

#define KIND_FILL 1u
#define KIND_CHURN 2u
#define TIMEOUT_FILL 3600u
#define TIMEOUT_CHURN 600u
#define DPORT 443u
#define V6_SPORT 40000u

/* One sendmsg's worth of messages. The kernel refuses a datagram larger
 * than the socket's send buffer, which is raised to match. */
#define BATCH_BYTES (256u << 10)
/* Room left for one more message: a create of an IPv6 entry takes about
 * 200 bytes. */
#define MSG_ROOM 512u
#define SOCK_BUF (8u << 20)

/* Pacing step of `churn`: work is sent at most every STEP_NS. */
#define STEP_NS 1000000ull

#define MAX_INDEX (1ull << 32)

enum op { OP_CREATE, OP_DESTROY };

/* Errors the kernel reported, by kind. */
struct errs {
	uint64_t exist;     /* EEXIST: the tuple was already there */
	uint64_t noent;     /* ENOENT: nothing to destroy */
	uint64_t nomem;     /* ENOMEM: the table is full */
	uint64_t other;
	int first_other;    /* errno of the first "other" */
	uint64_t lost;      /* answers the receive queue dropped (ENOBUFS) */
};

struct batch {
	struct mnl_socket *nl;
	char *buf;
	size_t len;
	uint32_t seq;
	uint32_t n;             /* messages in buf */
	struct errs err;
	/* Templates, one per kind of entry and operation, so that setting a
	 * tuple overwrites the attributes set for the previous one. */
	struct nf_conntrack *tmpl[2][4];
};

struct tuple {
	uint8_t family;     /* AF_INET, AF_INET6 */
	uint8_t proto;      /* IPPROTO_TCP, IPPROTO_UDP */
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
};

static void die(const char *what)
{
	fprintf(stderr, "ctload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fputs("usage: ctload fill N [--from I]\n"
	      "       ctload churn R D [--from I] [--lag-ms L]\n"
	      "       ctload flush-synthetic\n", stderr);
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

/* ---------------------------------------------------------------- tuples */

static void synth_tuple(unsigned kind, uint64_t i, struct tuple *t)
{
	uint32_t j = (uint32_t)(i >> 2);
	unsigned type = (unsigned)(i & 3);

	memset(t, 0, sizeof(*t));
	t->proto = (type & 1) ? IPPROTO_UDP : IPPROTO_TCP;
	t->dport = DPORT;
	if (type < 2) {
		t->family = AF_INET;
		t->src[0] = 198;
		t->src[1] = 18;
		t->src[2] = (uint8_t)(j >> 8);
		t->src[3] = (uint8_t)j;
		t->sport = (uint16_t)(1024u + (j >> 16));
		t->dst[0] = 198;
		t->dst[1] = 19;
		t->dst[2] = (uint8_t)kind;
		t->dst[3] = 1;
	} else {
		t->family = AF_INET6;
		t->src[0] = 0x20;
		t->src[1] = 0x01;
		t->src[2] = 0x0d;
		t->src[3] = 0xb8;
		t->src[5] = (uint8_t)kind;
		t->src[12] = (uint8_t)(j >> 24);
		t->src[13] = (uint8_t)(j >> 16);
		t->src[14] = (uint8_t)(j >> 8);
		t->src[15] = (uint8_t)j;
		t->sport = V6_SPORT;
		memcpy(t->dst, t->src, 4);
		t->dst[4] = 0xff;
		t->dst[5] = 0xff;
		t->dst[15] = 1;
	}
}

/* Is this an address ctload makes? 198.18.0.0/15, 2001:db8::/32. */
static int synth_addr(uint8_t family, const uint8_t *a)
{
	static const uint8_t db8[4] = { 0x20, 0x01, 0x0d, 0xb8 };

	if (family == AF_INET)
		return a[0] == 198 && (a[1] & 0xfe) == 18;
	return family == AF_INET6 && memcmp(a, db8, sizeof(db8)) == 0;
}

/* ---------------------------------------------------------------- netlink */

static struct nf_conntrack *tmpl_new(enum op op, unsigned type)
{
	struct nf_conntrack *ct = nfct_new();

	if (!ct)
		die("nfct_new");
	nfct_set_attr_u8(ct, ATTR_L3PROTO, type < 2 ? AF_INET : AF_INET6);
	nfct_set_attr_u8(ct, ATTR_L4PROTO,
			 (type & 1) ? IPPROTO_UDP : IPPROTO_TCP);
	if (op == OP_DESTROY)
		return ct;
	nfct_set_attr_u32(ct, ATTR_STATUS, IPS_SEEN_REPLY | IPS_ASSURED);
	if (!(type & 1))
		nfct_set_attr_u8(ct, ATTR_TCP_STATE,
				 TCP_CONNTRACK_ESTABLISHED);
	return ct;
}

static void batch_open(struct batch *b)
{
	int on = 1, size = SOCK_BUF;
	unsigned op, type;

	memset(b, 0, sizeof(*b));
	b->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!b->nl)
		die("netlink socket");
	if (mnl_socket_bind(b->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink bind");
	/* Answers carry only the failed message's header. */
	mnl_socket_setsockopt(b->nl, NETLINK_CAP_ACK, &on, sizeof(on));
	/* The FORCE variants pass the rmem_max/wmem_max caps (we are root
	 * in the namespace); the plain ones are the fallback. */
	if (setsockopt(mnl_socket_get_fd(b->nl), SOL_SOCKET, SO_SNDBUFFORCE,
		       &size, sizeof(size)) < 0)
		setsockopt(mnl_socket_get_fd(b->nl), SOL_SOCKET, SO_SNDBUF,
			   &size, sizeof(size));
	if (setsockopt(mnl_socket_get_fd(b->nl), SOL_SOCKET, SO_RCVBUFFORCE,
		       &size, sizeof(size)) < 0)
		setsockopt(mnl_socket_get_fd(b->nl), SOL_SOCKET, SO_RCVBUF,
			   &size, sizeof(size));
	b->buf = malloc(BATCH_BYTES);
	if (!b->buf)
		die("malloc");
	b->seq = (uint32_t)time(NULL);
	for (op = 0; op < 2; op++)
		for (type = 0; type < 4; type++)
			b->tmpl[op][type] = tmpl_new((enum op)op, type);
}

static void batch_close(struct batch *b)
{
	unsigned op, type;

	for (op = 0; op < 2; op++)
		for (type = 0; type < 4; type++)
			nfct_destroy(b->tmpl[op][type]);
	free(b->buf);
	mnl_socket_close(b->nl);
}

static void errs_count(struct errs *e, int error)
{
	switch (error) {
	case EEXIST:
		e->exist++;
		break;
	case ENOENT:
		e->noent++;
		break;
	case ENOMEM:
		e->nomem++;
		break;
	default:
		if (!e->other)
			e->first_other = error;
		e->other++;
	}
}

static uint64_t errs_total(const struct errs *e)
{
	return e->exist + e->noent + e->nomem + e->other + e->lost;
}

/* Read every answer already queued: after sendmsg returns, the kernel has
 * run all the batch's messages, so whatever failed is in the queue. */
static void batch_drain(struct batch *b)
{
	char rbuf[64 << 10];

	for (;;) {
		ssize_t n = recv(mnl_socket_get_fd(b->nl), rbuf, sizeof(rbuf),
				 MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)rbuf;
		int len;

		if (n < 0 && errno == ENOBUFS) {
			/* Too many failures at once to queue them all. */
			b->err.lost++;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0)
			die("netlink recv");
		for (len = (int)n; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e;

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			if (e->error)
				errs_count(&b->err, -e->error);
		}
	}
}

static void batch_send(struct batch *b)
{
	if (b->len == 0)
		return;
	if (mnl_socket_sendto(b->nl, b->buf, b->len) < 0)
		die("netlink send");
	b->len = 0;
	b->n = 0;
	batch_drain(b);
}

static void batch_add(struct batch *b, enum op op, unsigned kind, uint64_t i)
{
	unsigned type = (unsigned)(i & 3);
	struct nf_conntrack *ct = b->tmpl[op][type];
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfh;
	struct tuple t;

	synth_tuple(kind, i, &t);
	if (t.family == AF_INET) {
		uint32_t s, d;

		memcpy(&s, t.src, 4);
		memcpy(&d, t.dst, 4);
		nfct_set_attr_u32(ct, ATTR_ORIG_IPV4_SRC, s);
		nfct_set_attr_u32(ct, ATTR_ORIG_IPV4_DST, d);
	} else {
		nfct_set_attr(ct, ATTR_ORIG_IPV6_SRC, t.src);
		nfct_set_attr(ct, ATTR_ORIG_IPV6_DST, t.dst);
	}
	nfct_set_attr_u16(ct, ATTR_ORIG_PORT_SRC, htons(t.sport));
	nfct_set_attr_u16(ct, ATTR_ORIG_PORT_DST, htons(t.dport));
	if (op == OP_CREATE) {
		nfct_setobjopt(ct, NFCT_SOPT_SETUP_REPLY);
		nfct_set_attr_u32(ct, ATTR_TIMEOUT,
				  kind == KIND_FILL ? TIMEOUT_FILL :
				  TIMEOUT_CHURN);
	}

	if (BATCH_BYTES - b->len < MSG_ROOM)
		batch_send(b);
	nlh = mnl_nlmsg_put_header(b->buf + b->len);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) |
			  (op == OP_CREATE ? IPCTNL_MSG_CT_NEW :
			   IPCTNL_MSG_CT_DELETE);
	nlh->nlmsg_flags = NLM_F_REQUEST;
	if (op == OP_CREATE)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	nlh->nlmsg_seq = ++b->seq;
	nfh = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfh));
	nfh->nfgen_family = t.family;
	nfh->version = NFNETLINK_V0;
	nfh->res_id = 0;
	if (nfct_nlmsg_build(nlh, ct) < 0)
		die("nfct_nlmsg_build");
	b->len += nlh->nlmsg_len;
	b->n++;
}

static void errs_print(const struct errs *e)
{
	printf(" errors=%" PRIu64, errs_total(e));
	if (e->exist)
		printf(" eexist=%" PRIu64, e->exist);
	if (e->noent)
		printf(" enoent=%" PRIu64, e->noent);
	if (e->nomem)
		printf(" enomem=%" PRIu64, e->nomem);
	if (e->other)
		printf(" other=%" PRIu64 "(%s)", e->other,
		       strerror(e->first_other));
	if (e->lost)
		printf(" lost_answers=%" PRIu64, e->lost);
}

/* ---------------------------------------------------------------- sysctls */

/* A sysctl of this namespace as a number; -1 when unreadable. */
static long long sysctl_get(const char *name)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), SYSCTL_DIR "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int sysctl_set(const char *name, long long v)
{
	char path[128];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), SYSCTL_DIR "%s", name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	rc = fprintf(f, "%lld\n", v) < 0;
	if (fclose(f) != 0)
		rc = 1;
	return rc ? -1 : 0;
}

/* Make room for `more` entries, or say why there is none. */
static void room_for(uint64_t more)
{
	long long max = sysctl_get("nf_conntrack_max");
	long long count = sysctl_get("nf_conntrack_count");
	long long want;

	if (max < 0 || count < 0) {
		fprintf(stderr, "ctload: warning: cannot read " SYSCTL_DIR
			"nf_conntrack_{max,count} (is nf_conntrack loaded?)\n");
		return;
	}
	want = count + (long long)more;
	/* 0 means no limit. */
	if (max == 0 || want <= max)
		return;
	if (sysctl_set("nf_conntrack_max", want) == 0 &&
	    sysctl_get("nf_conntrack_max") >= want) {
		fprintf(stderr, "ctload: raised nf_conntrack_max from %lld to "
			"%lld\n", max, want);
		return;
	}
	fprintf(stderr, "ctload: warning: nf_conntrack_max is %lld and %lld "
		"entries exist: %lld of the %" PRIu64 " will not fit. The limit "
		"can only be raised in the initial namespace "
		"(sysctl -w net.netfilter.nf_conntrack_max=%lld there); it "
		"applies to each namespace's own count\n",
		max, count, want - max, more, want);
}

/* ---------------------------------------------------------------- commands */

static uint64_t parse_u64(const char *s, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		usage();
	return v;
}

static int cmd_fill(uint64_t n, uint64_t from)
{
	struct batch b;
	uint64_t t0, t1, i;

	if (from + n > MAX_INDEX) {
		fprintf(stderr, "ctload: at most %llu entries\n", MAX_INDEX);
		return 2;
	}
	room_for(n);
	batch_open(&b);
	t0 = now_ns();
	for (i = from; i < from + n; i++)
		batch_add(&b, OP_CREATE, KIND_FILL, i);
	batch_send(&b);
	t1 = now_ns();
	printf("ctload: fill: created=%" PRIu64, n - b.err.exist -
	       b.err.nomem - b.err.other - b.err.lost);
	errs_print(&b.err);
	printf(" elapsed=%.3f rate=%.0f/s count=%lld max=%lld\n",
	       secs(t1 - t0), (double)n / secs(t1 - t0 ? t1 - t0 : 1),
	       sysctl_get("nf_conntrack_count"), sysctl_get("nf_conntrack_max"));
	batch_close(&b);
	return errs_total(&b.err) ? 1 : 0;
}

/* Create R entries per second for D seconds, each destroyed lag_ms after
 * it was created; at the end, destroy the ones still alive. */
static int cmd_churn(uint64_t rate, uint64_t dur, uint64_t from,
		     uint64_t lag_ms)
{
	uint64_t total = rate * dur, created = 0, destroyed = 0;
	uint64_t t0, t1, lag_ns = lag_ms * 1000000ull, end_ns, t;
	struct batch b;

	if (from + total > MAX_INDEX) {
		fprintf(stderr, "ctload: at most %llu entries\n", MAX_INDEX);
		return 2;
	}
	room_for(rate * lag_ms / 1000 + 1);
	batch_open(&b);
	t0 = now_ns();
	end_ns = dur * 1000000000ull;
	for (;;) {
		uint64_t want_c, want_d;

		t = now_ns() - t0;
		if (t > end_ns)
			t = end_ns;
		want_c = (uint64_t)((double)rate * secs(t));
		want_d = t > lag_ns ?
			 (uint64_t)((double)rate * secs(t - lag_ns)) : 0;
		if (want_c > total)
			want_c = total;
		while (created < want_c)
			batch_add(&b, OP_CREATE, KIND_CHURN, from + created++);
		if (want_d > created)
			want_d = created;
		while (destroyed < want_d)
			batch_add(&b, OP_DESTROY, KIND_CHURN,
				  from + destroyed++);
		batch_send(&b);
		if (t >= end_ns && created == total)
			break;
		/* Behind schedule: go on at once; else sleep one step. */
		if (now_ns() - t0 < t + STEP_NS) {
			struct timespec ts = { 0, (long)STEP_NS };

			nanosleep(&ts, NULL);
		}
	}
	while (destroyed < created)
		batch_add(&b, OP_DESTROY, KIND_CHURN, from + destroyed++);
	batch_send(&b);
	t1 = now_ns();
	printf("ctload: churn: target=%" PRIu64 "/s duration=%" PRIu64
	       " created=%" PRIu64 " destroyed=%" PRIu64, rate, dur,
	       created - b.err.exist - b.err.nomem,
	       destroyed - b.err.noent);
	errs_print(&b.err);
	/* The achieved rate counts what the kernel did: creates and destroys
	 * that failed are not churn. */
	printf(" elapsed=%.3f achieved=%.0f/s\n", secs(t1 - t0),
	       (double)(created - b.err.exist - b.err.nomem) /
	       secs(t1 - t0));
	batch_close(&b);
	return errs_total(&b.err) ? 1 : 0;
}

/* flush-synthetic: list the table, keep the tuples of ctload's entries,
 * then destroy them. Not while listing: deleting under a dump makes it
 * skip entries. Repeated until a pass finds none (at most a few passes). */
struct found {
	struct tuple *v;
	size_t n, cap;
};

static int found_cb(const struct nlmsghdr *nlh, void *data)
{
	struct found *f = data;
	struct nf_conntrack *ct = nfct_new();
	struct tuple t;

	if (!ct)
		return MNL_CB_ERROR;
	if (nfct_nlmsg_parse(nlh, ct) < 0)
		goto out;
	memset(&t, 0, sizeof(t));
	t.family = nfct_get_attr_u8(ct, ATTR_L3PROTO);
	t.proto = nfct_get_attr_u8(ct, ATTR_L4PROTO);
	if (t.family == AF_INET) {
		uint32_t s = nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_SRC);
		uint32_t d = nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST);

		memcpy(t.src, &s, 4);
		memcpy(t.dst, &d, 4);
	} else if (t.family == AF_INET6) {
		const void *s = nfct_get_attr(ct, ATTR_ORIG_IPV6_SRC);
		const void *d = nfct_get_attr(ct, ATTR_ORIG_IPV6_DST);

		if (!s || !d)
			goto out;
		memcpy(t.src, s, 16);
		memcpy(t.dst, d, 16);
	} else {
		goto out;
	}
	if ((t.proto != IPPROTO_TCP && t.proto != IPPROTO_UDP) ||
	    !synth_addr(t.family, t.src) || !synth_addr(t.family, t.dst))
		goto out;
	t.sport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_SRC));
	t.dport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST));
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 4096;
		struct tuple *v = realloc(f->v, cap * sizeof(*v));

		if (!v) {
			nfct_destroy(ct);
			return MNL_CB_ERROR;
		}
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n++] = t;
out:
	nfct_destroy(ct);
	return MNL_CB_OK;
}

static void list_synthetic(struct batch *b, struct found *f)
{
	char *rbuf = malloc(BATCH_BYTES);
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfh;
	uint32_t seq = ++b->seq;
	unsigned portid = mnl_socket_get_portid(b->nl);
	ssize_t n;
	int r;

	if (!rbuf)
		die("malloc");
	nlh = mnl_nlmsg_put_header(rbuf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfh = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfh));
	nfh->nfgen_family = AF_UNSPEC;
	nfh->version = NFNETLINK_V0;
	nfh->res_id = 0;
	if (mnl_socket_sendto(b->nl, nlh, nlh->nlmsg_len) < 0)
		die("netlink send (dump)");
	f->n = 0;
	do {
		n = mnl_socket_recvfrom(b->nl, rbuf, BATCH_BYTES);
		if (n < 0)
			die("netlink recv (dump)");
		r = mnl_cb_run(rbuf, (size_t)n, seq, portid, found_cb, f);
	} while (r > 0);
	if (r < 0)
		die("conntrack dump");
	free(rbuf);
}

static void destroy_tuple(struct batch *b, const struct tuple *t)
{
	unsigned type = (t->family == AF_INET ? 0 : 2) |
			(t->proto == IPPROTO_UDP ? 1 : 0);
	struct nf_conntrack *ct = b->tmpl[OP_DESTROY][type];
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfh;

	if (t->family == AF_INET) {
		uint32_t s, d;

		memcpy(&s, t->src, 4);
		memcpy(&d, t->dst, 4);
		nfct_set_attr_u32(ct, ATTR_ORIG_IPV4_SRC, s);
		nfct_set_attr_u32(ct, ATTR_ORIG_IPV4_DST, d);
	} else {
		nfct_set_attr(ct, ATTR_ORIG_IPV6_SRC, t->src);
		nfct_set_attr(ct, ATTR_ORIG_IPV6_DST, t->dst);
	}
	nfct_set_attr_u16(ct, ATTR_ORIG_PORT_SRC, htons(t->sport));
	nfct_set_attr_u16(ct, ATTR_ORIG_PORT_DST, htons(t->dport));
	if (BATCH_BYTES - b->len < MSG_ROOM)
		batch_send(b);
	nlh = mnl_nlmsg_put_header(b->buf + b->len);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = ++b->seq;
	nfh = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfh));
	nfh->nfgen_family = t->family;
	nfh->version = NFNETLINK_V0;
	nfh->res_id = 0;
	if (nfct_nlmsg_build(nlh, ct) < 0)
		die("nfct_nlmsg_build");
	b->len += nlh->nlmsg_len;
	b->n++;
}

static int cmd_flush(void)
{
	struct found f = { 0 };
	uint64_t total = 0, t0 = now_ns();
	struct batch b;
	int pass;
	size_t i;

	batch_open(&b);
	for (pass = 0; pass < 5; pass++) {
		list_synthetic(&b, &f);
		if (f.n == 0)
			break;
		for (i = 0; i < f.n; i++)
			destroy_tuple(&b, &f.v[i]);
		batch_send(&b);
		total += f.n;
	}
	/* Entries that timed out between the listing and the delete are
	 * gone either way. */
	printf("ctload: flush-synthetic: destroyed=%" PRIu64,
	       total - b.err.noent);
	b.err.noent = 0;
	errs_print(&b.err);
	printf(" elapsed=%.3f left=%zu count=%lld\n", secs(now_ns() - t0),
	       f.n, sysctl_get("nf_conntrack_count"));
	free(f.v);
	batch_close(&b);
	return f.n || errs_total(&b.err) ? 1 : 0;
}

int main(int argc, char **argv)
{
	uint64_t from = 0, lag_ms = 50;
	int i, npos = 0;
	const char *pos[3] = { 0 };

	/* Line-buffered even into a pipe: the caller reads as we go. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--from") && i + 1 < argc)
			from = parse_u64(argv[++i], MAX_INDEX);
		else if (!strcmp(argv[i], "--lag-ms") && i + 1 < argc)
			lag_ms = parse_u64(argv[++i], 60000);
		else if (argv[i][0] == '-' || npos == 3)
			usage();
		else
			pos[npos++] = argv[i];
	}
	if (npos == 0)
		usage();
	if (!strcmp(pos[0], "fill") && npos == 2)
		return cmd_fill(parse_u64(pos[1], MAX_INDEX), from);
	if (!strcmp(pos[0], "churn") && npos == 3)
		return cmd_churn(parse_u64(pos[1], 10000000),
				 parse_u64(pos[2], 3600), from, lag_ms);
	if (!strcmp(pos[0], "flush-synthetic") && npos == 1)
		return cmd_flush();
	usage();
	return 2;
}
