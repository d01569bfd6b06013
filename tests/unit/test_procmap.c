/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for collector/procmap.c: socket -> process attribution.
 *
 * The matching rules, the cache and the /proc walk run on sockets fed by
 * hand (procmap_refresh_with) and a fake /proc tree in a temporary
 * directory: PID/stat files and PID/fd/N symlinks whose target is
 * "socket:[INODE]", as the kernel shows them.
 *
 * When root, one test also runs against the real kernel in a private
 * network namespace (a forked child that unshares CLONE_NEWNET): sockets
 * the test opens must map to the child's own PID and comm.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* unshare() */
#endif
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "tests/unit/skip.h"

#include "common/clock.h"
#include "collector/procmap.h"
#include "collector/procmap_int.h"  /* pm_round_add: a socket as asked for */
#include "collector/run.h"
#include "privsep/seccomp.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ a fake /proc */

struct fake {
	char root[64];
	struct procmap *pm;
	struct procmap_sock socks[64];
	size_t n;
	uint8_t local[8][16];
	size_t nlocal;
};

static int fake_rm_one(const char *path, const struct stat *st, int flag,
		       struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void fake_rm(const char *path)
{
	nftw(path, fake_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void fake_write_bytes(const char *path, const char *bytes, size_t n)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void fake_write(const char *path, const char *text)
{
	fake_write_bytes(path, text, strlen(text));
}

/* Process pid with comm and start time (field 22) holding inos, as fds
 * 3, 4, ... plus a pipe at fd 0 (not a socket: must be ignored). */
static void fake_proc(struct fake *f, unsigned pid, const char *comm,
		      unsigned long long start, const uint32_t *inos, size_t n)
{
	char path[256], text[512];
	size_t i;

	snprintf(path, sizeof(path), "%s/%u", f->root, pid);
	fake_rm(path);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%u/stat", f->root, pid);
	snprintf(text, sizeof(text), "%u (%s) S 1 1 1 0 -1 4194560 100 0 0 0 "
		 "0 0 0 0 20 0 1 0 %llu 1000 200 18446744073709551615\n",
		 pid, comm, start);
	fake_write(path, text);
	snprintf(path, sizeof(path), "%s/%u/fd", f->root, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%u/fd/0", f->root, pid);
	assert_int_equal(symlink("pipe:[99]", path), 0);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%u/fd/%zu", f->root, pid, i + 3);
		snprintf(text, sizeof(text), "socket:[%u]", inos[i]);
		assert_int_equal(symlink(text, path), 0);
	}
}

static void fake_gone(struct fake *f, unsigned pid)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%u", f->root, pid);
	fake_rm(path);
}

static int fake_setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	char err[200];

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "/tmp/ft-procmap.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	f->pm = procmap_open_root(f->root, 0, err, sizeof(err));
	assert_non_null(f->pm);
	/* The matching tests look as root, whoever runs them (the fake tree
	 * has no status files); test_other_users looks as a user. */
	procmap_set_viewer(f->pm, 0, 0);
	*state = f;
	return 0;
}

static int fake_teardown(void **state)
{
	struct fake *f = *state;

	procmap_close(f->pm);
	fake_rm(f->root);
	free(f);
	return 0;
}

static void put_addr(uint8_t *out, int family, const char *a)
{
	assert_int_equal(inet_pton(family, a, out), 1);
}

/* Add a socket: addresses as text ("" for the wildcard). */
static void sock(struct fake *f, int family, uint8_t proto, const char *l,
		 uint16_t lp, const char *r, uint16_t rp, uint32_t ino)
{
	struct procmap_sock *s = &f->socks[f->n++];

	memset(s, 0, sizeof(*s));
	s->family = family;
	s->l4proto = proto;
	if (*l)
		put_addr(s->local, family, l);
	if (*r)
		put_addr(s->remote, family, r);
	s->lport = lp;
	s->rport = rp;
	s->inode = ino;
}

/* a (text) as procmap keeps it: IPv4-mapped, or IPv6. */
static void local_addr_to(uint8_t *o, const char *a)
{
	memset(o, 0, 16);
	if (strchr(a, ':')) {
		put_addr(o, AF_INET6, a);
	} else {
		o[10] = o[11] = 0xff;
		put_addr(o + 12, AF_INET, a);
	}
}

static void local_addr(struct fake *f, const char *a)
{
	uint8_t *o = f->local[f->nlocal++];

	memset(o, 0, 16);
	if (strchr(a, ':')) {
		put_addr(o, AF_INET6, a);
	} else {
		o[10] = o[11] = 0xff;
		put_addr(o + 12, AF_INET, a);
	}
}

static void refresh(struct fake *f)
{
	assert_int_equal(procmap_refresh_with(f->pm, f->socks, f->n,
		(const uint8_t (*)[16])f->local, f->nlocal), 1);
}

/* The reply direction of a flow no NAT touched, as ct fills it in. */
static void no_nat(struct flow_wire *w)
{
	memcpy(w->rsrc, w->dst, sizeof(w->rsrc));
	memcpy(w->rdst, w->src, sizeof(w->rdst));
	w->rsport = w->dport;
	w->rdport = w->sport;
}

static struct flow_wire flow(int family, uint8_t proto, const char *src,
			     uint16_t sp, const char *dst, uint16_t dp)
{
	struct flow_wire w;

	memset(&w, 0, sizeof(w));
	w.event = FLOW_EV_DUMP;
	w.family = family == AF_INET ? FLOW_FAM_IPV4 : FLOW_FAM_IPV6;
	w.l4proto = proto;
	w.state = FLOW_STATE_NONE;
	put_addr(w.src, family, src);
	put_addr(w.dst, family, dst);
	w.sport = sp;
	w.dport = dp;
	w.id = 1;
	no_nat(&w);
	return w;
}

/* The pid procmap_fill gives the flow, 0 if none; *rc its verdict. */
static uint32_t owner_of(struct fake *f, struct flow_wire w, int *rc)
{
	int r = procmap_fill(f->pm, &w);

	if (rc)
		*rc = r;
	if (r == PROCMAP_KNOWN)
		assert_non_null(memchr(w.comm, 0, sizeof(w.comm)));
	return r == PROCMAP_KNOWN ? w.pid : 0;
}

static void assert_comm(struct fake *f, struct flow_wire w, const char *comm)
{
	assert_int_equal(procmap_fill(f->pm, &w), PROCMAP_KNOWN);
	assert_string_equal(w.comm, comm);
}

/* ------------------------------------------------------------ parsers */

static void test_parse_socket_link(void **state)
{
	static const char *bad[] = {
		"pipe:[12]", "socket:[]", "socket:[12a]", "socket:[12",
		"socket:[4294967296]", "socket:12]", "anon_inode:[eventfd]",
		"socket:[-1]",
	};
	size_t i;

	(void)state;
	assert_int_equal(procmap_parse_socket_link("socket:[12345]", 14), 12345);
	assert_int_equal(procmap_parse_socket_link("socket:[4294967295]", 19),
			 4294967295u);
	for (i = 0; i < ARRAY_LEN(bad); i++)
		assert_int_equal(procmap_parse_socket_link(bad[i],
							   strlen(bad[i])), 0);
}

static void test_parse_stat(void **state)
{
	const char *ok = "42 (a) (b c)) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 "
			 "1 0 987654 1 2 3\n";
	const char *longc = "7 (abcdefghijklmnopqrst) S 1 1 1 0 -1 0 0 0 0 0 0 "
			    "0 0 0 20 0 1 0 5 1\n";
	const char *shortl = "7 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0";
	char comm[16], buf[1024];
	uint64_t start = 0;
	ssize_t n;
	int fd;

	(void)state;
	assert_int_equal(procmap_parse_stat(ok, strlen(ok), comm, &start), 0);
	assert_string_equal(comm, "a) (b c)");
	assert_int_equal(start, 987654);
	assert_int_equal(procmap_parse_stat(longc, strlen(longc), comm,
					    &start), 0);
	assert_string_equal(comm, "abcdefghijklmno");
	assert_int_equal(start, 5);
	assert_int_equal(procmap_parse_stat(shortl, strlen(shortl), comm,
					    &start), -1);
	assert_int_equal(procmap_parse_stat("no comm", 7, comm, &start), -1);
	/* The real thing: our own stat gives our own comm. */
	fd = open("/proc/self/stat", O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_true(n > 0);
	prctl(PR_GET_NAME, buf + 512, 0, 0, 0);
	assert_int_equal(procmap_parse_stat(buf, (size_t)n, comm, &start), 0);
	assert_string_equal(comm, buf + 512);
	assert_true(start > 0);
}

static void test_parse_icmp_line(void **state)
{
	const char *v4 = "   58: 0100007F:5862 0200A8C0:0000 01 00000000:00000340 "
			 "00:00000000 00000000     0        0 256239 2 "
			 "00000000b56c5ceb 0";
	const char *v6 = "   59: 00000000000000000000000000000000:5863 "
			 "B80D0120000000000000000002000000:0000 07 "
			 "00000000:00000340 00:00000000 00000000  1000        0 "
			 "256240 2 00000000c38f8b63 0";
	const char *head = "  sl  local_address rem_address   st tx_queue "
			   "rx_queue tr tm->when retrnsmt   uid  timeout inode";
	struct procmap_sock s;
	uint8_t a[16];

	(void)state;
	assert_int_equal(procmap_parse_icmp_line(v4, AF_INET, &s), 0);
	put_addr(a, AF_INET, "127.0.0.1");
	assert_memory_equal(s.local, a, 4);
	put_addr(a, AF_INET, "192.168.0.2");
	assert_memory_equal(s.remote, a, 4);
	assert_int_equal(s.lport, 0x5862);
	assert_int_equal(s.rport, 0);
	assert_int_equal(s.inode, 256239);
	assert_int_equal(s.uid, 0);
	assert_int_equal(s.l4proto, IPPROTO_ICMP);
	assert_int_equal(procmap_parse_icmp_line(v6, AF_INET6, &s), 0);
	put_addr(a, AF_INET6, "::");
	assert_memory_equal(s.local, a, 16);
	put_addr(a, AF_INET6, "2001:db8::2");
	assert_memory_equal(s.remote, a, 16);
	assert_int_equal(s.lport, 0x5863);
	assert_int_equal(s.inode, 256240);
	assert_int_equal(s.uid, 1000);
	assert_int_equal(s.l4proto, IPPROTO_ICMPV6);
	assert_int_equal(procmap_parse_icmp_line(head, AF_INET, &s), -1);
	/* An IPv6 line read as IPv4 has the wrong address length. */
	assert_int_equal(procmap_parse_icmp_line(v6, AF_INET, &s), -1);
}

/* ------------------------------------------------------------ who sees what */

static void test_parse_status(void **state)
{
	static const char text[] =
		"Name:\tcurl\nUmask:\t0022\nState:\tS (sleeping)\n"
		"Tgid:\t4242\nPid:\t4242\nPPid:\t1\nTracerPid:\t0\n"
		"Uid:\t1000\t1001\t1002\t1003\n"
		"Gid:\t100\t101\t102\t103\n"
		"FDSize:\t64\nGroups:\t27 100 \n";
	struct procmap_cred c;
	char buf[4096];
	ssize_t n;
	int fd;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(procmap_parse_status(text, strlen(text), &c), 0);
	assert_int_equal(c.uid[0], 1000);
	assert_int_equal(c.uid[1], 1001);
	assert_int_equal(c.uid[2], 1002);
	assert_int_equal(c.uid[3], 1003);
	assert_int_equal(c.gid[0], 100);
	assert_int_equal(c.gid[3], 103);
	/* No Gid line, three uids, a name that only looks like the key, a
	 * number out of range: refused. */
	assert_int_equal(procmap_parse_status(text, strstr(text, "Gid:") - text,
					      &c), -1);
	assert_int_equal(procmap_parse_status(
		"Uid:\t1\t2\t3\nGid:\t1\t2\t3\t4\n", 30, &c), -1);
	assert_int_equal(procmap_parse_status(
		"Name:\tUid: 1 1 1 1\nGid:\t1\t1\t1\t1\n", 36, &c), -1);
	assert_int_equal(procmap_parse_status(
		"Uid:\t4294967296\t1\t1\t1\nGid:\t1\t1\t1\t1\n", 40, &c),
		-1);
	/* The kernel's own. */
	fd = open("/proc/self/status", O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_true(n > 0);
	assert_int_equal(procmap_parse_status(buf, (size_t)n, &c), 0);
	assert_int_equal(c.uid[0], getuid());
	assert_int_equal(c.uid[1], geteuid());
	assert_int_equal(c.gid[0], getgid());
	assert_int_equal(c.gid[1], getegid());
}

static struct procmap_cred cred(uint32_t uid, uint32_t gid)
{
	struct procmap_cred c;

	for (int i = 0; i < 4; i++) {
		c.uid[i] = uid;
		c.gid[i] = gid;
	}
	c.dir_uid = uid;
	c.dir_gid = gid;
	return c;
}

static void test_may_see(void **state)
{
	struct procmap_cred c = cred(1000, 100);
	int i;

	(void)state;
	assert_true(procmap_may_see(1000, 100, &c));
	/* Root sees everyone's, even a process that is not dumpable. */
	assert_true(procmap_may_see(0, 0, &c));
	c.dir_uid = c.dir_gid = 0;
	assert_true(procmap_may_see(0, 0, &c));
	/* Another user's process. */
	c = cred(1001, 100);
	assert_false(procmap_may_see(1000, 100, &c));
	/* Root's process. */
	c = cred(0, 0);
	assert_false(procmap_may_see(1000, 100, &c));
	/* Any one uid or gid not the viewer's (a setuid or setgid program
	 * the user started, a saved uid kept): ptrace would refuse. */
	for (i = 0; i < 4; i++) {
		c = cred(1000, 100);
		c.uid[i] = 0;
		assert_false(procmap_may_see(1000, 100, &c));
		c = cred(1000, 100);
		c.gid[i] = 5;
		assert_false(procmap_may_see(1000, 100, &c));
	}
	/* Not dumpable: /proc/PID is root's. */
	c = cred(1000, 100);
	c.dir_uid = 0;
	assert_false(procmap_may_see(1000, 100, &c));
	c = cred(1000, 100);
	c.dir_gid = 0;
	assert_false(procmap_may_see(1000, 100, &c));
	/* The same uid in another primary group. */
	c = cred(1000, 100);
	assert_false(procmap_may_see(1000, 101, &c));
}

/* /proc/PID/status of a fake process, and the owner of its directory (the
 * kernel's: the effective ids, root's when not dumpable). */
static void fake_cred(struct fake *f, unsigned pid, unsigned uid, unsigned gid,
		      unsigned dir_uid)
{
	char path[256], text[256];

	snprintf(path, sizeof(path), "%s/%u/status", f->root, pid);
	snprintf(text, sizeof(text), "Name:\tx\nUid:\t%u\t%u\t%u\t%u\n"
		 "Gid:\t%u\t%u\t%u\t%u\nFDSize:\t64\n",
		 uid, uid, uid, uid, gid, gid, gid, gid);
	fake_write(path, text);
	snprintf(path, sizeof(path), "%s/%u", f->root, pid);
	assert_int_equal(chown(path, dir_uid, dir_uid ? gid : 0), 0);
}

/* Seen by user 1000 (group 1000): its own process is named; another
 * user's, a non-dumpable one of its own, one without a status are
 * FLOW_OWNER_HIDDEN with their socket's uid and nothing else, and their
 * command lines are not to be had. */
static void test_other_users(void **state)
{
	struct fake *f = *state;
	static const uint32_t mine[] = { 11 }, other[] = { 12 },
		nodump[] = { 13 }, bare[] = { 14 };
	struct flow_wire w;
	int dfd;

	if (geteuid() != 0)
		skip_or_fail("needs root (chown of the fake /proc)");
	procmap_set_viewer(f->pm, 1000, 1000);
	fake_proc(f, 100, "mine", 1, mine, 1);
	fake_cred(f, 100, 1000, 1000, 1000);
	fake_proc(f, 200, "sshd", 1, other, 1);
	fake_cred(f, 200, 1001, 1001, 1001);
	fake_proc(f, 300, "agent", 1, nodump, 1);
	fake_cred(f, 300, 1000, 1000, 0);
	fake_proc(f, 400, "bare", 1, bare, 1);
	local_addr(f, "192.0.2.1");
	sock(f, AF_INET, IPPROTO_TCP, "192.0.2.1", 40001, "192.0.2.2", 80, 11);
	f->socks[f->n - 1].uid = 1000;
	sock(f, AF_INET, IPPROTO_TCP, "192.0.2.1", 40002, "192.0.2.2", 80, 12);
	f->socks[f->n - 1].uid = 1001;
	sock(f, AF_INET, IPPROTO_TCP, "192.0.2.1", 40003, "192.0.2.2", 80, 13);
	f->socks[f->n - 1].uid = 1000;
	sock(f, AF_INET, IPPROTO_TCP, "192.0.2.1", 40004, "192.0.2.2", 80, 14);
	f->socks[f->n - 1].uid = 0;
	refresh(f);

	w = flow(AF_INET, IPPROTO_TCP, "192.0.2.1", 40001, "192.0.2.2", 80);
	assert_int_equal(procmap_fill(f->pm, &w), PROCMAP_KNOWN);
	assert_int_equal(w.pid, 100);
	assert_string_equal(w.comm, "mine");
	assert_int_equal(w.owner, FLOW_OWNER_SOCKET);
	assert_int_equal(w.uid, 1000);
	w.state = 3;            /* flow() gives TCP no state */
	assert_int_equal(flow_wire_check(&w, NULL), 0);
	dfd = procmap_pid_dir(f->pm, 100);
	assert_true(dfd >= 0);
	close(dfd);

	w = flow(AF_INET, IPPROTO_TCP, "192.0.2.1", 40002, "192.0.2.2", 80);
	assert_int_equal(procmap_fill(f->pm, &w), PROCMAP_OTHERS);
	assert_int_equal(w.pid, 0);
	assert_string_equal(w.comm, "");
	assert_int_equal(w.owner, FLOW_OWNER_HIDDEN);
	assert_int_equal(w.uid, 1001);
	w.state = 3;            /* flow() gives TCP no state */
	assert_int_equal(flow_wire_check(&w, NULL), 0);
	assert_int_equal(procmap_pid_dir(f->pm, 200), -1);

	w = flow(AF_INET, IPPROTO_TCP, "192.0.2.1", 40003, "192.0.2.2", 80);
	assert_int_equal(procmap_fill(f->pm, &w), PROCMAP_OTHERS);
	assert_int_equal(w.uid, 1000);
	assert_int_equal(procmap_pid_dir(f->pm, 300), -1);

	w = flow(AF_INET, IPPROTO_TCP, "192.0.2.1", 40004, "192.0.2.2", 80);
	assert_int_equal(procmap_fill(f->pm, &w), PROCMAP_OTHERS);
	assert_int_equal(w.uid, 0);
	assert_int_equal(procmap_pid_dir(f->pm, 400), -1);
	/* Not a process flowtop names at all. */
	assert_int_equal(procmap_pid_dir(f->pm, 999), -1);

	/* The viewer's own process became another's (a setuid exec): the
	 * command line is refused at once, the name from the next refresh. */
	fake_cred(f, 100, 0, 0, 0);
	assert_int_equal(procmap_pid_dir(f->pm, 100), -1);
	refresh(f);
	w = flow(AF_INET, IPPROTO_TCP, "192.0.2.1", 40001, "192.0.2.2", 80);
	assert_int_equal(procmap_fill(f->pm, &w), PROCMAP_OTHERS);
	/* And another's became the viewer's (a daemon's child that dropped
	 * to the user and is dumpable again after exec). */
	fake_cred(f, 200, 1000, 1000, 1000);
	refresh(f);
	w = flow(AF_INET, IPPROTO_TCP, "192.0.2.1", 40002, "192.0.2.2", 80);
	assert_int_equal(procmap_fill(f->pm, &w), PROCMAP_KNOWN);
	assert_int_equal(w.pid, 200);

	/* Root sees every process. */
	procmap_set_viewer(f->pm, 0, 0);
	refresh(f);
	w = flow(AF_INET, IPPROTO_TCP, "192.0.2.1", 40003, "192.0.2.2", 80);
	assert_int_equal(procmap_fill(f->pm, &w), PROCMAP_KNOWN);
	assert_string_equal(w.comm, "agent");
	w = flow(AF_INET, IPPROTO_TCP, "192.0.2.1", 40004, "192.0.2.2", 80);
	assert_int_equal(procmap_fill(f->pm, &w), PROCMAP_KNOWN);
	assert_int_equal(w.owner, FLOW_OWNER_SOCKET);
	assert_int_equal(w.uid, 0);
	dfd = procmap_pid_dir(f->pm, 300);
	assert_true(dfd >= 0);
	close(dfd);
}

/* ------------------------------------------------------------ matching */

static void test_tcp_out_and_in(void **state)
{
	struct fake *f = *state;
	static const uint32_t c[] = { 11 }, srv[] = { 21, 22 };
	struct flow_wire w;
	int rc;

	fake_proc(f, 100, "client", 1000, c, 1);
	fake_proc(f, 200, "server", 2000, srv, 2);
	local_addr(f, "192.0.2.1");
	sock(f, AF_INET, IPPROTO_TCP, "192.0.2.1", 40000, "192.0.2.2", 80, 11);
	/* accepted from a remote client */
	sock(f, AF_INET, IPPROTO_TCP, "192.0.2.1", 22, "198.51.100.7", 5555, 21);
	/* bound, not connected (as a listener would be): TCP never uses it */
	sock(f, AF_INET, IPPROTO_TCP, "192.0.2.1", 23, "", 0, 22);
	refresh(f);
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_TCP, "192.0.2.1",
		40000, "192.0.2.2", 80), NULL), 100);
	assert_comm(f, flow(AF_INET, IPPROTO_TCP, "192.0.2.1", 40000,
			    "192.0.2.2", 80), "client");
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_TCP, "198.51.100.7",
		5555, "192.0.2.1", 22), NULL), 200);
	/* Which end the socket is: the peer, to --alert, is the other. */
	w = flow(AF_INET, IPPROTO_TCP, "192.0.2.1", 40000, "192.0.2.2", 80);
	assert_int_equal(procmap_fill(f->pm, &w), PROCMAP_KNOWN);
	assert_int_equal(w.side, FLOW_SIDE_ORIG);
	w = flow(AF_INET, IPPROTO_TCP, "198.51.100.7", 5555, "192.0.2.1", 22);
	assert_int_equal(procmap_fill(f->pm, &w), PROCMAP_KNOWN);
	assert_int_equal(w.side, FLOW_SIDE_REPLY);
	/* Another client of the same service: not the accepted socket. */
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_TCP, "198.51.100.8",
		5555, "192.0.2.1", 22), &rc), 0);
	assert_int_equal(rc, PROCMAP_UNSEEN);
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_TCP, "198.51.100.8",
		5555, "192.0.2.1", 23), NULL), 0);
	/* UDP flow on the TCP tuple: protocols never mix. */
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_UDP, "192.0.2.1",
		40000, "192.0.2.2", 80), NULL), 0);
	/* Neither end is ours: forwarded. */
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_TCP, "203.0.113.1",
		40000, "198.51.100.2", 80), &rc), 0);
	assert_int_equal(rc, PROCMAP_UNKNOWN);
}

