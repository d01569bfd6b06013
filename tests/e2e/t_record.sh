#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_record: --record writes each flow's life as JSON Lines: a "start", an
# "update" at the interval while its counters move, an "end" with the
# final counters and the owner; flowtop-rec writes them (the caller's uid,
# no capability, seccomp) and rotates the file by size. Real flows in the
# test's namespaces, with conntrack's TIME_WAIT and UDP timeouts cut to a
# second there so that flows end within the test. What a user checks: the
# lines parse, each short connection starts once and ends once after its
# start, a busy one's updates grow, the end names the process; rotation
# keeps FILE and FILE.1..N, each under the size, whole lines only; a path
# that can't be written is one clear line and exit 1; the screen records
# too.
source "$(dirname "$0")/lib.sh"
require_root
require_tools ip nft timeout tmux mkfifo
require_flowtop
ns_setup_or_skip

TM=(tmux -L "ft-record-$$")
trap '"${TM[@]}" kill-server 2>/dev/null; e2e_cleanup' EXIT
for k in nf_conntrack_tcp_timeout_time_wait nf_conntrack_tcp_timeout_close \
	nf_conntrack_udp_timeout nf_conntrack_udp_timeout_stream; do
	ct_sysctl "$NS_CLIENT" "$k" 1
done
start_server s_tcp tcp "$S4" 5101 || e2e_finish
start_server s_udp udp "$S6" 5102 || e2e_finish
mkdir -p "$WORK/rec" "$WORK/rot"

# check_lines FILE...: every line one JSON object with event, id and time,
# whole (the file ends with a newline); prints what is wrong.
check_lines() {
	"$PY" - "$@" <<'PYEOF'
import json, sys
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    if data and not data.endswith(b"\n"):
        print("%s does not end with a whole line" % path)
    for n, line in enumerate(data.splitlines(), 1):
        try:
            o = json.loads(line)
        except ValueError as e:
            print("%s:%d: not JSON (%s): %r" % (path, n, e, line[:80]))
            break
        if o.get("event") in ("begin", "tick") and set(o) == {"event", "time"}:
            continue
        if o.get("event") not in ("start", "update", "end") or \
           "id" not in o or "time" not in o:
            print("%s:%d: no event/id/time: %r" % (path, n, line[:80]))
            break
PYEOF
}

# ---------------------------------------------------------------- lifecycle
REC=$WORK/rec/flows.jsonl
ft_start rec "$NS_CLIENT" env -u SUDO_UID -u SUDO_GID "$FLOWTOP" \
	--record "$REC" -o none --count 16 -t 0.5 -46TU -n -G
sleep 1
rec_pid=$(child_by_comm "${FT_PID:-0}" flowtop-rec)
if [ -z "$rec_pid" ]; then
	fail "--record runs flowtop-rec" "children: $(ps -o comm= --ppid "${FT_PID:-0}" | tr '\n' ' ')"
else
	E2E_PIDS+=("$rec_pid")
	v="$(status_field "$rec_pid" CapEff) $(status_field "$rec_pid" CapPrm) $(status_field "$rec_pid" NoNewPrivs) $(status_field "$rec_pid" Seccomp) $(status_field "$rec_pid" Uid | awk '{print $1}')"
	verdict "flowtop-rec: no capability, NoNewPrivs 1, Seccomp 2, root's uid (root started it)" \
		"$([ "$v" = "0000000000000000 0000000000000000 1 2 0" ] || echo "CapEff CapPrm NoNewPrivs Seccomp uid: $v")"
fi
start_client long tcp "$S4" 5101 3
declare -A SHORT_PID
for i in $(seq 12); do
	start_client "short$i" tcp "$S4" 5101 0.3
	SHORT_PID[$i]=$BG_PID
