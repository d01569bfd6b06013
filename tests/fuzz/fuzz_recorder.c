/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target for the recorder's writing side (recorder/rec_out.c):
 * whatever the ui's stream holds, the files get whole lines only, in
 * order, none lost but those rotated out, and no file goes past the size
 * limit unless it holds one line alone.
 *
 * Input layout:
 *   byte 0   the size limit: 1 + byte (a small limit, so most inputs
 *            rotate)
 *   rest     the stream, written through a pipe (at most 60000 bytes)
 *
 * The files live in a directory made once per process (each run's are
 * removed as they are read, the directory at exit); FILE.1 and FILE.2 are
 * kept.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recorder/recorder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

/* dir/name into buf (cap bytes); its length, 0 when missing. */
static size_t fz_read(const char *name, char *buf, size_t cap)
{
	char path[96];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return 0;
	n = fread(buf, 1, cap, f);
	fclose(f);
	unlink(path);
	return n;
}

/* A file of whole lines, within the limit unless it is one line. */
static void fz_check_file(const char *b, size_t n, uint64_t limit)
{
	const char *nl;

	if (!n)
		return;
	if (b[n - 1] != '\n')
		abort();
	nl = memchr(b, '\n', n);
	if (n > limit && (size_t)(nl - b) + 1 != n)
		abort();
}

static void fz_rmdir(void)
{
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char got[3][65536], all[3 * 65536];
	const char *names[3] = { "f.2", "f.1", "f" };
	struct rec_out r;
	char err[512], path[96];
	uint64_t limit;
	size_t len[3], total = 0, whole = 0;
	int p[2];

	if (size < 1 || size > 60001)
		return 0;
	if (!*dir) {
		snprintf(dir, sizeof(dir), "/tmp/ft-fuzz-rec.XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(fz_rmdir);
	}
	limit = 1 + (uint64_t)data[0];
	snprintf(path, sizeof(path), "%s/f", dir);
	if (pipe(p) < 0 || rec_open(&r, path, limit, 2, err, sizeof(err)) < 0)
		abort();
	if (size > 1 && write(p[1], data + 1, size - 1) != (ssize_t)(size - 1))
		abort();
	close(p[1]);
	if (rec_pump(&r, p[0], err, sizeof(err)) < 0)
		abort();
	rec_close(&r);
	close(p[0]);
	for (int i = 0; i < 3; i++) {
		len[i] = fz_read(names[i], got[i], sizeof(got[i]));
		fz_check_file(got[i], len[i], limit);
		memcpy(all + total, got[i], len[i]);
		total += len[i];
	}
	/* What was written is the end of the input's whole lines, from a
	 * line's start. */
	for (size_t i = 1; i < size; i++)
		if (data[i] == '\n')
			whole = i;
	if (total > whole ||
	    memcmp(all, data + 1 + whole - total, total) != 0 ||
	    (total < whole && data[whole - total] != '\n'))
		abort();
	return 0;
}