/* A port forward: the client asked for 203.0.113.9:80, DNAT sent it to
 * this host's 192.0.2.1:8080, where the accepted socket sees the client.
 * Only the reply tuple names that socket. */
static void test_dnat_to_local(void **state)
{
	struct fake *f = *state;
	static const uint32_t web[] = { 31 }, dns[] = { 32 };
	struct flow_wire w = flow(AF_INET, IPPROTO_TCP, "198.51.100.7", 5555,
				  "203.0.113.9", 80);
	int rc;

	fake_proc(f, 300, "web", 3000, web, 1);
	fake_proc(f, 301, "dnsd", 3001, dns, 1);
	local_addr(f, "192.0.2.1");
	sock(f, AF_INET, IPPROTO_TCP, "192.0.2.1", 8080, "198.51.100.7", 5555,
	     31);
	sock(f, AF_INET, IPPROTO_UDP, "0.0.0.0", 5353, "", 0, 32);
	refresh(f);
	/* The swapped original (no NAT) finds nothing. */
	assert_int_equal(owner_of(f, w, &rc), 0);
	put_addr(w.rsrc, AF_INET, "192.0.2.1");
	put_addr(w.rdst, AF_INET, "198.51.100.7");
	w.rsport = 8080;
	w.rdport = 5555;
	assert_int_equal(owner_of(f, w, NULL), 300);
	assert_comm(f, w, "web");
	/* UDP redirected to a local wildcard socket: the reply's source is
	 * this host's, so the wildcard rule applies to it. */
	w = flow(AF_INET, IPPROTO_UDP, "198.51.100.7", 4444, "203.0.113.9", 53);
	put_addr(w.rsrc, AF_INET, "192.0.2.1");
	put_addr(w.rdst, AF_INET, "198.51.100.7");
	w.rsport = 5353;
	w.rdport = 4444;
	assert_int_equal(owner_of(f, w, NULL), 301);
	/* The same redirect to a port nobody listens on: no owner, and the
	 * flow still counts as this host's (a socket may come). */
	w.rsport = 5354;
	assert_int_equal(owner_of(f, w, &rc), 0);
	assert_int_equal(rc, PROCMAP_UNSEEN);
}

