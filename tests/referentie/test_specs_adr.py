"""The modelled specs of the reference LV pass the official ADR lint (Spectral) with zero errors.

Only specs written by us are linted here (``info.description`` says "Gemodelleerd door
dso-acceptatie"); real published specs in the same folder are served as published and are not
ours to fix. Warnings are allowed but printed, so they stay visible.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "src" / "referentie_lv" / "specs"
RULESET = ROOT / "contracts" / "adr" / "linter.yaml"
SPECTRAL = ROOT / "node_modules" / ".bin" / "spectral"
MARKER = "Gemodelleerd door dso-acceptatie"

# The five specs this project models; each must exist and carry the marker.
VERWACHT = {"presenteren.yaml", "geometrieopvragen.yaml", "catalogus.yaml",
            "verzoeken-indienen.yaml", "verzoeken-afhandelen.yaml"}


def _laad(p: Path) -> dict:
    tekst = p.read_text(encoding="utf-8")
    return json.loads(tekst) if p.suffix == ".json" else yaml.safe_load(tekst)


def eigen_specs() -> list[Path]:
    uit = []
    for p in sorted(SPECS.iterdir()):
        if p.suffix not in (".yaml", ".yml", ".json"):
            continue
        spec = _laad(p)
        if isinstance(spec, dict) and MARKER in str(spec.get("info", {}).get("description", "")):
            uit.append(p)
    return uit


def test_alle_gemodelleerde_specs_gevonden_en_gemarkeerd():
    namen = {p.name for p in eigen_specs()}
    assert namen >= VERWACHT, f"ontbrekend of zonder markering: {VERWACHT - namen}"


@pytest.fixture(scope="module")
def lint_resultaat() -> dict[str, list[dict]]:
    if not SPECTRAL.exists():
        pytest.fail(f"Spectral ontbreekt ({SPECTRAL}); draai 'npm ci' in de projectmap.")
    specs = eigen_specs()
    proc = subprocess.run([str(SPECTRAL), "lint", "-r", str(RULESET), "-f", "json", "--quiet",
                           *map(str, specs)],
                          check=False, capture_output=True, text=True, timeout=120, cwd=ROOT)
    # Exit code 1 means "errors found"; anything else non-zero is a crash of the linter itself.
    assert proc.returncode in (0, 1), proc.stderr
    bevindingen = json.loads(proc.stdout or "[]")
    per_spec: dict[str, list[dict]] = {p.name: [] for p in specs}
    for b in bevindingen:
        per_spec.setdefault(Path(b["source"]).name, []).append(b)
    return per_spec


@pytest.mark.parametrize("naam", sorted(VERWACHT))
def test_adr_lint_nul_fouten(lint_resultaat, naam):
    bevindingen = lint_resultaat.get(naam, [])
    fouten = [b for b in bevindingen if b["severity"] == 0]
    for b in bevindingen:
        if b["severity"] != 0:
            print(f"waarschuwing {naam}: {b['code']} {'.'.join(map(str, b['path']))}: {b['message']}")
    assert not fouten, "\n".join(
        f"{b['code']} {'.'.join(map(str, b['path']))}: {b['message']}" for b in fouten)


def test_lint_kan_falen(tmp_path):
    """The same lint run on a spec with a known ADR error reports it (the test can fail)."""
    spec = _laad(SPECS / "catalogus.yaml")
    del spec["info"]["contact"]
    slecht = tmp_path / "slecht.yaml"
    slecht.write_text(yaml.safe_dump(spec), encoding="utf-8")
    proc = subprocess.run([str(SPECTRAL), "lint", "-r", str(RULESET), "-f", "json", "--quiet",
                           str(slecht)], check=False, capture_output=True, text=True, timeout=60)
    codes = {b["code"] for b in json.loads(proc.stdout or "[]") if b["severity"] == 0}
    assert "info-contact" in codes


def test_versie_en_basispad_kloppen_met_diensten():
    """info.version's major equals the major in the base path; the base path is a server."""
    from dso_acceptatie.diensten import DIENSTEN
    bestand = {"presenteren": "presenteren.yaml", "geometrieopvragen": "geometrieopvragen.yaml",
               "catalogus": "catalogus.yaml", "verzoeken-indienen": "verzoeken-indienen.yaml",
               "verzoeken-afhandelen": "verzoeken-afhandelen.yaml"}
    for dienst, naam in bestand.items():
        spec = _laad(SPECS / naam)
        basispad = DIENSTEN[dienst].basispad
        major = spec["info"]["version"].split(".")[0]
        assert basispad.endswith(f"/v{major}"), (naam, basispad, spec["info"]["version"])
        assert any(s["url"] == basispad for s in spec["servers"]), naam
