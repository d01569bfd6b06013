/* SPDX-License-Identifier: GPL-2.0-only */
/* procmap_owner: what the ui is told of the processes that own flows.
 *
 * An owner the viewer may see is read once, when it is first found (its
 * command line, executable and cgroup, beside the comm and pid the flows
 * carry), and queued for the ui as a MSG_OWNER: the ui keeps it with the
 * flows after the process exits. When the owner is found gone (its start
 * time changed, or its /proc entry went), a MSG_OWNERS_GONE entry says so.
 * An owner whose sockets all closed leaves the cache while it may still
 * run: it is watched (at most PM_WATCH_MAX, the oldest dropped unsaid)
 * and checked at every periodic refresh until it exits.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cgroup.h"
#include "collector/cmdline.h"
#include "collector/procmap_int.h"

#define PM_NEWS_MAX 4096        /* owners queued between two sends */
#define PM_WATCH_MAX 4096
#define PM_CGROUP_FILE_MAX 4096

static void *pm_grow(void *v, size_t *cap, size_t need, size_t each,
		     size_t max)
{
	size_t n;
	void *w;

	if (need <= *cap)
		return v;
	if (need > max)
		return NULL;
	n = *cap ? 2 * *cap : 64;
	n = n > max ? max : n;
	w = realloc(v, n * each);
	if (w)
		*cap = n;
	return w;
}

/* The cgroup v2 path from /proc/PID/cgroup, cut to fit. */
static void pm_read_cgroup(int dfd, char *out, size_t outsz)
{
	char buf[PM_CGROUP_FILE_MAX];
	ssize_t n = pm_read_file(dfd, "cgroup", buf, sizeof(buf));
	const char *path;
	size_t len;

	if (n <= 0 || cgroup_v2_path(buf, (size_t)n, &path, &len, NULL) < 0)
		return;
	if (len >= outsz)
		len = outsz - 1;
	memcpy(out, path, len);
	out[len] = 0;
}

/* The process behind dfd as the ui should know it, p being what was just
 * read there (its start the owner's): the ids, then its command line,
 * executable and cgroup. 0, or -1 when the viewer may not see it, or it
 * is gone. */
static int pm_capture(const struct procmap *m, int dfd, uint32_t pid,
		      const struct pm_proc *p, struct msg_owner *a)
{
	struct msg_cmdline_ans c;
	struct procmap_cred cr = p->cred;
	ssize_t n;

	if (!p->has_cred && pm_proc_cred(dfd, &cr) < 0)
		return -1;
	if (!procmap_may_see(m->viewer_uid, m->viewer_gid, &cr))
		return -1;
	memset(a, 0, sizeof(*a));
	a->pid = pid;
	a->start = p->start;
	a->uid = cr.uid[0];
	memcpy(a->comm, p->comm, sizeof(a->comm));
	cmdline_read(dfd, pid, &c);
	memcpy(a->cmdline, c.text, sizeof(a->cmdline));
	n = readlinkat(dfd, "exe", a->exe, sizeof(a->exe) - 1);
	a->exe[n > 0 ? n : 0] = 0;
	pm_read_cgroup(dfd, a->cgroup, sizeof(a->cgroup));
	pm_ns_name(m, pm_ns_ino_of_dir(dfd), a->netns, sizeof(a->netns));
	return 0;
}

/* Where (pid, start) is in the watch list, or -1. */
static ssize_t pm_watched(const struct procmap *m, uint32_t pid,
			  uint64_t start)
{
	for (size_t i = 0; i < m->nwatch; i++)
		if (m->watch[i].pid == pid && m->watch[i].start == start)
			return (ssize_t)i;
	return -1;
}

void pm_news_owner(struct procmap *m, uint32_t ref, int dfd,
		   const struct pm_proc *p)
{
	struct pm_owner *o = &m->owners[ref - 1];
	struct msg_owner *v;
	struct pm_proc own;
	ssize_t w;
	int mine = -1;

	if (o->shown_start || !o->visible || o->start == PM_DEAD_START)
		return;
	/* Told of already, then watched once its sockets closed: a daemon
	 * that connects now and then is read and sent once. */
	if ((w = pm_watched(m, o->pid, o->start)) >= 0) {
		memmove(m->watch + w, m->watch + w + 1,
			(m->nwatch - (size_t)w - 1) * sizeof(*m->watch));
		m->nwatch--;
		o->shown_start = o->start;
		return;
	}
	v = pm_grow(m->news, &m->news_cap, m->nnews + 1, sizeof(*v),
		    PM_NEWS_MAX);
	if (!v)
		return;         /* told at a later walk or check */
	m->news = v;
	if (dfd < 0 || !p) {
		/* Read afresh: the descriptor pins the process, so a pid
		 * reused since fails the reads instead of mixing two. */
		if (dfd < 0 && (dfd = mine = pm_proc_dir(m, o->pid)) < 0)
			return;
		if (pm_proc_read(m, dfd, &own) < 0 || own.start != o->start)
			goto out;
		p = &own;
	}
	if (pm_capture(m, dfd, o->pid, p, &v[m->nnews]) == 0) {
		m->nnews++;
		o->shown_start = o->start;
	}
out:
	if (mine >= 0)
		close(mine);
}

