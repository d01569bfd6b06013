#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_nat: NAT, conntrack zones, marks and labels made visible, on a real
# router. The test's host namespace H (NS_CLIENT, where flowtop runs)
# forwards for a "container" namespace C behind a veth pair of its own
# (10.88.0.2, fd88::2), masquerading it towards the server namespace S
# (NS_SERVER), and publishes C's port 80 as H's port 8080 (DNAT). Its
# nftables rules mark the forwarded flows to port 5001 (ct mark 42, ct
# label 3) and put H's own flows to port 5002 in conntrack zone 7.
# What a user checks: the JSON fields of each flow (the reply tuple where
# NAT changed it, zone, mark, labels), and on the screen the filter terms
# nat, zone:7 and mark:0x2a, the details of a masqueraded flow, and the
# NAT, ZONE, MARK and LABELS columns of `n`.
source "$(dirname "$0")/lib.sh"
require_root
require_tools ip nft timeout tmux
require_flowtop
ns_setup_or_skip

E2E_NS_SEQ=$((E2E_NS_SEQ + 1))
NS_C="ft-$$-${E2E_NS_SEQ}c"
TM=(tmux -L "ft-nat-$$")
trap '"${TM[@]}" kill-server 2>/dev/null; e2e_cleanup' EXIT
H=$NS_CLIENT
setup_container() {
	ip netns add "$NS_C" || return 1
	E2E_NAMESPACES+=("$NS_C")
	ip -n "$NS_C" link set lo up &&
	ip -n "$H" link add vc0 type veth peer name eth0 netns "$NS_C" &&
	ip -n "$H" addr add 10.88.0.1/24 dev vc0 &&
	ip -n "$H" addr add fd88::1/64 dev vc0 nodad &&
	ip -n "$NS_C" addr add 10.88.0.2/24 dev eth0 &&
	ip -n "$NS_C" addr add fd88::2/64 dev eth0 nodad &&
	ip -n "$H" link set vc0 up &&
	ip -n "$NS_C" link set eth0 up &&
	ip -n "$NS_C" route add default via 10.88.0.1 &&
	ip -n "$NS_C" -6 route add default via fd88::1 &&
	ip netns exec "$H" sysctl -qw net.ipv4.ip_forward=1 &&
	ip netns exec "$H" sysctl -qw net.ipv6.conf.all.forwarding=1 &&
	ip netns exec "$H" nft -f - <<-'EOF'
		table inet ft_nat {
			chain raw_out {
				type filter hook output priority raw;
				tcp dport 5002 ct zone set 7
			}
			chain raw_pre {
				type filter hook prerouting priority raw;
				iifname "veth0" tcp sport 5002 ct zone set 7
			}
			chain publish {
				type nat hook prerouting priority dstnat;
				iifname "veth0" tcp dport 8080 dnat ip to 10.88.0.2:80
			}
			chain marks {
				type filter hook forward priority filter;
				ct state new tcp dport 5001 ct mark set 42 ct label set 3
			}
			chain masq {
				type nat hook postrouting priority srcnat;
				oifname "veth0" ip saddr 10.88.0.0/24 masquerade
				oifname "veth0" ip6 saddr fd88::/64 masquerade
			}
		}
	EOF
}
if ! setup_container 2>"$WORK/setup.err"; then
	fail "the container namespace and H's NAT rules" "$(cat "$WORK/setup.err")"
	e2e_finish
fi

# Servers: S on 5001 (both families) and 5002, C on 80.
start_server srv4 tcp "$S4" 5001 || e2e_finish
start_server srv6 tcp "$S6" 5001 || e2e_finish
start_server srvz tcp "$S4" 5002 || e2e_finish
bg srvc ip netns exec "$NS_C" "$PY" "$TRAFFIC" server --proto tcp \
	--addr 10.88.0.2 --port 80 --ready "$WORK/srvc.ready" --lifetime 150
if ! wait_for 5 test -s "$WORK/srvc.ready"; then
	fail "the container's server starts" "$(cat "$WORK/srvc.err")"
	e2e_finish
