#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Compare what an IPFIX collector stored with what the kernel said.

  ipfix_check.py --events EVENTS --nfdump ROWS | --nfacctd JSONL |
                 --ipfixdump DUMP  --sport N [--sport N ...]
                 [--open-sport N ...] [--comm NAME] [--user NAME]
                 [--pid SPORT=PID ...] [--unit SPORT=UNIT ...]
                 [--flags SPORT=LETTERS ...]

EVENTS is `conntrack -E -e DESTROY -o extended`'s output: each closed
flow's tuple and its final counters, both ways. For every --sport (a
closed flow's original source port) the records the collector holds for
that tuple must add up to exactly those counters: bytes and packets,
forward (original) and reverse (reply). An --open-sport is a flow still
open when flowtop ended: it must have at least two records (an active
timeout's, then the forced end), none empty both ways, each starting
where the one before ended. The names, where asked, must be in every
record of the flow. Prints one line per problem; exit status 1 if any.

The three readers take what the collectors' own tools print:
  nfdump -q -N -o 'fmt:%ts %te %pr %sa %sp %da %dp %flg %ibyt %obyt %ipkt %opkt'
  nfacctd's print plugin, JSON lines (custom primitives rev_bytes,
      rev_pkts, ft_pid, ft_comm, ft_user, ft_unit)
  ipfixDump -d -e flowtop-ipfix.xml (libfixbuf-tools), our elements named
