"""Fixtures for the harness tests: a tiny real HTTP service on loopback that looks healthy."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _GezondeDienst(BaseHTTPRequestHandler):
    def do_GET(self):
        routes = {
            "/svc/health": {"status": "UP"},
            "/svc/app-info": {"name": "proefdienst", "version": "9.9.9"},
            "/svc/openapi.json": {"openapi": "3.0.3", "info": {"title": "proef", "version": "9.9.9"},
                                  "paths": {}},
        }
        body = routes.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("API-Version", "9.9.9")
        self.end_headers()
        self.wfile.write(json.dumps(body or {"status": 404}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def gezonde_dienst():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GezondeDienst)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/svc"
    server.shutdown()
    server.server_close()
