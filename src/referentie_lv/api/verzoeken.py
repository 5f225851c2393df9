"""Verzoek indienen v1 and Verzoek afhandelen v1 (modelled services, specs in ../specs/).

Indienen (the loket's side): one POST with project, location, activities, answers and base64
attachments; the reference determines the bevoegd gezag from the activities and answers with a
verzoeknummer. Afhandelen (the bevoegd gezag's side): list new request references, fetch a
request as namespaced XML (STAM spirit, our own namespace and XSD) or JSON, fetch attachments,
confirm receipt.

A submitted request is persisted in SQLite (``verzoeken.sqlite`` in Config.data_map) and is
immutable afterwards: only the receipt status changes. Both services share one store per file.
The XML message and the PDF summary of a request are built in ``verzoekbericht.py``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
import sqlite3
import threading
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import shapely.errors
from shapely.geometry import shape
from starlette.requests import Request
from starlette.responses import Response

from referentie_lv.api import basis
from referentie_lv.api.presenteren import (
    MAX_PAGINA,
    body_validator,
    gedeelde_store,
    gezag,
    np_fouten_stil,
    plat,
    valideer_body,
)
from referentie_lv.api.verzoekbericht import verzoek_pdf, verzoekbericht
from referentie_lv.config import Config
from referentie_lv.data.store import PROJECT_ROOT

BASIS_INDIENEN = "/publiek/verzoeken/api/indienen/v1"
BASIS_AFHANDELEN = "/overheid/verzoeken/api/afhandelen/v1"
DB_NAAM = "verzoeken.sqlite"

XML = "application/xml"
PDF = "application/pdf"

# Limits (also in the spec's info.description).
MAX_BODY = 30 * 1024 * 1024
MAX_BIJLAGE = 5 * 1024 * 1024
# Allowed attachment types: the spec's NieuweBijlage.mediatype enum (checked by the schema);
# _controleer_inhoud checks that the content matches the declared type.

# RD New validity area (EPSG:28992 bounds): coordinates outside are certainly not RD.
RD_BEREIK = (-7000.0, 289000.0, 300000.0, 629000.0)

_NUMMER = re.compile(r"OLO\d{7}")
_BIJLAGE_ID = re.compile(r"\d{1,2}")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS verzoek (
    volgnummer INTEGER PRIMARY KEY AUTOINCREMENT,
    nummer TEXT UNIQUE NOT NULL,
    soort TEXT NOT NULL,
    status TEXT NOT NULL,
    ingediend_op TEXT NOT NULL,
    ontvangen_op TEXT,
    bevoegd_gezag_code TEXT NOT NULL,
    bevoegd_gezag_naam TEXT NOT NULL,
    projectnaam TEXT NOT NULL,
    gegevens TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS verzoek_status ON verzoek (status, volgnummer);
CREATE TABLE IF NOT EXISTS bijlage (
    verzoeknummer TEXT NOT NULL,
    id TEXT NOT NULL,
    bestandsnaam TEXT NOT NULL,
    mediatype TEXT NOT NULL,
    omschrijving TEXT,
    grootte INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    inhoud BLOB NOT NULL,
    PRIMARY KEY (verzoeknummer, id)
);
"""


# --------------------------------------------------------------------------- persistence

