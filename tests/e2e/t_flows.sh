#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_flows: flowtop shows the flows the kernel tracks, with the fields of
# DESIGN.md's JSON contract, honours the protocol selection options and hides
# loopback flows unless asked. All traffic runs between the test's own two
# namespaces; flowtop runs in the client one.
source "$(dirname "$0")/lib.sh"
require_root
require_tools ip nft conntrack ping timeout pgrep
require_flowtop
ns_setup_or_skip

# Servers first (listening makes no conntrack entry).
start_server s_tcp4 tcp "$S4" 5001 || e2e_finish
start_server s_tcp6 tcp "$S6" 5002 || e2e_finish
start_server s_udp4 udp "$S4" 5003 || e2e_finish
start_server s_udp6 udp "$S6" 5004 || e2e_finish
start_server s_ul4 udplite "$S4" 5005 || e2e_finish

# --- the main run: three JSON snapshots, flows made after flowtop started --
# (flowtop switches nf_conntrack_acct on at start; only flows created after
# that carry counters.)
ft_start main "$NS_CLIENT" "$FLOWTOP" --count 3 -o json -46TUI -t 1
if [ -z "$FT_PID" ]; then
	fail "flowtop --count 3 -o json -46TUI -t 1 starts" "$(cat "$WORK/main.err")"
	e2e_finish
fi
# Wait until it is really running: its two children exist, or failing that
# the sysctl it owns is on.
acct_on() { [ "$(ct_sysctl "$NS_CLIENT" nf_conntrack_acct)" = 1 ]; }
ft_wait_children 5 || wait_for 3 acct_on

# name proto family dst port
FLOWS=(
	"tcp4 tcp ipv4 $S4 5001"
	"tcp6 tcp ipv6 $S6 5002"
	"udp4 udp ipv4 $S4 5003"
	"udp6 udp ipv6 $S6 5004"
	"ul4 udplite ipv4 $S4 5005"
)
for f in "${FLOWS[@]}"; do
	read -r name proto fam dst port <<<"$f"
	# Long enough to outlive the later runs of this file too.
	start_client "c_$name" "$proto" "$dst" "$port" 30
done
bg ping4 ip netns exec "$NS_CLIENT" ping -c 20 -i 0.2 -q "$S4"
bg ping6 ip netns exec "$NS_CLIENT" ping -6 -c 20 -i 0.2 -q "$S6"

wait_pid "$FT_TPID" 40
verdict "flowtop --count 3 -o json -46TUI -t 1 exits 0" \
	"$([ "$WAIT_RC" = 0 ] || printf '%s, stderr:\n%s' "$(rc_text "$WAIT_RC")" "$(show_file "$WORK/main.err")")"
OUT=$WORK/main.out

why=$(jcheck valid "$OUT")
verdict "every stdout line is a JSON object" "$why"
if [ -n "$why" ]; then
	e2e_finish
fi
verdict "\"time\" is numeric, equal within a snapshot, at most 3 snapshots" \
	"$(jcheck snapshots "$OUT" --max 3)"

COUNTERS=orig_bytes,orig_packets,reply_bytes,reply_packets
FIELDS=(--present id --numeric orig_rate,reply_rate,time --nonzero "$COUNTERS")
for f in "${FLOWS[@]}"; do
	read -r name proto fam dst port <<<"$f"
	if [ "$fam" = ipv4 ]; then src=$C4; else src=$C6; fi
	sport=$(client_sport "c_$name") || sport=
	where=(--where "proto=$proto" --where "family=$fam" --where "src=$src"
		--where "dst=$dst" --where "dport=$port")
	[ -n "$sport" ] && where+=(--where "sport=$sport")
	extra=
	if [ "$proto" = tcp ]; then
		where+=(--where state=ESTABLISHED)
		extra=", ESTABLISHED"
	fi
	verdict "$proto $fam $src:$sport -> $dst:$port in the last snapshot$extra, counters > 0, id, numeric rates" \
		"$(jcheck flow "$OUT" "${where[@]}" "${FIELDS[@]}")"
done
verdict "icmp ipv4 $C4 -> $S4 in the last snapshot, counters > 0, id, numeric rates" \
	"$(jcheck flow "$OUT" --where proto=icmp --where family=ipv4 \
		--where "src=$C4" --where "dst=$S4" "${FIELDS[@]}")"
verdict "icmpv6 $C6 -> $S6 in the last snapshot, counters > 0, id, numeric rates" \
	"$(jcheck flow "$OUT" --where proto=icmpv6 --where family=ipv6 \
		--where "src=$C6" --where "dst=$S6" "${FIELDS[@]}")"
verdict "ids are unique within each snapshot" "$("$PY" - "$OUT" <<'EOF'
import json, sys
seen = {}
for line in open(sys.argv[1]):
    f = json.loads(line)
    key = (f.get("time"), json.dumps(f.get("id")))
    if key in seen:
        print("id %s twice in the snapshot at %s" % key[::-1])
        break
    seen[key] = 1
EOF
)"

# --- protocol selection -----------------------------------------------------
ft_run tcponly "$NS_CLIENT" "$FLOWTOP" --once -o json -T -t 1
verdict "flowtop --once -o json -T exits 0" \
	"$([ "$FT_RC" = 0 ] || printf '%s:\n%s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/tcponly.err")")"
verdict "-T: the tcp ipv4 flow is there" \
	"$(jcheck flow "$WORK/tcponly.out" --where proto=tcp --where family=ipv4 --where "dst=$S4")"
