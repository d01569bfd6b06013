#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# bench_record: what --record costs, on a table of ctload's synthetic
# entries in a namespace made for it (root, ip, conntrack, build/flowtop,
# build/bench/ctload). `make bench-record`.
#
# Prints, beside the machine's facts:
#   first    the first pass: a "start" line for every flow of the table,
#            its bytes and how long after the start they were all out;
#   idle     10 s of that table at rest (-t 1): the ui's and the
#            recorder's share of a core, bytes written (the pass finds no
#            flow that moved: nothing);
#   churn    10 s of ctload creating and destroying R entries a second
#            (each lives about 50 ms): the same shares, bytes a second, and
#            how many of the churned flows have both a start and an end;
#   json     the same churn printed with -o json instead (every flow every
#            second), the cost --record is measured against;
#   learn    --learn FILE -o none instead (issue 16's first-seen alerts):
#            the ui's share at rest and under the same churn. ctload's
#            entries have no socket, so none is judged: what shows is the
#            walk of the table at each dump that looks for flows to judge,
#            over the batch ui's reading of every dump.
# Environment: BENCH_RECORD_SIZE (200000), BENCH_RECORD_CHURN (10000),
# BENCH_RECORD_SECS (10); FLOWTOP, CTLOAD (other builds).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FLOWTOP=${FLOWTOP:-$ROOT/flowtop}
CTLOAD=${CTLOAD:-$ROOT/build/bench/ctload}
SIZE=${BENCH_RECORD_SIZE:-200000}
CHURN=${BENCH_RECORD_CHURN:-10000}
SECS=${BENCH_RECORD_SECS:-10}
NS=ftrec$$
WORK=$(mktemp -d /tmp/ft-bench-record.XXXXXX) || exit 1
BENCH=bench_record
# shellcheck source=tests/bench/bench_ns.sh
source "$ROOT/tests/bench/bench_ns.sh"

bytes() { cat "$WORK"/rec* 2>/dev/null | wc -c; }

out=$(ip netns exec "$NS" "$CTLOAD" fill "$SIZE" 2>&1) || { say "ctload fill: $out"; exit 1; }
say "table: $(ip netns exec "$NS" conntrack -C) entries"

# run_ft NAME ARGS...: flowtop in the namespace for long enough; FT and
# UI (and REC) its pids once the first snapshot or record is out.
run_ft() {
	local name=$1
	shift
	# stdout: the JSON run's 200k lines a second go nowhere.
	ip netns exec "$NS" timeout 120 "$FLOWTOP" -46TU -n -G -t 1 "$@" \
		>/dev/null 2>"$WORK/$name.err" &
	PIDS+=($!)
	# ip execs timeout, whose child is flowtop.
	for _ in $(seq 100); do
		FT=$(child "$!" flowtop)
		UI=$(child "${FT:-0}" flowtop-ui)
		[ -n "$UI" ] && break
		sleep 0.1
	done
	PIDS+=($FT)
	REC=$(child "$FT" flowtop-rec)
	PIDS+=($UI $REC)
}

# share SECS PIDS...: the processes' share of a core over SECS seconds.
share() {
	local secs=$1 p out=
	shift
	declare -A t0
	for p in "$@"; do t0[$p]=$(ticks "$p"); done
	sleep "$secs"
	for p in "$@"; do out+=" $(cat "/proc/$p/comm") $(pct $(($(ticks "$p") - t0[$p])) "$secs")"; done
	echo "${out# }"
}

# ---------------------------------------------------------------- record
t0=$EPOCHREALTIME
run_ft rec --record "$WORK/rec.jsonl" --record-size 1G -o none
want=$SIZE
firsts() { [ "$(wc -l <"$WORK/rec.jsonl" 2>/dev/null || echo 0)" -ge "$want" ]; }
for _ in $(seq 600); do firsts && break; sleep 0.05; done
FIRST_S=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
FIRST_B=$(bytes)
sleep 1
b0=$(bytes)
IDLE=$(share "$SECS" "$UI" "$REC")
IDLE_B=$(( $(bytes) - b0 ))
b0=$(bytes)
ip netns exec "$NS" "$CTLOAD" churn "$CHURN" "$SECS" >"$WORK/churn.out" 2>&1 &
PIDS+=($!)
CH=$!
CHURN_SHARE=$(share "$SECS" "$UI" "$REC")
wait "$CH"
sleep 3         # the last churned flows' ends
CHURN_B=$(( $(bytes) - b0 ))
kill -TERM "$FT" 2>/dev/null
wait "$FT" 2>/dev/null
# Churned entries (ctload's K = 2): to 198.19.2.1, or from 2001:db8:2::.
read -r STARTS ENDS BOTH < <(python3 - "$WORK/rec.jsonl" <<'PYEOF'
import json, sys
s, e = set(), set()
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("dst") != "198.19.2.1" and not o.get("src", "").startswith("2001:db8:2:"):
        continue
    key = (o["id"], o["src"], o.get("sport"))
    (s if o["event"] == "start" else e if o["event"] == "end" else set()).add(key)
print(len(s), len(e), len(s & e))
PYEOF
)

# ---------------------------------------------------------------- json
run_ft json -o json
sleep 3
ip netns exec "$NS" "$CTLOAD" churn "$CHURN" "$SECS" >"$WORK/churn2.out" 2>&1 &
PIDS+=($!)
CH=$!
JSON_SHARE=$(share "$SECS" "$UI")
wait "$CH"
kill -TERM "$FT" 2>/dev/null
wait "$FT" 2>/dev/null

# ---------------------------------------------------------------- learn
run_ft learn --learn "$WORK/learn.base" -o none
sleep 3
LEARN_IDLE=$(share "$SECS" "$UI")
ip netns exec "$NS" "$CTLOAD" churn "$CHURN" "$SECS" >"$WORK/churn3.out" 2>&1 &
PIDS+=($!)
CH=$!
LEARN_CHURN=$(share "$SECS" "$UI")
wait "$CH"
kill -TERM "$FT" 2>/dev/null
wait "$FT" 2>/dev/null

echo "== bench_record ($(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), kernel $(uname -r), nf_conntrack_buckets $(cat /proc/sys/net/netfilter/nf_conntrack_buckets 2>/dev/null))"
echo "table: $SIZE entries (ctload fill), flowtop -46TU -n -G -t 1; % of one core"
echo "  first pass: $FIRST_B bytes of start lines ($(awk -v b="$FIRST_B" -v n="$SIZE" 'BEGIN { printf "%.0f", b / n }') a flow), all out ${FIRST_S} s after the start"
echo "  idle ${SECS} s:  $IDLE, $IDLE_B bytes written"
echo "  churn $CHURN/s for ${SECS} s: $CHURN_SHARE, $(( CHURN_B / SECS )) bytes a second"
echo "    churned flows recorded: $STARTS started, $ENDS ended, $BOTH with both (ctload made $((CHURN * SECS)))"
echo "  the same churn with -o json (every flow, every second), no --record: $JSON_SHARE"
echo "  --learn FILE -o none instead of --record: idle $LEARN_IDLE; churn $LEARN_CHURN"
