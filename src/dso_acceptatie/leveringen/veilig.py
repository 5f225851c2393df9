"""Untrusted input: safe XML parsing and safe unpacking of deliveries.

Deliveries come from vendors and are treated as hostile: no entity expansion, no DTD loading,
no network, size limits, and zips checked entry by entry (path traversal, symlinks, number of
entries, unpacked size, compression ratio) before a single byte is written. Every refusal is an
:class:`OnveiligeInvoer` or :class:`OnleesbareInvoer` with a Dutch message that names the file
and what is wrong, so callers never show a stack trace.
"""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from dso_acceptatie.leveringen.model import plaats


@dataclass(frozen=True)
class Limieten:
    max_bestand: int = 64 * 1024 * 1024          # one XML file / one zip entry, bytes
    max_totaal: int = 512 * 1024 * 1024          # everything unpacked together, bytes
    max_aantal: int = 5000                       # files in one delivery (zip entries included)
    max_ratio: float = 100.0                     # unpacked / compressed, per entry and in total
    ratio_vanaf: int = 1024 * 1024               # ratio only checked for entries above this size
    max_diepte_zip: int = 1                      # a zip inside a folder or zip: one level
    max_geparseerd: int = 16 * 1024 * 1024       # source bytes whose parsed trees stay in memory
                                                 # together (the file being checked always does)


STANDAARD = Limieten()


class InvoerFout(Exception):
    """Base: the delivery cannot be validated. ``bestand``/``regel``/``kolom`` say where."""

    def __init__(self, bericht: str, bestand: str | None = None, regel: int | None = None,
                 kolom: int | None = None):
        super().__init__(bericht)
        self.bericht = bericht
        # Names come from the vendor: never let their bytes reach a terminal, log or JSON raw.
        self.bestand = veilige_naam(bestand) if bestand is not None else None
        self.regel = regel
        self.kolom = kolom

    def plaats(self) -> str:
        return plaats(self.bestand or "?", self.regel, self.kolom)

    def __str__(self) -> str:
        return f"{self.plaats()}: {self.bericht}"


class OnveiligeInvoer(InvoerFout):
    """Refused for safety (entity bomb, zip bomb, path traversal, symlink, too large)."""


class OnleesbareInvoer(InvoerFout):
    """Not readable (not well-formed XML, not a zip, missing path)."""


