/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of common/cgroup.c: cgroup v2 paths to systemd units and
 * containers, on fabricated paths named as systemd, docker, podman,
 * containerd, CRI-O and the kubelet name theirs, and on hostile ones. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/cgroup.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID63 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"
#define ID12 "0123456789ab"
#define UID "3f6c1a2b-9d4e-4f70-8a1b-2c3d4e5f6a7b"
#define UID_ "3f6c1a2b_9d4e_4f70_8a1b_2c3d4e5f6a7b"
#define STATIC_UID "6c2f1e0d9a8b7c6d5e4f3a2b1c0d9e8f"

/* What a path should give; NULL fields are "". */
struct want {
	const char *unit, *sub_unit, *slice, *runtime, *id, *pod;
};

static void check_field(const char *got, const char *want, size_t size,
			const char *path, const char *name)
{
	if (!want)
		want = "";
	/* NUL-terminated inside the field, whatever else happened. */
	assert_non_null(memchr(got, '\0', size));
	if (strcmp(got, want) != 0)
		fail_msg("%s: %s is \"%s\", want \"%s\"", path, name, got, want);
}

static void check_info(const struct cgroup_info *ci, const char *path,
		       struct want w)
{
	check_field(ci->unit, w.unit, sizeof(ci->unit), path, "unit");
	check_field(ci->sub_unit, w.sub_unit, sizeof(ci->sub_unit), path, "sub_unit");
	check_field(ci->slice, w.slice, sizeof(ci->slice), path, "slice");
	check_field(ci->runtime, w.runtime, sizeof(ci->runtime), path, "runtime");
	check_field(ci->id, w.id, sizeof(ci->id), path, "id");
	check_field(ci->pod, w.pod, sizeof(ci->pod), path, "pod");
}

/* A path that parses: the fields as wanted, the path kept whole. */
static void check(const char *path, struct want w)
{
	struct cgroup_info ci;

	memset(&ci, 'Z', sizeof(ci));
	assert_int_equal(cgroup_parse(&ci, path, strlen(path)), 0);
	check_info(&ci, path, w);
	assert_string_equal(ci.path, path);
	assert_int_equal(ci.path_cut, 0);
}

/* A path that cannot be one: -1 and every field empty. */
static void check_bad(const char *path, size_t len)
{
	struct cgroup_info ci;

	memset(&ci, 'Z', sizeof(ci));
	assert_int_equal(cgroup_parse(&ci, path, len), -1);
	check_info(&ci, "(bad)", (struct want){ 0 });
	assert_string_equal(ci.path, "");
}

static void check_texts(const char *path, const char *unit,
			const char *container)
{
	struct cgroup_info ci;
	char out[CGROUP_UNIT_TEXT_LEN];

	assert_int_equal(cgroup_parse(&ci, path, strlen(path)), 0);
	assert_int_equal(cgroup_unit_text(&ci, out, sizeof(out)), strlen(unit));
	assert_string_equal(out, unit);
	assert_int_equal(cgroup_container_text(&ci, out, CGROUP_CONTAINER_TEXT_LEN),
			 strlen(container));
	assert_string_equal(out, container);
}

static void test_system_units(void **state)
{
	(void)state;
	check("/system.slice/nginx.service",
	      (struct want){ .unit = "nginx.service", .slice = "system.slice" });
	check("/system.slice/system-getty.slice/getty@tty1.service",
	      (struct want){ .unit = "getty@tty1.service",
			     .slice = "system-getty.slice" });
	/* systemd's escapes stay as written; '-' in a word is \x2d. */
	check("/system.slice/system-systemd\\x2dfsck.slice/"
	      "systemd-fsck@dev-disk-by\\x2duuid-1234.service",
	      (struct want){ .unit = "systemd-fsck@dev-disk-by\\x2duuid-1234.service",
			     .slice = "system-systemd\\x2dfsck.slice" });
	check("/system.slice/cups.socket",
	      (struct want){ .unit = "cups.socket", .slice = "system.slice" });
	check("/system.slice/home.mount",
	      (struct want){ .unit = "home.mount", .slice = "system.slice" });
	check("/system.slice/dev-sda2.swap",
	      (struct want){ .unit = "dev-sda2.swap", .slice = "system.slice" });
	/* Deeper slices, each named after its parent. */
	check("/a.slice/a-b.slice/a-b-c.slice/x.service",
	      (struct want){ .unit = "x.service", .slice = "a-b-c.slice" });
	/* PID 1 and the root. */
	check("/init.scope", (struct want){ .unit = "init.scope" });
	check("/", (struct want){ 0 });
	/* A slice holds no process under systemd: said only when nothing
	 * else is. */
	check("/system.slice",
	      (struct want){ .unit = "system.slice", .slice = "system.slice" });
	check("/user.slice/user-1000.slice",
	      (struct want){ .unit = "user-1000.slice", .slice = "user-1000.slice" });
	/* A service's own sub-cgroups are not units: the service stays. */
	check("/system.slice/foo.service/worker/bar.service",
	      (struct want){ .unit = "foo.service", .slice = "system.slice" });
	/* Not systemd's tree at all. */
	check("/mygroup/x.service", (struct want){ 0 });
	check("/lxc.payload.web/init.scope", (struct want){ 0 });
}

