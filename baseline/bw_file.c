/* SPDX-License-Identifier: GPL-2.0-only */
/* bw_file: the baseline file, read once whole and replaced whole by
 * rename, so a crash or a full disk never leaves half a baseline. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baseline/writer.h"
#include "privsep/baseline_wire.h"
#include "privsep/path_dir.h"

#define BW_MODE 0600            /* it names hosts each program talks to */
#define BW_NEW_FLAGS (O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | \
		      O_NOFOLLOW | O_NONBLOCK)

static int bw_fail(const struct bw_file *f, char *err, size_t errlen,
		   const char *what, int e)
{
	snprintf(err, errlen, "%s: %s%s%s", f->path, what, *what ? ": " : "",
		 strerror(e));
	return -1;
}

/* FILE's directory and name, from the path as given. */
static int bw_split(struct bw_file *f, const char *path, char *err,
		    size_t errlen)
{
	f->dir = path_dir_open(path, f->name, BW_NAME_MAX);
	if (f->dir < 0 && errno == EINVAL) {
		snprintf(err, errlen, "%s: not a file name", f->path);
		return -1;
	}
	if (f->dir < 0)
		return bw_fail(f, err, errlen, "its directory", errno);
	/* Each save is a new file there: said now, not a minute into the
	 * run. */
	if (faccessat(f->dir, ".", W_OK, AT_EACCESS) < 0)
		return bw_fail(f, err, errlen, "its directory", errno);
	snprintf(f->tmpname, sizeof(f->tmpname), "%s.new", f->name);
	return 0;
}

int bw_open(struct bw_file *f, const char *path, uint64_t max, char *err,
	    size_t errlen)
{
	struct stat st;

	memset(f, 0, sizeof(*f));
	f->dir = f->old = f->tmp = -1;
	f->max = max;
	snprintf(f->path, sizeof(f->path), "%s", path);
	if (bw_split(f, path, err, errlen) < 0)
		return -1;
	/* O_NONBLOCK: a FIFO put there must not hang the start; O_NOFOLLOW:
	 * the rename would replace a link, not what it names. */
	f->old = openat(f->dir, f->name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
			O_NONBLOCK);
	if (f->old < 0 && errno == ENOENT)
		return 0;       /* a new baseline */
	if (f->old < 0 && errno == ELOOP) {
		snprintf(err, errlen, "%s: a symbolic link, not a baseline "
			 "file", f->path);
		return -1;
	}
	if (f->old < 0)
		return bw_fail(f, err, errlen, "", errno);
	if (fstat(f->old, &st) < 0)
		return bw_fail(f, err, errlen, "", errno);
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", f->path);
		return -1;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(err, errlen, "%s: %llu bytes, more than a baseline of "
			 "--baseline-size entries can be (%llu)", f->path,
			 (unsigned long long)st.st_size,
			 (unsigned long long)max);
		return -1;
	}
	return 0;
}

static int bw_send(int fd, char kind, const char *p, size_t n)
{
	char buf[1 + BW_CHUNK];

	buf[0] = kind;
	if (n)
		memcpy(buf + 1, p, n);
	return send(fd, buf, 1 + n, MSG_NOSIGNAL) == (ssize_t)(1 + n) ? 0 : -1;
}

