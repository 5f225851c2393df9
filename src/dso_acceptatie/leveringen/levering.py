"""Validate one delivery: stage it safely, detect what it is, run the right processors.

A delivery is a folder, a zip, or a single file. It is first copied or unpacked into a private
work folder with every safety check of :mod:`veilig`; nothing is ever read from a vendor's path
again after that. Each XML file is parsed once with the hardened parser and classified by its
root namespace: STOP/LVBB, TPOD/IMOW (OW files), STTR (DMN + STTR manifest/opdracht) or IMRO 2012.
The validators per standard then add findings; which rule set each applied (and why, e.g. by
peildatum) is part of the outcome.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import shutil
import tempfile
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lxml import etree

from dso_acceptatie.leveringen import veilig
from dso_acceptatie.leveringen.model import (
    FOUT,
    INFORMATIEF,
    SOORT_NAAM,
    SOORTEN,
    WAARSCHUWING,
    Bevinding,
    Uitkomst,
)
from dso_acceptatie.leveringen.schematron import Plaatsen
from dso_acceptatie.leveringen.veilig import (
    STANDAARD,
    Limieten,
    OnleesbareInvoer,
    OnveiligeInvoer,
    Teller,
)


class Bomen:
    """Parsed trees of one delivery, a few at a time, so memory is bounded by the largest file.

    A tree is parsed when a validator asks for it (``Bestand.boom``) and stays while the files
    kept together are at most ``Limieten.max_geparseerd`` bytes on disk; beyond that the least
    recently used tree is released (the one asked for last always stays). Small packages are
    parsed once; a 50 MB file never shares memory with another large one.
    """

    def __init__(self, limieten: Limieten):
        self.limieten = limieten
        self.budget = limieten.max_geparseerd
        self.hoogste = 0          # most trees held at once (for the tests)
        self._bomen: OrderedDict[int, tuple[etree._ElementTree, Plaatsen, int]] = OrderedDict()

    def maak_ruimte(self, grootte: int) -> None:
        """Release kept trees until one of ``grootte`` bytes fits the budget."""
        totaal = sum(g for _, _, g in self._bomen.values())
        while self._bomen and totaal + grootte > self.budget:
            _, (_, _, g) = self._bomen.popitem(last=False)
            totaal -= g

    def leg_neer(self, b: Bestand, boom: etree._ElementTree) -> None:
        self._bomen.pop(id(b), None)
        self.maak_ruimte(b.grootte)
        self._bomen[id(b)] = (boom, Plaatsen(boom), b.grootte)
        self.hoogste = max(self.hoogste, len(self._bomen))

    def _geef(self, b: Bestand) -> tuple[etree._ElementTree, Plaatsen]:
        if id(b) not in self._bomen:
            self.maak_ruimte(b.grootte)      # release first, then parse: never two big trees
            self.leg_neer(b, veilig.lees_xml(b.pad, b.naam, self.limieten))
        self._bomen.move_to_end(id(b))
        boom, plaatsen, _ = self._bomen[id(b)]
        return boom, plaatsen

    def boom(self, b: Bestand) -> etree._ElementTree:
        return self._geef(b)[0]

    def plaatsen(self, b: Bestand) -> Plaatsen:
        return self._geef(b)[1]

    def vrijgeven(self) -> None:
        self._bomen.clear()
        _geef_geheugen_terug()

    def laat_los(self, b: Bestand) -> None:
        """The caller will not need this tree for a while (Saxon runs on its own copy): release
        it now if it is large, so its memory is free for Saxon; it is parsed again on demand."""
        if b.grootte * 2 >= self.budget and self._bomen.pop(id(b), None) is not None:
            _geef_geheugen_terug()


def _geef_geheugen_terug() -> None:
    """libxml2 frees a tree in many small blocks; glibc keeps them for the next tree, but Saxon
    (its own heap) cannot use them. malloc_trim hands them back to the system. Elsewhere: no-op."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


@dataclass(eq=False)
class Bestand:
    naam: str                              # path inside the delivery (posix), as people see it
    pad: Path                              # the staged copy
    soort: str | None = None
    ns: str = ""                           # root element: namespace, local name, attributes
    lokale_naam: str = ""
    attributen: dict[str, str] = field(default_factory=dict)
    grootte: int = 0
    bomen: Bomen | None = field(default=None, repr=False)   # None: not XML

    @property
    def is_xml(self) -> bool:
        return self.bomen is not None

    @property
    def boom(self) -> etree._ElementTree | None:
        """The parsed file (parsed again if it was released); None for a file that is not XML."""
        return self.bomen.boom(self) if self.bomen is not None else None

    def laat_los(self) -> None:
        if self.bomen is not None:
            self.bomen.laat_los(self)

    @property
    def plaatsen(self) -> Plaatsen | None:
        """SVRL location → line, with an index of this tree (see :class:`Plaatsen`)."""
        return self.bomen.plaatsen(self) if self.bomen is not None else None


