/* SPDX-License-Identifier: GPL-2.0-only */
/* The ui's Landlock rules, beside its seccomp table: once confined it
 * opens no file (terminfo is read before), binds and connects no TCP
 * port, and may neither signal nor reach an abstract unix socket outside
 * itself. Every right the kernel knows is handled; no rule allows one. */
#include "privsep/landlock.h"
#include "ui/ui.h"

const struct ll_policy ui_landlock = {
	.role = "ui",
	.scoped = LANDLOCK_SCOPE_SIGNAL | LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET,
};
