"""Toepasbare regels uitvoeren v3 (modelled; spec ``specs/uitvoeren.yaml``).

Executes the real STTR packages (``referentie_lv.sttr``): per activity the next question(s) to ask
or the conclusion with its explanation. Decisions where the public documentation is silent:
- A request names ``activiteiten`` and/or ``werkzaamheden`` (a werkzaamheid stands for every
  activity the "toepasbaar maken" packages link to it); answers are ``{vraagId, waarde}`` with the
  ``vraagId`` as returned in a question (unique over all toepasbare regels).
- With ``locatie`` (GeoJSON Point/Polygon in RD New, ``Content-Crs`` required) an activity the
  omgevingsplan does not regulate at that location gets status ``nietOpLocatie`` and no questions.
- A body the schema refuses is 400; a schema-valid body whose content does not fit is 422: an
  id that does not exist (activity, werkzaamheid, vraagId), an answer of the wrong type for its
  question (a number question answered ``false``), a ``locatie`` that is no valid geometry or lies
  outside RD New, or a ``locatie`` without ``Content-Crs``. The schema cannot say per vraagId which
  type is right or which ids exist; 422 ("content understood, cannot be processed", RFC 9110) is
  what the spec declares for them, and the contract phase expects it for these operations only
  (contracts/contracten.toml, [[verwacht]]). Both name the field in ``invalidParams``.
- No maatregelen-op-maat packages exist in the delivery: ``/maatregelen/_bepaal`` answers per
  activity with status ``geenToepasbareRegels``, as it would for any activity without them.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from shapely.geometry import shape
from starlette.requests import Request
from starlette.responses import Response

from referentie_lv import fouten
from referentie_lv.api import basis
from referentie_lv.config import Config
from referentie_lv.sttr import OngeldigAntwoord, Vraag, Vragenboom, als_json, regelbank
from referentie_lv.sttr.model import Model
from referentie_lv.sttr.vragenboom import zet_om

BASISPAD = "/publiek/toepasbare-regels/api/toepasbareregelsuitvoerenservices/v3"
SPEC = basis.SPECS / "uitvoeren.yaml"
FOUT_VERKEERDE_CONCLUSIE = "verkeerde-conclusie"
FOUT_VERSCHOVEN_DREMPEL = "verschoven-drempel"
FOUT_VERWISSELD = "verwisselde-conclusie"

# Fault "verkeerde-conclusie": what each conclusion becomes.
_VERKEERD = {"Vergunningplicht": "Toestemmingsvrij", "Toestemmingsvrij": "Vergunningplicht",
             "Meldingsplicht": "Vergunningplicht", "Informatieplicht": "Toestemmingsvrij"}

_VELDEN = {"activiteiten", "werkzaamheden", "locatie", "antwoorden"}
_RD_GRENZEN = (-7000.0, 289000.0, 300000.0, 629000.0)     # EPSG:28992 bounds
_MAX_LIJST = 50
MAX_PAGINA = 100_000                                   # as in the spec


@lru_cache(maxsize=4)
def _store(data_map: str | None):
    from referentie_lv.data.store import Store
    return Store.open(data_map)


def werkzaamheid_naam(urn: str) -> str:
    woorden = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", urn).split()
    return " ".join([woorden[0]] + [w.lower() for w in woorden[1:]]) if woorden else urn


def _iso_datum(d: str | None) -> str | None:
    if not d:
        return None
    try:
        return datetime.strptime(d, "%d-%m-%Y").date().isoformat()
    except ValueError:
        return None


class Uitvoeren:
    """The service's knowledge: the regelbank plus one Vragenboom per model (built once)."""

    def __init__(self, config: Config):
        self.config = config
        self.bank = regelbank()
        self.bomen = {m.id: Vragenboom(m) for m in self.bank.modellen}
        self.vragen: dict[str, tuple[Vragenboom, Vraag]] = {
            v.id: (b, v) for b in self.bomen.values() for v in b.vragen}
        self.activiteit_ids = sorted(set(self.bank.activiteiten) |
                                     {a for m in self.bank.modellen for a in m.activiteiten})

    def activiteit_naam(self, ident: str) -> str:
        a = _store(self.config.data_map).activiteit(ident)
        if a and a.get("naam"):
            return a["naam"]
        for m in self.bank.modellen:
            if ident in m.activiteiten and m.regelgroepen:
                return next(iter(m.regelgroepen.values())).naam
        return ident

    def activiteiten_op(self, geometrie) -> set[str]:
        return set(_store(self.config.data_map).annotaties_op(geometrie)["activiteiten"])


