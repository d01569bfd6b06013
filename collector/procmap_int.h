/* SPDX-License-Identifier: GPL-2.0-only */
/* procmap internals, shared by procmap.c (the cache, matching and the
 * /proc walk) and procmap_src.c (where sockets come from: sock_diag,
 * rtnetlink, /proc/net/icmp). Not for use outside collector/procmap*.c. */
#ifndef FLOWTOP_PROCMAP_INT_H
#define FLOWTOP_PROCMAP_INT_H

#include <stdint.h>

#include "common/siphash.h"
#include "collector/procmap.h"
#include "privsep/msg.h"

/* One table per (family, protocol) the kernel lists separately. */
enum pm_table {
	PM_TCP4, PM_UDP4, PM_UDPLITE4, PM_ICMP4,
	PM_TCP6, PM_UDP6, PM_UDPLITE6, PM_ICMP6,
	PM_TABLES,
};
#define PM_ALL_TABLES ((1u << PM_TABLES) - 1)

/* Socket flags. */
enum {
	PM_F_LANY = 1 << 0,     /* bound to the wildcard address */
	PM_F_RANY = 1 << 1,     /* not connected */
	PM_F_ANY4 = 1 << 2,     /* with LANY: serves IPv4 flows */
	PM_F_ANY6 = 1 << 3,     /* with LANY: serves IPv6 flows */
	PM_F_PENDING = 1 << 4,  /* owner not looked for yet */
	PM_F_FREE = 1 << 5,     /* slot on the free list */
};

/* A socket of the last dumps: 60 bytes. Addresses IPv4-mapped, wildcard
 * parts all zero. Chains link slot numbers + 1 (0 ends a chain). */
struct pm_sock {
	uint8_t l[16], r[16];
	uint32_t ino;
	uint32_t owner;         /* owners[] index + 1; 0: not known */
	uint32_t knext;         /* key hash chain; the free list too */
	uint32_t inext;         /* inode hash chain */
	uint32_t uid;           /* who opened it (sock_diag, /proc/net) */
	uint16_t lp, rp;
	uint8_t proto;
	uint8_t flags;
	uint8_t tbl;            /* enum pm_table */
	uint8_t gen;            /* round that last listed it */
};

#define PM_DEAD_START UINT64_MAX /* an owner found gone or reused */

/* A process as read through its /proc/PID descriptor (pm_proc_read): its
 * comm and start time, whether the viewer may see it, and its ids when
 * they were needed for that. */
struct pm_proc {
	char comm[FLOW_COMM_LEN];
	uint64_t start;
	int visible;
	int has_cred;
	struct procmap_cred cred;
};

#define PM_LATER_MAX 256        /* owners whose details wait */
#define PM_HOT_FDS 3            /* descriptor numbers tried first */

/* An owner whose details wait (pm_news_later). */
struct pm_later {
	uint32_t ref, pid;
	int dfd;                /* its /proc/PID */
	struct pm_proc p;
};

struct pm_owner {
	uint64_t start;         /* /proc/PID/stat field 22: tells PID reuse */
	uint64_t shown_start;   /* its start, once the ui was told of it */
	uint32_t pid;
	uint32_t refs;          /* sockets owned; 0: free slot */
	uint8_t visible;        /* the viewer may see it (procmap_may_see) */
	char comm[FLOW_COMM_LEN];
	/* Socket inode last read behind each descriptor number (0: none),
	 * so a walk need not read a link again while that socket lives. */
	uint32_t *fds;
	uint32_t nfds;
};

/* Open-addressing map of nonzero uint32 keys (pid -> owner, conntrack id
 * -> generation). */
struct pm_map {
	uint32_t *keys, *vals;
	uint32_t cap, n;        /* cap is 0 or a power of two */
};

#define PM_YOUNG_MAX 1024

/* A token bucket. */
struct pm_bucket {
	double tokens;
	uint64_t ns;            /* CLOCK_MONOTONIC of the last top-up */
};

