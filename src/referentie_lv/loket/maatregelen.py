"""Klantreis Maatregelen op maat: per activity the measures and indieningsvereisten from the real
STTR models, with explanation and legal basis (the articles that regulate the activity)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from referentie_lv.loket import regelbank
from referentie_lv.loket.pagina import toon

KRUIMEL = ("/maatregelen", "Maatregelen op maat")


def _activiteiten(bron) -> list[dict]:
    uit = []
    for w in regelbank.werkzaamheden():
        for a in w.activiteiten:
            if regelbank.vereisten(a):
                act = bron.s.activiteit(a) or {}
                uit.append({"id": a, "naam": act.get("naam") or w.naam, "werkzaamheid": w.naam})
    return uit


async def overzicht(request: Request):
    return toon(request, "maatregelen.html", titel="Maatregelen op maat",
                activiteiten=_activiteiten(request.app.state.bron),
                kruimels=[("/", "Home"), (None, "Maatregelen op maat")])


async def activiteit(request: Request):
    bron = request.app.state.bron
    ident = request.path_params["activiteit"]
    act = next((a for a in _activiteiten(bron) if a["id"] == ident), None)
    if not act:
        return toon(request, "melding.html", status_code=404, titel="Activiteit niet gevonden",
                    kop="Activiteit niet gevonden", terug="/maatregelen", terug_tekst="Naar Maatregelen op maat",
                    tekst="Voor deze activiteit zijn geen maatregelen of indieningsvereisten bekend.")
    grondslag = []
    for jr_id in (bron.s.activiteit(ident) or {}).get("juridischeRegels", []):
        jr = bron.s.juridische_regel(jr_id) or {}
        rt = bron.s.regeltekst(jr.get("regeltekst") or "") if jr.get("regeltekst") else None
        if rt and rt.get("artikel"):
            reg = bron.s.regeling(rt["artikel"]["regeling"]) or {}
            grondslag.append({"kop": bron.kop(rt["artikel"]), "wid": rt["artikel"]["wId"],
                              "document": reg.get("citeertitel") or ""})
    grondslag = list({g["wid"]: g for g in grondslag}.values())
    return toon(request, "maatregelen_activiteit.html", titel=f"{act['naam']} – Maatregelen op maat",
                act=act, modellen=regelbank.vereisten(ident), grondslag=grondslag,
                kruimels=[("/", "Home"), KRUIMEL, (None, act["naam"])])


ROUTES = [
    Route("/maatregelen", overzicht),
    Route("/maatregelen/{activiteit}", activiteit),
]
