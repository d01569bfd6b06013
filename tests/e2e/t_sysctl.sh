#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_sysctl: flowtop switches nf_conntrack_acct and nf_conntrack_timestamp on
# while it runs and puts back what it found on every way out: a normal exit,
# SIGTERM, SIGINT or SIGHUP to flowtop, and the ui child dying under SIGKILL (then flowtop
# exits 1 and says the ui died). Each case starts from a fresh namespace with
# both knobs at 0. The sysctls are per network namespace: the host's are
# never read or written.
source "$(dirname "$0")/lib.sh"
require_root
require_tools ip nft conntrack timeout pgrep
require_flowtop

# knobs NS: "acct ts", e.g. "1 1".
knobs() {
	echo "$(ct_sysctl "$1" nf_conntrack_acct) $(ct_sysctl "$1" nf_conntrack_timestamp)"
}
knobs_on() { [ "$(knobs "$NS_CLIENT")" = "1 1" ]; }
ns_empty() { [ -z "$(ip netns pids "$NS_CLIENT")" ]; }

# fresh: a new namespace pair with both knobs set to 0.
fresh() {
	ns_setup_or_skip
	ct_sysctl "$NS_CLIENT" nf_conntrack_acct 0
	ct_sysctl "$NS_CLIENT" nf_conntrack_timestamp 0
	if [ "$(knobs "$NS_CLIENT")" != "0 0" ]; then
		fail "setting both sysctls to 0 in $NS_CLIENT" "got $(knobs "$NS_CLIENT")"
		e2e_finish
	fi
}

# --- normal exit ------------------------------------------------------------
fresh
ft_start once "$NS_CLIENT" "$FLOWTOP" --once -t 2
if wait_for 5 knobs_on; then
	pass "--once: acct and timestamp are 1 while flowtop runs"
else
	fail "--once: acct and timestamp are 1 while flowtop runs" \
		"saw \"$(knobs "$NS_CLIENT")\"; stderr: $(head -n3 "$WORK/once.err")"
fi
wait_pid "$FT_TPID" 20
verdict "--once exits 0" "$([ "$WAIT_RC" = 0 ] || echo "$(rc_text "$WAIT_RC"): $(head -n3 "$WORK/once.err")")"
verdict "--once: both back to 0 after a normal exit" \
	"$([ "$(knobs "$NS_CLIENT")" = "0 0" ] || echo "acct/timestamp are $(knobs "$NS_CLIENT")")"

# The other way round: what was 1 before stays 1.
ct_sysctl "$NS_CLIENT" nf_conntrack_acct 1
ft_run once1 "$NS_CLIENT" "$FLOWTOP" --once -t 1
verdict "--once with acct=1, timestamp=0 before: the same after" \
	"$([ "$(knobs "$NS_CLIENT")" = "1 0" ] || echo "acct/timestamp are $(knobs "$NS_CLIENT") (exit $FT_RC)")"

# --- a signal to flowtop mid-run --------------------------------------------
# sig_case SIG WANT_RC ARGS...: in batch mode an unfinished --count ends
# with 1; run until interrupted (no --count) it ends with 0.
sig_case() {
	local sig=$1 want=$2 tag="SIG$1 ($3 $4)"
	shift 2
	fresh
	ft_start "sig$sig" "$NS_CLIENT" "$FLOWTOP" "$@" -t 1
	if ! wait_for 5 knobs_on; then
		fail "$tag: acct and timestamp are 1 while flowtop runs" \
			"saw \"$(knobs "$NS_CLIENT")\"; stderr: $(head -n3 "$WORK/sig$sig.err")"
	fi
	sleep 1
	if [ -z "$FT_PID" ] || ! kill -"$sig" "$FT_PID" 2>/dev/null; then
		fail "$tag: flowtop was running to receive it" "$(head -n3 "$WORK/sig$sig.err")"
		return
	fi
	if wait_pid "$FT_TPID" 10; then
		verdict "$tag: flowtop exits $want within 10 s" \
			"$([ "$WAIT_RC" = "$want" ] || echo "$(rc_text "$WAIT_RC"): $(head -n3 "$WORK/sig$sig.err")")"
	else
		fail "$tag: flowtop exits within 10 s" "still running, killed"
	fi
	verdict "$tag: both back to 0" \
		"$([ "$(knobs "$NS_CLIENT")" = "0 0" ] || echo "acct/timestamp are $(knobs "$NS_CLIENT")")"
	wait_for 3 ns_empty
	left=$(ip netns pids "$NS_CLIENT" | tr '\n' ' ')
	verdict "$tag: no flowtop process left behind" \
		"$([ -z "$left" ] || echo "still in the namespace: $left")"
}
sig_case TERM 1 --count 100
sig_case INT 1 --count 100
sig_case HUP 1 --count 100
sig_case INT 0 -o json

# --- SIGKILL of the ui child --------------------------------------------------
fresh
ft_start uikill "$NS_CLIENT" "$FLOWTOP" --count 100 -t 1
if ! ft_wait_children 5 || ! wait_for 5 knobs_on; then
	fail "SIGKILL ui: flowtop-ui child of flowtop and both knobs on" \
		"ui=${FT_UI_PID:-none} knobs=$(knobs "$NS_CLIENT"); stderr: $(head -n3 "$WORK/uikill.err")"
else
	sleep 1
	kill -KILL "$FT_UI_PID"
	if wait_pid "$FT_TPID" 10; then
		verdict "SIGKILL ui: flowtop exits 1" "$([ "$WAIT_RC" = 1 ] || rc_text "$WAIT_RC")"
	else
		fail "SIGKILL ui: flowtop exits 1" "still running after 10 s, killed"
	fi
	if grep -Eqi '(^|[^[:alnum:]_-])(flowtop-)?ui([^[:alnum:]_-]|$)' "$WORK/uikill.err"; then
		pass "SIGKILL ui: the error message names the ui"
	else
		fail "SIGKILL ui: the error message names the ui" "stderr:
$(show_file "$WORK/uikill.err")"
	fi
	verdict "SIGKILL ui: both back to 0" \
		"$([ "$(knobs "$NS_CLIENT")" = "0 0" ] || echo "acct/timestamp are $(knobs "$NS_CLIENT")")"
	wait_for 3 ns_empty
	left=$(ip netns pids "$NS_CLIENT" | tr '\n' ' ')
	verdict "SIGKILL ui: the resolver and collector are gone too" \
		"$([ -z "$left" ] || echo "still in the namespace: $left")"
fi

e2e_finish