struct procmap {
	/* sockets: slots, the two hash tables, a free list */
	struct pm_sock *socks;
	uint32_t slots, slots_cap, free_head, live;
	uint32_t *kbucket, *ibucket;
	uint32_t nbuckets;      /* power of two */
	struct siphash_key seed; /* the process key: kbucket's hash */
	uint32_t pending;       /* sockets with PM_F_PENDING */
	uint32_t per_proto[5];  /* live sockets: tcp, udp, udplite, icmp, - */
	uint32_t established[PM_TABLES]; /* TCP tables: ESTABLISHED sockets
					  * in their last dump */
	uint8_t gen;
	/* owners */
	struct pm_owner *owners;
	uint32_t nowners, owners_cap, owners_free;
	struct pm_map pids;
	/* who looks (procmap_set_viewer) */
	uint32_t viewer_uid, viewer_gid;
	/* flowtop's own flows */
	uint32_t hidden_pid;
	uint32_t hidden_gen;
	struct pm_map hidden;
	/* this host's addresses, sorted */
	uint8_t (*local)[16];
	size_t nlocal, local_cap;
	/* sources */
	int diag_fd, rt_fd, root_fd;
	uint32_t seq;
	uint32_t unsupported;   /* tables the kernel can't list */
	int dump_intr;          /* the last dump was NLM_F_DUMP_INTR */
	unsigned char *buf;     /* netlink and file reads */
	size_t buflen;
	char *dirbuf[2];        /* getdents64: /proc and one /proc/PID/fd */
	uint32_t *pidlist;      /* a walk's pids, newest first */
	uint32_t pid_last;      /* ns_last_pid at the last full walk */
	uint32_t probe_last;    /* ... at the last walk of any kind */
	uint32_t pid_max;       /* /proc/sys/kernel/pid_max, 0: not known */
	uint32_t young[PM_YOUNG_MAX]; /* for the next walk for new flows:
				       * alive, no known socket */
	size_t nyoung;
	size_t ncarry;          /* the first of them: not looked at yet */
	uint32_t hot[PM_HOT_FDS]; /* descriptor numbers of the last sockets
				   * found, the latest first */
	size_t nhot;
	size_t pidlist_cap;
	uint64_t asked;         /* exact tuples asked (procmap_ask) */
	/* what the ui is to be told of owners (procmap_owner.c) */
	struct pm_later *later; /* owners whose details wait (procmap_details) */
	size_t nlater;
	struct msg_owner *news;
	size_t nnews, news_cap;
	struct msg_owner_gone *gone;
	size_t ngone, gone_cap;
	struct msg_owner_gone *watch;   /* told of, no socket left, alive */
	size_t nwatch;
	/* rate limits: on-demand refreshes, exact asks */
	struct pm_bucket refresh_budget, ask_budget;
};

/* procmap.c: feed one socket of table tbl into the current round. 0 or -1
 * (out of memory). */
int pm_round_add(struct procmap *m, const struct procmap_sock *s,
		 enum pm_table tbl);
/* procmap.c: replace the local address list (16-byte addresses). */
int pm_set_local(struct procmap *m, const uint8_t (*a)[16], size_t n);

/* procmap.c, for procmap_owner.c: read a small file of a /proc/PID
 * directory; comm, start and visibility of pid. */
ssize_t pm_read_file(int dirfd, const char *path, char *buf, size_t cap);
int pm_read_stat(struct procmap *m, uint32_t pid, char comm[16],
		 uint64_t *start, int *visible);

/* procmap.c: /proc/PID opened (-1 when gone); the process read through
 * it (0, or -1 when gone); its ids (0, or -1 when gone). */
int pm_proc_dir(const struct procmap *m, uint32_t pid);
int pm_proc_read(const struct procmap *m, int dfd, struct pm_proc *p);
int pm_proc_cred(int dfd, struct procmap_cred *c);

/* procmap_owner.c: the ui is told of owner ref (once, if visible; dfd and
 * p, unless -1 and NULL, are its /proc/PID and what was just read there,
 * so that nothing is read twice); an owner it was told of is freed (dead:
 * it exited; else it is watched until it does); the watched ones are
 * checked; the queues freed. */
void pm_news_owner(struct procmap *m, uint32_t ref, int dfd,
		   const struct pm_proc *p);
/* The ui is to be told of owner ref later (pm_news_settle), through dfd,
 * which is then closed: 1 when it took dfd, 0 when the ui is not to be
 * told or the queue is full (the caller tells it now). pm_news_settle
 * reads the first max queued (their ids, command line, executable and
 * cgroup) and says how many are left. */
int pm_news_later(struct procmap *m, uint32_t ref, int dfd,
		  const struct pm_proc *p);
size_t pm_news_settle(struct procmap *m, size_t max);
void pm_news_forget(struct procmap *m, uint32_t pid, uint64_t start, int dead);
void pm_news_check(struct procmap *m);
void pm_news_free(struct procmap *m);

/* procmap_src.c */
int pm_src_open(struct procmap *m, char *err, size_t errlen);
void pm_src_close(struct procmap *m);
/* Dump table tbl into the round: 0, 1 when the kernel can't list it,
 * 2 when the dump may have missed sockets (don't sweep the table), -1 on
 * an error. */
int pm_src_table(struct procmap *m, enum pm_table tbl);
/* Ask the kernel for the socket of one tuple (addresses as the family
 * has them: AF_INET in the first 4 bytes) and add it to the round: 1 when
 * the kernel answered with one, 0 when it has none (ENOENT), -1 when it
 * could not be asked. */
int pm_src_exact(struct procmap *m, int family, uint8_t proto,
		 const uint8_t local[16], uint16_t lport,
		 const uint8_t remote[16], uint16_t rport);
/* Reread this host's addresses. 0 or -1. */
int pm_src_local(struct procmap *m);

/* Family and protocol of a table, and the table of a family and
 * protocol (PM_TABLES: none). */
int pm_table_family(enum pm_table t);
uint8_t pm_table_proto(enum pm_table t);
enum pm_table pm_table_of(int family, uint8_t proto);

/* 16-byte form of an address of family (AF_INET: IPv4-mapped). */
void pm_addr16(uint8_t out[16], int family, const uint8_t *in);

#endif
