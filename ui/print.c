/* print: batch output of one snapshot (see print.h).
 *
 * JSON Lines follow the field list of DESIGN.md; a field whose value is not
 * known is left out rather than printed as null. The text table is driven
 * by one column table below: each row is first rendered into cells, then
 * the cells are laid out by that table.
 *
 * Human-readable units of the text table:
 *   bytes     binary multiples, K = 1024 (as top and upstream flowtop)
 *   packets   decimal multiples, K = 1000 (they are counts)
 *   B/s       binary multiples, K = 1024, like the bytes they count
 *   bit/s     decimal multiples, K = 1000, the networking convention
 * Values under 1000 are printed whole; above, one decimal and a suffix
 * K, M, G, T, P or E.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ui/escape.h"
#include "ui/print.h"

#define NS_PER_SEC UINT64_C(1000000000)

enum pr_align { PR_LEFT, PR_RIGHT };

enum pr_col {
	PR_PROTO,
	PR_STATE,
	PR_SRC,
	PR_DST,
	PR_SERVICE,
	PR_WHERE,
	PR_PROCESS,
	PR_ORIG,
	PR_REPLY,
	PR_ORIG_RATE,
	PR_REPLY_RATE,
	PR_AGE,
	PR_NCOLS
};

struct pr_column {
	const char *name;     /* stable identifier */
	const char *title;    /* header text */
	int width;            /* fits every value except over-long names */
	enum pr_align align;
};

/* Widths: SRC/DST fit "[" + 39-char IPv6 + "]:" + 5-digit port = 47; STATE
 * fits the longest kernel name, SCTP's SHUTDOWN_ACK_SENT; PROCESS fits a
 * 7-digit pid, "/" and a 15-byte comm; ORIG/REPLY fit "999.9K/999.9K";
 * rates fit "999.9Mbit/s"; AGE fits "999d23h". An escaped comm may be
 * longer than its column and then pushes the rest of its row right: a name
 * is never cut. */
static const struct pr_column pr_columns[PR_NCOLS] = {
	[PR_PROTO] =      { "proto",      "PROTO",      7,  PR_LEFT },
	[PR_STATE] =      { "state",      "STATE",      17, PR_LEFT },
	[PR_SRC] =        { "src",        "SRC",        47, PR_LEFT },
	[PR_DST] =        { "dst",        "DST",        47, PR_LEFT },
	[PR_SERVICE] =    { "service",    "SERVICE",    12, PR_LEFT },
	[PR_WHERE] =      { "where",      "WHERE",      24, PR_LEFT },
	[PR_PROCESS] =    { "process",    "PROCESS",    23, PR_LEFT },
	[PR_ORIG] =       { "orig",       "ORIG",       13, PR_RIGHT },
	[PR_REPLY] =      { "reply",      "REPLY",      13, PR_RIGHT },
	[PR_ORIG_RATE] =  { "orig_rate",  "ORIG_RATE",  11, PR_RIGHT },
	[PR_REPLY_RATE] = { "reply_rate", "REPLY_RATE", 11, PR_RIGHT },
	[PR_AGE] =        { "age",        "AGE",        7,  PR_RIGHT },
};

#define PR_CELL_MAX 128

static int pr_is_icmp(uint8_t l4proto)
{
	return l4proto == IPPROTO_ICMP || l4proto == IPPROTO_ICMPV6;
}

static int pr_has_state(const struct flow_wire *w)
{
	return w->state != FLOW_STATE_NONE &&
	       flow_state_name(w->l4proto, w->state) != NULL;
}

/* inet_ntop of src or dst; 0, or -1 for a family flowtop doesn't know. */
static int pr_addr(char *buf, size_t sz, uint8_t family, const uint8_t *a)
{
	int af = family == FLOW_FAM_IPV4 ? AF_INET :
		 family == FLOW_FAM_IPV6 ? AF_INET6 : -1;

	if (af < 0 || !inet_ntop(af, a, buf, (socklen_t)sz)) {
		snprintf(buf, sz, "?");
		return -1;
	}
	return 0;
}

/* Seconds since the flow started; -1 when that is not known. */
static int64_t pr_age(const struct flow_wire *w, uint64_t real_ns)
{
	if (!w->start_ns || w->start_ns > real_ns)
		return -1;
	return (int64_t)((real_ns - w->start_ns) / NS_PER_SEC);
}

static double pr_rate_value(const struct print_opts *po, double bytes_per_s)
{
	/* Rates come from counter deltas; anything else is a bug upstream,
	 * and a JSON number must stay a number. */
	if (!isfinite(bytes_per_s) || bytes_per_s < 0)
		return 0;
	return po->bits ? bytes_per_s * 8 : bytes_per_s;
}

/* ---- JSON Lines ---- */