static void test_ipv4_mapped(void **state)
{
	struct fake *f = *state;
	static const uint32_t a[] = { 31, 32 }, b[] = { 33 };
	int rc;

	fake_proc(f, 300, "dual", 10, a, 2);
	fake_proc(f, 301, "v6only", 11, b, 1);
	local_addr(f, "192.0.2.1");
	local_addr(f, "2001:db8::1");
	sock(f, AF_INET6, IPPROTO_TCP, "::ffff:192.0.2.1", 41000,
	     "::ffff:192.0.2.2", 443, 31);
	/* dual-stack wildcard UDP socket */
	sock(f, AF_INET6, IPPROTO_UDP, "::", 5353, "", 0, 32);
	sock(f, AF_INET6, IPPROTO_UDP, "::", 5354, "", 0, 33);
	f->socks[f->n - 1].v6only = 1;
	refresh(f);
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_TCP, "192.0.2.1",
		41000, "192.0.2.2", 443), NULL), 300);
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_UDP, "192.0.2.9",
		7000, "192.0.2.1", 5353), NULL), 300);
	assert_int_equal(owner_of(f, flow(AF_INET6, IPPROTO_UDP, "2001:db8::9",
		7000, "2001:db8::1", 5353), NULL), 300);
	/* IPV6_V6ONLY: IPv6 flows only. */
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_UDP, "192.0.2.9",
		7000, "192.0.2.1", 5354), &rc), 0);
	assert_int_equal(rc, PROCMAP_UNSEEN);
	assert_int_equal(owner_of(f, flow(AF_INET6, IPPROTO_UDP, "2001:db8::9",
		7000, "2001:db8::1", 5354), NULL), 301);
}

static void test_udp_fallbacks(void **state)
{
	struct fake *f = *state;
	static const uint32_t p1[] = { 41 }, p2[] = { 42 }, p3[] = { 43 },
		p4[] = { 44 };
	int rc;

	fake_proc(f, 401, "connected", 1, p1, 1);
	fake_proc(f, 402, "wildcard", 1, p2, 1);
	fake_proc(f, 403, "bound", 1, p3, 1);
	fake_proc(f, 404, "wild6000", 1, p4, 1);
	local_addr(f, "192.0.2.1");
	local_addr(f, "192.0.2.77");
	sock(f, AF_INET, IPPROTO_UDP, "192.0.2.1", 5353, "192.0.2.9", 7000, 41);
	sock(f, AF_INET, IPPROTO_UDP, "0.0.0.0", 5353, "0.0.0.0", 0, 42);
	sock(f, AF_INET, IPPROTO_UDP, "192.0.2.1", 6000, "", 0, 43);
	sock(f, AF_INET, IPPROTO_UDP, "", 6000, "", 0, 44);
	refresh(f);
	/* A connected socket beats the wildcard one on the same port. */
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_UDP, "192.0.2.9",
		7000, "192.0.2.1", 5353), NULL), 401);
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_UDP, "192.0.2.10",
		7000, "192.0.2.1", 5353), NULL), 402);
	/* Outgoing from the wildcard socket (sendto). */
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_UDP, "192.0.2.77",
		5353, "192.0.2.10", 53), NULL), 402);
	/* Forwarded through this host to the same port: never the local
	 * wildcard socket. */
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_UDP, "198.51.100.1",
		7000, "203.0.113.5", 5353), &rc), 0);
	assert_int_equal(rc, PROCMAP_UNKNOWN);
	/* Bound to a specific address beats the wildcard; a socket bound to
	 * another local address never matches on the port alone. */
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_UDP, "192.0.2.10",
		7000, "192.0.2.1", 6000), NULL), 403);
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_UDP, "192.0.2.10",
		7000, "192.0.2.77", 6000), NULL), 404);
	/* UDP-Lite is its own table. */
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_UDPLITE,
		"192.0.2.10", 7000, "192.0.2.1", 5353), NULL), 0);
}

