# SPDX-License-Identifier: GPL-2.0-only
# lib.sh: helpers for flowtop's end-to-end tests; sourced by tests/e2e/t_*.sh.
#
# Every check ends in one line "PASS: <test>: <what>", "FAIL: <test>: <what>
# (<why>)" or "SKIP: <test>: <what> (<why>)"; with CI=true a check that
# cannot run fails instead of skipping (tests/skip.sh). The verdicts also go,
# one letter a line, to $E2E_RESULTS, which run.sh adds up; a test file run
# on its own prints its own tally when it ends.
#
# The tests make their own network namespaces (ns_setup) and never touch the
# host's: every command that sends a packet, reads or writes a sysctl, or runs
# flowtop goes through `ip netns exec` into one of them. A trap kills the
# processes the test started (recorded in E2E_PIDS, plus whatever is left
# inside the test's own namespaces) and deletes the namespaces.

set -u

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$E2E_DIR/../.." && pwd)
source "$ROOT/tests/skip.sh"
PY=/usr/bin/python3
TRAFFIC="$E2E_DIR/traffic.py"
JSONCHECK="$E2E_DIR/jsoncheck.py"
FLOWTOP=${FLOWTOP:-$ROOT/flowtop}
FLOWTOP_TESTHOOKS=${FLOWTOP_TESTHOOKS:-$ROOT/build/flowtop-testhooks}
TEST_NAME=$(basename "$0" .sh)

# Addresses of the veth pair between the two namespaces (documentation
# prefixes, RFC 5737 and RFC 3849: never routed anywhere).
C4=192.0.2.1
S4=192.0.2.2
C6=2001:db8::1
S6=2001:db8::2

E2E_PIDS=()
E2E_NAMESPACES=()
E2E_NS_SEQ=0
E2E_STANDALONE=0
E2E_FAILS=0
if [ -z "${E2E_RESULTS:-}" ]; then
	E2E_STANDALONE=1
	E2E_RESULTS=$(mktemp /tmp/ft-e2e-results.XXXXXX)
fi
WORK=$(mktemp -d /tmp/ft-e2e-work.XXXXXX)

# ---------------------------------------------------------------- verdicts

pass() {
	echo "PASS: $TEST_NAME: $1"
	echo P >>"$E2E_RESULTS"
}

# fail WHAT [WHY]: WHY's first line goes in parentheses, any further lines
# (evidence) follow indented.
fail() {
	if [ -n "${2:-}" ]; then
		echo "FAIL: $TEST_NAME: $1 (${2%%$'\n'*})"
		case $2 in *$'\n'*) printf '%s\n' "${2#*$'\n'}" | sed 's/^/    /' ;; esac
	else
		echo "FAIL: $TEST_NAME: $1"
	fi
	echo F >>"$E2E_RESULTS"
	E2E_FAILS=$((E2E_FAILS + 1))
}

# skip WHAT WHY: WHAT cannot be checked here; a failure with CI=true.
skip() {
	if skip_or_fail "$TEST_NAME: $1" "${2:-no reason given}"; then
		echo S >>"$E2E_RESULTS"
	else
		echo F >>"$E2E_RESULTS"
		E2E_FAILS=$((E2E_FAILS + 1))
	fi
}

# verdict WHAT WHY: pass when WHY is empty, fail with WHY otherwise.
verdict() {
	if [ -z "$2" ]; then pass "$1"; else fail "$1" "$2"; fi
}

# Indent a file's first lines for a failure message.
show_file() {
	local f=$1 n=${2:-15}
	[ -s "$f" ] || { echo "    ($(basename "$f") is empty)"; return; }
	head -n "$n" "$f" | cut -c1-300 | sed 's/^/    | /'
}

# ---------------------------------------------------------------- cleanup