verdict "-T: the tcp ipv6 flow is there (families default to -46)" \
	"$(jcheck flow "$WORK/tcponly.out" --where proto=tcp --where family=ipv6 --where "dst=$S6")"
for p in udp udplite icmp icmpv6; do
	verdict "-T: no $p lines" "$(jcheck none "$WORK/tcponly.out" --where "proto=$p")"
done

ft_run v4udp "$NS_CLIENT" "$FLOWTOP" --once -o json -4U -t 1
verdict "-4U: udp and udplite ipv4 flows there, no ipv6 and no tcp lines" \
	"$(jcheck flow "$WORK/v4udp.out" --where proto=udp --where family=ipv4 --where "dst=$S4"
	   jcheck flow "$WORK/v4udp.out" --where proto=udplite --where family=ipv4 --where "dst=$S4"
	   jcheck none "$WORK/v4udp.out" --where family=ipv6
	   jcheck none "$WORK/v4udp.out" --where proto=tcp)"

# SCTP: no SCTP sockets in this kernel, so the entry is injected.
if in_client conntrack -I -p sctp -s "$C4" -d "$S4" --sport 40000 --dport 3868 \
	-r "$S4" -q "$C4" --reply-port-src 3868 --reply-port-dst 40000 \
	--state ESTABLISHED --orig-vtag 1 --reply-vtag 2 -t 120 \
	-u SEEN_REPLY,ASSURED >"$WORK/ins.out" 2>&1; then
	ft_run sctp "$NS_CLIENT" "$FLOWTOP" --once -o json -S -t 1
	verdict "-S: the injected sctp entry is shown, ESTABLISHED, exit 0" \
		"$([ "$FT_RC" = 0 ] || echo "$(rc_text "$FT_RC"): $(head -n3 "$WORK/sctp.err")")$(jcheck flow "$WORK/sctp.out" \
			--where proto=sctp --where family=ipv4 --where "src=$C4" --where "dst=$S4" \
			--where sport=40000 --where dport=3868 --where state=ESTABLISHED --present id)"
	verdict "-S: only sctp lines" "$(jcheck none "$WORK/sctp.out" --where proto=tcp
		jcheck none "$WORK/sctp.out" --where proto=udp
		jcheck none "$WORK/sctp.out" --where proto=icmp)"
else
	fail "conntrack -I inserts the sctp entry -S needs" "$(cat "$WORK/ins.out")"
fi

# DCCP: this kernel tracks no DCCP; asking for it is not an error.
ft_run dccp "$NS_CLIENT" "$FLOWTOP" --once -o json -D -t 1
verdict "-D (no DCCP in this kernel) exits 0 with valid, DCCP-only output" \
	"$([ "$FT_RC" = 0 ] || printf '%s:\n%s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/dccp.err")")$(jcheck valid "$WORK/dccp.out" --allow-empty
		jcheck none "$WORK/dccp.out" --where proto=tcp)"

# --- loopback -----------------------------------------------------------------
in_client ping -c 3 -i 0.2 -q 127.0.0.1 >/dev/null 2>&1
in_client ping -c 3 -i 0.2 -q "$S4" >/dev/null 2>&1
ft_run lo_hidden "$NS_CLIENT" "$FLOWTOP" --once -o json -4I -t 1
verdict "loopback hidden by default: no 127.0.0.1 flow, the $S4 icmp flow shown" \
	"$([ "$FT_RC" = 0 ] || echo "$(rc_text "$FT_RC"): $(head -n3 "$WORK/lo_hidden.err")")$(jcheck none "$WORK/lo_hidden.out" --where src=127.0.0.1
		jcheck none "$WORK/lo_hidden.out" --where dst=127.0.0.1
		jcheck flow "$WORK/lo_hidden.out" --where proto=icmp --where "dst=$S4")"
ft_run lo_shown "$NS_CLIENT" "$FLOWTOP" --once -o json -4I --show-loopback -t 1
verdict "--show-loopback: the 127.0.0.1 icmp flow is shown" \
	"$([ "$FT_RC" = 0 ] || echo "$(rc_text "$FT_RC"): $(head -n3 "$WORK/lo_shown.err")")$(jcheck flow "$WORK/lo_shown.out" \
		--where proto=icmp --where src=127.0.0.1 --where dst=127.0.0.1)"

# --- text mode ----------------------------------------------------------------
# -4T: exactly one flow (the tcp ipv4 client) qualifies.
ft_run text "$NS_CLIENT" "$FLOWTOP" --once -4T -n -t 1
T=$WORK/text.out
nonblank=$(grep -c '[^[:space:]]' "$T")
rows=$(grep -c -F "$S4" "$T")
first=$(grep -m1 '[^[:space:]]' "$T")
why=
[ "$FT_RC" = 0 ] || why="exit $FT_RC: $(head -n3 "$WORK/text.err")"
[ -z "$why" ] && ! grep -q '[[:alpha:]]' <<<"$first" && why="first line is not a header: $first"
[ -z "$why" ] && grep -q -F "$S4" <<<"$first" && why="first line is a flow, not a header: $first"
[ -z "$why" ] && [ "$rows" != 1 ] && why="$rows rows mention $S4, expected 1"
[ -z "$why" ] && [ "$nonblank" != 2 ] && why="$nonblank non-blank lines, expected a header and 1 row"
[ -z "$why" ] && grep -q '^[[:space:]]*{' "$T" && why="text mode printed JSON"
[ -n "$why" ] && why="$why
$(show_file "$T")"
verdict "text mode (--once -4T): a header line and one row for the one tcp ipv4 flow" "$why"

e2e_finish
