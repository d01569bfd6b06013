/* SPDX-License-Identifier: GPL-2.0-only */
/* nsdiag_wire: one message and at most one descriptor each way. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "privsep/nsdiag_wire.h"

/* Room for more descriptors than a message may carry, so that a sender
 * attaching extra ones is seen (and they are closed), not cut short
 * silently by MSG_CTRUNC alone. */
#define NSW_FDS_ROOM 4

int nsw_send(int chan, const void *msg, size_t len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { (void *)msg, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(chan, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

/* The descriptors of control message c, each closed unless it is the
 * first one kept in *fd; how many there were. */
static size_t nsw_take_fds(const struct cmsghdr *c, int *fd)
{
	size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

	for (size_t i = 0; i < n; i++) {
		int d;

		memcpy(&d, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
		if (*fd < 0)
			*fd = d;
		else
			close(d);
	}
	return n;
}

int nsw_recv(int chan, void *msg, size_t len, int *fd)
{
	union {
		char buf[CMSG_SPACE(NSW_FDS_ROOM * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { msg, len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	size_t nfds = 0;
	int other = 0;
	ssize_t n;

	*fd = -1;
	do
		n = recvmsg(chan, &mh, MSG_CMSG_CLOEXEC | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
	     c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			nfds += nsw_take_fds(c, fd);
		else
			other = 1;
	}
	/* An empty datagram reads as the channel's end; whatever it
	 * brought is closed all the same. */
	if (n == 0) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return 0;
	}
	if ((size_t)n != len || nfds > 1 || other ||
	    (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		errno = EBADMSG;
		return -1;
	}
	return 1;
}
