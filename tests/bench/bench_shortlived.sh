#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# bench_shortlived: how many flows of short-lived processes flowtop gives an
# owner, and what the collector costs when such flows come at 1,000 a
# second (issue 13). `make bench-shortlived`; needs root, ip, nft, setpriv,
# useradd, python3, ./flowtop and build/bench/shortlived. About 2 minutes on
# 2 cores; not part of `make bench` or `make check`.
#
# Two network namespaces joined by a veth pair, with nftables `ct state`
# rules so the kernel tracks their flows (ns_setup of tests/e2e/lib.sh,
# whose trap also kills what runs in them and removes them). A server
# (`shortlived serve`) in the server namespace listens on TCP and UDP, IPv4
# and IPv6, one port per measurement. Clients run in the client namespace
# as a system user this script makes (ftbenchPID, removed at the end), so
# that a flow's uid says something; flowtop runs there as root.
#
# Attribution: for each transport (tcp4 tcp6 udp4 udp6) and hold time H
# (0 2 10 50 200 ms), flowtop -o json -t 1 --count 4 -46TU -n -G starts;
# once its first snapshot is out, `shortlived burst` forks 200 clients at
# once, each its own process: it connects, sends a byte, keeps the socket
# H ms and exits. The remaining snapshots come 1, 2 and 3 s later. Among
# the flows to that measurement's port (keyed by the JSON id), it prints
# the share with the pid of a client (process "shortlived") and the share
# with the test user's uid: in the last snapshot, as the issue measured,
# and in any snapshot. The first snapshot holds a flow that a root process
# keeps open all along, so it is out even before the first burst.
#
# CPU: then flowtop -o json -t 1 runs while `shortlived rate` forks 1,000
# clients a second for 10 s (tcp4, udp4, tcp6, udp6 in turn, each holding
# its socket 10 ms). Forked processes rather than one process opening and
# closing sockets: the issue is about owners that are gone milliseconds
# later, and one long-lived owner would be found once and then cached. The
# utime+stime of the collector (lib.sh's ft_start: flowtop itself, under
# timeout), the ui and the resolver over the 10 s, as % of one core; the
# same over 3 s with no new flows first. The ui prints every flow of the
# table each second (JSON to a file), which is most of its share. Also the
# share of those flows attributed by pid and by uid.
#
# Containers (BENCH_CONTAINER=1, `make bench-containers`, issue 15): the
# clients run instead in a third namespace, a "container" (10.88.0.2,
# fd88::2) behind a veth of the client namespace, which forwards and
# masquerades its flows to the server; flowtop still runs in the client
# namespace, so each flow is a forwarded one whose socket only the
# container's own table lists. As root, flowtop runs its namespace helper
# (flowtop-nsdiag) and asks the container's kernel for each new flow by
# exact tuple; BENCH_NO_NSDIAG=1 runs the test build without the helper
# instead (FLOWTOP_TEST_NO_NSDIAG=1: the container's /proc tables are read,
# as a start without CAP_SYS_ADMIN does). `make bench-containers` runs
# both, one after the other.
#
# First-seen alerts (BENCH_ALERT=1, `make bench-alert`, issue 16): flowtop
# runs with --alert on a baseline of its own (where there is no syslog
# socket, no line is sent), so every flow of the load is judged: what the
# judging costs the ui is the difference from the same run without it,
# which `make bench-alert` runs first (both with BENCH_HOLDS="": the CPU
# part alone).
#
# Environment: BENCH_HOLDS ("0 2 10 50 200"; "" for none), BENCH_TRANSPORTS ("tcp4 tcp6
# udp4 udp6"), BENCH_CLIENTS (200), BENCH_RATE (1000), BENCH_RATE_SECS
# (10), BENCH_RATE_HOLD_MS (10), BENCH_IDLE_SECS (3); FLOWTOP, SHORTLIVED
# (other builds).
set -u

