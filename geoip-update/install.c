/* SPDX-License-Identifier: GPL-2.0-only */
/* install: lock, temporary files, atomic rename. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "geoip-update/install.h"

static void inst_sweep(struct gu_inst *in)
{
	int fd = openat(in->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, GU_TMP_PREFIX, strlen(GU_TMP_PREFIX)) == 0)
			unlinkat(in->dirfd, de->d_name, 0);
	closedir(d);
}

/* Writable by others than its owner, and not a root-owned sticky
 * directory (where no one else may rename or remove what is not theirs). */
static int inst_open_to_others(const struct stat *st, int sticky_ok)
{
	if (!(st->st_mode & (S_IWGRP | S_IWOTH)))
		return 0;
	return !(sticky_ok && st->st_uid == 0 && (st->st_mode & S_ISVTX));
}

/* As root: the directory must be root's and writable by root alone; its
 * parent must not let anyone else swap it (not group/world writable,
 * unless root-owned and sticky, as /tmp). Another user who could write
 * there could plant files, links or the lock that root then trusts. */
static int inst_check_dir(int dirfd, const char *dir, char *err, size_t errlen)
{
	struct stat st, up;

	if (geteuid() != 0)
		return 0;   /* a user's run writes as that user */
	if (fstat(dirfd, &st) < 0 || fstatat(dirfd, "..", &up, 0) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (st.st_uid != 0) {
		snprintf(err, errlen, "%s: owned by uid %u, not root: refused as "
			 "the database directory of a run as root", dir,
			 (unsigned)st.st_uid);
		return -1;
	}
	if (inst_open_to_others(&st, 0)) {
		snprintf(err, errlen, "%s: group or world writable (mode %04o): "
			 "refused as the database directory of a run as root",
			 dir, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	if (inst_open_to_others(&up, 1)) {
		snprintf(err, errlen, "%s/..: group or world writable (mode %04o) "
			 "and not a root-owned sticky directory: refused as the "
			 "parent of the database directory of a run as root",
			 dir, (unsigned)(up.st_mode & 07777));
		return -1;
	}
	return 0;
}

/* fd names a regular file of ours (the effective uid): 0, or -1 with err. */
static int inst_check_file(int fd, const char *name, struct stat *st,
			   char *err, size_t errlen)
{
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", name);
		return -1;
	}
	if (st->st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by uid %u, not %u", name,
			 (unsigned)st->st_uid, (unsigned)geteuid());
		return -1;
	}
	return 0;
}

int gu_inst_open(struct gu_inst *in, const char *dir, char *err, size_t errlen)
{
	struct stat st;

	in->lockfd = -1;
	in->seq = 0;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	in->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (in->dirfd < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (inst_check_dir(in->dirfd, dir, err, errlen) < 0)
		goto fail;
	in->lockfd = openat(in->dirfd, GU_LOCK_NAME, O_RDWR | O_CREAT | O_CLOEXEC |
			    O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0644);
	if (in->lockfd < 0) {
		snprintf(err, errlen, "%s/%s: %s", dir, GU_LOCK_NAME,
			 errno == ELOOP ? "a symbolic link, refused" : strerror(errno));
		goto fail;
	}
	if (inst_check_file(in->lockfd, GU_LOCK_NAME, &st, err, errlen) < 0)
		goto fail;
	if (flock(in->lockfd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(err, errlen, errno == EWOULDBLOCK ?
			 "%s: another flowtop -u is updating it (lock %s)" :
			 "%s: cannot lock %s", dir, GU_LOCK_NAME);
		goto fail;
	}
	inst_sweep(in);
	return 0;
fail:
	gu_inst_close(in);
	return -1;
}

void gu_inst_close(struct gu_inst *in)
{
	if (in->lockfd >= 0)
		close(in->lockfd);
	if (in->dirfd >= 0)
		close(in->dirfd);
	in->lockfd = in->dirfd = -1;
}

static void inst_final(const char *name, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s.mmdb", name);
}

int gu_inst_current(struct gu_inst *in, const char *name, struct stat *st,
		    char *err, size_t errlen)
{
	char f[300];
	int fd;

	inst_final(name, f, sizeof(f));
	fd = openat(in->dirfd, f, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY |
		    O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return -1;
		snprintf(err, errlen, "%s: %s", f, errno == ELOOP ?
			 "a symbolic link, refused (the directory must hold the "
			 "file itself)" : strerror(errno));
		return -2;
	}
	if (inst_check_file(fd, f, st, err, errlen) < 0) {
		close(fd);
		return -2;
	}
	return fd;
}

int gu_inst_temp(struct gu_inst *in, const char *name, char *tmp, size_t tmplen,
		 char *err, size_t errlen)
{
	int fd;

	snprintf(tmp, tmplen, GU_TMP_PREFIX "%s-%d-%u", name, (int)getpid(),
		 ++in->seq);
	fd = openat(in->dirfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, 0644);
	if (fd < 0 || fchmod(fd, 0644) < 0) {
		snprintf(err, errlen, "cannot create a temporary file: %s",
			 strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlinkat(in->dirfd, tmp, 0);
		}
		return -1;
	}
	return fd;
}

void gu_inst_discard(struct gu_inst *in, const char *tmp)
{
	unlinkat(in->dirfd, tmp, 0);
}

int gu_inst_commit(struct gu_inst *in, int fd, const char *tmp,
		   const char *name, int64_t mtime, long ns, char *err,
		   size_t errlen)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { (time_t)mtime, ns } };
	char f[300];

	inst_final(name, f, sizeof(f));
	if (mtime > 0)
		futimens(fd, ts);
	if (fsync(fd) < 0 || renameat(in->dirfd, tmp, in->dirfd, f) < 0) {
		snprintf(err, errlen, "installing %s: %s", f, strerror(errno));
		gu_inst_discard(in, tmp);
		return -1;
	}
	/* The rename is durable only once the directory is. */
	if (fsync(in->dirfd) < 0) {
		snprintf(err, errlen, "installing %s: fsync of the directory: %s",
			 f, strerror(errno));
		return -1;
	}
	return 0;
}

void gu_inst_touch(struct gu_inst *in, const char *name, int64_t mtime)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { (time_t)mtime, 0 } };
	char f[300];

	if (mtime <= 0)
		return;
	inst_final(name, f, sizeof(f));
	utimensat(in->dirfd, f, ts, AT_SYMLINK_NOFOLLOW);
}
