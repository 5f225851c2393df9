"""Ozon rules on IMOW 2.x deliveries that can be decided from the delivery itself (official codes).

The rule texts come from ``contracts/standaarden/validatiematrix/Validaties-OZON__Validatieregels.csv``
(via ``matrix.regel``); the implementation is ours. Which rules (see ``VERWIJZINGEN`` and below):

* references that must resolve: OZON0033/0035/0037 (juridische regel → Regeltekst), OZON0038
  (→ Activiteit), OZON0040/0041 (→ Gebiedsaanwijzing), OZON0042/0043 (→ Omgevingsnorm), OZON0044
  (→ Omgevingswaarde), OZON0045/0046/0047 (→ Locatie, at least one), OZON0053/0059/0065 (groep →
  Gebied/Lijn/Punt), OZON0082/0084 (bovenliggende/gerelateerde Activiteit), OZON0093/0094/0204
  (Tekstdeel), OZON0096 (Gebiedsaanwijzing → Locatie, at least one), OZON0101 (Normwaarde →
  Locatie), OZON0121 (ActiviteitLocatieaanduiding → Locatie), OZON0124 (Regelingsgebied), OZON0217
  (Pons), OZON0347 (SymbolisatieItem), OZON0349 (Kaartlaag);
* geometry: OZON0066/0067/0068 (every Gebied/Lijn/Punt has its geometry in the delivery);
* TPOD rules from ``06-Validaties-TPOD.md`` (text only there, so ernst fout — they are "moet"
  rules): TPOD1892 (identification pattern), TPOD2230 (every delivered geometry is linked to an
  OW-Locatie; the same rule as OZON0086, reported once under TPOD2230), TPOD2420/TPOD2421 (object
  types allowed with an artikel- / vrijetekststructuur, when the besluit in the folder says which;
  SymbolisatieItem and Ambtsgebied count as part of Kaart resp. Locatie, Divisie as part of the
  vrijetekststructuur), TPOD0104 (a new object may not be ended — decided in a new regeling only);
* "at most once the same …": OZON0320–0329, 0331, 0340–0346, 0369, 0371–0383, 0385 (``EEN_KEER``);
* OZON0083 (no activity above itself, also not via others), OZON0085 (not related to itself),
  OZON0310 (identifications unique — within the delivery), OZON0013 (object type listed in the
  file's objectTypen);
* waardelijsten (``waardelijsten.py``, IMOW-waardelijsten 4.3.0): TPOD1300 on every value, with the
  Ozon code of the attribute where the matrix has one (OZON0070–0080, OZON0113–0120);
* status: TPOD1900 (an object that stays active refers to one the delivery ends); with the state of
  the regeling the delivery changes (``lees_stand``, ``levering --basis``): references outside the
  delivery decided against it, OZON0350 (an object ended while the regeling still refers to it),
  OZON0351 (an object the delivery leaves without any reference), TPOD0104 also in mutations (with
  OZON4001), and on a new version of a known object OZON0111 (ended before), OZON4002 (ended with
  other content; = OZON0107), OZON4003 (delivered unchanged; = OZON0108), OZON4005 (other type).

A reference to an object that is not in the delivery can only be judged when the delivery carries
the whole regeling (a besluit that establishes a new regeling, no mutation or withdrawal) — then it
is an error. In a mutation or withdrawal the object may exist in Ozon already: those references are
counted and reported as *not decided* (informatief), never as passed. References into another
authority's objects (``nl.imow-mnre1034…`` from a gemeente) live in Ozon and are never decided here.
Objects that are being ended (``ow:status`` beëindigen) are not checked for their own references.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from lxml import etree

from dso_acceptatie.leveringen import waardelijsten
from dso_acceptatie.leveringen.matrix import regel as matrixregel
from dso_acceptatie.leveringen.model import FOUT, INFORMATIEF, Bevinding
from dso_acceptatie.leveringen.paden import standaarden

IMOW = "http://www.geostandaarden.nl/imow/"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
BASISGEO_ID = "{http://www.geostandaarden.nl/basisgeometrie/1.0}id"
DEELBESTAND_NS = "http://www.geostandaarden.nl/imow/bestanden/deelbestand"
REGELSET = "Ozon-regels IMOW 2.x (verwijzingen, geometrie, identificaties; eigen implementatie " \
           "van de regelteksten uit de validatiematrix)"
LOCATIES = frozenset({"Gebied", "Gebiedengroep", "Lijn", "Lijnengroep", "Punt", "Puntengroep",
                      "Ambtsgebied"})
JURIDISCH = ("RegelVoorIedereen", "Instructieregel", "Omgevingswaarderegel")

# (type of the referring object, local name of the reference) → (code, allowed target types)
VERWIJZINGEN: dict[tuple[str, str], tuple[str, frozenset[str]]] = {}


def _v(code: str, bronnen, ref: str, doelen) -> None:
    for bron in (bronnen,) if isinstance(bronnen, str) else bronnen:
        VERWIJZINGEN[(bron, ref)] = (code, frozenset(doelen))


for _bron, _code in zip(JURIDISCH, ("OZON0033", "OZON0035", "OZON0037"), strict=True):
    _v(_code, _bron, "RegeltekstRef", {"Regeltekst"})
for _bron, _code in zip(JURIDISCH, ("OZON0045", "OZON0046", "OZON0047"), strict=True):
    _v(_code, _bron, "LocatieRef", LOCATIES)
_v("OZON0038", "RegelVoorIedereen", "ActiviteitRef", {"Activiteit"})
_v("OZON0040", "RegelVoorIedereen", "GebiedsaanwijzingRef", {"Gebiedsaanwijzing"})
_v("OZON0041", "Instructieregel", "GebiedsaanwijzingRef", {"Gebiedsaanwijzing"})
_v("OZON0042", "RegelVoorIedereen", "OmgevingsnormRef", {"Omgevingsnorm"})
_v("OZON0043", "Instructieregel", "OmgevingsnormRef", {"Omgevingsnorm"})
_v("OZON0044", "Omgevingswaarderegel", "OmgevingswaardeRef", {"Omgevingswaarde"})
_v("OZON0053", "Gebiedengroep", "GebiedRef", {"Gebied"})
_v("OZON0059", "Lijnengroep", "LijnRef", {"Lijn"})
_v("OZON0065", "Puntengroep", "PuntRef", {"Punt"})
_v("OZON0093", "Tekstdeel", "GebiedsaanwijzingRef", {"Gebiedsaanwijzing"})
_v("OZON0094", "Tekstdeel", "HoofdlijnRef", {"Hoofdlijn"})
_v("OZON0204", "Tekstdeel", "LocatieRef", LOCATIES)
_v("OZON0096", "Gebiedsaanwijzing", "LocatieRef", LOCATIES)
_v("OZON0101", "Normwaarde", "LocatieRef", LOCATIES)
_v("OZON0121", "ActiviteitLocatieaanduiding", "LocatieRef", LOCATIES)
_v("OZON0124", "Regelingsgebied", "LocatieRef", LOCATIES)
_v("OZON0217", "Pons", "LocatieRef", LOCATIES)
_v("OZON0347", "SymbolisatieItem", "ActiviteitLocatieaanduidingRef", {"ActiviteitLocatieaanduiding"})
_v("OZON0347", "SymbolisatieItem", "GebiedsaanwijzingRef", {"Gebiedsaanwijzing"})
_v("OZON0347", "SymbolisatieItem", "NormwaardeRef", {"Normwaarde"})
for _ref, _doel in (("ActiviteitLocatieaanduidingRef", "ActiviteitLocatieaanduiding"),
                    ("OmgevingsnormRef", "Omgevingsnorm"), ("OmgevingswaardeRef", "Omgevingswaarde"),
                    ("GebiedsaanwijzingRef", "Gebiedsaanwijzing")):
    _v("OZON0349", ("Kaartlaag", "Kaart"), _ref, {_doel})
# at least one location (the rule text says "een of meerdere … die bestaan")
MINSTENS_EEN = {"RegelVoorIedereen": "OZON0045", "Instructieregel": "OZON0046",
                "Omgevingswaarderegel": "OZON0047", "Gebiedsaanwijzing": "OZON0096"}
# "… mag ten hoogste één keer verwijzen naar dezelfde …": (object type, reference or field) → code
EEN_KEER: dict[tuple[str, str], str] = {
    ("RegelVoorIedereen", "LocatieRef"): "OZON0320", ("Omgevingswaarderegel", "LocatieRef"): "OZON0321",
    ("Instructieregel", "LocatieRef"): "OZON0322", ("RegelVoorIedereen", "OmgevingsnormRef"): "OZON0324",
    ("RegelVoorIedereen", "OmgevingswaardeRef"): "OZON0325",
    ("RegelVoorIedereen", "GebiedsaanwijzingRef"): "OZON0326",
    ("Omgevingswaarderegel", "GebiedsaanwijzingRef"): "OZON0327",
    ("Instructieregel", "GebiedsaanwijzingRef"): "OZON0328", ("Instructieregel", "OmgevingsnormRef"): "OZON0329",
    ("Gebiedsaanwijzing", "LocatieRef"): "OZON0331", ("Tekstdeel", "HoofdlijnRef"): "OZON0340",
    ("Tekstdeel", "LocatieRef"): "OZON0341", ("Tekstdeel", "GebiedsaanwijzingRef"): "OZON0342",
    ("RegelVoorIedereen", "KaartRef"): "OZON0343", ("Omgevingswaarderegel", "KaartRef"): "OZON0344",
    ("Instructieregel", "KaartRef"): "OZON0345", ("Tekstdeel", "KaartRef"): "OZON0346",
    ("ActiviteitLocatieaanduiding", "LocatieRef"): "OZON0369", ("Gebiedengroep", "GebiedRef"): "OZON0372",
    ("Lijnengroep", "LijnRef"): "OZON0373", ("Puntengroep", "PuntRef"): "OZON0374",
    ("Kaart", "KaartlaagRef"): "OZON0375", ("Kaartlaag", "ActiviteitLocatieaanduidingRef"): "OZON0376",
    ("Kaartlaag", "OmgevingsnormRef"): "OZON0377", ("Kaartlaag", "GebiedsaanwijzingRef"): "OZON0378",
    ("RegelVoorIedereen", "thema"): "OZON0379", ("Instructieregel", "thema"): "OZON0380",
    ("Omgevingswaarderegel", "thema"): "OZON0381", ("Instructieregel", "instructieregelInstrument"): "OZON0382",
    ("Instructieregel", "instructieregelTaakuitoefening"): "OZON0383", ("Normwaarde", "LocatieRef"): "OZON0385",
}
# the rule text itself allows the target to be in Ozon instead of in the delivery
IN_OZON = {"OZON0082", "OZON0084"}
GEOMETRIE = {"Gebied": "OZON0066", "Lijn": "OZON0067", "Punt": "OZON0068"}
_BG = re.compile(r"^nl\.imow-([a-z]+\d+)\.")


# TPOD1892, from 06-Validaties-TPOD.md (the text there is an SQL-quoted regex: the quotes dropped)
TPOD1892 = re.compile(
    r"nl\.imow-(gm|pv|ws|mn|mnre)[0-9]{1,6}\.(regeltekst|gebied|gebiedengroep|lijn|lijnengroep|punt|"
    r"puntengroep|activiteit|gebiedsaanwijzing|omgevingswaarde|omgevingsnorm|pons|kaart|tekstdeel|"
    r"hoofdlijn|divisie|kaartlaag|juridischeregel|activiteitlocatieaanduiding|normwaarde|regelingsgebied|"
    r"ambtsgebied|divisietekst)\.[A-Za-z0-9]{1,32}")
TOEGESTAAN = {
    "TPOD2420": frozenset({"Regeltekst", "RegelVoorIedereen", "Instructieregel", "Omgevingswaarderegel",
                           "Activiteit", "Gebiedsaanwijzing", "Omgevingsnorm", "Omgevingswaarde", "Pons",
                           "Kaart", "Kaartlaag", "Regelingsgebied", "SymbolisatieItem", *LOCATIES}),
    "TPOD2421": frozenset({"Divisie", "Divisietekst", "Tekstdeel", "Hoofdlijn", "Gebiedsaanwijzing", "Kaart",
                           "Kaartlaag", "Regelingsgebied", "SymbolisatieItem", *LOCATIES}),
}


@lru_cache(maxsize=1)
def tpod_teksten() -> dict[str, str]:
    """TPOD rule texts of 06-Validaties-TPOD.md (two columns: Nummer | Tekst)."""
    uit: dict[str, str] = {}
    pad = standaarden() / "validatiematrix" / "06-Validaties-TPOD.md"
    for lijn in pad.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*(TPOD\d{4})\s*\|(.*)\|\s*$", lijn)
        if m:
            tekst = re.sub(r"</?code>", "", html.unescape(m.group(2)))
            uit.setdefault(m.group(1), " ".join(tekst.split()))
    return uit


def _officieel(code: str) -> tuple[str, str]:
    """(official rule text, ernst): TPOD texts from 06-Validaties-TPOD.md, others from the matrix."""
    if code.startswith("TPOD") and code in tpod_teksten():
        return tpod_teksten()[code], FOUT
    r = matrixregel(code)
    return (r.omschrijving, r.ernst) if r else ("", FOUT)


def _lokaal(el) -> str:
    return etree.QName(el).localname


def _ns(el) -> str:
    return etree.QName(el).namespace or ""


class _Object:
    __slots__ = ("type", "id", "el", "bestand", "eindigt")

    def __init__(self, el, bestand, eindigt: bool):
        self.type, self.el, self.bestand, self.eindigt = _lokaal(el), el, bestand, eindigt
        self.id = _identificatie(el)

    @property
    def naam(self) -> str:
        return f"{self.type} {self.id}" if self.id else f"{self.type} (regel {self.el.sourceline})"


def _identificatie(el) -> str | None:
    for kind in el:
        if isinstance(kind.tag, str) and _lokaal(kind) == "identificatie" and _ns(kind).startswith(IMOW):
            return (kind.text or "").strip()
    return None


def _eigenaar(el, objecten_per_el):
    p = el.getparent()
    while p is not None and p not in objecten_per_el:
        p = p.getparent()
    return objecten_per_el.get(p) if p is not None else None


def structuur(bestanden) -> str | None:
    """TPOD2420 (artikelstructuur) or TPOD2421 (vrijetekststructuur) by the besluit's new regeling."""
    for b in bestanden:
        if b.lokale_naam == "AanleveringBesluit" and b.is_xml:
            for el in b.boom.iter():
                if isinstance(el.tag, str) and _lokaal(el) in ("RegelingCompact", "RegelingKlassiek"):
                    return "TPOD2420"
                if isinstance(el.tag, str) and _lokaal(el) == "RegelingVrijetekst":
                    return "TPOD2421"
    return None


