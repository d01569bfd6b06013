/* SPDX-License-Identifier: GPL-2.0-only */
/* screen_panes: the help window (made from the key table) and the detail
 * pane of the selected flow. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "privsep/flow_wire.h"
#include "ui/fmt.h"
#include "ui/keys.h"
#include "ui/owners.h"
#include "ui/screen.h"
#include "ui/users.h"

#define HELP_LABEL 12

static void scr_box(int y, int x, int h, int w, const char *title)
{
	for (int r = 0; r < h; r++)
		mvprintw(y + r, x, "%*s", w, "");
	mvhline(y, x + 1, ACS_HLINE, w - 2);
	mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
	mvvline(y + 1, x, ACS_VLINE, h - 2);
	mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
	mvaddch(y, x, ACS_ULCORNER);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	attron(A_BOLD);
	mvprintw(y, x + 2, " %s ", title);
	attroff(A_BOLD);
}

/* One column of keys when the screen is tall enough, else two. */
void scr_help(void)
{
	size_t n;
	const struct key_def *k = keys_table(&n);
	int cols = LINES - 4 >= (int)n ? 1 : 2;
	int per = ((int)n + cols - 1) / cols;
	int cw = COLS / cols - 2 > 46 ? 46 : COLS / cols - 2;
	int w = cw * cols + 3, h = per + 3;
	int y = (LINES - h) / 2, x = (COLS - w) / 2;

	if (y < 0)
		y = 0;
	if (x < 0)
		x = 0;
	scr_box(y, x, h, w, "flowtop keys (any key closes)");
	for (int i = 0; i < (int)n; i++) {
		int cy = y + 1 + i % per, cx = x + 2 + (i / per) * cw;

		scr_cell(cy, cx, HELP_LABEL, k[i].label, 0, A_BOLD, NULL);
		scr_cell(cy, cx + HELP_LABEL + 1, cw - HELP_LABEL - 2,
			 k[i].help, 0, A_NORMAL, NULL);
	}
}

static void scr_kv(int y, int x, int w, const char *key, const char *val)
{
	scr_cell(y, x, 10, key, 0, A_BOLD, NULL);
	scr_cell(y, x + 11, w - 11, val, 0, A_NORMAL, NULL);
}

static void scr_end(char *buf, size_t sz, const struct view_src *src,
		    const struct flow_wire *w, const uint8_t *a, uint16_t port)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	struct print_annot pa = { 0 };

	inet_ntop(w->family == FLOW_FAM_IPV4 ? AF_INET : AF_INET6, a, ip,
		  sizeof(ip));
	if (src->annot)
		src->annot(src->ctx, w->family, a, &pa);
	snprintf(buf, sz, "%s%s%s port %u%s%s%s%s%s%s", w->family == 6 ? "[" : "",
		 ip, w->family == 6 ? "]" : "", port,
		 pa.name && pa.name[0] ? "  " : "", pa.name ? pa.name : "",
		 pa.country && pa.country[0] ? "  " : "",
		 pa.country_name ? pa.country_name : "",
		 pa.city && pa.city[0] ? ", " : "", pa.city ? pa.city : "");
	if (pa.asn) {
		size_t l = strlen(buf);

		snprintf(buf + l, sz - l, "  AS%u %s", pa.asn,
			 pa.as_org ? pa.as_org : "");
	}
}

/* What was captured of the process when it was found; empty ones are
 * left out. */
static void scr_owner_lines(int y, int ymax, int x, int w,
			    const struct ui_owner *o)
{
	char buf[CGROUP_UNIT_TEXT_LEN + CGROUP_CONTAINER_TEXT_LEN +
		 MSG_NETNS_LEN + 32];
	int named = o->unit[0] || o->container[0];

	if (o->exe[0] && y < ymax)
		scr_kv(y++, x, w, "executable", o->exe);
	/* unit, container and network namespace share a line */
	snprintf(buf, sizeof(buf), "%s%s%s%s%s", o->unit,
		 o->unit[0] && o->container[0] ? ", container " :
		 o->container[0] ? "container " : "", o->container,
		 named && o->netns[0] ? ", netns " : "",
		 named ? o->netns : "");
	if (named && y < ymax)
		scr_kv(y++, x, w, "unit", buf);
	else if (o->netns[0] && y < ymax)
		scr_kv(y++, x, w, "netns", o->netns);
	if (o->cgroup[0] && y < ymax)
		scr_kv(y++, x, w, "cgroup", o->cgroup);
}

