/* SPDX-License-Identifier: GPL-2.0-only */
/* procmap_src: where procmap's sockets and local addresses come from.
 *
 * TCP, UDP and UDP-Lite: one NETLINK_SOCK_DIAG dump (inet_diag_req_v2) per
 * protocol and family. Ping sockets: /proc/net/icmp and /proc/net/icmp6,
 * because inet_diag has no handler that lists them (asked for
 * IPPROTO_ICMP, a 6.x kernel answers with an empty dump). This host's
 * addresses: an RTM_GETADDR dump. Both netlink sockets are opened by
 * pm_src_open(), before the collector confines itself; afterwards only
 * sendto/recvfrom on them and openat/read of /proc/net are needed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collector/procmap_int.h"

#define PM_ICMP_FILE_MAX (64u << 20)    /* about 400k ping sockets */

int pm_table_family(enum pm_table t)
{
	return t < PM_TCP6 ? AF_INET : AF_INET6;
}

uint8_t pm_table_proto(enum pm_table t)
{
	static const uint8_t p[PM_TABLES] = {
		[PM_TCP4] = IPPROTO_TCP, [PM_UDP4] = IPPROTO_UDP,
		[PM_UDPLITE4] = IPPROTO_UDPLITE, [PM_ICMP4] = IPPROTO_ICMP,
		[PM_TCP6] = IPPROTO_TCP, [PM_UDP6] = IPPROTO_UDP,
		[PM_UDPLITE6] = IPPROTO_UDPLITE, [PM_ICMP6] = IPPROTO_ICMPV6,
	};

	return p[t];
}

enum pm_table pm_table_of(int family, uint8_t proto)
{
	for (int t = 0; t < PM_TABLES; t++)
		if (pm_table_family((enum pm_table)t) == family &&
		    pm_table_proto((enum pm_table)t) == proto)
			return (enum pm_table)t;
	return PM_TABLES;
}

int pm_src_open(struct procmap *m, char *err, size_t errlen)
{
	m->diag_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
			    NETLINK_SOCK_DIAG);
	if (m->diag_fd < 0) {
		snprintf(err, errlen, "cannot open a sock_diag socket: %s",
			 strerror(errno));
		return -1;
	}
	m->rt_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (m->rt_fd < 0) {
		snprintf(err, errlen, "cannot open a rtnetlink socket: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

void pm_src_close(struct procmap *m)
{
	if (m->diag_fd >= 0)
		close(m->diag_fd);
	if (m->rt_fd >= 0)
		close(m->rt_fd);
	m->diag_fd = m->rt_fd = -1;
}

/* ------------------------------------------------------------ netlink */

typedef int (*pm_nl_fn)(struct procmap *m, const struct nlmsghdr *h,
			void *arg);

/* One message of our dump; 1 when the dump is over (*rc says how). */
static int pm_nl_msg(struct procmap *m, const struct nlmsghdr *h, pm_nl_fn fn,
		     void *arg, int *rc)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	int r;

	if (h->nlmsg_type == NLMSG_DONE) {
		/* A dump that failed midway says so in DONE's payload. */
		if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
			memcpy(&r, NLMSG_DATA(h), sizeof(r));
		else
			r = 0;
		*rc = r < 0 ? r : 0;
		return 1;
	}
	/* An error, or the acknowledgement (0) of a request without a dump. */
	if (h->nlmsg_type == NLMSG_ERROR) {
		*rc = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) ? e->error : -EIO;
		return 1;
	}
	if (*rc == 0 && fn(m, h, arg) < 0)
		*rc = -ENOMEM;  /* read on to the end; report afterwards */
	/* The table changed under the dump: some sockets may be missing. */
	if (h->nlmsg_flags & NLM_F_DUMP_INTR)
		m->dump_intr = 1;
	return 0;
}

/* Send a request, a dump (NLM_F_DUMP) or one acknowledged (NLM_F_ACK),
 * and feed every answer to fn. 0, or a negative errno (the kernel's, or
 * -EIO/-ENOMEM for our own trouble); m->dump_intr says whether the kernel
 * flagged a dump as inconsistent. */
static int pm_nl_ask(struct procmap *m, int fd, struct nlmsghdr *req,
		     uint16_t how, pm_nl_fn fn, void *arg)
{
	uint32_t seq = ++m->seq;
	int rc = 0;

	m->dump_intr = 0;
	req->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | how);
	req->nlmsg_seq = seq;
	if (send(fd, req, req->nlmsg_len, 0) < 0)
		return -EIO;
	for (;;) {
		ssize_t n = recv(fd, m->buf, m->buflen, MSG_TRUNC);
		const struct nlmsghdr *h = (const void *)m->buf;
		unsigned int len = (unsigned int)n;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (size_t)n > m->buflen)
			return -EIO;
		for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			/* Leftovers of an earlier, abandoned dump. */
			if (h->nlmsg_seq != seq)
				continue;
			if (pm_nl_msg(m, h, fn, arg, &rc))
				return rc;
		}
	}
}

