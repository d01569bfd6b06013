#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_process: flowtop names the process that owns each flow's local socket.
#
# In the client namespace, two processes of two different users (nobody and
# daemon, through setpriv), named ftowner1 and ftowner2 (symlinks to python3,
# so their comm differs), own TCP and UDP flows over IPv4 and IPv6, one
# through an IPv4-mapped IPv6 socket, some opened by them and some accepted
# from the server namespace (one by a UDP socket bound to the wildcard
# address), one through a port forward (nftables dnat: only the reply tuple
# names the socket). Each flow must show the right pid and process. A third namespace
# routes through the client one to the server one: flowtop there names the
# forwarded flows after the client in that third namespace (its netns),
# never after a local socket, even one whose port a local wildcard socket
# uses. Finally flowtop's own reverse-DNS queries are not listed, while
# another process's DNS query is.
source "$(dirname "$0")/lib.sh"
source "$E2E_DIR/dns.sh"
require_root
require_tools ip nft setpriv timeout pgrep dnsmasq getent
require_flowtop
ns_setup_or_skip

UID_A=65534     # nobody
UID_B=1         # daemon
FAR4=198.51.100.2       # the third namespace (RFC 5737 documentation prefix)
RTR4=198.51.100.1       # the client namespace's address towards it
DNS2=192.0.2.54         # a second dnsmasq address, for the other process

# The owners' programs must be reachable by the unprivileged users ($WORK is
# 0700): a world-readable directory of our own, removed on exit.
OWN_DIR=$(mktemp -d /tmp/ft-e2e-owner.XXXXXX) && chmod 0755 "$OWN_DIR" &&
	mkdir "$OWN_DIR/info" && chmod 1777 "$OWN_DIR/info"
pm_cleanup() {
	case $OWN_DIR in /tmp/ft-e2e-owner.*) rm -rf -- "$OWN_DIR" ;; esac
}
trap 'pm_cleanup; dns_cleanup; e2e_cleanup' EXIT

# comm comes from the name the program was started by.
ln -s "$PY" "$OWN_DIR/ftowner1" && ln -s "$PY" "$OWN_DIR/ftowner2" || {
	fail "owner programs can be made" "ln -s $PY failed"
	e2e_finish
}

cat >"$OWN_DIR/owner.py" <<'EOF'
"""Holds sockets and keeps traffic on them: owner.py INFO LIFETIME ACTION...

ACTION is KIND,PROTO,ADDR,PORT: connect,tcp|udp (an IPv6 socket without
IPV6_V6ONLY for an address like ::ffff:a.b.c.d), listen,tcp (accepts and
echoes), bind,udp (unconnected, echoes), ping,icmp (a ping socket sending
echo requests). INFO gets, once every socket is set up, a JSON object with
pid, comm, uid and each socket's local address and port."""
import json, os, select, socket, sys, time

def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET

