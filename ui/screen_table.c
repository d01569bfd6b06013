/* SPDX-License-Identifier: GPL-2.0-only */
/* screen_table: the column titles and the visible rows of the view. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "privsep/flow_wire.h"
#include "common/escape.h"
#include "ui/alert.h"
#include "ui/fmt.h"
#include "ui/owners.h"
#include "ui/screen.h"
#include "ui/users.h"

#define CELL_MAX 512

struct layout {
	int col[VIEW_MAX_COLS];
	int x[VIEW_MAX_COLS];
	int w[VIEW_MAX_COLS];
	int n;
};

void scr_cell(int y, int x, int width, const char *s, int flags, int attr,
	      const char *filter)
{
	char esc[CELL_MAX], fit[CELL_MAX];
	int used, pad;
	long m;

	if (width <= 0 || x >= COLS)
		return;
	if (x + width > COLS)
		width = COLS - x;
	esc_term(esc, sizeof(esc), s ? s : "", s ? strlen(s) : 0);
	used = fmt_fit(fit, sizeof(fit), esc, width,
		       (flags & CELL_MID) ? FMT_CUT_MIDDLE : FMT_CUT_END);
	pad = width - used;
	attron(attr);
	move(y, x);
	if (flags & CELL_RIGHT)
		printw("%*s", pad, "");
	m = filter && filter[0] ? view_match(filter, fit) : -1;
	if (m < 0) {
		addstr(fit);
	} else {
		size_t fl = strlen(filter);

		addnstr(fit, (int)m);
		attron(scr_attr(SP_MATCH));
		addnstr(fit + m, (int)fl);
		attroff(scr_attr(SP_MATCH));
		attron(attr);
		addstr(fit + m + (long)fl);
	}
	if (!(flags & CELL_RIGHT) && pad > 0)
		printw("%*s", pad, "");
	attroff(attr);
}

/* Widths of the columns shown: flex ones share a wide terminal's spare
 * room, or give theirs back (widest share first) down to their minimum. */
static void scr_widths(const struct view_col *c, const int *vis, int nv,
		       int *w)
{
	int used = -1, flex = 0;

	for (int i = 0; i < nv; i++) {
		w[i] = c[vis[i]].width;
		used += w[i] + 1;
		flex += c[vis[i]].flex;
	}
	int spare = COLS - used;

	for (int i = 0; spare > 0 && flex && i < nv; i++)
		w[i] += spare * c[vis[i]].flex / flex;
	for (int f = 3; spare < 0 && f > 0; f--) {
		for (int i = 0; spare < 0 && i < nv; i++) {
			int give = w[i] - c[vis[i]].min;

			if (c[vis[i]].flex != f || give <= 0)
				continue;
			if (give > -spare)
				give = -spare;
			w[i] -= give;
			spare += give;
		}
	}
}

/* Visible columns from the horizontal scroll on. */
static void scr_layout(struct view *v, struct layout *l)
{
	size_t n;
	const struct view_col *c = view_cols(v->tab, &n);
	int vis[VIEW_MAX_COLS], nv = 0, x = 0, *hs = &v->ts[v->tab].hscroll;

	for (size_t i = 0; i < n; i++)
		if (view_col_visible(v, v->tab, (int)i))
			vis[nv++] = (int)i;
	if (*hs > nv - 1)
		*hs = nv - 1;
	if (*hs < 0)
		*hs = 0;
	scr_widths(c, vis + *hs, nv - *hs, l->w);
	l->n = 0;
	for (int i = *hs; i < nv; i++) {
		l->col[l->n] = vis[i];
		l->x[l->n] = x;
		x += l->w[l->n++] + 1;
	}
}

/* Whether col of tab holds rates: its title then names their unit. */
static int scr_rate_col(enum view_tab tab, int col)
{
	switch (tab) {
	case VIEW_PROCS: return col == PC_SENT_RATE || col == PC_RECV_RATE;
	case VIEW_COUNTRIES: return col == CC_SENT_RATE || col == CC_RECV_RATE;
	default: return col == FC_RATE;
	}
}

