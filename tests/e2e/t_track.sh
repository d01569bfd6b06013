#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_track: a host whose firewall never uses conntrack tracks nothing.
#
# The client namespace has no nftables ruleset at all (E2E_NO_CT_RULES), as
# a stock Debian 12 with nftables and no rules. With a TCP connection open:
#   - flowtop says on stderr that the kernel tracks nothing, and suggests
#     --track;
#   - flowtop --track lists the connection, and after it ends -- normally,
#     by SIGTERM, because its ui was killed, or because the collector itself
#     was killed with SIGKILL -- `nft list ruleset` is what it was before;
#   - an admin's own table is left exactly as it was.
source "$(dirname "$0")/lib.sh"
require_root
require_tools ip nft timeout pgrep
require_flowtop
E2E_NO_CT_RULES=1 ns_setup_or_skip

ruleset() { in_client nft list ruleset 2>&1; }
BEFORE=$(ruleset)
verdict "the client namespace starts with an empty ruleset" \
	"$([ -z "$BEFORE" ] || printf 'ruleset:\n%s' "$BEFORE")"

start_server s_tcp tcp "$S4" 5501 || e2e_finish
start_client c_tcp tcp "$S4" 5501 60
sport=$(client_sport c_tcp) || { fail "client connects" "$(cat "$WORK/c_tcp.err")"; e2e_finish; }

# --- without --track -----------------------------------------------------------
ft_run plain "$NS_CLIENT" "$FLOWTOP" --count 2 -o json -4T -n -G -t 0.5
verdict "flowtop without --track exits 0" \
	"$([ "$FT_RC" = 0 ] || printf '%s:\n%s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/plain.err")")"
verdict "it lists no flow (the kernel tracks none)" "$([ ! -s "$WORK/plain.out" ] || show_file "$WORK/plain.out")"
verdict "it says the kernel tracks no flows here and suggests --track" \
	"$(grep -q 'the kernel tracks no flows here.*try flowtop --track$' "$WORK/plain.err" || show_file "$WORK/plain.err")"
verdict "it changed no ruleset" "$([ "$(ruleset)" = "$BEFORE" ] || ruleset)"

# --- --track, to the end ---------------------------------------------------------
ft_start track "$NS_CLIENT" "$FLOWTOP" --track --count 4 -o json -4T -n -G -t 0.5
our_table() { in_client nft list tables 2>/dev/null | grep -q "inet flowtop_track_$FT_PID\$"; }
verdict "while it runs, the table inet flowtop_track_<pid> exists" \
	"$(wait_for 5 our_table || { echo "nft list tables:"; in_client nft list tables; show_file "$WORK/track.err"; })"
wait_pid "$FT_TPID" 20
verdict "flowtop --track --count 4 exits 0" \
	"$([ "$WAIT_RC" = 0 ] || printf '%s:\n%s' "$(rc_text "$WAIT_RC")" "$(show_file "$WORK/track.err")")"
verdict "with --track the open connection is listed, with its process" \
	"$(jcheck expect "$WORK/track.out" --where proto=tcp "--where=dst=$S4" --where dport=5501 \
		"--where=sport=$sport" --expect process=python3)"
verdict "with --track there is no 'tracks no flows' warning" \
	"$(! grep -q 'tracks no flows' "$WORK/track.err" || show_file "$WORK/track.err")"
verdict "after a normal exit the ruleset is as before" "$([ "$(ruleset)" = "$BEFORE" ] || ruleset)"

# track_then NAME HOW: start flowtop --track until interrupted, wait for its
# table, end it as HOW says, check the ruleset.
track_then() {
	local name=$1 how=$2 ui
	ft_start "$name" "$NS_CLIENT" "$FLOWTOP" --track -o json -4T -n -G -t 0.5
	if ! wait_for 5 our_table; then
		fail "$how: the table appears" "$(show_file "$WORK/$name.err")"
		return
	fi
	case $how in
	SIGTERM) kill -TERM "$FT_PID" ;;
	"the ui killed")
		ft_wait_children 5 || true
		ui=$(child_by_comm "$FT_PID" flowtop-ui)
		[ -n "$ui" ] && kill -KILL "$ui" ;;
	"the collector killed (SIGKILL)") kill -KILL "$FT_PID" ;;
	esac
	wait_pid "$FT_TPID" 15
	# The kernel deletes an owned table as the socket closes; allow it a
	# moment in case the last process holding it is still being reaped.
	settled() { [ "$(ruleset)" = "$BEFORE" ]; }
	verdict "$how ($(rc_text "$WAIT_RC")): the ruleset is as before" \
		"$(wait_for 3 settled || { ruleset; show_file "$WORK/$name.err"; })"
}
track_then term SIGTERM
track_then uikill "the ui killed"
# (stderr: bash's own notice that the job was killed)
track_then kill "the collector killed (SIGKILL)" 2>/dev/null

# --- an admin's table is left alone -------------------------------------------------
if ! in_client nft -f - >"$WORK/admin.err" 2>&1 <<-'EOF'
	table ip admin {
		counter seen { }
		chain out {
			type filter hook output priority 10; policy accept;
			counter name "seen"
		}
	}
	EOF
then
	fail "an admin table can be added" "$(cat "$WORK/admin.err")"
	e2e_finish
fi
BEFORE=$(in_client nft list table ip admin | grep -v 'packets')
ft_run admin "$NS_CLIENT" "$FLOWTOP" --track --count 2 -o json -4T -n -G -t 0.5
verdict "flowtop --track beside an admin's table exits 0" \
	"$([ "$FT_RC" = 0 ] || printf '%s:\n%s' "$(rc_text "$FT_RC")" "$(show_file "$WORK/admin.err")")"
verdict "the admin's table is unchanged (counter values aside) and ours is gone" \
	"$(after=$(in_client nft list table ip admin | grep -v 'packets')
	   tables=$(in_client nft list tables)
	   [ "$after" = "$BEFORE" ] && [ "$tables" = "table ip admin" ] ||
		printf 'tables:\n%s\nadmin table:\n%s' "$tables" "$after")"

e2e_finish
