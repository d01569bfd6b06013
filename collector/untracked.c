/* SPDX-License-Identifier: GPL-2.0-only */
/* untracked: counters of the traffic conntrack would track (see
 * untracked.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "collector/untracked.h"

/* Larger than either file (about 1.3 and 3.2 KB on Linux 6.1); of a
 * longer one, what fits is parsed. */
#define UT_FILE_MAX 16384

/* /proc/net/snmp, "Section:Field". TCP has one MIB for both families:
 * its IPv6 segments are counted here too. */
static const char *const ut_snmp_fields[] = {
	"Ip:ForwDatagrams",
	"Icmp:InEchos", "Icmp:InEchoReps", "Icmp:OutEchos", "Icmp:OutEchoReps",
	"Tcp:InSegs", "Tcp:OutSegs",
	"Udp:InDatagrams", "Udp:NoPorts", "Udp:OutDatagrams",
	"UdpLite:InDatagrams", "UdpLite:NoPorts", "UdpLite:OutDatagrams",
};

/* /proc/net/snmp6. */
static const char *const ut_snmp6_fields[] = {
	"Ip6OutForwDatagrams",
	"Icmp6InEchos", "Icmp6InEchoReplies", "Icmp6OutEchos",
	"Icmp6OutEchoReplies",
	"Udp6InDatagrams", "Udp6NoPorts", "Udp6OutDatagrams",
	"UdpLite6InDatagrams", "UdpLite6NoPorts", "UdpLite6OutDatagrams",
};

#define UT_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Part of a text that is not NUL-terminated. */
struct ut_span {
	const char *p;
	size_t n;
};

/* The next line of *t, without its '\n'; 0 when *t is used up. */
static int ut_line(struct ut_span *t, struct ut_span *line)
{
	const char *nl;
	size_t step;

	if (t->n == 0)
		return 0;
	nl = memchr(t->p, '\n', t->n);
	line->p = t->p;
	line->n = nl ? (size_t)(nl - t->p) : t->n;
	step = line->n + (nl ? 1 : 0);
	t->p += step;
	t->n -= step;
	return 1;
}

static int ut_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The next run of non-blanks of *t; 0 when none is left. */
static int ut_token(struct ut_span *t, struct ut_span *tok)
{
	while (t->n && ut_blank(*t->p)) {
		t->p++;
		t->n--;
	}
	if (t->n == 0)
		return 0;
	tok->p = t->p;
	while (t->n && !ut_blank(*t->p)) {
		t->p++;
		t->n--;
	}
	tok->n = (size_t)(t->p - tok->p);
	return 1;
}

static int ut_same(struct ut_span a, struct ut_span b)
{
	return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

/* A counter: decimal digits, at most UINT64_MAX. 0, or -1 for anything
 * else (snmp's Tcp MaxConn is -1, for one). */
static int ut_number(struct ut_span s, uint64_t *v)
{
	uint64_t x = 0;

	if (s.n == 0)
		return -1;
	for (size_t i = 0; i < s.n; i++) {
		unsigned d = (unsigned)((unsigned char)s.p[i] - '0');

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

/* Whether prefix followed by name is one of the n fields. */
static int ut_wanted(const char *const *fields, size_t n,
		     struct ut_span prefix, struct ut_span name)
{
	for (size_t i = 0; i < n; i++) {
		const char *f = fields[i];
		size_t len = strlen(f);

		if (len == prefix.n + name.n &&
		    memcmp(f, prefix.p, prefix.n) == 0 &&
		    memcmp(f + prefix.n, name.p, name.n) == 0)
			return 1;
	}
	return 0;
}

/* The fields of one section: names in head, values in vals, in order. */
static size_t ut_section(struct ut_span sec, struct ut_span head,
			 struct ut_span vals, uint64_t *sum)
{
	struct ut_span name, val;
	size_t found = 0;
	uint64_t x;

	while (ut_token(&head, &name) && ut_token(&vals, &val)) {
		if (ut_wanted(ut_snmp_fields, UT_COUNT(ut_snmp_fields), sec,
			      name) && ut_number(val, &x) == 0) {
			*sum += x;
			found++;
		}
	}
	return found;
}

size_t untracked_parse_snmp(const char *text, size_t len, uint64_t *sum)
{
	struct ut_span t = { text, len }, head = { NULL, 0 }, line;
	size_t found = 0;

	while (ut_line(&t, &line)) {
		struct ut_span h = head, v = line, sec_h, sec_v;

		/* A values line follows its names line and starts with the
		 * same "Section:". */
		if (!head.p || !ut_token(&h, &sec_h) || !ut_token(&v, &sec_v) ||
		    sec_h.p[sec_h.n - 1] != ':' || !ut_same(sec_h, sec_v)) {
			head = line;
			continue;
		}
		found += ut_section(sec_h, h, v, sum);
		head.p = NULL;     /* the next line names a new section */
	}
	return found;
}

size_t untracked_parse_snmp6(const char *text, size_t len, uint64_t *sum)
{
	struct ut_span t = { text, len }, line;
	static const struct ut_span none = { "", 0 };
	size_t found = 0;

	while (ut_line(&t, &line)) {
		struct ut_span rest = line, name, val;
		uint64_t x;

		if (ut_token(&rest, &name) && ut_token(&rest, &val) &&
		    ut_wanted(ut_snmp6_fields, UT_COUNT(ut_snmp6_fields), none,
			      name) && ut_number(val, &x) == 0) {
			*sum += x;
			found++;
		}
	}
	return found;
}

/* dir_fd's file name read whole (or its first sz bytes): the length, or
 * -1. Opened afresh each time: the collector's seccomp filter allows a
 * read-only openat, not pread or lseek. */
static ssize_t ut_read(int dir_fd, const char *name, char *buf, size_t sz)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return -1;
	while (got < sz) {
		ssize_t n = read(fd, buf + got, sz - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return (ssize_t)got;
}

/* The sum of the counters and how many there were (0: none readable;
 * snmp6 is missing where IPv6 is off). */
static size_t ut_counters(int dir_fd, uint64_t *sum)
{
	char buf[UT_FILE_MAX];
	size_t found = 0;
	ssize_t n;

	*sum = 0;
	n = ut_read(dir_fd, "snmp", buf, sizeof(buf));
	if (n > 0)
		found += untracked_parse_snmp(buf, (size_t)n, sum);
	n = ut_read(dir_fd, "snmp6", buf, sizeof(buf));
	if (n > 0)
		found += untracked_parse_snmp6(buf, (size_t)n, sum);
	return found;
}

void untracked_open(struct untracked *u, const char *dir)
{
	memset(u, 0, sizeof(*u));
	u->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

void untracked_close(struct untracked *u)
{
	if (u->dir_fd >= 0)
		close(u->dir_fd);
	u->dir_fd = -1;
	u->have = u->on = 0;
}

int untracked_sample(struct untracked *u, uint64_t entries)
{
	uint64_t sum;
	size_t found;

	if (u->dir_fd < 0)
		return 0;
	if (entries > 0) {
		/* Something is tracked: no sign, and nothing to read. */
		u->have = u->on = 0;
		return 0;
	}
	found = ut_counters(u->dir_fd, &sum);
	/* Compared only with a sum of as many counters. */
	if (u->have && found == u->found && sum != u->packets)
		u->on = 1;
	u->have = found > 0;
	u->found = found;
	u->packets = sum;
	return u->on;
}
