/* SPDX-License-Identifier: GPL-2.0-only */
/* replay: flowtop --replay FILE, a recording (--record) on the screen or
 * in batch, with no privilege at all.
 *
 * Three processes. The one started (run.c) gives up whatever privilege
 * it was started with, opens FILE as the caller (as the recorder writes
 * as), becomes the user a live run's ui runs as (never root), starts the
 * other two as that user and waits for them; it reads nothing but their
 * stderr. The reader, flowtop-replay (reader.c), is the one
 * process that parses the file: sealed before it reads a byte (no file
 * it may open, Landlock, a seccomp table of its own), it checks the
 * whole file once, then stands where the collector and the resolver
 * stand for the ui: it plays the recording as dumps, at the pace it was
 * recorded or faster, and answers the ui's lookups with the names and
 * places the lines carry. The ui is the live run's, unchanged but for
 * the keys that pause, step and change the speed, and a status line
 * with the recorded time.
 */
#ifndef FLOWTOP_REPLAY_H
#define FLOWTOP_REPLAY_H

#include "common/options.h"
#include "privsep/role.h"

/* The roles of a replay, as main/ wires them. */
struct replay_roles {
	const struct role_spec *self;      /* the process started */
	const struct role_spec *reader;
	const struct role_spec *ui;
};

/* From the parsed options to the exit status. */
int replay_main(const struct options *o, const struct replay_roles *roles);

/* The reader's entry: the file on descriptor 5, the ui's collector
 * channel on 3 and its resolver channel on 4. Says it is ready with one
 * MSG_REPLAY_STATE on 3 once the file is checked, which run.c reads
 * before the ui gets that channel. */
int replay_reader_main(const struct role_spec *self,
		       const struct role_ctx *ctx);

extern const struct sc_policy replay_policy;         /* the one started */
extern const struct sc_policy replay_reader_policy;

#endif
