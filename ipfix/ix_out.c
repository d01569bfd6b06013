/* SPDX-License-Identifier: GPL-2.0-only */
/* ix_out: see ix_out.h. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/clock.h"
#include "ipfix/ix_out.h"

/* Room for the limit and one more message of the largest size. */
#define IX_PEND_CAP (IX_PEND_LIMIT + 65536u)

int ix_out_init(struct ix_out *o, int fd, int tcp)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	o->tcp = tcp;
	if (!tcp)
		return 0;
	o->pend = malloc(IX_PEND_CAP);
	o->q = malloc(IX_PEND_MSGS * sizeof(*o->q));
	return o->pend && o->q ? 0 : -1;
}

void ix_out_drop(struct ix_out *o, enum ix_drop why, unsigned records)
{
	o->dropped[why] += records;
}

static ssize_t out_send(int fd, const uint8_t *msg, size_t len)
{
	ssize_t n;

	do
		n = send(fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n;
}

/* ---- UDP ---------------------------------------------------------------- */

static enum ix_drop out_udp_why(int e)
{
	switch (e) {
	case EAGAIN:
	case ENOBUFS:
		return IX_DROP_FULL;
	case ECONNREFUSED:
		return IX_DROP_REFUSED;
	default:
		return IX_DROP_ERROR;
	}
}

static void out_udp(struct ix_out *o, const uint8_t *msg, size_t len,
		    unsigned records)
{
	ssize_t n = out_send(o->fd, msg, len);
	enum ix_drop why;

	if (n < 0 && errno == ECONNREFUSED) {
		/* an earlier datagram's error: the previous one's, as near
		 * as can be told */
		o->sent -= o->prev_records;
		o->dropped[IX_DROP_REFUSED] += o->prev_records;
		n = out_send(o->fd, msg, len);
	}
	o->prev_records = 0;
	if (n < 0) {
		why = out_udp_why(errno);
		if (why == IX_DROP_ERROR)
			o->error_errno = errno;
		o->dropped[why] += records;
		return;
	}
	o->sent += records;
	o->messages++;
	o->prev_records = records;
}

/* ---- TCP ---------------------------------------------------------------- */

int ix_out_pending(const struct ix_out *o)
{
	return o->tcp && !o->lost && o->head < o->tail;
}

static struct ix_pend_msg *out_q(struct ix_out *o, size_t i)
{
	return &o->q[(o->qhead + i) % IX_PEND_MSGS];
}

/* The messages the kernel has taken whole are sent. */
static void out_done(struct ix_out *o)
{
	while (o->qlen && out_q(o, 0)->end <= o->head) {
		o->sent += out_q(o, 0)->records;
		o->messages++;
		o->qhead = (o->qhead + 1) % IX_PEND_MSGS;
		o->qlen--;
	}
	if (o->head == o->tail)
		o->head = o->tail = 0;
}

/* Every waiting message is dropped, for why. */
static void out_abandon(struct ix_out *o, enum ix_drop why)
{
	while (o->qlen) {
		o->dropped[why] += out_q(o, 0)->records;
		o->qhead = (o->qhead + 1) % IX_PEND_MSGS;
		o->qlen--;
	}
	o->head = o->tail = 0;
}

static void out_lose(struct ix_out *o, int e)
{
	o->lost = 1;
	o->lost_errno = e;
	out_abandon(o, IX_DROP_LOST);
}

void ix_out_closed(struct ix_out *o)
{
	if (o->tcp && !o->lost)
		out_lose(o, 0);
}

void ix_out_write(struct ix_out *o)
{
	while (!o->lost && o->head < o->tail) {
		ssize_t n = out_send(o->fd, o->pend + o->head,
				     o->tail - o->head);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			out_lose(o, errno);
			return;
		}
		o->head += (size_t)n;
		out_done(o);
	}
}

/* Queue the message behind what waits, moving that to the front of the
 * buffer when the end has no room. */
static void out_queue(struct ix_out *o, const uint8_t *msg, size_t len,
		      unsigned records)
{
	struct ix_pend_msg *m;

	if (o->tail + len > IX_PEND_CAP) {
		memmove(o->pend, o->pend + o->head, o->tail - o->head);
		for (size_t i = 0; i < o->qlen; i++)
			out_q(o, i)->end -= o->head;
		o->tail -= o->head;
		o->head = 0;
	}
	memcpy(o->pend + o->tail, msg, len);
	o->tail += len;
	m = out_q(o, o->qlen++);
	m->end = o->tail;
	m->records = records;
}

static void out_tcp(struct ix_out *o, const uint8_t *msg, size_t len,
		    unsigned records)
{
	if (o->lost) {
		o->dropped[IX_DROP_LOST] += records;
		return;
	}
	if (o->tail - o->head > IX_PEND_LIMIT || o->qlen == IX_PEND_MSGS) {
		o->dropped[IX_DROP_SLOW] += records;
		return;
	}
	out_queue(o, msg, len, records);
	ix_out_write(o);
}

void ix_out_drain(struct ix_out *o, int ms)
{
	uint64_t until = clock_mono_ms() + (uint64_t)ms;

	while (ix_out_pending(o)) {
		uint64_t now = clock_mono_ms();
		struct pollfd p = { .fd = o->fd, .events = POLLOUT };

		if (now >= until)
			break;
		if (poll(&p, 1, (int)(until - now)) < 0 && errno != EINTR)
			break;
		if (p.revents & (POLLERR | POLLHUP) && !(p.revents & POLLOUT))
			ix_out_closed(o);
		else
			ix_out_write(o);
	}
	if (o->tcp)
		out_abandon(o, IX_DROP_SLOW);
}

/* ---- both --------------------------------------------------------------- */

void ix_out_send(void *out, const uint8_t *msg, size_t len, unsigned records)
{
	struct ix_out *o = out;

	if (o->tcp)
		out_tcp(o, msg, len, records);
	else
		out_udp(o, msg, len, records);
}

uint64_t ix_out_dropped(const struct ix_out *o)
{
	uint64_t n = 0;

	for (int i = 0; i < IX_DROPS; i++)
		n += o->dropped[i];
	return n;
}

void ix_out_stats(const struct ix_out *o, struct ix_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = IX_STATS;
	s->lost = (uint8_t)o->lost;
	s->sent = o->sent;
	s->dropped = ix_out_dropped(o);
	s->messages = o->messages;
}

static void out_why_add(char *buf, size_t len, size_t *at, const char *what,
			int e)
{
	int n;

	if (*at >= len)
		return;
	n = snprintf(buf + *at, len - *at, "%s%s%s%s", *at ? "; " : "", what,
		     e ? ": " : "", e ? strerror(e) : "");
	*at += n > 0 ? (size_t)n : 0;
}

const char *ix_out_why(const struct ix_out *o, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	if (o->dropped[IX_DROP_REFUSED])
		out_why_add(buf, len, &at, "the collector refused them", 0);
	if (o->dropped[IX_DROP_FULL])
		out_why_add(buf, len, &at, "the send buffer was full", 0);
	if (o->dropped[IX_DROP_SLOW])
		out_why_add(buf, len, &at, "the collector is slow", 0);
	if (o->dropped[IX_DROP_LOST])
		out_why_add(buf, len, &at, "the connection was lost",
			    o->lost_errno);
	if (o->dropped[IX_DROP_ERROR])
		out_why_add(buf, len, &at, "sending failed", o->error_errno);
	return buf;
}

void ix_out_free(struct ix_out *o)
{
	free(o->pend);
	free(o->q);
	o->pend = NULL;
	o->q = NULL;
}