# cg_make UNIT: a cgroup v2 directory of our own, fte2e.slice/UNIT under
# the cgroup2 mount, as systemd would make for a unit: its path in CG_DIR,
# or CG_DIR empty and the reason in CG_WHY (status 1). Removed at the end
# of the test (not in $(...): the list of what to remove is this shell's).
# A process joins it by writing its pid to cgroup.procs (in_cgroup),
# before ip netns exec, which mounts the namespace's own /sys.
E2E_CGROUPS=()
cg_make() {
	local root
	CG_DIR='' CG_WHY=''
	root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
	if [ -z "$root" ]; then
		CG_WHY="no cgroup2 mount"
		return 1
	fi
	[ -d "$root/fte2e.slice" ] || E2E_CGROUPS+=("$root/fte2e.slice")
	if ! CG_WHY=$(mkdir -p "$root/fte2e.slice/$1" 2>&1); then
		return 1
	fi
	E2E_CGROUPS=("$root/fte2e.slice/$1" "${E2E_CGROUPS[@]}")
	CG_DIR=$root/fte2e.slice/$1
}

# in_cgroup DIR CMD...: CMD with its pid in cgroup DIR ("": as it is).
in_cgroup() {
	sh -c '[ -z "$1" ] || echo $$ >"$1/cgroup.procs" || exit 1
		shift; exec "$@"' sh "$@"
}

e2e_cleanup() {
	local pid ns left=0 p
	for pid in "${E2E_PIDS[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null && left=1
		fi
	done
	if [ "$left" = 1 ]; then
		sleep 0.5
		for pid in "${E2E_PIDS[@]}"; do
			kill -KILL "$pid" 2>/dev/null
		done
	fi
	# Anything still inside our own namespaces was started by this test
	# (a child of a recorded process); nothing else can be in there.
	for ns in "${E2E_NAMESPACES[@]}"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
	done
	# The cgroup directories made by cg_make, innermost first; empty now
	# that their processes are gone.
	for p in "${E2E_CGROUPS[@]}"; do
		rmdir "$p" 2>/dev/null
	done
	for ns in "${E2E_NAMESPACES[@]}"; do
		# flowtop's sysctl state of that namespace (named by its inode)
		# goes with it: nothing in a sandbox may unlink it.
		local ino
		ino=$(stat -L -c %i "/run/netns/$ns" 2>/dev/null) &&
			rm -f "/run/flowtop/netns-$ino"
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "${E2E_KEEP:-}" ]; then
		echo "$TEST_NAME: kept $WORK"
	else
		rm -rf "$WORK"
	fi
	if [ "$E2E_STANDALONE" = 1 ]; then
		local np nf ns_
		np=$(grep -c '^P' "$E2E_RESULTS")
		nf=$(grep -c '^F' "$E2E_RESULTS")
		ns_=$(grep -c '^S' "$E2E_RESULTS")
		rm -f "$E2E_RESULTS"
		echo "$TEST_NAME: $np passed, $nf failed, $ns_ skipped"
	fi
}
trap e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Exit status for the end of a test file: 1 when any check failed.
e2e_finish() {
	[ "$E2E_FAILS" -eq 0 ] || exit 1
	exit 0
}

# ---------------------------------------------------------------- preconditions

# require_root: skip the whole file (one SKIP line) when not root.
require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		skip "all checks" "needs root: network namespaces, conntrack, sysctls; run it with sudo"
		e2e_finish
	fi
}

# require_tools CMD...: skip the whole file when a tool is missing.
require_tools() {
	local t missing=()
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t")
	done
	[ -x "$PY" ] || missing+=("$PY")
	if [ "${#missing[@]}" -ne 0 ]; then
		skip "all checks" "missing ${missing[*]}: run scripts/install-deps.sh"
		e2e_finish
	fi
}

# require_flowtop [BINARY]: fail once and stop when the binary is not built.
require_flowtop() {
	local bin=${1:-$FLOWTOP}
	if [ ! -x "$bin" ]; then
		fail "$(basename "$bin") is built" "$bin missing: run make"
		e2e_finish
	fi
}

# ---------------------------------------------------------------- timing

# now_ms: monotonic-enough wall clock in milliseconds.
now_ms() {
	local t
	t=$(date +%s%N)
	echo $((t / 1000000))
}

# wait_for SECONDS CMD...: run CMD every 0.1 s until it succeeds; 1 on timeout.
wait_for() {
	local secs=$1 end
	shift
	end=$(($(now_ms) + secs * 1000))
	while ! "$@"; do
		[ "$(now_ms)" -ge "$end" ] && return 1
		sleep 0.1
	done
	return 0
}