done
for i in $(seq 4); do start_client "udp$i" udp "$S6" 5102 0.3; done
wait_pid "$FT_TPID" 30
verdict "flowtop --record FILE -o none --count 16 exits 0, says nothing on stdout" \
	"$([ "$WAIT_RC" = 0 ] && [ ! -s "$WORK/rec.out" ] || printf '%s: %s %s' "$(rc_text "$WAIT_RC")" "$(show_file "$WORK/rec.err")" "$(head -c 200 "$WORK/rec.out")")"
wait_for 5 sh -c "! kill -0 ${rec_pid:-0} 2>/dev/null"
verdict "flowtop-rec is gone with the run" "$(! kill -0 "${rec_pid:-0}" 2>/dev/null || echo "pid $rec_pid still runs")"
verdict "the record file is 0600" "$(m=$(stat -c %a "$REC" 2>&1); [ "$m" = 600 ] || echo "mode $m")"
verdict "every line of the record is JSON with event, id and time, the last one whole" \
	"$(check_lines "$REC")"
verdict "the record begins with its run's begin line" \
	"$(head -n1 "$REC" | grep -Eq '^\{"event":"begin","time":[0-9]+\.[0-9]{6}\}$' || head -c 200 "$REC")"

# life NAME PROTO SPORT [PID]: the events of that flow, in file order,
# then a verdict of what is wrong with them ("" when right).
life() {
	"$PY" - "$REC" "$@" <<'PYEOF'
import json, sys
path, name, proto, sport = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
pid = int(sys.argv[5]) if len(sys.argv) > 5 else None
ev = [json.loads(l) for l in open(path)]
mine = [o for o in ev if o.get("proto") == proto and o.get("sport") == sport]
kinds = [o["event"] for o in mine]
why = []
if kinds.count("start") != 1 or kinds.count("end") != 1:
    why.append("events %s" % kinds)
elif kinds[0] != "start" or kinds[-1] != "end":
    why.append("order %s" % kinds)
else:
    end = mine[-1]
    if len({o["id"] for o in mine}) != 1:
        why.append("ids differ")
    prev = 0
    for o in mine:
        if o["orig_bytes"] < prev:
            why.append("orig_bytes went down: %s" % [m["orig_bytes"] for m in mine])
            break
        prev = o["orig_bytes"]
    if end["orig_bytes"] < 512 or end["reply_bytes"] < 512:
        why.append("end counters %d/%d" % (end["orig_bytes"], end["reply_bytes"]))
    if pid is not None and (end.get("pid") != pid or end.get("process") != "python3"):
        why.append("end owner %s %s, not %d python3" % (end.get("pid"), end.get("process"), pid))
if name == "long":
    ups = [o["orig_bytes"] for o in mine if o["event"] == "update"]
    if len(ups) < 3 or ups != sorted(set(ups)):
        why.append("updates %s (3 or more, growing)" % ups)
print("; ".join(why))
PYEOF
}
for i in 1 6 12; do
	sp=$(client_sport "short$i")
	verdict "short connection $i (sport $sp): one start, one end after it, the end's counters and owner" \
		"$(life short tcp "$sp" "${SHORT_PID[$i]}")"
done
sp=$(client_sport long)
verdict "a busy 3 s connection: start, growing updates at the interval, end" "$(life long tcp "$sp")"
sp=$(client_sport udp2)
verdict "a UDP flow (IPv6): one start, one end" "$(life udp udp "$sp")"
n=$("$PY" -c 'import json,sys; print(len({json.loads(l)["sport"] for l in open(sys.argv[1]) if json.loads(l).get("dport") == 5101 and json.loads(l)["event"] == "end"}))' "$REC")
verdict "every one of the 13 TCP connections ended in the record ($n)" "$([ "$n" = 13 ] || echo "$n ended")"

# ---------------------------------------------------------------- rotation
ROT=$WORK/rot/r.jsonl
ft_start rot "$NS_CLIENT" "$FLOWTOP" --record "$ROT" --record-size 4K \
	--record-keep 2 -o none --count 10 -t 0.5 -46TU -n -G