/* A column's title, for a rate column with the unit: "SENT B/s", or the
 * unit alone ("bit/s") when the table's title is empty. */
static void scr_title(char *buf, size_t sz, const struct view_col *d,
		      enum view_tab tab, int col, int bits)
{
	if (!scr_rate_col(tab, col))
		snprintf(buf, sz, "%s", d->title);
	else
		snprintf(buf, sz, "%s%s%s", d->title, d->title[0] ? " " : "",
			 fmt_rate_unit(bits));
}

static void scr_titles(struct view *v, const struct screen_info *si,
		       const struct layout *l, int y)
{
	size_t n;
	const struct view_col *c = view_cols(v->tab, &n);
	const struct view_tabstate *t = &v->ts[v->tab];

	attron(A_REVERSE);
	move(y, 0);
	printw("%*s", COLS, "");
	for (int i = 0; i < l->n; i++) {
		const struct view_col *d = &c[l->col[i]];
		char name[32], title[40];
		int sorted = l->col[i] == t->sort_col;

		scr_title(name, sizeof(name), d, v->tab, l->col[i], si->bits);
		snprintf(title, sizeof(title), "%s%s", name, !sorted ? "" :
			 (d->desc ^ t->reverse) ? "v" : "^");
		scr_cell(y, l->x[i], l->w[i], title, d->right ? CELL_RIGHT : 0,
			 A_REVERSE | (sorted ? A_BOLD : 0), NULL);
	}
	attroff(A_REVERSE);
}

static int scr_proto_pair(uint8_t p)
{
	switch (p) {
	case IPPROTO_TCP: return SP_TCP;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE: return SP_UDP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: return SP_ICMP;
	default: return SP_OTHER;
	}
}

/* Protocol and family in five columns: tcp4, udp6, ul4 (UDP-Lite). */
static const char *scr_proto_short(uint8_t p)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_UDPLITE: return "ul";
	case IPPROTO_SCTP: return "sctp";
	case IPPROTO_DCCP: return "dccp";
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: return "icmp";
	default: return "?";
	}
}

static int scr_state_pair(const char *st)
{
	if (!st)
		return 0;
	if (!strcmp(st, "ESTABLISHED"))
		return SP_GOOD;
	if (!strncmp(st, "SYN", 3) || !strncmp(st, "COOKIE", 6) ||
	    !strcmp(st, "REQUEST") || !strcmp(st, "RESPOND") ||
	    !strncmp(st, "COOKIE", 6))
		return SP_SETUP;
	return SP_CLOSING;
}

/* The name of an end, else its address. */
static void scr_endpoint(char *buf, size_t sz, const struct view_src *src,
			 const struct flow_wire *w, const uint8_t *a,
			 int *flags)
{
	struct print_annot pa = { 0 };

	if (src->annot)
		src->annot(src->ctx, w->family, a, &pa);
	if (pa.name && pa.name[0]) {
		snprintf(buf, sz, "%s", pa.name);
		return;
	}
	*flags |= CELL_MID;
	if (!inet_ntop(w->family == FLOW_FAM_IPV4 ? AF_INET : AF_INET6, a,
		       buf, (socklen_t)sz))
		snprintf(buf, sz, "?");
}

/* "GB London", or just "GB" in a narrow column. */
static void scr_geo(char *buf, size_t sz, const struct view_src *src,
		    const struct flow_wire *w, int width)
{
	struct print_annot pa = { 0 };

	buf[0] = 0;
	if (src->annot)
		src->annot(src->ctx, w->family, w->dst, &pa);
	if (pa.country && pa.country[0] && width < 6)
		snprintf(buf, sz, "%s", pa.country);
	else if (pa.country && pa.country[0])
		snprintf(buf, sz, "%s%s%s", pa.country,
			 pa.city && pa.city[0] ? " " : "",
			 pa.city ? pa.city : "");
}