/* ------------------------------------------------------------ sock_diag */

static uint8_t pm_diag_v6only(const struct nlmsghdr *h,
			      const struct inet_diag_msg *d)
{
	const struct rtattr *a = (const void *)((const char *)d +
						NLMSG_ALIGN(sizeof(*d)));
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*d));

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == INET_DIAG_SKV6ONLY && RTA_PAYLOAD(a) >= 1)
			return *(const uint8_t *)RTA_DATA(a);
	return 0;
}

/* The socket an inet_diag answer h (d its payload) describes. */
static void pm_diag_sock(const struct nlmsghdr *h,
			 const struct inet_diag_msg *d, uint8_t proto,
			 struct procmap_sock *s)
{
	memset(s, 0, sizeof(*s));
	s->family = d->idiag_family;
	s->l4proto = proto;
	s->v6only = s->family == AF_INET6 ? pm_diag_v6only(h, d) : 0;
	memcpy(s->local, d->id.idiag_src, 16);
	memcpy(s->remote, d->id.idiag_dst, 16);
	s->lport = ntohs(d->id.idiag_sport);
	s->rport = ntohs(d->id.idiag_dport);
	s->inode = d->idiag_inode;
	s->uid = d->idiag_uid;
}

/* Where the answers of a request go: a table (a dump) or a protocol
 * (an exact request), in namespace ns's socket table. */
struct pm_diag_to {
	enum pm_table t;
	uint8_t proto;
	uint16_t ns;
};

static int pm_diag_msg(struct procmap *m, const struct nlmsghdr *h, void *arg)
{
	const struct pm_diag_to *to = arg;
	const struct inet_diag_msg *d = NLMSG_DATA(h);
	struct procmap_sock s;

	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*d)) ||
	    d->idiag_family != pm_table_family(to->t))
		return 0;
	pm_diag_sock(h, d, pm_table_proto(to->t), &s);
	if (!to->ns && s.l4proto == IPPROTO_TCP &&
	    d->idiag_state == TCP_ESTABLISHED)
		m->established[to->t]++;
	return pm_round_add_ns(m, &s, to->t, to->ns);
}

/* The kernel can't list this (no IPv6, no UDP-Lite, a diag module
 * missing): not an error, the table just stays empty. */
static int pm_unsupported(int err)
{
	return err == -ENOENT || err == -EOPNOTSUPP || err == -EAFNOSUPPORT ||
	       err == -EPROTONOSUPPORT || err == -EINVAL;
}

int pm_src_dump(struct procmap *m, int fd, uint16_t ns, enum pm_table t)
{
	struct {
		struct nlmsghdr h;
		struct inet_diag_req_v2 r;
	} q;
	struct pm_diag_to to = { t, pm_table_proto(t), ns };
	int rc;

	memset(&q, 0, sizeof(q));
	q.h.nlmsg_len = sizeof(q);
	q.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	q.r.sdiag_family = (uint8_t)pm_table_family(t);
	q.r.sdiag_protocol = pm_table_proto(t);
	q.r.idiag_states = pm_table_proto(t) == IPPROTO_TCP ?
		PM_TCP_STATES : ~0u;
	q.r.id.idiag_cookie[0] = q.r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (!ns)
		m->established[t] = 0;
	rc = pm_nl_ask(m, fd, &q.h, NLM_F_DUMP, pm_diag_msg, &to);
	if (rc < 0 && pm_unsupported(rc))
		return 1;
	if (rc < 0)
		return -1;
	return m->dump_intr ? 2 : 0;
}

/* ------------------------------------------------------------ one tuple */

/* The answer to an exact request: one socket of the request's protocol,
 * in the table of its own family (a dual-stack IPv6 socket answers an
 * IPv4 tuple). A TCP listener or a socket in a state the dumps leave out
 * is not a flow's end. */
static int pm_exact_msg(struct procmap *m, const struct nlmsghdr *h, void *arg)
{
	const struct inet_diag_msg *d = NLMSG_DATA(h);
	const struct pm_diag_to *to = arg;
	uint8_t proto = to->proto;
	struct procmap_sock s;
	enum pm_table t;

	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*d)) ||
	    (t = pm_table_of(d->idiag_family, proto)) == PM_TABLES ||
	    (proto == IPPROTO_TCP && !(PM_TCP_STATES & 1u << d->idiag_state)))
		return 0;
	pm_diag_sock(h, d, proto, &s);
	return pm_round_add_ns(m, &s, t, to->ns);
}

