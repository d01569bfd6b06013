/* SPDX-License-Identifier: GPL-2.0-only */
/* ix_test: see ix_test.h. Linked into every unit test. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/unit/ix_test.h"

/* ---- building the ui's messages --------------------------------------- */

void ix_trec_sample(struct ix_trec *t, uint8_t family, unsigned i)
{
	static const char *const comms[] = { "curl", "", "systemd-resolve" };
	static const char *const users[] = { "alice", "", "b\xc3\xa9" "atrice" };
	static const char *const units[] = { "session-2.scope", "",
					     "nginx.service" };
	static const char *const ctrs[] = { "", "web-1", "" };
	struct ix_rec *r = &t->r;

	memset(t, 0, sizeof(*t));
	r->start_ms = 1764745200000ull + i * 1000u;
	r->end_ms = r->start_ms + 1500 + i;
	r->octets = 1000u + i;
	r->packets = 10u + i;
	r->rev_octets = 5000u + i;
	r->rev_packets = 7u + i;
	r->family = family;
	if (family == 4) {
		memcpy(r->src, (const uint8_t[]){ 10, 1, 2, (uint8_t)i }, 4);
		memcpy(r->dst, (const uint8_t[]){ 192, 0, 2, 80 }, 4);
	} else {
		inet_pton(AF_INET6, "2001:db8::1", r->src);
		inet_pton(AF_INET6, "2001:db8:ffff::2", r->dst);
		r->src[15] = (uint8_t)i;
	}
	r->pid = 4242u + i;
	r->uid = i % 3 == 2 ? UINT32_MAX : 1000u + i;
	r->sport = (uint16_t)(40000u + i);
	r->dport = 443;
	r->proto = i % 2 ? 17 : 6;
	r->tcp_flags = i % 2 ? 0 : 0x1b;
	r->end_reason = (uint8_t)(IX_END_IDLE + i % 4);
	t->comm = comms[i % 3];
	t->user = users[i % 3];
	t->unit = units[i % 3];
	t->container = ctrs[i % 3];
}

void ix_tmsg_init(struct ix_tmsg *m)
{
	memset(m, 0, sizeof(*m));
	m->buf[0] = IX_RECORDS;
	m->len = sizeof(struct ix_msg_head);
}

static void tmsg_put(struct ix_tmsg *m, const char *s, uint8_t *len)
{
	size_t n = strlen(s);

	assert_true(n < 256);
	memcpy(m->buf + m->len, s, n);
	m->len += n;
	*len = (uint8_t)n;
}

size_t ix_tmsg_add(struct ix_tmsg *m, const struct ix_trec *t)
{
	size_t at = m->len;
	struct ix_rec r = t->r;
	struct ix_msg_head h;

	assert_true(at + ix_rec_size(&r) + 1024 <= sizeof(m->buf));
	m->len += sizeof(r);
	tmsg_put(m, t->comm, &r.comm_len);
	tmsg_put(m, t->user, &r.user_len);
	tmsg_put(m, t->unit, &r.unit_len);
	tmsg_put(m, t->container, &r.container_len);
	memcpy(m->buf + at, &r, sizeof(r));
	memset(m->buf + m->len, 0, at + ix_rec_size(&r) - m->len);
	m->len = at + ix_rec_size(&r);
	memcpy(&h, m->buf, sizeof(h));
	h.count++;
	memcpy(m->buf, &h, sizeof(h));
	return at;
}

/* ---- the collecting side ---------------------------------------------- */

void ix_dec_init(struct ix_dec *d)
{
	GError *err = NULL;
	fbSession_t *s;
	fbTemplate_t *t;

	memset(d, 0, sizeof(*d));
	d->model = ix_model_new();
	s = fbSessionAlloc(d->model);
	t = ix_model_template(d->model, IX_TID_INT, &err);
	assert_non_null(t);
	assert_true(fbSessionAddTemplate(s, TRUE, IX_TID_INT, t, &err));
	d->fbuf = fBufAllocForCollection(s, NULL);
	fBufSetAutomaticMode(d->fbuf, FALSE);
	assert_true(fBufSetInternalTemplate(d->fbuf, IX_TID_INT, &err));
}

void ix_dec_free(struct ix_dec *d)
{
	fBufFree(d->fbuf);
	fbInfoModelFree(d->model);
	free(d->rec);
}

static void dec_copy(char *out, size_t cap, const fbVarfield_t *v)
{
	assert_true(v->len < cap);
	if (v->len)             /* an empty one may have no buffer */
		memcpy(out, v->buf, v->len);
	out[v->len] = '\0';
}

static void dec_keep(struct ix_dec *d, const struct ix_fb_rec *f)
{
	struct ix_drec *r;

	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->rec = realloc(d->rec, d->cap * sizeof(*d->rec));
		assert_non_null(d->rec);
	}
	r = &d->rec[d->n++];
	r->f = *f;
	dec_copy(r->comm, sizeof(r->comm), &f->comm);
	dec_copy(r->user, sizeof(r->user), &f->user);
	dec_copy(r->unit, sizeof(r->unit), &f->unit);
	dec_copy(r->container, sizeof(r->container), &f->container);
}

