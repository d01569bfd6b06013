/* SPDX-License-Identifier: GPL-2.0-only */
/* secure_env: the environment of a privileged start.
 *
 * Installed with file capabilities or setuid root, flowtop starts with
 * privilege the caller lacks, and the environment is the caller's to
 * choose. The kernel says so with AT_SECURE; then only what is harmless is
 * kept (secure_env.c lists what matters and why).
 */
#ifndef FLOWTOP_SECURE_ENV_H
#define FLOWTOP_SECURE_ENV_H

/* When AT_SECURE is set, replace the environment by its harmless part.
 * 0, or -1 when the new environment could not be set (out of memory). */
int secure_env_apply(void);

/* For tests: whether NAME=VALUE survives a privileged start. */
int secure_env_keeps(const char *name, const char *value);

#endif
