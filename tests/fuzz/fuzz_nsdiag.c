/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target for the namespace helper's side of its channel
 * (nsdiag_serve_one, privsep/nsdiag_wire.c's nsw_recv): whatever the
 * collector's end sends, the helper answers with exactly one answer, makes
 * no socket from a descriptor that is not a network namespace, and leaves
 * no descriptor open that the message brought (an empty message ends the
 * helper, as the channel's end would).
 *
 * Input layout:
 *   byte 0   how many descriptors come with the message (byte % 4), each
 *            an open /dev/null
 *   rest     the message (at most 4096 bytes)
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nsdiag/nsdiag.h"
#include "privsep/nsdiag_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The lowest free descriptor number: the same before and after, or a
 * descriptor leaked. */
static int next_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

static void send_raw(int chan, const uint8_t *msg, size_t len, int nfds)
{
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { (void *)msg, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fds[3];

	for (int i = 0; i < nfds; i++)
		fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (nfds) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, (size_t)nfds * sizeof(int));
	}
	if (sendmsg(chan, &mh, 0) < 0)
		abort();
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nsw_ans a;
	int sv[2], before, s, rc;

	if (size < 1 || size > 4097)
		return 0;
	before = next_fd();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	send_raw(sv[0], data + 1, size - 1, data[0] % 4);
	rc = nsdiag_serve_one(sv[1]);
	/* A message is answered; an empty one reads as the channel's end,
	 * and the helper stops, answering nothing. */
	if (rc != (size > 1 ? 1 : 0))
		abort();
	if (rc == 1 &&
	    (nsw_recv(sv[0], &a, sizeof(a), &s) != 1 || a.err == 0 || s != -1))
		abort();
	close(sv[0]);
	close(sv[1]);
	if (next_fd() != before)
		abort();
	return 0;
}