static void test_no_owner_socket_decides(void **state)
{
	struct fake *f = *state;
	static const uint32_t w[] = { 52 };
	int rc;

	/* 51 is connected but held by no process we can see; the wildcard
	 * socket 52 must not take its flow. */
	fake_proc(f, 500, "wild", 1, w, 1);
	local_addr(f, "192.0.2.1");
	sock(f, AF_INET, IPPROTO_UDP, "192.0.2.1", 5353, "192.0.2.9", 7000, 51);
	sock(f, AF_INET, IPPROTO_UDP, "", 5353, "", 0, 52);
	refresh(f);
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_UDP, "192.0.2.9",
		7000, "192.0.2.1", 5353), &rc), 0);
	assert_int_equal(rc, PROCMAP_UNKNOWN);
}

static void test_icmp_echo(void **state)
{
	struct fake *f = *state;
	static const uint32_t p[] = { 61, 62 };
	struct flow_wire w;

	fake_proc(f, 600, "ping", 1, p, 2);
	local_addr(f, "192.0.2.1");
	local_addr(f, "2001:db8::1");
	sock(f, AF_INET, IPPROTO_ICMP, "", 777, "", 0, 61);
	sock(f, AF_INET6, IPPROTO_ICMPV6, "2001:db8::1", 778, "2001:db8::2", 0,
	     62);
	refresh(f);
	w = flow(AF_INET, IPPROTO_ICMP, "192.0.2.1", 0, "192.0.2.2", 0);
	w.icmp_type = 8;
	w.icmp_id = 777;
	assert_int_equal(owner_of(f, w, NULL), 600);
	w.icmp_id = 776;
	assert_int_equal(owner_of(f, w, NULL), 0);
	/* Someone pinging us with the same id: the kernel answers, not the
	 * socket. */
	w = flow(AF_INET, IPPROTO_ICMP, "192.0.2.2", 0, "192.0.2.1", 0);
	w.icmp_type = 8;
	w.icmp_id = 777;
	assert_int_equal(owner_of(f, w, NULL), 0);
	w = flow(AF_INET6, IPPROTO_ICMPV6, "2001:db8::1", 0, "2001:db8::2", 0);
	w.icmp_type = 128;
	w.icmp_id = 778;
	assert_int_equal(owner_of(f, w, NULL), 600);
	w.icmp_type = 135;      /* neighbour solicitation: no echo id */
	assert_int_equal(owner_of(f, w, NULL), 0);
}

/* ------------------------------------------------------------ the cache */

static void test_pid_reuse_and_exit(void **state)
{
	struct fake *f = *state;
	static const uint32_t a[] = { 71 };
	struct flow_wire w = flow(AF_INET, IPPROTO_TCP, "192.0.2.1", 40000,
				  "192.0.2.2", 80);
	size_t ns, no, bytes;

	fake_proc(f, 700, "first", 1000, a, 1);
	local_addr(f, "192.0.2.1");
	sock(f, AF_INET, IPPROTO_TCP, "192.0.2.1", 40000, "192.0.2.2", 80, 71);
	refresh(f);
	assert_comm(f, w, "first");
	/* Forked child 701 inherited the socket; 700 exited and its PID went
	 * to an unrelated process (another start time). */
	fake_proc(f, 700, "reused", 5000, NULL, 0);
	fake_proc(f, 701, "child", 1500, a, 1);
	refresh(f);
	assert_int_equal(owner_of(f, w, NULL), 701);
	assert_comm(f, w, "child");
	/* 701 exits; nobody holds the socket now. */
	fake_gone(f, 701);
	refresh(f);
	assert_int_equal(owner_of(f, w, NULL), 0);
	procmap_stats(f->pm, &ns, &no, &bytes);
	assert_int_equal(ns, 1);
	assert_int_equal(no, 0);
}

static void test_comm_change(void **state)
{
	struct fake *f = *state;
	static const uint32_t a[] = { 81 };
	struct flow_wire w = flow(AF_INET, IPPROTO_TCP, "192.0.2.1", 40000,
				  "192.0.2.2", 80);

	fake_proc(f, 800, "before", 1, a, 1);
	local_addr(f, "192.0.2.1");
	sock(f, AF_INET, IPPROTO_TCP, "192.0.2.1", 40000, "192.0.2.2", 80, 81);
	refresh(f);
	assert_comm(f, w, "before");
	fake_proc(f, 800, "after", 1, a, 1);    /* prctl(PR_SET_NAME) */
	refresh(f);
	assert_comm(f, w, "after");
}

/* /proc is walked only for inodes not seen before. */
static void test_incremental(void **state)
{
	struct fake *f = *state;
	static const uint32_t a[] = { 91 }, b[] = { 91, 92 };
	struct flow_wire w1 = flow(AF_INET, IPPROTO_TCP, "192.0.2.1", 40000,
				   "192.0.2.2", 80);
	struct flow_wire w2 = flow(AF_INET, IPPROTO_TCP, "192.0.2.1", 40001,
				   "192.0.2.2", 80);

	fake_proc(f, 900, "one", 1, a, 1);
	local_addr(f, "192.0.2.1");
	sock(f, AF_INET, IPPROTO_TCP, "192.0.2.1", 40000, "192.0.2.2", 80, 91);
	refresh(f);
	assert_int_equal(owner_of(f, w1, NULL), 900);
	/* Now 899 shows 91 as well (and 900 still lives): with no new
	 * inode nothing is walked, the cached owner stays. */
	fake_proc(f, 899, "two", 1, a, 1);
	refresh(f);
	assert_int_equal(owner_of(f, w1, NULL), 900);
	/* A new socket: the walk finds it, and the cache is not redone. */
	fake_proc(f, 901, "three", 1, b, 2);
	sock(f, AF_INET, IPPROTO_TCP, "192.0.2.1", 40001, "192.0.2.2", 80, 92);
	refresh(f);
	assert_int_equal(owner_of(f, w2, NULL), 901);
	assert_int_equal(owner_of(f, w1, NULL), 900);
}

/* A walk skips descriptors that held a still-live socket of the same
 * process last time; when that hides a new socket (the old one lives on
 * in another process, the descriptor was reused), the thorough walk
 * still finds it. */
static void test_reused_descriptor(void **state)
{
	struct fake *f = *state;
	static const uint32_t x[] = { 131 }, y[] = { 132 };

	fake_proc(f, 1400, "parent", 1, x, 1);
	local_addr(f, "192.0.2.1");
	sock(f, AF_INET, IPPROTO_TCP, "192.0.2.1", 40000, "192.0.2.2", 80, 131);
	refresh(f);
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_TCP, "192.0.2.1",
		40000, "192.0.2.2", 80), NULL), 1400);
	/* The child keeps x; the parent's fd 3 is now y. */
	fake_proc(f, 1401, "child", 2, x, 1);
	fake_proc(f, 1400, "parent", 1, y, 1);
	sock(f, AF_INET, IPPROTO_TCP, "192.0.2.1", 40001, "192.0.2.2", 80, 132);
	refresh(f);
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_TCP, "192.0.2.1",
		40001, "192.0.2.2", 80), NULL), 1400);
}

static void test_socket_vanishes(void **state)
{
	struct fake *f = *state;
	static const uint32_t a[] = { 101 };
	struct flow_wire w = flow(AF_INET, IPPROTO_UDP, "192.0.2.1", 40000,
				  "192.0.2.2", 53);
	size_t ns, no, bytes;
	int rc;

	fake_proc(f, 1000, "dig", 1, a, 1);
	local_addr(f, "192.0.2.1");
	sock(f, AF_INET, IPPROTO_UDP, "192.0.2.1", 40000, "192.0.2.2", 53, 101);
	refresh(f);
	assert_int_equal(owner_of(f, w, NULL), 1000);
	f->n = 0;
	refresh(f);
	assert_int_equal(owner_of(f, w, &rc), 0);
	assert_int_equal(rc, PROCMAP_UNSEEN);
	procmap_stats(f->pm, &ns, &no, &bytes);
	assert_int_equal(ns, 0);
	assert_int_equal(no, 0);
}

/* A UDP socket that connects after it was seen bound keeps its owner
 * without a new walk (same inode, new tuple). */
static void test_same_inode_new_tuple(void **state)
{
	struct fake *f = *state;
	static const uint32_t a[] = { 111 };

	fake_proc(f, 1100, "udp", 1, a, 1);
	local_addr(f, "192.0.2.1");
	sock(f, AF_INET, IPPROTO_UDP, "192.0.2.1", 40000, "", 0, 111);
	refresh(f);
	fake_gone(f, 1100);     /* a walk now would find nobody */
	fake_proc(f, 1100, "udp", 1, NULL, 0);
	f->n = 0;
	sock(f, AF_INET, IPPROTO_UDP, "192.0.2.1", 40000, "192.0.2.2", 53, 111);
	refresh(f);
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_UDP, "192.0.2.1",
		40000, "192.0.2.2", 53), NULL), 1100);
}