def open_one(kind, proto, addr, port):
    fam = family(addr)
    if kind == "ping":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
        s.sendto(b"\x08\x00\x00\x00\x00\x00\x00\x01", (addr, 0))
        return s
    s = socket.socket(fam, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    if kind == "connect":
        s.settimeout(5)
        s.connect((addr, port))
    else:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        if proto == "tcp":
            s.listen(8)
    s.setblocking(False)
    return s

def main():
    info, lifetime = sys.argv[1], float(sys.argv[2])
    socks, out = [], []
    for action in sys.argv[3:]:
        kind, proto, addr, port = action.split(",")
        s = open_one(kind, proto, addr, int(port))
        name = s.getsockname()
        socks.append((kind, s, addr))
        out.append({"action": action, "src": name[0], "sport": name[1]})
    with open(info + ".tmp", "w") as f:
        json.dump({"pid": os.getpid(), "uid": os.getuid(), "socks": out,
                   "comm": open("/proc/self/comm").read().strip()}, f)
    os.rename(info + ".tmp", info)
    end, tick = time.monotonic() + lifetime, 0.0
    while time.monotonic() < end:
        if time.monotonic() >= tick:
            tick = time.monotonic() + 0.3
            for kind, s, addr in socks:
                try:
                    if kind == "connect":
                        s.send(b"x" * 32)
                    elif kind == "ping":
                        s.sendto(b"\x08\x00\x00\x00\x00\x00\x00\x02", (addr, 0))
                except OSError:
                    pass
        ready, _, _ = select.select([s for _, s, _ in socks], [], [], 0.1)
        for kind, s, addr in list(socks):
            if s in ready:
                serve(kind, s, socks)

def serve(kind, s, socks):
    try:
        if kind == "listen":
            c, _ = s.accept()
            c.setblocking(False)
            socks.append(("conn", c, None))
        elif kind == "conn":
            data = s.recv(4096)
            if data:
                s.send(data)
        elif kind == "bind":
            data, peer = s.recvfrom(4096)
            s.sendto(data, peer)
        else:
            s.recv(4096)
    except OSError:
        pass

main()
EOF
chmod 0644 "$OWN_DIR/owner.py"

# owner NAME UID ACTION...: start $OWN_DIR/NAME as UID in the client
# namespace; waits (5 s) for its info file.
owner() {
	local name=$1 uid=$2
	shift 2
	bg "$name" ip netns exec "$NS_CLIENT" setpriv --reuid="$uid" --regid="$uid" \
		--clear-groups "$OWN_DIR/$name" "$OWN_DIR/owner.py" \
		"$OWN_DIR/info/$name.json" 60 "$@"
	if ! wait_for 5 test -s "$OWN_DIR/info/$name.json"; then
		fail "$name (uid $uid) opens its sockets" "$(cat "$WORK/$name.err")"
		e2e_finish
	fi
}

# info NAME KEY [INDEX]: pid/uid/comm of owner NAME, or the local port of
# its INDEX-th socket (KEY sport).
info() {
	"$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(d["socks"][int(sys.argv[3])][sys.argv[2]] if len(sys.argv) > 3 else d[sys.argv[2]])' \
		"$OWN_DIR/info/$1.json" "$2" ${3:+"$3"}
}

# --- the third namespace, routed through the client one -------------------
FAR="ft-$$-far"
setup_far() {
	ip netns add "$FAR" || return 1
	E2E_NAMESPACES+=("$FAR")
	ip -n "$FAR" link set lo up &&
	ip -n "$NS_CLIENT" link add veth2 type veth peer name veth3 netns "$FAR" &&
	ip -n "$NS_CLIENT" addr add "$RTR4/24" dev veth2 &&
	ip -n "$FAR" addr add "$FAR4/24" dev veth3 &&
	ip -n "$NS_CLIENT" link set veth2 up &&
	ip -n "$FAR" link set veth3 up &&
	ip -n "$FAR" route add default via "$RTR4" &&
	ip -n "$NS_SERVER" route add 198.51.100.0/24 via "$C4" &&
	ip netns exec "$NS_CLIENT" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward' &&
	# Ping sockets for every group, in this namespace only.
	ip netns exec "$NS_CLIENT" sh -c 'echo "0 2147483647" >/proc/sys/net/ipv4/ping_group_range'
}
if ! setup_far >"$WORK/far.err" 2>&1; then
	fail "a third namespace routes through the client one" "$(cat "$WORK/far.err")"
	e2e_finish
fi
far_up() { ip netns exec "$FAR" ping -c 1 -W 1 -q "$S4" >/dev/null 2>&1; }
if ! wait_for 10 far_up; then
	fail "$FAR4 reaches $S4 through the client namespace" "no ping answer"
	e2e_finish
fi

# --- servers, owners, clients ----------------------------------------------
start_server s_tcp4 tcp "$S4" 5101 || e2e_finish
start_server s_tcp6 tcp "$S6" 5102 || e2e_finish
start_server s_udp4 udp "$S4" 5103 || e2e_finish
start_server s_udp6 udp "$S6" 5104 || e2e_finish
start_server s_fwd_udp udp "$S4" 5203 || e2e_finish

# Socket order matters: info NAME sport INDEX.
owner ftowner1 "$UID_A" "connect,tcp,$S4,5101" "connect,udp,$S6,5104" \
	"connect,tcp,::ffff:$S4,5101" "ping,icmp,$S4,0"
owner ftowner2 "$UID_B" "connect,tcp,$S6,5102" "connect,udp,$S4,5103" \
	"listen,tcp,$C4,5201" "bind,udp,0.0.0.0,5203" "listen,tcp,$C4,5301"
# A port forward in the client namespace: $C4:5300 goes to ftowner2's
# listener on 5301. Only the flow's reply tuple names the accepted socket.
if ! ip netns exec "$NS_CLIENT" nft -f - >"$WORK/nat.err" 2>&1 <<-EOF
	table ip ft_e2e_nat {
		chain pre {
			type nat hook prerouting priority dstnat; policy accept;
			tcp dport 5300 dnat to $C4:5301
		}
	}
	EOF
then
	fail "a port forward (nftables dnat) in the client namespace" "$(cat "$WORK/nat.err")"
	e2e_finish
fi
# Incoming: clients in the server namespace, to ftowner2's sockets.
bg in_tcp ip netns exec "$NS_SERVER" "$PY" "$TRAFFIC" client --proto tcp \
	--addr "$C4" --port 5201 --duration 60 --info "$WORK/in_tcp.info"
bg in_udp ip netns exec "$NS_SERVER" "$PY" "$TRAFFIC" client --proto udp \
	--addr "$C4" --port 5203 --duration 60 --info "$WORK/in_udp.info"
bg in_dnat ip netns exec "$NS_SERVER" "$PY" "$TRAFFIC" client --proto tcp \
	--addr "$C4" --port 5300 --duration 60 --info "$WORK/in_dnat.info"
# Forwarded: from the third namespace to the server one, through the client.
bg fwd_tcp ip netns exec "$FAR" "$PY" "$TRAFFIC" client --proto tcp \
	--addr "$S4" --port 5101 --duration 60 --info "$WORK/fwd_tcp.info"
echo "$BG_PID" >"$WORK/fwd_tcp.pid"
bg fwd_udp ip netns exec "$FAR" "$PY" "$TRAFFIC" client --proto udp \
	--addr "$S4" --port 5203 --duration 60 --info "$WORK/fwd_udp.info"
echo "$BG_PID" >"$WORK/fwd_udp.pid"
for c in in_tcp in_udp in_dnat fwd_tcp fwd_udp; do
	if ! wait_for 5 test -s "$WORK/$c.info"; then
		fail "client $c connects" "$(cat "$WORK/$c.err")"
		e2e_finish
	fi
done
sport_of() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["sport"])' "$WORK/$1.info"; }

