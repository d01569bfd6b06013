#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# bench_ipfix: how many IPFIX records a second --ipfix delivers to a local
# collector (nfdump's nfcapd on 127.0.0.1, UDP), and whether any is lost,
# on ctload's synthetic entries in a namespace made for it (root, ip,
# conntrack, nfcapd, nfdump, build/flowtop, build/bench/ctload).
# `make bench-ipfix`.
#
# Prints, beside the machine's facts and `conntrack -L` on the same table:
#   burst   N entries (BENCH_IPFIX_SIZE, 200000) made at once, all due
#           together at the first idle timeout (--ipfix-idle 1): the
#           records nfcapd stored against N, its sequence errors and the
#           kernel's UDP receive drops, flowtop's own drop count, how long
#           the records took to arrive (the first and last datagram at the
#           collector's socket) and so the rate, and the exporter's and
#           the ui's CPU time for them;
#   churn   ctload creating and destroying R entries a second
#           (BENCH_IPFIX_CHURN, 100000) for S seconds (BENCH_IPFIX_SECS,
#           10), each living about 50 ms: one "end of flow" record each, so
#           R records a second sustained; the records stored against the
#           entries ctload made, and the shares of a core of the collector,
#           the ui and the exporter.
# nfcapd gets a 4 MiB receive buffer (-B), as a collector taking bursts
# should; with its default (208 KiB) a burst overruns it however it is
# sent.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FLOWTOP=${FLOWTOP:-$ROOT/flowtop}
CTLOAD=${CTLOAD:-$ROOT/build/bench/ctload}
SIZE=${BENCH_IPFIX_SIZE:-200000}
CHURN=${BENCH_IPFIX_CHURN:-100000}
SECS=${BENCH_IPFIX_SECS:-10}
NS=ftipfix$$
WORK=$(mktemp -d /tmp/ft-bench-ipfix.XXXXXX) || exit 1
chmod 755 "$WORK"
BENCH=bench_ipfix
BENCH_COMMS=nfcapd
# shellcheck source=tests/bench/bench_ns.sh
source "$ROOT/tests/bench/bench_ns.sh"
for t in nfcapd nfdump conntrack; do
	command -v "$t" >/dev/null || { say "$t missing: scripts/install-deps.sh"; exit 1; }
done

secs() { awk -v t="$1" -v hz="$HZ" 'BEGIN { printf "%.2f", t / hz }'; }
# udp FIELD: a counter of the namespace's Udp line in /proc/net/snmp.
udp() { ip netns exec "$NS" awk -v f="$1" '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print $c[f] }' /proc/net/snmp; }

# collector NAME: nfcapd on 127.0.0.1:4739 writing to $WORK/NAME.
collector() {
	mkdir -p "$WORK/$1"
	ip netns exec "$NS" nfcapd -b 127.0.0.1 -p 4739 -w "$WORK/$1" -t 3600 \
		-B 4194304 >"$WORK/$1.log" 2>&1 &
	NFC=$!
	PIDS+=($NFC)
	for _ in $(seq 50); do
		[ -n "$(ip netns exec "$NS" ss -Huln 'sport = :4739')" ] && return 0
		sleep 0.1
	done
	say "nfcapd did not start: $(cat "$WORK/$1.log")"
	exit 1
}
# collector_stop NAME: its flows, from its file (written as it ends).
collector_stop() {
	kill -TERM "$NFC"
	wait "$NFC" 2>/dev/null
	nfdump -q -N -R "$WORK/$1" -o 'fmt:%sa %da' 2>"$WORK/$1.nfdump.err" |
		grep -c .
	[ -s "$WORK/$1.nfdump.err" ] && say "nfdump: $(head -n 3 "$WORK/$1.nfdump.err")" 
}

# run_ft NAME ARGS...: flowtop in the namespace; FT, UI, IX its pids.
run_ft() {
	local name=$1
	shift
	ip netns exec "$NS" timeout 300 "$FLOWTOP" -46TU -n -G -t 1 \
		--ipfix udp://127.0.0.1:4739 -o none "$@" 2>"$WORK/$name.err" &
	PIDS+=($!)
	for _ in $(seq 100); do
		FT=$(child "$!" flowtop)
		IX=$(child "${FT:-0}" flowtop-ipfix)
		UI=$(child "${FT:-0}" flowtop-ui)
		[ -n "$UI" ] && [ -n "$IX" ] && break
		sleep 0.1
	done
	PIDS+=($FT $UI $IX)
}

