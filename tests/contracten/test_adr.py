"""NL API Design Rules: our findings equal Spectral's own output for the same ruleset."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from dso_acceptatie.fasen.contracten import adr
from dso_acceptatie.fasen.contracten.instellingen import CONTRACTS, SPECTRAL, lees

ECHTE_SPECS = [CONTRACTS / "specs" / "pdok-locatieserver" / "openapi.json",
               CONTRACTS / "specs" / "vng-regels-bij-activiteiten" / "openapi.yaml",
               CONTRACTS / "specs" / "bag-individuele-bevragingen-v2" / "openapi.yaml"]


def _sleutel(code, pad, severity, bereik, melding):
    return (code, tuple(map(str, pad)), severity, json.dumps(bereik, sort_keys=True), melding)


@pytest.fixture(scope="module")
def uitvoer():
    """Spectral's own output per spec (the documented command, one file at a time) and ours (all
    three in one background run, as the phase does); all four processes run at the same time."""
    zelf = {spec: subprocess.Popen(
        [str(SPECTRAL), "lint", "-r", str(CONTRACTS / "adr" / "linter.yaml"), str(spec), "-f", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=CONTRACTS.parent)
        for spec in ECHTE_SPECS}
    onze = adr.start(ECHTE_SPECS)
    return ({spec: json.loads(p.communicate(timeout=300)[0]) for spec, p in zelf.items()},
            onze.resultaten())


@pytest.fixture(scope="module")
def spectral_zelf(uitvoer):
    return uitvoer[0]


@pytest.fixture(scope="module")
def onze_resultaten(uitvoer):
    return uitvoer[1]


@pytest.mark.parametrize("spec", ECHTE_SPECS, ids=lambda p: p.parent.name)
def test_bevindingen_gelijk_aan_spectral(spec: Path, spectral_zelf, onze_resultaten):
    verwacht = Counter(_sleutel(r["code"], r["path"], r["severity"], r["range"], r["message"])
                       for r in spectral_zelf[spec])
    i = lees()
    records = adr.records(onze_resultaten[str(spec.resolve())], adr.regels(),
                          spec_locatie=str(spec), derden=False, ernst=i.adr_ernst,
                          ernst_derden=i.adr_ernst_derden)
    gefaald = [r for r in records if r["status"] == "gefaald"]
    gekregen = Counter(_sleutel(r["controle"], r["details"]["pad"], r["details"]["spectral_severity"],
                                r["details"]["bereik"], r["details"]["melding"]) for r in gefaald)
    assert verwacht, "deze echte specs hebben ADR-bevindingen; een lege uitvoer wijst op een fout"
    assert gekregen == verwacht
    # Severity mapping (documented in contracts/contracten.toml): error → ernstig, warn → hinderlijk.
    for r in gefaald:
        assert r["ernst"] == {"error": "ernstig", "warn": "hinderlijk", "info": "cosmetisch",
                              "hint": "informatief"}[r["details"]["severity"]]
        assert r["details"]["pointer"].startswith("/")
    # Rules without findings are recorded as passed, so a verdict per rule exists.
    geslaagd = {r["controle"] for r in records if r["status"] == "geslaagd"}
    assert geslaagd == set(adr.regels()) - {r["controle"] for r in gefaald}


def test_gepubliceerde_spec_van_derden_weegt_informatief(onze_resultaten):
    spec = ECHTE_SPECS[0]
    records = adr.records(onze_resultaten[str(spec.resolve())], adr.regels(), spec_locatie="x",
                          derden=True, ernst={"error": "ernstig"}, ernst_derden="informatief")
    assert {r["ernst"] for r in records if r["status"] == "gefaald"} == {"informatief"}
    assert all("gepubliceerde spec zelf" in r["bericht"] for r in records if r["status"] == "gefaald")


def test_onderwerp_is_de_operatie():
    assert adr.onderwerp(["paths", "/free", "get", "responses", "200"]) == "GET /free"
    assert adr.onderwerp(["paths", "/free"]) == "pad /free"
    assert adr.onderwerp(["info", "contact"]) == "specificatie"