# lib.sh's verdict counting is not used here: its tally goes nowhere.
E2E_RESULTS=/dev/null
source "$(dirname "$0")/../e2e/lib.sh"
TEST_NAME=bench_shortlived
GEN=${SHORTLIVED:-$ROOT/build/bench/shortlived}
HOLDS=${BENCH_HOLDS-0 2 10 50 200}
TRANSPORTS=${BENCH_TRANSPORTS:-tcp4 tcp6 udp4 udp6}
CLIENTS=${BENCH_CLIENTS:-200}
RATE=${BENCH_RATE:-1000}
RATE_SECS=${BENCH_RATE_SECS:-10}
RATE_HOLD=${BENCH_RATE_HOLD_MS:-10}
IDLE_SECS=${BENCH_IDLE_SECS:-3}
CONTAINER=${BENCH_CONTAINER:-0}
NO_NSDIAG=${BENCH_NO_NSDIAG:-0}
FT_CMD=("$FLOWTOP")
[ "$NO_NSDIAG" = 1 ] && FT_CMD=(env FLOWTOP_TEST_NO_NSDIAG=1 "$FLOWTOP_TESTHOOKS")
FT_ARGS=(-o json -t 1 -46TU -n -G --conf-dir "$ROOT/conf")
ALERT=${BENCH_ALERT:-0}
[ "$ALERT" = 1 ] && FT_ARGS+=(--alert "$WORK/alert.base")
PORT0=20000     # measurement i uses PORT0+i; the CPU run and the keeper follow
HZ=$(getconf CLK_TCK)
BUSER=ftbench$$
MADE_USER=0
RC=0

say() { echo "bench_shortlived: $*" >&2; }

sl_cleanup() {
	# After e2e_cleanup: nothing of the user's runs any more.
	[ "$MADE_USER" = 1 ] && { wait_for 10 userdel "$BUSER" 2>/dev/null ||
		say "could not remove the test user: userdel $BUSER"; }
}
trap 'e2e_cleanup; sl_cleanup' EXIT

if [ "$(id -u)" -ne 0 ]; then
	say "skipped: needs root (network namespaces, conntrack, a test user)"
	exit 0
fi
for t in ip nft setpriv useradd userdel timeout pgrep "$PY"; do
	command -v "$t" >/dev/null 2>&1 || { say "skipped: missing $t"; exit 0; }
done
for b in "$FLOWTOP" "$GEN"; do
	[ -x "$b" ] || { say "$b is not built (make bench-shortlived builds it)"; exit 1; }
done
if ! ns_setup >"$WORK/ns.msg"; then
	say "$(cat "$WORK/ns.msg")"
	exit 1
fi
# container_setup: the container namespace behind NS_CLIENT, masqueraded.
container_setup() {
	E2E_NS_SEQ=$((E2E_NS_SEQ + 1))
	NS_CONT="ft-$$-${E2E_NS_SEQ}c"
	ip netns add "$NS_CONT" || return 1
	E2E_NAMESPACES+=("$NS_CONT")
	ip -n "$NS_CONT" link set lo up &&
	ip -n "$NS_CLIENT" link add vc0 type veth peer name eth0 netns "$NS_CONT" &&
	ip -n "$NS_CLIENT" addr add 10.88.0.1/24 dev vc0 &&
	ip -n "$NS_CLIENT" addr add fd88::1/64 dev vc0 nodad &&
	ip -n "$NS_CONT" addr add 10.88.0.2/24 dev eth0 &&
	ip -n "$NS_CONT" addr add fd88::2/64 dev eth0 nodad &&
	ip -n "$NS_CLIENT" link set vc0 up &&
	ip -n "$NS_CONT" link set eth0 up &&
	ip -n "$NS_CONT" route add default via 10.88.0.1 &&
	ip -n "$NS_CONT" -6 route add default via fd88::1 &&
	ip netns exec "$NS_CLIENT" sysctl -qw net.ipv4.ip_forward=1 &&
	ip netns exec "$NS_CLIENT" sysctl -qw net.ipv6.conf.all.forwarding=1 &&
	ip netns exec "$NS_CLIENT" nft -f - <<-'EOF'
		table inet ft_bench_masq {
			chain masq {
				type nat hook postrouting priority srcnat;
				oifname "veth0" ip saddr 10.88.0.0/24 masquerade
				oifname "veth0" ip6 saddr fd88::/64 masquerade
			}
		}
	EOF
}
CLIENT_NS=$NS_CLIENT
if [ "$CONTAINER" = 1 ]; then
	if ! container_setup 2>"$WORK/container.err"; then
		say "cannot make the container namespace: $(cat "$WORK/container.err")"
		exit 1
	fi
	CLIENT_NS=$NS_CONT