def _regel_hal(request: Request, m: Model, met_vragen: bool, boom: Vragenboom) -> dict:
    basis_url = basis.basis_url(request)
    fs = m.functionele_structuren[0] if m.functionele_structuren else None
    uit = {
        "identificatie": m.id, "naam": m.naam, "typering": m.typering,
        "toestemming": fs.toestemming if fs else None,
        "activiteiten": m.activiteiten,
        "geldigBegindatum": _iso_datum(m.geldig_begindatum),
        "aantalVragen": len(boom.vragen),
        "_links": {"self": {"href": f"{basis_url}/toepasbare-regels/{m.id}"}},
    }
    if met_vragen:
        uit["vragen"] = [v.als_dict() for v in boom.vragen]
    return uit


def dienst(config: Config) -> basis.Dienst:
    d = basis.Dienst("uitvoeren", BASISPAD, SPEC)
    cache: list[Uitvoeren] = []

    def u() -> Uitvoeren:
        if not cache:
            cache.append(Uitvoeren(config))
        return cache[0]

    # Decided once, at build time: with the fault off, no fault code runs per request.
    verkeerd = fouten.actief(config.fouten, FOUT_VERKEERDE_CONCLUSIE)
    verschoven = fouten.actief(config.fouten, FOUT_VERSCHOVEN_DREMPEL)
    # "verwisselde-conclusie:<activiteit>": the one activity whose conclusion is wrong.
    verwisseld = {f.partition(":")[2] for f in config.fouten if f.startswith(FOUT_VERWISSELD + ":")}

    # -- listings ----------------------------------------------------------------------------

    @d.get("/werkzaamheden")
    async def werkzaamheden(request: Request) -> Response:
        basis.onbekende_parameters(request, {"page", "pageSize"})
        p = basis.pagina(request, "pageSize", standaard=20, maximum=100, max_pagina=MAX_PAGINA)
        x = u()
        alle = sorted(x.bank.werkzaamheden.items())
        items = [{"identificatie": urn, "naam": werkzaamheid_naam(urn),
                  "activiteiten": [{"identificatie": a, "naam": x.activiteit_naam(a)} for a in acts],
                  "_links": {"self": {"href": f"{basis.basis_url(request)}/werkzaamheden/{urn}"}}}
                 for urn, acts in alle[p.start:p.start + p.grootte]]
        return basis.hal_pagina(request, p, len(alle), {"werkzaamheden": items})

    @d.get("/werkzaamheden/{identificatie}")
    async def werkzaamheid(request: Request) -> Response:
        urn = request.path_params["identificatie"]
        x = u()
        acts = x.bank.werkzaamheden.get(urn)
        if acts is None:
            raise basis.Probleem(404, f"Er is geen werkzaamheid met identificatie '{urn}'.")
        return basis.hal({"identificatie": urn, "naam": werkzaamheid_naam(urn),
                          "activiteiten": [{"identificatie": a, "naam": x.activiteit_naam(a)} for a in acts],
                          "_links": {"self": {"href": f"{basis.basis_url(request)}/werkzaamheden/{urn}"}}})

    @d.get("/toepasbare-regels")
    async def toepasbare_regels(request: Request) -> Response:
        basis.onbekende_parameters(request, {"page", "pageSize", "activiteit", "typering"})
        p = basis.pagina(request, "pageSize", standaard=20, maximum=100, max_pagina=MAX_PAGINA)
        activiteit = basis.tekst(request, "activiteit", max_lengte=200)
        typering = basis.keuze(request, "typering", ("Conclusie", "Indieningsvereisten", "Maatregelen"))
        x = u()
        modellen = [m for m in x.bank.modellen
                    if (activiteit is None or activiteit in m.activiteiten)
                    and (typering is None or m.typering == typering)]
        stuk = modellen[p.start:p.start + p.grootte]
        return basis.hal_pagina(request, p, len(modellen), {
            "toepasbareRegels": [_regel_hal(request, m, False, x.bomen[m.id]) for m in stuk]})

    @d.get("/toepasbare-regels/{identificatie}")
    async def toepasbare_regel(request: Request) -> Response:
        ident = request.path_params["identificatie"]
        x = u()
        boom = x.bomen.get(ident)
        if boom is None:
            raise basis.Probleem(404, f"Er zijn geen toepasbare regels met identificatie '{ident}'.")
        return basis.hal(_regel_hal(request, boom.model, True, boom))

    # -- executing ---------------------------------------------------------------------------

    async def bepaal(request: Request, typering: str) -> Response:
        basis.onbekende_parameters(request, set())
        body = await basis.lees_json(request)
        x = u()
        activiteiten, antwoorden, geometrie = _lees_verzoek(request, body, x)
        op_locatie = x.activiteiten_op(geometrie) if geometrie is not None else None
        resultaten = []
        for act in activiteiten:
            basis_item = {"activiteit": {"identificatie": act, "naam": x.activiteit_naam(act)}}
            if op_locatie is not None and act not in op_locatie:
                resultaten.append({**basis_item, "status": "nietOpLocatie", "toepasbareRegel": None,
                                   "toelichting": "Het omgevingsplan regelt deze activiteit niet op de "
                                                  "opgegeven locatie; deze toepasbare regels gelden daar niet.",
                                   "volgendeVraag": None, "openVragen": [], "conclusie": None})
                continue
            modellen = x.bank.modellen_voor(act, typering)
            if not modellen:
                resultaten.append({**basis_item, "status": "geenToepasbareRegels", "toepasbareRegel": None,
                                   "toelichting": f"Voor deze activiteit zijn geen toepasbare regels van "
                                                  f"het type {typering} aangeleverd.",
                                   "volgendeVraag": None, "openVragen": [], "conclusie": None})
                continue
            for m in modellen:
                eigen = antwoorden.get(m.id, {})
                if verschoven:
                    eigen = _verlaagd(eigen)
                resultaten.append(_resultaat(request, x, m, basis_item, eigen, typering,
                                             verkeerd or act in verwisseld))
        status = "vragen" if any(r["status"] == "vragen" for r in resultaten) else "afgerond"
        return basis.hal({"status": status, "resultaten": resultaten,
                          "_links": {"self": {"href": str(request.url)}}})

    @d.post("/conclusie/_bepaal")
    async def conclusie(request: Request) -> Response:
        return await bepaal(request, "Conclusie")

    @d.post("/indieningsvereisten/_bepaal")
    async def indieningsvereisten(request: Request) -> Response:
        return await bepaal(request, "Indieningsvereisten")

    @d.post("/maatregelen/_bepaal")
    async def maatregelen(request: Request) -> Response:
        return await bepaal(request, "Maatregelen")

    return d