@dataclass
class Levering:
    werkmap: Path
    bestanden: list[Bestand]
    peildatum: date
    opties: dict = field(default_factory=dict)
    los_bestand: bool = False     # one XML file given: document checks only, no package checks

    def van_soort(self, soort: str) -> list[Bestand]:
        return [b for b in self.bestanden if b.soort == soort]

    def mappen(self) -> dict[Path, list[Bestand]]:
        """Files per folder: each folder is one package (a zip inside a folder is a folder)."""
        uit: dict[Path, list[Bestand]] = {}
        for b in self.bestanden:
            uit.setdefault(b.pad.parent, []).append(b)
        return uit

    def naam_van(self, pad: Path) -> str:
        """Path inside the delivery; '' for the delivery's own root."""
        rel = pad.relative_to(self.werkmap).as_posix()
        return "" if rel == "." else rel


XML_EXTENSIES = {".xml", ".gml", ".dmn"}


def soort_van(ns: str) -> str | None:
    if ns.startswith("http://www.geonovum.nl/imro/"):
        return "imro"
    if ns.startswith(("http://www.omg.org/spec/DMN/", "https://www.omg.org/spec/DMN/",
                      "http://toepasbare-regels.omgevingswet.overheid.nl/")):
        return "sttr"
    if ns.startswith("http://www.geostandaarden.nl/"):
        return "tpod"
    if ns.startswith(("https://standaarden.overheid.nl/", "http://www.overheid.nl/2017/",
                      "http://www.opengis.net/se")):
        return "stop"
    return None


def _is_xml(pad: Path) -> bool:
    if pad.suffix.lower() in XML_EXTENSIES:
        return True
    try:
        with open(pad, "rb") as f:
            kop = f.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return False
    return kop.startswith(b"<")


def _stage(bron: Path, werkmap: Path, limieten: Limieten) -> list[Path]:
    teller = Teller(limieten)
    # The path the user gives may be a link; links *inside* a delivery are refused.
    if bron.is_dir():
        bestanden = veilig.kopieer_map(bron, werkmap, teller)
    elif bron.exists() and not bron.is_file():
        raise OnveiligeInvoer("geen gewoon bestand of map (bijv. een named pipe of apparaat).",
                              str(bron))
    elif bron.is_file():
        if zipfile.is_zipfile(bron) or bron.suffix.lower() == ".zip":
            bestanden = veilig.pak_zip_uit(bron, werkmap, bron.name, teller, limieten)
        else:
            veilig.controleer_naam(bron.name)
            grootte = bron.stat().st_size
            veilig.controleer_grootte(grootte, bron.name, limieten)
            teller.bestand(bron.name, grootte)
            doel = werkmap / bron.name
            try:
                shutil.copyfile(bron, doel)
            except OSError as e:
                raise OnleesbareInvoer(f"kan het bestand niet lezen: {e.strerror}",
                                       bron.name) from None
            bestanden = [doel]
    else:
        raise OnleesbareInvoer("het pad bestaat niet of is geen bestand of map.", str(bron))
    # Zips inside the delivery (STTR packages in a folder): unpack each into a folder of its own.
    uit = []
    for pad in bestanden:
        if pad.suffix.lower() == ".zip" or zipfile.is_zipfile(pad):
            naam = pad.relative_to(werkmap).as_posix()
            if limieten.max_diepte_zip < 1:
                raise OnveiligeInvoer("een zip in de levering wordt niet uitgepakt.", naam)
            doel = pad.with_name(pad.stem)
            if doel.exists():
                raise OnveiligeInvoer(f"de map '{doel.name}' bestaat al naast de zip.", naam)
            binnen = veilig.pak_zip_uit(pad, doel, naam, teller, limieten)
            pad.unlink()
            for p in binnen:
                if p.suffix.lower() == ".zip" or zipfile.is_zipfile(p):
                    raise OnveiligeInvoer("een zip in een zip in een levering wordt niet "
                                          "uitgepakt (diepte beperkt).",
                                          p.relative_to(werkmap).as_posix())
            uit.extend(binnen)
        else:
            uit.append(pad)
    return uit


def _doctype(b: Bestand, boom: etree._ElementTree) -> Bevinding:
    """A DOCTYPE in a delivery file. The DTD is never loaded (safety), so whatever it would add
    (default attributes, entities) is not what we check: with an external DTD or an internal
    subset that is a blocking finding. The rules still run, on a work copy whose declaration is
    blanked (Saxon refuses every DOCTYPE), so the vendor sees every other finding too."""
    extern = boom.docinfo.system_url or boom.docinfo.public_id
    tekst, regel = veilig.neutraliseer_doctype(b.pad, b.naam)
    intern = "[" in tekst and tekst[tekst.index("[") + 1:tekst.rindex("]")].strip()
    kort = " ".join(tekst.split())
    kort = kort if len(kort) <= 120 else kort[:117] + "..."
    if extern or intern:
        waarom = (f"een externe DTD ({veilig.veilige_naam(extern)})" if extern
                  else "een interne DTD-subset")
        return Bevinding(
            "XML-DOCTYPE", FOUT, f"het bestand heeft een DOCTYPE-declaratie met {waarom}: "
            f"{veilig.veilige_naam(kort)}. Een DTD wordt om veiligheidsredenen nooit geladen of "
            "toegepast, dus wat die aan het document zou toevoegen (standaardwaarden van attributen, entiteiten) "
            "is niet gecontroleerd. Leveringen volgens STOP, TPOD, STTR en IMRO gebruiken geen "
            "DTD: verwijder de DOCTYPE-declaratie. De overige regels zijn op het bestand zonder "
            "de declaratie uitgevoerd.", b.naam, regel, soort=b.soort, regelset="XML-invoer",
            bron="dso-acceptatie")
    return Bevinding(
        "XML-DOCTYPE", WAARSCHUWING, f"het bestand heeft een lege DOCTYPE-declaratie "
        f"({veilig.veilige_naam(kort)}); die heeft geen gevolgen, maar hoort niet in een levering.",
        b.naam, regel, soort=b.soort, regelset="XML-invoer", bron="dso-acceptatie")


