/* SPDX-License-Identifier: GPL-2.0-only */
/* sandbox: how the updater's children (fetcher, validator) give up
 * everything once set up: their comm name, death with the parent, an
 * unprivileged uid when started as root (else the invoker's, with every
 * capability dropped), no new files or processes (rlimits), then their
 * Landlock rules (where the kernel has Landlock) and seccomp allowlist. A forbidden syscall ends the child with one line on
 * stderr naming it.
 */
#ifndef FLOWTOP_GU_SANDBOX_H
#define FLOWTOP_GU_SANDBOX_H

#include <stddef.h>
#include "privsep/landlock.h"
#include "privsep/seccomp.h"

/* Early in the child: name it, tie it to the parent. */
void gu_child_name(const char *comm);

/* The rest. 0, or -1 with err. */
int gu_child_confine(const char *comm, const struct sc_policy *p,
		     const struct ll_policy *ll, char *err, size_t errlen);

/* Their Landlock rules (landlock.c): the fetcher's TCP ports from the
 * mirror URLs; the validator's two files, by descriptor (-1: none). */
void gu_fetch_landlock(struct ll_policy *p, const char *const *urls,
		       size_t n);
void gu_validate_landlock(struct ll_policy *p, struct ll_rule rules[2],
			  int out_fd, int inst_fd);

/* The children's allowlists (seccomp_fetch.c, seccomp_validate.c). */
extern const struct sc_policy fetch_policy;
extern const struct sc_policy validate_policy;

#endif
