"""The report on a real run folder: the records of `dso-acceptatie run --fase leveringen` on the
reference target (copied into tests/rapport/data, evidence left out on purpose)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from dso_acceptatie.rapport import bouw_rapport

DATA = Path(__file__).parent / "data" / "echte-run-leveringen"
PROJECT = Path(__file__).resolve().parents[2]


def _kopie(tmp_path) -> Path:
    run_map = tmp_path / "runs" / "20261130T111706-referentie-1c99"
    shutil.copytree(DATA, run_map)
    return run_map


def _bouw(run_map):
    return bouw_rapport(run_map, PROJECT / "acceptatiecriteria.toml", PROJECT / "bekende-bevindingen.toml",
                        PROJECT / "rollen.toml")


def test_zelfcontroles_van_de_validator_staan_apart(tmp_path):
    r = _bouw(_kopie(tmp_path))
    assert r.json["zelfcontrole"]["telling"]["geslaagd"] == 27
    assert r.json["zelfcontrole"]["oordeel"] == "accepteren"
    assert not r.json["groepen"]["levering"]            # nothing about the target's deliveries
    assert r.model.totaal.telling["geslaagd"] == 9      # only the environment check records
    assert all(x["fase"] == "omgeving" for x in r.model.controles if not x["_zelf"])
    # every role is untested: the run proved nothing a vendor could certify
    assert {g["oordeel"] for g in r.json["groepen"]["rol"]} == {"niet getest"}
    # the rule sets the validator applied are named (certificate: rule-set versions)
    assert any("tpod" in x.lower() or "stop" in x.lower() for x in r.json["configuratie"]["regelsets"])
    # evidence paths of the real records point at files that were not copied: shown as missing
    assert all(not b["bestaat"] for x in r.json["bevindingen"] for b in x["bewijs"])


def test_met_omgevingscontrole_als_administratie_is_de_run_niet_getest(tmp_path):
    """Once the environment pre-check marks itself as bookkeeping (soort 'administratie'),
    a run of only validator self-checks is 'niet getest' — the issue's first complaint."""
    run_map = _kopie(tmp_path)
    pad = run_map / "records" / "omgeving.jsonl"
    regels = [json.loads(x) for x in pad.read_text(encoding="utf-8").splitlines()]
    pad.write_text("".join(json.dumps(dict(x, soort="administratie")) + "\n" for x in regels), encoding="utf-8")
    r = _bouw(run_map)
    assert (r.oordeel, r.exitcode) == ("niet getest", 5)
    assert sum(r.model.administratie.values()) == 9
    assert "27 geslaagd" in r.paden["html"].read_text(encoding="utf-8")