static void test_sessions(void **state)
{
	(void)state;
	check("/user.slice/user-1000.slice/session-3.scope",
	      (struct want){ .unit = "session-3.scope", .slice = "user-1000.slice" });
	check("/user.slice/user-0.slice/session-c12.scope",
	      (struct want){ .unit = "session-c12.scope", .slice = "user-0.slice" });
}

static void test_user_manager(void **state)
{
	(void)state;
	check("/user.slice/user-1000.slice/user@1000.service/app.slice/"
	      "app-org.gnome.Terminal.slice/"
	      "vte-spawn-0b7e5a8c-1f7d-4c1e-9d1a-2f3b4c5d6e7f.scope",
	      (struct want){ .unit = "user@1000.service",
			     .sub_unit = "vte-spawn-0b7e5a8c-1f7d-4c1e-9d1a-2f3b4c5d6e7f.scope",
			     .slice = "user-1000.slice" });
	check("/user.slice/user-1000.slice/user@1000.service/app.slice/dbus.service",
	      (struct want){ .unit = "user@1000.service", .sub_unit = "dbus.service",
			     .slice = "user-1000.slice" });
	check("/user.slice/user-1000.slice/user@1000.service/init.scope",
	      (struct want){ .unit = "user@1000.service", .sub_unit = "init.scope",
			     .slice = "user-1000.slice" });
	check("/user.slice/user-1000.slice/user@1000.service/app.slice/"
	      "app-gnome-firefox@1234.scope",
	      (struct want){ .unit = "user@1000.service",
			     .sub_unit = "app-gnome-firefox@1234.scope",
			     .slice = "user-1000.slice" });
	/* The user manager's tree ends in a slice. */
	check("/user.slice/user-1000.slice/user@1000.service/app.slice",
	      (struct want){ .unit = "user@1000.service", .sub_unit = "app.slice",
			     .slice = "user-1000.slice" });
	/* Its own slices start afresh: app.slice, not user-1000-app.slice;
	 * one not named after its parent ends the reading. */
	check("/user.slice/user-1000.slice/user@1000.service/app.slice/"
	      "session-x.slice/foo.scope",
	      (struct want){ .unit = "user@1000.service", .slice = "user-1000.slice" });
	/* Deeper levels are not read. */
	check("/user.slice/user-1000.slice/user@1000.service/app.slice/a.service/"
	      "b.service",
	      (struct want){ .unit = "user@1000.service", .sub_unit = "a.service",
			     .slice = "user-1000.slice" });
	check_texts("/user.slice/user-1000.slice/user@1000.service/app.slice/dbus.service",
		    "user@1000.service/dbus.service", "");
	check_texts("/system.slice/nginx.service", "nginx.service", "");
	check_texts("/", "", "");
}