/* One end, "addr port p" (no port for ICMP). */
static void scr_addr_port(char *buf, size_t sz, const struct flow_wire *w,
			  const uint8_t *a, uint16_t port)
{
	char s[INET6_ADDRSTRLEN] = "?";
	int af = w->family == FLOW_FAM_IPV4 ? AF_INET : AF_INET6;

	inet_ntop(af, a, s, sizeof(s));
	if (w->l4proto == IPPROTO_ICMP || w->l4proto == IPPROTO_ICMPV6)
		snprintf(buf, sz, "%s", s);
	else
		snprintf(buf, sz, "%s port %u", s, port);
}

/* The reply direction as conntrack expects it: the original swapped, or
 * what NAT made of it. */
static void scr_reply(char *buf, size_t sz, const struct flow_wire *w)
{
	char s[INET6_ADDRSTRLEN + 12], d[INET6_ADDRSTRLEN + 12];

	scr_addr_port(s, sizeof(s), w, w->rsrc, w->rsport);
	scr_addr_port(d, sizeof(d), w, w->rdst, w->rdport);
	snprintf(buf, sz, "%s -> %s", s, d);
}

/* What NAT changed, read off the two tuples: the destination the
 * original names answers from elsewhere (DNAT, a published port), the
 * source is answered elsewhere (SNAT, masquerade). */
static void scr_nat(char *buf, size_t sz, const struct flow_wire *w)
{
	char a[INET6_ADDRSTRLEN + 12], b[INET6_ADDRSTRLEN + 12];
	unsigned nat = flow_nat(w);
	size_t n = 0;

	buf[0] = 0;
	if (nat & FLOW_NAT_DST) {
		scr_addr_port(a, sizeof(a), w, w->dst, w->dport);
		scr_addr_port(b, sizeof(b), w, w->rsrc, w->rsport);
		n = (size_t)snprintf(buf, sz, "destination %s is %s", a, b);
	}
	if ((nat & FLOW_NAT_SRC) && n < sz) {
		scr_addr_port(a, sizeof(a), w, w->src, w->sport);
		scr_addr_port(b, sizeof(b), w, w->rdst, w->rdport);
		snprintf(buf + n, sz - n, "%ssource %s goes out as %s",
			 n ? "; " : "", a, b);
	}
	if (!nat)
		snprintf(buf, sz, "none");
}

/* "id N (0xN)", the zone and mark when set, the labels' numbers. */
static void scr_conntrack(char *buf, size_t sz, const struct flow_wire *w)
{
	size_t n = (size_t)snprintf(buf, sz, "id %u (0x%08x)", w->id, w->id);

	if (w->zone && n < sz)
		n += (size_t)snprintf(buf + n, sz - n, ", zone %u", w->zone);
	if (n < sz)
		n += (size_t)snprintf(buf + n, sz - n, ", mark 0x%x", w->mark);
	for (int i = flow_label_next(w, 0), first = 1; i >= 0 && n < sz;
	     i = flow_label_next(w, (unsigned)i + 1), first = 0)
		n += (size_t)snprintf(buf + n, sz - n, "%s%d",
				      first ? ", labels " : ",", i);
}

static void scr_counters(char *buf, size_t sz, uint64_t bytes, uint64_t pkts,
			 double rate, int bits)
{
	char b[FMT_COUNT_MAX], p[FMT_COUNT_MAX], r[FMT_COUNT_MAX];

	fmt_count(b, sizeof(b), (double)bytes);
	fmt_count(p, sizeof(p), (double)pkts);
	fmt_rate(r, sizeof(r), rate, bits);
	snprintf(buf, sz, "%s bytes, %s packets, %s %s", b, p, r,
		 fmt_rate_unit(bits));
}

