# SPDX-License-Identifier: GPL-2.0-only
# bench_ns.sh: what the benchmarks on a namespace of their own share
# (bench_record.sh, bench_ipfix.sh): sourced after BENCH, NS, WORK,
# FLOWTOP and CTLOAD are set. It checks root and the two binaries, makes
# NS with lo up, and at exit ends what the benchmark started (PIDS, by
# comm: flowtop's, ip, ctload, timeout and those in BENCH_COMMS), kills
# what is left in NS, deletes NS and WORK. Also the helpers ticks, pct
# and child.

PIDS=()
HZ=$(getconf CLK_TCK)

say() { echo "$BENCH: $*" >&2; }
bench_cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		case " flowtop ip ctload timeout ${BENCH_COMMS:-} " in
		*" $(cat "/proc/$p/comm" 2>/dev/null | sed 's/^flowtop.*/flowtop/') "*)
			kill -TERM "$p" 2>/dev/null ;;
		esac
	done
	sleep 0.3
	for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$WORK"
}
trap bench_cleanup EXIT
trap 'exit 130' INT

[ "$(id -u)" = 0 ] || { say "needs root"; exit 1; }
for b in "$FLOWTOP" "$CTLOAD"; do
	[ -x "$b" ] || { say "$b is not built"; exit 1; }
done
ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up

# ticks PID: its user+system time so far, in clock ticks.
ticks() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }; awk '{ print $12 + $13 }' <<<"${s##*) }"; }
# pct TICKS SECS: as % of one core.
pct() { awk -v t="$1" -v hz="$HZ" -v s="$2" 'BEGIN { printf "%.1f%%", t / hz / s * 100 }'; }
# child PPID COMM: PPID's child named COMM.
child() { for p in $(pgrep -P "$1"); do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && echo "$p"; done; }