fi
if ! useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$BUSER" 2>"$WORK/useradd.err"; then
	say "cannot make the test user $BUSER: $(cat "$WORK/useradd.err")"
	exit 1
fi
MADE_USER=1
BUID=$(id -u "$BUSER")
AS_USER=(setpriv --reuid="$BUID" --regid="$(id -g "$BUSER")" --clear-groups)

# Others' work on the machine moves the figures: its load when we start.
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
read -r -a holds <<<"$HOLDS"
read -r -a transports <<<"$TRANSPORTS"
NMEAS=$((${#holds[@]} * ${#transports[@]}))
CPU_PORT=$((PORT0 + NMEAS))
KEEP_PORT=$((CPU_PORT + 1))

bg server ip netns exec "$NS_SERVER" "$GEN" serve :: "$PORT0" "$((NMEAS + 2))" \
	"$WORK/server.ready" 900
SERVER_PID=$BG_PID
if ! wait_for 5 test -s "$WORK/server.ready"; then
	say "the server did not start: $(cat "$WORK/server.err")"
	exit 1
fi
# One flow open all along, so that every run's first snapshot has a line.
bg keeper ip netns exec "$NS_CLIENT" "$GEN" burst tcp "$S4" "$KEEP_PORT" 1 3600000

# ---------------------------------------------------------------- helpers

# ticks PID: utime+stime (fields 14 and 15, counted after the comm).
ticks() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	awk '{ print $12 + $13 }' <<<"${s##*) }"
}

# pct TICKS SECONDS: % of one core.
pct() { awk -v t="$1" -v hz="$HZ" -v s="$2" 'BEGIN { printf "%.1f%%", t / hz / s * 100 }'; }

# run_ft NAME COUNT: flowtop in the client namespace (lib.sh's ft_start:
# FT_PID is the collector), back once its first snapshot is out and the
# ui and resolver are there. 1 when it is not.
run_ft() {
	ft_start "$1" "$NS_CLIENT" "${FT_CMD[@]}" "${FT_ARGS[@]}" --count "$2"
	if ! wait_for 10 test -s "$WORK/$1.out" || ! ft_wait_children 5; then
		say "$1: flowtop did not start: $(head -n 3 "$WORK/$1.err" | paste -sd ' ')"
		RC=1
		return 1
	fi
}

# ft_done NAME: wait for the run to end by itself (its --count).
ft_done() {
	wait_pid "$FT_TPID" 40 || { say "$1: flowtop did not end in time"; RC=1; }
}

# shares FILE PROTO FAMILY PORT: "flows last pid_last pid_any uid_last
# uid_any other" for that port's flows in a JSON Lines file. A flow (by id)
# has a pid when it names a client (process shortlived, not the server;
# "other" counts the flows whose pid names anything else) and a uid when it
# is the test user's.
shares() {
	"$PY" - "$@" "$BUID" "$SERVER_PID" <<-'EOF'
		import json, sys
		path, proto, fam, port, uid, server = sys.argv[1:7]
		port, uid, server = int(port), int(uid), int(server)
		snaps, other = {}, set()
		with open(path) as f:
		    for line in f:
		        if '"dport":%d,' % port not in line:
		            continue
		        o = json.loads(line)
		        if o.get("proto") != proto or o.get("family") != fam:
		            continue
		        has_pid = o.get("process") == "shortlived" and \
		            o.get("pid", server) != server
		        if "pid" in o and not has_pid:
		            other.add(o["id"])
		        snaps.setdefault(o["time"], {})[o["id"]] = (has_pid, o.get("uid") == uid)
		ever = {}
		for snap in snaps.values():
		    for i, (p, u) in snap.items():
		        a, b = ever.get(i, (False, False))
		        ever[i] = (a or p, b or u)
		last = snaps[max(snaps)] if snaps else {}
		count = lambda d, k: sum(1 for v in d.values() if v[k])
		print(len(ever), len(last), count(last, 0), count(ever, 0),
		      count(last, 1), count(ever, 1), len(other))
	EOF
}

# share N OF: "x.y%" or "n/a".
share() { awk -v n="$1" -v d="$2" 'BEGIN { if (d) printf "%.1f%%", n * 100 / d; else print "n/a" }'; }

# verdict_pid HOLD N OF: the issue's target for the pid share of the last
# snapshot: at least 95% at 10 ms and more, 100% at 50 ms and more.
verdict_pid() {
	awk -v h="$1" -v n="$2" -v d="$3" 'BEGIN {
		if (h < 10 || !d) { print "-"; exit }
		want = h >= 50 ? 100 : 95
		print (n * 100 / d >= want) ? "ok" : "MISSED (" want "%)" }'
}

# ---------------------------------------------------------------- attribution

ROWS=()
i=0
for tr in "${transports[@]}"; do
	case $tr in
	tcp4) proto=tcp fam=ipv4 addr=$S4 ;;
	tcp6) proto=tcp fam=ipv6 addr=$S6 ;;
	udp4) proto=udp fam=ipv4 addr=$S4 ;;
	udp6) proto=udp fam=ipv6 addr=$S6 ;;
	*) say "unknown transport $tr (tcp4 tcp6 udp4 udp6)"; exit 2 ;;
	esac
	for h in "${holds[@]}"; do
		port=$((PORT0 + i))
		i=$((i + 1))
		name=$tr-$h
		say "$tr, hold $h ms: $CLIENTS clients to port $port"
		run_ft "$name" 4 || continue
		burst=$(ip netns exec "$CLIENT_NS" "${AS_USER[@]}" "$GEN" burst "$proto" "$addr" \
			"$port" "$CLIENTS" "$h" 2>&1) || RC=1
		say "$burst"
		ft_done "$name"
		ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$burst")
		spread=$(sed -n 's/.* spread_ms=\([0-9.]*\).*/\1/p' <<<"$burst")
		read -r n nl pl pa ul ua other < <(shares "$WORK/$name.out" "$proto" "$fam" "$port")
		[ "${other:-0}" = 0 ] || say "$name: $other flows named a process other than a client"
		ROWS+=("$(printf '  %-5s %6s %7s %5s %9s %9s %9s %9s %9s  %s' "$tr" "$h ms" "${ok:-?}" "${n:-?}" \
			"$(share "${pl:-0}" "${nl:-0}")" "$(share "${pa:-0}" "${n:-0}")" \
			"$(share "${ul:-0}" "${nl:-0}")" "$(share "${ua:-0}" "${n:-0}")" "${spread:-?} ms" \
			"$(verdict_pid "$h" "${pl:-0}" "${nl:-0}")")")
		rm -f "$WORK/$name.out"
	done
