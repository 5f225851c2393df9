"""Paths of the shipped standards and samples the tests use; a recording loopback server."""

import contextlib
import http.server
import threading
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
VOORBEELDEN = PROJECT / "contracts" / "leveringen" / "voorbeelden"
STANDAARDEN = PROJECT / "contracts" / "standaarden"
GEMEENTESTAD = VOORBEELDEN / "gemeentestad" / "opdracht"
IMRO = VOORBEELDEN / "imro"
STTR = VOORBEELDEN / "sttr"
UNITTESTS = STANDAARDEN / "stop-bedrijfsregels-pr33" / "unittests"


@contextlib.contextmanager
def lokale_server(antwoord: bytes = b""):
    """A loopback HTTP server that records every request: (base URL, list of paths asked).
    A validator that is locked down leaves the list empty."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(antwoord)

        def log_message(self, *a):
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/", hits
    finally:
        srv.shutdown()
        srv.server_close()
