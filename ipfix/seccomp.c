/* SPDX-License-Identifier: GPL-2.0-only */
/* The IPFIX exporter's allowlist: the ui's channel (descriptor 3), the
 * one socket to the flow collector it connected before the sandbox
 * (IX_SOCK_FD), its stderr. No socket, connect or open: a lost TCP
 * connection is not made again, and nothing is read from disk.
 * libfixbuf and glib make no call of their own once set up (the
 * buffer exporter only copies; time() is the vDSO's). */
#include "common/util.h"
#include "ipfix/exporter.h"

static const struct sc_rule ipfix_exporter_rules[] = {
	/* the ui's messages in; IX_STATS to it, IPFIX to the collector */
	SC_ALLOW_ARG(recvfrom, 0, SCMP_CMP_EQ, IX_UI_FD),
	SC_ALLOW_ARG(sendto, 0, SCMP_CMP_EQ, IX_UI_FD),
	SC_ALLOW_ARG(sendto, 0, SCMP_CMP_EQ, IX_SOCK_FD),
	SC_ALLOW(poll),		/* the loop: the ui, a TCP collector */
	SC_ALLOW(ppoll),
	/* the vDSO's, unless the clock source has none */
	SC_ALLOW(clock_gettime),
	SC_ALLOW_ARG(write, 0, SCMP_CMP_EQ, 2),	/* the last words */
	SC_ALLOW(close),
	SC_GROUP_MEMORY,	/* brk, mmap, munmap, mremap, madvise, futex */
	SC_GROUP_DYING,	/* signal handling, getpid/gettid/tgkill, exit */
};

const struct sc_policy ipfix_exporter_policy = {
	"ipfix", ipfix_exporter_rules, ARRAY_LEN(ipfix_exporter_rules),
};
