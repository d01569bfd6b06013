/* SPDX-License-Identifier: GPL-2.0-only */
/* procmap internals, shared by procmap.c (the cache, matching and the
 * /proc walk) and procmap_src.c (where sockets come from: sock_diag,
 * rtnetlink, /proc/net/icmp). Not for use outside collector/procmap*.c. */
#ifndef FLOWTOP_PROCMAP_INT_H
#define FLOWTOP_PROCMAP_INT_H

#include <netinet/tcp.h>
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

/* TCP states a process can hold a socket in. Left out: LISTEN (never a
 * flow's end), TIME_WAIT and SYN_RECV (no inode: no process holds them). */
#define PM_TCP_STATES \
	(1u << TCP_ESTABLISHED | 1u << TCP_SYN_SENT | 1u << TCP_FIN_WAIT1 | \
	 1u << TCP_FIN_WAIT2 | 1u << TCP_CLOSE | 1u << TCP_CLOSE_WAIT | \
	 1u << TCP_LAST_ACK | 1u << TCP_CLOSING)

/* Socket flags. */
enum {
	PM_F_LANY = 1 << 0,     /* bound to the wildcard address */
	PM_F_RANY = 1 << 1,     /* not connected */
	PM_F_ANY4 = 1 << 2,     /* with LANY: serves IPv4 flows */
	PM_F_ANY6 = 1 << 3,     /* with LANY: serves IPv6 flows */
	PM_F_PENDING = 1 << 4,  /* owner not looked for yet */
	PM_F_FREE = 1 << 5,     /* slot on the free list */
};

/* A socket of the last dumps: 64 bytes. Addresses IPv4-mapped, wildcard
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
	uint16_t ns;            /* whose socket table: 0 the collector's
				 * network namespace, else nss[ns - 1] */
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

/* Another network namespace on this host (procmap_ns.c), whose sockets
 * are read from /proc/PID/net of a process inside it. */
#define PM_NS_MAX 4096          /* followed at once; more are not */
#define PM_NS_ZONES 6           /* conntrack zones remembered per namespace */
#define PM_NS_NAME 48           /* an `ip netns` name, NUL included */
#define PM_NS_PIDS 4            /* processes kept per namespace */
/* How long a namespace's addresses are kept once no process is left in
 * it: conntrack's longest default timeouts (TCP's TIME_WAIT 120 s, UDP
 * streams 120 s) with margin. */
#define PM_NS_GONE_KEEP_NS (300ull * 1000000000ull)
struct pm_ns {
	uint64_t ino;           /* the namespace's nsfs inode: net:[INO];
				 * 0: a free slot */
	/* Processes in it, whose /proc/PID/net is read: the first two and
	 * the last two the scan found (the oldest pids, the newest), the
	 * first still alive first. */
	uint32_t pid[PM_NS_PIDS];
	uint8_t npids;
	uint8_t want;           /* tables new flows wait for (pm_ns_want) */
	uint64_t read_mono;     /* when pm_ns_read_wanted last read them */
	/* The periodic refresh (ns_epoch) at which a flow last had one of its
	 * addresses, and at which its tables were last read in full; 0:
	 * never. A namespace no flow names is not read every refresh. */
	uint32_t used_epoch, read_epoch;
	/* When a scan found no process left in it (0: alive). Its addresses
	 * are kept PM_NS_GONE_KEEP_NS more, without sockets: its flows
	 * outlive its processes, and are still not flows from outside. */
	uint64_t gone_mono;
	uint8_t gen;            /* the scan that last found it */
	uint8_t nzones;
	uint16_t zones[PM_NS_ZONES]; /* zones of flows matched to it alone */
	char name[PM_NS_NAME];  /* its name under /run/netns, "" if none */
	/* A sock_diag socket made inside it by the namespace helper
	 * (pm_ns_diag), + 1; 0: none. Asked for once a flow names the
	 * namespace, closed when it goes idle or its processes are gone
	 * (the socket would keep the namespace alive). */
	int diag;
	uint8_t diag_failed;    /* the helper could not make one */
};

/* An address held in another namespace: the map from addresses to
 * namespaces, sorted by address (then namespace). */
struct pm_nsaddr {
	uint8_t a[16];          /* IPv4-mapped or IPv6 */
	uint16_t ns;            /* nss[ns - 1] */
};

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
	/* other network namespaces (procmap_ns.c) */
	uint64_t self_ns;       /* the collector's own: net:[INO], 0: unknown */
	struct pm_ns *nss;
	uint32_t nns, nss_cap;  /* slots in use (some may be free), room */
	struct pm_nsaddr *nsaddr;
	size_t nnsaddr, nsaddr_cap;
	uint8_t ns_gen;
	uint32_t ns_epoch;      /* periodic refreshes, for pm_ns.used_epoch */
	uint64_t ns_scan_mono;  /* when namespaces were last looked for */
	struct pm_bucket ns_scan_budget;
	struct pm_bucket ns_read_budget; /* seconds of reading (procmap_ns.c) */
	int ns_wanted;          /* some namespace's want is set */
	int nsd_chan;           /* the namespace helper's channel, -1: none */
	uint32_t ns_diags;      /* namespaces with a diag socket open */
};