def _verlaagd(antwoorden: dict) -> dict:
    """Fault "verschoven-drempel": every numeric answer one lower, i.e. every threshold one up."""
    return {k: (w - 1 if isinstance(w, (int, float)) and not isinstance(w, bool) else w)
            for k, w in antwoorden.items()}


def _resultaat(request: Request, x: Uitvoeren, m: Model, basis_item: dict, antwoorden: dict,
               typering: str, verkeerd: bool) -> dict:
    boom = x.bomen[m.id]
    analyse = boom.analyse(antwoorden)
    fs = m.functionele_structuren[0] if m.functionele_structuren else None
    item: dict[str, Any] = {
        **basis_item,
        "toepasbareRegel": {"identificatie": m.id, "naam": m.naam, "typering": m.typering,
                            "toestemming": fs.toestemming if fs else None,
                            "_links": {"self": {"href": f"{basis.basis_url(request)}/toepasbare-regels/{m.id}"}}},
    }
    if typering == "Indieningsvereisten":
        item["vereisten"] = [v.als_dict() for v in boom.vragen]
    if not analyse.bepaald:
        item.update(status="vragen", volgendeVraag=analyse.open_relevant[0].als_dict(),
                    openVragen=[v.als_dict() for v in analyse.open_relevant], conclusie=None)
        return item
    conclusies = boom.conclusie(antwoorden, analyse) or []
    c = conclusies[0]
    uitkomst: dict[str, Any] = {
        "besluit": c.besluit, "uitleg": c.uitleg, "regels": list(c.regels),
        "gebruikteAntwoorden": [{"vraagId": k, "waarde": als_json(w)}
                                for k, w in c.gebruikte_antwoorden.items()],
    }
    if isinstance(c.waarde, bool):
        uitkomst["voldaan"] = c.waarde
    else:
        uitkomst["waarde"] = als_json(c.waarde)
    if c.fout:
        uitkomst["fout"] = c.fout
    if verkeerd:
        # Fault "verkeerde-conclusie": the outcome no longer follows from the decision tables.
        if "waarde" in uitkomst:
            uitkomst["waarde"] = _VERKEERD.get(uitkomst["waarde"], uitkomst["waarde"])
        if "voldaan" in uitkomst:
            uitkomst["voldaan"] = not uitkomst["voldaan"]
    item.update(status="afgerond", volgendeVraag=None, openVragen=[], conclusie=uitkomst)
    return item


