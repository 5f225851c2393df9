"""Klantreis Aanvragen en meldingen: test login, project, location, activities, questions,
attachments, summary, submit, confirmation. The draft lives in the session (attachments on disk);
submitting stores the request where the verzoeken services (indienen, afhandelen) serve it."""

from __future__ import annotations

import base64
import secrets
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from referentie_lv.loket import locatie, regelbank
from referentie_lv.loket.pagina import gebruiker, toon

KRUIMEL = ("/aanvragen", "Aanvragen")
MAX_BIJLAGE = 5 * 1024 * 1024           # the verzoeken service's limit too
MAX_BIJLAGEN = 10
# Accepted types by extension, each checked on its magic bytes as well.
TYPES = {".pdf": ("application/pdf", b"%PDF-"), ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
         ".jpg": ("image/jpeg", b"\xff\xd8\xff"), ".jpeg": ("image/jpeg", b"\xff\xd8\xff")}
STAPPEN = ["Project", "Locatie", "Activiteiten", "Vragen", "Bijlagen", "Overzicht"]
SOORTEN = [("aanvraag", "Aanvraag omgevingsvergunning"), ("melding", "Melding")]
NL = ZoneInfo("Europe/Amsterdam")
INDIENEN = "/publiek/verzoeken/api/indienen/v1/verzoeken"


def _weg(pad: str) -> RedirectResponse:
    return RedirectResponse(pad, status_code=303)


def _concept(request: Request) -> dict | None:
    return request.session.get("aanvraag")


def _bewaar(request: Request, c: dict) -> None:
    request.session["aanvraag"] = c


def _uploadmap(request: Request) -> Path:
    config = request.app.state.config
    basis = Path(config.data_map) if getattr(config, "data_map", None) else Path(tempfile.gettempdir())
    pad = basis / "loket-bijlagen"
    pad.mkdir(parents=True, exist_ok=True)
    return pad


def _pagina(request: Request, sjabloon: str, stap: int, c: dict, fouten: dict | None = None, **ctx):
    fouten = fouten or {}
    return toon(request, sjabloon, status_code=400 if fouten else 200,
                titel=("Fout: " if fouten else "") + f"Stap {stap} van {len(STAPPEN)}: {STAPPEN[stap - 1]} – Aanvragen",
                stap=stap, stappen=STAPPEN, c=c, foutmeldingen=fouten,
                kruimels=[("/", "Home"), KRUIMEL, (None, STAPPEN[stap - 1])], **ctx)


def vereist_concept(handler):
    """Logged in and a draft present; otherwise back to the right start."""
    async def wrapper(request: Request):
        if not gebruiker(request):
            return _weg("/inloggen?volgende=" + quote("/aanvragen/start"))
        c = _concept(request)
        if not c:
            return _weg("/aanvragen")
        return await handler(request, c)
    return wrapper


async def intro(request: Request):
    return toon(request, "aanvragen_intro.html", titel="Aanvragen en meldingen",
                kruimels=[("/", "Home"), (None, "Aanvragen")], ingediend=request.session.get("ingediend", []))


async def start(request: Request):
    if not gebruiker(request):
        doel = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return _weg("/inloggen?volgende=" + quote(doel, safe=""))
    q = request.query_params
    c: dict = {"id": secrets.token_hex(8), "bijlagen": [], "antwoorden": {}, "activiteiten": [], "soort": ""}
    w = regelbank.werkzaamheid(q.get("werkzaamheid"))
    if w:
        c["activiteiten"] = [w.sleutel]
    if q.get("adres_id") or q.get("x"):
        loc, _ = locatie.kies(request.app.state.bron, q)
        if loc:
            c["locatie"] = loc
    _ruim_op(request)
    _bewaar(request, c)
    return _weg("/aanvragen/project")


def _ruim_op(request: Request) -> None:
    """Drop an earlier unsent draft's attachments."""
    oud = _concept(request)
    if oud and oud.get("id"):
        shutil.rmtree(_uploadmap(request) / oud["id"], ignore_errors=True)