int pm_src_exact(struct procmap *m, int family, uint8_t proto,
		 const uint8_t local[16], uint16_t lport,
		 const uint8_t remote[16], uint16_t rport)
{
	return pm_src_exact_in(m, m->diag_fd, 0, family, proto, local, lport,
			       remote, rport);
}

int pm_src_exact_in(struct procmap *m, int fd, uint16_t ns, int family,
		    uint8_t proto, const uint8_t local[16], uint16_t lport,
		    const uint8_t remote[16], uint16_t rport)
{
	struct {
		struct nlmsghdr h;
		struct inet_diag_req_v2 r;
	} q;
	/* The UDP lookup takes the tuple as a datagram arriving at the
	 * socket would carry it: its source is the socket's remote end. */
	int swap = proto != IPPROTO_TCP;
	struct pm_diag_to to = { PM_TABLES, proto, ns };
	int rc;

	memset(&q, 0, sizeof(q));
	q.h.nlmsg_len = sizeof(q);
	q.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	q.r.sdiag_family = (uint8_t)family;
	q.r.sdiag_protocol = proto;
	q.r.idiag_states = ~0u;
	memcpy(q.r.id.idiag_src, swap ? remote : local, 16);
	memcpy(q.r.id.idiag_dst, swap ? local : remote, 16);
	q.r.id.idiag_sport = htons(swap ? rport : lport);
	q.r.id.idiag_dport = htons(swap ? lport : rport);
	q.r.id.idiag_cookie[0] = q.r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	rc = pm_nl_ask(m, fd, &q.h, NLM_F_ACK, pm_exact_msg, &to);
	if (rc == -ENOENT)
		return 0;
	return rc < 0 ? -1 : 1;
}

/* ------------------------------------------------------------ /proc/net/icmp */

/* "0100007F" (IPv4) or four such words (IPv6): each word is the kernel's
 * u32 printed in host order, so storing it back in host order gives the
 * address bytes. */
static int pm_hex_addr(const char *hex, int family, uint8_t *out)
{
	size_t words = family == AF_INET ? 1 : 4, i;
	char w[9];

	if (strlen(hex) != words * 8)
		return -1;
	for (i = 0; i < words; i++) {
		uint32_t v;
		char *end;

		memcpy(w, hex + i * 8, 8);
		w[8] = 0;
		v = (uint32_t)strtoul(w, &end, 16);
		if (*end)
			return -1;
		memcpy(out + i * 4, &v, 4);
	}
	return 0;
}

/* The next token of a /proc/net line (space separated) from *p: its
 * start and length, *p past it; NULL at the end of the line. */
static const char *pm_tok(const char **p, size_t *len)
{
	const char *s = *p, *e;

	while (*s == ' ')
		s++;
	for (e = s; *e && *e != ' ' && *e != '\n'; e++)
		;
	*p = e;
	*len = (size_t)(e - s);
	return e > s ? s : NULL;
}

/* A hexadecimal (hex) or decimal number of len characters, at most max;
 * 0 or -1. */
static int pm_num(const char *s, size_t len, int hex, unsigned long max,
		  unsigned long *out)
{
	unsigned long v = 0;

	if (!len || len > 20)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int d = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' :
			hex && s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10 :
			hex && s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 10 : -1;

		if (d < 0 || v > (max - (unsigned long)d) / (hex ? 16 : 10))
			return -1;
		v = v * (hex ? 16 : 10) + (unsigned long)d;
	}
	*out = v;
	return 0;
}

/* "ADDRHEX:PORTHEX" into addr and port. */
static int pm_endpoint(const char *s, size_t len, int family, uint8_t *addr,
		       uint16_t *port)
{
	const char *colon = memchr(s, ':', len);
	char hex[33];
	unsigned long v;
	size_t alen;

	if (!colon)
		return -1;
	alen = (size_t)(colon - s);
	if (alen >= sizeof(hex) ||
	    pm_num(colon + 1, len - alen - 1, 1, 0xffff, &v) < 0)
		return -1;
	memcpy(hex, s, alen);
	hex[alen] = 0;
	*port = (uint16_t)v;
	return pm_hex_addr(hex, family, addr);
}

