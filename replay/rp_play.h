/* SPDX-License-Identifier: GPL-2.0-only */
/* rp_play: a recording read back into what the collector and the
 * resolver would have told the ui, one frame at a time.
 *
 * A frame is one periodic pass of the recorded run: the "end" lines that
 * came before it (the flows that left since the pass before) and its
 * "start", "update" and "tick" lines, which share one "time". The state
 * holds every flow still open with its last figures (an "update" is
 * written only when a flow moved, so the others keep theirs), what the
 * lines said of each address, port and process, and which of those the
 * ui has been told. A "begin" line (another run went on recording into
 * the same file) ends the flows the last run left open.
 *
 * What it knows of addresses and ports comes from every line read,
 * before or after the frame being played (rp_play_rewind).
 *
 * Everything it keeps is bounded: a file that names more flows than
 * RP_FLOWS_MAX at once is refused; past RP_OWNERS_MAX processes,
 * RP_PLACES_MAX addresses or RP_SERVICES_MAX ports the details of new
 * ones are left out (the flows still play).
 */
#ifndef FLOWTOP_RP_PLAY_H
#define FLOWTOP_RP_PLAY_H

#include <stddef.h>
#include <stdint.h>

#include "privsep/flow_wire.h"
#include "privsep/lookup_wire.h"
#include "privsep/msg.h"
#include "replay/rp_line.h"

#define RP_FLOWS_MAX (4u << 20)
#define RP_OWNERS_MAX 65536u
#define RP_PLACES_MAX 262144u
#define RP_SERVICES_MAX 65536u

struct rp_play;

struct rp_play *rp_play_new(void);
void rp_play_free(struct rp_play *p);

/* Back to before the first line, keeping what the lines said of
 * addresses and ports: a replay reads the file once to check it and
 * learn every name and place, so that the ui, which asks about an
 * address once, is told what the recording knows of it by the end. */
void rp_play_rewind(struct rp_play *p);

/* Take in one parsed line. 1 when the line belongs to the next frame
 * (the current one is complete: the caller takes it, then hands the same
 * line in again), 0 when taken, -1 when the file opens more flows at once
 * than RP_FLOWS_MAX or memory ran out (*why set). */
int rp_play_line(struct rp_play *p, const struct rp_line *l,
		 const char **why);

/* The file has ended: 1 when a frame is complete (take it, then call
 * again), 0 when none is left, -1 as rp_play_line. */
int rp_play_end(struct rp_play *p, const char **why);

/* Whether lines were handed in since the last frame was taken. */
int rp_play_pending(const struct rp_play *p);

/* The frame now complete: its recorded time, and the flows that left
 * in it (each once; the ui is sent a NEW before the DESTROY of one it
 * never saw, so that it shows closed as it did live). Starts the next
 * frame. */
uint64_t rp_play_take(struct rp_play *p);

/* What the ui is sent for the frame taken last, in this order:
 * the processes it has not been told of (MSG_OWNER) and those that
 * exited (MSG_OWNERS_GONE); the flows that left (NEW where needed, then
 * DESTROY); the open flows of the selection sel (enum flow_sel: family
 * and protocol), as FLOW_EV_DUMP records. Each callback returns 0 or -1
 * to stop (then the call returns -1). */
struct rp_sink {
	void *ctx;
	int (*owner)(void *ctx, const struct msg_owner *o);
	int (*owner_gone)(void *ctx, const struct msg_owner_gone *g);
	int (*flow)(void *ctx, const struct flow_wire *w);
};
int rp_play_owners(struct rp_play *p, const struct rp_sink *s);
int rp_play_gone(struct rp_play *p, uint32_t sel, const struct rp_sink *s);
int rp_play_open(struct rp_play *p, uint32_t sel, const struct rp_sink *s);

/* Open flows now; the process of pid as last told (NULL: unknown). */
size_t rp_play_count(const struct rp_play *p);
const struct msg_owner *rp_play_owner(const struct rp_play *p, uint32_t pid);

/* The ui asks about an address: the parts asked that the recording
 * tells of it, as its lines told them last (a name never recorded is a
 * negative answer). */
void rp_play_answer(const struct rp_play *p, const struct lookup_req *q,
		    struct lookup_ans *a);

/* A port's service name as recorded, "" when none. */
void rp_play_service(const struct rp_play *p, const struct service_req *q,
		     struct service_ans *a);

#endif
