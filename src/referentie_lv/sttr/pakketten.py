"""Load STTR deliveries: the zipped packages exactly as a bevoegd gezag delivers them.

A package is a zip with ``manifest.xml`` (the files it holds and their type), an ``opdracht``
(``opdrachtAanleverenToepasbareRegels.xml`` or ``opdrachtToepasbaarMaken.xml``) and either a
toepasbare-regelbestand (``.dmn``) or an activity JSON. Zips from outside are untrusted: member
names are checked (no absolute paths, no ``..``), sizes are limited before anything is read.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath

from lxml import etree

from referentie_lv.sttr.dmn import DmnFout, lees_dmn, lees_xml
from referentie_lv.sttr.model import Activiteit, Model

BRONMAP = Path(__file__).resolve().parent.parent / "bronnen" / "sttr"

MANIFEST_NS = "http://toepasbare-regels.omgevingswet.overheid.nl/v1/manifest.xsd"
OPDRACHT_NS = "http://toepasbare-regels.omgevingswet.overheid.nl/v1/opdracht.xsd"

MAX_LEDEN = 100
MAX_LID = 5 * 1024 * 1024
MAX_TOTAAL = 20 * 1024 * 1024


class PakketFout(ValueError):
    """A package that cannot be loaded safely or completely."""


def _veilige_naam(naam: str) -> bool:
    p = PurePosixPath(naam.replace("\\", "/"))
    return not (p.is_absolute() or ".." in p.parts or naam.startswith(("/", "\\"))
                or (len(naam) > 1 and naam[1] == ":"))


def lees_zip(inhoud: bytes, naam: str = "") -> dict[str, bytes]:
    """The members of a zip, after the safety checks; keys are the member names."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(inhoud))
    except zipfile.BadZipFile as e:
        raise PakketFout(f"{naam}: geen geldig zip-bestand") from e
    leden = [i for i in zf.infolist() if not i.is_dir()]
    if len(leden) > MAX_LEDEN:
        raise PakketFout(f"{naam}: te veel bestanden ({len(leden)})")
    totaal = 0
    uit: dict[str, bytes] = {}
    for info in leden:
        if not _veilige_naam(info.filename):
            raise PakketFout(f"{naam}: onveilige bestandsnaam in zip: {info.filename!r}")
        if info.file_size > MAX_LID:
            raise PakketFout(f"{naam}: {info.filename} is te groot ({info.file_size} bytes)")
        totaal += info.file_size
        if totaal > MAX_TOTAAL:
            raise PakketFout(f"{naam}: uitgepakte inhoud is te groot")
        with zf.open(info) as f:
            data = f.read(MAX_LID + 1)     # the header's size can lie; read no more than allowed
        if len(data) > MAX_LID:
            raise PakketFout(f"{naam}: {info.filename} is te groot")
        uit[info.filename] = data
    return uit


def _xml(data: bytes, wat: str):
    return lees_xml(data, wat, PakketFout)


@dataclass
class Pakket:
    naam: str
    bestanden: list[tuple[str, str]]          # (naam, type) from the manifest
    opdracht: str                             # local name of the opdracht element
    model: Model | None = None
    activiteit: Activiteit | None = None


