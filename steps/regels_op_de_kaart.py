"""Steps of features/regels-op-de-kaart: search an address (also by suggestion, postcode or
coordinates), the rules there, filter, a rule's text and where it applies; and the same rules as
the Presenteren API finds (keten)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from pytest_bdd import given, parsers, then, when

from steps.api import beschrijf
from steps.gedeeld import eis, locatieveld
from steps.paginas import LocatieZoeken, RegelsOpLocatie, tekst_re

RD = "http://www.opengis.net/def/crs/EPSG/0/28992"


@given("ik open Regels op de kaart")
def open_regels(page: Page):
    RegelsOpLocatie(page).open(tekst_re("Regels op de kaart"))


@when(parsers.parse('ik zoek op het adres van locatie "{naam}"'))
def zoek_adres_van(page: Page, testdata, naam):
    LocatieZoeken(page).zoek_adres(locatieveld(testdata, naam, "adres"))


@when(parsers.parse('ik zoek op postcode en huisnummer van locatie "{naam}"'))
def zoek_postcode(page: Page, testdata, naam):
    LocatieZoeken(page).zoek_adres(
        f"{locatieveld(testdata, naam, 'postcode')} {locatieveld(testdata, naam, 'huisnummer')}")


@when(parsers.parse('ik zoek op het adres "{tekst}"'))
def zoek_vrij_adres(page: Page, tekst):
    LocatieZoeken(page).zoek_adres(tekst)


@when("ik zoek zonder iets in te vullen")
def zoek_leeg(page: Page):
    LocatieZoeken(page).zoek_adres("")


@when(parsers.parse("ik zoek op de coördinaten x {x} en y {y}"))
def zoek_vrije_coordinaten(page: Page, x, y):
    LocatieZoeken(page).zoek_coordinaten(x, y)


@when(parsers.parse('ik zoek op de coördinaten van locatie "{naam}"'))
def zoek_coordinaten(page: Page, testdata, naam):
    LocatieZoeken(page).zoek_coordinaten(locatieveld(testdata, naam, "x"),
                                         locatieveld(testdata, naam, "y"))


@when(parsers.parse('ik de zoektekst van locatie "{naam}" typ'))
def typ_zoektekst(page: Page, testdata, naam):
    LocatieZoeken(page).typ(locatieveld(testdata, naam, "zoektekst"))


@then(parsers.parse('verschijnt het adres van locatie "{naam}" als suggestie'))
def suggestie_zichtbaar(page: Page, testdata, naam, gegevens):
    adres = locatieveld(testdata, naam, "adres")
    optie = LocatieZoeken(page).suggesties().get_by_role("option", name=adres, exact=True)
    expect(optie).to_be_visible()
    gegevens["suggestie"] = optie


@when("ik die suggestie kies en zoek")
def kies_suggestie(page: Page, gegevens):
    gegevens["suggestie"].click()
    LocatieZoeken(page).verstuur()


@then(parsers.parse('zie ik de regels op locatie "{naam}"'))
def regels_op_locatie(page: Page, testdata, naam):
    pagina = RegelsOpLocatie(page)
    pagina.controleer_geopend()
    expect(pagina.inhoud).to_contain_text(locatieveld(testdata, naam, "adres"))


@then(parsers.parse('zie ik de regels op de coördinaten van locatie "{naam}"'))
def regels_op_coordinaten(page: Page, testdata, naam):
    pagina = RegelsOpLocatie(page)
    pagina.controleer_geopend()
    x = round(float(locatieveld(testdata, naam, "x")))
    expect(pagina.inhoud).to_contain_text(re.compile(rf"x\s*{x}"))


@then(parsers.parse('staan de documenten van locatie "{naam}" in de lijst'))
def documenten_in_lijst(page: Page, testdata, naam):
    for document in locatieveld(testdata, naam, "documenten"):
        expect(page.get_by_role("heading", name=document, exact=True)).to_be_visible()


@then("zie ik de locatie gemarkeerd op een kaart")
def locatie_op_kaart(page: Page):
    kaart = page.get_by_role("img", name=re.compile(r"^Kaart", re.IGNORECASE)).first
    expect(kaart).to_be_visible()


@given(parsers.parse('ik bekijk de regels op locatie "{naam}"'))
def bekijk_regels(page: Page, testdata, naam):
    open_regels(page)
    zoek_adres_van(page, testdata, naam)
    regels_op_locatie(page, testdata, naam)


@when(parsers.parse('ik filter op de activiteit van locatie "{naam}"'))
def filter_activiteit(page: Page, testdata, naam, gegevens):
    activiteit = locatieveld(testdata, naam, "activiteit")
    page.get_by_label("Filter op activiteit").select_option(label=activiteit)
    page.get_by_role("button", name="Filter toepassen").click()
    gegevens["activiteit"] = activiteit


@then("staan alleen regels over die activiteit in de lijst")
def alleen_activiteit(page: Page, gegevens):
    activiteit = gegevens["activiteit"]
    expect(page.get_by_role("status").filter(has_text=activiteit)).to_be_visible()
    items = RegelsOpLocatie(page).inhoud.get_by_role("listitem").filter(
        has=page.get_by_role("link", name=re.compile(r"^Artikel|^Lid|^§", re.IGNORECASE)))
    aantal = items.count()
    eis(aantal > 0, "na het filteren staat er geen enkele regel meer in de lijst")
    for i in range(aantal):
        expect(items.nth(i)).to_contain_text(activiteit)


@when(parsers.parse('ik de regel van locatie "{naam}" open'))
def open_regel(page: Page, testdata, naam, gegevens):
    kop = locatieveld(testdata, naam, "regel")
    gegevens["regel"] = kop
    page.get_by_role("link", name=kop).first.click()


@then("zie ik het werkingsgebied van de regel op een kaart")
def werkingsgebied(page: Page):
    expect(page.get_by_role("img", name=re.compile("werkingsgebied", re.IGNORECASE))).to_be_visible()


# --- keten: Regels op de kaart in het loket ↔ Presenteren-API -------------------------------------

@then(parsers.parse('vindt de Presenteren-API op locatie "{naam}" dezelfde regels als het loket'))
def regels_gelijk_aan_presenteren(page: Page, api, testdata, naam):
    x = float(locatieveld(testdata, naam, "x"))
    y = float(locatieveld(testdata, naam, "y"))
    regelteksten: list[dict] = []
    for pagina in range(1, 11):   # bounded paging
        antwoord = api.post("presenteren", "/annotaties/regeltekstannotaties/_zoek",
                            alleen_raadplegen=True, params={"page": pagina, "size": 100},
                            headers={"Content-Crs": RD, "Accept-Crs": RD},
                            json={"geometrie": {"type": "Point", "coordinates": [x, y]}})
        eis(antwoord.status_code == 200, beschrijf(antwoord))
        body = antwoord.json()
        regelteksten += (body.get("_embedded") or {}).get("regelteksten", [])
        if pagina >= ((body.get("page") or {}).get("totalPages") or 1):
            break
    links = RegelsOpLocatie(page).regellinks()
    verschillen = []
    if len(links) != len(regelteksten):
        verschillen.append(f"het loket toont {len(links)} regels, de Presenteren-API vindt er "
                           f"{len(regelteksten)}")
    for rt in regelteksten:
        m = re.match(r"(Artikel\s+\S+)", rt.get("opschrift") or "")
        if m and not any(link.startswith(m.group(1) + " ") or link == m.group(1) for link in links):
            verschillen.append(f"'{rt.get('opschrift')}' staat niet in het loket")
    eis(not verschillen, "loket en Presenteren-API zijn het oneens: " + "; ".join(verschillen))
