#!/usr/bin/env bash
# t_cadence: when a full table dump would eat most of the interval, flowtop
# spaces its periodic dumps out and says so on stderr; when the table
# shrinks again it goes back to the interval asked for, and says that too.
#
# The client namespace's table gets 100k synthetic entries (build/bench/
# ctload, the benchmarks' load generator: TCP and UDP, IPv4 and IPv6, no
# packets), flowtop runs with -t 0.1 and shows only ICMP (-4I), so the
# kernel still dumps every entry while stdout stays small.
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

e2e_finish
