/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target for the service file parsers (resolver/services.c).
 *
 * The input is one file's bytes, read three ways in one load: as tcp.conf
 * and udp.conf (netsniff-ng format) and as /etc/services. svc_load reads
 * files by path, so the bytes go to a memfd, and a directory made once
 * per process holds tcp.conf and udp.conf as symlinks to the memfd's
 * /proc/self/fd path: no file is written per run.
 *
 * What must hold, whatever the bytes: no crash or sanitizer report, every
 * report a bounded string, and every name that comes out 1..31 bytes of
 * the service-name alphabet.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <netinet/in.h>

#include "privsep/lookup_wire.h"
#include "resolver/services.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_fd = -1;
static char fuzz_dir[64];
static char fuzz_file[64];         /* /proc/self/fd/N */

static const uint8_t fuzz_protos[] = {
	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDPLITE, IPPROTO_SCTP, IPPROTO_DCCP,
};

/* Fixed ports plus edges; the input adds two of its own below. */
static const uint16_t fuzz_ports[] = { 0, 1, 7, 22, 53, 80, 443, 65535 };

static volatile size_t fuzz_sink;

static void fuzz_cleanup(void)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/tcp.conf", fuzz_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/udp.conf", fuzz_dir);
	unlink(path);
	rmdir(fuzz_dir);
}

static void fuzz_link(const char *base)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir, base);
	if (symlink(fuzz_file, path) < 0)
		abort();
}

static void fuzz_init(void)
{
	fuzz_fd = memfd_create("fuzz_services", MFD_CLOEXEC);
	if (fuzz_fd < 0)
		abort();
	snprintf(fuzz_file, sizeof(fuzz_file), "/proc/self/fd/%d", fuzz_fd);
	strcpy(fuzz_dir, "/tmp/fuzz_services.XXXXXX");
	if (!mkdtemp(fuzz_dir))
		abort();
	fuzz_link("tcp.conf");
	fuzz_link("udp.conf");
	atexit(fuzz_cleanup);
}

static void fuzz_report(void *ctx, const char *line)
{
	size_t len = strnlen(line, 4096);

	(void)ctx;
	if (len == 0 || len == 4096)
		abort();
	fuzz_sink += len;
}

static void fuzz_check_name(const char *name)
{
	size_t len;

	if (!name)
		return;
	len = strnlen(name, SERVICE_NAME_LEN);
	if (len == 0 || len >= SERVICE_NAME_LEN)
		abort();
	for (size_t i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789._+-/", name[i]))
			abort();
	fuzz_sink += len;
}

static void fuzz_probe(const struct services *s, uint16_t port)
{
	for (size_t i = 0; i < sizeof(fuzz_protos); i++)
		fuzz_check_name(svc_name(s, fuzz_protos[i], port));
}

/* The input is not NUL-terminated, so no strtoul. */
static uint16_t fuzz_lead_port(const uint8_t *data, size_t size)
{
	uint32_t v = 0;

	for (size_t i = 0; i < size && i < 5 && data[i] >= '0' && data[i] <= '9'; i++)
		v = v * 10 + (uint32_t)(data[i] - '0');
	return (uint16_t)v;
}

static void fuzz_write(const uint8_t *data, size_t size)
{
	if (ftruncate(fuzz_fd, 0) < 0)
		abort();
	if (size && pwrite(fuzz_fd, data, size, 0) != (ssize_t)size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct services *s;

	if (fuzz_fd < 0)
		fuzz_init();
	fuzz_write(data, size);
	s = svc_load(fuzz_dir, fuzz_file, fuzz_report, NULL);
	if (!s)
		abort();   /* only out of memory may fail, and inputs are small */
	for (size_t i = 0; i < sizeof(fuzz_ports) / sizeof(fuzz_ports[0]); i++)
		fuzz_probe(s, fuzz_ports[i]);
	/* Ports the input itself may name: its leading digits, and two bytes. */
	fuzz_probe(s, fuzz_lead_port(data, size));
	if (size >= 4)
		fuzz_probe(s, (uint16_t)(data[2] << 8 | data[3]));
	svc_free(s);
	return 0;
}
