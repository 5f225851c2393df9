"""TPOD/IMOW: OW files against the IMOW XSD of their version, TPOD Schematron where it fits.

IMOW 2.0.0 files (schemaLocation …/tpod/v2.0.0/…, or no version stated) are checked against the
IMOW 2.0.0 XSD; IMOW 1.0.x files against the IMOW 1.0.2 XSD that ships with the STOP 1.0.4 set.

The only TPOD Schematron published (Geonovum ``validaties.sch`` v1.0.6) is written for IMOW 1.0.x
with STOP 1.0.4. It is applied only to deliveries whose OW files are IMOW 1.0.x and that carry a
manifest.xml (the rules read it); on IMOW 2.x its findings would not be trustworthy, so there it
is not applied and the outcome says so. On IMOW 2.x the Ozon rules that can be decided from the
delivery itself run instead (``ozon.py``, official OZON codes). ``tpod_1_0="altijd"`` forces it (findings then only
informatief), ``"nooit"`` switches it off.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from dso_acceptatie.leveringen.model import (
    FOUT,
    INFORMATIEF,
    WAARSCHUWING,
    Bevinding,
    Regelset,
    niet_uitgevoerd,
)
from dso_acceptatie.leveringen.omzetten import sch_bevinding, xsd_bevindingen
from dso_acceptatie.leveringen.paden import standaarden
from dso_acceptatie.leveringen.schematron import RegelsetFout, SaxonRegelset
from dso_acceptatie.leveringen.stop import geldige_bestandsnaam

MANIFEST_OW_NS = "http://www.geostandaarden.nl/bestanden-ow/manifest-ow"
DEELBESTAND_NS = "http://www.geostandaarden.nl/imow/bestanden/deelbestand"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"
TPOD_SCH = "tpod-validaties-1.0.6/validaties.sch"


def imow_versie(b) -> str | None:
    """IMOW version from the schemaLocation; None when the file does not say."""
    loc = b.attributen.get(XSI) or ""
    m = re.search(r"/v(\d+\.\d+\.\d+)/", loc)
    if m:
        return m.group(1)
    if "/xsd/bestanden-ow/" in loc or "/v1.0" in loc:
        return "1.0.x"
    return None


def _standaardversie(bestanden) -> str:
    """For files without a version: the one version the other OW files state, else 2.0.0."""
    bekend = {v for v in (imow_versie(b) for b in bestanden
                          if b.ns in (MANIFEST_OW_NS, DEELBESTAND_NS)) if v}
    return bekend.pop() if len(bekend) == 1 else "2.0.0"


def _xsd(versie: str, manifest: bool) -> tuple[Path, str]:
    if versie.startswith("1."):
        basis, naam = standaarden() / "stop-lvbb-1.0.4" / "xsd", "IMOW 1.0.2"
    else:
        basis, naam = standaarden() / "imow-2.0.0", "IMOW 2.0.0"
    rel = ("bestanden-ow/generiek/manifest-ow.xsd" if manifest
           else "bestanden-ow/deelbestand-ow/IMOW_Deelbestand.xsd")
    return basis / rel, naam


def valideer(levering) -> tuple[list[Regelset], list[Bevinding]]:
    bevindingen: list[Bevinding] = []
    regelsets: dict[str, Regelset] = {}
    versies = set()
    standaard = _standaardversie(levering.van_soort("tpod"))
    for b in levering.van_soort("tpod"):
        is_manifest = b.ns == MANIFEST_OW_NS
        if not is_manifest and b.ns != DEELBESTAND_NS:
            bevindingen.append(Bevinding(
                "TPOD1164", FOUT, f"hoofdelement {{{b.ns}}}{b.lokale_naam} is geen OW-bestand "
                "(ow-dc:owBestand) en geen manifest-ow (Aanleveringen).", b.naam, soort="tpod"))
            continue
        versie = imow_versie(b) or standaard
        versies.add(versie)
        xsd_pad, naam = _xsd(versie, is_manifest)
        regelsets.setdefault(naam, Regelset("tpod", f"{naam} XSD",
                                            "versie volgens schemaLocation van de OW-bestanden"))
        bevindingen += xsd_bevindingen(b, xsd_pad, "TPOD1162" if is_manifest else "TPOD1164",
                                       "tpod", f"{naam} XSD")
    lijst = list(regelsets.values())
    if any(not v.startswith("1.") for v in versies):
        lijst += _ozon(levering, bevindingen)
    modus = levering.opties.get("tpod_1_0", "auto")
    op_10 = op_1_0(levering)
    oud = (all(v.startswith("1.") for v in versies) if versies else bool(op_10))
    naam_sch = "TPOD-validaties 1.0.6 (Schematron, IMOW 1.0.x / STOP 1.0.4)"
    if modus == "nooit":
        lijst.append(Regelset("tpod", naam_sch, "uitgezet", False))
    elif not oud and modus != "altijd":
        wat = f"IMOW {', '.join(sorted(versies))}" if versies else "geen STOP 1.0.x-besluit"
        lijst.append(Regelset(
            "tpod", naam_sch, f"de levering is {wat}; deze regels horen bij "
            "IMOW 1.0.x / STOP 1.0.4 en geven op IMOW 2.x geen betrouwbare uitkomst (de actuele "
            "TPOD-regels bestaan alleen als tekst in de validatiematrix)", False))
    else:
        uit, reden = _tpod_schematron(levering, informatief=not oud)
        bevindingen += uit
        lijst.append(Regelset("tpod", naam_sch, reden, True))
    return lijst, bevindingen


def _ozon(levering, bevindingen: list[Bevinding]) -> list[Regelset]:
    """The Ozon rules decidable from the delivery itself (``ozon.py``), per folder with OW files."""
    from dso_acceptatie.leveringen import ozon

    uitleg = []
    basis = levering.opties.get("basis") or []
    stand = ozon.lees_stand([Path(p) for p in basis]) if basis else None
    for map_, bestanden in levering.mappen().items():
        if not any(b.soort == "tpod" for b in bestanden):
            continue
        try:
            uit, wat = ozon.valideer_map(bestanden, stand)
        except Exception as e:  # noqa: BLE001 -- a rule set that breaks on a folder = folder unchecked
            bevindingen.append(niet_uitgevoerd(ozon.REGELSET, levering.naam_van(map_) or None,
                                               f"{type(e).__name__}: {e}", "tpod", "dso-acceptatie"))
            continue
        bevindingen += uit
        uitleg.append(f"{levering.naam_van(map_) or 'levering'}: {wat}")
    return [Regelset("tpod", ozon.REGELSET, "; ".join(uitleg) or "geen OW-bestanden")]


def op_1_0(levering) -> list:
    """STOP besluiten of the 1.0.x era: the OP part the TPOD 1.0 rules were written for."""
    return [b for b in levering.van_soort("stop")
            if b.lokale_naam == "AanleveringBesluit"
            and (b.attributen.get("schemaversie") or "").startswith("1.0")]


_HULP_MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                  '<manifest xmlns="http://www.overheid.nl/2017/lvbb">{}</manifest>\n')
_HULP_MANIFEST_OW = ('<?xml version="1.0" encoding="UTF-8"?>\n<Aanleveringen xmlns='
                     '"http://www.geostandaarden.nl/bestanden-ow/manifest-ow">'
                     "<domein>omgevingswet</domein></Aanleveringen>\n")


def _tpod_schematron(levering, informatief: bool) -> tuple[list[Bevinding], str]:
    from saxonche import PySaxonApiError

    from dso_acceptatie.leveringen.matrix import regel as matrixregel

    sch = standaarden() / TPOD_SCH
    uit: list[Bevinding] = []
    mappen = 0
    # Forced onto IMOW 2.x the rules are indicative only; there a rule set that cannot run does
    # not decide the verdict either. Everywhere else an unchecked file blocks.
    ernst_niet = WAARSCHUWING if informatief else FOUT
    besluiten = op_1_0(levering)

    def niet(b, reden: str, bron: str = "saxon-schematron") -> None:
        uit.append(niet_uitgevoerd("TPOD-validaties 1.0.6", b.naam, reden, "tpod", bron,
                                   ernst_niet))

    for map_, bestanden in levering.mappen().items():
        relevant = [b for b in bestanden if b.soort == "tpod" or b in besluiten]
        if not relevant:
            continue
        namen = {b.pad.name for b in bestanden}
        mow = next((b for b in bestanden if b.pad.name == "manifest-ow.xml"), None)
        onveilig = [el.text for el in (mow.boom.iter() if mow is not None else [])
                    if isinstance(el.tag, str) and el.text and etree.QName(el).localname == "naam"
                    and not geldige_bestandsnaam(el.text.strip())]
        if onveilig:
            # The rules open every file manifest-ow names (document(), unparsed-text-available());
            # a name with a path could point outside the delivery, so they do not run here.
            for b in relevant:
                niet(b, "de TPOD-Schematron is op deze map niet uitgevoerd: manifest-ow.xml noemt "
                     f"'{onveilig[0].strip()}', geen geldige bestandsnaam (LVBB1004); de regels "
                     "zouden dat bestand openen.", "dso-acceptatie")
            continue
        mappen += 1
        # The rules read manifest.xml and manifest-ow.xml (TPOD2050); without them Saxon stops on
        # the besluit. Report TPOD2050 ourselves, then give the rules empty stand-ins in our
        # private work copy so every other rule can still run.
        ontbreekt = [m for m in ("manifest.xml", "manifest-ow.xml") if m not in namen]
        hulp = False
        if ontbreekt:
            if not levering.los_bestand and any(b.lokale_naam == "AanleveringBesluit"
                                                for b in bestanden):
                r = matrixregel("TPOD2050")
                uit.append(Bevinding(
                    "TPOD2050", INFORMATIEF if informatief else (r.ernst if r else FOUT),
                    f"{' en '.join(ontbreekt)} niet aangetroffen (TPOD2050: het manifest-ow en het "
                    "manifest moeten bestaan).", levering.naam_van(map_) or None, soort="tpod",
                    regelset="TPOD-validaties 1.0.6", bron="dso-acceptatie"))
            if "manifest.xml" in ontbreekt:
                regels = "".join(f"<bestand><bestandsnaam>{n}</bestandsnaam></bestand>"
                                 for n in sorted(namen))
                (map_ / "manifest.xml").write_text(_HULP_MANIFEST.format(regels), encoding="utf-8")
            if "manifest-ow.xml" in ontbreekt:
                (map_ / "manifest-ow.xml").write_text(_HULP_MANIFEST_OW, encoding="utf-8")
            hulp = True
        try:
            regelset = SaxonRegelset(sch, werkmap=map_)
        except PySaxonApiError as e:
            for b in relevant:
                niet(b, str(e))
            continue
        for b in bestanden:
            if not b.is_xml or b.pad.suffix.lower() not in (".xml", ".gml"):
                continue
            try:
                fouten = regelset.voer_uit(b.pad)
            except (PySaxonApiError, RegelsetFout) as e:
                niet(b, str(e))
                continue
            for f in fouten:
                bev = sch_bevinding(f, b, "tpod", "TPOD-validaties 1.0.6", "saxon-schematron",
                                    ernst=INFORMATIEF if informatief else None)
                if hulp and bev.code == "TPOD2050":
                    continue    # already reported above, against the real delivery
                if informatief:
                    bev.bericht += " (indicatief: regelset 1.0.x op IMOW 2.x)"
                uit.append(bev)
    reden = f"toegepast op {mappen} map(pen)"
    if informatief:
        reden += "; geforceerd op IMOW 2.x, bevindingen alleen informatief"
    return uit, reden
