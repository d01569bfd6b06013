#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_netns: flows the host forwards for its other network namespaces
# ("containers", no container runtime needed), mapped back to the process
# inside them. The test's host namespace H (NS_CLIENT, where flowtop runs)
# routes for:
#   C1  an `ip netns` namespace on bridge br1 (10.88.1.2, fd88:1::2),
#       masqueraded towards the server namespace S (NS_SERVER); its port 80
#       is published as H's port 8081 (DNAT);
#   C2  an unnamed namespace (unshare --net) on bridge br2 (10.88.2.2,
#       fd88:2::2), masqueraded: it is known by its inode alone;
#   C3, C4  two tenants that both are 10.99.0.2, each with a server
#       namespace of its own (S3, S4, both 10.77.0.2). H keeps them apart
#       as a VRF would, by interface: policy routing tables per tenant
#       (this kernel has no VRF device) and conntrack zones 3 and 4 set by
#       `ct zone set iif map`.
# Processes in C1 and C2 connect out (TCP and UDP, IPv4 and IPv6); C3 and
# C4 each connect once from a port of their own, then both from port 47000
# to 10.77.0.2:7000, the very same tuple in zones 3 and 4. A client in S
# connects to the published port.
# What a user checks: in JSON, each flow's pid (the host's), comm and
# netns (the `ip netns` name, else net:[INODE]); the two identical tenant
# flows each with its own tenant's process; the published port's flow with
# C1's server. On the screen: the details of a C1 flow, and the processes
# tab grouped by container showing the namespaces.
source "$(dirname "$0")/lib.sh"
require_root
require_tools ip nft timeout tmux unshare nsenter
require_flowtop
ns_setup_or_skip

E2E_NS_SEQ=$((E2E_NS_SEQ + 1))
P="ft-$$-${E2E_NS_SEQ}"
NS_C1="${P}c1" NS_C3="${P}c3" NS_C4="${P}c4" NS_S3="${P}s3" NS_S4="${P}s4"
TM=(tmux -L "ft-netns-$$")
trap '"${TM[@]}" kill-server 2>/dev/null; e2e_cleanup' EXIT
H=$NS_CLIENT

# add_ns NAME: a named namespace with loopback up, removed at the end.
add_ns() {
	ip netns add "$1" || return 1
	E2E_NAMESPACES+=("$1")
	ip -n "$1" link set lo up
}

# bridged N IN...: bridge brN in H (10.88.N.1, fd88:N::1) with a veth to
# eth0 in the namespace that `IN ip ...` configures (10.88.N.2, fd88:N::2).
bridged() {
	local n=$1 target=$2
	shift 2
	ip -n "$H" link add "br$n" type bridge &&
	ip -n "$H" addr add "10.88.$n.1/24" dev "br$n" &&
	ip -n "$H" addr add "fd88:$n::1/64" dev "br$n" nodad &&
	ip -n "$H" link set "br$n" up &&
	ip -n "$H" link add "c${n}h" type veth peer name eth0 netns "$target" &&
	ip -n "$H" link set "c${n}h" master "br$n" up &&
	"$@" ip addr add "10.88.$n.2/24" dev eth0 &&
	"$@" ip addr add "fd88:$n::2/64" dev eth0 nodad &&
	"$@" ip link set eth0 up &&
	"$@" ip route add default via "10.88.$n.1" &&
	"$@" ip -6 route add default via "fd88:$n::1"
}

