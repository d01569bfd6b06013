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

int gu_inst_open(struct gu_inst *in, const char *dir, char *err, size_t errlen)
{
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
	in->lockfd = openat(in->dirfd, GU_LOCK_NAME,
			    O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (in->lockfd < 0) {
		snprintf(err, errlen, "%s/%s: %s", dir, GU_LOCK_NAME, strerror(errno));
		goto fail;
	}
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

int gu_inst_current(struct gu_inst *in, const char *name, struct stat *st)
{
	char f[300];
	int fd;

	inst_final(name, f, sizeof(f));
	fd = openat(in->dirfd, f, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0 && (fstat(fd, st) < 0 || !S_ISREG(st->st_mode))) {
		close(fd);
		return -1;
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
	utimensat(in->dirfd, f, ts, 0);
}
