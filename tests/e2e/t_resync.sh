#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# t_resync: when the kernel drops conntrack events (ENOBUFS on the event
# socket), flowtop resynchronises from a fresh dump and its table matches
# the kernel's exactly. The test build shrinks the event socket's buffer
# (FLOWTOP_TEST_EVENT_RCVBUF) so that a burst of 3000 new flows overflows it.
source "$(dirname "$0")/lib.sh"
require_root
require_tools ip nft conntrack timeout pgrep
require_flowtop
if [ ! -x "$FLOWTOP_TESTHOOKS" ]; then
	fail "resync checks" "$FLOWTOP_TESTHOOKS missing: run make testhooks"
	e2e_finish
fi
ns_setup_or_skip

BURST=3000
FIRST_PORT=20000
# -t 3: the burst lands well inside one interval, so the events, not the
# periodic dump, must carry it, and they overflow.
ft_start burst "$NS_CLIENT" env FLOWTOP_TEST_EVENT_RCVBUF=4096 \
	"$FLOWTOP_TESTHOOKS" --count 2 -o json -4U -t 3
ft_wait_children 5 || true
sleep 0.5
# One UDP datagram to each of BURST ports: one conntrack entry each (no one
# listens, so they stay unreplied; their 30 s timeout outlives the test).
in_client "$PY" - "$S4" "$FIRST_PORT" "$BURST" <<'PYEOF'
import socket, sys
addr, first, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for port in range(first, first + n):
    s.sendto(b"x", (addr, port))
PYEOF
kernel=$(in_client conntrack -L -p udp -d "$S4" 2>/dev/null |
	awk -v lo="$FIRST_PORT" -v hi="$((FIRST_PORT + BURST))" '
	{ for (i = 1; i <= NF; i++) if ($i ~ /^dport=/) { split($i, a, "="); if (a[2] >= lo && a[2] < hi) n++; break } }
	END { print n + 0 }')

wait_pid "$FT_TPID" 30
verdict "flowtop-testhooks with a tiny event buffer exits 0" \
	"$([ "$WAIT_RC" = 0 ] || printf '%s:\n%s' "$(rc_text "$WAIT_RC")" "$(show_file "$WORK/burst.err")")"
resyncs=$(sed -n 's/^flowtop: test: \([0-9]*\) resyncs$/\1/p' "$WORK/burst.err")
verdict "the burst overflowed the event socket and flowtop resynchronised (resyncs: ${resyncs:-none})" \
	"$([ "${resyncs:-0}" -ge 1 ] || show_file "$WORK/burst.err")"
verdict "the kernel holds all $BURST burst flows (conntrack -L: $kernel)" \
	"$([ "$kernel" = "$BURST" ] || echo "conntrack -L shows $kernel")"
verdict "flowtop's last snapshot lists exactly the kernel's $BURST burst flows" \
	"$("$PY" - "$WORK/burst.out" "$S4" "$FIRST_PORT" "$BURST" <<'PYEOF'
import json, sys
path, dst, first, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
flows = [json.loads(l) for l in open(path) if l.strip()]
if not flows:
    print("no output"); sys.exit()
last = max(f["time"] for f in flows)
ports = sorted(f["dport"] for f in flows
               if f["time"] == last and f.get("proto") == "udp"
               and f.get("dst") == dst and first <= f.get("dport", 0) < first + n)
missing = sorted(set(range(first, first + n)) - set(ports))
if len(ports) != n or missing:
    print("%d burst flows in the last snapshot, %d distinct, missing e.g. %s"
          % (len(ports), len(set(ports)), missing[:5]))
PYEOF
)"
verdict "resync dumps are not snapshots: 2 snapshots, one interval (3 s) apart" \
	"$("$PY" - "$WORK/burst.out" <<'PYEOF'
import json, sys
times = sorted({json.loads(l)["time"] for l in open(sys.argv[1]) if l.strip()})
if len(times) != 2 or not 2.5 <= times[1] - times[0] <= 3.5:
    print("snapshot times: %s" % times)
PYEOF
)"
e2e_finish