fi
# Clients: C out to S (masqueraded), S in to the published port, H to S
# in zone 7.
bg c4 ip netns exec "$NS_C" "$PY" "$TRAFFIC" client --proto tcp \
	--addr "$S4" --port 5001 --duration 60 --info "$WORK/c4.info"
bg c6 ip netns exec "$NS_C" "$PY" "$TRAFFIC" client --proto tcp \
	--addr "$S6" --port 5001 --duration 60 --info "$WORK/c6.info"
bg pub ip netns exec "$NS_SERVER" "$PY" "$TRAFFIC" client --proto tcp \
	--addr "$C4" --port 8080 --duration 60 --info "$WORK/pub.info"
start_client zone tcp "$S4" 5002 60
for c in c4 c6 pub zone; do
	if ! wait_for 5 test -s "$WORK/$c.info"; then
		fail "client $c connects" "$(cat "$WORK/$c.err")"
		e2e_finish
	fi
done

# ---------------------------------------------------------------- JSON

ft_run once "$H" "$FLOWTOP" --once -o json -46T -n -G --conf-dir "$ROOT/conf"
verdict "flowtop --once -o json in the router's namespace exits 0" \
	"$([ "$FT_RC" = 0 ] || printf '%s: %s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/once.err")")"
# flow DPORT FAMILY: the JSON line of the flow to that port, as a
# canonical "key=value ..." of the fields checked (absent ones left out).
flow() {
	"$PY" - "$WORK/once.out" "$1" "$2" <<'PYEOF'
import json, sys
path, dport, fam = sys.argv[1], int(sys.argv[2]), sys.argv[3]
keys = ("src", "dst", "reply_src", "reply_sport", "reply_dst",
        "reply_dport", "zone", "mark", "labels")
for line in open(path):
    f = json.loads(line)
    if f.get("dport") == dport and f.get("family") == fam:
        print(" ".join("%s=%s" % (k, json.dumps(f[k]).replace(" ", ""))
                       for k in keys if k in f))
        break
PYEOF
}
want_flow() {
	local what=$1 dport=$2 fam=$3 want=$4 got
	got=$(flow "$dport" "$fam")
	verdict "$what: $want" "$([ "$got" = "$want" ] || echo "got '$got'")"
}
# The port masquerade gave the flow: the reply tuple's destination port,
# as conntrack -L in H lists it (the second dport= of the line).
masq_port() {
	in_client conntrack -L -f "$1" -p tcp --dport 5001 2>/dev/null |
		grep -o 'dport=[0-9]*' | sed -n '2s/dport=//p'
}
want_flow "masqueraded IPv4 flow out of the container, marked and labelled" \
	5001 ipv4 'src="10.88.0.2" dst="192.0.2.2" reply_src="192.0.2.2" reply_sport=5001 reply_dst="192.0.2.1" reply_dport='"$(masq_port ipv4)"' mark=42 labels=[3]'
want_flow "masqueraded IPv6 flow, marked and labelled" \
	5001 ipv6 'src="fd88::2" dst="2001:db8::2" reply_src="2001:db8::2" reply_sport=5001 reply_dst="2001:db8::1" reply_dport='"$(masq_port ipv6)"' mark=42 labels=[3]'
pub_sport=$(client_sport pub)
want_flow "inbound flow to the published port: the container's server answers" \
	8080 ipv4 'src="192.0.2.2" dst="192.0.2.1" reply_src="10.88.0.2" reply_sport=80 reply_dst="192.0.2.2" reply_dport='"$pub_sport"
want_flow "the router's own flow in zone 7, no NAT" \
	5002 ipv4 'src="192.0.2.1" dst="192.0.2.2" zone=7'

# ---------------------------------------------------------------- screen