class Verzoekenopslag:
    """SQLite store of submitted requests. One connection, serialised by a lock (small volumes)."""

    def __init__(self, pad: Path):
        pad.parent.mkdir(parents=True, exist_ok=True)
        self.pad = pad
        self._slot = threading.Lock()
        self._con = sqlite3.connect(pad, check_same_thread=False, isolation_level=None)
        self._con.row_factory = sqlite3.Row
        self._con.execute("PRAGMA journal_mode=WAL")
        self._con.execute("PRAGMA synchronous=FULL")    # a confirmed request must survive a crash
        self._con.executescript(_SCHEMA)

    def dien_in(self, soort: str, projectnaam: str, gezag: dict, gegevens: dict,
                bijlagen: list[tuple[dict, bytes]]) -> dict:
        nu = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        with self._slot:
            self._con.execute("BEGIN IMMEDIATE")
            try:
                cur = self._con.execute(
                    "INSERT INTO verzoek (nummer, soort, status, ingediend_op, bevoegd_gezag_code, "
                    "bevoegd_gezag_naam, projectnaam, gegevens) VALUES (?, ?, 'nieuw', ?, ?, ?, ?, ?)",
                    ("voorlopig", soort, nu, gezag["code"], gezag["naam"], projectnaam,
                     json.dumps(gegevens, ensure_ascii=False)))
                volgnummer = cur.lastrowid
                nummer = f"OLO{1_000_000 + volgnummer:07d}"
                self._con.execute("UPDATE verzoek SET nummer = ? WHERE volgnummer = ?",
                                  (nummer, volgnummer))
                for meta, inhoud in bijlagen:
                    self._con.execute(
                        "INSERT INTO bijlage VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (nummer, meta["id"], meta["bestandsnaam"], meta["mediatype"],
                         meta.get("omschrijving"), meta["grootte"], meta["sha256"], inhoud))
                self._con.execute("COMMIT")
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
        return self.haal(nummer)  # type: ignore[return-value]

    def _uit(self, r: sqlite3.Row, bijlagen: list[dict]) -> dict:
        return {"verzoeknummer": r["nummer"], "soort": r["soort"], "status": r["status"],
                "ingediendOp": r["ingediend_op"], "ontvangenOp": r["ontvangen_op"],
                "bevoegdGezag": {"code": r["bevoegd_gezag_code"], "naam": r["bevoegd_gezag_naam"]},
                "projectnaam": r["projectnaam"], "gegevens": json.loads(r["gegevens"]),
                "bijlagen": bijlagen}

    def haal(self, nummer: str) -> dict | None:
        with self._slot:
            r = self._con.execute("SELECT * FROM verzoek WHERE nummer = ?", (nummer,)).fetchone()
            if r is None:
                return None
            bijlagen = [dict(b) for b in self._con.execute(
                "SELECT id, bestandsnaam, mediatype, omschrijving, grootte, sha256 FROM bijlage "
                "WHERE verzoeknummer = ? ORDER BY CAST(id AS INTEGER)", (nummer,))]
        return self._uit(r, bijlagen)

    def lijst(self, status: str, gezag: str | None, start: int, aantal: int) -> tuple[int, list[dict]]:
        waar, args = "status = ?", [status]
        if gezag:
            waar += " AND bevoegd_gezag_code = ?"
            args.append(gezag)
        with self._slot:
            # 'waar' is built above from fixed fragments only; the values are bound parameters.
            totaal = self._con.execute(
                f"SELECT COUNT(*) FROM verzoek WHERE {waar}", args).fetchone()[0]  # noqa: S608 -- see above
            rijen = self._con.execute(
                f"SELECT * FROM verzoek WHERE {waar} ORDER BY volgnummer LIMIT ? OFFSET ?",  # noqa: S608 -- see above
                [*args, aantal, start]).fetchall()
        return totaal, [self._uit(r, []) for r in rijen]

    def bijlage(self, nummer: str, bijlage_id: str) -> tuple[dict, bytes] | None:
        with self._slot:
            r = self._con.execute("SELECT * FROM bijlage WHERE verzoeknummer = ? AND id = ?",
                                  (nummer, bijlage_id)).fetchone()
        if r is None:
            return None
        d = dict(r)
        return d, d.pop("inhoud")

    def bevestig_ontvangst(self, nummer: str) -> dict | None:
        nu = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        with self._slot:
            # Idempotent: only the first confirmation sets the time.
            self._con.execute("UPDATE verzoek SET status = 'ontvangen', ontvangen_op = ? "
                              "WHERE nummer = ? AND status = 'nieuw'", (nu, nummer))
        return self.haal(nummer)


@lru_cache(maxsize=8)
def _opslag(pad: str) -> Verzoekenopslag:
    return Verzoekenopslag(Path(pad))


def opslag(config: Config) -> Verzoekenopslag:
    """The shared store of the data map (indienen and afhandelen must see the same requests)."""
    map_ = Path(config.data_map) if config.data_map else PROJECT_ROOT / "var" / "referentie-lv"
    return _opslag(str((map_ / DB_NAAM).resolve()))


# --------------------------------------------------------------------------- validation

def _onverwerkbaar(naam: str, reden: str, code: str) -> basis.Probleem:
    return basis.ongeldige_parameter(naam, reden, code, status=422)


def _controleer_inhoud(mediatype: str, inhoud: bytes) -> bool:
    """Does the content match the declared type (magic bytes; text must be UTF-8 without NUL)?"""
    if mediatype == "application/pdf":
        return inhoud.startswith(b"%PDF-")
    if mediatype == "image/png":
        return inhoud.startswith(b"\x89PNG\r\n\x1a\n")
    if mediatype == "image/jpeg":
        return inhoud.startswith(b"\xff\xd8\xff")
    if mediatype == "text/plain":
        try:
            return "\x00" not in inhoud.decode("utf-8")
        except UnicodeDecodeError:
            return False
    return False


