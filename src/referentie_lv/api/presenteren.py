"""Omgevingsdocumenten Presenteren v8 (modelled service, spec in ../specs/presenteren.yaml).

Regelingen (list, detail, documentstructuur) and ``POST /annotaties/regeltekstannotaties/_zoek``:
the regelteksten that apply at a geometry, with the annotations they carry there. Everything is
read from the data store (the real Gemeentestad delivery) at the version valid on ``geldigOp``.
"""

from __future__ import annotations

import json
import math
import re
from collections import OrderedDict
from datetime import date
from functools import lru_cache
from threading import Lock
from typing import Any

import jsonschema
import numpy as np
import shapely
import shapely.errors
import yaml
from shapely.geometry import shape
from starlette.requests import Request
from starlette.responses import Response

from referentie_lv.api import basis
from referentie_lv.config import Config
from referentie_lv.data.store import Store

BASISPAD = "/publiek/omgevingsdocumenten/api/presenteren/v8"
MAX_PAGINA = 100_000      # the specs' maximum for page (keeps page numbers within 64 bits)

# STOP waardelijst regelingtype: only the value this data uses (the delivery is an omgevingsplan).
REGELINGTYPES = {"/join/id/stop/regelingtype_003": "Omgevingsplan"}

_SORT = re.compile(r"(citeertitel|geldigVanaf)(,(asc|desc))?")
# RD New validity area (EPSG:28992): a body in another CRS falls outside it.
RD_BEREIK = (-7000.0, 289000.0, 300000.0, 629000.0)


def gedeelde_store(config: Config) -> Store:
    """The process-wide store of the data map (read-only, thread-safe; shared with the loket and
    the other services)."""
    return Store.gedeeld(config.data_map)


def gezag(store: Store, code: str) -> dict:
    """{code, naam} of a bevoegd gezag code such as 'gm0297' (name from the address register)."""
    for g in store.adressen("gemeente"):
        if g.get("bevoegdgezag") == code:
            return {"code": code, "naam": g.get("weergavenaam") or g.get("gemeentenaam") or code}
    return {"code": code, "naam": code}


def geldig_op(request: Request) -> str:
    """The geldigOp parameter as 'YYYY-MM-DD' (default today); 400 naming it when not a date."""
    if request.query_params.get("geldigOp") == "":
        raise basis.ongeldige_parameter("geldigOp", "Waarde is leeg; geef een datum (JJJJ-MM-DD).",
                                        "date")
    w = basis.tekst(request, "geldigOp", max_lengte=10)
    if w is None:
        return date.today().isoformat()
    fout = basis.ongeldige_parameter("geldigOp", "Waarde is geen datum (JJJJ-MM-DD).", "date")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", w):
        raise fout
    try:
        return date.fromisoformat(w).isoformat()
    except ValueError:
        raise fout from None


def _waarde(uri: str | None) -> dict | None:
    if not uri:
        return None
    return {"code": uri, "waarde": uri.rstrip("/").rsplit("/", 1)[-1]}


def _href(request: Request, pad: str) -> str:
    host = request.headers.get("host") or "127.0.0.1"
    return f"{request.url.scheme}://{host}{BASISPAD}{pad}"


def _regeling_pad(work: str) -> str:
    return "/regelingen/" + work.replace("/", "%2F")


def _regeling(request: Request, store: Store, r: dict) -> dict:
    code = (r.get("eindverantwoordelijke") or "").rstrip("/").rsplit("/", 1)[-1]
    return {
        "identificatie": r["identificatie"],
        "expressieIdentificatie": r["expression"],
        "officieleTitel": r["officieleTitel"],
        "citeertitel": r["citeertitel"],
        "type": {"code": r["soortRegeling"],
                 "waarde": REGELINGTYPES.get(r["soortRegeling"], r["soortRegeling"])},
        "aangeleverdDoorEen": gezag(store, code),
        "geldigVanaf": r["geldigVanaf"],
        "geldigTot": r["geldigTot"],
        "_links": {"self": {"href": _href(request, _regeling_pad(r["identificatie"]))},
                   "documentstructuur": {"href": _href(request, _regeling_pad(r["identificatie"])
                                                       + "/documentstructuur")}},
    }


