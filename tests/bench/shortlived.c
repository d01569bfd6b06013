/* SPDX-License-Identifier: GPL-2.0-only */
/* shortlived: short-lived client processes and their server, for
 * tests/bench/bench_shortlived.sh (issue 13: who owned a flow whose process
 * was gone milliseconds later).
 *
 *   shortlived serve ADDR PORT NPORTS READY SECS
 *       TCP and UDP servers on ADDR, ports PORT .. PORT+NPORTS-1 (ADDR ::
 *       takes IPv4 too). TCP: accepts, reads until the peer closes, closes.
 *       UDP: echoes each datagram. Writes "ready" to the file READY once
 *       every socket is bound; exits after SECS seconds.
 *   shortlived burst tcp|udp ADDR PORT N HOLD_MS
 *       Forks N children at once, each its own process: it connects to
 *       ADDR:PORT, sends one byte, keeps the socket HOLD_MS ms and exits
 *       (the exit closes it). Waits for all of them.
 *   shortlived rate ADDR4 ADDR6 PORT RATE SECS HOLD_MS
 *       The same children, RATE per second for SECS seconds, paced on an
 *       absolute clock, each with the next of tcp4, udp4, tcp6, udp6 in
 *       turn.
 *
 * A child that cannot connect or send within 10 s exits with status 1.
 * burst and rate print one line of key=value figures on stdout: children
 * started, ok (exit 0), failed, and the time it took. Exit status 0, 1 when
 * a child failed or could not be forked, 2 on a usage error.
 *
 * Meant to run inside network namespaces the caller made; nothing here
 * talks to any address but the one given.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define SL_MAX_PORTS 1024
#define SL_CHILD_TIMEOUT 10     /* seconds a child may take, at most */

/* What an epoll entry is: the fd in the low 32 bits, the kind above. */
enum { SL_TCP_LISTEN = 1, SL_TCP_CONN, SL_UDP };

static double sl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int sl_num(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "shortlived: bad number '%s' (%ld..%ld)\n", s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

/* ADDR PORT (numeric) to a sockaddr; AF_INET or AF_INET6 from ADDR. */
static int sl_addr(const char *addr, long port, int socktype,
		   struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_socktype = socktype };
	struct addrinfo *ai;
	char p[8];
	int rc;

	snprintf(p, sizeof(p), "%ld", port);
	rc = getaddrinfo(addr, p, &hints, &ai);
	if (rc) {
		fprintf(stderr, "shortlived: address %s: %s\n", addr, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* ------------------------------------------------------------ server */

static int sl_watch(int ep, int fd, int kind)
{
	struct epoll_event ev = { .events = EPOLLIN,
				  .data.u64 = (uint64_t)kind << 32 | (uint32_t)fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int sl_bind(int ep, const char *addr, long port, int socktype)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, zero = 0, fd;

	if (sl_addr(addr, port, socktype, &ss, &len))
		return -1;
	fd = socket(ss.ss_family, socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&ss, len) ||
	    (socktype == SOCK_STREAM && listen(fd, 4096)) ||
	    sl_watch(ep, fd, socktype == SOCK_STREAM ? SL_TCP_LISTEN : SL_UDP)) {
		fprintf(stderr, "shortlived: %s port %ld: %s\n", addr, port, strerror(errno));
		close(fd);
		return -1;
	}
	return 0;
}

static void sl_serve_event(int ep, uint64_t data)
{
	int fd = (int)(uint32_t)data, kind = (int)(data >> 32), c;
	char buf[2048];
	struct sockaddr_storage peer;
	socklen_t plen;
	ssize_t n;

	switch (kind) {
	case SL_TCP_LISTEN:
		while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
			if (sl_watch(ep, c, SL_TCP_CONN))
				close(c);
		break;
	case SL_TCP_CONN:
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			;
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			close(fd);      /* also takes it out of the epoll set */
		break;
	case SL_UDP:
		for (;;) {
			plen = sizeof(peer);
			n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen);
			if (n < 0)
				break;
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&peer, plen);
		}
		break;
	}
}

static int sl_serve(char **av)
{
	long port, nports, secs;
	struct epoll_event evs[64];
	struct rlimit rl;
	double end;
	FILE *f;
	int ep, i, n;

	if (sl_num(av[1], 1, 65535, &port) || sl_num(av[2], 1, SL_MAX_PORTS, &nports) ||
	    sl_num(av[4], 1, 86400, &secs) || port + nports > 65536)
		return 2;
	/* Every client of a burst may be connected at once. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return 1;
	for (i = 0; i < nports; i++)
		if (sl_bind(ep, av[0], port + i, SOCK_STREAM) ||
		    sl_bind(ep, av[0], port + i, SOCK_DGRAM))
			return 1;
	f = fopen(av[3], "w");
	if (!f || fprintf(f, "ready\n") < 0 || fclose(f)) {
		fprintf(stderr, "shortlived: cannot write %s\n", av[3]);
		return 1;
	}
	end = sl_now() + (double)secs;
	while (sl_now() < end) {
		n = epoll_wait(ep, evs, 64, 500);
		for (i = 0; i < n; i++)
			sl_serve_event(ep, evs[i].data.u64);
	}
	return 0;
}

/* ------------------------------------------------------------ clients */

/* The child: connect, one byte, hold, exit. Never returns. */
static void sl_child(const struct sockaddr_storage *ss, socklen_t len,
		     int socktype, long hold_ms)
{
	struct timespec hold = { .tv_sec = hold_ms / 1000,
				 .tv_nsec = (hold_ms % 1000) * 1000000L };
	int fd;

	alarm(SL_CHILD_TIMEOUT);
	fd = socket(ss->ss_family, socktype, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)ss, len) ||
	    send(fd, "x", 1, 0) != 1)
		_exit(1);
	while (nanosleep(&hold, &hold) && errno == EINTR)
		;
	_exit(0);
}