/* "alice (uid 1000)", or "uid 1000" when the uid has no name; the
 * socket's, shown for a hidden owner too (every user may list it). */
static void scr_user(char *buf, size_t sz, const struct view_src *src,
		     const struct flow_wire *w)
{
	const char *name = users_name(src->users, w->uid);

	if (w->owner == FLOW_OWNER_NONE)
		snprintf(buf, sz, "no local socket");
	else if (name)
		snprintf(buf, sz, "%s (uid %u)", name, w->uid);
	else
		snprintf(buf, sz, "uid %u", w->uid);
}

static void scr_detail_lines(int y, int ymax, int x, int w,
			     const struct view_src *src,
			     const struct screen_info *si,
			     const struct flow_entry *e, int closed)
{
	const struct flow_wire *w_ = &e->w;
	char buf[1024], age[FMT_AGE_MAX];
	const char *st = flow_state_name(w_->l4proto, w_->state);
	const struct ui_owner *o = w_->pid && src->owners ?
		owners_get(src->owners, w_->pid, flow_owner_tag(w_)) : NULL;

	scr_end(buf, sizeof(buf), src, w_, w_->src, w_->sport);
	scr_kv(y++, x, w, "source", buf);
	scr_end(buf, sizeof(buf), src, w_, w_->dst, w_->dport);
	scr_kv(y++, x, w, "dest", buf);
	fmt_age(age, sizeof(age), fmt_age_secs(w_->start_ns,
				   si->now_real_ns));
	snprintf(buf, sizeof(buf), "%s over IPv%u, %s%s, age %s",
		 flow_proto_name(w_->l4proto) ? flow_proto_name(w_->l4proto) : "?",
		 w_->family, st ? st : "no state", closed ? " (closed)" : "", age);
	scr_kv(y++, x, w, "flow", buf);
	scr_counters(buf, sizeof(buf), w_->orig_bytes, w_->orig_packets,
		     e->orig_rate, si->bits);
	scr_kv(y++, x, w, "sent", buf);
	scr_counters(buf, sizeof(buf), w_->reply_bytes, w_->reply_packets,
		     e->reply_rate, si->bits);
	scr_kv(y++, x, w, "received", buf);
	scr_reply(buf, sizeof(buf), w_);
	scr_kv(y++, x, w, "reply", buf);
	scr_nat(buf, sizeof(buf), w_);
	scr_kv(y++, x, w, "nat", buf);
	if (w_->owner == FLOW_OWNER_HIDDEN)
		snprintf(buf, sizeof(buf), "(hidden: another user's)");
	else if (w_->pid)
		snprintf(buf, sizeof(buf), "%s, pid %u%s", w_->comm, w_->pid,
			 o && o->exited ? " (exited)" : "");
	else
		snprintf(buf, sizeof(buf), "not a local process's");
	scr_kv(y++, x, w, "process", buf);
	scr_user(buf, sizeof(buf), src, w_);
	scr_kv(y++, x, w, "user", buf);
	/* As captured when the process was found; the collector is asked
	 * only for a process it told nothing of. */
	scr_kv(y++, x, w, "command", !w_->pid ? "" :
	       o && o->cmdline[0] ? o->cmdline :
	       si->cmdline && si->cmdline_pid == w_->pid ? si->cmdline :
	       o && o->exited ? "" : "(asking)");
	scr_conntrack(buf, sizeof(buf), w_);
	scr_kv(y++, x, w, "conntrack", buf);
	if (o)
		scr_owner_lines(y, ymax, x, w, o);
}

void scr_detail(struct view *v, const struct view_src *src,
		const struct screen_info *si, int y0, int rows)
{
	int closed = 0;
	const struct flow_entry *e;

	if (rows < 4)
		return;
	scr_box(y0, 0, rows, COLS, "Details (Enter or Esc closes)");
	e = view_flow(v, src, v->ts[VIEW_FLOWS].sel, &closed);
	if (!e) {
		mvaddstr(y0 + 1, 2, "(the flow is gone)");
		return;
	}
	/* The box's last row is its border. */
	scr_detail_lines(y0 + 1, y0 + rows - 1, 2, COLS - 4, src, si, e,
			 closed);
}
