"""Query API over the loaded deliveries. Everything hot is kept in memory; SQLite is the persisted form.

Usage:  store = Store.open(config.data_map)      # builds/rebuilds var/referentie-lv/referentie.sqlite
See data/README.md for every method and its return shape. Read-only after open: safe to share
between threads.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
import tempfile
import threading
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from shapely import wkb as shp_wkb
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from shapely.prepared import prep

from referentie_lv.data import bouw
from referentie_lv.data.adressen import Adresregister, normaliseer

DB_NAAM = "referentie.sqlite"
PROJECT_ROOT = Path(__file__).resolve().parents[3]

JURIDISCHE_REGEL_TYPES = ("RegelVoorIedereen", "Instructieregel", "Omgevingswaarderegel")
LOCATIE_TYPES = ("Gebied", "Gebiedengroep", "Lijn", "Lijnengroep", "Punt", "Puntengroep", "Ambtsgebied",
                 "Locatiegroep")

# Parents outside the delivery. The source file carries this activity only inside an XML comment
# ("van het rijk ... opgenomen in de Functionele Structuur"); the name is taken from that comment.
EXTERNE_ACTIVITEITEN = {
    "nl.imow-gm0297.activiteit.ActInOmgevingsplanGem": "Activiteit in omgevingsplan Zaltbommel",
}

# Ranking of document types for free-text search (PDOK ranks woonplaats/gemeente above addresses).
def _datum(geldig_op: date | str | None) -> str:
    if geldig_op is None:
        return date.today().isoformat()
    if isinstance(geldig_op, date):
        return geldig_op.isoformat()
    return date.fromisoformat(str(geldig_op)[:10]).isoformat()


def regeling_sleutel(regeling_id: str) -> str:
    """'/akn/nl/act/...', '_akn_nl_act_...' and URL-encoded forms to the '/akn/...' form."""
    s = regeling_id.strip().replace("%2F", "/").replace("%2f", "/")
    if s.startswith("_akn_") or s.startswith("_join_"):
        s = s.replace("_", "/")
    return s


_GEDEELD: dict[tuple, Store] = {}
_GEDEELD_SLOT = threading.Lock()


def standaard_data_map() -> Path:
    if (PROJECT_ROOT / "pyproject.toml").exists():
        return PROJECT_ROOT / "var" / "referentie-lv"
    return Path(tempfile.gettempdir()) / "referentie-lv"


class _Snapshot:
    """The OW state valid for one version period (a dict per object type plus indexes)."""

    def __init__(self, rijen: list[dict]):
        self.objecten: dict[str, dict] = {r["identificatie"]: r for r in rijen}
        self.per_type: dict[str, list[dict]] = {}
        for r in rijen:
            self.per_type.setdefault(r["type"], []).append(r)
        for lijst in self.per_type.values():
            lijst.sort(key=lambda r: r["identificatie"])
        # Sub-objects that carry their own identificatie.
        self.sub: dict[str, tuple[str, dict]] = {}
        for r in rijen:
            d = r["data"]
            for aa in d.get("activiteitaanduidingen") or []:
                if aa.get("identificatie"):
                    self.sub[aa["identificatie"]] = (r["identificatie"], aa)
            for nw in d.get("normwaarden") or []:
                if nw.get("identificatie"):
                    self.sub[nw["identificatie"]] = (r["identificatie"], nw)
            for laag in d.get("kaartlagen") or []:
                if laag.get("identificatie"):
                    self.sub[laag["identificatie"]] = (r["identificatie"], laag)
        self.regels_per_regeltekst: dict[str, list[str]] = {}
        self.regels_per_activiteit: dict[str, list[str]] = {}
        self.regels_per_locatie: dict[str, list[str]] = {}
        self.kinderen: dict[str, list[str]] = {}
        for r in rijen:
            d = r["data"]
            if r["type"] in JURIDISCHE_REGEL_TYPES:
                if d.get("regeltekst"):
                    self.regels_per_regeltekst.setdefault(d["regeltekst"], []).append(r["identificatie"])
                for aa in d.get("activiteitaanduidingen") or []:
                    self.regels_per_activiteit.setdefault(aa["activiteit"], []).append(r["identificatie"])
                for loc in set(d.get("locaties") or []) | {
                        x for aa in d.get("activiteitaanduidingen") or [] for x in aa["locaties"]}:
                    self.regels_per_locatie.setdefault(loc, []).append(r["identificatie"])
            if r["type"] == "Activiteit" and d.get("bovenliggendeActiviteit"):
                self.kinderen.setdefault(d["bovenliggendeActiviteit"], []).append(r["identificatie"])
        self.locatie_index: list[tuple[str, tuple, object, BaseGeometry]] | None = None


class Store(Adresregister):
    """The deliveries (this module) and the address register (``data/adressen.py``)."""

    def __init__(self, db_pad: Path, gebouwd: bool):
        self.pad = db_pad
        self.gebouwd = gebouwd
        self._slot = threading.Lock()
        con = sqlite3.connect(f"file:{db_pad}?mode=ro", uri=True)
        con.row_factory = sqlite3.Row
        try:
            self._laad(con)
        finally:
            con.close()

    # --- opening ---------------------------------------------------------------------------------

    @classmethod
    def open(cls, data_map: str | Path | None = None, bronnen: str | Path | None = None) -> Store:
        """Open (and build or rebuild when the source files changed) the store in data_map.

        data_map: folder for referentie.sqlite (default <project>/var/referentie-lv/; when installed
                  outside a source checkout: <tmp>/referentie-lv/).
        bronnen:  folder with the delivery files (default the package's bronnen/; tests pass a copy).
        """
        map_ = Path(data_map) if data_map else standaard_data_map()
        bron = Path(bronnen) if bronnen else bouw.standaard_bronnen()
        db = map_ / DB_NAAM
        gebouwd = bouw.zorg_voor_database(db, bron)
        return cls(db, gebouwd)

    @classmethod
    def gedeeld(cls, data_map: str | Path | None = None, bronnen: str | Path | None = None) -> Store:
        """One Store per (data_map, bronnen) per process, opened on first use (thread-safe)."""
        sleutel = (str(data_map) if data_map else None, str(bronnen) if bronnen else None)
        with _GEDEELD_SLOT:
            if sleutel not in _GEDEELD:
                _GEDEELD[sleutel] = cls.open(data_map, bronnen)
            return _GEDEELD[sleutel]

    def _laad(self, con: sqlite3.Connection) -> None:
        self.meta = {r["sleutel"]: r["waarde"] for r in con.execute("SELECT * FROM meta")}
        self._versies = [dict(r) for r in con.execute("SELECT * FROM versie ORDER BY nr")]
        self._vanaf = [v["geldig_vanaf"] for v in self._versies]
        self._regelingen = []
        for r in con.execute("SELECT * FROM regeling ORDER BY work, geldig_vanaf"):
            d = dict(r)
            d["data"] = json.loads(d["data"])
            self._regelingen.append(d)
        self._tekst: dict[str, list[dict]] = {}
        for r in con.execute("SELECT * FROM tekstelement ORDER BY regeling_expression, volgorde"):
            d = dict(r)
            d["blokken"] = json.loads(d["blokken"])
            self._tekst.setdefault(d["regeling_expression"], []).append(d)
        self._tekst_per_wid = {(e, k["wid"]): k for e, lijst in self._tekst.items() for k in lijst}
        self._tekst_per_eid = {(e, k["eid"]): k for e, lijst in self._tekst.items() for k in lijst}
        self._begrippen: dict[str, list[dict]] = {}
        for r in con.execute("SELECT * FROM begrip ORDER BY regeling_expression, wid"):
            d = dict(r)
            d["informatieobjecten"] = json.loads(d["informatieobjecten"])
            self._begrippen.setdefault(d["regeling_expression"], []).append(d)
        self._gios = {r["expression"]: {**json.loads(r["data"])} for r in con.execute("SELECT * FROM informatieobject")}
        self._geometrie: dict[str, dict] = {}
        for r in con.execute("SELECT id, gio_expression, naam, kwantitatieve_normwaarde, kwalitatieve_normwaarde, "
                             "afgeleid, wkb FROM geometrie"):
            d = dict(r)
            d["vorm"] = shp_wkb.loads(d.pop("wkb"))
            d["afgeleid"] = bool(d["afgeleid"])
            self._geometrie[d["id"]] = d
        self._ow_rijen = []
        for r in con.execute("SELECT * FROM owobject ORDER BY rij"):
            d = dict(r)
            d["data"] = json.loads(d["data"])
            self._ow_rijen.append(d)
        self._vorm_cache: dict[tuple[str, int], BaseGeometry] = {}
        self._snapshots: dict[int, _Snapshot] = {}
        for v in self._versies:
            dag = v["geldig_vanaf"]
            self._snapshots[v["nr"]] = _Snapshot([
                r for r in self._ow_rijen
                if r["geldig_vanaf"] <= dag and (r["geldig_tot"] is None or dag < r["geldig_tot"])])
        self._laad_adressen(con)

    # --- versions --------------------------------------------------------------------------------

    def versies(self) -> list[dict]:
        """[{nr, map, opdracht, id_levering, doel, geldig_vanaf, geldig_tot, toelichting}] in order."""
        return [dict(v) for v in self._versies]

    def versie_op(self, geldig_op: date | str | None = None) -> int | None:
        """Version number valid on that date (None before the first version took effect)."""
        i = bisect.bisect_right(self._vanaf, _datum(geldig_op))
        return self._versies[i - 1]["nr"] if i else None

    def _snap(self, geldig_op) -> _Snapshot | None:
        nr = self.versie_op(geldig_op)
        return self._snapshots[nr] if nr is not None else None

    # --- deliveries accepted at run time (intake, referentie_lv/intake/) ---------------------------

    def pas_aanlevering_toe(self, regelingen: list[dict], intrekkingen: list[tuple[str, str]]) -> None:
        """Hook for the intake: add regelingversies (rows shaped as ``stop.lees_besluit`` gives them
        plus ``geldig_vanaf`` and ``besluit``) and end regelingen (work, date) from an accepted
        delivery. In memory only (gone after a restart); new rows go after the loaded ones, so a
        wId lookup without a regeling still finds the loaded plan first. Copy-on-write under the
        lock: readers in other threads see the old or the new lists, never half an update."""
        with self._slot:
            rijen = [dict(r) for r in self._regelingen]
            tekst, begrippen = dict(self._tekst), dict(self._begrippen)
            for reg in regelingen:
                dag = reg["geldig_vanaf"]
                for oud in rijen:
                    if oud["work"] == reg["work"] and oud["geldig_vanaf"] <= dag \
                            and (oud["geldig_tot"] is None or dag < oud["geldig_tot"]):
                        oud["geldig_tot"] = dag
                b = reg["besluit"]
                data = {k: v for k, v in reg.items() if k not in ("tekst", "begrippen")}
                # a version dated before one already there ends where that one starts
                later = [o["geldig_vanaf"] for o in rijen if o["work"] == reg["work"] and o["geldig_vanaf"] > dag]
                rijen.append({
                    "expression": reg["expression"], "work": reg["work"], "versie_nr": None,
                    "geldig_vanaf": dag, "geldig_tot": min(later, default=None),
                    "officiele_titel": reg.get("officieleTitel"),
                    "citeertitel": reg.get("citeertitel"), "opschrift": reg.get("opschrift"),
                    "soort_regeling": reg.get("soortRegeling"),
                    "eindverantwoordelijke": reg.get("eindverantwoordelijke"), "besluit_work": b["work"],
                    "besluit_expression": b["expression"], "bekend_op": b.get("bekendOp"),
                    "data": {**data, "besluit": {**b, "titel": b.get("titel")}}})
                tekst[reg["expression"]] = [
                    {"regeling_expression": reg["expression"], "wid": k["wId"], "eid": k["eId"],
                     "ouder_wid": k["ouder"], "soort": k["soort"], "label": k["label"], "nummer": k["nummer"],
                     "opschrift": k["opschrift"], "diepte": k["diepte"], "volgorde": k["volgorde"],
                     "tekst": k["tekst"], "blokken": k["blokken"], "xml": k["xml"]} for k in reg["tekst"]]
                begrippen[reg["expression"]] = [
                    {"regeling_expression": reg["expression"], "wid": x["wId"], "eid": x["eId"], "term": x["term"],
                     "definitie": x["definitie"], "bron_wid": x["bron_wId"], "bron_label": x["bron_label"],
                     "informatieobjecten": x["informatieobjecten"]} for x in reg["begrippen"]]
            for work, dag in intrekkingen:
                for oud in rijen:
                    if oud["work"] == work and (oud["geldig_tot"] is None or dag < oud["geldig_tot"]):
                        oud["geldig_tot"] = max(dag, oud["geldig_vanaf"])
            per_wid = {(e, k["wid"]): k for e, lijst in tekst.items() for k in lijst}
            per_eid = {(e, k["eid"]): k for e, lijst in tekst.items() for k in lijst}
            self._tekst, self._begrippen = tekst, begrippen
            self._tekst_per_wid, self._tekst_per_eid = per_wid, per_eid
            self._regelingen = rijen

    # --- regelingen and legal text ---------------------------------------------------------------

    @staticmethod
    def _regeling_uit(r: dict) -> dict:
        d = r["data"]
        return {
            "identificatie": r["work"], "expression": r["expression"], "work": r["work"],
            "officieleTitel": r["officiele_titel"], "citeertitel": r["citeertitel"], "opschrift": r["opschrift"],
            "soortRegeling": r["soort_regeling"], "eindverantwoordelijke": r["eindverantwoordelijke"],
            "maker": d.get("maker"), "soortBestuursorgaan": d.get("soortBestuursorgaan"),
            "versienummer": d.get("versienummer"), "onderwerpen": d.get("onderwerpen", []),
            "rechtsgebieden": d.get("rechtsgebieden", []),
            "besluit": {"work": r["besluit_work"], "expression": r["besluit_expression"],
                        "bekendOp": r["bekend_op"], "officieleTitel": d["besluit"]["titel"]},
            "geldigVanaf": r["geldig_vanaf"], "geldigTot": r["geldig_tot"], "versieNr": r["versie_nr"],
            "informatieobjecten": sorted(g for g in d["besluit"]["informatieobjecten"]),
        }

    def regelingen(self, geldig_op: date | str | None = None) -> list[dict]:
        """Regelingen valid on the date, ordered by work id (stable for paging)."""
        dag = _datum(geldig_op)
        return [self._regeling_uit(r) for r in self._regelingen
                if r["geldig_vanaf"] <= dag and (r["geldig_tot"] is None or dag < r["geldig_tot"])]

    def alle_regelingversies(self) -> list[dict]:
        return [self._regeling_uit(r) for r in self._regelingen]

    def _regeling_rij(self, regeling_id: str, geldig_op) -> dict | None:
        s = regeling_sleutel(regeling_id)
        for r in self._regelingen:
            if r["expression"] == s:
                return r
        dag = _datum(geldig_op)
        for r in self._regelingen:
            if r["work"] == s and r["geldig_vanaf"] <= dag and (r["geldig_tot"] is None or dag < r["geldig_tot"]):
                return r
        return None

    def regeling(self, regeling_id: str, geldig_op: date | str | None = None) -> dict | None:
        """By work ('/akn/nl/act/gm0297/2019/reg456'), expression or '_akn_nl_act_...' form."""
        r = self._regeling_rij(regeling_id, geldig_op)
        return self._regeling_uit(r) if r else None

    @staticmethod
    def _knoop_uit(k: dict, met_xml: bool = False) -> dict:
        d = {"wId": k["wid"], "eId": k["eid"], "type": k["soort"], "label": k["label"], "nummer": k["nummer"],
             "opschrift": k["opschrift"], "ouder": k["ouder_wid"], "volgorde": k["volgorde"],
             "tekst": k["tekst"], "inhoud": k["blokken"]}
        if met_xml:
            d["xml"] = k["xml"]
        return d

    def documentstructuur(self, regeling_id: str, geldig_op: date | str | None = None) -> dict | None:
        """Tree: {regeling: {...}, onderdelen: [{wId, eId, type, label, nummer, opschrift, tekst, inhoud,
        onderdelen: [...]}]} in document order."""
        r = self._regeling_rij(regeling_id, geldig_op)
        if r is None:
            return None
        knopen = {k["wid"]: {**self._knoop_uit(k), "onderdelen": []} for k in self._tekst[r["expression"]]}
        wortel: list[dict] = []
        for k in self._tekst[r["expression"]]:
            (knopen[k["ouder_wid"]]["onderdelen"] if k["ouder_wid"] else wortel).append(knopen[k["wid"]])
        return {"regeling": self._regeling_uit(r), "onderdelen": wortel}

    def tekstelementen(self, regeling_id: str, soort: str | None = None,
                       geldig_op: date | str | None = None) -> list[dict]:
        """Flat list in document order, optionally only one type ('Artikel', 'Lid', 'Hoofdstuk'...)."""
        r = self._regeling_rij(regeling_id, geldig_op)
        if r is None:
            return []
        return [self._knoop_uit(k) for k in self._tekst[r["expression"]] if soort is None or k["soort"] == soort]

    def tekstelement(self, element_id: str, regeling_id: str | None = None,
                     geldig_op: date | str | None = None) -> dict | None:
        """An article (or lid, chapter...) by wId or eId, with its direct children ('leden') and its STOP XML.
        Returns {wId, eId, type, label, nummer, opschrift, ouder, tekst, inhoud, xml, leden: [...],
        onderdelen: [...], regeling: work}."""
        exprs = ([self._regeling_rij(regeling_id, geldig_op)["expression"]]
                 if regeling_id and self._regeling_rij(regeling_id, geldig_op) else
                 [r["expression"] for r in self._regelingen])
        for e in exprs:
            k = self._tekst_per_wid.get((e, element_id)) or self._tekst_per_eid.get((e, element_id))
            if k:
                d = self._knoop_uit(k, met_xml=True)
                kinderen = [self._knoop_uit(c) for c in self._tekst[e] if c["ouder_wid"] == k["wid"]]
                d["leden"] = [c for c in kinderen if c["type"] == "Lid"]
                d["onderdelen"] = kinderen
                d["regeling"] = e.split("/nld@")[0]
                d["regelingExpression"] = e
                return d
        return None

    artikel = tekstelement

    def begrippen(self, geldig_op: date | str | None = None) -> list[dict]:
        """[{term, definitie, wId, eId, bronWId, bronLabel, informatieobjecten, regeling}] sorted by term."""
        uit = []
        for reg in self.regelingen(geldig_op):
            for b in self._begrippen.get(reg["expression"], []):
                weergave = b["definitie"]
                if b["informatieobjecten"] and b["definitie"].strip() in b["informatieobjecten"]:
                    gio = self._gios.get(b["definitie"].strip(), {})
                    weergave = f"Zie het informatieobject '{gio.get('naam') or b['term']}' ({b['definitie'].strip()})"
                uit.append({"term": b["term"], "definitie": b["definitie"], "definitieWeergave": weergave,
                            "wId": b["wid"], "eId": b["eid"],
                            "bronWId": b["bron_wid"], "bronLabel": b["bron_label"],
                            "informatieobjecten": b["informatieobjecten"], "regeling": reg["work"]})
        return sorted(uit, key=lambda b: normaliseer(b["term"] or ""))

    # --- OW objects ------------------------------------------------------------------------------

    @staticmethod
    def _ow_uit(r: dict) -> dict:
        d = dict(r["data"])
        d.pop("bron", None)
        d.update(geldigVanaf=r["geldig_vanaf"], geldigTot=r["geldig_tot"], versieNr=r["versie_nr"], bron=r["bron"])
        return d

    def ow_object(self, identificatie: str, geldig_op: date | str | None = None) -> dict | None:
        """Any OW object by identificatie (raw form, references as id strings)."""
        s = self._snap(geldig_op)
        r = s.objecten.get(identificatie) if s else None
        return self._ow_uit(r) if r else None

    def ow_objecten(self, types: str | Iterable[str] | None = None,
                    geldig_op: date | str | None = None) -> list[dict]:
        """All OW objects of the type(s) valid on the date, ordered by identificatie."""
        s = self._snap(geldig_op)
        if s is None:
            return []
        if types is None:
            rijen = sorted(s.objecten.values(), key=lambda r: r["identificatie"])
        else:
            ts = [types] if isinstance(types, str) else list(types)
            rijen = sorted((r for t in ts for r in s.per_type.get(t, [])), key=lambda r: r["identificatie"])
        return [self._ow_uit(r) for r in rijen]

    def ow_historie(self, identificatie: str) -> list[dict]:
        """Every delivered version of one OW object (also ended ones), oldest first."""
        return [self._ow_uit(r) for r in self._ow_rijen if r["identificatie"] == identificatie]

    def leveringsrijen(self) -> list[dict]:
        """Every delivered OW object version (also ended ones): [{identificatie, type, versieNr, geldigVanaf,
        geldigTot, status, bron ('map/bestand')}] in delivery order."""
        return [{"identificatie": r["identificatie"], "type": r["type"], "versieNr": r["versie_nr"],
                 "geldigVanaf": r["geldig_vanaf"], "geldigTot": r["geldig_tot"], "status": r["status"],
                 "bron": r["bron"]} for r in self._ow_rijen]

    def relaties(self, identificatie: str | None = None, geldig_op: date | str | None = None) -> list[dict]:
        """References made by the OW objects valid on the date: [{van, rol, naar}] (rol as in owrelatie)."""
        s = self._snap(geldig_op)
        if s is None:
            return []
        if identificatie is None:
            rijen = sorted(s.objecten.values(), key=lambda r: r["identificatie"])
        else:
            rijen = [s.objecten[identificatie]] if identificatie in s.objecten else []
        return [{"van": r["identificatie"], "rol": rol, "naar": naar}
                for r in rijen for rol, naar in bouw._relaties(r["data"])]

    def onopgeloste_verwijzingen(self, geldig_op: date | str | None = None) -> list[dict]:
        """References whose target is not in the delivery state of that date (no OW object, sub-object
        or GIO geometry with that id): [{van, rol, naar}]. See README for the known ones."""
        s = self._snap(geldig_op)
        if s is None:
            return []
        bekend = set(s.objecten) | set(s.sub) | set(self._geometrie)
        return [r for r in self.relaties(None, geldig_op) if r["naar"] not in bekend]

    def sub_object(self, identificatie: str, geldig_op: date | str | None = None) -> dict | None:
        """ActiviteitLocatieaanduiding, Normwaarde or Kaartlaag by its identificatie: {ouder, ...}."""
        s = self._snap(geldig_op)
        if not s or identificatie not in s.sub:
            return None
        ouder, d = s.sub[identificatie]
        return {**d, "ouder": ouder}

    # regelteksten
    def regelteksten(self, geldig_op: date | str | None = None) -> list[dict]:
        return [self.regeltekst(r["identificatie"], geldig_op) for r in self.ow_objecten("Regeltekst", geldig_op)]

    def regeltekst(self, identificatie: str, geldig_op: date | str | None = None) -> dict | None:
        """Regeltekst resolved: {identificatie, wId, artikel: {wId, type, nummer, opschrift, tekst...},
        juridischeRegels: [juridische_regel(...)], geldigVanaf, geldigTot}."""
        s = self._snap(geldig_op)
        r = s.objecten.get(identificatie) if s else None
        if not r or r["type"] != "Regeltekst":
            return None
        d = self._ow_uit(r)
        d["artikel"] = self._artikel_bij_wid(d.get("wId"), geldig_op)
        d["juridischeRegels"] = [self.juridische_regel(j, geldig_op)
                                 for j in s.regels_per_regeltekst.get(identificatie, [])]
        return d

    def regeltekst_bij_wid(self, wid: str, geldig_op: date | str | None = None) -> dict | None:
        s = self._snap(geldig_op)
        if not s:
            return None
        for r in s.per_type.get("Regeltekst", []):
            if r["data"].get("wId") == wid:
                return self.regeltekst(r["identificatie"], geldig_op)
        return None

    def _artikel_bij_wid(self, wid: str | None, geldig_op) -> dict | None:
        if not wid:
            return None
        for reg in self.regelingen(geldig_op) or self.alle_regelingversies():
            k = self._tekst_per_wid.get((reg["expression"], wid))
            if k:
                d = self._knoop_uit(k)
                d["regeling"] = reg["work"]
                return d
        return None

    # juridische regels
    def juridische_regels(self, geldig_op: date | str | None = None) -> list[dict]:
        return [self.juridische_regel(r["identificatie"], geldig_op)
                for r in self.ow_objecten(JURIDISCHE_REGEL_TYPES, geldig_op)]

    def juridische_regel(self, identificatie: str, geldig_op: date | str | None = None) -> dict | None:
        """Raw juridische regel plus resolved 'activiteiten' [{activiteit: {identificatie, naam, groep},
        activiteitregelkwalificatie, identificatie (ALA), locaties}] and 'gebiedsaanwijzingObjecten'."""
        s = self._snap(geldig_op)
        r = s.objecten.get(identificatie) if s else None
        if not r or r["type"] not in JURIDISCHE_REGEL_TYPES:
            return None
        d = self._ow_uit(r)
        d["activiteiten"] = []
        for aa in d.get("activiteitaanduidingen") or []:
            act = s.objecten.get(aa["activiteit"])
            d["activiteiten"].append({
                "activiteit": {"identificatie": aa["activiteit"], "naam": act["data"].get("naam") if act else None,
                               "groep": act["data"].get("groep") if act else None},
                "identificatie": aa["identificatie"],
                "activiteitregelkwalificatie": aa["activiteitregelkwalificatie"],
                "locaties": aa["locaties"]})
        d["gebiedsaanwijzingObjecten"] = [self._ow_uit(s.objecten[g]) for g in d.get("gebiedsaanwijzingen") or []
                                          if g in s.objecten]
        return d

    # activiteiten
    def activiteiten(self, geldig_op: date | str | None = None) -> list[dict]:
        return self.ow_objecten("Activiteit", geldig_op)

    def activiteit(self, identificatie: str, geldig_op: date | str | None = None) -> dict | None:
        """Activiteit plus 'bovenliggende' (chain of ancestors, nearest first; ids outside the delivery
        appear with extern=True), 'onderliggende' (child ids) and 'juridischeRegels' (ids)."""
        s = self._snap(geldig_op)
        r = s.objecten.get(identificatie) if s else None
        if not r or r["type"] != "Activiteit":
            return None
        d = self._ow_uit(r)
        keten, huidig, gezien = [], d.get("bovenliggendeActiviteit"), set()
        while huidig and huidig not in gezien:
            gezien.add(huidig)
            o = s.objecten.get(huidig)
            keten.append({"identificatie": huidig, "extern": o is None,
                          "naam": o["data"].get("naam") if o else EXTERNE_ACTIVITEITEN.get(huidig)})
            huidig = o["data"].get("bovenliggendeActiviteit") if o else None
        d["bovenliggende"] = keten
        d["onderliggende"] = sorted(s.kinderen.get(identificatie, []))
        d["juridischeRegels"] = sorted(set(s.regels_per_activiteit.get(identificatie, [])))
        d["activiteitlocatieaanduidingen"] = [
            {"identificatie": aa["identificatie"], "juridischeRegel": j,
             "regeltekst": s.objecten[j]["data"].get("regeltekst"),
             "activiteitregelkwalificatie": aa["activiteitregelkwalificatie"], "locaties": aa["locaties"]}
            for j in d["juridischeRegels"]
            for aa in s.objecten[j]["data"].get("activiteitaanduidingen") or [] if aa["activiteit"] == identificatie]
        return d

    def activiteiten_boom(self, geldig_op: date | str | None = None) -> list[dict]:
        """Hierarchy: roots = activities whose parent is not in the delivery.
        [{identificatie, naam, groep, bovenliggendeActiviteit, onderliggende: [...]}]"""
        s = self._snap(geldig_op)
        if not s:
            return []
        acts = {r["identificatie"]: r["data"] for r in s.per_type.get("Activiteit", [])}

        def knoop(i: str, gezien: frozenset) -> dict:
            a = acts[i]
            return {"identificatie": i, "naam": a.get("naam"), "groep": a.get("groep"),
                    "bovenliggendeActiviteit": a.get("bovenliggendeActiviteit"),
                    "onderliggende": [knoop(k, gezien | {i}) for k in sorted(s.kinderen.get(i, []))
                                      if k not in gezien]}
        return [knoop(i, frozenset()) for i in sorted(acts) if acts[i].get("bovenliggendeActiviteit") not in acts]

    # locaties and other annotations
    def locaties(self, geldig_op: date | str | None = None) -> list[dict]:
        """Every locatie as locatie(...) returns it (with geometrieIds and bbox)."""
        return [self.locatie(r["identificatie"], geldig_op) for r in self.ow_objecten(LOCATIE_TYPES, geldig_op)]

    def locatie(self, identificatie: str, geldig_op: date | str | None = None) -> dict | None:
        """Locatie plus 'geometrieIds' (the GIO geometries it resolves to) and 'bbox' (RD)."""
        s = self._snap(geldig_op)
        r = s.objecten.get(identificatie) if s else None
        if not r or r["type"] not in LOCATIE_TYPES:
            return None
        d = self._ow_uit(r)
        d["geometrieIds"] = self._geometrie_ids(identificatie, s)
        vorm = self.locatie_vorm(identificatie, geldig_op)
        d["bbox"] = list(vorm.bounds) if vorm is not None and not vorm.is_empty else None
        return d

    def gebiedsaanwijzingen(self, geldig_op=None) -> list[dict]:
        return self.ow_objecten("Gebiedsaanwijzing", geldig_op)

    def omgevingsnormen(self, geldig_op=None) -> list[dict]:
        return self.ow_objecten("Omgevingsnorm", geldig_op)

    def omgevingswaarden(self, geldig_op=None) -> list[dict]:
        return self.ow_objecten("Omgevingswaarde", geldig_op)

    def regelingsgebied(self, geldig_op=None) -> dict | None:
        """The Regelingsgebied object plus 'geometrie' (GeoJSON-like, RD) of its locatie."""
        lijst = self.ow_objecten("Regelingsgebied", geldig_op)
        if not lijst:
            return None
        d = lijst[0]
        vormen = [v for v in (self.locatie_vorm(loc, geldig_op) for loc in d["locaties"]) if v is not None]
        d["geometrie"] = mapping(unary_union(vormen)) if vormen else None
        return d

    def pons(self, geldig_op=None) -> list[dict]:
        return self.ow_objecten("Pons", geldig_op)

    # --- geometry --------------------------------------------------------------------------------

    def _geometrie_ids(self, identificatie: str, s: _Snapshot, gezien: frozenset = frozenset()) -> list[str]:
        r = s.objecten.get(identificatie)
        if r is None or identificatie in gezien:
            return []
        d = r["data"]
        ids = [d["geometrieRef"]] if d.get("geometrieRef") else []
        for lid in d.get("groepselementen") or []:
            ids.extend(self._geometrie_ids(lid, s, gezien | {identificatie}))
        return ids

    def locatie_vorm(self, identificatie: str, geldig_op: date | str | None = None) -> BaseGeometry | None:
        """Shapely geometry (RD New) of a locatie (groups: union of members) or of a GIO geometry id."""
        if identificatie in self._geometrie:
            return self._geometrie[identificatie]["vorm"]
        nr = self.versie_op(geldig_op)
        if nr is None:
            return None
        sleutel = (identificatie, nr)
        if sleutel not in self._vorm_cache:
            # Only ids that exist are cached, so the cache is bounded by the delivery's size.
            ids = self._geometrie_ids(identificatie, self._snapshots[nr])
            vormen = [self._geometrie[i]["vorm"] for i in ids if i in self._geometrie]
            vorm = None if not vormen else vormen[0] if len(vormen) == 1 else unary_union(vormen)
            if vorm is None:
                return None
            self._vorm_cache[sleutel] = vorm
        return self._vorm_cache[sleutel]

    def geometrie(self, identificatie: str, geldig_op: date | str | None = None) -> dict | None:
        """GeoJSON-like dict in RD New (EPSG:28992) for a GIO geometry id (basisgeo:id) or an OW locatie:
        {id, naam, crs: 'EPSG:28992', geometrie: {type, coordinates}, bbox: [minx, miny, maxx, maxy],
        afgeleid, gio (expression or None), normwaarde}."""
        gio = self._gios.get(identificatie) or next(
            (v for v in self._gios.values() if v["work"] == identificatie), None)
        if gio and gio.get("geometrie_ids"):
            vorm = unary_union([self._geometrie[i]["vorm"] for i in gio["geometrie_ids"]])
            return {"id": identificatie, "naam": gio.get("naam"), "crs": "EPSG:28992", "geometrie": mapping(vorm),
                    "bbox": list(vorm.bounds), "afgeleid": False, "gio": gio["expression"], "normwaarde": None,
                    "locaties": [{"id": i, "naam": self._geometrie[i]["naam"],
                                  "normwaarde": self._geometrie[i]["kwantitatieve_normwaarde"]
                                  if self._geometrie[i]["kwantitatieve_normwaarde"] is not None
                                  else self._geometrie[i]["kwalitatieve_normwaarde"]} for i in gio["geometrie_ids"]]}
        g = self._geometrie.get(identificatie)
        if g:
            return {"id": g["id"], "naam": g["naam"], "crs": "EPSG:28992", "geometrie": mapping(g["vorm"]),
                    "bbox": list(g["vorm"].bounds), "afgeleid": g["afgeleid"], "gio": g["gio_expression"],
                    "normwaarde": g["kwantitatieve_normwaarde"] if g["kwantitatieve_normwaarde"] is not None
                    else g["kwalitatieve_normwaarde"]}
        vorm = self.locatie_vorm(identificatie, geldig_op)
        if vorm is None:
            return None
        loc = self.ow_object(identificatie, geldig_op)
        return {"id": identificatie, "naam": (loc or {}).get("noemer"), "crs": "EPSG:28992",
                "geometrie": mapping(vorm), "bbox": list(vorm.bounds),
                "afgeleid": any(self._geometrie[i]["afgeleid"] for i in self._geometrie_ids(
                    identificatie, self._snap(geldig_op)) if i in self._geometrie), "gio": None, "normwaarde": None}

    def geometrie_ids(self) -> list[str]:
        return sorted(self._geometrie)

    def informatieobjecten(self) -> list[dict]:
        """GIO metadata: [{work, expression, naam, officieleTitel, bestandsnaam, geometrie_ids, ...}]."""
        return [self._gios[k] for k in sorted(self._gios)]

    def _locatie_index(self, s: _Snapshot) -> list:
        if s.locatie_index is None:
            with self._slot:
                if s.locatie_index is None:
                    idx = []
                    for t in LOCATIE_TYPES:
                        for r in s.per_type.get(t, []):
                            ids = self._geometrie_ids(r["identificatie"], s)
                            vormen = [self._geometrie[i]["vorm"] for i in ids if i in self._geometrie]
                            if not vormen:
                                continue
                            vorm = unary_union(vormen) if len(vormen) > 1 else vormen[0]
                            idx.append((r["identificatie"], vorm.bounds, prep(vorm), vorm))
                    s.locatie_index = idx
        return s.locatie_index

    def locaties_op(self, geometrie: BaseGeometry | dict, geldig_op: date | str | None = None) -> list[str]:
        """Identificaties of locaties (Gebied, Gebiedengroep, Ambtsgebied...) that intersect the geometry
        (shapely or GeoJSON-like dict, RD New coordinates)."""
        s = self._snap(geldig_op)
        if s is None:
            return []
        g = geometrie if isinstance(geometrie, BaseGeometry) else shape(geometrie)
        minx, miny, maxx, maxy = g.bounds
        uit = []
        for ident, (bx0, by0, bx1, by1), voorbereid, _ in self._locatie_index(s):
            if bx0 > maxx or bx1 < minx or by0 > maxy or by1 < miny:
                continue
            if voorbereid.intersects(g):
                uit.append(ident)
        return uit

    def annotaties_op(self, geometrie: BaseGeometry | dict, geldig_op: date | str | None = None) -> dict:
        """Everything that applies at a point/polygon (RD New), for regeltekstannotaties/_zoek:
        {locaties: [ids], regelteksten: [ids], juridischeRegels: [ids], activiteiten: [ids],
         activiteitlocatieaanduidingen: [{identificatie, activiteit, activiteitregelkwalificatie, juridischeRegel}],
         gebiedsaanwijzingen: [ids], omgevingsnormen: [ids], omgevingswaarden: [ids], normwaarden: [ids]}
        A juridische regel applies when one of its own locaties or of its activiteitlocatieaanduidingen
        intersects; an activity only through an activiteitlocatieaanduiding whose locatie intersects."""
        s = self._snap(geldig_op)
        leeg = {k: [] for k in ("locaties", "regelteksten", "juridischeRegels", "activiteiten",
                                "activiteitlocatieaanduidingen", "gebiedsaanwijzingen", "omgevingsnormen",
                                "omgevingswaarden", "normwaarden")}
        if s is None:
            return leeg
        locs = set(self.locaties_op(geometrie, geldig_op))
        regels, rts, acts, alas = set(), set(), set(), []
        for ident in sorted({j for loc in locs for j in s.regels_per_locatie.get(loc, [])}):
            d = s.objecten[ident]["data"]
            eigen = bool(set(d.get("locaties") or []) & locs)
            for aa in d.get("activiteitaanduidingen") or []:
                if set(aa["locaties"]) & locs:
                    acts.add(aa["activiteit"])
                    alas.append({"identificatie": aa["identificatie"], "activiteit": aa["activiteit"],
                                 "activiteitregelkwalificatie": aa["activiteitregelkwalificatie"],
                                 "juridischeRegel": ident})
                    eigen = True
            if eigen:
                regels.add(ident)
                if d.get("regeltekst"):
                    rts.add(d["regeltekst"])
        gas = {r["identificatie"] for r in s.per_type.get("Gebiedsaanwijzing", [])
               if set(r["data"].get("locaties") or []) & locs}
        normen, waarden, nws = set(), set(), set()
        for t, doel in (("Omgevingsnorm", normen), ("Omgevingswaarde", waarden)):
            for r in s.per_type.get(t, []):
                for nw in r["data"].get("normwaarden") or []:
                    if set(nw["locaties"]) & locs:
                        doel.add(r["identificatie"])
                        nws.add(nw["identificatie"])
        return {"locaties": sorted(locs), "regelteksten": sorted(rts), "juridischeRegels": sorted(regels),
                "activiteiten": sorted(acts), "activiteitlocatieaanduidingen": alas,
                "gebiedsaanwijzingen": sorted(gas), "omgevingsnormen": sorted(normen),
                "omgevingswaarden": sorted(waarden), "normwaarden": sorted(nws)}

