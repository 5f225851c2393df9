"""Klantreis Stelselcatalogus: search a concept, see its definition and source."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from referentie_lv.loket.pagina import toon


async def zoeken(request: Request):
    zoek = (request.query_params.get("zoekterm") or "").strip()[:100]
    bron = request.app.state.bron
    begrippen = bron.begrippen(zoek)
    regelingen = {r["identificatie"]: r for r in bron.s.regelingen()}
    for b in begrippen:
        reg = regelingen.get(b.get("regeling")) or {}
        b["bron"] = reg.get("citeertitel") or reg.get("officieleTitel") or b.get("regeling") or ""
    titel = (f"Zoekresultaten voor ‘{zoek}’ – " if zoek else "") + "Stelselcatalogus"
    return toon(request, "catalogus.html", titel=titel,
                zoek=zoek, begrippen=begrippen, kruimels=[("/", "Home"), (None, "Stelselcatalogus")])


ROUTES = [Route("/stelselcatalogus", zoeken)]