int pm_news_later(struct procmap *m, uint32_t ref, int dfd,
		  const struct pm_proc *p)
{
	struct pm_owner *o = &m->owners[ref - 1];
	struct pm_later *l;

	/* A watched one is queued too: pm_news_owner takes it off the
	 * watch list then, so the list is scanned once per owner. */
	if (o->shown_start || !o->visible)
		return 0;
	if (!m->later && !(m->later = calloc(PM_LATER_MAX, sizeof(*m->later))))
		return 0;
	if (m->nlater == PM_LATER_MAX)
		return 0;
	l = &m->later[m->nlater++];
	l->ref = ref;
	l->pid = o->pid;
	l->dfd = dfd;
	l->p = *p;
	return 1;
}

size_t pm_news_settle(struct procmap *m, size_t max)
{
	size_t i, n = m->nlater < max ? m->nlater : max;

	for (i = 0; i < n; i++) {
		struct pm_later *l = &m->later[i];
		struct pm_owner *o = &m->owners[l->ref - 1];

		/* The record may have been found dead and reused meanwhile. */
		if (o->refs && o->pid == l->pid && o->start == l->p.start)
			pm_news_owner(m, l->ref, l->dfd, &l->p);
		close(l->dfd);
	}
	memmove(m->later, m->later + n, (m->nlater - n) * sizeof(*m->later));
	m->nlater -= n;
	return m->nlater;
}

static void pm_news_gone(struct procmap *m, uint32_t pid, uint64_t start)
{
	struct msg_owner_gone *v = pm_grow(m->gone, &m->gone_cap,
					   m->ngone + 1, sizeof(*v),
					   MSG_MAX_PAYLOAD / sizeof(*v));

	if (!v)
		return;         /* a full queue: the ui just isn't told */
	m->gone = v;
	v[m->ngone++] = (struct msg_owner_gone){ .pid = pid, .start = start };
}

/* Whether process (pid, start) still runs. */
static int pm_alive(struct procmap *m, uint32_t pid, uint64_t start)
{
	char comm[FLOW_COMM_LEN];
	uint64_t now;
	int visible;

	return pm_read_stat(m, pid, comm, &now, &visible) == 0 && now == start;
}

void pm_news_forget(struct procmap *m, uint32_t pid, uint64_t start, int dead)
{
	/* Its sockets are gone: most often because it exited just now. */
	if (dead || !pm_alive(m, pid, start)) {
		pm_news_gone(m, pid, start);
		return;
	}
	if (!m->watch && !(m->watch = calloc(PM_WATCH_MAX, sizeof(*m->watch))))
		return;
	if (pm_watched(m, pid, start) >= 0)
		return;
	if (m->nwatch == PM_WATCH_MAX) {
		memmove(m->watch, m->watch + 1, (PM_WATCH_MAX - 1) *
			sizeof(*m->watch));
		m->nwatch--;
	}
	m->watch[m->nwatch++] = (struct msg_owner_gone){ pid, 0, start };
}

void pm_news_check(struct procmap *m)
{
	size_t i, out = 0;

	for (i = 0; i < m->nwatch; i++) {
		struct msg_owner_gone *w = &m->watch[i];

		if (!pm_alive(m, w->pid, w->start))
			pm_news_gone(m, w->pid, w->start);
		else
			m->watch[out++] = *w;
	}
	m->nwatch = out;
}

void pm_news_free(struct procmap *m)
{
	for (size_t i = 0; i < m->nlater; i++)
		close(m->later[i].dfd);
	free(m->later);
	free(m->news);
	free(m->gone);
	free(m->watch);
}

int procmap_news(struct procmap *m, procmap_gone_fn gone,
		 procmap_owner_fn owner, void *ctx)
{
	int rc = 0;

	/* Found first: a process found and gone since the last call is then
	 * marked, and a gone one's pid taken since is not (its start
	 * differs). */
	for (size_t i = 0; rc == 0 && i < m->nnews; i++)
		if (owner(ctx, &m->news[i]) < 0)
			rc = -1;
	if (rc == 0 && m->ngone && gone(ctx, m->gone, m->ngone) < 0)
		rc = -1;
	m->ngone = 0;
	m->nnews = 0;
	return rc;
}
