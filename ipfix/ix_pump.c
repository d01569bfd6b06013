/* SPDX-License-Identifier: GPL-2.0-only */
/* ix_pump: see ix_pump.h. Each ui message is encoded and its IPFIX
 * messages sent before the next is read, v4 records first, then v6 (a
 * change of template costs a set header), and the last message is
 * completed at its end, so records leave as soon as the ui hands them
 * over. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/clock.h"
#include "ipfix/ix_pump.h"

#define IX_BATCH 64             /* ui messages read before the timers */

int ix_pump_init(struct ix_pump *p, int ui, struct ix_enc *enc,
		 struct ix_out *out)
{
	memset(p, 0, sizeof(*p));
	p->ui = ui;
	p->enc = enc;
	p->out = out;
	p->buf = malloc(IX_MSG_MAX + 1);
	return p->buf ? 0 : -1;
}

void ix_pump_free(struct ix_pump *p)
{
	free(p->buf);
	p->buf = NULL;
}

static int pump_enc_failed(const struct ix_pump *p)
{
	fprintf(stderr, "flowtop: ipfix: %s\n", ix_enc_error(p->enc));
	return 1;
}

/* The counts to the ui when they moved, at most every IX_STATS_MS
 * unless forced; a full channel skips them (the next will do). */
static void pump_stats(struct ix_pump *p, int force)
{
	struct ix_stats s;
	uint64_t now = clock_mono_ms();

	ix_out_stats(p->out, &s);
	if (memcmp(&s, &p->said, sizeof(s)) == 0)
		return;
	if (!force && now < p->stats_at + IX_STATS_MS)
		return;
	p->stats_at = now;
	if (send(p->ui, &s, sizeof(s), MSG_DONTWAIT | MSG_NOSIGNAL) ==
	    (ssize_t)sizeof(s))
		p->said = s;
}

static int pump_family(struct ix_pump *p, uint32_t count, uint8_t family)
{
	size_t off = sizeof(struct ix_msg_head);
	const char *strings;
	struct ix_rec r;

	for (uint32_t i = 0; i < count; i++) {
		off = ix_msg_rec(p->buf, off, &r, &strings);
		if (r.family == family &&
		    ix_enc_add(p->enc, &r, strings) < 0)
			return pump_enc_failed(p);
	}
	return 0;
}

static int pump_records(struct ix_pump *p, size_t len)
{
	struct ix_msg_head h;
	const char *why;

	if (ix_msg_check(p->buf, len, &why) < 0) {
		fprintf(stderr, "flowtop: ipfix: bad message from the ui: %s\n",
			why);
		return 1;
	}
	memcpy(&h, p->buf, sizeof(h));
	p->total += h.count;
	if (p->out->lost) {
		ix_out_drop(p->out, IX_DROP_LOST, h.count);
		return 0;
	}
	if (pump_family(p, h.count, 4) || pump_family(p, h.count, 6))
		return 1;
	return ix_enc_flush(p->enc) < 0 ? pump_enc_failed(p) : 0;
}

/* What the ui sent, a batch at most. *done at its end. */
static int pump_read(struct ix_pump *p, int *done)
{
	for (int i = 0; i < IX_BATCH; i++) {
		ssize_t n = recv(p->ui, p->buf, IX_MSG_MAX + 1, MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0) {
			/* EOF, or a ui gone (ECONNRESET): the end either way */
			*done = 1;
			return 0;
		}
		if (pump_records(p, (size_t)n))
			return 1;
	}
	return 0;
}

/* The TCP socket woke with no room asked for: the collector closed it,
 * or it failed (a send tells how, where one waits). */
static void pump_socket(struct ix_pump *p, short revents)
{
	if (revents & POLLOUT)
		ix_out_write(p->out);
	if (revents & (POLLERR | POLLHUP | POLLRDHUP)) {
		ix_out_write(p->out);
		ix_out_closed(p->out);
	}
}

static int pump_timers(struct ix_pump *p)
{
	uint64_t now = clock_mono_ms();

	if (p->templates_due && now >= p->templates_due) {
		p->templates_due = now + IX_TEMPLATE_MS;
		if (p->out->lost == 0 && ix_enc_templates(p->enc) < 0)
			return pump_enc_failed(p);
	}
	pump_stats(p, 0);
	return 0;
}

/* Until the next template refresh or the counts' turn, -1: none. */
static int pump_timeout(const struct ix_pump *p)
{
	uint64_t now = clock_mono_ms(), until = UINT64_MAX;
	struct ix_stats s;

	if (p->templates_due)
		until = p->templates_due;
	ix_out_stats(p->out, &s);
	if (memcmp(&s, &p->said, sizeof(s)) != 0 &&
	    p->stats_at + IX_STATS_MS < until)
		until = p->stats_at + IX_STATS_MS;
	if (until == UINT64_MAX)
		return -1;
	return until > now ? (int)(until - now) : 0;
}

/* The end: what is open sent, a TCP collector given its time, the last
 * counts to the ui, the drops said. */
static int pump_end(struct ix_pump *p, int rc)
{
	uint64_t dropped;
	char why[300];

	if (rc == 0 && ix_enc_flush(p->enc) < 0)
		rc = pump_enc_failed(p);
	ix_out_drain(p->out, IX_DRAIN_MS);
	pump_stats(p, 1);
	dropped = ix_out_dropped(p->out);
	if (dropped)
		fprintf(stderr, "flowtop: ipfix: %llu of %llu records dropped "
			"(%s)\n", (unsigned long long)dropped,
			(unsigned long long)p->total,
			ix_out_why(p->out, why, sizeof(why)));
	return rc;
}

int ix_pump_run(struct ix_pump *p)
{
	int done = 0, rc;

	if (!p->out->tcp)
		p->templates_due = clock_mono_ms() + IX_TEMPLATE_MS;
	rc = ix_enc_templates(p->enc) < 0 ? pump_enc_failed(p) : 0;
	while (!rc && !done) {
		struct pollfd fds[2] = {
			{ .fd = p->ui, .events = POLLIN },
			{ .fd = -1 },
		};

		if (p->out->tcp && !p->out->lost) {
			fds[1].fd = p->out->fd;
			fds[1].events = POLLRDHUP |
				(ix_out_pending(p->out) ? POLLOUT : 0);
		}
		if (poll(fds, 2, pump_timeout(p)) < 0 && errno != EINTR)
			break;
		if (fds[1].revents)
			pump_socket(p, fds[1].revents);
		if (fds[0].revents)
			rc = pump_read(p, &done);
		if (!rc)
			rc = pump_timers(p);
	}
	return pump_end(p, rc);
}
