/* SPDX-License-Identifier: GPL-2.0-only */
/* msg: typed messages over SOCK_SEQPACKET socketpairs between the roles.
 *
 * One datagram is one message: a fixed header, then the payload. The one
 * catalogue in msg.c says, for every type, the direction(s) that may carry
 * it, its length bounds and the check its contents must pass. The sender
 * is held to the direction and length, the receiver to all three, in one
 * place (msg_decode), so a process can neither send nor accept a message
 * its channel was not made for, and no handler sees unchecked contents.
 * No message carries a file descriptor; one passed anyway is closed and
 * the message refused.
 */
#ifndef FLOWTOP_MSG_H
#define FLOWTOP_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "common/options.h"

/* A direction is a (sender -> receiver) pair; each channel end receives in
 * exactly one direction and sends in exactly one. */
enum msg_dir {
	MSG_DIR_COL_UI = 1u << 0,   /* collector -> ui */
	MSG_DIR_UI_COL = 1u << 1,   /* ui -> collector */
	MSG_DIR_UI_RES = 1u << 2,   /* ui -> resolver */
	MSG_DIR_RES_UI = 1u << 3,   /* resolver -> ui */
	MSG_DIR_FET_UPD = 1u << 4,  /* fetcher -> updater parent */
	MSG_DIR_UPD_FET = 1u << 5,  /* updater parent -> fetcher */
	MSG_DIR_VAL_UPD = 1u << 6,  /* validator -> updater parent */
};

enum msg_type {
	MSG_NONE = 0,
	/* collector -> ui */
	MSG_HELLO,        /* struct msg_hello: start of the stream */
	MSG_DUMP_BEGIN,   /* struct msg_dump_mark: a full table dump follows */
	MSG_FLOWS,        /* 1..MSG_FLOWS_MAX struct flow_wire */
	MSG_DUMP_END,     /* struct msg_dump_mark: the dump is complete */
	/* ui -> collector */
	MSG_CTL_FILTER,   /* struct msg_filter: new protocol/family selection */
	/* ui <-> resolver */
	MSG_PING,         /* uint64_t cookie */
	MSG_PONG,         /* uint64_t cookie, echoed */
	MSG_LOOKUP_REQ,   /* 1..N struct lookup_req */
	MSG_LOOKUP_ANS,   /* 1..N struct lookup_ans */
	MSG_SERVICE_REQ,  /* 1..N struct service_req */
	MSG_SERVICE_ANS,  /* 1..N struct service_ans */
	/* GeoIP updater (privsep/update_wire.h) */
	MSG_FETCH_REQ,    /* struct fetch_req: updater -> fetcher */
	MSG_FETCH_START,  /* struct fetch_start: fetcher -> updater */
	MSG_FETCH_DATA,   /* struct fetch_data_hdr + 1.. body bytes */
	MSG_FETCH_DONE,   /* struct fetch_done */
	MSG_VAL_RESULT,   /* struct val_result: validator -> updater */
	/* ui -> collector -> ui: the detail pane's command line */
	MSG_CMDLINE_REQ,  /* struct msg_cmdline_req */
	MSG_CMDLINE_ANS,  /* struct msg_cmdline_ans */
	/* resolver -> ui, once after PONG: what lookups can answer */
	MSG_RES_INFO,     /* struct msg_res_info */
	/* ui -> collector -> ui, once: the stream may start */
	MSG_SYNC_REQ,     /* struct msg_sync */
	MSG_SYNC_ANS,     /* struct msg_sync, as asked */
	/* collector -> ui: the processes that own flows */
	MSG_OWNER,        /* struct msg_owner */
	MSG_OWNERS_GONE,  /* 1..N struct msg_owner_gone */
	/* ui -> collector, about once an interval in screen mode */
	MSG_CTL_REFRESH,  /* struct msg_refresh + 0..MSG_REFRESH_MAX
			   * struct flow_key */
	/* --replay: the ui's keys to the replay, which stands where the
	 * collector does, and what it is doing */
	MSG_CTL_REPLAY,   /* struct msg_replay_ctl: ui -> replay */
	MSG_REPLAY_STATE, /* struct msg_replay_state: replay -> ui */
	MSG_TYPE_COUNT
};

struct msg_hdr {
	uint32_t type;
	uint32_t len;     /* payload bytes after the header */
};

/* The largest datagram any channel carries (header included). */
#define MSG_MAX_SIZE (64u * 1024u)
#define MSG_MAX_PAYLOAD (MSG_MAX_SIZE - sizeof(struct msg_hdr))

struct msg_hello {
	uint32_t version;      /* MSG_PROTO_VERSION */
	uint32_t interval_ms;  /* the collector's dump interval */
};
#define MSG_PROTO_VERSION 1

/* Why a dump was made: only the periodic ones are snapshots; a resync
 * brings the table up to date in between. A new selection makes no dump
 * of its own: the next periodic one follows it. */