# wait_pid PID SECONDS: wait for a background child of this shell; sets
# WAIT_RC to its exit status. On timeout: TERM, then KILL, WAIT_RC=124, 1.
wait_pid() {
	local pid=$1 secs=$2 end
	end=$(($(now_ms) + secs * 1000))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$(now_ms)" -ge "$end" ]; then
			kill -TERM "$pid" 2>/dev/null
			sleep 1
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			WAIT_RC=124
			return 1
		fi
		sleep 0.1
	done
	# As in ft_run: the group's stderr keeps bash's notice about a child
	# killed by a signal out of the test's output.
	{
		wait "$pid"
		WAIT_RC=$?
	} 2>/dev/null
	return 0
}

# rc_text STATUS: "exit N", or "exit N (killed by SIGNAME)" above 128.
rc_text() {
	if [ "$1" -gt 128 ] && [ "$1" -lt 160 ]; then
		echo "exit $1 (killed by SIG$(kill -l $(($1 - 128)) 2>/dev/null))"
	elif [ "$1" = 124 ]; then
		echo "exit 124 (timed out, stopped)"
	else
		echo "exit $1"
	fi
}

# ---------------------------------------------------------------- namespaces

# ns_setup: two fresh namespaces joined by a veth pair.
#   NS_CLIENT  veth0 192.0.2.1/24, 2001:db8::1/64; an nftables ruleset whose
#              ct rules make the kernel track every flow (none when
#              E2E_NO_CT_RULES is set: the kernel tracks nothing); flowtop
#              runs here.
#   NS_SERVER  veth1 192.0.2.2/24, 2001:db8::2/64; the echo servers run here.
# Returns 1 (after a message) when namespaces can't be made here.
ns_setup() {
	E2E_NS_SEQ=$((E2E_NS_SEQ + 1))
	local a="ft-$$-${E2E_NS_SEQ}a" b="ft-$$-${E2E_NS_SEQ}b" err="$WORK/ns_setup.err"
	if ! ip netns add "$a" 2>"$err"; then
		echo "ns_setup: ip netns add $a failed: $(cat "$err")"
		return 1
	fi
	E2E_NAMESPACES+=("$a")
	if ! ip netns add "$b" 2>"$err"; then
		echo "ns_setup: ip netns add $b failed: $(cat "$err")"
		return 1
	fi
	E2E_NAMESPACES+=("$b")
	NS_CLIENT=$a
	NS_SERVER=$b
	{
		ip -n "$a" link set lo up &&
		ip -n "$b" link set lo up &&
		# Created inside the client namespace, the peer moved straight
		# into the server one: the host namespace never sees them.
		ip -n "$a" link add veth0 type veth peer name veth1 netns "$b" &&
		ip -n "$a" addr add "$C4/24" dev veth0 &&
		ip -n "$a" addr add "$C6/64" dev veth0 nodad &&
		ip -n "$b" addr add "$S4/24" dev veth1 &&
		ip -n "$b" addr add "$S6/64" dev veth1 nodad &&
		ip -n "$a" link set veth0 up &&
		ip -n "$b" link set veth1 up &&
		# The kernel's conntrack marks UDP-Lite packets that come in over
		# veth as invalid when it verifies their checksum (the sockets
		# accept them), so the reply direction of a UDP-Lite flow would
		# never count. Checksums are not what these tests are about.
		ip netns exec "$a" sh -c 'echo 0 >/proc/sys/net/netfilter/nf_conntrack_checksum' &&
		{ [ -n "${E2E_NO_CT_RULES:-}" ] || ns_ct_rules "$a"; }
	} 2>"$err" || {
		echo "ns_setup: configuring $a/$b failed: $(cat "$err")"
		return 1
	}
	if ! wait_for 5 ns_link_up; then
		echo "ns_setup: veth pair did not come up"
		return 1
	fi
	return 0
}