# tenant T: CT (10.99.0.2) and ST (10.77.0.2) behind H's hT and hsT, both
# H's interfaces 10.x.0.1 in table 10T, chosen by the incoming interface.
tenant() {
	local t=$1 c=$2 s=$3
	add_ns "$c" && add_ns "$s" &&
	ip -n "$H" link add "h$t" type veth peer name eth0 netns "$c" &&
	ip -n "$H" link add "hs$t" type veth peer name eth0 netns "$s" &&
	ip -n "$H" addr add 10.99.0.1/24 dev "h$t" noprefixroute &&
	ip -n "$H" addr add 10.77.0.1/24 dev "hs$t" noprefixroute &&
	ip -n "$H" link set "h$t" up && ip -n "$H" link set "hs$t" up &&
	ip -n "$H" route add 10.99.0.0/24 dev "h$t" table "10$t" &&
	ip -n "$H" route add 10.77.0.0/24 dev "hs$t" table "10$t" &&
	ip -n "$H" rule add iif "h$t" lookup "10$t" pref "10$t" &&
	ip -n "$H" rule add iif "hs$t" lookup "10$t" pref "10$t" &&
	ip -n "$c" addr add 10.99.0.2/24 dev eth0 && ip -n "$c" link set eth0 up &&
	ip -n "$c" route add default via 10.99.0.1 &&
	ip -n "$s" addr add 10.77.0.2/24 dev eth0 && ip -n "$s" link set eth0 up &&
	ip -n "$s" route add default via 10.77.0.1
}

# ns_ct_rules_via IN...: ns_ct_rules' table, loaded by `IN nft`.
ns_ct_rules_via() {
	"$@" nft -f - <<-'EOF'
		table inet flowtop_e2e {
			chain output {
				type filter hook output priority filter; policy accept;
				ct state new,established,related counter accept
			}
		}
	EOF
}

setup() {
	add_ns "$NS_C1" &&
	bridged 1 "$NS_C1" ip netns exec "$NS_C1" || return 1
	# C2: no name under /run/netns, only a process in it.
	unshare --net sleep 600 &
	C2_PID=$!
	E2E_PIDS+=("$C2_PID")
	wait_for 5 sh -c "[ \"\$(readlink /proc/$C2_PID/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]" &&
	nsenter -t "$C2_PID" -n ip link set lo up &&
	bridged 2 "$C2_PID" nsenter -t "$C2_PID" -n || return 1
	C2_NETNS=$(readlink "/proc/$C2_PID/ns/net")
	# C1 and C2 track their own flows too, for --netns.
	ns_ct_rules "$NS_C1" &&
	ns_ct_rules_via nsenter -t "$C2_PID" -n || return 1
	tenant 3 "$NS_C3" "$NS_S3" && tenant 4 "$NS_C4" "$NS_S4" || return 1
	ip netns exec "$H" sysctl -qw net.ipv4.ip_forward=1 &&
	ip netns exec "$H" sysctl -qw net.ipv6.conf.all.forwarding=1 &&
	ip netns exec "$H" sysctl -qw net.ipv4.conf.all.rp_filter=0 &&
	ip netns exec "$H" nft -f - <<-'EOF'
		table inet ft_netns {
			chain raw_pre {
				type filter hook prerouting priority raw;
				ct zone set iif map { "h3" : 3, "hs3" : 3, "h4" : 4, "hs4" : 4 }
			}
			chain publish {
				type nat hook prerouting priority dstnat;
				iifname "veth0" tcp dport 8081 dnat ip to 10.88.1.2:80
			}
			chain masq {
				type nat hook postrouting priority srcnat;
				oifname "veth0" ip saddr { 10.88.1.0/24, 10.88.2.0/24 } masquerade
				oifname "veth0" ip6 saddr { fd88:1::/64, fd88:2::/64 } masquerade
			}
		}
	EOF
}
if ! setup 2>"$WORK/setup.err"; then
	fail "the namespaces and H's routes and rules" "$(cat "$WORK/setup.err")"
	e2e_finish
fi

