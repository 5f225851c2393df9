"""Fixtures for the harness tests: a tiny real HTTP service on loopback that looks healthy."""

import json

import pytest

from tests.lokale_http import StilleHandler, lokale_server


class _GezondeDienst(StilleHandler):
    def do_GET(self):
        routes = {
            "/svc/health": {"status": "UP"},
            "/svc/app-info": {"name": "proefdienst", "version": "9.9.9"},
            "/svc/openapi.json": {"openapi": "3.0.3", "info": {"title": "proef", "version": "9.9.9"},
                                  "paths": {}},
        }
        body = routes.get(self.path)
        self.antwoord(200 if body else 404, json.dumps(body or {"status": 404}).encode(),
                      headers={"API-Version": "9.9.9"})


@pytest.fixture
def gezonde_dienst():
    with lokale_server(_GezondeDienst) as url:
        yield url + "/svc"