enum dump_kind {
	DUMP_PERIODIC = 1,     /* one per interval */
	DUMP_RESYNC,           /* the kernel dropped events */
	DUMP_KIND_LAST = DUMP_RESYNC,
};

struct msg_dump_mark {
	uint64_t seq;          /* increases by one per dump */
	uint64_t mono_ns;      /* CLOCK_MONOTONIC when the dump started */
	uint64_t real_ns;      /* CLOCK_REALTIME at the same moment */
	uint32_t kind;         /* enum dump_kind */
	uint32_t cadence_ms;   /* spacing of periodic dumps now: the interval,
				* or more when a dump would eat it */
	uint64_t resyncs;      /* dumps forced by lost events so far */
	uint64_t took_ns;      /* DUMP_END: how long the dump took; BEGIN: 0 */
	uint32_t flags;        /* DUMP_END: enum dump_flag bits; BEGIN: 0 */
	uint32_t reserved;     /* zero */
};

enum dump_flag {
	/* The table is empty while this host has established TCP
	 * connections, or stays empty while packets flow (the SNMP
	 * counters of collector/untracked.h rise): no firewall rule makes
	 * the kernel track them. */
	DUMP_F_UNTRACKED = 1u << 0,
	DUMP_F_ALL = DUMP_F_UNTRACKED,
};

/* Bound of cadence_ms a collector may announce (a day). */
#define MSG_CADENCE_MAX_MS (24u * 3600u * 1000u)

struct msg_filter {
	uint32_t sel;          /* enum flow_sel bits; others must be zero */
};

/* The screen shows a few rows of a table that may hold a million flows:
 * each interval it names the flows it shows (the rows in view and the
 * selected one) and the collector asks the kernel for exactly those
 * (FLOW_EV_REFRESH records, no dump marks), so that the full sweeps of
 * the table can be spaced by their cost. flags says how much what the
 * screen shows needs every flow's counters: their rates (a sort by rate,
 * the processes and countries tabs' totals, "active only"), or only the
 * order of byte totals (a sort by bytes); the collector then sweeps more
 * often (collector/supervise.c). It answers at
 * most STREAM_REFRESH_BURST requests an interval and ignores the rest: a
 * ui can't make it ask the kernel without bound. Batch mode never sends
 * it. */
#define MSG_REFRESH_MAX 256u

enum refresh_flags {
	REFRESH_F_ALL = 1u << 0,    /* every flow's counters are needed */
	REFRESH_F_ORDER = 1u << 1,  /* the rows' order follows byte totals */
};
#define REFRESH_F_KNOWN (REFRESH_F_ALL | REFRESH_F_ORDER)

struct msg_refresh {
	uint32_t flags;        /* enum refresh_flags bits; others zero */
	uint32_t reserved;     /* zero */
	/* followed by 0..MSG_REFRESH_MAX struct flow_key */
};

/* The ui can't read /proc: it asks the collector for a process's command
 * line. The answer's text has its NUL separators made spaces and every
 * control byte made '?', so no terminal escape can travel in it; the ui
 * escapes it again before drawing, as it does every string. */
#define MSG_CMDLINE_LEN 512    /* text bytes, NUL included */

struct msg_cmdline_req {
	uint32_t pid;          /* 1..MSG_PID_MAX */
};

struct msg_cmdline_ans {
	uint32_t pid;          /* as asked */
	uint32_t found;        /* 0: the process is gone or unreadable */
	char text[MSG_CMDLINE_LEN];  /* NUL-terminated; "" when not found */
};

/* A process that owns flows, as the collector found it, sent once before
 * the first flows that name it, and only when the viewer may see it
 * (procmap_may_see): what it was, kept by the ui after it exits. Strings
 * are NUL-terminated, "" when not known; the command line is cleaned as
 * MSG_CMDLINE_ANS's, the executable's path and the cgroup are the bytes
 * the kernel gave (the ui escapes everything it draws). */
#define MSG_EXE_LEN 256
#define MSG_CGROUP_LEN 512
#define MSG_NETNS_LEN 64

struct msg_owner {
	uint32_t pid;          /* 1..MSG_PID_MAX */
	uint32_t uid;          /* its real uid */
	uint64_t start;        /* start time (/proc/PID/stat field 22): with
				* pid, which process */
	char comm[16];
	char cmdline[MSG_CMDLINE_LEN];
	char exe[MSG_EXE_LEN];
	char cgroup[MSG_CGROUP_LEN]; /* cgroup v2 path */
	/* Its network namespace when not the collector's: the name under
	 * /run/netns, else "net:[INODE]"; "" for the collector's own. */
	char netns[MSG_NETNS_LEN];
};

/* Owners announced before that have exited (found gone, or their pid
 * taken by another process). */
struct msg_owner_gone {
	uint32_t pid;          /* 1..MSG_PID_MAX */
	uint32_t reserved;     /* zero */
	uint64_t start;        /* as announced */
};

