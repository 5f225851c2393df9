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
from array import array
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree, isoschematron

from dso_acceptatie.leveringen.paden import cache, standaarden
from dso_acceptatie.leveringen.veilig import xml_parser

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


class RegelsetFout(Exception):
    """A rule set ran but did not produce a Schematron report: the file is not checked."""


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

    def voer_uit(self, bestand: Path | object) -> list[SchFout]:
        """Run on a file, or on a document already parsed by :func:`saxon_document` (one parse
        for all rule sets of a file). Raises PySaxonApiError or RegelsetFout when it cannot."""
        with _saxon_lock, _stille_stderr():
            if isinstance(bestand, Path):
                svrl = self._exe.transform_to_string(source_file=str(bestand))
            else:
                svrl = self._exe.transform_to_string(xdm_node=bestand)
        return lees_svrl(svrl or "", verplicht=True)


def saxon_document(bestand: Path):
    """The file parsed once by Saxon (same locked-down parser), to run several rule sets on."""
    with _saxon_lock, _stille_stderr():
        return saxon().parse_xml(xml_file_name=str(bestand))


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


def lees_svrl(svrl: str, verplicht: bool = False) -> list[SchFout]:
    """Failed asserts and successful reports. ``verplicht``: the text must be an SVRL report
    (a rule set's output); anything else means the rules did not run -> RegelsetFout."""
    if not svrl.strip():
        if verplicht:
            raise RegelsetFout("de regelset gaf geen uitvoer (geen SVRL-rapport)")
        return []
    parser = xml_parser(huge_tree=True)  # our own processor's output, may be large
    try:
        root = etree.fromstring(svrl.encode("utf-8"), parser)
    except etree.XMLSyntaxError as e:
        raise RegelsetFout(f"de uitvoer van de regelset is geen leesbaar SVRL-rapport: {e}") from None
    if verplicht and root.tag != f"{{{SVRL}}}schematron-output":
        raise RegelsetFout(f"de uitvoer van de regelset is geen SVRL-rapport (maar {root.tag})")
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
        doc = etree.parse(sch, xml_parser())
        return isoschematron.Schematron(doc, store_report=True, validate_schema=strikt)


def voer_lxml_uit(sch: Path, boom: etree._ElementTree, strikt: bool = True) -> list[SchFout]:
    regels = lxml_regelset(str(sch), strikt)
    regels.validate(boom)
    rapport = regels.validation_report
    if rapport is None:
        raise RegelsetFout("de regelset gaf geen rapport")
    return lees_svrl(etree.tostring(rapport, encoding="unicode"), verplicht=True)


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


def _lokaal(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class Plaatsen:
    """SVRL location → line in one tree. The children of a parent are indexed by local name the
    first time a location passes that parent, so a finding in the 800 000th alinea of a flat
    file costs a lookup, not a walk over its siblings (once per finding). For the last step only
    line numbers are kept (compact arrays), elements only for the steps in between."""

    def __init__(self, boom: etree._ElementTree):
        self.boom = boom
        self._kinderen: dict[etree._Element, dict[str, list[etree._Element]]] = {}
        self._regels: dict[etree._Element, dict[str, array]] = {}

    def _van(self, ouder: etree._Element) -> dict[str, list[etree._Element]]:
        kaart = self._kinderen.get(ouder)
        if kaart is None:
            kaart = {"*": []}
            for kind in ouder.iterchildren(etree.Element):
                kaart.setdefault(_lokaal(kind.tag), []).append(kind)
                kaart["*"].append(kind)
            self._kinderen[ouder] = kaart
        return kaart

    def _regels_van(self, ouder: etree._Element) -> dict[str, array]:
        kaart = self._regels.get(ouder)
        if kaart is None:
            kaart = {"*": array("q")}
            for kind in ouder.iterchildren(etree.Element):
                regel = kind.sourceline or 0
                kaart.setdefault(_lokaal(kind.tag), array("q")).append(regel)
                kaart["*"].append(regel)
            self._regels[ouder] = kaart
        return kaart

    def regel(self, locatie: str | None) -> int | None:
        """Line of the element an SVRL location points at (or of the deepest step found)."""
        stappen = _stappen(locatie or "")
        if not stappen:
            return None
        wortel = self.boom.getroot()
        naam, pos = stappen[0]
        if pos != 1 or naam not in ("*", _lokaal(wortel.tag)):
            return None
        el = wortel
        for i, (naam, pos) in enumerate(stappen[1:], 2):
            if i == len(stappen):
                regels = self._regels_van(el).get(naam, ())
                return (regels[pos - 1] or None) if len(regels) >= pos else el.sourceline
            kandidaten = self._van(el).get(naam, [])
            if len(kandidaten) < pos:
                break
            el = kandidaten[pos - 1]
        return el.sourceline


def regel_van(boom: etree._ElementTree, locatie: str | None) -> int | None:
    """Line of the element an SVRL location points at (one-off; use :class:`Plaatsen` for many)."""
    return Plaatsen(boom).regel(locatie)
