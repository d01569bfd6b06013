/* SPDX-License-Identifier: GPL-2.0-only */
/* nsdiag: confinement and the request loop of flowtop-nsdiag. */
#include <errno.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nsdiag/nsdiag.h"
#include "privsep/nsdiag_wire.h"

/* A sock_diag socket made in the namespace behind nsfd; -1 with errno.
 * The helper stays in that namespace until the next request: it has no
 * other use for the network. */
static int nsdiag_make(int nsfd)
{
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return -1;
	return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
}

int nsdiag_serve_one(int chan)
{
	struct nsw_req q;
	struct nsw_ans a = { 0 };
	int nsfd, s = -1, rc;

	rc = nsw_recv(chan, &q, sizeof(q), &nsfd);
	if (rc == 0)
		return 0;
	if (rc < 0 && errno != EBADMSG)
		return -1;
	if (rc < 0 || q.op != NSW_OP_DIAG || nsfd < 0)
		a.err = EBADMSG;
	else if ((s = nsdiag_make(nsfd)) < 0)
		a.err = errno ? errno : EIO;
	if (nsfd >= 0)
		close(nsfd);
	rc = nsw_send(chan, &a, sizeof(a), s);
	if (s >= 0)
		close(s);
	return rc < 0 ? -1 : 1;
}

int nsdiag_role_main(const struct role_spec *self, const struct role_ctx *ctx)
{
	char err[256];
	int rc;

	if (priv_become_with(&ctx->unpriv, CAP_SYS_ADMIN, err, sizeof(err)) < 0)
		role_die(self, err);
	if (role_seal(self, ctx->slot, &nsdiag_landlock, err, sizeof(err)) < 0)
		role_die(self, err);
	while ((rc = nsdiag_serve_one(3)) > 0)
		;
	return rc < 0 ? 1 : 0;
}
