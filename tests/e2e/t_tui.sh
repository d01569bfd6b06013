#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_tui: the full-screen view, driven as a user would drive it: flowtop in
# tmux (its own server socket), keys sent with send-keys, the screen read
# back with capture-pane. Real flows in the test's namespaces, owned by two
# processes of two users (ftowner1 as nobody, ftowner2 as daemon), to the
# test addresses of GeoIP's databases (81.2.69.142 London GB, 2001:218::1
# JP) routed into the server namespace. Checked: the flows, processes and
# countries tabs; help opens and closes; T, U, b, s, a, the sort keys and
# the / filter change the screen as they should; a just-closed flow
# lingers, dimmed; Enter shows the command line; resizing to 80x24 and
# 200x50 redraws; q leaves the terminal as it was (stty -a); NO_COLOR.
source "$(dirname "$0")/lib.sh"
source "$E2E_DIR/dns.sh"
require_root
require_tools ip nft setpriv timeout tmux conntrack
require_flowtop
ns_setup_or_skip

TM=(tmux -L "ft-tui-$$")
OWN_DIR=$(mktemp -d /tmp/ft-e2e-tui.XXXXXX) && chmod 0755 "$OWN_DIR"
tui_cleanup() {
	"${TM[@]}" kill-server 2>/dev/null
	case $OWN_DIR in /tmp/ft-e2e-tui.*) rm -rf -- "$OWN_DIR" ;; esac
}
trap 'tui_cleanup; dns_cleanup; e2e_cleanup' EXIT

if ! ns_add_public "$T_LONDON" "$T_JP" >"$WORK/public.msg"; then
	fail "harness: test addresses routed into the server namespace" "$(cat "$WORK/public.msg")"
	e2e_finish
fi
need_mmdb
GEO=$(geo_dir good GeoLite2-City-Test.mmdb=city.mmdb GeoLite2-ASN-Test.mmdb=asn.mmdb)

# The owners: python3 under other names (comm), as other users.
cp "$TRAFFIC" "$OWN_DIR/traffic.py" && chmod 0644 "$OWN_DIR/traffic.py" &&
	for n in ftowner1 ftowner2 ftowner2u ftowner1i ftshort; do
		ln -s "$PY" "$OWN_DIR/$n" || exit 1
	done || {
	fail "harness: owner programs" "cannot prepare $OWN_DIR"
	e2e_finish
}
# owner NAME UID PROTO ADDR PORT DURATION [INTERVAL]
owner() {
	bg "$1" ip netns exec "$NS_CLIENT" setpriv --reuid="$2" --regid="$2" \
		--clear-groups "$OWN_DIR/$1" "$OWN_DIR/traffic.py" client \
		--proto "$3" --addr "$4" --port "$5" --duration "$6" \
		--interval "${7:-0.2}"
}
start_server s_lon tcp "$T_LONDON" 80 || e2e_finish
start_server s_jp tcp "$T_JP" 80 || e2e_finish
start_server s_udp udp "$S4" 5300 || e2e_finish
start_server s_idle tcp "$S4" 5400 || e2e_finish
start_server s_short tcp "$S4" 5500 || e2e_finish

# tui NAME W H ENV...: flowtop in a fresh tmux session NAME of W x H;
# $WORK/NAME.rc gets its exit status, NAME.stty.{before,after} stty -a.
tui() {
	local name=$1 w=$2 h=$3
	shift 3
	cat >"$WORK/$name.sh" <<-SH
		stty -a >"$WORK/$name.stty.before"
		env $* ip netns exec "$NS_CLIENT" "$FLOWTOP" --conf-dir "$ROOT/conf" \
			-46TU -n --geoip-dir "$GEO" -t 0.5 --linger 30 2>"$WORK/$name.err"
		echo \$? >"$WORK/$name.rc"
		stty -a >"$WORK/$name.stty.after"
		sleep 300
	SH
	"${TM[@]}" new-session -d -s "$name" -x "$w" -y "$h" "bash $WORK/$name.sh"
}
screen() { "${TM[@]}" capture-pane -p -t "$1"; }
screen_e() { "${TM[@]}" capture-pane -p -e -t "$1"; }
keys() { local s=$1; shift; "${TM[@]}" send-keys -t "$s" "$@"; }
# shows SESSION REGEX: the screen matches (grep -E).
shows() { screen "$1" | grep -Eq -- "$2"; }
hides() { ! shows "$1" "$2"; }
# seen WHAT SESSION REGEX: wait up to 5 s for it, verdict with the screen.
seen() {
	local what=$1 s=$2 re=$3
	if wait_for 5 shows "$s" "$re"; then pass "$what"; else
		fail "$what" "no /$re/ on the screen:
$(screen "$s" | head -n 30)"; fi
}
gone() {
	local what=$1 s=$2 re=$3
	if wait_for 5 hides "$s" "$re"; then pass "$what"; else
		fail "$what" "still /$re/ on the screen:
$(screen "$s" | head -n 30)"; fi
}
# The first row below the column titles.
first_row() { screen "$1" | sed -n 3p; }

