"""The report on run folders made by the real orchestrator with a real phase process
(tests/harnas/voorbeeldfase.py) against a real HTTP service on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dso_acceptatie.criteria import Criteria
from dso_acceptatie.doelen import Doel
from dso_acceptatie.fasen import Fase
from dso_acceptatie.rapport import bouw_rapport
from dso_acceptatie.run import Orkestrator
from tests.lokale_http import StilleHandler, lokale_server

PROJECT = Path(__file__).resolve().parents[2]
PROEF = {"proef": Fase("proef", "Proeffase", "tests.harnas.voorbeeldfase", 20)}


class _Dienst(StilleHandler):
    def do_GET(self):
        body = {"/svc/health": {"status": "UP"}, "/svc/app-info": {"version": "1"},
                "/svc/openapi.json": {"openapi": "3.0.3", "info": {"title": "p", "version": "1"}, "paths": {}}
                }.get(self.path)
        self.antwoord(200 if body else 404, json.dumps(body or {}).encode())


@pytest.fixture
def dienst():
    with lokale_server(_Dienst) as url:
        yield url + "/svc"


def run(tmp_path, dienst, gedrag, monkeypatch):
    monkeypatch.chdir(PROJECT)
    monkeypatch.setenv("DSO_PROEF_GEDRAG", gedrag)
    doel = Doel(naam="proef", diensten={"presenteren": dienst}, fasen=["proef"])
    uitkomst = Orkestrator(doel, rapporten=tmp_path, criteria=Criteria(), fasen=PROEF,
                           meld=lambda t: None).voer_uit()
    return bouw_rapport(uitkomst.run_map, PROJECT / "acceptatiecriteria.toml", None, PROJECT / "rollen.toml")


def test_geslaagde_fase(tmp_path, dienst, monkeypatch):
    r = run(tmp_path, dienst, "geslaagd", monkeypatch)
    assert (r.oordeel, r.exitcode) == ("accepteren", 0)
    assert r.json["doel"] == "proef" and r.json["uitkomst_run"] == "voltooid"


def test_ernstige_bevinding(tmp_path, dienst, monkeypatch):
    r = run(tmp_path, dienst, "gefaald-ernstig", monkeypatch)
    assert (r.oordeel, r.exitcode) == ("afwijzen", 1)


@pytest.mark.parametrize("gedrag", ["crash", "stil"])
def test_kapotte_fase_wordt_nooit_geaccepteerd(tmp_path, dienst, monkeypatch, gedrag):
    r = run(tmp_path, dienst, gedrag, monkeypatch)
    assert r.oordeel in ("accepteren onder voorwaarden", "niet getest") and r.exitcode not in (0, 1)
    proef = r.model.groepen["component"]["proef"]           # the orchestrator's blocked record
    assert proef.telling["geblokkeerd"] == 1 and proef.oordeel == "niet getest"
    assert any("geblokkeerd" in x for x in r.redenen)
