/* SPDX-License-Identifier: GPL-2.0-only */
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


/* Record-by-record checks of the batch types: each record is copied out
 * (the payload need not be aligned for it) and checked as its wire module
 * says. */
#define MSG_EACH(name, type, check_one)					\
	static int name(const struct msg *m, const char **why)		\
	{								\
		type rec;						\
									\
		for (uint32_t off = 0; off < m->len; off += sizeof(rec)) { \
			memcpy(&rec, (const unsigned char *)m->payload + off, \
			       sizeof(rec));				\
			if (check_one(&rec, why) < 0)			\
				return -1;				\
		}							\
		return 0;						\
	}

MSG_EACH(msg_check_flows, struct flow_wire, flow_wire_check)
MSG_EACH(msg_check_lookup_req, struct lookup_req, lookup_req_check)
MSG_EACH(msg_check_lookup_ans, struct lookup_ans, lookup_ans_check)
MSG_EACH(msg_check_service_req, struct service_req, service_req_check)
MSG_EACH(msg_check_service_ans, struct service_ans, service_ans_check)
MSG_EACH(msg_check_fetch_req, struct fetch_req, fetch_req_check)
MSG_EACH(msg_check_fetch_start, struct fetch_start, fetch_start_check)
MSG_EACH(msg_check_fetch_done, struct fetch_done, fetch_done_check)
MSG_EACH(msg_check_val_result, struct val_result, val_result_check)

static int msg_check_hello(const struct msg *m, const char **why);
static int msg_check_dump_mark(const struct msg *m, const char **why);
static int msg_check_filter(const struct msg *m, const char **why);
static int msg_check_cmdline_req(const struct msg *m, const char **why);
static int msg_check_cmdline_ans(const struct msg *m, const char **why);
static int msg_check_res_info(const struct msg *m, const char **why);
static int msg_check_sync(const struct msg *m, const char **why);
static int msg_check_owner(const struct msg *m, const char **why);
static int msg_check_owners_gone(const struct msg *m, const char **why);
static int msg_check_refresh(const struct msg *m, const char **why);
static int msg_check_replay_ctl(const struct msg *m, const char **why);
static int msg_check_replay_state(const struct msg *m, const char **why);

/* A cookie is any 64 bits; the bytes of a download are the validator's
 * to judge. These types have no rule beyond their length, said here so
 * that no type is left without a check by accident. */
static int msg_check_opaque(const struct msg *m, const char **why)
{
	(void)m;
	(void)why;
	return 0;
}

#define FIXED(t) (uint32_t)sizeof(t), (uint32_t)sizeof(t), 0

/* The one catalogue: who may send what, how long it may be, and what its
 * contents must satisfy. msg_decode() runs the check of every message it
 * accepts; test_msg holds every type to having one. */