tui main 160 40
# The flows start once flowtop runs: counters and ages from their start.
wait_for 5 shows main "PROCESS" >/dev/null
owner ftowner1 65534 tcp "$T_LONDON" 80 120
owner ftowner2 1 tcp "$T_JP" 80 120
owner ftowner2u 1 udp "$S4" 5300 120
# One echo, then silence: rate 0 from the second refresh on.
owner ftowner1i 65534 tcp "$S4" 5400 120 100
seen "flows tab: the London flow of ftowner1 (nobody), port named" main "ftowner1 +tcp4 +ESTABLISHED .*81\.2\.69\.142 +http"
seen "flows tab: the JP flow of ftowner2 (daemon), IPv6 address shown" main "ftowner2 +tcp6 +ESTABLISHED .*2001:218::1 +http"
seen "flows tab: the UDP flow" main "ftowner2u +udp4"
seen "flows tab: USER names ftowner1's user, nobody" main "nobody +ftowner1 +tcp4"
seen "flows tab: USER names ftowner2's user, daemon" main "daemon +ftowner2 +tcp6"
if [ "$HAVE_GEO" = 1 ]; then
	seen "flows tab: GEO column says GB London for 81.2.69.142" main "81\.2\.69\.142 +http +GB London"
fi
seen "header: name and version; footer: key hints" main "^flowtop [0-9]"
verdict "footer: key hints on the last line" "$(screen main | tail -n1 | grep -q 'q Quit.*? Help' || screen main | tail -n2)"
seen "status line: flows shown/total and DNS off" main "[0-9]+/[0-9]+ flows .*DNS off"

# --- help -----------------------------------------------------------------------
keys main '?'
seen "? opens the help window" main "flowtop keys"
seen "the help lists the keys" main "Up, u, k +select the row above"
keys main x
gone "any key closes the help" main "flowtop keys"

# --- toggles ----------------------------------------------------------------------
keys main U
gone "U hides the UDP flows (the collector's selection)" main "ftowner2u"
seen "U: the status line lists TCP only" main "flows \| TCP \|"
keys main U
seen "U again brings them back" main "ftowner2u +udp4"
keys main T
gone "T hides the TCP flows" main "ftowner1 +tcp4"
keys main T
seen "T again brings them back" main "ftowner1 +tcp4"
# Counts and rates in decimal multiples (k = 1000), the unit in the title.
seen "rates in bytes per second by default: the rate column is titled B/s" main "BYTESv +B/s( |$)"
seen "bytes and rates of a busy flow in k (decimal), no unit in the cells" main \
	"ftowner1 .* [0-9]+\.[0-9]k +[0-9]+\.[0-9]k( |$)"
keys main b
seen "b: rates in bits per second, the title says bit/s" main "BYTESv +bit/s( |$)"
keys main b
seen "b again: back to B/s" main "BYTESv +B/s( |$)"
keys main s
seen "s: SOURCE and SPORT columns appear" main "SOURCE +SPORT +DESTINATION"
keys main s
gone "s again hides them" main "SOURCE"
wait_for 5 shows main "ftowner1i" >/dev/null
keys main a
gone "a: the idle flow (rate 0) leaves the list" main "ftowner1i"
keys main a
seen "a again: it is back" main "ftowner1i"

# --- sort ------------------------------------------------------------------------
seen "sorted by BYTES, descending, at first" main "BYTESv"
keys main '<'
seen "< moves the sort to GEO (ascending)" main "GEO\^"
gone "and BYTES is no longer the sort column" main "BYTESv"
if [ "$HAVE_GEO" = 1 ]; then
	keys main r
	seen "r reverses it" main "GEOv"
	first_jp() { first_row main | grep -q ' JP '; }
	wait_for 5 first_jp && why= || why="first row: $(first_row main)"
	verdict "GEO descending: the JP flow is the first row" "$why"
	keys main r
fi
keys main '>'
seen "> moves it back to BYTES" main "BYTESv"

