#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# bench_collector: flowtop's collector at scale, measured in one run on one
# conntrack table (issue 4's benchmarks). Run by tests/bench/run.sh; needs
# root, ip, nft, conntrack, build/flowtop-testhooks and build/bench/ctload.
#
# It makes its own network namespace (ft-bench-PID: lo up, an nftables
# `ct state` rule so conntrack is active there), fills its table with
# ctload's synthetic entries and prints:
#   startup  seconds from the start of flowtop-testhooks until the first
#            complete dump reached the ui ("dump seq=1", FLOWTOP_TEST_TIMING)
#            against `conntrack -L > /dev/null` on the same table, at 10k,
#            100k, 250k and 1M flows (median of STARTUP_RUNS each; both
#            started through `ip netns exec`), with the user and system time
#            of conntrack -L (the kernel's own cost of a dump) and the hash
#            size in use;
#   CPU      utime+stime of the collector, resolver and ui over CPU_SECS
#            seconds of 1 s intervals, as % of one core, at the same sizes;
#   memory   VmHWM/VmRSS of each process at 250k and 1M flows, and bytes per
#            flow: (sum of VmRSS at N - sum of VmRSS with an empty table) / N;
#   --once   seconds from the start of `flowtop --once -46TU -o json` (the
#            installed binary, stdout to /dev/null) until it exited, less
#            the 1 s interval, against conntrack -L, at 250k and 1M flows:
#            with -n -G, and with names on (no DNS server in the namespace,
#            no GeoIP database: every lookup fails);
#   churn    ctload creating and destroying R entries per second (R creates
#            plus R destroys: 2R kernel events/s) for CHURN_SECS seconds on
#            the 10k table, at 10k, 50k and 100k: the rate achieved, the
#            resyncs flowtop counted, and the seconds from the end of the
#            churn until a dump line's flow count equals `conntrack -C`
#            (polled every 0.2 s).
# The 1M size needs a bigger table than the kernel's default: the run sets
# nf_conntrack_max and the hash size (nf_conntrack_buckets, global, set
# from the initial namespace) to 1,048,576 for it, after the smaller sizes
# ran on the hash size found, and puts both back at the end, also when it
# fails or is interrupted. At the end, the issue's targets, one line each.
# Not part of `make check`; takes about 5 minutes on 2 cores (2 without
# the 1M size).
#
# Environment: FLOWTOP_TESTHOOKS, CTLOAD (other builds), BENCH_SIZES
# (default "10000 100000 250000"), BENCH_1M (1: add 1000000 to the sizes;
# 0: don't), BENCH_CHURN (default "10000 50000 100000"), CHURN_SECS (5),
# CPU_SECS (10), STARTUP_RUNS (3), ONCE_RUNS (3).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FT=${FLOWTOP_TESTHOOKS:-$ROOT/build/flowtop-testhooks}
CTLOAD=${CTLOAD:-$ROOT/build/bench/ctload}
SIZES=${BENCH_SIZES:-10000 100000 250000}
BIG=1000000
[ "${BENCH_1M:-1}" != 0 ] && SIZES="$SIZES $BIG"
BIG_BUCKETS=1048576
CHURN_RATES=${BENCH_CHURN:-10000 50000 100000}
CHURN_SECS=${CHURN_SECS:-5}
CPU_SECS=${CPU_SECS:-10}
STARTUP_RUNS=${STARTUP_RUNS:-3}
ONCE_RUNS=${ONCE_RUNS:-3}
NS=ft-bench-$$
FT_ARGS=(-n -G -46TUIS -o json --conf-dir "$ROOT/conf")
HZ=$(getconf CLK_TCK)

PIDS=()
TMUX_SESS=
FT_SCREEN=${FLOWTOP_SCREEN:-$ROOT/flowtop}
NS_MADE=0
BENCH_RC=0
WORK=
SYSCTL=/proc/sys/net/netfilter
# The administrator's nf_conntrack_max and hash size, once changed.
OLD_MAX=
OLD_BUCKETS=

say() { echo "bench_collector: $*" >&2; }

# kill_ours SIG PID: signal PID only while it is still one of ours (a
# flowtop process, or the ip/env that is about to become one), not a
# process that reused the number after ours ended.
kill_ours() {
	case $(cat "/proc/$2/comm" 2>/dev/null) in
	flowtop*|ip|env) kill "-$1" "$2" 2>/dev/null ;;
	*) return 1 ;;
	esac
}

