#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_replay: --replay shows a recording as the screen showed it live. A
# session is recorded on the screen (tmux) with churn: busy flows to
# GeoIP's test addresses named by a real dnsmasq, idle ones, and a run of
# short connections that open and close; its last frame is read off the
# screen before q. The recording is then replayed on a screen of the same
# size, sped up with +, and once it says END its frame must match the
# live one (all but the AGE column, which the two read at different
# moments, and the status and key lines). Then what a user checks of a
# replay: the keys (p pauses and the frame stays, . steps one frame, + and
# - change the speed, the status line shows the recorded time of the
# frame), batch output (-o json) whose last snapshot holds the flows the
# file leaves open, the same output for an unprivileged user as for root,
# no capability in any of its processes, its seccomp table enforced, and
# bad files: missing, a directory, a malformed line (file and line
# named, nothing printed), a cut last line (said, the rest played), and
# hostile strings that reach the screen escaped.
source "$(dirname "$0")/lib.sh"
source "$E2E_DIR/dns.sh"
require_root
require_tools ip nft setpriv timeout tmux
require_flowtop
ns_setup_or_skip

TM=(tmux -L "ft-replay-$$")
OWN_DIR=$(mktemp -d /tmp/ft-e2e-replay.XXXXXX) && chmod 0755 "$OWN_DIR"
replay_cleanup() {
	"${TM[@]}" kill-server 2>/dev/null
	case $OWN_DIR in /tmp/ft-e2e-replay.*) rm -rf -- "$OWN_DIR" ;; esac
}
trap 'replay_cleanup; dns_cleanup; e2e_cleanup' EXIT

if ! ns_add_public "$T_LONDON" "$T_JP" >"$WORK/public.msg"; then
	fail "harness: test addresses routed into the server namespace" "$(cat "$WORK/public.msg")"
	e2e_finish
fi
need_mmdb
GEO=$(geo_dir good GeoLite2-City-Test.mmdb=city.mmdb GeoLite2-ASN-Test.mmdb=asn.mmdb)
PTRS=("$T_LONDON=london.test.example" "$T_JP=tokyo.test.example"
	"$S4=server.test.example")
if ! dnsmasq_start dnsmasq "$S4" -- "${PTRS[@]}" >"$WORK/dnsmasq.msg"; then
	fail "harness: dnsmasq serves PTR records in the server namespace" "$(cat "$WORK/dnsmasq.msg")"
	e2e_finish
fi
resolv_conf_set "$NS_CLIENT" "$S4"
# Short connections leave the table a second after they close.
for k in nf_conntrack_tcp_timeout_time_wait nf_conntrack_tcp_timeout_close; do
	ct_sysctl "$NS_CLIENT" "$k" 1
done
start_server s_lon tcp "$T_LONDON" 80 || e2e_finish
start_server s_jp tcp "$T_JP" 80 || e2e_finish
start_server s_udp udp "$S4" 5300 || e2e_finish
start_server s_idle tcp "$S4" 5400 || e2e_finish
start_server s_idle6 tcp "$S6" 5400 || e2e_finish
start_server s_churn tcp "$S4" 5500 || e2e_finish

screen() { "${TM[@]}" capture-pane -p -t "$1"; }
keys() { local s=$1; shift; "${TM[@]}" send-keys -t "$s" "$@"; }
shows() { screen "$1" | grep -Eq -- "$2"; }
seen() {
	local what=$1 s=$2 re=$3 secs=${4:-5}
	if wait_for "$secs" shows "$s" "$re"; then pass "$what"; else
		fail "$what" "no /$re/ on the screen:
$(screen "$s" | head -n 40)"; fi
}
# session NAME CMD...: CMD in a fresh 160x45 tmux session; NAME.rc gets
# its exit status, NAME.err its stderr.
session() {
	local name=$1
	shift
	printf '%q ' "$@" >"$WORK/$name.cmd"
	cat >"$WORK/$name.sh" <<-SH
		$(cat "$WORK/$name.cmd") 2>"$WORK/$name.err"
		echo \$? >"$WORK/$name.rc"
		sleep 300
	SH
	"${TM[@]}" new-session -d -s "$name" -x 160 -y 45 "bash $WORK/$name.sh"
}
ended() { [ -s "$WORK/$1.rc" ]; }
FT=("$FLOWTOP" --conf-dir "$ROOT/conf" -46TU -t 0.5 --linger 1)