def _geometrie(body: dict) -> dict:
    g = body["locatie"]["geometrie"]
    naam = "locatie.geometrie"
    try:
        with np_fouten_stil():
            vorm = shape({"type": g["type"], "coordinates": plat(g["coordinates"])})
            x0, y0, x1, y1 = vorm.bounds if not vorm.is_empty else (0.0, 0.0, 0.0, 0.0)
            # Bounds first: validity checks on absurd coordinates can make GEOS fail.
            if not all(math.isfinite(v) for v in (x0, y0, x1, y1)) or x0 < RD_BEREIK[0] \
                    or y0 < RD_BEREIK[1] or x1 > RD_BEREIK[2] or y1 > RD_BEREIK[3]:
                raise _onverwerkbaar(naam, "De coördinaten liggen niet in het RD New-gebied "
                                           "(EPSG:28992).", "crs")
            geldig = not vorm.is_empty and vorm.is_valid
    except (ValueError, TypeError, shapely.errors.GEOSException):
        raise _onverwerkbaar(naam, "Geen geldige GeoJSON-geometrie.", "geometry") from None
    if not geldig:
        raise _onverwerkbaar(naam, "De geometrie is leeg of ongeldig (bijvoorbeeld een "
                                   "zichzelf snijdende ring).", "geometry")
    return g


def _bevoegd_gezag(config: Config, activiteiten: list[dict]) -> tuple[dict, list[dict]]:
    """Each activity must exist in the loaded omgevingsplan; its owner is the bevoegd gezag."""
    store = gedeelde_store(config)
    gekozen, gezag_code = [], None
    for i, a in enumerate(activiteiten):
        act = store.activiteit(a["identificatie"])
        if act is None:
            raise _onverwerkbaar(f"activiteiten[{i}].identificatie",
                                 f"Activiteit '{a['identificatie']}' is niet bekend.", "unknown")
        gekozen.append({"identificatie": a["identificatie"], "naam": act.get("naam")})
        m = re.match(r"nl\.imow-([a-z]+\d+)\.", a["identificatie"])
        code = m.group(1) if m else "onbekend"
        if gezag_code is None:
            gezag_code = code
        elif code != gezag_code:
            raise _onverwerkbaar(f"activiteiten[{i}].identificatie",
                                 "Activiteiten van verschillende bevoegde gezagen: dien per "
                                 "bevoegd gezag een apart verzoek in.", "bevoegdGezag")
    return gezag(store, gezag_code or "onbekend"), gekozen


# --------------------------------------------------------------------------- representations

def _href(request: Request, basispad: str, pad: str) -> str:
    host = request.headers.get("host") or "127.0.0.1"
    return f"{request.url.scheme}://{host}{basispad}{pad}"


def _bevestiging(request: Request, v: dict) -> dict:
    g = v["gegevens"]
    return {"verzoeknummer": v["verzoeknummer"], "soort": v["soort"],
            "projectnaam": v["projectnaam"], "ingediendOp": v["ingediendOp"],
            "bevoegdGezag": v["bevoegdGezag"], "activiteiten": g["activiteiten"],
            "bijlagen": [{k: b[k] for k in ("id", "bestandsnaam", "mediatype", "grootte", "sha256")}
                         for b in v["bijlagen"]],
            "_links": {"self": {"href": _href(request, BASIS_INDIENEN,
                                              f"/verzoeken/{v['verzoeknummer']}")}}}


def _referentie(request: Request, v: dict) -> dict:
    nr = v["verzoeknummer"]
    links = {"self": {"href": _href(request, BASIS_AFHANDELEN, f"/verzoeken/{nr}")}}
    if v["status"] == "nieuw":
        links["ontvangstbevestigen"] = {
            "href": _href(request, BASIS_AFHANDELEN, f"/verzoeken/{nr}/_ontvangstbevestigen")}
    return {"verzoeknummer": nr, "soort": v["soort"], "status": v["status"],
            "ingediendOp": v["ingediendOp"], "ontvangenOp": v["ontvangenOp"],
            "bevoegdGezag": v["bevoegdGezag"], "projectnaam": v["projectnaam"], "_links": links}


def _bijlage_href(request: Request, nr: str, bijlage_id: str) -> str:
    return _href(request, BASIS_AFHANDELEN, f"/verzoeken/{nr}/bijlagen/{bijlage_id}")


