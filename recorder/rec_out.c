/* SPDX-License-Identifier: GPL-2.0-only */
/* rec_out: --record's file, written a line at a time where the size
 * limit falls, rotated by renames inside its directory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privsep/path_dir.h"
#include "recorder/recorder.h"

#define REC_MODE 0600           /* flows name hosts and processes */

static int rec_fail(const struct rec_out *r, char *err, size_t errlen,
		    const char *what, int e)
{
	snprintf(err, errlen, "%s: %s%s%s", r->path, what, *what ? ": " : "",
		 strerror(e));
	return -1;
}

/* Open r->name in r->dir to append; a regular file, or refused. */
static int rec_open_file(struct rec_out *r, char *err, size_t errlen)
{
	struct stat st;

	r->fd = openat(r->dir, r->name, O_WRONLY | O_CREAT | O_APPEND |
		       O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, REC_MODE);
	if (r->fd < 0)
		return rec_fail(r, err, errlen, "", errno);
	if (fstat(r->fd, &st) < 0)
		return rec_fail(r, err, errlen, "", errno);
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", r->path);
		return -1;
	}
	/* O_NONBLOCK only kept a FIFO from hanging the open. */
	if (fcntl(r->fd, F_SETFL, O_APPEND) < 0)
		return rec_fail(r, err, errlen, "", errno);
	r->size = (uint64_t)st.st_size;
	return 0;
}

int rec_open(struct rec_out *r, const char *path, uint64_t limit,
	     unsigned keep, char *err, size_t errlen)
{
	struct stat st;

	memset(r, 0, sizeof(*r));
	r->dir = r->fd = -1;
	r->limit = limit;
	r->keep = keep;
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->dir = path_dir_open(path, r->name, REC_NAME_MAX);
	if (r->dir < 0 && errno == EINVAL) {
		snprintf(err, errlen, "%s: not a file name", r->path);
		return -1;
	}
	if (r->dir < 0)
		return rec_fail(r, err, errlen, "its directory", errno);
	/* Said plainly here, where open would say ENXIO (a FIFO) or ELOOP
	 * (a link, which the rotation would rename, not what it names). */
	if (fstatat(r->dir, r->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", r->path);
		return -1;
	}
	return rec_open_file(r, err, errlen);
}

/* NAME.i, or NAME for i == 0. */
static void rec_name(const struct rec_out *r, unsigned i, char *out,
		     size_t outsz)
{
	if (i)
		snprintf(out, outsz, "%s.%u", r->name, i);
	else
		snprintf(out, outsz, "%s", r->name);
}

/* FILE.keep-1 -> FILE.keep, ..., FILE -> FILE.1, then a new FILE. */
static int rec_rotate(struct rec_out *r, char *err, size_t errlen)
{
	char from[REC_NAME_MAX + 16], to[REC_NAME_MAX + 16];

	if (fdatasync(r->fd) < 0 && errno != EINVAL)
		return rec_fail(r, err, errlen, "", errno);
	close(r->fd);
	r->fd = -1;
	for (unsigned i = r->keep; i > 0; i--) {
		rec_name(r, i - 1, from, sizeof(from));
		rec_name(r, i, to, sizeof(to));
		if (renameat(r->dir, from, r->dir, to) < 0 && errno != ENOENT)
			return rec_fail(r, err, errlen, "rotating", errno);
	}
	return rec_open_file(r, err, errlen);
}

static int rec_write_all(struct rec_out *r, const char *buf, size_t n,
			 char *err, size_t errlen)
{
	while (n) {
		ssize_t w = write(r->fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return rec_fail(r, err, errlen, "", w < 0 ? errno : EIO);
		buf += w;
		n -= (size_t)w;
		r->size += (uint64_t)w;
	}
	return 0;
}

/* How many bytes of buf[0..n), whole lines, fit under the limit: at
 * least the first line when the file is empty. */
static size_t rec_fits(const struct rec_out *r, const char *buf, size_t n)
{
	uint64_t room = r->limit > r->size ? r->limit - r->size : 0;
	size_t fit = 0;

	while (fit < n) {
		const char *nl = memchr(buf + fit, '\n', n - fit);
		size_t next = (size_t)(nl - buf) + 1;

		if (next > room && (fit || r->size))
			break;
		fit = next;
	}
	return fit;
}

int rec_put(struct rec_out *r, const char *buf, size_t n, char *err,
	    size_t errlen)
{
	while (n) {
		size_t fit = r->size + n <= r->limit ? n : rec_fits(r, buf, n);

		if (!fit) {
			if (rec_rotate(r, err, errlen) < 0)
				return -1;
			continue;
		}
		if (rec_write_all(r, buf, fit, err, errlen) < 0)
			return -1;
		buf += fit;
		n -= fit;
	}
	return 0;
}

void rec_close(struct rec_out *r)
{
	if (r->fd >= 0) {
		(void)fdatasync(r->fd);
		close(r->fd);
	}
	if (r->dir >= 0)
		close(r->dir);
	r->fd = r->dir = -1;
}

#define REC_BUF (256 * 1024)

int rec_pump(struct rec_out *r, int in, char *err, size_t errlen)
{
	static char buf[REC_BUF];
	size_t have = 0;

	for (;;) {
		ssize_t n = read(in, buf + have, sizeof(buf) - have);
		char *nl;
		size_t whole;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "reading from the ui: %s",
				 strerror(errno));
			return -1;
		}
		if (n == 0)
			return 0;       /* a partial last line is dropped */
		have += (size_t)n;
		nl = memrchr(buf, '\n', have);
		if (!nl) {
			if (have == sizeof(buf))
				have = 0;       /* no line is this long */
			continue;
		}
		whole = (size_t)(nl - buf) + 1;
		if (rec_put(r, buf, whole, err, errlen) < 0)
			return -1;
		memmove(buf, buf + whole, have - whole);
		have -= whole;
	}
}