# --------------------------------------------------------- a live session
REC=$OWN_DIR/session.jsonl
session live ip netns exec "$NS_CLIENT" env -u SUDO_UID -u SUDO_GID \
	"${FT[@]}" --geoip-dir "$GEO" --record "$REC"
wait_for 5 shows live "PROCESS" >/dev/null
start_client c_lon tcp "$T_LONDON" 80 5
start_client c_jp tcp "$T_JP" 80 5
start_client c_udp udp "$S4" 5300 5
# One echo, then silence: open and idle to the end.
bg c_idle ip netns exec "$NS_CLIENT" "$PY" "$TRAFFIC" client --proto tcp \
	--addr "$S4" --port 5400 --duration 120 --interval 100
bg c_idle6 ip netns exec "$NS_CLIENT" "$PY" "$TRAFFIC" client --proto tcp \
	--addr "$S6" --port 5400 --duration 120 --interval 100
bg c_idle_lon ip netns exec "$NS_CLIENT" "$PY" "$TRAFFIC" client --proto tcp \
	--addr "$T_LONDON" --port 80 --duration 120 --interval 100
# Churn: 60 short connections, one every 0.1 s.
bg churn ip netns exec "$NS_CLIENT" bash -c '
	for i in $(seq 60); do
		exec 3<>"/dev/tcp/$1/5500" && echo "hello $i" >&3 &&
			read -r -t 2 _ <&3; exec 3>&-; sleep 0.1
	done' sh "$S4"
seen "live: the London flow with its name and place" live "london\.test\.example.*GB" 10
wait_for 15 sh -c "! kill -0 $BG_PID 2>/dev/null" >/dev/null
# The busy clients end at 5 s; closed flows leave a second later and
# linger a second; then the screen holds still.
sleep 5
live_frame=$(screen live)
printf '%s\n' "$live_frame" >"$WORK/live.frame"
keys live q
wait_for 5 ended live >/dev/null
verdict "live: flowtop --record on the screen exits 0" \
	"$([ "$(cat "$WORK/live.rc" 2>/dev/null)" = 0 ] || echo "rc $(cat "$WORK/live.rc" 2>/dev/null), $(head -c 400 "$WORK/live.err")")"
verdict "live: the last frame shows the idle flows that stay open, named and placed" \
	"$(grep -Eq "ESTABLISHED .*server\.test\.example +5400" "$WORK/live.frame" &&
		grep -Eq "ESTABLISHED .*2001:db8::2 +5400" "$WORK/live.frame" &&
		grep -Eq "ESTABLISHED .*london\.test\.example +http +GB London" "$WORK/live.frame" ||
		head -n 20 "$WORK/live.frame")"

# ------------------------------------------------------------ the replay
# frame_cmp A B: the two frames alike, but for the AGE column and the
# last two lines (status and keys); prints the first difference.
frame_cmp() {
	"$PY" - "$1" "$2" <<'PYEOF'
import re, sys
def rows(path):
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    lines = lines[:-2]
    # The column titles are the second line; AGE spans from the end of
    # the title before it to the start of the one after.
    head = lines[1]
    m = re.search(r"\bAGE\b", head)
    if not m:
        return lines, None
    prev = head.rstrip()[:m.start()].rstrip()
    start = len(prev) + 1
    nxt = re.search(r"\S", head[m.end():])
    end = m.end() + nxt.start() if nxt else 10**6
    cut = lambda s: (s[:start] + " " * max(0, min(len(s), end) - start) + s[end:]).rstrip()
    return [cut(l) for l in lines], (start, end)
a, span = rows(sys.argv[1])
b, _ = rows(sys.argv[2])
if span is None:
    print("no AGE column in the live frame")
    sys.exit(0)
if len([l for l in a if l.strip()]) < 4:
    print("the live frame has too few rows to compare: %r" % a)
    sys.exit(0)
for i in range(max(len(a), len(b))):
    x = a[i] if i < len(a) else "<none>"
    y = b[i] if i < len(b) else "<none>"
    if x != y:
        print("line %d differs:\n live:   %s\n replay: %s" % (i + 1, x, y))
        break
PYEOF
}

