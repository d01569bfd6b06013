#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs flowtop's end-to-end tests: every tests/e2e/t_*.sh (or only those
# named on the command line, e.g. `tests/e2e/run.sh t_usage`), each in its own
# network namespaces, and ends with exactly one line:
#   e2e: N passed, N failed, N skipped
# They need root (network namespaces, conntrack, sysctls); anyone else gets
# every test skipped, or failed with CI=true (tests/skip.sh).
# FLOWTOP=/path/to/flowtop tests another binary; E2E_KEEP=1 keeps each
# test's work directory (outputs, stderr) for a look.
set -u
cd "$(dirname "$0")" || exit 2
E2E_DIR=$(pwd)
source ../skip.sh

# One test file may run this long before it is stopped and counted failed.
PER_TEST_TIMEOUT=${E2E_TEST_TIMEOUT:-150}

tests=()
if [ $# -gt 0 ]; then
	for t in "$@"; do
		t=$(basename "$t" .sh)
		[ -f "$E2E_DIR/$t.sh" ] || { echo "run.sh: no test $t" >&2; exit 2; }
		tests+=("$E2E_DIR/$t.sh")
	done
else
	for t in "$E2E_DIR"/t_*.sh; do
		[ -f "$t" ] && tests+=("$t")
	done
fi

results=$(mktemp /tmp/ft-e2e-results.XXXXXX)
trap 'rm -f "$results"' EXIT

count() { grep -c "^$1" "$results"; }

if [ "$(id -u)" -ne 0 ]; then
	for t in "${tests[@]}"; do
		if skip_or_fail "$(basename "$t" .sh)" \
			"needs root: network namespaces, conntrack, sysctls; run: sudo make check"; then
			echo S >>"$results"
		else
			echo F >>"$results"
		fi
	done
else
	for t in "${tests[@]}"; do
		name=$(basename "$t" .sh)
		echo "-- $name"
		before=$(wc -l <"$results")
		fails_before=$(count F)
		start=$(date +%s)
		E2E_RESULTS=$results timeout -k 10 "$PER_TEST_TIMEOUT" bash "$t" </dev/null
		rc=$?
		after=$(wc -l <"$results")
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			echo "FAIL: $name: did not finish within ${PER_TEST_TIMEOUT}s"
			echo F >>"$results"
		elif [ "$rc" -ne 0 ] && [ "$(count F)" -eq "$fails_before" ]; then
			echo "FAIL: $name: exited with status $rc without a failed check"
			echo F >>"$results"
		elif [ "$after" -eq "$before" ]; then
			echo "FAIL: $name: ran no check"
			echo F >>"$results"
		fi
		echo "-- $name: $(($(date +%s) - start))s"
	done
fi

echo "e2e: $(count P) passed, $(count F) failed, $(count S) skipped"
[ "$(count F)" -eq 0 ]
