#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_cadence: when a full table dump would eat most of the interval, flowtop
# spaces its periodic dumps out and says so on stderr; when the table
# shrinks again it goes back to the interval asked for, and says that too.
#
# The client namespace's table gets 100k synthetic entries (build/bench/
# ctload, the benchmarks' load generator: TCP and UDP, IPv4 and IPv6, no
# packets), flowtop runs with -t 0.1 and shows only ICMP (-4I), so the
# kernel still dumps every entry while stdout stays small.
#
# Then, on the emptied table with one local flow: the periodic dumps do not
# each walk the kernel's socket table once every flow has its owner.
source "$(dirname "$0")/lib.sh"
require_root
require_tools ip nft conntrack timeout pgrep
require_flowtop
CTLOAD=${CTLOAD:-$ROOT/build/bench/ctload}
if [ ! -x "$CTLOAD" ]; then
	fail "cadence checks" "$CTLOAD missing: run make check-build"
	e2e_finish
fi
ns_setup_or_skip

N=100000
if ! in_client "$CTLOAD" fill "$N" >"$WORK/fill.out" 2>&1; then
	fail "ctload fills the client namespace's table with $N entries" "$(cat "$WORK/fill.out")"
	e2e_finish
fi
have=$(in_client conntrack -C 2>/dev/null)
verdict "the kernel holds at least $N entries (conntrack -C: $have)" \
	"$([ "${have:-0}" -ge "$N" ] || cat "$WORK/fill.out")"

ft_start cad "$NS_CLIENT" "$FLOWTOP" -o json -4I -n -G -t 0.1
slow() { grep -q 'over half the 0.1 s interval: refreshing every .* s$' "$WORK/cad.err"; }
if wait_for 15 slow; then
	pass "a dump of $N entries: flowtop says it refreshes less often ($(grep -m1 refreshing "$WORK/cad.err"))"
else
	fail "a dump of $N entries: flowtop says it refreshes less often" "$(show_file "$WORK/cad.err")"
fi

if ! in_client "$CTLOAD" flush-synthetic >"$WORK/flush.out" 2>&1; then
	fail "ctload removes its entries" "$(cat "$WORK/flush.out")"
	e2e_finish
fi
fast() { grep -q 'refreshing every 0.1 s again' "$WORK/cad.err"; }
verdict "with the table emptied, flowtop says it is back to every 0.1 s" \
	"$(wait_for 15 fast || show_file "$WORK/cad.err")"
verdict "flowtop is still running" \
	"$(kill -0 "$FT_PID" 2>/dev/null || show_file "$WORK/cad.err")"
kill -TERM "$FT_PID" 2>/dev/null
wait_pid "$FT_TPID" 10
verdict "flowtop -o json (until interrupted) exits 0 on SIGTERM" \
	"$([ "$WAIT_RC" = 0 ] || printf '%s:\n%s' "$(rc_text "$WAIT_RC")" "$(show_file "$WORK/cad.err")")"
verdict "stdout holds only JSON lines (ICMP flows: none here)" "$(jcheck valid "$WORK/cad.out" --allow-empty)"

# --- the socket table, on an idle host -----------------------------------
# One long-lived local flow, attributed at the first refresh: afterwards
# nothing of this host's lacks a socket, so the periodic dumps leave the
# kernel's socket hash alone (at most one more full refresh, at 5 s).
start_server s_idle tcp "$S4" 5401 || e2e_finish
start_client c_idle tcp "$S4" 5401 30
sport=$(client_sport c_idle) || { fail "idle client connects" "$(cat "$WORK/c_idle.err")"; e2e_finish; }
if [ ! -x "$FLOWTOP_TESTHOOKS" ]; then
	fail "socket refresh checks" "$FLOWTOP_TESTHOOKS missing: run make testhooks"
	e2e_finish
fi
ft_run idle "$NS_CLIENT" env FLOWTOP_TEST_TIMING=1 "$FLOWTOP_TESTHOOKS" \
	--count 8 -t 0.5 -o json -4T -n -G
verdict "flowtop-testhooks --count 8 -t 0.5 exits 0" \
	"$([ "$FT_RC" = 0 ] || printf '%s:\n%s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/idle.err")")"
verdict "the local flow shows its process (python3) in the last snapshot" \
	"$(jcheck expect "$WORK/idle.out" --where proto=tcp "--where=dst=$S4" --where dport=5401 \
		"--where=sport=$sport" --expect process=python3)"
full=$(sed -n 's/^flowtop: test: \([0-9]*\) full socket refreshes$/\1/p' "$WORK/idle.err")
verdict "9 periodic dumps over 4.5 s made at most 2 full socket refreshes (made: ${full:-none})" \
	"$([ -n "$full" ] && [ "$full" -ge 1 ] && [ "$full" -le 2 ] || show_file "$WORK/idle.err")"

e2e_finish
