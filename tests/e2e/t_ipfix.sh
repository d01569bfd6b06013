#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_ipfix: --ipfix exports flows to real collectors. TCP and UDP flows,
# IPv4 and IPv6, are made in the test namespace while flowtop exports:
#   - to nfdump's nfcapd over UDP (IPv4 transport): `nfdump -r` shows each
#     closed flow with its tuple and, summed over its records, exactly the
#     bytes and packets both ways that conntrack's own DESTROY event
#     (`conntrack -E`, run beside) gave; a flow still open at the end has
#     an active timeout's record and a last one, back to back;
#   - to pmacct's nfacctd over UDP (IPv6 transport, [::1]): the same
#     counts, and the process name, pid and user in flowtop's enterprise
#     elements (custom primitives);
#   - over TCP to a real IPFIX reader: Debian's nfcapd and nfacctd take
#     IPFIX over UDP only, so the stream goes to socat listening on TCP
#     and is read with libfixbuf's ipfixDump (given our elements'
#     definitions): the same counts, and the systemd unit of a process
#     in a service's cgroup.
# Then what a user meets when things go wrong: a bad URL (usage, exit 2),
# a TCP collector that refuses (one line, exit 1, before anything runs),
# a UDP collector that is down (the screen's status line counts dropped
# records and the screen goes on; the count is said at the end), a TCP
# collector that stops reading under 100k records (dropped and counted,
# the screen answers q at once); and the exporter's confinement: its own
# service user (flowtop-ipfix, made here as make install makes it when
# missing), not the resolver's uid, no capability, NoNewPrivs, seccomp,
# killed on a call outside its table.
source "$(dirname "$0")/lib.sh"
require_root
require_tools ip nft timeout tmux nfcapd nfdump nfacctd ipfixDump socat conntrack ss useradd userdel
require_flowtop
ns_setup_or_skip

TM=(tmux -L "ft-ipfix-$$")
# The exporter's own service user, as make install makes it; made here
# when missing, and removed at the end.
MADE_IXUSER=0
if ! getent passwd flowtop-ipfix >/dev/null; then
	useradd --system --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin --gid "$(id -g nobody)" flowtop-ipfix &&
		MADE_IXUSER=1
fi
ix_cleanup() {
	"${TM[@]}" kill-server 2>/dev/null
	e2e_cleanup
	[ "$MADE_IXUSER" = 1 ] && { wait_for 10 userdel flowtop-ipfix 2>/dev/null ||
		echo "t_ipfix: could not remove the user flowtop-ipfix: userdel flowtop-ipfix"; }
}
trap ix_cleanup EXIT

CHECK=("$PY" "$E2E_DIR/ipfix_check.py")
XML=$ROOT/dist/flowtop-ipfix.xml
CTLOAD=${CTLOAD:-$ROOT/build/bench/ctload}
# Closed flows leave the table a second after they close.
for k in nf_conntrack_tcp_timeout_time_wait nf_conntrack_tcp_timeout_close \
	nf_conntrack_udp_timeout nf_conntrack_udp_timeout_stream; do
	ct_sysctl "$NS_CLIENT" "$k" 1
done
for a in "$S4" "$S6"; do
	start_server "t_$a" tcp "$a" 80 || e2e_finish
	start_server "u_$a" udp "$a" 53 || e2e_finish
done
FT=("$FLOWTOP" --conf-dir "$ROOT/conf" -n -G -46TU -t 0.5 --ipfix-idle 2 --ipfix-active 3)

# udp_listening PORT: something in the client namespace has UDP PORT.
udp_listening() { [ -n "$(in_client ss -Huln "sport = :$1")" ]; }
tcp_listening() { [ -n "$(in_client ss -Hltn "sport = :$1")" ]; }

