#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_sysctl: flowtop switches nf_conntrack_acct and nf_conntrack_timestamp on
# while it runs and puts back what it found on every way out: a normal exit,
# SIGTERM, SIGINT or SIGHUP to flowtop, and the ui child dying under SIGKILL (then flowtop
# exits 1 and says the ui died). Runs in one namespace share the knobs: one
# that ends, or whose collector is killed with SIGKILL, never switches them
# off under another; the last to end puts back the administrator's values;
# a SIGKILL of the only run is made good by the next start. Each case starts
# from a fresh namespace with both knobs at 0. The sysctls are per network
# namespace: the host's are never read or written.
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

# --- several runs in one namespace -------------------------------------------
# alive PID: the process is still there.
alive() { kill -0 "$1" 2>/dev/null; }

# kill_case NAME TAG VICTIM: two runs, the collector of the first (VICTIM 1, the
# run that switched the knobs on) or of the second (2) killed with SIGKILL:
# counting stays on for the other, and its normal end puts back the 0s.
kill_case() {
	local name=$1 tag=$2 victim=$3 long="--count 100 -t 1" short="--count 24 -t 0.5"
	local args1 args2 pids tpids kept
	if [ "$victim" = 1 ]; then args1=$long args2=$short; else args1=$short args2=$long; fi
	fresh
	ft_start "${name}1" "$NS_CLIENT" "$FLOWTOP" $args1
	pids=("$FT_PID") tpids=("$FT_TPID")
	ft_wait_children 5 || true
	ft_start "${name}2" "$NS_CLIENT" "$FLOWTOP" $args2
	pids+=("$FT_PID") tpids+=("$FT_TPID")
	kept=$((2 - victim))
	if ! ft_wait_children 5 || ! knobs_on || ! alive "${pids[0]}"; then
		fail "$tag: both runs run, knobs on" \
			"knobs=$(knobs "$NS_CLIENT"); stderr: $(head -n3 "$WORK/${name}1.err")"
	else
		kill -KILL "${pids[victim - 1]}"
		wait_pid "${tpids[victim - 1]}" 10
		sleep 0.5
		if alive "${pids[kept]}"; then
			verdict "$tag: counting stays on for the other run" \
				"$(knobs_on || echo "acct/timestamp are $(knobs "$NS_CLIENT")")"
		else
			fail "$tag: the other run still runs" \
				"$(head -n3 "$WORK/${name}$((kept + 1)).err")"
		fi
	fi
	wait_pid "${tpids[kept]}" 30
	verdict "$tag: the other run exits 0" \
		"$([ "$WAIT_RC" = 0 ] || echo "$(rc_text "$WAIT_RC"): $(head -n3 "$WORK/${name}$((kept + 1)).err")")"
	verdict "$tag: both back to 0 when the other run ends" \
		"$([ "$(knobs "$NS_CLIENT")" = "0 0" ] || echo "acct/timestamp are $(knobs "$NS_CLIENT")")"
}
# (a) the second run's collector killed; (a2) the first's, which had
# switched them on: the other, which found them on, still puts back 0.
kill_case kill2nd "SIGKILL of the second of two runs" 2
kill_case kill1st "SIGKILL of the first of two runs" 1

# (b) SIGKILL of the only run: the next start restores, its end leaves 0.
fresh
ft_start runC "$NS_CLIENT" "$FLOWTOP" --count 100 -t 1
if ! ft_wait_children 5 || ! knobs_on; then
	fail "SIGKILL of the only run: it runs, knobs on" \
		"knobs=$(knobs "$NS_CLIENT"); stderr: $(head -n3 "$WORK/runC.err")"
else
	kill -KILL "$FT_PID"
	wait_pid "$FT_TPID" 10
	verdict "SIGKILL of the only run: flowtop killed, knobs left on" \
		"$(knobs_on || echo "acct/timestamp are $(knobs "$NS_CLIENT")")"
	ft_run runD "$NS_CLIENT" "$FLOWTOP" --once -t 1
	verdict "SIGKILL of the only run: the next run exits 0" \
		"$([ "$FT_RC" = 0 ] || echo "$(rc_text "$FT_RC"): $(head -n3 "$WORK/runD.err")")"
	verdict "SIGKILL of the only run: the next run's end leaves both at 0" \
		"$([ "$(knobs "$NS_CLIENT")" = "0 0" ] || echo "acct/timestamp are $(knobs "$NS_CLIENT")")"
fi
# The state is root's alone.
verdict "the state directory /run/flowtop is root's, mode 0700" \
	"$(st=$(stat -c '%u %a' /run/flowtop 2>&1); [ "$st" = "0 700" ] || echo "$st")"

# (c) Two runs ending normally: the first to end leaves counting on.
fresh
ft_start runE "$NS_CLIENT" "$FLOWTOP" --count 10 -t 0.5
E_TPID=$FT_TPID
ft_wait_children 5 || true
ft_start runF "$NS_CLIENT" "$FLOWTOP" --count 24 -t 0.5
F_TPID=$FT_TPID F_PID=$FT_PID
if ! ft_wait_children 5 || ! alive "$E_TPID"; then
	fail "two runs: the second starts while the first runs" \
		"F=${F_PID:-none}; stderr: $(head -n3 "$WORK/runF.err")"
fi
wait_pid "$E_TPID" 30
verdict "two runs: the first exits 0" \
	"$([ "$WAIT_RC" = 0 ] || echo "$(rc_text "$WAIT_RC"): $(head -n3 "$WORK/runE.err")")"
if alive "$F_PID"; then
	verdict "two runs: the first to end leaves counting on for the other" \
		"$(knobs_on || echo "acct/timestamp are $(knobs "$NS_CLIENT") while the second runs")"
else
	fail "two runs: the second still runs when the first ends" \
		"$(head -n3 "$WORK/runF.err")"
fi
wait_pid "$F_TPID" 30
verdict "two runs: the second exits 0" \
	"$([ "$WAIT_RC" = 0 ] || echo "$(rc_text "$WAIT_RC"): $(head -n3 "$WORK/runF.err")")"
verdict "two runs: both back to 0 after the last one ends" \
	"$([ "$(knobs "$NS_CLIENT")" = "0 0" ] || echo "acct/timestamp are $(knobs "$NS_CLIENT")")"

e2e_finish