# Bidirectional overrides can make 'fdp.xml' look like 'lmx.pdf' in a terminal.
_RICHTING = frozenset((*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def veilige_naam(naam: str) -> str:
    """A vendor's file name as people may see it: bytes that are not UTF-8 (which Python keeps
    as lone surrogates) and control characters become ``\\xNN``, everything else stays."""
    delen = []
    for teken in naam:
        code = ord(teken)
        if 0xDC80 <= code <= 0xDCFF:          # undecodable byte (surrogateescape)
            delen.append(f"\\x{code - 0xDC00:02x}")
        elif (code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0 or 0xD800 <= code <= 0xDFFF
              or code in _RICHTING):
            delen.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            delen.append(teken)
    return "".join(delen)


def controleer_naam(naam: str) -> None:
    """Refuse a file name that cannot be shown or passed on faithfully: bytes that are not UTF-8,
    or control characters (which could rewrite a terminal or a log line)."""
    if veilige_naam(naam) == naam:
        return
    if any(0xDC80 <= ord(t) <= 0xDCFF for t in naam):
        raise OnleesbareInvoer("de bestandsnaam is geen geldige UTF-8 (de onleesbare bytes staan "
                               "hier als \\xNN); geef het bestand een naam in UTF-8.", naam)
    raise OnveiligeInvoer("de bestandsnaam bevat een stuurteken (hier als \\xNN); zo'n naam "
                          "wordt niet verwerkt.", naam)


def xml_parser(huge_tree: bool = False) -> etree.XMLParser:
    """The hardened settings for every XML this package reads: deliveries, the shipped standards
    and our own processors' output (``huge_tree`` only for the latter, which may be large)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=huge_tree, dtd_validation=False, remove_comments=False)


_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _als_utf8(data: bytes) -> bytes:
    """The prolog in a form the byte patterns can see (UTF-16/32 files too)."""
    codec = _codec(data)
    return data if codec == "latin-1" else data.decode(codec, errors="replace").encode("utf-8")


def controleer_prolog(data: bytes, naam: str) -> None:
    """Refuse a DOCTYPE that declares entities (billion laughs, external entities)."""
    kop = _als_utf8(data[: 1024 * 1024])
    m = _DOCTYPE.search(kop)
    if not m:
        return
    if _ENTITY.search(kop, m.start()):
        regel = kop.count(b"\n", 0, m.start()) + 1
        raise OnveiligeInvoer(
            "het bestand bevat een DOCTYPE met ENTITY-declaraties; entiteiten worden om "
            "veiligheidsredenen niet toegestaan (mogelijke 'entity bomb' of externe entiteit). "
            "Verwijder de DOCTYPE-declaratie.", naam, regel)


def controleer_grootte(grootte: int, naam: str, limieten: Limieten = STANDAARD,
                       wat: str = "het bestand is") -> None:
    if grootte > limieten.max_bestand:
        raise OnveiligeInvoer(f"{wat} {grootte} bytes; de grens is {limieten.max_bestand} bytes "
                              "per bestand.", naam)


def parse_xml(data: bytes, naam: str, limieten: Limieten = STANDAARD) -> etree._ElementTree:
    """Parse untrusted XML bytes; errors name the file, line and column in Dutch."""
    controleer_grootte(len(data), naam, limieten)
    controleer_prolog(data, naam)
    try:
        boom = etree.fromstring(data, xml_parser(), base_url=None).getroottree()
    except etree.XMLSyntaxError as e:
        regel, kolom = (e.position if getattr(e, "position", None) else (e.lineno, e.offset))
        raise OnleesbareInvoer(f"geen welgevormde XML: {e.msg}", naam, regel, kolom) from None
    except ValueError as e:   # e.g. unicode string with encoding declaration
        raise OnleesbareInvoer(f"geen leesbare XML: {e}", naam) from None
    if boom.docinfo.doctype:
        dtd = boom.docinfo.internalDTD
        if dtd is not None and list(dtd.iterentities()):
            raise OnveiligeInvoer("het bestand declareert entiteiten in de DOCTYPE; dat is om "
                                  "veiligheidsredenen niet toegestaan.", naam)
        # With an external DTD an undeclared entity is well-formed: its text would come from a
        # DTD that is never loaded, so what the file says cannot be known.
        entiteit = next(boom.iter(etree.Entity), None)
        if entiteit is not None:
            dtd_naam = boom.docinfo.system_url or boom.docinfo.public_id or "de DTD"
            raise OnveiligeInvoer(
                f"het bestand gebruikt de entiteit &{entiteit.name};, die alleen in een externe DTD "
                f"({veilige_naam(dtd_naam)}) gedeclareerd kan zijn; externe DTD's en entiteiten "
                "worden om veiligheidsredenen niet geladen, dus de inhoud van het bestand is niet "
                "vast te stellen. Schrijf de tekst uit en verwijder de DOCTYPE-declaratie.",
                naam, entiteit.sourceline)
    return boom


# --- DOCTYPE -----------------------------------------------------------------------------

def _sla_over(tekst: str, i: int) -> int | None:
    """Index just past a comment or processing instruction that starts at ``i``; ``i`` itself
    when none starts there; None when it never ends."""
    for begin, eind in (("<!--", "-->"), ("<?", "?>")):
        if tekst.startswith(begin, i):
            j = tekst.find(eind, i + len(begin))
            return None if j < 0 else j + len(eind)
    return i


def _doctype_bereik(tekst: str) -> tuple[int, int] | None:
    """[start, end) of the DOCTYPE declaration in the prolog of a well-formed document."""
    i, n = 0, len(tekst)
    while True:                                   # prolog: XML declaration, PIs, comments
        while i < n and tekst[i] in " \t\r\n\ufeff":
            i += 1
        verder = _sla_over(tekst, i)
        if verder is None:
            return None
        if verder == i:
            break
        i = verder
    if not tekst.startswith("<!DOCTYPE", i):
        return None
    start, i, subset = i, i + len("<!DOCTYPE"), False
    while i < n:
        teken = tekst[i]
        if teken in "\"'":                      # a literal may hold '[', ']' and '>'
            j = tekst.find(teken, i + 1)
            if j < 0:
                return None
            i = j + 1
            continue
        if subset:
            verder = _sla_over(tekst, i)
            if verder is None:
                return None
            if verder != i:
                i = verder
                continue
        if teken == "[":
            subset = True
        elif teken == "]":
            subset = False
        elif teken == ">" and not subset:
            return start, i + 1
        i += 1
    return None


def _codec(data: bytes) -> str:
    """How to turn the file into text and back, byte for byte: UTF-16/32 by their BOM or first
    character; every ASCII-compatible encoding as latin-1 (one byte = one character)."""
    for bom, enc in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                     (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return enc
    if data[:4] == b"<\x00?\x00":
        return "utf-16-le"
    if data[:4] == b"\x00<\x00?":
        return "utf-16-be"
    return "latin-1"


def neutraliseer_doctype(pad: Path, naam: str) -> tuple[str, int]:
    """Blank the DOCTYPE declaration of the private work copy so that Saxon (which refuses any
    DOCTYPE, on purpose) can run the rules on it. Every character of the declaration becomes a
    space, line breaks stay, so lines and columns still match the original. Returns the text of
    the declaration and its line. Raises OnleesbareInvoer when the declaration cannot be found
    exactly; the result is re-parsed to prove that nothing but the DOCTYPE changed."""
    data = pad.read_bytes()
    codec = _codec(data)
    tekst = data.decode(codec)
    bereik = _doctype_bereik(tekst)
    if bereik is None:
        raise OnleesbareInvoer("de DOCTYPE-declaratie is niet exact te vinden; het bestand kan "
                               "zonder DTD niet worden gecontroleerd.", naam)
    start, eind = bereik
    leeg = "".join(t if t in "\r\n" else " " for t in tekst[start:eind])
    nieuw = (tekst[:start] + leeg + tekst[eind:]).encode(codec)
    if codec.startswith("utf-") and not data.startswith(nieuw[:2]):
        raise OnleesbareInvoer("onverwachte tekstcodering rond de DOCTYPE-declaratie.", naam)
    voor = etree.fromstring(data, xml_parser()).getroottree()
    na = etree.fromstring(nieuw, xml_parser()).getroottree()
    if na.docinfo.doctype or etree.tostring(voor.getroot()) != etree.tostring(na.getroot()):
        raise OnleesbareInvoer("het verwijderen van de DOCTYPE-declaratie veranderde meer dan de "
                               "declaratie; het bestand kan zonder DTD niet worden gecontroleerd.",
                               naam)
    pad.write_bytes(nieuw)
    return tekst[start:eind], tekst.count("\n", 0, start) + 1


def lees_xml(pad: Path, naam: str | None = None,
             limieten: Limieten = STANDAARD) -> etree._ElementTree:
    naam = naam or pad.name
    try:
        controleer_grootte(pad.stat().st_size, naam, limieten)
        data = pad.read_bytes()
    except OSError as e:
        raise OnleesbareInvoer(f"kan het bestand niet lezen: {e.strerror}", naam) from None
    return parse_xml(data, naam, limieten)


# --- zips ---------------------------------------------------------------------------------

def _onveilige_naam(naam: str) -> str | None:
    """Why an entry name is refused, or None."""
    if "\x00" in naam:
        return "de naam bevat een NUL-teken"
    genormaliseerd = naam.replace("\\", "/")
    if genormaliseerd.startswith("/") or re.match(r"^[A-Za-z]:", genormaliseerd):
        return "absoluut pad (een levering mag alleen relatieve paden bevatten)"
    if ".." in PurePosixPath(genormaliseerd).parts:
        return "pad met '..' (zou buiten de uitpakmap schrijven: 'zip slip')"
    return None


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    modus = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(modus)


class Teller:
    """Counts files and bytes across one delivery, nested zips included."""

    def __init__(self, limieten: Limieten):
        self.limieten = limieten
        self.aantal = 0
        self.bytes = 0

    def bestand(self, naam: str, grootte: int) -> None:
        self.aantal += 1
        self.bytes += grootte
        if self.aantal > self.limieten.max_aantal:
            raise OnveiligeInvoer(f"de levering bevat meer dan {self.limieten.max_aantal} "
                                  "bestanden; dat is boven de grens.", naam)
        if self.bytes > self.limieten.max_totaal:
            raise OnveiligeInvoer(f"de levering is uitgepakt groter dan {self.limieten.max_totaal} "
                                  "bytes; dat is boven de grens (mogelijke zip-bom).", naam)


def pak_zip_uit(zip_pad: Path, doel: Path, naam: str, teller: Teller,
                limieten: Limieten = STANDAARD) -> list[Path]:
    """Check every entry, then unpack streaming with byte counting. Returns the files."""
    try:
        zf = zipfile.ZipFile(zip_pad)
    except UnicodeDecodeError as e:
        # An entry flagged as UTF-8 whose name is not: show the raw bytes, escaped.
        ruw = e.object if isinstance(e.object, bytes) else b""
        raise OnleesbareInvoer("de zip bevat een item waarvan de naam als UTF-8 is gemarkeerd maar "
                               "geen geldige UTF-8 is: '"
                               + veilige_naam(ruw.decode("utf-8", "surrogateescape"))
                               + "'; geef het bestand een naam in UTF-8.", naam) from None
    except zipfile.BadZipFile:
        raise OnleesbareInvoer("geen geldig zip-bestand (LVBB1001: de zip moet een geldige zip "
                               "zijn).", naam) from None
    except OSError as e:
        raise OnleesbareInvoer(f"kan het zip-bestand niet lezen: {e.strerror}", naam) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > limieten.max_aantal:
            raise OnveiligeInvoer(f"het zip-bestand heeft {len(infos)} items; de grens is "
                                  f"{limieten.max_aantal}.", naam)
        gezien: set[str] = set()
        totaal_gedeclareerd = 0
        totaal_gecomprimeerd = 0
        for info in infos:
            item = f"{naam}!{info.filename}"
            reden = _onveilige_naam(info.filename)
            if reden:
                raise OnveiligeInvoer(f"onveilig item in de zip: {reden}.", item)
            controleer_naam(item)
            if _is_symlink(info):
                raise OnveiligeInvoer("onveilig item in de zip: symbolische koppeling "
                                      "(symlinks worden niet uitgepakt).", item)
            if info.flag_bits & 0x1:
                raise OnleesbareInvoer("het item is versleuteld; versleutelde zips worden niet "
                                       "ondersteund.", item)
            sleutel = info.filename.replace("\\", "/").rstrip("/").lower()
            if sleutel in gezien:
                raise OnveiligeInvoer("de zip bevat deze naam twee keer.", item)
            gezien.add(sleutel)
            if info.is_dir():
                continue
            controleer_grootte(info.file_size, item, limieten, "het item is uitgepakt")
            if info.file_size > limieten.ratio_vanaf:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limieten.max_ratio:
                    raise OnveiligeInvoer(
                        f"compressieverhouding {ratio:.0f}:1 is boven de grens van "
                        f"{limieten.max_ratio:.0f}:1 (mogelijke zip-bom).", item)
            totaal_gedeclareerd += info.file_size
            totaal_gecomprimeerd += info.compress_size
        if totaal_gedeclareerd > limieten.max_totaal:
            raise OnveiligeInvoer(f"de zip is uitgepakt {totaal_gedeclareerd} bytes; de grens is "
                                  f"{limieten.max_totaal} bytes (mogelijke zip-bom).", naam)
        if (totaal_gedeclareerd > limieten.ratio_vanaf and
                totaal_gedeclareerd / max(totaal_gecomprimeerd, 1) > limieten.max_ratio):
            raise OnveiligeInvoer(
                f"compressieverhouding van de hele zip is "
                f"{totaal_gedeclareerd / max(totaal_gecomprimeerd, 1):.0f}:1, boven de grens van "
                f"{limieten.max_ratio:.0f}:1 (mogelijke zip-bom).", naam)

        doel.mkdir(parents=True, exist_ok=True)
        basis = doel.resolve()
        bestanden = []
        for info in infos:
            if info.is_dir():
                continue
            item = f"{naam}!{info.filename}"
            uit = (doel / info.filename.replace("\\", "/")).resolve()
            if basis not in uit.parents:
                raise OnveiligeInvoer("onveilig item in de zip: het pad valt buiten de "
                                      "uitpakmap.", item)
            uit.parent.mkdir(parents=True, exist_ok=True)
            geschreven = 0
            try:
                with zf.open(info) as bron, open(uit, "wb") as f:
                    while True:
                        blok = bron.read(64 * 1024)
                        if not blok:
                            break
                        geschreven += len(blok)
                        # The header may lie: count what really comes out.
                        if geschreven > min(info.file_size, limieten.max_bestand):
                            raise OnveiligeInvoer("het item is groter dan de zip-kop opgeeft "
                                                  "(gemanipuleerde zip of zip-bom).", item)
                        f.write(blok)
            except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as e:
                raise OnleesbareInvoer(f"het item kan niet worden uitgepakt: {e}", item) from None
            teller.bestand(item, geschreven)
            bestanden.append(uit)
        return bestanden


def kopieer_map(bron: Path, doel: Path, teller: Teller) -> list[Path]:
    """Copy a delivery folder into the work folder; symlinks are refused, not followed."""
    bestanden = []
    try:
        paden = sorted(bron.rglob("*"))
    except OSError as e:
        raise OnleesbareInvoer(f"kan de map niet lezen: {e.strerror}", str(bron)) from None
    for pad in paden:
        rel = pad.relative_to(bron)
        controleer_naam(str(rel))
        if pad.is_symlink():
            raise OnveiligeInvoer("symbolische koppeling in de levering; symlinks worden niet "
                                  "gevolgd.", str(rel))
        if pad.is_dir():
            continue
        if not pad.is_file():
            # A FIFO or device would block or read forever.
            raise OnveiligeInvoer("geen gewoon bestand (bijv. een named pipe of apparaat); zo'n "
                                  "bestand wordt niet gelezen.", str(rel))
        grootte = pad.stat().st_size
        controleer_grootte(grootte, str(rel), teller.limieten)
        teller.bestand(str(rel), grootte)
        uit = doel / rel
        uit.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copyfile(pad, uit)
        except OSError as e:
            raise OnleesbareInvoer(f"kan het bestand niet lezen: {e.strerror}", str(rel)) from None
        bestanden.append(uit)
    return bestanden
