"""Loket steps: page objects that find everything by role and accessible name, never by CSS or id.

A page object knows one page of the loket the way a user does (its heading, its labelled fields,
its buttons); steps say what the user does and sees. Test data (addresses, documents, the words a
target uses) comes from ``features/testdata/<doel>.toml`` through the ``testdata`` fixture.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_bdd import given, parsers, then, when

ADRESVELD = "Adres of postcode en huisnummer"


def _tekst_re(tekst: str) -> re.Pattern:
    """Case-insensitive match of a whole phrase inside an accessible name or text."""
    return re.compile(re.escape(tekst), re.IGNORECASE)


def controleer_pagina(request, page: Page) -> None:
    """Accessibility check of a page passed through inside one step (the plugin checks the page
    each step ends on by itself)."""
    from dso_acceptatie.fasen.klantreizen import plugin
    plugin.controleer_pagina(request.node, page)


# --- page objects ----------------------------------------------------------------------------------

class LocatieZoeken:
    """The location search shared by Regels op de kaart, Vergunningcheck and Aanvragen."""

    def __init__(self, page: Page):
        self.page = page

    @property
    def adresveld(self):
        return self.page.get_by_role("combobox", name=ADRESVELD)

    def zoek_adres(self, tekst: str, knop: str | None = None) -> None:
        self.adresveld.fill(tekst)
        self.verstuur(knop)

    def verstuur(self, knop: str | None = None) -> None:
        formulier = self.page.get_by_role("search", name="Locatie zoeken")
        if knop:
            formulier.get_by_role("button", name=knop).click()
        else:
            formulier.get_by_role("button").first.click()

    def typ(self, tekst: str) -> None:
        self.adresveld.press_sequentially(tekst, delay=30)

    def suggesties(self):
        return self.page.get_by_role("listbox", name="Suggesties voor het adres")

    def zoek_coordinaten(self, x: str, y: str, knop: str | None = None) -> None:
        self.page.get_by_text("Of zoek op coördinaten (RD)").click()
        self.page.get_by_label("X-coördinaat (RD, meter)").fill(str(x))
        self.page.get_by_label("Y-coördinaat (RD, meter)").fill(str(y))
        self.verstuur(knop)


def locatie(testdata, naam: str) -> dict:
    gegevens = testdata.vereis("locaties", naam)
    if not isinstance(gegevens, dict):
        pytest.fail(f"testdata 'locaties.{naam}' moet een tabel zijn", pytrace=False)
    return gegevens


def veld(testdata, naam: str, sleutel: str):
    return testdata.vereis("locaties", naam, sleutel)


def open_pagina(page: Page, pad: str, kop: str | re.Pattern) -> None:
    page.goto(pad.lstrip("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(kop)


# --- general ----------------------------------------------------------------------------------------

@given("ik ben op de homepagina van het loket")
def homepagina(page: Page):
    page.goto("")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


@then(parsers.parse('zie ik een link naar "{naam}"'))
def link_zichtbaar(page: Page, naam):
    expect(page.get_by_role("link", name=naam, exact=True).first).to_be_visible()


@when(parsers.parse('ik de link "{naam}" volg'))
def volg_link(page: Page, naam):
    page.get_by_role("main").get_by_role("link", name=naam, exact=True).first.click()


@then(parsers.parse('zie ik de pagina "{kop}"'))
def zie_pagina(page: Page, kop):
    expect(page.get_by_role("heading", level=1)).to_have_text(_tekst_re(kop))


@then("heeft de pagina een betekenisvolle titel en de taal Nederlands")
def titel_en_taal(page: Page):
    titel = page.title()
    assert titel and len(titel) > 3, f"de pagina heeft geen betekenisvolle titel: {titel!r}"
    taal = page.locator("html").get_attribute("lang")
    assert taal and taal.lower().startswith("nl"), (
        f"de pagina zegt niet dat ze Nederlands is: lang={taal!r} (WCAG 3.1.1)")


@then(parsers.parse('kan ik met de toetsenbord-skiplink naar de inhoud springen'))
def skiplink(page: Page):
    page.keyboard.press("Tab")
    link = page.get_by_role("link", name="Naar de inhoud")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()


# --- Regels op de kaart -------------------------------------------------------------------------------

@given("ik open Regels op de kaart")
def open_regels(page: Page):
    open_pagina(page, "regels-op-de-kaart", _tekst_re("Regels op de kaart"))


@when(parsers.parse('ik zoek op het adres van locatie "{naam}"'))
def zoek_adres_van(page: Page, testdata, naam):
    LocatieZoeken(page).zoek_adres(veld(testdata, naam, "adres"))


@when(parsers.parse('ik zoek op postcode en huisnummer van locatie "{naam}"'))
def zoek_postcode(page: Page, testdata, naam):
    LocatieZoeken(page).zoek_adres(
        f"{veld(testdata, naam, 'postcode')} {veld(testdata, naam, 'huisnummer')}")


@when(parsers.parse('ik zoek op het adres "{tekst}"'))
def zoek_vrij_adres(page: Page, tekst):
    LocatieZoeken(page).zoek_adres(tekst)


@when("ik zoek zonder iets in te vullen")
def zoek_leeg(page: Page):
    LocatieZoeken(page).zoek_adres("")


@when(parsers.parse('ik zoek op de coördinaten x {x} en y {y}'))
def zoek_vrije_coordinaten(page: Page, x, y):
    LocatieZoeken(page).zoek_coordinaten(x, y)


@when(parsers.parse('ik zoek op de coördinaten van locatie "{naam}"'))
def zoek_coordinaten(page: Page, testdata, naam):
    LocatieZoeken(page).zoek_coordinaten(veld(testdata, naam, "x"), veld(testdata, naam, "y"))


@when(parsers.parse('ik de zoektekst van locatie "{naam}" typ'))
def typ_zoektekst(page: Page, testdata, naam):
    LocatieZoeken(page).typ(veld(testdata, naam, "zoektekst"))


@then(parsers.parse('verschijnt het adres van locatie "{naam}" als suggestie'))
def suggestie_zichtbaar(page: Page, testdata, naam, gegevens):
    adres = veld(testdata, naam, "adres")
    optie = LocatieZoeken(page).suggesties().get_by_role("option", name=adres, exact=True)
    expect(optie).to_be_visible()
    gegevens["suggestie"] = optie


@when("ik die suggestie kies en zoek")
def kies_suggestie(page: Page, gegevens):
    gegevens["suggestie"].click()
    LocatieZoeken(page).verstuur()


@then(parsers.parse('zie ik de regels op locatie "{naam}"'))
def regels_op_locatie(page: Page, testdata, naam):
    expect(page.get_by_role("heading", level=1)).to_have_text(_tekst_re("Regels op deze locatie"))
    expect(page.get_by_role("main")).to_contain_text(veld(testdata, naam, "adres"))


@then(parsers.parse('zie ik de regels op de coördinaten van locatie "{naam}"'))
def regels_op_coordinaten(page: Page, testdata, naam):
    expect(page.get_by_role("heading", level=1)).to_have_text(_tekst_re("Regels op deze locatie"))
    x = round(float(veld(testdata, naam, "x")))
    expect(page.get_by_role("main")).to_contain_text(re.compile(rf"x\s*{x}"))


@then(parsers.parse('staan de documenten van locatie "{naam}" in de lijst'))
def documenten_in_lijst(page: Page, testdata, naam):
    for document in veld(testdata, naam, "documenten"):
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
    activiteit = veld(testdata, naam, "activiteit")
    page.get_by_label("Filter op activiteit").select_option(label=activiteit)
    page.get_by_role("button", name="Filter toepassen").click()
    gegevens["activiteit"] = activiteit


@then("staan alleen regels over die activiteit in de lijst")
def alleen_activiteit(page: Page, gegevens):
    activiteit = gegevens["activiteit"]
    expect(page.get_by_role("status").filter(has_text=activiteit)).to_be_visible()
    items = page.get_by_role("main").get_by_role("listitem").filter(
        has=page.get_by_role("link", name=re.compile(r"^Artikel|^Lid|^§", re.IGNORECASE)))
    aantal = items.count()
    assert aantal > 0, "na het filteren staat er geen enkele regel meer in de lijst"
    for i in range(aantal):
        expect(items.nth(i)).to_contain_text(activiteit)


@when(parsers.parse('ik de regel van locatie "{naam}" open'))
def open_regel(page: Page, testdata, naam, gegevens):
    kop = veld(testdata, naam, "regel")
    gegevens["regel"] = kop
    page.get_by_role("link", name=kop).first.click()


@then("zie ik de regeltekst van het artikel")
def regeltekst(page: Page, gegevens):
    expect(page.get_by_role("heading", level=1)).to_contain_text(gegevens["regel"].split(",")[0])
    artikel = page.get_by_role("article", name="Regeltekst")
    expect(artikel).to_be_visible()
    tekst = artikel.inner_text()
    assert len(tekst.split()) >= 5, f"de regeltekst is (bijna) leeg: {tekst!r}"


@then("zie ik het werkingsgebied van de regel op een kaart")
def werkingsgebied(page: Page):
    expect(page.get_by_role("img", name=re.compile("werkingsgebied", re.IGNORECASE))).to_be_visible()


@then(parsers.parse('zie ik een foutmelding bij het veld "{label}"'))
def foutmelding_bij_veld(page: Page, label):
    veld_ = page.get_by_label(label, exact=True)
    expect(veld_).to_have_attribute("aria-invalid", "true")
    expect(veld_).to_have_accessible_description(re.compile(r"\w{4,}"))
    expect(page.get_by_role("alert")).to_be_visible()


@then("krijgt de pagina geen technische foutmelding")
def geen_stacktrace(page: Page):
    inhoud = page.content()
    for teken in ("Traceback", "Exception", "Internal Server Error", "stack trace"):
        assert teken not in inhoud, f"de pagina toont een technische fout ('{teken}')"
    expect(page.get_by_role("heading", level=1)).to_be_visible()
