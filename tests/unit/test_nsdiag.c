/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for privsep/nsdiag_wire.c and nsdiag/nsdiag.c: a descriptor
 * each way, what a malformed message gets, and the helper's answer to a
 * namespace (a sock_diag socket made there, as root) and to a descriptor
 * that is no namespace. The helper runs unconfined here, in this process:
 * its seccomp table is checked end to end by t_privsep. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "nsdiag/nsdiag.h"
#include "privsep/nsdiag_wire.h"
#include "tests/unit/skip.h"

static void pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
}

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* A message and its descriptor arrive together; the descriptor is the
 * same file, close-on-exec. */
static void test_fd_passes(void **state)
{
	struct nsw_req q = { NSW_OP_DIAG }, got;
	struct stat a, b;
	int sv[2], fd = open("/dev/null", O_RDONLY | O_CLOEXEC), in;

	(void)state;
	pair(sv);
	assert_true(fd >= 0);
	assert_int_equal(nsw_send(sv[0], &q, sizeof(q), fd), 0);
	assert_int_equal(nsw_recv(sv[1], &got, sizeof(got), &in), 1);
	assert_int_equal(got.op, NSW_OP_DIAG);
	assert_true(in >= 0 && in != fd);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(fstat(in, &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	assert_true(fcntl(in, F_GETFD) & FD_CLOEXEC);
	/* None attached: -1. */
	assert_int_equal(nsw_send(sv[0], &q, sizeof(q), -1), 0);
	assert_int_equal(nsw_recv(sv[1], &got, sizeof(got), &in), 1);
	assert_int_equal(in, -1);
	close(fd);
	close(sv[0]);
	/* The peer gone: the end of the channel. */
	assert_int_equal(nsw_recv(sv[1], &got, sizeof(got), &in), 0);
	close(sv[1]);
}

/* Two descriptors, a message of another length, an empty one: refused,
 * and what came with it is closed, not left open in the receiver. */
static void test_malformed(void **state)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct nsw_req q = { NSW_OP_DIAG };
	uint64_t big = 1;
	int sv[2], fds[2], in, before;
	struct iovec iov = { &q, sizeof(q) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;

	(void)state;
	pair(sv);
	fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fds[1] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	memset(&ctl, 0, sizeof(ctl));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(2 * sizeof(int));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	assert_int_equal(sendmsg(sv[0], &mh, 0), (ssize_t)sizeof(q));
	/* The next descriptor number the receiver would get: whatever the
	 * message brought must be closed again, so it is free after. */
	before = dup(0);
	close(before);
	errno = 0;
	assert_int_equal(nsw_recv(sv[1], &q, sizeof(q), &in), -1);
	assert_int_equal(errno, EBADMSG);
	assert_int_equal(in, -1);
	assert_false(is_open(before));
	assert_false(is_open(before + 1));
	/* A longer message than asked for, with a descriptor. */
	assert_int_equal(nsw_send(sv[0], &big, sizeof(big), fds[0]), 0);
	assert_int_equal(nsw_recv(sv[1], &q, sizeof(q), &in), -1);
	assert_int_equal(errno, EBADMSG);
	assert_false(is_open(before));
	/* An empty one reads as the channel's end (SEQPACKET can't tell
	 * them apart); its descriptor is not left open either. */
	assert_int_equal(nsw_send(sv[0], &q, 0, fds[0]), 0);
	assert_int_equal(nsw_recv(sv[1], &q, sizeof(q), &in), 0);
	assert_int_equal(in, -1);
	assert_false(is_open(before));
	close(fds[0]);
	close(fds[1]);
	close(sv[0]);
	close(sv[1]);
}

/* ask: one request through the helper's loop; the answer's error, and
 * its socket in *s. */
static int ask(int nsfd, uint32_t op, int *s)
{
	struct nsw_req q = { op };
	struct nsw_ans a;
	int sv[2];

	pair(sv);
	assert_int_equal(nsw_send(sv[0], &q, sizeof(q), nsfd), 0);
	assert_int_equal(nsdiag_serve_one(sv[1]), 1);
	assert_int_equal(nsw_recv(sv[0], &a, sizeof(a), s), 1);
	close(sv[0]);
	/* The channel's end: 0, the loop's end. */
	assert_int_equal(nsdiag_serve_one(sv[1]), 0);
	close(sv[1]);
	return a.err;
}

/* No namespace attached, an unknown request, a file that is no
 * namespace: an errno, no socket. */
static void test_refused(void **state)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC), s;

	(void)state;
	assert_int_equal(ask(-1, NSW_OP_DIAG, &s), EBADMSG);
	assert_int_equal(s, -1);
	assert_int_equal(ask(fd, 99, &s), EBADMSG);
	assert_int_equal(s, -1);
	assert_int_not_equal(ask(fd, NSW_OP_DIAG, &s), 0);
	assert_int_equal(s, -1);
	close(fd);
}

/* Root: the helper enters the namespace (its own here, which setns
 * allows as any other) and hands back a NETLINK_SOCK_DIAG socket. */
static void test_makes_socket(void **state)
{
	int ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), s, v;
	socklen_t len = sizeof(v);

	(void)state;
	assert_true(ns >= 0);
	if (geteuid() != 0) {
		close(ns);
		skip_or_fail("setns needs CAP_SYS_ADMIN: run as root");
		return;
	}
	assert_int_equal(ask(ns, NSW_OP_DIAG, &s), 0);
	assert_true(s >= 0);
	assert_int_equal(getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &len), 0);
	assert_int_equal(v, NETLINK_SOCK_DIAG);
	assert_int_equal(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &len), 0);
	assert_int_equal(v, AF_NETLINK);
	close(s);
	close(ns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_passes),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_makes_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
