/* SPDX-License-Identifier: GPL-2.0-only */
/* roles: the role table of a flowtop run (roles.c). */
#ifndef FLOWTOP_ROLES_H
#define FLOWTOP_ROLES_H

#include "collector/run.h"
#include "replay/replay.h"

extern const struct run_roles flowtop_roles;
extern const struct replay_roles replay_roles;

#endif
