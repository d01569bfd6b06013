/* SPDX-License-Identifier: GPL-2.0-only */
/* procmap_ns: the host's other network namespaces (containers, `ip netns`
 * namespaces), so that a flow the host forwards or NATs for one of them
 * finds its socket in that namespace's own socket table.
 *
 * Nothing here enters a namespace (setns would need CAP_SYS_ADMIN). What
 * the collector already may do is enough to find the sockets:
 *   - which namespaces there are: the link /proc/PID/ns/net of every
 *     process (CAP_SYS_PTRACE), a few processes kept per namespace;
 *   - their addresses: that process's /proc/PID/net/fib_trie (IPv4: the
 *     "/32 host LOCAL" leaves) and /proc/PID/net/if_inet6;
 *   - their sockets: its /proc/PID/net/{tcp,udp,udplite,icmp}{,6}, the
 *     same lines /proc/net/icmp has, with the socket's inode, which
 *     /proc/PID/fd links name as on the host (socket inodes are one
 *     numbering for the whole machine), so the usual walk finds owners;
 *   - their names: the inodes of the files under /run/netns.
 * Namespaces are looked for every PM_NS_SCAN_EVERY_NS at a periodic
 * refresh, and at most PM_NS_SCAN_RATE times a second for a new flow
 * whose addresses nobody here holds (a container just started). A table
 * is read for new flows once a batch (pm_ns_want, pm_ns_read_wanted),
 * within a share of the wall clock, and not at all when the namespace's
 * sockstat counts no socket of its kind.
 *
 * Where the namespace helper runs (nsdiag/nsdiag.h: a start that could
 * give it CAP_SYS_ADMIN), a namespace that a flow names gets a sock_diag
 * socket made inside it (pm_ns_diag): its new flows are then asked of the
 * kernel by exact tuple, as this namespace's are, and its tables dumped
 * through it; /proc stays the way for ping sockets and for the rest.
 *
 * Two namespaces may hold the same address (tenants reusing a private
 * range, kept apart in the host by conntrack zones set per interface).
 * The zones a namespace's flows were seen in, when only it could own
 * them, are remembered (pm_ns_learn), and decide between two namespaces
 * that both have a socket for one flow.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "collector/procmap_int.h"
#include "privsep/nsdiag_wire.h"

#define PM_NS_SCAN_EVERY_NS (2ull * 1000000000ull)
#define PM_NS_SCAN_RATE 1.0     /* on-demand scans a second ... */
#define PM_NS_SCAN_BURST 2.0    /* ... and in a row */
/* The time namespaces' socket tables may take to read for new flows: a
 * share of the wall clock, and at most this much in a row. A TCP table
 * costs a walk of the kernel's whole established hash (about 1 ms with
 * 262144 buckets, whatever the namespace holds), so under a flood of new
 * flows in containers this, not a count, is what bounds the collector. */
#define PM_NS_READ_SHARE 0.4
#define PM_NS_READ_BURST_S 0.05
#define PM_NS_DIR "/run/netns"
/* Namespaces with a sock_diag socket at once: a descriptor each, and the
 * namespace kept alive while it is held; the rest are read from /proc. */
#define PM_NS_DIAG_MAX 256
/* How long the helper may take to answer (it answers in microseconds);
 * one that does not is not asked again. */
#define PM_NS_DIAG_WAIT_MS 1000

static const char *const pm_ns_file[PM_TABLES] = {
	[PM_TCP4] = "net/tcp", [PM_UDP4] = "net/udp",
	[PM_UDPLITE4] = "net/udplite", [PM_ICMP4] = "net/icmp",
	[PM_TCP6] = "net/tcp6", [PM_UDP6] = "net/udp6",
	[PM_UDPLITE6] = "net/udplite6", [PM_ICMP6] = "net/icmp6",
};

static int pm_ns_rescan(struct procmap *m, int force);
static void pm_ns_diag_close(struct procmap *m, struct pm_ns *n);

static struct pm_ns *pm_ns_at(const struct procmap *m, uint16_t ns)
{
	return &m->nss[ns - 1];
}