static void pj_u64(FILE *out, const char *key, uint64_t v)
{
	fprintf(out, ",\"%s\":%" PRIu64, key, v);
}

/* Only for strings known to need no escaping (names from our own tables,
 * inet_ntop output). */
static void pj_str(FILE *out, const char *key, const char *v)
{
	fprintf(out, ",\"%s\":\"%s\"", key, v);
}

/* At most 3 decimals, trailing zeros dropped: 1250 and 0.125, not
 * 1250.000. */
static void pj_rate(FILE *out, const char *key, double v)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%.3f", v);

	if (n < 0 || (size_t)n >= sizeof(buf)) {
		fprintf(out, ",\"%s\":%.0f", key, v);
		return;
	}
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	fprintf(out, ",\"%s\":%s", key, buf);
}

static void pj_tuple(FILE *out, const struct flow_wire *w)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int ok = pr_addr(src, sizeof(src), w->family, w->src) == 0 &&
		 pr_addr(dst, sizeof(dst), w->family, w->dst) == 0;

	if (ok)
		pj_str(out, "src", src);
	if (!pr_is_icmp(w->l4proto))
		pj_u64(out, "sport", w->sport);
	if (ok)
		pj_str(out, "dst", dst);
	if (pr_is_icmp(w->l4proto)) {
		pj_u64(out, "icmp_type", w->icmp_type);
		pj_u64(out, "icmp_code", w->icmp_code);
	} else {
		pj_u64(out, "dport", w->dport);
	}
}

/* A string from outside, escaped for JSON; nothing when empty. */
static void pj_text(FILE *out, const char *key, const char *v)
{
	size_t len = v ? strnlen(v, 1024) : 0;
	char esc[1024 * 6 + 1];

	if (!len)
		return;
	esc_json(esc, sizeof(esc), v, len);
	fprintf(out, ",\"%s\":\"%s\"", key, esc);
}

static void pr_annot(const struct print_opts *po, const struct flow_wire *w,
		     struct print_annot *src, struct print_annot *dst)
{
	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	if (!po->annot)
		return;
	po->annot(po->ctx, w->family, w->src, src);
	po->annot(po->ctx, w->family, w->dst, dst);
}

static const char *pr_service(const struct print_opts *po,
			      const struct flow_wire *w)
{
	if (!po->service || pr_is_icmp(w->l4proto))
		return NULL;
	return po->service(po->ctx, w->l4proto, w->dport);
}

/* DESIGN.md's order: service, then each property for src and dst. */
static void pj_annot(FILE *out, const struct print_opts *po,
		     const struct flow_wire *w)
{
	struct print_annot s, d;

	pr_annot(po, w, &s, &d);
	pj_text(out, "service", pr_service(po, w));
	pj_text(out, "src_name", s.name);
	pj_text(out, "dst_name", d.name);
	pj_text(out, "src_country", s.country);
	pj_text(out, "dst_country", d.country);
	pj_text(out, "src_country_name", s.country_name);
	pj_text(out, "dst_country_name", d.country_name);
	pj_text(out, "src_city", s.city);
	pj_text(out, "dst_city", d.city);
	if (s.asn)
		pj_u64(out, "src_asn", s.asn);
	if (d.asn)
		pj_u64(out, "dst_asn", d.asn);
	pj_text(out, "src_as_org", s.as_org);
	pj_text(out, "dst_as_org", d.as_org);
}

static void pj_owner(FILE *out, const struct flow_wire *w)
{
	size_t len = strnlen(w->comm, sizeof(w->comm));

	if (w->pid)
		pj_u64(out, "pid", w->pid);
	if (len) {
		/* 6 bytes per input byte at worst (\u00XX). */
		char esc[sizeof(w->comm) * 6 + 1];

		esc_json(esc, sizeof(esc), w->comm, len);
		fprintf(out, ",\"process\":\"%s\"", esc);
	}
}

static void pj_flow(FILE *out, const struct print_opts *po,
		    const struct flow_entry *e, uint64_t real_ns,
		    const char *time)
{
	const struct flow_wire *w = &e->w;
	const char *proto = flow_proto_name(w->l4proto);
	int64_t age = pr_age(w, real_ns);

	fprintf(out, "{\"id\":%" PRIu32, w->id);
	if (w->family == FLOW_FAM_IPV4 || w->family == FLOW_FAM_IPV6)
		pj_str(out, "family", w->family == FLOW_FAM_IPV4 ? "ipv4" : "ipv6");
	if (proto)
		pj_str(out, "proto", proto);
	if (pr_has_state(w))
		pj_str(out, "state", flow_state_name(w->l4proto, w->state));
	pj_tuple(out, w);
	pj_annot(out, po, w);
	pj_owner(out, w);
	pj_u64(out, "orig_bytes", w->orig_bytes);
	pj_u64(out, "orig_packets", w->orig_packets);
	pj_u64(out, "reply_bytes", w->reply_bytes);
	pj_u64(out, "reply_packets", w->reply_packets);
	if (e->has_rate) {
		pj_rate(out, "orig_rate", pr_rate_value(po, e->orig_rate));
		pj_rate(out, "reply_rate", pr_rate_value(po, e->reply_rate));
	}
	if (age >= 0)
		pj_u64(out, "age", (uint64_t)age);
	fprintf(out, ",\"time\":%s}\n", time);
}

