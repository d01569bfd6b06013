/* print: batch output of one snapshot, as an aligned text table or as JSON
 * Lines (one object per flow per line, nothing else on stdout).
 */
#ifndef FLOWTOP_PRINT_H
#define FLOWTOP_PRINT_H

#include <stdio.h>
#include <stdint.h>
#include "ui/flow_table.h"

struct print_opts {
	int json;          /* JSON Lines instead of the text table */
	int bits;          /* rates in bits per second instead of bytes */
	int show_src;      /* text: also show the source port column (-s) */
};

/* Print entries v[0..n) of the snapshot taken at real_ns (CLOCK_REALTIME,
 * the same "time" on every JSON line). Text mode prints a header line, the
 * rows, and a blank line between snapshots. Every string that came from
 * outside (process names) is escaped. Returns 0, or -1 on a write error. */
int print_snapshot(FILE *out, const struct print_opts *po,
		   const struct flow_entry *const *v, size_t n,
		   uint64_t real_ns);

#endif