static void test_hidden_pid(void **state)
{
	struct fake *f = *state;
	static const uint32_t r[] = { 121 }, o[] = { 122 };
	struct flow_wire q = flow(AF_INET, IPPROTO_UDP, "192.0.2.1", 40000,
				  "192.0.2.53", 53);
	struct flow_wire g = flow(AF_INET, IPPROTO_UDP, "192.0.2.1", 40001,
				  "192.0.2.53", 53);
	int i;

	q.id = 5000;
	g.id = 5001;
	fake_proc(f, 1200, "flowtop-resolv", 1, r, 1);
	fake_proc(f, 1201, "getent", 1, o, 1);
	procmap_set_hidden_pid(f->pm, 1200);
	local_addr(f, "192.0.2.1");
	sock(f, AF_INET, IPPROTO_UDP, "192.0.2.1", 40000, "192.0.2.53", 53, 121);
	sock(f, AF_INET, IPPROTO_UDP, "192.0.2.1", 40001, "192.0.2.53", 53, 122);
	refresh(f);
	assert_int_equal(procmap_fill(f->pm, &q), PROCMAP_HIDE);
	/* Another process's DNS flow is listed, port 53 or not. */
	assert_int_equal(owner_of(f, g, NULL), 1201);
	/* The resolver closed its socket: the flow stays hidden by id. */
	f->n = 0;
	refresh(f);
	assert_int_equal(procmap_fill(f->pm, &q), PROCMAP_HIDE);
	q.event = FLOW_EV_DESTROY;
	assert_int_equal(procmap_fill(f->pm, &q), PROCMAP_HIDE);
	q.event = FLOW_EV_DUMP;
	assert_int_not_equal(procmap_fill(f->pm, &q), PROCMAP_HIDE);
	/* Forgotten after some periods unseen. */
	fake_proc(f, 1200, "flowtop-resolv", 1, r, 1);
	sock(f, AF_INET, IPPROTO_UDP, "192.0.2.1", 40000, "192.0.2.53", 53, 121);
	refresh(f);
	assert_int_equal(procmap_fill(f->pm, &q), PROCMAP_HIDE);
	f->n = 0;
	for (i = 0; i < 4; i++)
		refresh(f);
	assert_int_not_equal(procmap_fill(f->pm, &q), PROCMAP_HIDE);
}

/* Enough sockets to grow and rehash everything; then half go. */
static void test_many(void **state)
{
	struct fake *f = *state;
	enum { N = 3000 };
	struct procmap_sock *s = calloc(N, sizeof(*s));
	uint32_t *inos = calloc(N, sizeof(*inos));
	uint8_t local[1][16] = { { [10] = 0xff, [11] = 0xff, 192, 0, 2, 1 } };
	size_t i, ns, no, bytes;

	assert_non_null(s);
	assert_non_null(inos);
	for (i = 0; i < N; i++) {
		s[i].family = AF_INET;
		s[i].l4proto = IPPROTO_TCP;
		put_addr(s[i].local, AF_INET, "192.0.2.1");
		put_addr(s[i].remote, AF_INET, "192.0.2.2");
		s[i].lport = (uint16_t)(10000 + i);
		s[i].rport = 80;
		s[i].inode = inos[i] = (uint32_t)(100000 + i);
	}
	fake_proc(f, 1300, "many", 1, inos, N);
	assert_int_equal(procmap_refresh_with(f->pm, s, N,
		(const uint8_t (*)[16])local, 1), 1);
	for (i = 0; i < N; i += 97)
		assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_TCP,
			"192.0.2.1", (uint16_t)(10000 + i), "192.0.2.2", 80),
			NULL), 1300);
	assert_int_equal(procmap_refresh_with(f->pm, s + N / 2, N / 2,
		(const uint8_t (*)[16])local, 1), 1);
	procmap_stats(f->pm, &ns, &no, &bytes);
	assert_int_equal(ns, N / 2);
	assert_int_equal(no, 1);
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_TCP, "192.0.2.1",
		10000, "192.0.2.2", 80), NULL), 0);
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_TCP, "192.0.2.1",
		(uint16_t)(10000 + N - 1), "192.0.2.2", 80), NULL), 1300);
	free(s);
	free(inos);
}

/* ------------------------------------------------------------ seccomp */

/* The collector may open files (its /proc walk), read-only only. */
static void test_collector_openat_readonly(void **state)
{
	const struct sc_policy *p = &collector_policy;
	size_t i, seen = 0;

	(void)state;
	for (i = 0; i < p->count; i++) {
		const struct sc_rule *r = &p->rules[i];

		assert_int_not_equal(r->nr, SCMP_SYS(open));
		assert_int_not_equal(r->nr, SCMP_SYS(openat2));
		if (r->nr != SCMP_SYS(openat))
			continue;
		seen++;
		assert_int_equal(r->argc, 1);
		assert_int_equal(r->args[0].arg, 2);
		assert_int_equal(r->args[0].op, SCMP_CMP_MASKED_EQ);
		assert_int_equal(r->args[0].datum_b, 0);
		assert_true(r->args[0].datum_a & O_WRONLY);
		assert_true(r->args[0].datum_a & O_RDWR);
		assert_true(r->args[0].datum_a & O_CREAT);
		assert_true(r->args[0].datum_a & O_TRUNC);
		assert_true(r->args[0].datum_a & O_APPEND);
		assert_false(r->args[0].datum_a & (O_DIRECTORY | O_CLOEXEC));
	}
	assert_int_equal(seen, 1);
}

/* ------------------------------------------------------------ the kernel */

static int lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (rc == 0)
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);
	return rc;
}

/* A connected pair of type on family's loopback; fds in c (client) and
 * *acc (accepted, TCP only). */
static int pair(int family, int type, int *c, int *srv, int *acc)
{
	struct sockaddr_storage ss;
	socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) :
		sizeof(struct sockaddr_in6);

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		inet_pton(AF_INET, "127.0.0.1",
			  &((struct sockaddr_in *)&ss)->sin_addr);
	else
		inet_pton(AF_INET6, "::1",
			  &((struct sockaddr_in6 *)&ss)->sin6_addr);
	*srv = socket(family, type, 0);
	*c = socket(family, type, 0);
	if (*srv < 0 || *c < 0 || bind(*srv, (void *)&ss, len) < 0 ||
	    getsockname(*srv, (void *)&ss, &len) < 0 ||
	    (type == SOCK_STREAM && listen(*srv, 4) < 0) ||
	    connect(*c, (void *)&ss, len) < 0)
		return -1;
	*acc = type == SOCK_STREAM ? accept(*srv, NULL, NULL) : -1;
	return type == SOCK_STREAM && *acc < 0 ? -1 : 0;
}

/* The flow c's connect made: original direction from c's address. */
static struct flow_wire flow_of_fd(int c, uint8_t proto)
{
	struct sockaddr_storage a, b;
	socklen_t la = sizeof(a), lb = sizeof(b);
	struct flow_wire w;

	memset(&w, 0, sizeof(w));
	getsockname(c, (void *)&a, &la);
	getpeername(c, (void *)&b, &lb);
	w.event = FLOW_EV_NEW;
	w.l4proto = proto;
	w.state = FLOW_STATE_NONE;
	w.id = 7;
	if (a.ss_family == AF_INET) {
		w.family = FLOW_FAM_IPV4;
		memcpy(w.src, &((struct sockaddr_in *)&a)->sin_addr, 4);
		memcpy(w.dst, &((struct sockaddr_in *)&b)->sin_addr, 4);
		w.sport = ntohs(((struct sockaddr_in *)&a)->sin_port);
		w.dport = ntohs(((struct sockaddr_in *)&b)->sin_port);
	} else {
		w.family = FLOW_FAM_IPV6;
		memcpy(w.src, &((struct sockaddr_in6 *)&a)->sin6_addr, 16);
		memcpy(w.dst, &((struct sockaddr_in6 *)&b)->sin6_addr, 16);
		w.sport = ntohs(((struct sockaddr_in6 *)&a)->sin6_port);
		w.dport = ntohs(((struct sockaddr_in6 *)&b)->sin6_port);
	}
	no_nat(&w);
	return w;
}

/* A ping socket that sent one echo request to 127.0.0.1 (ping sockets
 * allowed for every group in this namespace first); its echo id in *id.
 * -1 if the kernel has none. */
static int ping_socket(uint16_t *id)
{
	static const uint8_t echo[8] = { 8, 0, 0, 0, 0, 1, 0, 1 };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = open("/proc/sys/net/ipv4/ping_group_range", O_WRONLY), p;

	if (fd < 0 || write(fd, "0 2147483647", 12) != 12) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	p = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (p < 0 || sendto(p, echo, sizeof(echo), 0, (void *)&sa,
			    sizeof(sa)) < 0 ||
	    getsockname(p, (void *)&sa, &len) < 0)
		return -1;
	*id = ntohs(sa.sin_port);
	return p;
}

/* In the child: 0 when every check holds, else the number of the first
 * that failed (printed on stderr). */