# ns_ct_rules NS: the nftables ruleset whose ct rules make the kernel track
# every flow of NS (ns_setup's, unless E2E_NO_CT_RULES).
ns_ct_rules() {
	ip netns exec "$1" nft -f - <<-'EOF'
		table inet flowtop_e2e {
			chain input {
				type filter hook input priority filter; policy accept;
				ct state new,established,related counter accept
			}
			chain output {
				type filter hook output priority filter; policy accept;
				ct state new,established,related counter accept
			}
		}
	EOF
}

ns_link_up() {
	ip -n "$NS_CLIENT" link show veth0 2>/dev/null | grep -q LOWER_UP &&
		ip -n "$NS_SERVER" link show veth1 2>/dev/null | grep -q LOWER_UP
}

# ns_setup_or_skip: ns_setup, or skip the whole file when namespaces can't
# be made here (no CAP_SYS_ADMIN, a container without netns support).
ns_setup_or_skip() {
	if ! ns_setup >"$WORK/ns_setup.msg"; then
		skip "all checks" "cannot set up network namespaces: $(cat "$WORK/ns_setup.msg")"
		e2e_finish
	fi
}

in_client() { ip netns exec "$NS_CLIENT" "$@"; }
in_server() { ip netns exec "$NS_SERVER" "$@"; }

# ct_sysctl NS NAME [VALUE]: read or write net.netfilter.NAME inside NS.
ct_sysctl() {
	local ns=$1 name=$2
	if [ $# -ge 3 ]; then
		ip netns exec "$ns" sh -c 'echo "$1" >"/proc/sys/net/netfilter/$2"' sh "$3" "$name"
	else
		ip netns exec "$ns" cat "/proc/sys/net/netfilter/$name" 2>/dev/null
	fi
}

# ---------------------------------------------------------------- processes

# bg NAME CMD...: start CMD in the background with stdout/stderr in
# $WORK/NAME.out and $WORK/NAME.err; its PID is recorded and left in BG_PID.
bg() {
	local name=$1
	shift
	"$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	BG_PID=$!
	E2E_PIDS+=("$BG_PID")
}

# start_server NAME PROTO ADDR PORT: an echo server in NS_SERVER; waits until
# it listens. 1 (after a FAIL) when it does not come up.
start_server() {
	local name=$1 proto=$2 addr=$3 port=$4 ready="$WORK/$1.ready"
	bg "$name" ip netns exec "$NS_SERVER" "$PY" "$TRAFFIC" server \
		--proto "$proto" --addr "$addr" --port "$port" --ready "$ready" \
		--lifetime 150
	if ! wait_for 5 test -s "$ready"; then
		fail "echo server $proto $addr:$port starts" "$(cat "$WORK/$name.err")"
		return 1
	fi
	return 0
}

# start_client NAME PROTO ADDR PORT DURATION: a client in NS_CLIENT that keeps
# one flow busy for DURATION seconds; $WORK/NAME.info gets its source port.
start_client() {
	local name=$1 proto=$2 addr=$3 port=$4 dur=$5
	bg "$name" ip netns exec "$NS_CLIENT" "$PY" "$TRAFFIC" client \
		--proto "$proto" --addr "$addr" --port "$port" --duration "$dur" \
		--info "$WORK/$name.info"
}

# client_sport NAME: the source port client NAME reported (waits up to 5 s).
client_sport() {
	local info="$WORK/$1.info"
	wait_for 5 test -s "$info" || return 1
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["sport"])' "$info"
}

# ft_start NAME NS CMD...: run CMD (flowtop and its arguments, possibly behind
# env) in NS under `timeout 30`, output in $WORK/NAME.out/.err. Sets FT_TPID
# (the timeout process, a child of this shell) and FT_PID (flowtop itself,
# the child of timeout; same PID across exec).
ft_start() {
	local name=$1 ns=$2
	shift 2
	bg "$name" ip netns exec "$ns" timeout -k 5 30 "$@"
	FT_TPID=$BG_PID
	FT_PID=
	for _ in $(seq 50); do
		FT_PID=$(pgrep -P "$FT_TPID" | head -n1)
		[ -n "$FT_PID" ] && break
		kill -0 "$FT_TPID" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$FT_PID" ] && E2E_PIDS+=("$FT_PID")
	return 0
}

