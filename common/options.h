/* SPDX-License-Identifier: GPL-2.0-only */
/* options: the command line, parsed once in the collector before any fork. */
#ifndef FLOWTOP_OPTIONS_H
#define FLOWTOP_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

/* Selection bits (-46TUDIS, --show-loopback): the collector filters by
 * them and the ui sends new ones in MSG_CTL_FILTER. */
enum flow_sel {
	SEL_IPV4 = 1u << 0,
	SEL_IPV6 = 1u << 1,
	SEL_TCP = 1u << 2,
	SEL_UDP = 1u << 3,     /* UDP and UDP-Lite */
	SEL_DCCP = 1u << 4,
	SEL_ICMP = 1u << 5,    /* ICMP and ICMPv6 */
	SEL_SCTP = 1u << 6,
	SEL_LOOPBACK = 1u << 7,
	SEL_ALL = (1u << 8) - 1,
};

enum out_format { OUT_TEXT, OUT_JSON, OUT_NONE };

#define OPT_BASELINE_MAX_DEFAULT 100000u
#define OPT_BASELINE_MAX 10000000u
#define OPT_BASELINE_EXPIRE_DEFAULT 90u
#define OPT_IPFIX_ACTIVE_DEFAULT 60u
#define OPT_IPFIX_IDLE_DEFAULT 15u

struct options {
	uint32_t sel;           /* enum flow_sel bits */
	uint32_t interval_ms;   /* -t, default 1000 */
	uint32_t linger_ms;     /* --linger: closed flows stay shown, default 5000 */
	int show_src;           /* -s */
	int no_dns;             /* -n */
	int no_geoip;           /* -G */
	int bits;               /* -b */
	int update;             /* -u */
	int track;              /* --track */
	int force;              /* --force: -u installs an older build too */
	int batch;              /* --once or --count given */
	uint32_t count;         /* snapshots to print in batch mode; 0 = forever */
	enum out_format output; /* -o */
	const char *conf_dir;   /* --conf-dir */
	const char *geoip_dir;  /* --geoip-dir, NULL: the default directories */
	const char *netns;      /* --netns NAME|PATH|pid:PID, NULL: this one */
	const char *record;     /* --record FILE, NULL: none */
	uint64_t record_size;   /* --record-size: rotate past this, bytes */
	uint32_t record_keep;   /* --record-keep: FILE.1 .. FILE.N kept */
	const char *replay;     /* --replay FILE, NULL: the live table */
	const char *baseline;   /* --alert or --learn FILE, NULL: neither */
	int alert;              /* --alert (mark and log what is new), else
				 * --learn (only add it to the baseline) */
	uint32_t baseline_max;  /* --baseline-size: entries kept */
	uint32_t baseline_expire_days; /* --baseline-expire, 0: never */
	const char *ipfix;      /* --ipfix URL (its form checked), NULL: none */
	uint32_t ipfix_active_s;  /* --ipfix-active: a long flow's record
				   * every so many seconds */
	uint32_t ipfix_idle_s;  /* --ipfix-idle: a quiet flow's record */
	char netns_path[4096];  /* the file --netns names (options_netns_path) */
	char conf_dir_buf[4096];  /* storage when a relative dir is made absolute */
	char geoip_dir_buf[4096];
};

enum opt_result { OPT_RUN, OPT_EXIT_OK, OPT_USAGE };

/* Parse argv into *o. OPT_USAGE: a one-line reason was printed to stderr
 * (caller exits 2). OPT_EXIT_OK: --help or --version was printed. */
enum opt_result options_parse(struct options *o, int argc, char **argv);

void options_usage(FILE *out);

/* The file a --netns argument names: NAME under /run/netns (no '/', not
 * "." or ".."), a PATH (any argument with a '/'), or pid:PID's
 * /proc/PID/ns/net (PID 1 to 4194304). 0, or -1 for none of these. */
int options_netns_path(const char *spec, char *out, size_t outsz);

struct option;
/* The getopt tables, for the test that holds --help and the man page to
 * them. */
const struct option *options_long_table(void);
const char *options_short_table(void);

#endif
