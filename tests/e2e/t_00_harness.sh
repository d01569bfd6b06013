#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_00_harness: the test harness itself, checked against conntrack(8) and not
# flowtop: the namespaces, the nftables ruleset and traffic.py must give the
# kernel flows with the expected tuples and growing counters, and the SCTP
# entry must go in. When these fail, the flowtop tests' failures say nothing
# about flowtop.
source "$(dirname "$0")/lib.sh"
require_root
require_tools ip nft conntrack ping timeout pgrep
ns_setup_or_skip

# Counters exist only on flows created after accounting is switched on.
ct_sysctl "$NS_CLIENT" nf_conntrack_acct 1
verdict "nf_conntrack_acct can be set inside the client namespace" \
	"$([ "$(ct_sysctl "$NS_CLIENT" nf_conntrack_acct)" = 1 ] || echo "still $(ct_sysctl "$NS_CLIENT" nf_conntrack_acct)")"

start_server s_tcp4 tcp "$S4" 5001 || e2e_finish
start_server s_tcp6 tcp "$S6" 5002 || e2e_finish
start_server s_udp4 udp "$S4" 5003 || e2e_finish
start_server s_udp6 udp "$S6" 5004 || e2e_finish
start_server s_ul4 udplite "$S4" 5005 || e2e_finish
start_server s_ul6 udplite "$S6" 5006 || e2e_finish

# name proto protocol-number family port
FLOWS=(
	"tcp4 tcp 6 ipv4 5001"
	"tcp6 tcp 6 ipv6 5002"
	"udp4 udp 17 ipv4 5003"
	"udp6 udp 17 ipv6 5004"
	"ul4 udplite 136 ipv4 5005"
	"ul6 udplite 136 ipv6 5006"
)
addrs() { # family -> "src dst"
	if [ "$1" = ipv4 ]; then echo "$C4 $S4"; else echo "$C6 $S6"; fi
}

declare -A CPID
for f in "${FLOWS[@]}"; do
	read -r name proto num fam port <<<"$f"
	read -r src dst <<<"$(addrs "$fam")"
	start_client "c_$name" "$proto" "$dst" "$port" 3
	CPID[$name]=$BG_PID
done
bg ping4 ip netns exec "$NS_CLIENT" ping -c 5 -i 0.2 "$S4"
P4=$BG_PID
bg ping6 ip netns exec "$NS_CLIENT" ping -6 -c 5 -i 0.2 "$S6"
P6=$BG_PID
bg pinglo ip netns exec "$NS_CLIENT" ping -c 3 -i 0.2 127.0.0.1
PLO=$BG_PID

sleep 2
in_client conntrack -L -o extended >"$WORK/ct.txt" 2>"$WORK/ct.err"

NZ='packets=[1-9][0-9]* bytes=[1-9][0-9]*'
# ct_has WHAT REGEX: the conntrack listing has a line matching REGEX.
ct_has() {
	if grep -Eq -- "$2" "$WORK/ct.txt"; then
		pass "conntrack -L shows $1"
	else
		fail "conntrack -L shows $1" "no line matches /$2/
$(sed 's/^/| /' "$WORK/ct.txt")"
	fi
}

for f in "${FLOWS[@]}"; do
	read -r name proto num fam port <<<"$f"
	read -r src dst <<<"$(addrs "$fam")"
	sport=$(client_sport "c_$name") || {
		fail "$proto $fam client reports its source port" "$(cat "$WORK/c_$name.err")"
		continue
	}
	state=
	[ "$proto" = tcp ] && state='ESTABLISHED '
	ct_has "$proto $fam $src:$sport -> $dst:$port with traffic both ways" \
		"^$fam +[0-9]+ $proto +$num [0-9]+ ${state}src=$src dst=$dst sport=$sport dport=$port $NZ .*src=$dst dst=$src sport=$port dport=$sport $NZ"
done
ct_has "icmp ipv4 echo $C4 -> $S4 with traffic both ways" \
	"^ipv4 +2 icmp +1 [0-9]+ src=$C4 dst=$S4 type=8 code=0 id=[0-9]+ $NZ src=$S4 dst=$C4 type=0 code=0 id=[0-9]+ $NZ"
ct_has "icmpv6 echo $C6 -> $S6 with traffic both ways" \
	"^ipv6 +10 icmpv6 +58 [0-9]+ src=$C6 dst=$S6 type=128 code=0 id=[0-9]+ $NZ src=$S6 dst=$C6 type=129 code=0 id=[0-9]+ $NZ"
ct_has "icmp loopback echo 127.0.0.1 -> 127.0.0.1" \
	"^ipv4 +2 icmp +1 [0-9]+ src=127\.0\.0\.1 dst=127\.0\.0\.1 type=8 "

# The kernel has no SCTP sockets here; an entry goes in through conntrack -I.
if in_client conntrack -I -p sctp -s "$C4" -d "$S4" --sport 40000 --dport 3868 \
	-r "$S4" -q "$C4" --reply-port-src 3868 --reply-port-dst 40000 \
	--state ESTABLISHED --orig-vtag 1 --reply-vtag 2 -t 120 \
	-u SEEN_REPLY,ASSURED >"$WORK/ins.out" 2>&1; then
	pass "conntrack -I inserts an SCTP entry"
else
	fail "conntrack -I inserts an SCTP entry" "$(cat "$WORK/ins.out")"
fi
in_client conntrack -L -o extended >"$WORK/ct.txt" 2>"$WORK/ct.err"
ct_has "the injected sctp entry, ESTABLISHED" \
	"^ipv4 +2 sctp +132 [0-9]+ ESTABLISHED src=$C4 dst=$S4 sport=40000 dport=3868 "

# Every client must have had its echoes back; the pings must have finished.
for name in "${!CPID[@]}"; do
	wait_pid "${CPID[$name]}" 10
	verdict "traffic.py client $name got its echoes" \
		"$([ "$WAIT_RC" = 0 ] || echo "exit $WAIT_RC: $(cat "$WORK/c_$name.err")")"
done
for p in "$P4:ping $S4" "$P6:ping -6 $S6" "$PLO:ping 127.0.0.1"; do
	wait_pid "${p%%:*}" 10
	verdict "${p#*:} got its replies" "$([ "$WAIT_RC" = 0 ] || echo "exit $WAIT_RC")"
done

e2e_finish