def _component(k: dict) -> dict:
    uit = {"wId": k["wId"], "type": (k["type"] or "").upper(), "label": k["label"] or "",
           "nummer": k["nummer"] or "", "opschrift": k["opschrift"] or "",
           "inhoud": k["tekst"] or ""}
    uit["documentComponenten"] = [_component(c) for c in k["onderdelen"]]
    return uit


_REDENEN = {
    "required": "Veld is verplicht.",
    "type": "Waarde heeft het verkeerde type.",
    "enum": "Waarde is niet toegestaan.",
    "minLength": "Waarde is te kort.",
    "maxLength": "Waarde is te lang.",
    "pattern": "Waarde voldoet niet aan het patroon.",
    "minItems": "Te weinig elementen.",
    "maxItems": "Te veel elementen.",
    "minimum": "Waarde is te laag.",
    "maximum": "Waarde is te hoog.",
    "format": "Waarde heeft niet het juiste formaat.",
    "oneOf": "Waarde past bij geen van de toegestane vormen.",
}


def _pad(delen) -> str:
    uit = ""
    for d in delen:
        uit += f"[{d}]" if isinstance(d, int) else (f".{d}" if uit else str(d))
    return uit


@lru_cache(maxsize=8)
def body_validator(specbestand: str, schema: str) -> jsonschema.Draft7Validator:
    """Validator for a request body schema of one of our specs: the spec is the single source of
    truth for what a body may contain."""
    spec = yaml.safe_load((basis.SPECS / specbestand).read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(
        {"components": spec["components"], "$ref": f"#/components/schemas/{schema}"},
        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def valideer_body(validator: jsonschema.Draft7Validator, body: Any, schema: str) -> None:
    """400 with every offending field (JSON path) in invalidParams."""
    fouten = sorted(validator.iter_errors(body), key=lambda e: [str(x) for x in e.absolute_path])
    if not fouten:
        return
    params, gezien = [], set()
    for e in fouten:
        naam = _pad(e.absolute_path)
        if e.validator == "required":
            ontbrekend = [v for v in e.validator_value
                          if isinstance(e.instance, dict) and v not in e.instance]
            naam = ".".join(x for x in (naam, ontbrekend[0] if ontbrekend else "") if x)
        naam = naam or "(body)"
        if naam in gezien:
            continue
        gezien.add(naam)
        reden = _REDENEN.get(str(e.validator), "Waarde is ongeldig.")
        if e.validator == "enum":
            reden = "Waarde moet een van " + ", ".join(map(str, e.validator_value)) + " zijn."
        elif e.validator in ("maxLength", "maxItems", "minLength", "minItems", "minimum", "maximum"):
            reden = f"{reden} (grens {e.validator_value})"
        params.append({"type": "https://www.vng.nl/realisatie/api/validaties/" + str(e.validator),
                       "name": naam, "code": str(e.validator), "reason": reden})
    raise basis.Probleem(400, f"De body voldoet niet aan het schema {schema}: "
                         + ", ".join(p["name"] for p in params) + ".", invalid_params=params)


def plat(coordinaten: Any) -> Any:
    """Positions reduced to x, y: GeoJSON allows a z per position, and mixing 2D and 3D
    positions in one geometry is schema-valid but not constructible."""
    if coordinaten and all(isinstance(c, (int, float)) for c in coordinaten):
        return [float(c) for c in coordinaten[:2]]
    return [plat(c) for c in coordinaten]


def np_fouten_stil():
    # Extreme but finite coordinates (1e308) overflow inside GEOS/numpy; the result is simply
    # "outside RD New" and must not surface as a RuntimeWarning (pytest turns those into errors).
    return np.errstate(all="ignore")


def _zoekvorm(geometrie: dict):
    """Shapely geometry to search with: invalid areas repaired, nothing found outside RD New.
    (A schema-valid body is always answered; see the spec's GeoJsonGeometrie.)"""
    with np_fouten_stil():
        vorm = shape({"type": geometrie["type"], "coordinates": plat(geometrie["coordinates"])})
        x0, y0, x1, y1 = vorm.bounds if not vorm.is_empty else (0.0, 0.0, 0.0, 0.0)
        # Beyond ±1e7 m a coordinate is no RD New at all (and GEOS cannot repair such rings).
        if vorm.is_empty or not all(math.isfinite(v) and abs(v) < 1e7 for v in (x0, y0, x1, y1)) \
                or x1 < RD_BEREIK[0] or y1 < RD_BEREIK[1] or x0 > RD_BEREIK[2] \
                or y0 > RD_BEREIK[3]:
            return None
        if not vorm.is_valid:
            try:
                vorm = shapely.make_valid(vorm)
            except shapely.errors.GEOSException:
                return None
    return None if vorm.is_empty else vorm


class _Zoekcache:
    """LRU of computed searches per (geometry, version): repeated map clicks are common."""

    def __init__(self, grootte: int = 2048):
        self.grootte = grootte
        self.items: OrderedDict[tuple, dict] = OrderedDict()
        self.slot = Lock()

    def haal(self, sleutel: tuple) -> dict | None:
        with self.slot:
            w = self.items.get(sleutel)
            if w is not None:
                self.items.move_to_end(sleutel)
            return w

    def zet(self, sleutel: tuple, waarde: dict) -> None:
        with self.slot:
            self.items[sleutel] = waarde
            if len(self.items) > self.grootte:
                self.items.popitem(last=False)


def _alles(store: Store, dag: str) -> dict:
    """The shape of ``store.annotaties_op`` for the whole plan: every annotation counts."""
    regels = store.juridische_regels(dag)
    normwaarden = {nw["identificatie"] for t in (store.omgevingsnormen(dag), store.omgevingswaarden(dag))
                   for o in t for nw in o.get("normwaarden") or [] if nw.get("identificatie")}
    return {"locaties": [o["identificatie"] for o in store.locaties(dag)],
            "regelteksten": [o["identificatie"] for o in store.ow_objecten("Regeltekst", dag)],
            "activiteiten": [o["identificatie"] for o in store.activiteiten(dag)],
            "activiteitlocatieaanduidingen": [
                {"identificatie": aa["identificatie"], "activiteit": aa["activiteit"]["identificatie"]}
                for j in regels for aa in j.get("activiteiten") or []],
            "gebiedsaanwijzingen": [o["identificatie"] for o in store.gebiedsaanwijzingen(dag)],
            "omgevingsnormen": [o["identificatie"] for o in store.omgevingsnormen(dag)],
            "omgevingswaarden": [o["identificatie"] for o in store.omgevingswaarden(dag)],
            "normwaarden": sorted(normwaarden)}


def _zoek(store: Store, a: dict, dag: str, regeling: str | None = None) -> dict:
    """Regelteksten of ``a`` (annotaties_op of a geometry, or _alles) with, per regeltekst, the
    refs that apply, plus what _annotaties needs. Independent of the request (cacheable).
    With ``regeling`` only the regelteksten of that regeling (work id)."""
    locs = set(a["locaties"])
    acts, gas = set(a["activiteiten"]), set(a["gebiedsaanwijzingen"])
    normen, waarden = set(a["omgevingsnormen"]), set(a["omgevingswaarden"])
    act_locs: dict[str, set[str]] = {}
    for ala in a["activiteitlocatieaanduidingen"]:
        sub = store.sub_object(ala["identificatie"], dag) or {}
        act_locs.setdefault(ala["activiteit"], set()).update(set(sub.get("locaties") or []) & locs)
    regelteksten = []
    for rt_id in a["regelteksten"]:
        rt = store.regeltekst(rt_id, dag)
        if rt is None:
            continue
        lr, ar, gr, nr, wr = set(), set(), set(), set(), set()
        for j in rt["juridischeRegels"]:
            lr |= set(j.get("locaties") or []) & locs
            for aa in j.get("activiteiten") or []:
                if set(aa["locaties"]) & locs and aa["activiteit"]["identificatie"] in acts:
                    ar.add(aa["activiteit"]["identificatie"])
                    lr |= set(aa["locaties"]) & locs
            gr |= set(j.get("gebiedsaanwijzingen") or []) & gas
            nr |= set(j.get("omgevingsnormen") or []) & normen
            wr |= set(j.get("omgevingswaarden") or []) & waarden
        art = rt.get("artikel") or {}
        if regeling is not None and art.get("regeling") != regeling:
            continue
        regelteksten.append({
            "identificatie": rt_id, "wId": rt.get("wId") or "",
            "documentIdentificatie": art.get("regeling") or "",
            "opschrift": " ".join(x for x in (art.get("label"), art.get("nummer"),
                                             art.get("opschrift")) if x),
            "inhoud": art.get("tekst") or "",
            "locatierefs": sorted(lr), "activiteitrefs": sorted(ar),
            "gebiedsaanwijzingrefs": sorted(gr), "omgevingsnormrefs": sorted(nr),
            "omgevingswaarderefs": sorted(wr)})
    return {"regelteksten": regelteksten, "locaties": locs, "normwaarden": set(a["normwaarden"]),
            "activiteitlocaties": act_locs, "paginas": {}}


def _annotaties(store: Store, dag: str, pagina: list[dict], resultaat: dict) -> dict:
    """The annotation objects the regelteksten of this page refer to (the answer is self-contained)."""
    def verzamel(sleutel: str) -> list[str]:
        return sorted({r for rt in pagina for r in rt[sleutel]})

    locs, normwaarden = resultaat["locaties"], resultaat["normwaarden"]
    activiteiten = []
    for i in verzamel("activiteitrefs"):
        o = store.ow_object(i, dag) or {}
        alas = resultaat["activiteitlocaties"].get(i, set())
        activiteiten.append({"identificatie": i, "naam": o.get("naam") or "",
                             "groep": _waarde(o.get("groep")),
                             "locatierefs": [{"locatieIdentificatie": x} for x in sorted(alas)]})
    gebiedsaanwijzingen = []
    for i in verzamel("gebiedsaanwijzingrefs"):
        o = store.ow_object(i, dag) or {}
        gebiedsaanwijzingen.append({
            "identificatie": i, "naam": o.get("naam") or "", "groep": _waarde(o.get("groep")),
            "locatierefs": [{"locatieIdentificatie": x}
                            for x in sorted(set(o.get("locaties") or []) & locs)]})
    normen: dict[str, list[dict]] = {"omgevingsnormrefs": [], "omgevingswaarderefs": []}
    for sleutel, doel in normen.items():
        for i in verzamel(sleutel):
            o = store.ow_object(i, dag) or {}
            nl = {loc for nw in o.get("normwaarden") or [] if nw.get("identificatie") in normwaarden
                  for loc in nw.get("locaties") or []} & locs
            doel.append({"identificatie": i, "naam": o.get("naam") or "",
                                    "groep": _waarde(o.get("groep")),
                                    "locatierefs": [{"locatieIdentificatie": x} for x in sorted(nl)]})
    # Locaties: every one referred to, plus the members of groups (they carry the geometry ids).
    # Areas that intersect the search geometry and have a GIO geometrieIdentificatie come first,
    # so locaties[0] can be fetched directly
    # (the documented Arazzo flow takes annotaties.locaties[0].geometrieIdentificatie).
    genoemd = {r for rt in pagina for r in rt["locatierefs"]}
    for lijst in (activiteiten, gebiedsaanwijzingen, *normen.values()):
        genoemd |= {x["locatieIdentificatie"] for o in lijst for x in o["locatierefs"]}
    locaties: dict[str, dict] = {}
    rij = sorted(genoemd)
    while rij:
        i = rij.pop(0)
        if i in locaties:
            continue
        o = store.locatie(i, dag)
        if o is None:
            continue
        leden = o.get("groepselementen") or []
        locaties[i] = {"identificatie": i, "noemer": o.get("noemer"), "locatieType": o["type"],
                       "geometrieIdentificatie": o.get("geometrieRef"), "omvat": list(leden)}
        rij.extend(x for x in leden if x not in locaties)
    # Derived stand-in geometries (the ambtsgebied hull, see data/README.md) after the real ones.
    volgorde = sorted(locaties.values(),
                      key=lambda x: (x["identificatie"] not in locs,
                                     x["geometrieIdentificatie"] is None,
                                     str(x["geometrieIdentificatie"]).startswith("afgeleid."),
                                     x["identificatie"]))
    # 'groep' is optional in the spec (not nullable): leave it out when the object has none.
    for lijst in (activiteiten, gebiedsaanwijzingen, *normen.values()):
        for o in lijst:
            if o["groep"] is None:
                del o["groep"]
    return {"activiteiten": activiteiten, "gebiedsaanwijzingen": gebiedsaanwijzingen,
            "omgevingsnormen": normen["omgevingsnormrefs"],
            "omgevingswaarden": normen["omgevingswaarderefs"], "locaties": volgorde}


def _pagina_antwoord(request: Request, store: Store, resultaat: dict, p: basis.Pagina,
                     dag: str) -> Response:
    alle = resultaat["regelteksten"]
    pagina = alle[p.start:p.start + p.grootte]
    items = []
    for rt in pagina:
        item = dict(rt)
        item["expressieIdentificatie"] = (store.regeling(rt["documentIdentificatie"], dag)
                                          or {}).get("expression", "")
        item["locatierefs"] = [{"locatieIdentificatie": x} for x in rt["locatierefs"]]
        item["_links"] = {"regeling": {"href": _href(request, _regeling_pad(
            rt["documentIdentificatie"]))}}
        items.append(item)
    annotaties = resultaat["paginas"].get((p.start, p.grootte))
    if annotaties is None:
        annotaties = _annotaties(store, dag, pagina, resultaat)
        if len(resultaat["paginas"]) < 64:      # bounded: pages are client-chosen
            resultaat["paginas"][(p.start, p.grootte)] = annotaties
    return basis.hal_pagina(request, p, len(alle), {"regelteksten": items},
                            extra={"annotaties": annotaties})


def dienst(config: Config) -> basis.Dienst:
    d = basis.Dienst("presenteren", BASISPAD, basis.SPECS / "presenteren.yaml")
    store = gedeelde_store(config)
    cache = _Zoekcache()

    def regeling_of_404(request: Request, dag: str) -> dict:
        ident = request.path_params["uriIdentificatie"]
        ident = ident if ident.startswith(("/", "_", "%")) else "/" + ident
        r = store.regeling(ident, dag)
        if r is None:
            raise basis.Probleem(404, f"Regeling '{ident}' bestaat niet of is op {dag} niet geldig.")
        return r

    @d.get("/regelingen")
    async def regelingen(request: Request) -> Response:
        basis.onbekende_parameters(request, ("page", "size", "_sort", "geldigOp"))
        dag = geldig_op(request)
        sortering = basis.tekst(request, "_sort", standaard="citeertitel,asc", patroon=_SORT)
        veld, _, richting = sortering.partition(",")  # type: ignore[union-attr]
        p = basis.pagina(request, grootte_naam="size", max_pagina=MAX_PAGINA)
        lijst = sorted(store.regelingen(dag),
                       key=lambda r: ((r[veld] or "").lower(), r["identificatie"]),
                       reverse=richting == "desc")
        items = [_regeling(request, store, r) for r in lijst[p.start:p.start + p.grootte]]
        return basis.hal_pagina(request, p, len(lijst), {"regelingen": items})

    @d.get("/regelingen/{uriIdentificatie}/documentstructuur")
    async def documentstructuur(request: Request) -> Response:
        basis.onbekende_parameters(request, ("geldigOp",))
        dag = geldig_op(request)
        r = regeling_of_404(request, dag)
        ds = store.documentstructuur(r["expression"], dag)
        pad = _regeling_pad(r["identificatie"])
        return basis.hal({"identificatie": r["identificatie"],
                          "expressieIdentificatie": r["expression"],
                          "documentComponenten": [_component(k) for k in ds["onderdelen"]],
                          "_links": {"self": {"href": _href(request, pad + "/documentstructuur")},
                                     "regeling": {"href": _href(request, pad)}}})

    @d.get("/regelingen/{uriIdentificatie}")
    async def regeling(request: Request) -> Response:
        basis.onbekende_parameters(request, ("geldigOp",))
        dag = geldig_op(request)
        return basis.hal(_regeling(request, store, regeling_of_404(request, dag)))

    @d.post("/annotaties/regeltekstannotaties/_zoek")
    async def regeltekstannotaties(request: Request) -> Response:
        basis.onbekende_parameters(request, ("page", "size", "geldigOp"))
        basis.content_crs(request, verplicht=True)
        basis.accept_crs(request)              # only RD New; another CRS: 406
        dag = geldig_op(request)
        p = basis.pagina(request, grootte_naam="size", max_pagina=MAX_PAGINA)
        body = await basis.lees_json(request)
        valideer_body(body_validator("presenteren.yaml", "ZoekOpGeometrie"), body,
                      "ZoekOpGeometrie")
        geometrie = body["geometrie"]
        versie = store.versie_op(dag)
        sleutel = (json.dumps(geometrie, sort_keys=True, separators=(",", ":")), versie)
        resultaat = cache.haal(sleutel)
        if resultaat is None:
            vorm = _zoekvorm(geometrie)
            resultaat = _zoek(store, store.annotaties_op(vorm, dag), dag) \
                if versie is not None and vorm is not None else \
                {"regelteksten": [], "locaties": set(), "normwaarden": set(),
                 "activiteitlocaties": {}, "paginas": {}}
            cache.zet(sleutel, resultaat)
        return _pagina_antwoord(request, store, resultaat, p, dag)

    @d.get("/regelingen/{uriIdentificatie}/regeltekstannotaties")
    async def regeling_regeltekstannotaties(request: Request) -> Response:
        basis.onbekende_parameters(request, ("page", "size", "geldigOp"))
        dag = geldig_op(request)
        p = basis.pagina(request, grootte_naam="size", max_pagina=MAX_PAGINA)
        r = regeling_of_404(request, dag)
        sleutel = ("regeling", r["identificatie"], store.versie_op(dag))
        resultaat = cache.haal(sleutel)
        if resultaat is None:
            resultaat = _zoek(store, _alles(store, dag), dag, regeling=r["identificatie"])
            cache.zet(sleutel, resultaat)
        return _pagina_antwoord(request, store, resultaat, p, dag)

    # The AKN identification contains slashes (also when sent as %2F: the server decodes the
    # path), so this path parameter takes the rest of the path, not one segment.
    for r in d.routes:
        if r.pad.startswith("/regelingen/{uriIdentificatie}"):
            staart = r.pad[len("/regelingen/{uriIdentificatie}"):]
            r.regex = re.compile("^/regelingen/(?P<uriIdentificatie>.+?)" + re.escape(staart) + "$")
    # The bare detail route matches any tail, so it must be tried after the longer ones.
    d.routes.sort(key=lambda r: r.pad == "/regelingen/{uriIdentificatie}")

    return d
