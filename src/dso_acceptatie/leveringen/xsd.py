"""XSD 1.0 validation with lxml against the shipped schema copies, offline.

The schemas import each other by their published URLs (standaarden.overheid.nl, schemas.opengis.net,
register.geostandaarden.nl, w3.org). A resolver maps each URL to the local copy through the OASIS
catalogs that ship with STOP/LVBB 1.0.4 plus a few mappings the catalogs lack; anything not
mapped is refused, and the parser has network access off, so loading a schema never fetches.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from lxml import etree

from dso_acceptatie.leveringen.paden import standaarden
from dso_acceptatie.leveringen.veilig import xml_parser

_CAT_NS = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}"


@lru_cache(maxsize=1)
def catalogus() -> dict[str, Path]:
    basis = standaarden()
    stop = basis / "stop-lvbb-1.0.4"
    kaart: dict[str, Path] = {}
    for cat in (stop / "lvbb-catalog.xml", stop / "stop" / "stop-catalog.xml",
                stop / "lvbb" / "lvbb-catalog.xml", stop / "extern" / "extern-catalog.xml"):
        boom = etree.parse(str(cat), xml_parser())
        for uri in boom.iter(f"{_CAT_NS}uri"):
            kaart[uri.get("name")] = (cat.parent / uri.get("uri")).resolve()
    # Published locations of the 1.0.4 files themselves (the catalogs map namespaces).
    for sub, url in (("stop", "https://standaarden.overheid.nl/stop/1.0.4/"),
                     ("lvbb", "https://standaarden.overheid.nl/lvbb/1.0.4/")):
        for f in (stop / sub).glob("*.xsd"):
            kaart.setdefault(url + f.name, f.resolve())
    imow = basis / "imow-2.0.0"
    kaart.update({
        "http://www.w3.org/2001/xml.xsd": (imow / "1998" / "namespace" / "xml.xsd").resolve(),
        "http://schemas.opengis.net/gmlsfProfile/2.0/gmlsfLevels.xsd":
            (imow / "gmlsfProfile" / "2.0" / "gmlsfLevels.xsd").resolve(),
        "https://register.geostandaarden.nl/gmlapplicatieschema/basisgeometrie/1.0.0/"
        "basisgeometrie.xsd": (stop / "extern" / "geonovum" / "basisgeometrie.xsd").resolve(),
    })
    return kaart


class _Resolver(etree.Resolver):
    def resolve(self, url, pubid, context):
        if url is None:
            return None
        lokaal = catalogus().get(url)
        if lokaal is None and "://" not in url:
            return None          # a local file (relative include between our copies)
        if lokaal is None and url.startswith("file:"):
            return None
        if lokaal is None:
            # Never fetch: an unmapped remote schema is an error in our copy, not a download.
            raise etree.XMLSchemaParseError(f"schema {url} staat niet in de lokale catalogus")
        return self.resolve_filename(str(lokaal), context)


_lock = threading.Lock()


@lru_cache(maxsize=32)
def schema(pad: str) -> etree.XMLSchema:
    """Compiled schema for a local XSD file (cached per process)."""
    with _lock:
        parser = xml_parser()
        parser.resolvers.add(_Resolver())
        doc = etree.parse(pad, parser)
        return etree.XMLSchema(doc)


def valideer(boom: etree._ElementTree, xsd: Path) -> list[tuple[int, int, str, str | None]]:
    """[(line, column, message, xpath)] of every schema violation."""
    s = schema(str(xsd))
    if s.validate(boom):
        return []
    fouten = []
    for e in s.error_log:
        fouten.append((e.line, e.column, e.message, leesbaar_pad(boom, getattr(e, "path", None))))
    return fouten


def leesbaar_pad(boom: etree._ElementTree, pad: str | None) -> str | None:
    """libxml2 writes '*' for elements in a default namespace ('/*/*/*[1]'); give local names,
    e.g. '/AanleveringBesluit/BesluitVersie/ExpressionIdentificatie/FRBRWerk'."""
    if not pad:
        return pad
    ns = {k: v for k, v in (boom.getroot().nsmap or {}).items() if k}
    try:
        gevonden = boom.xpath(pad, namespaces=ns)
    except etree.XPathError:
        return pad
    if not gevonden or not isinstance(gevonden[0], etree._Element):
        return pad
    stappen = []
    el = gevonden[0]
    while el is not None:
        naam = etree.QName(el).localname
        ouder = el.getparent()
        if ouder is not None:
            gelijk = [c for c in ouder if isinstance(c.tag, str) and c.tag == el.tag]
            if len(gelijk) > 1:
                naam += f"[{gelijk.index(el) + 1}]"
        stappen.append(naam)
        el = ouder
    return "/" + "/".join(reversed(stappen))