# srv NAME PROTO ADDR PORT IN...: an echo server started by `IN python3`.
srv() {
	local name=$1 proto=$2 addr=$3 port=$4
	shift 4
	bg "$name" "$@" "$PY" "$TRAFFIC" server --proto "$proto" --addr "$addr" \
		--port "$port" --ready "$WORK/$name.ready" --lifetime 150
	SRV_PID[$name]=$BG_PID
	wait_for 5 test -s "$WORK/$name.ready" ||
		{ fail "server $name starts" "$(cat "$WORK/$name.err")"; return 1; }
}
# cli NAME PROTO ADDR PORT SPORT IN...: a client kept busy for 60 s.
cli() {
	local name=$1 proto=$2 addr=$3 port=$4 sport=$5
	shift 5
	bg "$name" "$@" "$PY" "$TRAFFIC" client --proto "$proto" --addr "$addr" \
		--port "$port" --sport "$sport" --duration 60 --info "$WORK/$name.info"
	CLI_PID[$name]=$BG_PID
}
declare -A SRV_PID CLI_PID
IN_C1=(ip netns exec "$NS_C1")
IN_C2=(nsenter -t "$C2_PID" -n)
IN_S=(ip netns exec "$NS_SERVER")
for p in tcp udp; do
	srv "s${p}4" "$p" "$S4" 5001 "${IN_S[@]}" || e2e_finish
	srv "s${p}6" "$p" "$S6" 5001 "${IN_S[@]}" || e2e_finish
	srv "t3$p" "$p" 10.77.0.2 7000 ip netns exec "$NS_S3" || e2e_finish
	srv "t4$p" "$p" 10.77.0.2 7000 ip netns exec "$NS_S4" || e2e_finish
done
srv pub tcp 10.88.1.2 80 "${IN_C1[@]}" || e2e_finish
for p in tcp udp; do
	cli "c1${p}4" "$p" "$S4" 5001 0 "${IN_C1[@]}"
	cli "c1${p}6" "$p" "$S6" 5001 0 "${IN_C1[@]}"
	cli "c2${p}4" "$p" "$S4" 5001 0 "${IN_C2[@]}"
	cli "c2${p}6" "$p" "$S6" 5001 0 "${IN_C2[@]}"
done
# Each tenant once from a port of its own, then both from the same one.
cli c3own tcp 10.77.0.2 7000 46003 ip netns exec "$NS_C3"
cli c4own tcp 10.77.0.2 7000 46004 ip netns exec "$NS_C4"
cli inpub tcp "$C4" 8081 0 "${IN_S[@]}"
for c in "${!CLI_PID[@]}"; do
	wait_for 5 test -s "$WORK/$c.info" ||
		{ fail "client $c connects" "$(cat "$WORK/$c.err")"; e2e_finish; }
done
# flowtop learns each tenant's zone from its own flow first (the dump
# order of the kernel's table is not known): a screen mode run that sees
# those, then the shared tuple.
ft_start learn "$H" "$FLOWTOP" -o json --count 30 -t 0.5 -46TU -n -G \
	--conf-dir "$ROOT/conf"
sleep 2
# Root may give the namespace helper CAP_SYS_ADMIN: it runs, with that
# alone, and flows that start now are asked of their namespace's kernel.
nsd=$(child_by_comm "$FT_PID" flowtop-nsdiag)
verdict "a root start runs the namespace helper flowtop-nsdiag" \
	"$([ -n "$nsd" ] || echo "children: $(ps -o comm= --ppid "$FT_PID" | tr '\n' ' ')")"
[ -n "$nsd" ] && verdict "flowtop-nsdiag: CapEff is CAP_SYS_ADMIN alone, seccomp on" \
	"$(c=$(status_field "$nsd" CapEff); s=$(status_field "$nsd" Seccomp)
	   [ "$c" = 0000000000200000 ] && [ "$s" = 2 ] || echo "CapEff=$c Seccomp=$s")"
cli c1latetcp4 tcp "$S4" 5001 0 "${IN_C1[@]}"
cli c1lateudp6 udp "$S6" 5001 0 "${IN_C1[@]}"
for p in tcp udp; do
	cli "c3same$p" "$p" 10.77.0.2 7000 47000 ip netns exec "$NS_C3"
	cli "c4same$p" "$p" 10.77.0.2 7000 47000 ip netns exec "$NS_C4"
