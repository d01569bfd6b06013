/* SPDX-License-Identifier: GPL-2.0-only */
/* relay: see relay.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/escape.h"
#include "privsep/relay.h"

#define RELAY_OURS "flowtop: "
/* One line's credit; RELAY_PER_SEC lines a second is RELAY_PER_SEC
 * thousandths of a line a millisecond. */
#define RELAY_UNIT 1000u
/* What relay_drain reads at the most: more than a pipe holds by default
 * (64 KiB) and as much as pipe-max-size allows (1 MiB). */
#define RELAY_DRAIN_MAX (1u << 20)

void relay_init(struct relay *r, int fd, int out, const char *name,
		uint64_t now_ms)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->out = out;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->credit = (uint64_t)RELAY_BURST * RELAY_UNIT;
	r->last_ms = now_ms;
}

static void relay_write_fd(int out, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(out, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;         /* nowhere to say it: drop it */
		p += w;
		n -= (size_t)w;
	}
}

/* One line (or notice), newline included: written, or kept while the
 * hold is on. */
static void relay_write(const struct relay *r, const char *p, size_t n)
{
	struct relay_hold *h = r->hold;

	if (!h || !h->on) {
		relay_write_fd(r->out, p, n);
		return;
	}
	/* Once one did not fit, none after it is kept either: what is
	 * written later stays in order. */
	if (h->lost || n > sizeof(h->buf) - h->len) {
		h->lost++;
		return;
	}
	memcpy(h->buf + h->len, p, n);
	h->len += n;
}

void relay_hold_start(struct relay_hold *h)
{
	h->on = 1;
}

void relay_hold_release(struct relay_hold *h, int out)
{
	char msg[160];
	int n;

	relay_write_fd(out, h->buf, h->len);
	if (h->lost) {
		n = snprintf(msg, sizeof(msg), RELAY_OURS "%lu line%s of the "
			     "children's messages dropped while the screen was "
			     "open\n", h->lost, h->lost == 1 ? "" : "s");
		if (n > 0)
			relay_write_fd(out, msg, (size_t)n < sizeof(msg) ?
				       (size_t)n : sizeof(msg) - 1);
	}
	h->on = 0;
	h->len = 0;
	h->lost = 0;
}

static void relay_say_dropped(struct relay *r)
{
	char msg[160];
	int n;

	if (!r->dropped)
		return;
	n = snprintf(msg, sizeof(msg), RELAY_OURS "%s: %lu line%s of its "
		     "messages dropped (more than %u a second)\n", r->name,
		     r->dropped, r->dropped == 1 ? "" : "s", RELAY_PER_SEC);
	r->dropped = 0;
	if (n > 0)
		relay_write(r, msg, (size_t)n < sizeof(msg) ? (size_t)n :
			    sizeof(msg) - 1);
}

static void relay_topup(struct relay *r, uint64_t now_ms)
{
	const uint64_t cap = (uint64_t)RELAY_BURST * RELAY_UNIT;

	if (now_ms > r->last_ms) {
		uint64_t add = (now_ms - r->last_ms) * RELAY_PER_SEC;

		r->credit = add >= cap - r->credit ? cap : r->credit + add;
		r->last_ms = now_ms;
	}
}

/* Whose the line in r->line is. A child speaks for itself only: a line
 * that starts with "flowtop: NAME: " is its own and passes as it is; one
 * that starts with "flowtop: " but names another role (or none: the
 * parent's own words) keeps what follows "flowtop: " behind the child's
 * name; any other line (some library's) is put behind it whole. The
 * prefix to write goes in out (0 bytes for the child's own line); *skip
 * is how many bytes of the line it replaces. */
