#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Traffic for flowtop's end-to-end tests (standard library only).

Run it inside the test's own network namespaces (ip netns exec NS ...):

  traffic.py server --proto tcp|udp|udplite --addr ADDR --port PORT
                    [--ready FILE] [--lifetime SEC]
      An echo server bound to ADDR:PORT (IPv4 or IPv6, taken from ADDR).
      Writes "ready" to FILE once it listens. Exits by itself after
      --lifetime seconds (default 120).

  traffic.py client --proto tcp|udp|udplite --addr ADDR --port PORT
                    [--duration SEC] [--interval SEC] [--size BYTES]
                    [--info FILE]
      Opens one connection (for UDP and UDP-Lite: a connected socket, so the
      source port stays fixed) and sends SIZE bytes every INTERVAL seconds for
      DURATION seconds, reading the echo back each time, so the kernel's
      counters grow in both directions and a TCP connection stays
      ESTABLISHED all along. Right after connecting it writes FILE, a JSON
      object with proto, src, sport, dst, dport; at the end it prints the
      totals on stderr. Exit status 0 when at least one echo came back.

Every loop is bounded in time; nothing here talks to any address but the one
given, which the tests take from their own namespaces.
"""

import argparse
import json
import os
import select
import socket
import sys
import threading
import time

IPPROTO_UDPLITE = getattr(socket, "IPPROTO_UDPLITE", 136)


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def make_socket(proto, fam):
    if proto == "tcp":
        return socket.socket(fam, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    if proto == "udp":
        return socket.socket(fam, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    if proto == "udplite":
        return socket.socket(fam, socket.SOCK_DGRAM, IPPROTO_UDPLITE)
    raise ValueError("unknown protocol " + proto)


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


# ---------------------------------------------------------------- server

def tcp_echo_conn(conn, deadline):
    conn.settimeout(0.5)
    try:
        while time.monotonic() < deadline:
            try:
                data = conn.recv(65536)
            except socket.timeout:
                continue
            if not data:
                break
            conn.sendall(data)
    except OSError:
        pass
    finally:
        conn.close()


def serve(args):
    fam = family_of(args.addr)
    deadline = time.monotonic() + args.lifetime
    s = make_socket(args.proto, fam)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((args.addr, args.port))
    if args.proto == "tcp":
        s.listen(16)
    if args.ready:
        write_atomic(args.ready, "ready\n")
    while time.monotonic() < deadline:
        r, _, _ = select.select([s], [], [], 0.5)
        if not r:
            continue
        if args.proto == "tcp":
            conn, _ = s.accept()
            t = threading.Thread(target=tcp_echo_conn, args=(conn, deadline),
                                 daemon=True)
            t.start()
        else:
            data, peer = s.recvfrom(65536)
            s.sendto(data, peer)
    s.close()
    return 0


# ---------------------------------------------------------------- client

def recv_exact_tcp(s, n, deadline):
    got = 0
    while got < n and time.monotonic() < deadline:
        s.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data = s.recv(n - got)
        except socket.timeout:
            break
        if not data:
            break
        got += len(data)
    return got


def client(args):
    fam = family_of(args.addr)
    s = make_socket(args.proto, fam)
    s.settimeout(5)
    if args.sport:
        # One source port in several namespaces: the same tuple twice.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", args.sport))
    s.connect((args.addr, args.port))
    src = s.getsockname()
    if args.info:
        write_atomic(args.info, json.dumps({
            "proto": args.proto,
            "src": src[0], "sport": src[1],
            "dst": args.addr, "dport": args.port,
        }) + "\n")
    payload = bytes((i * 7) & 0xff for i in range(args.size))
    sent = received = 0
    end = time.monotonic() + args.duration
    while time.monotonic() < end:
        step_end = min(end, time.monotonic() + args.interval)
        try:
            if args.proto == "tcp":
                s.sendall(payload)
                sent += len(payload)
                received += recv_exact_tcp(s, len(payload), step_end + 1.0)
            else:
                s.send(payload)
                sent += len(payload)
                s.settimeout(max(0.05, step_end - time.monotonic()))
                try:
                    received += len(s.recv(65536))
                except socket.timeout:
                    pass
        except OSError as e:
            print("traffic.py client: %s" % e, file=sys.stderr)
            break
        left = step_end - time.monotonic()
        if left > 0:
            time.sleep(left)
    s.close()
    print("traffic.py client %s %s:%d -> %s:%d sent %d received %d"
          % (args.proto, src[0], src[1], args.addr, args.port, sent,
             received), file=sys.stderr)
    return 0 if received > 0 else 1


def main():
    ap = argparse.ArgumentParser(prog="traffic.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("server", "client"):
        p = sub.add_parser(name)
        p.add_argument("--proto", required=True,
                       choices=("tcp", "udp", "udplite"))
        p.add_argument("--addr", required=True)
        p.add_argument("--port", required=True, type=int)
        if name == "server":
            p.add_argument("--ready")
            p.add_argument("--lifetime", type=float, default=120.0)
        else:
            p.add_argument("--duration", type=float, default=10.0)
            p.add_argument("--interval", type=float, default=0.2)
            p.add_argument("--size", type=int, default=512)
            p.add_argument("--info")
            p.add_argument("--sport", type=int, default=0)
    args = ap.parse_args()
    try:
        return serve(args) if args.cmd == "server" else client(args)
    except OSError as e:
        print("traffic.py %s: %s" % (args.cmd, e), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