def volledig(bestanden) -> bool:
    """Does this folder carry a whole new regeling (so every reference must resolve inside it)?"""
    nieuw = False
    for b in bestanden:
        if b.lokale_naam != "AanleveringBesluit" or not b.is_xml:
            continue
        for el in b.boom.iter():
            if not isinstance(el.tag, str):
                continue
            naam = _lokaal(el)
            if naam in ("RegelingMutatie", "Intrekking", "Intrekkingen"):
                return False
            if naam in ("RegelingCompact", "RegelingVrijetekst", "RegelingKlassiek", "RegelingTijdelijkdeel"):
                nieuw = True
    return nieuw


def _geometrie_ids(bestanden) -> dict[str, tuple[str, int]]:
    """basisgeo:id → (file, line) over every GML/XML file of the folder (streamed, not kept)."""
    uit: dict[str, tuple[str, int]] = {}
    for b in bestanden:
        if not b.is_xml or b.pad.suffix.lower() not in (".gml", ".xml") or b.ns == DEELBESTAND_NS:
            continue
        for _, el in etree.iterparse(str(b.pad), tag=BASISGEO_ID, resolve_entities=False,
                                     no_network=True, load_dtd=False, huge_tree=True):
            uit.setdefault((el.text or "").strip(), (b.naam, el.sourceline))
            el.clear(keep_tail=False)
    return uit


