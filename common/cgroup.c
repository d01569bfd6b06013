/* SPDX-License-Identifier: GPL-2.0-only */
/* cgroup: a process's cgroup v2 path to its systemd unit and container.
 *
 * One pass over the path's components, root first, with two readers side
 * by side: the systemd one (slices, a unit, slices, a sub-unit) and the
 * container one (pods, then the outermost container). Every comparison is
 * on a (pointer, length) pair inside the caller's bytes; only the fields
 * of struct cgroup_info are written, each through cg_set, which never
 * writes past the field. The naming rules are the ones systemd, docker,
 * podman, containerd, CRI-O and the kubelet use for the cgroups they make
 * (see cgroup.h); no character class here depends on the locale.
 */
#include <stdio.h>
#include <string.h>

#include "common/cgroup.h"
#include "common/util.h"

/* One component of the path: bytes, not NUL-terminated. */
struct cg_name {
	const char *s;
	size_t n;
};

#define CG_ID_HEX 64               /* a container id in full */
#define CG_SLICE_SUFFIX ".slice"
#define CG_SLICE_SUFFIX_LEN (sizeof(CG_SLICE_SUFFIX) - 1)

/* Unit types that have a cgroup of their own; a slice only groups them.
 * (Targets, timers, paths, devices and automounts run no process.) */
static const char *const cg_leaf_types[] = {
	"service", "scope", "socket", "mount", "swap",
};

/* Container cgroup names: prefix, 64 lowercase hex digits, suffix. A
 * NULL runtime is conmon, the runtime's monitor process, outside the
 * container it watches. */
struct cg_pattern {
	const char *prefix;
	const char *suffix;
	const char *runtime;
};

static const struct cg_pattern cg_patterns[] = {
	{ "docker-", ".scope", "docker" },
	{ "libpod-", ".scope", "podman" },
	{ "libpod-", "", "podman" },             /* podman's cgroupfs manager */
	{ "libpod-conmon-", ".scope", NULL },
	{ "cri-containerd-", ".scope", "containerd" },
	{ "crio-", ".scope", "cri-o" },
	{ "crio-", "", "cri-o" },                /* CRI-O's cgroupfs manager */
	{ "crio-conmon-", ".scope", NULL },
	{ "crio-conmon-", "", NULL },
};

#define CG_RT_KUBERNETES "kubernetes"

static void cg_set(char *field, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(field, s, n);
	field[n] = '\0';
}

#define CG_SET(field, s, n) cg_set((field), sizeof(field), (s), (n))

static int cg_eq(struct cg_name c, const char *lit)
{
	size_t l = strlen(lit);

	return c.n == l && memcmp(c.s, lit, l) == 0;
}

static int cg_has_prefix(struct cg_name c, const char *lit)
{
	size_t l = strlen(lit);

	return c.n >= l && memcmp(c.s, lit, l) == 0;
}

static int cg_has_suffix(struct cg_name c, const char *lit)
{
	size_t l = strlen(lit);

	return c.n >= l && memcmp(c.s + c.n - l, lit, l) == 0;
}

/* Lowercase hex only: no runtime writes its ids in capitals. */
static int cg_is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* systemd's unit-name alphabet: ASCII letters, digits, ":-_.\" (escapes
 * such as \x2d are kept as written). '@' is checked by the caller. */
static int cg_unit_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == ':' || c == '-' || c == '_' ||
	       c == '.' || c == '\\';
}

enum cg_kind { CG_NONE, CG_SLICE, CG_LEAF };

/* Whether c is a unit name systemd would accept, and of which kind: a
 * slice (plain name, no '@', no leading, trailing or doubled '-' in its
 * prefix, since '-' separates the slice's ancestors) or a unit that
 * holds processes (name or name@instance, both non-empty). */
static enum cg_kind cg_unit_kind(struct cg_name c)
{
	size_t dot, at = 0;
	struct cg_name type;
	int slice, leaf = 0;

	if (c.n == 0 || c.n >= CGROUP_UNIT_LEN)
		return CG_NONE;
	for (dot = c.n; dot > 0 && c.s[dot - 1] != '.'; dot--)
		;
	if (dot < 2)
		return CG_NONE;         /* no '.', or nothing before it */
	dot--;
	type = (struct cg_name){ c.s + dot + 1, c.n - dot - 1 };
	slice = cg_eq(type, "slice");
	for (size_t i = 0; i < ARRAY_LEN(cg_leaf_types); i++)
		leaf |= cg_eq(type, cg_leaf_types[i]);
	if (!slice && !leaf)
		return CG_NONE;
	for (size_t i = 0; i < dot; i++) {
		if (c.s[i] == '@' && !at && !slice) {
			at = i;
			if (i == 0 || i + 1 == dot)
				return CG_NONE; /* no prefix, or a template */
		} else if (!cg_unit_char(c.s[i]) && !(c.s[i] == '@' && at)) {
			return CG_NONE;
		}
	}
	if (slice) {
		if (c.s[0] == '-' || c.s[dot - 1] == '-')
			return CG_NONE;
		for (size_t i = 1; i < dot; i++)
			if (c.s[i] == '-' && c.s[i - 1] == '-')
				return CG_NONE;
		return CG_SLICE;
	}
	return CG_LEAF;
}

