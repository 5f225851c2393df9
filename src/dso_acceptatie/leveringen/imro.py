"""IMRO 2012: XSD (lxml) + TAM Schematron (lxml.isoschematron), rule set chosen by peildatum.

The TAM rules ("Tijdelijke Alternatieve Maatregel" / overgangsrecht Omgevingswet) change per
calendar year: v0.13 holds until 31 December 2025, v0.14 from 1 January 2026. A file that is
right under one can be wrong under the other, so the peildatum picks the set and the outcome
names it. Per Geonovum (regels/README.md) every Schematron message is a rejection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lxml import etree

from dso_acceptatie.leveringen.model import FOUT, Bevinding, Regelset, niet_uitgevoerd
from dso_acceptatie.leveringen.omzetten import xsd_bevindingen
from dso_acceptatie.leveringen.paden import standaarden
from dso_acceptatie.leveringen.schematron import RegelsetFout, kort_pad, voer_lxml_uit

IMRO_NS = "http://www.geonovum.nl/imro/2012/1.1"


@dataclass(frozen=True)
class TamVersie:
    versie: str
    geldig_vanaf: date
    bestand: str


# In order of validity; the last one whose start is on or before the peildatum applies.
TAM = (
    TamVersie("v0.13", date(2025, 1, 1), "rules-2012v0.13/TAM-imro2012-v0.13.sch"),
    TamVersie("v0.14", date(2026, 1, 1), "rules-2012v0.14/TAM-imro2012-v0.14.sch"),
)


def tam_voor(peildatum: date) -> TamVersie:
    geldig = [t for t in TAM if t.geldig_vanaf <= peildatum]
    return geldig[-1] if geldig else TAM[0]


def _basis() -> Path:
    return standaarden() / "imro-2012"


def xsd_pad() -> Path:
    return _basis() / "xmlschema-2012-v1.3" / "20120209-IMRO2012-Schema-Lokaal" / "IMRO2012.xsd"


_CODE = re.compile(r"Fout\s+([A-Z]+-\d+[a-z]?)")


def valideer(levering) -> tuple[list[Regelset], list[Bevinding]]:
    tam = tam_voor(levering.peildatum)
    eerste = TAM[0]
    toelichting = (f"peildatum {levering.peildatum.isoformat()}: TAM {tam.versie} geldt vanaf "
                   f"{tam.geldig_vanaf.isoformat()}")
    if levering.peildatum < eerste.geldig_vanaf:
        toelichting += (f" (voor {eerste.geldig_vanaf.isoformat()} is geen oudere TAM-regelset "
                        "meegeleverd; de oudste beschikbare is toegepast)")
    naam_tam = f"IMRO 2012 TAM {tam.versie}"
    regelsets = [Regelset("imro", "IMRO 2012 XSD 1.1.0", "IMRO2012.xsd met GML 3.2.1 lokaal"),
                 Regelset("imro", naam_tam, toelichting)]
    bevindingen: list[Bevinding] = []
    sch = _basis() / "regels" / tam.bestand
    for b in levering.van_soort("imro"):
        if b.ns != IMRO_NS:
            bevindingen.append(Bevinding(
                "IMRO-VERSIE", FOUT, f"namespace {b.ns} is geen IMRO 2012 (1.1); alleen IMRO 2012 "
                "wordt gevalideerd.", b.naam, soort="imro", regelset=naam_tam))
            continue
        bevindingen += xsd_bevindingen(b, xsd_pad(), "IMRO-XSD", "imro", "IMRO 2012 XSD 1.1.0")
        try:
            fouten = voer_lxml_uit(sch, b.boom)
        except (etree.LxmlError, RegelsetFout) as e:
            bevindingen.append(niet_uitgevoerd(naam_tam, b.naam, f"{type(e).__name__}: {e}",
                                               "imro", "lxml-schematron"))
            continue
        for f in fouten:
            m = _CODE.findall(f.tekst)
            pad = kort_pad(f.locatie)
            # v0.13 messages carry no rule id: name the rule by its object type instead.
            code = m[0] if m else f"TAM-{(pad or '').rsplit('/', 1)[-1].split('[')[0] or 'regel'}"
            bevindingen.append(Bevinding(
                code, FOUT, f.tekst, b.naam, b.plaatsen.regel(f.locatie), None, pad,
                "imro", naam_tam, "lxml-schematron"))
    return regelsets, bevindingen