int bw_send_old(struct bw_file *f, int fd, char *err, size_t errlen)
{
	char buf[BW_CHUNK];
	uint64_t total = 0;
	ssize_t n;

	/* Blocking from here on: it is a regular file. */
	if (f->old >= 0 && fcntl(f->old, F_SETFL, 0) < 0)
		return bw_fail(f, err, errlen, "", errno);
	while (f->old >= 0 && (n = read(f->old, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return bw_fail(f, err, errlen, "", errno);
		/* Grown since it was looked at: still refused. */
		total += (uint64_t)n;
		if (total > f->max) {
			snprintf(err, errlen, "%s: grew past %llu bytes while "
				 "read", f->path, (unsigned long long)f->max);
			return -1;
		}
		if (bw_send(fd, BW_DATA, buf, (size_t)n) < 0)
			return bw_fail(f, err, errlen, "to the ui", errno);
	}
	if (f->old >= 0)
		close(f->old);
	f->old = -1;
	if (bw_send(fd, BW_END, NULL, 0) < 0)
		return bw_fail(f, err, errlen, "to the ui", errno);
	return 0;
}

/* NAME.new for a save: a regular file, or refused. */
static int bw_begin(struct bw_file *f, char *err, size_t errlen)
{
	struct stat st;

	f->tmp = openat(f->dir, f->tmpname, BW_NEW_FLAGS, BW_MODE);
	if (f->tmp < 0)
		return bw_fail(f, err, errlen, f->tmpname, errno);
	if (fstat(f->tmp, &st) < 0)
		return bw_fail(f, err, errlen, f->tmpname, errno);
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s is not a regular file", f->path,
			 f->tmpname);
		return -1;
	}
	/* O_NONBLOCK only kept a FIFO from hanging the open. */
	if (fcntl(f->tmp, F_SETFL, 0) < 0)
		return bw_fail(f, err, errlen, f->tmpname, errno);
	return 0;
}

static int bw_write(struct bw_file *f, const char *p, size_t n, char *err,
		    size_t errlen)
{
	while (n) {
		ssize_t w = write(f->tmp, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return bw_fail(f, err, errlen, f->tmpname,
				       w < 0 ? errno : ENOSPC);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The save is whole: on disk, then in FILE's place, the rename on disk. */
static int bw_commit(struct bw_file *f, char *err, size_t errlen)
{
	int e;

	if (f->tmp < 0 && bw_begin(f, err, errlen) < 0)
		return -1;
	e = fdatasync(f->tmp) < 0 ? errno : 0;
	if (close(f->tmp) < 0 && !e)
		e = errno;
	f->tmp = -1;
	if (e)
		return bw_fail(f, err, errlen, f->tmpname, e);
	if (renameat(f->dir, f->tmpname, f->dir, f->name) < 0)
		return bw_fail(f, err, errlen, "rename", errno);
	if (fsync(f->dir) < 0 && errno != EINVAL)
		return bw_fail(f, err, errlen, "its directory", errno);
	return 0;
}

static int bw_take(struct bw_file *f, const char *msg, size_t n, char *err,
		   size_t errlen)
{
	if (msg[0] == BW_COMMIT && n == 1)
		return bw_commit(f, err, errlen);
	if (msg[0] != BW_DATA) {
		snprintf(err, errlen, "%s: the ui sent a message of kind %d",
			 f->path, msg[0]);
		return -1;
	}
	if (f->tmp < 0 && bw_begin(f, err, errlen) < 0)
		return -1;
	return bw_write(f, msg + 1, n - 1, err, errlen);
}

int bw_pump(struct bw_file *f, int fd, char *err, size_t errlen)
{
	static char msg[1 + BW_CHUNK];

	for (;;) {
		ssize_t n = recv(fd, msg, sizeof(msg), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != ECONNRESET)
			return bw_fail(f, err, errlen, "from the ui", errno);
		if (n <= 0)
			break;
		if (bw_take(f, msg, (size_t)n, err, errlen) < 0)
			return -1;
	}
	/* The ui ended mid-save: the old FILE stands. */
	if (f->tmp >= 0) {
		close(f->tmp);
		f->tmp = -1;
		(void)unlinkat(f->dir, f->tmpname, 0);
	}
	return 0;
}

void bw_close(struct bw_file *f)
{
	if (f->tmp >= 0)
		close(f->tmp);
	if (f->old >= 0)
		close(f->old);
	if (f->dir >= 0)
		close(f->dir);
	f->dir = f->old = f->tmp = -1;
}
