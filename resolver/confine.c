/* SPDX-License-Identifier: GPL-2.0-only */
/* confine: the resolver's start as a role, in the order that keeps what a
 * hostile database could do at open time small.
 *
 * It opens its files (the conf dir, the GeoIP dir, both the user's to
 * name) with the permissions of the user who started flowtop, never
 * root's, while its real and saved ids are already the unprivileged
 * user's and it holds only CAP_SYS_CHROOT, for the one chroot that
 * follows. The user who started a root start (real uid 0; not a setuid
 * or file-capability start, whose real uid is the caller's) is root:
 * then the files of the directories root named are opened as root first,
 * and read from those descriptors after the identity change, so that
 * root's private directories work as a user's own do and nothing of
 * them is parsed as root. A reload later reads the GeoIP dir it was let
 * into as the unprivileged user. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privsep/role.h"
#include "resolver/resolver.h"

int resolver_role_main(const struct role_spec *self, const struct role_ctx *ctx)
{
	struct msg_chan *ui = malloc(sizeof(*ui));
	struct resolver *res;
	struct res_pre *pre = NULL;
	struct ll_policy ll;
	char err[300];

	if (!ui)
		role_die(self, "out of memory");
	msg_chan_init(ui, 3, MSG_DIR_UI_RES, MSG_DIR_RES_UI, "ui");
	if (priv_enter_empty(ctx->empty_dir, err, sizeof(err)) < 0)
		role_die(self, err);
	if (getuid() == 0 && !(pre = resolver_preopen(ctx->o)))
		role_die(self, "out of memory");
	if (priv_become_as(&ctx->unpriv, &ctx->user, 1, err, sizeof(err)) < 0)
		role_die(self, err);
	res = resolver_open_pre(ctx->o, pre);
	resolver_pre_free(pre);
	if (!res)
		return 1;
	resolver_enter_root(res, ctx->o);
	resolver_landlock(res, &ll);
	if (priv_settle(&ctx->unpriv, err, sizeof(err)) < 0 ||
	    priv_chroot_cwd(err, sizeof(err)) < 0 ||
	    role_seal(self, ctx->slot, &ll, err, sizeof(err)) < 0)
		role_die(self, err);
	return resolver_run(res, ui);
}
