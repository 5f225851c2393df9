"""The conformiteitsverklaring: in-toto Statement in a DSSE envelope, tampering and signatures."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from dso_acceptatie.configuratie import ConfiguratieFout
from dso_acceptatie.rapport import bouw_rapport, verifieer
from dso_acceptatie.rapport.certificaat import BESTAND, EXTENSIE, PREDICATE_TYPE, STATEMENT_TYPE
from tests.rapport.generator import controle, maak_run


def sleutelpaar():
    k = Ed25519PrivateKey.generate()
    prive = k.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    publiek = base64.b64encode(k.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
    return prive, publiek


@pytest.fixture
def run(tmp_path):
    run_map = maak_run(tmp_path / "runs", [controle(bewijs=["bewijs/contracten/a.json"]), controle(onderwerp="b")])
    (run_map / "bewijs" / "contracten").mkdir(parents=True)
    (run_map / "bewijs" / "contracten" / "a.json").write_text('{"status": 200}', encoding="utf-8")
    (run_map / "doel.json").write_text('{"naam": "referentie"}', encoding="utf-8")
    return run_map


def statement(run_map):
    env = json.loads((run_map / BESTAND).read_text())
    return env, json.loads(base64.b64decode(env["payload"]))


def test_statement_dekt_records_en_bewijs(run):
    bouw_rapport(run, None, None, Path(__file__).resolve().parents[2] / "rollen.toml")
    env, st = statement(run)
    assert env["payloadType"] == "application/vnd.in-toto+json"
    assert st["_type"] == STATEMENT_TYPE and st["predicateType"] == PREDICATE_TYPE
    namen = {s["name"] for s in st["subject"]}
    assert {"records/run.jsonl", "records/contracten.jsonl", "bewijs/contracten/a.json", "doel.json"} <= namen
    assert st["predicate"]["result"] == "PASSED"
    assert "api:presenteren" in st["predicate"]["passedTests"]
    rollen = {r["rol"]: r for r in st["predicate"][EXTENSIE]["rollen"]}
    assert rollen["raadpleeg-afnemer"]["oordeel"] == "accepteren"
    assert rollen["raadpleeg-afnemer"]["aangetoond"] == ["presenteren: GET /regelingen", "presenteren: b"]
    assert rollen["vth-systeem"]["aangetoond"] == []
    assert env["signatures"] == []
    v = verifieer(run)
    assert v.in_orde and v.handtekening == "geen" and not v.meldingen


@pytest.mark.parametrize("wijziging", ["record", "bewijs", "toegevoegd", "verwijderd", "verklaring"])
def test_elke_wijziging_wordt_gezien(run, wijziging):
    prive, publiek = sleutelpaar()
    bouw_rapport(run, privesleutel=prive)
    assert verifieer(run, publiek).in_orde
    if wijziging == "record":
        pad = run / "records" / "contracten.jsonl"
        pad.write_text(pad.read_text().replace("geslaagd", "gefaald", 1))
        verwacht = "gewijzigd: records/contracten.jsonl"
    elif wijziging == "bewijs":
        (run / "bewijs" / "contracten" / "a.json").write_text('{"status": 500}')
        verwacht = "gewijzigd: bewijs/contracten/a.json"
    elif wijziging == "toegevoegd":
        (run / "records" / "extra.jsonl").write_text("{}\n")
        verwacht = "toegevoegd na de verklaring: records/extra.jsonl"
    elif wijziging == "verwijderd":
        (run / "bewijs" / "contracten" / "a.json").unlink()
        verwacht = "ontbreekt: bewijs/contracten/a.json"
    else:
        env, st = statement(run)
        st["predicate"]["result"] = "PASSED"
        st["predicate"]["failedTests"] = []
        st["subject"] = st["subject"][:-1]
        env["payload"] = base64.b64encode(json.dumps(st).encode()).decode()
        (run / BESTAND).write_text(json.dumps(env))
        verwacht = "de handtekening klopt niet"
    v = verifieer(run, publiek)
    assert not v.in_orde
    assert any(verwacht in m for m in v.meldingen), v.meldingen


def test_handtekening_wordt_gecontroleerd(run, monkeypatch):
    prive, publiek = sleutelpaar()
    _, ander = sleutelpaar()
    monkeypatch.setenv("DSO_ONDERTEKEN_SLEUTEL", prive)
    bouw_rapport(run)
    env, _ = statement(run)
    assert len(env["signatures"]) == 1
    assert verifieer(run, publiek).handtekening == "geldig"
    v = verifieer(run, ander)
    assert (v.in_orde, v.handtekening) == (False, "ongeldig")
    # signed, but no key to check with: content is checked, the signature is said to be unchecked
    v = verifieer(run)
    assert v.in_orde and v.handtekening == "niet gecontroleerd"
    # the private key never ends up in any output
    for pad in run.iterdir():
        if pad.is_file():
            assert "PRIVATE KEY" not in pad.read_text(errors="replace")


def test_niet_ondertekend_met_sleutel_gevraagd_is_niet_in_orde(run):
    bouw_rapport(run)
    _, publiek = sleutelpaar()
    v = verifieer(run, publiek)
    assert not v.in_orde and "niet ondertekend" in v.meldingen[0]


def test_onbruikbare_sleutel_geeft_nederlandse_fout(run):
    with pytest.raises(ConfiguratieFout, match="DSO_ONDERTEKEN_SLEUTEL: geen bruikbare Ed25519"):
        bouw_rapport(run, privesleutel="geen-sleutel")


def test_ontbrekende_verklaring(run):
    v = verifieer(run)
    assert not v.in_orde and "onleesbaar of ontbreekt" in v.meldingen[0]