class Stand(dict):
    """identificatie -> {type, refs, bron, ouder, inhoud}; ``beeindigd``: ids ended earlier."""

    def __init__(self):
        super().__init__()
        self.beeindigd: set[str] = set()


def _inhoud(top) -> tuple:
    """What an OW object says, independent of layout and prefixes, without its status."""
    uit = []
    for el in top.iter():
        if not isinstance(el.tag, str) or _lokaal(el) == "status":
            continue
        pad = []
        x = el
        while x is not None and x is not top.getparent():
            pad.append(_lokaal(x))
            x = x.getparent()
        uit.append(("/".join(reversed(pad)), (el.text or "").strip() if len(el) == 0 else "",
                    tuple(sorted((etree.QName(k).localname, v.strip()) for k, v in el.attrib.items()))))
    return tuple(sorted(uit))


def lees_stand(mappen) -> Stand:
    """The Ozon state from earlier deliveries of the regeling (folders, applied in order):
    identificatie -> {type, refs (hrefs in the object), bron, ouder, inhoud}; ended objects removed
    (and remembered in ``beeindigd``)."""
    from dso_acceptatie.leveringen import veilig

    stand = Stand()
    for map_ in mappen:
        for pad in sorted(p for p in map_.iterdir() if p.suffix.lower() == ".xml"):
            root = veilig.lees_xml(pad, pad.name).getroot()
            if _ns(root) != DEELBESTAND_NS:
                continue
            for owobject in root.iter(f"{{{DEELBESTAND_NS}}}owObject"):
                for top in owobject:
                    ident = _identificatie(top) if isinstance(top.tag, str) else None
                    if not ident:
                        continue
                    subs = [el for el in top.iter() if el is not top and isinstance(el.tag, str)
                            and _ns(el).startswith(IMOW) and _identificatie(el)]
                    for oud in [k for k, v in stand.items() if v.get("ouder") == ident]:
                        del stand[oud]
                    if any(_lokaal(x) == "status" and (x.text or "").strip().startswith("beëindig")
                           for x in top.iter() if isinstance(x.tag, str)):
                        stand.pop(ident, None)
                        stand.beeindigd.add(ident)
                        continue
                    bron = f"{map_.name}/{pad.name}"
                    stand[ident] = {"type": _lokaal(top), "bron": bron, "ouder": None, "inhoud": _inhoud(top),
                                    "refs": {r.get(XLINK_HREF).strip() for r in top.iter()
                                             if isinstance(r.tag, str) and r.get(XLINK_HREF)}}
                    for el in subs:
                        stand[_identificatie(el)] = {"type": _lokaal(el), "bron": bron, "ouder": ident,
                                                     "refs": set()}
    return stand