# --- filter ----------------------------------------------------------------------
keys main / 8 1 . 2 . 6 9
seen "/ opens the filter prompt" main "^Filter: 81\.2\.69_"
keys main Enter
seen "the filter narrows the list to the matching flow (1 shown)" main " 1/[0-9]+ flows"
verdict "the one row left is the London flow" "$(first_row main | grep -q '81\.2\.69\.142' || first_row main)"
line=$(screen_e main | sed -n 3p)
verdict "the match is highlighted (underlined)" \
	"$(printf '%s' "$line" | "$PY" -c '
import re,sys
l=sys.stdin.read()
codes=[p for m in re.finditer(r"\x1b\[([0-9;]*)m", l) for p in m.group(1).split(";")]
sys.exit(0 if "4" in codes else 1)' || echo "no underline in: $line")"
keys main Escape
gone "Esc clears the filter" main " 1/[0-9]+ flows"

# --- linger ----------------------------------------------------------------------
# In a cgroup v2 directory of its own, as a systemd service's would be.
cg_make flowtop-e2e-short.service ||
	skip "the short flow's unit" "no cgroup2 directory can be made: $CG_WHY"
CG=$CG_DIR
bg ftshort in_cgroup "$CG" ip netns exec "$NS_CLIENT" setpriv --reuid=65534 --regid=65534 \
	--clear-groups "$OWN_DIR/ftshort" "$OWN_DIR/traffic.py" client \
	--proto tcp --addr "$S4" --port 5500 --duration 1 --interval 0.2
seen "a short flow shows while open" main "ftshort +tcp4 +(ESTABLISHED|SYN_SENT)"
# It would sit in TIME_WAIT for two minutes: end it as the kernel would.
wait_for 5 shows main "ftshort +tcp4 +TIME_WAIT" >/dev/null
# Its process has exited (the collector notices within a refresh of the
# socket table, 5 s at most): the row is dimmed, and the details say
# "(exited)" beside what was captured when the process was found.
row_dim() {
	screen_e main | grep 'ftshort' | head -n1 | "$PY" -c '
import re,sys
l=sys.stdin.read()
codes=[p for m in re.finditer(r"\x1b\[([0-9;]*)m", l) for p in m.group(1).split(";")]
sys.exit(0 if "TIME_WAIT" in l and "2" in codes else 1)'
}
verdict "a flow whose process exited is drawn dimmed (within 8 s)" \
	"$(wait_for 8 row_dim || screen_e main | grep ftshort | head -n1 | cat -v)"
keys main / f t s h o r t Enter
wait_for 5 shows main " 1/[0-9]+ flows" >/dev/null
keys main Home Enter
seen "its details: process ftshort (exited)" main "process +ftshort, pid [0-9]+ \(exited\)"
seen "its details: user nobody" main "user +nobody \(uid 65534\)"
seen "its details: the command line captured when it was found" main "command +.*traffic\.py client .*--port 5500"
seen "its details: the executable" main "executable +/.*python"
[ -n "$CG" ] && seen "its details: unit flowtop-e2e-short.service" main "unit +flowtop-e2e-short\.service"
keys main Escape Escape
in_client conntrack -D -p tcp --dport 5500 >/dev/null 2>&1
seen "once the kernel drops it, it stays, marked closed" main "ftshort +tcp4 +closed"
line=$(screen_e main | grep 'ftshort' | head -n1)
verdict "the closed flow is drawn dimmed" \
	"$(printf '%s' "$line" | "$PY" -c '
import re,sys
l=sys.stdin.read()
codes=[p for m in re.finditer(r"\x1b\[([0-9;]*)m", l) for p in m.group(1).split(";")]
sys.exit(0 if "2" in codes else 1)' || echo "no dim attribute in: $line")"

# --- detail pane -----------------------------------------------------------------
keys main / f t o w n e r 1 Enter
wait_for 5 shows main " [12]/[0-9]+ flows" >/dev/null
keys main Home Enter
seen "Enter opens the details with the command line (asked of the collector)" main "command +.*traffic\.py client"
seen "the details show the user, named, and its uid" main "user +nobody \(uid 65534\)"
seen "the details show the conntrack id and mark" main "conntrack +id [0-9]+ \(0x[0-9a-f]+\), mark 0x[0-9a-f]+"
seen "the details show the reply direction" main "reply +[0-9a-f.:]+ port [0-9]+ -> [0-9a-f.:]+ port [0-9]+"
keys main Escape Escape