PID_A=$(info ftowner1 pid) PID_B=$(info ftowner2 pid)
verdict "the owners run as two users ($UID_A, $UID_B) with comms ftowner1, ftowner2" \
	"$([ "$(info ftowner1 uid) $(info ftowner2 uid)" = "$UID_A $UID_B" ] &&
		[ "$(info ftowner1 comm) $(info ftowner2 comm)" = "ftowner1 ftowner2" ] ||
		echo "uids $(info ftowner1 uid) $(info ftowner2 uid), comms $(info ftowner1 comm) $(info ftowner2 comm)")"

# --- the main run ------------------------------------------------------------
ft_run main "$NS_CLIENT" "$FLOWTOP" --count 2 -o json -46TU -n -G -t 1
OUT=$WORK/main.out
verdict "flowtop --count 2 -o json -46TU -n -G exits 0" \
	"$([ "$FT_RC" = 0 ] || printf '%s, stderr:\n%s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/main.err")")"
why=$(jcheck valid "$OUT")
verdict "every stdout line is a JSON object" "$why"
[ -n "$why" ] && e2e_finish

# owned WHAT PID COMM WHERE...: the flow is in the last snapshot with that
# pid and process.
owned() {
	local what=$1 pid=$2 comm=$3
	shift 3
	local w=() kv
	for kv in "$@"; do w+=(--where "$kv"); done
	verdict "$what: pid $pid, process $comm" \
		"$(jcheck expect "$OUT" "${w[@]}" --expect "pid=$pid" --expect "process=$comm")"
}
owned "ftowner1 tcp ipv4 out" "$PID_A" ftowner1 proto=tcp family=ipv4 \
	"src=$C4" "sport=$(info ftowner1 sport 0)" "dst=$S4" dport=5101
owned "ftowner1 udp ipv6 out" "$PID_A" ftowner1 proto=udp family=ipv6 \
	"src=$C6" "sport=$(info ftowner1 sport 1)" "dst=$S6" dport=5104
owned "ftowner1 tcp through an IPv4-mapped IPv6 socket" "$PID_A" ftowner1 \
	proto=tcp family=ipv4 "src=$C4" "sport=$(info ftowner1 sport 2)" "dst=$S4" dport=5101
