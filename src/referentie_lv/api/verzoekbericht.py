"""The messages of a submitted request for the bevoegd gezag (Verzoek afhandelen): the request as
XML in our own namespace (``specs/verzoekbericht.xsd``, geometry as GML 3.2) and a PDF summary.

Pure functions of the stored request (``Verzoekenopslag`` in ``verzoeken.py``); no HTTP here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from lxml import etree

XML_NS = "urn:dso-acceptatie:referentie-lv:verzoekbericht:1"
GML_NS = "http://www.opengis.net/gml/3.2"


def _pos(c) -> str:
    return " ".join(repr(float(x)) for x in c[:2])


def _gml(geo: dict, gml_id: str) -> etree._Element:
    """GeoJSON (Point, Polygon, MultiPolygon in RD New) as GML 3.2."""
    G = f"{{{GML_NS}}}"
    srs = "urn:ogc:def:crs:EPSG::28992"

    def polygoon(ringen, pid: str) -> etree._Element:
        p = etree.Element(G + "Polygon", {G + "id": pid, "srsName": srs}, nsmap={"gml": GML_NS})
        for i, ring in enumerate(ringen):
            rol = etree.SubElement(p, G + ("exterior" if i == 0 else "interior"))
            lr = etree.SubElement(rol, G + "LinearRing")
            etree.SubElement(lr, G + "posList").text = " ".join(_pos(c) for c in ring)
        return p

    t = geo["type"]
    if t == "Point":
        el = etree.Element(G + "Point", {G + "id": gml_id, "srsName": srs}, nsmap={"gml": GML_NS})
        etree.SubElement(el, G + "pos").text = _pos(geo["coordinates"])
        return el
    if t == "Polygon":
        return polygoon(geo["coordinates"], gml_id)
    el = etree.Element(G + "MultiSurface", {G + "id": gml_id, "srsName": srs}, nsmap={"gml": GML_NS})
    for i, poly in enumerate(geo["coordinates"]):
        lid = etree.SubElement(el, G + "surfaceMember")
        lid.append(polygoon(poly, f"{gml_id}-{i + 1}"))
    return el


# Characters XML 1.0 cannot carry (C0 controls except tab/LF/CR, U+FFFE/U+FFFF). JSON can carry
# them, so a stored request may hold them; in the XML they become U+FFFD instead of a 500.
_NIET_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_tekst(w: Any) -> str:
    return _NIET_XML.sub("\ufffd", str(w))


def verzoekbericht(v: dict, bijlage_href: Callable[[str], str]) -> bytes:
    """The request as XML in our own namespace (see specs/verzoekbericht.xsd). lxml escapes all
    text; user input only ever lands in text nodes and attribute values, never in markup.
    ``bijlage_href(bijlage_id)`` is the URL of an attachment."""
    N = f"{{{XML_NS}}}"
    g = v["gegevens"]
    root = etree.Element(N + "verzoekbericht", {"versie": "1.0.0"}, nsmap={"vb": XML_NS, "gml": GML_NS})

    def sub(ouder, naam, tekst=None, **attrs):
        el = etree.SubElement(ouder, N + naam, {k: xml_tekst(w) for k, w in attrs.items()
                                                 if w is not None})
        if tekst is not None:
            el.text = xml_tekst(tekst)
        return el

    sub(root, "verzoeknummer", v["verzoeknummer"])
    sub(root, "soort", v["soort"])
    sub(root, "status", v["status"])
    sub(root, "ingediendOp", v["ingediendOp"])
    if v["ontvangenOp"]:
        sub(root, "ontvangenOp", v["ontvangenOp"])
    sub(root, "bevoegdGezag", v["bevoegdGezag"]["naam"], code=v["bevoegdGezag"]["code"])
    project = sub(root, "project")
    sub(project, "naam", g["projectnaam"])
    if g.get("projectomschrijving"):
        sub(project, "omschrijving", g["projectomschrijving"])
    if g.get("indiener"):
        ind = sub(root, "indiener")
        for k in ("naam", "email", "telefoon"):
            if g["indiener"].get(k):
                sub(ind, k, g["indiener"][k])
    loc = sub(root, "locatie")
    if g["locatie"].get("omschrijving"):
        sub(loc, "omschrijving", g["locatie"]["omschrijving"])
    if g["locatie"].get("adres"):
        adres = sub(loc, "adres")
        for k in ("straatnaam", "huisnummer", "huisletter", "huisnummertoevoeging", "postcode",
                  "woonplaats"):
            if g["locatie"]["adres"].get(k) is not None:
                sub(adres, k, g["locatie"]["adres"][k])
    sub(loc, "geometrie").append(_gml(g["locatie"]["geometrie"], f"loc-{v['verzoeknummer']}"))
    acts = sub(root, "activiteiten")
    for a in g["activiteiten"]:
        el = sub(acts, "activiteit", identificatie=a["identificatie"])
        if a.get("naam"):
            sub(el, "naam", a["naam"])
    antw = sub(root, "antwoorden")
    for a in g.get("antwoorden", []):
        el = sub(antw, "antwoord", functioneleStructuurRef=a.get("functioneleStructuurRef"))
        sub(el, "vraag", a["vraag"])
        if a.get("vraagTekst"):
            sub(el, "vraagTekst", a["vraagTekst"])
        sub(el, "waarde", a["antwoord"])
    bijl = sub(root, "bijlagen")
    for b in v["bijlagen"]:
        el = sub(bijl, "bijlage", id=b["id"])
        sub(el, "bestandsnaam", b["bestandsnaam"])
        sub(el, "mediatype", b["mediatype"])
        if b.get("omschrijving"):
            sub(el, "omschrijving", b["omschrijving"])
        sub(el, "grootte", b["grootte"])
        sub(el, "sha256", b["sha256"])
        sub(el, "href", bijlage_href(b["id"]))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _pdf_tekst(t: str) -> bytes:
    b = t.encode("cp1252", errors="replace")
    return b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def verzoek_pdf(v: dict) -> bytes:
    """A plain one-column PDF summary of the request (the human-readable companion of the XML,
    as the DSO delivers one). Hand-written PDF 1.4: Helvetica, WinAnsi, no compression."""
    g = v["gegevens"]
    regels: list[tuple[int, str]] = [(14, f"Verzoek {v['verzoeknummer']}"), (10, "")]

    def veld(k: str, w: Any) -> None:
        if w not in (None, ""):
            regels.append((10, f"{k}: {w}"))

    veld("Soort", v["soort"])
    veld("Ingediend op", v["ingediendOp"])
    veld("Status", v["status"])
    veld("Bevoegd gezag", f"{v['bevoegdGezag']['naam']} ({v['bevoegdGezag']['code']})")
    veld("Projectnaam", g["projectnaam"])
    veld("Projectomschrijving", g.get("projectomschrijving"))
    veld("Indiener", (g.get("indiener") or {}).get("naam"))
    veld("Locatie", g["locatie"].get("omschrijving"))
    veld("Geometrie (RD New)", json.dumps(g["locatie"]["geometrie"]["coordinates"])[:300])
    regels.append((10, ""))
    regels.append((12, "Activiteiten"))
    for a in g["activiteiten"]:
        regels.append((10, f"- {a.get('naam') or ''} ({a['identificatie']})"))
    regels.append((12, "Antwoorden"))
    for a in g.get("antwoorden", []):
        regels.append((10, f"- {a.get('vraagTekst') or a['vraag']}: {a['antwoord']}"))
    regels.append((12, "Bijlagen"))
    for b in v["bijlagen"]:
        regels.append((10, f"- {b['bestandsnaam']} ({b['mediatype']}, {b['grootte']} bytes)"))
    # Wrap long lines at 95 characters; 52 lines per A4 page.
    gewrapt: list[tuple[int, str]] = []
    for grootte, tekst in regels:
        while len(tekst) > 95:
            gewrapt.append((grootte, tekst[:95]))
            tekst = "    " + tekst[95:]
        gewrapt.append((grootte, tekst))
    paginas = [gewrapt[i:i + 52] for i in range(0, len(gewrapt), 52)] or [[]]

    objecten: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"",
                             (b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                              b"/Encoding /WinAnsiEncoding >>")]
    kinderen = []
    for pagina in paginas:
        stroom = [b"BT", b"50 800 Td"]
        for grootte, tekst in pagina:
            stroom.append(b"/F1 %d Tf 0 -%d Td (%s) Tj" % (grootte, grootte + 5, _pdf_tekst(tekst)))
        stroom.append(b"ET")
        inhoud = b"\n".join(stroom)
        objecten.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(inhoud), inhoud))
        inhoud_nr = len(objecten)
        objecten.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                        b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % inhoud_nr)
        kinderen.append(len(objecten))
    objecten[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kinderen), len(kinderen))
    uit = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    posities = []
    for i, obj in enumerate(objecten, start=1):
        posities.append(len(uit))
        uit += b"%d 0 obj\n%s\nendobj\n" % (i, obj)
    xref = len(uit)
    uit += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objecten) + 1)
    for pos in posities:
        uit += b"%010d 00000 n \n" % pos
    uit += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objecten) + 1, xref)
    return bytes(uit)
