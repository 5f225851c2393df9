"""Steps of features/omgevingsloket: the loket as a whole (every journey reachable, language,
keyboard)."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from pytest_bdd import given, parsers, then, when

from steps.gedeeld import eis
from steps.paginas import Pagina, tekst_re


@given("ik ben op de homepagina van het loket")
def homepagina(page: Page):
    Pagina(page).open()
    expect(Pagina(page).kop).to_be_visible()


@when(parsers.parse('ik de link "{naam}" volg'))
def volg_link(page: Page, naam):
    Pagina(page).inhoud.get_by_role("link", name=naam, exact=True).first.click()


@then(parsers.parse('zie ik de pagina "{kop}"'))
def zie_pagina(page: Page, kop):
    expect(Pagina(page).kop).to_have_text(tekst_re(kop))


@then("heeft de pagina een betekenisvolle titel en de taal Nederlands")
def titel_en_taal(page: Page):
    titel = page.title()
    eis(titel and len(titel) > 3, f"de pagina heeft geen betekenisvolle titel: {titel!r}")
    taal = page.locator("html").get_attribute("lang")
    eis(taal and taal.lower().startswith("nl"),
        f"de pagina zegt niet dat ze Nederlands is: lang={taal!r} (WCAG 3.1.1)")


@then("kan ik met de toetsenbord-skiplink naar de inhoud springen")
def skiplink(page: Page):
    page.keyboard.press("Tab")
    link = page.get_by_role("link", name="Naar de inhoud")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(Pagina(page).inhoud).to_be_focused()