static void scr_port(char *buf, size_t sz, const struct view_src *src,
		     const struct flow_wire *w)
{
	const char *svc = src->service && w->dport ?
		src->service(src->ctx, w->l4proto, w->dport) : NULL;

	if (svc && svc[0])
		snprintf(buf, sz, "%s", svc);
	else if (w->dport)
		snprintf(buf, sz, "%u", w->dport);
	else
		buf[0] = 0;
}

/* "addr:port" ("[addr]:port" for IPv6; no port for ICMP). */
static size_t scr_addr_port(char *buf, size_t sz, const struct flow_wire *w,
			    const uint8_t *a, uint16_t port)
{
	char s[INET6_ADDRSTRLEN] = "?";
	int v6 = w->family == FLOW_FAM_IPV6;
	int n;

	inet_ntop(v6 ? AF_INET6 : AF_INET, a, s, sizeof(s));
	if (w->l4proto == IPPROTO_ICMP || w->l4proto == IPPROTO_ICMPV6)
		n = snprintf(buf, sz, "%s", s);
	else
		n = snprintf(buf, sz, v6 ? "[%s]:%u" : "%s:%u", s, port);
	return n < 0 ? 0 : (size_t)n < sz ? (size_t)n : sz - 1;
}

/* What NAT made of the flow: the destination that answers in place of
 * the one asked for ("to"), what the source goes out as ("as"). */
static void scr_nat_cell(char *buf, size_t sz, const struct flow_wire *w)
{
	unsigned nat = flow_nat(w);
	size_t n = 0;

	if ((nat & FLOW_NAT_DST) && sz > 4) {
		memcpy(buf, "to ", 3);
		n = 3 + scr_addr_port(buf + 3, sz - 3, w, w->rsrc, w->rsport);
	}
	if ((nat & FLOW_NAT_SRC) && sz > n + 5) {
		memcpy(buf + n, n ? " as " : "as ", n ? 4 : 3);
		n += n ? 4 : 3;
		scr_addr_port(buf + n, sz - n, w, w->rdst, w->rdport);
	}
}

static void scr_labels_cell(char *buf, size_t sz, const struct flow_wire *w)
{
	size_t n = 0;

	for (int i = flow_label_next(w, 0); i >= 0 && n + 5 < sz;
	     i = flow_label_next(w, (unsigned)i + 1))
		n += (size_t)snprintf(buf + n, sz - n, "%s%d", n ? "," : "", i);
}

