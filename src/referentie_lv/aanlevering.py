"""The reference LV's own check of a delivered opdracht zip (intake, ``api/intake.py``).

Modelled on the LVBB aanleverfunctie, deliberately small: a safe unzip, the opdracht and the
manifests, the consolidation information of the besluit (new regelingversies with their
juridischWerkendVanaf, withdrawals) against what the store serves, and the OW references Ozon
must be able to resolve (in the delivery or in the plan as served). Every finding carries an
official code from the validatiematrix. It does NOT import the harness (the reference is a black
box to it) and is not a full validator: no XSD, no Schematron, no geometry checks.

Hostile input: no path separators or ``..`` in names, no symlinks, no duplicate names, bounded
entry count, bounded size per entry and in total, counted while inflating (a zip bomb's headers
lie), XML without entities, DTD or network.
"""

from __future__ import annotations

import io
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from referentie_lv.data import bouw, imow, stop
from referentie_lv.data.store import JURIDISCHE_REGEL_TYPES, LOCATIE_TYPES, Store
from referentie_lv.data.xmlveilig import lokaal, parser

MAX_ZIP = 16 * 1024 * 1024             # the intake's request limit (LVBB: 1 GB; this is a test system)
MAX_BESTAND = 16 * 1024 * 1024         # per unpacked file
MAX_UITGEPAKT = 64 * 1024 * 1024       # all unpacked files together
MAX_BESTANDEN = 2000

NS_STOP_DATA = "https://standaarden.overheid.nl/stop/imop/data/"
OPDRACHTEN = ("publicatieOpdracht", "directeMutatieOpdracht")


@dataclass
class Bevinding:
    code: str
    bericht: str
    bestand: str | None = None

    def als_dict(self) -> dict:
        return {"code": self.code, "ernst": "fout", "bericht": self.bericht, "bestand": self.bestand}


@dataclass
class Beoordeling:
    bevindingen: list[Bevinding] = field(default_factory=list)
    regelingen: list[dict] = field(default_factory=list)          # rows for Store.pas_aanlevering_toe
    intrekkingen: list[tuple[str, str]] = field(default_factory=list)
    opdracht: str | None = None
    id_levering: str | None = None
    ow_objecten: int = 0

    def fout(self, code: str, bericht: str, bestand: str | None = None) -> None:
        self.bevindingen.append(Bevinding(code, bericht, bestand))

    @property
    def geaccepteerd(self) -> bool:
        return not self.bevindingen


class Geweigerd(Exception):
    """The zip itself cannot be processed: one finding, nothing else is checked."""

    def __init__(self, code: str, bericht: str):
        super().__init__(bericht)
        self.code, self.bericht = code, bericht