def valideer_map(bestanden, stand: Stand | None = None) -> tuple[list[Bevinding], str]:
    """Findings for one folder of a delivery and a one-line account of what was decided.

    ``stand``: the Ozon state of the regeling the delivery changes (``lees_stand``); with it,
    references outside the delivery are decided against it, and TPOD0104, TPOD1900 and OZON0350
    are judged on the state after the delivery."""
    uit: list[Bevinding] = []

    def bev(code: str, tekst: str, b, regel: int | None, ernst: str | None = None) -> None:
        officieel, standaard = _officieel(code) if code[:4] in ("OZON", "TPOD") else ("", FOUT)
        uit.append(Bevinding(code, ernst or standaard,
                             f"{officieel} — {tekst}" if officieel else tekst, b.naam, regel,
                             soort="tpod", regelset=REGELSET, bron="dso-acceptatie"))

    ow = [b for b in bestanden if b.ns == DEELBESTAND_NS and b.is_xml]
    if not ow:
        return [], "geen OW-bestanden"
    objecten: list[_Object] = []
    per_el: dict = {}
    for b in ow:
        root = b.boom.getroot()
        for owobject in root.iter(f"{{{DEELBESTAND_NS}}}owObject"):
            for top in owobject:
                if not isinstance(top.tag, str):
                    continue
                eindigt = any(_lokaal(s) == "status" and (s.text or "").strip().startswith("beëindig")
                              for s in top.iter() if isinstance(s.tag, str))
                for el in top.iter():
                    # the top object always (a SymbolisatieItem has no identificatie), nested ones
                    # (ActiviteitLocatieaanduiding, Normwaarde, Kaartlaag) when they carry one
                    if el is top or (isinstance(el.tag, str) and _ns(el).startswith(IMOW)
                                     and _identificatie(el)):
                        o = _Object(el, b, eindigt)
                        objecten.append(o)
                        per_el[el] = o
    # OZON0013: object type listed in the file's objectTypen; OZON0310: unique identification
    for b in ow:
        root = b.boom.getroot()
        typen = {(el.text or "").strip() for el in root.iter() if isinstance(el.tag, str)
                 and _lokaal(el) == "objectType"}
        for owobject in root.iter(f"{{{DEELBESTAND_NS}}}owObject"):
            for top in owobject:
                if isinstance(top.tag, str) and typen and _lokaal(top) not in typen:
                    bev("OZON0013", f"{_lokaal(top)} {_identificatie(top)} staat niet in de objectTypen "
                        f"van dit bestand ({', '.join(sorted(typen))}).", b, top.sourceline)
    per_id: dict[str, _Object] = {}
    for o in objecten:
        if o.id is None:
            continue
        if o.id in per_id and not (o.eindigt or per_id[o.id].eindigt):
            eerder = per_id[o.id]
            bev("OZON0310", f"identificatie {o.id} komt meer dan eens voor in de levering (eerst in "
                f"{eerder.bestand.naam}, regel {eerder.el.sourceline}).", o.bestand, o.el.sourceline)
        per_id.setdefault(o.id, o)
    heel = volledig(bestanden)
    soort_structuur = structuur(bestanden)
    for o in objecten:
        if o.id is not None and not TPOD1892.fullmatch(o.id):
            bev("TPOD1892", f"{o.type}-identificatie '{o.id}' voldoet niet aan het patroon.", o.bestand,
                o.el.sourceline)
        top = o.el.getparent() is not None and o.el.getparent().tag == f"{{{DEELBESTAND_NS}}}owObject"
        if top and soort_structuur and o.type not in TOEGESTAAN[soort_structuur]:
            wat = "artikelstructuur" if soort_structuur == "TPOD2420" else "vrijetekststructuur"
            bev(soort_structuur, f"{o.naam} hoort niet bij een omgevingsdocument met {wat}.", o.bestand,
                o.el.sourceline)
        if top and heel and o.eindigt:
            bev("TPOD0104", f"{o.naam} heeft status beëindigen, maar de levering stelt een nieuwe regeling "
                "vast: het object is nieuw.", o.bestand, o.el.sourceline)
        elif top and stand is not None and o.eindigt and o.id and o.id not in stand:
            bev("TPOD0104", f"{o.naam} heeft status beëindigen, maar staat niet in de regeling die de "
                "levering wijzigt: het object is nieuw.", o.bestand, o.el.sourceline)
            bev("OZON4001", f"{o.naam} wordt beëindigd, maar is bij Ozon (de regeling die de levering wijzigt) "
                "niet bekend.", o.bestand, o.el.sourceline)
        if top and stand is not None and o.id:
            _versie(o, stand, bev)
        _waardelijsten(o, per_el, bev)
    gezagen = {m.group(1) for o in objecten if (m := _BG.match(o.id or ""))}
    geometrie = _geometrie_ids(bestanden)
    gebruikt_geo: set[str] = set()
    open_: list[str] = []
    for o in objecten:
        if o.eindigt:
            continue
        refs = [el for el in o.el.iter() if isinstance(el.tag, str) and el.get(XLINK_HREF) is not None
                and _eigenaar(el, per_el) is o]
        _een_keer(o, refs, per_el, bev)
        if o.type in MINSTENS_EEN and not any(_lokaal(r) == "LocatieRef" for r in refs):
            bev(MINSTENS_EEN[o.type], f"{o.naam} verwijst naar geen enkele Locatie.", o.bestand,
                o.el.sourceline)
        for r in refs:
            naam, href = _lokaal(r), r.get(XLINK_HREF).strip()
            beeindigd = per_id.get(href)
            if beeindigd is not None and beeindigd.eindigt:
                bev("TPOD1900", f"{o.naam} blijft actief maar verwijst met {naam} naar {beeindigd.naam}, dat "
                    "deze levering beëindigt.", o.bestand, r.sourceline)
            if naam == "GeometrieRef":
                gebruikt_geo.add(href)
                if o.type in GEOMETRIE and href not in geometrie:
                    bev(GEOMETRIE[o.type], f"{o.naam} verwijst naar geometrie '{href}', maar geen "
                        "GML-bestand in de levering bevat een geometrie met die basisgeo:id.", o.bestand,
                        r.sourceline)
                continue
            if o.type == "Activiteit" and naam == "ActiviteitRef":
                boven = _lokaal(r.getparent()) == "bovenliggendeActiviteit"
                code, doelen = ("OZON0082" if boven else "OZON0084"), frozenset({"Activiteit"})
                if href == o.id:
                    bev("OZON0083" if boven else "OZON0085", f"Activiteit {o.id} verwijst naar zichzelf "
                        f"als {'bovenliggende' if boven else 'gerelateerde'} activiteit.", o.bestand,
                        r.sourceline)
                    continue
            elif (o.type, naam) in VERWIJZINGEN:
                code, doelen = VERWIJZINGEN[(o.type, naam)]
            else:
                continue
            doel = per_id.get(href)
            if doel is not None:
                if doel.type not in doelen:
                    bev(code, f"{o.naam} verwijst met {naam} naar '{href}', maar dat is een "
                        f"{doel.type}, geen {' of '.join(sorted(doelen))}.", o.bestand, r.sourceline)
                continue
            m = _BG.match(href)
            if m and gezagen and m.group(1) not in gezagen:
                continue    # another authority's object: lives in Ozon, not decidable here
            if stand is not None and href in stand:
                if stand[href]["type"] not in doelen:
                    bev(code, f"{o.naam} verwijst met {naam} naar '{href}', maar dat is in de regeling een "
                        f"{stand[href]['type']}, geen {' of '.join(sorted(doelen))}.", o.bestand, r.sourceline)
            elif stand is not None and code not in IN_OZON:
                bev(code, f"{o.naam} verwijst met {naam} naar '{href}', maar dat object zit niet in de "
                    "levering en niet in de regeling die zij wijzigt.", o.bestand, r.sourceline)
            elif heel and code not in IN_OZON:
                bev(code, f"{o.naam} verwijst met {naam} naar '{href}', maar dat object zit niet "
                    "in de levering (en de levering stelt een nieuwe regeling vast).", o.bestand,
                    r.sourceline)
            else:
                open_.append(f"{o.naam} → {href}")
    if stand is not None:
        _verweesd(objecten, stand, bev)
        beeindigd = {o.id: o for o in objecten if o.eindigt and o.id}
        for ident, oud in sorted(stand.items()):
            if ident in per_id or (oud["ouder"] and oud["ouder"] in per_id):
                continue   # delivered again (or ended) in this delivery: judged above
            for href in sorted(oud["refs"] & set(beeindigd)):
                o = beeindigd[href]
                bev("OZON0350", f"{o.naam} wordt beëindigd, maar {oud['type']} {ident} in de regeling "
                    f"({oud['bron']}) verwijst er nog naar.", o.bestand, o.el.sourceline)
    _cyclus(objecten, per_id, bev)
    for gid, (bestand, regel) in sorted(geometrie.items()):
        if gid not in gebruikt_geo:
            b = next(x for x in bestanden if x.naam == bestand)
            bev("TPOD2230", f"geometrie '{gid}' wordt door geen enkele OW-Locatie in de levering gebruikt "
                "(GeometrieRef; bij Ozon: OZON0086).", b, regel)
    if open_:
        bev("IMOW-VERWIJZING-OPEN", f"{len(open_)} verwijzing(en) naar objecten buiten deze levering zijn "
            "niet beslist: die objecten kunnen al in Ozon staan (wijziging/intrekking, of een "
            "bovenliggende/gerelateerde activiteit: OZON0082/0084) (bv. "
            f"{'; '.join(open_[:3])}).", ow[0], None, INFORMATIEF)
    uitleg = (f"{len(objecten)} OW-objecten, {len(geometrie)} geometrieën; "
              + ("volledige regeling: elke verwijzing moet in de levering landen" if heel else
                 f"wijziging/intrekking tegen de stand van {len(stand)} objecten" if stand is not None
                 else "wijziging/intrekking")
             + f"; {len(open_)} verwijzing(en) naar buiten de levering niet beslist")
    return uit, uitleg


