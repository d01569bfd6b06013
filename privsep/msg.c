/* msg: framing, the message catalogue, and its checks in both directions. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "privsep/flow_wire.h"
#include "privsep/lookup_wire.h"
#include "privsep/msg.h"
#include "privsep/update_wire.h"

/* Batches of fixed-size records: at least one, as many as fit. */
#define UNIT(t) ((uint32_t)sizeof(t))
#define MAX_OF(t) (((uint32_t)MSG_MAX_PAYLOAD / UNIT(t)) * UNIT(t))
#define BATCH(t) UNIT(t), MAX_OF(t), UNIT(t)

/* The one catalogue: who may send what, how long it may be, fd or not. */
static const struct msg_spec msg_catalogue[MSG_TYPE_COUNT] = {
	[MSG_HELLO] = { "HELLO", MSG_DIR_COL_UI,
		sizeof(struct msg_hello), sizeof(struct msg_hello), 0, 0 },
	[MSG_DUMP_BEGIN] = { "DUMP_BEGIN", MSG_DIR_COL_UI,
		sizeof(struct msg_dump_mark), sizeof(struct msg_dump_mark), 0, 0 },
	[MSG_FLOWS] = { "FLOWS", MSG_DIR_COL_UI, BATCH(struct flow_wire), 0 },
	[MSG_DUMP_END] = { "DUMP_END", MSG_DIR_COL_UI,
		sizeof(struct msg_dump_mark), sizeof(struct msg_dump_mark), 0, 0 },
	[MSG_CTL_FILTER] = { "CTL_FILTER", MSG_DIR_UI_COL,
		sizeof(struct msg_filter), sizeof(struct msg_filter), 0, 0 },
	[MSG_PING] = { "PING", MSG_DIR_UI_RES,
		sizeof(uint64_t), sizeof(uint64_t), 0, 0 },
	[MSG_PONG] = { "PONG", MSG_DIR_RES_UI,
		sizeof(uint64_t), sizeof(uint64_t), 0, 0 },
	[MSG_LOOKUP_REQ] = { "LOOKUP_REQ", MSG_DIR_UI_RES,
		BATCH(struct lookup_req), 0 },
	[MSG_LOOKUP_ANS] = { "LOOKUP_ANS", MSG_DIR_RES_UI,
		BATCH(struct lookup_ans), 0 },
	[MSG_SERVICE_REQ] = { "SERVICE_REQ", MSG_DIR_UI_RES,
		BATCH(struct service_req), 0 },
	[MSG_SERVICE_ANS] = { "SERVICE_ANS", MSG_DIR_RES_UI,
		BATCH(struct service_ans), 0 },
	[MSG_FETCH_REQ] = { "FETCH_REQ", MSG_DIR_UPD_FET,
		sizeof(struct fetch_req), sizeof(struct fetch_req), 0, 0 },
	[MSG_FETCH_START] = { "FETCH_START", MSG_DIR_FET_UPD,
		sizeof(struct fetch_start), sizeof(struct fetch_start), 0, 0 },
	[MSG_FETCH_DATA] = { "FETCH_DATA", MSG_DIR_FET_UPD,
		sizeof(struct fetch_data_hdr) + 1, MSG_MAX_PAYLOAD, 0, 0 },
	[MSG_FETCH_DONE] = { "FETCH_DONE", MSG_DIR_FET_UPD,
		sizeof(struct fetch_done), sizeof(struct fetch_done), 0, 0 },
	[MSG_VAL_RESULT] = { "VAL_RESULT", MSG_DIR_VAL_UPD,
		sizeof(struct val_result), sizeof(struct val_result), 0, 0 },
	[MSG_CMDLINE_REQ] = { "CMDLINE_REQ", MSG_DIR_UI_COL,
		sizeof(struct msg_cmdline_req), sizeof(struct msg_cmdline_req), 0, 0 },
	[MSG_CMDLINE_ANS] = { "CMDLINE_ANS", MSG_DIR_COL_UI,
		sizeof(struct msg_cmdline_ans), sizeof(struct msg_cmdline_ans), 0, 0 },
	[MSG_RES_INFO] = { "RES_INFO", MSG_DIR_RES_UI,
		sizeof(struct msg_res_info), sizeof(struct msg_res_info), 0, 0 },
};