/* "net:[4026531840]" -> 4026531840; 0 for anything else. */
static uint64_t pm_ns_parse_link(const char *s, size_t len)
{
	uint64_t v = 0;
	size_t i;

	if (len < 7 || memcmp(s, "net:[", 5) || s[len - 1] != ']')
		return 0;
	for (i = 5; i < len - 1; i++) {
		if (s[i] < '0' || s[i] > '9' || v > UINT64_MAX / 10 - 1)
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return v;
}

static uint64_t pm_ns_ino_of(const struct procmap *m, const char *pid)
{
	char path[32], link[64];
	ssize_t n;

	if ((size_t)snprintf(path, sizeof(path), "%s/ns/net", pid) >=
	    sizeof(path))
		return 0;
	n = readlinkat(m->root_fd, path, link, sizeof(link));
	return n > 0 && (size_t)n < sizeof(link) ?
		pm_ns_parse_link(link, (size_t)n) : 0;
}

uint64_t pm_ns_self(const struct procmap *m)
{
	return pm_ns_ino_of(m, "self");
}

static uint16_t pm_ns_find(const struct procmap *m, uint64_t ino)
{
	for (uint32_t i = 0; i < m->nns; i++)
		if (m->nss[i].ino == ino)
			return (uint16_t)(i + 1);
	return 0;
}

static uint16_t pm_ns_add(struct procmap *m, uint64_t ino)
{
	uint32_t i;

	for (i = 0; i < m->nns && m->nss[i].ino; i++)
		;
	if (i == m->nns) {
		if (m->nns == PM_NS_MAX)
			return 0;
		if (m->nns == m->nss_cap) {
			uint32_t cap = m->nss_cap ? 2 * m->nss_cap : 16;
			struct pm_ns *v = realloc(m->nss, cap * sizeof(*v));

			if (!v)
				return 0;
			m->nss = v;
			m->nss_cap = cap;
		}
		m->nns++;
	}
	memset(&m->nss[i], 0, sizeof(m->nss[i]));
	m->nss[i].ino = ino;
	return (uint16_t)(i + 1);
}

/* A namespace no process is in any more: its sockets go with it at
 * once, its addresses (and the slot) PM_NS_GONE_KEEP_NS later. */
static void pm_ns_gone(struct procmap *m, uint16_t ns, uint64_t now)
{
	struct pm_ns *n = pm_ns_at(m, ns);

	if (!n->gone_mono) {
		m->gen++;
		pm_ns_diag_close(m, n);
		pm_sweep_ns(m, PM_ALL_TABLES, ns);
		n->npids = 0;
		n->want = 0;
		n->gone_mono = now;
	} else if (now - n->gone_mono > PM_NS_GONE_KEEP_NS) {
		memset(n, 0, sizeof(*n));
	}
}

/* pid, found in n by the scan gen: the first two of a scan are kept,
 * and the last two. */
static void pm_ns_keep_pid(struct pm_ns *n, uint32_t pid, uint8_t gen)
{
	if (n->gen != gen) {
		n->gen = gen;
		n->npids = 0;
		n->gone_mono = 0;
	}
	if (n->npids < PM_NS_PIDS) {
		n->pid[n->npids++] = pid;
		return;
	}
	n->pid[PM_NS_PIDS - 2] = n->pid[PM_NS_PIDS - 1];
	n->pid[PM_NS_PIDS - 1] = pid;
}

/* Every process's namespace; a few processes kept for each. -1 when /proc
 * can't be listed (the namespaces stay as they were). */
static int pm_ns_scan(struct procmap *m)
{
	struct pm_dir d = { .buf = m->dirbuf[0] };
	uint64_t now = clock_mono_ns();
	const char *name;

	d.fd = openat(m->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d.fd < 0)
		return -1;
	m->ns_gen++;
	while ((name = pm_dir_next(&d))) {
		uint32_t pid = pm_pid_of(name);
		uint64_t ino;
		uint16_t ns;

		if (!pid || !(ino = pm_ns_ino_of(m, name)) || ino == m->self_ns)
			continue;
		ns = pm_ns_find(m, ino);
		if (!ns && !(ns = pm_ns_add(m, ino)))
			continue;       /* PM_NS_MAX, or out of memory */
		pm_ns_keep_pid(pm_ns_at(m, ns), pid, m->ns_gen);
	}
	close(d.fd);
	for (uint32_t i = 0; i < m->nns; i++)
		if (m->nss[i].ino && m->nss[i].gen != m->ns_gen)
			pm_ns_gone(m, (uint16_t)(i + 1), now);
	return 0;
}

/* A live process in namespace ns, 0 when none is left: the kept ones
 * that exited (or moved) are dropped, and when all have, namespaces are
 * looked for again (if the rate limit allows; a container whose
 * processes all come and go in a moment). */
static uint32_t pm_ns_pid(struct procmap *m, uint16_t ns)
{
	for (int again = 0; again < 2; again++) {
		struct pm_ns *n;
		char name[16];

		if (again && !pm_ns_rescan(m, 1))
			return 0;
		if (ns > m->nns || !(n = pm_ns_at(m, ns))->ino ||
		    n->gone_mono)
			return 0;
		while (n->npids) {
			snprintf(name, sizeof(name), "%" PRIu32, n->pid[0]);
			if (pm_ns_ino_of(m, name) == n->ino)
				return n->pid[0];
			memmove(n->pid, n->pid + 1,
				(size_t)--n->npids * sizeof(n->pid[0]));
		}
	}
	return 0;
}

/* Names from /run/netns: each file there is bound to a namespace, whose
 * inode its fstat gives. Only root makes them; a name too long for
 * PM_NS_NAME is left out (the inode tells the namespace instead). */
static void pm_ns_names(struct procmap *m)
{
	struct pm_dir d = { .buf = m->dirbuf[0] };
	const char *name;

	for (uint32_t i = 0; i < m->nns; i++)
		m->nss[i].name[0] = 0;
	d.fd = open(PM_NS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d.fd < 0)
		return;
	while ((name = pm_dir_next(&d))) {
		int fd = openat(d.fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		struct stat st;
		uint16_t ns;

		if (fd < 0)
			continue;
		ns = fstat(fd, &st) == 0 ? pm_ns_find(m, st.st_ino) : 0;
		close(fd);
		if (ns && strlen(name) < PM_NS_NAME &&
		    !pm_ns_at(m, ns)->name[0])
			strcpy(pm_ns_at(m, ns)->name, name);
	}
	close(d.fd);
}

/* ------------------------------------------------------------ addresses */

struct pm_nsaddrs {
	struct pm_nsaddr *v;
	size_t n, cap;
};

static int pm_nsaddr_add(struct pm_nsaddrs *acc, const uint8_t a[16],
			 uint16_t ns)
{
	static const uint8_t lo6[16] = { [15] = 1 };
	static const uint8_t pre4[12] = { [10] = 0xff, [11] = 0xff };

	/* Every namespace has its own loopback: no flow of the host's is
	 * one of theirs. */
	if (memcmp(a, lo6, 16) == 0 ||
	    (memcmp(a, pre4, 12) == 0 && a[12] == 127))
		return 0;
	if (acc->n == acc->cap) {
		size_t cap = acc->cap ? 2 * acc->cap : 64;
		struct pm_nsaddr *v = realloc(acc->v, cap * sizeof(*v));

		if (!v)
			return -1;
		acc->v = v;
		acc->cap = cap;
	}
	memcpy(acc->v[acc->n].a, a, 16);
	acc->v[acc->n++].ns = ns;
	return 0;
}

int procmap_parse_fib_trie(const char *text, uint8_t (*out)[16], size_t max)
{
	const char *line = text, *nl;
	uint8_t leaf[4];
	int have = 0;
	size_t n = 0;

	for (; *line; line = nl ? nl + 1 : line + strlen(line)) {
		const char *p = line;
		unsigned a[4];
		char tail;

		nl = strchr(line, '\n');
		while (*p == ' ')
			p++;
		if (strncmp(p, "|-- ", 4) == 0) {
			have = sscanf(p + 4, "%3u.%3u.%3u.%3u%c", &a[0], &a[1],
				      &a[2], &a[3], &tail) == 5 && tail == '\n' &&
			       a[0] < 256 && a[1] < 256 && a[2] < 256 &&
			       a[3] < 256;
			for (int i = 0; have && i < 4; i++)
				leaf[i] = (uint8_t)a[i];
		} else if (have && strncmp(p, "/32 host LOCAL", 14) == 0) {
			if (n < max)
				pm_addr16(out[n], AF_INET, leaf);
			n++;
			have = 0;
		}
	}
	return (int)(n > INT32_MAX ? INT32_MAX : n);
}

/* A hexadecimal digit's value, -1 for anything else ('\0' included). */
static int pm_xdigit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int procmap_parse_if_inet6(const char *line, uint8_t out[16])
{
	/* Each pair is checked before the next is looked at: a short line
	 * ends at its NUL, never read past. */
	for (int i = 0; i < 16; i++) {
		int hi = pm_xdigit(line[2 * i]), lo;

		if (hi < 0 || (lo = pm_xdigit(line[2 * i + 1])) < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return line[32] == ' ' ? 0 : -1;
}

/* Addresses kept per namespace: a container's root may add as many as it
 * likes to its interfaces; the rest are not taken as its. */
#define PM_NS_ADDRS_MAX 4096

/* The addresses of namespace ns into acc (at most PM_NS_ADDRS_MAX): 0, or
 * -1 out of memory. */
static int pm_ns_addrs(struct procmap *m, uint16_t ns, struct pm_nsaddrs *acc)
{
	char path[48];
	char *text, *line, *save = NULL;
	uint32_t pid = pm_ns_at(m, ns)->pid[0];
	size_t first = acc->n;
	int missing, rc = 0, n;
	uint8_t a[16], (*v)[16];

	snprintf(path, sizeof(path), "%" PRIu32 "/net/fib_trie", pid);
	if ((text = pm_slurp(m->root_fd, path, &missing))) {
		n = procmap_parse_fib_trie(text, NULL, 0);
		v = n > 0 ? calloc((size_t)n, 16) : NULL;
		if (v)
			procmap_parse_fib_trie(text, v, (size_t)n);
		for (int i = 0; v && i < n && rc == 0 &&
		     acc->n - first < PM_NS_ADDRS_MAX; i++)
			rc = pm_nsaddr_add(acc, v[i], ns);
		free(v);
		free(text);
	}
	snprintf(path, sizeof(path), "%" PRIu32 "/net/if_inet6", pid);
	if ((text = pm_slurp(m->root_fd, path, &missing))) {
		for (line = strtok_r(text, "\n", &save);
		     line && rc == 0 && acc->n - first < PM_NS_ADDRS_MAX;
		     line = strtok_r(NULL, "\n", &save))
			if (procmap_parse_if_inet6(line, a) == 0)
				rc = pm_nsaddr_add(acc, a, ns);
		free(text);
	}
	return rc;
}

static int pm_nsaddr_cmp(const void *x, const void *y)
{
	const struct pm_nsaddr *a = x, *b = y;
	int c = memcmp(a->a, b->a, 16);

	return c ? c : (a->ns > b->ns) - (a->ns < b->ns);
}

/* All namespaces' addresses afresh (those with no process left: as
 * they were); on running out of memory the old map stays. */
static void pm_ns_addr_map(struct procmap *m)
{
	struct pm_nsaddrs acc = { 0 };
	size_t i, k = 0;
	int rc = 0;

	for (uint32_t ns = 1; ns <= m->nns && rc == 0; ns++) {
		const struct pm_ns *n = pm_ns_at(m, (uint16_t)ns);

		if (n->ino && !n->gone_mono && n->npids)
			rc = pm_ns_addrs(m, (uint16_t)ns, &acc);
	}
	for (i = 0; i < m->nnsaddr && rc == 0; i++) {
		const struct pm_ns *n = pm_ns_at(m, m->nsaddr[i].ns);

		if (n->ino && n->gone_mono)
			rc = pm_nsaddr_add(&acc, m->nsaddr[i].a, m->nsaddr[i].ns);
	}
	if (rc) {
		free(acc.v);
		return;
	}
	if (acc.n)
		qsort(acc.v, acc.n, sizeof(*acc.v), pm_nsaddr_cmp);
	for (i = 0; i < acc.n; i++)
		if (!k || pm_nsaddr_cmp(&acc.v[k - 1], &acc.v[i]))
			acc.v[k++] = acc.v[i];
	free(m->nsaddr);
	m->nsaddr = acc.v;
	m->nnsaddr = k;
	m->nsaddr_cap = acc.cap;
}

size_t pm_ns_of(const struct procmap *m, const uint8_t a[16], uint16_t *out,
		size_t max)
{
	size_t lo = 0, hi = m->nnsaddr, n = 0;

	while (lo < hi) {       /* the first entry not below a */
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(m->nsaddr[mid].a, a, 16) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < m->nnsaddr && memcmp(m->nsaddr[lo].a, a, 16) == 0; lo++) {
		if (n < max)
			out[n] = m->nsaddr[lo].ns;
		n++;
	}
	return n;
}

int pm_ns_holds(const struct procmap *m, uint16_t ns, const uint8_t a[16])
{
	uint16_t v[8];
	size_t n = pm_ns_of(m, a, v, 8);

	for (size_t i = 0; i < n && i < 8; i++)
		if (v[i] == ns)
			return 1;
	return 0;
}

/* ------------------------------------------------------------ sockets */

/* The tables of want that hold no socket in pid's namespace, by its
 * sockstat and sockstat6 counters ("TCP: inuse N", ...): cheap to read,
 * while reading a TCP table walks the kernel's whole established hash.
 * Ping sockets are not counted there. */
static unsigned pm_ns_empty(struct procmap *m, uint32_t pid, unsigned want)
{
	/* Each line's key with the newline before it ("\n" is put in
	 * front of each file's text). */
	static const struct {
		int six;                /* sockstat6, not sockstat */
		const char *key;
		enum pm_table t;
	} c[] = {
		{ 0, "\nTCP: inuse ", PM_TCP4 },
		{ 0, "\nUDP: inuse ", PM_UDP4 },
		{ 0, "\nUDPLITE: inuse ", PM_UDPLITE4 },
		{ 1, "\nTCP6: inuse ", PM_TCP6 },
		{ 1, "\nUDP6: inuse ", PM_UDP6 },
		{ 1, "\nUDPLITE6: inuse ", PM_UDPLITE6 },
	};
	char path[48], text[2][1024];
	unsigned empty = 0;

	for (int f = 0; f < 2; f++) {
		ssize_t n;

		snprintf(path, sizeof(path), "%" PRIu32 "/net/%s", pid,
			 f ? "sockstat6" : "sockstat");
		text[f][0] = '\n';
		n = pm_read_file(m->root_fd, path, text[f] + 1,
				 sizeof(text[f]) - 2);
		text[f][n > 0 ? n + 1 : 1] = 0;
	}
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		const char *s = strstr(text[c[i].six], c[i].key);

		const char *v = s ? s + strlen(c[i].key) : NULL;

		if ((want & 1u << c[i].t) && v && v[0] == '0' &&
		    (v[1] == ' ' || v[1] == '\n'))
			empty |= 1u << c[i].t;
	}
	return empty;
}

/* Table t of namespace ns, through its sock_diag socket fd when it has
 * one (TCP, UDP, UDP-Lite), else from /proc/PID/net of pid in it: 0 when
 * read whole (its sockets not listed are to be swept), -1 if not. */
static int pm_ns_read_table(struct procmap *m, uint16_t ns, uint32_t pid,
			    enum pm_table t, int fd)
{
	int family = pm_table_family(t), missing, rc = 0;
	uint8_t proto = pm_table_proto(t);
	char path[48], *text, *line, *save = NULL;
	struct procmap_sock s;
	unsigned st;

	if (fd >= 0 && proto != IPPROTO_ICMP && proto != IPPROTO_ICMPV6 &&
	    pm_src_dump(m, fd, ns, t) == 0)
		return 0;
	snprintf(path, sizeof(path), "%" PRIu32 "/%s", pid, pm_ns_file[t]);
	text = pm_slurp(m->root_fd, path, &missing);
	if (!text)
		return -1;      /* gone, or no such protocol: not swept */
	for (line = strtok_r(text, "\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		if (procmap_parse_net_line(line, family, proto, &s, &st) < 0 ||
		    (proto == IPPROTO_TCP &&
		     (st > 31 || !(PM_TCP_STATES & 1u << st))))
			continue;
		rc = pm_round_add_ns(m, &s, t, ns);
	}
	free(text);
	return rc;
}

int pm_ns_read(struct procmap *m, uint16_t ns, unsigned want)
{
	unsigned done, empty;
	uint32_t pid = ns ? pm_ns_pid(m, ns) : 0;
	int fd;

	if (!pid)
		return 0;
	fd = pm_ns_at(m, ns)->diag - 1;
	m->gen++;
	done = empty = pm_ns_empty(m, pid, want);
	for (unsigned t = 0; t < PM_TABLES; t++)
		if ((want & 1u << t) && !(empty & 1u << t) &&
		    pm_ns_read_table(m, ns, pid, (enum pm_table)t, fd) == 0)
			done |= 1u << t;
	pm_sweep_ns(m, done, ns);
	return done != 0;
}

static int pm_ns_rescan(struct procmap *m, int force)
{
	uint64_t now = clock_mono_ns();

	if (force ? !pm_bucket_take(&m->ns_scan_budget, PM_NS_SCAN_RATE,
				    PM_NS_SCAN_BURST) :
		    now - m->ns_scan_mono < PM_NS_SCAN_EVERY_NS)
		return 0;
	m->ns_scan_mono = now;
	if (pm_ns_scan(m) < 0)
		return 0;
	pm_ns_names(m);
	pm_ns_addr_map(m);
	return 1;
}

/* Periodic refreshes a namespace whose addresses no flow had is left
 * out of them (a container host's idle containers: a TCP table costs
 * about 1 ms each); it is read again as soon as a flow names it. */
#define PM_NS_IDLE_REFRESHES 10

void pm_ns_used(struct procmap *m, uint16_t ns)
{
	pm_ns_at(m, ns)->used_epoch = m->ns_epoch;
}

void pm_ns_refresh(struct procmap *m, unsigned want, int force)
{
	pm_ns_rescan(m, force);
	if (want)
		m->ns_epoch++;
	for (uint32_t ns = 1; want && ns <= m->nns; ns++) {
		struct pm_ns *n = pm_ns_at(m, (uint16_t)ns);

		if (!n->ino || n->gone_mono)
			continue;
		if (n->read_epoch &&
		    m->ns_epoch - n->used_epoch > PM_NS_IDLE_REFRESHES) {
			pm_ns_diag_close(m, n);
			continue;
		}
		n->read_epoch = m->ns_epoch;
		pm_ns_read(m, (uint16_t)ns, want);
	}
}

/* Whether reading for new flows has time left (PM_NS_READ_SHARE): the
 * budget in seconds, filled up to now. */
static int pm_ns_time_left(struct procmap *m, uint64_t now)
{
	struct pm_bucket *b = &m->ns_read_budget;

	b->tokens += (double)(now - b->ns) / 1e9 * PM_NS_READ_SHARE;
	if (b->tokens > PM_NS_READ_BURST_S)
		b->tokens = PM_NS_READ_BURST_S;
	b->ns = now;
	return b->tokens > 0;
}

void pm_ns_want(struct procmap *m, uint16_t ns, unsigned want)
{
	pm_ns_at(m, ns)->want |= (uint8_t)want;
	pm_ns_used(m, ns);
	m->ns_wanted = 1;
}

void pm_ns_read_wanted(struct procmap *m)
{
	uint64_t now = clock_mono_ns();

	if (!m->ns_wanted)
		return;
	m->ns_wanted = 0;
	for (uint32_t ns = 1; ns <= m->nns; ns++) {
		struct pm_ns *n = pm_ns_at(m, (uint16_t)ns);
		unsigned want = n->want;

		if (!want)
			continue;
		if (now - n->read_mono < PM_NS_READ_GAP_NS) {
			m->ns_wanted = 1;       /* a later batch's */
			continue;
		}
		n->want = 0;
		if (!n->ino || n->gone_mono || !pm_ns_time_left(m, now))
			continue;       /* over budget: the next refresh */
		n->read_mono = now;
		pm_ns_read(m, (uint16_t)ns, want);
		now = clock_mono_ns();
		m->ns_read_budget.tokens -= (double)(now - n->read_mono) / 1e9;
	}
}

uint64_t pm_ns_wait_ns(const struct procmap *m)
{
	uint64_t now = clock_mono_ns(), until = 0;

	if (!m->ns_wanted)
		return 0;
	for (uint32_t ns = 1; ns <= m->nns; ns++) {
		const struct pm_ns *n = pm_ns_at(m, (uint16_t)ns);
		uint64_t t = n->read_mono + PM_NS_READ_GAP_NS;

		if (n->want && n->ino && !n->gone_mono && t > now && t > until)
			until = t;
	}
	return until;
}

void pm_ns_budgets(struct procmap *m)
{
	uint64_t now = clock_mono_ns();

	m->ns_scan_budget = (struct pm_bucket){ PM_NS_SCAN_BURST, now };
	m->ns_read_budget = (struct pm_bucket){ PM_NS_READ_BURST_S, now };
}

/* ------------------------------------------------------------ identity */

void pm_ns_name(const struct procmap *m, uint64_t ino, char *out,
		size_t outsz)
{
	uint16_t ns;

	out[0] = 0;
	if (!ino || ino == m->self_ns)
		return;
	ns = pm_ns_find(m, ino);
	if (ns && pm_ns_at(m, ns)->name[0])
		snprintf(out, outsz, "%s", pm_ns_at(m, ns)->name);
	else
		snprintf(out, outsz, "net:[%" PRIu64 "]", ino);
}

uint64_t pm_ns_ino_of_dir(int dfd)
{
	char link[64];
	ssize_t n = readlinkat(dfd, "ns/net", link, sizeof(link));

	return n > 0 && (size_t)n < sizeof(link) ?
		pm_ns_parse_link(link, (size_t)n) : 0;
}

void pm_ns_learn(struct procmap *m, uint16_t ns, uint16_t zone)
{
	struct pm_ns *n = pm_ns_at(m, ns);

	if (pm_ns_zone(m, ns, zone))
		return;
	if (n->nzones == PM_NS_ZONES)   /* the oldest makes room */
		memmove(n->zones, n->zones + 1,
			(PM_NS_ZONES - 1) * sizeof(n->zones[0]));
	else
		n->nzones++;
	n->zones[n->nzones - 1] = zone;
}

int pm_ns_zone(const struct procmap *m, uint16_t ns, uint16_t zone)
{
	const struct pm_ns *n = pm_ns_at(m, ns);

	for (unsigned i = 0; i < n->nzones; i++)
		if (n->zones[i] == zone)
			return 1;
	return 0;
}

/* ------------------------------------------------------------ the helper */

void procmap_set_ns_helper(struct procmap *m, int chan)
{
	m->nsd_chan = chan;
}

static void pm_ns_diag_close(struct procmap *m, struct pm_ns *n)
{
	if (!n->diag)
		return;
	close(n->diag - 1);
	n->diag = 0;
	m->ns_diags--;
}

/* A sock_diag socket made in the namespace nsfd by the helper; -1 when it
 * could not make one. A helper that fails to answer is not asked again. */
static int pm_ns_helper_ask(struct procmap *m, int nsfd)
{
	struct nsw_req q = { NSW_OP_DIAG };
	struct nsw_ans a;
	struct pollfd p = { .fd = m->nsd_chan, .events = POLLIN };
	int s, v[2];
	socklen_t len = sizeof(v[0]);

	if (nsw_send(m->nsd_chan, &q, sizeof(q), nsfd) < 0 ||
	    poll(&p, 1, PM_NS_DIAG_WAIT_MS) != 1 ||
	    nsw_recv(m->nsd_chan, &a, sizeof(a), &s) != 1) {
		m->nsd_chan = -1;
		return -1;
	}
	if (a.err || s < 0) {
		if (s >= 0)
			close(s);
		return -1;
	}
	/* What the helper handed back is a netlink sock_diag socket, or it
	 * is not used: the collector sends it nothing else. */
	if (getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v[0], &len) < 0 ||
	    getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v[1], &len) < 0 ||
	    v[0] != AF_NETLINK || v[1] != NETLINK_SOCK_DIAG) {
		close(s);
		return -1;
	}
	return s;
}

int pm_ns_diag(struct procmap *m, uint16_t ns)
{
	char path[32];
	struct stat st;
	struct pm_ns *n;
	uint32_t pid;
	int nsfd, s;

	n = pm_ns_at(m, ns);
	if (n->diag)
		return n->diag - 1;
	if (m->nsd_chan < 0 || n->diag_failed || m->ns_diags >= PM_NS_DIAG_MAX)
		return -1;
	/* It may look for namespaces again, and move the slots. */
	pid = pm_ns_pid(m, ns);
	if (!pid)
		return -1;
	n = pm_ns_at(m, ns);
	snprintf(path, sizeof(path), "%" PRIu32 "/ns/net", pid);
	nsfd = openat(m->root_fd, path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return -1;
	/* The pid may be another process's by now, elsewhere. */
	if (fstat(nsfd, &st) < 0 || (uint64_t)st.st_ino != n->ino) {
		close(nsfd);
		return -1;
	}
	s = pm_ns_helper_ask(m, nsfd);
	close(nsfd);
	if (s < 0) {
		n->diag_failed = 1;
		return -1;
	}
	n->diag = s + 1;
	m->ns_diags++;
	return s;
}

void pm_ns_free(struct procmap *m)
{
	for (uint32_t i = 0; i < m->nns; i++)
		pm_ns_diag_close(m, &m->nss[i]);
	free(m->nss);
	free(m->nsaddr);
}
