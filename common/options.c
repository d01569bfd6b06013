/* SPDX-License-Identifier: GPL-2.0-only */
/* options: the command line of netsniff-ng's flowtop plus the batch options. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <unistd.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/ix_url.h"
#include "common/util.h"
#include "common/options.h"

#ifndef FLOWTOP_VERSION
#define FLOWTOP_VERSION "0"
#endif
#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc/netsniff-ng"
#endif

enum {
	OPT_ONCE = 256,
	OPT_COUNT,
	OPT_CONF_DIR,
	OPT_GEOIP_DIR,
	OPT_SHOW_LOOPBACK,
	OPT_TRACK,
	OPT_FORCE,
	OPT_LINGER,
	OPT_NETNS,
	OPT_RECORD,
	OPT_RECORD_SIZE,
	OPT_RECORD_KEEP,
	OPT_REPLAY,
	OPT_ALERT,
	OPT_LEARN,
	OPT_BASELINE_SIZE,
	OPT_BASELINE_EXPIRE,
	OPT_IPFIX,
	OPT_IPFIX_ACTIVE,
	OPT_IPFIX_IDLE,
};

static const char short_opts[] = "46TUDISsnGbt:uvho:";

static const struct option long_opts[] = {
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
	{ "tcp", no_argument, NULL, 'T' },
	{ "udp", no_argument, NULL, 'U' },
	{ "dccp", no_argument, NULL, 'D' },
	{ "icmp", no_argument, NULL, 'I' },
	{ "sctp", no_argument, NULL, 'S' },
	{ "show-src", no_argument, NULL, 's' },
	{ "no-dns", no_argument, NULL, 'n' },
	{ "no-geoip", no_argument, NULL, 'G' },
	{ "bits", no_argument, NULL, 'b' },
	{ "interval", required_argument, NULL, 't' },
	{ "update", no_argument, NULL, 'u' },
	{ "version", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "output", required_argument, NULL, 'o' },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "conf-dir", required_argument, NULL, OPT_CONF_DIR },
	{ "geoip-dir", required_argument, NULL, OPT_GEOIP_DIR },
	{ "show-loopback", no_argument, NULL, OPT_SHOW_LOOPBACK },
	{ "track", no_argument, NULL, OPT_TRACK },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "linger", required_argument, NULL, OPT_LINGER },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "record-size", required_argument, NULL, OPT_RECORD_SIZE },
	{ "record-keep", required_argument, NULL, OPT_RECORD_KEEP },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "alert", required_argument, NULL, OPT_ALERT },
	{ "learn", required_argument, NULL, OPT_LEARN },
	{ "baseline-size", required_argument, NULL, OPT_BASELINE_SIZE },
	{ "baseline-expire", required_argument, NULL, OPT_BASELINE_EXPIRE },
	{ "ipfix", required_argument, NULL, OPT_IPFIX },
	{ "ipfix-active", required_argument, NULL, OPT_IPFIX_ACTIVE },
	{ "ipfix-idle", required_argument, NULL, OPT_IPFIX_IDLE },
	{ NULL, 0, NULL, 0 },
};

const struct option *options_long_table(void)
{
	return long_opts;
}

const char *options_short_table(void)
{
	return short_opts;
}

/* Selection letters and the bits they set. */
static const struct {
	int opt;
	uint32_t bit;
} sel_opts[] = {
	{ '4', SEL_IPV4 }, { '6', SEL_IPV6 }, { 'T', SEL_TCP }, { 'U', SEL_UDP },
	{ 'D', SEL_DCCP }, { 'I', SEL_ICMP }, { 'S', SEL_SCTP },
};

/* DB-IP's licence (CC BY 4.0) asks for this where its data is shown. */
static const char options_attribution[] =
"GeoIP data, when from DB-IP's free databases: IP Geolocation by DB-IP\n"
"(https://db-ip.com), licensed under CC BY 4.0.\n";

