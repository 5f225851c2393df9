"""The record writer: valid records, masking, and nothing lost when the writer is killed."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from dso_acceptatie.records import Masker, RecordWriter, lees_records

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schema/record.schema.json").read_text())


def test_record_voldoet_aan_schema(tmp_path):
    with RecordWriter(tmp_path / "records/a.jsonl", "run-1", "contracten") as w:
        r = w.schrijf(component="presenteren", onderwerp="GET /regelingen", controle="api-version",
                      status="gefaald", ernst="ernstig", bericht="API-Version ontbreekt",
                      duur_ms=12.34, bewijs=["bewijs/x.txt"], details={"status": 200})
    jsonschema.validate(r, SCHEMA)
    assert list(lees_records(tmp_path)) == [r]


def test_onbekende_status_of_ernst_wordt_geweigerd(tmp_path):
    with RecordWriter(tmp_path / "records/a.jsonl", "run-1", "f") as w:
        with pytest.raises(ValueError):
            w.schrijf(component="c", onderwerp="o", controle="k", status="groen", bericht="b")
        with pytest.raises(ValueError):
            w.schrijf(component="c", onderwerp="o", controle="k", status="gefaald",
                      ernst="heel erg", bericht="b")


def test_writer_maskeert_geheimen_overal(tmp_path):
    geheim = "s3cr3t-sleutel-0123456789"
    masker = Masker([geheim])
    with RecordWriter(tmp_path / "records/a.jsonl", "run-1", "f", masker) as w:
        w.schrijf(component="c", onderwerp=f"GET /x?key={geheim}", controle="k",
                  status="gefaald", ernst="ernstig", bericht=f"sleutel {geheim} geweigerd",
                  details={"headers": {"x-api-key": geheim},
                           "curl": "curl -H 'x-api-key: anders-geheim-999' https://a"})
    tekst = (tmp_path / "records/a.jsonl").read_text()
    assert geheim not in tekst
    assert "anders-geheim-999" not in tekst  # key-shaped header masked even when unknown
    assert tekst.count("***") >= 3


def test_masker_herkent_sleutelvormen():
    m = Masker()
    assert m('x-api-key: abcdef123') == "x-api-key: ***"
    assert m('{"X-Api-Key": "abcdef123"}') == '{"X-Api-Key": "***"}'
    assert m("https://a/b?api_key=abcdef&c=1") == "https://a/b?api_key=***&c=1"
    assert m("Authorization: Bearer eyJhbGciOi") == "Authorization: Bearer ***"


SCHRIJVER = """
import sys
from pathlib import Path
from dso_acceptatie.records import RecordWriter
w = RecordWriter(Path(sys.argv[1]), "run-kill", "proef")
i = 0
while True:
    w.schrijf(component="c", onderwerp=f"controle {i}", controle="k", status="geslaagd",
              bericht="x" * 500, details={"i": i})
    i += 1
"""


def test_gedode_schrijver_verliest_geen_voltooid_record(tmp_path):
    pad = tmp_path / "records" / "proef.jsonl"
    proces = subprocess.Popen([sys.executable, "-c", SCHRIJVER, str(pad)])
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (not pad.exists() or pad.stat().st_size < 200_000):
            time.sleep(0.05)
    finally:
        proces.send_signal(signal.SIGKILL)
        proces.wait()
    alles = list(lees_records(tmp_path))
    records = [r for r in alles if r["controle"] != "record-leesbaar"]
    assert len(records) > 100
    # every completed record is there, in order, with nothing missing in between
    assert [r["details"]["i"] for r in records] == list(range(len(records)))
    inhoud = pad.read_bytes()
    verloren = [r for r in alles if r["controle"] == "record-leesbaar"]
    if inhoud.endswith(b"\n"):  # killed between two records: nothing torn, nothing reported
        assert not verloren
    else:  # the torn last line is not dropped silently
        assert len(verloren) == 1 and verloren[0]["status"] == "geblokkeerd"
        assert "afgebroken" in verloren[0]["bericht"] and "1 record is verloren" in verloren[0]["bericht"]
        assert verloren[0]["details"]["regel"] == inhoud.count(b"\n") + 1


def test_maskeren_breekt_de_json_niet_en_laat_plaatshouders_staan(tmp_path):
    masker = Masker(["geheim-abcdef-123"])
    with RecordWriter(tmp_path / "records/a.jsonl", "run-1", "f", masker) as w:
        w.schrijf(component="c", onderwerp="o", controle="k", status="gefaald", ernst="ernstig",
                  bericht='curl -H "x-api-key: $DSO_API_KEY" "https://a/b?api_key=xyz\\"q"',
                  details={"tekst": 'x-api-key: "geheim-abcdef-123"', "url": "https://a?api_key=zz"})
    records = list(lees_records(tmp_path))
    assert len(records) == 1  # the line is still valid JSON
    r = records[0]
    assert "$DSO_API_KEY" in r["bericht"]  # a placeholder is not a key
    assert "api_key=***" in r["bericht"] and "xyz" not in r["bericht"]
    assert "geheim-abcdef-123" not in json.dumps(r) and r["details"]["url"] == "https://a?api_key=***"


def test_onleesbare_regel_midden_in_een_bestand_wordt_zichtbaar(tmp_path):
    pad = tmp_path / "records" / "contracten.jsonl"
    with RecordWriter(pad, "run-1", "contracten") as w:
        w.schrijf(component="c", onderwerp="o", controle="k", status="geslaagd", bericht="b")
    with open(pad, "a") as f:
        f.write('{"kapot": \n')
    with RecordWriter(pad, "run-1", "contracten") as w:
        w.schrijf(component="c", onderwerp="o2", controle="k", status="geslaagd", bericht="b")
    records = list(lees_records(tmp_path))
    assert [r["status"] for r in records] == ["geslaagd", "geblokkeerd", "geslaagd"]
    assert "regel 2" in records[1]["bericht"] and records[1]["fase"] == "contracten"
