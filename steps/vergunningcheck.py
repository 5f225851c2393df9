"""Steps of features/vergunningcheck: location, werkzaamheid, questions, conclusion, on to
Aanvragen; and the loket's conclusion equals the uitvoeren API's for the same answers (keten).

The generated ``beslistabellen-*.feature`` use the same steps, with one example per table row.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from pytest_bdd import given, parsers, then, when

from steps.api import beschrijf
from steps.gedeeld import (
    controleer_toegankelijkheid,
    eis,
    locatieveld,
    log_in,
    normaal_antwoord,
    tabel_als_dict,
)
from steps.paginas import Aanvraag, LocatieZoeken, Pagina, Vragen


@given(parsers.parse('ik start de Vergunningcheck op locatie "{naam}"'))
def start_vergunningcheck(request, page: Page, testdata, naam, gegevens):
    adres = locatieveld(testdata, naam, "adres")
    page.goto("vergunningcheck")
    controleer_toegankelijkheid(request, page)
    LocatieZoeken(page).zoek_adres(adres)
    expect(page.get_by_role("radio").first,
           "na het kiezen van de locatie verwacht ik een keuze uit werkzaamheden").to_be_visible()
    gegevens["locatie"] = adres


@when(parsers.parse('ik de werkzaamheid "{werkzaamheid}" kies'))
def kies_werkzaamheid(page: Page, testdata, werkzaamheid, gegevens):
    naam = testdata.vertaal("werkzaamheden", werkzaamheid)
    page.get_by_role("radio", name=naam, exact=True).check()
    Pagina(page).knop("Verder").click()
    gegevens["werkzaamheid"] = werkzaamheid


@when("ik de vragen als volgt beantwoord:")
def beantwoord_vragen(request, page: Page, datatable, gegevens):
    """Answer the questions in the order the loket asks them, until it shows a conclusion."""
    antwoorden = tabel_als_dict(datatable, "vraag", "antwoord")
    vragen = Vragen(page)
    gesteld: list[str] = []
    for _ in range(len(antwoorden) + 1):
        open_ = [v for v in antwoorden if v not in gesteld]
        iets = vragen.conclusiekop.or_(page.get_by_role("alert"))
        for v in open_:
            iets = iets.or_(vragen.vraag(v))
        try:
            expect(iets.first).to_be_visible()
        except AssertionError:
            raise AssertionError("het loket stelt een vraag die niet in het voorbeeld staat, of "
                                 f"toont niets bruikbaars: {vragen.wat_staat_er()}") from None
        if page.get_by_role("alert").count():
            raise AssertionError("het loket wijst een antwoord af: "
                                 + page.get_by_role("alert").first.inner_text()[:300])
        if vragen.conclusiekop.count():
            break
        vraag = next(v for v in open_ if vragen.vraag(v).count())
        controleer_toegankelijkheid(request, page)
        vragen.beantwoord(vraag, antwoorden[vraag])
        vragen.volgende()
        gesteld.append(vraag)
    else:
        raise AssertionError(f"geen conclusie na {len(gesteld)} vragen: {vragen.wat_staat_er()}")
    gegevens["antwoorden"] = {v: antwoorden[v] for v in gesteld}
    gegevens["alle_antwoorden"] = antwoorden


@then(parsers.parse('luidt de conclusie voor "{werkzaamheid}": {conclusie}'))
def conclusie_luidt(page: Page, testdata, werkzaamheid, conclusie, gegevens):
    tekst = testdata.vertaal("conclusies", conclusie)
    naam = testdata.vertaal("werkzaamheden", werkzaamheid)
    vragen = Vragen(page)
    expect(vragen.conclusiekop).to_be_visible()
    verwacht = vragen.inhoud.get_by_role(
        "heading", level=2,
        name=re.compile(rf"{re.escape(naam)}.*\b{re.escape(tekst)}\b", re.IGNORECASE))
    eis(verwacht.count(), f"verwacht conclusie '{tekst}' voor '{naam}', maar het loket toont: "
                          f"{vragen.getoonde_conclusies()}")
    expect(verwacht.first).to_be_visible()
    gegevens["conclusie"] = conclusie


@when(parsers.parse('ik op de vraag "{vraag}" "{antwoord}" antwoord'))
def antwoord_op(page: Page, vraag, antwoord):
    vragen = Vragen(page)
    expect(vragen.vraag(vraag)).to_be_visible()
    vragen.beantwoord(vraag, antwoord)
    vragen.volgende()


@when(parsers.parse("ik met {terug} naar de vorige vraag ga"))
def vorige_vraag(page: Page, terug):
    if "browser" in terug:
        page.go_back()
    else:
        Pagina(page).knop("Vorige").click()


@then(parsers.parse('staat bij de vraag "{vraag}" nog het antwoord "{antwoord}"'))
def antwoord_bewaard(page: Page, vraag, antwoord):
    Vragen(page).controleer_antwoord(vraag, antwoord)


# --- verder naar Aanvragen ------------------------------------------------------------------------------

@when("ik verder ga naar Aanvragen")
def verder_naar_aanvragen(page: Page):
    page.get_by_role("link", name="Verder naar Aanvragen").click()
    page.wait_for_load_state()
    kop = Pagina(page).kop.first.inner_text()
    eis(not re.search(r"niet gevonden|ging iets mis|fout", kop, re.IGNORECASE),
        f"de link 'Verder naar Aanvragen' leidt naar een foutpagina: '{kop}' ({page.url})")


@when("ik inlog met het testaccount")
def inloggen(request, page: Page, testdata):
    log_in(request, page, testdata.vereis("aanvragen", "testaccount"))


@then(parsers.parse('is de locatie van locatie "{naam}" al gekozen'))
def locatie_al_gekozen(page: Page, testdata, naam, run_markering):
    aanvraag = Aanvraag(page)
    if aanvraag.projectnaam.count():
        aanvraag.projectnaam.fill(f"Vanuit de check [{run_markering}]")
        aanvraag.volgende()
    expect(aanvraag.inhoud).to_contain_text(locatieveld(testdata, naam, "adres"))


@then(parsers.parse('is de activiteit "{werkzaamheid}" al aangevinkt'))
def activiteit_aangevinkt(page: Page, testdata, werkzaamheid):
    link = page.get_by_role("link", name=re.compile(r"Verder met de gekozen locatie", re.IGNORECASE))
    if link.count():
        link.click()
    naam = testdata.vertaal("werkzaamheden", werkzaamheid)
    expect(page.get_by_role("checkbox", name=naam, exact=True)).to_be_checked()


# --- keten: Vergunningcheck in het loket ↔ uitvoeren-API ----------------------------------------------

def _waarde(gegevenstype: str, antwoord: str):
    """An answer typed in the loket as the uitvoeren API takes it."""
    if gegevenstype == "boolean":
        return normaal_antwoord(antwoord) == "ja"
    if gegevenstype == "number":
        getal = float(antwoord.replace(",", "."))
        return int(getal) if getal.is_integer() else getal
    return antwoord


def conclusies_van_api(api, werkzaamheid: str, antwoorden: dict[str, str]) -> dict[str, str]:
    """Ask the uitvoeren service, question by question, with the answers given in the loket."""
    regels = api.toepasbare_regels("Conclusie", werkzaamheid)
    activiteiten = sorted({a for r in regels for a in r.get("activiteiten", [])})
    gegeven: list[dict] = []
    for _ in range(len(antwoorden) + 2):
        antwoord = api.post("uitvoeren", "/conclusie/_bepaal", alleen_raadplegen=True,
                            json={"activiteiten": activiteiten, "antwoorden": gegeven})
        eis(antwoord.status_code == 200, beschrijf(antwoord))
        body = antwoord.json()
        if body.get("status") == "afgerond":
            return {(r.get("conclusie") or {}).get("besluit", ""): (r.get("conclusie") or {}).get("waarde")
                    for r in body.get("resultaten", [])}
        vraag = next((r["volgendeVraag"] for r in body.get("resultaten", []) if r.get("volgendeVraag")),
                     None)
        eis(vraag, f"de uitvoeren-API is niet afgerond maar stelt geen vraag: {body}")
        tekst = vraag.get("tekst") or vraag.get("vraagtekst")
        eis(tekst in antwoorden, f"de uitvoeren-API stelt de vraag '{tekst}', die het loket niet "
                                 f"stelde (loket vroeg: {list(antwoorden)})")
        gegeven.append({"vraagId": vraag["id"],
                        "waarde": _waarde(vraag.get("gegevenstype", ""), antwoorden[tekst])})
    raise AssertionError("de uitvoeren-API komt niet tot een conclusie")


@then("geeft de uitvoeren-API voor dezelfde antwoorden dezelfde conclusie als het loket")
def loket_gelijk_aan_api(page: Page, api, testdata, gegevens):
    api_conclusies = conclusies_van_api(api, gegevens["werkzaamheid"], gegevens["alle_antwoorden"])
    loket = Vragen(page).getoonde_conclusies()
    verschillen = []
    for besluit, waarde in api_conclusies.items():
        tekst = testdata.vertaal("conclusies", str(waarde))
        naam = re.sub(r"^Besluit\s*-\s*", "", besluit)
        kop = next((k for k in loket if naam.lower() in k.lower()), None)
        if kop is None:
            verschillen.append(f"'{naam}': de API zegt '{tekst}', het loket toont geen conclusie")
        elif not re.search(rf"\b{re.escape(tekst)}\b", kop, re.IGNORECASE):
            verschillen.append(f"'{naam}': de API zegt '{tekst}', het loket toont '{kop}'")
    eis(api_conclusies, "de uitvoeren-API gaf geen enkele conclusie")
    eis(not verschillen, "loket en uitvoeren-API zijn het oneens: " + "; ".join(verschillen))