void options_usage(FILE *out)
{
	fprintf(out,
"Usage: flowtop [options]\n"
"Show the kernel's connection tracking table, top-like.\n"
"\n"
"Selection (default -46T):\n"
"  -4, --ipv4            IPv4 flows\n"
"  -6, --ipv6            IPv6 flows\n"
"  -T, --tcp             TCP flows\n"
"  -U, --udp             UDP and UDP-Lite flows\n"
"  -D, --dccp            DCCP flows\n"
"  -I, --icmp            ICMP and ICMPv6 flows\n"
"  -S, --sctp            SCTP flows\n"
"      --show-loopback   also flows with a loopback address at either end\n"
"      --track           make the kernel track flows for this run (adds an\n"
"                        nftables table of its own, removed at exit)\n"
"      --netns NS        watch network namespace NS's own table (an ip netns\n"
"                        NAME, a PATH, or pid:PID); root only\n"
"Display:\n"
"  -s, --show-src        show source ports\n"
"  -n, --no-dns          no reverse DNS lookups\n"
"  -G, --no-geoip        no GeoIP lookups\n"
"  -b, --bits            rates in bits per second, not bytes\n"
"  -t, --interval SEC    refresh interval in seconds (default 1)\n"
"      --linger SEC      keep closed flows on the screen, dimmed (default 5; 0 off)\n"
"Batch mode:\n"
"      --once            print one snapshot after one interval and exit\n"
"      --count N         print N snapshots, one interval apart\n"
"  -o, --output FORMAT   text (default), json (one JSON object per flow per\n"
"                        line), or none (print nothing, as a service with\n"
"                        any of --record, --alert, --learn, --ipfix)\n"
"Recording:\n"
"      --record FILE     write each flow's start, changes at the interval and\n"
"                        end to FILE as JSON Lines, beside the screen or batch\n"
"      --record-size SIZE  begin a new FILE past SIZE bytes (K, M, G;\n"
"                        default 64M), the old one kept as FILE.1\n"
"      --record-keep N   keep FILE.1 to FILE.N (default 5)\n"
"      --replay FILE     show a recording instead of the live table: the same\n"
"                        screen, with keys to pause, step and change the\n"
"                        speed; with -o, --once or --count, print its\n"
"                        snapshots; no privilege needed\n"
"First-seen alerts:\n"
"      --alert FILE      mark NEW, and log to syslog once, a flow to a\n"
"                        destination, country or AS its program (its unit, else\n"
"                        its executable) was not seen talking to before; FILE\n"
"                        is the baseline of what was seen, kept up to date\n"
"      --learn FILE      build the baseline FILE without alerting\n"
"      --baseline-size N  keep at most N entries, the least recently seen\n"
"                        going first (default 100000)\n"
"      --baseline-expire DAYS  forget an entry not seen for DAYS days\n"
"                        (default 90; 0 never)\n"
"Flow export:\n"
"      --ipfix URL       send each flow to an IPFIX collector as biflow\n"
"                        records, with its process, user, unit and container:\n"
"                        udp://HOST:PORT or tcp://HOST:PORT\n"
"      --ipfix-active SEC  a record for a flow still open every SEC seconds\n"
"                        (default 60)\n"
"      --ipfix-idle SEC  a record for a flow quiet for SEC seconds\n"
"                        (default 15); a closed flow gets its last record\n"
"                        at its end\n"
"Files:\n"
"      --conf-dir DIR    tcp.conf, udp.conf, geoip.conf (default " SYSCONFDIR ")\n"
"      --geoip-dir DIR   GeoIP databases\n"
"  -u, --update          update the GeoIP databases from the mirrors in\n"
"                        geoip.conf (and geoipupdate's /etc/GeoIP.conf) and\n"
"                        exit: 0 all updated or current, 1 none, 3 some\n"
"      --force           with -u: install a database older than the\n"
"                        installed one too\n"
"Other:\n"
"  -v, --version         print the version and exit\n"
"  -h, --help            print this help and exit\n"
"\n"
"Installed with 'make install', flowtop runs for root and the members of the\n"
"group flowtop (or of the group GROUP= named); anyone else gets 'Permission\n"
"denied'. Let a user in: sudo usermod -aG flowtop USER, then log in again.\n");
}

