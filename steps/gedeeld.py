"""Steps that several journeys share, and the helpers every step module uses.

Test data (addresses, documents, the words a target uses) comes from
``features/testdata/<doel>.toml`` through the ``testdata`` fixture; Gherkin data tables are read
by their header (``| naam | waarde |``), never by position.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_bdd import parsers, then

from steps.paginas import Inloggen, Pagina, Regeltekst

JA = {"ja", "true", "waar", "yes"}
NEE = {"nee", "false", "onwaar", "no"}


def rijen(datatable: list[list[str]], *kolommen: str) -> list[dict[str, str]]:
    """The rows of a Gherkin data table as dicts by column name; the named columns must exist."""
    if not datatable:
        pytest.fail(f"de stap verwacht een tabel met de kolommen {list(kolommen)}", pytrace=False)
    kop, *rest = datatable
    ontbreekt = [k for k in kolommen if k not in kop]
    if ontbreekt:
        pytest.fail(f"de tabel van deze stap mist de kolom(men) {ontbreekt}; gevonden: {kop}",
                    pytrace=False)
    return [dict(zip(kop, rij, strict=True)) for rij in rest]


def tabel_als_dict(datatable: list[list[str]], sleutel: str, waarde: str) -> dict[str, str]:
    """A two-column table (``| vraag | antwoord |``) as {sleutel: waarde}, in table order."""
    return {rij[sleutel]: rij[waarde] for rij in rijen(datatable, sleutel, waarde)}


def locatieveld(testdata, naam: str, sleutel: str):
    """One fact of a named location of the target (``[locaties.<naam>]``), or skip."""
    return testdata.vereis("locaties", naam, sleutel)


def normaal_antwoord(waarde) -> str:
    """An answer as text to compare: ja/nee for every way of saying yes/no, numbers without noise."""
    tekst = str(waarde).strip().lower()
    if tekst in JA:
        return "ja"
    if tekst in NEE:
        return "nee"
    try:
        getal = float(tekst.replace(",", "."))
        return str(int(getal)) if getal.is_integer() else str(getal)
    except ValueError:
        return tekst


def controleer_toegankelijkheid(request, page: Page) -> None:
    """axe-core on a page passed through inside one step (the plugin checks the page each step
    ends on by itself)."""
    from dso_acceptatie.fasen.klantreizen import plugin
    plugin.controleer_pagina(request.node, page)


def log_in(request, page: Page, account: str) -> None:
    """Log in on the login page the loket shows now (Vergunningcheck → Aanvragen, Aanvragen)."""
    pagina = Inloggen(page)
    pagina.controleer_geopend()
    controleer_toegankelijkheid(request, page)
    pagina.log_in(account)


def eis(voorwaarde, bericht: str) -> None:
    """Fail the step with a message a tester reads (what was expected, what the target did)."""
    if not voorwaarde:
        raise AssertionError(bericht)


# --- steps used by more than one journey ------------------------------------------------------------

@then("krijgt de pagina geen technische foutmelding")
def geen_stacktrace(page: Page):
    inhoud = page.content()
    for teken in ("Traceback", "Exception", "Internal Server Error", "stack trace"):
        eis(teken not in inhoud, f"de pagina toont een technische fout ('{teken}')")
    expect(Pagina(page).kop).to_be_visible()


@then(parsers.parse('zie ik een foutmelding bij het veld "{label}"'))
def foutmelding_bij_veld(page: Page, label):
    Pagina(page).controleer_foutmelding_bij(label)


@then("zie ik de regeltekst van het artikel")
def regeltekst(page: Page, gegevens):
    pagina = Regeltekst(page)
    expect(pagina.kop).to_contain_text(gegevens["regel"].split(",")[0])
    expect(pagina.artikel).to_be_visible()
    tekst = pagina.artikel.inner_text()
    eis(len(tekst.split()) >= 5, f"de regeltekst is (bijna) leeg: {tekst!r}")