def _versie(o, stand: Stand, bev) -> None:
    """Rules on a new version of an object Ozon knows (OZON0111, 4002, 4003, 4005)."""
    if o.id in stand.beeindigd and o.id not in stand:
        bev("OZON0111", f"{o.naam} is eerder beëindigd en kan niet meer worden gewijzigd.", o.bestand,
            o.el.sourceline)
        return
    oud = stand.get(o.id)
    if oud is None or oud["ouder"] is not None:
        return
    if oud["type"] != o.type:
        bev("OZON4005", f"{o.naam} was in de regeling een {oud['type']} ({oud['bron']}); het type mag "
            "niet veranderen.", o.bestand, o.el.sourceline)
        return
    gelijk = _inhoud(o.el) == oud["inhoud"]
    if o.eindigt and not gelijk:
        bev("OZON4002", f"{o.naam} wordt beëindigd, maar de inhoud wijkt af van wat Ozon kent "
            f"({oud['bron']}).", o.bestand, o.el.sourceline)
    elif not o.eindigt and gelijk:
        bev("OZON4003", f"{o.naam} wordt opnieuw aangeleverd zonder wijziging ten opzichte van "
            f"{oud['bron']}.", o.bestand, o.el.sourceline)


# Objects that exist to be referred to: left without any reference they are orphans (OZON0351).
# Not the Ambtsgebied: it is the bevoegd gezag's, shared with its other regelingen, which the state
# of one regeling does not show.
VERWIJSBAAR = (LOCATIES - {"Ambtsgebied"}) | {"Activiteit", "Gebiedsaanwijzing", "Omgevingsnorm",
                                              "Omgevingswaarde"}


