/* SPDX-License-Identifier: GPL-2.0-only */
/* rp_line: one line of a --record file, read back (--replay).
 *
 * The recording is JSON Lines as ui/print.c writes them (-o json with
 * "event" first, and "tick" lines for intervals with nothing to say), but
 * a replay may be handed any file: this is the one reader of it, and it
 * trusts nothing. A line is one JSON object of at most RP_LINE_MAX bytes;
 * the reader is strict about JSON itself (no raw control byte in a
 * string, no unpaired surrogate, no \u0000, no number it cannot hold, no
 * nesting deeper than RP_DEPTH_MAX), strict about the types and ranges of
 * the keys it knows, and skips the keys it does not know, so that a newer
 * flowtop's recording still plays. What it fills passes
 * flow_wire_check().
 */
#ifndef FLOWTOP_RP_LINE_H
#define FLOWTOP_RP_LINE_H

#include <stddef.h>
#include <stdint.h>

#include "privsep/flow_wire.h"
#include "privsep/lookup_wire.h"
#include "privsep/msg.h"

#define RP_LINE_MAX (64u * 1024u)   /* bytes, the newline excluded */
#define RP_DEPTH_MAX 8              /* nesting of unknown values */

enum rp_event {
	RP_EV_START = 1,    /* "start": first line of a flow */
	RP_EV_UPDATE,       /* "update": it moved at a periodic pass */
	RP_EV_END,          /* "end": it left the table; final figures */
	RP_EV_TICK,         /* "tick": a pass that had nothing to say */
	RP_EV_BEGIN,        /* "begin": a run starts recording (the file
			     * may hold an earlier run's lines before) */
};

/* What a line says of one address: its name and place. A field absent
 * from the line is "" (asn 0). Strings are the decoded bytes, cut to the
 * field (an escape is never cut in half; a UTF-8 sequence may be), and
 * NUL-terminated; they may hold any byte but NUL (the ui escapes what it
 * draws). country is "" unless it was two ASCII capitals. */
struct rp_place {
	char name[LOOKUP_NAME_LEN];
	char country[4];
	char country_name[LOOKUP_TEXT_LEN];
	char city[LOOKUP_TEXT_LEN];
	char as_org[LOOKUP_TEXT_LEN];
	uint32_t asn;
};

/* What the owner fields say; "" when absent. cmdline has every byte
 * below 0x20 and DEL made '?', as MSG_OWNER requires. */
struct rp_owner {
	char cmdline[MSG_CMDLINE_LEN];
	char exe[MSG_EXE_LEN];
	char cgroup[MSG_CGROUP_LEN];
	char netns[MSG_NETNS_LEN];
	int exited;             /* "exited": true */
};

/* One line. For RP_EV_TICK and RP_EV_BEGIN only event and time_ns are
 * set. */
struct rp_line {
	enum rp_event event;
	uint64_t time_ns;       /* "time": Unix seconds with up to 9 digits
				 * of fraction, as nanoseconds */
	/* The flow, as the collector would have sent it:
	 *   id, family ("ipv4"/"ipv6"), l4proto (flow_proto_name's names),
	 *   state (flow_state_name's names; FLOW_STATE_NONE when the
	 *   protocol has no states, 0 when it has and "state" is absent),
	 *   src, dst, sport,
	 *   dport, icmp_type, icmp_code;
	 *   rsrc, rsport, rdst, rdport from "reply_*" when present, else the
	 *   original swapped (rsrc = dst, rsport = dport, ...);
	 *   zone, mark, labels ("labels": [n, ...], each 0..127);
	 *   orig_bytes, orig_packets, reply_bytes, reply_packets (0 when
	 *   absent);
	 *   start_ns = time_ns - age * 1e9 when "age" is there and not past
	 *   time_ns, else 0;
	 *   pid, comm ("process", cut to FLOW_COMM_LEN - 1 bytes), uid;
	 *   owner: FLOW_OWNER_HIDDEN with "hidden": true (then pid, process
	 *   must be absent), else FLOW_OWNER_SOCKET when "uid" is there,
	 *   else FLOW_OWNER_NONE (uid 0; "pid" and "process" may still be
	 *   there, as print.c writes them whatever the owner);
	 *   owner_tag 0 (the replay sets it), event FLOW_EV_DUMP,
	 *   icmp_id 0 (not recorded). */
	struct flow_wire w;
	char service[SERVICE_NAME_LEN];  /* "service", cut; "" absent */
	struct rp_place src, dst;        /* "src_*", "dst_*" */
	struct rp_owner own;
};

/* Parse s[0..len) (no newline; a trailing '\r' is refused like any other
 * stray byte) into *out. 0, or -1 with *why a short static reason
 * ("line too long", "not a JSON object", "bad string escape",
 * "\"sport\" out of range", "missing \"time\"", ...). Required: "event"
 * and "time"; for start, update and end also "id", "family", "proto",
 * "src", "dst", and "sport"/"dport" unless ICMP. Values of a known key
 * with the wrong type are refused; a key given twice is refused. */
int rp_line_parse(const char *s, size_t len, struct rp_line *out,
		  const char **why);

#endif
