"""Catalogus Opvragen v3 (modelled service, spec ../specs/catalogus.yaml).

Begrippen come from the begrippenlijst of the regeling (term, definitie, bron), activiteiten from
IMOW, werkzaamheden from the STTR "toepasbaar maken" packages (werkzaamheid -> activiteiten).
``pageSize`` may only be 10, 20, 40 or 100, as the DSO documents.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

from referentie_lv.api import basis
from referentie_lv.api.presenteren import MAX_PAGINA, gedeelde_store
from referentie_lv.config import Config
from referentie_lv.data.adressen import normaliseer
from referentie_lv.sttr.pakketten import regelbank

BASISPAD = "/publiek/catalogus/api/opvragen/v3"
PAGINAGROOTTES = (10, 20, 40, 100)


def werkzaamheid_naam(urn: str) -> str:
    """'BoomOfStruikKappenOfSnoeien' -> 'Boom of struik kappen of snoeien'."""
    woorden = re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", urn)
    return " ".join(woorden).capitalize() if woorden else urn


def _href(request: Request, pad: str) -> str:
    host = request.headers.get("host") or "127.0.0.1"
    return f"{request.url.scheme}://{host}{BASISPAD}{pad}"


def dienst(config: Config) -> basis.Dienst:
    d = basis.Dienst("catalogus", BASISPAD, basis.SPECS / "catalogus.yaml")
    store = gedeelde_store(config)
    werkzaamheden = {urn: sorted(acts) for urn, acts in regelbank().werkzaamheden.items()}
    werkzaamheden_per_activiteit: dict[str, list[str]] = {}
    for urn, acts in werkzaamheden.items():
        for a in acts:
            werkzaamheden_per_activiteit.setdefault(a, []).append(urn)

    def begrip(request: Request, b: dict) -> dict:
        reg = store.regeling(b["regeling"]) or {}
        return {"identificatie": b["wId"], "term": b["term"] or "", "definitie": b["definitie"] or "",
                "bron": {"regelingIdentificatie": b["regeling"],
                         "expressieIdentificatie": reg.get("expression", ""),
                         "citeertitel": reg.get("citeertitel") or "", "wId": b["wId"]},
                "_links": {"self": {"href": _href(request, f"/begrippen/{b['wId']}")}}}

    def activiteit(request: Request, a: dict) -> dict:
        ouder = a.get("bovenliggendeActiviteit")
        links = {"self": {"href": _href(request, f"/activiteiten/{a['identificatie']}")}}
        if ouder and store.activiteit(ouder) is not None:
            links["bovenliggendeActiviteit"] = {"href": _href(request, f"/activiteiten/{ouder}")}
        return {"identificatie": a["identificatie"], "naam": a.get("naam") or "",
                "groep": a.get("groep") or "", "bovenliggendeActiviteit": ouder,
                "werkzaamheden": sorted(werkzaamheden_per_activiteit.get(a["identificatie"], [])),
                "_links": links}

    def werkzaamheid(request: Request, urn: str) -> dict:
        return {"identificatie": urn, "naam": werkzaamheid_naam(urn),
                "activiteiten": werkzaamheden[urn],
                "_links": {"self": {"href": _href(request, f"/werkzaamheden/{urn}")}}}

    def lijst(request: Request, naam: str, alles: list, tekst_van, maak) -> Response:
        basis.onbekende_parameters(request, ("zoekterm", "page", "pageSize"))
        zoekterm = basis.tekst(request, "zoekterm", max_lengte=200)
        p = basis.pagina(request, grootte_naam="pageSize", toegestaan=PAGINAGROOTTES,
                           max_pagina=MAX_PAGINA)
        if zoekterm:
            z = normaliseer(zoekterm.strip())
            alles = [x for x in alles if z in normaliseer(tekst_van(x))]
        return basis.hal_pagina(request, p, len(alles),
                                {naam: [maak(request, x) for x in alles[p.start:p.start + p.grootte]]})

    @d.get("/begrippen")
    async def begrippen(request: Request) -> Response:
        return lijst(request, "begrippen", store.begrippen(),
                     lambda b: f"{b['term']} {b['definitie']}", begrip)

    @d.get("/begrippen/{identificatie}")
    async def begrip_detail(request: Request) -> Response:
        basis.onbekende_parameters(request, ())
        i = request.path_params["identificatie"]
        for b in store.begrippen():
            if b["wId"] == i:
                return basis.hal(begrip(request, b))
        raise basis.Probleem(404, f"Begrip '{i}' bestaat niet.")

    @d.get("/activiteiten")
    async def activiteiten(request: Request) -> Response:
        return lijst(request, "activiteiten", store.activiteiten(),
                     lambda a: a.get("naam") or "", activiteit)

    @d.get("/activiteiten/{identificatie}")
    async def activiteit_detail(request: Request) -> Response:
        basis.onbekende_parameters(request, ())
        i = request.path_params["identificatie"]
        a = store.activiteit(i)
        if a is None:
            raise basis.Probleem(404, f"Activiteit '{i}' bestaat niet.")
        return basis.hal(activiteit(request, a))

    @d.get("/werkzaamheden")
    async def werkzaamheden_lijst(request: Request) -> Response:
        return lijst(request, "werkzaamheden", sorted(werkzaamheden),
                     lambda u: f"{u} {werkzaamheid_naam(u)}", werkzaamheid)

    @d.get("/werkzaamheden/{identificatie}")
    async def werkzaamheid_detail(request: Request) -> Response:
        basis.onbekende_parameters(request, ())
        i = request.path_params["identificatie"]
        if i not in werkzaamheden:
            raise basis.Probleem(404, f"Werkzaamheid '{i}' bestaat niet.")
        return basis.hal(werkzaamheid(request, i))

    return d