static int kernel_checks(void)
{
	struct procmap *m;
	struct flow_wire w;
	char err[200], comm[16] = "";
	int c, s, a, c6, s6, a6, i, ran = 0, p;
	uint16_t ping_id = 0;

	prctl(PR_GET_NAME, comm, 0, 0, 0);
	if (lo_up() < 0)
		return 1;
	if (pair(AF_INET, SOCK_STREAM, &c, &s, &a) < 0 ||
	    pair(AF_INET6, SOCK_DGRAM, &c6, &s6, &a6) < 0)
		return 2;
	p = ping_socket(&ping_id);
	m = procmap_open(err, sizeof(err));
	if (!m) {
		fprintf(stderr, "procmap_open: %s\n", err);
		return 3;
	}
	if (procmap_refresh(m, PROCMAP_PERIODIC, 0) != 1)
		return 4;
	w = flow_of_fd(c, IPPROTO_TCP);
	if (procmap_fill(m, &w) != PROCMAP_KNOWN || w.pid != (uint32_t)getpid() ||
	    strcmp(w.comm, comm))
		return 5;
	w = flow_of_fd(c6, IPPROTO_UDP);
	if (procmap_fill(m, &w) != PROCMAP_KNOWN || w.pid != (uint32_t)getpid())
		return 6;
	if (p >= 0) {
		memset(&w, 0, sizeof(w));
		w.event = FLOW_EV_NEW;
		w.family = FLOW_FAM_IPV4;
		w.l4proto = IPPROTO_ICMP;
		w.state = FLOW_STATE_NONE;
		inet_pton(AF_INET, "127.0.0.1", w.src);
		inet_pton(AF_INET, "127.0.0.1", w.dst);
		w.icmp_type = 8;
		w.icmp_id = ping_id;
		if (procmap_fill(m, &w) != PROCMAP_KNOWN ||
		    w.pid != (uint32_t)getpid())
			return 9;
	}
	/* Our own sockets are flowtop's own when we are the hidden pid. */
	procmap_set_hidden_pid(m, getpid());
	w = flow_of_fd(c, IPPROTO_TCP);
	if (procmap_fill(m, &w) != PROCMAP_HIDE)
		return 7;
	/* On-demand refreshes: a burst, then the rate limit. */
	for (i = 0; i < 10; i++)
		ran += procmap_refresh(m, PROCMAP_ON_DEMAND, IPPROTO_TCP) == 1;
	if (ran < 1 || ran > 5)
		return 8;
	procmap_close(m);
	return 0;
}

static void test_kernel_netns(void **state)
{
	pid_t pid;
	int st = 0;

	(void)state;
	if (geteuid() != 0)
		skip_or_fail("needs root (a network namespace)");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0)
			_exit(100);
		_exit(kernel_checks());
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 100)
		skip_or_fail("no network namespaces here");
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* ------------------------------------------------------------ new flows */

/* The kernel's pid counter as /proc shows it: the last pid handed out. */
static void fake_last_pid(struct fake *f, unsigned pid)
{
	char path[256], text[32];

	snprintf(path, sizeof(path), "%s/sys", f->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/kernel", f->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/kernel/pid_max", f->root);
	fake_write(path, "32768\n");
	snprintf(path, sizeof(path), "%s/sys/kernel/ns_last_pid", f->root);
	snprintf(text, sizeof(text), "%u\n", pid);
	fake_write(path, text);
}

/* A socket the kernel was asked for by its tuple (procmap_ask), its owner
 * still to be looked for. */
static void asked(struct fake *f, uint16_t lport, uint32_t ino)
{
	struct procmap_sock s;

	memset(&s, 0, sizeof(s));
	s.family = AF_INET;
	s.l4proto = IPPROTO_TCP;
	put_addr(s.local, AF_INET, "192.0.2.1");
	put_addr(s.remote, AF_INET, "192.0.2.2");
	s.lport = lport;
	s.rport = 80;
	s.inode = ino;
	s.uid = 1000;
	assert_int_equal(pm_round_add(f->pm, &s,
				      pm_table_of(AF_INET, IPPROTO_TCP)), 0);
}

struct told {
	unsigned owners;
	struct msg_owner last;
};

static int told_gone(void *ctx, const struct msg_owner_gone *g, size_t n)
{
	(void)ctx, (void)g, (void)n;
	return 0;
}

static int told_owner(void *ctx, const struct msg_owner *o)
{
	struct told *t = ctx;

	t->owners++;
	t->last = *o;
	return 0;
}

/* ------------------------------------------------------------ other namespaces */

/* An address as /proc/net/tcp prints it: each 32-bit word in host order. */
static void hex_addr(char *out, int family, const char *a)
{
	uint8_t b[16];
	size_t words = family == AF_INET ? 1 : 4;

	put_addr(b, family, a);
	for (size_t i = 0; i < words; i++) {
		uint32_t v;

		memcpy(&v, b + 4 * i, 4);
		sprintf(out + 8 * i, "%08X", v);
	}
}

/* One line of /proc/PID/net/{tcp,udp}{,6}. */
static void net_line(char *out, size_t sz, int family, const char *l,
		     unsigned lp, const char *r, unsigned rp, unsigned st,
		     unsigned ino)
{
	char la[40], ra[40];

	hex_addr(la, family, l);
	hex_addr(ra, family, r);
	snprintf(out, sz, "   0: %s:%04X %s:%04X %02X 00000000:00000000 "
		 "00:00000000 00000000  1000        0 %u 1 0000000000000000 "
		 "100 0 0 10 0\n", la, lp, ra, rp, st, ino);
}

/* Process pid (holding inos) in namespace net:[ino], which holds the
 * IPv4 address a4 and the IPv6 address a6, and whose socket tables are
 * tcp4 and udp4 (lines of net_line, after the header). */