static enum opt_result opt_bad(const char *what, const char *arg)
{
	if (arg)
		fprintf(stderr, "flowtop: %s: '%s'\n", what, arg);
	else
		fprintf(stderr, "flowtop: %s\n", what);
	fprintf(stderr, "Try 'flowtop --help' for more information.\n");
	return OPT_USAGE;
}

/* Seconds with an optional fraction, min to 3600, as milliseconds. */
static int opt_seconds(const char *s, double min, uint32_t *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > 3600)
		return -1;
	*ms = (uint32_t)lround(v * 1000.0);
	return 0;
}

/* A whole number from min to max, digits only. */
static int opt_uint(const char *s, unsigned long min, unsigned long max,
		    uint32_t *n)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*n = (uint32_t)v;
	return 0;
}

static int opt_count(const char *s, uint32_t *n)
{
	return opt_uint(s, 1, 1000000000ul, n);
}

/* Whole days, 0 (never) to a hundred years. */
static int opt_days(const char *s, uint32_t *n)
{
	return opt_uint(s, 0, 36500, n);
}

/* --ipfix: the URL's form is checked now; the exporter resolves it. */
static enum opt_result opt_ipfix(struct options *o, const char *arg)
{
	struct ix_url u;
	const char *why;
	char msg[160];

	if (o->ipfix)
		return opt_bad("--ipfix takes one collector: give it once", NULL);
	if (ix_url_parse(arg, &u, &why) < 0) {
		snprintf(msg, sizeof(msg), "invalid --ipfix (udp://HOST:PORT or "
			 "tcp://HOST:PORT): %s", why);
		return opt_bad(msg, arg);
	}
	o->ipfix = arg;
	return OPT_RUN;
}

static uint32_t opt_sel_bit(int c)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(sel_opts); i++)
		if (sel_opts[i].opt == c)
			return sel_opts[i].bit;
	return 0;
}

static void opt_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->interval_ms = 1000;
	o->linger_ms = 5000;
	o->output = OUT_TEXT;
	o->conf_dir = SYSCONFDIR;
	o->record_size = 64ull << 20;
	o->record_keep = 5;
	o->baseline_max = OPT_BASELINE_MAX_DEFAULT;
	o->baseline_expire_days = OPT_BASELINE_EXPIRE_DEFAULT;
	o->ipfix_active_s = OPT_IPFIX_ACTIVE_DEFAULT;
	o->ipfix_idle_s = OPT_IPFIX_IDLE_DEFAULT;
}

/* A size in bytes with an optional K, M or G (powers of 1024), from 4K
 * (a line must fit) to 1024G. */
static int opt_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (*end || v > (1ull << 40) >> shift)
		return -1;
	v <<= shift;
	if (v < 4096)
		return -1;
	*out = v;
	return 0;
}

/* No family given: both; no protocol given: TCP, as upstream. */
#define SEL_PROTOS (SEL_TCP | SEL_UDP | SEL_DCCP | SEL_ICMP | SEL_SCTP)

/* A recording holds what its run selected: a replay shows all of it
 * unless told otherwise. */
static void opt_finish_sel(struct options *o)
{
	if (!(o->sel & (SEL_IPV4 | SEL_IPV6)))
		o->sel |= SEL_IPV4 | SEL_IPV6;
	if (!(o->sel & SEL_PROTOS))
		o->sel |= o->replay ? SEL_PROTOS | SEL_LOOPBACK : SEL_TCP;
}

static enum opt_result opt_one(struct options *o, int c, const char *arg)
{
	uint32_t bit = opt_sel_bit(c);

