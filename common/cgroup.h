/* SPDX-License-Identifier: GPL-2.0-only */
/* cgroup: what a process's cgroup v2 path says about it, for a person:
 * the systemd unit it runs in and, for a container, the runtime and a
 * short id. Pure: no file is read here; the caller hands over the text of
 * /proc/PID/cgroup (cgroup_v2_path) or the path itself (cgroup_parse).
 *
 * The path comes from the kernel, but its names below a delegated cgroup
 * (user@UID.service, a container's scope, a service with Delegate=yes)
 * are chosen by whoever owns that cgroup, so any process may have made
 * them up: any bytes but '/' and NUL (the kernel refuses '\n'), any
 * length. What is read from them is what the names say, no more; names
 * are kept as bytes (escaping for the terminal or JSON is the printer's
 * job), but a name with a byte outside systemd's unit-name alphabet is
 * never taken for a unit. Nothing here depends on the locale.
 *
 * How the path is read, from the root down:
 *   - systemd: slices (system.slice, user-1000.slice, each named after its
 *     parent as systemd names them), then a unit: the system manager's
 *     unit, `unit`. Below it, once more, slices then a unit: the unit of
 *     the manager the cgroup was delegated to, `sub_unit` (the app under
 *     user@1000.service, a container's own systemd service). Deeper
 *     levels are not read. A path that ends in a slice (no process lives
 *     there under systemd) gives that slice as the unit; a component that
 *     is neither a fitting slice nor a unit ends the systemd reading.
 *   - containers, the outermost match wins and ends the reading (what a
 *     container nests inside itself is its own business):
 *       docker-ID.scope                     docker (systemd driver)
 *       docker/ID                           docker (cgroupfs driver)
 *       libpod-ID.scope, libpod-ID          podman (systemd, cgroupfs)
 *       cri-containerd-ID.scope             containerd (CRI, systemd)
 *       crio-ID.scope, crio-ID              cri-o (systemd, cgroupfs)
 *       libpod-conmon-ID.scope, crio-conmon-ID(.scope)
 *                                           conmon, the runtime's monitor,
 *                                           which is not in the container:
 *                                           no container, reading ends
 *     where ID is 64 lowercase hex digits, nothing else.
 *   - Kubernetes pods: a slice ...-kubepods-...-pod<UID with '_' for
 *     '-'>.slice (systemd driver; kubepods-burstable-pod..., kubepods-
 *     pod... for guaranteed pods, kubelet-kubepods-... in kind), or a
 *     directory pod<UID> below a directory kubepods (cgroupfs driver),
 *     where UID is a UUID or 32 hex digits (a static pod's); a bare ID
 *     right below a cgroupfs pod directory is that pod's container, its
 *     runtime unnamed: "kubernetes". A pod with no container below it
 *     says runtime "kubernetes" too, but for its conmon, which says none.
 *   - a "." or ".." component (a process outside the reader's cgroup
 *     namespace), or "/" alone (the root, or a reader inside a nested
 *     namespace): nothing is said, only the path is kept.
 *
 * A process in a delegated subtree may name its own cgroups after any
 * unit or container: a user may make .../user@1000.service/docker-ID.scope
 * (rootless docker does just that). `unit` still says user@1000.service:
 * the host's own level is the one the owner cannot choose.
 */
#ifndef FLOWTOP_CGROUP_H
#define FLOWTOP_CGROUP_H

#include <stddef.h>

/* Field sizes, NUL included. A unit field holds any name systemd accepts
 * (UNIT_NAME_MAX, 255 bytes and the NUL), so a unit is never shown cut;
 * a longer name is no unit. The path keeps its first 511 bytes. */
#define CGROUP_PATH_LEN 512
#define CGROUP_UNIT_LEN 256
#define CGROUP_RUNTIME_LEN 12       /* "containerd", "kubernetes" */
#define CGROUP_ID_LEN 13            /* 12 hex digits, as `docker ps` */
#define CGROUP_POD_LEN 37           /* a UUID with its dashes */
/* Big enough for every cgroup_unit_text / cgroup_container_text. */
#define CGROUP_UNIT_TEXT_LEN (2 * CGROUP_UNIT_LEN)
#define CGROUP_CONTAINER_TEXT_LEN (CGROUP_RUNTIME_LEN + CGROUP_ID_LEN)

/* Every field a NUL-terminated string, "" when the path does not say. */
struct cgroup_info {
	char path[CGROUP_PATH_LEN];   /* the cgroup path, as bytes */
	char unit[CGROUP_UNIT_LEN];   /* the system manager's unit:
				       * nginx.service, session-3.scope,
				       * user@1000.service, init.scope */
	char sub_unit[CGROUP_UNIT_LEN]; /* the unit below it, in the subtree
				       * delegated to it: app-....scope,
				       * dbus.service under user@1000.service */
	char slice[CGROUP_UNIT_LEN];  /* the innermost slice holding `unit`
				       * (system.slice, user-1000.slice) */
	char runtime[CGROUP_RUNTIME_LEN]; /* docker, podman, containerd,
				       * cri-o, kubernetes */
	char id[CGROUP_ID_LEN];       /* the container id's first 12 hex
				       * digits; "" when only a pod is known */
	char pod[CGROUP_POD_LEN];     /* Kubernetes pod UID, with '-' */
	unsigned char path_cut;       /* path longer than the field: its
				       * first CGROUP_PATH_LEN - 1 bytes kept */
};

/* Find the cgroup v2 entry, the line "0::PATH", in text[0..len), the
 * contents of /proc/PID/cgroup (v1 lines "N:controllers:PATH" are passed
 * over; a last line without its '\n' counts as it is). On success points
 * *path into text, sets *plen, and strips the " (deleted)" the kernel
 * appends for a cgroup removed since (a zombie's), setting *deleted to
 * 1 then, else 0 (deleted may be NULL). Returns 0, or -1 when there is no
 * such line (cgroup v1 only, or not that file's text). */
int cgroup_v2_path(const char *text, size_t len, const char **path,
		   size_t *plen, int *deleted);

/* Read path[0..len) into *ci (every field set). Returns 0, or -1 when the
 * bytes cannot be a cgroup path as the kernel writes it (empty, no
 * leading '/', a NUL, an empty component); *ci is then all empty. */
int cgroup_parse(struct cgroup_info *ci, const char *path, size_t len);

/* The unit as one string for a column or JSON's "unit": the unit, or
 * "unit/sub_unit" when there is a sub-unit (user@1000.service/
 * app-firefox-1234.scope), "" for none. Written to out (size outsz,
 * NUL-terminated, cut when too small); returns the length written. */
size_t cgroup_unit_text(const struct cgroup_info *ci, char *out,
			size_t outsz);

/* The container as one string, JSON's "container": "docker:0123456789ab",
 * "kubernetes" for a pod whose container is not named, "" for none. As
 * cgroup_unit_text. */
size_t cgroup_container_text(const struct cgroup_info *ci, char *out,
			     size_t outsz);

#endif