session replay env -u SUDO_UID -u SUDO_GID "${FT[@]}" --replay "$REC"
seen "replay: the status line says REPLAY, the frame and the speed" replay "REPLAY [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} frame [0-9]+/[0-9]+ x1"
keys replay + + +
seen "replay: + + + plays at x8" replay "frame [0-9]+/[0-9]+ x8"
seen "replay: END once the last frame is shown" replay " END *$" 30
sleep 2.5      # closed flows linger a second of wall time
screen replay >"$WORK/replay.frame"
verdict "replay: its last frame matches the live one (AGE aside)" \
	"$(frame_cmp "$WORK/live.frame" "$WORK/replay.frame")"
rp_pid=$(pgrep -x flowtop-replay | head -n1)
ui_pid=
[ -n "$rp_pid" ] && ui_pid=$(pgrep -P "$(ps -o ppid= -p "$rp_pid" | tr -d ' ')" -x flowtop-ui | head -n1)
why=
if [ -z "$rp_pid" ] || [ -z "$ui_pid" ]; then
	why="no flowtop-replay or flowtop-ui running: $(pgrep -a flowtop | head -n5)"
else
	for p in "$rp_pid" "$ui_pid" "$(ps -o ppid= -p "$rp_pid" | tr -d ' ')"; do
		for f in CapPrm CapEff CapBnd CapAmb; do
			v=$(status_field "$p" "$f")
			[ "$f" = CapBnd ] && continue
			[ "$v" = 0000000000000000 ] || why="$why $(proc_comm "$p") $f=$v;"
		done
		[ "$(status_field "$p" NoNewPrivs)" = 1 ] || [ "$p" != "$rp_pid" ] ||
			why="$why flowtop-replay NoNewPrivs=$(status_field "$p" NoNewPrivs);"
	done
	[ "$(status_field "$rp_pid" Seccomp)" = 2 ] || why="$why flowtop-replay Seccomp=$(status_field "$rp_pid" Seccomp);"
	for p in "$rp_pid" "$ui_pid"; do
		set -- $(status_field "$p" Uid)
		[ "${1:-0}" != 0 ] && [ "${2:-0}" != 0 ] && [ "${3:-0}" != 0 ] ||
			why="$why $(proc_comm "$p") Uid $*;"
	done
fi
verdict "replay: no process of it holds a capability; started by root, the reader and the ui are not root; the reader is sealed (no_new_privs, seccomp)" "$why"
keys replay q
wait_for 5 ended replay >/dev/null
verdict "replay: q exits 0" \
	"$([ "$(cat "$WORK/replay.rc" 2>/dev/null)" = 0 ] || echo "rc $(cat "$WORK/replay.rc" 2>/dev/null), $(head -c 400 "$WORK/replay.err")")"