	if (bit) {
		o->sel |= bit;
		return OPT_RUN;
	}
	switch (c) {
	case 's': o->show_src = 1; break;
	case 'n': o->no_dns = 1; break;
	case 'G': o->no_geoip = 1; break;
	case 'b': o->bits = 1; break;
	case 'u': o->update = 1; break;
	case OPT_FORCE: o->force = 1; break;
	case OPT_SHOW_LOOPBACK: o->sel |= SEL_LOOPBACK; break;
	case OPT_TRACK: o->track = 1; break;
	case OPT_CONF_DIR: o->conf_dir = arg; break;
	case OPT_GEOIP_DIR: o->geoip_dir = arg; break;
	case 't':
		if (opt_seconds(arg, 0.1, &o->interval_ms) < 0)
			return opt_bad("invalid interval (seconds, 0.1 to 3600)", arg);
		break;
	case OPT_NETNS:
		if (options_netns_path(arg, o->netns_path,
				       sizeof(o->netns_path)) < 0)
			return opt_bad("invalid --netns (an ip netns NAME, a PATH "
				       "or pid:PID)", arg);
		o->netns = arg;
		break;
	case OPT_RECORD:
		if (!*arg)
			return opt_bad("invalid --record (a file name)", arg);
		o->record = arg;
		break;
	case OPT_REPLAY:
		if (!*arg)
			return opt_bad("invalid --replay (a file name)", arg);
		o->replay = arg;
		break;
	case OPT_ALERT:
	case OPT_LEARN:
		if (!*arg)
			return opt_bad(c == OPT_ALERT ? "invalid --alert (a file name)" :
				       "invalid --learn (a file name)", arg);
		if (o->baseline)
			return opt_bad("--alert and --learn take one baseline: give "
				       "one of them once", NULL);
		o->baseline = arg;
		o->alert = c == OPT_ALERT;
		break;
	case OPT_BASELINE_SIZE:
		if (opt_count(arg, &o->baseline_max) < 0 ||
		    o->baseline_max > OPT_BASELINE_MAX)
			return opt_bad("invalid --baseline-size (1 to 10000000)", arg);
		break;
	case OPT_BASELINE_EXPIRE:
		if (opt_days(arg, &o->baseline_expire_days) < 0)
			return opt_bad("invalid --baseline-expire (days, 0 to 36500)",
				       arg);
		break;
	case OPT_IPFIX:
		return opt_ipfix(o, arg);
	case OPT_IPFIX_ACTIVE:
	case OPT_IPFIX_IDLE:
		if (opt_uint(arg, 1, 3600, c == OPT_IPFIX_ACTIVE ?
			     &o->ipfix_active_s : &o->ipfix_idle_s) < 0)
			return opt_bad(c == OPT_IPFIX_ACTIVE ?
				       "invalid --ipfix-active (seconds, 1 to 3600)" :
				       "invalid --ipfix-idle (seconds, 1 to 3600)", arg);
		break;
	case OPT_RECORD_SIZE:
		if (opt_size(arg, &o->record_size) < 0)
			return opt_bad("invalid --record-size (4K to 1024G: a number "
				       "of bytes, or with K, M or G)", arg);
		break;
	case OPT_RECORD_KEEP:
		if (opt_count(arg, &o->record_keep) < 0 ||
		    o->record_keep > 1000)
			return opt_bad("invalid --record-keep (1 to 1000)", arg);
		break;
	case OPT_LINGER:
		if (opt_seconds(arg, 0, &o->linger_ms) < 0)
			return opt_bad("invalid --linger (seconds, 0 to 3600)", arg);
		break;
	case OPT_ONCE:
		o->batch = 1;
		o->count = 1;
		break;
	case OPT_COUNT:
		if (opt_count(arg, &o->count) < 0)
			return opt_bad("invalid --count (a positive integer)", arg);
		o->batch = 1;
		break;
	case 'o':
		if (strcmp(arg, "text") == 0)
			o->output = OUT_TEXT;
		else if (strcmp(arg, "json") == 0)
			o->output = OUT_JSON;
		else if (strcmp(arg, "none") == 0)
			o->output = OUT_NONE;
		else
			return opt_bad("invalid --output (text, json or none)", arg);
		o->batch = 1;
		break;
	case 'v':
		printf("flowtop %s\n%s", FLOWTOP_VERSION, options_attribution);
		return OPT_EXIT_OK;
	case 'h':
		options_usage(stdout);
		return OPT_EXIT_OK;
	default:
		/* getopt has already named the bad option. */
		return opt_bad("invalid usage", NULL);
	}
	return OPT_RUN;
}

