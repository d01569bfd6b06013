/* ct: conntrack dumps and events through libnetfilter_conntrack, turned
 * into flow_wire records.
 *
 * Two netlink sockets: one subscribed to the event groups (non-blocking,
 * read from the collector's poll loop) and one for dump requests. They are
 * kept apart because a dump's replies and the event stream would otherwise
 * interleave on one socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include "collector/ct.h"
#include "privsep/msg.h"

/* Kernel-side queue of the event socket: deep enough to ride out bursts of
 * flow churn between two reads; beyond it the kernel drops events and
 * reports ENOBUFS, which the caller repairs with a dump. */
#define CT_EVENT_RCVBUF (4u << 20)

/* Userspace receive buffer of the dump socket. The kernel sizes dump
 * batches after the largest read it has seen (up to 32 KiB), so a large
 * buffer means fewer recvfrom calls per dump. */
#define CT_DUMP_BUFSIZE (32u << 10)

struct ct_source {
	struct nfct_handle *ev;
	struct nfct_handle *dump;
	uint32_t sel;
	/* The read or dump in progress, for the library's callbacks. */
	ct_emit_fn emit;
	void *arg;
	int stopped;            /* emit returned -1 */
};

/* What flowtop needs to know about each protocol it shows. */
struct ct_proto {
	uint32_t sel;           /* selection bit; 0: not shown */
	uint8_t icmp;           /* ICMP type/code/id instead of ports */
	uint8_t stateful;
	enum nf_conntrack_attr state_attr;
};

static const struct ct_proto ct_protos[UINT8_MAX + 1] = {
	[IPPROTO_TCP] = { SEL_TCP, 0, 1, ATTR_TCP_STATE },
	[IPPROTO_UDP] = { SEL_UDP, 0, 0, 0 },
	[IPPROTO_UDPLITE] = { SEL_UDP, 0, 0, 0 },
	[IPPROTO_SCTP] = { SEL_SCTP, 0, 1, ATTR_SCTP_STATE },
	[IPPROTO_DCCP] = { SEL_DCCP, 0, 1, ATTR_DCCP_STATE },
	[IPPROTO_ICMP] = { SEL_ICMP, 1, 0, 0 },
	[IPPROTO_ICMPV6] = { SEL_ICMP, 1, 0, 0 },
};

/* Library message types to flow events (NFCT_T_* are single bits). */
static const uint8_t ct_event_of_type[NFCT_T_DESTROY + 1] = {
	[NFCT_T_NEW] = FLOW_EV_NEW,
	[NFCT_T_UPDATE] = FLOW_EV_UPDATE,
	[NFCT_T_DESTROY] = FLOW_EV_DESTROY,
};

static int ct_wire_addrs_v4(const struct nf_conntrack *ct,
			    struct flow_wire *rec)
{
	uint32_t src = nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_SRC);
	uint32_t dst = nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST);

	if (nfct_attr_is_set(ct, ATTR_ORIG_IPV4_SRC) <= 0 ||
	    nfct_attr_is_set(ct, ATTR_ORIG_IPV4_DST) <= 0)
		return -1;
	/* Both already in network order, as the record wants them. */
	memcpy(rec->src, &src, sizeof(src));
	memcpy(rec->dst, &dst, sizeof(dst));
	return 0;
}

static int ct_wire_addrs_v6(const struct nf_conntrack *ct,
			    struct flow_wire *rec)
{
	const void *src = nfct_get_attr(ct, ATTR_ORIG_IPV6_SRC);
	const void *dst = nfct_get_attr(ct, ATTR_ORIG_IPV6_DST);

	if (!src || !dst)
		return -1;
	memcpy(rec->src, src, sizeof(rec->src));
	memcpy(rec->dst, dst, sizeof(rec->dst));
	return 0;
}

static int ct_wire_addrs(const struct nf_conntrack *ct, struct flow_wire *rec)
{
	switch (nfct_get_attr_u8(ct, ATTR_L3PROTO)) {
	case AF_INET:
		rec->family = FLOW_FAM_IPV4;
		return ct_wire_addrs_v4(ct, rec);
	case AF_INET6:
		rec->family = FLOW_FAM_IPV6;
		return ct_wire_addrs_v6(ct, rec);
	default:
		return -1;
	}
}

static void ct_wire_l4(const struct nf_conntrack *ct, const struct ct_proto *p,
		       struct flow_wire *rec)
{
	if (p->icmp) {
		rec->icmp_type = nfct_get_attr_u8(ct, ATTR_ICMP_TYPE);
		rec->icmp_code = nfct_get_attr_u8(ct, ATTR_ICMP_CODE);
		rec->icmp_id = ntohs(nfct_get_attr_u16(ct, ATTR_ICMP_ID));
	} else {
		rec->sport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_SRC));
		rec->dport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST));
	}
}

