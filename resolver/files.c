/* SPDX-License-Identifier: GPL-2.0-only */
/* files: what the resolver reads from files, opened first and read only
 * once it is confined (see files.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privsep/testhook.h"
#include "resolver/files.h"
#include "resolver/geoip.h"
#include "resolver/services.h"

/* Where flowtop -u installs when neither --geoip-dir nor geoip.conf says
 * (the Makefile's GEOIPDIR). */
#ifndef GEOIPDIR
#define GEOIPDIR "/var/lib/GeoIP"
#endif

#define RES_FD_DIR "/proc/self/fd"
#define RES_ETC_SERVICES "/etc/services"

struct res_files {
	const char *dirs[3];       /* the GeoIP directories searched */
	const char *update_dir;    /* the one flowtop -u installs into */
	struct geo_pre *geo;       /* NULL with -G */
	const char *conf_dir;      /* NULL: no --conf-dir */
	int conf_fd[2];            /* tcp.conf, udp.conf, or -errno */
	int etc_fd;                /* /etc/services, or -errno */
	enum res_root root;
	struct ll_rule rules[RES_LL_FILES];
	size_t nrules;
};

struct res_files *res_files_open(const struct options *o)
{
	struct res_files *f = calloc(1, sizeof(*f));
	char *path;

	if (!f)
		return NULL;
	f->conf_dir = o->conf_dir;
	f->etc_fd = svc_open_file(RES_ETC_SERVICES);
	for (int i = 0; i < 2; i++) {
		f->conf_fd[i] = SVC_BY_PATH;
		if (!o->conf_dir)
			continue;
		if (asprintf(&path, "%s/%s", o->conf_dir,
			     i ? "udp.conf" : "tcp.conf") < 0) {
			res_files_free(f);
			return NULL;
		}
		f->conf_fd[i] = svc_open_file(path);
		free(path);
	}
	f->update_dir = o->geoip_dir ? o->geoip_dir : GEOIPDIR;
	f->dirs[0] = f->update_dir;
	f->dirs[1] = o->geoip_dir ? NULL : "/usr/share/GeoIP";
	if (!o->no_geoip && !(f->geo = geo_preopen(f->dirs))) {
		res_files_free(f);
		return NULL;
	}
	return f;
}

void res_files_free(struct res_files *f)
{
	if (!f)
		return;
	for (int i = 0; i < 2; i++)
		if (f->conf_fd[i] >= 0)
			close(f->conf_fd[i]);
	if (f->etc_fd >= 0)
		close(f->etc_fd);
	geo_pre_free(f->geo);
	free(f);
}

/* Stand in dir if this identity may read it and not write it: no one the
 * resolver talks to can then plant a file there. 1 if so; 0 with the
 * working directory unchanged. */
static int res_enter_geoip_dir(const char *dir)
{
	int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC), in;

	if (here < 0)
		return 0;
	in = chdir(dir) == 0;
	if (in && access(".", R_OK | X_OK) == 0 && access(".", W_OK) < 0) {
		close(here);
		return 1;
	}
	if (in && fchdir(here) < 0) {
		perror("flowtop: resolver: back to the empty directory");
		exit(1);
	}
	close(here);
	return 0;
}

/* A directory among the open descriptors would lead out of a root made
 * of them ("/N/.."): there must be none. */
static int res_no_open_dirs(char *err, size_t errlen)
{
	DIR *d = opendir(RES_FD_DIR);
	struct dirent *de;
	struct stat st;
	int bad = -1;

	if (!d) {
		snprintf(err, errlen, "%s: %s", RES_FD_DIR, strerror(errno));
		return -1;
	}
	while (bad < 0 && (de = readdir(d)) != NULL) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.' || fd == dirfd(d))
			continue;
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
			bad = fd;
	}
	closedir(d);
	if (bad >= 0)
		snprintf(err, errlen, "descriptor %d is a directory: no root "
			 "in %s", bad, RES_FD_DIR);
	return bad >= 0 ? -1 : 0;
}

static void res_file_rules(struct res_files *f)
{
	int fds[RES_LL_FILES];
	size_t n = geo_pre_files(f->geo, fds, RES_LL_FILES);

	for (size_t i = 0; i < n; i++)
		f->rules[i] = (struct ll_rule){ NULL, fds[i],
						LANDLOCK_ACCESS_FS_READ_FILE };
	f->nrules = n;
}

int res_files_place(struct res_files *f, char *err, size_t errlen)
{
	f->root = RES_ROOT_EMPTY;
	f->nrules = 0;
	if (!f->geo)
		return 0;
	if (geo_pre_only_in(f->geo, f->update_dir) &&
	    res_enter_geoip_dir(f->update_dir)) {
		f->root = RES_ROOT_GEOIP_DIR;
		f->rules[0] = (struct ll_rule){ "/", -1, LL_READ };
		f->nrules = 1;
		return 0;
	}
	geo_pre_reach(f->geo, RES_FD_DIR);
	if (!geo_pre_any(f->geo))
		return 0;
	res_file_rules(f);
	if (res_no_open_dirs(err, errlen) < 0)
		return -1;
	if (chdir(RES_FD_DIR) < 0) {
		snprintf(err, errlen, "%s: %s", RES_FD_DIR, strerror(errno));
		return -1;
	}
	f->root = RES_ROOT_FDS;
	return 0;
}

enum res_root res_files_root(const struct res_files *f)
{
	return f->root;
}

const char *res_files_update_dir(const struct res_files *f)
{
	return f->update_dir;
}

void res_files_ll_rules(const struct res_files *f, const struct ll_rule **rules,
			size_t *n)
{
	*rules = f->nrules ? f->rules : NULL;
	*n = f->nrules;
}

struct geo *res_files_geo(struct res_files *f, geo_report_fn report, void *ctx)
{
	if (!f->geo)
		return NULL;
	if (f->root == RES_ROOT_GEOIP_DIR) {
		testhook_parse("resolver", "GeoIP databases by name");
		return geo_open_watched(f->update_dir, "/", f->dirs, report, ctx);
	}
	testhook_parse("resolver", "GeoIP databases through descriptors");
	return geo_open_pre(f->geo, f->root == RES_ROOT_FDS ? "" : RES_FD_DIR,
			    report, ctx);
}

struct services *res_files_services(struct res_files *f, svc_report_fn report,
				    void *ctx)
{
	struct services *s;

	testhook_parse("resolver", "service files");
	s = svc_load_fds(f->conf_dir, f->conf_fd, RES_ETC_SERVICES, f->etc_fd,
			 report, ctx);
	/* taken by svc_load_fds */
	f->conf_fd[0] = f->conf_fd[1] = f->etc_fd = SVC_BY_PATH;
	return s;
}