/* --replay (replay/replay.h): the screen's keys. */
enum replay_op {
	REPLAY_OP_PAUSE = 1,   /* pause, or go on */
	REPLAY_OP_STEP,        /* the next frame, then pause */
	REPLAY_OP_FASTER,      /* twice the speed */
	REPLAY_OP_SLOWER,      /* half the speed */
	/* Batch mode: the snapshot of the last frame is printed, send the
	 * next one (so each frame is printed once its names are in). */
	REPLAY_OP_NEXT,
	REPLAY_OP_LAST = REPLAY_OP_NEXT,
};

struct msg_replay_ctl {
	uint32_t op;           /* enum replay_op */
	uint32_t reserved;     /* zero */
};

enum replay_flag {
	REPLAY_F_PAUSED = 1u << 0,
	REPLAY_F_END = 1u << 1,      /* the recording has no more frames */
	REPLAY_F_ALL = REPLAY_F_PAUSED | REPLAY_F_END,
};

/* Speed in quarters: 1 is a quarter of the recorded pace, 4 the pace it
 * was recorded at, 256 sixty-four times that. */
#define REPLAY_SPEED_MIN 1u
#define REPLAY_SPEED_ONE 4u
#define REPLAY_SPEED_MAX 256u

/* Sent after each frame and each key: what the status line shows. */
struct msg_replay_state {
	uint64_t real_ns;      /* the recorded time of the frame last sent,
				* 0 before the first */
	uint64_t frame;        /* its number, from 1; 0 before the first */
	uint64_t frames;       /* frames in the recording */
	uint32_t speed;        /* REPLAY_SPEED_MIN..REPLAY_SPEED_MAX */
	uint32_t flags;        /* enum replay_flag bits; others zero */
};

/* Linux's PID_MAX_LIMIT. */
#define MSG_PID_MAX (4u * 1024u * 1024u)

/* What the resolver can answer, so the ui can tell the user why places
 * are missing (no database: run flowtop -u). */
enum res_info_flags {
	RES_INFO_DNS = 1u << 0,      /* reverse DNS is on */
};

struct msg_res_info {
	uint32_t geo_dbs;      /* GeoIP databases in use, 0..MSG_GEO_DBS_MAX */
	uint32_t flags;        /* enum res_info_flags bits; others zero */
};
#define MSG_GEO_DBS_MAX 4096u

/* The ui asks for the stream once it is ready for it; in screen mode,
 * just before it opens the screen. The collector first relays everything
 * its children have written to their stderr so far, so that it is on the
 * terminal before the screen covers it, answers, and only then sends
 * HELLO and the first dump. While the screen runs, what the children say
 * is held by the collector and written once the run has ended. */
struct msg_sync {
	uint32_t screen;       /* 1: the ui opens the screen; 0: batch */
};

/* One received message. payload points into the caller's buffer. */
struct msg {
	uint32_t type;
	uint32_t len;
	const void *payload;
};

/* Catalogue entry; exposed for tests. */
struct msg_spec {
	const char *name;
	uint32_t dirs;         /* enum msg_dir bits that may carry it */
	uint32_t min_len;
	uint32_t max_len;
	uint32_t unit;         /* if non-zero, (len - min_len) % unit == 0 */
	/* The contents' rules: 0, or -1 with *why. Never NULL. */
	int (*check)(const struct msg *m, const char **why);
};

const struct msg_spec *msg_spec(uint32_t type);
const char *msg_type_name(uint32_t type);

/* Check a received datagram buf[0..n) for direction dir: header, length,
 * then its type's content check; fill *m. Returns 0, or -1 with *why set
 * to a static reason. The receive path (msg_recv) runs this on every
 * message. */
int msg_decode(uint32_t dir, const void *buf, size_t n, struct msg *m,
	       const char **why);

/* msg_decode's first half, the framing alone (header, type, direction,
 * length), for tests of the framing with payloads of any content. */
int msg_frame(uint32_t dir, const void *buf, size_t n, struct msg *m,
	      const char **why);

/* A channel end. */
struct msg_chan {
	int fd;
	uint32_t rx_dir;       /* the one direction this end receives */
	uint32_t tx_dir;       /* the one direction this end sends */
	const char *peer;      /* role name of the other end, for errors */
	unsigned char buf[MSG_MAX_SIZE];
};

void msg_chan_init(struct msg_chan *c, int fd, uint32_t rx_dir,
		   uint32_t tx_dir, const char *peer);

/* Send one message. 0 on success; -1 with errno set. A type/length the
 * catalogue forbids on tx_dir is refused with EINVAL. */
int msg_send(struct msg_chan *c, uint32_t type, const void *payload,
	     uint32_t len);

/* Receive one message into c->buf. Returns 1 with *m filled (and its
 * contents checked), 0 on orderly EOF from the peer, -1 on a malformed
 * message or socket error with *why set (errno kept for socket errors). */
int msg_recv(struct msg_chan *c, struct msg *m, const char **why);

/* Non-blocking variant: returns -2 when nothing is queued. */
int msg_recv_nb(struct msg_chan *c, struct msg *m, const char **why);

#endif
