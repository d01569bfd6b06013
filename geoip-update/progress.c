/* SPDX-License-Identifier: GPL-2.0-only */
/* progress: bars on a terminal, lines elsewhere. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "geoip-update/progress.h"

#define PROG_WIDTH 24

/* n bytes as "12.3 MiB". */
static void prog_size(char *out, size_t len, double n)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB" };
	int u = 0;

	while (n >= 1024 && u < 3) {
		n /= 1024;
		u++;
	}
	snprintf(out, len, u ? "%.1f %s" : "%.0f %s", n, unit[u]);
}

void gu_prog_init(struct gu_prog *p)
{
	p->tty = isatty(STDOUT_FILENO);
	p->name = "";
	p->drawn = 0;
}

void gu_prog_begin(struct gu_prog *p, const char *name)
{
	p->name = name;
	p->start_ms = p->last_ms = clock_mono_ms();
	p->drawn = 0;
}

static void prog_clear(struct gu_prog *p)
{
	if (p->drawn) {
		printf("\r\033[K");
		fflush(stdout);
		p->drawn = 0;
	}
}

void gu_prog_bytes(void *ctx, uint64_t bytes, int64_t length)
{
	struct gu_prog *p = ctx;
	uint64_t now = clock_mono_ms();
	char got[32], rate[32], bar[PROG_WIDTH + 1];
	double secs = (double)(now - p->start_ms) / 1000.0;
	int fill = 0, pct = -1;

	if (!p->tty || now - p->last_ms < 100)
		return;
	p->last_ms = now;
	if (length > 0) {
		pct = (int)(bytes * 100 / (uint64_t)length);
		pct = pct > 100 ? 100 : pct;
		fill = pct * PROG_WIDTH / 100;
	}
	for (int i = 0; i < PROG_WIDTH; i++)
		bar[i] = i < fill ? '#' : (pct < 0 ? '?' : '.');
	bar[PROG_WIDTH] = '\0';
	prog_size(got, sizeof(got), (double)bytes);
	prog_size(rate, sizeof(rate), secs > 0 ? (double)bytes / secs : 0);
	if (pct >= 0)
		printf("\r\033[K%-20.20s [%s] %3d%% %10s %10s/s", p->name, bar, pct,
		       got, rate);
	else
		printf("\r\033[K%-20.20s [%s]      %10s %10s/s", p->name, bar, got,
		       rate);
	fflush(stdout);
	p->drawn = 1;
}

void gu_prog_done(struct gu_prog *p, const char *what)
{
	prog_clear(p);
	printf("%s: %s\n", p->name, what);
	fflush(stdout);
}

void gu_prog_note(struct gu_prog *p, const char *fmt, ...)
{
	va_list ap;

	prog_clear(p);
	fprintf(stderr, "flowtop: %s: ", p->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void gu_prog_summary(unsigned updated, unsigned current, unsigned failed)
{
	printf("flowtop -u: %u updated, %u already current, %u failed\n",
	       updated, current, failed);
	fflush(stdout);
}