const struct msg_spec *msg_spec(uint32_t type)
{
	if (type == MSG_NONE || type >= MSG_TYPE_COUNT)
		return NULL;
	return &msg_catalogue[type];
}

const char *msg_type_name(uint32_t type)
{
	const struct msg_spec *s = msg_spec(type);

	return s ? s->name : "unknown";
}

/* Length and direction rules shared by sender and receiver. */
static int msg_allowed(uint32_t dir, uint32_t type, uint32_t len, int has_fd,
		       const char **why)
{
	const struct msg_spec *s = msg_spec(type);

	if (!s) {
		*why = "unknown message type";
		return -1;
	}
	if (!(s->dirs & dir)) {
		*why = "message type not allowed on this channel";
		return -1;
	}
	if (len < s->min_len || len > s->max_len ||
	    (s->unit && (len - s->min_len) % s->unit)) {
		*why = "bad message length";
		return -1;
	}
	if (has_fd && !s->fd_allowed) {
		*why = "unexpected file descriptor";
		return -1;
	}
	return 0;
}

int msg_decode(uint32_t dir, const void *buf, size_t n, int has_fd,
	       struct msg *m, const char **why)
{
	struct msg_hdr h;

	if (n < sizeof(h)) {
		*why = "short message";
		return -1;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.len != n - sizeof(h)) {
		*why = "length field does not match the datagram";
		return -1;
	}
	if (msg_allowed(dir, h.type, h.len, has_fd, why) < 0)
		return -1;
	m->type = h.type;
	m->len = h.len;
	m->payload = (const unsigned char *)buf + sizeof(h);
	m->fd = -1;
	return 0;
}

int msg_check_hello(const struct msg *m, const char **why)
{
	struct msg_hello h;

	memcpy(&h, m->payload, sizeof(h));
	if (h.version != MSG_PROTO_VERSION) {
		*why = "protocol version mismatch";
		return -1;
	}
	if (h.interval_ms == 0 || h.interval_ms > 3600u * 1000u) {
		*why = "interval out of range";
		return -1;
	}
	return 0;
}

int msg_check_dump_mark(const struct msg *m, const char **why)
{
	struct msg_dump_mark mk;

	memcpy(&mk, m->payload, sizeof(mk));
	if (mk.kind < DUMP_PERIODIC || mk.kind > DUMP_FILTER) {
		*why = "bad dump kind";
		return -1;
	}
	if (mk.cadence_ms == 0 || mk.cadence_ms > MSG_CADENCE_MAX_MS) {
		*why = "cadence out of range";
		return -1;
	}
	if (m->type == MSG_DUMP_BEGIN && (mk.took_ns || mk.flags)) {
		*why = "duration or flags in a dump start";
		return -1;
	}
	if ((mk.flags & ~(uint32_t)DUMP_F_ALL) || mk.reserved) {
		*why = "unknown dump flags";
		return -1;
	}
	return 0;
}

int msg_check_filter(const struct msg *m, const char **why)
{
	struct msg_filter f;

	memcpy(&f, m->payload, sizeof(f));
	if (f.sel & ~(uint32_t)SEL_ALL) {
		*why = "unknown selection bits";
		return -1;
	}
	return 0;
}

int msg_check_cmdline_req(const struct msg *m, const char **why)
{
	struct msg_cmdline_req q;

	memcpy(&q, m->payload, sizeof(q));
	if (q.pid == 0 || q.pid > MSG_PID_MAX) {
		*why = "pid out of range";
		return -1;
	}
	return 0;
}

int msg_check_cmdline_ans(const struct msg *m, const char **why)
{
	const unsigned char *p0 = m->payload;
	const char *text = (const char *)m->payload +
		offsetof(struct msg_cmdline_ans, text);
	const char *end = memchr(text, 0, MSG_CMDLINE_LEN);
	uint32_t pid, found;

	memcpy(&pid, p0 + offsetof(struct msg_cmdline_ans, pid), sizeof(pid));
	memcpy(&found, p0 + offsetof(struct msg_cmdline_ans, found),
	       sizeof(found));
	if (pid == 0 || pid > MSG_PID_MAX || found > 1) {
		*why = "pid or found flag out of range";
		return -1;
	}
	if (!end) {
		*why = "command line not terminated";
		return -1;
	}
	for (const char *p = text; p < end; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			*why = "control byte in the command line";
			return -1;
		}
	}
	if (!found && end != text) {
		*why = "text for a process not found";
		return -1;
	}
	return 0;
}

