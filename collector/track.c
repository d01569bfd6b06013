/* SPDX-License-Identifier: GPL-2.0-only */
/* track: one nftables table of flowtop's own, made with raw nf_tables
 * messages in one batch (all or nothing) and owned by its socket. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector/track.h"

#define TRACK_CHAIN "output"
#define TRACK_ACKS 3            /* table, chain, rule */
#define TRACK_BUFSIZE 8192      /* the batch is well under 1 KiB */

struct track {
	struct mnl_socket *nl;
	char table[32];
};

static struct nlmsghdr *track_msg(struct mnl_nlmsg_batch *b, uint16_t type,
				  uint16_t flags, uint8_t family,
				  uint16_t res_id, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(mnl_nlmsg_batch_current(b));
	struct nfgenmsg *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	g->res_id = htons(res_id);
	return nlh;
}

static uint16_t track_type(uint16_t msg)
{
	return (uint16_t)(NFNL_SUBSYS_NFTABLES << 8 | msg);
}

static void track_put_table(struct mnl_nlmsg_batch *b, const char *table,
			    uint32_t seq)
{
	struct nlmsghdr *nlh = track_msg(b, track_type(NFT_MSG_NEWTABLE),
		NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, NFPROTO_INET, 0, seq);

	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, table);
	mnl_attr_put_u32(nlh, NFTA_TABLE_FLAGS, htonl(NFT_TABLE_F_OWNER));
	mnl_nlmsg_batch_next(b);
}

static void track_put_chain(struct mnl_nlmsg_batch *b, const char *table,
			    uint32_t seq)
{
	struct nlmsghdr *nlh = track_msg(b, track_type(NFT_MSG_NEWCHAIN),
		NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, NFPROTO_INET, 0, seq);
	struct nlattr *hook;

	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, table);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, TRACK_CHAIN);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TYPE, "filter");
	hook = mnl_attr_nest_start(nlh, NFTA_CHAIN_HOOK);
	mnl_attr_put_u32(nlh, NFTA_HOOK_HOOKNUM, htonl(NF_INET_LOCAL_OUT));
	mnl_attr_put_u32(nlh, NFTA_HOOK_PRIORITY, htonl(0));
	mnl_attr_nest_end(nlh, hook);
	mnl_attr_put_u32(nlh, NFTA_CHAIN_POLICY, htonl(NF_ACCEPT));
	mnl_nlmsg_batch_next(b);
}

/* One expression of a rule: its name, then the attributes fill adds. */
static void track_put_expr(struct nlmsghdr *nlh, const char *name,
			   void (*fill)(struct nlmsghdr *nlh))
{
	struct nlattr *elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	struct nlattr *data;

	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, name);
	data = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
	fill(nlh);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, elem);
}

/* "ct state": the expression whose presence turns tracking on. */
static void track_fill_ct(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, NFTA_CT_KEY, htonl(NFT_CT_STATE));
	mnl_attr_put_u32(nlh, NFTA_CT_DREG, htonl(NFT_REG_1));
}

/* "!= 0": a comparison with no verdict, so every packet goes on. */
static void track_fill_cmp(struct nlmsghdr *nlh)
{
	static const uint32_t zero;
	struct nlattr *data;

	mnl_attr_put_u32(nlh, NFTA_CMP_SREG, htonl(NFT_REG_1));
	mnl_attr_put_u32(nlh, NFTA_CMP_OP, htonl(NFT_CMP_NEQ));
	data = mnl_attr_nest_start(nlh, NFTA_CMP_DATA);
	mnl_attr_put(nlh, NFTA_DATA_VALUE, sizeof(zero), &zero);
	mnl_attr_nest_end(nlh, data);
}

static void track_put_rule(struct mnl_nlmsg_batch *b, const char *table,
			   uint32_t seq)
{
	struct nlmsghdr *nlh = track_msg(b, track_type(NFT_MSG_NEWRULE),
		NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, NFPROTO_INET, 0, seq);
	struct nlattr *exprs;

	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, table);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, TRACK_CHAIN);
	exprs = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	track_put_expr(nlh, "ct", track_fill_ct);
	track_put_expr(nlh, "cmp", track_fill_cmp);
	mnl_attr_nest_end(nlh, exprs);
	mnl_nlmsg_batch_next(b);
}

/* The kernel's answers to the batch: 0 once each message is acknowledged,
 * else -1 with errno from the first error. */
static int track_acks(struct mnl_socket *nl, uint32_t first, uint32_t last)
{
	char buf[TRACK_BUFSIZE];
	unsigned acks = 0;

	while (acks < TRACK_ACKS) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		const struct nlmsghdr *nlh = (const void *)buf;
		int left = (int)n;

		if (n <= 0)
			return -1;
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			const struct nlmsgerr *e;

			if (nlh->nlmsg_type != NLMSG_ERROR ||
			    nlh->nlmsg_seq < first || nlh->nlmsg_seq > last)
				continue;
			if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
				errno = EPROTO;
				return -1;
			}
			e = mnl_nlmsg_get_payload(nlh);
			if (e->error) {
				errno = -e->error;
				return -1;
			}
			acks++;
		}
	}
	return 0;
}

static int track_send(struct track *t)
{
	char buf[TRACK_BUFSIZE];
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, sizeof(buf));
	uint32_t seq = (uint32_t)time(NULL), first = seq + 1;
	int r;

	if (!b) {
		errno = ENOMEM;
		return -1;
	}
	track_msg(b, NFNL_MSG_BATCH_BEGIN, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES,
		  seq++);
	mnl_nlmsg_batch_next(b);
	track_put_table(b, t->table, seq++);
	track_put_chain(b, t->table, seq++);
	track_put_rule(b, t->table, seq++);
	track_msg(b, NFNL_MSG_BATCH_END, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES,
		  seq);
	mnl_nlmsg_batch_next(b);
	r = mnl_socket_sendto(t->nl, mnl_nlmsg_batch_head(b),
			      mnl_nlmsg_batch_size(b)) < 0 ? -1 :
	    track_acks(t->nl, first, seq - 1);
	mnl_nlmsg_batch_stop(b);
	return r;
}

static const char *track_hint(int e)
{
	switch (e) {
	case EOPNOTSUPP:
	case EINVAL:
		return " (a table owned by flowtop's run needs Linux 5.12 or later)";
	case EPERM:
		return " (CAP_NET_ADMIN is needed)";
	case EPROTONOSUPPORT:
	case ENOENT:
		return " (is nf_tables available in this kernel?)";
	default:
		return "";
	}
}

struct track *track_start(char *err, size_t errlen)
{
	struct track *t = calloc(1, sizeof(*t));
	int e;

	if (!t) {
		snprintf(err, errlen, "--track: out of memory");
		return NULL;
	}
	snprintf(t->table, sizeof(t->table), "flowtop_track_%ld",
		 (long)getpid());
	t->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (t->nl && mnl_socket_bind(t->nl, 0, MNL_SOCKET_AUTOPID) == 0 &&
	    track_send(t) == 0)
		return t;
	e = errno;
	snprintf(err, errlen, "--track: cannot add the nftables table %s: %s%s",
		 t->table, strerror(e), track_hint(e));
	track_stop(t);
	return NULL;
}

const char *track_table(const struct track *t)
{
	return t->table;
}

void track_stop(struct track *t)
{
	if (!t)
		return;
	if (t->nl)
		mnl_socket_close(t->nl);
	free(t);
}
