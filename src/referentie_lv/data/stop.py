"""Reading a STOP besluit (AanleveringBesluit) and its GIO's: regeling, legal text, begrippen, geometry."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree
from shapely.geometry import LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from referentie_lv.data.xmlveilig import lees_xml, lokaal

NS_DATA = "https://standaarden.overheid.nl/stop/imop/data/"
NS_TEKST = "https://standaarden.overheid.nl/stop/imop/tekst/"
NS_GEO = "https://standaarden.overheid.nl/stop/imop/geo/"
NS_BASISGEO = "http://www.geostandaarden.nl/basisgeometrie/1.0"
NS_GML = "http://www.opengis.net/gml/3.2"

# Structural elements of the legal text (a node in documentstructuur).
STRUCTUUR = {
    "Hoofdstuk", "Titel", "Afdeling", "Paragraaf", "Subparagraaf", "Subsubparagraaf",
    "Artikel", "Lid", "Bijlage", "Divisie", "Divisietekst", "ArtikelgewijzeToelichting",
    "AlgemeneToelichting", "Toelichting", "Motivering", "InleidendeTekst", "Begrip",
}
# Containers that only group structure (children are looked at, the container itself is no node).
DOORGAAND = {"Lichaam", "Inhoud", "Begrippenlijst"}

_WS = re.compile(r"\s+")


def _schoon(tekst: str) -> str:
    return _WS.sub(" ", tekst).strip()


def _t(el, pad: str, ns: str = NS_DATA) -> str | None:
    gevonden = el.find(pad.replace("x:", f"{{{ns}}}"))
    return _schoon("".join(gevonden.itertext())) if gevonden is not None else None


def inline_tekst(el) -> str:
    """Text of an inline container (Al, Term, LiNummer...), whitespace normalised."""
    return _schoon("".join(t for t in el.itertext()))


def blokken(el) -> list[dict]:
    """Structured content blocks of a content container (Inhoud, Li, Definitie, Divisietekst...)."""
    uit: list[dict] = []
    for kind in el:
        naam = lokaal(kind)
        if naam in ("Al", "Kop", "LiNummer", "LidNummer"):
            if naam == "Al":
                uit.append({"soort": "alinea", "tekst": inline_tekst(kind)})
        elif naam == "Lijst":
            items = []
            for li in kind:
                if lokaal(li) != "Li":
                    if lokaal(li) in ("Lijstaanhef", "Lijstsluiting"):
                        uit.append({"soort": "alinea", "tekst": inline_tekst(li)})
                    continue
                nr = li.find(f"{{{NS_TEKST}}}LiNummer")
                items.append({"nummer": inline_tekst(nr) if nr is not None else None,
                              "eId": li.get("eId"), "wId": li.get("wId"), "blokken": blokken(li)})
            uit.append({"soort": "lijst", "type": kind.get("type"), "items": items})
        elif naam == "Begrippenlijst":
            for b in kind:
                if lokaal(b) == "Begrip":
                    uit.append({"soort": "begrip", "eId": b.get("eId"), "wId": b.get("wId"),
                                "term": _tekst_kind(b, "Term"),
                                "definitie": _definitie(b)})
        elif naam == "Gereserveerd":
            uit.append({"soort": "gereserveerd", "tekst": "[Gereserveerd]"})
        elif naam in ("Inhoud", "Definitie"):
            uit.extend(blokken(kind))
        elif naam in ("Tabel", "Figuur", "Formule", "Kadertekst"):
            uit.append({"soort": naam.lower(), "tekst": inline_tekst(kind)})
        elif naam:
            tekst = inline_tekst(kind)
            if tekst:
                uit.append({"soort": "alinea", "tekst": tekst})
    return uit


def platte_tekst(bl: list[dict], inspring: str = "") -> str:
    regels: list[str] = []
    for b in bl:
        if b["soort"] == "lijst":
            for it in b["items"]:
                binnen = platte_tekst(it["blokken"], inspring + "   ").lstrip()
                regels.append(f"{inspring}{(it['nummer'] or '-')} {binnen}".rstrip())
        elif b["soort"] == "begrip":
            regels.append(f"{inspring}{b['term']}: {b['definitie']}")
        else:
            regels.append(inspring + b["tekst"])
    return "\n".join(regels)


def _tekst_kind(el, naam: str) -> str | None:
    k = el.find(f"{{{NS_TEKST}}}{naam}")
    return inline_tekst(k) if k is not None else None


def _definitie(begrip) -> str:
    d = begrip.find(f"{{{NS_TEKST}}}Definitie")
    return platte_tekst(blokken(d)) if d is not None else ""


def _xml_fragment(el) -> str:
    # Comments from the source are editorial notes, not legal text: drop them from the copy.
    kopie = etree.fromstring(etree.tostring(el))
    for c in kopie.xpath("//comment()"):
        p = c.getparent()
        if p is not None:
            if c.tail:
                prev = c.getprevious()
                if prev is not None:
                    prev.tail = (prev.tail or "") + c.tail
                else:
                    p.text = (p.text or "") + c.tail
            p.remove(c)
    etree.cleanup_namespaces(kopie)
    return etree.tostring(kopie, encoding="unicode")


def _kop(el) -> tuple[str | None, str | None, str | None]:
    kop = el.find(f"{{{NS_TEKST}}}Kop")
    if kop is None:
        return None, None, None
    return _tekst_kind(kop, "Label"), _tekst_kind(kop, "Nummer"), _tekst_kind(kop, "Opschrift")


def tekst_elementen(regeling_compact) -> list[dict]:
    """Flatten the legal text of a RegelingCompact into nodes in document order (with parent wId)."""
    uit: list[dict] = []

    def bezoek(el, ouder: str | None, diepte: int) -> None:
        for kind in el:
            naam = lokaal(kind)
            if naam in DOORGAAND:
                bezoek(kind, ouder, diepte)
                continue
            if naam not in STRUCTUUR:
                continue
            label, nummer, opschrift = _kop(kind)
            if naam == "Lid":
                nummer = _tekst_kind(kind, "LidNummer")
                label = "Lid"
            if naam == "Begrip":
                label, opschrift = "Begrip", _tekst_kind(kind, "Term")
            # Own content: the blocks that are not themselves structure nodes.
            eigen = [k for k in kind if lokaal(k) not in STRUCTUUR and lokaal(k) not in ("Kop",)]
            bl: list[dict] = []
            for k in eigen:
                if lokaal(k) in ("Inhoud", "Definitie"):
                    bl.extend(blokken(k))
                elif lokaal(k) in ("Al", "Lijst", "Gereserveerd", "Begrippenlijst"):
                    bl.extend(blokken(_wrap(k)))
            if naam == "Begrip":
                bl = [{"soort": "alinea", "tekst": _definitie(kind)}]
            knoop = {
                "wId": kind.get("wId"), "eId": kind.get("eId"), "ouder": ouder, "soort": naam,
                "label": label, "nummer": nummer, "opschrift": opschrift, "diepte": diepte,
                "volgorde": len(uit), "blokken": bl, "tekst": platte_tekst(bl),
                "xml": _xml_fragment(kind),
            }
            uit.append(knoop)
            bezoek(kind, kind.get("wId"), diepte + 1)

    bezoek(regeling_compact, None, 0)
    return uit


class _wrap(list):
    """Lets blokken() treat one element as a container of itself."""

    def __init__(self, el):
        super().__init__([el])


def lees_besluit(pad: Path) -> dict:
    boom = lees_xml(pad)
    root = boom.getroot()
    d = f"{{{NS_DATA}}}"
    bv = root.find("{*}BesluitVersie")
    ei = bv.find(d + "ExpressionIdentificatie")
    meta = bv.find(d + "BesluitMetadata")
    proc = bv.find(d + "Procedureverloop")
    cons = bv.find(d + "ConsolidatieInformatie")
    tijdstempels = []
    if cons is not None:
        for ts in cons.iter(d + "Tijdstempel"):
            tijdstempels.append({"soort": _t(ts, "x:soortTijdstempel"), "datum": _t(ts, "x:datum"),
                                 "doel": _t(ts, "x:doel")})
    besluit = {
        "work": _t(ei, "x:FRBRWork"), "expression": _t(ei, "x:FRBRExpression"),
        "titel": _t(meta, "x:officieleTitel"), "bekendOp": _t(proc, "x:bekendOp") if proc is not None else None,
        "tijdstempels": tijdstempels,
        "informatieobjecten": [inline_tekst(r) for r in meta.iter(d + "informatieobjectRef")],
    }
    regelingen = []
    rvi = root.find("{*}RegelingVersieInformatie")
    for rc in root.iter(f"{{{NS_TEKST}}}RegelingCompact"):
        expr = rc.get("wordt")
        reg = {"expression": expr, "work": expr.split("/nld@")[0] if expr else None,
               "componentnaam": rc.get("componentnaam"),
               "opschrift": inline_tekst(rc.find(f"{{{NS_TEKST}}}RegelingOpschrift"))
               if rc.find(f"{{{NS_TEKST}}}RegelingOpschrift") is not None else None}
        if rvi is not None:
            rei = rvi.find(d + "ExpressionIdentificatie")
            if rei is not None and _t(rei, "x:FRBRExpression") == expr:
                rm = rvi.find(d + "RegelingMetadata")
                reg.update({
                    "soortWork": _t(rei, "x:soortWork"),
                    "versienummer": _t(rvi, "x:RegelingVersieMetadata/x:versienummer"),
                    "officieleTitel": _t(rm, "x:officieleTitel"),
                    "citeertitel": _t(rm, "x:heeftCiteertitelInformatie/x:CiteertitelInformatie/x:citeertitel"),
                    "soortRegeling": _t(rm, "x:soortRegeling"),
                    "eindverantwoordelijke": _t(rm, "x:eindverantwoordelijke"),
                    "maker": _t(rm, "x:maker"),
                    "soortBestuursorgaan": _t(rm, "x:soortBestuursorgaan"),
                    "onderwerpen": [inline_tekst(o) for o in rm.iter(d + "onderwerp")],
                    "rechtsgebieden": [inline_tekst(o) for o in rm.iter(d + "rechtsgebied")],
                })
        knopen = tekst_elementen(rc)
        begrippen = []
        for b in rc.iter(f"{{{NS_TEKST}}}Begrip"):
            # Source = the nearest structural ancestor (Artikel, Lid or Divisietekst).
            bron = b.getparent()
            while bron is not None and lokaal(bron) not in STRUCTUUR - {"Begrip"}:
                bron = bron.getparent()
            # Label: the nearest ancestor with a heading ('Bijlage I', 'Artikel 1.1').
            met_kop = bron
            while met_kop is not None and not any(_kop(met_kop)[:2]):
                met_kop = met_kop.getparent()
            defi = b.find(f"{{{NS_TEKST}}}Definitie")
            refs = [r.get("ref") for r in defi.iter(f"{{{NS_TEKST}}}ExtIoRef")] if defi is not None else []
            begrippen.append({
                "wId": b.get("wId"), "eId": b.get("eId"), "term": _tekst_kind(b, "Term"),
                "definitie": _definitie(b), "informatieobjecten": refs,
                "bron_wId": bron.get("wId") if bron is not None else None,
                "bron_label": " ".join(x for x in _kop(met_kop)[:2] if x) if met_kop is not None else None,
            })
        reg["tekst"] = knopen
        reg["begrippen"] = begrippen
        regelingen.append(reg)
    return {"besluit": besluit, "regelingen": regelingen}


# --- GIO ------------------------------------------------------------------------------------------

def lees_gio_metadata(pad: Path) -> dict:
    root = lees_xml(pad).getroot()
    d = f"{{{NS_DATA}}}"
    iov = root.find("{*}InformatieObjectVersie")
    ei = iov.find(d + "ExpressionIdentificatie")
    vm = iov.find(d + "InformatieObjectVersieMetadata")
    m = iov.find(d + "InformatieObjectMetadata")
    return {
        "work": _t(ei, "x:FRBRWork"), "expression": _t(ei, "x:FRBRExpression"),
        "soortWork": _t(ei, "x:soortWork"),
        "bestandsnaam": _t(vm, "x:heeftBestanden/x:heeftBestand/x:Bestand/x:bestandsnaam"),
        "hash": _t(vm, "x:heeftBestanden/x:heeftBestand/x:Bestand/x:hash"),
        "geboorteregeling": _t(vm, "x:heeftGeboorteregeling"),
        "officieleTitel": _t(m, "x:officieleTitel"),
        "naam": _t(m, "x:naamInformatieObject"),
        "alternatieveTitels": [inline_tekst(a) for a in m.iter(d + "alternatieveTitel")],
        "formaat": _t(m, "x:formaatInformatieobject"),
        "publicatieinstructie": _t(m, "x:publicatieinstructie"),
        "bron": pad.name,
    }


def _coords(el) -> list[tuple[float, ...]]:
    pl = el.find(f"{{{NS_GML}}}posList")
    dim = 2
    if pl is not None:
        dim = int(pl.get("srsDimension") or el.get("srsDimension") or 2)
        getallen = [float(x) for x in pl.text.split()]
    else:
        getallen = []
        for pos in el.iter(f"{{{NS_GML}}}pos"):
            getallen.extend(float(x) for x in pos.text.split())
    return [tuple(getallen[i:i + 2]) for i in range(0, len(getallen), dim)]


def _ring(el) -> list:
    lr = el.find(f"{{{NS_GML}}}LinearRing")
    return _coords(lr if lr is not None else el)


def gml_naar_shapely(el) -> BaseGeometry:
    """GML 3.2 geometry (the forms STOP GIO's use) to shapely, coordinates as given (RD New)."""
    g = f"{{{NS_GML}}}"
    naam = lokaal(el)
    if naam == "Polygon":
        ext = el.find(g + "exterior")
        return Polygon(_ring(ext), [_ring(i) for i in el.findall(g + "interior")])
    if naam in ("MultiSurface", "MultiPolygon"):
        delen = []
        for lid in el:
            for p in lid:
                geo = gml_naar_shapely(p)
                delen.extend(geo.geoms if isinstance(geo, MultiPolygon) else [geo])
        return MultiPolygon(delen)
    if naam == "Surface":
        delen = [gml_naar_shapely(p) for p in el.iter(g + "PolygonPatch")]
        return unary_union(delen)
    if naam == "PolygonPatch":
        return Polygon(_ring(el.find(g + "exterior")), [_ring(i) for i in el.findall(g + "interior")])
    if naam == "LineString":
        return LineString(_coords(el))
    if naam in ("MultiCurve", "MultiLineString"):
        return MultiLineString([gml_naar_shapely(c) for lid in el for c in lid])
    if naam == "Curve":
        return LineString([c for seg in el.iter(g + "LineStringSegment") for c in _coords(seg)])
    if naam == "Point":
        return Point(_coords(el)[0])
    if naam in ("MultiGeometry", "CompositeSurface"):
        return unary_union([gml_naar_shapely(p) for lid in el for p in lid if lokaal(p)]
                           if naam == "MultiGeometry" else
                           [gml_naar_shapely(p) for lid in el
                            for p in ([lid] if lokaal(lid) != "surfaceMember" else lid) if lokaal(p)])
    if naam == "MultiPoint":
        return MultiPoint([gml_naar_shapely(p) for lid in el for p in lid])
    raise ValueError(f"GML-geometrie {naam} wordt niet ondersteund")


def lees_gml(pad: Path) -> dict:
    root = lees_xml(pad).getroot()
    geo = f"{{{NS_GEO}}}"
    versie = root.find(f"{geo}vastgesteldeVersie/{geo}GeoInformatieObjectVersie")
    locaties = []
    for loc in versie.iter(geo + "Locatie"):
        bg = loc.find(f"{geo}geometrie/{{{NS_BASISGEO}}}Geometrie")
        gid = bg.find(f"{{{NS_BASISGEO}}}id").text.strip()
        gml_el = next(e for e in bg.find(f"{{{NS_BASISGEO}}}geometrie") if lokaal(e))
        srs = gml_el.get("srsName") or ""
        if srs and "28992" not in srs:
            raise ValueError(f"{pad.name}: alleen RD New (EPSG:28992) wordt ondersteund, niet {srs}")
        vorm = gml_naar_shapely(gml_el)
        if not vorm.is_valid:
            from shapely.validation import make_valid
            vorm = make_valid(vorm)
        kwant = loc.find(geo + "kwantitatieveNormwaarde")
        kwal = loc.find(geo + "kwalitatieveNormwaarde")
        groep = loc.find(geo + "groepID")
        locaties.append({
            "id": gid, "naam": _t(loc, "x:naam", NS_GEO), "geometrie": vorm,
            "groepID": inline_tekst(groep) if groep is not None else None,
            "kwantitatieveNormwaarde": float(kwant.text) if kwant is not None else None,
            "kwalitatieveNormwaarde": inline_tekst(kwal) if kwal is not None else None,
        })
    return {
        "work": _t(versie, "x:FRBRWork", NS_GEO), "expression": _t(versie, "x:FRBRExpression", NS_GEO),
        "normlabel": _t(versie, "x:normlabel", NS_GEO), "normID": _t(versie, "x:normID", NS_GEO),
        "eenheidlabel": _t(versie, "x:eenheidlabel", NS_GEO), "eenheidID": _t(versie, "x:eenheidID", NS_GEO),
        "locaties": locaties, "bron": pad.name,
    }
