/* SPDX-License-Identifier: GPL-2.0-only */
/* validate: the validator, a child forked per download that is handed
 * descriptors only: the download, its .sha256 (or -1), its .minisig (or
 * -1), the output file in the database directory and the installed
 * database (or -1). Confined (sandbox.h, seccomp_validate.c), it checks
 * the minisign signature when a key is given (before anything else reads
 * the download), the digest,
 * decompresses, writes the database out, opens it with libmaxminddb and
 * checks it as the resolver would (resolver/geoip.h), checks its kind and
 * compares its build epoch with the installed one. The parent installs
 * nothing the validator did not pass, and only after it has exited.
 */
#ifndef FLOWTOP_GU_VALIDATE_H
#define FLOWTOP_GU_VALIDATE_H

#include <stddef.h>
#include <stdint.h>
#include "geoip-update/minisig.h"
#include "geoip-update/plan.h"
#include "privsep/update_wire.h"

struct gu_val_req {
	int raw_fd;
	int sha_fd;              /* -1: no checksum */
	int sig_fd;              /* the .minisig; -1: none was fetched */
	const struct gu_ms_key *key; /* NULL: no signature required */
	int out_fd;
	int inst_fd;             /* -1: nothing installed */
	enum gu_kind kind;
	int force;               /* accept an older build */
	uint64_t max_bytes;
};

/* Run the validator on q. 0 with *res checked and filled (any verdict),
 * -1 when it failed to answer (err). */
int gu_validate(const struct gu_val_req *q, struct val_result *res, char *err,
		size_t errlen);

/* The kind a database with these GEO_ROLE_* bits is. */
enum gu_kind gu_kind_of_roles(unsigned roles);
const char *gu_kind_name(enum gu_kind k);

#endif