done
for c in c3same{tcp,udp} c4same{tcp,udp} c1late{tcp4,udp6}; do
	wait_for 5 test -s "$WORK/$c.info" ||
		{ fail "client $c connects" "$(cat "$WORK/$c.err")"; e2e_finish; }
done
# The socket the helper made in C1 is the collector's: /proc/net/netlink
# in C1 lists a sock_diag socket (protocol 4) bound to the collector's pid.
c1diag() { "${IN_C1[@]}" awk -v p="$FT_PID" '$2 == 4 && $3 == p' /proc/net/netlink | grep -q .; }
verdict "C1's /proc/net/netlink: a sock_diag socket of the collector's (pid $FT_PID)" \
	"$(wait_for 5 c1diag || "${IN_C1[@]}" cat /proc/net/netlink)"
wait_pid "$FT_TPID" 40
verdict "flowtop -o json --count 30 in H exits 0" \
	"$([ "$WAIT_RC" = 0 ] || printf '%s: %s' "$(rc_text "$WAIT_RC")" "$(show_file "$WORK/learn.err")")"

# ---------------------------------------------------------------- JSON

# owner NAME PROTO FAMILY DPORT [SPORT|zone=N]: "pid comm netns" of that
# flow in the last snapshot in $WORK/NAME.out ("-" for a field left out).
owner() {
	"$PY" - "$WORK/$1.out" "${@:2}" <<'PYEOF'
import json, sys
path, proto, fam, dport = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
extra = sys.argv[5] if len(sys.argv) > 5 else ""
lines = [json.loads(l) for l in open(path) if l.startswith("{")]
last = max(f["time"] for f in lines) if lines else None
for f in lines:
    if f["time"] != last or f.get("proto") != proto or \
       f.get("family") != fam or f.get("dport") != dport:
        continue
    if extra.startswith("zone="):
        if f.get("zone", 0) != int(extra[5:]):
            continue
    elif extra and f.get("sport") != int(extra):
        continue
    print("%s %s %s" % (f.get("pid", "-"), f.get("process", "-"),
                        f.get("netns", "-")))
    break
PYEOF
}
want_owner() {
	local what=$1 want=$2 got
	shift 2
	got=$(owner learn "$@")
	verdict "$what: $want" "$([ "$got" = "$want" ] || echo "got '${got:-no such flow}'")"
}
for p in tcp udp; do
	for f in 4 6; do
		want_owner "C1's $p IPv$f client, masqueraded" \
			"${CLI_PID[c1$p$f]} python3 $NS_C1" \
			"$p" "ipv$f" 5001 "$(client_sport "c1$p$f")"
		want_owner "C2's $p IPv$f client, unnamed namespace" \
			"${CLI_PID[c2$p$f]} python3 $C2_NETNS" \
			"$p" "ipv$f" 5001 "$(client_sport "c2$p$f")"
	done
done
want_owner "tenant C3's own flow" "${CLI_PID[c3own]} python3 $NS_C3" \
	tcp ipv4 7000 46003
want_owner "tenant C4's own flow" "${CLI_PID[c4own]} python3 $NS_C4" \
	tcp ipv4 7000 46004
for p in tcp udp; do
	want_owner "the shared $p tuple in zone 3 is C3's" \
		"${CLI_PID[c3same$p]} python3 $NS_C3" "$p" ipv4 7000 zone=3
	want_owner "the shared $p tuple in zone 4 is C4's" \
		"${CLI_PID[c4same$p]} python3 $NS_C4" "$p" ipv4 7000 zone=4
done
want_owner "the published port's inbound flow is C1's server" \
	"${SRV_PID[pub]} python3 $NS_C1" tcp ipv4 8081
