/* SPDX-License-Identifier: GPL-2.0-only */
/* confine: the ui's start as a role: the invoking user's identity with no
 * capability, the passwd database and terminfo read before the sandbox
 * (ui_prepare), then its allowlist. */
#include <stdlib.h>

#include "privsep/role.h"
#include "ui/ui.h"

int ui_role_main(const struct role_spec *self, const struct role_ctx *ctx)
{
	struct msg_chan *col = malloc(sizeof(*col)), *res = malloc(sizeof(*res));
	char err[300];

	if (!col || !res)
		role_die(self, "out of memory");
	msg_chan_init(col, 3, MSG_DIR_COL_UI, MSG_DIR_UI_COL, "collector");
	msg_chan_init(res, 4, MSG_DIR_RES_UI, MSG_DIR_UI_RES, "resolver");
	if (priv_become(&ctx->user, 0, err, sizeof(err)) < 0)
		role_die(self, err);
	/* The user names (getpwent: NSS files and sockets) and the screen's
	 * terminfo: before the sandbox, as the user. */
	if (ui_prepare(ctx->o, col, res) < 0)
		return 1;
	if (role_seal(self, ctx->slot, &ui_landlock, err, sizeof(err)) < 0)
		role_die(self, err);
	return ui_main(ctx->o, col, res);
}
