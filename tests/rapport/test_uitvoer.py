"""rapport.json against its schema, junit.xml against a JUnit XSD, samenvatting.md, evidence."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from lxml import etree

from dso_acceptatie.rapport import bouw_rapport
from tests.rapport.generator import controle, maak_run, veel_records

PROJECT = Path(__file__).resolve().parents[2]


def _run(tmp_path):
    records = veel_records(400) + [
        controle(status="gefaald", ernst="ernstig", bericht="regel met <xml> & \x01 stuurteken",
                 bewijs=["bewijs/contracten/ontbreekt.json"],
                 details={"curl": "curl -H 'x-api-key: $DSO_API_KEY' https://example/a"}),
        controle(fase="leveringen", component="IMOW", onderwerp="voorbeeld", controle="verwachte-uitkomst",
                 details={"verwacht": "goedgekeurd"})]
    return bouw_rapport(maak_run(tmp_path / "runs", records), PROJECT / "acceptatiecriteria.toml",
                        PROJECT / "bekende-bevindingen.toml", PROJECT / "rollen.toml")


def test_rapport_json_voldoet_aan_het_schema(tmp_path):
    r = _run(tmp_path)
    schema = json.loads((PROJECT / "schema" / "rapport.schema.json").read_text(encoding="utf-8"))
    data = json.loads(r.paden["json"].read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    fouten = list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    assert not fouten, fouten[0]
    assert data["oordeel"] == r.oordeel and data["exitcode"] == r.exitcode


def test_junit_is_geldig_volgens_xsd_een_testsuite_per_component(tmp_path):
    r = _run(tmp_path)
    xsd = etree.XMLSchema(etree.parse(str(PROJECT / "schema" / "junit" / "junit.xsd")))
    doc = etree.parse(str(r.paden["junit"]))
    assert xsd.validate(doc), xsd.error_log
    suites = doc.getroot().findall("testsuite")
    namen = [s.get("name") for s in suites]
    assert len(namen) == len(set(namen))
    componenten = {x["component"] for x in r.model.controles if not x["_zelf"]}
    assert set(namen) == componenten | {"Zelfcontrole harnas"}
    assert int(doc.getroot().get("tests")) == len(r.model.controles)
    assert int(doc.getroot().get("failures")) == sum(
        1 for x in r.model.controles if x["status"] in ("gefaald", "instabiel") and not x["_bekend"]
        and not (x["_zelf"] and x["status"] == "instabiel"))
    assert int(doc.getroot().get("errors")) == sum(1 for x in r.model.controles if x["status"] == "geblokkeerd")


def test_junit_van_een_lege_run_is_ook_geldig(tmp_path):
    r = bouw_rapport(maak_run(tmp_path / "runs", []))
    xsd = etree.XMLSchema(etree.parse(str(PROJECT / "schema" / "junit" / "junit.xsd")))
    assert xsd.validate(etree.parse(str(r.paden["junit"])))


def test_ontbrekend_bewijs_wordt_als_ontbrekend_getoond(tmp_path):
    r = _run(tmp_path)
    b = next(b for b in r.json["bevindingen"] if b["bewijs"] and b["bewijs"][0]["pad"].endswith("ontbreekt.json"))
    assert b["bewijs"] == [{"pad": "bewijs/contracten/ontbreekt.json", "bestaat": False}]
    assert "ontbreekt:</span> <code>bewijs/contracten/ontbreekt.json" in r.paden["html"].read_text()
    assert "$DSO_API_KEY" in b["curl"]


def test_samenvatting_begint_met_het_oordeel(tmp_path):
    r = _run(tmp_path)
    md = r.paden["markdown"].read_text(encoding="utf-8")
    assert md.splitlines()[2].startswith(f"**Oordeel: {r.oordeel.upper()}** (exitcode {r.exitcode})")
    assert "## Per rol" in md and "## Waarom" in md
    assert "rapport.html" in r.terminal_tekst()


def test_api_sleutel_komt_nergens_in_de_uitvoer(tmp_path, monkeypatch):
    from dso_acceptatie.records import Masker, RecordWriter

    sleutel = "geheim-abcdef-123456"
    run_map = maak_run(tmp_path / "runs", [controle()])
    with RecordWriter(run_map / "records" / "contracten.jsonl", "x", "contracten", Masker([sleutel])) as w:
        w.schrijf(component="presenteren", onderwerp="GET /a", controle="c", status="gefaald", ernst="ernstig",
                  bericht=f"antwoord met x-api-key: {sleutel}", details={"curl": f"curl -H 'x-api-key: {sleutel}'"})
    r = bouw_rapport(run_map)
    bestanden = [p for pad in r.paden.values() for p in ([pad] if pad.is_file() else pad.rglob("*"))]
    assert len(bestanden) > 5
    for pad in bestanden:
        assert sleutel not in pad.read_text(encoding="utf-8")


def test_uittreksel_van_tekstbewijs_staat_in_de_pagina(tmp_path):
    run_map = maak_run(tmp_path / "runs", [
        controle(fase="leveringen", component="IMOW", onderwerp="lev.zip", controle="TPOD1740", status="gefaald",
                 ernst="ernstig", bewijs=["bewijs/leveringen/lev.svrl"])])
    (run_map / "bewijs" / "leveringen").mkdir(parents=True)
    (run_map / "bewijs" / "leveringen" / "lev.svrl").write_text(
        '<svrl:failed-assert test="x" location="/a"><svrl:text>TPOD1740: <fout></svrl:text>'
        "x-api-key: lekte-sleutel-123 " + "x" * 2000)
    html = bouw_rapport(run_map).paden["html"].read_text(encoding="utf-8")
    assert "lekte-sleutel-123" not in html and "x-api-key: ***" in html
    assert "&lt;svrl:failed-assert test=&quot;x&quot;" in html and "TPOD1740: &lt;fout&gt;" in html
    assert "x" * 900 not in html        # an excerpt, not the whole file


def test_uitvoer_die_niet_geschreven_kan_worden_wordt_gemeld_de_rest_komt_er(tmp_path):
    run_map = maak_run(tmp_path / "runs", [controle()])
    (run_map / "rapport.html").mkdir()           # a folder where the page should go
    r = bouw_rapport(run_map)
    assert r.oordeel == "accepteren" and r.exitcode == 0   # the verdict comes from the records
    assert "html" not in r.paden and {"json", "markdown", "junit", "certificaat"} <= set(r.paden)
    assert r.schrijffout.startswith(f"{run_map / 'rapport.html'} kon niet worden geschreven")
    assert "Let op:" in r.terminal_tekst()