static void test_docker(void **state)
{
	(void)state;
	check("/docker/" ID64,
	      (struct want){ .runtime = "docker", .id = ID12 });
	check("/system.slice/docker-" ID64 ".scope",
	      (struct want){ .unit = "docker-" ID64 ".scope", .slice = "system.slice",
			     .runtime = "docker", .id = ID12 });
	/* A container running its own systemd: its unit below the scope. */
	check("/system.slice/docker-" ID64 ".scope/system.slice/nginx.service",
	      (struct want){ .unit = "docker-" ID64 ".scope", .sub_unit = "nginx.service",
			     .slice = "system.slice", .runtime = "docker", .id = ID12 });
	/* Rootless docker, under the user's manager. */
	check("/user.slice/user-1000.slice/user@1000.service/user.slice/docker-"
	      ID64 ".scope",
	      (struct want){ .unit = "user@1000.service", .sub_unit = "docker-" ID64 ".scope",
			     .slice = "user-1000.slice", .runtime = "docker", .id = ID12 });
	/* Nested: the outermost container is the one named. */
	check("/docker/" ID64 "/docker/fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
	      (struct want){ .runtime = "docker", .id = ID12 });
	check_texts("/docker/" ID64, "", "docker:" ID12);
	/* A bare id not below "docker" is nobody's. */
	check("/" ID64, (struct want){ 0 });
	check("/dockerd/" ID64, (struct want){ 0 });
}

static void test_podman(void **state)
{
	(void)state;
	check("/machine.slice/libpod-" ID64 ".scope",
	      (struct want){ .unit = "libpod-" ID64 ".scope", .slice = "machine.slice",
			     .runtime = "podman", .id = ID12 });
	/* conmon watches the container from outside it. */
	check("/machine.slice/libpod-conmon-" ID64 ".scope",
	      (struct want){ .unit = "libpod-conmon-" ID64 ".scope",
			     .slice = "machine.slice" });
	check_texts("/machine.slice/libpod-conmon-" ID64 ".scope",
		    "libpod-conmon-" ID64 ".scope", "");
	/* Rootless. */
	check("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-"
	      ID64 ".scope",
	      (struct want){ .unit = "user@1000.service", .sub_unit = "libpod-" ID64 ".scope",
			     .slice = "user-1000.slice", .runtime = "podman", .id = ID12 });
	/* The "container" sub-cgroup (a container with systemd, --cgroups=split). */
	check("/machine.slice/libpod-" ID64 ".scope/container",
	      (struct want){ .unit = "libpod-" ID64 ".scope", .slice = "machine.slice",
			     .runtime = "podman", .id = ID12 });
	/* A pod's slice. */
	check("/machine.slice/machine-libpod_pod_fedcba9876543210fedcba9876543210fedcba"
	      "9876543210fedcba9876543210.slice/libpod-" ID64 ".scope",
	      (struct want){ .unit = "libpod-" ID64 ".scope",
			     .slice = "machine-libpod_pod_fedcba9876543210fedcba9876543210"
				      "fedcba9876543210fedcba9876543210.slice",
			     .runtime = "podman", .id = ID12 });
	/* The cgroupfs manager. */
	check("/libpod_parent/libpod-" ID64,
	      (struct want){ .runtime = "podman", .id = ID12 });
	check_texts("/machine.slice/libpod-" ID64 ".scope",
		    "libpod-" ID64 ".scope", "podman:" ID12);
}