void ix_dec_msg(struct ix_dec *d, const uint8_t *msg, size_t len)
{
	uint8_t *copy = malloc(len);
	struct ix_fb_rec f;
	GError *err = NULL;
	uint32_t seq;
	size_t flen;

	assert_non_null(copy);
	assert_true(len >= 16);
	assert_int_equal(msg[0] << 8 | msg[1], 10);
	assert_int_equal(msg[2] << 8 | msg[3], len);
	memcpy(&seq, msg + 8, 4);
	if (ntohl(seq) != d->next_seq)
		d->seq_gaps++;
	memcpy(copy, msg, len);
	fBufSetBuffer(d->fbuf, copy, len);
	for (;;) {
		flen = sizeof(f);
		if (!fBufNext(d->fbuf, (uint8_t *)&f, &flen, &err))
			break;
		dec_keep(d, &f);
	}
	if (!g_error_matches(err, FB_ERROR_DOMAIN, FB_ERROR_EOM) &&
	    !g_error_matches(err, FB_ERROR_DOMAIN, FB_ERROR_BUFSZ))
		fail_msg("decoding: %s", err ? err->message : "?");
	g_clear_error(&err);
	d->messages++;
	d->next_seq = (uint32_t)d->n;
	free(copy);
}

void ix_dec_stream(struct ix_dec *d, const uint8_t *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t mlen;

		assert_true(len - off >= 4);
		mlen = (size_t)buf[off + 2] << 8 | buf[off + 3];
		assert_true(mlen >= 16 && mlen <= len - off);
		ix_dec_msg(d, buf + off, mlen);
		off += mlen;
	}
}

void ix_assert_rec(const struct ix_drec *d, const struct ix_trec *t)
{
	const struct ix_rec *r = &t->r;
	uint8_t zero[16] = { 0 };

	assert_int_equal(d->f.start_ms, r->start_ms);
	assert_int_equal(d->f.end_ms, r->end_ms);
	assert_int_equal(d->f.octets, r->octets);
	assert_int_equal(d->f.packets, r->packets);
	assert_int_equal(d->f.rev_octets, r->rev_octets);
	assert_int_equal(d->f.rev_packets, r->rev_packets);
	if (r->family == 4) {
		uint32_t s, t4;

		memcpy(&s, r->src, 4);
		memcpy(&t4, r->dst, 4);
		assert_int_equal(d->f.src4, ntohl(s));
		assert_int_equal(d->f.dst4, ntohl(t4));
		assert_memory_equal(d->f.src6, zero, 16);
	} else {
		assert_memory_equal(d->f.src6, r->src, 16);
		assert_memory_equal(d->f.dst6, r->dst, 16);
		assert_int_equal(d->f.src4, 0);
	}
	assert_int_equal(d->f.pid, r->pid);
	assert_int_equal(d->f.uid, r->uid);
	assert_int_equal(d->f.sport, r->sport);
	assert_int_equal(d->f.dport, r->dport);
	assert_int_equal(d->f.proto, r->proto);
	assert_int_equal(d->f.tcp_flags, r->tcp_flags);
	assert_int_equal(d->f.end_reason, r->end_reason);
	assert_string_equal(d->comm, t->comm);
	assert_string_equal(d->user, t->user);
	assert_string_equal(d->unit, t->unit);
	assert_string_equal(d->container, t->container);
}

/* ---- loopback sockets -------------------------------------------------- */

int ix_loopback(int type, char *url, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	if (type == SOCK_STREAM)
		assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	snprintf(url, len, "%s://127.0.0.1:%u",
		 type == SOCK_STREAM ? "tcp" : "udp", ntohs(a.sin_port));
	return fd;
}

static int wait_in(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

size_t ix_collect_udp(int fd, struct ix_dec *d, int ms)
{
	static uint8_t buf[65536];
	size_t n = 0;

	while (wait_in(fd, ms)) {
		ssize_t got = recv(fd, buf, sizeof(buf), 0);

		assert_true(got > 0);
		ix_dec_msg(d, buf, (size_t)got);
		n++;
	}
	return n;
}

size_t ix_collect_tcp(int fd, struct ix_dec *d, int ms)
{
	size_t cap = 1 << 20, len = 0, before = d->messages;
	uint8_t *buf = malloc(cap);

	assert_non_null(buf);
	while (wait_in(fd, ms)) {
		ssize_t got;

		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		got = recv(fd, buf + len, cap - len, 0);
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	ix_dec_stream(d, buf, len);
	free(buf);
	return d->messages - before;
}

/* ---- templates as sent -------------------------------------------------- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The template record tid in a template set s[0..n), or NULL. */
static const uint8_t *tmpl_find(const uint8_t *s, size_t n, uint16_t tid)
{
	size_t off = 4;

	while (off + 4 <= n) {
		uint16_t count = get16(s + off + 2);
		size_t at = off + 4;

		if (get16(s + off) == tid)
			return s + off;
		for (uint16_t i = 0; i < count && at + 4 <= n; i++)
			at += get16(s + at) & 0x8000 ? 8 : 4;
		off = at;
	}
	return NULL;
}

size_t ix_template_fields(const uint8_t *msg, size_t len, uint16_t tid,
			  struct ix_tfield *f, size_t n)
{
	size_t off = 16;

	while (off + 4 <= len) {
		uint16_t set = get16(msg + off), slen = get16(msg + off + 2);
		const uint8_t *t;

		assert_true(slen >= 4 && off + slen <= len);
		if (set == 2 && (t = tmpl_find(msg + off, slen, tid))) {
			uint16_t count = get16(t + 2);
			const uint8_t *p = t + 4;

			for (uint16_t i = 0; i < count && i < n; i++) {
				f[i].id = get16(p) & 0x7fff;
				f[i].len = get16(p + 2);
				f[i].pen = 0;
				if (get16(p) & 0x8000) {
					f[i].pen = (uint32_t)get16(p + 4) << 16 |
						   get16(p + 6);
					p += 4;
				}
				p += 4;
			}
			return count;
		}
		off += slen;
	}
	return 0;
}