/* ---- text table ---- */

/* v whole under 1000, else scaled by base with one decimal. The switch to
 * the next suffix happens where one decimal would round to 1000.0. */
static void pt_scaled(char *buf, size_t sz, double v, double base,
		      const char *unit)
{
	static const char suffix[] = "KMGTPE";
	size_t i = 0;

	if (v < 999.5) {
		snprintf(buf, sz, "%.0f%s", v, unit);
		return;
	}
	v /= base;
	while (v >= 999.95 && i + 1 < sizeof(suffix) - 1) {
		v /= base;
		i++;
	}
	snprintf(buf, sz, "%.1f%c%s", v, suffix[i], unit);
}

/* "bytes/packets" of one direction. */
static void pt_counters(char *buf, size_t sz, uint64_t bytes, uint64_t pkts)
{
	char b[32], p[32];

	pt_scaled(b, sizeof(b), (double)bytes, 1024, "");
	pt_scaled(p, sizeof(p), (double)pkts, 1000, "");
	snprintf(buf, sz, "%s/%s", b, p);
}

static void pt_rate(char *buf, size_t sz, const struct print_opts *po,
		    const struct flow_entry *e, double rate)
{
	if (!e->has_rate)
		snprintf(buf, sz, "-");
	else if (po->bits)
		pt_scaled(buf, sz, pr_rate_value(po, rate), 1000, "bit/s");
	else
		pt_scaled(buf, sz, pr_rate_value(po, rate), 1024, "B/s");
}

/* 12s, 3m04s, 2h05m, 1d03h: two units at most, like ps and top. */
static void pt_age(char *buf, size_t sz, int64_t age)
{
	if (age < 0)
		snprintf(buf, sz, "-");
	else if (age < 60)
		snprintf(buf, sz, "%" PRId64 "s", age);
	else if (age < 3600)
		snprintf(buf, sz, "%" PRId64 "m%02" PRId64 "s", age / 60, age % 60);
	else if (age < 86400)
		snprintf(buf, sz, "%" PRId64 "h%02" PRId64 "m", age / 3600,
			 age % 3600 / 60);
	else
		snprintf(buf, sz, "%" PRId64 "d%02" PRId64 "h", age / 86400,
			 age % 86400 / 3600);
}

/* addr, addr:port, or [addr]:port for IPv6 so the port stands apart; a
 * host name, when known, instead of the address, cut to the column. */
static void pt_endpoint(char *buf, size_t sz, const struct flow_wire *w,
			const uint8_t *addr, uint16_t port, int with_port,
			const char *name)
{
	char a[64];     /* an address, or a name cut to the column */
	int v6 = w->family == FLOW_FAM_IPV6 && !(name && *name);

	if (name && *name)
		esc_term(a, pr_columns[PR_SRC].width - 6 + 1, name,
			 strnlen(name, 1024));
	else
		pr_addr(a, sizeof(a), w->family, addr);
	if (!with_port || pr_is_icmp(w->l4proto))
		snprintf(buf, sz, "%s", a);
	else if (v6)
		snprintf(buf, sz, "[%s]:%u", a, port);
	else
		snprintf(buf, sz, "%s:%u", a, port);
}

/* "GB London AS1221": what is known of where the destination is. */
static void pt_where(char *buf, size_t sz, const struct print_annot *d)
{
	char city[20] = "", as[16] = "";   /* city cut to 15 bytes */

	if (d->city && *d->city)
		esc_term(city, 16, d->city, strnlen(d->city, 1024));
	if (d->asn)
		snprintf(as, sizeof(as), "AS%" PRIu32, d->asn);
	snprintf(buf, sz, "%s%s%s%s%s", d->country ? d->country : "",
		 d->country && *d->country && *city ? " " : "", city,
		 *as && ((d->country && *d->country) || *city) ? " " : "", as);
	if (!*buf)
		snprintf(buf, sz, "-");
}

static void pt_service(char *buf, size_t sz, const char *svc)
{
	if (svc && *svc)
		esc_term(buf, sz, svc, strnlen(svc, 64));
	else
		snprintf(buf, sz, "-");
}