def pak_uit(inhoud: bytes, doel: Path) -> list[str]:
    """Unpack into ``doel`` with every check above; the names of the files."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(inhoud))
    except (zipfile.BadZipFile, ValueError):
        raise Geweigerd("LVBB1001", "Het aangeleverde bestand is geen geldige zip.") from None
    with zf:
        leden = zf.infolist()
        if len(leden) > MAX_BESTANDEN:
            raise Geweigerd("LVBB1001", f"De zip bevat {len(leden)} bestanden; ten hoogste "
                                        f"{MAX_BESTANDEN} toegestaan.")
        namen: list[str] = []
        totaal = 0
        for lid in leden:
            naam = lid.filename
            if lid.is_dir():
                raise Geweigerd("LVBB1001", f"De zip bevat een map ({naam!r}); een opdracht-zip is plat.")
            if "/" in naam or "\\" in naam or naam in (".", "..") or ":" in naam or not naam.strip():
                raise Geweigerd("LVBB1001", f"Bestandsnaam {naam!r} bevat een pad; alleen platte "
                                            "bestandsnamen zijn toegestaan (geen '..', '/', '\\').")
            if stat.S_ISLNK(lid.external_attr >> 16):
                raise Geweigerd("LVBB1001", f"Bestand {naam!r} is een symbolische koppeling.")
            if naam in namen:
                raise Geweigerd("LVBB1042", f"Bestandsnaam {naam!r} komt meer dan eens voor.")
            namen.append(naam)
            gelezen = 0
            with zf.open(lid) as bron, open(doel / naam, "wb") as uit:
                while True:
                    blok = bron.read(65536)
                    if not blok:
                        break
                    gelezen += len(blok)
                    totaal += len(blok)
                    if gelezen > MAX_BESTAND:
                        raise Geweigerd("LVBB1041", f"Bestand {naam!r} is uitgepakt groter dan "
                                                    f"{MAX_BESTAND // (1024 * 1024)} MiB.")
                    if totaal > MAX_UITGEPAKT:
                        raise Geweigerd("LVBB1001", "De zip is uitgepakt groter dan "
                                                    f"{MAX_UITGEPAKT // (1024 * 1024)} MiB (zip-bom?).")
                    uit.write(blok)
            if gelezen == 0:
                raise Geweigerd("LVBB1041", f"Bestand {naam!r} is leeg.")
    return namen


def _lees(pad: Path):
    return etree.parse(str(pad), parser()).getroot()


def beoordeel(inhoud: bytes, store: Store, vandaag: str) -> Beoordeling:
    """Check a delivered zip against the served state; what to apply when it is accepted."""
    b = Beoordeling()
    with tempfile.TemporaryDirectory(prefix="referentie-intake-") as tmp:
        map_ = Path(tmp)
        try:
            namen = pak_uit(inhoud, map_)
        except Geweigerd as g:
            b.fout(g.code, g.bericht)
            return b
        except etree.XMLSyntaxError as e:      # pragma: no cover - not reached by unpacking
            b.fout("LVBB1001", str(e))
            return b
        _beoordeel_map(b, map_, set(namen), store, vandaag)
    return b


def _beoordeel_map(b: Beoordeling, map_: Path, namen: set[str], store: Store, vandaag: str) -> None:
    for verplicht, code in (("opdracht.xml", "LVBB1002"), ("manifest.xml", "LVBB1003")):
        if verplicht not in namen:
            b.fout(code, f"Bestand {verplicht} ontbreekt in de zip.")
    if b.bevindingen:
        return
    # Every XML file must at least be well-formed (and carry no DTD or entities).
    xml: dict[str, etree._Element] = {}
    for naam in sorted(namen):
        if naam.lower().endswith((".xml", ".gml")):
            try:
                boom = etree.parse(str(map_ / naam), parser())
            except etree.XMLSyntaxError as e:
                code = {"opdracht.xml": "LVBB1006", "manifest.xml": "LVBB1008",
                        "manifest-ow.xml": "LVBB1032"}.get(naam, "LVBB1001")
                b.fout(code, f"Geen goedgevormde XML: {e}", naam)
                continue
            if boom.docinfo.doctype:
                b.fout("LVBB1001", "XML met een DOCTYPE wordt niet verwerkt.", naam)
                continue
            xml[naam] = boom.getroot()
    if b.bevindingen:
        return
    opdracht = xml["opdracht.xml"]
    b.opdracht = lokaal(opdracht)
    if b.opdracht not in OPDRACHTEN:
        b.fout("LVBB1006", f"Onbekende opdracht <{b.opdracht}>; verwacht een van "
                           f"{', '.join(OPDRACHTEN)}.", "opdracht.xml")
        return
    velden = {lokaal(k): (k.text or "").strip() for k in opdracht if lokaal(k)}
    b.id_levering = velden.get("idLevering")
    manifest = [(el.text or "").strip() for el in xml["manifest.xml"].iter() if lokaal(el) == "bestandsnaam"]
    for naam in manifest:
        if naam not in namen:
            b.fout("LVBB1009", f"Bestand {naam!r} staat in manifest.xml maar niet in de zip.", "manifest.xml")
    for naam in sorted(namen - set(manifest)):
        b.fout("LVBB1010", f"Bestand {naam!r} zit in de zip maar staat niet in manifest.xml.", naam)
    ow_bestanden: list[str] = []
    ow_work = None
    if "manifest-ow.xml" in xml:
        for el in xml["manifest-ow.xml"].iter():
            if lokaal(el) == "naam" and lokaal(el.getparent()) == "Bestand":
                ow_bestanden.append((el.text or "").strip())
            elif lokaal(el) == "WorkIDRegeling":
                ow_work = (el.text or "").strip()
        for naam in ow_bestanden:
            if naam not in namen:
                b.fout("LVBB1016", f"Bestand {naam!r} staat in manifest-ow.xml maar niet in de zip.",
                       "manifest-ow.xml")
    publicatie = velden.get("publicatie")
    if b.opdracht == "publicatieOpdracht":
        if not publicatie or publicatie not in xml:
            b.fout("LVBB1006", f"Het besluit {publicatie!r} uit opdracht.xml ontbreekt.", "opdracht.xml")
        elif "manifest-ow.xml" not in namen:
            b.fout("LVBB1027", "manifest-ow.xml ontbreekt bij een publicatieOpdracht van een besluit.")
    if b.bevindingen:
        return
    if publicatie:
        _consolidatie(b, map_ / publicatie, xml[publicatie], store, vandaag)
    if ow_bestanden:
        _ow(b, map_, ow_bestanden, ow_work, store, vandaag)


def _tekst(el, pad: str) -> str | None:
    gevonden = el.find(pad, {"x": NS_STOP_DATA})
    return (gevonden.text or "").strip() if gevonden is not None and gevonden.text else None


def _consolidatie(b: Beoordeling, pad: Path, root, store: Store, vandaag: str) -> None:
    naam = pad.name
    cons = next((el for el in root.iter(f"{{{NS_STOP_DATA}}}ConsolidatieInformatie")), None)
    if cons is None:
        b.fout("LVBB4032", "Het besluit heeft geen ConsolidatieInformatie.", naam)
        return
    tijd = {}
    for ts in cons.iter(f"{{{NS_STOP_DATA}}}Tijdstempel"):
        if _tekst(ts, "x:soortTijdstempel") == "juridischWerkendVanaf":
            tijd[_tekst(ts, "x:doel")] = _tekst(ts, "x:datum")
    beoogd = [(_tekst(r, "x:doelen/x:doel"), _tekst(r, "x:instrumentVersie"))
              for r in cons.iter(f"{{{NS_STOP_DATA}}}BeoogdeRegeling")]
    ingetrokken = [(_tekst(r, "x:doelen/x:doel"), _tekst(r, "x:instrument"))
                   for r in cons.iter(f"{{{NS_STOP_DATA}}}Intrekking")]
    if beoogd and ingetrokken:
        b.fout("LVBB4804", "Het besluit stelt een regeling in én trekt er een in.", naam)
        return
    besluit = stop.lees_besluit(pad)
    versies = {r["expression"]: r for r in besluit["regelingen"]}
    alle = store.alle_regelingversies()
    for doel, expressie in beoogd:
        if expressie not in versies:
            b.fout("LVBB4033", f"De beoogde regeling {expressie} staat niet als RegelingVersieInformatie "
                               "met tekst in het besluit.", naam)
            continue
        datum = tijd.get(doel)
        if not datum:
            # Without an inwerkingtreding the version is not in force on any date: nothing to serve.
            b.fout("LVBB7010", f"Geen juridischWerkendVanaf voor doel {doel}: de regelingversie "
                               f"{expressie} kan niet geconsolideerd worden.", naam)
            continue
        work = expressie.split("/nld@")[0]
        if any(r["expression"] == expressie for r in alle):
            b.fout("LVBB4805", f"Regelingversie {expressie} is al aangeleverd.", naam)
            continue
        eerder = [r for r in alle if r["work"] == work]
        if eerder and all(r["geldigTot"] is not None for r in eerder) \
                and max(r["geldigTot"] for r in eerder) <= datum:
            b.fout("LVBB4052", f"Regeling {work} is per {datum} al ingetrokken.", naam)
            continue
        b.regelingen.append({**versies[expressie], "geldig_vanaf": datum, "besluit": besluit["besluit"]})
    for doel, work in ingetrokken:
        datum = tijd.get(doel)
        if not any(r["work"] == work for r in alle):
            b.fout("LVBB7008", f"De in te trekken regeling {work} bestaat niet.", naam)
        elif not datum:
            b.fout("LVBB7010", f"Geen juridischWerkendVanaf voor de intrekking (doel {doel}).", naam)
        else:
            b.intrekkingen.append((work, datum))


def _ow(b: Beoordeling, map_: Path, bestanden: list[str], work: str | None, store: Store,
        vandaag: str) -> None:
    """OW references that must resolve in the delivery or in the served plan (Ozon rules)."""
    objecten: dict[str, dict] = {}
    herkomst: dict[str, str] = {}
    beeindigd: set[str] = set()
    for naam in bestanden:
        try:
            gelezen = imow.lees_ow_bestand(map_ / naam)["objecten"]
        except Exception as e:  # noqa: BLE001 -- an unreadable OW file is a finding, not a crash
            b.fout("LVBB1032", f"OW-bestand niet te lezen: {type(e).__name__}: {e}", naam)
            continue
        for o in gelezen:
            if o.get("status") == "beëindigen":
                beeindigd.add(o["identificatie"])
                continue
            objecten[o["identificatie"]] = o
            herkomst[o["identificatie"]] = naam
    b.ow_objecten = len(objecten)
    # The state Ozon holds: the served plan today (the delivery may extend or replace it).
    bestaand = {o["identificatie"]: o for o in store.ow_objecten(None, vandaag)}
    # A regeling delivered in this same zip brings its own OW set; for another work only the
    # objects of that regeling count, but the store does not keep OW per regeling, so all do.

    def bestaat(ident: str, typen: tuple[str, ...]) -> bool:
        o = objecten.get(ident) or bestaand.get(ident)
        return o is not None and o.get("type") in typen

    for ident, o in sorted(objecten.items()):
        # TPOD1900: an object that stays active may not refer to one this delivery ends.
        for rol, naar in bouw._relaties(o):  # the loader's own reference list
            if naar in beeindigd:
                b.fout("TPOD1900", f"{o['type']} {ident} blijft actief maar verwijst ({rol}) naar {naar}, "
                                   "dat deze levering beëindigt.", herkomst[ident])
        if o.get("type") not in JURIDISCHE_REGEL_TYPES:
            continue
        naam = herkomst[ident]
        for aa in o.get("activiteitaanduidingen") or []:
            if not bestaat(aa["activiteit"], ("Activiteit",)):
                b.fout("OZON0038", f"{o['type']} {ident} verwijst naar activiteit {aa['activiteit']}, "
                                   "die niet in de levering en niet in Ozon bestaat.", naam)
            for loc in aa.get("locaties") or []:
                if not bestaat(loc, LOCATIE_TYPES):
                    b.fout("OZON0121", f"ActiviteitLocatieaanduiding {aa['identificatie']} verwijst naar "
                                       f"locatie {loc}, die niet bestaat.", naam)
        code = {"RegelVoorIedereen": "OZON0045", "Instructieregel": "OZON0046",
                "Omgevingswaarderegel": "OZON0047"}[o["type"]]
        for loc in o.get("locaties") or []:
            if not bestaat(loc, LOCATIE_TYPES):
                b.fout(code, f"{o['type']} {ident} verwijst naar locatie {loc}, die niet bestaat.", naam)
