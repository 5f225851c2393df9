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


@dataclass(frozen=True)
class Limieten:
    max_bestand: int = 64 * 1024 * 1024          # one XML file / one zip entry, bytes
    max_totaal: int = 512 * 1024 * 1024          # everything unpacked together, bytes
    max_aantal: int = 5000                       # files in one delivery (zip entries included)
    max_ratio: float = 100.0                     # unpacked / compressed, per entry and in total
    ratio_vanaf: int = 1024 * 1024               # ratio only checked for entries above this size
    max_diepte_zip: int = 1                      # a zip inside a folder or zip: one level


STANDAARD = Limieten()


class InvoerFout(Exception):
    """Base: the delivery cannot be validated. ``bestand``/``regel``/``kolom`` say where."""

    def __init__(self, bericht: str, bestand: str | None = None, regel: int | None = None,
                 kolom: int | None = None):
        super().__init__(bericht)
        self.bericht = bericht
        self.bestand = bestand
        self.regel = regel
        self.kolom = kolom

    def plaats(self) -> str:
        delen = [self.bestand or "?"]
        if self.regel:
            delen.append(f"regel {self.regel}")
        if self.kolom:
            delen.append(f"kolom {self.kolom}")
        return ", ".join(delen)

    def __str__(self) -> str:
        return f"{self.plaats()}: {self.bericht}"


class OnveiligeInvoer(InvoerFout):
    """Refused for safety (entity bomb, zip bomb, path traversal, symlink, too large)."""


class OnleesbareInvoer(InvoerFout):
    """Not readable (not well-formed XML, not a zip, missing path)."""


def xml_parser() -> etree.XMLParser:
    # The settings COMMON.md prescribes for everything from outside.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, dtd_validation=False, remove_comments=False)


_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _als_utf8(data: bytes) -> bytes:
    """The prolog in a form the byte patterns can see (UTF-16/32 files too)."""
    for bom, enc in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                     (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace").encode("utf-8")
    if data[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        return data.decode("utf-16-le" if data[0] == 0x3C else "utf-16-be",
                            errors="replace").encode("utf-8")
    return data


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


def parse_xml(data: bytes, naam: str, limieten: Limieten = STANDAARD) -> etree._ElementTree:
    """Parse untrusted XML bytes; errors name the file, line and column in Dutch."""
    if len(data) > limieten.max_bestand:
        raise OnveiligeInvoer(f"het bestand is {len(data)} bytes; de grens is "
                              f"{limieten.max_bestand} bytes per bestand.", naam)
    controleer_prolog(data, naam)
    try:
        boom = etree.fromstring(data, xml_parser(), base_url=None).getroottree()
    except etree.XMLSyntaxError as e:
        regel, kolom = (e.position if getattr(e, "position", None) else (e.lineno, e.offset))
        raise OnleesbareInvoer(f"geen welgevormde XML: {e.msg}", naam, regel, kolom) from None
    except ValueError as e:   # e.g. unicode string with encoding declaration
        raise OnleesbareInvoer(f"geen leesbare XML: {e}", naam) from None
    dtd = boom.docinfo.internalDTD
    if dtd is not None and list(dtd.iterentities()):
        raise OnveiligeInvoer("het bestand declareert entiteiten in de DOCTYPE; dat is om "
                              "veiligheidsredenen niet toegestaan.", naam)
    return boom


def lees_xml(pad: Path, naam: str | None = None,
             limieten: Limieten = STANDAARD) -> etree._ElementTree:
    naam = naam or pad.name
    try:
        grootte = pad.stat().st_size
        if grootte > limieten.max_bestand:
            raise OnveiligeInvoer(f"het bestand is {grootte} bytes; de grens is "
                                  f"{limieten.max_bestand} bytes per bestand.", naam)
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
            if info.file_size > limieten.max_bestand:
                raise OnveiligeInvoer(f"het item is uitgepakt {info.file_size} bytes; de grens "
                                      f"is {limieten.max_bestand} bytes per bestand.", item)
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
        if grootte > teller.limieten.max_bestand:
            raise OnveiligeInvoer(f"het bestand is {grootte} bytes; de grens is "
                                  f"{teller.limieten.max_bestand} bytes per bestand.", str(rel))
        teller.bestand(str(rel), grootte)
        uit = doel / rel
        uit.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copyfile(pad, uit)
        except OSError as e:
            raise OnleesbareInvoer(f"kan het bestand niet lezen: {e.strerror}", str(rel)) from None
        bestanden.append(uit)
    return bestanden
