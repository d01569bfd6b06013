#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A tiny DNS responder for flowtop's end-to-end tests (standard library only).

Run it inside the test's own server namespace (ip netns exec NS ...):

  evildns.py --addr ADDR [--addr ADDR ...] [--port 53] --log FILE
             [--ready FILE] [--lifetime SEC] [--silent]
             [--ptr ADDRESS=NAME ...] [--default NAME]

  Listens for DNS queries over UDP on every ADDR (IPv4 or IPv6) and writes one
  line per query received to --log, flushed at once:
      QTYPE QNAME from PEER
  (QTYPE as a mnemonic, PTR/A/AAAA/..., or TYPEnnn).

  --silent   never answer anything: a dead name server that still receives.
  otherwise  PTR queries for the reverse name of a --ptr ADDRESS are answered
             with NAME (AA, TTL 300); other PTR queries with --default when
             given, else NXDOMAIN; any other query with REFUSED.

  NAME is written with Python escapes and taken as raw bytes, so a PTR
  answer can carry what no sane server would send: control characters
  (\\x1b[31m, \\x07), C1 bytes (\\x9b, \\xc2\\x9b), invalid UTF-8 (\\xff\\xfe).
  Labels are split on "." and each must be 1..63 bytes; the whole name at
  most 255 bytes on the wire.

  evildns.py --query ADDRESS --server IP [--port 53] [--timeout SEC]
  The client side, for checking the harness itself: sends one PTR query for
  ADDRESS to IP and prints the answer's name as a Python bytes literal
  (ASCII only, control bytes escaped), or "no answer" / "rcode N" and exits 1.

Every loop is bounded in time (--lifetime, default 120 s); nothing is sent
anywhere but back to the peer that asked.
"""

import argparse
import codecs
import ipaddress
import os
import select
import socket
import struct
import sys
import time

QTYPES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX",
          16: "TXT", 28: "AAAA", 33: "SRV", 41: "OPT", 255: "ANY"}
T_PTR = 12
C_IN = 1
RCODE_NXDOMAIN = 3
RCODE_REFUSED = 5
RCODE_FORMERR = 1


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def parse_name_arg(text):
    """NAME with Python escapes -> raw bytes."""
    raw, _ = codecs.escape_decode(text.encode("utf-8"))
    return raw


def encode_name(raw):
    """Raw name bytes -> DNS wire format (labels split on b".")."""
    out = b""
    for label in raw.rstrip(b".").split(b"."):
        if not 1 <= len(label) <= 63:
            raise ValueError("label of %d bytes in %r" % (len(label), raw))
        out += bytes([len(label)]) + label
    out += b"\0"
    if len(out) > 255:
        raise ValueError("name of %d bytes on the wire: %r" % (len(out), raw))
    return out


def parse_question(pkt):
    """-> (id, flags, qname_text, qtype, qclass, end offset of question)."""
    if len(pkt) < 12:
        raise ValueError("short header")
    qid, flags, qd, _an, _ns, _ar = struct.unpack("!HHHHHH", pkt[:12])
    if qd != 1:
        raise ValueError("%d questions" % qd)
    off = 12
    labels = []
    while True:
        if off >= len(pkt):
            raise ValueError("name runs off the end")
        n = pkt[off]
        off += 1
        if n == 0:
            break
        if n > 63:
            raise ValueError("compressed or bad label in a question")
        labels.append(pkt[off:off + n])
        off += n
    if off + 4 > len(pkt):
        raise ValueError("question runs off the end")
    qtype, qclass = struct.unpack("!HH", pkt[off:off + 4])
    qname = b".".join(labels).decode("ascii", "backslashreplace")
    return qid, flags, qname, qtype, qclass, off + 4


def reply(pkt, qend, qid, flags, rcode, answer_rdata=None):
    # QR, opcode copied, AA, RD copied, RA.
    rflags = 0x8000 | (flags & 0x7800) | 0x0400 | (flags & 0x0100) | 0x0080
    rflags |= rcode & 0xf
    an = 1 if answer_rdata is not None else 0
    out = struct.pack("!HHHHHH", qid, rflags, 1, an, 0, 0) + pkt[12:qend]
    if answer_rdata is not None:
        # The owner is the question's name: a pointer to offset 12.
        out += struct.pack("!HHHIH", 0xC00C, T_PTR, C_IN, 300,
                           len(answer_rdata)) + answer_rdata
    return out


def query(args):
    rev = ipaddress.ip_address(args.query).reverse_pointer
    qid = os.getpid() & 0xffff
    pkt = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    pkt += encode_name(rev.encode("ascii")) + struct.pack("!HH", T_PTR, C_IN)
    fam = socket.AF_INET6 if ":" in args.server else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(args.timeout)
    s.connect((args.server, args.port))
    s.send(pkt)
    try:
        r = s.recv(4096)
    except (socket.timeout, OSError):
        print("no answer")
        return 1
    rid, flags, _qd, an = struct.unpack("!HHHH", r[:8])
    if rid != qid or flags & 0xf or an < 1:
        print("rcode %d, %d answers" % (flags & 0xf, an))
        return 1
    off = len(pkt) + 12        # the question, then owner pointer .. rdlength
    labels = []
    while r[off]:
        labels.append(r[off + 1:off + 1 + r[off]])
        off += 1 + r[off]
    print(ascii(b".".join(labels)))
    return 0


def main():
    ap = argparse.ArgumentParser(prog="evildns.py")
    ap.add_argument("--query")
    ap.add_argument("--server")
    ap.add_argument("--timeout", type=float, default=2.0)
    ap.add_argument("--addr", action="append")
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--log")
    ap.add_argument("--ready")
    ap.add_argument("--lifetime", type=float, default=120.0)
    ap.add_argument("--silent", action="store_true")
    ap.add_argument("--ptr", action="append", default=[])
    ap.add_argument("--default")
    args = ap.parse_args()
    if args.query:
        if not args.server:
            ap.error("--query needs --server")
        return query(args)
    if not args.addr or not args.log:
        ap.error("--addr and --log are required")

    table = {}
    try:
        for item in args.ptr:
            addr, _, name = item.partition("=")
            rev = ipaddress.ip_address(addr).reverse_pointer.lower()
            table[rev] = encode_name(parse_name_arg(name))
        default = (encode_name(parse_name_arg(args.default))
                   if args.default is not None else None)
    except ValueError as e:
        print("evildns.py: %s" % e, file=sys.stderr)
        return 2

    socks = []
    try:
        for a in args.addr:
            fam = socket.AF_INET6 if ":" in a else socket.AF_INET
            s = socket.socket(fam, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((a, args.port))
            socks.append(s)
    except OSError as e:
        print("evildns.py: bind %s: %s" % (a, e), file=sys.stderr)
        return 1
    log = open(args.log, "a", buffering=1)
    if args.ready:
        write_atomic(args.ready, "ready\n")

    deadline = time.monotonic() + args.lifetime
    while time.monotonic() < deadline:
        r, _, _ = select.select(socks, [], [], 0.5)
        for s in r:
            try:
                pkt, peer = s.recvfrom(4096)
            except OSError:
                continue
            try:
                qid, flags, qname, qtype, qclass, qend = parse_question(pkt)
            except ValueError as e:
                log.write("BAD %s from %s\n" % (e, peer[0]))
                if not args.silent and len(pkt) >= 12:
                    qid, flags = struct.unpack("!HH", pkt[:4])
                    s.sendto(struct.pack("!HHHHHH", qid, 0x8000 | RCODE_FORMERR,
                                         0, 0, 0, 0), peer)
                continue
            log.write("%s %s from %s\n"
                      % (QTYPES.get(qtype, "TYPE%d" % qtype), qname, peer[0]))
            if args.silent:
                continue
            if qtype == T_PTR and qclass == C_IN:
                rdata = table.get(qname.lower().rstrip("."), default)
                if rdata is None:
                    out = reply(pkt, qend, qid, flags, RCODE_NXDOMAIN)
                else:
                    out = reply(pkt, qend, qid, flags, 0, rdata)
            else:
                out = reply(pkt, qend, qid, flags, RCODE_REFUSED)
            try:
                s.sendto(out, peer)
            except OSError:
                pass
    for s in socks:
        s.close()
    log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
