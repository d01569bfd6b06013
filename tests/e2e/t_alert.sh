#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_alert: first-seen alerts. A program (python's echo client, its
# executable the program) talks to a London address while flowtop
# --learn builds the baseline; then, under --alert, it talks to London
# again (known), to another London address (a new destination in a known
# country) and twice at once to Japan (a new country). What a user
# checks: the baseline file (0600, the entries learnt, nothing left
# half-written), exactly one syslog line for Japan and one for the new
# London address, received by a real datagram listener standing in as
# /dev/log (the runs are in a private mount namespace whose /dev holds
# it: the host's /dev is not touched), exactly one flow marked new in
# JSON for each, with what was new; on the screen one NEW row and the
# status line's count for a new country (US); flowtop-base confined (the
# caller's uid, no capability, NoNewPrivs, seccomp); and bad baselines
# refused in one line, the file left as it was.
source "$(dirname "$0")/lib.sh"
source "$E2E_DIR/dns.sh"
require_root
require_tools ip nft timeout tmux unshare mount
require_flowtop
ns_setup_or_skip

TM=(tmux -L "ft-alert-$$")
trap '"${TM[@]}" kill-server 2>/dev/null; dns_cleanup; e2e_cleanup' EXIT

T_LONDON2=81.2.69.150       # GB too (81.2.69.144/28)
T_JP2=2001:218::2
if ! ns_add_public "$T_LONDON" "$T_LONDON2" "$T_JP" "$T_MILTON" >"$WORK/public.msg"; then
	fail "harness: test addresses routed into the server namespace" "$(cat "$WORK/public.msg")"
	e2e_finish
fi
need_mmdb || e2e_finish
GEO=$(geo_dir good GeoLite2-City-Test.mmdb=city.mmdb GeoLite2-ASN-Test.mmdb=asn.mmdb)
for a in "$T_LONDON" "$T_LONDON2" "$T_JP" "$T_MILTON"; do
	start_server "s_$a" tcp "$a" 80 || e2e_finish
done
# Closed connections leave the table a second later.
for k in nf_conntrack_tcp_timeout_time_wait nf_conntrack_tcp_timeout_close; do
	ct_sysctl "$NS_CLIENT" "$k" 1
done
FT=("$FLOWTOP" --conf-dir "$ROOT/conf" --geoip-dir "$GEO" -n -46T -t 0.5)
BASE_DIR=$WORK/base
mkdir -p "$BASE_DIR"
BASE=$BASE_DIR/baseline
EXE=$(readlink -f "$PY")

# The syslog stand-in: a datagram socket that logs each message as a line.
LOG_SOCK=$WORK/log.sock
LOG=$WORK/syslog.txt
: >"$LOG"
bg sink "$PY" "$E2E_DIR/syslog_sink.py" "$LOG_SOCK" "$LOG" \
	--ready "$WORK/sink.ready" --lifetime 200
wait_for 5 test -s "$WORK/sink.ready" ||
	{ fail "harness: the syslog listener binds" "$(cat "$WORK/sink.err")"; e2e_finish; }

# with_devlog CMD...: CMD in NS_CLIENT and a private mount namespace whose
# /dev is a tmpfs holding the usual devices and, as /dev/log, LOG_SOCK.
cat >"$WORK/devlog.sh" <<'SH'
set -e
sock=$1 d=$2
shift 2
mkdir -p "$d"
mount -t tmpfs -o mode=0755 tmpfs "$d"
for n in null zero full random urandom tty; do
	[ -e "/dev/$n" ] || continue
	touch "$d/$n"
	mount --bind "/dev/$n" "$d/$n"
done
mkdir "$d/pts" "$d/shm"
mount --rbind /dev/pts "$d/pts"
ln -s pts/ptmx "$d/ptmx"
ln -s /proc/self/fd "$d/fd"
touch "$d/log"
mount --bind "$sock" "$d/log"
mount --move "$d" /dev
exec "$@"
SH
DEVLOG=(ip netns exec "$NS_CLIENT" unshare -m --propagation private
	bash "$WORK/devlog.sh" "$LOG_SOCK" "$WORK/dev")

# client NAME ADDR SECONDS: the program under test, talking to ADDR:80.
client() {
	bg "$1" ip netns exec "$NS_CLIENT" "$PY" "$TRAFFIC" client --proto tcp \
		--addr "$2" --port 80 --duration "$3" --interval 0.2
}

