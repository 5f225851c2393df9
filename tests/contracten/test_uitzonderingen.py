"""Narrow exceptions ([[verwacht]] in contracten.toml): a check takes an extra status as a right
answer for the operations named, and only there; a wrong exception is a Dutch message with file
and line."""

from __future__ import annotations

import json

import pytest

from dso_acceptatie.configuratie import ConfiguratieFout
from dso_acceptatie.fasen.contracten import instellingen, uitvoering
from tests.lokale_http import StilleHandler, lokale_server

_OBJ = {"application/json": {"schema": {"type": "object"}}}
_FOUT = {"description": "fout", "content": {"application/problem+json": {"schema": {"type": "object"}}}}
SPEC = {"openapi": "3.0.3", "info": {"title": "uitzondering", "version": "1.0.0"}, "paths": {
    pad: {"post": {"operationId": pad.strip("/"), "requestBody": {"required": True, "content": _OBJ},
                   "responses": {"200": {"description": "ok", "content": _OBJ}, "400": _FOUT, "422": _FOUT}}}
    for pad in ("/a", "/b", "/c")}}
# What each operation answers to every request: /a and /b refuse the content (422), /c the syntax (400).
ANTWOORD = {"/a": 422, "/b": 422, "/c": 400}


class _Handler(StilleHandler):
    def do_POST(self):  # noqa: N802 — http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status = ANTWOORD.get(self.path.split("?")[0], 404)
        body = json.dumps({"status": status, "title": "fout", "detail": "fout"}).encode()
        self.antwoord(status, body, "application/problem+json", {"API-Version": "1.0.0"})


@pytest.fixture
def basis():
    with lokale_server(_Handler) as url:
        yield url


def _toml(tmp_path, tekst: str):
    pad = tmp_path / "contracten.toml"
    pad.write_text("# kop\n" + tekst, encoding="utf-8")
    return pad


def test_uitzondering_geldt_alleen_voor_de_genoemde_operatie_en_status(tmp_path, basis):
    i = instellingen.lees(_toml(tmp_path, """
[[verwacht]]
dienst = "stub"
operaties = ["POST /a", "POST /c"]
controle = "positive_data_acceptance"
ook_status = [422]
reden = "het schema kan niet zeggen welke identificaties bestaan"
"""))
    i.max_voorbeelden = 3
    i.schemathesis_fasen = ["examples", "fuzzing"]
    uitslag = uitvoering.voer_uit(SPEC, basis_url=basis, headers={}, instellingen=i, dienst="stub")
    checks = {label: op.checks.get("positive_data_acceptance") for label, op in uitslag.operaties.items()}
    assert all(cu is not None and cu.aantal > 0 for cu in checks.values()), checks
    assert checks["POST /a"].gefaald == 0                  # 422 allowed here, with the reason
    assert checks["POST /b"].gefaald > 0                   # the same 422 elsewhere: still a finding
    assert checks["POST /c"].gefaald > 0                   # a 400 where only 422 is allowed: a finding
    # Another service with the same operation names gets no exception.
    ander = uitvoering.voer_uit(SPEC, basis_url=basis, headers={}, instellingen=i, dienst="ander")
    assert ander.operaties["POST /a"].checks["positive_data_acceptance"].gefaald > 0


def test_de_uitzonderingen_van_het_project_zijn_smal_en_hebben_een_reden():
    i = instellingen.lees()
    assert i.verwacht, "contracten.toml hoort de uitzonderingen voor _bepaal en indienen te noemen"
    for v in i.verwacht:
        assert v.controle == "positive_data_acceptance" and v.ook_status == (422,)
        assert len(v.reden) > 40 and v.operaties
        assert all(o.startswith("POST ") for o in v.operaties)


@pytest.mark.parametrize(("tekst", "melding"), [
    ('\n[[verwacht]]\ndienst = "x"\noperaties = ["POST /a"]\ncontrole = "positive_data_acceptance"\n'
     'ook_status = [422]\n', r"contracten\.toml:3 \[\[verwacht\]\] nummer 1: 'reden' ontbreekt"),
    ('\n[[verwacht]]\ndienst = "x"\noperaties = ["POST /a"]\ncontrole = "dso_api_version"\n'
     'ook_status = [422]\nreden = "r"\n', r"contracten\.toml:3 .*'controle' is 'dso_api_version'"),
    ('\n[[verwacht]]\ndienst = "x"\noperaties = ["/a"]\ncontrole = "positive_data_acceptance"\n'
     'ook_status = [422]\nreden = "r"\n', r"contracten\.toml:3 .*'operaties' moet"),
    ('\n[[verwacht]]\ndienst = "x"\noperaties = ["POST /a"]\ncontrole = "positive_data_acceptance"\n'
     'ook_status = ["422"]\nreden = "r"\n', r"contracten\.toml:3 .*'ook_status'"),
    ('\n[[verwacht]]\ndienst = "x"\noperaties = ["POST /a"]\ncontrole = "positive_data_acceptance"\n'
     'ook_status = [422]\nreden = "r"\nwaarom = 1\n', r"contracten\.toml:3 .*onbekende sleutel\(s\) waarom"),
])
def test_foute_uitzondering_noemt_bestand_en_regel(tmp_path, tekst, melding):
    with pytest.raises(ConfiguratieFout, match=melding):
        instellingen.lees(_toml(tmp_path, tekst))
