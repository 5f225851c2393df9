"""The validatiematrix: severity and description per rule code.

Two copies (contracts/standaarden/validatiematrix/): the current werkversie (Markdown tables of
Geonovum/dso-validatiematrix, LVBB/STOP/BHKV/TPOD and RTR, plus the OZON CSV) and version 1.4
(complete list of 766 codes with message texts). The current one wins where both name a code.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dso_acceptatie.leveringen.model import FOUT, INFORMATIEF, WAARSCHUWING
from dso_acceptatie.leveringen.paden import standaarden

_ERNST = {"fout": FOUT, "blokkerend": FOUT, "waarschuwing": WAARSCHUWING,
          "ontraden": WAARSCHUWING, "informatief": INFORMATIEF, "nformatief": INFORMATIEF,
          "error": FOUT, "warning": WAARSCHUWING, "warn": WAARSCHUWING, "info": INFORMATIEF,
          "information": INFORMATIEF, "fatal": FOUT}


def ernst_van(tekst: str | None) -> str | None:
    return _ERNST.get((tekst or "").strip().lower())


@dataclass(frozen=True)
class Regel:
    code: str
    ernst: str
    omschrijving: str
    melding: str = ""
    bron: str = ""


def _lees_md(pad: Path, bron: str) -> dict[str, Regel]:
    regels = {}
    for lijn in pad.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*([A-Z]{3,5}\d{4})\s*\|\s*([^|]+?)\s*\|(.*)\|\s*$", lijn)
        if not m:
            continue
        code, ernst, rest = m.groups()
        omschrijving = rest.split("|")[-1].strip()
        if ernst_van(ernst):
            regels[code] = Regel(code, ernst_van(ernst), omschrijving, bron=bron)
    return regels


@lru_cache(maxsize=1)
def matrix() -> dict[str, Regel]:
    basis = standaarden() / "validatiematrix"
    regels: dict[str, Regel] = {}
    with open(basis / "Validatiematrix_v1.4__Validatieregels.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            code = (r.get("Id") or "").strip()
            if code and ernst_van(r.get("Ernst")):
                regels[code] = Regel(code, ernst_van(r["Ernst"]), r.get("Beschrijving", "").strip(),
                                     (r.get("Meldingstekst") or "").strip(), "validatiematrix 1.4")
    with open(basis / "Validaties-OZON__Validatieregels.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            code = (r.get("Id") or "").strip()
            if code and ernst_van(r.get("Ernst")):
                oud = regels.get(code)
                regels[code] = Regel(code, ernst_van(r["Ernst"]), r.get("Beschrijving", "").strip(),
                                     oud.melding if oud else "", "validatiematrix (werkversie)")
    for naam in ("04-Validaties-LVBB-STOP-BHKV.md", "07-Validaties-RTR.md"):
        for code, r in _lees_md(basis / naam, "validatiematrix (werkversie)").items():
            oud = regels.get(code)
            regels[code] = Regel(code, r.ernst, r.omschrijving, oud.melding if oud else "", r.bron)
    return regels


def regel(code: str) -> Regel | None:
    return matrix().get(code)