# ------------------------------------------------------------------ --learn
client c_lon "$T_LONDON" 4
ft_run learn "$NS_CLIENT" "${FT[@]}" --learn "$BASE" -o json --count 3
verdict "--learn -o json --count 3 exits 0, quiet on stderr" \
	"$([ "$FT_RC" = 0 ] && [ ! -s "$WORK/learn.err" ] || printf '%s: %s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/learn.err")")"
verdict "--learn marks nothing new in JSON" \
	"$(grep -c '"new":' "$WORK/learn.out" | grep -qx 0 || grep -m1 '"new":' "$WORK/learn.out")"
verdict "the baseline is 0600 with its header, and nothing is left beside it" \
	"$(m=$(stat -c %a "$BASE" 2>&1); [ "$m" = 600 ] && [ "$(head -n1 "$BASE")" = "# flowtop baseline 1" ] &&
		[ "$(ls "$BASE_DIR")" = baseline ] || echo "mode $m, $(head -n1 "$BASE" 2>&1), dir: $(ls "$BASE_DIR")")"
verdict "--learn learnt the program's destination and country" \
	"$(grep -Eq "^dst [0-9]+ exe:$EXE $T_LONDON\$" "$BASE" &&
		grep -Eq "^country [0-9]+ exe:$EXE GB\$" "$BASE" || show_file "$BASE")"
verdict "nothing was logged while learning" "$([ ! -s "$LOG" ] || show_file "$LOG")"
cp "$BASE" "$WORK/base.learnt"

# ------------------------------------------------------------------ --alert
# The learning client's flow ends first (it leaves the table a second
# after it closes).
wait_for 10 sh -c "! pgrep -f -- '--addr $T_LONDON --port 80' >/dev/null" >/dev/null
sleep 1.5
client a_lon "$T_LONDON" 25
client a_lon2 "$T_LONDON2" 25
client a_jp1 "$T_JP" 25
client a_jp2 "$T_JP" 25
sleep 0.5
ft_run alert "$NS_CLIENT" "${DEVLOG[@]}" "${FT[@]}" --alert "$BASE" -o json --count 4
verdict "--alert -o json --count 4 exits 0, quiet on stderr" \
	"$([ "$FT_RC" = 0 ] && [ ! -s "$WORK/alert.err" ] || printf '%s: %s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/alert.err")")"
# new_of ADDR: the "new" lists of the last snapshot's flows to ADDR.
new_of() {
	"$PY" - "$WORK/alert.out" "$1" <<'PYEOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
last = max(o["time"] for o in lines)
for o in lines:
    if o["time"] == last and o.get("dst") == sys.argv[2] and \
       o.get("state") == "ESTABLISHED":
        print(",".join(o.get("new", [])) or "-")
PYEOF
}
verdict "JSON: the flow to the known London address is not new" \
	"$(v=$(new_of "$T_LONDON"); [ "$v" = - ] || echo "new: $v")"
verdict "JSON: the other London address is a new destination, not a new country" \
	"$(v=$(new_of "$T_LONDON2"); [ "$v" = destination ] || echo "new: $v")"
verdict "JSON: of the two flows to Japan exactly one is new, for destination and country" \
	"$(v=$(new_of "$T_JP" | sort | tr '\n' ' '); [ "$v" = "- destination,country " ] || echo "new: $v")"
wait_for 3 test "$(wc -l <"$LOG")" -ge 2 >/dev/null
verdict "syslog: exactly one line for Japan, naming what was new, the program and the country" \
	"$(n=$(grep -c "peer $T_JP " "$LOG"); [ "$n" = 1 ] &&
		grep -Eq "^<13>[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} flowtop\[[0-9]+\]: NEW destination,country for exe:$EXE: peer $T_JP country JP; tcp [0-9a-f:]+ -> $T_JP:80, pid [0-9]+, uid 0\$" "$LOG" ||
		{ echo "$n lines"; show_file "$LOG"; })"
verdict "syslog: exactly one line for the new London address, and two lines in all" \
	"$([ "$(grep -c "peer $T_LONDON2 country GB;" "$LOG")" = 1 ] && [ "$(wc -l <"$LOG")" = 2 ] || show_file "$LOG")"
