/* SPDX-License-Identifier: GPL-2.0-only */
/* confine: the resolver's start as a role, in the order that keeps a
 * hostile database or service file from being parsed anywhere but in the
 * sandbox.
 *
 * Its files (the conf dir and the GeoIP dir, both the user's to name) are
 * opened, not read, with the permissions of the user who started flowtop:
 * root's for a root start (real uid 0; not a setuid or file-capability
 * start, whose real uid is the caller's), before the identity change, so
 * that root's private directories work as a user's own do; else the
 * caller's, once the real and saved ids are the unprivileged user's and
 * CAP_SYS_CHROOT is the only capability left. Then it settles as that
 * user, picks its root (res_files_place), chroots, drops the last
 * capability and seals itself (Landlock, seccomp); only then are the
 * files read. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privsep/role.h"
#include "resolver/files.h"
#include "resolver/resolver.h"

int resolver_role_main(const struct role_spec *self, const struct role_ctx *ctx)
{
	struct msg_chan *ui = malloc(sizeof(*ui));
	struct res_files *files = NULL;
	struct resolver *res;
	struct ll_policy ll;
	char err[300];

	if (!ui)
		role_die(self, "out of memory");
	msg_chan_init(ui, 3, MSG_DIR_UI_RES, MSG_DIR_RES_UI, "ui");
	if (priv_enter_empty(ctx->empty_dir, err, sizeof(err)) < 0)
		role_die(self, err);
	if (getuid() == 0 && !(files = res_files_open(ctx->o)))
		role_die(self, "out of memory");
	if (priv_become_as(&ctx->unpriv, &ctx->user, 1, err, sizeof(err)) < 0)
		role_die(self, err);
	if (!files && !(files = res_files_open(ctx->o)))
		role_die(self, "out of memory");
	if (!(res = resolver_new(ctx->o)))
		return 1;
	if (priv_settle(&ctx->unpriv, err, sizeof(err)) < 0 ||
	    res_files_place(files, err, sizeof(err)) < 0)
		role_die(self, err);
	resolver_landlock(res, files, &ll);
	if (priv_chroot_cwd(err, sizeof(err)) < 0 ||
	    role_seal(self, ctx->slot, &ll, err, sizeof(err)) < 0)
		role_die(self, err);
	resolver_load(res, files);
	res_files_free(files);
	return resolver_run(res, ui);
}
