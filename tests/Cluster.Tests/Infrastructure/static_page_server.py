#!/usr/bin/env python3
"""Serves a folder over HTTP/1.1 on 127.0.0.1 (a free port, printed on the first line of stdout), in a process of its own,
so that a test measuring the silo's memory does not count the pages it serves. A path ending in '/' is answered with
that folder's index.html (an nginx-like listing the test wrote); files are read again at every request, so the test can
replace a page between two scans. Every request path is appended to requests.log in the folder."""
import http.server
import os
import sys

root = os.path.realpath(sys.argv[1])
log = open(os.path.join(root, "requests.log"), "a", buffering=1)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection, as HostileHttpServer

    def answer(self, body_wanted):
        log.write(self.path + "\n")
        relative = self.path.split("?", 1)[0].lstrip("/")
        path = os.path.realpath(os.path.join(root, relative, "index.html" if relative.endswith("/") or relative == "" else ""))
        if not path.startswith(root + os.sep) or not os.path.isfile(path) or path.endswith("requests.log"):
            self.send_error(404)
            return
        with open(path, "rb") as f:
            body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if path.endswith(".html") else "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body_wanted:
            self.wfile.write(body)

    def do_GET(self):
        self.answer(True)

    def do_HEAD(self):
        self.answer(False)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
