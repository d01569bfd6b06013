/* SPDX-License-Identifier: GPL-2.0-only */
/* writer: flowtop-base, the process that reads and writes the baseline
 * file of --alert and --learn (first-seen alerts).
 *
 * The ui keeps the baseline (ui/baseline.h) and judges flows against it;
 * it opens no file. This process, started by the collector, runs as the
 * user who started flowtop (under sudo the one who typed it; root
 * started directly stays root) with no capability, opens the file and
 * its directory as that user before its sandbox, hands the ui the file's
 * bytes unparsed (privsep/baseline_wire.h), and then at each save writes
 * what the ui sends to FILE.new, flushes it to disk and renames it over
 * FILE, so the file on disk is always a whole baseline, the old or the
 * new. Once sealed it may only create, write and rename files in that
 * directory (Landlock, and a seccomp table with no read-only open).
 */
#ifndef FLOWTOP_BASELINE_WRITER_H
#define FLOWTOP_BASELINE_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "privsep/role.h"

#define BW_NAME_MAX 250         /* the file's name, so NAME.new fits 255 */

struct bw_file {
	int dir;                /* its directory */
	int old;                /* the file as found, -1: none yet */
	int tmp;                /* NAME.new while a save is written, -1 */
	char name[BW_NAME_MAX + 1];
	char tmpname[BW_NAME_MAX + 5];
	char path[4096];        /* as the user named it, for messages */
	uint64_t max;           /* the largest old file handed on */
};

/* Open path's directory, and path itself when it exists (a regular file
 * of at most max bytes). 0, or -1 with a one-line reason in err that
 * names the path. */
int bw_open(struct bw_file *f, const char *path, uint64_t max, char *err,
	    size_t errlen);

/* Send the old file's bytes to fd as BW_DATA messages, then BW_END. 0, or
 * -1 with the reason in err. */
int bw_send_old(struct bw_file *f, int fd, char *err, size_t errlen);

/* Take the ui's saves from fd until it closes: each is written to
 * NAME.new, flushed and renamed over NAME. A save cut short by the ui's
 * end is removed. 0, or -1 with the reason in err. */
int bw_pump(struct bw_file *f, int fd, char *err, size_t errlen);

void bw_close(struct bw_file *f);

/* The role's entry: open the file as the caller, say BW_READY (or
 * BW_ERROR and why) on descriptor 3, which the collector reads before the
 * ui gets the other end, seal, send the old file, then write the saves. */
int baseline_writer_main(const struct role_spec *self,
			 const struct role_ctx *ctx);

extern const struct sc_policy baseline_writer_policy;

#endif