static void test_kubernetes_systemd(void **state)
{
	(void)state;
	check("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
	      UID_ ".slice/cri-containerd-" ID64 ".scope",
	      (struct want){ .unit = "cri-containerd-" ID64 ".scope",
			     .slice = "kubepods-burstable-pod" UID_ ".slice",
			     .runtime = "containerd", .id = ID12, .pod = UID });
	check("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
	      UID_ ".slice/cri-containerd-" ID64 ".scope",
	      (struct want){ .unit = "cri-containerd-" ID64 ".scope",
			     .slice = "kubepods-besteffort-pod" UID_ ".slice",
			     .runtime = "containerd", .id = ID12, .pod = UID });
	/* Guaranteed pods sit right in kubepods.slice. */
	check("/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID64 ".scope",
	      (struct want){ .unit = "cri-containerd-" ID64 ".scope",
			     .slice = "kubepods-pod" UID_ ".slice",
			     .runtime = "containerd", .id = ID12, .pod = UID });
	/* CRI-O, its conmon, and cri-dockerd. */
	check("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
	      UID_ ".slice/crio-" ID64 ".scope",
	      (struct want){ .unit = "crio-" ID64 ".scope",
			     .slice = "kubepods-burstable-pod" UID_ ".slice",
			     .runtime = "cri-o", .id = ID12, .pod = UID });
	check("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
	      UID_ ".slice/crio-conmon-" ID64 ".scope",
	      (struct want){ .unit = "crio-conmon-" ID64 ".scope",
			     .slice = "kubepods-burstable-pod" UID_ ".slice", .pod = UID });
	check("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
	      UID_ ".slice/docker-" ID64 ".scope",
	      (struct want){ .unit = "docker-" ID64 ".scope",
			     .slice = "kubepods-burstable-pod" UID_ ".slice",
			     .runtime = "docker", .id = ID12, .pod = UID });
	/* A static pod's UID is 32 hex digits. */
	check("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
	      STATIC_UID ".slice/cri-containerd-" ID64 ".scope",
	      (struct want){ .unit = "cri-containerd-" ID64 ".scope",
			     .slice = "kubepods-burstable-pod" STATIC_UID ".slice",
			     .runtime = "containerd", .id = ID12, .pod = STATIC_UID });
	/* The pod's slice alone. */
	check("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
	      UID_ ".slice",
	      (struct want){ .unit = "kubepods-burstable-pod" UID_ ".slice",
			     .slice = "kubepods-burstable-pod" UID_ ".slice",
			     .runtime = "kubernetes", .pod = UID });
	/* kind: Kubernetes inside a docker container; the outer one is named. */
	check("/system.slice/docker-" ID64 ".scope/kubelet.slice/kubelet-kubepods.slice/"
	      "kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod"
	      UID_ ".slice/cri-containerd-fedcba9876543210fedcba9876543210fedcba9876543210"
	      "fedcba9876543210.scope",
	      (struct want){ .unit = "docker-" ID64 ".scope",
			     .sub_unit = "cri-containerd-fedcba9876543210fedcba9876543210"
					 "fedcba9876543210fedcba9876543210.scope",
			     .slice = "system.slice", .runtime = "docker", .id = ID12 });
	/* Not a pod: no kubepods word, a UID too short, '-' for '_', capitals. */
	check("/system.slice/system-pod" UID_ ".slice/x.service",
	      (struct want){ .unit = "x.service", .slice = "system-pod" UID_ ".slice" });
	check("/kubepods.slice/kubepods-pod3f6c1a2b_9d4e.slice",
	      (struct want){ .unit = "kubepods-pod3f6c1a2b_9d4e.slice",
			     .slice = "kubepods-pod3f6c1a2b_9d4e.slice" });
	check("/kubepods.slice/kubepods-pod3F6C1A2B_9d4e_4f70_8a1b_2c3d4e5f6a7b.slice",
	      (struct want){ .unit = "kubepods-pod3F6C1A2B_9d4e_4f70_8a1b_2c3d4e5f6a7b.slice",
			     .slice = "kubepods-pod3F6C1A2B_9d4e_4f70_8a1b_2c3d4e5f6a7b.slice" });
	check_texts("/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID64 ".scope",
		    "cri-containerd-" ID64 ".scope", "containerd:" ID12);
}

static void test_kubernetes_cgroupfs(void **state)
{
	(void)state;
	check("/kubepods/burstable/pod" UID "/" ID64,
	      (struct want){ .runtime = "kubernetes", .id = ID12, .pod = UID });
	check("/kubepods/besteffort/pod" UID "/" ID64,
	      (struct want){ .runtime = "kubernetes", .id = ID12, .pod = UID });
	check("/kubepods/pod" UID "/" ID64,
	      (struct want){ .runtime = "kubernetes", .id = ID12, .pod = UID });
	check("/kubepods/burstable/pod" UID "/crio-" ID64,
	      (struct want){ .runtime = "cri-o", .id = ID12, .pod = UID });
	check("/kubepods/burstable/pod" UID,
	      (struct want){ .runtime = "kubernetes", .pod = UID });
	check("/kubepods/burstable/pod" STATIC_UID "/" ID64,
	      (struct want){ .runtime = "kubernetes", .id = ID12, .pod = STATIC_UID });
	check_texts("/kubepods/burstable/pod" UID, "", "kubernetes");
	check_texts("/kubepods/pod" UID "/" ID64, "", "kubernetes:" ID12);
	/* A pod directory outside kubepods, a UID with '_', a short one. */
	check("/other/pod" UID "/" ID64, (struct want){ 0 });
	check("/kubepods/pod" UID_ "/" ID64, (struct want){ 0 });
	check("/kubepods/pod3f6c1a2b-9d4e/" ID64, (struct want){ 0 });
	/* The id must follow its pod directly. */
	check("/kubepods/pod" UID "/x/" ID64,
	      (struct want){ .runtime = "kubernetes", .pod = UID });
}

