"""The record reader: every line that is not a valid record becomes a visible geblokkeerd record.

Nothing is dropped, nothing is derived from the file name, and no input makes it crash.
"""

import json
import time
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dso_acceptatie.records import RecordWriter, lees_records

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schema/record.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def geldig(**anders) -> dict:
    record = {"schema": "dso-acceptatie/record/1", "run_id": "run-1", "tijd": "2026-11-30T10:00:00.000+00:00",
              "fase": "contracten", "component": "presenteren", "onderwerp": "GET /regelingen",
              "controle": "status-200", "soort": "controle", "status": "geslaagd", "ernst": "informatief",
              "bericht": "antwoord 200", "duur_ms": 1.5, "bewijs": [], "rol": None, "details": {}}
    record.update(anders)
    return {k: v for k, v in record.items() if v is not ...}


def schrijf_regels(tmp_path: Path, naam: str, regels: list, slot: str = "\n") -> Path:
    pad = tmp_path / "records" / naam
    pad.parent.mkdir(parents=True, exist_ok=True)
    teksten = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in regels]
    pad.write_text("\n".join(teksten) + slot, encoding="utf-8")
    return pad


@pytest.mark.parametrize("fout, verwacht", [
    (geldig(status="GEFAALD"), "veld 'status' heeft de onbekende waarde \"GEFAALD\""),
    (geldig(status=1), "veld 'status' heeft de onbekende waarde 1"),
    (geldig(ernst="kritiek"), "veld 'ernst' heeft de onbekende waarde \"kritiek\""),
    ([geldig()], "de regel is geen JSON-object maar een lijst"),
    ("42", "de regel is geen JSON-object maar een getal"),
    (geldig(bericht=...), "verplicht veld ontbreekt: 'bericht'"),
    (geldig(duur_ms="snel"), "veld 'duur_ms' moet een getal of null zijn, maar is een tekst"),
    (geldig(bewijs="pad.png"), "veld 'bewijs' moet een lijst zijn"),
    (geldig(bewijs=[1]), "veld 'bewijs[0]' moet een tekst zijn"),
    (geldig(extra=True), "onbekend veld: \"extra\""),
    (geldig(schema="dso-acceptatie/record/0"), "veld 'schema' moet \"dso-acceptatie/record/1\" zijn"),
    (geldig(duur_ms=-3), "veld 'duur_ms' mag niet kleiner zijn dan 0"),
    (geldig(soort="bewijs"), "veld 'soort' heeft de onbekende waarde \"bewijs\""),
    ('{"fase": NaN}', "geen geldige JSON"),
    (json.dumps(geldig(bericht="\ud800")), "losse UTF-16-surrogaat"),
    ("{kapot", "geen geldige JSON"),
])
def test_ongeldig_record_wordt_geblokkeerd_met_bestand_regel_en_reden(tmp_path, fout, verwacht):
    schrijf_regels(tmp_path, "contracten.jsonl", [geldig(), fout, geldig(onderwerp="daarna")])
    records = list(lees_records(tmp_path))
    assert [r["status"] for r in records] == ["geslaagd", "geblokkeerd", "geslaagd"]
    blok = records[1]
    assert (blok["component"], blok["controle"], blok["ernst"], blok["soort"]) == (
        "records", "record-leesbaar", "blokkerend", "controle")
    assert blok["bericht"].startswith("records/contracten.jsonl: regel 2 ")
    assert verwacht in blok["bericht"]
    assert blok["details"] == {"bestand": "records/contracten.jsonl", "regel": 2}
    assert blok["fase"] == "contracten"
    for r in records:
        VALIDATOR.validate(r)  # what the reader hands on is always a valid record


def test_groot_getal_is_geldige_json(tmp_path):
    # orjson stops at 64 bits; JSON has no limit, so the standard library reads such a line
    schrijf_regels(tmp_path, "a.jsonl", [geldig(details={"groot": 2**70})])
    [record] = list(lees_records(tmp_path))
    assert record["status"] == "geslaagd" and record["details"]["groot"] == 2**70


def test_fase_komt_uit_het_record_nooit_uit_de_bestandsnaam(tmp_path):
    # the orchestrator writes its own records for a phase into <fase>-orkestrator.jsonl; a phase may
    # write into a file of any name: only the fase field counts
    schrijf_regels(tmp_path, "klantreizen-orkestrator.jsonl", [geldig(fase="klant-reizen")])
    schrijf_regels(tmp_path, "x-y.jsonl", [geldig(fase="last"), "{kapot", geldig(status="rood", fase="leveringen")])
    schrijf_regels(tmp_path, "z.jsonl", ["{kapot"])
    per_bestand = {}
    for r in lees_records(tmp_path):
        per_bestand.setdefault(r["onderwerp"] if r["component"] == "records" else "ok", []).append(r["fase"])
    assert per_bestand["ok"] == ["klant-reizen", "last"]
    assert per_bestand["records/x-y.jsonl"] == ["last", "leveringen"]  # neighbour, then its own fase field
    assert per_bestand["records/z.jsonl"] == ["onbekend"]