def _detail(request: Request, v: dict) -> dict:
    g = v["gegevens"]
    ref = _referentie(request, v)
    return {"verzoeknummer": v["verzoeknummer"], "soort": v["soort"], "status": v["status"],
            "ingediendOp": v["ingediendOp"], "ontvangenOp": v["ontvangenOp"],
            "bevoegdGezag": v["bevoegdGezag"],
            "project": {"naam": g["projectnaam"], "omschrijving": g.get("projectomschrijving")},
            "indiener": g.get("indiener"), "locatie": g["locatie"],
            "activiteiten": g["activiteiten"], "antwoorden": g.get("antwoorden", []),
            "bijlagen": [{**b, "_links": {"inhoud": {"href": _bijlage_href(request, v["verzoeknummer"],
                                                                           b["id"])}}}
                         for b in v["bijlagen"]],
            "_links": ref["_links"]}


_SURROGAAT = re.compile(r"[\ud800-\udfff]")


def _geen_losse_surrogaten(o: Any, pad: str = "") -> None:
    """400 for strings with lone UTF-16 surrogates: not Unicode text, cannot be stored or sent."""
    if isinstance(o, str):
        if _SURROGAAT.search(o):
            raise basis.ongeldige_parameter(pad or "(body)", "Tekst bevat ongeldige Unicode "
                                                             "(losse surrogaten).", "unicode")
    elif isinstance(o, dict):
        for k, w in o.items():
            _geen_losse_surrogaten(k, pad or "(body)")
            _geen_losse_surrogaten(w, f"{pad}.{k}" if pad else str(k))
    elif isinstance(o, list):
        for i, w in enumerate(o):
            _geen_losse_surrogaten(w, f"{pad}[{i}]")


def _verzoeknummer(request: Request) -> str:
    nr = request.path_params["verzoeknummer"]
    if not _NUMMER.fullmatch(nr):
        raise basis.ongeldige_parameter("verzoeknummer", "Een verzoeknummer is 'OLO' gevolgd door "
                                                         "7 cijfers.", "pattern")
    return nr


def _gevonden(v: dict | None, nr: str) -> dict:
    """The request, or 404 when verzoeknummer ``nr`` does not exist."""
    if v is None:
        raise basis.Probleem(404, f"Verzoek {nr} bestaat niet.")
    return v


def _formaat(accept: str | None) -> str:
    """'xml', 'json' or 'pdf': the first supported type in Accept decides (q ignored); XML when
    nothing specific is asked (the documented default)."""
    for deel in (accept or "").split(","):
        mt = deel.split(";", 1)[0].strip().lower()
        if mt in (basis.HAL_JSON, basis.JSON):
            return "json"
        if mt == PDF:
            return "pdf"
        if mt in (XML, "text/xml", "application/*", "*/*"):
            return "xml"
    return "xml"


# --------------------------------------------------------------------------- services

def dienst_indienen(config: Config) -> basis.Dienst:
    d = basis.Dienst("verzoeken-indienen", BASIS_INDIENEN, basis.SPECS / "verzoeken-indienen.yaml",
                     max_body=MAX_BODY)
    db = opslag(config)

    @d.post("/verzoeken", levert=(basis.HAL_JSON, basis.JSON))
    async def indienen(request: Request) -> Response:
        basis.content_crs(request, verplicht=True)
        # The standard library's parser: it keeps lone surrogates, which get their own 400 below.
        body = basis.json_uit(await request.body(), json.loads)
        _geen_losse_surrogaten(body)
        valideer_body(body_validator("verzoeken-indienen.yaml", "Verzoek"), body, "Verzoek")
        geometrie = _geometrie(body)
        gezag, activiteiten = _bevoegd_gezag(config, body["activiteiten"])
        bijlagen: list[tuple[dict, bytes]] = []
        for i, b in enumerate(body.get("bijlagen", [])):
            naam = f"bijlagen[{i}].inhoud"
            try:
                inhoud = base64.b64decode(b["inhoud"], validate=True)
            except (binascii.Error, ValueError):
                raise basis.ongeldige_parameter(naam, "Geen geldige base64.", "base64") from None
            if len(inhoud) > MAX_BIJLAGE:
                raise basis.Probleem(413, f"Bijlage {i} ('{b['bestandsnaam']}') is groter dan "
                                          f"{MAX_BIJLAGE // (1024 * 1024)} MiB.",
                                     title="Bijlage te groot.", code="payloadTooLarge",
                                     invalid_params=[{"name": naam, "code": "maxSize",
                                                      "reason": "Bijlage te groot."}])
            if not inhoud or not _controleer_inhoud(b["mediatype"], inhoud):
                raise _onverwerkbaar(naam, f"De inhoud is geen {b['mediatype']}.", "mediatype")
            bijlagen.append(({"id": str(i + 1), "bestandsnaam": b["bestandsnaam"],
                              "mediatype": b["mediatype"], "omschrijving": b.get("omschrijving"),
                              "grootte": len(inhoud),
                              "sha256": hashlib.sha256(inhoud).hexdigest()}, inhoud))
        gegevens = {
            "projectnaam": body["projectnaam"],
            "projectomschrijving": body.get("projectomschrijving"),
            "locatie": {"omschrijving": body["locatie"].get("omschrijving"),
                        "adres": body["locatie"].get("adres"), "geometrie": geometrie},
            "activiteiten": activiteiten,
            "antwoorden": [{k: a.get(k) for k in ("vraag", "vraagTekst", "antwoord",
                                                  "functioneleStructuurRef")}
                           for a in body.get("antwoorden", [])],
            "indiener": body.get("indiener"),
        }
        v = db.dien_in(body["soort"], body["projectnaam"], gezag, gegevens, bijlagen)
        inhoud = _bevestiging(request, v)
        return basis.hal(inhoud, status=201, headers={"Location": inhoud["_links"]["self"]["href"]})

    @d.get("/verzoeken/{verzoeknummer}")
    async def bevestiging(request: Request) -> Response:
        nr = _verzoeknummer(request)
        v = _gevonden(db.haal(nr), nr)
        return basis.hal(_bevestiging(request, v))

    return d