def valideer(pad: str | Path, peildatum: date | None = None, soort: str | None = None,
             limieten: Limieten = STANDAARD, **opties) -> Uitkomst:
    """Validate a delivery. Raises OnveiligeInvoer/OnleesbareInvoer when it cannot be read."""
    from dso_acceptatie.leveringen import imro, stop, sttr, tpod

    bron = Path(pad)
    peildatum = peildatum or date.today()
    if soort is not None and soort not in SOORTEN:
        raise ValueError(f"onbekende soort {soort!r}")
    uitkomst = Uitkomst(pad=veilig.veilige_naam(str(pad)), peildatum=peildatum.isoformat())
    bomen = Bomen(limieten)
    with tempfile.TemporaryDirectory(prefix="dso-levering-") as tmp:
        werkmap = Path(tmp) / "levering"
        werkmap.mkdir()
        paden = _stage(bron, werkmap, limieten)
        bestanden = []
        for p in sorted(paden):
            b = Bestand(p.relative_to(werkmap).as_posix(), p, grootte=p.stat().st_size)
            if _is_xml(p):
                # Parse every file first: one that is not well-formed or is hostile refuses the
                # whole delivery before anything is validated. Only the root is kept; the tree
                # goes to the (bounded) cache and is parsed again when a validator needs it.
                bomen.maak_ruimte(b.grootte)
                boom = veilig.lees_xml(p, b.naam, limieten)
                wortel = boom.getroot()
                q = etree.QName(wortel)
                b.ns, b.lokale_naam, b.attributen = q.namespace or "", q.localname, dict(wortel.attrib)
                b.soort = soort_van(b.ns)
                b.bomen = bomen
                if boom.docinfo.doctype:
                    uitkomst.bevindingen.append(_doctype(b, boom))
                bomen.leg_neer(b, boom)
                del boom, wortel
            elif p.suffix.lower() == ".json":
                try:
                    json.loads(p.read_text(encoding="utf-8"))
                except (ValueError, UnicodeDecodeError) as e:
                    regel = getattr(e, "lineno", None)
                    kolom = getattr(e, "colno", None)
                    raise OnleesbareInvoer(f"geen geldige JSON: {getattr(e, 'msg', e)}", b.naam,
                                           regel, kolom) from None
            bestanden.append(b)
        levering = Levering(werkmap, bestanden, peildatum, opties,
                            los_bestand=bron.is_file() and len(bestanden) == 1
                            and not zipfile.is_zipfile(bron))
        uitkomst.bestanden = [b.naam for b in bestanden]
        gevonden = [s for s in SOORTEN if levering.van_soort(s)]
        if "tpod" not in gevonden and tpod.op_1_0(levering):
            # A STOP 1.0.x besluit is the OP part the TPOD 1.0 rules were written for.
            gevonden.insert(gevonden.index("stop") + 1, "tpod")
        if not gevonden:
            raise OnleesbareInvoer("de levering bevat geen bestand van een bekende standaard "
                                   "(STOP/LVBB, TPOD/IMOW, STTR of IMRO 2012).", bron.name)
        te_doen = [soort] if soort else gevonden
        uitkomst.soorten = te_doen
        if soort and soort not in gevonden:
            uitkomst.bevindingen.append(Bevinding(
                "SOORT", FOUT, f"de levering bevat geen bestanden van soort "
                f"{SOORT_NAAM[soort]}; wel: {', '.join(SOORT_NAAM[s] for s in gevonden)}.",
                soort=soort))
            return uitkomst
        for s in te_doen:
            validator = {"stop": stop, "tpod": tpod, "sttr": sttr, "imro": imro}[s]
            regelsets, bevindingen = validator.valideer(levering)
            uitkomst.regelsets.extend(regelsets)
            uitkomst.bevindingen.extend(bevindingen)
        bomen.vrijgeven()
        onbekend = [b.naam for b in bestanden if b.is_xml and b.soort is None]
        for naam in onbekend:
            uitkomst.bevindingen.append(Bevinding(
                "ONBEKEND", INFORMATIEF, "XML-bestand van een onbekende standaard; niet "
                "gevalideerd.", bestand=naam))
    return uitkomst
