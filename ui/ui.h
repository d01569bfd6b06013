/* SPDX-License-Identifier: GPL-2.0-only */
/* ui: the process that holds the flow table and shows it.
 * It is the interactive screen, or with --once/--count/-o the batch
 * printer (text table or JSON Lines on stdout). */
#ifndef FLOWTOP_UI_H
#define FLOWTOP_UI_H

#include "privsep/msg.h"
#include "common/options.h"
#include "privsep/seccomp.h"

/* Before the sandbox, as the user: load the uid -> user name table from
 * the passwd database (ui/users.h), then open the screen unless in batch
 * mode or not on a terminal (terminfo is read here), once the resolver has
 * answered a ping on res and the collector a sync on col (it relays what
 * the roles said first), so that their start-up messages are on the
 * terminal before the screen covers it. The one message read from the
 * collector here is its answer; its stream comes after. 0, or -1 with a
 * message on stderr. */
int ui_prepare(const struct options *o, struct msg_chan *col,
	       struct msg_chan *res);

/* Run until the snapshots asked for are printed (batch mode) or the
 * collector closes the channel. Returns the exit status; errors are
 * reported on stderr here. */
int ui_main(const struct options *o, struct msg_chan *col,
	    struct msg_chan *res);

/* The ui as a role (confine.c): confines itself, then runs with the
 * collector on descriptor 3 and the resolver on 4. The exit status. */
struct role_spec;
struct role_ctx;
int ui_role_main(const struct role_spec *self, const struct role_ctx *ctx);

/* Its allowlist (seccomp.c) and Landlock rules (landlock.c). */
extern const struct sc_policy ui_policy;
struct ll_policy;
extern const struct ll_policy ui_landlock;

#endif