/* procmap.c: feed one socket of table tbl into the current round. 0 or -1
 * (out of memory). */
int pm_round_add(struct procmap *m, const struct procmap_sock *s,
		 enum pm_table tbl);
/* procmap.c: the same, into the socket table of namespace ns (0: the
 * collector's own), and the sockets of ns in the tables of done that this
 * round did not list dropped (all of ns's sockets: done PM_ALL_TABLES
 * after a round that listed none). */
int pm_round_add_ns(struct procmap *m, const struct procmap_sock *s,
		    enum pm_table tbl, uint16_t ns);
void pm_sweep_ns(struct procmap *m, unsigned done, uint16_t ns);
/* procmap.c: next name in a directory read with getdents64 (pm_dir_open
 * on a descriptor of m's: no heap per call), a decimal pid's value. */
struct pm_dir {
	int fd;
	char *buf;
	long len, pos;
	int end;                /* the last read was the directory's end */
};
const char *pm_dir_next(struct pm_dir *d);
uint32_t pm_pid_of(const char *name);
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

/* procmap_ns.c: the other network namespaces. pm_ns_refresh looks for
 * them when due (force: now, if the rate limit allows), rereads their
 * addresses and, for the tables in want, their sockets; pm_ns_read reads
 * tables want of namespace ns alone (1 when read). pm_ns_of: the
 * namespaces holding address a (16 bytes), at most max of them, into
 * out; how many. pm_ns_holds: does ns hold a? pm_ns_name: what a
 * namespace is called ("" for the collector's own). pm_ns_learn /
 * pm_ns_zone: the zones seen on flows matched to ns alone. */
void pm_ns_refresh(struct procmap *m, unsigned want, int force);
int pm_ns_read(struct procmap *m, uint16_t ns, unsigned want);
/* Tables want of namespace ns are to be read for new flows, once for all
 * of a batch (a TCP table costs a walk of the kernel's whole established
 * hash, about 1 ms whatever its size): pm_ns_read_wanted reads them, each
 * once, before the walk for the batch's owners. */
void pm_ns_want(struct procmap *m, uint16_t ns, unsigned want);
void pm_ns_read_wanted(struct procmap *m);
/* A namespace's tables are read for new flows at most once every
 * PM_NS_READ_GAP_NS; pm_ns_wait_ns: until when (CLOCK_MONOTONIC) some
 * wanted read must wait, 0 when none. */
#define PM_NS_READ_GAP_NS (5ull * 1000000ull)
uint64_t pm_ns_wait_ns(const struct procmap *m);
size_t pm_ns_of(const struct procmap *m, const uint8_t a[16], uint16_t *out,
		size_t max);
int pm_ns_holds(const struct procmap *m, uint16_t ns, const uint8_t a[16]);
void pm_ns_name(const struct procmap *m, uint64_t ino, char *out,
		size_t outsz);
void pm_ns_learn(struct procmap *m, uint16_t ns, uint16_t zone);
/* A flow has an address namespace ns holds. */
void pm_ns_used(struct procmap *m, uint16_t ns);
int pm_ns_zone(const struct procmap *m, uint16_t ns, uint16_t zone);
void pm_ns_free(struct procmap *m);
/* Namespace ns's sock_diag socket, asked of the helper the first time
 * (the collector opens the namespace, /proc/PID/ns/net, and sends it);
 * -1 when there is none (no helper, PM_NS_DIAG_MAX open, it failed). */
int pm_ns_diag(struct procmap *m, uint16_t ns);
/* The collector's own namespace (net:[INO]), that of the process behind
 * an open /proc/PID; 0 when not known. */
uint64_t pm_ns_self(const struct procmap *m);
uint64_t pm_ns_ino_of_dir(int dfd);
/* The rate limits filled, at open. */
void pm_ns_budgets(struct procmap *m);
/* procmap.c: take a token from b, filled at rate a second up to burst. */
int pm_bucket_take(struct pm_bucket *b, double rate, double burst);

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
/* The same through sock_diag socket fd (one made in namespace ns), into
 * ns's socket table. */
int pm_src_exact_in(struct procmap *m, int fd, uint16_t ns, int family,
		    uint8_t proto, const uint8_t local[16], uint16_t lport,
		    const uint8_t remote[16], uint16_t rport);
/* Dump TCP, UDP or UDP-Lite table t through sock_diag socket fd (made in
 * namespace ns) into ns's round; as pm_src_table. */
int pm_src_dump(struct procmap *m, int fd, uint16_t ns, enum pm_table t);
/* A /proc file (relative to dirfd) in a heap buffer, NUL-terminated;
 * NULL if it can't be read (*missing set when it does not exist). */
char *pm_slurp(int dirfd, const char *path, int *missing);
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
