/* SPDX-License-Identifier: GPL-2.0-only */
/* testhook: see testhook.h. Compiles to nothing in the product. */
#include "privsep/testhook.h"

#ifdef FLOWTOP_TEST_HOOKS
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int testhook_is_sealed;

void testhook_sealed(void)
{
	testhook_is_sealed = 1;
}

void testhook_parse(const char *role, const char *what)
{
	const char *want = getenv("FLOWTOP_TEST_PARSE");

	if (want && strcmp(want, role) == 0)
		fprintf(stderr, "flowtop: %s: test: parses %s %s\n", role, what,
			testhook_is_sealed ? "sealed" : "unsealed");
}

void testhook_seccomp(const char *role)
{
	const char *want = getenv("FLOWTOP_TEST_SECCOMP");

	if (want && strcmp(want, role) == 0)
		syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
}

void testhook_stderr(const char *role)
{
	const char *want = getenv("FLOWTOP_TEST_STDERR");
	char longline[2001];

	if (!want || strcmp(want, role) != 0)
		return;
	fprintf(stderr, "flowtop: %s: test: \033]0;owned\007\033[2J\033[31mred"
		"\r\x9b" "1m\n", role);
	fprintf(stderr, "not a flowtop line \033[1mbold\n");
	/* Another role's words: the relay puts them behind this role's. */
	fprintf(stderr, "flowtop: collector: test: posing\n");
	memset(longline, 'A', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	fprintf(stderr, "flowtop: test: long %s\n", longline);
	for (int i = 0; i < 200; i++)
		fprintf(stderr, "flowtop: test: flood %d\n", i);
}

/* The names the tests look for; a number otherwise (strerror may look
 * for a message catalogue, which no sandbox lets it open). */
static const char *testhook_errno(int e, char *buf, size_t len)
{
	switch (e) {
	case EACCES:
		return "EACCES";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case ENETUNREACH:
		return "ENETUNREACH";
	case EPERM:
		return "EPERM";
	default:
		snprintf(buf, len, "errno %d", e);
		return buf;
	}
}

static void testhook_connect(const char *role, unsigned port)
{
	struct sockaddr_in sin;
	char ebuf[32];
	int fd, rc;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "flowtop: %s: test: landlock: socket: %s\n",
			role, testhook_errno(errno, ebuf, sizeof(ebuf)));
		return;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	fprintf(stderr, "flowtop: %s: test: landlock: connect 127.0.0.1:%u: "
		"%s\n", role, port, rc == 0 ? "connected" :
		testhook_errno(errno, ebuf, sizeof(ebuf)));
	close(fd);
}

void testhook_landlock(const char *role)
{
	const char *want = getenv("FLOWTOP_TEST_LANDLOCK");
	size_t n = strlen(role);
	const char *p;

	if (!want || strncmp(want, role, n) != 0 ||
	    (want[n] != '\0' && want[n] != ':'))
		return;
	p = want[n] == ':' ? want + n + 1 : "9";
	while (*p) {
		char *end;
		unsigned long port = strtoul(p, &end, 10);

		if (end == p || port == 0 || port > 65535 ||
		    (*end != ',' && *end != '\0')) {
			fprintf(stderr, "flowtop: %s: test: landlock: bad port "
				"list\n", role);
			return;
		}
		testhook_connect(role, (unsigned)port);
		p = *end == ',' ? end + 1 : end;
	}
}

void testhook_event_rcvbuf(int fd)
{
	const char *v = getenv("FLOWTOP_TEST_EVENT_RCVBUF");
	int size;

	if (!v)
		return;
	size = atoi(v);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) < 0)
		perror("flowtop: test: SO_RCVBUF");
}

void testhook_counts(unsigned long long resyncs,
		     unsigned long long socket_refreshes)
{
	if (!getenv("FLOWTOP_TEST_EVENT_RCVBUF") &&
	    !getenv("FLOWTOP_TEST_TIMING"))
		return;
	fprintf(stderr, "flowtop: test: %llu resyncs\n", resyncs);
	fprintf(stderr, "flowtop: test: %llu full socket refreshes\n",
		socket_refreshes);
}

void testhook_ui_dump(unsigned long long seq, unsigned kind,
		      unsigned long long flows)
{
	struct timespec ts;

	if (!getenv("FLOWTOP_TEST_TIMING"))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "flowtop: ui: test: dump seq=%llu kind=%u flows=%llu "
		"real_ns=%llu\n", seq, kind, flows,
		(unsigned long long)ts.tv_sec * 1000000000ull +
		(unsigned long long)ts.tv_nsec);
}

static unsigned long long testhook_changed_ns;

void testhook_ui_changed(void)
{
	static int on = -1;
	struct timespec ts;

	if (on < 0)
		on = getenv("FLOWTOP_TEST_TIMING") != NULL;
	if (!on)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	testhook_changed_ns = (unsigned long long)ts.tv_sec * 1000000000ull +
			      (unsigned long long)ts.tv_nsec;
}

void testhook_ui_table(unsigned long long flows)
{
	if (getenv("FLOWTOP_TEST_TIMING"))
		fprintf(stderr, "flowtop: ui: test: table flows=%llu "
			"changed_real_ns=%llu\n", flows, testhook_changed_ns);
}

unsigned testhook_sweep_ms(void)
{
	const char *v = getenv("FLOWTOP_TEST_SWEEP_MS");
	long ms = v ? atol(v) : 0;

	return ms > 0 && ms <= 3600000 ? (unsigned)ms : 0;
}

int testhook_build_parts(void)
{
	const char *v = getenv("FLOWTOP_TEST_BUILD_PARTS");

	return v && !strcmp(v, "1");
}

int testhook_no_nsdiag(void)
{
	const char *v = getenv("FLOWTOP_TEST_NO_NSDIAG");

	return v && !strcmp(v, "1");
}

void testhook_ui_builds(unsigned long long builds, unsigned long long steps)
{
	if (testhook_build_parts())
		fprintf(stderr, "flowtop: ui: test: %llu builds in %llu steps\n",
			builds, steps);
}
#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int testhook_empty;
#endif