sleep 1
for i in $(seq 30); do start_client "rot$i" tcp "$S4" 5101 0.2; done
wait_pid "$FT_TPID" 30
verdict "--record-size 4K --record-keep 2: exits 0" \
	"$([ "$WAIT_RC" = 0 ] || printf '%s: %s' "$(rc_text "$WAIT_RC")" "$(show_file "$WORK/rot.err")")"
got=$(cd "$WORK/rot" && ls | sort | tr '\n' ' ')
verdict "rotation keeps r.jsonl, r.jsonl.1 and r.jsonl.2, no more ($got)" \
	"$([ "$got" = "r.jsonl r.jsonl.1 r.jsonl.2 " ] || echo "files: $got")"
why=
for f in "$ROT" "$ROT.1" "$ROT.2"; do
	s=$(stat -c %s "$f" 2>/dev/null || echo missing)
	[ "$s" != missing ] && [ "$s" -le 4096 ] || why="$why $f: $s bytes;"
done
[ "$(stat -c %s "$ROT.2" 2>/dev/null || echo 0)" -ge 3000 ] || why="$why $ROT.2 is not full;"
verdict "each file at most 4096 bytes, the rotated ones full" "${why# }"
verdict "every file holds whole JSON lines" "$(check_lines "$ROT" "$ROT.1" "$ROT.2")"
t_old=$(tail -n 1 "$ROT.1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["time"])')
t_new=$(head -n 1 "$ROT" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["time"])')
verdict "r.jsonl.1 ends before r.jsonl begins ($t_old <= $t_new)" \
	"$("$PY" -c 'import sys; sys.exit(float(sys.argv[1]) > float(sys.argv[2]))' "$t_old" "$t_new" || echo "out of order")"

# Under sudo the recorder is the user who typed it: the file is theirs,
# and a directory they may not write is refused.
sudo_user "$WORK/mine"
sudo_uid=$T_SUDO_UID sudo_gid=$T_SUDO_GID
ft_run sudo "$NS_CLIENT" env SUDO_UID="$sudo_uid" SUDO_GID="${sudo_gid:-65534}" \
	"$FLOWTOP" --once -n -G --record "$WORK/mine/s.jsonl" -o none
verdict "SUDO_UID=$sudo_uid: the record file is that user's" \
	"$([ "$FT_RC" = 0 ] && [ "$(stat -c %u "$WORK/mine/s.jsonl" 2>&1)" = "$sudo_uid" ] || echo "$(rc_text "$FT_RC"), owner $(stat -c %u "$WORK/mine/s.jsonl" 2>&1): $(show_file "$WORK/sudo.err")")"
ft_run sudo2 "$NS_CLIENT" env SUDO_UID="$sudo_uid" SUDO_GID="${sudo_gid:-65534}" \
	"$FLOWTOP" --once -n -G --record "$WORK/rec/s.jsonl" -o none
verdict "SUDO_UID=$sudo_uid: root's directory refused, one line, exit 1" \
	"$([ "$FT_RC" = 1 ] && [ "$(grep -c . "$WORK/sudo2.err")" = 1 ] && grep -q "$WORK/rec/s.jsonl: Permission denied" "$WORK/sudo2.err" || echo "$(rc_text "$FT_RC"): $(show_file "$WORK/sudo2.err")")"

# ---------------------------------------------------------------- errors
# rec_err NAME WANT ARGS...: flowtop --record ... exits 1 with one line
# on stderr that says WANT.
rec_err() {
	local name=$1 want=$2
	shift 2
	ft_run "$name" "$NS_CLIENT" "$FLOWTOP" --once -n -G "$@"
	verdict "$* : exit 1, one line: $want" \
		"$([ "$FT_RC" = 1 ] && [ "$(grep -c . "$WORK/$name.err")" = 1 ] && grep -qF -- "$want" "$WORK/$name.err" || echo "$(rc_text "$FT_RC"): $(show_file "$WORK/$name.err")")"
}
rec_err nodir "flowtop: recorder: $WORK/nosuch/f.jsonl: its directory: No such file or directory" \
	--record "$WORK/nosuch/f.jsonl"
mkfifo "$WORK/rec/fifo"
rec_err fifo "flowtop: recorder: $WORK/rec/fifo: not a regular file" --record "$WORK/rec/fifo"
rec_err isdir "flowtop: recorder: $WORK/rec: Is a directory" --record "$WORK/rec"
ft_run none "$NS_CLIENT" "$FLOWTOP" --once -o none
verdict "-o none without --record: usage error, exit 2" \
	"$([ "$FT_RC" = 2 ] && grep -q "use it with --record" "$WORK/none.err" || echo "$(rc_text "$FT_RC"): $(show_file "$WORK/none.err")")"
ft_run small "$NS_CLIENT" "$FLOWTOP" --once --record "$WORK/rec/x" --record-size 100
verdict "--record-size 100: usage error, exit 2" \
	"$([ "$FT_RC" = 2 ] && grep -q "invalid --record-size" "$WORK/small.err" || echo "$(rc_text "$FT_RC"): $(show_file "$WORK/small.err")")"

# ---------------------------------------------------------------- seccomp
if [ -x "$FLOWTOP_TESTHOOKS" ]; then
	ft_run screc "$NS_CLIENT" env FLOWTOP_TEST_SECCOMP=recorder \
		"$FLOWTOP_TESTHOOKS" --count 2 -t 0.5 -n -G --record "$WORK/rec/sc.jsonl" -o none
	verdict "FLOWTOP_TEST_SECCOMP=recorder: exit 1, 'recorder killed by seccomp: syscall NAME'" \
		"$([ "$FT_RC" = 1 ] && grep -Eq '^flowtop: recorder killed by seccomp: syscall [a-z_0-9]+' "$WORK/screc.err" || echo "$(rc_text "$FT_RC"): $(show_file "$WORK/screc.err")")"
else
	fail "FLOWTOP_TEST_SECCOMP=recorder" "$FLOWTOP_TESTHOOKS missing: run make testhooks"
fi

# ---------------------------------------------------------------- screen
SCR=$WORK/rec/screen.jsonl
cat >"$WORK/tui.sh" <<SH
ip netns exec "$NS_CLIENT" "$FLOWTOP" --record "$SCR" -46TU -n -G -t 0.5 2>"$WORK/tui.err"
echo \$? >"$WORK/tui.rc"
sleep 300
SH
"${TM[@]}" new-session -d -s main -x 200 -y 50 "bash $WORK/tui.sh"
on_screen() { "${TM[@]}" capture-pane -p -t main | grep -Eq "$1"; }
if wait_for 10 on_screen 'DESTINATION'; then
	start_client scr tcp "$S4" 5101 2
	sp=$(client_sport scr)
	has_start() { grep -q "\"event\":\"start\".*\"sport\":$sp," "$SCR"; }
	verdict "the screen with --record: the new flow's start is in the file while the screen runs" \
		"$(wait_for 5 has_start || echo "no start line for sport $sp: $(head -c 300 "$SCR")")"
	verdict "the status line says REC" "$(on_screen '\| REC' || "${TM[@]}" capture-pane -p -t main | tail -n 2)"
	has_update() { grep -q "\"event\":\"update\".*\"sport\":$sp," "$SCR"; }
	verdict "... and its updates at the interval" \
		"$(wait_for 5 has_update || echo "no update line for sport $sp")"
	"${TM[@]}" send-keys -t main q
	wait_for 5 test -s "$WORK/tui.rc"
	verdict "q exits 0" "$([ "$(cat "$WORK/tui.rc" 2>/dev/null)" = 0 ] || cat "$WORK/tui.err")"
	verdict "the screen's record holds whole JSON lines" "$(check_lines "$SCR")"
else
	fail "the screen comes up with --record" "$("${TM[@]}" capture-pane -p -t main | tail -n 5)"
fi
e2e_finish