owned "ftowner2 tcp ipv6 out" "$PID_B" ftowner2 proto=tcp family=ipv6 \
	"src=$C6" "sport=$(info ftowner2 sport 0)" "dst=$S6" dport=5102
owned "ftowner2 udp ipv4 out" "$PID_B" ftowner2 proto=udp family=ipv4 \
	"src=$C4" "sport=$(info ftowner2 sport 1)" "dst=$S4" dport=5103
owned "ftowner2 tcp ipv4 in (accepted)" "$PID_B" ftowner2 proto=tcp family=ipv4 \
	"src=$S4" "sport=$(sport_of in_tcp)" "dst=$C4" dport=5201
owned "ftowner2 udp ipv4 in (wildcard-bound socket)" "$PID_B" ftowner2 \
	proto=udp family=ipv4 "src=$S4" "sport=$(sport_of in_udp)" "dst=$C4" dport=5203
owned "ftowner2 tcp ipv4 in through a port forward (5300 -> 5301)" "$PID_B" ftowner2 \
	proto=tcp family=ipv4 "src=$S4" "sport=$(sport_of in_dnat)" "dst=$C4" dport=5300
# The socket's uid named from the passwd database: "user" beside "uid".
verdict "ftowner1's flow: uid $UID_A, user nobody; ftowner2's: uid $UID_B, user daemon" \
	"$(jcheck expect "$OUT" --where proto=tcp --where "sport=$(info ftowner1 sport 0)" \
		--where dport=5101 --expect "uid=$UID_A" --expect user=nobody)$(jcheck expect \
		"$OUT" --where proto=tcp --where "sport=$(info ftowner2 sport 0)" --where dport=5102 \
		--expect "uid=$UID_B" --expect user=daemon)"

# The forwarded flows' clients in the third namespace (ip netns exec
# execs them: their pids are bg's).
FWD_TCP_PID=$(cat "$WORK/fwd_tcp.pid") FWD_UDP_PID=$(cat "$WORK/fwd_udp.pid")
verdict "forwarded tcp flow $FAR4 -> $S4:5101: ESTABLISHED, the client in $FAR" \
	"$(jcheck expect "$OUT" --where proto=tcp --where "src=$FAR4" \
		--where "sport=$(sport_of fwd_tcp)" --where dport=5101 \
		--expect state=ESTABLISHED --expect "pid=$FWD_TCP_PID" \
		--expect process=python3 --expect "netns=$FAR")"
verdict "forwarded udp flow to port 5203 (a local wildcard socket's port): the client in $FAR, not the local socket's owner" \
	"$(jcheck expect "$OUT" --where proto=udp --where "src=$FAR4" \
		--where "sport=$(sport_of fwd_udp)" --where dport=5203 \
		--expect "pid=$FWD_UDP_PID" --expect "netns=$FAR")"

# --- short-lived processes -------------------------------------------------------
# 20 processes, 10 of user nobody and 10 of daemon (two runs of
# brief.py side by side), one after another 50 ms apart in each run, each
# opens a flow (TCP to $S4:5101, UDP to $S4:5103, alternately), holds its
# socket 10 ms and exits, while flowtop runs. Each flow is attributed when
# it appears (its socket asked of the kernel by the exact tuple at the NEW
# event, its process looked for at once), not at the next dump, which
# comes after the process is gone: at least 19 of 20 show their own pid
# and process (the issue's target: 95% at 10 ms), all 20 their uid and
# user, and the attributed ones "exited" with what was read of them.
cat >"$OWN_DIR/brief.py" <<'EOF2'
"""brief.py INFO N GAP_MS HOLD_MS ADDR TCP_PORT UDP_PORT: N child processes,
GAP_MS apart; each opens a flow (TCP, then UDP, alternately), sends a
byte, holds the socket HOLD_MS, exits. INFO gets one JSON line per child:
pid, proto, sport."""
import json, os, socket, sys, time

info, n, gap, hold, addr, tport, uport = sys.argv[1], int(sys.argv[2]), \
    float(sys.argv[3]) / 1000, float(sys.argv[4]) / 1000, sys.argv[5], \
    int(sys.argv[6]), int(sys.argv[7])