def _verweesd(objecten, stand: dict[str, dict], bev) -> None:
    """OZON0351: an object that the regeling referred to before this delivery, still exists after it,
    and is referred to by nothing any more."""
    na = {k: {"type": v["type"], "refs": v["refs"]} for k, v in stand.items() if v["ouder"] is None}
    geleverd: dict[str, object] = {}
    for o in objecten:
        top = o.el.getparent() is not None and o.el.getparent().tag == f"{{{DEELBESTAND_NS}}}owObject"
        if not top or not o.id:
            continue
        geleverd[o.id] = o
        if o.eindigt:
            na.pop(o.id, None)
        else:
            na[o.id] = {"type": o.type, "refs": {r.get(XLINK_HREF).strip() for r in o.el.iter()
                                                 if isinstance(r.tag, str) and r.get(XLINK_HREF)}}
    voor = set().union(*(v["refs"] for v in stand.values()))
    daarna = set().union(*(v["refs"] for v in na.values()))
    for ident in sorted(voor - daarna):
        if ident in na and na[ident]["type"] in VERWIJSBAAR:
            o = geleverd.get(ident)
            bev("OZON0351", f"{na[ident]['type']} {ident} wordt na deze levering door geen enkel object meer "
                "gebruikt (verweesd).", o.bestand if o else objecten[0].bestand, o.el.sourceline if o else None)