def dienst_afhandelen(config: Config) -> basis.Dienst:
    d = basis.Dienst("verzoeken-afhandelen", BASIS_AFHANDELEN,
                     basis.SPECS / "verzoeken-afhandelen.yaml")
    db = opslag(config)

    @d.get("/verzoeken")
    async def referenties(request: Request) -> Response:
        basis.onbekende_parameters(request, ("status", "bevoegdGezag", "page", "pageSize"))
        status = basis.keuze(request, "status", ("nieuw", "ontvangen"), standaard="nieuw")
        gezag = basis.tekst(request, "bevoegdGezag", patroon=re.compile(r"(gm|pv|ws|mnre)\d{2,4}"))
        p = basis.pagina(request, grootte_naam="pageSize", max_pagina=MAX_PAGINA)
        totaal, lijst = db.lijst(status, gezag, p.start, p.grootte)  # type: ignore[arg-type]
        return basis.hal_pagina(request, p, totaal,
                                {"verzoekreferenties": [_referentie(request, v) for v in lijst]})

    @d.get("/verzoeken/{verzoeknummer}", levert=(XML, "text/xml", basis.HAL_JSON, basis.JSON, PDF))
    async def verzoek(request: Request) -> Response:
        nr = _verzoeknummer(request)
        v = _gevonden(db.haal(nr), nr)
        formaat = _formaat(request.headers.get("accept"))
        if formaat == "json":
            return basis.hal(_detail(request, v))
        if formaat == "pdf":
            return Response(verzoek_pdf(v), media_type=PDF, headers={
                "Content-Disposition": f'inline; filename="{nr}.pdf"'})
        return Response(verzoekbericht(v, lambda bid: _bijlage_href(request, nr, bid)), media_type=XML)

    @d.get("/verzoeken/{verzoeknummer}/bijlagen/{bijlageId}", levert=None)
    async def bijlage(request: Request) -> Response:
        nr = _verzoeknummer(request)
        bijlage_id = request.path_params["bijlageId"]
        if not _BIJLAGE_ID.fullmatch(bijlage_id):
            raise basis.ongeldige_parameter("bijlageId", "Een bijlage-id is een getal.", "pattern")
        gevonden = db.bijlage(nr, bijlage_id)
        if gevonden is None:
            raise basis.Probleem(404, f"Bijlage {bijlage_id} van verzoek {nr} bestaat niet.")
        meta, inhoud = gevonden
        return Response(inhoud, media_type=meta["mediatype"], headers={
            "Content-Disposition": "attachment; filename*=UTF-8''" + quote(meta["bestandsnaam"]),
            "X-Content-Type-Options": "nosniff"})

    @d.post("/verzoeken/{verzoeknummer}/_ontvangstbevestigen", neemt=None)
    async def ontvangst(request: Request) -> Response:
        nr = _verzoeknummer(request)
        v = _gevonden(db.bevestig_ontvangst(nr), nr)
        return basis.hal(_referentie(request, v))

    return d
