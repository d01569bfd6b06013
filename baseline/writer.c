/* SPDX-License-Identifier: GPL-2.0-only */
/* writer: flowtop-base's start and confinement. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "baseline/writer.h"
#include "privsep/baseline_wire.h"

int baseline_writer_main(const struct role_spec *self,
			 const struct role_ctx *ctx)
{
	const struct options *o = ctx->o;
	struct ll_rule rule;
	struct ll_policy ll = {
		.role = "baseline", .rules = &rule, .nrules = 1,
		.scoped = LANDLOCK_SCOPE_SIGNAL |
			  LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET,
	};
	struct bw_file f;
	char err[4300];
	const char ready = BW_READY;
	int rc;

	/* The caller's own permissions decide what it may read and write. */
	if (priv_become(&ctx->caller, 0, err, sizeof(err)) < 0)
		role_die(self, err);
	if (bw_open(&f, o->baseline, bw_file_max(o->baseline_max), err,
		    sizeof(err)) < 0)
		return role_refuse(3, err);
	/* Create, write and rename in that directory, nothing else. */
	rule = (struct ll_rule){ NULL, f.dir, LL_WRITE_FILE |
		LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REMOVE_FILE };
	if (role_seal(self, ctx->slot, &ll, err, sizeof(err)) < 0)
		role_die(self, err);
	if (send(3, &ready, 1, MSG_NOSIGNAL) != 1)
		return 1;
	rc = bw_send_old(&f, 3, err, sizeof(err));
	if (rc == 0)
		rc = bw_pump(&f, 3, err, sizeof(err));
	bw_close(&f);
	if (rc < 0) {
		fprintf(stderr, "flowtop: baseline: %s\n", err);
		return 1;
	}
	return 0;
}
