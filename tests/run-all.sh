#!/usr/bin/env bash
# Runs every suite of `make check` and ends with one line:
#   N passed, N failed
# Suites: unit tests (cmocka), the same under ASan+UBSan, the fuzz targets
# for a bounded time, and the end-to-end tests (tests/e2e/run.sh).
set -u
cd "$(dirname "$0")/.."

passed=0 failed=0 skipped=0
FUZZ_SECONDS=${FUZZ_SECONDS:-20}

# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)".
run_cmocka() {
	local bin=$1 out rc p f
	out=$(CMOCKA_MESSAGE_OUTPUT=stdout "$bin" 2>&1); rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	p=${p:-0} f=${f:-0}
	# A crash or sanitizer report ends the binary before cmocka's summary.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $bin exited with status $rc"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f))
}

echo "== unit tests"
for t in build/unit/test_*; do [ -x "$t" ] && run_cmocka "$t"; done
echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
for t in build/unit-san/test_*; do [ -x "$t" ] && run_cmocka "$t"; done

echo "== fuzz targets (${FUZZ_SECONDS}s each)"
for f in build/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
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