/* 0, or 1 when the entry carries no state although its protocol has one:
 * the kernel leaves the state out of UPDATE events about other changes
 * (status bits, mark), and such an event has nothing the ui could use. */
static int ct_wire_state(const struct nf_conntrack *ct,
			 const struct ct_proto *p, struct flow_wire *rec)
{
	rec->state = FLOW_STATE_NONE;
	if (!p->stateful)
		return 0;
	if (nfct_attr_is_set(ct, p->state_attr) > 0)
		rec->state = nfct_get_attr_u8(ct, p->state_attr);
	else if (rec->event == FLOW_EV_UPDATE)
		return 1;
	else
		rec->state = 0;   /* the kernel's NONE of every protocol */
	return 0;
}

/* Counters exist only with nf_conntrack_acct, the start time only with
 * nf_conntrack_timestamp; the getters give 0 for what is absent, which is
 * what the record means by "unknown". */
static void ct_wire_numbers(const struct nf_conntrack *ct,
			    struct flow_wire *rec)
{
	rec->orig_bytes = nfct_get_attr_u64(ct, ATTR_ORIG_COUNTER_BYTES);
	rec->orig_packets = nfct_get_attr_u64(ct, ATTR_ORIG_COUNTER_PACKETS);
	rec->reply_bytes = nfct_get_attr_u64(ct, ATTR_REPL_COUNTER_BYTES);
	rec->reply_packets = nfct_get_attr_u64(ct, ATTR_REPL_COUNTER_PACKETS);
	rec->start_ns = nfct_get_attr_u64(ct, ATTR_TIMESTAMP_START);
	rec->id = nfct_get_attr_u32(ct, ATTR_ID);
}

static int ct_is_loopback(uint8_t family, const uint8_t *a)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };
	static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (family == FLOW_FAM_IPV4)
		return a[0] == 127;
	if (!memcmp(a, v6_loopback, sizeof(v6_loopback)))
		return 1;
	return !memcmp(a, v4_mapped, sizeof(v4_mapped)) && a[12] == 127;
}

static int ct_selected(const struct flow_wire *rec, uint32_t sel)
{
	uint32_t fam = rec->family == FLOW_FAM_IPV4 ? SEL_IPV4 : SEL_IPV6;

	if (!(sel & fam) || !(sel & ct_protos[rec->l4proto].sel))
		return 0;
	if (sel & SEL_LOOPBACK)
		return 1;
	return !ct_is_loopback(rec->family, rec->src) &&
	       !ct_is_loopback(rec->family, rec->dst);
}

int ct_to_wire(const void *ctv, uint8_t event, uint32_t sel,
	       struct flow_wire *rec)
{
	const struct nf_conntrack *ct = ctv;
	uint8_t l4 = nfct_get_attr_u8(ct, ATTR_L4PROTO);
	const struct ct_proto *p = &ct_protos[l4];
	const char *why;

	memset(rec, 0, sizeof(*rec));
	rec->event = event;
	rec->l4proto = l4;
	if (!p->sel || ct_wire_addrs(ct, rec) < 0)
		return -1;
	ct_wire_l4(ct, p, rec);
	if (ct_wire_state(ct, p, rec))
		return 1;
	ct_wire_numbers(ct, rec);
	/* The kernel is trusted, but a record the ui would refuse (a state
	 * a newer kernel added, ICMP over the wrong family) must not end
	 * the channel: drop it here. */
	if (flow_wire_check(rec, &why) < 0)
		return -1;
	return ct_selected(rec, sel) ? 0 : 1;
}

/* Convert and emit one entry. -1 once the consumer asked to stop. */
static int ct_deliver(struct ct_source *s, const struct nf_conntrack *ct,
		      uint8_t event)
{
	struct flow_wire rec;

	if (ct_to_wire(ct, event, s->sel, &rec) != 0)
		return 0;
	if (s->emit(&rec, s->arg) < 0) {
		s->stopped = 1;
		return -1;
	}
	return 0;
}

static int ct_event_cb(enum nf_conntrack_msg_type type,
		       struct nf_conntrack *ct, void *data)
{
	struct ct_source *s = data;
	uint8_t event = (unsigned)type <= NFCT_T_DESTROY ?
			ct_event_of_type[type] : 0;

	if (!event)
		return NFCT_CB_CONTINUE;
	/* Events not read yet stay queued on the socket. */
	return ct_deliver(s, ct, event) < 0 ? NFCT_CB_STOP : NFCT_CB_CONTINUE;
}

static int ct_dump_cb(enum nf_conntrack_msg_type type,
		      struct nf_conntrack *ct, void *data)
{
	struct ct_source *s = data;