/* Text, flags and colour of one cell of a flow. */
static int scr_flow_cell(char *buf, size_t sz, int col,
			 const struct view_src *src, const struct flow_entry *e,
			 int closed, const struct screen_info *si, int *flags,
			 int width)
{
	const struct flow_wire *w = &e->w;
	const char *st;

	buf[0] = 0;
	switch (col) {
	case FC_PID:
		if (w->pid)
			snprintf(buf, sz, "%u", w->pid);
		return 0;
	case FC_USER:
		/* The socket's uid is everyone's to see, hidden owner too;
		 * the name is escaped by scr_cell. */
		if (w->owner != FLOW_OWNER_NONE) {
			char num[USERS_SHOW_MIN];

			snprintf(buf, sz, "%s", users_show(src->users, w->uid,
							   num, sizeof(num)));
		}
		return 0;
	case FC_PROC:
		if (w->owner == FLOW_OWNER_HIDDEN)
			snprintf(buf, sz, "(hidden) uid %u", w->uid);
		else
			snprintf(buf, sz, "%s%s", e->alert & ALERT_NEW_BITS ?
				 "NEW " : "", w->comm[0] ? w->comm : "-");
		/* --alert: its program talks somewhere new. */
		return e->alert & ALERT_NEW_BITS ? A_BOLD : 0;
	case FC_PROTO:
		snprintf(buf, sz, "%s%c", scr_proto_short(w->l4proto),
			 w->family == FLOW_FAM_IPV4 ? '4' : '6');
		return scr_attr(scr_proto_pair(w->l4proto));
	case FC_STATE:
		st = closed ? "closed" : flow_state_name(w->l4proto, w->state);
		snprintf(buf, sz, "%s", st ? st : "");
		return closed ? 0 : scr_attr(scr_state_pair(st));
	case FC_AGE:
		fmt_age(buf, sz, fmt_age_secs(w->start_ns,
				   si->now_real_ns));
		return 0;
	case FC_SRC:
		scr_endpoint(buf, sz, src, w, w->src, flags);
		return 0;
	case FC_SPORT:
		if (w->sport)
			snprintf(buf, sz, "%u", w->sport);
		return 0;
	case FC_DST:
		scr_endpoint(buf, sz, src, w, w->dst, flags);
		return 0;
	case FC_DPORT:
		scr_port(buf, sz, src, w);
		return 0;
	case FC_GEO:
		scr_geo(buf, sz, src, w, width);
		return 0;
	case FC_NAT:
		scr_nat_cell(buf, sz, w);
		return 0;
	case FC_ZONE:
		if (w->zone)
			snprintf(buf, sz, "%u", w->zone);
		return 0;
	case FC_MARK:
		if (w->mark)
			snprintf(buf, sz, "0x%x", w->mark);
		return 0;
	case FC_LABELS:
		scr_labels_cell(buf, sz, w);
		return 0;
	case FC_BYTES:
		fmt_count(buf, sz, (double)w->orig_bytes + (double)w->reply_bytes);
		return 0;
	default:
		fmt_rate(buf, sz, e->orig_rate + e->reply_rate, si->bits);
		return 0;
	}
}

/* Its process has exited: the row is dimmed, as a closed flow's is. */
static int scr_owner_exited(const struct view_src *src,
			    const struct flow_wire *w)
{
	const struct ui_owner *o = w->pid && src->owners ?
		owners_get(src->owners, w->pid, flow_owner_tag(w)) : NULL;

	return o && o->exited;
}

static void scr_flow_row(struct view *v, const struct view_src *src,
			 const struct screen_info *si, const struct layout *l,
			 size_t i, int y, int base)
{
	int closed = 0;
	const struct flow_entry *e = view_flow(v, src, i, &closed);
	size_t n;
	const struct view_col *c = view_cols(VIEW_FLOWS, &n);

	uint32_t tv;
	/* A term matches no text: nothing to highlight. */
	const char *hl = view_filter_term(v->filter, &tv) ? NULL : v->filter;

	if (!e)
		return;
	if (closed || scr_owner_exited(src, &e->w))
		base |= A_DIM;
	for (int k = 0; k < l->n; k++) {
		char buf[CELL_MAX];
		int flags = c[l->col[k]].right ? CELL_RIGHT : 0;
		int a = scr_flow_cell(buf, sizeof(buf), l->col[k], src, e,
				      closed, si, &flags, l->w[k]);

		scr_cell(y, l->x[k], l->w[k], buf, flags,
			 base | ((base & A_REVERSE) ? 0 : a), hl);
	}
}

static void scr_proc_cell(char *buf, size_t sz, int col,
			  const struct proc_agg *p, int bits)
{
	switch (col) {
	case PC_PID: snprintf(buf, sz, "%u", p->pid); break;
	case PC_PROC: snprintf(buf, sz, "%s", p->comm); break;
	case PC_FLOWS: snprintf(buf, sz, "%u", p->flows); break;
	case PC_SENT: fmt_count(buf, sz, (double)p->orig_bytes); break;
	case PC_RECV: fmt_count(buf, sz, (double)p->reply_bytes); break;
	case PC_SENT_RATE: fmt_rate(buf, sz, p->orig_rate, bits); break;
	default: fmt_rate(buf, sz, p->reply_rate, bits); break;
	}
}