done

# ---------------------------------------------------------------- CPU

cpu_line() {
	local secs=$1 p out=
	shift
	for p in "$@"; do
		out+="$(printf ' %s %s' "$(proc_comm "$p")" "$(pct "$(($(ticks "$p") - T0[$p]))" "$secs")")"
	done
	echo "${out# }"
}

CPU_IDLE='' CPU_LOAD='' CPU_ATTR='' CPU_GEN=''
say "CPU: $RATE new flows/s for $RATE_SECS s"
if run_ft cpu $((IDLE_SECS + RATE_SECS + 5)); then
	procs=("$FT_PID" "$FT_UI_PID" "$FT_RES_PID")
	NSD_PID=$(child_by_comm "$FT_PID" flowtop-nsdiag)
	[ -n "$NSD_PID" ] && procs+=("$NSD_PID")
	declare -A T0
	for p in "${procs[@]}"; do T0[$p]=$(ticks "$p"); done
	t0=$EPOCHREALTIME
	sleep "$IDLE_SECS"
	CPU_IDLE=$(cpu_line "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')" "${procs[@]}")
	for p in "${procs[@]}"; do T0[$p]=$(ticks "$p"); done
	t0=$EPOCHREALTIME
	CPU_GEN=$(ip netns exec "$CLIENT_NS" "${AS_USER[@]}" "$GEN" rate "$S4" "$S6" "$CPU_PORT" \
		"$RATE" "$RATE_SECS" "$RATE_HOLD" 2>&1) || RC=1
	CPU_LOAD=$(cpu_line "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')" "${procs[@]}")
	kill -0 "$FT_PID" 2>/dev/null || { CPU_LOAD="n/a (flowtop ended during the load)"; RC=1; }
	say "$CPU_GEN"
	ft_done cpu
	for tr in tcp4 udp4 tcp6 udp6; do
		case $tr in tcp*) proto=tcp ;; *) proto=udp ;; esac
		case $tr in *4) fam=ipv4 ;; *) fam=ipv6 ;; esac
		read -r n nl pl pa ul ua other < <(shares "$WORK/cpu.out" "$proto" "$fam" "$CPU_PORT")
		CPU_ATTR+="$(printf '  %-5s %6s flows: pid %s, uid %s (any snapshot)' "$tr" "$n" \
			"$(share "$pa" "$n")" "$(share "$ua" "$n")")"$'\n'
	done
