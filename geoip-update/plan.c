/* SPDX-License-Identifier: GPL-2.0-only */
/* plan: databases and the URLs to try for each. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "geoip-update/plan.h"

/* The Makefile's GEOIPDIR. */
#ifndef GEOIPDIR
#define GEOIPDIR "/var/lib/GeoIP"
#endif
#define GU_DEFAULT_DIR GEOIPDIR

static const struct {
	const char *word;
	enum gu_kind kind;
} kind_words[] = {
	{ "city", GU_KIND_CITY }, { "country", GU_KIND_COUNTRY },
	{ "asn", GU_KIND_ASN }, { "isp", GU_KIND_ASN },
};

/* The plain layout's names, most compact first. */
static const char *const plain_suffixes[] = { ".mmdb.gz", ".tar.gz", ".mmdb" };

enum gu_kind gu_kind_of(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(kind_words); i++)
		if (strcasestr(name, kind_words[i].word))
			return kind_words[i].kind;
	return 0;
}

void gu_month(time_t now, unsigned back, char out[8])
{
	struct tm tm;
	int y, m;

	memset(&tm, 0, sizeof(tm));
	gmtime_r(&now, &tm);
	y = tm.tm_year + 1900;
	m = tm.tm_mon - (int)back;
	while (m < 0) {
		m += 12;
		y--;
	}
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%04d-%02d", y % 10000, m % 12 + 1);
	memcpy(out, tmp, 7);
	out[7] = '\0';
}

static struct gu_db *plan_db(struct gu_plan *p, const char *name, char *err,
			     size_t errlen)
{
	struct gu_db *d;

	for (size_t i = 0; i < p->ndbs; i++)
		if (strcmp(p->db[i].name, name) == 0)
			return &p->db[i];
	if (!gu_kind_of(name)) {
		snprintf(err, errlen, "database %s: its name must say what it "
			 "holds (city, country or asn)", name);
		return NULL;
	}
	d = &p->db[p->ndbs++];
	memset(d, 0, sizeof(*d));
	memcpy(d->name, name, strnlen(name, sizeof(d->name) - 1));
	d->kind = gu_kind_of(name);
	return d;
}

/* Add one candidate; a URL that does not fit is an error, not cut short.
 * n is what snprintf returned when making url. */
static int plan_add(struct gu_db *d, unsigned mirror, int auth, int sig,
		    const char *url, int n, char *err, size_t errlen)
{
	struct gu_cand *k;

	if (d->ncand == GU_MAX_CANDS) {
		snprintf(err, errlen, "database %s: too many sources", d->name);
		return -1;
	}
	k = &d->cand[d->ncand];
	if (n < 0 || (size_t)n >= sizeof(k->url) ||
	    (size_t)snprintf(k->sha_url, sizeof(k->sha_url), "%s.sha256", url) >=
	    sizeof(k->sha_url) ||
	    (size_t)snprintf(k->sig_url, sizeof(k->sig_url), "%s.minisig", url) >=
	    sizeof(k->sig_url)) {
		snprintf(err, errlen, "database %s: URL too long", d->name);
		return -1;
	}
	memcpy(k->url, url, (size_t)n + 1);
	if (!sig)
		k->sig_url[0] = '\0';
	k->mirror = mirror;
	k->auth = auth;
	d->ncand++;
	return 0;
}

static int plan_mirror(struct gu_db *d, const struct gu_conf *c, unsigned mi,
		       time_t now, char *err, size_t errlen)
{
	const char *base = c->mirror[mi];
	char url[GU_URL_MAX + 1];
	int rc = 0, n;

	if (c->layout == GU_LAYOUT_DBIP) {
		for (unsigned back = 0; back < 2 && rc == 0; back++) {
			char month[8];

			gu_month(now, back, month);
			n = snprintf(url, sizeof(url), "%s%s-%s.mmdb.gz", base,
				     d->name, month);
			rc = plan_add(d, mi + 1, 0, c->has_pubkey, url, n, err,
				      errlen);
		}
		return rc;
	}
	for (size_t i = 0; i < ARRAY_LEN(plain_suffixes) && rc == 0; i++) {
		n = snprintf(url, sizeof(url), "%s%s%s", base, d->name,
			     plain_suffixes[i]);
		rc = plan_add(d, mi + 1, 0, c->has_pubkey, url, n, err, errlen);
	}
	return rc;
}

static int plan_account(struct gu_plan *p, const struct gu_mm *mm, char *err,
			size_t errlen)
{
	if ((size_t)snprintf(p->auth, sizeof(p->auth), "%s:%s", mm->account,
			     mm->key) >= sizeof(p->auth)) {
		snprintf(err, errlen, "AccountID and LicenseKey too long");
		return -1;
	}
	for (size_t i = 0; i < mm->neditions; i++) {
		struct gu_db *d = plan_db(p, mm->edition[i], err, errlen);
		char url[GU_URL_MAX + 1];
		int n;

		/* Mirror 0 is the account's Host. The checksum is the same
		 * URL with suffix=tar.gz.sha256, as MaxMind serves it. */
		n = snprintf(url, sizeof(url),
			     "%s/geoip/databases/%s/download?suffix=tar.gz",
			     mm->base, mm->edition[i]);
		if (!d || plan_add(d, 0, 1, 0, url, n, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static void plan_dir(struct gu_plan *p, const struct gu_conf *c,
		     const struct gu_mm *mm, const char *dir_opt)
{
	const char *dir = GU_DEFAULT_DIR;

	if (dir_opt)
		dir = dir_opt;
	else if (c->dir[0])
		dir = c->dir;
	else if (mm && mm->dir[0])
		dir = mm->dir;
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
}

int gu_plan_make(struct gu_plan *p, const struct gu_conf *c,
		 const struct gu_mm *mm, const char *dir_opt, time_t now,
		 char *err, size_t errlen)
{
	const char *names[GU_MAX_DBS];
	size_t n;

	memset(p, 0, sizeof(*p));
	plan_dir(p, c, mm, dir_opt);
	if (mm && gu_mm_usable(mm) && plan_account(p, mm, err, errlen) < 0)
		return -1;
	/* With an account and no mirror of its own, geoip.conf's default
	 * names would have nowhere to come from: only the editions count. */
	if (c->nmirrors == 0 && p->ndbs)
		return 0;
	n = gu_conf_dbs(c, names);
	for (size_t i = 0; i < n; i++) {
		struct gu_db *d = plan_db(p, names[i], err, errlen);

		if (!d)
			return -1;
		for (unsigned m = 0; m < c->nmirrors; m++)
			if (plan_mirror(d, c, m, now, err, errlen) < 0)
				return -1;
	}
	if (p->ndbs == 0 || c->nmirrors + (p->auth[0] != 0) == 0) {
		snprintf(err, errlen, "no mirror to update from: list one in "
			 "geoip.conf");
		return -1;
	}
	return 0;
}
