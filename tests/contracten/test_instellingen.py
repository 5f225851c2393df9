"""contracts/contracten.toml and its environment variables: a wrong value is a Dutch message
naming the file and line (or the variable), and the phase records it instead of crashing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dso_acceptatie.configuratie import ConfiguratieFout
from dso_acceptatie.fasen.contracten import instellingen
from tests.contracten.helpers import PROJECT


def _toml(tmp_path, uitvoering: str):
    pad = tmp_path / "contracten.toml"
    pad.write_text(f"# kop\n\n[uitvoering]\nmax_voorbeelden = 5\n{uitvoering}\n", encoding="utf-8")
    return pad


def test_standaard_budget_is_twee_derde_van_de_tijdslimiet(monkeypatch):
    monkeypatch.delenv("DSO_CONTRACTEN_TIJDSBUDGET", raising=False)
    i = instellingen.lees()
    assert i.tijdsbudget_s is None and i.budget_s == 600
    assert i.gelijktijdig >= 1


def test_budget_en_gelijktijdig_uit_bestand_en_omgeving(tmp_path, monkeypatch):
    pad = _toml(tmp_path, "tijdsbudget_s = 120\ngelijktijdig = 2")
    monkeypatch.delenv("DSO_CONTRACTEN_TIJDSBUDGET", raising=False)
    monkeypatch.delenv("DSO_CONTRACTEN_GELIJKTIJDIG", raising=False)
    i = instellingen.lees(pad)
    assert (i.budget_s, i.gelijktijdig, i.max_voorbeelden) == (120, 2, 5)
    monkeypatch.setenv("DSO_CONTRACTEN_TIJDSBUDGET", "30")
    monkeypatch.setenv("DSO_CONTRACTEN_GELIJKTIJDIG", "1")
    i = instellingen.lees(pad)
    assert (i.budget_s, i.gelijktijdig) == (30, 1)


@pytest.mark.parametrize(("regel", "melding"), [
    ("gelijktijdig = 0", r"contracten\.toml:6 \[uitvoering\] gelijktijdig: 0 is kleiner dan 1"),
    ("gelijktijdig = 2.5", r"contracten\.toml:6 \[uitvoering\] gelijktijdig: 2\.5 is geen geheel getal"),
    ('tijdsbudget_s = "lang"', r"contracten\.toml:6 \[uitvoering\] tijdsbudget_s: 'lang' is geen getal"),
])
def test_fout_in_het_bestand_noemt_bestand_en_regel(tmp_path, regel, melding):
    with pytest.raises(ConfiguratieFout, match=melding):
        instellingen.lees(_toml(tmp_path, "\n" + regel))


def test_fout_in_de_omgeving_noemt_de_variabele(tmp_path, monkeypatch):
    monkeypatch.setenv("DSO_CONTRACTEN_TIJDSBUDGET", "tien")
    with pytest.raises(ConfiguratieFout, match="omgevingsvariabele DSO_CONTRACTEN_TIJDSBUDGET: 'tien' is geen getal"):
        instellingen.lees(_toml(tmp_path, ""))


def test_fase_legt_een_configuratiefout_vast_zonder_stacktrace(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "doel.json").write_text(json.dumps({"naam": "t", "diensten": {}}), encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "DSO_CONTRACTEN_GELIJKTIJDIG": "veel"}
    p = subprocess.run([sys.executable, "-m", "dso_acceptatie.fasen.contracten", "--run-map", str(run),
                        "--doel", str(run / "doel.json"), "--run-id", "t"], cwd=PROJECT, env=env,
                       capture_output=True, text=True, timeout=60, check=False)
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
    [r] = [json.loads(x) for x in (run / "records" / "contracten.jsonl").read_text().splitlines()]
    assert (r["controle"], r["status"]) == ("configuratie", "geblokkeerd")
    assert "DSO_CONTRACTEN_GELIJKTIJDIG: 'veel' is geen geheel getal" in r["bericht"]