# flows BASE: four flows that close (TCP and UDP, IPv4 and IPv6; source
# ports BASE+1 .. BASE+4) and one TCP/IPv4 flow that stays open (BASE+5),
# each sending every 0.2 s; waits for the closing ones to end.
flows() {
	local b=$1 i=0 p a proto pids=()
	for spec in "tcp $S4 80" "tcp $S6 80" "udp $S4 53" "udp $S6 53"; do
		read -r proto a p <<<"$spec"
		i=$((i + 1))
		bg "c$b-$i" ip netns exec "$NS_CLIENT" "$PY" "$TRAFFIC" client --proto "$proto" \
			--addr "$a" --port "$p" --sport $((b + i)) --duration 2 \
			--interval 0.2
		pids+=("$BG_PID")
		echo "$BG_PID" >"$WORK/pid.$((b + i))"
	done
	bg "c$b-open" ip netns exec "$NS_CLIENT" "$PY" "$TRAFFIC" client --proto tcp --addr "$S4" \
		--port 80 --sport $((b + 5)) --duration 25 --interval 0.2
	echo "$BG_PID" >"$WORK/pid.$((b + 5))"
	for p in "${pids[@]}"; do
		wait_pid "$p" 10
	done
}

# export_run NAME URL BASE: flowtop exporting to URL while flows BASE run;
# ended by SIGTERM, as a service is, once the closed flows have left the
# table. FT_RC is its exit status.
export_run() {
	local name=$1 url=$2 b=$3
	ft_start "$name" "$NS_CLIENT" "${FT[@]}" --ipfix "$url" -o none
	wait_for 5 ft_has_exporter
	IX_PID=$(child_by_comm "$FT_PID" flowtop-ipfix)
	RES_UID=$(status_field "$(child_by_comm "$FT_PID" flowtop-resolv)" Uid | awk '{print $1}')
	IX_FACTS="uid $(status_field "$IX_PID" Uid | awk '{print $1}') caps $(status_field "$IX_PID" CapEff)/$(status_field "$IX_PID" CapPrm) nnp $(status_field "$IX_PID" NoNewPrivs) seccomp $(status_field "$IX_PID" Seccomp)"
	sleep 1
	flows "$b"
	# The closed flows leave the table (1 s), the open one passes an
	# active timeout (3 s) more than once.
	sleep 5
	kill -TERM "$FT_PID" 2>/dev/null
	wait_pid "$FT_TPID" 10
	FT_RC=$WAIT_RC
}
ft_has_exporter() { child_by_comm "$FT_PID" flowtop-ipfix >/dev/null; }

# The kernel's own account of each closed flow, beside flowtop.
bg events ip netns exec "$NS_CLIENT" conntrack -E -e DESTROY -o extended
EVENTS_PID=$BG_PID
SERVICE_UID=$(id -u flowtop-ipfix)

# ------------------------------------------------------ nfcapd, UDP/IPv4
mkdir -p "$WORK/nfc"
bg nfcapd ip netns exec "$NS_CLIENT" nfcapd -b 127.0.0.1 -p 4739 -w "$WORK/nfc" -t 3600 \
	-P "$WORK/nfc/nfcapd.pid"
NFC_PID=$BG_PID
if ! wait_for 5 udp_listening 4739; then
	fail "harness: nfcapd listens on 127.0.0.1:4739" "$(show_file "$WORK/nfcapd.err")"
	e2e_finish
fi
export_run nfc udp://127.0.0.1:4739 41000
verdict "nfcapd: flowtop --ipfix -o none ends 0 on SIGTERM, quiet on stderr" \
	"$([ "$FT_RC" = 0 ] && [ ! -s "$WORK/nfc.err" ] || printf '%s: %s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/nfc.err")")"
verdict "flowtop-ipfix runs as its own service user (flowtop-ipfix, not the resolver's uid), no capability, NoNewPrivs, seccomp" \
	"$([ "$IX_FACTS" = "uid $SERVICE_UID caps 0000000000000000/0000000000000000 nnp 1 seccomp 2" ] &&
		[ -n "$RES_UID" ] && [ "$RES_UID" != "$SERVICE_UID" ] || echo "$IX_FACTS (flowtop-ipfix $SERVICE_UID, the resolver's uid ${RES_UID:-?})")"
# nfcapd writes its file when it ends.
kill -TERM "$NFC_PID"
wait_pid "$NFC_PID" 10
nfdump -q -N -R "$WORK/nfc" -o 'fmt:%ts %te %pr %sa %sp %da %dp %flg %ibyt %obyt %ipkt %opkt' \
	>"$WORK/nfdump.txt" 2>"$WORK/nfdump.err"
