"""Building the SQLite store from the delivery files (bronnen/), rebuilt when a source file changes."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sqlite3
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from shapely import wkb as shp_wkb
from shapely.ops import unary_union

from referentie_lv.data import imow, stop
from referentie_lv.data.xmlveilig import lees_xml, lokaal

# Bump when the loader or schema changes: an old database is then rebuilt too.
SCHEMA_VERSIE = "7"

PAKKET_BRONNEN = Path(__file__).resolve().parent.parent / "bronnen"
LEVERING_MAP = "gemeentestad"
ADRESSEN_BESTAND = "testadressen.csv"

# The deliveries that make up the versions of the plan, in order.
# - opdracht:     initial publicatieOpdracht; valid from its Tijdstempel juridischWerkendVanaf (2020-01-14).
# - opdracht_10:  directeMutatieOpdracht with OW changes only. It carries NO date at all. Decision:
#                 it takes effect on 2023-02-08, the date of the source commit that published it
#                 (Geonovum/xml_omgevingsplan_gemeentestad 1f8fdd0e, see bronnen/gemeentestad/NOTICE).
# - opdracht_intrekking: withdraws the whole regeling (juridischWerkendVanaf 2021-11-14, i.e. before
#                 opdracht_10 and before the initial delivery's datumBekendmaking). It is a separate
#                 scenario of the source repository, not a successor: applying it would leave nothing to
#                 serve. It is copied but NOT loaded as a version.
VERSIES = [
    {"nr": 1, "map": "opdracht", "geldig_vanaf": None},           # date from the besluit
    {"nr": 2, "map": "opdracht_10", "geldig_vanaf": "2023-02-08"},
]

AFGELEID_AMBTSGEBIED_BUFFER_M = 250.0

SCHEMA = """
CREATE TABLE meta (sleutel TEXT PRIMARY KEY, waarde TEXT);
CREATE TABLE versie (nr INTEGER PRIMARY KEY, map TEXT, opdracht TEXT, id_levering TEXT, doel TEXT,
    geldig_vanaf TEXT, geldig_tot TEXT, toelichting TEXT);
CREATE TABLE regeling (expression TEXT PRIMARY KEY, work TEXT, versie_nr INTEGER, geldig_vanaf TEXT,
    geldig_tot TEXT, officiele_titel TEXT, citeertitel TEXT, opschrift TEXT, soort_regeling TEXT,
    eindverantwoordelijke TEXT, besluit_work TEXT, besluit_expression TEXT, bekend_op TEXT, data TEXT);
CREATE TABLE tekstelement (regeling_expression TEXT, wid TEXT, eid TEXT, ouder_wid TEXT, soort TEXT,
    label TEXT, nummer TEXT, opschrift TEXT, diepte INTEGER, volgorde INTEGER, tekst TEXT,
    blokken TEXT, xml TEXT, PRIMARY KEY (regeling_expression, wid));
CREATE TABLE begrip (regeling_expression TEXT, wid TEXT, eid TEXT, term TEXT, definitie TEXT,
    bron_wid TEXT, bron_label TEXT, informatieobjecten TEXT, PRIMARY KEY (regeling_expression, wid));
CREATE TABLE informatieobject (expression TEXT PRIMARY KEY, work TEXT, naam TEXT, officiele_titel TEXT,
    bestandsnaam TEXT, normlabel TEXT, normid TEXT, eenheidlabel TEXT, eenheidid TEXT, data TEXT);
CREATE TABLE geometrie (id TEXT PRIMARY KEY, gio_expression TEXT, naam TEXT, kwantitatieve_normwaarde REAL,
    kwalitatieve_normwaarde TEXT, afgeleid INTEGER, wkb BLOB, wkt TEXT,
    minx REAL, miny REAL, maxx REAL, maxy REAL);
CREATE INDEX geometrie_bbox ON geometrie (minx, maxx, miny, maxy);
CREATE TABLE owobject (rij INTEGER PRIMARY KEY, identificatie TEXT, type TEXT, versie_nr INTEGER,
    geldig_vanaf TEXT, geldig_tot TEXT, status TEXT, bron TEXT, data TEXT);
CREATE INDEX owobject_id ON owobject (identificatie);
CREATE INDEX owobject_type ON owobject (type);
CREATE TABLE owrelatie (rij INTEGER, van TEXT, rol TEXT, naar TEXT, versie_nr INTEGER);
CREATE INDEX owrelatie_van ON owrelatie (van);
CREATE INDEX owrelatie_naar ON owrelatie (naar);
CREATE TABLE adres (id TEXT PRIMARY KEY, type TEXT, weergavenaam TEXT, straatnaam TEXT, huisnummer INTEGER,
    huisletter TEXT, huisnummertoevoeging TEXT, postcode TEXT, woonplaatsnaam TEXT, gemeentenaam TEXT,
    gemeentecode TEXT, provincienaam TEXT, provinciecode TEXT, rd_x REAL, rd_y REAL, lat REAL, lon REAL,
    gebied TEXT, data TEXT);