# q while a frame of 40k flows is on its way to the ui: the end of the
# run, not an error (the reader's send finds the ui gone).
"$PY" - "$OWN_DIR/wide.jsonl" <<'PYEOF'
import sys
with open(sys.argv[1], "w") as out:
    out.write('{"event":"begin","time":1700000000.000000}\n')
    for p in range(6):
        for i in range(40000):
            out.write('{"event":"%s","id":%d,"family":"ipv4","proto":"tcp","state":"ESTABLISHED","src":"10.0.%d.%d","sport":%d,"dst":"192.0.2.2","dport":80,"orig_bytes":%d,"time":1700000%03d.000000}\n'
                      % ("update" if p else "start", i + 1, i // 256, i % 256, 1024 + i, p * 10 + i, p))
PYEOF
session wide env -u SUDO_UID -u SUDO_GID "${FT[@]}" --replay "$OWN_DIR/wide.jsonl"
wait_for 20 shows wide "frame [1-9]" >/dev/null
keys wide + + + + + + q
wait_for 10 ended wide >/dev/null
verdict "replay: q while a frame of 40k flows is on its way: exit 0, nothing said" \
	"$([ "$(cat "$WORK/wide.rc" 2>/dev/null)" = 0 ] && [ ! -s "$WORK/wide.err" ] || echo "rc $(cat "$WORK/wide.rc" 2>/dev/null), stderr: $(head -c 300 "$WORK/wide.err")")"
rm -f "$OWN_DIR/wide.jsonl"

# ------------------------------------------------------------------ keys
# frames FILE: the recorded time of each frame, one a line: each pass's
# time once (its start, update and tick lines share it; a flow that came
# and went between passes has its start written with its end, at the
# end's time, and makes no pass).
frames() {
	"$PY" - "$1" <<'PYEOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1], "rb")]
last = None
for i, o in enumerate(ev):
    nxt = ev[i + 1] if i + 1 < len(ev) else {}
    if o["event"] == "start" and nxt.get("event") == "end" and \
       nxt.get("id") == o.get("id") and nxt.get("time") == o["time"]:
        continue
    if o["event"] in ("start", "update", "tick") and o["time"] != last:
        last = o["time"]
        print(repr(last))
PYEOF
}
frames "$REC" >"$WORK/frames"
# frame_no SESSION: the frame the status line shows.
frame_no() { screen "$1" | sed -n 's/.* frame \([0-9]*\)\/.*/\1/p' | tail -n1; }
session keys "${FT[@]}" --replay "$REC"
seen "keys: the replay starts" keys "REPLAY .* frame [0-9]+/"
nframes=$(wc -l <"$WORK/frames")
seen "keys: the replay counts one frame for each pass the live run made ($nframes)" keys "frame [0-9]+/$nframes "
verdict "harness: the recording has passes at the interval, short flows between them" \
	"$([ "$nframes" -ge 20 ] && [ "$(grep -c '"event":"end"' "$REC")" -ge 30 ] || echo "$nframes passes, $(grep -c '"event":"end"' "$REC") ends")"
keys keys p
seen "keys: p pauses (PAUSED)" keys " PAUSED *$"
n1=$(frame_no keys)
sleep 1.5
n2=$(frame_no keys)
verdict "keys: paused, the frame stays" "$([ -n "$n1" ] && [ "$n1" = "$n2" ] || echo "frame $n1, then $n2")"
keys keys .
seen "keys: . shows the next frame, still paused" keys "frame $((n1 + 1))/.* PAUSED *$"
t=$(sed -n "$((n1 + 1))p" "$WORK/frames")
want=$(date -d "@${t%.*}" '+%Y-%m-%d %H:%M:%S' 2>/dev/null)
seen "keys: the status line shows frame $((n1 + 1))'s recorded time" keys "REPLAY $want frame $((n1 + 1))/"
keys keys +
seen "keys: + doubles the speed" keys "frame [0-9]+/[0-9]+ x2"
keys keys - -
seen "keys: - halves it" keys "frame [0-9]+/[0-9]+ x1/2"
keys keys - - -
seen "keys: the slowest is x1/4, no further" keys "frame [0-9]+/[0-9]+ x1/4"
keys keys p
n3=$(frame_no keys)
keys keys + + + + + + + + + +
seen "keys: p plays again, + up to x64" keys "x64"
seen "keys: it plays on to the END" keys " END *$" 30
keys keys q
wait_for 5 ended keys >/dev/null

# ---------------------------------------------------------------- batch
ft_run batch "$NS_CLIENT" "${FT[@]}" --replay "$REC" -o json
verdict "batch: --replay FILE -o json exits 0" "$([ "$FT_RC" = 0 ] || echo "$(rc_text "$FT_RC"): $(head -c 400 "$WORK/batch.err")")"
verdict "batch: every line is a flow of -o json" "$(jcheck valid "$WORK/batch.out")"
why=$("$PY" - "$REC" "$WORK/batch.out" <<'PYEOF'
import json, sys
open_, names = {}, {}
for line in open(sys.argv[1], "rb"):
    o = json.loads(line)
    # The screen knows an address by its last name in the file, whichever
    # flow's line told it.
    for side in ("src", "dst"):
        for f in ("_name", "_country"):
            if o.get(side + f):
                names[(o[side], f)] = o[side + f]
    k = (o.get("id"), o.get("src"), o.get("dst"), o.get("sport"), o.get("dport"))
    if o["event"] == "begin":
        open_.clear()
    elif o["event"] in ("start", "update"):
        open_[k] = o
    elif o["event"] == "end":
        open_.pop(k, None)
snaps = {}
for line in open(sys.argv[2], "rb"):
    o = json.loads(line)
    snaps.setdefault(o["time"], {})[(o.get("id"), o.get("src"), o.get("dst"), o.get("sport"), o.get("dport"))] = o
if not snaps:
    print("no snapshot printed"); sys.exit()
last = snaps[max(snaps)]
if set(last) != set(open_):
    print("last snapshot %d flows, the file leaves %d open; missing %s, extra %s" % (
        len(last), len(open_), list(set(open_) - set(last))[:3], list(set(last) - set(open_))[:3]))
    sys.exit()
for k, o in open_.items():
    for f in ("_name", "_country"):
        if names.get((o["dst"], f)) != last[k].get("dst" + f):
            print("%s: dst%s is %r in the file, %r in the replay" % (k, f, names.get((o["dst"], f)), last[k].get("dst" + f)))
            sys.exit()
    for f in ("orig_bytes", "reply_bytes", "process", "state"):
        if o.get(f) != last[k].get(f):
            print("%s: %s is %r in the file, %r in the replay" % (k, f, o.get(f), last[k].get(f)))
            sys.exit()
PYEOF
)
verdict "batch: the last snapshot holds the flows the file leaves open, with their last figures, names and places" "$why"
nsnap=$("$PY" -c 'import json,sys; print(len({json.loads(l)["time"] for l in open(sys.argv[1])}))' "$WORK/batch.out")
ft_run count "$NS_CLIENT" "${FT[@]}" --replay "$REC" -o json --count 3
ncount=$("$PY" -c 'import json,sys; print(len({json.loads(l)["time"] for l in open(sys.argv[1])}))' "$WORK/count.out" 2>/dev/null)
verdict "batch: --count 3 prints 3 snapshots" "$([ "$FT_RC" = 0 ] && [ "$ncount" = 3 ] || echo "rc $FT_RC, $ncount snapshots (of $nsnap)")"

# An unprivileged user replays the same file to the same output.
cp "$FLOWTOP" "$OWN_DIR/flowtop" && chmod 0755 "$OWN_DIR/flowtop" && chmod 0644 "$REC"
setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$OWN_DIR/flowtop" --conf-dir "$ROOT/conf" -46TU -t 0.5 --replay "$REC" -o json \
	>"$WORK/nobody.out" 2>"$WORK/nobody.err" </dev/null
rc=$?
verdict "batch: user nobody replays it (no privilege needed), the same output as root" \
	"$([ "$rc" = 0 ] && cmp -s "$WORK/nobody.out" "$WORK/batch.out" || echo "rc $rc, $(head -c 300 "$WORK/nobody.err"), $(diff "$WORK/batch.out" "$WORK/nobody.out" | head -n 4)")"

# The reader parses only once sealed; its table is enforced.
if [ -x "$FLOWTOP_TESTHOOKS" ]; then
	ft_run parse "$NS_CLIENT" env FLOWTOP_TEST_PARSE=replay "$FLOWTOP_TESTHOOKS" \
		--conf-dir "$ROOT/conf" --replay "$REC" -o json --count 1
	verdict "sandbox: flowtop-replay parses the recording sealed" \
		"$(grep -q '^flowtop: replay: test: parses the recording sealed$' "$WORK/parse.err" || head -c 300 "$WORK/parse.err")"
	ft_run sc "$NS_CLIENT" env FLOWTOP_TEST_SECCOMP=replay "$FLOWTOP_TESTHOOKS" \
		--conf-dir "$ROOT/conf" --replay "$REC" -o json
	verdict "sandbox: a syscall outside flowtop-replay's table kills it, said, exit 1" \
		"$([ "$FT_RC" = 1 ] && grep -q '^flowtop: replay killed by seccomp: syscall ptrace$' "$WORK/sc.err" || echo "$(rc_text "$FT_RC"): $(head -c 300 "$WORK/sc.err")")"
else
	fail "sandbox: the test build's checks" "$FLOWTOP_TESTHOOKS missing: run make testhooks"
fi

# ------------------------------------------------------------- bad files
bad() {   # bad NAME WHAT RC STDERR-REGEX ARGS...
	local name=$1 what=$2 rc=$3 re=$4
	shift 4
	ft_run "$name" "$NS_CLIENT" "${FT[@]}" "$@"
	verdict "$what" "$([ "$FT_RC" = "$rc" ] && { [ -z "$re" ] || grep -Eq -- "$re" "$WORK/$name.err"; } && [ "$rc" = 0 -o ! -s "$WORK/$name.out" ] || echo "$(rc_text "$FT_RC"), stdout $(wc -c <"$WORK/$name.out") bytes, stderr: $(head -c 400 "$WORK/$name.err")")"
}
bad missing "bad file: a missing one is one line naming it, exit 1" 1 \
	"^flowtop: --replay $OWN_DIR/none: No such file or directory$" --replay "$OWN_DIR/none" -o json
bad dir "bad file: a directory is refused, exit 1" 1 \
	"^flowtop: --replay $OWN_DIR: not a regular file$" --replay "$OWN_DIR" -o json
head -n 3 "$REC" >"$OWN_DIR/bad.jsonl"
echo '{"event":"start","id":7,"family":"ipv4","proto":"udp","src":"192.0.2.1","sport":70000,"dst":"192.0.2.2","dport":53,"time":1.5}' >>"$OWN_DIR/bad.jsonl"
tail -n +4 "$REC" >>"$OWN_DIR/bad.jsonl"
bad badline "bad file: a malformed line is named by file and line, nothing printed, exit 1" 1 \
	"^flowtop: replay: $OWN_DIR/bad\.jsonl:4: .*sport" --replay "$OWN_DIR/bad.jsonl" -o json
printf '%s' "$(cat "$REC")" | head -c -20 >"$OWN_DIR/cut.jsonl"
bad cut "bad file: a last line cut short is said, the rest played, exit 0" 0 \
	"cut short" --replay "$OWN_DIR/cut.jsonl" -o json
verdict "bad file: the cut file's frames are printed" "$([ -s "$WORK/cut.out" ] || echo "nothing printed")"
: >"$OWN_DIR/empty.jsonl"
bad empty "bad file: an empty one prints nothing, exit 0" 0 "" --replay "$OWN_DIR/empty.jsonl" -o json
printf '\x00\x01{"event":\n' >"$OWN_DIR/binary.jsonl"
bad binary "bad file: binary garbage is refused with its line, exit 1" 1 \
	"^flowtop: replay: $OWN_DIR/binary\.jsonl:1: " --replay "$OWN_DIR/binary.jsonl" -o json
ft_run both "$NS_CLIENT" "$FLOWTOP" --replay "$REC" --record "$OWN_DIR/x"
verdict "usage: --replay with --record is refused, exit 2" \
	"$([ "$FT_RC" = 2 ] && grep -q -- '--replay' "$WORK/both.err" || echo "$(rc_text "$FT_RC"): $(head -c 300 "$WORK/both.err")")"

# Hostile strings in a file someone handed over: escaped on the screen
# (the terminal's title is not set, no colour escape runs) and in JSON.
now=$(date +%s)
cat >"$OWN_DIR/evil.jsonl" <<EOF
{"event":"begin","time":$now.000000}
{"event":"start","id":1,"family":"ipv4","proto":"tcp","state":"ESTABLISHED","src":"192.0.2.1","sport":40000,"dst":"81.2.69.142","dport":80,"dst_name":"x\u001b]2;pwned\u0007.evil","dst_country":"GB","dst_city":"Lon\u001b[31mdon","pid":4242,"process":"\u001b]2;pwn\u0007","uid":0,"cmdline":"sh -c \u001b[2J","orig_bytes":100,"reply_bytes":200,"age":3,"time":$now.000000}
{"event":"tick","time":$((now + 1)).000000}
EOF
ft_run evil "$NS_CLIENT" "${FT[@]}" --replay "$OWN_DIR/evil.jsonl" -o json
verdict "hostile file: JSON output has no raw escape byte, the name escaped" \
	"$([ "$FT_RC" = 0 ] && ! grep -q $'\x1b' "$WORK/evil.out" && grep -q 'x\\u001b]2;pwned\\u0007.evil' "$WORK/evil.out" || echo "$(rc_text "$FT_RC"): $(head -c 300 "$WORK/evil.out") $(head -c 300 "$WORK/evil.err")")"
session evil "${FT[@]}" --replay "$OWN_DIR/evil.jsonl"
seen "hostile file: the screen shows the flow" evil "pwn"
title=$("${TM[@]}" display-message -p -t evil '#{pane_title}')
verdict "hostile file: the pane's title was not set by a name or process in the file" \
	"$(case $title in *pwn*) echo "title is '$title'" ;; esac)"
verdict "hostile file: no raw escape byte from the file reached the screen" \
	"$(screen evil | grep -q $'\x1b' && echo "an ESC byte on the screen")"
keys evil q

e2e_finish
