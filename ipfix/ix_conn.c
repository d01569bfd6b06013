/* SPDX-License-Identifier: GPL-2.0-only */
/* ix_conn: see ix_conn.h. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "ipfix/ix_conn.h"

#define IX_UDP_SNDBUF (4 << 20)

void ix_conn_name(const struct ix_url *u, char *buf, size_t len)
{
	int v6 = strchr(u->host, ':') != NULL;

	snprintf(buf, len, "%s://%s%s%s:%s", u->proto == IX_TCP ? "tcp" : "udp",
		 v6 ? "[" : "", u->host, v6 ? "]" : "", u->port_str);
}

/* A non-blocking connect's end, by until (CLOCK_MONOTONIC ms). 0, or -1
 * with errno. */
static int conn_wait(int fd, uint64_t until)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t elen = sizeof(int);
	int n, e;

	do {
		uint64_t now = clock_mono_ms();

		n = now < until ? poll(&p, 1, (int)(until - now)) : 0;
	} while (n < 0 && errno == EINTR);
	if (n == 0)
		errno = ETIMEDOUT;
	if (n <= 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
		return -1;
	errno = e;
	return e ? -1 : 0;
}

static int conn_one(const struct addrinfo *ai, uint64_t until)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
			SOCK_CLOEXEC, ai->ai_protocol);
	int e;

	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
	    (errno == EINPROGRESS && conn_wait(fd, until) == 0))
		return fd;
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

static int conn_move(int fd, int at)
{
	int e;

	if (at < 0 || fd == at)
		return fd;
	if (dup3(fd, at, O_CLOEXEC) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return at;
}

static int conn_fail(const struct ix_url *u, const char *why, char *err,
		     size_t errlen)
{
	char name[IX_HOST_MAX + 32];

	ix_conn_name(u, name, sizeof(name));
	snprintf(err, errlen, "%s: %s", name, why);
	return -1;
}

int ix_conn_open(const struct ix_url *u, int at, char *err, size_t errlen)
{
	struct addrinfo hints = {
		.ai_socktype = u->proto == IX_TCP ? SOCK_STREAM : SOCK_DGRAM,
		.ai_flags = AI_NUMERICSERV,
	}, *res, *ai;
	uint64_t until = clock_mono_ms() + IX_CONNECT_MS;
	int fd = -1, rc, e, big = IX_UDP_SNDBUF;

	rc = getaddrinfo(u->host, u->port_str, &hints, &res);
	if (rc != 0)
		return conn_fail(u, rc == EAI_SYSTEM ? strerror(errno) :
				 gai_strerror(rc), err, errlen);
	errno = EADDRNOTAVAIL;
	for (ai = res; ai && fd < 0; ai = ai->ai_next)
		fd = conn_one(ai, until);
	e = errno;
	freeaddrinfo(res);
	errno = e;
	if (fd < 0 && errno == ETIMEDOUT) {
		char why[40];

		snprintf(why, sizeof(why), "no answer within %d s",
			 IX_CONNECT_MS / 1000);
		return conn_fail(u, why, err, errlen);
	}
	if (fd < 0)
		return conn_fail(u, strerror(errno), err, errlen);
	/* best effort: past wmem_max the kernel gives what it allows */
	if (u->proto == IX_UDP)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	fd = conn_move(fd, at);
	if (fd < 0)
		return conn_fail(u, strerror(errno), err, errlen);
	return fd;
}
