"""The zelftest end to end (real reference LV, real contract phase) and its bookkeeping."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dso_acceptatie.criteria import Criteria
from dso_acceptatie.zelftest import MUTATIES, Uitslag, afwijzende_controles, als_tabel, geslaagd, kies_mutaties

PROJECT = Path(__file__).resolve().parents[2]


def _cli(*args: str, timeout: float = 170) -> subprocess.CompletedProcess:
    # the contract phase on examples only: the point here is the zelftest's bookkeeping, not coverage
    env = dict(os.environ, DSO_CONTRACTEN_SCHEMATHESIS_FASEN="examples")
    return subprocess.run([sys.executable, "-m", "dso_acceptatie", *args], capture_output=True, text=True,
                          cwd=PROJECT, timeout=timeout, check=False, env=env)


def test_mutatie_wordt_afgewezen_door_de_contractfase(tmp_path):
    uit = _cli("zelftest", "--snel", "--mutatie", "geen-api-version", "--rapporten", str(tmp_path))
    verslag = json.loads(next((tmp_path / "zelftest").glob("*/zelftest.json")).read_text(encoding="utf-8"))
    schoon, mutatie = verslag["uitslagen"]
    assert schoon["mutatie"] == "(schoon)" and schoon["fase"] == "contracten" and schoon["schoon"]
    assert mutatie["mutatie"] == "geen-api-version"
    assert mutatie["oordeel"] == "afwijzen" and mutatie["gedood"], uit.stdout[-2000:]
    assert any(d.startswith("contracten/dso_api_version") for d in mutatie["afgewezen_door"])
    # the mutation run really had the fault on; the clean run did not
    assert Path(mutatie["run_map"], "referentie-lv.log").exists()
    start = [json.loads(r) for r in Path(mutatie["run_map"], "records", "run.jsonl").read_text().splitlines()][0]
    assert start["details"]["fouten"] == "geen-api-version"
    assert verslag["score"] == {"gedood": 1, "totaal": 1}
    # exit code 0 exactly when the clean run is clean and every mutation rejected
    assert uit.returncode == (0 if verslag["geslaagd"] else 1), uit.stderr
    assert verslag["geslaagd"] == (schoon["gedood"] and mutatie["gedood"])
    assert "geen-api-version" in uit.stdout and "Mutatiescore: 1/1" in uit.stdout


def test_onbekende_fase_is_een_gebruiksfout(tmp_path):
    uit = _cli("zelftest", "--fase", "onzin", "--rapporten", str(tmp_path), timeout=60)
    assert uit.returncode == 2
    assert "--fase onzin: onbekende fase" in uit.stderr
    assert not (tmp_path / "zelftest").exists()
    uit = _cli("zelftest", "--mutatie", "bestaat-niet", "--rapporten", str(tmp_path), timeout=60)
    assert uit.returncode == 2 and "--mutatie bestaat-niet: onbekende mutatie" in uit.stderr


def test_elke_mutatie_is_een_bekende_fout_en_snel_dekt_elke_fase():
    uit = subprocess.run([sys.executable, "-m", "referentie_lv.fouten"], capture_output=True, text=True,
                         check=True, timeout=60)
    for m in MUTATIES:
        assert m.naam.split(":")[0] + ("\n" if ":" not in m.naam else ":") in uit.stdout + "\n", m.naam
    assert {m.fase for m in kies_mutaties(True, None)} == {m.fase for m in MUTATIES}


def _r(status, ernst, fase="contracten", controle="c", **extra):
    return {"status": status, "ernst": ernst, "fase": fase, "controle": controle, "soort": "controle", **extra}


def test_alleen_wat_de_criteria_afwijzen_telt_als_afwijzend():
    criteria = Criteria()  # blokkerend/ernstig 0, hinderlijk onbeperkt, geblokkeerd = voorwaarden
    door, boven = afwijzende_controles([
        _r("gefaald", "ernstig", controle="x"), _r("gefaald", "ernstig", controle="x"),
        _r("gefaald", "hinderlijk", controle="traag"), _r("geblokkeerd", "blokkerend", controle="crash"),
        _r("gefaald", "informatief", controle="info"), _r("gefaald", "ernstig", controle="z", _zelf=True),
    ], criteria)
    assert door == ["contracten/x (2)"]
    assert boven == 4   # 2 ernstig, 1 hinderlijk, 1 geblokkeerd; informatief and self-checks not


def test_gemiste_mutatie_of_vuile_schone_run_is_geen_geslaagde_zelftest():
    schoon = Uitslag("(schoon)", "contracten", "accepteren", True, schoon=True)
    gedood = Uitslag("a", "contracten", "afwijzen", True, ["contracten/x (1)"])
    gemist = Uitslag("b", "contracten", "accepteren", False)
    assert geslaagd([schoon, gedood])
    assert not geslaagd([schoon, gedood, gemist])
    assert not geslaagd([Uitslag("(schoon)", "contracten", "accepteren", False, boven_informatief=3, schoon=True),
                         gedood])
    assert not geslaagd([schoon])   # no mutation applied proves nothing
    tabel = als_tabel([schoon, gedood, gemist])
    assert "GEMIST" in tabel and "Mutatiescore: 1/2 gedood (50%)" in tabel