struct sl_tally {
	long started, ok, failed, fork_failed;
};

static void sl_reaped(struct sl_tally *t, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		t->ok++;
	else
		t->failed++;
}

static void sl_reap(struct sl_tally *t, int flags)
{
	int status;

	while (waitpid(-1, &status, flags) > 0)
		sl_reaped(t, status);
}

static void sl_fork(struct sl_tally *t, const struct sockaddr_storage *ss,
		    socklen_t len, int socktype, long hold_ms)
{
	pid_t p = fork();

	if (p == 0)
		sl_child(ss, len, socktype, hold_ms);
	if (p < 0)
		t->fork_failed++;
	else
		t->started++;
}

static int sl_report(const char *mode, const struct sl_tally *t, double secs,
		     double spread)
{
	printf("%s: started=%ld ok=%ld failed=%ld fork_failed=%ld secs=%.3f "
	       "rate=%.0f/s spread_ms=%.1f\n", mode, t->started, t->ok, t->failed,
	       t->fork_failed, secs, secs > 0 ? (double)t->started / secs : 0.0,
	       spread * 1e3);
	return t->failed || t->fork_failed ? 1 : 0;
}

static int sl_socktype(const char *proto)
{
	if (strcmp(proto, "tcp") == 0)
		return SOCK_STREAM;
	if (strcmp(proto, "udp") == 0)
		return SOCK_DGRAM;
	fprintf(stderr, "shortlived: protocol is tcp or udp, not '%s'\n", proto);
	return -1;
}

static int sl_burst(char **av)
{
	struct sockaddr_storage ss;
	struct sl_tally t = { 0 };
	socklen_t len;
	long port, n, hold, i;
	int st = sl_socktype(av[0]);
	double t0, t1;

	if (st < 0 || sl_num(av[2], 1, 65535, &port) || sl_num(av[3], 1, 100000, &n) ||
	    sl_num(av[4], 0, 3600000, &hold) || sl_addr(av[1], port, st, &ss, &len))
		return 2;
	t0 = sl_now();
	for (i = 0; i < n; i++)
		sl_fork(&t, &ss, len, st, hold);
	t1 = sl_now();
	sl_reap(&t, 0);
	return sl_report("burst", &t, sl_now() - t0, t1 - t0);
}

static int sl_rate(char **av)
{
	static const int types[4] = { SOCK_STREAM, SOCK_DGRAM, SOCK_STREAM, SOCK_DGRAM };
	struct sockaddr_storage ss[4];
	socklen_t len[4];
	struct sl_tally t = { 0 };
	struct timespec next;
	long port, rate, secs, hold, i, total;
	double t0;

	if (sl_num(av[2], 1, 65535, &port) || sl_num(av[3], 1, 100000, &rate) ||
	    sl_num(av[4], 1, 3600, &secs) || sl_num(av[5], 0, 60000, &hold))
		return 2;
	for (i = 0; i < 4; i++)
		if (sl_addr(av[i < 2 ? 0 : 1], port, types[i], &ss[i], &len[i]))
			return 2;
	total = rate * secs;
	clock_gettime(CLOCK_MONOTONIC, &next);
	t0 = sl_now();
	for (i = 0; i < total; i++) {
		sl_fork(&t, &ss[i % 4], len[i % 4], types[i % 4], hold);
		sl_reap(&t, WNOHANG);
		/* Child i+1 is due at t0 + (i+1)/rate: absolute, so that a
		 * late wake-up does not slow the rest down. */
		next.tv_nsec += 1000000000L / rate;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	sl_reap(&t, 0);
	return sl_report("rate", &t, sl_now() - t0, 0);
}

int main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "serve") == 0)
		return sl_serve(argv + 2);
	if (argc == 7 && strcmp(argv[1], "burst") == 0)
		return sl_burst(argv + 2);
	if (argc == 8 && strcmp(argv[1], "rate") == 0)
		return sl_rate(argv + 2);
	fprintf(stderr,
		"usage: shortlived serve ADDR PORT NPORTS READY SECS\n"
		"       shortlived burst tcp|udp ADDR PORT N HOLD_MS\n"
		"       shortlived rate ADDR4 ADDR6 PORT RATE SECS HOLD_MS\n");
	return 2;
}
