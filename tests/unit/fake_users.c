/* SPDX-License-Identifier: GPL-2.0-only */
/* fake_users: see fake_users.h. */
#include "tests/unit/fake_users.h"

int fake_users_next(void *ctx, uint32_t *uid, const char **name)
{
	struct fake_users_src *s = ctx;

	s->calls++;
	if (s->i >= s->n)
		return 0;
	*uid = s->e[s->i].uid;
	*name = s->e[s->i].name;
	s->i++;
	return 1;
}

struct users *fake_users_load(const struct fake_user *e, size_t n,
			      size_t max, size_t max_bytes,
			      struct fake_users_src *src)
{
	struct fake_users_src local;

	if (!src)
		src = &local;
	*src = (struct fake_users_src){ .e = e, .n = n };
	return users_load(fake_users_next, src, max, max_bytes);
}
