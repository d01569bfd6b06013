#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_refresh: the screen keeps the flows it shows fresh without sweeping
# the table. The test build's FLOWTOP_TEST_SWEEP_MS=30000 spaces the full
# dumps 30 s apart; a busy TCP flow in the test's namespace must still
# show its bytes growing from one interval to the next (the ui asks the
# collector for the rows in view, MSG_CTL_REFRESH), and the status line
# must say how old the figures of the flows off the screen are.
source "$(dirname "$0")/lib.sh"
require_root
require_tools ip nft timeout tmux
require_flowtop
ns_setup_or_skip

if [ ! -x "$FLOWTOP_TESTHOOKS" ]; then
	fail "screen refresh checks" "$FLOWTOP_TESTHOOKS missing: run make testhooks"
	e2e_finish
fi

TM=(tmux -L "ft-refresh-$$")
trap '"${TM[@]}" kill-server 2>/dev/null; e2e_cleanup' EXIT

start_server srv tcp "$S4" 5600 || e2e_finish

cat >"$WORK/tui.sh" <<SH
env FLOWTOP_TEST_SWEEP_MS=30000 ip netns exec "$NS_CLIENT" "$FLOWTOP_TESTHOOKS" \
	--conf-dir "$ROOT/conf" -46TU -n -G -t 0.5 2>"$WORK/tui.err"
echo \$? >"$WORK/tui.rc"
sleep 300
SH
"${TM[@]}" new-session -d -s main -x 160 -y 30 "bash $WORK/tui.sh"
screen() { "${TM[@]}" capture-pane -p -t main; }
row() { screen | grep -E -- "tcp4 .*192\.0\.2\.2 +5600"; }

# bytes: the BYTES cell of the flow's row (the one before the rate), in
# bytes; decimal multiples k, M, G as the screen shows them.
bytes() {
	row | awk '{ v = $(NF - 1); m = 1
		if (v ~ /k$/) m = 1e3; else if (v ~ /M$/) m = 1e6; else if (v ~ /G$/) m = 1e9
		sub(/[kMG]$/, "", v); printf "%.0f\n", v * m }'
}

# The flow starts once the screen runs (flowtop switches counters on for
# new flows): about 20 kB a second each way, for longer than the test
# looks. It is met through its NEW event: only refreshes bring its
# counters until the next sweep, 30 s on.
titles() { screen | grep -q PROCESS; }
wait_for 5 titles >/dev/null
bg cli ip netns exec "$NS_CLIENT" "$PY" "$TRAFFIC" client --proto tcp \
	--addr "$S4" --port 5600 --duration 60 --interval 0.1 --size 2000
if ! wait_for 5 row >/dev/null; then
	fail "the busy flow is on the screen" "$(screen | head -n 20)"
	e2e_finish
fi
sleep 1
grown=0 last=$(bytes) seen=$last
for i in 1 2 3 4; do
	sleep 1
	now=$(bytes)
	seen="$seen $now"
	[ -n "$now" ] && [ -n "$last" ] && [ "$now" -gt "$last" ] && grown=$((grown + 1))
	last=$now
done
verdict "sweeps 30 s apart: the flow's bytes grow every second on the screen (read: $seen)" \
	"$([ "$grown" = 4 ] || screen | head -n 20)"

others() { screen | grep -Eq 'others [0-9]+ s old'; }
if wait_for 5 others; then
	pass "the status line says how old the off-screen figures are ($(screen | grep -Eo 'others [0-9]+ s old'))"
else
	fail "the status line says how old the off-screen figures are" "$(screen | tail -n 3)"
fi

"${TM[@]}" send-keys -t main q
wait_for 5 test -s "$WORK/tui.rc" >/dev/null
verdict "q ends the screen with status 0" \
	"$([ "$(cat "$WORK/tui.rc" 2>/dev/null)" = 0 ] || { cat "$WORK/tui.rc" "$WORK/tui.err"; } 2>&1)"
e2e_finish
