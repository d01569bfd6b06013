/* SPDX-License-Identifier: GPL-2.0-only */
/* The namespace helper's Landlock rules, beside its seccomp table: it
 * opens no file, binds and connects no TCP port, and may neither signal
 * nor reach an abstract unix socket outside itself. Every right the
 * kernel knows is handled; no rule allows one. */
#include "privsep/landlock.h"
#include "nsdiag/nsdiag.h"

const struct ll_policy nsdiag_landlock = {
	.role = "nsdiag",
	.scoped = LANDLOCK_SCOPE_SIGNAL | LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET,
};