# ---------------------------------------------------------------- burst
out=$(ip netns exec "$NS" "$CTLOAD" fill "$SIZE" 2>&1) || { say "ctload fill: $out"; exit 1; }
t0=$EPOCHREALTIME
CT_L=$(ip netns exec "$NS" conntrack -L 2>/dev/null | wc -l)
CT_L_S=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
collector burst
d0=$(udp InDatagrams)
e0=$(udp RcvbufErrors)
run_ft burst --ipfix-idle 1
ui0=$(ticks "$UI") ix0=$(ticks "$IX")
# The records' datagrams' arrival, sampled every 10 ms: the first and the
# last. The exporter's first datagram is its templates, at its start.
first= last= prev=$((d0 + 1))
end=$(( EPOCHSECONDS + 60 ))
while [ "$EPOCHSECONDS" -lt "$end" ]; do
	now=$EPOCHREALTIME
	d=$(udp InDatagrams)
	if [ "$d" -gt "$prev" ]; then
		[ -z "$first" ] && first=$now
		last=$now
		prev=$d
	elif [ -n "$last" ] && awk -v a="$last" -v b="$now" 'BEGIN { exit !(b - a > 2) }'; then
		break           # 2 s without one: the burst is over
	fi
	sleep 0.01
done
UI_T=$(( $(ticks "$UI") - ui0 )) IX_T=$(( $(ticks "$IX") - ix0 ))
kill -TERM "$FT" 2>/dev/null
wait "$FT" 2>/dev/null
B_DROP=$(grep -o '[0-9]* of [0-9]* records dropped' "$WORK/burst.err" || echo "none")
B_FLOWS=$(collector_stop burst)
B_SEQ=$(grep -o 'Sequence Errors: [0-9]*' "$WORK/burst.log" | tail -n1)
B_RCVERR=$(( $(udp RcvbufErrors) - e0 ))
B_DGRAMS=$(( prev - d0 - 1 ))
B_SPAN=$(awk -v a="${first:-0}" -v b="${last:-0}" 'BEGIN { printf "%.3f", b - a }')
B_RATE=$(awk -v n="$B_FLOWS" -v s="$B_SPAN" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "n/a" }')
ip netns exec "$NS" "$CTLOAD" flush-synthetic >/dev/null 2>&1

# ---------------------------------------------------------------- churn
collector churn
run_ft churn
sleep 2
c0=$(ticks "$FT") u0=$(ticks "$UI") x0=$(ticks "$IX")
ip netns exec "$NS" "$CTLOAD" churn "$CHURN" "$SECS" >"$WORK/churn.out" 2>&1
C_CT=$(pct $(( $(ticks "$FT") - c0 )) "$SECS") C_UI=$(pct $(( $(ticks "$UI") - u0 )) "$SECS") C_IX=$(pct $(( $(ticks "$IX") - x0 )) "$SECS")
sleep 3         # the last ends go at the next passes
kill -TERM "$FT" 2>/dev/null
wait "$FT" 2>/dev/null
C_DROP=$(grep -o '[0-9]* of [0-9]* records dropped' "$WORK/churn.err" || echo "none")
C_FLOWS=$(collector_stop churn)
C_SEQ=$(grep -o 'Sequence Errors: [0-9]*' "$WORK/churn.log" | tail -n1)
C_MADE=$(grep -oE 'created=[0-9]+' "$WORK/churn.out" | grep -oE '[0-9]+' | tail -n1)

echo "== bench_ipfix ($(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), kernel $(uname -r), nf_conntrack_buckets $(cat /proc/sys/net/netfilter/nf_conntrack_buckets 2>/dev/null))"
echo "flowtop -46TU -n -G -t 1 --ipfix udp://127.0.0.1:4739 -o none; nfcapd -B 4194304 in the same namespace"
echo "  conntrack -L: $CT_L entries listed in $CT_L_S s (the same table)"
echo "  burst: $SIZE entries due at once (--ipfix-idle 1): nfcapd stored $B_FLOWS records in $B_DGRAMS datagrams over $B_SPAN s = $B_RATE records/s"
echo "    lost: flowtop says $B_DROP; nfcapd ${B_SEQ:-Sequence Errors: ?}; kernel UDP receive-buffer drops $B_RCVERR"
echo "    CPU for the burst: exporter $(secs "$IX_T") s, ui $(secs "$UI_T") s"
echo "  churn: ${CHURN}/s created and destroyed for ${SECS} s (ctload made ${C_MADE:-?}): nfcapd stored $C_FLOWS records"
echo "    lost: flowtop says $C_DROP; nfcapd ${C_SEQ:-Sequence Errors: ?}"
echo "    % of one core: collector $C_CT, ui $C_UI, exporter $C_IX"
