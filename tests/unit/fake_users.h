/* SPDX-License-Identifier: GPL-2.0-only */
/* fake_users: a passwd database made up for a test, fed to users_load()
 * (ui/users.h) in place of getpwent(), so that no test reads /etc/passwd
 * unless it means to. */
#ifndef FLOWTOP_TESTS_UNIT_FAKE_USERS_H
#define FLOWTOP_TESTS_UNIT_FAKE_USERS_H

#include <stddef.h>
#include <stdint.h>
#include "ui/users.h"

struct fake_user {
	uint32_t uid;
	const char *name;       /* may be NULL or "": the loader skips it */
};

/* The source: e[0..n) in order; calls counts how often it was asked. */
struct fake_users_src {
	const struct fake_user *e;
	size_t n, i, calls;
};

/* A users_next_fn over a struct fake_users_src. */
int fake_users_next(void *ctx, uint32_t *uid, const char **name);

/* users_load() of e[0..n) within the bounds given; *src (if not NULL)
 * is the source as the loader left it. NULL when out of memory. */
struct users *fake_users_load(const struct fake_user *e, size_t n,
			      size_t max, size_t max_bytes,
			      struct fake_users_src *src);

#endif
