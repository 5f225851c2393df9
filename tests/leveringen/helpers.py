"""Paths of the shipped standards and samples the tests use; a recording loopback server."""

import contextlib
from pathlib import Path

from tests.lokale_http import StilleHandler
from tests.lokale_http import lokale_server as http_server

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

    class Handler(StilleHandler):
        def do_GET(self):
            hits.append(self.path)
            self.antwoord(200, antwoord, "application/octet-stream")

    with http_server(Handler) as url:
        yield url + "/", hits