/* A grouped row's cell: the label in its naming column (a unit cut in
 * the middle, to keep the sub-unit's end), the totals as by process. */
static void scr_group_cell(char *buf, size_t sz, int col,
			   const struct group_agg *g, int bits, int *flags)
{
	if (col >= PC_FLOWS) {
		scr_proc_cell(buf, sz, col, &g->sum, bits);
		return;
	}
	if (col == PC_UNIT)
		*flags |= CELL_MID;
	snprintf(buf, sz, "%s", g->label);
}

static void scr_country_cell(char *buf, size_t sz, int col,
			     const struct country_agg *c, int bits)
{
	switch (col) {
	case CC_CODE: snprintf(buf, sz, "%s", c->cc[0] ? c->cc : "--"); break;
	case CC_NAME:
		snprintf(buf, sz, "%s", c->cc[0] ? c->name : "(no country)");
		break;
	case CC_AS:
		if (c->asn)
			snprintf(buf, sz, "AS%u %s", c->asn, c->as_org);
		else
			buf[0] = 0;
		break;
	case CC_FLOWS: snprintf(buf, sz, "%u", c->flows); break;
	case CC_SENT: fmt_count(buf, sz, (double)c->sent_bytes); break;
	case CC_RECV: fmt_count(buf, sz, (double)c->recv_bytes); break;
	case CC_SENT_RATE: fmt_rate(buf, sz, c->sent_rate, bits); break;
	default: fmt_rate(buf, sz, c->recv_rate, bits); break;
	}
}

static void scr_agg_row(struct view *v, const struct screen_info *si,
			const struct layout *l, size_t i, int y, int base)
{
	size_t n;
	const struct view_col *c = view_cols(v->tab, &n);
	uint32_t ref = view_row_at(v, i)->ref;

	int groups = v->tab == VIEW_PROCS && v->group != GROUP_PROCESS;

	/* Every key that changes the grouping rebuilds the rows before a
	 * draw; should a row still point past its array, it is left blank. */
	if (ref >= (v->tab != VIEW_PROCS ? v->ncountries :
		    groups ? v->ngroups : v->nprocs))
		return;
	for (int k = 0; k < l->n; k++) {
		char buf[CELL_MAX];
		int flags = c[l->col[k]].right ? CELL_RIGHT : 0;

		if (groups)
			scr_group_cell(buf, sizeof(buf), l->col[k],
				       &v->groups[ref], si->bits, &flags);
		else if (v->tab == VIEW_PROCS)
			scr_proc_cell(buf, sizeof(buf), l->col[k],
				      &v->procs[ref], si->bits);
		else
			scr_country_cell(buf, sizeof(buf), l->col[k],
					 &v->countries[ref], si->bits);
		scr_cell(y, l->x[k], l->w[k], buf, flags, base, v->filter);
	}
}

void scr_table(struct view *v, const struct view_src *src,
	       const struct screen_info *si, int y0, int rows)
{
	struct layout l;
	const struct view_tabstate *t = &v->ts[v->tab];

	scr_layout(v, &l);
	scr_titles(v, si, &l, y0);
	for (int r = 0; r < rows; r++) {
		size_t i = t->top + (size_t)r;
		int base = i == t->sel ? A_REVERSE : A_NORMAL;

		if (i >= v->nrows)
			break;
		if (base == A_REVERSE) {
			attron(A_REVERSE);
			mvprintw(y0 + 1 + r, 0, "%*s", COLS, "");
			attroff(A_REVERSE);
		}
		if (v->tab == VIEW_FLOWS)
			scr_flow_row(v, src, si, &l, i, y0 + 1 + r, base);
		else
			scr_agg_row(v, si, &l, i, y0 + 1 + r, base);
	}
	if (v->nrows == 0)
		mvaddstr(y0 + 2, 2, v->filter[0] ? "(nothing matches the filter)" :
			 "(no flows)");
}
