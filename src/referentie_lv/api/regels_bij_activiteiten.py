"""VNG "Regels bij activiteiten" 1.0.0, served as published (specs/vng-regels-bij-activiteiten/).

All eight operations over the IMOW objects of the loaded delivery (state of today, the API has no
time-travel parameter). Decisions where the spec is silent or its examples differ from its schema:
- Only juridische regels of type RegelVoorIedereen with at least one activiteit are served (the
  spec: "alleen juridische regels die minimaal één activiteit bevatten"); activiteiten and
  regelteksten are served when they have such a regel (their schema requires at least one).
- Value-list fields ({code, waarde}): code = the last segment of the IMOW/STOP URI, waarde = the
  code in words ("BouwactiviteitTechnisch" → "bouwactiviteit technisch").
- ``omschrijving`` of a juridische regel = the heading of its article (label, number, title); of a
  regeltekst = article title + text. ``werkpakketCode`` = the delivery's ``doel``
  (/join/id/proces/...), the STOP notion of the work package that produced the version.
- ``expand`` follows Haal Centraal common v1.2.0: comma separated resource names or
  resource.property; embedded resources keep their required properties. Unlike HC's
  expand.feature, an unknown name is ignored rather than a 400: the published OpenAPI document
  allows any string, and a client that sends a valid value by that contract must not get a 400.
- Query parameters the operation does not declare → 400 (invalidParams code "unknownParam", HC).
- Geometry in RD New; Accept-Crs accepts epsg:28992 (the spec's enum) and the OGC URI form;
  responses with geometry carry ``Content-Crs: epsg:28992``. A page past the end is an empty page.
- ``x-api-key`` is required (DSO behaviour; the published spec declares no security scheme).
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from shapely.geometry import mapping
from starlette.requests import Request
from starlette.responses import Response

from referentie_lv.api import basis
from referentie_lv.config import Config
from referentie_lv.data.store import Store

BASISPAD = "/api/regels_bij_activiteiten/v1"
SPEC = basis.SPECS / "vng-regels-bij-activiteiten" / "openapi.json"

_REGELINGTYPES = {"/join/id/stop/regelingtype_003": "Omgevingsplan",
                  "/join/id/stop/regelingtype_001": "Regeling",
                  "/join/id/stop/regelingtype_002": "Omgevingsverordening",
                  "/join/id/stop/regelingtype_004": "Waterschapsverordening"}


def store_voor(data_map: str | None) -> Store:
    return Store.gedeeld(data_map)     # one store per process, shared with the other services


def _woorden(code: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", code).lower().replace("_", " ")


def waardelijst(uri: str | None) -> dict[str, str] | None:
    if not uri:
        return None
    code = uri.rstrip("/").rsplit("/", 1)[-1]
    return {"code": code, "waarde": _woorden(code)}


def _zonder_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _ronde(c: Any) -> Any:
    if isinstance(c, (list, tuple)):
        return [_ronde(x) for x in c]
    return round(c, 3)


_GEO_SLEUTEL = {"Point": "point", "LineString": "lineString", "Polygon": "polygon",
                "MultiPoint": "multiPoint", "MultiLineString": "multiLineString",
                "MultiPolygon": "multiPolygon"}


class Model:
    """The resources of this API, built once from the store (the data is read-only)."""

    def __init__(self, store: Store):
        self.store = store
        versies = store.versies()
        huidige = store.versie_op(None)
        self.werkpakket = {v["nr"]: v["doel"] for v in versies}
        self.versie_datum = {v["nr"]: v["geldig_vanaf"] for v in versies}
        regelingen = store.regelingen() or store.alle_regelingversies()
        self.regeling = regelingen[-1] if regelingen else None

        self.jrs: dict[str, dict] = {}
        for j in store.juridische_regels():
            if j["type"] == "RegelVoorIedereen" and j.get("activiteiten"):
                self.jrs[j["identificatie"]] = j
        self.activiteiten: dict[str, dict] = {}
        for a in store.activiteiten():
            volledig = store.activiteit(a["identificatie"])
            regels = [r for r in volledig["juridischeRegels"] if r in self.jrs]
            if regels:
                volledig["regels"] = regels
                self.activiteiten[a["identificatie"]] = volledig
        self.locaties: dict[str, dict] = {}
        self.omvattend: dict[str, list[str]] = {}
        for loc in store.locaties():
            self.locaties[loc["identificatie"]] = loc
            for lid in loc.get("groepselementen") or []:
                self.omvattend.setdefault(lid, []).append(loc["identificatie"])
        self.geometrie_cache: dict[str, dict | None] = {}
        # Regelteksten: current ones plus (for inclusiefVervallen) ended ones, latest version.
        regels_per_rt: dict[str, list[dict]] = {}
        for j in self.jrs.values():
            regels_per_rt.setdefault(j["regeltekst"], []).append(j)
        self.regelteksten: dict[str, dict] = {}
        for rt in store.regelteksten():
            if rt["identificatie"] in regels_per_rt:
                rt["vervallen"] = False
                rt["regels"] = regels_per_rt[rt["identificatie"]]
                self.regelteksten[rt["identificatie"]] = rt
        self.vervallen: dict[str, dict] = {}
        for v in versies:
            if v["nr"] == huidige:
                continue
            for rt in store.regelteksten(v["geldig_vanaf"]):
                i = rt["identificatie"]
                if i in self.regelteksten:
                    continue
                regels = [j for j in rt.get("juridischeRegels") or []
                          if j and j["type"] == "RegelVoorIedereen" and j.get("activiteiten")]
                if regels:
                    rt["vervallen"] = True
                    rt["regels"] = regels
                    rt.setdefault("geldigTot", v["geldig_tot"])
                    self.vervallen[i] = rt
        self.activiteit_ids = sorted(self.activiteiten)
        self.jr_ids = sorted(self.jrs)
        self.locatie_ids = sorted(self.locaties)
        self.regeltekst_ids = sorted(self.regelteksten)

    # -- representations
    def activiteit(self, a: dict, url: str) -> dict:
        boven = a.get("bovenliggendeActiviteit")
        links: dict[str, Any] = {"self": {"href": f"{url}/activiteiten/{a['identificatie']}"}}
        if boven in self.activiteiten:
            links["bovenliggendeActiviteit"] = {"href": f"{url}/activiteiten/{boven}"}
        gerelateerd = [g for g in a.get("gerelateerdeActiviteiten") or []]
        if any(g in self.activiteiten for g in gerelateerd):
            links["gerelateerdeActiviteiten"] = [{"href": f"{url}/activiteiten/{g}"}
                                                 for g in gerelateerd if g in self.activiteiten]
        links["juridischeRegelsVoorIedereen"] = [
            {"href": f"{url}/juridischeregelsvooriedereen/{j}"} for j in a["regels"]]
        return _zonder_none({
            "begindatum": a.get("geldigVanaf"),
            "bovenliggendeActiviteitIdentificatie": boven or a["identificatie"],
            "einddatum": a.get("geldigTot"),
            "gerelateerdeActiviteitIdentificaties": gerelateerd,
            "groep": waardelijst(a.get("groep")) or {"code": "onbekend", "waarde": "onbekend"},
            "identificatie": a["identificatie"],
            "juridischeRegelVoorIedereenIdentificaties": a["regels"],
            "laatsteWijzigingsdatum": self.versie_datum.get(a.get("versieNr")),
            "naam": a.get("naam") or a["identificatie"],
            "_links": links,
        })

    def _jr_locaties(self, j: dict) -> list[str]:
        locs = list(j.get("locaties") or [])
        if not locs:
            locs = sorted({x for aa in j["activiteiten"] for x in aa["locaties"]})
        return locs

    def juridische_regel(self, j: dict, url: str) -> dict:
        rt = self.regelteksten.get(j["regeltekst"]) or self.vervallen.get(j["regeltekst"])
        art = (rt or {}).get("artikel") or {}
        kop = " ".join(x for x in (art.get("label"), art.get("nummer"), art.get("opschrift")) if x)
        locs = self._jr_locaties(j)
        gekwalificeerd = sorted({x for aa in j["activiteiten"] for x in aa["locaties"]})
        normeert = [{
            "activiteitIdentificatie": aa["activiteit"]["identificatie"],
            "activiteitLocatieIdentificatie": aa["identificatie"] or aa["activiteit"]["identificatie"],
            "activiteitregelkwalificatie": waardelijst(aa["activiteitregelkwalificatie"])
            or {"code": "onbekend", "waarde": "onbekend"},
            "gekwalificeerdeLocatieIdentificaties": aa["locaties"] or locs,
        } for aa in j["activiteiten"]]
        links: dict[str, Any] = {
            "self": {"href": f"{url}/juridischeregelsvooriedereen/{j['identificatie']}"},
            "gedefinieerdeLocaties": [{"href": f"{url}/locaties/{x}"} for x in locs],
            "regeltekst": {"href": f"{url}/regelteksten/{j['regeltekst']}"},
            "activiteiten": [{"href": f"{url}/activiteiten/{a}"} for a in
                             dict.fromkeys(aa["activiteit"]["identificatie"]
                                           for aa in j["activiteiten"])
                             if a in self.activiteiten],
        }
        if gekwalificeerd:
            links["gekwalificeerdeLocaties"] = [{"href": f"{url}/locaties/{x}"}
                                                for x in gekwalificeerd]
        if not links["activiteiten"]:
            del links["activiteiten"]
        themas = [w for w in (waardelijst(t) for t in j.get("themas") or []) if w]
        return _zonder_none({
            "begindatum": j.get("geldigVanaf"),
            "einddatum": j.get("geldigTot"),
            "gedefinieerdeLocatieIdentificaties": locs,
            "idealisatie": waardelijst(j.get("idealisatie")),
            "identificatie": j["identificatie"],
            "normeertActiviteiten": normeert,
            "omschrijving": kop or j["identificatie"],
            "regeltekstIdentificatie": j["regeltekst"],
            "themas": themas or None,
            "_links": links,
        })

    def geometrie(self, ident: str) -> dict | None:
        if ident not in self.geometrie_cache:
            vorm = self.store.locatie_vorm(ident)
            g = None
            if vorm is not None and not vorm.is_empty:
                m = mapping(vorm)
                sleutel = _GEO_SLEUTEL.get(m["type"])
                if sleutel:
                    g = {sleutel: {"type": m["type"], "coordinates": _ronde(m["coordinates"])}}
            self.geometrie_cache[ident] = g
        return self.geometrie_cache[ident]

    def locatie(self, loc: dict, url: str) -> dict:
        ident = loc["identificatie"]
        omvattend = self.omvattend.get(ident, [])
        links: dict[str, Any] = {"self": {"href": f"{url}/locaties/{ident}"}}
        if omvattend:
            links["omvattendeLocaties"] = [{"href": f"{url}/locaties/{x}"} for x in omvattend]
        return _zonder_none({
            "begindatum": loc.get("geldigVanaf"),
            "einddatum": loc.get("geldigTot"),
            "geometrie": self.geometrie(ident),
            "geometrieBron": loc.get("geometrieRef"),
            "identificatie": ident,
            "noemer": loc.get("noemer"),
            "omvattendeLocatieIdentificaties": omvattend,
            "type": loc["type"].lower(),
            "_links": links,
        })

    def regeltekst(self, rt: dict, url: str) -> dict:
        art = rt.get("artikel") or {}
        reg = self.regeling or {}
        locs = sorted({x for j in rt["regels"] for x in self._jr_locaties(j)})
        tekst = " ".join(x for x in (art.get("opschrift"), art.get("tekst")) if x)
        gerelateerd = list(rt.get("gerelateerdeRegelteksten") or [])
        links: dict[str, Any] = {"self": {"href": f"{url}/regelteksten/{rt['identificatie']}"},
                                 "locaties": [{"href": f"{url}/locaties/{x}"} for x in locs]}
        if gerelateerd:
            links["gerelateerdeRegelteksten"] = [{"href": f"{url}/regelteksten/{x}"}
                                                 for x in gerelateerd]
        soort = reg.get("soortRegeling") or ""
        return _zonder_none({
            "begindatum": rt.get("geldigVanaf"),
            "documentComponent": {
                "identificatie": rt.get("wId") or rt["identificatie"],
                "kop": _zonder_none({"label": art.get("label"), "nummer": art.get("nummer"),
                                     "opschrift": art.get("opschrift")}),
                "omgevingsdocument": {
                    "codeBevoegdGezag": reg.get("eindverantwoordelijke") or "onbekend",
                    "identificatie": art.get("regeling") or reg.get("work") or "onbekend",
                    "opschrift": reg.get("opschrift") or reg.get("citeertitel") or "onbekend",
                    "type": {"code": soort or "onbekend",
                             "waarde": _REGELINGTYPES.get(soort, "Regeling")},
                },
                "type": (art.get("type") or "Artikel").lower(),
                "vervallen": bool(rt.get("vervallen")),
                "volgordeNummer": int(art.get("volgorde") or 0),
            },
            "einddatum": rt.get("geldigTot"),
            "gerelateerdeRegeltekstIdentificaties": gerelateerd,
            "identificatie": rt["identificatie"],
            "laatsteWijzigingsdatum": self.versie_datum.get(rt.get("versieNr"))
            or rt.get("geldigVanaf"),
            "locatieIdentificaties": locs or [self.locatie_ids[0]],
            "omschrijving": tekst or rt["identificatie"],
            "werkpakketCode": self.werkpakket.get(rt.get("versieNr")) or "onbekend",
            "_links": links,
        })


# --------------------------------------------------------------------------- expand

_VERPLICHT = {
    "juridischeRegelsVoorIedereen": ("gedefinieerdeLocatieIdentificaties", "identificatie",
                                     "omschrijving", "regeltekstIdentificatie"),
    "gedefinieerdeLocaties": ("identificatie", "type"),
    "locaties": ("identificatie", "type"),
    "regeltekst": ("documentComponent", "identificatie", "laatsteWijzigingsdatum",
                   "locatieIdentificaties", "omschrijving", "werkpakketCode"),
}


def lees_expand(request: Request, toegestaan: tuple[str, ...]) -> dict[str, set[str] | None]:
    """{resource: None (whole) | {properties}}; unknown resource names are ignored."""
    w = basis.tekst(request, "expand")
    if w is None:
        return {}
    uit: dict[str, set[str] | None] = {}
    for deel in (x.strip() for x in w.split(",")):
        if not deel:
            continue
        naam, _, prop = deel.partition(".")
        if naam not in toegestaan:
            continue    # unknown resource: ignored (see the module docstring)
        if prop:
            huidig = uit.get(naam, set())
            if huidig is not None:
                huidig.add(prop.split(".", 1)[0])
                uit[naam] = huidig
        else:
            uit[naam] = None
    return uit


def _selecteer(obj: dict, props: set[str] | None, naam: str) -> dict:
    if props is None:
        return obj
    houd = set(props) | set(_VERPLICHT.get(naam, ())) | {"_links"}
    uit = {k: v for k, v in obj.items() if k in houd}
    if "_links" in uit:
        uit["_links"] = {"self": obj["_links"]["self"]}
    return uit


# --------------------------------------------------------------------------- service

def _naam_past(patroon: str, naam: str) -> bool:
    p, n = patroon.lower(), naam.lower()
    return fnmatch.fnmatchcase(n, p.replace("[", "[[]")) if "*" in p else p == n


def dienst(config: Config) -> basis.Dienst:
    d = basis.Dienst("regels-bij-activiteiten", BASISPAD, SPEC, crs_notatie=basis.CRS_RD_KORT,
                     onbekende_parameters_weigeren=True)
    model_cache: list[Model] = []

    def model() -> Model:
        if not model_cache:
            model_cache.append(Model(store_voor(config.data_map)))
        return model_cache[0]

    def antwoord(request: Request, inhoud: dict, geometrie: bool,
                 headers: dict[str, str] | None = None) -> Response:
        return basis.hal(inhoud, headers=headers, request=request, geometrie=geometrie)

    def niet_gevonden(soort: str, ident: str) -> basis.Probleem:
        return basis.Probleem(404, f"Er is geen {soort} met identificatie '{ident}'.")

    def verzamel(request: Request, ids: list[str], naam: str, maak) -> Response:
        p = basis.pagina(request, "pageSize", standaard=20, maximum=100)
        stuk = ids[p.start:p.start + p.grootte]
        items, geo = [], False
        for i in stuk:
            obj, g = maak(i)
            items.append(obj)
            geo = geo or g
        return basis.hal_pagina(request, p, len(ids), {naam: items}, met_page=False, geometrie=geo)

    # -- activiteiten
    def activiteit_hal(request: Request, ident: str, expand: dict, url: str) -> tuple[dict, bool]:
        m = model()
        a = m.activiteiten[ident]
        obj = m.activiteit(a, url)
        geo = False
        if "juridischeRegelsVoorIedereen" in expand:
            obj["_embedded"] = {"juridischeRegelsVoorIedereen": [
                _selecteer(m.juridische_regel(m.jrs[j], url), expand["juridischeRegelsVoorIedereen"],
                           "juridischeRegelsVoorIedereen") for j in a["regels"]]}
        return obj, geo

    @d.get("/activiteiten")
    async def activiteiten(request: Request) -> Response:
        basis.accept_crs(request)
        expand = lees_expand(request, ("juridischeRegelsVoorIedereen",))
        naam = basis.tekst(request, "naam")
        m = model()
        ids = m.activiteit_ids
        if naam is not None:
            ids = [i for i in ids if _naam_past(naam, m.activiteiten[i].get("naam") or "")]
        url = basis.basis_url(request)
        return verzamel(request, ids, "activiteiten",
                        lambda i: activiteit_hal(request, i, expand, url))

    @d.get("/activiteiten/{identificatie}")
    async def activiteit(request: Request) -> Response:
        basis.accept_crs(request)
        expand = lees_expand(request, ("juridischeRegelsVoorIedereen",))
        ident = request.path_params["identificatie"]
        if ident not in model().activiteiten:
            raise niet_gevonden("activiteit", ident)
        obj, geo = activiteit_hal(request, ident, expand, basis.basis_url(request))
        return antwoord(request, obj, geo)

    # -- juridische regels voor iedereen
    def jr_hal(request: Request, ident: str, expand: dict, url: str) -> tuple[dict, bool]:
        m = model()
        j = m.jrs[ident]
        obj = m.juridische_regel(j, url)
        emb: dict[str, Any] = {}
        geo = False
        if "gedefinieerdeLocaties" in expand:
            emb["gedefinieerdeLocaties"] = [
                _selecteer(m.locatie(m.locaties[x], url), expand["gedefinieerdeLocaties"],
                           "gedefinieerdeLocaties")
                for x in obj["gedefinieerdeLocatieIdentificaties"] if x in m.locaties]
            geo = any("geometrie" in x for x in emb["gedefinieerdeLocaties"])
            if not emb["gedefinieerdeLocaties"]:
                del emb["gedefinieerdeLocaties"]
        if "regeltekst" in expand:
            rt = m.regelteksten.get(j["regeltekst"]) or m.vervallen.get(j["regeltekst"])
            if rt is not None:
                emb["regeltekst"] = _selecteer(m.regeltekst(rt, url), expand["regeltekst"],
                                               "regeltekst")
        if emb:
            obj["_embedded"] = emb
        return obj, geo

    @d.get("/juridischeregelsvooriedereen")
    async def juridische_regels(request: Request) -> Response:
        basis.accept_crs(request)
        expand = lees_expand(request, ("gedefinieerdeLocaties", "regeltekst"))
        url = basis.basis_url(request)
        return verzamel(request, model().jr_ids, "juridischeregelsvooriedereen",
                        lambda i: jr_hal(request, i, expand, url))

    @d.get("/juridischeregelsvooriedereen/{identificatie}")
    async def juridische_regel(request: Request) -> Response:
        basis.accept_crs(request)
        expand = lees_expand(request, ("gedefinieerdeLocaties", "regeltekst"))
        ident = request.path_params["identificatie"]
        if ident not in model().jrs:
            raise niet_gevonden("juridische regel voor iedereen", ident)
        obj, geo = jr_hal(request, ident, expand, basis.basis_url(request))
        return antwoord(request, obj, geo)

    # -- locaties
    @d.get("/locaties")
    async def locaties(request: Request) -> Response:
        basis.accept_crs(request)
        m = model()
        url = basis.basis_url(request)
        return verzamel(request, m.locatie_ids, "locaties",
                        lambda i: (m.locatie(m.locaties[i], url), True))

    @d.get("/locaties/{identificatie}")
    async def locatie(request: Request) -> Response:
        basis.accept_crs(request)
        m = model()
        ident = request.path_params["identificatie"]
        if ident not in m.locaties:
            raise niet_gevonden("locatie", ident)
        obj = m.locatie(m.locaties[ident], basis.basis_url(request))
        return antwoord(request, obj, "geometrie" in obj)

    # -- regelteksten
    def rt_hal(request: Request, rt: dict, expand: dict, url: str) -> tuple[dict, bool]:
        m = model()
        obj = m.regeltekst(rt, url)
        geo = False
        if "locaties" in expand:
            emb = [_selecteer(m.locatie(m.locaties[x], url), expand["locaties"], "locaties")
                   for x in obj["locatieIdentificaties"] if x in m.locaties]
            if emb:
                obj["_embedded"] = {"locaties": emb}
                geo = any("geometrie" in x for x in emb)
        return obj, geo

    @d.get("/regelteksten")
    async def regelteksten(request: Request) -> Response:
        basis.accept_crs(request)
        expand = lees_expand(request, ("locaties",))
        vervallen = basis.waarheid(request, "inclusiefVervallen", False)
        document = basis.tekst(request, "omgevingsdocumentIdentificatie")
        werkpakket = basis.tekst(request, "werkpakketCode")
        m = model()
        bron = dict(m.regelteksten)
        if vervallen:
            bron.update(m.vervallen)
        ids = sorted(bron)
        if document is not None:
            ids = [i for i in ids if document in (
                (bron[i].get("artikel") or {}).get("regeling"),
                (m.regeling or {}).get("work"), (m.regeling or {}).get("expression"))]
        if werkpakket is not None:
            ids = [i for i in ids if m.werkpakket.get(bron[i].get("versieNr")) == werkpakket]
        url = basis.basis_url(request)
        return verzamel(request, ids, "regelteksten",
                        lambda i: rt_hal(request, bron[i], expand, url))

    @d.get("/regelteksten/{identificatie}")
    async def regeltekst(request: Request) -> Response:
        basis.accept_crs(request)
        expand = lees_expand(request, ("locaties",))
        m = model()
        ident = request.path_params["identificatie"]
        rt = m.regelteksten.get(ident) or m.vervallen.get(ident)
        if rt is None:
            raise niet_gevonden("regeltekst", ident)
        obj, geo = rt_hal(request, rt, expand, basis.basis_url(request))
        return antwoord(request, obj, geo)

    return d