want_owner "C1's tcp IPv4 client started under flowtop (exact ask in C1)" \
	"${CLI_PID[c1latetcp4]} python3 $NS_C1" tcp ipv4 5001 "$(client_sport c1latetcp4)"
want_owner "C1's udp IPv6 client started under flowtop (exact ask in C1)" \
	"${CLI_PID[c1lateudp6]} python3 $NS_C1" udp ipv6 5001 "$(client_sport c1lateudp6)"

# Without the helper (a start that can't give it CAP_SYS_ADMIN; the test
# build's FLOWTOP_TEST_NO_NSDIAG=1 stands for one as root): no such
# process, and a flow that starts under flowtop is still C1's client's,
# found in C1's /proc/PID/net tables.
if [ ! -x "$FLOWTOP_TESTHOOKS" ]; then
	fail "without the namespace helper" "$FLOWTOP_TESTHOOKS missing: run make testhooks"
else
	ft_start noh "$H" env FLOWTOP_TEST_NO_NSDIAG=1 "$FLOWTOP_TESTHOOKS" \
		-o json --count 8 -t 0.5 -46TU -n -G --conf-dir "$ROOT/conf"
	sleep 1.5
	verdict "FLOWTOP_TEST_NO_NSDIAG=1: no flowtop-nsdiag" \
		"$(! child_by_comm "$FT_PID" flowtop-nsdiag >/dev/null || echo "it runs")"
	cli c1nohtcp4 tcp "$S4" 5001 0 "${IN_C1[@]}"
	wait_for 5 test -s "$WORK/c1nohtcp4.info" ||
		fail "client c1nohtcp4 connects" "$(cat "$WORK/c1nohtcp4.err")"
	wait_pid "$FT_TPID" 20
	verdict "FLOWTOP_TEST_NO_NSDIAG=1: the run exits 0" \
		"$([ "$WAIT_RC" = 0 ] || printf '%s: %s' "$(rc_text "$WAIT_RC")" "$(show_file "$WORK/noh.err")")"
	got=$(owner noh tcp ipv4 5001 "$(client_sport c1nohtcp4)")
	want="${CLI_PID[c1nohtcp4]} python3 $NS_C1"
	verdict "without the helper, C1's client started under flowtop: $want" \
		"$([ "$got" = "$want" ] || echo "got '${got:-no such flow}'")"
fi

# ---------------------------------------------------------------- --netns

# --netns: C1's own table, its processes named, no netns field (the
# namespace watched is the one they are in); the unnamed C2 by pid:PID.
ft_run inc1 "$H" "$FLOWTOP" --netns "$NS_C1" --once -o json -46TU -n -G \
	--conf-dir "$ROOT/conf"
verdict "--netns $NS_C1 --once exits 0" \
	"$([ "$FT_RC" = 0 ] || printf '%s: %s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/inc1.err")")"
for c in c1tcp4 c1udp6; do
	p=${c:2:3} f=${c:5:1}
	got=$(owner inc1 "$p" "ipv$f" 5001 "$(client_sport "$c")")
	verdict "--netns $NS_C1: its $p IPv$f client, seen from inside: ${CLI_PID[$c]} python3 -" \
		"$([ "$got" = "${CLI_PID[$c]} python3 -" ] || echo "got '${got:-no such flow}'")"
done
got=$(owner inc1 tcp ipv4 80)
verdict "--netns $NS_C1: the published server's flow: ${SRV_PID[pub]} python3 -" \
	"$([ "$got" = "${SRV_PID[pub]} python3 -" ] || echo "got '${got:-no such flow}'")"
ft_run inc2 "$H" "$FLOWTOP" --netns "pid:$C2_PID" --once -o json -46TU -n -G \
	--conf-dir "$ROOT/conf"
got=$(owner inc2 tcp ipv6 5001 "$(client_sport c2tcp6)")
verdict "--netns pid:PID (C2): its tcp IPv6 client: ${CLI_PID[c2tcp6]} python3 -" \
	"$([ "$got" = "${CLI_PID[c2tcp6]} python3 -" ] || echo "got '${got:-no such flow}' ($(rc_text "$FT_RC"): $(show_file "$WORK/inc2.err"))")"