"""


def standaard_bronnen() -> Path:
    return PAKKET_BRONNEN


def bron_bestanden(bronnen: Path) -> list[Path]:
    """The files the store is built from: the delivery folder and the address register (bronnen/ also
    holds other helpers' data, e.g. sttr/, which does not affect this database)."""
    lev = bronnen / LEVERING_MAP
    uit = [p for p in lev.rglob("*") if p.is_file()] if lev.exists() else []
    if (bronnen / ADRESSEN_BESTAND).exists():
        uit.append(bronnen / ADRESSEN_BESTAND)
    return sorted(uit)


def bron_hash(bronnen: Path) -> str:
    """sha256 over every source file (relative path + content) plus the schema version."""
    h = hashlib.sha256(SCHEMA_VERSIE.encode())
    for pad in bron_bestanden(bronnen):
        h.update(str(pad.relative_to(bronnen)).encode() + b"\0")
        h.update(pad.read_bytes())
    return h.hexdigest()


def _opdracht_info(map_: Path) -> dict:
    root = lees_xml(map_ / "opdracht.xml").getroot()
    info = {"opdracht": lokaal(root)}
    for k in root:
        if lokaal(k):
            info[lokaal(k)] = " ".join((k.text or "").split())
    return info


def _manifest_ow(map_: Path) -> dict:
    pad = map_ / "manifest-ow.xml"
    if not pad.exists():
        return {"bestanden": [], "doel": None, "work": None}
    root = lees_xml(pad).getroot()
    bestanden, doel, work = [], None, None
    for el in root.iter():
        n = lokaal(el)
        if n == "naam" and lokaal(el.getparent()) == "Bestand":
            bestanden.append(el.text.strip())
        elif n == "DoelID":
            doel = el.text.strip()
        elif n == "WorkIDRegeling":
            work = el.text.strip()
    return {"bestanden": bestanden, "doel": doel, "work": work}


def _manifest(map_: Path) -> list[str]:
    root = lees_xml(map_ / "manifest.xml").getroot()
    return [el.text.strip() for el in root.iter() if lokaal(el) == "bestandsnaam"]


def _relaties(o: dict) -> list[tuple[str, str]]:
    """(rol, naar) for every reference an OW object makes."""
    uit: list[tuple[str, str]] = []
    t = o["type"]
    for rol in ("locaties", "gebiedsaanwijzingen", "omgevingsnormen", "omgevingswaarden", "kaarten",
                "groepselementen", "gerelateerdeActiviteiten", "gerelateerdeRegelteksten"):
        for naar in o.get(rol) or []:
            uit.append((rol, naar))
    if o.get("regeltekst"):
        uit.append(("regeltekst", o["regeltekst"]))
    if o.get("bovenliggendeActiviteit"):
        uit.append(("bovenliggendeActiviteit", o["bovenliggendeActiviteit"]))
    if o.get("geometrieRef"):
        uit.append(("geometrie", o["geometrieRef"]))
    for aa in o.get("activiteitaanduidingen") or []:
        uit.append(("activiteit", aa["activiteit"]))
        for rol in ("locaties", "gebiedsaanwijzingen", "omgevingsnormen"):
            for naar in aa[rol]:
                uit.append(("activiteitlocatieaanduiding." + rol, naar))
    for nw in o.get("normwaarden") or []:
        for naar in nw["locaties"]:
            uit.append(("normwaarde.locaties", naar))
    for laag in o.get("kaartlagen") or []:
        for naar in laag["refs"]:
            uit.append(("kaartlaag", naar))
    if t == "SymbolisatieItem":
        for naar in o["refs"]:
            uit.append(("symboliseert", naar))
    return uit


def lees_bronnen(bronnen: Path) -> dict:
    """Parse every delivery into one in-memory structure (no database yet)."""
    lev = bronnen / LEVERING_MAP
    versies, regelingen, gios, geometrieen, ow_rijen = [], [], [], {}, []
    huidig: dict[str, int] = {}          # identificatie -> index in ow_rijen of the open row
    for v in VERSIES:
        map_ = lev / v["map"]
        opdr = _opdracht_info(map_)
        mow = _manifest_ow(map_)
        manifest = _manifest(map_)
        geldig_vanaf = v["geldig_vanaf"]
        besluit = None
        if opdr.get("publicatie"):
            besluit = stop.lees_besluit(map_ / opdr["publicatie"])
            for ts in besluit["besluit"]["tijdstempels"]:
                if ts["soort"] == "juridischWerkendVanaf" and geldig_vanaf is None:
                    geldig_vanaf = ts["datum"]
        if geldig_vanaf is None:
            geldig_vanaf = opdr.get("datumBekendmaking") or date.today().isoformat()
        versies.append({"nr": v["nr"], "map": v["map"], "opdracht": opdr["opdracht"],
                        "id_levering": opdr.get("idLevering"), "doel": mow["doel"],
                        "geldig_vanaf": geldig_vanaf, "geldig_tot": None,
                        "toelichting": "datum uit besluit (juridischWerkendVanaf)" if v["geldig_vanaf"] is None
                        else "datum gekozen: de opdracht bevat geen datum (zie data/README.md)"})
        if versies[:-1]:
            versies[-2]["geldig_tot"] = geldig_vanaf
        if besluit:
            for reg in besluit["regelingen"]:
                reg.update(versie_nr=v["nr"], geldig_vanaf=geldig_vanaf, geldig_tot=None, besluit=besluit["besluit"])
                for oud in regelingen:
                    if oud["work"] == reg["work"] and oud["geldig_tot"] is None:
                        oud["geldig_tot"] = geldig_vanaf
                regelingen.append(reg)
        # GIO's: every GIO XML in the manifest, with its GML.
        for naam in manifest:
            if not naam.endswith(".xml") or naam in ("manifest.xml", "manifest-ow.xml", "opdracht.xml"):
                continue
            if naam == opdr.get("publicatie") or naam in mow["bestanden"]:
                continue
            meta = stop.lees_gio_metadata(map_ / naam)
            gml = None
            if meta["bestandsnaam"] and meta["bestandsnaam"].endswith(".gml"):
                gml = stop.lees_gml(map_ / meta["bestandsnaam"])
                meta.update(normlabel=gml["normlabel"], normID=gml["normID"], eenheidlabel=gml["eenheidlabel"],
                            eenheidID=gml["eenheidID"])
                for loc in gml["locaties"]:
                    geometrieen[loc["id"]] = {**loc, "gio_expression": meta["expression"], "afgeleid": False}
            meta["geometrie_ids"] = [loc["id"] for loc in gml["locaties"]] if gml else []
            meta["versie_nr"] = v["nr"]
            gios.append(meta)
        # OW objects: replace by identificatie; status 'beëindigen' ends the object.
        for bestand in mow["bestanden"]:
            for o in imow.lees_ow_bestand(map_ / bestand)["objecten"]:
                oud = huidig.pop(o["identificatie"], None)
                if oud is not None:
                    ow_rijen[oud]["geldig_tot"] = geldig_vanaf
                rij = {"identificatie": o["identificatie"], "type": o["type"], "versie_nr": v["nr"],
                       "geldig_vanaf": geldig_vanaf, "geldig_tot": None, "status": o.get("status"),
                       "bron": f"{v['map']}/{bestand}", "data": o}
                if o.get("status") == "beëindigen":
                    # Kept as a record of the delivery, valid for no date at all.
                    rij["geldig_tot"] = geldig_vanaf
                    ow_rijen.append(rij)
                else:
                    huidig[o["identificatie"]] = len(ow_rijen)
                    ow_rijen.append(rij)
    # Ambtsgebied: the delivery only refers to the external register of administrative boundaries
    # (BestuurlijkeGrenzen, GM0297); that geometry is not in the files. Stand-in: convex hull of all
    # GIO geometries of the plan, buffered; marked afgeleid.
    for rij in ow_rijen:
        o = rij["data"]
        if o["type"] == "Ambtsgebied" and not o.get("geometrieRef"):
            gid = f"afgeleid.ambtsgebied.{o.get('bestuurlijkeGrenzenID') or o['identificatie']}"
            if gid not in geometrieen:
                romp = unary_union([g["geometrie"] for g in geometrieen.values()]).convex_hull
                geometrieen[gid] = {"id": gid, "naam": f"Ambtsgebied {o.get('bestuurlijkeGrenzenID')} (afgeleid)",
                                    "geometrie": romp.buffer(AFGELEID_AMBTSGEBIED_BUFFER_M, quad_segs=4),
                                    "kwantitatieveNormwaarde": None, "kwalitatieveNormwaarde": None,
                                    "gio_expression": None, "afgeleid": True}
            o["geometrieRef"] = gid
            o["geometrieAfgeleid"] = True
    return {"versies": versies, "regelingen": regelingen, "gios": gios, "geometrieen": geometrieen,
            "ow": ow_rijen}


def lees_adressen(bronnen: Path) -> list[dict]:
    pad = bronnen / ADRESSEN_BESTAND
    if not pad.exists():
        return []
    with pad.open(encoding="utf-8", newline="") as f:
        regels = [r for r in f if not r.startswith("#")]
    return list(csv.DictReader(regels))


def bouw(db_pad: Path, bronnen: Path, h: str | None = None) -> None:
    """Build the database into a temp file next to db_pad, then move it in place (atomic)."""
    h = h or bron_hash(bronnen)
    data = lees_bronnen(bronnen)
    adressen = lees_adressen(bronnen)
    db_pad.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".bouw-", suffix=".sqlite", dir=db_pad.parent)
    os.close(fd)
    try:
        con = sqlite3.connect(tmp)
        con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
        j = lambda x: json.dumps(x, ensure_ascii=False)  # noqa: E731
        con.executemany("INSERT INTO meta VALUES (?,?)", [
            ("bron_hash", h), ("schema_versie", SCHEMA_VERSIE),
            ("gebouwd_op", datetime.now(UTC).isoformat(timespec="seconds")),
        ])
        con.executemany("INSERT INTO versie VALUES (:nr,:map,:opdracht,:id_levering,:doel,:geldig_vanaf,"
                        ":geldig_tot,:toelichting)", data["versies"])
        for reg in data["regelingen"]:
            b = reg["besluit"]
            con.execute("INSERT INTO regeling VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (
                reg["expression"], reg["work"], reg["versie_nr"], reg["geldig_vanaf"], reg["geldig_tot"],
                reg.get("officieleTitel"), reg.get("citeertitel"), reg.get("opschrift"), reg.get("soortRegeling"),
                reg.get("eindverantwoordelijke"), b["work"], b["expression"], b["bekendOp"],
                j({k: v for k, v in reg.items() if k not in ("tekst", "begrippen")})))
            con.executemany("INSERT INTO tekstelement VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", [
                (reg["expression"], k["wId"], k["eId"], k["ouder"], k["soort"], k["label"], k["nummer"],
                 k["opschrift"], k["diepte"], k["volgorde"], k["tekst"], j(k["blokken"]), k["xml"])
                for k in reg["tekst"]])
            con.executemany("INSERT INTO begrip VALUES (?,?,?,?,?,?,?,?)", [
                (reg["expression"], b["wId"], b["eId"], b["term"], b["definitie"], b["bron_wId"],
                 b["bron_label"], j(b["informatieobjecten"])) for b in reg["begrippen"]])
        con.executemany("INSERT INTO informatieobject VALUES (?,?,?,?,?,?,?,?,?,?)", [
            (g["expression"], g["work"], g["naam"], g["officieleTitel"], g["bestandsnaam"], g.get("normlabel"),
             g.get("normID"), g.get("eenheidlabel"), g.get("eenheidID"), j(g)) for g in data["gios"]])
        rijen = []
        for g in data["geometrieen"].values():
            geo = g["geometrie"]
            rijen.append((g["id"], g["gio_expression"], g["naam"], g["kwantitatieveNormwaarde"],
                          g["kwalitatieveNormwaarde"], int(g["afgeleid"]), shp_wkb.dumps(geo), geo.wkt,
                          *geo.bounds))
        con.executemany("INSERT INTO geometrie VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rijen)
        con.executemany("INSERT INTO owobject VALUES (?,?,?,?,?,?,?,?,?)", [
            (i, r["identificatie"], r["type"], r["versie_nr"], r["geldig_vanaf"], r["geldig_tot"],
             r["status"], r["bron"], j(r["data"])) for i, r in enumerate(data["ow"], 1)])
        con.executemany("INSERT INTO owrelatie VALUES (?,?,?,?,?)", [
            (i, r["identificatie"], rol, naar, r["versie_nr"])
            for i, r in enumerate(data["ow"], 1) for rol, naar in _relaties(r["data"])])
        kolommen = ["id", "type", "weergavenaam", "straatnaam", "huisnummer", "huisletter", "huisnummertoevoeging",
                    "postcode", "woonplaatsnaam", "gemeentenaam", "gemeentecode", "provincienaam", "provinciecode",
                    "rd_x", "rd_y", "lat", "lon", "gebied"]
        plaatsen = ",".join("?" * (len(kolommen) + 1))      # only placeholders: values are bound
        con.executemany(f"INSERT INTO adres VALUES ({plaatsen})", [  # noqa: S608 -- placeholders only
            tuple((a.get(k) or None) for k in kolommen) + (j(a),) for a in adressen])
        con.commit()
        con.close()
        os.replace(tmp, db_pad)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def lees_meta(db_pad: Path) -> dict:
    con = sqlite3.connect(f"file:{db_pad}?mode=ro", uri=True)
    try:
        return dict(con.execute("SELECT sleutel, waarde FROM meta"))
    finally:
        con.close()


def zorg_voor_database(db_pad: Path, bronnen: Path) -> bool:
    """Build if missing or stale. Returns True when it (re)built."""
    h = bron_hash(bronnen)
    if db_pad.exists():
        try:
            if lees_meta(db_pad).get("bron_hash") == h:
                return False
        except sqlite3.DatabaseError:
            pass
    bouw(db_pad, bronnen, h)
    return True
