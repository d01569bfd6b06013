# SPDX-License-Identifier: GPL-2.0-only
# skip.sh: what happens to a test that cannot run because something it needs
# is missing (root, a tool, network namespaces, test data). Sourced by
# tests/run-all.sh and tests/e2e/{run,lib}.sh; tests/unit/skip.c is the C
# side of the same rule.
#
# Outside CI such a test is skipped, with its reason. With CI=true it fails:
# a CI run has everything installed, so a skip there means a test silently
# stopped running.

# skip_or_fail WHAT WHY: prints "SKIP: WHAT (WHY)" and returns 0, or with
# CI=true "FAIL: WHAT (WHY; ...)" and returns 1. The caller counts it.
skip_or_fail() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: $1 ($2; CI=true: a test that cannot run fails)"
		return 1
	fi
	echo "SKIP: $1 ($2)"
}