# --- processes and countries -----------------------------------------------------
keys main Tab
seen "Tab: the processes tab lists ftowner1" main "ftowner1 +[0-9]+ "
seen "processes tab lists ftowner2" main "ftowner2 +[0-9]+ "
seen "processes tab: the rate titles name the unit" main "SENT B/s +RECV B/s"
keys main g
seen "g: the processes tab by user, the header says so" main " Processes by user "
seen "by user: a row for nobody (ftowner1, ftowner1i)" main "^ *nobody +[0-9]+ "
keys main g
seen "g again: by unit, the header says so" main " Processes by unit "
seen "by unit: the UNIT column names the rows" main "UNIT +FLOWS"
keys main g g
seen "g twice more: back to one row per process" main "ftowner1 +[0-9]+ "
keys main Tab
if [ "$HAVE_GEO" = 1 ]; then
	seen "Tab: the countries tab has a GB row" main "GB +United Kingdom"
	seen "countries tab has a JP row" main "JP +Japan"
fi
keys main Tab
seen "Tab again: back to the flows" main "DESTINATION"

# --- pause -----------------------------------------------------------------------
keys main p
seen "p: PAUSED on the status line" main "PAUSED"
keys main p
gone "p again: running" main "PAUSED"

# --- resize ----------------------------------------------------------------------
for size in 80x24 200x50; do
	w=${size%x*} h=${size#*x}
	"${TM[@]}" resize-window -t main -x "$w" -y "$h"
	ok() {
		local s n
		s=$(screen main)
		n=$(printf '%s\n' "$s" | wc -l)
		[ "$n" -eq "$h" ] &&
			printf '%s\n' "$s" | tail -n1 | grep -q 'q Quit' &&
			printf '%s\n' "$s" | head -n1 | grep -q '^flowtop' &&
			printf '%s\n' "$s" | grep -q 'ftowne' &&
			[ "$(printf '%s\n' "$s" | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -le "$w" ]
	}
	if wait_for 5 ok; then pass "resized to $size: header, rows and footer redrawn to fit"
	else fail "resized to $size: header, rows and footer redrawn to fit" "$(screen main | head -n 8)"; fi
done
verdict "at 200 columns the flows use the width (GEO column wide)" \
	"$(screen main | sed -n 2p | grep -Eq 'DESTINATION {20,}' || screen main | sed -n 2p)"

# --- colours ---------------------------------------------------------------------
has_color() {
	screen_e "$1" | "$PY" -c '
import re,sys
l=sys.stdin.read()
codes=[p for m in re.finditer(r"\x1b\[([0-9;]*)m", l) for p in m.group(1).split(";")]
sys.exit(0 if any(c.startswith("3") and len(c) == 2 and c != "39" for c in codes) else 1)'
}
verdict "colours by protocol and state without NO_COLOR" "$(has_color main || echo "no foreground colour code on the screen")"
tui nocolor 120 30 NO_COLOR=1
seen "NO_COLOR: the screen comes up" nocolor "ftowner1"
verdict "NO_COLOR: no colour code on the screen" "$(has_color nocolor && echo "a colour code was drawn")"
keys nocolor q

# --- start-up messages are not drawn over the screen ------------------------------
# An empty conf dir: the resolver says tcp.conf is missing, on the terminal,
# before the screen opens; the screen hides it, q brings it back.
mkdir -p "$OWN_DIR/noconf"
cat >"$WORK/msgs.sh" <<-SH
	ip netns exec "$NS_CLIENT" "$FLOWTOP" --conf-dir "$OWN_DIR/noconf" -46TU -n -G -t 0.5
	sleep 300
SH
"${TM[@]}" new-session -d -s msgs -x 120 -y 30 "bash $WORK/msgs.sh"
seen "start-up messages: the screen comes up" msgs "ftowner1"
verdict "start-up messages: none is drawn over the screen" \
	"$(! shows msgs "tcp.conf: not found" || screen msgs | grep -m2 "not found")"
keys msgs q
seen "start-up messages: after q the resolver's message is on the terminal" msgs "tcp.conf: not found"

# --- q ---------------------------------------------------------------------------
"${TM[@]}" resize-window -t main -x 160 -y 40   # the size it started with
sleep 0.3
keys main q
if wait_for 5 test -s "$WORK/main.rc" && wait_for 3 test -s "$WORK/main.stty.after"; then
	verdict "q: flowtop exits 0" "$([ "$(cat "$WORK/main.rc")" = 0 ] || echo "exit $(cat "$WORK/main.rc"): $(head -c 300 "$WORK/main.err")")"
	verdict "q: the terminal is as it was (stty -a before = after)" \
		"$(diff "$WORK/main.stty.before" "$WORK/main.stty.after" | head -n 6)"
else
	fail "q: flowtop exits" "still running: $(screen main | tail -n 3)"
fi
verdict "nothing on stderr but the run's notes" "$(grep -v '^flowtop: resolver: no GeoIP' "$WORK/main.err" | grep -i 'killed\|error\|bad' | head -n 3)"
e2e_finish
