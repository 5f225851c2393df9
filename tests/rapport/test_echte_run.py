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
    run_map = tmp_path / "runs" / "20261130T114415-referentie-ac34"
    shutil.copytree(DATA, run_map)
    return run_map


def _bouw(run_map):
    return bouw_rapport(run_map, PROJECT / "acceptatiecriteria.toml", PROJECT / "bekende-bevindingen.toml",
                        PROJECT / "rollen.toml")


def test_zelfcontroles_van_de_validator_staan_apart_en_de_run_is_niet_getest(tmp_path):
    """The issue's first complaint, on real records: only validator self-checks and the
    environment pre-check (bookkeeping) ran, so nothing about the target is proven."""
    r = _bouw(_kopie(tmp_path))
    assert (r.oordeel, r.exitcode) == ("niet getest", 5)
    assert r.json["zelfcontrole"]["telling"]["geslaagd"] == 27
    assert r.json["zelfcontrole"]["oordeel"] == "accepteren"
    assert r.model.totaal.totaal == 0
    assert sum(r.model.administratie.values()) == 9      # services reachable: bookkeeping
    assert not r.json["groepen"]["levering"]            # nothing about the target's deliveries
    assert {g["oordeel"] for g in r.json["groepen"]["rol"]} == {"niet getest"}
    assert "27 geslaagd" in r.paden["html"].read_text(encoding="utf-8")
    # the rule sets the validator applied are named (certificate: rule-set versions)
    assert any("tpod" in x.lower() or "stop" in x.lower() for x in r.json["configuratie"]["regelsets"])
    # evidence paths of the real records point at files that were not copied: shown as missing
    assert all(not b["bestaat"] for x in r.json["bevindingen"] for b in x["bewijs"])


def test_bereikbaarheid_als_controle_zou_de_run_laten_accepteren(tmp_path):
    """Why the field matters: the same records with the pre-check written as 'controle' (as
    before omgeving.py marked it) would make this run 'accepteren' on reachability alone."""
    run_map = _kopie(tmp_path)
    pad = run_map / "records" / "omgeving.jsonl"
    regels = [json.loads(x) for x in pad.read_text(encoding="utf-8").splitlines()]
    pad.write_text("".join(json.dumps(dict(x, soort="controle")) + "\n" for x in regels), encoding="utf-8")
    assert _bouw(run_map).oordeel == "accepteren"
