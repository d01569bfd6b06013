/* SPDX-License-Identifier: GPL-2.0-only */
/* rp_src: lines out of a buffer refilled by read(2). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replay/rp_line.h"
#include "replay/rp_src.h"

/* A longest line, its newline, and a block to read into behind it. */
#define RP_SRC_BUF (RP_LINE_MAX + 1 + 65536)

int rp_src_init(struct rp_src *s, int fd)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->buf = malloc(RP_SRC_BUF);
	return s->buf ? 0 : -1;
}

void rp_src_free(struct rp_src *s)
{
	free(s->buf);
	s->buf = NULL;
}

/* Move what is left to the front and read behind it: 1 when bytes came,
 * 0 at the end, -1 on error. */
static int rp_src_fill(struct rp_src *s)
{
	ssize_t n;

	if (s->off) {
		memmove(s->buf, s->buf + s->off, s->len);
		s->off = 0;
	}
	do
		n = read(s->fd, s->buf + s->len, RP_SRC_BUF - s->len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	s->len += (size_t)n;
	return n > 0;
}

int rp_src_next(struct rp_src *s, const char **line, size_t *len,
		const char **why)
{
	for (;;) {
		char *start = s->buf + s->off;
		char *nl = s->len ? memchr(start, '\n', s->len) : NULL;
		int r;

		if (nl) {
			size_t n = (size_t)(nl - start);

			s->off += n + 1;
			s->len -= n + 1;
			s->lineno++;
			if (!n)
				continue;
			*line = start;
			*len = n;
			return 1;
		}
		if (s->len > RP_LINE_MAX) {
			s->lineno++;
			*why = "line too long";
			return -1;
		}
		if (s->eof || (r = rp_src_fill(s)) == 0) {
			s->eof = 1;
			s->cut = s->len > 0;
			return 0;
		}
		if (r < 0) {
			*why = strerror(errno);
			return -1;
		}
	}
}

int rp_src_rewind(struct rp_src *s)
{
	if (lseek(s->fd, 0, SEEK_SET) < 0)
		return -1;
	s->off = s->len = 0;
	s->lineno = 0;
	s->eof = s->cut = 0;
	return 0;
}
