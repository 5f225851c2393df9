"""Schematron: XSLT-2 rule sets with saxonche, XSLT-1 (EXSLT) rule sets with lxml.isoschematron.

XSLT-2 (STOP, LVBB, TPOD): the official route of Geonovum's build.xml (ISO skeleton:
iso_dsdl_include → iso_abstract_expand → iso_svrl_for_xslt2), done once per rule set and cached
under var/cache/leveringen/<sha256 of the .sch and the skeleton>.xsl; the copies in
contracts/standaarden are never touched. Saxon is locked down: only file: URIs may be read
(no network), and its XML parser refuses any DOCTYPE, so no external entity is ever resolved.

XSLT-1 (IMRO TAM): lxml.isoschematron with the same hardened parser as every delivery.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree, isoschematron

from dso_acceptatie.leveringen.paden import cache, standaarden

SVRL = "http://purl.oclc.org/dsdl/svrl"
_STAPPEN = ("iso_dsdl_include.xsl", "iso_abstract_expand.xsl", "iso_svrl_for_xslt2.xsl")


@dataclass
class SchFout:
    """One failed assert or successful report."""
    id: str | None
    rol: str | None
    locatie: str | None
    tekst: str
    patroon: str | None = None
    document: str | None = None


_saxon = None
_saxon_lock = threading.RLock()


def saxon():
    """The one Saxon processor of this process, locked down (see module docstring)."""
    global _saxon
    with _saxon_lock:
        if _saxon is None:
            from saxonche import PySaxonProcessor

            p = PySaxonProcessor(license=False)
            p.set_configuration_property("http://saxon.sf.net/feature/allowedProtocols", "file")
            p.set_configuration_property(
                "http://saxon.sf.net/feature/parserFeature?uri=http%3A//apache.org/xml/features/"
                "disallow-doctype-decl", "true")
            p.set_configuration_property(
                "http://saxon.sf.net/feature/parserFeature?uri=http%3A//xml.org/sax/features/"
                "external-general-entities", "false")
            p.set_configuration_property(
                "http://saxon.sf.net/feature/parserFeature?uri=http%3A//xml.org/sax/features/"
                "external-parameter-entities", "false")
            _saxon = p
        return _saxon


def _sleutel(sch: Path) -> str:
    h = hashlib.sha256(sch.read_bytes())
    skelet = standaarden() / "schematron-iso-skelet"
    for stap in _STAPPEN:
        h.update((skelet / stap).read_bytes())
    return h.hexdigest()[:24]


def gecompileerd(sch: Path) -> Path:
    """The XSLT of a Schematron file, compiled once and cached by content hash."""
    doel = cache() / f"{sch.stem}-{_sleutel(sch)}.xsl"
    if doel.exists():
        return doel
    skelet = standaarden() / "schematron-iso-skelet"
    with _saxon_lock:
        if doel.exists():
            return doel
        xp = saxon().new_xslt30_processor()
        with tempfile.TemporaryDirectory(dir=cache()) as tmp:
            bron = str(sch)
            for i, stap in enumerate(_STAPPEN):
                uit = os.path.join(tmp, f"stap{i}.xml")
                xp.compile_stylesheet(stylesheet_file=str(skelet / stap)).transform_to_file(
                    source_file=bron, output_file=uit)
                bron = uit
            # Atomic: a parallel process either sees nothing or the whole file.
            tijdelijk = doel.with_suffix(f".{os.getpid()}.tmp")
            shutil.copyfile(bron, tijdelijk)
            os.replace(tijdelijk, doel)
    return doel


class SaxonRegelset:
    """A compiled XSLT-2 Schematron, ready to run on files.

    ``werkmap``: rule sets that read the whole delivery (TPOD: ``collection('.')``,
    ``document('manifest.xml')``) resolve relative to the stylesheet, so for those the XSLT is
    copied into the delivery's work folder and compiled there, as the official tool does.
    """

    def __init__(self, sch: Path, werkmap: Path | None = None):
        xsl = gecompileerd(sch)
        if werkmap is not None:
            plek = werkmap / f".{xsl.name}"
            shutil.copyfile(xsl, plek)
            xsl = plek
        with _saxon_lock:
            self._exe = saxon().new_xslt30_processor().compile_stylesheet(stylesheet_file=str(xsl))
        self.sch = sch

    def voer_uit(self, bestand: Path) -> list[SchFout]:
        with _saxon_lock, _stille_stderr():
            svrl = self._exe.transform_to_string(source_file=str(bestand))
        return lees_svrl(svrl or "")


@contextlib.contextmanager
def _stille_stderr():
    """Saxon's native code prints each dynamic error on fd 2 as well as raising it; the raised
    error becomes a finding, so the duplicate would only clutter the CLI and phase logs."""
    try:
        sys.stderr.flush()
        bewaard = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    leeg = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(leeg, 2)
        yield
    finally:
        os.dup2(bewaard, 2)
        os.close(bewaard)
        os.close(leeg)


@lru_cache(maxsize=16)
def saxon_regelset(sch: str) -> SaxonRegelset:
    return SaxonRegelset(Path(sch))


def lees_svrl(svrl: str) -> list[SchFout]:
    if not svrl.strip():
        return []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=True)  # our own processor's output, may be large
    root = etree.fromstring(svrl.encode("utf-8"), parser)
    uit = []
    patroon = document = None
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == f"{{{SVRL}}}active-pattern":
            patroon = el.get("id") or el.get("name")
            document = el.get("document") or document
        elif tag in (f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
            tekst_el = el.find(f"{{{SVRL}}}text")
            tekst = "".join(tekst_el.itertext()) if tekst_el is not None else ""
            uit.append(SchFout(el.get("id"), el.get("role"), el.get("location"),
                               " ".join(tekst.split()), patroon, document))
    return uit


def json_uit_tekst(tekst: str) -> dict:
    """STOP/TPOD rules put a JSON object in their message; read it tolerantly."""
    m = re.search(r"\{.*\}", tekst, re.DOTALL)
    if not m:
        return {}
    ruw = m.group(0)
    try:
        return json.loads(ruw)
    except ValueError:
        pass
    paren = dict(re.findall(r'"([^"]+)"\s*:\s*"((?:[^"\\]|\\.)*)"', ruw))
    return paren


# --- XSLT-1 Schematron through lxml (IMRO) --------------------------------------------------

_lxml_lock = threading.Lock()


@lru_cache(maxsize=8)
def lxml_regelset(sch: str, strikt: bool = True) -> isoschematron.Schematron:
    with _lxml_lock:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        doc = etree.parse(sch, parser)
        return isoschematron.Schematron(doc, store_report=True, validate_schema=strikt)


def voer_lxml_uit(sch: Path, boom: etree._ElementTree, strikt: bool = True) -> list[SchFout]:
    regels = lxml_regelset(str(sch), strikt)
    regels.validate(boom)
    rapport = regels.validation_report
    if rapport is None:
        return []
    return lees_svrl(etree.tostring(rapport, encoding="unicode"))


# --- location: SVRL XPath → line ------------------------------------------------------------

_STAP_LOKAAL = re.compile(r"^\*\[local-name\(\)\s*=\s*['\"]([^'\"]+)['\"][^\]]*\](?:\[(\d+)\])?$")
_STAP = re.compile(r"^(?:\*:|[\w.-]+:)?([\w.-]+|\*)(?:\[namespace-uri\(\)=['\"][^'\"]*['\"]\])?"
                   r"(?:\[(\d+)\])?$")


def _stappen(locatie: str) -> list[tuple[str, int]] | None:
    """'/a:x[1]/*[local-name()='y' and namespace-uri()='…'][2]' → [('x', 1), ('y', 2)]."""
    if not locatie or not locatie.startswith("/"):
        return None
    uit = []
    # Split on '/' outside predicates (namespace URIs inside predicates contain slashes).
    delen, diepte, huidig = [], 0, ""
    for teken in locatie[1:]:
        if teken == "[":
            diepte += 1
        elif teken == "]":
            diepte -= 1
        if teken == "/" and diepte == 0:
            delen.append(huidig)
            huidig = ""
        else:
            huidig += teken
    delen.append(huidig)
    for stap in delen:
        if not stap or stap.startswith(("@", "text()")):
            break
        m = _STAP_LOKAAL.match(stap) or _STAP.match(stap)
        if not m:
            break
        uit.append((m.group(1), int(m.group(2) or 1)))
    return uit


def kort_pad(locatie: str | None) -> str | None:
    """A readable XPath without namespace predicates, e.g. /FeatureCollectionIMRO/featureMember[2]."""
    stappen = _stappen(locatie or "")
    if not stappen:
        return locatie
    return "".join(f"/{naam}" + (f"[{pos}]" if pos > 1 else "") for naam, pos in stappen)


def regel_van(boom: etree._ElementTree, locatie: str | None) -> int | None:
    """Line of the element an SVRL location points at."""
    stappen = _stappen(locatie or "")
    if not stappen:
        return None
    el = None
    for i, (naam, pos) in enumerate(stappen):
        kandidaten = [boom.getroot()] if i == 0 else [c for c in el if isinstance(c.tag, str)]
        if naam != "*":
            kandidaten = [c for c in kandidaten if etree.QName(c).localname == naam]
        if len(kandidaten) < pos:
            break
        el = kandidaten[pos - 1]
    return el.sourceline if el is not None else None
