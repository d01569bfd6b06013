#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs every suite of `make check` and ends with one line:
#   N passed, N failed, N skipped
# summing the suites: unit tests (cmocka), the same under ASan+UBSan, the
# fuzz targets for a bounded time, and the end-to-end tests
# (tests/e2e/run.sh). A test that cannot run here is skipped, or failed with
# CI=true (tests/skip.sh, tests/unit/skip.h).
set -u
cd "$(dirname "$0")/.."
source tests/skip.sh

passed=0 failed=0 skipped=0
FUZZ_SECONDS=${FUZZ_SECONDS:-20}

# cmocka_count OUTPUT WORD: N of cmocka's "[  WORD ] N test(s)" summary line
# (the lines naming single tests have no count), 0 without one.
cmocka_count() {
	local n
	n=$(printf '%s\n' "$1" | sed -n "s/^\[ *$2 *\] \([0-9][0-9]*\) test.*/\1/p" | tail -n1)
	echo "${n:-0}"
}

# cmocka prints "[  PASSED  ] N test(s).", "[  FAILED  ] N test(s)" and
# "[  SKIPPED ] N test(s)".
run_cmocka() {
	local bin=$1 out rc p f s
	out=$(CMOCKA_MESSAGE_OUTPUT=stdout "$bin" 2>&1); rc=$?
	printf '%s\n' "$out"
	p=$(cmocka_count "$out" PASSED)
	f=$(cmocka_count "$out" FAILED)
	s=$(cmocka_count "$out" SKIPPED)
	# A crash or sanitizer report ends the binary before cmocka's summary.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $bin exited with status $rc"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

echo "== unit tests"
for t in build/unit/test_*; do [ -x "$t" ] && run_cmocka "$t"; done
echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
for t in build/unit-san/test_*; do [ -x "$t" ] && run_cmocka "$t"; done

echo "== fuzz targets (${FUZZ_SECONDS}s each)"
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	f=build/fuzz/$name
	if [ ! -x "$f" ]; then
		# make check builds every target when clang-14 is installed.
		if skip_or_fail "$name" "$f not built: needs clang-14 (scripts/install-deps.sh)"; then
			skipped=$((skipped + 1))
		else
			failed=$((failed + 1))
		fi
		continue
	fi
	corpus=build/fuzz-corpus/$name
	mkdir -p "$corpus"
	seeds=tests/fuzz/corpus/$name
	[ -d "$seeds" ] || seeds=
	# A target may ask for less time: tests/fuzz/NAME.seconds.
	secs=$FUZZ_SECONDS
	[ -f "tests/fuzz/$name.seconds" ] && secs=$(cat "tests/fuzz/$name.seconds")
	if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "$corpus" $seeds >build/fuzz-$name.log 2>&1; then
		echo "PASS: $name ($(grep -o 'stat::number_of_executed_units: [0-9]*' build/fuzz-$name.log || tail -n1 build/fuzz-$name.log))"
		passed=$((passed + 1))
	else
		echo "FAIL: $name, see build/fuzz-$name.log:"
		tail -n 30 "build/fuzz-$name.log"
		failed=$((failed + 1))
	fi
done

echo "== end-to-end tests"
if [ -x tests/e2e/run.sh ]; then
	log=build/e2e.log
	tests/e2e/run.sh 2>&1 | tee "$log"
	line=$(grep -E '^e2e: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n1)
	if [ -n "$line" ]; then
		read -r p f s < <(printf '%s\n' "$line" |
			sed -E 's/^e2e: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/')
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	else
		echo "FAIL: tests/e2e/run.sh ended without its summary line"
		failed=$((failed + 1))
	fi
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
