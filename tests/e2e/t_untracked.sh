#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_untracked: the "kernel tracks nothing" hint needs no TCP connection.
#
# The client namespace has no nftables ruleset at all (E2E_NO_CT_RULES), so
# the kernel tracks nothing, and no TCP socket: only ICMP echoes (ping) or
# UDP datagrams flow. The conntrack table stays empty while the kernel's
# packet counters (/proc/net/snmp, snmp6) rise, and flowtop --once says on
# stderr that the kernel tracks nothing and suggests --track. Checked too:
#   - nothing flowing, nothing said (the sign is traffic, not an empty table);
#   - UDP datagrams alone raise it as well;
#   - flowtop --track --once lists the ping and says nothing;
#   - with a conntrack rule the same ping is listed and there is no hint.
source "$(dirname "$0")/lib.sh"
require_root
require_tools ip nft ping ss conntrack timeout
require_flowtop
E2E_NO_CT_RULES=1 ns_setup_or_skip

HINT='the kernel tracks no flows here.*try flowtop --track$'

ruleset() { in_client nft list ruleset 2>&1; }
verdict "the client namespace starts with an empty ruleset" \
	"$(r=$(ruleset); [ -z "$r" ] || printf 'ruleset:\n%s' "$r")"

# no_tcp: not one TCP socket in the client namespace, listening or not.
no_tcp() {
	local s
	s=$(in_client ss -Htan 2>&1)
	[ -z "$s" ] || printf 'TCP sockets:\n%s' "$s"
}
# ran NAME: flowtop's exit status was 0, else why.
ran() {
	[ "$FT_RC" = 0 ] || printf '%s:\n%s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/$1.err")"
}
hinted() { grep -q "$HINT" "$WORK/$1.err" || { echo "no hint on stderr:"; show_file "$WORK/$1.err"; }; }
quiet() { ! grep -q 'tracks no flows' "$WORK/$1.err" || show_file "$WORK/$1.err"; }
# table_empty NAME: the text table has its header and no row.
table_empty() {
	local rows
	rows=$(grep -c '[^[:space:]]' "$WORK/$1.out")
	[ "$rows" = 1 ] && grep -q '^PROTO ' "$WORK/$1.out" ||
		{ echo "expected the header alone, got $rows lines:"; show_file "$WORK/$1.out"; }
}

# --- nothing flows ---------------------------------------------------------------
ft_run idle "$NS_CLIENT" "$FLOWTOP" --once -46TUI -n -G -t 1
verdict "idle, no rule: flowtop --once exits 0" "$(ran idle)"
verdict "idle: no flow and no hint (no packet went by)" "$(table_empty idle; quiet idle)"

# --- ping only --------------------------------------------------------------------
bg ping4 ip netns exec "$NS_CLIENT" ping -q -i 0.2 -w 60 "$S4"
PING_PID=$BG_PID
verdict "no TCP connection in the client namespace" "$(no_tcp)"
ft_run ping "$NS_CLIENT" "$FLOWTOP" --once -46TUI -n -G -t 1
verdict "ping, no rule: flowtop --once exits 0" "$(ran ping)"
verdict "ping, no rule: it lists no flow (the kernel tracks none)" "$(table_empty ping)"
verdict "ping, no rule: stderr says the kernel tracks nothing and suggests --track" "$(hinted ping)"
kill "$PING_PID" 2>/dev/null

# --- UDP only ---------------------------------------------------------------------
start_server s_udp udp "$S4" 5601 || e2e_finish
start_client c_udp udp "$S4" 5601 60
client_sport c_udp >/dev/null || { fail "the UDP client starts" "$(cat "$WORK/c_udp.err")"; e2e_finish; }
verdict "UDP: still no TCP connection in the client namespace" "$(no_tcp)"
ft_run udp "$NS_CLIENT" "$FLOWTOP" --once -o json -46TUI -n -G -t 1
verdict "UDP, no rule: flowtop --once -o json exits 0" "$(ran udp)"
verdict "UDP, no rule: no flow line" "$([ ! -s "$WORK/udp.out" ] || show_file "$WORK/udp.out")"
verdict "UDP, no rule: stderr says the kernel tracks nothing and suggests --track" "$(hinted udp)"
kill "$BG_PID" 2>/dev/null

# --- ping with --track -------------------------------------------------------------
# (Its flow outlives the run in the kernel's table: hence after the checks
# that need the table empty.)
bg ping4t ip netns exec "$NS_CLIENT" ping -q -i 0.2 -w 60 "$S4"
ft_run pingtrack "$NS_CLIENT" "$FLOWTOP" --track --once -o json -4I -n -G -t 1
verdict "ping, --track: flowtop --once exits 0" "$(ran pingtrack)"
verdict "ping, --track: the echo flow is listed" \
	"$(jcheck flow "$WORK/pingtrack.out" --where proto=icmp --where "dst=$S4")"
verdict "ping, --track: no hint" "$(quiet pingtrack)"
verdict "--track left no ruleset behind" "$(r=$(ruleset); [ -z "$r" ] || printf 'ruleset:\n%s' "$r")"
kill "$BG_PID" 2>/dev/null

# --- with a conntrack rule ----------------------------------------------------------
# The --track run's echo flow goes first: the rule's own flows must be the
# ones that keep the hint away.
in_client conntrack -F >/dev/null 2>&1
verdict "the conntrack table is empty before the rule goes in" \
	"$(t=$(in_client conntrack -L 2>/dev/null); [ -z "$t" ] || printf 'table:\n%s' "$t")"
if ! ns_ct_rules "$NS_CLIENT" >"$WORK/rules.err" 2>&1; then
	fail "a conntrack rule can be added" "$(cat "$WORK/rules.err")"
	e2e_finish
fi
bg ping4b ip netns exec "$NS_CLIENT" ping -q -i 0.2 -w 60 "$S4"
ft_run tracked "$NS_CLIENT" "$FLOWTOP" --once -o json -46TUI -n -G -t 1
verdict "ping with a conntrack rule: flowtop --once exits 0" "$(ran tracked)"
verdict "ping with a conntrack rule: the echo flow is listed" \
	"$(jcheck flow "$WORK/tracked.out" --where proto=icmp --where "dst=$S4")"
verdict "ping with a conntrack rule: no hint" "$(quiet tracked)"
kill "$BG_PID" 2>/dev/null

e2e_finish