verdict "the baseline now holds Japan and the new address, and still London" \
	"$(grep -Eq "^country [0-9]+ exe:$EXE JP\$" "$BASE" && grep -Eq "^dst [0-9]+ exe:$EXE $T_JP\$" "$BASE" &&
		grep -Eq "^dst [0-9]+ exe:$EXE $T_LONDON2\$" "$BASE" && grep -Eq "^dst [0-9]+ exe:$EXE $T_LONDON\$" "$BASE" ||
		show_file "$BASE")"
verdict "the baseline was replaced whole: 0600, nothing left beside it" \
	"$(m=$(stat -c %a "$BASE"); [ "$m" = 600 ] && [ "$(ls "$BASE_DIR")" = baseline ] || echo "mode $m, dir: $(ls "$BASE_DIR")")"

# The text table marks the same flows.
cp "$WORK/base.learnt" "$WORK/base.text"
ft_run text "$NS_CLIENT" "${DEVLOG[@]}" "${FT[@]}" --alert "$WORK/base.text" -o text --count 2
verdict "text: one process led by NEW on each Japan and new London row, in the last table" \
	"$(last=$(awk 'BEGIN{RS=""} {t=$0} END{print t}' "$WORK/text.out");
		[ "$(grep -c "NEW [0-9]*/python3" <<<"$last")" = 2 ] &&
		grep "NEW [0-9]*/python3" <<<"$last" | grep -q "$T_LONDON2" &&
		grep "NEW [0-9]*/python3" <<<"$last" | grep -q "$T_JP" || printf '%s\n' "$last" | head -n 8)"

# A second run with the same flows: nothing is new any more.
: >"$LOG"
ft_run again "$NS_CLIENT" "${DEVLOG[@]}" "${FT[@]}" --alert "$BASE" -o json --count 2
verdict "a second --alert run over the same flows marks and logs nothing" \
	"$([ "$FT_RC" = 0 ] && ! grep -q '"new":' "$WORK/again.out" && [ ! -s "$LOG" ] ||
		printf '%s; %s; %s' "$(rc_text "$FT_RC")" "$(grep -m1 '"new":' "$WORK/again.out")" "$(head -n2 "$LOG")")"

# A program in a systemd service is the service, not its executable:
# London is known for the executable, new for the unit.
if cg_make ft-alert-web.service; then
	: >"$LOG"
	bg u_lon in_cgroup "$CG_DIR" ip netns exec "$NS_CLIENT" "$PY" "$TRAFFIC" \
		client --proto tcp --addr "$T_LONDON" --port 80 --duration 8 --interval 0.2
	sleep 0.5
	ft_run unit "$NS_CLIENT" "${DEVLOG[@]}" "${FT[@]}" --alert "$BASE" -o json --count 2
	verdict "a service is its own program: one line for unit:ft-alert-web.service and London, none for the executable" \
		"$([ "$FT_RC" = 0 ] && [ "$(wc -l <"$LOG")" = 1 ] &&
			grep -q "NEW destination,country for unit:ft-alert-web.service: peer $T_LONDON country GB;" "$LOG" &&
			grep -Eq "^country [0-9]+ unit:ft-alert-web.service GB\$" "$BASE" ||
			printf '%s: %s; %s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/unit.err")" "$(show_file "$LOG")")"
else
	skip "a service is its own program" "$CG_WHY"
fi

# A service's end: SIGTERM, and what was learnt is on disk.
ft_start term "$NS_CLIENT" "${FT[@]}" --learn "$WORK/term.base" -o none
sleep 2.5
kill -TERM "${FT_PID:-0}" 2>/dev/null
wait_pid "$FT_TPID" 10
verdict "--learn -o none ended by SIGTERM exits 0 and saves what it learnt" \
	"$([ "$WAIT_RC" = 0 ] && grep -Eq "^country [0-9]+ exe:$EXE JP\$" "$WORK/term.base" ||
		printf '%s: %s; %s' "$(rc_text "$WAIT_RC")" "$(show_file "$WORK/term.err")" "$(show_file "$WORK/term.base")")"

