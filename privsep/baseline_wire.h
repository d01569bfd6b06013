/* SPDX-License-Identifier: GPL-2.0-only */
/* baseline_wire: what the ui and the baseline's writer (flowtop-base) say
 * over their SOCK_SEQPACKET pair, for --alert and --learn.
 *
 * Each message is one kind byte and up to BW_CHUNK bytes of the file:
 *   writer -> collector, first:  BW_READY, or BW_ERROR and a reason
 *   writer -> ui, then:          BW_DATA... BW_END: the file as it was
 *   ui -> writer, at each save:  BW_DATA... BW_COMMIT: the new file
 * The writer parses none of it: it copies bytes between the file and the
 * socket. The ui parses the old file, sealed (ui/baseline.h).
 */
#ifndef FLOWTOP_BASELINE_WIRE_H
#define FLOWTOP_BASELINE_WIRE_H

#define BW_READY 'R'
#define BW_ERROR 'E'
#define BW_DATA 'D'
#define BW_END 'Z'
#define BW_COMMIT 'C'

#define BW_CHUNK (60u << 10)

/* The largest baseline file read back, for n entries: a line an entry,
 * at most 4 KiB (ui/baseline.h's BL_LINE_MAX and its newline), at least
 * 16 MiB. A bigger file is not a baseline a run could have written, and
 * is refused before it is read. */
static inline unsigned long long bw_file_max(unsigned n)
{
	unsigned long long m = (unsigned long long)n * 4097u;

	return m < (16ull << 20) ? 16ull << 20 : m;
}

#endif