static const struct msg_spec msg_catalogue[MSG_TYPE_COUNT] = {
	[MSG_HELLO] = { "HELLO", MSG_DIR_COL_UI,
		FIXED(struct msg_hello), msg_check_hello },
	[MSG_DUMP_BEGIN] = { "DUMP_BEGIN", MSG_DIR_COL_UI,
		FIXED(struct msg_dump_mark), msg_check_dump_mark },
	[MSG_FLOWS] = { "FLOWS", MSG_DIR_COL_UI,
		BATCH(struct flow_wire), msg_check_flows },
	[MSG_DUMP_END] = { "DUMP_END", MSG_DIR_COL_UI,
		FIXED(struct msg_dump_mark), msg_check_dump_mark },
	[MSG_CTL_FILTER] = { "CTL_FILTER", MSG_DIR_UI_COL,
		FIXED(struct msg_filter), msg_check_filter },
	[MSG_PING] = { "PING", MSG_DIR_UI_RES,
		FIXED(uint64_t), msg_check_opaque },
	[MSG_PONG] = { "PONG", MSG_DIR_RES_UI,
		FIXED(uint64_t), msg_check_opaque },
	[MSG_LOOKUP_REQ] = { "LOOKUP_REQ", MSG_DIR_UI_RES,
		BATCH(struct lookup_req), msg_check_lookup_req },
	[MSG_LOOKUP_ANS] = { "LOOKUP_ANS", MSG_DIR_RES_UI,
		BATCH(struct lookup_ans), msg_check_lookup_ans },
	[MSG_SERVICE_REQ] = { "SERVICE_REQ", MSG_DIR_UI_RES,
		BATCH(struct service_req), msg_check_service_req },
	[MSG_SERVICE_ANS] = { "SERVICE_ANS", MSG_DIR_RES_UI,
		BATCH(struct service_ans), msg_check_service_ans },
	[MSG_FETCH_REQ] = { "FETCH_REQ", MSG_DIR_UPD_FET,
		FIXED(struct fetch_req), msg_check_fetch_req },
	[MSG_FETCH_START] = { "FETCH_START", MSG_DIR_FET_UPD,
		FIXED(struct fetch_start), msg_check_fetch_start },
	[MSG_FETCH_DATA] = { "FETCH_DATA", MSG_DIR_FET_UPD,
		sizeof(struct fetch_data_hdr) + 1, MSG_MAX_PAYLOAD, 0,
		msg_check_opaque },
	[MSG_FETCH_DONE] = { "FETCH_DONE", MSG_DIR_FET_UPD,
		FIXED(struct fetch_done), msg_check_fetch_done },
	[MSG_VAL_RESULT] = { "VAL_RESULT", MSG_DIR_VAL_UPD,
		FIXED(struct val_result), msg_check_val_result },
	[MSG_CMDLINE_REQ] = { "CMDLINE_REQ", MSG_DIR_UI_COL,
		FIXED(struct msg_cmdline_req), msg_check_cmdline_req },
	[MSG_CMDLINE_ANS] = { "CMDLINE_ANS", MSG_DIR_COL_UI,
		FIXED(struct msg_cmdline_ans), msg_check_cmdline_ans },
	[MSG_RES_INFO] = { "RES_INFO", MSG_DIR_RES_UI,
		FIXED(struct msg_res_info), msg_check_res_info },
	[MSG_SYNC_REQ] = { "SYNC_REQ", MSG_DIR_UI_COL,
		FIXED(struct msg_sync), msg_check_sync },
	[MSG_SYNC_ANS] = { "SYNC_ANS", MSG_DIR_COL_UI,
		FIXED(struct msg_sync), msg_check_sync },
	[MSG_OWNER] = { "OWNER", MSG_DIR_COL_UI,
		FIXED(struct msg_owner), msg_check_owner },
	[MSG_OWNERS_GONE] = { "OWNERS_GONE", MSG_DIR_COL_UI,
		BATCH(struct msg_owner_gone), msg_check_owners_gone },
	[MSG_CTL_REFRESH] = { "CTL_REFRESH", MSG_DIR_UI_COL,
		UNIT(struct msg_refresh), UNIT(struct msg_refresh) +
		MSG_REFRESH_MAX * UNIT(struct flow_key), UNIT(struct flow_key),
		msg_check_refresh },
	[MSG_CTL_REPLAY] = { "CTL_REPLAY", MSG_DIR_UI_COL,
		FIXED(struct msg_replay_ctl), msg_check_replay_ctl },
	[MSG_REPLAY_STATE] = { "REPLAY_STATE", MSG_DIR_COL_UI,
		FIXED(struct msg_replay_state), msg_check_replay_state },
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
static int msg_allowed(uint32_t dir, uint32_t type, uint32_t len,
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
	return 0;
}

int msg_frame(uint32_t dir, const void *buf, size_t n, struct msg *m,
	      const char **why)
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
	if (msg_allowed(dir, h.type, h.len, why) < 0)
		return -1;
	m->type = h.type;
	m->len = h.len;
	m->payload = (const unsigned char *)buf + sizeof(h);
	return 0;
}

int msg_decode(uint32_t dir, const void *buf, size_t n, struct msg *m,
	       const char **why)
{
	if (msg_frame(dir, buf, n, m, why) < 0)
		return -1;
	return msg_catalogue[m->type].check(m, why);
}

static int msg_check_hello(const struct msg *m, const char **why)
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