/* pid/comm, either alone when only one is known, "-" when neither is. */
static void pt_process(char *buf, size_t sz, const struct flow_wire *w)
{
	char esc[sizeof(w->comm) * 4 + 1];
	size_t len = strnlen(w->comm, sizeof(w->comm));

	esc_term(esc, sizeof(esc), w->comm, len);
	if (w->pid && len)
		snprintf(buf, sz, "%" PRIu32 "/%s", w->pid, esc);
	else if (w->pid)
		snprintf(buf, sz, "%" PRIu32, w->pid);
	else if (len)
		snprintf(buf, sz, "%s", esc);
	else
		snprintf(buf, sz, "-");
}

static void pt_cells(char cells[PR_NCOLS][PR_CELL_MAX],
		     const struct print_opts *po, const struct flow_entry *e,
		     uint64_t real_ns)
{
	const struct flow_wire *w = &e->w;
	const char *proto = flow_proto_name(w->l4proto);
	struct print_annot src, dst;

	pr_annot(po, w, &src, &dst);
	if (proto)
		snprintf(cells[PR_PROTO], PR_CELL_MAX, "%s", proto);
	else
		snprintf(cells[PR_PROTO], PR_CELL_MAX, "%u", w->l4proto);
	snprintf(cells[PR_STATE], PR_CELL_MAX, "%s", pr_has_state(w) ?
		 flow_state_name(w->l4proto, w->state) : "-");
	/* Upstream flowtop hides the (usually ephemeral) source port
	 * unless asked for it. */
	pt_endpoint(cells[PR_SRC], PR_CELL_MAX, w, w->src, w->sport,
		    po->show_src, src.name);
	pt_endpoint(cells[PR_DST], PR_CELL_MAX, w, w->dst, w->dport, 1,
		    dst.name);
	pt_service(cells[PR_SERVICE], PR_CELL_MAX, pr_service(po, w));
	pt_where(cells[PR_WHERE], PR_CELL_MAX, &dst);
	pt_process(cells[PR_PROCESS], PR_CELL_MAX, w);
	pt_counters(cells[PR_ORIG], PR_CELL_MAX, w->orig_bytes,
		    w->orig_packets);
	pt_counters(cells[PR_REPLY], PR_CELL_MAX, w->reply_bytes,
		    w->reply_packets);
	pt_rate(cells[PR_ORIG_RATE], PR_CELL_MAX, po, e, e->orig_rate);
	pt_rate(cells[PR_REPLY_RATE], PR_CELL_MAX, po, e, e->reply_rate);
	pt_age(cells[PR_AGE], PR_CELL_MAX, pr_age(w, real_ns));
}

/* One line laid out by pr_columns; no trailing blanks. */
static void pt_line(FILE *out, const char *const cells[PR_NCOLS])
{
	for (int c = 0; c < PR_NCOLS; c++) {
		const struct pr_column *col = &pr_columns[c];

		if (c > 0)
			fputc(' ', out);
		if (col->align == PR_RIGHT)
			fprintf(out, "%*s", col->width, cells[c]);
		else if (c == PR_NCOLS - 1)
			fputs(cells[c], out);
		else
			fprintf(out, "%-*s", col->width, cells[c]);
	}
	fputc('\n', out);
}

static void pt_header(FILE *out)
{
	const char *titles[PR_NCOLS];

	for (int c = 0; c < PR_NCOLS; c++)
		titles[c] = pr_columns[c].title;
	pt_line(out, titles);
}

static void pt_row(FILE *out, const struct print_opts *po,
		   const struct flow_entry *e, uint64_t real_ns)
{
	char cells[PR_NCOLS][PR_CELL_MAX];
	const char *p[PR_NCOLS];

	pt_cells(cells, po, e, real_ns);
	for (int c = 0; c < PR_NCOLS; c++)
		p[c] = cells[c];
	pt_line(out, p);
}

int print_snapshot(FILE *out, const struct print_opts *po,
		   const struct flow_entry *const *v, size_t n,
		   uint64_t real_ns)
{
	if (po->json) {
		char time[48];

		snprintf(time, sizeof(time), "%" PRIu64 ".%06" PRIu64,
			 real_ns / NS_PER_SEC, real_ns % NS_PER_SEC / 1000);
		for (size_t i = 0; i < n; i++)
			pj_flow(out, po, v[i], real_ns, time);
	} else {
		pt_header(out);
		for (size_t i = 0; i < n; i++)
			pt_row(out, po, v[i], real_ns);
		/* The blank line that separates this snapshot from the next. */
		fputc('\n', out);
	}
	/* Flush per snapshot: a reader of --count output sees each one as it
	 * is taken, and a full disk or closed pipe shows up here. */
	if (fflush(out) != 0 || ferror(out))
		return -1;
	return 0;
}