verdict "nfdump: each closed flow (TCP, UDP; IPv4, IPv6) has its tuple, and its records add up to conntrack's bytes and packets both ways" \
	"$("${CHECK[@]}" --events "$WORK/events.out" --nfdump "$WORK/nfdump.txt" \
		--sport 41001 --sport 41002 --sport 41003 --sport 41004 || show_file "$WORK/nfdump.txt")"
verdict "nfdump: the closed TCP flows' flags show SYN, ACK and FIN" \
	"$("${CHECK[@]}" --events "$WORK/events.out" --nfdump "$WORK/nfdump.txt" \
		--sport 41001 --sport 41002 --flags 41001=SAF --flags 41002=SAF)"
verdict "nfdump: the flow still open at the end has an active timeout's record and a last one, back to back" \
	"$("${CHECK[@]}" --events "$WORK/events.out" --nfdump "$WORK/nfdump.txt" --open-sport 41005)"

# ------------------------------------------------------ nfacctd, UDP/IPv6
mkdir -p "$WORK/pm"
cat >"$WORK/pm/primitives.lst" <<'EOF'
name=rev_bytes	field_type=29305:1	len=8	semantics=u_int
name=rev_pkts	field_type=29305:2	len=8	semantics=u_int
name=ft_pid	field_type=32473:102	len=4	semantics=u_int
name=ft_comm	field_type=32473:101	len=vlen	semantics=str
name=ft_user	field_type=32473:103	len=vlen	semantics=str
name=ft_unit	field_type=32473:104	len=vlen	semantics=str
EOF
cat >"$WORK/pm/nfacctd.conf" <<EOF
daemonize: false
pidfile: $WORK/pm/nfacctd.pid
logfile: $WORK/pm/nfacctd.log
nfacctd_ip: ::1
nfacctd_port: 4740
aggregate_primitives: $WORK/pm/primitives.lst
plugins: print[out]
aggregate[out]: src_host,dst_host,src_port,dst_port,proto,tcpflags,timestamp_start,timestamp_end,rev_bytes,rev_pkts,ft_pid,ft_comm,ft_user,ft_unit
print_output[out]: json
print_output_file[out]: $WORK/pm/flows.json
print_output_file_append[out]: true
print_refresh_time[out]: 1
EOF
bg nfacctd ip netns exec "$NS_CLIENT" nfacctd -f "$WORK/pm/nfacctd.conf"
NFA_PID=$BG_PID
if ! wait_for 5 udp_listening 4740; then
	fail "harness: nfacctd listens on [::1]:4740" "$(show_file "$WORK/pm/nfacctd.log")"
	e2e_finish
fi
export_run nfa "udp://[::1]:4740" 42000
verdict "nfacctd: flowtop --ipfix udp://[::1]:4740 ends 0, quiet on stderr" \
	"$([ "$FT_RC" = 0 ] && [ ! -s "$WORK/nfa.err" ] || printf '%s: %s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/nfa.err")")"
# nfacctd handles its SIGTERM once a datagram comes; it then writes what
# it holds and ends.
sleep 2
kill -TERM "$NFA_PID"
in_client "$PY" -c 'import socket; socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b"\0" * 4, ("::1", 4740))'
wait_pid "$NFA_PID" 15
verdict "nfacctd: each closed flow's records add up to conntrack's counters both ways; process, pid and user in the enterprise elements" \
	"$("${CHECK[@]}" --events "$WORK/events.out" --nfacctd "$WORK/pm/flows.json" \
		--sport 42001 --sport 42002 --sport 42003 --sport 42004 \
		--comm python3 --user root \
		--pid "42001=$(cat "$WORK/pid.42001")" --pid "42004=$(cat "$WORK/pid.42004")" ||
		show_file "$WORK/pm/flows.json")"

# ------------------------------------------------------ TCP, ipfixDump
# A process of its own unit: its records name it.
UNIT_OK=0
if cg_make ft-ipfix-web.service; then
	UNIT_OK=1
fi
bg tcpsink ip netns exec "$NS_CLIENT" socat -u TCP-LISTEN:4741,bind=127.0.0.1,reuseaddr \
	"OPEN:$WORK/tcp.ipfix,creat,trunc"
TCPSINK_PID=$BG_PID
wait_for 5 tcp_listening 4741 ||
	fail "harness: socat listens on 127.0.0.1:4741/tcp" "$(show_file "$WORK/tcpsink.err")"
