/* SPDX-License-Identifier: GPL-2.0-only */
/* recorder: flowtop-rec, the process that writes --record's file.
 *
 * The ui turns each flow's start, its changes at the interval and its end
 * into JSON Lines (ui/record.h) and streams them to this process over a
 * socketpair; the recorder parses nothing, it writes whole lines and
 * rotates the file by size: FILE becomes FILE.1 (FILE.1 FILE.2, and so on
 * up to the count kept) before a line would take FILE past the size, and
 * a new FILE is begun. It runs as the user who started flowtop (under
 * sudo the one who typed it, as the ui; root started directly stays
 * root), with no capability, opens the file as that user before its
 * sandbox, and once sealed may only create, write and rename files in that
 * one directory (Landlock, and a seccomp table with no read-only open and
 * no other directory). The ui never opens a file.
 */
#ifndef FLOWTOP_RECORDER_H
#define FLOWTOP_RECORDER_H

#include <stddef.h>
#include <stdint.h>

#include "privsep/role.h"

#define REC_NAME_MAX 240        /* the file's name, so NAME.NNN fits 255 */
#define REC_KEEP_MAX 1000

/* The file being written and how it rotates. */
struct rec_out {
	int dir;                /* its directory */
	int fd;                 /* the file, opened to append */
	char name[REC_NAME_MAX + 1];
	char path[4096];        /* as the user named it, for messages */
	uint64_t size;          /* bytes in it */
	uint64_t limit;         /* rotate before a line takes it past this */
	unsigned keep;          /* FILE.1 .. FILE.keep are kept */
};

/* Open path (created 0600 if missing, appended to if there) with the
 * rotation limit and count. 0, or -1 with a one-line reason in err that
 * names the path. */
int rec_open(struct rec_out *r, const char *path, uint64_t limit,
	     unsigned keep, char *err, size_t errlen);

/* Write n bytes of whole lines (buf[n - 1] is '\n'), rotating between
 * lines where the limit says. 0, or -1 with the reason in err. */
int rec_put(struct rec_out *r, const char *buf, size_t n, char *err,
	    size_t errlen);

/* Flush to disk and close. */
void rec_close(struct rec_out *r);

/* Copy whole lines from descriptor in to r until in ends; a last line
 * without its newline (a ui that died mid-line) is left out. 0, or -1
 * with the reason in err. */
int rec_pump(struct rec_out *r, int in, char *err, size_t errlen);

/* The role's entry: as the caller, open --record's file, tell the
 * collector it is ready (one byte on descriptor 3, which the collector
 * reads before the ui gets the other end), seal, then write what the ui
 * sends. */
int recorder_role_main(const struct role_spec *self,
		       const struct role_ctx *ctx);

extern const struct sc_policy recorder_policy;

#endif