int msg_check_res_info(const struct msg *m, const char **why)
{
	struct msg_res_info ri;

	memcpy(&ri, m->payload, sizeof(ri));
	if (ri.geo_dbs > MSG_GEO_DBS_MAX) {
		*why = "database count out of range";
		return -1;
	}
	if (ri.flags & ~(uint32_t)RES_INFO_DNS) {
		*why = "unknown resolver flags";
		return -1;
	}
	return 0;
}

void msg_chan_init(struct msg_chan *c, int fd, uint32_t rx_dir,
		   uint32_t tx_dir, const char *peer)
{
	c->fd = fd;
	c->rx_dir = rx_dir;
	c->tx_dir = tx_dir;
	c->peer = peer;
}

int msg_send(struct msg_chan *c, uint32_t type, const void *payload,
	     uint32_t len, int fd)
{
	struct msg_hdr h = { .type = type, .len = len };
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = (void *)payload, .iov_len = len },
	};
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
	const char *why;
	ssize_t r;

	if (msg_allowed(c->tx_dir, type, len, fd >= 0, &why) < 0) {
		errno = EINVAL;
		return -1;
	}
	if (fd >= 0) {
		struct cmsghdr *ch;

		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		ch = CMSG_FIRSTHDR(&mh);
		ch->cmsg_level = SOL_SOCKET;
		ch->cmsg_type = SCM_RIGHTS;
		ch->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(ch), &fd, sizeof(int));
	}
	do
		r = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	if ((size_t)r != sizeof(h) + len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

/* Pull every passed descriptor out of the control data; keep the first in
 * *fd, close the rest and report how many there were. */
static int msg_take_fds(struct msghdr *mh, int *fd)
{
	struct cmsghdr *ch;
	int count = 0;

	*fd = -1;
	for (ch = CMSG_FIRSTHDR(mh); ch; ch = CMSG_NXTHDR(mh, ch)) {
		size_t i, nfd;

		if (ch->cmsg_level != SOL_SOCKET || ch->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (ch->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			int one;

			memcpy(&one, CMSG_DATA(ch) + i * sizeof(int), sizeof(int));
			if (count++ == 0)
				*fd = one;
			else
				close(one);
		}
	}
	return count;
}

static int msg_recv_flags(struct msg_chan *c, struct msg *m, const char **why,
			  int flags)
{
	struct iovec iov = { .iov_base = c->buf, .iov_len = sizeof(c->buf) };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} cm;
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cm.buf, .msg_controllen = sizeof(cm.buf),
	};
	ssize_t r;
	int fd, nfd;

	do
		r = recvmsg(c->fd, &mh, flags | MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return -2;
		*why = strerror(errno);
		return -1;
	}
	nfd = msg_take_fds(&mh, &fd);
	if (r == 0 && nfd == 0)
		return 0;
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		*why = "oversized message";
		goto bad;
	}
	if (nfd > 1) {
		*why = "more than one file descriptor";
		goto bad;
	}
	if (msg_decode(c->rx_dir, c->buf, (size_t)r, nfd == 1, m, why) < 0)
		goto bad;
	m->fd = fd;
	return 1;
bad:
	if (fd >= 0)
		close(fd);
	return -1;
}

int msg_recv(struct msg_chan *c, struct msg *m, const char **why)
{
	int r = msg_recv_flags(c, m, why, 0);

	if (r == -2) {
		/* Only a channel someone made non-blocking gets here. */
		*why = "channel unexpectedly non-blocking";
		return -1;
	}
	return r;
}

int msg_recv_nb(struct msg_chan *c, struct msg *m, const char **why)
{
	return msg_recv_flags(c, m, why, MSG_DONTWAIT);
}
