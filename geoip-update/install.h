/* SPDX-License-Identifier: GPL-2.0-only */
/* install: the database directory: the lock that keeps two `flowtop -u`
 * runs apart, temporary files beside the databases, and the atomic
 * replacement (fsync, rename, fsync of the directory), so that a reader
 * sees the old file or the new one, never a part, whatever happens when.
 */
#ifndef FLOWTOP_GU_INSTALL_H
#define FLOWTOP_GU_INSTALL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#define GU_LOCK_NAME ".flowtop-update.lock"
#define GU_TMP_PREFIX ".flowtop-tmp-"

struct gu_inst {
	int dirfd;
	int lockfd;
	unsigned seq;
};

/* Open (make if missing) dir and take the lock without waiting; remove
 * temporary files a killed run left. As root, the directory must be
 * root's and not group/world writable, and its parent not group/world
 * writable unless it is a root-owned sticky directory (as /tmp); the lock
 * file must be a regular file of ours, not a link. 0, or -1 with err. */
int gu_inst_open(struct gu_inst *in, const char *dir, char *err, size_t errlen);
void gu_inst_close(struct gu_inst *in);

/* The installed NAME.mmdb read-only (st filled), opened without following
 * a symbolic link and checked to be a regular file owned by the effective
 * uid; -1 when there is none; -2 with err when what is there is refused
 * (a link, not a regular file, another owner). */
int gu_inst_current(struct gu_inst *in, const char *name, struct stat *st,
		    char *err, size_t errlen);

/* A new empty temporary file for NAME, mode 0644 (the validator, under
 * another uid, reopens it read-only through /proc/self/fd). */
int gu_inst_temp(struct gu_inst *in, const char *name, char *tmp, size_t tmplen,
		 char *err, size_t errlen);

/* Make tmp NAME.mmdb: fsync, mtime (when > 0, plus ns), rename, fsync
 * the dir. On failure tmp is removed and the old file untouched. */
int gu_inst_commit(struct gu_inst *in, int fd, const char *tmp,
		   const char *name, int64_t mtime, long ns, char *err,
		   size_t errlen);
void gu_inst_discard(struct gu_inst *in, const char *tmp);

/* Set NAME.mmdb's mtime (the mirror's Last-Modified of the same build). */
void gu_inst_touch(struct gu_inst *in, const char *name, int64_t mtime);

#endif