# ------------------------------------------------------------ on the screen
screen() { "${TM[@]}" capture-pane -p -t "$1"; }
shows() { screen "$1" | grep -Eq -- "$2"; }
cat >"$WORK/scr.sh" <<SH
$(printf '%q ' "${DEVLOG[@]}" "${FT[@]}" --alert "$BASE") 2>"$WORK/scr.err"
echo \$? >"$WORK/scr.rc"
sleep 300
SH
: >"$LOG"
"${TM[@]}" new-session -d -s scr -x 160 -y 40 "bash $WORK/scr.sh"
wait_for 10 shows scr "PROCESS" >/dev/null
client s_us "$T_MILTON" 20
if wait_for 10 shows scr "NEW python"; then
	sleep 1
	frame=$(screen scr)
	verdict "screen: exactly one NEW row, the flow to the new country" \
		"$(n=$(printf '%s\n' "$frame" | grep -c "NEW python"); [ "$n" = 1 ] &&
			printf '%s\n' "$frame" | grep "NEW python" | grep -q "$T_MILTON" || { echo "$n rows"; printf '%s\n' "$frame" | head -n 20; })"
	verdict "screen: the status line counts it (ALERT 1 new)" \
		"$(printf '%s\n' "$frame" | grep -q "ALERT 1 new" || printf '%s\n' "$frame" | tail -n 3)"
else
	fail "screen: a NEW row for the flow to a new country" "$(screen scr | head -n 20)"
fi
verdict "syslog: exactly one line for the new country on the screen's run" \
	"$([ "$(grep -c "NEW destination,country,asn for exe:$EXE: peer $T_MILTON country US AS209;" "$LOG")" = 1 ] &&
		[ "$(wc -l <"$LOG")" = 1 ] || show_file "$LOG")"
base_pid=$(pgrep -x flowtop-base | head -n1)
if [ -n "$base_pid" ]; then
	v="$(status_field "$base_pid" CapEff) $(status_field "$base_pid" CapPrm) $(status_field "$base_pid" NoNewPrivs) $(status_field "$base_pid" Seccomp) $(status_field "$base_pid" Uid | awk '{print $1}')"
	verdict "flowtop-base: no capability, NoNewPrivs 1, Seccomp 2, the caller's uid (root)" \
		"$([ "$v" = "0000000000000000 0000000000000000 1 2 0" ] || echo "CapEff CapPrm NoNewPrivs Seccomp uid: $v")"
else
	fail "flowtop-base runs beside the screen" "$(ps -eo pid,comm | grep flowtop)"
fi
"${TM[@]}" send-keys -t scr q
wait_for 5 test -s "$WORK/scr.rc" >/dev/null
verdict "screen: q ends it with 0, and the baseline keeps the new country" \
	"$([ "$(cat "$WORK/scr.rc" 2>/dev/null)" = 0 ] && grep -Eq "^country [0-9]+ exe:$EXE US\$" "$BASE" ||
		printf 'rc %s: %s' "$(cat "$WORK/scr.rc" 2>/dev/null)" "$(head -c 300 "$WORK/scr.err")")"
verdict "flowtop-base is gone with the run" \
	"$([ -z "$base_pid" ] || ! kill -0 "$base_pid" 2>/dev/null || echo "pid $base_pid still runs")"

# ------------------------------------------------------------ seccomp
if [ -x "$FLOWTOP_TESTHOOKS" ]; then
	ft_run scbase "$NS_CLIENT" env FLOWTOP_TEST_SECCOMP=baseline \
		"$FLOWTOP_TESTHOOKS" --once -n -G --learn "$WORK/sc.base" -o none
	verdict "FLOWTOP_TEST_SECCOMP=baseline: exit 1, 'baseline killed by seccomp: syscall ptrace'" \
		"$([ "$FT_RC" = 1 ] && grep -q '^flowtop: baseline killed by seccomp: syscall ptrace' "$WORK/scbase.err" ||
			echo "$(rc_text "$FT_RC"): $(show_file "$WORK/scbase.err")")"
else
	fail "FLOWTOP_TEST_SECCOMP=baseline" "$FLOWTOP_TESTHOOKS missing: run make testhooks"
fi