cleanup() {
	local p left=0
	# First, so that a kill after the grace of run.sh's timeout finds
	# them put back; a limit under the count only refuses new entries.
	[ -n "$OLD_BUCKETS" ] && echo "$OLD_BUCKETS" >"$SYSCTL/nf_conntrack_buckets"
	[ -n "$OLD_MAX" ] && echo "$OLD_MAX" >"$SYSCTL/nf_conntrack_max"
	for p in "${PIDS[@]}"; do
		kill_ours TERM "$p" && left=1
	done
	if [ "$left" = 1 ]; then
		sleep 0.5
		for p in "${PIDS[@]}"; do
			kill_ours KILL "$p"
		done
	fi
	if [ "$NS_MADE" = 1 ]; then
		# Whatever still runs in our namespace is ours (a child of a
		# process we started): nothing else can be in there.
		for p in $(ip netns pids "$NS" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
		ip netns del "$NS" 2>/dev/null
	fi
	[ -n "$TMUX_SESS" ] && tmux kill-session -t "$TMUX_SESS" 2>/dev/null
	[ -n "$WORK" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- helpers

# Wall clock in nanoseconds (CLOCK_REALTIME, as the dump lines).
now_ns() {
	local t=${EPOCHREALTIME/./}
	echo "${t}000"
}

# fdiv A B [DIGITS]: A / B with DIGITS decimals.
fdiv() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { if (b == 0) print "n/a"; else printf "%.*f\n", d, a / b }'; }

# verdict VALUE LIMIT: "ok" when VALUE <= LIMIT, "MISSED" when over, "n/a"
# when VALUE is no number.
verdict() {
	awk -v v="$1" -v l="$2" 'BEGIN {
		if (v ~ /^never/) print "MISSED"; else if (v !~ /^[0-9.]+$/) print "n/a"; else print (v + 0 <= l + 0) ? "ok" : "MISSED" }'
}

# median of the arguments (numbers).
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

in_ns() { ip netns exec "$NS" "$@"; }

ct_count() { in_ns conntrack -C 2>/dev/null; }

# Dump lines of a flowtop stderr file as "seq kind flows real_ns".
dumps() {
	sed -n 's/^flowtop: ui: test: dump seq=\([0-9]*\) kind=\([0-9]*\) flows=\([0-9]*\) real_ns=\([0-9]*\)$/\1 \2 \3 \4/p' "$1"
}

# ft_start NAME ARGS...: flowtop-testhooks in the namespace, stdout to
# /dev/null, stderr to $WORK/NAME.err. FT_PID is the collector itself
# (ip netns exec and env exec it), FT_T0 the wall clock just before.
ft_start() {
	local name=$1
	shift
	FT_ERR=$WORK/$name.err
	# Made here, not by the background redirection, so that a reader
	# polling it right away finds it.
	: >"$FT_ERR"
	FT_T0=$(now_ns)
	ip netns exec "$NS" env FLOWTOP_TEST_TIMING=1 "$FT" "${FT_ARGS[@]}" "$@" \
		>/dev/null 2>"$FT_ERR" </dev/null &
	FT_PID=$!
	PIDS+=("$FT_PID")
	FT_CHILDREN=()
}

# ft_children: FT_CHILDREN gets the collector's children (resolver, ui);
# they are recorded for the cleanup. 1 unless both are there.
ft_children() {
	local p
	FT_CHILDREN=()
	for p in $(pgrep -P "$FT_PID" 2>/dev/null); do
		FT_CHILDREN+=("$p")
		PIDS+=("$p")
	done
	[ "${#FT_CHILDREN[@]}" -ge 2 ] && return 0
	BENCH_RC=1
	return 1
}

# ft_wait_seq SEQ SECONDS: wait for dump line SEQ; 1 when flowtop ended or
# the time ran out first (FT_WHY says which).
ft_wait_seq() {
	local seq=$1 end=$(($(now_ns) + $2 * 1000000000))
	FT_WHY=
	# Any wait that fails makes the bench's exit status 1 (the figures of
	# a run that did measure something are still printed).
	while :; do
		if dumps "$FT_ERR" | awk -v s="$seq" '$1 >= s { f = 1 } END { exit !f }'; then
			return 0
		fi
		if ! kill -0 "$FT_PID" 2>/dev/null; then
			BENCH_RC=1
			FT_WHY="flowtop exited: $(grep -v '^flowtop: \(ui: \)\?test:' "$FT_ERR" | grep -v 'not found, using' | head -n 2 | paste -sd ' ')"
			return 1
		fi
		if [ "$(now_ns)" -ge "$end" ]; then
			BENCH_RC=1
			FT_WHY="no dump seq=$seq within $2 s"
			return 1
		fi
		sleep 0.05
	done
}

# ft_stop: SIGTERM the collector (it stops its children), wait up to 10 s,
# then KILL what is left.
ft_stop() {
	local i p
	kill_ours TERM "$FT_PID"
	for i in $(seq 100); do
		kill -0 "$FT_PID" 2>/dev/null || break
		sleep 0.1
	done
	for p in "$FT_PID" "${FT_CHILDREN[@]}"; do
		kill_ours KILL "$p"
	done
	wait "$FT_PID" 2>/dev/null
	return 0
}

# cpu_ticks PID...: utime+stime of each, summed (fields 14 and 15; the
# comm in field 2 may hold spaces, so count from the closing parenthesis).
cpu_ticks() {
	local p s sum=0 rest
	local -a f
	for p in "$@"; do
		s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		rest=${s##*) }
		# rest starts at field 3 (state): utime is its 12th word.
		read -r -a f <<<"$rest"
		sum=$((sum + f[11] + f[12]))
	done
	echo "$sum"
}

# status_kb PID FIELD: VmRSS/VmHWM in kB.
status_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null; }

comm_of() { cat "/proc/$1/comm" 2>/dev/null; }

fill_to() {
	local want=$1 have out
	have=$FILLED
	[ "$want" -le "$have" ] && return 0
	if ! out=$(timeout -k 2 120 ip netns exec "$NS" "$CTLOAD" fill "$((want - have))" --from "$have" 2>&1); then
		say "ctload fill failed: $out"
		return 1
	fi
	FILLED=$want
	say "$out"
}

# table_for N: a limit and, for the 1M size, a hash size that fit N
# entries; what was there is put back by cleanup. 1 when they can't be set.
table_for() {
	local n=$1 max
	max=$(cat "$SYSCTL/nf_conntrack_max")
	if [ "$n" -gt "$max" ]; then
		[ -n "$OLD_MAX" ] || OLD_MAX=$max
		echo "$BIG_BUCKETS" >"$SYSCTL/nf_conntrack_max" || return 1
	fi
	if [ "$n" -ge "$BIG" ] && [ "$(cat "$SYSCTL/nf_conntrack_buckets")" -lt "$BIG_BUCKETS" ]; then
		[ -n "$OLD_BUCKETS" ] || OLD_BUCKETS=$(cat "$SYSCTL/nf_conntrack_buckets")
		echo "$BIG_BUCKETS" >"$SYSCTL/nf_conntrack_buckets" || return 1
	fi
	R_BUCKETS[$n]=$(cat "$SYSCTL/nf_conntrack_buckets")
}

# ---------------------------------------------------------------- checks

if [ "$(id -u)" -ne 0 ]; then
	say "skipped: needs root (network namespaces, conntrack)"
	exit 0
fi
missing=
for t in ip nft conntrack pgrep timeout awk; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
	say "skipped: missing$missing"
	exit 0
fi
for b in "$FT" "$CTLOAD"; do
	if [ ! -x "$b" ]; then
		say "$b is not built (make testhooks; make bench builds ctload)"
		exit 1
	fi
done

WORK=$(mktemp -d /tmp/ft-bench.XXXXXX)
if ! ip netns add "$NS" 2>"$WORK/ns.err"; then
	say "cannot make a namespace: $(cat "$WORK/ns.err")"
	exit 1
fi
NS_MADE=1
if ! { in_ns ip link set lo up &&
	in_ns nft -f - <<-'EOF'
		table inet flowtop_bench {
			chain output {
				type filter hook output priority filter; policy accept;
				ct state new,established,related accept
			}
		}
	EOF
} 2>"$WORK/ns.err"; then
	say "cannot set up $NS: $(cat "$WORK/ns.err")"
	exit 1
fi
FILLED=0

echo "== bench_collector ($(nproc) CPUs, $(uname -r), namespace $NS, nf_conntrack_max $(cat "$SYSCTL/nf_conntrack_max"), nf_conntrack_buckets $(cat "$SYSCTL/nf_conntrack_buckets"), load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo "flowtop-testhooks ${FT_ARGS[*]}"

# Results, printed as tables at the end (the progress goes to stderr).
declare -A R_CT R_CTU R_CTS R_FT R_FTNOTE R_CPU R_CPUP R_DUMPS R_CH R_SCR \
	R_BUCKETS R_MEM R_BPF R_ONCE R_ONCE_NAMES
BASE_RSS=

# ---------------------------------------------------------------- baseline

# An empty table: the RSS every process has anyway.
measure_baseline() {
	local p sum=0 rss
	ft_start base -t 1 --count 1000
	if ! ft_wait_seq 3 20 || ! ft_children; then
		say "baseline: ${FT_WHY:-the resolver and ui did not appear}"
		ft_stop
		return 1
	fi
	for p in "$FT_PID" "${FT_CHILDREN[@]}"; do
		rss=$(status_kb "$p" VmRSS)
		sum=$((sum + ${rss:-0}))
	done
	BASE_RSS=$sum
	ft_stop
}

# ---------------------------------------------------------------- startup

# ct_dump: one `conntrack -L > /dev/null`; CT_NS its wall time, CT_US its
# "user sys" seconds (from /usr/bin/time; empty without it).
ct_dump() {
	local t0 t1
	CT_US=
	t0=$(now_ns)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%U %S' -o "$WORK/ct.time" ip netns exec "$NS" conntrack -L >/dev/null 2>&1
		t1=$(now_ns)
		CT_US=$(tail -n 1 "$WORK/ct.time")
	else
		in_ns conntrack -L >/dev/null 2>&1
		t1=$(now_ns)
	fi
	CT_NS=$((t1 - t0))
}

measure_startup() {
	local n=$1 i ct=() us=() ft=() line why='' d note=''
	for i in $(seq "$STARTUP_RUNS"); do
		ct_dump
		ct+=("$CT_NS")
		us+=("$CT_US")
	done
	# The user and system time of the run whose wall time is the median.
	for i in "${!ct[@]}"; do
		[ "${ct[i]}" = "$(median "${ct[@]}")" ] || continue
		read -r R_CTU[$n] R_CTS[$n] <<<"${us[i]:-n/a n/a}"
		break
	done
	for i in $(seq "$STARTUP_RUNS"); do
		ft_start "startup-$n-$i" --count 2 -t 5
		if ft_wait_seq 1 60; then
			line=$(dumps "$FT_ERR" | awk '$1 == 1')
			ft+=($(( ${line##* } - FT_T0 )))
			# The first dump should hold the whole table; a shortfall
			# is reported beside the time, not instead of it.
			read -r -a d <<<"$line"
			[ "${d[2]}" = "$n" ] || note="first dump: ${d[2]} of $n flows"
		else
			why=$FT_WHY
		fi
		ft_stop
		[ -n "$why" ] && break
	done
	R_CT[$n]=$(median "${ct[@]}")
	if [ -n "$why" ]; then
		R_FT[$n]="n/a ($why)"
	else
		R_FT[$n]=$(median "${ft[@]}")
	fi
	R_FTNOTE[$n]=$note
	say "startup at $n: conntrack -L ${ct[*]} ns; flowtop ${ft[*]:-none} ns${why:+ ($why)}${note:+ ($note)}"
}

# ---------------------------------------------------------------- CPU, memory

measure_cpu() {
	local n=$1 a b t0 t1 d0 d1 p per=() sum=0 hwm rss tot_hwm=0 tot_rss=0
	ft_start "cpu-$n" -t 1 --count 1000
	# Two dumps first: the start-up is not the steady state.
	if ! ft_wait_seq 2 90 || ! ft_children; then
		R_CPU[$n]="n/a (${FT_WHY:-the resolver and ui did not appear})"
		ft_stop
		return
	fi
	d0=$(dumps "$FT_ERR" | wc -l)
	a=$(cpu_ticks "$FT_PID" "${FT_CHILDREN[@]}")
	for p in "$FT_PID" "${FT_CHILDREN[@]}"; do
		per+=("$(cpu_ticks "$p")")
	done
	t0=$(now_ns)
	sleep "$CPU_SECS"
	b=$(cpu_ticks "$FT_PID" "${FT_CHILDREN[@]}")
	t1=$(now_ns)
	d1=$(dumps "$FT_ERR" | wc -l)
	if ! kill -0 "$FT_PID" 2>/dev/null; then
		R_CPU[$n]="n/a (flowtop exited during the measurement)"
		ft_stop
		return
	fi
	# % of one core = ticks / HZ / seconds * 100.
	R_CPU[$n]=$(awk -v t="$((b - a))" -v hz="$HZ" -v ns="$((t1 - t0))" \
		'BEGIN { printf "%.1f", t / hz / (ns / 1e9) * 100 }')
	R_CPUP[$n]=
	local i=0
	for p in "$FT_PID" "${FT_CHILDREN[@]}"; do
		[ -n "${R_CPUP[$n]}" ] && R_CPUP[$n]+=" "
		R_CPUP[$n]+="$(comm_of "$p")=$(awk -v t="$(($(cpu_ticks "$p") - per[i]))" -v hz="$HZ" -v ns="$((t1 - t0))" \
			'BEGIN { printf "%.1f%%", t / hz / (ns / 1e9) * 100 }')"
		i=$((i + 1))
	done
	R_DUMPS[$n]=$((d1 - d0))
	if [ "$n" -ge "$MEM_FROM" ]; then
		R_MEM[$n]=
		for p in "$FT_PID" "${FT_CHILDREN[@]}"; do
			hwm=$(status_kb "$p" VmHWM)
			rss=$(status_kb "$p" VmRSS)
			tot_hwm=$((tot_hwm + ${hwm:-0}))
			tot_rss=$((tot_rss + ${rss:-0}))
			R_MEM[$n]+="$(printf '  %-16s %10s kB %10s kB' "$(comm_of "$p")" "$hwm" "$rss")"$'\n'
		done
		R_MEM[$n]+="$(printf '  %-16s %10s kB %10s kB' total "$tot_hwm" "$tot_rss")"
		[ -n "$BASE_RSS" ] &&
			R_BPF[$n]=$(fdiv "$(( (tot_rss - BASE_RSS) * 1024 ))" "$n" 0)
	fi
	ft_stop
}

# ---------------------------------------------------------------- churn

CHURN_FROM=0
# table_exact STOP KERNEL: seconds from STOP until a flow was last added
# to or removed from the ui's table (its line at exit), if it then held
# the kernel's count; 0.00 when that was before STOP; "never" otherwise.
table_exact() {
	local stop=$1 kernel=$2 line
	line=$(sed -n 's/^flowtop: ui: test: table flows=\([0-9]*\) changed_real_ns=\([0-9]*\)$/\1 \2/p' "$FT_ERR" | tail -n 1)
	[ -n "$line" ] || { echo "never (no table line from the ui)"; return; }
	set -- $line
	[ "$1" = "$kernel" ] || { echo "never (ui $1 vs kernel $kernel)"; return; }
	if [ "$2" -le "$stop" ]; then echo 0.00; else fdiv "$(($2 - stop))" 1000000000 2; fi
}

# measure_churn R: R_CH[R]="achieved|resyncs|snapshot exact after|table
# exact after|seconds between snapshots at the end".
measure_churn() {
	local r=$1 out achieved stop c line conv='' resyncs end d table every
	ft_start "churn-$r" -t 1 --count 1000
	if ! ft_wait_seq 2 30 || ! ft_children; then
		R_CH[$r]="n/a (${FT_WHY:-the resolver and ui did not appear})"
		ft_stop
		return
	fi
	out=$(timeout -k 2 $((CHURN_SECS + 60)) ip netns exec "$NS" "$CTLOAD" churn "$r" "$CHURN_SECS" --from "$CHURN_FROM" 2>&1)
	stop=$(now_ns)
	CHURN_FROM=$((CHURN_FROM + r * CHURN_SECS))
	say "$out"
	achieved=$(sed -n 's/.* achieved=\([0-9]*\)\/s.*/\1/p' <<<"$out")
	if ! kill -0 "$FT_PID" 2>/dev/null; then
		R_CH[$r]="${achieved:-?} n/a (flowtop died during the churn: $(grep -v '^flowtop: \(ui: \)\?test:' "$FT_ERR" | head -n 1))"
		ft_stop
		return
	fi
	# Poll the kernel's count and the ui's latest dump every 0.2 s, for
	# up to 15 s; the first dump completed after the churn ended whose
	# count equals the kernel's marks the snapshot's convergence.
	end=$((stop + 15000000000))
	while [ "$(now_ns)" -lt "$end" ]; do
		c=$(ct_count)
		line=$(dumps "$FT_ERR" | tail -n 1)
		if [ -n "$line" ]; then
			read -r -a d <<<"$line"
			if [ "${d[3]}" -gt "$stop" ] && [ "${d[2]}" = "$c" ]; then
				conv=$(fdiv "$((d[3] - stop))" 1000000000 2)
				break
			fi
		fi
		kill -0 "$FT_PID" 2>/dev/null || break
		sleep 0.2
	done
	ft_stop
	resyncs=$(sed -n 's/^flowtop: test: \([0-9]*\) resyncs$/\1/p' "$FT_ERR")
	table=$(table_exact "$stop" "$(ct_count)")
	# The snapshots' spacing in force: the last cadence the ui was told.
	every=$(sed -n 's/^flowtop: ui: .*refreshing every \([0-9.]*\) s.*$/\1/p' "$FT_ERR" | tail -n 1)
	if [ -z "$conv" ]; then
		line=$(dumps "$FT_ERR" | tail -n 1)
		conv="never (15 s; ui ${line:+$(echo "$line" | awk '{ print $3 }')} vs kernel $(ct_count))"
	fi
	R_CH[$r]="${achieved:-?}|${resyncs:-?}|$conv|$table|${every:-1.0}"
}

# ---------------------------------------------------------------- run

read -r -a sizes <<<"$SIZES"
# Memory is measured at 250k flows and over (the largest size if all are
# smaller).
MEM_FROM=250000
[ "${sizes[${#sizes[@]} - 1]}" -lt "$MEM_FROM" ] && MEM_FROM=${sizes[${#sizes[@]} - 1]}

# --once as a user runs it, end to end: the installed binary (no test
# lines), JSON to /dev/null as conntrack -L's output; seconds from its
# start to its exit less the 1 s interval it waits, median of ONCE_RUNS.
# NAMES=1: names on (every lookup fails in the namespace: no DNS server,
# no GeoIP database). Sets ONCE_NS ("n/a (why)" when a run failed).
measure_once() {
	local names=$1 i t0 t1 rc runs=() args=(--once -46TU -o json --conf-dir "$ROOT/conf")
	[ "$names" = 1 ] || args+=(-n -G)
	for i in $(seq "$ONCE_RUNS"); do
		t0=$(now_ns)
		timeout -k 2 120 ip netns exec "$NS" "$FT_SCREEN" "${args[@]}" \
			>/dev/null 2>"$WORK/once.err" </dev/null
		rc=$?
		if [ "$rc" != 0 ]; then
			BENCH_RC=1
			if [ "$rc" = 124 ]; then
				ONCE_NS="n/a (no exit within 120 s)"
			else
				ONCE_NS="n/a (exit $rc: $(grep -v 'GeoIP database\|not found, using' "$WORK/once.err" | head -n 1))"
			fi
			return
		fi
		t1=$(now_ns)
		runs+=($((t1 - t0 - 1000000000)))
	done
	ONCE_NS=$(median "${runs[@]}")
	say "--once (names $names): ${runs[*]} ns less the interval"
}
# The same, with the interactive screen in a tmux pane (160x50) instead of
# the JSON printer: what a user watching flowtop costs. The production
# binary, so that no test line lands on the screen.
measure_cpu_screen() {
	local n=$1 pane pid a b t0 t1 kids=() p i
	if ! command -v tmux >/dev/null; then
		R_SCR[$n]="n/a (no tmux)"
		return
	fi
	TMUX_SESS=ftbench$$
	tmux new-session -d -s "$TMUX_SESS" -x 160 -y 50 \
		"exec ip netns exec $NS $FT_SCREEN -n -G -46TUIS -t 1 --conf-dir $ROOT/conf"
	pane=$(tmux display -p -t "$TMUX_SESS" '#{pane_pid}' 2>/dev/null)
	for i in $(seq 50); do
		pid=$pane
		[ "$(comm_of "$pid")" = flowtop ] || pid=$(pgrep -P "$pane" -x flowtop | head -n1)
		[ -n "$pid" ] && [ "$(pgrep -P "$pid" | wc -l)" -ge 2 ] && break
		sleep 0.2
	done
	kids=($(pgrep -P "${pid:-0}" 2>/dev/null))
	if [ "${#kids[@]}" -lt 2 ]; then
		R_SCR[$n]="n/a (the screen did not start: $(tmux capture-pane -p -t "$TMUX_SESS" 2>/dev/null | grep -m1 .))"
		tmux kill-session -t "$TMUX_SESS" 2>/dev/null
		TMUX_SESS=
		return
	fi
	sleep 3         # past the start-up, as for the JSON run
	local per=()
	for p in "$pid" "${kids[@]}"; do
		per+=("$(cpu_ticks "$p")")
	done
	a=$(cpu_ticks "$pid" "${kids[@]}")
	t0=$(now_ns)
	sleep "$CPU_SECS"
	b=$(cpu_ticks "$pid" "${kids[@]}")
	t1=$(now_ns)
	R_SCR[$n]=$(awk -v t="$((b - a))" -v hz="$HZ" -v ns="$((t1 - t0))" \
		'BEGIN { printf "%5.1f%% ", t / hz / (ns / 1e9) * 100 }')
	i=0
	for p in "$pid" "${kids[@]}"; do
		R_SCR[$n]+=" $(comm_of "$p")=$(awk -v t="$(($(cpu_ticks "$p") - per[i]))" -v hz="$HZ" -v ns="$((t1 - t0))" \
			'BEGIN { printf "%.1f%%", t / hz / (ns / 1e9) * 100 }')"
		i=$((i + 1))
	done
	kill -0 "$pid" 2>/dev/null || R_SCR[$n]="n/a (flowtop exited during the measurement)"
	tmux kill-session -t "$TMUX_SESS" 2>/dev/null
	TMUX_SESS=
	sleep 0.5
}

say "baseline (empty table)"
measure_baseline
churned=0
for n in $SIZES; do
	if ! table_for "$n"; then
		say "cannot make the table hold $n entries"
		BENCH_RC=1
		break
	fi
	fill_to "$n" || break
	say "$n flows (hash size ${R_BUCKETS[$n]}): startup"
	measure_startup "$n"
	say "$n flows: CPU"
	measure_cpu "$n"
	say "$n flows: CPU with the screen"
	measure_cpu_screen "$n"
	if [ "$n" -ge 250000 ]; then
		say "$n flows: --once"
		measure_once 0
		R_ONCE[$n]=$ONCE_NS
		measure_once 1
		R_ONCE_NAMES[$n]=$ONCE_NS
	fi
	if [ "$churned" = 0 ]; then
		churned=1
		for r in $CHURN_RATES; do
			say "churn $r/s on $n flows"
			measure_churn "$r"
		done
		CHURN_BASE=$n
	elif [ "$n" = "$BIG" ]; then
		# The issue wants churn absorbed at 1M too: the top rate there.
		say "churn 100000/s on $n flows"
		keep=${R_CH[100000]:-}
		measure_churn 100000
		R_CH_BIG=${R_CH[100000]}
		R_CH[100000]=$keep
	fi
done

# ---------------------------------------------------------------- report

echo
echo "startup: first complete dump at the ui vs. conntrack -L > /dev/null (median of $STARTUP_RUNS; target ratio <= 1.0)"
echo "  (conntrack -L user/sys: the run with the median wall time; the kernel's own dump is most of sys)"
printf '  %8s %8s %14s %13s %14s %7s  %s\n' flows buckets "conntrack -L" "user/sys" flowtop ratio verdict
for n in $SIZES; do
	[ -n "${R_CT[$n]:-}" ] || continue
	ct_s=$(fdiv "${R_CT[$n]}" 1000000000 3)
	us="${R_CTU[$n]:-?}/${R_CTS[$n]:-?} s"
	case ${R_FT[$n]} in
	n/a*)	printf '  %8s %8s %12s s %13s %14s\n' "$n" "${R_BUCKETS[$n]}" "$ct_s" "$us" "${R_FT[$n]}" ;;
	*)	ratio=$(fdiv "${R_FT[$n]}" "${R_CT[$n]}" 2)
		printf '  %8s %8s %12s s %13s %12s s %7s  %s%s\n' "$n" "${R_BUCKETS[$n]}" "$ct_s" "$us" \
			"$(fdiv "${R_FT[$n]}" 1000000000 3)" "$ratio" "$(verdict "$ratio" 1.0)" \
			"${R_FTNOTE[$n]:+ (${R_FTNOTE[$n]})}" ;;
	esac
done

echo
echo "CPU: all three processes over ${CPU_SECS} s of 1 s intervals, % of one core (target at ${SIZES%% *}: < 3%)"
printf '  %8s %7s %6s  %s\n' flows total dumps "per process"
for n in $SIZES; do
	[ -n "${R_CPU[$n]:-}" ] || continue
	case ${R_CPU[$n]} in
	n/a*)	printf '  %8s %s\n' "$n" "${R_CPU[$n]}" ;;
	*)	printf '  %8s %6s%% %6s  %s\n' "$n" "${R_CPU[$n]}" "${R_DUMPS[$n]}" "${R_CPUP[$n]}" ;;
	esac
done

echo
echo "CPU with the interactive screen (tmux pane 160x50, 1 s interval), all three processes, % of one core"
for n in $SIZES; do
	[ -n "${R_SCR[$n]:-}" ] && printf '  %8s %s\n' "$n" "${R_SCR[$n]}"
done

echo
for n in $SIZES; do
	[ "$n" -ge "$MEM_FROM" ] || continue
	echo "memory at $n flows, JSON printer run (target <= 300 B/flow at 1M, all processes together)"
	if [ -z "${R_MEM[$n]:-}" ]; then
		echo "  n/a (no measurement)"
		continue
	fi
	printf '  %-16s %13s %13s\n' process VmHWM VmRSS
	printf '%s\n' "${R_MEM[$n]}"
	echo "  empty-table VmRSS total: ${BASE_RSS:-n/a} kB; bytes per flow: ${R_BPF[$n]:-n/a}"
done

echo
echo "--once -46TU -o json, end to end less the 1 s interval, vs. conntrack -L (median of $ONCE_RUNS; target ratio <= 1.0 at 250k with -n -G)"
printf '  %8s %14s %18s %7s %18s %7s\n' flows "conntrack -L" "-n -G" ratio "names on" ratio
for n in $SIZES; do
	[ -n "${R_ONCE[$n]:-}" ] || continue
	row=$(printf '  %8s %12s s' "$n" "$(fdiv "${R_CT[$n]}" 1000000000 3)")
	for v in "${R_ONCE[$n]}" "${R_ONCE_NAMES[$n]}"; do
		case $v in
		n/a*)	row+=$(printf ' %26s' "$v") ;;
		*)	row+=$(printf ' %16s s %7s' "$(fdiv "$v" 1000000000 3)" "$(fdiv "$v" "${R_CT[$n]}" 2)") ;;
		esac
	done
	echo "$row"
done

echo
echo "churn: R creates + R destroys per second (2R events/s) for ${CHURN_SECS} s, flowtop -t 1 -o json (target: converged within 2 intervals = 2 s)"
echo "  table: the ui's table (what the screen shows) last changed, and then held the kernel's count"
echo "  snapshot: the first JSON snapshot after the churn that held the kernel's count (snapshots every: the cadence in force)"
printf '  %8s %8s %11s %10s %8s %12s %15s %10s\n' flows "R/s" "achieved/s" "events/s" resyncs table snapshot "every"
churn_row() {
	local n=$1 r=$2 v=$3 a rs cv tb ev
	case $v in
	*"n/a ("*) printf '  %8s %8s %s\n' "$n" "$r" "$v"; return ;;
	esac
	IFS='|' read -r a rs cv tb ev <<<"$v"
	printf '  %8s %8s %11s %10s %8s %12s %15s %8s s\n' "$n" "$r" "$a" \
		"$(awk -v a="$a" 'BEGIN { if (a ~ /^[0-9]+$/) print a * 2; else print "?" }')" \
		"$rs" "${tb%% *}${tb:+ s}" "${cv%% *}${cv:+ s}" "$ev"
	case "$tb $cv" in *never*) echo "    never: table $tb; snapshot $cv" ;; esac
}
for r in $CHURN_RATES; do
	[ -n "${R_CH[$r]:-}" ] && churn_row "${CHURN_BASE:-?}" "$r" "${R_CH[$r]}"
done
[ -n "${R_CH_BIG:-}" ] && churn_row "$BIG" 100000 "$R_CH_BIG"
# The issue's targets, one line each (n/a: not measured in this run).
scr_pct() { awk '{ sub(/%/, "", $1); print $1 }' <<<"${R_SCR[$1]:-n/a}"; }
ratio_of() { case ${1:-n/a} in n/a*) echo n/a ;; *) fdiv "$1" "$2" 2 ;; esac; }
# worst_conv FIELD: the largest of that field (3 snapshot, 4 table) over
# the churn rates on the base table; "never" if one never converged.
worst_conv() {
	local r v w=0
	for r in $CHURN_RATES; do
		v=$(cut -d'|' -f"$1" <<<"${R_CH[$r]:-||n/a|n/a}")
		case $v in
		never*|n/a*|'') echo never; return ;;
		esac
		w=$(awk -v a="$w" -v b="$v" 'BEGIN { print (b > a) ? b : a }')
	done
	printf '%.2f\n' "$w"
}
big_conv() {
	local v
	v=$(cut -d'|' -f"$1" <<<"${R_CH_BIG:-||n/a|n/a}")
	case $v in never*|'') echo never ;; *) echo "${v%% *}" ;; esac
}
target() { printf '  %-58s %10s %8s  %s\n' "$1" "$2" "$3" "$(verdict "$2" "$3")"; }
echo
echo "targets (issue 14): figure, measured, limit, verdict"
target "screen, 10k flows, 1 s, all processes, % of a core (${R_BUCKETS[10000]:-?} buckets)" "$(scr_pct 10000)" 2
target "screen, 250k flows, % of a core" "$(scr_pct 250000)" 15
target "startup at 1M flows / conntrack -L" "$(ratio_of "${R_FT[$BIG]:-}" "${R_CT[$BIG]:-0}")" 1.0
target "memory at 1M flows, all processes, bytes per flow" "${R_BPF[$BIG]:-n/a}" 300
target "--once -o json -n -G at 250k, less the interval / conntrack -L" "$(ratio_of "${R_ONCE[250000]:-}" "${R_CT[250000]:-0}")" 1.0
target "churn: the ui's table exact after, seconds (2 intervals)" "$(worst_conv 4)" 2.0
target "churn: first JSON snapshot exact after, seconds" "$(worst_conv 3)" 2.0
target "churn 100k/s on 1M flows: the ui's table exact after, s" "$(big_conv 4)" 2.0
target "churn 100k/s on 1M flows: first JSON snapshot exact after, s" "$(big_conv 3)" 2.0
# A snapshot needs a dump, and at 1M dumps are spaced twice their length
# (the ui is told, and says so on stderr): the same in those intervals.
big_every=$(big_conv 5)
big_snaps=$(awk -v c="$(big_conv 3)" -v e="$big_every" 'BEGIN {
	if (c ~ /^[0-9.]+$/ && e ~ /^[0-9.]+$/ && e > 0) printf "%.2f", c / e; else print "n/a" }')
target "  the same in snapshot intervals (every $big_every s at 1M)" "$big_snaps" 2
exit "$BENCH_RC"