def lees_pakket(inhoud: bytes, naam: str) -> Pakket:
    leden = lees_zip(inhoud, naam)
    if "manifest.xml" not in leden:
        raise PakketFout(f"{naam}: manifest.xml ontbreekt")
    man = _xml(leden["manifest.xml"], f"{naam}/manifest.xml")
    m = {"m": MANIFEST_NS}
    bestanden = [(b.findtext("m:naam", "", m).strip(), b.findtext("m:type", "", m).strip())
                 for b in man.iterfind("m:bestanden/m:bestand", m)]
    if not bestanden:
        raise PakketFout(f"{naam}: manifest.xml noemt geen bestanden (verwacht namespace {MANIFEST_NS})")
    for bnaam, _ in bestanden:
        if bnaam not in leden:
            raise PakketFout(f"{naam}: manifest noemt {bnaam!r}, maar dat zit niet in het pakket")
    opdr_naam = next((b for b, t in bestanden if t == "opdracht"), None)
    if opdr_naam is None:
        raise PakketFout(f"{naam}: manifest noemt geen opdracht")
    opdr = _xml(leden[opdr_naam], f"{naam}/{opdr_naam}")
    o = {"o": OPDRACHT_NS}
    handeling = opdr.find("o:opdracht/*", o)
    if handeling is None:
        raise PakketFout(f"{naam}: opdracht zonder handeling")
    soort = etree.QName(handeling).localname
    pakket = Pakket(naam, bestanden, soort)
    if soort == "toevoegenToepasbareRegels":
        bestand = handeling.findtext("o:bestandsnaam", "", o).strip()
        if (bestand, "toepasbareRegels") not in bestanden:
            raise PakketFout(f"{naam}: opdracht noemt {bestand!r}, manifest niet als toepasbareRegels")
        try:
            model = lees_dmn(leden[bestand], bestand)
        except DmnFout as e:
            raise PakketFout(f"{naam}: {e}") from e
        model.geldig_begindatum = (handeling.findtext("o:geldigBegindatum", "", o).strip() or None)
        model.pakket = naam
        pakket.model = model
    elif soort == "updateActiviteit":
        ident = handeling.findtext("o:activiteitIdentifier", "", o).strip()
        bestand = handeling.findtext("o:bestandsnaam", "", o).strip()
        if bestand not in leden:
            raise PakketFout(f"{naam}: opdracht noemt {bestand!r}, niet in het pakket")
        try:
            js = json.loads(leden[bestand].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise PakketFout(f"{naam}/{bestand}: geen geldige JSON: {e}") from e
        if not isinstance(js, dict):
            raise PakketFout(f"{naam}/{bestand}: verwacht een JSON-object")
        bekend = {"typering", "werkzaamheden", "regelbeheerobjecten", "bevoegdGezag", "begindatum", "toonbaar"}
        pakket.activiteit = Activiteit(
            identificatie=ident, typering=js.get("typering"),
            werkzaamheden=[w.get("urn") for w in js.get("werkzaamheden", []) if isinstance(w, dict)],
            regelbeheerobjecten=[r for r in js.get("regelbeheerobjecten", []) if isinstance(r, dict)],
            bevoegd_gezag=js.get("bevoegdGezag") or {}, begindatum=js.get("begindatum"),
            toonbaar=js.get("toonbaar"), pakket=naam,
            extra={k: v for k, v in js.items() if k not in bekend})
    else:
        raise PakketFout(f"{naam}: onbekende opdracht {soort!r}")
    return pakket


@dataclass
class Regelbank:
    """All loaded toepasbare regels and activities."""
    modellen: list[Model] = field(default_factory=list)
    activiteiten: dict[str, Activiteit] = field(default_factory=dict)
    pakketten: list[Pakket] = field(default_factory=list)

    def modellen_voor(self, activiteit: str, typering: str | None = None,
                      toestemming: str | None = None) -> list[Model]:
        uit = []
        for m in self.modellen:
            for fs in m.functionele_structuren:
                if fs.activiteit == activiteit and (typering is None or fs.typering == typering) \
                        and (toestemming is None or fs.toestemming == toestemming):
                    uit.append(m)
                    break
        return uit

    def activiteiten_voor_werkzaamheid(self, urn: str) -> list[Activiteit]:
        return [a for a in self.activiteiten.values() if urn in a.werkzaamheden]

    @property
    def werkzaamheden(self) -> dict[str, list[str]]:
        uit: dict[str, list[str]] = {}
        for a in self.activiteiten.values():
            for w in a.werkzaamheden:
                uit.setdefault(w, []).append(a.identificatie)
        return uit


def laad_map(map_: Path) -> Regelbank:
    bank = Regelbank()
    for zp in sorted(Path(map_).glob("*.zip")):
        pakket = lees_pakket(zp.read_bytes(), zp.name)
        bank.pakketten.append(pakket)
        if pakket.model is not None:
            bank.modellen.append(pakket.model)
        if pakket.activiteit is not None:
            bank.activiteiten[pakket.activiteit.identificatie] = pakket.activiteit
    return bank


@lru_cache(maxsize=1)
def regelbank() -> Regelbank:
    """The STTR packages shipped with the reference LV (loaded once per process)."""
    return laad_map(BRONMAP)