ft_start tcp "$NS_CLIENT" "${FT[@]}" --ipfix tcp://127.0.0.1:4741 -o none
sleep 1
if [ "$UNIT_OK" = 1 ]; then
	bg web in_cgroup "$CG_DIR" ip netns exec "$NS_CLIENT" "$PY" "$TRAFFIC" \
		client --proto tcp --addr "$S6" --port 80 --sport 43006 \
		--duration 2 --interval 0.2
	WEB_PID=$BG_PID
fi
flows 43000
[ "$UNIT_OK" = 1 ] && wait_pid "$WEB_PID" 10
sleep 5
kill -TERM "$FT_PID" 2>/dev/null
wait_pid "$FT_TPID" 10
verdict "TCP: flowtop --ipfix tcp://127.0.0.1:4741 ends 0, quiet on stderr" \
	"$([ "$WAIT_RC" = 0 ] && [ ! -s "$WORK/tcp.err" ] || printf '%s: %s' "$(rc_text "$WAIT_RC")" "$(show_file "$WORK/tcp.err")")"
wait_pid "$TCPSINK_PID" 5
ipfixDump -d -e "$XML" -i "$WORK/tcp.ipfix" >"$WORK/tcp.dump" 2>"$WORK/tcp.dump.err"
verdict "TCP: ipfixDump reads the stream; each closed flow's records add up to conntrack's counters; process and user named" \
	"$("${CHECK[@]}" --events "$WORK/events.out" --ipfixdump "$WORK/tcp.dump" \
		--sport 43001 --sport 43002 --sport 43003 --sport 43004 \
		--comm python3 --user root --pid "43002=$(cat "$WORK/pid.43002")" ||
		{ show_file "$WORK/tcp.dump.err"; head -c 3000 "$WORK/tcp.dump"; })"
if [ "$UNIT_OK" = 1 ]; then
	verdict "TCP: a process in ft-ipfix-web.service has that unit in its records" \
		"$("${CHECK[@]}" --events "$WORK/events.out" --ipfixdump "$WORK/tcp.dump" \
			--sport 43006 --unit 43006=ft-ipfix-web.service)"
else
	skip "TCP: a process in ft-ipfix-web.service has that unit in its records" "no cgroup: $CG_WHY"
fi

kill -TERM "$EVENTS_PID" 2>/dev/null

# ------------------------------------------------------ usage and errors
ft_run badurl "$NS_CLIENT" "$FLOWTOP" --ipfix http://127.0.0.1:4739 --once
verdict "--ipfix http://... is a usage error (exit 2) naming the forms" \
	"$([ "$FT_RC" = 2 ] && grep -q "udp://HOST:PORT or tcp://HOST:PORT" "$WORK/badurl.err" || printf '%s: %s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/badurl.err")")"
ft_run refused "$NS_CLIENT" "${FT[@]}" --ipfix tcp://127.0.0.1:4742 --once
verdict "a TCP collector that refuses: exit 1, one line naming it" \
	"$([ "$FT_RC" = 1 ] && [ "$(wc -l <"$WORK/refused.err")" = 1 ] &&
		grep -q '^flowtop: ipfix: .*127.0.0.1.*4742.*: Connection refused$' "$WORK/refused.err" && [ ! -s "$WORK/refused.out" ] ||
		printf '%s: %s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/refused.err")")"
ft_run noname "$NS_CLIENT" "${FT[@]}" --ipfix udp://no-such-host.invalid:4739 --once
verdict "a collector name that does not resolve: exit 1, one line naming it" \
	"$([ "$FT_RC" = 1 ] && [ "$(wc -l <"$WORK/noname.err")" = 1 ] &&
		grep -q '^flowtop: ipfix: .*no-such-host.invalid' "$WORK/noname.err" ||
		printf '%s: %s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/noname.err")")"
if [ -x "$FLOWTOP_TESTHOOKS" ]; then
	ft_run sc "$NS_CLIENT" env FLOWTOP_TEST_SECCOMP=ipfix "$FLOWTOP_TESTHOOKS" \
		--conf-dir "$ROOT/conf" -n -G --ipfix udp://127.0.0.1:4739 -o none --count 2
	verdict "a call outside flowtop-ipfix's seccomp table kills it, and the run says so" \
		"$([ "$FT_RC" = 1 ] && grep -q '^flowtop: ipfix killed by seccomp: syscall ptrace$' "$WORK/sc.err" ||
			printf '%s: %s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/sc.err")")"
