"""Allure results for every phase from the records, and the HTML report with the npm package."""

from __future__ import annotations

import json
from pathlib import Path

from dso_acceptatie.rapport import bouw_rapport
from tests.rapport.generator import controle, maak_run


def test_allure_resultaten_per_onderwerp_voor_elke_fase(tmp_path):
    records = [controle(), controle(controle="b", status="gefaald", ernst="ernstig", bericht="500"),
               controle(fase="last", component="presenteren", onderwerp="presenteren GET /x", controle="p95-latentie",
                        status="geblokkeerd", ernst="blokkerend", bericht="locust crashte"),
               controle(fase="leveringen", component="IMOW", onderwerp="lev.zip", controle="conformiteit"),
               controle(fase="klantreizen", component="Omgevingsloket", onderwerp="kaart: zoek", controle="scenario"),
               controle(fase="klantreizen", component="Omgevingsloket", onderwerp="toegankelijkheid: /",
                        controle="axe-core: WCAG 2.1 A/AA", status="overgeslagen")]
    r = bouw_rapport(maak_run(tmp_path / "runs", records))
    bestanden = r.paden["allure"].glob("*-result.json")
    resultaten = {x["fullName"]: x for x in (json.loads(p.read_text()) for p in bestanden)}
    assert set(resultaten) == {"contracten.presenteren.GET /regelingen", "last.presenteren.presenteren GET /x",
                               "leveringen.IMOW.lev.zip", "klantreizen.Omgevingsloket.toegankelijkheid: /"}
    contract = resultaten["contracten.presenteren.GET /regelingen"]
    assert contract["status"] == "failed" and contract["statusDetails"]["message"] == "500"
    assert [s["status"] for s in contract["steps"]] == ["passed", "failed"]
    assert {"name": "severity", "value": "critical"} in contract["labels"]
    assert resultaten["last.presenteren.presenteren GET /x"]["status"] == "broken"
    assert resultaten["klantreizen.Omgevingsloket.toegankelijkheid: /"]["status"] == "skipped"
    # rebuilding overwrites instead of adding
    bouw_rapport(r.run_map)
    assert len(list(r.paden["allure"].glob("*-result.json"))) == 4


def test_allure_html_met_het_vastgepinde_npm_pakket(tmp_path):
    r = bouw_rapport(maak_run(tmp_path / "runs", [controle(), controle(controle="b", status="gefaald")]),
                     allure_html=True)
    assert not r.meldingen, r.meldingen
    assert (r.paden["allure-html"] / "index.html").exists()
    samenvatting = json.loads((r.paden["allure-html"] / "summary.json").read_text())
    assert samenvatting["stats"]["total"] == 1


def test_allure_html_zonder_npm_pakket_is_een_melding(tmp_path, monkeypatch):
    monkeypatch.setenv("DSO_PROJECT", str(tmp_path))
    r = bouw_rapport(maak_run(tmp_path / "runs", [controle()]), allure_html=True)
    assert "allure-html" not in r.paden
    assert "Allure-HTML niet gemaakt" in r.terminal_tekst() and "ontbreekt" in r.meldingen[0]
    assert r.oordeel == "accepteren"
    assert Path(r.paden["html"]).exists()