static int msg_check_dump_mark(const struct msg *m, const char **why)
{
	struct msg_dump_mark mk;

	memcpy(&mk, m->payload, sizeof(mk));
	if (mk.kind < DUMP_PERIODIC || mk.kind > DUMP_KIND_LAST) {
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

static int msg_check_filter(const struct msg *m, const char **why)
{
	struct msg_filter f;

	memcpy(&f, m->payload, sizeof(f));
	if (f.sel & ~(uint32_t)SEL_ALL) {
		*why = "unknown selection bits";
		return -1;
	}
	return 0;
}

static int msg_check_cmdline_req(const struct msg *m, const char **why)
{
	struct msg_cmdline_req q;

	memcpy(&q, m->payload, sizeof(q));
	if (q.pid == 0 || q.pid > MSG_PID_MAX) {
		*why = "pid out of range";
		return -1;
	}
	return 0;
}

/* A NUL within the field; with printable, the bytes before it are no
 * C0 control or DEL either. */
static int msg_field_ok(const char *f, size_t len, int printable)
{
	const char *end = memchr(f, 0, len);

	if (!end)
		return 0;
	for (const char *p = f; printable && p < end; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

static int msg_check_cmdline_ans(const struct msg *m, const char **why)
{
	const unsigned char *p0 = m->payload;
	const char *text = (const char *)m->payload +
		offsetof(struct msg_cmdline_ans, text);
	uint32_t pid, found;

	memcpy(&pid, p0 + offsetof(struct msg_cmdline_ans, pid), sizeof(pid));
	memcpy(&found, p0 + offsetof(struct msg_cmdline_ans, found),
	       sizeof(found));
	if (pid == 0 || pid > MSG_PID_MAX || found > 1) {
		*why = "pid or found flag out of range";
		return -1;
	}
	if (!msg_field_ok(text, MSG_CMDLINE_LEN, 1)) {
		*why = "command line not terminated, or a control byte in it";
		return -1;
	}
	if (!found && text[0]) {
		*why = "text for a process not found";
		return -1;
	}
	return 0;
}

/* Field f of the struct msg_owner at p (maybe unaligned): where, how long. */
#define OWNER_FIELD(p, f) (p) + offsetof(struct msg_owner, f), \
	sizeof(((struct msg_owner *)0)->f)

static int msg_check_owner(const struct msg *m, const char **why)
{
	const char *p0 = m->payload;
	uint32_t pid;

	memcpy(&pid, p0 + offsetof(struct msg_owner, pid), sizeof(pid));
	if (pid == 0 || pid > MSG_PID_MAX) {
		*why = "pid out of range";
		return -1;
	}
	if (!msg_field_ok(OWNER_FIELD(p0, comm), 0) ||
	    !msg_field_ok(OWNER_FIELD(p0, cmdline), 1) ||
	    !msg_field_ok(OWNER_FIELD(p0, exe), 0) ||
	    !msg_field_ok(OWNER_FIELD(p0, cgroup), 0) ||
	    !msg_field_ok(OWNER_FIELD(p0, netns), 0)) {
		*why = "owner text not terminated, or a control byte in the "
			"command line";
		return -1;
	}
	return 0;
}

static int msg_check_owners_gone(const struct msg *m, const char **why)
{
	size_t n = m->len / sizeof(struct msg_owner_gone);

	for (size_t i = 0; i < n; i++) {
		struct msg_owner_gone g;

		memcpy(&g, (const char *)m->payload + i * sizeof(g), sizeof(g));
		if (g.pid == 0 || g.pid > MSG_PID_MAX || g.reserved) {
			*why = "pid out of range, or reserved bits set";
			return -1;
		}
	}
	return 0;
}

static int msg_check_replay_ctl(const struct msg *m, const char **why)
{
	struct msg_replay_ctl c;

	memcpy(&c, m->payload, sizeof(c));
	if (c.op < REPLAY_OP_PAUSE || c.op > REPLAY_OP_LAST || c.reserved) {
		*why = "unknown replay key, or reserved bits set";
		return -1;
	}
	return 0;
}

static int msg_check_replay_state(const struct msg *m, const char **why)
{
	struct msg_replay_state st;

	memcpy(&st, m->payload, sizeof(st));
	if (st.speed < REPLAY_SPEED_MIN || st.speed > REPLAY_SPEED_MAX ||
	    (st.flags & ~REPLAY_F_ALL) || st.frame > st.frames) {
		*why = "replay speed out of range, unknown flags, or a frame "
			"past the last";
		return -1;
	}
	return 0;
}

static int msg_check_refresh(const struct msg *m, const char **why)
{
	const unsigned char *p = m->payload;
	struct msg_refresh h;

	memcpy(&h, p, sizeof(h));
	if ((h.flags & ~(uint32_t)REFRESH_F_KNOWN) || h.reserved) {
		*why = "unknown refresh flags, or reserved bits set";
		return -1;
	}
	for (uint32_t off = sizeof(h); off < m->len;
	     off += sizeof(struct flow_key)) {
		struct flow_key k;

		memcpy(&k, p + off, sizeof(k));
		if (flow_key_check(&k, why) < 0)
			return -1;
	}
	return 0;
}

static int msg_check_res_info(const struct msg *m, const char **why)
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

static int msg_check_sync(const struct msg *m, const char **why)
{
	struct msg_sync y;

	memcpy(&y, m->payload, sizeof(y));
	if (y.screen > 1) {
		*why = "screen flag out of range";
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
	     uint32_t len)
{
	struct msg_hdr h = { .type = type, .len = len };
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = (void *)payload, .iov_len = len },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
	const char *why;
	ssize_t r;

	if (msg_allowed(c->tx_dir, type, len, &why) < 0) {
		errno = EINVAL;
		return -1;
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

/* No message carries a descriptor. A peer may still pass some: each is
 * closed at once (so none leaks into this process), and their number
 * returned so the message can be refused. */
static int msg_close_fds(struct msghdr *mh)
{
	struct cmsghdr *ch;
	int count = 0;

	for (ch = CMSG_FIRSTHDR(mh); ch; ch = CMSG_NXTHDR(mh, ch)) {
		size_t i, nfd;

		if (ch->cmsg_level != SOL_SOCKET || ch->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (ch->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			int one;

			memcpy(&one, CMSG_DATA(ch) + i * sizeof(int), sizeof(int));
			close(one);
			count++;
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
	int nfd;

	do
		r = recvmsg(c->fd, &mh, flags | MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return -2;
		*why = strerror(errno);
		return -1;
	}
	nfd = msg_close_fds(&mh);
	if (r == 0 && nfd == 0)
		return 0;
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		*why = "oversized message";
		return -1;
	}
	if (nfd) {
		*why = "unexpected file descriptor";
		return -1;
	}
	return msg_decode(c->rx_dir, c->buf, (size_t)r, m, why) < 0 ? -1 : 1;
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
