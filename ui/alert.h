/* SPDX-License-Identifier: GPL-2.0-only */
/* alert: --alert and --learn, first-seen alerts. Each flow whose owner is
 * known is judged once against the baseline (ui/baseline.h): is its peer
 * (the end that is not the owner's socket), the peer's country, the
 * peer's AS, new for its program? The program is its systemd service
 * where it runs in one, else its executable; a flow whose process is not
 * known (forwarded, another user's, gone before it was found) is not
 * judged. With --alert a flow with something new is marked (the
 * BL_NEW_* bits in its entry: NEW on the screen, "new" in JSON) and one
 * line goes to syslog; with --learn it is only learnt.
 *
 * A flow waits for its peer's GeoIP answer before it is judged (a few
 * seconds at most), so that a new country is told in the same line as
 * the new address. The baseline file is read and written by the writer
 * role (baseline/writer.h) over the ui's descriptor 6: read whole at the
 * start, saved whole a minute after a change and at the end.
 */
#ifndef FLOWTOP_UI_ALERT_H
#define FLOWTOP_UI_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "common/options.h"
#include "ui/annot.h"
#include "ui/flow_table.h"
#include "ui/owners.h"

/* flow_entry.alert: handed to the judgement (the rest: BL_NEW_*). */
#define ALERT_QUEUED 0x80u
#define ALERT_NEW_BITS 0x07u   /* BL_NEW_DST | BL_NEW_COUNTRY | BL_NEW_ASN */

struct alert;

/* chan: the writer's channel; log_fd: a datagram socket connected to
 * syslog, or -1 (then nothing is logged). NULL when out of memory. */
struct alert *alert_new(const struct options *o, int chan, int log_fd);
void alert_free(struct alert *a);

/* Read the baseline file the writer sends and load it. 0, or -1 with a
 * one-line reason (the file, and the line at fault) in err. */
int alert_load(struct alert *a, char *err, size_t errlen);

/* What a judgement needs of the rest of the ui. geo: whether places are
 * looked up (so worth waiting for). */
struct alert_ctx {
	struct flow_table *table;
	const struct owners *owners;
	const struct annots *annots;
	int geo;
};

/* Hand the table's flows not judged yet whose owner is now known to the
 * judgement, then judge those whose places are known (or waited for
 * long enough). now_ns: CLOCK_MONOTONIC. */
void alert_pass(struct alert *a, const struct alert_ctx *c, uint64_t now_ns);

/* Only the second half: judge the flows handed over whose places came
 * in since, without a walk of the table (a batch snapshot about to print,
 * its lookups answered since the dump's pass). */
void alert_settle(struct alert *a, const struct alert_ctx *c,
		  uint64_t now_ns);

/* The same for one flow about to leave the table (its last chance). */
void alert_gone(struct alert *a, const struct alert_ctx *c,
		const struct flow_entry *e);

/* Judge what still waits, whatever is known (the run ends). */
void alert_flush(struct alert *a, const struct alert_ctx *c);

/* Save the baseline when it changed a while ago (or now, when final).
 * 0, or -1 when the writer is gone. */
int alert_save(struct alert *a, uint64_t now_ns, int final);

/* Flows marked new, syslog lines that could not be sent, and entries in
 * the baseline, for the status line. */
uint64_t alert_marked(const struct alert *a);
int alert_logs(const struct alert *a);        /* a syslog socket is there */
uint64_t alert_lost(const struct alert *a);
size_t alert_entries(const struct alert *a);

/* The names "new" lists in JSON, for bit BL_NEW_*: "destination",
 * "country", "asn". */
const char *alert_kind_json(unsigned kind);

#endif
