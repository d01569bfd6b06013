#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# run.sh: flowtop's benchmarks (`make bench`). Builds nothing: the Makefile
# builds build/bench/bench_lookup first.
#
# bench_lookup: lookups per second end to end, ui -> resolver -> ui, with
# GeoIP (MaxMind's test databases, tests/data/mmdb) and service names on and
# DNS off, for 100k distinct public IPv4 addresses. Prints
#   lookups: N in S s = R/s
# and whether the issue's target (100k addresses in under 1 s) is met.
# Arguments are passed on to bench_lookup (e.g. -n 500000, --window 4096).
# BENCH_LOOKUP=PATH runs another build of bench_lookup (e.g. one made with
# -DBENCH_STUB_RESOLVER).
#
# Then bench_ui (the screen's frame times) and bench_collector.sh (as
# root): startup against conntrack -L, CPU (JSON printer and screen),
# memory and --once end to end at 10k/100k/250k/1M flows (BENCH_1M=0: no
# 1M), churn absorption and convergence, and the issue's targets.
#
# Not run here: bench_shortlived.sh (`make bench-shortlived`, root, about 2
# minutes), the share of short-lived processes' flows flowtop gives an
# owner (pid, uid) and the collector's CPU at 1,000 such flows a second.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
BIN=${BENCH_LOOKUP:-$ROOT/build/bench/bench_lookup}
MMDB=$ROOT/tests/data/mmdb

if [ ! -x "$BIN" ]; then
	echo "bench: $BIN is not built (make bench builds it)" >&2
	exit 1
fi
args=(--conf-dir "$ROOT/conf")
if [ -r "$MMDB/GeoLite2-City-Test.mmdb" ]; then
	args+=(--geoip-dir "$MMDB")
else
	echo "bench: no GeoIP test databases in $MMDB: GeoIP off, answers not verified" >&2
fi

echo "== bench_lookup ($(nproc) CPUs, $(uname -r))"
timeout -k 5 120 "$BIN" "${args[@]}" "$@"
rc=$?
[ "$rc" = 124 ] && echo "bench: bench_lookup did not finish within 120 s" >&2

# bench_ui: the screen's model and renderer at 10k-250k flows with churn:
# frame time and key-to-frame latency (see tests/bench/bench_ui.c).
echo
echo "== bench_ui"
timeout -k 5 300 "$ROOT/build/bench/bench_ui"
urc=$?
[ "$urc" = 124 ] && echo "bench: bench_ui did not finish within 300 s" >&2
[ "$rc" = 0 ] && rc=$urc

# bench_collector: the collector at 10k-1M flows and 10k-100k/s of churn,
# in a namespace of its own (root only; see bench_collector.sh). Needs
# build/flowtop-testhooks and build/bench/ctload. BENCH_COLLECTOR=0 skips it.
if [ "${BENCH_COLLECTOR:-1}" != 0 ]; then
	echo
	timeout -k 60 900 "$ROOT/tests/bench/bench_collector.sh"
	crc=$?
	[ "$crc" = 124 ] && echo "bench: bench_collector did not finish within 900 s" >&2
	[ "$rc" = 0 ] && rc=$crc
fi
exit "$rc"