"""

import argparse
import ipaddress
import json
import re
import sys


def addr(a):
    return str(ipaddress.ip_address(a.strip("[]")))


def parse_events(path):
    """(proto, src, sport, dst, dport) -> [obytes, rbytes, opkts, rpkts]"""
    flows = {}
    for line in open(path, errors="replace"):
        if "DESTROY" not in line:
            continue
        toks = line.split()
        proto = toks[toks.index("[DESTROY]") + 3]
        kv = [t.split("=", 1) for t in toks if "=" in t]
        first = {}
        second = {}
        for k, v in kv:
            (second if k in first else first)[k] = v
        if "bytes" not in first or "bytes" not in second:
            continue
        key = (proto, addr(first["src"]), int(first["sport"]),
               addr(first["dst"]), int(first["dport"]))
        flows[key] = [int(first["bytes"]), int(second["bytes"]),
                      int(first["packets"]), int(second["packets"])]
    return flows


PROTO = {"6": "tcp", "17": "udp", "tcp": "tcp", "udp": "udp"}


def rec(proto, sa, sp, da, dp, ob, rb, op, rp, ts="", te="", **names):
    r = {"key": (PROTO.get(str(proto).lower(), str(proto)), addr(sa),
                 int(sp), addr(da), int(dp)),
         "c": [int(ob), int(rb), int(op), int(rp)], "ts": ts, "te": te}
    r.update(names)
    return r


def read_nfdump(path):
    out = []
    for line in open(path):
        t = line.split()
        if len(t) != 14:
            continue
        out.append(rec(t[4], t[5], t[6], t[7], t[8], t[10], t[11], t[12],
                       t[13], ts=t[0] + " " + t[1], te=t[2] + " " + t[3],
                       flags=t[9]))
    return out


def read_nfacctd(path):
    out = []
    for line in open(path):
        line = line.strip()
        if not line.startswith("{"):
            continue
        o = json.loads(line)
        out.append(rec(o["ip_proto"], o["ip_src"], o["port_src"],
                       o["ip_dst"], o["port_dst"], o["bytes"],
                       o["rev_bytes"], o["packets"], o["rev_pkts"],
                       ts=o.get("timestamp_start", ""),
                       te=o.get("timestamp_end", ""),
                       comm=o.get("ft_comm"), user=o.get("ft_user"),
                       pid=str(o.get("ft_pid")), unit=o.get("ft_unit")))
    return out


# ipfixDump -d prints a record as lines "  (ID) name : value" after a
# "--- data record" line; our elements by the names of the XML file.
IPFIXDUMP_FIELDS = {
    "sourceIPv4Address": "sa", "sourceIPv6Address": "sa",
    "destinationIPv4Address": "da", "destinationIPv6Address": "da",
    "sourceTransportPort": "sp", "destinationTransportPort": "dp",
    "protocolIdentifier": "proto", "octetDeltaCount": "ob",
    "reverseOctetDeltaCount": "rb", "packetDeltaCount": "op",
    "reversePacketDeltaCount": "rp", "flowStartMilliseconds": "ts",
    "flowEndMilliseconds": "te", "flowtopProcessName": "comm",
    "flowtopUserName": "user", "flowtopProcessId": "pid",
    "flowtopSystemdUnit": "unit", "tcpControlBits": "flags",
    "flowEndReason": "reason",
}


def read_ipfixdump(path):
    out = []
    cur = None

    def done():
        if cur and "sa" in cur:
            c = dict(cur)
            out.append(rec(c.pop("proto"), c.pop("sa"), c.pop("sp"),
                           c.pop("da"), c.pop("dp"), c.pop("ob"),
                           c.pop("rb"), c.pop("op"), c.pop("rp"), **c))

    for line in open(path, errors="replace"):
        if "data record" in line.lower() or line.startswith("---"):
            done()
            cur = {}
            continue
        m = re.match(r"\s*\([^)]*\)\s*(\w+)\s*:\s*(.*?)\s*$", line)
        if m and cur is not None and m.group(1) in IPFIXDUMP_FIELDS:
            # Strings come as "(len: N) TEXT".
            v = re.sub(r"^\(len: \d+\) ?", "", m.group(2))
            if v.startswith('"') and v.endswith('"'):
                v = v[1:-1]
            cur[IPFIXDUMP_FIELDS[m.group(1)]] = v
    done()
    return out


def pairs(items):
    d = {}
    for it in items or []:
        k, v = it.split("=", 1)
        d[int(k)] = v
    return d


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--events", required=True)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--nfdump")
    src.add_argument("--nfacctd")
    src.add_argument("--ipfixdump")
    p.add_argument("--sport", type=int, action="append", default=[])
    p.add_argument("--open-sport", type=int, action="append", default=[])
    p.add_argument("--comm")
    p.add_argument("--user")
    p.add_argument("--pid", action="append")
    p.add_argument("--unit", action="append")
    p.add_argument("--flags", action="append")
    a = p.parse_args()

    events = parse_events(a.events)
    if a.nfdump:
        recs = read_nfdump(a.nfdump)
    elif a.nfacctd:
        recs = read_nfacctd(a.nfacctd)
    else:
        recs = read_ipfixdump(a.ipfixdump)
    bad = []
    pids, units, flags = pairs(a.pid), pairs(a.unit), pairs(a.flags)

    def of_sport(sp):
        return [r for r in recs if r["key"][2] == sp]

    def names(sp, mine):
        for r in mine:
            for what, want in (("comm", a.comm), ("user", a.user),
                               ("pid", pids.get(sp)),
                               ("unit", units.get(sp))):
                if want is not None and r.get(what) != want:
                    bad.append("sport %d: %s %r, expected %r"
                               % (sp, what, r.get(what), want))
                    return
            if sp in flags and not all(f in r.get("flags", "")
                                       for f in flags[sp]):
                bad.append("sport %d: flags %r lack %s"
                           % (sp, r.get("flags"), flags[sp]))
                return

    for sp in a.sport:
        ev = [k for k in events if k[2] == sp]
        if len(ev) != 1:
            bad.append("sport %d: %d DESTROY events in conntrack -E"
                       % (sp, len(ev)))
            continue
        mine = of_sport(sp)
        if not mine:
            bad.append("sport %d: no record at the collector" % sp)
            continue
        keys = {r["key"] for r in mine}
        if keys != {ev[0]}:
            bad.append("sport %d: tuples %s, conntrack said %s"
                       % (sp, sorted(keys), ev[0]))
        sums = [sum(r["c"][i] for r in mine) for i in range(4)]
        if sums != events[ev[0]]:
            bad.append("sport %d: bytes/packets fwd,rev %s in %d records, "
                       "conntrack said %s" % (sp, sums, len(mine),
                                              events[ev[0]]))
        names(sp, mine)
    for sp in a.open_sport:
        mine = sorted(of_sport(sp), key=lambda r: r["ts"])
        if len(mine) < 2:
            bad.append("open sport %d: %d records, expected an active "
                       "timeout's and the last" % (sp, len(mine)))
            continue
        for prev, nxt in zip(mine, mine[1:]):
            if prev["te"] != nxt["ts"]:
                bad.append("open sport %d: a record ends %s, the next "
                           "starts %s" % (sp, prev["te"], nxt["ts"]))
        if any(r["c"][0] == 0 and r["c"][1] == 0 for r in mine):
            bad.append("open sport %d: an empty record" % sp)
        names(sp, mine)
    for b in bad:
        print(b)
    if not recs:
        print("the collector holds no record")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