static void fake_ns(struct fake *f, unsigned pid, const char *comm,
		    const uint32_t *inos, size_t n, unsigned long long ino,
		    const char *a4, const char *a6, const char *tcp4,
		    const char *udp4)
{
	static const char head[] = "  sl  local_address rem_address   st "
		"tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
	char path[256], text[4096], hex[40];
	uint8_t b[16];

	fake_proc(f, pid, comm, 1000 + pid, inos, n);
	snprintf(path, sizeof(path), "%s/%u/ns", f->root, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%u/ns/net", f->root, pid);
	snprintf(text, sizeof(text), "net:[%llu]", ino);
	assert_int_equal(symlink(text, path), 0);
	snprintf(path, sizeof(path), "%s/%u/net", f->root, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%u/net/fib_trie", f->root, pid);
	snprintf(text, sizeof(text), "Main:\n  +-- 0.0.0.0/0 3 0 5\n"
		 "     |-- %s\n        /32 host LOCAL\n"
		 "     |-- 127.0.0.1\n        /32 host LOCAL\n"
		 "     |-- 10.255.255.255\n        /32 link BROADCAST\n", a4);
	fake_write(path, text);
	snprintf(path, sizeof(path), "%s/%u/net/if_inet6", f->root, pid);
	put_addr(b, AF_INET6, a6);
	for (int i = 0; i < 16; i++)
		sprintf(hex + 2 * i, "%02x", b[i]);
	snprintf(text, sizeof(text), "%s 02 40 00 80     eth0\n"
		 "00000000000000000000000000000001 01 80 10 80       lo\n", hex);
	fake_write(path, text);
	snprintf(path, sizeof(path), "%s/%u/net/tcp", f->root, pid);
	snprintf(text, sizeof(text), "%s%s", head, tcp4);
	fake_write(path, text);
	snprintf(path, sizeof(path), "%s/%u/net/udp", f->root, pid);
	snprintf(text, sizeof(text), "%s%s", head, udp4);
	fake_write(path, text);
}

/* A periodic refresh that looks for namespaces afresh (they are looked
 * for every 2 s at most). */
static void ns_refresh(struct fake *f)
{
	f->pm->ns_scan_mono = 0;
	refresh(f);
}

/* A masqueraded flow out of a namespace, as the host's table has it. */
static struct flow_wire masq(int family, uint8_t proto, const char *src,
			     uint16_t sp, const char *dst, uint16_t dp,
			     const char *as, uint16_t asp)
{
	struct flow_wire w = flow(family, proto, src, sp, dst, dp);

	put_addr(w.rdst, family, as);
	w.rdport = asp;
	return w;
}

static void test_parse_ns_files(void **state)
{
	static const char trie[] =
		"Main:\n  +-- 0.0.0.0/1 2 0 2\n"
		"     +-- 10.55.0.0/24 2 0 2\n"
		"           |-- 10.55.0.0\n              /24 link UNICAST\n"
		"           |-- 10.55.0.2\n              /32 host LOCAL\n"
		"        |-- 10.55.0.255\n           /32 link BROADCAST\n"
		"Local:\n"
		"           |-- 10.55.0.2\n              /32 host LOCAL\n"
		"           |-- 127.0.0.1\n              /32 host LOCAL\n";
	uint8_t v[4][16], a[16];
	struct procmap_sock s;
	char line[256];
	unsigned st;

	(void)state;
	assert_int_equal(procmap_parse_fib_trie(trie, NULL, 0), 3);
	assert_int_equal(procmap_parse_fib_trie(trie, v, 4), 3);
	local_addr_to(a, "10.55.0.2");
	assert_memory_equal(v[0], a, 16);
	assert_memory_equal(v[1], a, 16);
	local_addr_to(a, "127.0.0.1");
	assert_memory_equal(v[2], a, 16);
	assert_int_equal(procmap_parse_fib_trie("|-- 300.1.1.1\n/32 host LOCAL\n",
						NULL, 0), 0);
	assert_int_equal(procmap_parse_if_inet6(
		"fd550000000000000000000000000002 05 40 00 c0      tqb", a), 0);
	put_addr(v[0], AF_INET6, "fd55::2");
	assert_memory_equal(a, v[0], 16);
	assert_int_equal(procmap_parse_if_inet6("fd55 05 40 00 c0 x", a), -1);
	assert_int_equal(procmap_parse_if_inet6("fd5", a), -1);
	assert_int_equal(procmap_parse_if_inet6("", a), -1);
	assert_int_equal(procmap_parse_if_inet6(
		"FD550000000000000000000000000002", a), -1);   /* no device */
	assert_int_equal(procmap_parse_if_inet6(
		"fd55000000000000000000000000000g 05 40 00 c0      tqb", a), -1);
	net_line(line, sizeof(line), AF_INET, "10.88.1.2", 40000, "192.0.2.2",
		 5001, 1, 77);
	assert_int_equal(procmap_parse_net_line(line, AF_INET, IPPROTO_TCP, &s,
						&st), 0);
	assert_int_equal(st, 1);
	assert_int_equal(s.l4proto, IPPROTO_TCP);
	assert_int_equal(s.lport, 40000);
	assert_int_equal(s.rport, 5001);
	assert_int_equal(s.inode, 77);
	put_addr(a, AF_INET, "10.88.1.2");
	assert_memory_equal(s.local, a, 4);
	/* Cut short, a port past 16 bits, a word that is not hex, no "sl:". */
	assert_int_equal(procmap_parse_net_line("   0: 0100007F:0035 "
		"00000000:0000 0A 00000000:00000000 00:00000000 00000000     0",
		AF_INET, IPPROTO_TCP, &s, &st), -1);
	assert_int_equal(procmap_parse_net_line("   0: 0100007F:10035 "
		"00000000:0000 0A 00000000:00000000 00:00000000 00000000     0 "
		"       0 1077", AF_INET, IPPROTO_TCP, &s, &st), -1);
	assert_int_equal(procmap_parse_net_line("   0: 0100007G:0035 "
		"00000000:0000 0A 00000000:00000000 00:00000000 00000000     0 "
		"       0 1077", AF_INET, IPPROTO_TCP, &s, &st), -1);
	assert_int_equal(procmap_parse_net_line("   0 0100007F:0035 "
		"00000000:0000 0A 00000000:00000000 00:00000000 00000000     0 "
		"       0 1077", AF_INET, IPPROTO_TCP, &s, &st), -1);
	assert_int_equal(procmap_parse_net_line("   0: 0100007F:0035 "
		"00000000:0000 0A 00000000:00000000 00:00000000 00000000     0 "
		"       0 1077", AF_INET, IPPROTO_TCP, &s, &st), 0);
	assert_int_equal(st, 10);
	assert_int_equal(s.lport, 53);
	assert_int_equal(s.inode, 1077);
}

/* Flows the host forwards (masquerades) for another namespace are its
 * processes', found in that namespace's own tables; the namespace's
 * wildcard UDP socket serves its own address only; the owner is told of
 * with its namespace. */
static void test_netns_forwarded(void **state)
{
	struct fake *f = *state;
	static const uint32_t c[] = { 41, 42 };
	char tcp[512], udp[512], l[256];
	struct told t = { 0 };
	int rc;

	net_line(tcp, sizeof(tcp), AF_INET, "10.88.1.2", 40000, "192.0.2.2",
		 5001, 1, 41);
	net_line(l, sizeof(l), AF_INET, "10.88.1.2", 5001, "0.0.0.0", 0, 10,
		 43);        /* a listener: no flow's end */
	strcat(tcp, l);
	net_line(udp, sizeof(udp), AF_INET, "0.0.0.0", 5353, "0.0.0.0", 0, 7,
		 42);
	fake_ns(f, 500, "curl", c, 2, 5001, "10.88.1.2", "fd88:1::2", tcp, udp);
	fake_cred(f, 500, 0, 0, 0);
	local_addr(f, "192.0.2.1");
	ns_refresh(f);
	assert_int_equal(owner_of(f, masq(AF_INET, IPPROTO_TCP, "10.88.1.2",
		40000, "192.0.2.2", 5001, "192.0.2.1", 61000), NULL), 500);
	assert_comm(f, masq(AF_INET, IPPROTO_TCP, "10.88.1.2", 40000,
			    "192.0.2.2", 5001, "192.0.2.1", 61000), "curl");
	assert_int_equal(owner_of(f, masq(AF_INET, IPPROTO_UDP, "10.88.1.2",
		5353, "192.0.2.2", 53, "192.0.2.1", 61001), NULL), 500);
	/* Another source behind the same host: not that namespace's. */
	assert_int_equal(owner_of(f, masq(AF_INET, IPPROTO_UDP, "10.88.1.3",
		5353, "192.0.2.2", 53, "192.0.2.1", 61002), &rc), 0);
	assert_int_equal(rc, PROCMAP_UNKNOWN);
	/* The namespace's address, a socket not seen yet: worth asking. */
	assert_int_equal(owner_of(f, masq(AF_INET, IPPROTO_TCP, "10.88.1.2",
		40001, "192.0.2.2", 5001, "192.0.2.1", 61003), &rc), 0);
	assert_int_equal(rc, PROCMAP_UNSEEN);
	/* The TCP listener is no flow's end. */
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_TCP, "192.0.2.2",
		7777, "10.88.1.2", 5001), NULL), 0);
	assert_int_equal(procmap_news(f->pm, told_gone, told_owner, &t), 0);
	assert_int_equal(t.owners, 1);
	assert_int_equal(t.last.pid, 500);
	assert_string_equal(t.last.netns, "net:[5001]");
	/* The namespace's last process exits: its sockets go with it, its
	 * addresses stay a while (its flows are still not from outside),
	 * then go too. */
	fake_gone(f, 500);
	ns_refresh(f);
	assert_int_equal(owner_of(f, masq(AF_INET, IPPROTO_TCP, "10.88.1.2",
		40000, "192.0.2.2", 5001, "192.0.2.1", 61000), &rc), 0);
	assert_int_equal(rc, PROCMAP_UNSEEN);
	/* long ago (modulo 2^64 when the machine is younger than that) */
	f->pm->nss[0].gone_mono = clock_mono_ns() - PM_NS_GONE_KEEP_NS - 1;
	ns_refresh(f);
	assert_int_equal(owner_of(f, masq(AF_INET, IPPROTO_TCP, "10.88.1.2",
		40000, "192.0.2.2", 5001, "192.0.2.1", 61000), &rc), 0);
	assert_int_equal(rc, PROCMAP_UNKNOWN);
}

/* Two tenants hold 10.99.0.2, the host keeps them apart with conntrack
 * zones 3 and 4. Until a zone is known to be a tenant's, the tuple both
 * have a socket for has no owner: never the other tenant's. */
static void test_netns_same_address(void **state)
{
	struct fake *f = *state;
	static const uint32_t c3[] = { 51, 52 }, c4[] = { 61, 62 };
	char t3[512], t4[512], l[256];
	struct flow_wire w;
	int rc;

	net_line(t3, sizeof(t3), AF_INET, "10.99.0.2", 46003, "10.77.0.2",
		 7000, 1, 51);
	net_line(l, sizeof(l), AF_INET, "10.99.0.2", 47000, "10.77.0.2", 7000,
		 1, 52);
	strcat(t3, l);
	net_line(t4, sizeof(t4), AF_INET, "10.99.0.2", 46004, "10.77.0.2",
		 7000, 1, 61);
	net_line(l, sizeof(l), AF_INET, "10.99.0.2", 47000, "10.77.0.2", 7000,
		 1, 62);
	strcat(t4, l);
	fake_ns(f, 503, "app3", c3, 2, 5003, "10.99.0.2", "fd99::2", t3, "");
	fake_ns(f, 504, "app4", c4, 2, 5004, "10.99.0.2", "fd99::2", t4, "");
	ns_refresh(f);
	w = flow(AF_INET, IPPROTO_TCP, "10.99.0.2", 47000, "10.77.0.2", 7000);
	w.zone = 3;
	assert_int_equal(owner_of(f, w, &rc), 0);
	assert_int_equal(rc, PROCMAP_UNKNOWN);
	/* Each tenant's own tuple tells its zone. */
	w = flow(AF_INET, IPPROTO_TCP, "10.99.0.2", 46003, "10.77.0.2", 7000);
	w.zone = 3;
	assert_int_equal(owner_of(f, w, NULL), 503);
	w = flow(AF_INET, IPPROTO_TCP, "10.99.0.2", 46004, "10.77.0.2", 7000);
	w.zone = 4;
	assert_int_equal(owner_of(f, w, NULL), 504);
	w = flow(AF_INET, IPPROTO_TCP, "10.99.0.2", 47000, "10.77.0.2", 7000);
	w.zone = 3;
	assert_int_equal(owner_of(f, w, NULL), 503);
	w.zone = 4;
	assert_int_equal(owner_of(f, w, NULL), 504);
	w.zone = 9;
	assert_int_equal(owner_of(f, w, &rc), 0);
	assert_int_equal(rc, PROCMAP_UNKNOWN);
	/* Zone 4's flow whose only socket left is tenant 3's: not 3's. */
	w = flow(AF_INET, IPPROTO_TCP, "10.99.0.2", 46003, "10.77.0.2", 7000);
	w.zone = 4;
	assert_int_equal(owner_of(f, w, &rc), 0);
	assert_int_equal(rc, PROCMAP_UNKNOWN);
}

/* A port the host publishes into a namespace (DNAT): the namespace's
 * server owns the flow, even when the client is on this host too. */