cat >"$WORK/tui.sh" <<SH
ip netns exec "$H" "$FLOWTOP" --conf-dir "$ROOT/conf" -46T -n -G -t 0.5 2>"$WORK/tui.err"
echo \$? >"$WORK/tui.rc"
sleep 300
SH
"${TM[@]}" new-session -d -s main -x 200 -y 50 "bash $WORK/tui.sh"
screen() { "${TM[@]}" capture-pane -p -t main; }
counts() { screen | grep -Eo '[0-9]+/[0-9]+ flows' | head -n 1; }
# shown N: the status line says N flows are shown (of however many).
shown() { screen | grep -Eq "^ *$1/[0-9]+ flows"; }
rows() { screen | grep -E 'tcp[46] '; }
if ! wait_for 10 shown 4; then
	fail "the screen shows the 4 flows" "$(counts); $(screen | tail -n 3)"
fi
filter() {
	local term=$1 n=$2 must=$3
	"${TM[@]}" send-keys -t main Escape / "$term" Enter
	if wait_for 5 shown "$n"; then
		verdict "filter $term: $n flows, each to $must ($(counts))" \
			"$([ "$(rows | grep -c "$must")" = "$n" ] || rows)"
	else
		fail "filter $term: $n flows" "$(counts); $(rows)"
	fi
}
filter nat 3 '\(5001\|8080\|http-\)'
filter zone:7 1 5002
filter mark:0x2a 2 5001
filter ZONE:0 3 '\(5001\|8080\|http-\)'

# The details of the masqueraded IPv4 flow (the first row with mark 42).
"${TM[@]}" send-keys -t main Escape / mark:42 Enter
wait_for 5 shown 2
"${TM[@]}" send-keys -t main Enter
if wait_for 5 sh -c "$(printf '%q ' "${TM[@]}") capture-pane -p -t main | grep -q 'goes out as'"; then
	det=$(screen)
	verdict "details: what masquerade made of the source" \
		"$(grep -Eq 'nat +source (10\.88\.0\.2|fd88::2) port [0-9]+ goes out as (192\.0\.2\.1|2001:db8::1) port [0-9]+' <<<"$det" || grep -E ' nat | reply ' <<<"$det")"
	verdict "details: conntrack mark and labels" \
		"$(grep -Eq 'conntrack +id [0-9]+ \(0x[0-9a-f]+\), mark 0x2a, labels 3' <<<"$det" || grep -E 'conntrack' <<<"$det")"
else
	fail "details of a masqueraded flow" "$(screen | tail -n 20)"
fi
# The columns of `n`: NAT ("to" what answers for the destination, "as"
# what the source goes out as), ZONE, MARK, LABELS.
"${TM[@]}" send-keys -t main Escape Escape n
if wait_for 5 sh -c "$(printf '%q ' "${TM[@]}") capture-pane -p -t main | grep -q ' LABELS '"; then
	scr=$(screen)
	verdict "n: the masqueraded flow shows 'as 192.0.2.1:PORT', mark 0x2a, label 3" \
		"$(grep -Eq 'as 192\.0\.2\.1:[0-9]+ +0x2a +3 ' <<<"$scr" || grep -E 'tcp4 ' <<<"$scr")"
	verdict "n: the IPv6 one 'as [2001:db8::1]:PORT'" \
		"$(grep -Eq 'as \[2001:db8::1\]:[0-9]+ +0x2a +3 ' <<<"$scr" || grep -E 'tcp6 ' <<<"$scr")"
	verdict "n: the published port's flow shows 'to 10.88.0.2:80'" \
		"$(grep -Eq 'to 10\.88\.0\.2:80 ' <<<"$scr" || grep -E 'tcp4 ' <<<"$scr")"
	verdict "n: the zone 7 flow shows its zone" \
		"$(grep -E ' 5002 ' <<<"$scr" | grep -Eq ' 7 +[0-9]' || grep -E 'tcp4 ' <<<"$scr")"
else
	fail "n shows the NAT, ZONE, MARK and LABELS columns" "$(screen | head -n 5)"
fi
"${TM[@]}" send-keys -t main Escape q
if wait_for 5 test -s "$WORK/tui.rc"; then
	verdict "q exits 0" "$([ "$(cat "$WORK/tui.rc")" = 0 ] || show_file "$WORK/tui.err")"
else
	fail "q exits 0" "still running"
fi
e2e_finish