else
	fail "a call outside flowtop-ipfix's seccomp table kills it" "$FLOWTOP_TESTHOOKS missing: run make testhooks"
fi

# ------------------------------------------------------ a collector down
# Nothing listens on 4743: the screen counts what is dropped and goes on.
"${TM[@]}" new-session -d -x 200 -y 30 \
	"ip netns exec $NS_CLIENT ${FT[*]} --ipfix-idle 1 --ipfix-active 1 --ipfix udp://127.0.0.1:4743 2>$WORK/down.err; echo rc=\$? >$WORK/down.rc"
bg c_down ip netns exec "$NS_CLIENT" "$PY" "$TRAFFIC" client --proto tcp --addr "$S4" --port 80 \
	--duration 12 --interval 0.1
screen_has() { "${TM[@]}" capture-pane -p 2>/dev/null | grep -q "$1"; }
wait_for 10 screen_has "dropped"
verdict "collector down: the status line counts dropped records" \
	"$(screen_has 'IPFIX [0-9]* sent, [1-9][0-9]* dropped' || "${TM[@]}" capture-pane -p | tail -n 3)"
d1=$("${TM[@]}" capture-pane -p | grep -o '[0-9]* dropped' | head -n1)
sleep 3
d2=$("${TM[@]}" capture-pane -p | grep -o '[0-9]* dropped' | head -n1)
verdict "collector down: the screen goes on refreshing (the count grows: $d1, then $d2)" \
	"$([ "${d2%% *}" -gt "${d1%% *}" ] 2>/dev/null || echo "$d1 then $d2")"
"${TM[@]}" send-keys q
wait_for 5 test -s "$WORK/down.rc"
verdict "collector down: q ends it (exit 0) and says how many records were dropped" \
	"$(grep -qx 'rc=0' "$WORK/down.rc" 2>/dev/null && grep -Eq '^flowtop: ipfix: [0-9]+ of [0-9]+ records dropped' "$WORK/down.err" ||
		printf 'rc %s: %s' "$(cat "$WORK/down.rc" 2>/dev/null)" "$(show_file "$WORK/down.err")")"

# ------------------------------------------------------ a TCP collector stuck
# It accepts and never reads; 100k flows (ctload) are all due at once.
if [ -x "$CTLOAD" ]; then
	bg stuck ip netns exec "$NS_CLIENT" "$PY" -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 4744)); s.listen(1); c, _ = s.accept(); time.sleep(60)'
	wait_for 5 tcp_listening 4744
	"${TM[@]}" kill-server 2>/dev/null
	"${TM[@]}" new-session -d -x 200 -y 30 \
		"ip netns exec $NS_CLIENT ${FT[*]} --ipfix-idle 1 --ipfix tcp://127.0.0.1:4744 2>$WORK/stuck.err; echo rc=\$? >$WORK/stuck.rc"
	in_client "$CTLOAD" fill 100000 >"$WORK/fill.out" 2>&1
	wait_for 20 screen_has "dropped"
	verdict "TCP collector stuck: the status line counts dropped records" \
		"$(screen_has 'IPFIX [0-9]* sent, [1-9][0-9]* dropped' || "${TM[@]}" capture-pane -p | tail -n 3)"
	t0=$(now_ms)
	"${TM[@]}" send-keys q
	wait_for 5 test -s "$WORK/stuck.rc"
	t1=$(now_ms)
	verdict "TCP collector stuck: q ends it at once (exit 0, $((t1 - t0)) ms)" \
		"$(grep -qx 'rc=0' "$WORK/stuck.rc" 2>/dev/null && [ $((t1 - t0)) -lt 4000 ] ||
			printf 'rc %s after %s ms: %s' "$(cat "$WORK/stuck.rc" 2>/dev/null)" "$((t1 - t0))" "$(show_file "$WORK/stuck.err")")"
	in_client "$CTLOAD" flush-synthetic >/dev/null 2>&1
else
	fail "TCP collector stuck" "$CTLOAD missing: run make check-build"
fi

e2e_finish