static void test_netns_published(void **state)
{
	struct fake *f = *state;
	static const uint32_t srv[] = { 71 }, cli[] = { 81 };
	char ts[256], tc[256];
	struct flow_wire w = flow(AF_INET, IPPROTO_TCP, "192.0.2.2", 5555,
				  "192.0.2.1", 8081);

	net_line(ts, sizeof(ts), AF_INET, "10.88.1.2", 80, "192.0.2.2", 5555,
		 1, 71);
	net_line(tc, sizeof(tc), AF_INET, "192.0.2.2", 5555, "192.0.2.1", 8081,
		 1, 81);
	fake_ns(f, 510, "httpd", srv, 1, 5010, "10.88.1.2", "fd88:1::2", ts,
		"");
	fake_ns(f, 520, "client", cli, 1, 5020, "192.0.2.2", "2001:db8::2", tc,
		"");
	local_addr(f, "192.0.2.1");
	ns_refresh(f);
	/* Without DNAT the client is the one that opened it. */
	assert_int_equal(owner_of(f, w, NULL), 520);
	put_addr(w.rsrc, AF_INET, "10.88.1.2");
	w.rsport = 80;
	assert_int_equal(owner_of(f, w, NULL), 510);
}

/* A namespace's UDP server answers flows from outside this machine; a
 * flow a process here opened (another namespace's, its socket gone) is
 * never passed on to the server. */
static void test_netns_answering(void **state)
{
	struct fake *f = *state;
	static const uint32_t srv[] = { 91 }, other[] = { 92 };
	char us[256], tc[256];
	int rc;

	net_line(us, sizeof(us), AF_INET, "10.88.1.2", 53, "0.0.0.0", 0, 7,
		 91);
	net_line(tc, sizeof(tc), AF_INET, "192.0.2.2", 1, "192.0.2.9", 9, 1,
		 92);
	fake_ns(f, 530, "dnsd", srv, 1, 5030, "10.88.1.2", "fd88:1::2", "", us);
	fake_ns(f, 540, "other", other, 1, 5040, "192.0.2.2", "2001:db8::2",
		tc, "");
	ns_refresh(f);
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_UDP, "198.51.100.9",
		4444, "10.88.1.2", 53), NULL), 530);
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_UDP, "192.0.2.2",
		4444, "10.88.1.2", 53), &rc), 0);
	assert_int_equal(rc, PROCMAP_UNSEEN);
}

/* A namespace no flow has named for 10 refreshes is left out of them
 * (its TCP table costs a walk of the kernel's whole hash) until a flow
 * names it again. */
static void test_netns_idle(void **state)
{
	struct fake *f = *state;
	static const uint32_t c[] = { 97 };
	char tcp[256], path[256], text[512];
	struct flow_wire w = masq(AF_INET, IPPROTO_TCP, "10.88.1.2", 40000,
				  "192.0.2.2", 5001, "192.0.2.1", 61000);

	fake_ns(f, 560, "idle", c, 1, 5060, "10.88.1.2", "fd88:1::2", "", "");
	ns_refresh(f);
	for (int i = 0; i < 11; i++)
		refresh(f);
	/* Its socket appears now: not read while idle. */
	net_line(tcp, sizeof(tcp), AF_INET, "10.88.1.2", 40000, "192.0.2.2",
		 5001, 1, 97);
	snprintf(path, sizeof(path), "%s/560/net/tcp", f->root);
	snprintf(text, sizeof(text), "  sl  local_address rem_address   st "
		 "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		 "%s", tcp);
	fake_write(path, text);
	refresh(f);
	assert_int_equal(owner_of(f, w, NULL), 0);     /* and names it */
	refresh(f);
	assert_int_equal(owner_of(f, w, NULL), 560);
}

/* A namespace whose sockstat counts no UDP socket: its UDP table is not
 * read (the counter is what saves a TCP table's walk of the kernel's
 * whole hash), and what it listed before is gone. */
static void test_netns_sockstat(void **state)
{
	struct fake *f = *state;
	static const uint32_t srv[] = { 95 };
	char us[256], path[256];
	struct flow_wire w = flow(AF_INET, IPPROTO_UDP, "198.51.100.9", 4444,
				  "10.88.1.2", 53);

	net_line(us, sizeof(us), AF_INET, "10.88.1.2", 53, "0.0.0.0", 0, 7,
		 95);
	fake_ns(f, 550, "dnsd", srv, 1, 5050, "10.88.1.2", "fd88:1::2", "", us);
	ns_refresh(f);
	assert_int_equal(owner_of(f, w, NULL), 550);
	snprintf(path, sizeof(path), "%s/550/net/sockstat", f->root);
	fake_write(path, "sockets: used 3\nTCP: inuse 0 orphan 0 tw 0 alloc 0 "
		   "mem 0\nUDP: inuse 0 mem 0\nUDPLITE: inuse 0\n");
	ns_refresh(f);
	assert_int_equal(owner_of(f, w, NULL), 0);
}

/* A walk for new flows (procmap_walk_pending): a process it looked at
 * before the process opened its socket is looked at again, even when a
 * full refresh came in between (it used to be forgotten there: a burst's
 * client found only by the next periodic refresh, after it exited); the
 * pid is there at once, the command line and the rest once
 * procmap_details has read them. */
static void test_walk_for_new_flows(void **state)
{
	struct fake *f = *state;
	static const uint32_t old[] = { 11 }, late[] = { 31 }, next[] = { 41 };
	char path[256];
	struct told t = { 0 };

	fake_last_pid(f, 100);
	fake_proc(f, 100, "old", 1000, old, 1);
	local_addr(f, "192.0.2.1");
	sock(f, AF_INET, IPPROTO_TCP, "192.0.2.1", 40000, "192.0.2.2", 80, 11);
	refresh(f);
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_TCP, "192.0.2.1",
		40000, "192.0.2.2", 80), NULL), 100);

	/* 101 starts; a walk for a socket no process holds looks at it
	 * before it has one of its own. */
	fake_proc(f, 101, "late", 2000, NULL, 0);
	fake_last_pid(f, 101);
	asked(f, 40001, 99);
	procmap_walk_pending(f->pm);
	assert_true(procmap_pending(f->pm));
	/* A full refresh (socket 99 still listed, still no holder). */
	sock(f, AF_INET, IPPROTO_TCP, "192.0.2.1", 40001, "192.0.2.2", 80, 99);
	refresh(f);

	/* Now 101 opens its socket, and the kernel is asked for it. */
	fake_proc(f, 101, "late", 2000, late, 1);
	snprintf(path, sizeof(path), "%s/101/status", f->root);
	fake_write(path, "Name:\tlate\nUid:\t1000\t1000\t1000\t1000\n"
		   "Gid:\t1000\t1000\t1000\t1000\n");
	snprintf(path, sizeof(path), "%s/101/cmdline", f->root);
	fake_write_bytes(path, "late\0--flag", 12);
	asked(f, 40002, 31);
	procmap_walk_pending(f->pm);
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_TCP, "192.0.2.1",
		40002, "192.0.2.2", 80), NULL), 101);
	assert_false(procmap_pending(f->pm));

	/* Its details wait for procmap_details. */
	assert_int_equal(procmap_details(f->pm, 0), 1);
	assert_int_equal(procmap_news(f->pm, told_gone, told_owner, &t), 0);
	assert_int_equal(t.owners, 0);
	assert_int_equal(procmap_details(f->pm, 8), 0);
	assert_int_equal(procmap_news(f->pm, told_gone, told_owner, &t), 0);
	assert_int_equal(t.owners, 1);
	assert_int_equal(t.last.pid, 101);
	assert_int_equal(t.last.uid, 1000);
	assert_string_equal(t.last.cmdline, "late --flag");

	/* 102 holds its socket at descriptor 3 too. */
	fake_proc(f, 102, "next", 3000, next, 1);
	fake_last_pid(f, 102);
	asked(f, 40003, 41);
	procmap_walk_pending(f->pm);
	assert_int_equal(owner_of(f, flow(AF_INET, IPPROTO_TCP, "192.0.2.1",
		40003, "192.0.2.2", 80), NULL), 102);
}

#define FAKE_TEST(t) cmocka_unit_test_setup_teardown(t, fake_setup, fake_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_socket_link),
		cmocka_unit_test(test_parse_stat),
		cmocka_unit_test(test_parse_icmp_line),
		cmocka_unit_test(test_parse_status),
		cmocka_unit_test(test_may_see),
		FAKE_TEST(test_other_users),
		FAKE_TEST(test_tcp_out_and_in),
		FAKE_TEST(test_dnat_to_local),
		FAKE_TEST(test_ipv4_mapped),
		FAKE_TEST(test_udp_fallbacks),
		FAKE_TEST(test_no_owner_socket_decides),
		FAKE_TEST(test_icmp_echo),
		FAKE_TEST(test_pid_reuse_and_exit),
		FAKE_TEST(test_comm_change),
		FAKE_TEST(test_incremental),
		FAKE_TEST(test_reused_descriptor),
		FAKE_TEST(test_socket_vanishes),
		FAKE_TEST(test_same_inode_new_tuple),
		FAKE_TEST(test_hidden_pid),
		FAKE_TEST(test_many),
		FAKE_TEST(test_walk_for_new_flows),
		cmocka_unit_test(test_collector_openat_readonly),
		cmocka_unit_test(test_kernel_netns),
		cmocka_unit_test(test_parse_ns_files),
		cmocka_unit_test_setup_teardown(test_netns_forwarded,
						fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_netns_same_address,
						fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_netns_published,
						fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_netns_answering,
						fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_netns_sockstat,
						fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_netns_idle,
						fake_setup, fake_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
