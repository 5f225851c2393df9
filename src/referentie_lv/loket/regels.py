"""Klantreis Regels op de kaart: search a location, the documents and rules there, a rule text,
with the location and the rule's area drawn on a map."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from referentie_lv.loket import kaart, locatie
from referentie_lv.loket.pagina import toon

KRUIMEL = ("/regels-op-de-kaart", "Regels op de kaart")


async def zoeken(request: Request):
    return toon(request, "regels_zoeken.html", titel="Regels op de kaart: locatie zoeken",
                zoek={}, kruimels=[("/", "Home"), (None, "Regels op de kaart")])


async def op_locatie(request: Request):
    q = request.query_params
    bron = request.app.state.bron
    loc, fouten = locatie.kies(bron, q)
    if not loc:
        return toon(request, "regels_zoeken.html", status_code=400,
                    titel="Fout: Regels op de kaart: locatie zoeken", zoek=dict(q), foutmeldingen=fouten,
                    kruimels=[("/", "Home"), (None, "Regels op de kaart")])
    activiteit = q.get("activiteit") or ""
    activiteiten = bron.activiteiten_op_locatie(loc["x"], loc["y"])
    if activiteit and activiteit not in {a["id"] for a in activiteiten}:
        activiteit = ""
    documenten = bron.documenten_op_locatie(loc["x"], loc["y"], activiteit or None)
    gebieden = bron.gebieden_op_locatie(loc["x"], loc["y"])
    lagen = [kaart.Laag(g["naam"], g["geometrie"]) for g in gebieden]
    svg = kaart.teken(lagen, (loc["x"], loc["y"]), titel=f"Kaart van {loc['adres']} met de gebieden waarin het ligt")
    return toon(request, "regels_locatie.html", titel=f"Regels op {loc['adres']}", loc=loc,
                lq=locatie.als_query(loc), activiteiten=activiteiten, activiteit=activiteit,
                documenten=documenten, gebieden=gebieden, kaart_svg=svg, legenda=kaart.legenda(lagen),
                kruimels=[("/", "Home"), KRUIMEL, (None, loc["adres"])])


async def regel(request: Request):
    q = request.query_params
    bron = request.app.state.bron
    wid = request.path_params["wid"]
    tekst = bron.regeltekst(wid)
    if not tekst:
        return toon(request, "melding.html", status_code=404, titel="Regel niet gevonden",
                    kop="Regel niet gevonden", terug="/regels-op-de-kaart", terug_tekst="Zoek opnieuw een locatie",
                    tekst="Deze regel bestaat niet (meer) in de geldende versie van het omgevingsdocument.")
    loc, _ = locatie.kies(bron, q) if (q.get("adres_id") or q.get("x")) else (None, {})
    punt = (loc["x"], loc["y"]) if loc else None
    lagen = [kaart.Laag(g["naam"], g["geometrie"]) for g in tekst["gebieden"]]
    svg = kaart.teken(lagen, punt,
                      titel=f"Kaart met het werkingsgebied van {tekst['kop']}", id_prefix="regelkaart")
    terug = f"/regels-op-de-kaart/locatie?{locatie.als_query(loc)}" if loc else "/regels-op-de-kaart"
    return toon(request, "regels_regel.html", titel=f"{tekst['kop']} – {tekst['document']}", tekst=tekst,
                loc=loc, kaart_svg=svg, terug=terug, legenda=kaart.legenda(lagen),
                kruimels=[("/", "Home"), KRUIMEL, (terug, loc["adres"] if loc else "Locatie"), (None, tekst["kop"])])


ROUTES = [
    Route("/regels-op-de-kaart", zoeken),
    Route("/regels-op-de-kaart/locatie", op_locatie),
    Route("/regels-op-de-kaart/regel/{wid:path}", regel),
]