def _lees_verzoek(request: Request, body: Any, x: Uitvoeren):
    """Validate the body; 400 for wrong shapes, 422 for ids that do not exist."""
    if not isinstance(body, dict):
        raise basis.ongeldige_parameter("body", "De body moet een JSON-object zijn.", "type")
    for k in body:
        if k not in _VELDEN:
            raise basis.ongeldige_parameter(k, "Dit veld is niet toegestaan.", "unknownParam")

    def lijst(naam: str) -> list[str]:
        if naam not in body:
            return []
        w = body[naam]
        if not isinstance(w, list) or len(w) > _MAX_LIJST:
            raise basis.ongeldige_parameter(naam, f"Verwacht een lijst van ten hoogste {_MAX_LIJST} "
                                                  "identificaties.", "type")
        for i, e in enumerate(w):
            if not isinstance(e, str) or not e or len(e) > 200:
                raise basis.ongeldige_parameter(f"{naam}[{i}]", "Verwacht een niet-lege tekst "
                                                                "(ten hoogste 200 tekens).", "type")
        return w

    activiteiten = lijst("activiteiten")
    werkzaamheden = lijst("werkzaamheden")
    if not activiteiten and not werkzaamheden:
        raise basis.ongeldige_parameter("activiteiten", "Geef ten minste één activiteit of "
                                                        "werkzaamheid op.", "required")
    alle: list[str] = []
    for i, a in enumerate(activiteiten):
        if a not in x.activiteit_ids:
            raise basis.ongeldige_parameter(f"activiteiten[{i}]", f"Onbekende activiteit '{a}': "
                                            "er zijn geen toepasbare regels voor.", "unknown", 422)
        if a not in alle:
            alle.append(a)
    for i, w in enumerate(werkzaamheden):
        acts = x.bank.werkzaamheden.get(w)
        if acts is None:
            raise basis.ongeldige_parameter(f"werkzaamheden[{i}]", f"Onbekende werkzaamheid '{w}'.",
                                            "unknown", 422)
        alle += [a for a in acts if a not in alle]

    antwoorden: dict[str, dict[str, Any]] = {}
    if "antwoorden" in body:
        ruw = body["antwoorden"]
        if not isinstance(ruw, list) or len(ruw) > 500:
            raise basis.ongeldige_parameter("antwoorden", "Verwacht een lijst van ten hoogste 500 "
                                                          "antwoorden.", "type")
        for i, a in enumerate(ruw):
            if not isinstance(a, dict) or set(a) - {"vraagId", "waarde"}:
                raise basis.ongeldige_parameter(f"antwoorden[{i}]", "Verwacht een object met "
                                                "'vraagId' en 'waarde'.", "type")
            vid = a.get("vraagId")
            if not isinstance(vid, str) or not vid:
                raise basis.ongeldige_parameter(f"antwoorden[{i}].vraagId", "Verplicht; een tekst.",
                                                "required")
            if vid not in x.vragen:
                raise basis.ongeldige_parameter(f"antwoorden[{i}].vraagId",
                                                f"Onbekende vraag '{vid}'.", "unknown", 422)
            if "waarde" not in a:
                raise basis.ongeldige_parameter(f"antwoorden[{i}].waarde", "Verplicht.", "required")
            boom, vraag = x.vragen[vid]
            w = a["waarde"]
            if w is not None and not isinstance(w, (str, int, float, bool)):
                raise basis.ongeldige_parameter(f"antwoorden[{i}].waarde",
                                                "Verwacht een tekst, getal of boolean.", "type")
            try:
                zet_om(vraag, w, f"antwoorden[{i}].waarde")
            except OngeldigAntwoord as e:
                raise basis.ongeldige_parameter(e.sleutel, e.reden, "invalid", 422) from None
            antwoorden.setdefault(boom.model.id, {})[vid] = w

    geometrie = None
    crs = request.headers.get("content-crs")
    if crs is not None:                                 # a wrong value is an error, also without locatie
        if not crs.strip():
            raise basis.ongeldige_parameter("Content-Crs", "De header is leeg.", "crs")
        basis.content_crs(request, verplicht=False)
    if "locatie" in body:                               # null is no geometry either
        loc = body["locatie"]
        if not isinstance(loc, dict) or loc.get("type") not in ("Point", "Polygon", "MultiPolygon"):
            raise basis.ongeldige_parameter("locatie", "Verwacht een GeoJSON-geometrie van type Point, "
                                                       "Polygon of MultiPolygon.", "type")
        if not crs:
            # The header is optional in the schema and required with a locatie: content, not syntax.
            raise basis.ongeldige_parameter("Content-Crs", "Header is verplicht bij een locatie.",
                                            "required", 422)
        try:
            geometrie = shape(loc)
            ok = geometrie.is_valid and not geometrie.is_empty
        except Exception:  # noqa: BLE001 -- shapely raises several kinds for bad coordinates
            ok = False
        if not ok:
            raise basis.ongeldige_parameter("locatie", "Geen geldige geometrie.", "geometry", 422)
        minx, miny, maxx, maxy = geometrie.bounds
        x0, y0, x1, y1 = _RD_GRENZEN
        if minx < x0 or maxx > x1 or miny < y0 or maxy > y1:
            raise basis.ongeldige_parameter("locatie", "Coördinaten liggen buiten RD New "
                                                       "(EPSG:28992).", "geometry", 422)
    return alle, antwoorden, geometrie