fi

# ---------------------------------------------------------------- report

echo "== bench_shortlived ($(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), kernel $(uname -r), nf_conntrack_buckets $(cat /proc/sys/net/netfilter/nf_conntrack_buckets 2>/dev/null), load average at the start $LOAD0)"
echo "flowtop ${FT_ARGS[*]} --count N, in the client namespace, as root; clients as uid $BUID"
[ "$ALERT" = 1 ] && echo "first-seen alerts on (--alert): the baseline holds $(grep -vc '^#' "$WORK/alert.base" 2>/dev/null) entries at the end"
[ "$CONTAINER" = 1 ] && echo "clients in a container namespace behind the client namespace, which forwards and masquerades their flows"
if [ "$NO_NSDIAG" = 1 ]; then
	echo "no namespace helper (the test build, FLOWTOP_TEST_NO_NSDIAG=1): other namespaces' /proc tables read"
else
	echo "namespace helper flowtop-nsdiag: $([ -n "${NSD_PID:-}" ] && echo "running, pid $NSD_PID" || echo "not running")"
fi
if [ "${#holds[@]}" -gt 0 ]; then
	echo
	echo "attribution: $CLIENTS clients at once, each a process that connects, sends a byte, holds its socket H ms and exits"
	echo "(pid: the flow names its client's pid; uid: the test user's uid; of the flows in the last snapshot / in any snapshot)"
	printf '  %-5s %6s %7s %5s %9s %9s %9s %9s %9s  %s\n' transp hold clients flows "pid last" "pid any" "uid last" "uid any" "forked in" \
		"target (pid last)"
	printf '%s\n' "${ROWS[@]}"
fi
echo
echo "CPU: $RATE new flows/s for $RATE_SECS s, each from a process of its own holding its socket $RATE_HOLD ms (tcp4 udp4 tcp6 udp6 in turn); % of one core"
echo "  generator: ${CPU_GEN:-n/a}"
echo "  before, ${IDLE_SECS} s with no new flows: ${CPU_IDLE:-n/a}"
echo "  during the load:                ${CPU_LOAD:-n/a}"
case $CPU_LOAD in
flowtop\ *) awk -v c="$(awk '{ print $2 + 0 }' <<<"$CPU_LOAD")" \
	'BEGIN { print "  the collector under 25% of one core (the target): " (c < 25 ? "ok" : "MISSED") }' ;;
esac
echo "  flows of the load attributed:"
printf '%s' "$CPU_ATTR"
exit "$RC"