# ------------------------------------------------------------ bad baselines
# refused NAME WHAT RE: run --alert on $WORK/NAME; exit 1, one stderr line
# matching RE, the file unchanged.
refused() {
	local f=$WORK/$1 want=$3
	[ -L "$f" ] || cp "$f" "$f.before"
	ft_run "bad_$1" "$NS_CLIENT" "${FT[@]}" --alert "$f" -o json --once
	verdict "$2: exit 1, one line that says why, the file as it was" \
		"$([ "$FT_RC" = 1 ] && [ "$(wc -l <"$WORK/bad_$1.err")" = 1 ] &&
			grep -Eq -- "$want" "$WORK/bad_$1.err" && [ ! -s "$WORK/bad_$1.out" ] &&
			{ [ -L "$f" ] || cmp -s "$f" "$f.before"; } ||
			printf '%s: %s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/bad_$1.err")")"
}
{ cat "$WORK/base.learnt"; printf 'dst 1 exe:/bin/x 300.1.2.3\n'; } >"$WORK/badaddr"
refused badaddr "a baseline with a bad address" "$WORK/badaddr: line 4: .*address"
printf 'dst 1 exe:/bin/x 1.2.3.4\n' >"$WORK/nohead"
refused nohead "a baseline without its header" "$WORK/nohead: line 1:"
printf '# flowtop baseline 1\nlog 1 exe:/bin/\x1b[31mx 1.2.3.4\n' >"$WORK/hostile"
refused hostile "a baseline with an unknown kind and a control byte" "line 2:"
verdict "the refusal puts no control byte on the terminal" \
	"$(! grep -q $'\x1b' "$WORK/bad_hostile.err" || cat -v "$WORK/bad_hostile.err")"
ln -s "$WORK/base.learnt" "$WORK/link"
refused link "a baseline that is a symbolic link" "symbolic link"
ft_run nodir "$NS_CLIENT" "${FT[@]}" --alert "$WORK/nodir/baseline" -o json --once
verdict "a baseline in a missing directory: exit 1, one line naming it" \
	"$([ "$FT_RC" = 1 ] && grep -q "$WORK/nodir/baseline: its directory" "$WORK/nodir.err" ||
		printf '%s: %s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/nodir.err")")"
# Under sudo the baseline is the user's who typed it: the file theirs, a
# directory they may not write refused at the start.
sudo_user "$WORK/mine"
sudo_uid=$T_SUDO_UID sudo_gid=$T_SUDO_GID
# (No flow needed: a new baseline is written at the end in any case.)
ft_run sudo "$NS_CLIENT" env SUDO_UID="$sudo_uid" SUDO_GID="${sudo_gid:-65534}" \
	"${FT[@]}" --once --learn "$WORK/mine/base" -o none
verdict "SUDO_UID=$sudo_uid: the baseline file is that user's" \
	"$([ "$FT_RC" = 0 ] && [ "$(stat -c %u "$WORK/mine/base" 2>&1)" = "$sudo_uid" ] ||
		echo "$(rc_text "$FT_RC"), owner $(stat -c %u "$WORK/mine/base" 2>&1): $(show_file "$WORK/sudo.err")")"
ft_run sudo2 "$NS_CLIENT" env SUDO_UID="$sudo_uid" SUDO_GID="${sudo_gid:-65534}" \
	"${FT[@]}" --once --learn "$BASE_DIR/theirs" -o none
verdict "SUDO_UID=$sudo_uid: root's directory refused at the start, one line, exit 1" \
	"$([ "$FT_RC" = 1 ] && [ "$(grep -c . "$WORK/sudo2.err")" = 1 ] &&
		grep -q "$BASE_DIR/theirs: its directory: Permission denied" "$WORK/sudo2.err" ||
		echo "$(rc_text "$FT_RC"): $(show_file "$WORK/sudo2.err")")"
ft_run both "$NS_CLIENT" "$FLOWTOP" --alert "$BASE" --learn "$BASE" --once
verdict "--alert with --learn is a usage error (exit 2)" \
	"$([ "$FT_RC" = 2 ] && grep -q "one baseline" "$WORK/both.err" || printf '%s: %s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/both.err")")"
ft_run nolog "$NS_CLIENT" "${FT[@]}" --alert "$WORK/nolog" -o json --once
verdict "--alert without a syslog socket says so once, and still runs" \
	"$([ "$FT_RC" = 0 ] && grep -q "no syslog at /dev/log" "$WORK/nolog.err" || [ -e /dev/log ] ||
		printf '%s: %s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/nolog.err")")"

e2e_finish
