"""General pages (home, test login, developers, accessibility, errors) and the route list."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from referentie_lv.loket.pagina import toon

# Fictitious citizens for the test login: BSNs from the 99999xxxx test range that pass the
# 11-proef, so forms that check a BSN accept them, and no real person has them.
TESTACCOUNTS = [
    {"bsn": "999990019", "naam": "Jan Jansen"},
    {"bsn": "999990032", "naam": "Fatima el Amrani"},
    {"bsn": "999990044", "naam": "Pieter de Vries"},
]

API_LIJST = [
    ("Omgevingsdocumenten Presenteren", "/publiek/omgevingsdocumenten/api/presenteren/v8"),
    ("Omgevingsdocumenten Geometrie opvragen", "/publiek/omgevingsdocumenten/api/geometrieopvragen/v1"),
    ("Toepasbare regels uitvoeren", "/publiek/toepasbare-regels/api/toepasbareregelsuitvoerenservices/v3"),
    ("Catalogus opvragen", "/publiek/catalogus/api/opvragen/v3"),
    ("Verzoek indienen", "/publiek/verzoeken/api/indienen/v1"),
    ("Verzoek afhandelen (bevoegd gezag)", "/overheid/verzoeken/api/afhandelen/v1"),
    ("Locatieserver (PDOK)", "/bzk/locatieserver/search/v3_1"),
    ("Regels bij activiteiten", "/api/regels_bij_activiteiten/v1"),
]


def veilig_vervolg(pad: str | None) -> str:
    """Only a local path may follow a login (no open redirect)."""
    if pad and pad.startswith("/") and not pad.startswith("//") and "\\" not in pad:
        return pad
    return "/aanvragen"


async def home(request: Request):
    return toon(request, "home.html", titel="Home")


async def ontwikkelaars(request: Request):
    basis = str(request.base_url).rstrip("/")
    return toon(request, "ontwikkelaars.html", titel="API's voor ontwikkelaars", apis=API_LIJST,
                basis=basis, kruimels=[("/", "Home"), (None, "Ontwikkelaars")])


async def toegankelijkheid(request: Request):
    return toon(request, "toegankelijkheid.html", titel="Toegankelijkheid",
                kruimels=[("/", "Home"), (None, "Toegankelijkheid")])


async def inloggen(request: Request):
    vervolg = veilig_vervolg(request.query_params.get("volgende"))
    fouten: dict[str, str] = {}
    if request.method == "POST":
        form = await request.form()
        vervolg = veilig_vervolg(form.get("volgende"))
        bsn = form.get("account")
        account = next((a for a in TESTACCOUNTS if a["bsn"] == bsn), None)
        if account:
            request.session.clear()
            request.session["gebruiker"] = dict(account)
            return RedirectResponse(vervolg, status_code=303)
        fouten["account"] = "Kies een testaccount om in te loggen."
    return toon(request, "inloggen.html", titel=("Fout: " if fouten else "") + "Inloggen met testinlog",
                opties=[(a['bsn'], f"{a['naam']} (BSN {a['bsn']})") for a in TESTACCOUNTS],
                volgende=vervolg, foutmeldingen=fouten,
                status_code=400 if fouten else 200,
                kruimels=[("/", "Home"), (None, "Inloggen")])


async def uitloggen(request: Request):
    request.session.clear()
    return toon(request, "melding.html", titel="Uitgelogd", kop="U bent uitgelogd",
                tekst="Uw sessie is beëindigd. Gegevens die u nog niet had ingediend zijn gewist.")


async def niet_gevonden(request: Request, exc):
    return toon(request, "melding.html", status_code=404, titel="Pagina niet gevonden",
                kop="Pagina niet gevonden",
                tekst="De pagina die u zoekt bestaat niet (meer). Controleer het adres of ga naar de homepagina.")


async def serverfout(request: Request, exc):
    return toon(request, "melding.html", status_code=500, titel="Er ging iets mis",
                kop="Er ging iets mis",
                tekst="Door een fout aan onze kant kon deze pagina niet worden getoond. Probeer het later opnieuw.")


# Dutch pages for what Starlette answers in English plain text (form parsing, methods).
_MELDINGEN = {
    400: ("Formulier niet te verwerken",
          "Wat u verstuurde kon niet worden gelezen. Controleer uw invoer: een bestandsnaam mag "
          "bijvoorbeeld niet te lang zijn. Ga terug en probeer het opnieuw."),
    405: ("Actie niet mogelijk", "Deze pagina kan niet op deze manier worden opgevraagd."),
    413: ("Te veel gegevens verstuurd",
          "Wat u verstuurde is te groot: een veld van het formulier bevat te veel tekst, of een "
          "bestand is te groot (een bijlage mag hoogstens 5 MB zijn). Ga terug en probeer het "
          "opnieuw."),
}


def _melding(request: Request, status: int, headers: dict[str, str] | None = None):
    kop, tekst = _MELDINGEN.get(status, ("Er ging iets mis", "Uw verzoek kon niet worden verwerkt."))
    antwoord = toon(request, "melding.html", status_code=status, titel=kop, kop=kop, tekst=tekst)
    antwoord.headers.update(headers or {})
    return antwoord


async def ongeldig_verzoek(request: Request, exc: HTTPException):
    """Starlette's HTTPExceptions (a form it cannot parse, a field over its size, a method not
    allowed) as a Dutch page; a field over the size limit is a 413."""
    status = exc.status_code
    if status == 400 and "exceeded maximum size" in (exc.detail or ""):
        status = 413
    return _melding(request, status, exc.headers)


def te_groot(scope: dict):
    """The loket's answer to a body over its limit (``grenzen.BodyGrens``)."""
    return _melding(Request(scope), 413)


def _routes() -> list:
    from referentie_lv.loket import (
        aanvragen,
        catalogus,
        maatregelen,
        regels,
        vergunningcheck,
    )

    return [
        Route("/", home, name="home"),
        Route("/ontwikkelaars", ontwikkelaars),
        Route("/toegankelijkheid", toegankelijkheid),
        Route("/inloggen", inloggen, methods=["GET", "POST"]),
        Route("/uitloggen", uitloggen, methods=["GET", "POST"]),
        *regels.ROUTES, *vergunningcheck.ROUTES, *aanvragen.ROUTES, *maatregelen.ROUTES,
        *catalogus.ROUTES,
    ]


ROUTES = _routes()
