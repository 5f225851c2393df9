"""Paths of the shipped standards and samples the tests use."""

from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
VOORBEELDEN = PROJECT / "contracts" / "leveringen" / "voorbeelden"
STANDAARDEN = PROJECT / "contracts" / "standaarden"
GEMEENTESTAD = VOORBEELDEN / "gemeentestad" / "opdracht"
IMRO = VOORBEELDEN / "imro"
STTR = VOORBEELDEN / "sttr"
UNITTESTS = STANDAARDEN / "stop-bedrijfsregels-pr33" / "unittests"
