"""STTR (toepasbare regels): DMN 1.1 well-formedness and the package checks we can honestly make.

The STTR/IMTR XSDs and the STTR Schematron are not publicly available here (shared/data INDEX §7),
so this is *not* STTR schema validation. What is checked, with our own codes (STTR-…):

* package: an STTR manifest (``…/v1/manifest.xsd`` namespace) that names exactly the files present,
  an opdracht whose ``bestandsnaam`` exists, a valid ``geldigBegindatum`` (dd-mm-jjjj);
* DMN: root ``definitions`` in the DMN 1.1 namespace (STTR prescribes DMN 1.1), ``name`` and
  ``namespace`` present, unique ids, every local reference (``href="#id"``) resolves, every
  decision table rule has as many input/output entries as the table has inputs/outputs, a
  hitPolicy DMN 1.1 knows, every typeRef a FEEL built-in or an itemDefinition of the model;
* semantics of every decision table (``sttr_semantiek``): outputs within the allowed values,
  completeness, overlap under UNIQUE, unreachable rules, every question used is asked.
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from dso_acceptatie.leveringen import sttr_semantiek
from dso_acceptatie.leveringen.model import (
    FOUT,
    Bevinding,
    Regelset,
    niet_uitgevoerd,
)

DMN11 = "http://www.omg.org/spec/DMN/20151101/dmn.xsd"
STTR_BASIS = "http://toepasbare-regels.omgevingswet.overheid.nl/"
MANIFEST_NS = STTR_BASIS + "v1/manifest.xsd"
OPDRACHT_NS = STTR_BASIS + "v1/opdracht.xsd"
HITPOLICIES = {"UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER"}
REGELSET = "STTR: DMN 1.1-welgevormdheid en pakketcontroles (eigen controles; STTR-XSD en " \
           "-Schematron niet beschikbaar)"


def _q(tag: str) -> str:
    return f"{{{DMN11}}}{tag}"


def valideer(levering) -> tuple[list[Regelset], list[Bevinding]]:
    uit: list[Bevinding] = []

    def bev(code, bericht, b=None, regel=None, ernst=FOUT):
        uit.append(Bevinding(code, ernst, bericht, b.naam if b is not None else None, regel,
                             soort="sttr", regelset=REGELSET, bron="dso-acceptatie"))

    for map_, bestanden in levering.mappen().items():
        sttr = [b for b in bestanden if b.soort == "sttr"]
        if not sttr:
            continue
        namen = {b.pad.name: b for b in bestanden}
        manifest = next((b for b in sttr if b.ns == MANIFEST_NS), None)
        plaats = levering.naam_van(map_) or "levering"
        if levering.los_bestand:
            manifest = None   # one file on its own: only the DMN checks below
        elif manifest is None:
            bev("STTR-PAKKET-001", f"{plaats}: geen STTR-manifest (manifest.xml in namespace "
                f"{MANIFEST_NS}) in het pakket.")
        else:
            genoemd = [((el.text or "").strip(), el.sourceline) for el in
                       manifest.boom.iter(f"{{{MANIFEST_NS}}}naam")]
            for naam, regel in genoemd:
                if naam not in namen:
                    bev("STTR-PAKKET-002", f"'{naam}' staat in het manifest maar ontbreekt in het "
                        "pakket.", manifest, regel)
            for naam, b in sorted(namen.items()):
                if naam not in {n for n, _ in genoemd}:
                    bev("STTR-PAKKET-003", f"'{naam}' zit in het pakket maar staat niet in het "
                        "manifest.", b)
        opdrachten = [b for b in sttr if b.ns == OPDRACHT_NS]
        if manifest is not None and not opdrachten and not levering.los_bestand:
            bev("STTR-PAKKET-004", f"{plaats}: geen opdracht (namespace {OPDRACHT_NS}) in het "
                "pakket.")
        for o in opdrachten:
            for el in o.boom.iter(f"{{{OPDRACHT_NS}}}bestandsnaam"):
                naam = (el.text or "").strip()
                if naam not in namen and not levering.los_bestand:
                    bev("STTR-PAKKET-005", f"de opdracht noemt '{naam}', maar dat bestand zit niet "
                        "in het pakket.", o, el.sourceline)
            for el in o.boom.iter(f"{{{OPDRACHT_NS}}}geldigBegindatum"):
                tekst = (el.text or "").strip()
                try:
                    datetime.strptime(tekst, "%d-%m-%Y")
                except ValueError:
                    bev("STTR-PAKKET-006", f"geldigBegindatum '{tekst}' is geen geldige datum "
                        "(dd-mm-jjjj).", o, el.sourceline)
        for b in sttr:
            if b.pad.suffix.lower() == ".dmn" or b.lokale_naam == "definitions":
                try:
                    _dmn(b, bev)
                except Exception as e:  # noqa: BLE001 -- a check that breaks on a file = file unchecked
                    uit.append(niet_uitgevoerd(REGELSET, b.naam, f"{type(e).__name__}: {e}",
                                               "sttr", "dso-acceptatie"))
    return [Regelset("sttr", REGELSET, "DMN 1.1 + STTR-pakketstructuur")], uit


def _dmn(b, bev) -> None:
    root = b.boom.getroot()
    if etree.QName(root).localname != "definitions" or b.ns != DMN11:
        bev("STTR-DMN-001", f"het hoofdelement is {{{b.ns}}}{etree.QName(root).localname}; STTR "
            f"vereist DMN 1.1: definitions in namespace {DMN11}.", b, root.sourceline)
        return
    for attr in ("name", "namespace"):
        if not root.get(attr):
            bev("STTR-DMN-008", f"definitions mist het verplichte attribuut '{attr}'.", b,
                root.sourceline)
    ids: dict[str, int] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        i = el.get("id")
        if i is None:
            continue
        if i in ids:
            bev("STTR-DMN-002", f"id '{i}' komt meer dan eens voor (eerst op regel {ids[i]}).", b,
                el.sourceline)
        else:
            ids[i] = el.sourceline
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        href = el.get("href")
        if not href or not href.startswith("#"):
            continue
        doel = href[1:]
        if ":" in doel or "/" in doel:
            continue   # a URI to a concept elsewhere (functioneleStructuurRef), not a local id
        if doel not in ids:
            bev("STTR-DMN-003", f"verwijzing href=\"{href}\" in {etree.QName(el).localname} wijst "
                "naar een id dat niet bestaat.", b, el.sourceline)
    for tabel in root.iter(_q("decisionTable")):
        n_in = len(tabel.findall(_q("input")))
        uitvoer = tabel.findall(_q("output"))
        beleid = tabel.get("hitPolicy", "UNIQUE")
        if beleid not in HITPOLICIES:
            bev("STTR-DMN-006", f"hitPolicy '{beleid}' bestaat niet in DMN 1.1 (toegestaan: "
                f"{', '.join(sorted(HITPOLICIES))}).", b, tabel.sourceline)
        if not uitvoer:
            bev("STTR-DMN-005", "decisionTable zonder output.", b, tabel.sourceline)
        for r in tabel.findall(_q("rule")):
            ins = r.findall(_q("inputEntry"))
            outs = r.findall(_q("outputEntry"))
            if len(ins) != n_in:
                bev("STTR-DMN-004", f"regel {r.get('id')} heeft {len(ins)} inputEntry's; de tabel "
                    f"heeft {n_in} inputs.", b, r.sourceline)
            if len(outs) != len(uitvoer):
                bev("STTR-DMN-005", f"regel {r.get('id')} heeft {len(outs)} outputEntry's; de "
                    f"tabel heeft {len(uitvoer)} outputs.", b, r.sourceline)
    typen = {el.get("name") for el in root.iter(_q("itemDefinition")) if el.get("name")}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.get("typeRef"):
            verwijzing = el.get("typeRef").strip()
        elif el.tag == _q("typeRef") and el.text:
            verwijzing = el.text.strip()
        else:
            continue
        if not _type_bestaat(verwijzing, el, typen):
            bev("STTR-DMN-007", f"typeRef '{verwijzing}' is geen FEEL-basistype en geen "
                "itemDefinition in dit model.", b, el.sourceline)
    for beslissing in root.iter(_q("decision")):
        if not beslissing.get("name"):
            bev("STTR-DMN-008", f"decision {beslissing.get('id')} heeft geen name.", b,
                beslissing.sourceline)
    sttr_semantiek.controleer(b, root, bev)


FEEL = "http://www.omg.org/spec/FEEL/20140401"
FEEL_TYPEN = {"string", "number", "boolean", "date", "time", "dateTime", "dayTimeDuration",
              "yearMonthDuration", "days and time duration", "years and months duration",
              "Any", "context", "list", "function"}


def _type_bestaat(verwijzing: str, el, typen: set[str]) -> bool:
    """A FEEL built-in (bare or with a prefix bound to the FEEL namespace) or an itemDefinition."""
    if verwijzing in typen or verwijzing in FEEL_TYPEN:
        return True
    if ":" in verwijzing:
        prefix, lokaal = verwijzing.split(":", 1)
        ns = el.nsmap.get(prefix)
        if ns == FEEL:
            return lokaal in FEEL_TYPEN
        return lokaal in typen and ns is not None
    return False
