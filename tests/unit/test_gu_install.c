/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for geoip-update/tar.c, unpack.c and install.c: the ustar
 * reader on archives built here byte by byte (good, corrupt checksum,
 * member past the end), gunzip of real zlib output and of truncated
 * output, the .sha256 check, and the install directory: lock, temporary
 * files, atomic commit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "geoip-update/install.h"
#include "geoip-update/tar.h"
#include "geoip-update/unpack.h"
#include "skip.h"

static uint8_t ar[8192];

/* One ustar header at h for a regular file name of size bytes. */
static void tar_header(uint8_t *h, const char *name, size_t size, char type)
{
	unsigned sum = 0;

	memset(h, 0, 512);
	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 124, 12, "%011o", (unsigned)size);
	h[156] = (uint8_t)type;
	memcpy(h + 257, "ustar", 6);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
}

/* A dir entry, a licence, then x/NAME.mmdb holding "MMDB" + n bytes. */
static size_t tar_build(void)
{
	memset(ar, 0, sizeof(ar));
	tar_header(ar, "x/", 0, '5');
	tar_header(ar + 512, "x/LICENSE.txt", 3, '0');
	memcpy(ar + 1024, "lic", 3);
	tar_header(ar + 1536, "x/GeoLite2-ASN.mmdb", 6, '0');
	memcpy(ar + 2048, "MMDB!!", 6);
	return 2048 + 512 + 1024;
}

static void test_tar_find(void **state)
{
	const uint8_t *d;
	size_t n, len = tar_build();
	const char *why;

	(void)state;
	assert_true(gu_tar_is(ar, len));
	assert_int_equal(gu_tar_find(ar, len, ".mmdb", &d, &n, &why), 1);
	assert_int_equal(n, 6);
	assert_memory_equal(d, "MMDB!!", 6);
	assert_int_equal(gu_tar_find(ar, len, ".csv", &d, &n, &why), 0);
}

static void test_tar_corrupt(void **state)
{
	const uint8_t *d;
	size_t n, len = tar_build();
	const char *why = NULL;

	(void)state;
	ar[1536 + 10] ^= 1;   /* checksum no longer matches */
	assert_int_equal(gu_tar_find(ar, len, ".mmdb", &d, &n, &why), -1);
	assert_non_null(why);
	tar_build();
	tar_header(ar + 1536, "x/GeoLite2-ASN.mmdb", 1u << 20, '0');
	assert_int_equal(gu_tar_find(ar, len, ".mmdb", &d, &n, &why), -1);
	/* Cut mid-header: never read past len. */
	assert_int_equal(gu_tar_find(ar, 700, ".mmdb", &d, &n, &why), 0);
}

static size_t gz(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	z_stream z;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	deflateEnd(&z);
	return cap - z.avail_out;
}

static void test_unpack(void **state)
{
	static uint8_t packed[8192];
	struct gu_unpacked u;
	const char *why = NULL;
	size_t len = tar_build(), n = gz(ar, len, packed, sizeof(packed));

	(void)state;
	assert_int_equal(gu_unpack(packed, n, 1 << 20, &u, &why), 0);
	assert_int_equal(u.len, 6);
	assert_memory_equal(u.mmdb, "MMDB!!", 6);
	gu_unpacked_free(&u);
	assert_int_equal(gu_unpack(packed, n - 10, 1 << 20, &u, &why), -1);
	assert_string_equal(why, "truncated gzip data");
	assert_int_equal(gu_unpack(packed, n, 100, &u, &why), -1);
	/* Not compressed, not tar: the bytes themselves. */
	assert_int_equal(gu_unpack((const uint8_t *)"abc", 3, 10, &u, &why), 0);
	assert_int_equal(u.len, 3);
	assert_null(u.buf);
}

static void test_sha256(void **state)
{
	/* sha256("abc") */
	static const char good[] =
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  f\n";
	const char *why;

	(void)state;
	assert_int_equal(gu_sha256_check((const uint8_t *)"abc", 3, good,
					 strlen(good), &why), 0);
	assert_int_equal(gu_sha256_check((const uint8_t *)"abd", 3, good,
					 strlen(good), &why), -1);
	assert_int_equal(gu_sha256_check((const uint8_t *)"abc", 3, "zz", 2, &why), -1);
}

