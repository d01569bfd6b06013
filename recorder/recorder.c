/* SPDX-License-Identifier: GPL-2.0-only */
/* recorder: flowtop-rec's start and confinement. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "recorder/recorder.h"

int recorder_role_main(const struct role_spec *self, const struct role_ctx *ctx)
{
	const struct options *o = ctx->o;
	struct ll_rule rule;
	struct ll_policy ll = {
		.role = "recorder", .rules = &rule, .nrules = 1,
		.scoped = LANDLOCK_SCOPE_SIGNAL |
			  LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET,
	};
	struct rec_out out;
	char err[4300];
	int rc;

	/* The caller's own permissions decide where it may write. */
	if (priv_become(&ctx->caller, 0, err, sizeof(err)) < 0)
		role_die(self, err);
	/* Why it can't, said to the collector: one line, before the run
	 * goes any further. */
	if (rec_open(&out, o->record, o->record_size, o->record_keep, err + 1,
		     sizeof(err) - 1) < 0) {
		err[0] = 'E';
		(void)!write(3, err, strlen(err));
		return 1;
	}
	/* Create, write and rename in that directory, nothing else. */
	rule = (struct ll_rule){ NULL, out.dir, LL_WRITE_FILE |
		LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REMOVE_FILE };
	if (role_seal(self, ctx->slot, &ll, err, sizeof(err)) < 0)
		role_die(self, err);
	if (write(3, "R", 1) != 1)
		return 1;
	rc = rec_pump(&out, 3, err, sizeof(err));
	rec_close(&out);
	if (rc < 0) {
		fprintf(stderr, "flowtop: recorder: %s\n", err);
		return 1;
	}
	return 0;
}
