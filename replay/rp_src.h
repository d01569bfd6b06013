/* SPDX-License-Identifier: GPL-2.0-only */
/* rp_src: a recording's lines, read from its descriptor in blocks. */
#ifndef FLOWTOP_RP_SRC_H
#define FLOWTOP_RP_SRC_H

#include <stddef.h>
#include <stdint.h>

struct rp_src {
	int fd;
	char *buf;              /* RP_SRC_BUF bytes */
	size_t off, len;        /* the bytes not handed out yet */
	uint64_t lineno;        /* of the line handed out last, from 1 */
	int eof;
	int cut;                /* the file ended inside a line */
};

/* 0, or -1 when out of memory. */
int rp_src_init(struct rp_src *s, int fd);
void rp_src_free(struct rp_src *s);

/* The next line that is not empty, without its newline, valid until the
 * next call: 1; 0 at the end of the file (a last line without its
 * newline, which a recorder never leaves, is not handed out: cut is
 * set); -1 with *why for a line over RP_LINE_MAX bytes or a read error
 * (errno kept). */
int rp_src_next(struct rp_src *s, const char **line, size_t *len,
		const char **why);

/* Back to the first line. 0, or -1 with errno. */
int rp_src_rewind(struct rp_src *s);

#endif