def _waardelijsten(o, per_el, bev) -> None:
    """TPOD1300 on every leaf value of the object (not of a nested object with its own
    identificatie), plus the Ozon code for that attribute (OZON0070–0080, 0113–0120)."""
    hoofd = o.el
    while hoofd.getparent() is not None and hoofd.getparent().tag != f"{{{DEELBESTAND_NS}}}owObject":
        hoofd = hoofd.getparent()
    type_uri = next(((el.text or "").strip() for el in o.el if isinstance(el.tag, str)
                     and _lokaal(el) == "type"), None)
    for el in o.el.iter():
        if not isinstance(el.tag, str) or len(el) or el is o.el or _eigenaar(el, per_el) is not o:
            continue
        naam, waarde = _lokaal(el), (el.text or "").strip()
        if not waarde or (waardelijsten.lijsten_voor(o.type, naam) is None
                          and not waarde.startswith(waardelijsten.PREFIX)):
            continue
        reden = waardelijsten.oordeel(o.type, naam, waarde, type_uri)
        if reden:
            bev("TPOD1300", f"{o.naam}, {naam}: {reden}.", o.bestand, el.sourceline)
            code = waardelijsten.OZON.get((o.type, naam)) or waardelijsten.OZON.get((_lokaal(hoofd), naam))
            if code:
                bev(code, f"{o.naam}, {naam}: {reden}.", o.bestand, el.sourceline)


