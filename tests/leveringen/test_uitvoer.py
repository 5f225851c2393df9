"""`levering --json` carries the phase's records (schema-valid, same verdict) and `--svrl PAD`
writes every finding as SVRL; refused input gets a failing verdict record too."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
from lxml import etree

from dso_acceptatie.leveringen import aanvallen

from .helpers import GEMEENTESTAD, IMRO, PROJECT

SVRL = "{http://purl.oclc.org/dsdl/svrl}"
SCHEMA = json.loads((PROJECT / "schema" / "record.schema.json").read_text(encoding="utf-8"))


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "dso_acceptatie", "levering", *map(str, args)],
                          check=False, capture_output=True, text=True, timeout=120)


def test_json_records_en_svrl_bij_fouten(tmp_path):
    svrl = tmp_path / "uit.svrl"
    r = _cli(IMRO / "RW-2025-7b.gml", "--peildatum", "2025-02-01", "--json", "--svrl", svrl)
    assert r.returncode == 1, r.stderr
    data = json.loads(r.stdout)
    records = data["records"]
    for rec in records:
        jsonschema.validate(rec, SCHEMA)
    assert (records[0]["controle"], records[0]["status"], records[0]["fase"]) == (
        "conformiteit", "gefaald", "leveringen")
    assert [x["controle"] for x in records[1:]] == [b["code"] for b in data["bevindingen"] if b["ernst"] == "fout"]
    root = etree.parse(str(svrl)).getroot()
    assert root.tag == SVRL + "schematron-output"
    fouten = root.findall(SVRL + "failed-assert")
    assert [f.get("id") for f in fouten] == ["TAM-Besluitgebied_X"]
    assert fouten[0].get("role") == "fout" and "regel 8" in fouten[0].findtext(SVRL + "text")
    patroon = root.find(SVRL + "active-pattern")
    assert patroon.get("document") == "RW-2025-7b.gml" and "TAM v0.13" in patroon.get("id")


def test_json_records_goedgekeurd(tmp_path):
    r = _cli(GEMEENTESTAD.parent / "opdracht_10", "--json", "--svrl", tmp_path / "s.svrl")
    assert r.returncode == 0, r.stderr
    (rec,) = json.loads(r.stdout)["records"]
    assert (rec["controle"], rec["status"]) == ("conformiteit", "geslaagd")
    root = etree.parse(str(tmp_path / "s.svrl")).getroot()
    assert root.findall(SVRL + "failed-assert") == []


def test_geweigerd_json_heeft_gefaald_record(tmp_path):
    r = _cli(aanvallen.zip_slip(tmp_path), "--json")
    assert r.returncode == 2
    data = json.loads(r.stdout)
    (rec,) = data["records"]
    jsonschema.validate(rec, SCHEMA)
    assert rec["status"] == "gefaald" and "geweigerd" in rec["bericht"].lower()


def test_svrl_naar_map_die_niet_bestaat(tmp_path):
    r = _cli(IMRO / "RW-2025-7b.gml", "--svrl", tmp_path / "nee" / "x.svrl")
    assert r.returncode == 2 and "--svrl" in r.stderr


def test_basis_beslist_en_moet_een_map_zijn(tmp_path):
    mutatie, basis = GEMEENTESTAD.parent / "opdracht_10", GEMEENTESTAD
    zonder = _cli(mutatie)
    met = _cli(mutatie, "--basis", basis)
    assert zonder.returncode == 0 and "IMOW-VERWIJZING-OPEN" in zonder.stdout
    assert met.returncode == 1 and "OZON0045" in met.stdout and "kantoorruimte" in met.stdout
    fout = _cli(mutatie, "--basis", tmp_path / "bestaat-niet")
    assert fout.returncode == 2 and "--basis" in fout.stderr and "Traceback" not in fout.stderr