	(void)type;
	/* Once the consumer stopped, the rest of the dump is still read and
	 * dropped: left on the socket it would be taken for the start of the
	 * next dump's answer. */
	if (!s->stopped)
		ct_deliver(s, ct, FLOW_EV_DUMP);
	return NFCT_CB_CONTINUE;
}

static void ct_begin(struct ct_source *s, ct_emit_fn emit, void *arg)
{
	s->emit = emit;
	s->arg = arg;
	s->stopped = 0;
}

int ct_read_events(struct ct_source *s, ct_emit_fn emit, void *arg,
		   char *err, size_t errlen)
{
	int r;

	ct_begin(s, emit, arg);
	/* nfct_catch() reads until the socket runs dry (EAGAIN, as it is
	 * non-blocking), a callback stops, or an error. */
	r = nfct_catch(s->ev);
	if (s->stopped) {
		snprintf(err, errlen, "conntrack events: consumer stopped");
		return -1;
	}
	if (r >= 0 || errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	if (errno == ENOBUFS)
		return 1;
	snprintf(err, errlen, "conntrack events: %s", strerror(errno));
	return -1;
}

int ct_dump(struct ct_source *s, ct_emit_fn emit, void *arg,
	    char *err, size_t errlen)
{
	/* AF_UNSPEC: one request lists both families. */
	uint32_t family = AF_UNSPEC;
	int r;

	ct_begin(s, emit, arg);
	r = nfct_query(s->dump, NFCT_Q_DUMP, &family);
	if (s->stopped) {
		snprintf(err, errlen, "conntrack dump: consumer stopped");
		return -1;
	}
	if (r < 0) {
		snprintf(err, errlen, "conntrack dump: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int ct_fail(char *err, size_t errlen, const char *what)
{
	int e = errno;

	snprintf(err, errlen, "%s: %s%s", what, strerror(e),
		 e == EPERM ? " (CAP_NET_ADMIN is needed)" : "");
	return -1;
}

/* nfct_open() split in two, so that the nfnetlink handle's buffer size can
 * be set; nfct_close() releases both. */
static struct nfct_handle *ct_handle_open(unsigned groups, unsigned bufsize)
{
	struct nfnl_handle *nl = nfnl_open();
	struct nfct_handle *h;

	if (!nl)
		return NULL;
	if (bufsize)
		nfnl_set_rcv_buffer_size(nl, bufsize);
	h = nfct_open_nfnl(nl, CONNTRACK, groups);
	if (!h) {
		int e = errno;

		nfnl_close(nl);
		errno = e;
	}
	return h;
}

static int ct_open_events(struct ct_source *s, char *err, size_t errlen)
{
	int fd, fl;

	s->ev = ct_handle_open(NF_NETLINK_CONNTRACK_NEW |
			       NF_NETLINK_CONNTRACK_UPDATE |
			       NF_NETLINK_CONNTRACK_DESTROY, 0);
	if (!s->ev)
		return ct_fail(err, errlen, "conntrack event socket");
	/* Best effort: a smaller queue only means more resynchronisations. */
	nfnl_rcvbufsiz(nfct_nfnlh(s->ev), CT_EVENT_RCVBUF);
	fd = nfct_fd(s->ev);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return ct_fail(err, errlen, "conntrack event socket O_NONBLOCK");
	if (nfct_callback_register(s->ev, NFCT_T_ALL, ct_event_cb, s) < 0)
		return ct_fail(err, errlen, "conntrack event callback");
	return 0;
}

static int ct_open_dump(struct ct_source *s, char *err, size_t errlen)
{
	s->dump = ct_handle_open(0, CT_DUMP_BUFSIZE);
	if (!s->dump)
		return ct_fail(err, errlen, "conntrack dump socket");
	if (nfct_callback_register(s->dump, NFCT_T_ALL, ct_dump_cb, s) < 0)
		return ct_fail(err, errlen, "conntrack dump callback");
	return 0;
}

struct ct_source *ct_open(uint32_t sel, char *err, size_t errlen)
{
	struct ct_source *s = calloc(1, sizeof(*s));

	if (!s) {
		ct_fail(err, errlen, "conntrack");
		return NULL;
	}
	s->sel = sel;
	if (ct_open_events(s, err, errlen) < 0 ||
	    ct_open_dump(s, err, errlen) < 0) {
		ct_close(s);
		return NULL;
	}
	return s;
}

void ct_close(struct ct_source *s)
{
	if (!s)
		return;
	if (s->ev)
		nfct_close(s->ev);
	if (s->dump)
		nfct_close(s->dump);
	free(s);
}

void ct_set_selection(struct ct_source *s, uint32_t sel)
{
	s->sel = sel;
}

int ct_event_fd(const struct ct_source *s)
{
	return nfct_fd(s->ev);
}