@vereist_concept
async def project(request: Request, c: dict):
    fouten = {}
    if request.method == "POST":
        form = await request.form()
        naam = (form.get("projectnaam") or "").strip()
        oms = (form.get("projectomschrijving") or "").strip()
        c.update(projectnaam=naam, projectomschrijving=oms)
        if not naam:
            fouten["projectnaam"] = "Vul een projectnaam in."
        elif len(naam) > 200:
            fouten["projectnaam"] = "De projectnaam mag hoogstens 200 tekens lang zijn."
        if len(oms) > 4000:
            fouten["projectomschrijving"] = "De omschrijving mag hoogstens 4000 tekens lang zijn."
        _bewaar(request, c)
        if not fouten:
            return _weg("/aanvragen/locatie")
    return _pagina(request, "aanvragen_project.html", 1, c, fouten)


@vereist_concept
async def kies_locatie(request: Request, c: dict):
    fouten = {}
    locatie_nu = c.get("locatie") or {}
    zoek = {"adres": locatie_nu.get("adres", ""), "adres_id": locatie_nu.get("adres_id", "")}
    if request.method == "POST":
        form = await request.form()
        loc, fouten = locatie.kies(request.app.state.bron, form)
        if loc:
            c["locatie"] = loc
            _bewaar(request, c)
            return _weg("/aanvragen/activiteiten")
        zoek = dict(form)
    return _pagina(request, "aanvragen_locatie.html", 2, c, fouten, zoek=zoek)


@vereist_concept
async def activiteiten(request: Request, c: dict):
    if not c.get("locatie"):
        return _weg("/aanvragen/locatie")
    fouten = {}
    opties = [(w.sleutel, w.naam) for w in regelbank.werkzaamheden()]
    if request.method == "POST":
        form = await request.form()
        gekozen = [s for s in form.getlist("activiteiten") if regelbank.werkzaamheid(s)]
        soort = form.get("soort") or ""
        c.update(activiteiten=gekozen, soort=soort if soort in dict(SOORTEN) else "")
        if not gekozen:
            fouten["activiteiten"] = "Kies ten minste één activiteit."
        if not c["soort"]:
            fouten["soort"] = "Kies of u een vergunning aanvraagt of een melding doet."
        _bewaar(request, c)
        if not fouten:
            return _weg("/aanvragen/vragen")
    return _pagina(request, "aanvragen_activiteiten.html", 3, c, fouten, opties=opties, soorten=SOORTEN)


def _vragen(c: dict) -> list[tuple[str, object]]:
    """(field name, question) of the indieningsvereisten of the chosen activities (not attachments)."""
    uit = []
    for s in c.get("activiteiten", []):
        w = regelbank.werkzaamheid(s)
        for a in w.activiteiten if w else ():
            for v in regelbank.vereisten(a):
                if v["typering"] != "Indieningsvereisten":
                    continue
                for vraag in v["vragen"]:
                    if vraag.soort == "vraag":
                        uit.append((f"v-{s}-{vraag.code}", vraag))
    return uit


def _bijlage_eisen(c: dict) -> list[str]:
    eisen = []
    for s in c.get("activiteiten", []):
        w = regelbank.werkzaamheid(s)
        for a in w.activiteiten if w else ():
            for v in regelbank.vereisten(a):
                eisen += [f"{vraag.bijlagetype}: {vraag.tekst}" for vraag in v["vragen"] if vraag.soort == "bijlage"]
    return eisen


@vereist_concept
async def vragen(request: Request, c: dict):
    from referentie_lv.sttr.vragenboom import OngeldigAntwoord, zet_om

    if not c.get("activiteiten"):
        return _weg("/aanvragen/activiteiten")
    lijst = _vragen(c)
    fouten = {}
    if request.method == "POST":
        form = await request.form()
        for veld, vraag in lijst:
            waarde = (form.get(veld) or "").strip()
            c["antwoorden"][veld] = waarde
            if not waarde:
                fouten[veld] = "Kies ja of nee." if vraag.gegevenstype == "boolean" else "Vul een antwoord in."
                continue
            try:
                zet_om(vraag, waarde)
            except OngeldigAntwoord:
                fouten[veld] = ("Vul een getal in, bijvoorbeeld 80." if vraag.gegevenstype == "number"
                                else "Kies ja of nee.")
            if vraag.gegevenstype == "string" and len(waarde) > 2000:
                fouten[veld] = "Het antwoord mag hoogstens 2000 tekens lang zijn."
        _bewaar(request, c)
        if not fouten:
            return _weg("/aanvragen/bijlagen")
    return _pagina(request, "aanvragen_vragen.html", 4, c, fouten, vragen=lijst)


