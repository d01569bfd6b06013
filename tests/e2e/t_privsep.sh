#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_privsep: the process picture of DESIGN.md, read from /proc while flowtop
# runs: four processes as root (flowtop, flowtop-resolv, flowtop-ui and
# the namespace helper flowtop-nsdiag), what each may
# do, that a seccomp violation in any role ends the run with a message
# naming the role and the syscall, and that Landlock refuses the resolver
# a TCP connect its seccomp list would let through (build/flowtop-testhooks only;
# the product binary has no such hook).
source "$(dirname "$0")/lib.sh"
require_root
require_tools ip nft timeout pgrep
require_flowtop
ns_setup_or_skip

ZERO=0000000000000000
# The collector keeps CAP_DAC_READ_SEARCH (2), CAP_NET_ADMIN (12) and
# CAP_SYS_PTRACE (19), nothing else; the namespace helper CAP_SYS_ADMIN
# (21) alone.
COLLECTOR_CAPS=$(printf '%016x' $(((1 << 2) | (1 << 12) | (1 << 19))))
NSDIAG_CAPS=$(printf '%016x' $((1 << 21)))

# all_uids PID: the four uids of the Uid: line (real, effective, saved, fs).
all_uids() { status_field "$1" Uid | tr -s '[:space:]' ' ' | sed 's/ $//'; }

# confined PID ROLE: no capabilities at all, NoNewPrivs, seccomp filter.
confined() {
	local pid=$1 role=$2 f v why=
	for f in CapPrm CapEff CapInh CapAmb; do
		v=$(status_field "$pid" "$f")
		[ "$v" = "$ZERO" ] || why="$why $f=$v"
	done
	verdict "$role: CapPrm, CapEff, CapInh, CapAmb all 0" "${why# }"
	v=$(status_field "$pid" NoNewPrivs)
	verdict "$role: NoNewPrivs 1" "$([ "$v" = 1 ] || echo "NoNewPrivs=$v")"
	v=$(status_field "$pid" Seccomp)
	verdict "$role: Seccomp 2 (filter)" "$([ "$v" = 2 ] || echo "Seccomp=$v")"
}

seccomp_is_2() { [ "$(status_field "$FT_PID" Seccomp)" = 2 ]; }

# nodump PID ROLE [WHEN]: the process is not dumpable. The kernel then
# makes the files under /proc/PID root's (uid and gid 0), whatever the
# process's own uid, so no process of that uid may ptrace it or read its
# memory; root still reads its status. (/proc/PID itself, a world-readable
# directory, stays the process's euid's either way: the kernel keeps that
# for tools that stat it to learn the owner.)
nodump() {
	local pid=$1 role=$2 when=${3:-} f own why=
	for f in status mem fd; do
		own=$(stat -c %u:%g "/proc/$pid/$f" 2>/dev/null)
		[ "$own" = 0:0 ] || why="$why /proc/$pid/$f is owned by ${own:-nobody (gone?)}"
	done
	verdict "$role: not dumpable$when: /proc/PID/{status,mem,fd} owned by root:root" "${why# }"
	verdict "$role: root still reads /proc/PID/status$when" \
		"$(cat "/proc/$pid/status" >/dev/null 2>&1 || echo "cat /proc/$pid/status failed")"
}

# --- the running picture, root start without SUDO_UID -------------------------
ft_start pic "$NS_CLIENT" env -u SUDO_UID -u SUDO_GID -u SUDO_USER "$FLOWTOP" --count 100 -t 1
if [ -z "$FT_PID" ] || ! ft_wait_children 5; then
	fail "flowtop --count 100 runs with children flowtop-resolv and flowtop-ui" \
		"children: $(ps -o pid=,comm= --ppid "${FT_PID:-0}" | tr '\n' ' '); stderr: $(head -n3 "$WORK/pic.err")"