def test_onleesbare_regel_in_het_runbestand_telt_mee(tmp_path):
    # fase "run" is the run's bookkeeping, which summary and report do not count as checks
    schrijf_regels(tmp_path, "run.jsonl", [geldig(fase="run", controle="run-start"), "{kapot"])
    [_, blok] = list(lees_records(tmp_path))
    assert blok["status"] == "geblokkeerd" and blok["fase"] == "onbekend"


def test_afgebroken_laatste_regel_is_zichtbaar(tmp_path):
    pad = schrijf_regels(tmp_path, "last.jsonl", [geldig(fase="last")], slot="\n")
    with open(pad, "a", encoding="utf-8") as f:
        f.write(json.dumps(geldig(fase="last"))[:40])  # what a killed writer leaves
    records = list(lees_records(tmp_path))
    assert [r["status"] for r in records] == ["geslaagd", "geblokkeerd"]
    assert records[1]["fase"] == "last"
    assert "regel 2" in records[1]["bericht"] and "afgebroken" in records[1]["bericht"]
    assert "1 record is verloren" in records[1]["bericht"]


def test_ongeldige_utf8_en_sleutels_in_meldingen(tmp_path):
    pad = tmp_path / "records" / "a.jsonl"
    pad.parent.mkdir(parents=True)
    pad.write_bytes(json.dumps(geldig()).encode() + b"\n" + b'{"fase": "\xff"}\n'
                    + json.dumps(geldig(status="x-api-key: geheim-abc-123")).encode() + b"\n")
    records = list(lees_records(tmp_path))
    assert "geen geldige UTF-8" in records[1]["bericht"]
    assert "geheim-abc-123" not in json.dumps(records)  # a foreign value is masked in the message


def test_lege_en_witregels_zijn_geen_records(tmp_path):
    schrijf_regels(tmp_path, "a.jsonl", ["", "   ", geldig(), ""])
    assert [r["status"] for r in lees_records(tmp_path)] == ["geslaagd"]


def test_honderdduizend_records_in_een_paar_seconden(tmp_path):
    pad = tmp_path / "records" / "contracten.jsonl"
    with RecordWriter(pad, "run-1", "contracten") as w:
        regel = (json.dumps(w.schrijf(component="presenteren", onderwerp="GET /x", controle="k",
                                      status="geslaagd", bericht="antwoord 200", duur_ms=1.0,
                                      details={"i": 0})) + "\n").encode()
    pad.write_bytes(regel * 100_000)
    start = time.process_time()  # CPU time: the machine is shared, wall time says little
    aantal = sum(1 for _ in lees_records(tmp_path))
    duur = time.process_time() - start
    assert aantal == 100_000
    assert duur < 5, f"100.000 records lezen kostte {duur:.1f} s CPU"


def _regel_is_een_record(regel: bytes) -> bool:
    """Independent oracle: standard-library JSON (no NaN) plus the pure-Python validator."""
    def weiger(_):
        raise ValueError
    try:
        record = json.loads(regel.decode("utf-8"), parse_constant=weiger)
        json.dumps(record, ensure_ascii=False).encode("utf-8")  # no lone surrogates
    except (ValueError, RecursionError):
        return False
    return VALIDATOR.is_valid(record)


REGELS = st.one_of(
    st.binary(max_size=80),
    st.builds(lambda tekst: ('{"fase": "' + tekst + '", "status": 1}').encode(),
              st.sampled_from(["\\ud800", "\\u0000", "\\\\", "\\q", "\\udc00x"])),
    st.builds(lambda r: json.dumps(r).encode(), st.builds(geldig, status=st.sampled_from(
        ["geslaagd", "gefaald", "GEFAALD", 1, None]), ernst=st.sampled_from(["ernstig", "kritiek"]),
        fase=st.one_of(st.sampled_from(["contracten", "run", ""]), st.integers()))),
    st.builds(lambda r: json.dumps(r).encode(), st.recursive(
        st.none() | st.booleans() | st.floats() | st.text(max_size=5),
        lambda kind: st.lists(kind, max_size=3) | st.dictionaries(st.text(max_size=5), kind, max_size=3),
        max_leaves=8)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(regels=st.lists(REGELS, max_size=6), slot=st.sampled_from([b"", b"\n", b"\r\n"]),
       ruis=st.binary(max_size=40))
def test_willekeurige_bytes_geven_records_nooit_een_traceback(tmp_path, regels, slot, ruis):
    inhoud = b"\n".join(regels) + slot + (ruis if not slot else b"")
    map_ = tmp_path / "fuzz"
    (map_ / "records").mkdir(parents=True, exist_ok=True)
    (map_ / "records" / "f.jsonl").write_bytes(inhoud)
    records = list(lees_records(map_))  # never raises
    for r in records:
        VALIDATOR.validate(r)
    onleesbaar = [r for r in inhoud.split(b"\n") if r.strip() and not _regel_is_een_record(r)]
    geblokkeerd = [r for r in records if r["controle"] == "record-leesbaar"]
    assert len(geblokkeerd) == len(onleesbaar)
    assert all(r["status"] == "geblokkeerd" and r["fase"] != "run" for r in geblokkeerd)
    assert len(records) == sum(1 for r in inhoud.split(b"\n") if r.strip())
