#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""mirror: a GeoIP mirror for t_update.sh, on a loopback address.

Serves --dir over HTTP (HTTPS with --cert/--key), logs every request as
"METHOD PATH STATUS" lines to --log, and can misbehave on purpose:
  --fail503 N     the first N requests of each path answer 503
  --rate BPS      send bodies at about BPS bytes per second
  --auth U:P      imitate MaxMind's download service: /geoip/databases/
                  ED/download?suffix=S needs basic auth U:P and serves ED.S
Writes "ready PORT" to --ready once listening (--port 0: a port the
kernel chose, free for sure); stops by itself after --lifetime.
"""
import argparse
import base64
import functools
import http.server
import os
import ssl
import sys
import threading
import time
import urllib.parse

A = None
LOCK = threading.Lock()
SEEN = {}


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def log_request(self, code="-", size="-"):
        with LOCK, open(A.log, "a") as f:
            f.write("%s %s %s\n" % (self.command, self.path, code))

    def translate_path(self, path):
        u = urllib.parse.urlsplit(path)
        parts = u.path.split("/")
        if A.auth and u.path.startswith("/geoip/databases/") and len(parts) == 5:
            q = urllib.parse.parse_qs(u.query)
            return os.path.join(A.dir, parts[3] + "." + q.get("suffix", [""])[0])
        return super().translate_path(path)

    def do_GET(self):
        with LOCK:
            SEEN[self.path] = SEEN.get(self.path, 0) + 1
            n = SEEN[self.path]
        if n <= A.fail503:
            return self.send_error(503)
        if A.auth and self.path.startswith("/geoip/"):
            want = "Basic " + base64.b64encode(A.auth.encode()).decode()
            if self.headers.get("Authorization") != want:
                return self.send_error(401)
        f = self.send_head()
        if not f:
            return
        try:
            while True:
                chunk = f.read(max(1, A.rate // 10) if A.rate else 65536)
                if not chunk:
                    break
                self.wfile.write(chunk)
                if A.rate:
                    time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            f.close()


def main():
    global A
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--addr", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--ready", required=True)
    p.add_argument("--fail503", type=int, default=0)
    p.add_argument("--rate", type=int, default=0)
    p.add_argument("--auth", default="")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--lifetime", type=float, default=140)
    A = p.parse_args()
    srv = http.server.ThreadingHTTPServer(
        (A.addr, A.port), functools.partial(Handler, directory=A.dir))
    srv.daemon_threads = True
    if A.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(A.cert, A.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Timer(A.lifetime, lambda: os._exit(0)).start()
    with open(A.ready, "w") as f:
        f.write("ready %d\n" % srv.server_address[1])
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