static size_t relay_attribute(const struct relay *r, char *out, size_t len,
			      size_t *skip)
{
	size_t ours = strlen(RELAY_OURS), name = strlen(r->name);
	int n;

	*skip = 0;
	if (r->len >= ours && memcmp(r->line, RELAY_OURS, ours) == 0) {
		if (r->len >= ours + name + 2 &&
		    memcmp(r->line + ours, r->name, name) == 0 &&
		    memcmp(r->line + ours + name, ": ", 2) == 0)
			return 0;
		*skip = ours;
	}
	n = snprintf(out, len, RELAY_OURS "%s: ", r->name);
	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

/* The line in r->line is complete: say it, if the budget lets it. */
static void relay_line(struct relay *r, uint64_t now_ms)
{
	static const char cut[] = " [cut]";
	char out[sizeof(RELAY_OURS) + sizeof(r->name) + 2 +
		 4 * RELAY_LINE_MAX + sizeof(cut) + 1];
	size_t n = 0, skip;

	if (r->len == 0 && !r->cut)
		return;         /* an empty line says nothing */
	relay_topup(r, now_ms);
	if (r->credit < RELAY_UNIT) {
		r->dropped++;
	} else {
		r->credit -= RELAY_UNIT;
		relay_say_dropped(r);
		n = relay_attribute(r, out, sizeof(out), &skip);
		n += esc_term(out + n, sizeof(out) - n, r->line + skip,
			      r->len - skip);
		if (r->cut) {
			memcpy(out + n, cut, sizeof(cut) - 1);
			n += sizeof(cut) - 1;
		}
		out[n++] = '\n';
		relay_write(r, out, n);
	}
	r->len = 0;
	r->cut = 0;
}

void relay_input(struct relay *r, const char *buf, size_t n, uint64_t now_ms)
{
	while (n) {
		const char *nl = memchr(buf, '\n', n);
		size_t take = nl ? (size_t)(nl - buf) : n;
		size_t room = sizeof(r->line) - r->len;

		if (take > room) {
			r->cut = 1;
			memcpy(r->line + r->len, buf, room);
			r->len += room;
		} else {
			memcpy(r->line + r->len, buf, take);
			r->len += take;
		}
		if (!nl)
			return;
		relay_line(r, now_ms);
		buf = nl + 1;
		n -= take + 1;
	}
}

/* The pipe ended or is given up: the rest is said, the descriptor closed. */
static void relay_end(struct relay *r, uint64_t now_ms)
{
	relay_line(r, now_ms);
	relay_say_dropped(r);
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/* One read: bytes relayed, 0 at the end (closed), -1 when nothing is
 * waiting. */
static ssize_t relay_once(struct relay *r, uint64_t now_ms)
{
	char buf[RELAY_READ_MAX];
	ssize_t n;

	if (r->fd < 0)
		return 0;
	n = read(r->fd, buf, sizeof(buf));
	if (n > 0) {
		relay_input(r, buf, (size_t)n, now_ms);
		return n;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return -1;
	relay_end(r, now_ms);
	return 0;
}

int relay_read(struct relay *r, uint64_t now_ms)
{
	(void)relay_once(r, now_ms);
	return r->fd >= 0;
}

void relay_pending(struct relay *r, uint64_t now_ms)
{
	size_t total = 0;
	ssize_t n;

	while (r->fd >= 0 && total < RELAY_DRAIN_MAX &&
	       (n = relay_once(r, now_ms)) > 0)
		total += (size_t)n;
}

void relay_drain(struct relay *r, uint64_t now_ms)
{
	relay_pending(r, now_ms);
	/* Nothing more waiting, yet not the end: a writer is left, which a
	 * role that may not fork should not have. Stop listening. */
	if (r->fd >= 0)
		relay_end(r, now_ms);
}

void relay_close(struct relay *r)
{
	relay_end(r, clock_mono_ms());
}

int relay_wait(struct relay *r, int fd, int timeout_ms)
{
	uint64_t until = clock_mono_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = r->fd, .events = POLLIN },
		};
		uint64_t now = clock_mono_ms();
		int left = timeout_ms < 0 ? -1 : now >= until ? 0 :
			(int)(until - now);
		int n = poll(p, 2, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (p[1].revents)
			relay_read(r, clock_mono_ms());
		if (p[0].revents)
			return 1;
		if (n == 0)
			return 0;
	}
}

int relay_pipe(int *rd, int *wr)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	/* The parent's end only: a child that writes more than the pipe
	 * holds waits for its parent, and loses nothing. */
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) {
		int e = errno;

		close(p[0]);
		close(p[1]);
		errno = e;
		return -1;
	}
	*rd = p[0];
	*wr = p[1];
	return 0;
}