@vereist_concept
async def bijlagen(request: Request, c: dict):
    fouten = {}
    if request.method == "POST":
        async with request.form(max_files=2, max_fields=10) as form:
            if form.get("verwijder"):
                weg = form.get("verwijder")
                c["bijlagen"] = [b for b in c["bijlagen"] if b["id"] != weg]
                (_uploadmap(request) / c["id"] / Path(weg).name).unlink(missing_ok=True)
                _bewaar(request, c)
                return _weg("/aanvragen/bijlagen")
            bestand = form.get("bestand")
            fout = None
            if bestand is None or not getattr(bestand, "filename", ""):
                fout = "Kies een bestand om toe te voegen."
            else:
                naam = Path(bestand.filename.replace("\\", "/")).name[:200]
                ext = Path(naam).suffix.lower()
                inhoud = await bestand.read(MAX_BIJLAGE + 1)
                if ext not in TYPES:
                    fout = (f"Het bestand ‘{naam}’ heeft een type dat niet is toegestaan. "
                            "Kies een PDF-, PNG- of JPG-bestand.")
                elif len(inhoud) > MAX_BIJLAGE:
                    fout = (f"Het bestand ‘{naam}’ is groter dan 5 MB. "
                            "Maak het bestand kleiner of kies een ander bestand.")
                elif not inhoud:
                    fout = f"Het bestand ‘{naam}’ is leeg."
                elif not inhoud.startswith(TYPES[ext][1]):
                    fout = (f"Het bestand ‘{naam}’ is geen echt {ext[1:].upper()}-bestand. "
                            "Kies een PDF-, PNG- of JPG-bestand.")
                elif len(c["bijlagen"]) >= MAX_BIJLAGEN:
                    fout = f"U kunt hoogstens {MAX_BIJLAGEN} bijlagen toevoegen."
                else:
                    bid = secrets.token_hex(6)
                    doel = _uploadmap(request) / c["id"]
                    doel.mkdir(parents=True, exist_ok=True)
                    (doel / bid).write_bytes(inhoud)
                    c["bijlagen"].append({"id": bid, "bestandsnaam": naam, "mediatype": TYPES[ext][0],
                                          "grootte": len(inhoud)})
                    _bewaar(request, c)
                    return _weg("/aanvragen/bijlagen")
            fouten["bestand"] = fout
    return _pagina(request, "aanvragen_bijlagen.html", 5, c, fouten, eisen=_bijlage_eisen(c))


def _samenvatting(c: dict) -> dict:
    namen = {w.sleutel: w.naam for w in regelbank.werkzaamheden()}
    return {"activiteiten": [namen.get(s, s) for s in c.get("activiteiten", [])],
            "soort": dict(SOORTEN).get(c.get("soort"), ""),
            "antwoorden": [(v.tekst, c["antwoorden"].get(veld, "")) for veld, v in _vragen(c)]}


@vereist_concept
async def overzicht(request: Request, c: dict):
    ontbreekt = [p for p, k in (("/aanvragen/project", "projectnaam"), ("/aanvragen/locatie", "locatie"),
                                ("/aanvragen/activiteiten", "soort")) if not c.get(k)]
    if ontbreekt:
        return _weg(ontbreekt[0])
    fouten = {}
    if request.method == "POST":
        form = await request.form()
        if form.get("verklaring") != "ja":
            fouten["verklaring"] = "Bevestig dat u alles naar waarheid hebt ingevuld."
        else:
            try:
                v = await _dien_in(request, c)
            except IndienFout as e:
                fouten["verklaring"] = str(e)
            else:
                shutil.rmtree(_uploadmap(request) / c["id"], ignore_errors=True)
                request.session.pop("aanvraag", None)
                request.session["ingediend"] = (request.session.get("ingediend", []) + [v["verzoeknummer"]])[-20:]
                return _weg(f"/aanvragen/bevestiging/{v['verzoeknummer']}")
    return _pagina(request, "aanvragen_overzicht.html", 6, c, fouten, s=_samenvatting(c))


class IndienFout(Exception):
    pass