static void test_bad_ids(void **state)
{
	(void)state;
	/* 63 and 65 digits, capitals, a non-hex digit: valid unit names,
	 * no container. */
	check("/system.slice/docker-" ID63 ".scope",
	      (struct want){ .unit = "docker-" ID63 ".scope", .slice = "system.slice" });
	check("/system.slice/docker-" ID64 "0.scope",
	      (struct want){ .unit = "docker-" ID64 "0.scope", .slice = "system.slice" });
	check("/system.slice/docker-0123456789ABCDEF0123456789abcdef0123456789abcdef"
	      "0123456789abcdef.scope",
	      (struct want){ .unit = "docker-0123456789ABCDEF0123456789abcdef0123456789"
				     "abcdef0123456789abcdef.scope",
			     .slice = "system.slice" });
	check("/system.slice/docker-g123456789abcdef0123456789abcdef0123456789abcdef"
	      "0123456789abcdef.scope",
	      (struct want){ .unit = "docker-g123456789abcdef0123456789abcdef0123456789"
				     "abcdef0123456789abcdef.scope",
			     .slice = "system.slice" });
	check("/docker/" ID63, (struct want){ 0 });
	check("/docker/" ID64 "0", (struct want){ 0 });
	check("/docker/0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
	      (struct want){ 0 });
	/* Truncated ids and a missing suffix. */
	check("/docker/" ID12, (struct want){ 0 });
	check("/machine.slice/libpod-.scope",
	      (struct want){ .unit = "libpod-.scope", .slice = "machine.slice" });
	check("/system.slice/cri-containerd-" ID64,
	      (struct want){ .slice = "system.slice" });
	check("/system.slice/docker-" ID64 ".service",
	      (struct want){ .unit = "docker-" ID64 ".service", .slice = "system.slice" });
}

static void test_namespaces(void **state)
{
	(void)state;
	/* Outside the reader's cgroup namespace: only the path. */
	check("/../../system.slice/nginx.service", (struct want){ 0 });
	check("/..", (struct want){ 0 });
	check("/system.slice/../docker/" ID64, (struct want){ 0 });
	check("/./init.scope", (struct want){ 0 });
}

static void test_bad_paths(void **state)
{
	(void)state;
	check_bad("", 0);
	check_bad("system.slice/nginx.service", 26);
	check_bad("//", 2);
	check_bad("/system.slice//nginx.service", 28);
	check_bad("/system.slice/", 14);
	check_bad("/system.slice/nginx.service\0/x", 30);
	check_bad("\0/system.slice", 14);
	check_bad(" /init.scope", 12);
}

static void test_hostile_names(void **state)
{
	char name[300], path[400];
	struct cgroup_info ci;

	(void)state;
	/* Control bytes, spaces, UTF-8, '@' in a slice, a template, no
	 * prefix, no type, a type without a cgroup. */
	check("/system.slice/ngi\x1bnx.service", (struct want){ .slice = "system.slice" });
	check("/system.slice/ngi\nnx.service", (struct want){ .slice = "system.slice" });
	check("/system.slice/nginx .service", (struct want){ .slice = "system.slice" });
	check("/system.slice/ngi\xc3\xa9nx.service", (struct want){ .slice = "system.slice" });
	check("/system.slice/ngi\x7fnx.service", (struct want){ .slice = "system.slice" });
	check("/system.slice/a@b.slice/x.service", (struct want){ .slice = "system.slice" });
	check("/system.slice/getty@.service", (struct want){ .slice = "system.slice" });
	check("/system.slice/@tty1.service", (struct want){ .slice = "system.slice" });
	check("/system.slice/.service", (struct want){ .slice = "system.slice" });
	check("/system.slice/nginx", (struct want){ .slice = "system.slice" });
	check("/system.slice/service", (struct want){ .slice = "system.slice" });
	check("/system.slice/multi-user.target", (struct want){ .slice = "system.slice" });
	check("/system.slice/nginx.", (struct want){ .slice = "system.slice" });
	/* An instance may hold '@'. */
	check("/system.slice/a@b@c.service",
	      (struct want){ .unit = "a@b@c.service", .slice = "system.slice" });
	/* Slices not where systemd would put them. */
	check("/system.slice/user-1000.slice/session-3.scope",
	      (struct want){ .slice = "system.slice" });
	check("/user-1000.slice/session-3.scope", (struct want){ 0 });
	check("/-.slice/init.scope", (struct want){ 0 });
	check("/a-.slice/x.service", (struct want){ 0 });
	check("/a.slice/a--b.slice/x.service", (struct want){ .slice = "a.slice" });
	/* The longest name systemd allows is kept whole; one more byte and
	 * it is no unit. */
	memset(name, 'n', sizeof(name));
	memcpy(name + CGROUP_UNIT_LEN - 1 - 8, ".service", 9);
	snprintf(path, sizeof(path), "/system.slice/%s", name);
	check(path, (struct want){ .unit = name, .slice = "system.slice" });
	memset(name, 'n', sizeof(name));
	memcpy(name + CGROUP_UNIT_LEN - 8, ".service", 9);
	snprintf(path, sizeof(path), "/system.slice/%s", name);
	check(path, (struct want){ .slice = "system.slice" });
	/* A user's fake system unit stays under the user's manager. */
	snprintf(path, sizeof(path), "%s",
		 "/user.slice/user-1000.slice/user@1000.service/sshd.service");
	assert_int_equal(cgroup_parse(&ci, path, strlen(path)), 0);
	assert_string_equal(ci.unit, "user@1000.service");
	assert_string_equal(ci.sub_unit, "sshd.service");
}