kids = []
for i in range(n):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        tcp = i % 2 == 0
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
        s.connect((addr, tport if tcp else uport))
        s.send(b"x")
        os.write(w, json.dumps({"pid": os.getpid(), "proto": "tcp" if tcp else "udp",
                                "sport": s.getsockname()[1]}).encode())
        time.sleep(hold)
        os._exit(0)
    os.close(w)
    line = b""
    while True:
        b = os.read(r, 4096)
        if not b:
            break
        line += b
    os.close(r)
    kids.append(line.decode())
    os.waitpid(pid, 0)
    time.sleep(gap)
with open(info + ".tmp", "w") as f:
    f.write("\n".join(kids) + "\n")
os.rename(info + ".tmp", info)
EOF2
ln -s "$PY" "$OWN_DIR/ftbrief" || fail "short-lived program can be made" "ln -s $PY failed"
# They run in a cgroup v2 directory made here, as a systemd service's
# would be: /fte2e.slice/flowtop-e2e-brief.service under the cgroup2 mount.
cg_make flowtop-e2e-brief.service ||
	skip "the short-lived processes' unit" "no cgroup2 directory can be made: $CG_WHY"
CG=$CG_DIR
ft_start brief "$NS_CLIENT" "$FLOWTOP" --count 8 -o json -4TU -n -G -t 1
ft_wait_children 5
# Into the cgroup first: ip netns exec mounts the namespace's own /sys.
for u in "$UID_A" "$UID_B"; do
	bg "briefc$u" in_cgroup "$CG" ip netns exec "$NS_CLIENT" \
		setpriv --reuid="$u" --regid="$u" --clear-groups \
		"$OWN_DIR/ftbrief" "$OWN_DIR/brief.py" "$OWN_DIR/info/brief$u" 10 50 10 "$S4" 5101 5103
done
wait_for 10 test -s "$OWN_DIR/info/brief$UID_A" -a -s "$OWN_DIR/info/brief$UID_B"
wait_pid "$FT_TPID" 40
why=$([ "$WAIT_RC" = 0 ] || printf '%s, stderr:\n%s' "$(rc_text "$WAIT_RC")" "$(show_file "$WORK/brief.err")")
for u in "$UID_A" "$UID_B"; do
	[ -s "$OWN_DIR/info/brief$u" ] ||
		why="${why}the clients of uid $u did not finish: $(head -c 300 "$WORK/briefc$u.err")"
done
verdict "flowtop --count 8 while 20 processes hold a flow for 10 ms each: exits 0, the clients ran" "$why"
if [ -z "$why" ]; then
	# In the last snapshot (the issue's measure), each flow by its port.
	tally=$("$PY" - "$WORK/brief.out" "$(readlink -f "$PY")" "${CG:+flowtop-e2e-brief.service}" \
		"$OWN_DIR/info/brief$UID_A:$UID_A:nobody" "$OWN_DIR/info/brief$UID_B:$UID_B:daemon" <<-'EOF2'
		import json, sys
		lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
		last = [f for f in lines if f["time"] == lines[-1]["time"]]
		exe, unit = sys.argv[2], sys.argv[3]
		kids = []
		for arg in sys.argv[4:]:
		    path, uid, user = arg.split(":")
		    kids += [dict(json.loads(l), uid=int(uid), user=user) for l in open(path) if l.strip()]
		n = {"pid": 0, "uid": 0, "exited": 0, "details": 0}
		wrong = []
		for k in kids:
		    f = next((f for f in last if f.get("proto") == k["proto"] and f.get("sport") == k["sport"]), {})
		    if f.get("pid") == k["pid"] and f.get("process") == "ftbrief":
		        n["pid"] += 1
		    elif "pid" in f:
		        wrong.append(f"{k['proto']} {k['sport']}: pid {f['pid']}, not {k['pid']}")
		    n["uid"] += f.get("uid") == k["uid"] and f.get("user") == k["user"]
		    n["exited"] += f.get("exited") is True
		    ok = "brief.py" in f.get("cmdline", "") and f.get("exe") == exe and \
		        (not unit or f.get("unit") == unit) and \
		        (not unit or f.get("cgroup", "").endswith("/" + unit))
		    n["details"] += ok
		    if not ok and f and len(wrong) < 3:
		        wrong.append("details: " + json.dumps({x: f.get(x) for x in ("cmdline", "exe", "unit", "cgroup")}))
		print(n["pid"], n["uid"], n["exited"], n["details"], len(kids), "; ".join(wrong[:3]))
	EOF2
	)
	read -r n_pid n_uid n_exit n_det n_all rest <<<"$tally"
	verdict "short-lived processes: at least 19 of 20 flows show their own pid and process in the last snapshot (got $n_pid of $n_all)" \
		"$([ "${n_pid:-0}" -ge 19 ] && [ "${n_all:-0}" = 20 ] && [ -z "$rest" ] || echo "$tally")"
	verdict "short-lived processes: all 20 flows show their uid and user, nobody or daemon (got $n_uid of $n_all)" \
		"$([ "${n_uid:-0}" = 20 ] || echo "$tally")"
	verdict "short-lived processes: the attributed flows say \"exited\": true (got $n_exit of $n_pid)" \
		"$([ "${n_exit:-0}" -ge 19 ] && [ "$n_exit" = "$n_pid" ] || echo "$tally")"
	verdict "short-lived processes: command line, executable${CG:+, unit flowtop-e2e-brief.service and its cgroup} kept after exit (got $n_det of $n_pid)" \
		"$([ "${n_det:-0}" -ge 19 ] && [ "$n_det" = "$n_pid" ] || echo "$tally")"
