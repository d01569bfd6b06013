#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A syslog listener for flowtop's end-to-end tests (standard library only).

  syslog_sink.py SOCKET OUT [--ready FILE] [--lifetime SEC]

Binds a datagram socket at the path SOCKET, as journald's and rsyslog's
/dev/log are (mode 0666: any user's syslog(3) may write to it), and
appends each message it receives to OUT as one line, its bytes as they
came with a newline added (a newline inside a message is written as \\n,
so one message is always one line). Writes "ready" to FILE once bound.
Exits by itself after --lifetime seconds (default 150) and removes
SOCKET.
"""
import argparse
import os
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("out")
    ap.add_argument("--ready")
    ap.add_argument("--lifetime", type=float, default=150.0)
    a = ap.parse_args()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(a.socket)
    os.chmod(a.socket, 0o666)
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("ready\n")
    end = time.monotonic() + a.lifetime
    try:
        with open(a.out, "ab", buffering=0) as out:
            while True:
                left = end - time.monotonic()
                if left <= 0:
                    break
                s.settimeout(left)
                try:
                    msg = s.recv(65536)
                except socket.timeout:
                    break
                out.write(msg.replace(b"\n", b"\\n") + b"\n")
    finally:
        os.unlink(a.socket)
    return 0


if __name__ == "__main__":
    sys.exit(main())
