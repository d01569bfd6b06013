#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_parts: the screen builds its rows in parts (ui/view_build.c) and still
# shows exactly the table. The test build's FLOWTOP_TEST_BUILD_PARTS=1
# makes every part the smallest there is (a stage, or 2048 flows, a turn
# of the loop), so that the 20,000 entries ctload puts in the test's
# namespace take about a dozen turns a build; new dumps, a filter typed a
# letter at a time (each letter drops the build under way) and moves of
# the selection all come while builds are under way. What a user checks:
# the counts on the status line, the rows a filter leaves, the table
# growing on screen, and q; and that the builds did go in parts.
source "$(dirname "$0")/lib.sh"
require_root
require_tools ip nft timeout tmux
require_flowtop
ns_setup_or_skip

CTLOAD=$ROOT/build/bench/ctload
for bin in "$FLOWTOP_TESTHOOKS" "$CTLOAD"; do
	if [ ! -x "$bin" ]; then
		fail "screen built in parts" "$bin missing: run make check-build"
		e2e_finish
	fi
done

TM=(tmux -L "ft-parts-$$")
trap '"${TM[@]}" kill-server 2>/dev/null; e2e_cleanup' EXIT

# Entries i = 0..19999: IPv4 for i % 4 < 2 (TCP, UDP), source
# 198.18.(j >> 8).(j & 255) with j = i / 4, so 198.18.7.* is j 1792..2047:
# 256 sources, each with a TCP and a UDP entry.
if ! in_client "$CTLOAD" fill 20000 >"$WORK/fill.out" 2>&1; then
	fail "ctload fills the namespace's table" "$(cat "$WORK/fill.out")"
	e2e_finish
fi

cat >"$WORK/tui.sh" <<SH
env FLOWTOP_TEST_BUILD_PARTS=1 ip netns exec "$NS_CLIENT" "$FLOWTOP_TESTHOOKS" \
	--conf-dir "$ROOT/conf" -46TU -n -G -s -t 0.5 2>"$WORK/tui.err"
echo \$? >"$WORK/tui.rc"
sleep 300
SH
"${TM[@]}" new-session -d -s main -x 200 -y 50 "bash $WORK/tui.sh"
screen() { "${TM[@]}" capture-pane -p -t main; }
# status_is SHOWN TOTAL: the status line counts these rows of these flows.
status_is() { screen | grep -Eq "^ *$1/$2 flows"; }
counts() { screen | grep -Eo '[0-9]+/[0-9]+ flows' | head -n 1; }

if wait_for 10 status_is 20000 20000; then
	pass "all 20000 entries on the status line ($(counts))"
else
	fail "all 20000 entries on the status line" "$(counts); $(screen | tail -n 3)"
fi

# A filter typed a letter at a time, as fast as tmux sends them.
"${TM[@]}" send-keys -t main / 1 9 8 . 1 8 . 7 . Enter
if wait_for 10 status_is 512 20000; then
	pass "filter 198.18.7.: 512 of 20000 flows ($(counts))"
else
	fail "filter 198.18.7.: 512 of 20000 flows" "$(counts); $(screen | tail -n 3)"
fi
rows() { screen | grep -E '(tcp|udp)4 '; }
others=$(rows | grep -vc '198\.18\.7\.')
shown=$(rows | grep -c '198\.18\.7\.')
verdict "every row shown is of a 198.18.7.* source ($shown rows, $others others)" \
	"$([ "$others" = 0 ] && [ "$shown" -ge 40 ] || rows | head -n 5)"

# Moves while the dumps of every half second bring builds.
"${TM[@]}" send-keys -t main End
sleep 1
"${TM[@]}" send-keys -t main Home j j j PgDn
sleep 1
verdict "the filter holds through moves and new dumps ($(counts))" \
	"$(status_is 512 20000 || counts)"

# The table grows: the screen follows it in parts too.
"${TM[@]}" send-keys -t main Escape
if ! in_client "$CTLOAD" fill 4000 --from 20000 >"$WORK/fill2.out" 2>&1; then
	fail "ctload adds 4000 entries" "$(cat "$WORK/fill2.out")"
fi
if wait_for 10 status_is 24000 24000; then
	pass "filter cleared, 4000 more entries: 24000 flows on screen ($(counts))"
else
	fail "filter cleared, 4000 more entries: 24000 flows on screen" \
		"$(counts); $(screen | tail -n 3)"
fi

"${TM[@]}" send-keys -t main q
wait_for 5 test -s "$WORK/tui.rc" >/dev/null
verdict "q ends the screen with status 0" \
	"$([ "$(cat "$WORK/tui.rc" 2>/dev/null)" = 0 ] || { cat "$WORK/tui.rc" "$WORK/tui.err"; } 2>&1)"
# The screen's own count: the builds above went in parts, not in one go
# (a build of 20000 flows in the smallest parts is about a dozen steps).
read -r builds steps < <(sed -n 's/^flowtop: ui: test: \([0-9]*\) builds in \([0-9]*\) steps$/\1 \2/p' "$WORK/tui.err")
verdict "the builds went in parts (${builds:-?} builds in ${steps:-?} steps)" \
	"$([ -n "$builds" ] && [ "$builds" -ge 3 ] && [ "$steps" -ge $((3 * builds)) ] || cat "$WORK/tui.err")"
e2e_finish