/* Whether slice child sits where systemd puts it: below parent (n == 0:
 * the top of a manager's tree), named parent's prefix, '-', one word. */
static int cg_slice_child(struct cg_name parent, struct cg_name child)
{
	size_t cp = child.n - CG_SLICE_SUFFIX_LEN, pp, from = 0;

	if (parent.n) {
		pp = parent.n - CG_SLICE_SUFFIX_LEN;
		if (cp <= pp + 1 || memcmp(child.s, parent.s, pp) != 0 ||
		    child.s[pp] != '-')
			return 0;
		from = pp + 1;
	}
	return memchr(child.s + from, '-', cp - from) == NULL;
}

/* A pod UID as the kubelet writes it, with sep where the UID has '-':
 * a UUID (8-4-4-4-12 hex digits), or 32 hex digits (a static pod's,
 * an MD5). Copied to out with '-'. */
static int cg_pod_uid(const char *s, size_t n, char sep, char *out,
		      size_t outsz)
{
	char uid[CGROUP_POD_LEN];

	if (n == 32 && cg_is_hex(s, n)) {
		cg_set(out, outsz, s, n);
		return 1;
	}
	if (n != 36)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != sep : !cg_is_hex(s + i, 1))
			return 0;
		uid[i] = dash ? '-' : s[i];
	}
	cg_set(out, outsz, uid, n);
	return 1;
}

/* The kubelet's systemd driver names a pod's slice after its QoS class:
 * kubepods-pod<uid>.slice, kubepods-burstable-pod<uid>.slice (and
 * kubelet-kubepods-...-pod<uid>.slice in kind), '_' for the UID's '-'.
 * c is a valid slice name. */
static int cg_pod_slice(struct cg_name c, char *out, size_t outsz)
{
	size_t end = c.n - CG_SLICE_SUFFIX_LEN, word = 0;
	int kubepods = 0;

	for (size_t i = 0; i < end; i++) {
		if (c.s[i] != '-')
			continue;
		kubepods |= cg_eq((struct cg_name){ c.s + word, i - word },
				  "kubepods");
		word = i + 1;
	}
	if (!kubepods || end - word < 3 || memcmp(c.s + word, "pod", 3) != 0)
		return 0;
	return cg_pod_uid(c.s + word + 3, end - word - 3, '_', out, outsz);
}

/* A container's cgroup by name alone: the pattern it matches, or NULL. */
static const struct cg_pattern *cg_container(struct cg_name c)
{
	for (size_t i = 0; i < ARRAY_LEN(cg_patterns); i++) {
		const struct cg_pattern *p = &cg_patterns[i];
		size_t pl = strlen(p->prefix), sl = strlen(p->suffix);

		if (c.n == pl + CG_ID_HEX + sl && cg_has_prefix(c, p->prefix) &&
		    cg_has_suffix(c, p->suffix) && cg_is_hex(c.s + pl, CG_ID_HEX))
			return p;
	}
	return NULL;
}

/* The systemd reader: level 0 is the system manager's tree, level 1 the
 * tree delegated to the unit found there, 2 done. */
struct cg_systemd {
	int level;
	struct cg_name slice;       /* the current level's innermost slice */
	int ended_in_slice;         /* the last component read was a slice */
};

static void cg_systemd_step(struct cg_systemd *sd, struct cgroup_info *ci,
			    struct cg_name c)
{
	enum cg_kind kind;

	if (sd->level >= 2)
		return;
	kind = cg_unit_kind(c);
	sd->ended_in_slice = 0;
	if (kind == CG_SLICE && cg_slice_child(sd->slice, c)) {
		sd->slice = c;
		sd->ended_in_slice = 1;
		if (sd->level == 0)
			CG_SET(ci->slice, c.s, c.n);
	} else if (kind == CG_LEAF) {
		if (sd->level == 0)
			CG_SET(ci->unit, c.s, c.n);
		else
			CG_SET(ci->sub_unit, c.s, c.n);
		sd->level++;
		sd->slice = (struct cg_name){ NULL, 0 };
	} else {
		sd->level = 2;  /* not systemd's naming: stop reading */
	}
}

/* A path that ends in a slice: no unit holds the process, say the slice. */
static void cg_systemd_end(const struct cg_systemd *sd, struct cgroup_info *ci)
{
	if (!sd->ended_in_slice)
		return;
	if (sd->level == 0)
		CG_SET(ci->unit, sd->slice.s, sd->slice.n);
	else if (sd->level == 1)
		CG_SET(ci->sub_unit, sd->slice.s, sd->slice.n);
}