ft_run nons "$H" "$FLOWTOP" --netns "${P}nosuch" --once -n -G
verdict "--netns of no namespace: exit 1, the file named" \
	"$([ "$FT_RC" = 1 ] && grep -q "cannot open /run/netns/${P}nosuch" "$WORK/nons.err" || echo "$(rc_text "$FT_RC"): $(show_file "$WORK/nons.err")")"
ft_run notns "$H" "$FLOWTOP" --netns /etc/hostname --once -n -G
verdict "--netns of a file that is no namespace: exit 1" \
	"$([ "$FT_RC" = 1 ] && grep -q "not a network namespace" "$WORK/notns.err" || echo "$(rc_text "$FT_RC"): $(show_file "$WORK/notns.err")")"
ft_run baduse "$H" "$FLOWTOP" --netns pid:0 --once
verdict "--netns pid:0: usage error, exit 2" \
	"$([ "$FT_RC" = 2 ] && grep -q "invalid --netns" "$WORK/baduse.err" || echo "$(rc_text "$FT_RC"): $(show_file "$WORK/baduse.err")")"
ft_run user "$H" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$FLOWTOP" --netns "$NS_C1" --once
verdict "--netns by a user who is not root: refused, exit 1" \
	"$([ "$FT_RC" = 1 ] && grep -q "root only" "$WORK/user.err" || echo "$(rc_text "$FT_RC"): $(show_file "$WORK/user.err")")"

# ---------------------------------------------------------------- screen

cat >"$WORK/tui.sh" <<SH
ip netns exec "$H" "$FLOWTOP" --conf-dir "$ROOT/conf" -46TU -n -G -t 0.5 2>"$WORK/tui.err"
echo \$? >"$WORK/tui.rc"
sleep 300
SH
"${TM[@]}" new-session -d -s main -x 220 -y 60 "bash $WORK/tui.sh"
screen() { "${TM[@]}" capture-pane -p -t main; }
on_screen() { screen | grep -Eq "$1"; }
if ! wait_for 10 on_screen 'DESTINATION'; then
	fail "the screen comes up" "$(screen | tail -n 5)"
fi
# The details of C1's IPv4 TCP flow: filter on its source port.
"${TM[@]}" send-keys -t main / "$(client_sport c1tcp4)" Enter
wait_for 5 on_screen '^ *1/[0-9]+ flows'
"${TM[@]}" send-keys -t main Enter
if wait_for 5 on_screen "netns +$NS_C1"; then
	det=$(screen)
	verdict "details: C1's client, its pid and namespace" \
		"$(grep -Eq "${CLI_PID[c1tcp4]}" <<<"$det" || echo "$det" | tail -n 20)"
else
	fail "details name C1's namespace" "$(screen | tail -n 20)"
fi
# The processes tab grouped by container: the namespaces are the groups.
"${TM[@]}" send-keys -t main Escape Escape Escape Tab g g g
if wait_for 5 on_screen "netns:$NS_C3"; then
	scr=$(screen)
	for n in "netns:$NS_C1" "$C2_NETNS" "netns:$NS_C3" "netns:$NS_C4"; do
		verdict "processes tab by container: a row for $n" \
			"$(grep -Fq "$n" <<<"$scr" || echo "$scr" | head -n 20)"
	done
else
	fail "processes tab grouped by container" "$(screen | head -n 20)"
fi
"${TM[@]}" send-keys -t main q
if wait_for 5 test -s "$WORK/tui.rc"; then
	verdict "q exits 0" "$([ "$(cat "$WORK/tui.rc")" = 0 ] || cat "$WORK/tui.err")"
else
	fail "q exits" "$(screen | tail -n 5)"
fi
e2e_finish
