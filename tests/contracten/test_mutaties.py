"""The API mutations the self-test applies (issue "Zelftest"), each on its own service of one stub,
in one phase run: every one must end in 'afwijzen' for its service, through the check named here,
while the unmutated service beside them is accepted. This is the list the zelftest refers to."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dso_acceptatie.rapport import bouw_rapport
from tests.contracten.helpers import PROJECT, beschrijf, draai_fase, nieuwe_sleutel

VERSIE = "1.0.0"
# mutation -> the check that must reject it
MUTATIES = {
    "content-crs-ontbreekt": "dso_content_crs",
    "content-crs-fout": "dso_content_crs",
    "rate-limit-ontbreekt": "dso_rate_limit",
    "verplicht-veld-ontbreekt": "response_schema_conformance",
    "verkeerd-type": "response_schema_conformance",
    "200-in-plaats-van-404": "dso_niet_gevonden",
    "problem-zonder-status-en-title": "dso_problem_json",
    "onbekende-sleutel-geaccepteerd": "dso_authenticatie",
}
_PROBLEEM = {"description": "fout", "headers": {"API-Version": {"$ref": "#/components/headers/API-Version"}},
             "content": {"application/problem+json": {"schema": {
                 "type": "object", "required": ["status", "title"],
                 "properties": {"status": {"type": "integer"}, "title": {"type": "string"},
                                "detail": {"type": "string"}}}}}}
SPEC = {
    "openapi": "3.0.3", "info": {"title": "Mutatiestub", "version": VERSIE},
    "security": [{"sleutel": []}],
    "paths": {"/dingen/{id}": {"get": {
        "operationId": "ding",
        "parameters": [{"name": "id", "in": "path", "required": True,
                        "schema": {"type": "string", "maxLength": 20}, "example": "a1"}],
        "responses": {
            "200": {"description": "ok", "headers": {
                "API-Version": {"$ref": "#/components/headers/API-Version"},
                "Content-Crs": {"schema": {"type": "string"}},
                "X-Rate-Limit-Limit": {"schema": {"type": "integer"}},
                "X-Rate-Limit-Remaining": {"schema": {"type": "integer"}},
                "X-Rate-Limit-Reset": {"schema": {"type": "integer"}}},
                "content": {"application/json": {"schema": {
                    "type": "object", "required": ["id", "naam", "geometrie"],
                    "properties": {"id": {"type": "string"}, "naam": {"type": "string"},
                                   "geometrie": {"type": "object"}}}}}},
            "400": _PROBLEEM, "401": _PROBLEEM, "403": _PROBLEEM, "404": _PROBLEEM}}}},
    "components": {
        "headers": {"API-Version": {"schema": {"type": "string"}}},
        "securitySchemes": {"sleutel": {"type": "apiKey", "in": "header", "name": "x-api-key"}}},
}


def _handler(sleutel: str):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _stuur(self, status: int, body: dict, ctype: str, headers: dict | None = None):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("API-Version", VERSIE)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _fout(self, mutatie: str, status: int, titel: str):
            body = {"status": status, "title": titel, "detail": titel}
            if mutatie == "problem-zonder-status-en-title":
                body = {"detail": titel}
            self._stuur(status, body, "application/problem+json")

        def do_GET(self):  # noqa: N802 — http.server's name
            delen = self.path.split("?")[0].strip("/").split("/")
            mutatie = delen[0]
            if mutatie == "openapi.json" or delen[1:] == ["openapi.json"]:
                return self._stuur(200, SPEC, "application/json")
            if len(delen) != 3 or delen[1] != "dingen":
                return self._fout(mutatie, 404, "onbekend pad")
            gegeven = self.headers.get("x-api-key")
            if gegeven is None:
                return self._fout(mutatie, 401, "sleutel ontbreekt")
            if gegeven != sleutel and mutatie != "onbekende-sleutel-geaccepteerd":
                return self._fout(mutatie, 403, "sleutel onbekend")
            ident = delen[2]
            if ident != "a1" and mutatie != "200-in-plaats-van-404":
                return self._fout(mutatie, 404, "bestaat niet")
            body = {"id": ident, "naam": "ding", "geometrie": {"type": "Point", "coordinates": [155000, 463000]}}
            headers = {"Content-Crs": "http://www.opengis.net/def/crs/EPSG/0/28992",
                       "X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "99", "X-Rate-Limit-Reset": "1"}
            if mutatie == "content-crs-ontbreekt":
                del headers["Content-Crs"]
            elif mutatie == "content-crs-fout":
                headers["Content-Crs"] = "http://www.opengis.net/def/crs/EPSG/0/4326"
            elif mutatie == "rate-limit-ontbreekt":
                headers = {k: v for k, v in headers.items() if not k.startswith("X-Rate-Limit")}
            elif mutatie == "verplicht-veld-ontbreekt":
                del body["naam"]
            elif mutatie == "verkeerd-type":
                body["naam"] = 42
            self._stuur(200, body, "application/json", headers)

        def __getattr__(self, naam: str):
            # Every other method (POST, TRACE, …): 405 with Allow, as the spec only has GET.
            if naam.startswith("do_"):
                return lambda: self._stuur(405, {"status": 405, "title": "methode niet toegestaan",
                                                 "detail": "alleen GET"},
                                           "application/problem+json", {"Allow": "GET"})
            raise AttributeError(naam)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture(scope="module")
def uitslag(tmp_path_factory):
    sleutel = nieuwe_sleutel()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(sleutel))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    basis = f"http://127.0.0.1:{server.server_address[1]}"
    run = tmp_path_factory.mktemp("mutaties") / "run"
    try:
        records = draai_fase(run, {naam: f"{basis}/{naam}" for naam in ["schoon", *MUTATIES]},
                             sleutel=sleutel, voorbeelden=3, fasen="examples,coverage,fuzzing")
    finally:
        server.shutdown()
        server.server_close()
    rapport = bouw_rapport(run, PROJECT / "acceptatiecriteria.toml", schrijf=False, vergelijk_met_vorige=False)
    return records, rapport.model.groepen["api"]


def test_ongemuteerde_dienst_wordt_geaccepteerd(uitslag):
    records, apis = uitslag
    eigen = [r for r in records if r["component"] == "schoon"]
    fout = [r for r in eigen if r["status"] in ("gefaald", "geblokkeerd") and r["ernst"] != "informatief"]
    assert not fout, beschrijf(fout)
    geslaagd = {r["controle"] for r in eigen if r["status"] == "geslaagd"}
    assert set(MUTATIES.values()) <= geslaagd, sorted(set(MUTATIES.values()) - geslaagd)
    assert apis["schoon"].oordeel == "accepteren", apis["schoon"].redenen


@pytest.mark.parametrize("mutatie", sorted(MUTATIES))
def test_mutatie_wordt_afgewezen_door_haar_controle(uitslag, mutatie):
    records, apis = uitslag
    controle = MUTATIES[mutatie]
    raak = [r for r in records if r["component"] == mutatie and r["controle"] == controle
            and r["status"] == "gefaald"]
    assert raak, beschrijf([r for r in records if r["component"] == mutatie and r["status"] == "gefaald"])
    assert raak[0]["ernst"] in ("blokkerend", "ernstig")
    assert apis[mutatie].oordeel == "afwijzen", apis[mutatie].redenen
