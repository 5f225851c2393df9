"""The environment pre-check on a service that answers but has no /health and no openapi.json
(e.g. a Prism mock): ernstig when the target must serve its spec (specs = "live"); with pinned
specs (specs = "vastgelegd") a documented operation that answers suffices, and the record says so.
A health endpoint that exists and reports the service unhealthy stays ernstig."""

from __future__ import annotations

import json
from contextlib import contextmanager

from dso_acceptatie.doelen import Doel
from dso_acceptatie.omgeving import gedocumenteerde_operatie, voorcontrole
from dso_acceptatie.records import RecordWriter
from tests.lokale_http import StilleHandler, lokale_server


@contextmanager
def _dienst(antwoorden: dict[str, int], standaard: int = 404):
    """A loopback service answering ``antwoorden[path]`` (or ``standaard``); records the paths."""
    gezien: list[str] = []

    class Handler(StilleHandler):
        def do_GET(self):  # noqa: N802 — http.server's name
            pad = self.path.split("?")[0]
            gezien.append(pad)
            self.antwoord(antwoorden.get(pad, standaard), b'{"status": 200}')

    with lokale_server(Handler) as url:
        yield url, gezien


def _controleer(tmp_path, url: str, specs: str) -> tuple[bool, list[dict]]:
    doel = Doel(naam="proef", diensten={"locatieserver": url}, specs=specs)
    pad = tmp_path / f"omgeving-{specs}.jsonl"
    writer = RecordWriter(pad, "proef", "omgeving")
    try:
        testbaar = voorcontrole(doel, writer)
    finally:
        writer.close()
    return testbaar, [json.loads(r) for r in pad.read_text(encoding="utf-8").splitlines()]


def test_vastgelegd_zonder_health_maar_met_antwoordende_operatie_weegt_informatief(tmp_path):
    operatie = gedocumenteerde_operatie("locatieserver")
    assert operatie == "/free"    # the first GET without path parameters in the pinned spec
    with _dienst({operatie: 400}) as (url, gezien):
        testbaar, records = _controleer(tmp_path, url, "vastgelegd")
    assert testbaar and operatie in gezien
    [r] = records
    assert (r["controle"], r["status"], r["ernst"]) == ("gezondheid", "gefaald", "informatief")
    assert 'specs = "vastgelegd"' in r["bericht"] and "GET /free geeft HTTP 400" in r["bericht"]
    assert r["details"]["operatie"] == {"pad": "/free", "status": 400, "antwoordt": True}


def test_vastgelegd_zonder_antwoordende_operatie_blijft_ernstig(tmp_path):
    with _dienst({}) as (url, _):
        testbaar, records = _controleer(tmp_path, url, "vastgelegd")
    [r] = records
    assert testbaar and (r["controle"], r["ernst"]) == ("gezondheid", "ernstig")
    assert "GET /free antwoordt niet (HTTP 404)" in r["bericht"]


def test_vastgelegd_met_ongezonde_health_blijft_ernstig(tmp_path):
    with _dienst({"/health": 503, "/free": 200}) as (url, gezien):
        _, records = _controleer(tmp_path, url, "vastgelegd")
    [r] = records
    assert (r["controle"], r["ernst"]) == ("gezondheid", "ernstig") and "niet gezond" in r["bericht"]
    assert "/free" not in gezien          # a health endpoint that says no is not overruled


def test_live_zonder_health_en_spec_blijft_ernstig(tmp_path):
    with _dienst({"/free": 200}) as (url, gezien):
        _, records = _controleer(tmp_path, url, "live")
    [r] = records
    assert (r["controle"], r["ernst"]) == ("gezondheid", "ernstig") and 'specs = "live"' in r["bericht"]
    assert "/free" not in gezien          # live: the spec must be there; no operation is tried


def test_gezonde_dienst_alleen_administratie(tmp_path):
    with _dienst({"/health": 200}) as (url, gezien):
        testbaar, records = _controleer(tmp_path, url, "vastgelegd")
    [r] = records
    assert testbaar and (r["controle"], r["status"], r["soort"]) == ("bereikbaarheid", "geslaagd", "administratie")
    assert "/free" not in gezien
