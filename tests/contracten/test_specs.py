"""An unreadable or invalid spec is a finding with its location; the phase goes on with the
other APIs. And a read-only target only gets consulting calls, at the rate it allows."""

from __future__ import annotations

import json

from dso_acceptatie.fasen.contracten import specs
from tests.contracten.helpers import draai_fase, nieuwe_sleutel
from tests.contracten.stubdienst import KAPOT, StubDienst


def test_ontleden_geeft_de_plaats_van_de_fout():
    inhoud, problemen = specs.ontleed(KAPOT)
    assert inhoud is None and problemen[0].plaats == "regel 3, kolom 25"
    inhoud, problemen = specs.ontleed(b"openapi: 3.0.3\ninfo: [\n  - x: : y\n")
    assert inhoud is None and problemen[0].plaats.startswith("regel ")
    _, problemen = specs.ontleed(json.dumps({"swagger": "2.0"}).encode())
    assert problemen[0].plaats == "/swagger"
    _, problemen = specs.ontleed(b'{"openapi": "3.0.3", "info": {"title": "x", "version": "1"}, '
                                 b'"paths": {"/a": {"get": {"responses": {"200": {}}}}}}')
    assert problemen and problemen[0].plaats.startswith("/paths/~1a/get/responses")


def test_ongeldige_spec_is_een_bevinding_en_de_fase_gaat_door(tmp_path):
    with StubDienst() as stub:
        records = draai_fase(tmp_path / "run", {
            "presenteren": stub.url + "/kapot", "geometrieopvragen": stub.url + "/structuur",
            "catalogus": stub.url + "/goed", "eigen-dienst": stub.url + "/bestaat-niet",
            "uitvoeren": stub.url + "/bestaat-niet", "verzoeken-indienen": stub.url + "/half"},
            sleutel=None, fasen="examples", voorbeelden=1)
    per = {(r["component"], r["controle"]): r for r in records}
    kapot = per[("presenteren", "spec-ongeldig")]
    assert kapot["status"] == "gefaald" and kapot["ernst"] == "blokkerend"
    assert "regel 3, kolom 25" in kapot["bericht"] and "/kapot/openapi.json" in kapot["bericht"]
    structuur = per[("geometrieopvragen", "spec-ongeldig")]
    assert "/paths/~1a/get/responses/200" in structuur["bericht"]
    assert structuur["details"]["problemen"][0]["plaats"].startswith("/paths/~1a/get")
    # No spec at all: not tested. A DSO service without a live spec is tested against its pinned
    # contract (contracts/specs/dso-uitvoeren), and not publishing it is a finding of its own.
    assert per[("eigen-dienst", "spec-beschikbaar")]["status"] == "geblokkeerd"
    assert ("uitvoeren", "spec-beschikbaar") not in per
    assert per[("uitvoeren", "spec")]["details"]["bron"] == "vastgelegd"
    assert "getest tegen de vastgelegde kopie" in per[("uitvoeren", "spec")]["bericht"]
    assert per[("uitvoeren", "dso_openapi_op_basis_uri")]["status"] == "gefaald"
    # An operation whose schema cannot be used is a finding of its own; its neighbours are tested.
    half = [r for r in records if r["component"] == "verzoeken-indienen"]
    ongeldig = next(r for r in half if r["controle"] == "spec-ongeldig")
    assert ongeldig["onderwerp"] == "GET /a" and "/paths/~1a/get" in ongeldig["bericht"]
    assert "bestaatNiet" in ongeldig["bericht"]
    assert {r["onderwerp"] for r in half} >= {"GET /a", "GET /dingen", "POST /dingen"}
    assert not any(r["controle"] == "spec-ongeldig" and r["onderwerp"] != "GET /a" for r in half)
    # The valid API was still tested, per operation.
    assert per[("catalogus", "spec")]["status"] == "geslaagd"
    assert {r["onderwerp"] for r in records if r["component"] == "catalogus"} >= {
        "GET /dingen", "POST /dingen", "POST /dingen/_zoek", "DELETE /dingen/{id}"}


def test_alleen_lezen_alleen_raadplegen_en_begrensd_tempo(tmp_path):
    per_seconde = 4
    with StubDienst() as stub:
        records = draai_fase(tmp_path / "run", {"catalogus": stub.url + "/goed"},
                             sleutel=nieuwe_sleutel(), alleen_lezen=True,
                             max_per_seconde=per_seconde, fasen="examples,fuzzing", voorbeelden=3)
        verzoeken = list(stub.verzoeken)
    methoden = {(m, p) for _, m, p in verzoeken}
    assert methoden and all(m in ("GET", "HEAD") or (m == "POST" and p.endswith("/_zoek"))
                            for m, p in methoden), methoden
    overgeslagen = {r["onderwerp"] for r in records if r["status"] == "overgeslagen"
                    and r["controle"] == "schemathesis"}
    assert overgeslagen == {"POST /dingen", "DELETE /dingen/{id}"}
    assert "unsupported_method" not in {r["controle"] for r in records}
    # Never more than the allowed number in any one-second window (a little slack for the
    # boundary between schemathesis' own limiter and the probes' limiter).
    tijden = sorted(t for t, *_ in verzoeken)
    drukste = max(sum(1 for u in tijden if t <= u < t + 1.0) for t in tijden)
    assert drukste <= per_seconde + 1, drukste


def test_429_zonder_retry_after_is_een_bevinding(tmp_path):
    with StubDienst() as stub:
        records = draai_fase(tmp_path / "run", {"catalogus": stub.url + "/druk"}, sleutel=None,
                             fasen="fuzzing", voorbeelden=1)
    raak = [r for r in records if r["controle"] == "dso_retry_after" and r["status"] == "gefaald"]
    assert raak and raak[0]["onderwerp"] in ("GET /dingen", "POST /dingen", "POST /dingen/_zoek",
                                              "DELETE /dingen/{id}")
    assert "Retry-After" in raak[0]["bericht"]


def test_hal_zonder_self_en_geometrie_zonder_content_crs(tmp_path):
    with StubDienst() as stub:
        records = draai_fase(tmp_path / "run", {"presenteren": stub.url + "/geo"}, sleutel=None,
                             fasen="fuzzing", voorbeelden=1)
    gefaald = {(r["onderwerp"], r["controle"]) for r in records if r["status"] == "gefaald"}
    assert ("GET /dingen", "dso_hal_links") in gefaald
    assert ("GET /dingen", "dso_content_crs") in gefaald