else
	sleep 0.5
	kids=$(ps -o comm= --ppid "$FT_PID" | sort | tr '\n' ' ')
	verdict "exactly four processes: flowtop and its children flowtop-nsdiag, flowtop-resolv, flowtop-ui" \
		"$([ "$(proc_comm "$FT_PID")" = flowtop ] || echo "parent comm is $(proc_comm "$FT_PID")")$([ "$kids" = "flowtop-nsdiag flowtop-resolv flowtop-ui " ] || echo "children: $kids")"
	grand=$(for p in $(pgrep -P "$FT_PID"); do pgrep -P "$p"; done | tr '\n' ' ')
	verdict "the resolver, the ui and the helper have no children of their own" \
		"$([ -z "${grand// /}" ] || echo "grandchildren: $grand")"

	nsd=$(child_by_comm "$FT_PID" flowtop-nsdiag)
	why=
	for f in CapPrm CapEff; do
		v=$(status_field "$nsd" "$f")
		[ "$v" = "$NSDIAG_CAPS" ] || why="$why $f=$v"
	done
	for f in CapInh CapAmb; do
		v=$(status_field "$nsd" "$f")
		[ "$v" = "$ZERO" ] || why="$why $f=$v"
	done
	v=$(status_field "$nsd" CapBnd)
	[ "$v" = "$NSDIAG_CAPS" ] || why="$why CapBnd=$v"
	verdict "nsdiag: CapPrm, CapEff and CapBnd are CAP_SYS_ADMIN alone ($NSDIAG_CAPS), CapInh, CapAmb 0" "${why# }"
	verdict "nsdiag: NoNewPrivs 1, Seccomp 2" \
		"$(a=$(status_field "$nsd" NoNewPrivs); b=$(status_field "$nsd" Seccomp); [ "$a $b" = "1 2" ] || echo "NoNewPrivs=$a Seccomp=$b")"
	uids=$(all_uids "$nsd")
	verdict "nsdiag: uid not 0 (Uid: $uids)" \
		"$(for u in $uids; do [ "$u" != 0 ] || { echo "a uid is 0"; break; }; done)"
	nodump "$nsd" nsdiag

	confined "$FT_RES_PID" resolver
	uids=$(all_uids "$FT_RES_PID")
	verdict "resolver: uid not 0 (Uid: $uids)" \
		"$(for u in $uids; do [ "$u" != 0 ] || { echo "a uid is 0"; break; }; done)"
	root=$(readlink "/proc/$FT_RES_PID/root")
	verdict "resolver: chrooted (/proc/PID/root -> $root)" \
		"$([ -n "$root" ] && [ "$root" != / ] || echo "root is '$root'")"

	confined "$FT_UI_PID" ui
	uids=$(all_uids "$FT_UI_PID")
	verdict "ui: uid not 0 when root starts flowtop without SUDO_UID (Uid: $uids)" \
		"$(for u in $uids; do [ "$u" != 0 ] || { echo "a uid is 0"; break; }; done)"
	nodump "$FT_RES_PID" resolver
	nodump "$FT_UI_PID" ui

	wait_for 3 seccomp_is_2
	v=$(status_field "$FT_PID" CapEff)
	verdict "collector: CapEff is exactly NET_ADMIN|SYS_PTRACE|DAC_READ_SEARCH ($COLLECTOR_CAPS)" \
		"$([ "$v" = "$COLLECTOR_CAPS" ] || echo "CapEff=$v")"
	v=$(status_field "$FT_PID" Seccomp)
	verdict "collector: Seccomp 2 once it has forked" "$([ "$v" = 2 ] || echo "Seccomp=$v")"
fi
[ -n "$FT_PID" ] && kill -TERM "$FT_PID" 2>/dev/null
wait_pid "$FT_TPID" 10

# --- fs.suid_dumpable=1: a uid change no longer clears the dumpable flag ------
# With suid_dumpable 1 the kernel leaves a process dumpable across its
# setuid, so only flowtop's own PR_SET_DUMPABLE keeps the ui and the
# resolver from being traced by (or leaking memory to) their uid.
old_suid_dumpable=$(sysctl -n fs.suid_dumpable)
restore_suid_dumpable() {
	[ -n "$old_suid_dumpable" ] && sysctl -qw fs.suid_dumpable="$old_suid_dumpable"
	old_suid_dumpable=
}
trap 'restore_suid_dumpable; e2e_cleanup' EXIT
sysctl -qw fs.suid_dumpable=1
ft_start dumpable "$NS_CLIENT" env -u SUDO_UID -u SUDO_GID -u SUDO_USER "$FLOWTOP" --count 100 -t 1
if [ -z "$FT_PID" ] || ! ft_wait_children 5; then
	fail "fs.suid_dumpable=1: flowtop runs with its children" "stderr: $(head -n3 "$WORK/dumpable.err")"
else
	sleep 0.5
	nodump "$FT_RES_PID" resolver " with fs.suid_dumpable=1"
	nodump "$FT_UI_PID" ui " with fs.suid_dumpable=1"
fi
[ -n "$FT_PID" ] && kill -TERM "$FT_PID" 2>/dev/null
wait_pid "$FT_TPID" 10
want_sd=$old_suid_dumpable
restore_suid_dumpable
now_sd=$(sysctl -n fs.suid_dumpable)
verdict "fs.suid_dumpable is back to $want_sd" "$([ "$now_sd" = "$want_sd" ] || echo "it is $now_sd")"

# --- SUDO_UID: the ui runs as the user who typed sudo -------------------------
# A real unprivileged account other than nobody when there is one, so that a
# ui falling back to nobody can't pass by chance.
sudo_uid=$(getent passwd | awk -F: '$3 >= 1000 && $3 < 65534 { print $3; exit }')
sudo_uid=${sudo_uid:-65534}
sudo_gid=$(getent passwd "$sudo_uid" | cut -d: -f4)
sudo_gid=${sudo_gid:-65534}
ft_start sudo "$NS_CLIENT" env SUDO_UID="$sudo_uid" SUDO_GID="$sudo_gid" \
	"$FLOWTOP" --count 100 -t 1
if [ -z "$FT_PID" ] || ! ft_wait_children 5; then
	fail "SUDO_UID=$sudo_uid: flowtop runs with its ui" "stderr: $(head -n3 "$WORK/sudo.err")"
else
	uids=$(all_uids "$FT_UI_PID")
	verdict "SUDO_UID=$sudo_uid: the ui runs as uid $sudo_uid (Uid: $uids)" \
		"$([ "$uids" = "$sudo_uid $sudo_uid $sudo_uid $sudo_uid" ] || echo "Uid: $uids")"
fi
[ -n "$FT_PID" ] && kill -TERM "$FT_PID" 2>/dev/null
wait_pid "$FT_TPID" 10

# --- seccomp violations (test build only) --------------------------------------
if [ ! -x "$FLOWTOP_TESTHOOKS" ]; then
	fail "seccomp violation checks" "$FLOWTOP_TESTHOOKS missing: run make testhooks"
else
	for role in ui resolver nsdiag collector; do
		ct_sysctl "$NS_CLIENT" nf_conntrack_acct 0
		ct_sysctl "$NS_CLIENT" nf_conntrack_timestamp 0
		ft_run "sc_$role" "$NS_CLIENT" env FLOWTOP_TEST_SECCOMP="$role" \
			"$FLOWTOP_TESTHOOKS" --count 3 -t 1
		err=$WORK/sc_$role.err
		verdict "FLOWTOP_TEST_SECCOMP=$role: flowtop-testhooks exits 1" \
			"$([ "$FT_RC" = 1 ] || rc_text "$FT_RC")"
		if grep -Eq "^flowtop: $role killed by seccomp: syscall [a-z_0-9]+" "$err"; then
			pass "FLOWTOP_TEST_SECCOMP=$role: \"$(grep -Eo "^flowtop: $role killed by seccomp: syscall [a-z_0-9]+" "$err" | head -n1)\""
		else
			fail "FLOWTOP_TEST_SECCOMP=$role: stderr says 'flowtop: $role killed by seccomp: syscall NAME'" \
				"stderr:
$(show_file "$err")"
		fi
		k="$(ct_sysctl "$NS_CLIENT" nf_conntrack_acct) $(ct_sysctl "$NS_CLIENT" nf_conntrack_timestamp)"
		verdict "FLOWTOP_TEST_SECCOMP=$role: acct and timestamp back to 0" \
			"$([ "$k" = "0 0" ] || echo "acct/timestamp are $k")"
	done
fi

# --- a child's stderr reaches the terminal only through its parent -----------
# FLOWTOP_TEST_STDERR=ROLE (test build) makes the confined role write escape
# sequences, a C1 byte, a line that is not flowtop's, a line posing as the
# collector, an overlong line and a flood of 200 lines in the collector's
# own voice ("flowtop: test: flood N") to its stderr. The collector relays
# them: escaped, every line put behind the role's name unless it already
# starts with "flowtop: ROLE: ", the long one cut, the flood bounded and the
# rest counted.
if [ -x "$FLOWTOP_TESTHOOKS" ]; then
	for role in resolver ui; do
		ft_run "se_$role" "$NS_CLIENT" env FLOWTOP_TEST_STDERR="$role" \
			"$FLOWTOP_TESTHOOKS" --once -t 1
		err=$WORK/se_$role.err
		verdict "FLOWTOP_TEST_STDERR=$role: --once exits 0" \
			"$([ "$FT_RC" = 0 ] || echo "$(rc_text "$FT_RC"): $(head -n3 "$err")")"
		n=$(LC_ALL=C tr -cd '\000-\010\013-\037\177\200-\237' <"$err" | wc -c)
		verdict "FLOWTOP_TEST_STDERR=$role: no control byte (ESC, BEL, CR, C1) on stderr" \
			"$([ "$n" = 0 ] || echo "$n control bytes:
$(show_file "$err")")"
		want="flowtop: $role: test: \\x1b]0;owned\\x07\\x1b[2J\\x1b[31mred\\x0d\\x9b1m"
		verdict "FLOWTOP_TEST_STDERR=$role: the hostile line arrives escaped" \
			"$(grep -qxF "$want" "$err" || echo "no line '$want':
$(show_file "$err")")"
		want="flowtop: $role: not a flowtop line \\x1b[1mbold"
		verdict "FLOWTOP_TEST_STDERR=$role: a line not flowtop's says whose it is" \
			"$(grep -qxF "$want" "$err" || echo "no line '$want'")"
		want="flowtop: $role: collector: test: posing"
		verdict "FLOWTOP_TEST_STDERR=$role: a line posing as the collector is the $role's" \
			"$(grep -qxF "$want" "$err" || echo "no line '$want'")"
		# The collector itself says nothing starting so in this run.
		bad=$(grep -E '^flowtop: (collector: |test: )' "$err" | head -n 3)
		verdict "FLOWTOP_TEST_STDERR=$role: no line of the $role's reaches stderr in the collector's voice" \
			"$([ -z "$bad" ] || echo "lines:
$bad")"
		# 512 bytes kept of what the role wrote, its "flowtop: " given
		# the role's name, " [cut]" appended.
		long=$(grep "^flowtop: $role: test: long " "$err")
		max=$((512 + ${#role} + 2 + 6))
		verdict "FLOWTOP_TEST_STDERR=$role: an overlong line is cut (${#long} bytes, at most $max)" \
			"$([ -n "$long" ] && [ "${#long}" -le "$max" ] && [ "${long% \[cut\]}" != "$long" ] || echo "line of ${#long} bytes: ${long:0:80}...")"
		n=$(grep -c "^flowtop: $role: test: flood " "$err")
		verdict "FLOWTOP_TEST_STDERR=$role: a flood of 200 lines is bounded ($n relayed)" \
			"$([ "$n" -ge 1 ] && [ "$n" -le 45 ] || echo "$n flood lines relayed")"
		verdict "FLOWTOP_TEST_STDERR=$role: the dropped lines are counted" \
			"$(grep -Eq "^flowtop: $role: [0-9]+ lines of its messages dropped" "$err" || echo "no count:
$(tail -n3 "$err")")"
	done
fi

# --- Landlock: the second wall (test build only) -------------------------------
# /proc/PID/status shows no Landlock domain, so the proof is a refusal: with
# FLOWTOP_TEST_LANDLOCK=resolver the confined resolver connects over TCP to
# 127.0.0.1:9, which its seccomp list allows (connect is for DNS over TCP);
# without Landlock that is ECONNREFUSED, only Landlock's port rules (name
# servers' ports only, ABI 4+) say EACCES. (t_update checks the fetcher.)
if landlock_tcp_ready "Landlock refusing the resolver a TCP connect to port 9"; then
	ft_run ll "$NS_CLIENT" env FLOWTOP_TEST_LANDLOCK=resolver \
		"$FLOWTOP_TESTHOOKS" --once -t 1
	line=$(grep -Eo "^flowtop: resolver: test: landlock: connect 127.0.0.1:9: .*" "$WORK/ll.err" | head -n1)
	verdict "Landlock refusing the resolver a TCP connect to 127.0.0.1:9 (kernel ABI $LL_ABI): \"${line:-no line}\"" \
		"$([ "${line##*: }" = EACCES ] || echo "stderr: $(show_file "$WORK/ll.err")")"
	verdict "FLOWTOP_TEST_LANDLOCK=resolver: the run still exits 0" \
		"$([ "$FT_RC" = 0 ] || rc_text "$FT_RC")"
	verdict "no 'Landlock not available' on stderr (kernel ABI $LL_ABI)" \
		"$(! grep -q "Landlock not available" "$WORK/ll.err" || grep "Landlock" "$WORK/ll.err")"
fi

# --- the product binary carries no test hook -----------------------------------
n=$(grep -c FLOWTOP_TEST_SECCOMP "$FLOWTOP")
verdict "$(basename "$FLOWTOP") does not contain the string FLOWTOP_TEST_SECCOMP" \
	"$([ "$n" = 0 ] || echo "grep -c says $n")"
ft_run noh "$NS_CLIENT" env FLOWTOP_TEST_SECCOMP=ui "$FLOWTOP" --once -t 1
verdict "$(basename "$FLOWTOP") ignores FLOWTOP_TEST_SECCOMP=ui (--once exits 0)" \
	"$([ "$FT_RC" = 0 ] || echo "$(rc_text "$FT_RC"): $(head -n3 "$WORK/noh.err")")"

e2e_finish