/* The container reader. */
struct cg_containers {
	int done;                   /* the outermost container was found */
	int kubepods;               /* below a cgroupfs "kubepods" directory */
	int pod_parent;             /* the previous component was a pod's */
	struct cg_name prev;        /* the previous component */
};

static void cg_set_container(struct cgroup_info *ci, const char *runtime,
			     const char *id)
{
	CG_SET(ci->runtime, runtime, strlen(runtime));
	CG_SET(ci->id, id, CGROUP_ID_LEN - 1);
}

static void cg_containers_step(struct cg_containers *ct,
			       struct cgroup_info *ci, struct cg_name c)
{
	const struct cg_pattern *p;
	int pod_parent = ct->pod_parent;

	if (ct->done)
		return;
	ct->pod_parent = 0;
	if ((p = cg_container(c))) {
		if (p->runtime)
			cg_set_container(ci, p->runtime, c.s + strlen(p->prefix));
		ct->done = 1;   /* conmon: not in a container, nor below */
	} else if (c.n == CG_ID_HEX && cg_is_hex(c.s, c.n) &&
		   (pod_parent || cg_eq(ct->prev, "docker"))) {
		cg_set_container(ci, pod_parent ? CG_RT_KUBERNETES : "docker", c.s);
		ct->done = 1;
	} else if (!ci->pod[0] && cg_unit_kind(c) == CG_SLICE &&
		   cg_pod_slice(c, ci->pod, sizeof(ci->pod))) {
		ct->pod_parent = 1;
	} else if (!ci->pod[0] && ct->kubepods && cg_has_prefix(c, "pod") &&
		   cg_pod_uid(c.s + 3, c.n - 3, '-', ci->pod, sizeof(ci->pod))) {
		ct->pod_parent = 1;
	} else if (cg_eq(c, "kubepods")) {
		ct->kubepods = 1;
	}
	ct->prev = c;
}

int cgroup_parse(struct cgroup_info *ci, const char *path, size_t len)
{
	struct cg_systemd sd = { 0 };
	struct cg_containers ct = { 0 };

	memset(ci, 0, sizeof(*ci));
	if (len == 0 || path[0] != '/' || memchr(path, '\0', len))
		return -1;
	/* Components: no empty one ("//", a trailing '/'), but "/" alone. */
	for (size_t i = 1; i < len; i++)
		if (path[i] == '/' && (path[i - 1] == '/' || i + 1 == len))
			return -1;
	CG_SET(ci->path, path, len);
	ci->path_cut = len >= sizeof(ci->path);

	for (size_t i = 1; i < len;) {
		const char *slash = memchr(path + i, '/', len - i);
		size_t end = slash ? (size_t)(slash - path) : len;
		struct cg_name c = { path + i, end - i };

		if (cg_eq(c, ".") || cg_eq(c, "..")) {
			/* Outside the reader's cgroup namespace: the names
			 * below are relative to a root we cannot see. */
			memset(ci, 0, sizeof(*ci));
			CG_SET(ci->path, path, len);
			ci->path_cut = len >= sizeof(ci->path);
			return 0;
		}
		cg_systemd_step(&sd, ci, c);
		cg_containers_step(&ct, ci, c);
		i = end + 1;
	}
	cg_systemd_end(&sd, ci);
	/* A pod and no container named below it (conmon is none). */
	if (ci->pod[0] && !ct.done)
		CG_SET(ci->runtime, CG_RT_KUBERNETES, strlen(CG_RT_KUBERNETES));
	return 0;
}

int cgroup_v2_path(const char *text, size_t len, const char **path,
		   size_t *plen, int *deleted)
{
	static const char gone[] = " (deleted)";
	const size_t gone_len = sizeof(gone) - 1;

	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t n = end - i;

		if (n >= 3 && memcmp(text + i, "0::", 3) == 0) {
			*path = text + i + 3;
			*plen = n - 3;
			if (deleted)
				*deleted = 0;
			if (*plen >= gone_len &&
			    memcmp(*path + *plen - gone_len, gone, gone_len) == 0) {
				*plen -= gone_len;
				if (deleted)
					*deleted = 1;
			}
			return 0;
		}
		i = end + 1;
	}
	return -1;
}

static size_t cg_text(char *out, size_t outsz, const char *a,
		      const char *sep, const char *b)
{
	int n;

	if (outsz == 0)
		return 0;
	if (!b[0])
		sep = "";
	n = snprintf(out, outsz, "%s%s%s", a, sep, b);
	if (n < 0) {
		out[0] = '\0';
		return 0;
	}
	return (size_t)n < outsz ? (size_t)n : outsz - 1;
}

size_t cgroup_unit_text(const struct cgroup_info *ci, char *out, size_t outsz)
{
	return cg_text(out, outsz, ci->unit, "/", ci->sub_unit);
}

size_t cgroup_container_text(const struct cgroup_info *ci, char *out,
			     size_t outsz)
{
	return cg_text(out, outsz, ci->runtime, ":", ci->id);
}