int procmap_parse_net_line(const char *line, int family, uint8_t proto,
			   struct procmap_sock *s, unsigned *state)
{
	/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode ... */
	const char *p = line, *t[10];
	size_t len[10];
	unsigned long st, uid, ino;

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < 10; i++)
		if (!(t[i] = pm_tok(&p, &len[i])))
			return -1;
	if (len[0] < 2 || t[0][len[0] - 1] != ':' ||
	    pm_num(t[3], len[3], 1, 0xff, &st) < 0 ||
	    pm_num(t[7], len[7], 0, UINT32_MAX, &uid) < 0 ||
	    pm_num(t[9], len[9], 0, UINT32_MAX, &ino) < 0 ||
	    pm_endpoint(t[1], len[1], family, s->local, &s->lport) < 0 ||
	    pm_endpoint(t[2], len[2], family, s->remote, &s->rport) < 0)
		return -1;
	s->family = family;
	s->l4proto = proto;
	s->inode = (uint32_t)ino;
	s->uid = (uint32_t)uid;
	*state = (unsigned)st;
	return 0;
}

int procmap_parse_icmp_line(const char *line, int family,
			    struct procmap_sock *s)
{
	unsigned st;

	return procmap_parse_net_line(line, family, family == AF_INET ?
				      IPPROTO_ICMP : IPPROTO_ICMPV6, s, &st);
}

char *pm_slurp(int dirfd, const char *path, int *missing)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	size_t cap = 65536, len = 0;
	char *buf = NULL, *nb;
	ssize_t n = 1;

	*missing = fd < 0 && errno == ENOENT;
	if (fd < 0)
		return NULL;
	while (n > 0 && cap <= PM_ICMP_FILE_MAX && (nb = realloc(buf, cap + 1))) {
		buf = nb;
		while (len < cap && (n = read(fd, buf + len, cap - len)) > 0)
			len += (size_t)n;
		cap *= 2;
	}
	close(fd);
	if (n != 0) {           /* a read error, out of memory, too big */
		free(buf);
		return NULL;
	}
	buf[len] = 0;
	return buf;
}

static int pm_icmp_table(struct procmap *m, enum pm_table t)
{
	int family = pm_table_family(t), missing, rc = 0;
	char *text = pm_slurp(m->root_fd,
			      family == AF_INET ? "net/icmp" : "net/icmp6",
			      &missing);
	char *line, *save = NULL;
	struct procmap_sock s;

	if (!text)
		return missing ? 1 : -1;
	for (line = strtok_r(text, "\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\n", &save))
		if (procmap_parse_icmp_line(line, family, &s) == 0)
			rc = pm_round_add(m, &s, t);
	free(text);
	return rc < 0 ? -1 : 0;
}

int pm_src_table(struct procmap *m, enum pm_table t)
{
	if (t == PM_ICMP4 || t == PM_ICMP6)
		return pm_icmp_table(m, t);
	if (m->diag_fd < 0)
		return 1;
	return pm_src_dump(m, m->diag_fd, 0, t);
}

/* ------------------------------------------------------------ addresses */

struct pm_addrs {
	uint8_t (*a)[16];
	size_t n, cap;
};

static int pm_addr_msg(struct procmap *m, const struct nlmsghdr *h, void *arg)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	const struct rtattr *a = IFA_RTA(ifa), *pick = NULL;
	int len = (int)IFA_PAYLOAD(h);
	struct pm_addrs *acc = arg;
	size_t want;

	(void)m;
	if (h->nlmsg_type != RTM_NEWADDR ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return 0;
	want = ifa->ifa_family == AF_INET ? 4 : 16;
	/* IFA_LOCAL is the address itself; on a point-to-point link
	 * IFA_ADDRESS is the peer's. IPv6 sends IFA_ADDRESS only. */
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if ((a->rta_type == IFA_LOCAL ||
		     (a->rta_type == IFA_ADDRESS && !pick)) &&
		    RTA_PAYLOAD(a) == want)
			pick = a;
	if (!pick)
		return 0;
	if (acc->n == acc->cap) {
		size_t cap = acc->cap ? acc->cap * 2 : 16;
		uint8_t (*v)[16] = realloc(acc->a, cap * sizeof(*v));

		if (!v)
			return -1;
		acc->a = v;
		acc->cap = cap;
	}
	pm_addr16(acc->a[acc->n++], ifa->ifa_family, RTA_DATA(pick));
	return 0;
}

int pm_src_local(struct procmap *m)
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg a;
	} q;
	struct pm_addrs acc = { 0 };
	int rc;

	if (m->rt_fd < 0)
		return 0;
	memset(&q, 0, sizeof(q));
	q.h.nlmsg_len = sizeof(q);
	q.h.nlmsg_type = RTM_GETADDR;
	q.a.ifa_family = AF_UNSPEC;
	rc = pm_nl_ask(m, m->rt_fd, &q.h, NLM_F_DUMP, pm_addr_msg, &acc);
	if (rc == 0)
		rc = pm_set_local(m, (const uint8_t (*)[16])acc.a, acc.n);
	free(acc.a);
	return rc < 0 ? -1 : 0;
}