static void test_install(void **state)
{
	char dir[] = "/tmp/ft-test-inst-XXXXXX", tmp[300], err[300], path[400];
	struct gu_inst a, b;
	struct stat st;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(gu_inst_open(&a, dir, err, sizeof(err)), 0);
	/* A second run is refused while the first holds the lock. */
	assert_int_equal(gu_inst_open(&b, dir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "another flowtop -u"));
	assert_int_equal(gu_inst_current(&a, "X", &st, err, sizeof(err)), -1);
	fd = gu_inst_temp(&a, "X", tmp, sizeof(tmp), err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "new", 3), 3);
	assert_int_equal(gu_inst_commit(&a, fd, tmp, "X", 1000000000, 5, err,
					sizeof(err)), 0);
	close(fd);
	fd = gu_inst_current(&a, "X", &st, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(st.st_size, 3);
	assert_int_equal(st.st_mtim.tv_sec, 1000000000);
	assert_int_equal(st.st_mode & 0777, 0644);
	/* A temporary file left by a killed run is swept at the next open. */
	fd = gu_inst_temp(&a, "Y", tmp, sizeof(tmp), err, sizeof(err));
	close(fd);
	gu_inst_close(&a);
	assert_int_equal(gu_inst_open(&b, dir, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, tmp);
	assert_int_equal(access(path, F_OK), -1);
	gu_inst_close(&b);
	snprintf(path, sizeof(path), "%s/X.mmdb", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/" GU_LOCK_NAME, dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

/* path (a directory) with mode and owner; removed by the caller. */
static void mkdir_as(const char *path, mode_t mode, uid_t uid)
{
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chmod(path, mode), 0);
	assert_int_equal(chown(path, uid, 0), 0);
}

/* As root: directories others could write, and what an installed name may
 * not be (a link, a directory, another user's file). */
static void test_install_hardening(void **state)
{
	char top[] = "/tmp/ft-test-harden-XXXXXX", d[200], sub[240], err[300],
		path[400];
	struct gu_inst a;
	struct stat st;
	int fd;

	(void)state;
	if (geteuid() != 0)
		skip_or_fail("needs root (the directory checks apply to runs as root)");
	assert_non_null(mkdtemp(top));
	/* The directory itself: group or world writable, or not root's. */
	snprintf(d, sizeof(d), "%s/ww", top);
	mkdir_as(d, 0777, 0);
	assert_int_equal(gu_inst_open(&a, d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "group or world writable"));
	chmod(d, 01777);        /* sticky is no excuse for the directory itself */
	assert_int_equal(gu_inst_open(&a, d, err, sizeof(err)), -1);
	chmod(d, 0775);
	assert_int_equal(gu_inst_open(&a, d, err, sizeof(err)), -1);
	chmod(d, 0755);
	assert_int_equal(chown(d, 4242, 0), 0);
	assert_int_equal(gu_inst_open(&a, d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "owned by uid 4242"));
	/* The parent: world writable refused, unless root's and sticky. */
	snprintf(d, sizeof(d), "%s/up", top);
	mkdir_as(d, 0777, 0);
	snprintf(sub, sizeof(sub), "%s/geo", d);
	mkdir_as(sub, 0755, 0);
	assert_int_equal(gu_inst_open(&a, sub, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/..: group or world writable"));
	chmod(d, 01777);
	assert_int_equal(gu_inst_open(&a, sub, err, sizeof(err)), 0);
	/* NAME.mmdb as a link to a real file, a directory, another's file. */
	snprintf(path, sizeof(path), "%s/L.mmdb", sub);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(gu_inst_current(&a, "L", &st, err, sizeof(err)), -2);
	assert_non_null(strstr(err, "symbolic link"));
	snprintf(path, sizeof(path), "%s/D.mmdb", sub);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(gu_inst_current(&a, "D", &st, err, sizeof(err)), -2);
	assert_non_null(strstr(err, "not a regular file"));
	snprintf(path, sizeof(path), "%s/O.mmdb", sub);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(fchown(fd, 4242, 0), 0);
	close(fd);
	assert_int_equal(gu_inst_current(&a, "O", &st, err, sizeof(err)), -2);
	assert_non_null(strstr(err, "owned by uid 4242"));
	gu_inst_close(&a);
	/* A lock file that is a link: refused. */
	snprintf(path, sizeof(path), "%s/" GU_LOCK_NAME, sub);
	unlink(path);
	assert_int_equal(symlink("/tmp/ft-test-harden-nowhere", path), 0);
	assert_int_equal(gu_inst_open(&a, sub, err, sizeof(err)), -1);
	snprintf(path, sizeof(path), "rm -rf '%s'", top);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tar_find),
		cmocka_unit_test(test_tar_corrupt),
		cmocka_unit_test(test_unpack),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_install),
		cmocka_unit_test(test_install_hardening),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