def _een_keer(o, refs, per_el, bev) -> None:
    """OZON0320–0385: the same target (or field value) at most once per object."""
    gezien: dict[tuple[str, str], int] = {}
    velden = [el for el in o.el.iter() if isinstance(el.tag, str) and (o.type, _lokaal(el)) in EEN_KEER
              and el.get(XLINK_HREF) is None and _eigenaar(el, per_el) is o]
    for el in [*refs, *velden]:
        naam = _lokaal(el)
        if naam == "ActiviteitRef" and o.type == "Activiteit":
            code = "OZON0371" if _lokaal(el.getparent()) == "gerelateerdeActiviteit" else None
        else:
            code = EEN_KEER.get((o.type, naam))
        if code is None:
            continue
        waarde = (el.get(XLINK_HREF) if el.get(XLINK_HREF) is not None else el.text or "").strip()
        if (naam, waarde) in gezien:
            bev(code, f"{o.naam} verwijst met {naam} twee keer naar '{waarde}' (eerst op regel "
                f"{gezien[(naam, waarde)]}).", o.bestand, el.sourceline)
        else:
            gezien[(naam, waarde)] = el.sourceline


def _cyclus(objecten, per_id, bev) -> None:
    """OZON0083: an activity may not be above itself via other activities (inside the delivery)."""
    boven: dict[str, list[str]] = {}
    for o in objecten:
        if o.type == "Activiteit" and not o.eindigt:
            boven[o.id] = [r.get(XLINK_HREF).strip() for r in o.el.iter()
                           if isinstance(r.tag, str) and _lokaal(r) == "ActiviteitRef"
                           and _lokaal(r.getparent()) == "bovenliggendeActiviteit"]
    gemeld: set[str] = set()
    for start in boven:
        pad, huidig = [start], start
        while True:
            volgende = [h for h in boven.get(huidig, []) if h in boven and h != huidig]
            if not volgende:
                break
            huidig = volgende[0]
            if huidig in pad:
                kring = pad[pad.index(huidig):]
                if not gemeld & set(kring):
                    gemeld |= set(kring)
                    o = per_id[start]
                    bev("OZON0083", f"Activiteit {start} ligt via {' → '.join(kring + [huidig])} boven "
                        "zichzelf.", o.bestand, o.el.sourceline)
                break
            pad.append(huidig)
