#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# bench_screen: what watching the screen costs at rest, by sort. Root;
# needs ip, nft, tmux, build/bench/ctload and a flowtop binary.
#
# It makes a network namespace of its own (lo up, an nftables `ct state`
# rule), fills its table with ctload's idle entries, and for each size and
# each sort runs FLOWTOP (default ./flowtop) -n -G -46TUIS -t 1 in a
# 160x50 tmux pane, sends the sort's keys, waits 3 s, then prints the
# utime+stime of the collector, resolver and ui over CPU_SECS seconds as
# % of one core. Sorts: "bytes" (the default: the order of every flow's
# byte totals is needed), "age" (four `<` from BYTES: only the rows shown
# are) and "rate" (one `>`: every flow's rate is).
#
# Environment: FLOWTOP, CTLOAD, BENCH_SIZES (default "10000 250000"),
# BENCH_SORTS (default "bytes age rate"), CPU_SECS (10).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FT=${FLOWTOP:-$ROOT/flowtop}
CTLOAD=${CTLOAD:-$ROOT/build/bench/ctload}
SIZES=${BENCH_SIZES:-10000 250000}
SORTS=${BENCH_SORTS:-bytes age rate}
CPU_SECS=${CPU_SECS:-10}
NS=ft-bscr-$$
TM=(tmux -L "ft-bscr-$$")
HZ=$(getconf CLK_TCK)
FILLED=0
BENCH_RC=0

say() { echo "bench_screen: $*" >&2; }

cleanup() {
	"${TM[@]}" kill-server 2>/dev/null
	# Whatever runs in our namespace is ours: nothing else can be there.
	for p in $(ip netns pids "$NS" 2>/dev/null); do
		kill -KILL "$p" 2>/dev/null
	done
	ip netns del "$NS" 2>/dev/null
}

[ "$(id -u)" = 0 ] || { say "skipped: needs root"; exit 0; }
for b in "$FT" "$CTLOAD"; do
	[ -x "$b" ] || { say "$b is not built"; exit 1; }
done
ip netns add "$NS" || exit 1
trap cleanup EXIT
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" nft -f - <<'EOF' || exit 1
table inet flowtop_bench {
	chain output {
		type filter hook output priority filter; policy accept;
		ct state new,established,related accept
	}
}
EOF

# ticks PID...: utime + stime of the processes, in clock ticks.
ticks() {
	local p s=0 f
	for p in "$@"; do
		f=$(cut -d')' -f2- "/proc/$p/stat" 2>/dev/null) || continue
		s=$((s + $(echo "$f" | awk '{ print $12 + $13 }')))
	done
	echo "$s"
}

# keys SORT: what to type for it.
keys() {
	case $1 in
	age) echo "< < < <" ;;
	rate) echo ">" ;;
	*) echo "" ;;
	esac
}

# measure N SORT: one line of figures.
measure() {
	local n=$1 sort=$2 pid= kids=() a b t0 t1 k
	"${TM[@]}" new-session -d -s s -x 160 -y 50 \
		"exec ip netns exec $NS $FT -n -G -46TUIS -t 1 --conf-dir $ROOT/conf"
	for _ in $(seq 50); do
		pid=$(pgrep -x flowtop -P "$("${TM[@]}" display -p -t s '#{pane_pid}')" 2>/dev/null | head -n1)
		[ -z "$pid" ] && pid=$("${TM[@]}" display -p -t s '#{pane_pid}')
		kids=($(pgrep -P "$pid" 2>/dev/null))
		[ "${#kids[@]}" -ge 2 ] && break
		sleep 0.2
	done
	for k in $(keys "$sort"); do
		"${TM[@]}" send-keys -t s "$k"
	done
	sleep 3
	a=$(ticks "$pid" "${kids[@]}")
	t0=$(date +%s%N)
	sleep "$CPU_SECS"
	b=$(ticks "$pid" "${kids[@]}")
	t1=$(date +%s%N)
	# A flowtop that ended would read as a very low figure.
	if ! kill -0 "$pid" 2>/dev/null || [ "${#kids[@]}" -lt 2 ]; then
		printf '  %8s %6s    n/a   flowtop did not run through\n' "$n" "$sort"
		BENCH_RC=1
		"${TM[@]}" kill-session -t s 2>/dev/null
		return
	fi
	printf '  %8s %6s %6.1f%%   %s\n' "$n" "$sort" \
		"$(awk -v t=$((b - a)) -v hz="$HZ" -v ns=$((t1 - t0)) 'BEGIN { print t / hz / (ns / 1e9) * 100 }')" \
		"$("${TM[@]}" capture-pane -p -t s | sed -n 2p | grep -o '[A-Z/]*[v^]' | head -n1) $("${TM[@]}" capture-pane -p -t s | tail -n2 | head -n1 | grep -o 'others [0-9]* s old')"
	"${TM[@]}" kill-session -t s 2>/dev/null
	sleep 0.5
}

echo "== bench_screen ($(nproc) CPUs, $(uname -r)); $FT"
echo "  CPU of all three processes, % of one core, over $CPU_SECS s (sort column, status)"
for n in $SIZES; do
	ip netns exec "$NS" "$CTLOAD" fill "$((n - FILLED))" --from "$FILLED" >/dev/null || exit 1
	FILLED=$n
	for s in $SORTS; do
		measure "$n" "$s"
	done
done
exit "$BENCH_RC"