fi

# --- ICMP: a ping socket's echo flow -------------------------------------------
ft_run icmp "$NS_CLIENT" "$FLOWTOP" --once -o json -4I -n -G -t 1
verdict "ping socket: the icmp echo flow to $S4 shows pid $PID_A, process ftowner1" \
	"$([ "$FT_RC" = 0 ] || echo "$(rc_text "$FT_RC"): $(head -n3 "$WORK/icmp.err")")$(jcheck expect "$WORK/icmp.out" \
		--where proto=icmp "--where=src=$C4" "--where=dst=$S4" \
		--expect "pid=$PID_A" --expect process=ftowner1)"

# --- flowtop's own DNS queries ---------------------------------------------------
# dnsmasq on $S4 (flowtop's name server) and $DNS2 (the other process's).
if ! ns_add_local "$DNS2" 2>"$WORK/dns2.err"; then
	fail "second name server address" "$(cat "$WORK/dns2.err")"
	e2e_finish
fi
if ! dnsmasq_start dns "$S4" "$DNS2" -- "$C4=client.e2e.test" \
	"$S4=server.e2e.test" "$FAR4=far.e2e.test" >"$WORK/dnsmasq.msg"; then
	fail "dnsmasq starts" "$(cat "$WORK/dnsmasq.msg")"
	e2e_finish
fi
resolv_conf_set "$NS_CLIENT" "$S4"
ft_start dns "$NS_CLIENT" "$FLOWTOP" --count 4 -o json -4U -G -t 1
ft_wait_children 5
# The other process asks once flowtop has asked (so its resolver has read
# resolv.conf long before), through the second address.
ft_asked() { [ "$(dnsmasq_queries)" -gt 0 ]; }
wait_for 5 ft_asked
FT_QUERIES=$(dnsmasq_queries)
resolv_conf_set "$NS_CLIENT" "$DNS2"
ip netns exec "$NS_CLIENT" timeout 5 getent hosts "$FAR4" >"$WORK/getent.out" 2>&1
wait_pid "$FT_TPID" 40
verdict "flowtop --count 4 -o json -4U -G (names on) exits 0" \
	"$([ "$WAIT_RC" = 0 ] || printf '%s, stderr:\n%s' "$(rc_text "$WAIT_RC")" "$(show_file "$WORK/dns.err")")"
verdict "flowtop asked the name server ($FT_QUERIES queries before getent)" \
	"$([ "$FT_QUERIES" -gt 0 ] || echo "dnsmasq logged no query")"
verdict "flowtop's own DNS queries (to $S4:53) are not listed" \
	"$(jcheck none "$WORK/dns.out" --where proto=udp "--where=dst=$S4" --where dport=53)"
verdict "another process's DNS query (getent, to $DNS2:53) is listed" \
	"$(jcheck flow "$WORK/dns.out" --snapshot any --where proto=udp "--where=dst=$DNS2" --where dport=53)"
verdict "the names were used: $C4 shows as client.e2e.test" \
	"$(jcheck flow "$WORK/dns.out" --snapshot any "--where=src=$C4" --where src_name=client.e2e.test)"

e2e_finish
