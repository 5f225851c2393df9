"""Two OpenAPI defaults schemathesis does not apply by itself: an empty value for a query parameter
(``allowEmptyValue`` is false unless declared) and the 32-bit range of ``format: float``. Input
outside them is not valid input, so a server that refuses it must not fail
``positive_data_acceptance``; a server that refuses valid input still must. Found by the Prism
comparison (docs/prism.md #8, #9)."""

from __future__ import annotations

import copy
import json
import math
from urllib.parse import parse_qs, urlsplit

import pytest

from dso_acceptatie.fasen.contracten import specs, uitvoering
from dso_acceptatie.fasen.contracten.instellingen import Instellingen
from tests.lokale_http import StilleHandler, lokale_server

_OBJ = {"application/json": {"schema": {"type": "object"}}}
SPEC = {"openapi": "3.0.3", "info": {"title": "standaarden", "version": "1.0.0"}, "paths": {
    "/zoek": {"get": {"operationId": "zoek", "parameters": [
        {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}},
        {"name": "Y", "in": "query", "schema": {"type": "number", "format": "float"}}],
        "responses": {"200": {"description": "ok", "content": _OBJ},
                      "400": {"description": "fout", "content": _OBJ}}}}}}


def _dienst(modus: str) -> type[StilleHandler]:
    """/zoek on loopback. ``strikt``: an empty q is a missing q, Y must fit in a float32 (as Prism
    and the OAS have it). ``ruim``: takes an empty q as a value (as the reference LV does), Y as
    strict. ``fout``: strict, and also refuses a valid Y above 1000 — a wrong system.

    (A server that accepts a Y beyond float32 may rightly get ``negative_data_rejection``: by the
    OAS such a value is invalid input. The reference LV refuses it, as Prism does.)"""

    class Handler(StilleHandler):
        def do_GET(self):  # noqa: N802 — http.server's name
            deel = urlsplit(self.path)
            query = parse_qs(deel.query, keep_blank_values=True)
            goed = deel.path == "/zoek" and set(query) <= {"q", "Y"} and len(query.get("q", [])) == 1
            if goed and modus != "ruim" and query["q"][0] == "":
                goed = False
            if goed and "Y" in query:
                try:
                    y = float(query["Y"][0])
                except ValueError:
                    goed = False
                else:
                    goed = len(query["Y"]) == 1 and math.isfinite(y)
                    goed = goed and abs(y) <= specs.FLOAT32_MAX
                    goed = goed and not (modus == "fout" and y > 1000)
            self.antwoord(200 if goed else 400, b"{}")

    return Handler


def _checks(modus: str) -> dict[str, uitvoering.CheckUitslag]:
    instellingen = Instellingen(max_voorbeelden=10, schemathesis_fasen=["examples", "coverage", "fuzzing"])
    with lokale_server(_dienst(modus)) as url:
        uitslag = uitvoering.voer_uit(SPEC, basis_url=url, headers={}, instellingen=instellingen,
                                      seed=1)
    assert not uitslag.algemene_fouten, uitslag.algemene_fouten
    return uitslag.operaties["GET /zoek"].checks


def test_strikte_dienst_faalt_niet_op_lege_of_te_grote_waarden():
    checks = _checks("strikt")
    positief = checks["positive_data_acceptance"]
    assert positief.aantal > 0
    assert positief.gefaald == 0, (positief.bericht, positief.uitwisseling and positief.uitwisseling.url)
    # Still tested with invalid input, and that is refused.
    assert checks["negative_data_rejection"].aantal > 0 and checks["negative_data_rejection"].gefaald == 0


def test_een_dienst_die_geldige_invoer_weigert_faalt_nog_steeds():
    positief = _checks("fout")["positive_data_acceptance"]
    assert positief.gefaald > 0
    assert positief.uitwisseling is not None and "Y=" in positief.uitwisseling.url


def test_ruime_dienst_krijgt_geen_bevinding_voor_een_lege_waarde():
    # An empty value is not counted as invalid input either: a server that treats q= as a value
    # (the reference LV) is not wrong for it.
    checks = _checks("ruim")
    assert checks["negative_data_rejection"].aantal > 0
    assert checks["negative_data_rejection"].gefaald == 0, checks["negative_data_rejection"].bericht
    assert checks["positive_data_acceptance"].gefaald == 0


def test_voorbewerking_is_smal_en_laat_het_origineel_staan():
    spec = {"openapi": "3.0.3", "info": {"title": "x", "version": "1"}, "paths": {
        "/a/{id}": {
            "parameters": [{"$ref": "#/components/parameters/gedeeld"}],
            "post": {"parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "h", "in": "header", "schema": {"type": "number", "format": "float"}},
                {"name": "leeg", "in": "query", "allowEmptyValue": True, "schema": {"type": "string"}},
                {"name": "grens", "in": "query", "schema": {"type": "number", "format": "float", "minimum": 0}},
                {"name": "d", "in": "query", "schema": {"type": "number", "format": "double"}}],
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/In"}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/Uit"}}}}}}}},
        "components": {
            "parameters": {"gedeeld": {"name": "z", "in": "query", "schema": {"type": "string"}}},
            "schemas": {
                "In": {"type": "object", "properties": {
                    "f": {"type": "number", "format": "float"},
                    "lijst": {"type": "array", "items": {"type": "number", "format": "float"}},
                    "zelf": {"$ref": "#/components/schemas/In"},
                    "niet": {"not": {"type": "number", "format": "float"}}}},
                "Uit": {"type": "object", "properties": {"score": {"type": "number", "format": "float"}}}}}}
    origineel = copy.deepcopy(spec)
    uit = specs.voor_schemathesis(spec)
    assert spec == origineel
    comp = uit["components"]
    op = uit["paths"]["/a/{id}"]["post"]
    params = {p["name"]: p for p in op["parameters"]}
    assert comp["parameters"]["gedeeld"]["allowEmptyValue"] is False
    assert params["leeg"]["allowEmptyValue"] is True                  # declared: left alone
    assert "allowEmptyValue" not in params["id"] and "allowEmptyValue" not in params["h"]
    assert params["h"]["schema"] == {"type": "number", "format": "float",
                                     "minimum": -specs.FLOAT32_MAX, "maximum": specs.FLOAT32_MAX}
    assert params["grens"]["schema"]["minimum"] == 0 and params["grens"]["schema"]["maximum"] == specs.FLOAT32_MAX
    assert "maximum" not in params["d"]["schema"]                      # double: its own range
    invoer = comp["schemas"]["In"]["properties"]
    assert invoer["f"]["maximum"] == specs.FLOAT32_MAX
    assert invoer["lijst"]["items"]["minimum"] == -specs.FLOAT32_MAX
    assert "maximum" not in invoer["niet"]["not"]                      # a bound there would invert it
    assert "maximum" not in comp["schemas"]["Uit"]["properties"]["score"]   # a response: as published
    assert pytest.approx(3.4028235e38) == specs.FLOAT32_MAX and specs.FLOAT32_MAX <= 3.4028235e38
    json.dumps(uit)   # still plain data
