"""Steps of features/stelselcatalogus: look up a term, read its definition and source."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from pytest_bdd import given, parsers, then, when

from steps.paginas import Pagina, tekst_re


class Stelselcatalogus(Pagina):
    pad = "stelselcatalogus"

    def zoek(self, woord: str) -> None:
        self.page.get_by_role("textbox", name="Begrip zoeken").fill(woord)
        self.page.get_by_role("search").get_by_role("button", name="Zoeken").click()


@given("ik open de Stelselcatalogus")
def open_catalogus(page: Page):
    Stelselcatalogus(page).open(tekst_re("Stelselcatalogus"))


@when(parsers.parse('ik zoek naar het begrip "{begrip}"'))
def zoek_begrip(page: Page, testdata, begrip, gegevens):
    gegevens["begrip"] = testdata.vereis("begrippen", begrip)
    Stelselcatalogus(page).zoek(gegevens["begrip"]["zoekterm"])


@when(parsers.parse('ik zoek naar het onbekende begrip "{woord}"'))
def zoek_onbekend(page: Page, woord):
    Stelselcatalogus(page).zoek(woord)


@then("zie ik het begrip met zijn definitie en bron")
def begrip_gevonden(page: Page, gegevens):
    begrip = gegevens["begrip"]
    term = page.get_by_role("term").filter(
        has_text=re.compile(rf"^\s*{re.escape(begrip['term'])}\s*$", re.IGNORECASE))
    expect(term.first, f"het begrip '{begrip['term']}' staat niet in de resultaten").to_be_visible()
    definitie = page.get_by_role("definition").filter(has_text=begrip["definitie_bevat"])
    expect(definitie.first).to_be_visible()
    expect(definitie.first).to_contain_text(begrip["bron_bevat"])


@then("zie ik dat er geen begrip is gevonden")
def geen_begrip(page: Page):
    expect(Stelselcatalogus(page).inhoud).to_contain_text(
        re.compile(r"geen begrip gevonden", re.IGNORECASE))
