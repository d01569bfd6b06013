/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target for the cgroup path reader (common/cgroup.c).
 *
 * The input is read two ways: as the text of /proc/PID/cgroup (its "0::"
 * line found by cgroup_v2_path, then parsed) and as a cgroup path itself.
 *
 * What must hold, whatever the bytes: no crash or sanitizer report; the
 * line found lies inside the text; every field NUL-terminated inside its
 * array, all of them empty when the path is refused; the path field the
 * input's first bytes, cut only when longer than the field; a unit, a
 * sub-unit or a slice in systemd's alphabet (no '/', no control or
 * non-ASCII byte) and found in the input, a sub-unit only below a unit;
 * a container id 12 lowercase hex digits found in the input, with a
 * known runtime; a pod UID a UUID or 32 hex digits; the display texts
 * terminated, of the length returned, in any buffer size.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fz_runtimes[] = {
	"", "docker", "podman", "containerd", "cri-o", "kubernetes",
};

/* NUL-terminated inside the array; returns the string's length. */
static size_t fz_term(const char *field, size_t size)
{
	const char *nul = memchr(field, '\0', size);

	if (!nul)
		abort();
	return (size_t)(nul - field);
}

static int fz_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static void fz_unit(const char *field, size_t size, const char *in, size_t len)
{
	size_t n = fz_term(field, size);

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)field[i];

		if (c <= 0x20 || c >= 0x7f || c == '/')
			abort();
	}
	if (n && !memmem(in, len, field, n))
		abort();
}

static void fz_check(const struct cgroup_info *ci, int rc, const char *in,
		     size_t len)
{
	size_t n, pathn = fz_term(ci->path, sizeof(ci->path));
	char out[CGROUP_UNIT_TEXT_LEN];
	size_t outsz;
	int known = 0;

	fz_unit(ci->unit, sizeof(ci->unit), in, len);
	fz_unit(ci->sub_unit, sizeof(ci->sub_unit), in, len);
	fz_unit(ci->slice, sizeof(ci->slice), in, len);
	if (ci->sub_unit[0] && !ci->unit[0])
		abort();
	n = fz_term(ci->runtime, sizeof(ci->runtime));
	for (size_t i = 0; i < sizeof(fz_runtimes) / sizeof(fz_runtimes[0]); i++)
		known |= strcmp(ci->runtime, fz_runtimes[i]) == 0;
	if (!known)
		abort();
	n = fz_term(ci->id, sizeof(ci->id));
	if (n && (n != CGROUP_ID_LEN - 1 || !fz_hex(ci->id, n) ||
		  !ci->runtime[0] || !memmem(in, len, ci->id, n)))
		abort();
	n = fz_term(ci->pod, sizeof(ci->pod));
	if (n == 36) {
		for (size_t i = 0; i < n; i++)
			if ((i == 8 || i == 13 || i == 18 || i == 23) ?
			    ci->pod[i] != '-' : !fz_hex(ci->pod + i, 1))
				abort();
	} else if (n && (n != 32 || !fz_hex(ci->pod, n))) {
		abort();
	}
	/* A pod without a runtime is conmon's. */
	if (n && !ci->runtime[0] && !strstr(in, "conmon-"))
		abort();

	if (rc < 0) {
		if (pathn || ci->unit[0] || ci->sub_unit[0] || ci->slice[0] ||
		    ci->runtime[0] || ci->id[0] || ci->pod[0] || ci->path_cut)
			abort();
		return;
	}
	if (rc != 0 || ci->path_cut != (len >= sizeof(ci->path)) ||
	    pathn != (ci->path_cut ? sizeof(ci->path) - 1 : len) ||
	    memcmp(ci->path, in, pathn) != 0)
		abort();

	/* Texts: in the full size, and cut in a size the input picks. */
	outsz = len ? (unsigned char)in[len - 1] % 40 : 0;
	for (int k = 0; k < 2; k++) {
		size_t sz = k ? outsz : sizeof(out);

		memset(out, 'Z', sizeof(out));
		n = cgroup_unit_text(ci, out, sz);
		if (sz && (n >= sz || strlen(out) != n))
			abort();
		if (!sz && (n || out[0] != 'Z'))
			abort();
		memset(out, 'Z', sizeof(out));
		n = cgroup_container_text(ci, out, sz);
		if (sz && (n >= sz || strlen(out) != n))
			abort();
	}
	if (cgroup_container_text(ci, out, CGROUP_CONTAINER_TEXT_LEN) !=
	    strlen(ci->runtime) + (ci->id[0] ? 1 + strlen(ci->id) : 0))
		abort();
}

/* The parser is handed a length, never a string: copy the bytes to a
 * heap block of exactly that size, so ASan sees any read past it. */
static void fz_parse(const char *bytes, size_t len)
{
	struct cgroup_info ci;
	char *copy = malloc(len ? len : 1);
	char *z = malloc(len + 1);
	int rc;

	if (!copy || !z)
		abort();
	memcpy(copy, bytes, len);
	memset(&ci, 'Z', sizeof(ci));
	rc = cgroup_parse(&ci, copy, len);
	/* A NUL-terminated copy for the checks' memmem and strstr. */
	memcpy(z, bytes, len);
	z[len] = '\0';
	fz_check(&ci, rc, z, len);
	free(z);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	const char *path;
	size_t plen;
	int deleted = -1;

	if (!text)
		abort();
	memcpy(text, data, size);
	if (cgroup_v2_path(text, size, &path, &plen, &deleted) == 0) {
		if (path < text || plen > size || path + plen > text + size ||
		    (deleted != 0 && deleted != 1))
			abort();
		fz_parse(path, plen);
	}
	fz_parse(text, size);
	free(text);
	return 0;
}
