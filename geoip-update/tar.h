/* SPDX-License-Identifier: GPL-2.0-only */
/* tar: a minimal, bounds-checked reader of ustar archives in memory, for
 * MaxMind's NAME.tar.gz layout (a directory holding NAME.mmdb and licence
 * texts). Only what that needs: walk the headers, verify each checksum,
 * skip pax and GNU long-name records, find one regular file by suffix.
 */
#ifndef FLOWTOP_GU_TAR_H
#define FLOWTOP_GU_TAR_H

#include <stddef.h>
#include <stdint.h>

#define GU_TAR_BLOCK 512

/* Whether buf starts like a ustar (or GNU tar) archive. */
int gu_tar_is(const uint8_t *buf, size_t len);

/* Find the first regular file whose name ends in suffix. 1 with *data and
 * *dlen pointing into buf; 0 when there is none; -1 on a corrupt archive
 * with *why set. Never reads outside buf[0..len). */
int gu_tar_find(const uint8_t *buf, size_t len, const char *suffix,
		const uint8_t **data, size_t *dlen, const char **why);

#endif
