"""A tiny real HTTP service on loopback for the phase's own edge cases: broken specs, and a
recording API to see which methods a read-only run sends and how fast."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERSIE = "1.0.0"
_FOUT = {"description": "fout", "content": {"application/problem+json": {"schema": {"type": "object"}}}}
GOEDE_SPEC = {
    "openapi": "3.0.3", "info": {"title": "Stub", "version": VERSIE},
    "paths": {
        "/dingen": {
            "get": {"operationId": "lijst", "responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["dingen"],
                    "properties": {"dingen": {"type": "array", "items": {"type": "string"}}}}}}},
                "default": _FOUT}},
            "post": {"operationId": "maak", "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"type": "object"}}}},
                "responses": {"201": {"description": "gemaakt"}, "default": _FOUT}}},
        "/dingen/_zoek": {"post": {"operationId": "zoek", "requestBody": {"required": True, "content": {
            "application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "object"}}}}, "default": _FOUT}}},
        "/dingen/{id}": {"delete": {"operationId": "weg", "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"204": {"description": "weg"}, "default": _FOUT}}},
    },
}
# One operation refers to a parameter that does not exist; the other one is fine.
HALF_GOED = {"openapi": "3.0.3", "info": {"title": "half", "version": VERSIE}, "paths": {
    "/a": {"get": {"parameters": [{"$ref": "#/components/parameters/bestaatNiet"}],
                   "responses": {"200": {"description": "ok"}}}},
    "/dingen": GOEDE_SPEC["paths"]["/dingen"]}}
# Valid JSON, but a response without its required 'description'.
STRUCTUURFOUT = {"openapi": "3.0.3", "info": {"title": "x", "version": "1"},
                 "paths": {"/a": {"get": {"responses": {"200": {"content": {}}}}}}}
KAPOT = b'{\n  "openapi": "3.0.3",\n  "info": {"title": "x" "version": "1"}\n}\n'


class StubDienst:
    def __init__(self):
        self.verzoeken: list[tuple[float, str, str]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _antwoord(self, status: int, body: bytes = b"", ctype="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("API-Version", VERSIE)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _behandel(self):
                lengte = int(self.headers.get("Content-Length") or 0)
                if lengte:
                    self.rfile.read(lengte)
                pad = self.path.split("?")[0]
                if pad == "/kapot/openapi.json":
                    return self._antwoord(200, KAPOT)
                if pad == "/structuur/openapi.json":
                    return self._antwoord(200, json.dumps(STRUCTUURFOUT).encode())
                if pad == "/geo/openapi.json":
                    return self._antwoord(200, json.dumps(GOEDE_SPEC).encode())
                if pad.startswith("/geo/"):    # HAL without self, a geometry without Content-Crs
                    body = json.dumps({"_links": {}, "dingen": ["a"], "geometrie": {
                        "type": "Point", "coordinates": [155000, 463000]}}).encode()
                    return self._antwoord(200, body, "application/hal+json")
                if pad == "/druk/openapi.json":
                    return self._antwoord(200, json.dumps(GOEDE_SPEC).encode())
                if pad.startswith("/druk/"):   # always throttled, and forgets Retry-After
                    body = json.dumps({"status": 429, "title": "Te veel verzoeken",
                                       "detail": "later"}).encode()
                    return self._antwoord(429, body, "application/problem+json")
                if pad == "/half/openapi.json":
                    return self._antwoord(200, json.dumps(HALF_GOED).encode())
                if pad == "/goed/openapi.json":
                    return self._antwoord(200, json.dumps(GOEDE_SPEC).encode())
                if pad.startswith("/half/"):
                    pad = "/goed/" + pad[len("/half/"):]
                if pad.startswith("/goed/"):
                    stub.verzoeken.append((time.monotonic(), self.command, pad[len("/goed"):]))
                    if pad == "/goed/dingen" and self.command == "GET":
                        return self._antwoord(200, b'{"dingen": ["a"]}')
                    if pad == "/goed/dingen/_zoek" and self.command == "POST":
                        return self._antwoord(200, b"{}")
                    if pad == "/goed/dingen" and self.command == "POST":
                        return self._antwoord(201)
                    if pad.startswith("/goed/dingen/") and self.command == "DELETE":
                        return self._antwoord(204)
                    body = json.dumps({"status": 405, "title": "Methode niet toegestaan",
                                       "detail": self.command}).encode()
                    return self._antwoord(405, body, "application/problem+json")
                self._antwoord(404, b'{"status": 404, "title": "x", "detail": "y"}',
                               "application/problem+json")

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _behandel
            do_TRACE = _behandel

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StubDienst:  # noqa: PYI034
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