# ft_run NAME NS CMD...: run flowtop to completion under `timeout 30`;
# FT_RC is its exit status (124 on timeout). Output in $WORK/NAME.out/.err.
ft_run() {
	local name=$1 ns=$2
	shift 2
	# The group's own stderr goes to /dev/null only so that bash's notice
	# about a child killed by a signal ("Bad system call") stays out of the
	# test's output; FT_RC still says 128+signal.
	{
		ip netns exec "$ns" timeout -k 5 30 "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null
		FT_RC=$?
	} 2>/dev/null
}

# proc_comm PID: the process's comm, empty when gone.
proc_comm() { cat "/proc/$1/comm" 2>/dev/null; }

# child_by_comm PPID COMM: PID of PPID's child named COMM (first one).
child_by_comm() {
	local p
	for p in $(pgrep -P "$1"); do
		if [ "$(proc_comm "$p")" = "$2" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# ft_wait_children SECONDS: wait until FT_PID has its children flowtop-ui
# and flowtop-resolv; sets FT_UI_PID and FT_RES_PID (empty when missing).
ft_wait_children() {
	FT_UI_PID='' FT_RES_PID=''
	[ -n "${FT_PID:-}" ] || return 1
	wait_for "$1" ft_have_children
	FT_UI_PID=$(child_by_comm "$FT_PID" flowtop-ui)
	FT_RES_PID=$(child_by_comm "$FT_PID" flowtop-resolv)
	[ -n "$FT_UI_PID" ] && E2E_PIDS+=("$FT_UI_PID")
	[ -n "$FT_RES_PID" ] && E2E_PIDS+=("$FT_RES_PID")
	[ -n "$FT_UI_PID" ] && [ -n "$FT_RES_PID" ]
}

ft_have_children() {
	child_by_comm "$FT_PID" flowtop-ui >/dev/null &&
		child_by_comm "$FT_PID" flowtop-resolv >/dev/null
}

# sudo_user DIR: a user to stand for the one who typed sudo (the first
# regular user, else nobody) in T_SUDO_UID and T_SUDO_GID (not SUDO_UID:
# under a real sudo that one is exported), and DIR made
# theirs; $WORK and DIR 0755 so that they can reach it.
sudo_user() {
	T_SUDO_UID=$(getent passwd | awk -F: '$3 >= 1000 && $3 < 65534 { print $3; exit }')
	T_SUDO_UID=${T_SUDO_UID:-65534}
	T_SUDO_GID=$(getent passwd "$T_SUDO_UID" | cut -d: -f4)
	T_SUDO_GID=${T_SUDO_GID:-65534}
	mkdir -p "$1" && chown "$T_SUDO_UID:$T_SUDO_GID" "$1"
	chmod 755 "$WORK" "$1"
}

# status_field PID FIELD: a field of /proc/PID/status, value only.
status_field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null
}

# jcheck ARGS...: run jsoncheck.py; prints nothing on success, the reason on
# failure (as a single line for the FAIL message).
jcheck() {
	"$PY" "$JSONCHECK" "$@" 2>&1
}

# landlock_tcp_ready WHAT: 0 when a Landlock TCP check can run: the test
# build is there and the kernel's Landlock has TCP port rules (ABI 4+);
# LL_ABI is the kernel's ABI (0 without Landlock). Else a FAIL (no test
# build) or a SKIP (an older kernel) for WHAT, and 1.
landlock_tcp_ready() {
	LL_ABI=$("$PY" -c 'import ctypes; l = ctypes.CDLL(None, use_errno=True); print(max(l.syscall(444, None, 0, 1), 0))' 2>/dev/null)
	LL_ABI=${LL_ABI:-0}
	if [ ! -x "$FLOWTOP_TESTHOOKS" ]; then
		fail "$1" "$FLOWTOP_TESTHOOKS missing: run make testhooks"
		return 1
	fi
	if [ "$LL_ABI" -lt 4 ]; then
		skip "$1" "kernel $(uname -r) has Landlock ABI $LL_ABI, TCP rules need 4"
		return 1
	fi
	return 0
}