async def _dien_in(request: Request, c: dict) -> dict:
    """Submit through the Verzoek indienen service of this same origin, as the real loket does
    with its back end: the service validates, determines the bevoegd gezag and stores the request
    where Verzoek afhandelen serves it."""
    import httpx

    config = request.app.state.config
    loc = c["locatie"]
    acts = []
    for s in c["activiteiten"]:
        w = regelbank.werkzaamheid(s)
        acts += [{"identificatie": a} for a in (w.activiteiten if w else ())]
    antwoorden = [{"vraag": v.id, "vraagTekst": v.tekst,
                   "antwoord": _als_tekst(v, c["antwoorden"].get(veld, ""))} for veld, v in _vragen(c)]
    bijlagen = []
    for b in c["bijlagen"]:
        inhoud = (_uploadmap(request) / c["id"] / b["id"]).read_bytes()
        bijlagen.append({"bestandsnaam": b["bestandsnaam"], "mediatype": b["mediatype"],
                         "inhoud": base64.b64encode(inhoud).decode("ascii")})
    body = {"soort": c["soort"], "projectnaam": c["projectnaam"],
            **({"projectomschrijving": c["projectomschrijving"]} if c.get("projectomschrijving") else {}),
            "locatie": {"omschrijving": loc["adres"][:500],
                        "geometrie": {"type": "Point", "coordinates": [round(loc["x"], 3), round(loc["y"], 3)]}},
            "activiteiten": acts, "antwoorden": antwoorden,
            "indiener": {"naam": gebruiker(request)["naam"]}, "bijlagen": bijlagen}
    sleutel = min(getattr(config, "api_sleutels", None) or ["referentie-test"])
    url = str(request.base_url).rstrip("/") + INDIENEN
    try:
        async with httpx.AsyncClient(timeout=60) as client:
            r = await client.post(url, json=body, headers={
                "x-api-key": sleutel, "Accept": "application/hal+json",
                "Content-Crs": "http://www.opengis.net/def/crs/EPSG/0/28992"})
    except httpx.HTTPError:
        raise IndienFout("Het indienen is niet gelukt: de verzoekendienst is niet bereikbaar. "
                         "Probeer het over een paar minuten opnieuw.") from None
    if r.status_code == 201:
        return r.json()
    try:
        detail = r.json().get("detail") or ""
    except ValueError:
        detail = ""
    if r.status_code >= 500 or r.status_code == 429:
        raise IndienFout("Het indienen is niet gelukt door een storing. Uw gegevens zijn bewaard; "
                         "probeer het opnieuw.")
    raise IndienFout(f"Uw verzoek is niet geaccepteerd: {detail}".rstrip(": "))


def _als_tekst(vraag, waarde: str) -> str:
    if vraag.gegevenstype == "boolean":
        return "true" if waarde == "ja" else "false"
    return waarde


async def bevestiging(request: Request):
    nr = request.path_params["nummer"]
    if not gebruiker(request) or nr not in request.session.get("ingediend", []):
        return toon(request, "melding.html", status_code=404, titel="Verzoek niet gevonden",
                    kop="Verzoek niet gevonden", terug="/aanvragen", terug_tekst="Naar Aanvragen",
                    tekst="U kunt alleen de bevestiging zien van een verzoek dat u in deze sessie hebt ingediend.")
    from referentie_lv.api import verzoeken
    v = verzoeken.opslag(request.app.state.config).haal(nr)
    if not v:
        return toon(request, "melding.html", status_code=404, titel="Verzoek niet gevonden",
                    kop="Verzoek niet gevonden", tekst="Dit verzoek bestaat niet.")
    moment = datetime.fromisoformat(v["ingediendOp"]).astimezone(NL)
    return toon(request, "aanvragen_bevestiging.html", titel=f"Verzoek {nr} ingediend – Aanvragen", v=v,
                datum=moment.strftime("%d-%m-%Y"), tijd=moment.strftime("%H:%M"),
                kruimels=[("/", "Home"), KRUIMEL, (None, "Bevestiging")])


ROUTES = [
    Route("/aanvragen", intro),
    Route("/aanvragen/start", start),
    Route("/aanvragen/project", project, methods=["GET", "POST"]),
    Route("/aanvragen/locatie", kies_locatie, methods=["GET", "POST"]),
    Route("/aanvragen/activiteiten", activiteiten, methods=["GET", "POST"]),
    Route("/aanvragen/vragen", vragen, methods=["GET", "POST"]),
    Route("/aanvragen/bijlagen", bijlagen, methods=["GET", "POST"]),
    Route("/aanvragen/overzicht", overzicht, methods=["GET", "POST"]),
    Route("/aanvragen/bevestiging/{nummer}", bevestiging),
]
