"""Steps of features/maatregelen-op-maat: the submission requirements of an activity with their
explanation and legal basis; and every requirement the uitvoeren API gives is shown (keten)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from pytest_bdd import given, parsers, then, when

from steps.api import beschrijf
from steps.gedeeld import eis, rijen
from steps.paginas import Pagina, tekst_re


class Maatregelen(Pagina):
    pad = "maatregelen"


@given("ik open Maatregelen op maat")
def open_maatregelen(page: Page):
    Maatregelen(page).open(tekst_re("Maatregelen op maat"))


@when(parsers.parse('ik de activiteit "{werkzaamheid}" kies'))
def kies_maatregel_activiteit(page: Page, testdata, werkzaamheid, gegevens):
    naam = testdata.vertaal("werkzaamheden", werkzaamheid)
    pagina = Maatregelen(page)
    pagina.inhoud.get_by_role("link", name=naam, exact=True).click()
    expect(pagina.kop).to_have_text(naam)
    gegevens["werkzaamheid"] = werkzaamheid


@then("zie ik de indieningsvereisten met hun uitleg:")
def vereisten(page: Page, datatable):
    for rij in rijen(datatable, "vereiste", "soort", "uitleg"):
        regel = page.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=rij["vereiste"], exact=True))
        expect(regel, f"vereiste '{rij['vereiste']}' ontbreekt").to_have_count(1)
        expect(regel).to_contain_text(rij["soort"])
        expect(regel).to_contain_text(rij["uitleg"])


@then("zie ik de juridische grondslag met een link naar de regel")
def grondslag(page: Page, gegevens):
    expect(page.get_by_role("heading", name="Juridische grondslag")).to_be_visible()
    link = Maatregelen(page).inhoud.get_by_role(
        "link", name=re.compile(r"^Artikel", re.IGNORECASE)).first
    expect(link).to_be_visible()
    gegevens["regel"] = link.inner_text()


@when("ik de juridische grondslag open")
def open_grondslag(page: Page, gegevens):
    Maatregelen(page).inhoud.get_by_role("link", name=gegevens["regel"], exact=True).first.click()


# --- keten: Maatregelen op maat in het loket ↔ uitvoeren-API -------------------------------------------

@then("noemt het loket elke indieningsvereiste die de uitvoeren-API geeft")
def vereisten_gelijk_aan_api(page: Page, api, gegevens):
    regels = []
    for samenvatting in api.toepasbare_regels("Indieningsvereisten", gegevens["werkzaamheid"]):
        detail = api.get("uitvoeren", f"/toepasbare-regels/{samenvatting['identificatie']}")
        eis(detail.status_code == 200, beschrijf(detail))
        regels.append(detail.json())
    tabel = " ".join(Maatregelen(page).inhoud.get_by_role("row").all_inner_texts())
    teksten = [v.get("toelichting") or v.get("tekst") or "" for r in regels for v in r.get("vragen", [])]
    eis(regels and any(r.get("vragen") for r in regels), "de uitvoeren-API geeft geen vereisten")
    ontbreekt = [t for t in teksten if t not in tabel]
    eis(not ontbreekt, "de uitvoeren-API vraagt meer dan het loket toont; ontbreekt op de "
                       f"pagina: {ontbreekt}")
