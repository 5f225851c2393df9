"""Klantreis Vergunningcheck: location → werkzaamheid → questions one by one → conclusion per
activity → on to Aanvragen with location and activity filled in. State lives in the session."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from referentie_lv.loket import locatie, regelbank
from referentie_lv.loket.pagina import fout_actief, toon

KRUIMEL = ("/vergunningcheck", "Vergunningcheck")


def _staat(request: Request) -> dict:
    return request.session.setdefault("vc", {})


def _terug(pad: str) -> RedirectResponse:
    return RedirectResponse(pad, status_code=303)


async def start(request: Request):
    st = _staat(request)
    return toon(request, "vc_locatie.html", titel="Vergunningcheck: stap 1 van 3, locatie",
                zoek={"adres": (st.get("locatie") or {}).get("adres", "")},
                kruimels=[("/", "Home"), (None, "Vergunningcheck")])


async def kies_locatie(request: Request):
    loc, fouten = locatie.kies(request.app.state.bron, request.query_params)
    if not loc:
        return toon(request, "vc_locatie.html", status_code=400,
                    titel="Fout: Vergunningcheck: stap 1 van 3, locatie", zoek=dict(request.query_params),
                    foutmeldingen=fouten, kruimels=[("/", "Home"), (None, "Vergunningcheck")])
    request.session["vc"] = {"locatie": loc}
    return _terug("/vergunningcheck/werkzaamheid")


async def kies_werkzaamheid(request: Request):
    st = _staat(request)
    if not st.get("locatie"):
        return _terug("/vergunningcheck")
    fouten = {}
    if request.method == "POST":
        form = await request.form()
        w = regelbank.werkzaamheid(form.get("werkzaamheid"))
        if w:
            st.update(werkzaamheid=w.sleutel, antwoorden={}, bewaard=st.get("bewaard", {})
                      if st.get("werkzaamheid") == w.sleutel else {}, gesteld=[])
            request.session["vc"] = st
            return _terug("/vergunningcheck/vragen")
        fouten["werkzaamheid"] = "Kies wat u wilt gaan doen."
    opties = [(w.sleutel, w.naam) for w in regelbank.werkzaamheden()]
    return toon(request, "vc_werkzaamheid.html", status_code=400 if fouten else 200,
                titel=("Fout: " if fouten else "") + "Vergunningcheck: stap 2 van 3, werkzaamheid",
                opties=opties, gekozen=st.get("werkzaamheid"), loc=st["locatie"], foutmeldingen=fouten,
                kruimels=[("/", "Home"), KRUIMEL, (None, "Werkzaamheid")])


def _naar_vraag(code: str) -> RedirectResponse:
    return _terug("/vergunningcheck/vragen?" + urlencode({"vraag": code}))


async def vragen(request: Request):
    """One question per page, each at its own URL (?vraag=<code>), so the browser's back button
    and the Vorige button both show the earlier question with the answer given."""
    from referentie_lv.sttr.vragenboom import OngeldigAntwoord, zet_om

    st = _staat(request)
    w = regelbank.werkzaamheid(st.get("werkzaamheid"))
    if not st.get("locatie") or not w:
        return _terug("/vergunningcheck")
    antwoorden: dict = st.setdefault("antwoorden", {})
    bewaard: dict = st.setdefault("bewaard", {})
    gesteld: list = st.setdefault("gesteld", [])
    alle = regelbank.alle_vragen(w)
    fouten: dict[str, str] = {}
    vraag = None
    waarde = ""
    if request.method == "POST":
        form = await request.form()
        code = form.get("vraag", "")
        if form.get("actie") == "vorige":
            plek = gesteld.index(code) if code in gesteld else len(gesteld)
            if plek == 0:
                return _terug("/vergunningcheck/werkzaamheid")
            return _naar_vraag(gesteld[plek - 1])
        vraag = alle.get(code)
        if vraag is None:
            return _terug("/vergunningcheck/vragen")
        waarde = (form.get("antwoord") or "").strip()
        if not waarde:
            fouten["antwoord"] = ("Kies ja of nee." if vraag.gegevenstype == "boolean"
                                  else "Vul een antwoord in.")
        else:
            try:
                getal = zet_om(vraag, waarde)
                if vraag.gegevenstype == "number" and getal < 0:
                    fouten["antwoord"] = "Vul een getal van 0 of meer in."
            except OngeldigAntwoord:
                fouten["antwoord"] = ("Vul een getal in, bijvoorbeeld 80 of 12,5." if vraag.gegevenstype == "number"
                                      else "Kies ja of nee.")
        if not fouten:
            # Answering an earlier question again drops the answers after it (they stay in
            # 'bewaard' to fill the forms again); the tree may take another path now.
            if code in gesteld:
                for later in gesteld[gesteld.index(code):]:
                    antwoorden.pop(later, None)
                del gesteld[gesteld.index(code):]
            antwoorden[code] = waarde
            bewaard[code] = waarde
            gesteld.append(code)
            request.session["vc"] = st
            volgende = regelbank.volgende_vraag(w, antwoorden)
            return _naar_vraag(volgende.code) if volgende else _terug("/vergunningcheck/conclusie")
    else:
        gevraagd = request.query_params.get("vraag", "")
        volgende = regelbank.volgende_vraag(w, antwoorden)
        if gevraagd in gesteld:
            vraag = alle[gevraagd]
        elif volgende is None:
            return _terug("/vergunningcheck/conclusie")
        elif gevraagd != volgende.code:
            return _naar_vraag(volgende.code)
        else:
            vraag = volgende
        waarde = bewaard.get(vraag.code, "")
    request.session["vc"] = st
    nummer = gesteld.index(vraag.code) + 1 if vraag.code in gesteld else len(gesteld) + 1
    antwoord = toon(request, "vc_vraag.html", status_code=400 if fouten else 200,
                    titel=("Fout: " if fouten else "") + f"Vraag {nummer}: {vraag.tekst} – Vergunningcheck",
                    vraag=vraag, nummer=nummer, waarde=waarde, w=w, loc=st["locatie"], foutmeldingen=fouten,
                    kruimels=[("/", "Home"), KRUIMEL, (None, f"Vraag {nummer}")])
    antwoord.headers["Cache-Control"] = "no-store"     # back button: fetch again, show saved answer
    return antwoord


async def conclusie(request: Request):
    st = _staat(request)
    w = regelbank.werkzaamheid(st.get("werkzaamheid"))
    if not st.get("locatie") or not w:
        return _terug("/vergunningcheck")
    antwoorden = st.get("antwoorden", {})
    if regelbank.volgende_vraag(w, antwoorden) is not None:
        return _terug("/vergunningcheck/vragen")
    uitkomsten = regelbank.conclusies(w, antwoorden)
    omdraaien = fout_actief(request, "loket-conclusie-omgedraaid")
    for u in uitkomsten:
        getoond = regelbank.OMGEDRAAID.get(u["waarde"], u["waarde"]) if omdraaien else u["waarde"]
        u["tekst"] = regelbank.CONCLUSIE_TEKST.get(getoond, getoond)
        u["betekenis"] = regelbank.CONCLUSIE_UITLEG.get(getoond, "")
        u["getoond"] = getoond
    nodig = [u for u in uitkomsten if u["waarde"] in ("Vergunningplicht", "Meldingsplicht", "Informatieplicht")]
    loc = st["locatie"]
    query = {"werkzaamheid": w.sleutel, **({"adres_id": loc["adres_id"]} if loc.get("adres_id")
                                          else {"x": f"{loc['x']:.2f}", "y": f"{loc['y']:.2f}"}),
             "adres": loc["adres"]}
    pad = ("/aanvragen/starten-vanuit-check" if fout_actief(request, "loket-aanvragen-link-kapot")
           else "/aanvragen/start")
    gebruikt = [(alle.tekst, antwoorden[c]) for c, alle in regelbank.alle_vragen(w).items() if c in antwoorden]
    return toon(request, "vc_conclusie.html", titel=f"Conclusie: {w.naam} – Vergunningcheck", w=w, loc=loc,
                uitkomsten=uitkomsten, nodig=nodig, aanvragen_url=f"{pad}?{urlencode(query)}",
                gebruikt=gebruikt, kruimels=[("/", "Home"), KRUIMEL, (None, "Conclusie")])


ROUTES = [
    Route("/vergunningcheck", start),
    Route("/vergunningcheck/locatie", kies_locatie),
    Route("/vergunningcheck/werkzaamheid", kies_werkzaamheid, methods=["GET", "POST"]),
    Route("/vergunningcheck/vragen", vragen, methods=["GET", "POST"]),
    Route("/vergunningcheck/conclusie", conclusie),
]