/* A path longer than the field: its head kept, all of it read. */
static void test_long_paths(void **state)
{
	static char path[100000];
	size_t n = 0;
	struct cgroup_info ci;
	char out[CGROUP_UNIT_TEXT_LEN];

	(void)state;
	while (n < 5000) {
		memcpy(path + n, "/abcdefghijklmnopqrstuvwxyz", 27);
		n += 27;
	}
	memcpy(path + n, "/docker/" ID64, 8 + 64);
	n += 8 + 64;
	memset(&ci, 'Z', sizeof(ci));
	assert_int_equal(cgroup_parse(&ci, path, n), 0);
	assert_int_equal(ci.path_cut, 1);
	assert_int_equal(strlen(ci.path), CGROUP_PATH_LEN - 1);
	assert_memory_equal(ci.path, path, CGROUP_PATH_LEN - 1);
	check_info(&ci, "long", (struct want){ .runtime = "docker", .id = ID12 });

	/* Exactly the field, and one byte more. */
	memset(path, 'x', CGROUP_PATH_LEN);
	path[0] = '/';
	assert_int_equal(cgroup_parse(&ci, path, CGROUP_PATH_LEN - 1), 0);
	assert_int_equal(ci.path_cut, 0);
	assert_int_equal(strlen(ci.path), CGROUP_PATH_LEN - 1);
	assert_int_equal(cgroup_parse(&ci, path, CGROUP_PATH_LEN), 0);
	assert_int_equal(ci.path_cut, 1);

	/* One huge component (past any unit's length) and many short ones. */
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	memcpy(path + sizeof(path) - 8, ".service", 8);
	assert_int_equal(cgroup_parse(&ci, path, sizeof(path)), 0);
	check_info(&ci, "huge", (struct want){ 0 });
	for (size_t i = 0; i < sizeof(path); i += 2) {
		path[i] = '/';
		path[i + 1] = 'a';
	}
	assert_int_equal(cgroup_parse(&ci, path, sizeof(path)), 0);
	check_info(&ci, "many", (struct want){ 0 });

	/* The texts fit their sizes for the longest fields, and are cut,
	 * still terminated, in smaller buffers. */
	memset(&ci, 0, sizeof(ci));
	memset(ci.unit, 'u', sizeof(ci.unit) - 1);
	memset(ci.sub_unit, 's', sizeof(ci.sub_unit) - 1);
	memset(ci.runtime, 'r', sizeof(ci.runtime) - 1);
	memcpy(ci.id, ID12, 13);
	assert_int_equal(cgroup_unit_text(&ci, out, sizeof(out)), sizeof(out) - 1);
	assert_int_equal(out[CGROUP_UNIT_LEN - 1], '/');
	assert_int_equal(cgroup_container_text(&ci, out, CGROUP_CONTAINER_TEXT_LEN),
			 CGROUP_CONTAINER_TEXT_LEN - 1);
	assert_string_equal(out + CGROUP_RUNTIME_LEN - 1, ":" ID12);
	memcpy(ci.runtime, "kubernetes", 11);
	memset(out, 'Z', sizeof(out));
	assert_int_equal(cgroup_container_text(&ci, out, 5), 4);
	assert_string_equal(out, "kube");
	assert_int_equal(out[5], 'Z');
	assert_int_equal(cgroup_unit_text(&ci, out, 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(cgroup_unit_text(&ci, NULL, 0), 0);
}

static void check_v2(const char *text, size_t len, const char *want,
		     int want_deleted)
{
	const char *path = NULL;
	size_t plen = 0;
	int deleted = -1;

	if (!want) {
		assert_int_equal(cgroup_v2_path(text, len, &path, &plen, &deleted), -1);
		return;
	}
	assert_int_equal(cgroup_v2_path(text, len, &path, &plen, &deleted), 0);
	assert_true(path >= text && path + plen <= text + len);
	assert_int_equal(plen, strlen(want));
	assert_memory_equal(path, want, plen);
	assert_int_equal(deleted, want_deleted);
	/* deleted may be NULL. */
	assert_int_equal(cgroup_v2_path(text, len, &path, &plen, NULL), 0);
}

#define V2(text, want, del) check_v2(text, sizeof(text) - 1, want, del)

static void test_v2_line(void **state)
{
	(void)state;
	V2("0::/system.slice/nginx.service\n", "/system.slice/nginx.service", 0);
	V2("0::/init.scope", "/init.scope", 0);           /* no final '\n' */
	V2("0::/\n", "/", 0);
	/* Hybrid: v1 lines first, the v2 one among them. */
	V2("12:pids:/system.slice/nginx.service\n"
	   "11:memory:/system.slice/nginx.service\n"
	   "1:name=systemd:/system.slice/nginx.service\n"
	   "0::/system.slice/nginx.service\n",
	   "/system.slice/nginx.service", 0);
	V2("1:name=systemd:/x\n0::/y\n2:cpu:/z\n", "/y", 0);
	/* v1 only, nothing, not the file, a look-alike. */
	V2("12:pids:/system.slice/nginx.service\n1:name=systemd:/init.scope\n",
	   NULL, 0);
	V2("", NULL, 0);
	V2("\n\n\n", NULL, 0);
	V2("10::/x\n", NULL, 0);
	V2("x0::/x\n", NULL, 0);
	V2("0:/x\n", NULL, 0);
	V2("0:", NULL, 0);
	/* Not at a line's start. */
	V2("1:cpu:/a 0::/b\n", NULL, 0);
	/* The first v2 line wins; an empty path is returned as such. */
	V2("0::/a\n0::/b\n", "/a", 0);
	V2("0::\n", "", 0);
	/* A removed cgroup (a zombie's); the newer kernels' form without a
	 * path. */
	V2("0::/system.slice/gone.service (deleted)\n", "/system.slice/gone.service", 1);
	V2("0:: (deleted)\n", "", 1);
	V2("0::/x(deleted)\n", "/x(deleted)", 0);
	/* A NUL before the line does not stop the search. */
	V2("1:cpu:/\0a\n0::/b\n", "/b", 0);
	/* The length is obeyed: the line is past it. */
	check_v2("1:cpu:/a\n0::/b\n", 9, NULL, 0);
	check_v2("0::/system.slice/x.service\n", 10, "/system", 0);
}

/* This process's own /proc/self/cgroup, as the collector will read it. */
static void test_proc_self(void **state)
{
	char text[8192];
	FILE *f = fopen("/proc/self/cgroup", "r");
	size_t n;
	const char *path;
	size_t plen;
	struct cgroup_info ci;

	(void)state;
	if (!f)
		return;     /* no /proc: nothing to compare with */
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	if (cgroup_v2_path(text, n, &path, &plen, NULL) < 0)
		return;     /* a cgroup v1 host */
	assert_int_equal(cgroup_parse(&ci, path, plen), 0);
	assert_memory_equal(ci.path, path, plen < CGROUP_PATH_LEN ? plen : CGROUP_PATH_LEN - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_system_units),
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_user_manager),
		cmocka_unit_test(test_docker),
		cmocka_unit_test(test_podman),
		cmocka_unit_test(test_kubernetes_systemd),
		cmocka_unit_test(test_kubernetes_cgroupfs),
		cmocka_unit_test(test_bad_ids),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_bad_paths),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_long_paths),
		cmocka_unit_test(test_v2_line),
		cmocka_unit_test(test_proc_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