int options_netns_path(const char *spec, char *out, size_t outsz)
{
	unsigned long pid;
	char *end;
	int n;

	if (!spec[0] || strcmp(spec, ".") == 0 || strcmp(spec, "..") == 0)
		return -1;
	if (strncmp(spec, "pid:", 4) == 0) {
		if (spec[4] < '1' || spec[4] > '9')
			return -1;
		errno = 0;
		pid = strtoul(spec + 4, &end, 10);
		if (*end || errno || pid > 4194304)
			return -1;
		n = snprintf(out, outsz, "/proc/%lu/ns/net", pid);
	} else if (strchr(spec, '/')) {
		n = snprintf(out, outsz, "%s", spec);
	} else {
		n = snprintf(out, outsz, "/run/netns/%s", spec);
	}
	return n > 0 && (size_t)n < outsz ? 0 : -1;
}

/* The resolver opens its files from inside an empty directory it has
 * moved into, so a relative directory is made absolute here, against the
 * directory flowtop was started in. */
static const char *opt_absolute(const char *dir, char *buf, size_t sz)
{
	char cwd[PATH_MAX];

	if (!dir || dir[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return dir;
	if ((size_t)snprintf(buf, sz, "%s/%s", cwd, dir) >= sz)
		return dir;
	return buf;
}

/* What only a live run can do. */
static int opt_replay_conflict(const struct options *o)
{
	return o->update || o->record || o->track || o->netns || o->baseline ||
	       o->ipfix;
}

/* What goes with --alert and --learn only, and what does not go with
 * them. */
static enum opt_result opt_check_baseline(const struct options *o)
{
	if (!o->baseline && (o->baseline_max != OPT_BASELINE_MAX_DEFAULT ||
			     o->baseline_expire_days !=
			     OPT_BASELINE_EXPIRE_DEFAULT))
		return opt_bad("--baseline-size and --baseline-expire go with "
			       "--alert or --learn", NULL);
	if (o->baseline && o->update)
		return opt_bad("--alert and --learn do not go with -u", NULL);
	return OPT_RUN;
}

/* What goes with --ipfix only, and what does not go with it. */
static enum opt_result opt_check_ipfix(const struct options *o)
{
	if (!o->ipfix && (o->ipfix_active_s != OPT_IPFIX_ACTIVE_DEFAULT ||
			  o->ipfix_idle_s != OPT_IPFIX_IDLE_DEFAULT))
		return opt_bad("--ipfix-active and --ipfix-idle go with --ipfix",
			       NULL);
	if (o->ipfix && o->update)
		return opt_bad("--ipfix does not go with -u", NULL);
	return OPT_RUN;
}

enum opt_result options_parse(struct options *o, int argc, char **argv)
{
	int c;

	opt_defaults(o);
	opterr = 1;
	optind = 0;   /* 0, not 1: glibc then also forgets a half-read -abc group */
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		enum opt_result r = opt_one(o, c, optarg);

		if (r != OPT_RUN)
			return r;
	}
	if (optind < argc)
		return opt_bad("unexpected argument", argv[optind]);
	if (o->output == OUT_NONE && !o->record && !o->baseline && !o->ipfix)
		return opt_bad("-o none prints nothing: use it with --record, "
			       "--alert, --learn or --ipfix", NULL);
	if (opt_check_baseline(o) != OPT_RUN || opt_check_ipfix(o) != OPT_RUN)
		return OPT_USAGE;
	if (!o->record && (o->record_size != 64ull << 20 || o->record_keep != 5))
		return opt_bad("--record-size and --record-keep go with --record",
			       NULL);
	if (o->record && o->update)
		return opt_bad("--record does not go with -u", NULL);
	if (o->replay && opt_replay_conflict(o))
		return opt_bad("--replay shows a recording: it does not go with "
			       "-u, --record, --track, --netns, --alert, --learn or "
			       "--ipfix",
			       NULL);
	opt_finish_sel(o);
	o->conf_dir = opt_absolute(o->conf_dir, o->conf_dir_buf,
				   sizeof(o->conf_dir_buf));
	o->geoip_dir = opt_absolute(o->geoip_dir, o->geoip_dir_buf,
				    sizeof(o->geoip_dir_buf));
	return OPT_RUN;
}
