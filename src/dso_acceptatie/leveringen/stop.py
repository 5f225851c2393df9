"""STOP/LVBB: XSD 1.0.4 (lxml), STOP/LVBB Schematron 1.0.4 (saxonche), LVBB delivery checks.

Routing follows the standard's own ``schemakoppeling.xml`` (root element → XSD + Schematron);
documents whose root is not listed (fragments) get the XSD of their namespace and every
Schematron whose namespaces they use. The business rules of the 2020 set (``br-voor-pr33``)
add the codes that 1.0.4 does not define (e.g. LVBB2009); where 1.0.4 defines a code, 1.0.4 wins.

Only STOP/LVBB 1.0.4 is available here. A file that declares another ``schemaversie`` is still
checked against 1.0.4, but its XSD findings are reported as waarschuwing with that explanation.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

from dso_acceptatie.leveringen.model import (
    FOUT,
    WAARSCHUWING,
    Bevinding,
    Regelset,
    niet_uitgevoerd,
)
from dso_acceptatie.leveringen.omzetten import sch_bevinding, xsd_bevindingen
from dso_acceptatie.leveringen.paden import standaarden
from dso_acceptatie.leveringen.schematron import RegelsetFout, saxon_document, saxon_regelset
from dso_acceptatie.leveringen.veilig import xml_parser
from dso_acceptatie.leveringen.xsd import catalogus

VERSIE = "1.0.4"
REGELSET = f"STOP/LVBB {VERSIE} (XSD + Schematron)"
REGELSET_PR33 = "STOP/LVBB bedrijfsregels br-voor-pr33 (aanvullend, alleen codes die 1.0.4 niet kent)"
_BR = "{https://standaarden.overheid.nl/stop/imop/businessrules/}"
LVBB_NS = "http://www.overheid.nl/2017/lvbb"


def _basis() -> Path:
    return standaarden() / "stop-lvbb-1.0.4"


@lru_cache(maxsize=1)
def koppeling() -> dict[tuple[str, str], tuple[Path | None, list[Path]]]:
    """(namespace, localName) → (XSD, [Schematron]) from both schemakoppeling files."""
    parser = xml_parser()
    kaart = {}
    for bestand in (_basis() / "stop" / "schemakoppeling.xml",
                    _basis() / "lvbb" / "schemakoppeling.xml"):
        for dt in etree.parse(str(bestand), parser).iter(f"{_BR}Documenttype"):
            sleutel = (dt.findtext(f"{_BR}namespace"), dt.findtext(f"{_BR}localName"))
            xsd_pad, schs = None, []
            for s in dt.iter(f"{_BR}Schema"):
                lokaal = _lokaal(s.findtext(f"{_BR}locatie"))
                if lokaal is None:
                    continue
                if s.findtext(f"{_BR}type") == "XML-schema":
                    xsd_pad = lokaal
                else:
                    schs.append(lokaal)
            kaart[sleutel] = (xsd_pad, schs)
    return kaart


def _lokaal(url: str | None) -> Path | None:
    if not url:
        return None
    if url in catalogus():
        return catalogus()[url]
    naam = url.rsplit("/", 1)[-1]
    for sub in ("stop", "lvbb"):
        if f"/{sub}/" in url and (_basis() / sub / naam).exists():
            return (_basis() / sub / naam).resolve()
    return None


@lru_cache(maxsize=1)
def xsd_per_namespace() -> dict[str, Path]:
    uit = {}
    for sub in ("lvbb", "stop"):   # stop last: a namespace defined in both gets the STOP file
        for f in sorted((_basis() / sub).glob("*.xsd")):
            m = re.search(rb'targetNamespace="([^"]+)"', f.read_bytes()[:4000])
            if m:
                uit.setdefault(m.group(1).decode(), f.resolve())
    return uit


@lru_cache(maxsize=1)
def alle_schematrons() -> list[Path]:
    return sorted((_basis() / "stop").glob("*.sch")) + sorted((_basis() / "lvbb").glob("*.sch"))


@lru_cache(maxsize=1)
def pr33_schematrons() -> list[Path]:
    return sorted((standaarden() / "stop-bedrijfsregels-pr33" / "schematron").glob("*.sch"))


@lru_cache(maxsize=64)
def namespaces_van_sch(sch: Path) -> frozenset[str]:
    tekst = sch.read_text(encoding="utf-8")
    return frozenset(u for u in re.findall(r'<sch:ns[^>]*uri="([^"]+)"', tekst)
                     if "XSL/Transform" not in u)


@lru_cache(maxsize=1)
def codes_104() -> frozenset[str]:
    codes = set()
    for sch in alle_schematrons():
        tekst = sch.read_text(encoding="utf-8")
        codes.update(re.findall(r'id="([A-Z]{3,5}\d{4})"', tekst))
        codes.update(re.findall(r'"code":\s*"([A-Z]{3,5}\d{4})"', tekst))
    return frozenset(codes)


def _namespaces_in(boom) -> set[str]:
    # Distinct tags first: a flat file has millions of elements but only a few tag names.
    tags = {el.tag for el in boom.iter(etree.Element)}
    return {etree.QName(tag).namespace for tag in tags}


# Which LVBB code covers the schema of which kind of file (validatiematrix).
def _xsd_code(ns: str, naam: str) -> str:
    if ns == LVBB_NS and naam == "manifest":
        return "LVBB1008"
    if ns == LVBB_NS:
        return "LVBB1006"
    if naam == "AanleveringInformatieObject":
        return "LVBB3501"
    return "LVBB2003"


def valideer(levering) -> tuple[list[Regelset], list[Bevinding]]:
    bevindingen: list[Bevinding] = []
    versies = set()
    pr33_gebruikt = False
    for b in levering.van_soort("stop"):
        ns, naam = b.ns, b.lokale_naam
        xsd_pad, schs = koppeling().get((ns, naam), (None, None))
        if xsd_pad is None:
            xsd_pad = xsd_per_namespace().get(ns)
        versie = b.attributen.get("schemaversie")
        if versie:
            versies.add(versie)
        if xsd_pad is not None:
            if versie and versie != VERSIE:
                bevindingen += xsd_bevindingen(
                    b, xsd_pad, _xsd_code(ns, naam), "stop", REGELSET, WAARSCHUWING,
                    f"Let op: het bestand verklaart schemaversie {versie}; alleen het schema "
                    f"{VERSIE} is beschikbaar, dus dit verschil kan door de versie komen.")
            else:
                bevindingen += xsd_bevindingen(b, xsd_pad, _xsd_code(ns, naam), "stop", REGELSET)
        else:
            # A STOP namespace without a 1.0.4 schema: nothing can say the file is right.
            bevindingen.append(niet_uitgevoerd(
                f"{REGELSET} (XSD)", b.naam, f"geen STOP/LVBB {VERSIE}-schema voor het "
                f"hoofdelement {{{ns}}}{naam}", "stop", "lxml-xsd"))
        gebruikt = _namespaces_in(b.boom)
        # Schematron: those the koppeling names, plus every rule set whose namespaces occur
        # (rules only fire on their own contexts, so extra rule sets cannot give false hits).
        kandidaten = [s for s in alle_schematrons() if namespaces_van_sch(s) & gebruikt]
        regels = [(sch, REGELSET) for sch in dict.fromkeys((schs or []) + kandidaten)]
        regels += [(sch, REGELSET_PR33) for sch in pr33_schematrons()
                   if namespaces_van_sch(sch) & gebruikt]
        b.laat_los()     # Saxon parses the file itself; lines are looked up again afterwards
        # All rule sets first (Saxon's own tree), then the lines (lxml's tree): never both.
        for sch, regelset, fouten in list(_voer_uit(regels, b, bevindingen)):
            for f in fouten:
                bev = sch_bevinding(f, b, "stop", f"{regelset}: {sch.name}", "saxon-schematron")
                if regelset == REGELSET:
                    bevindingen.append(bev)
                elif bev.code not in codes_104():
                    pr33_gebruikt = True
                    bevindingen.append(bev)
    bevindingen += leveringscontroles(levering)
    toelichting = f"XSD en Schematron van STOP/LVBB {VERSIE}"
    andere = sorted(versies - {VERSIE})
    if andere:
        toelichting += (f"; de levering verklaart schemaversie {', '.join(andere)}: XSD-afwijkingen "
                        "daardoor als waarschuwing")
    regelsets = [Regelset("stop", REGELSET, toelichting)]
    regelsets.append(Regelset("stop", REGELSET_PR33, "aanvullende codes (zoals LVBB2009)"
                              + (" gaven bevindingen" if pr33_gebruikt else ""), True))
    return regelsets, bevindingen


def _voer_uit(regels: list[tuple[Path, str]], b, bevindingen: list[Bevinding]):
    """Run the rule sets on one file, parsed by Saxon once for all of them. A rule set that cannot
    run on the file (Saxon refuses it, a dynamic error, no SVRL report) is a blocking finding
    that names the file and the rule set: an unchecked file is never approved."""
    from saxonche import PySaxonApiError

    if not regels:
        return
    try:
        document = saxon_document(b.pad)
    except PySaxonApiError as e:
        for sch, regelset in regels:
            bevindingen.append(niet_uitgevoerd(f"{regelset}: {sch.name}", b.naam,
                                               _saxon_melding(e), "stop", "saxon-schematron"))
        return
    try:
        for sch, regelset in regels:
            try:
                fouten = saxon_regelset(str(sch)).voer_uit(document)
            except (PySaxonApiError, RegelsetFout) as e:
                bevindingen.append(niet_uitgevoerd(f"{regelset}: {sch.name}", b.naam,
                                                   _saxon_melding(e), "stop", "saxon-schematron"))
                continue
            yield sch, regelset, fouten
    finally:
        del document


def _saxon_melding(e: Exception) -> str:
    regels = str(e).strip().splitlines()
    return regels[0] if regels else type(e).__name__


def _namen(boom, tag: str) -> list[tuple[str, int]]:
    return [((el.text or "").strip(), el.sourceline) for el in boom.iter()
            if isinstance(el.tag, str) and etree.QName(el).localname == tag and el.text]


_GELDIGE_NAAM = re.compile(r"^[^/\\:*?\"<>|\x00-\x1f]+$")


def geldige_bestandsnaam(naam: str) -> bool:
    """A plain file name in the package: no path, drive, '..' or control characters."""
    return bool(_GELDIGE_NAAM.match(naam)) and naam not in (".", "..")


def leveringscontroles(levering) -> list[Bevinding]:
    """LVBB checks on the delivery as a whole (per folder): opdracht, manifest, manifest-ow."""
    from dso_acceptatie.leveringen.matrix import regel as matrixregel

    uit = []
    if levering.los_bestand:
        return uit     # one file on its own: opdracht/manifest checks are about a package

    def bev(code, bericht, bestand=None, regel=None):
        r = matrixregel(code)
        tekst = bericht + (f" ({code}: {r.omschrijving})" if r else "")
        uit.append(Bevinding(code, r.ernst if r else FOUT, tekst, bestand, regel, soort="stop",
                             regelset="LVBB-leveringscontroles", bron="dso-acceptatie"))

    def ongeldig(naam: str, manifest, regel) -> bool:
        """LVBB1004: a manifest that names a path, drive or forbidden character."""
        if geldige_bestandsnaam(naam):
            return False
        bev("LVBB1004", f"{manifest.pad.name} noemt '{naam}': geen geldige bestandsnaam (een pad, "
            "schijfletter of verboden teken).", manifest.naam, regel)
        return True

    for map_, bestanden in levering.mappen().items():
        namen = {b.pad.name: b for b in bestanden}
        aanlevering = [b for b in bestanden if b.soort == "stop" and b.lokale_naam.startswith(
            ("AanleveringBesluit", "AanleveringKennisgeving"))]
        opdracht = [b for b in bestanden if b.ns == LVBB_NS and b.lokale_naam.endswith("Opdracht")]
        manifest = namen.get("manifest.xml")
        is_lvbb = manifest is not None and manifest.ns == LVBB_NS
        if not (aanlevering or opdracht or is_lvbb):
            continue
        rel = levering.naam_van(map_) if map_ != levering.werkmap else ""
        voor = (rel + "/") if rel else ""
        if "opdracht.xml" not in namen:
            bev("LVBB1002", "opdracht.xml ontbreekt in de levering.", voor or None)
        if not is_lvbb:
            bev("LVBB1003", "manifest.xml (LVBB) ontbreekt in de levering.", voor or None)
        else:
            genoemd = _namen(manifest.boom, "bestandsnaam")
            for naam, regel in genoemd:
                if ongeldig(naam, manifest, regel):
                    continue
                if naam not in namen:
                    bev("LVBB1009", f"'{naam}' staat in manifest.xml maar ontbreekt in de "
                        "levering.", manifest.naam, regel)
            genoemde = {n for n, _ in genoemd}
            for naam, b in sorted(namen.items()):
                if naam not in genoemde and naam != "manifest.xml":
                    bev("LVBB1010", f"'{naam}' zit in de levering maar staat niet in "
                        "manifest.xml.", b.naam)
        mow = namen.get("manifest-ow.xml")
        if mow is not None and mow.boom is not None:
            for naam, regel in _namen(mow.boom, "naam"):
                if ongeldig(naam, mow, regel):
                    continue
                if naam.lower().endswith(".gml"):
                    bev("LVBB1026", f"manifest-ow.xml noemt '{naam}'; een bestandsnaam in het "
                        "manifest-OW mag niet op .gml eindigen.", mow.naam, regel)
                elif naam not in namen:
                    bev("LVBB1016", f"'{naam}' staat in manifest-ow.xml maar ontbreekt in de "
                        "levering.", mow.naam, regel)
        for b in opdracht:
            for naam, regel in _namen(b.boom, "publicatie"):
                if naam not in namen:
                    bev("LVBB1009", f"de opdracht noemt publicatie '{naam}', maar dat bestand "
                        "ontbreekt.", b.naam, regel)
    return uit
