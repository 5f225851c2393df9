"""Browser smoke of the loket: each klantreis walked once in Chromium, axe-core on every page.

Elements are found by role and accessible name (Dutch), as a citizen and the acceptance suite
find them; never by CSS class or id.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.loket.conftest import axe_ernstig, toon_overtredingen

pytestmark = pytest.mark.browser

ADRES = "Marktplein 1, 5391AA Gemeentestad"       # fictitious test address inside Centrumgebied
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def geen_ernstige(page, waar: str) -> None:
    overtredingen = axe_ernstig(page)
    assert not overtredingen, f"axe op {waar}:\n{toon_overtredingen(overtredingen)}"


# Pages reachable without a session: one axe run each.
LOSSE_PAGINAS = ["/", "/regels-op-de-kaart", "/vergunningcheck", "/aanvragen", "/maatregelen",
                 "/maatregelen/nl.imow-gm0297.activiteit.2019000810", "/stelselcatalogus",
                 "/stelselcatalogus?zoekterm=bedrijf", "/ontwikkelaars", "/toegankelijkheid", "/inloggen",
                 "/bestaat-niet"]


def test_losse_paginas_toegankelijk(lv, pagina):
    for pad in LOSSE_PAGINAS:
        pagina.goto(lv.url + pad)
        assert pagina.evaluate("document.documentElement.lang") == "nl"
        assert pagina.title().endswith("| Omgevingsloket (referentie)")
        expect(pagina.get_by_role("main")).to_be_visible()
        expect(pagina.get_by_role("heading", level=1)).to_have_count(1)
        geen_ernstige(pagina, pad)


def test_skiplink_en_toetsenbord(lv, pagina):
    pagina.goto(lv.url + "/")
    pagina.keyboard.press("Tab")
    skip = pagina.get_by_role("link", name="Naar de inhoud")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    pagina.keyboard.press("Enter")
    expect(pagina.get_by_role("main")).to_be_focused()
    # The focus ring is visible (an outline, not removed).
    pagina.keyboard.press("Tab")
    breedte = pagina.evaluate("getComputedStyle(document.activeElement).outlineWidth")
    assert breedte not in ("0px", ""), breedte


def test_regels_op_de_kaart(lv, pagina):
    pagina.goto(lv.url + "/regels-op-de-kaart")
    veld = pagina.get_by_label("Adres of postcode en huisnummer")
    veld.press_sequentially("Marktplein 1", delay=20)
    # Suggestions come from the Locatieserver service, fetched by the browser.
    optie = pagina.get_by_role("option", name=ADRES)
    expect(optie).to_be_visible()
    expect(veld).to_have_attribute("aria-expanded", "true")
    geen_ernstige(pagina, "zoeken met suggesties")
    veld.press("ArrowDown")
    veld.press("Enter")
    expect(veld).to_have_value(ADRES)
    pagina.get_by_role("button", name="Zoeken").click()

    expect(pagina.get_by_role("heading", level=1, name="Regels op deze locatie")).to_be_visible()
    expect(pagina).to_have_title(re.compile(f"Regels op {ADRES}"))
    kaart = pagina.get_by_role("img", name=re.compile("Kaart van Marktplein 1"))
    expect(kaart).to_be_visible()
    assert "200 m" in kaart.inner_html() or " m<" in kaart.inner_html() or "km" in kaart.inner_html()
    expect(pagina.get_by_role("heading", name="Gemeentestad (omgevingsplan Zaltbommel)")).to_be_visible()
    geen_ernstige(pagina, "locatiepagina")

    pagina.get_by_label("Filter op activiteit").select_option(label="bouwen van een bijgebouw")
    pagina.get_by_role("button", name="Filter toepassen").click()
    regel = pagina.get_by_role("link", name="Artikel 5.1 Bouwen van een bijgebouw")
    expect(regel).to_be_visible()
    expect(pagina.get_by_role("link", name=re.compile("Artikel 2.10"))).to_have_count(0)
    regel.click()

    expect(pagina.get_by_role("heading", level=1, name="Artikel 5.1 Bouwen van een bijgebouw")).to_be_visible()
    expect(pagina.get_by_role("img", name=re.compile("werkingsgebied"))).to_be_visible()
    expect(pagina.get_by_text(re.compile("bijgebouw met een oppervlakte kleiner dan 20 m²"))).to_be_visible()
    geen_ernstige(pagina, "regeltekst")


def test_regels_op_de_kaart_foute_invoer(lv, pagina):
    pagina.goto(lv.url + "/regels-op-de-kaart")
    pagina.get_by_label("Adres of postcode en huisnummer").fill("Nergensstraat 999")
    pagina.get_by_role("button", name="Zoeken").click()
    veld = pagina.get_by_label("Adres of postcode en huisnummer")
    expect(veld).to_have_attribute("aria-invalid", "true")
    expect(veld).to_have_accessible_description(re.compile("geen adres gevonden"))
    geen_ernstige(pagina, "zoeken met fout")
    # Coordinates outside the Netherlands.
    pagina.get_by_text("Of zoek op coördinaten (RD)").click()
    pagina.get_by_label("Adres of postcode en huisnummer").fill("")
    pagina.get_by_label("X-coördinaat (RD, meter)").fill("900000")
    pagina.get_by_label("Y-coördinaat (RD, meter)").fill("100")
    pagina.get_by_role("button", name="Zoeken").click()
    expect(pagina.get_by_label("X-coördinaat (RD, meter)")).to_have_accessible_description(
        re.compile("buiten Nederland"))


def _vergunningcheck_tot_conclusie(pagina, url: str, *, terug_testen: bool = False) -> None:
    pagina.goto(url + "/vergunningcheck")
    pagina.get_by_label("Adres of postcode en huisnummer").fill("Marktplein 1 5391AA")
    pagina.get_by_role("button", name="Verder").click()
    pagina.get_by_role("radio", name="Kappen van een boom").check()
    pagina.get_by_role("button", name="Verder").click()
    stamomtrek = pagina.get_by_label("Wat is de stamomtrek van de boom?")
    stamomtrek.fill("120")
    pagina.get_by_role("button", name="Volgende").click()
    zichtbaar = pagina.get_by_role("group", name="Is de boom zichtbaar vanaf openbaar toegankelijk gebied?")
    if terug_testen:
        # The browser's own back button shows the earlier question with its answer.
        expect(zichtbaar).to_be_visible()
        pagina.go_back()
        expect(stamomtrek).to_have_value("120")
        stamomtrek.fill("veel")
        pagina.get_by_role("button", name="Volgende").click()
        expect(stamomtrek).to_have_accessible_description(re.compile("Vul een getal in"))
        geen_ernstige(pagina, "vraag met fout")
        stamomtrek.fill("120")
        pagina.get_by_role("button", name="Volgende").click()
    zichtbaar.get_by_role("radio", name="Ja").check()
    if terug_testen:
        geen_ernstige(pagina, "vraag ja/nee")
        pagina.get_by_role("button", name="Volgende").click()
        pagina.get_by_role("button", name="Vorige").click()
        # Back keeps the answer given.
        expect(zichtbaar.get_by_role("radio", name="Ja")).to_be_checked()
        pagina.get_by_role("button", name="Vorige").click()
        expect(pagina.get_by_label("Wat is de stamomtrek van de boom?")).to_have_value("120")
        pagina.get_by_role("button", name="Volgende").click()
        zichtbaar.get_by_role("radio", name="Ja").check()
    pagina.get_by_role("button", name="Volgende").click()
    pagina.get_by_role("group", name="Wordt de boom gekapt op grond van de Plantenziektenwet?") \
        .get_by_role("radio", name="Nee").check()
    pagina.get_by_role("button", name="Volgende").click()
    # Further questions of the real model, if any, answered "Nee" until the conclusion.
    for _ in range(5):
        if pagina.get_by_role("heading", level=1, name=re.compile("^Conclusie")).count():
            break
        pagina.get_by_role("radio", name="Nee").check()
        pagina.get_by_role("button", name="Volgende").click()


def test_vergunningcheck_naar_aanvragen(lv, pagina):
    _vergunningcheck_tot_conclusie(pagina, lv.url, terug_testen=True)
    expect(pagina.get_by_role("heading", level=1, name="Conclusie: Kappen van een boom")).to_be_visible()
    expect(pagina.get_by_role("heading", level=2, name="Kappen van een boom: Vergunningplicht")).to_be_visible()
    geen_ernstige(pagina, "conclusie")
    pagina.get_by_role("link", name="Verder naar Aanvragen").click()
    # Not logged in yet: the test login comes first, then Aanvragen with location and activity.
    expect(pagina.get_by_text("Testinlog — geen echte DigiD")).to_be_visible()
    pagina.get_by_role("radio", name=re.compile("Jan Jansen")).check()
    pagina.get_by_role("button", name="Inloggen").click()
    expect(pagina.get_by_role("heading", level=1, name="Uw project")).to_be_visible()
    pagina.get_by_label("Projectnaam").fill("Eik kappen")
    pagina.get_by_role("button", name="Volgende").click()
    expect(pagina.get_by_text(f"Gekozen locatie: {ADRES}")).to_be_visible()
    pagina.get_by_role("link", name="Verder met de gekozen locatie").click()
    expect(pagina.get_by_role("checkbox", name="Kappen van een boom")).to_be_checked()


def test_aanvragen_indienen(lv, pagina, http, tmp_path):
    pagina.goto(lv.url + "/aanvragen")
    geen_ernstige(pagina, "aanvragen intro")
    pagina.get_by_role("link", name="Aanvraag of melding starten").click()
    geen_ernstige(pagina, "testinlog")
    pagina.get_by_role("button", name="Inloggen").click()        # nothing chosen: error on the field
    expect(pagina.get_by_role("group", name="Testaccount")).to_have_accessible_description(
        re.compile("Kies een testaccount"))
    pagina.get_by_role("radio", name=re.compile("Fatima el Amrani")).check()
    pagina.get_by_role("button", name="Inloggen").click()

    pagina.get_by_role("button", name="Volgende").click()         # empty project name
    expect(pagina.get_by_label("Projectnaam")).to_have_accessible_description(re.compile("Vul een projectnaam in"))
    geen_ernstige(pagina, "project met fout")
    pagina.get_by_label("Projectnaam").fill("Kap van de linde")
    pagina.get_by_label("Projectomschrijving").fill("De linde is ziek en wordt gekapt.")
    pagina.get_by_role("button", name="Volgende").click()

    pagina.get_by_label("Adres of postcode en huisnummer").fill("5391AA 1")
    geen_ernstige(pagina, "aanvraag locatie")
    pagina.get_by_role("button", name="Locatie opslaan en verder").click()

    pagina.get_by_role("checkbox", name="Kappen van een boom").check()
    pagina.get_by_role("radio", name="Aanvraag omgevingsvergunning").check()
    geen_ernstige(pagina, "activiteiten")
    pagina.get_by_role("button", name="Volgende").click()

    expect(pagina.get_by_role("heading", level=1, name="Vragen over uw aanvraag")).to_be_visible()
    pagina.get_by_label("Wat is de stamomtrek van de boom?").fill("140")
    for groep in pagina.get_by_role("group").all():
        groep.get_by_role("radio", name="Nee").check()
    reden = pagina.get_by_label("Wat is de reden voor het kappen van de boom?")
    if reden.count():
        reden.fill("Ziekte")
    geen_ernstige(pagina, "indieningsvereisten")
    pagina.get_by_role("button", name="Volgende").click()

    expect(pagina.get_by_role("heading", level=1, name="Documenten toevoegen")).to_be_visible()
    veld = pagina.get_by_label("Document toevoegen")
    fout = tmp_path / "programma.exe"
    fout.write_bytes(b"MZ\x90\x00")
    veld.set_input_files(str(fout))
    pagina.get_by_role("button", name="Uploaden").click()
    expect(pagina.get_by_label("Document toevoegen")).to_have_accessible_description(
        re.compile("type dat niet is toegestaan"))
    groot = tmp_path / "te-groot.pdf"
    groot.write_bytes(b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024))
    pagina.get_by_label("Document toevoegen").set_input_files(str(groot))
    pagina.get_by_role("button", name="Uploaden").click()
    expect(pagina.get_by_label("Document toevoegen")).to_have_accessible_description(
        re.compile("groter dan 5 MB"))
    geen_ernstige(pagina, "bijlage met fout")
    goed = tmp_path / "situatieschets.pdf"
    goed.write_bytes(PDF)
    pagina.get_by_label("Document toevoegen").set_input_files(str(goed))
    pagina.get_by_role("button", name="Uploaden").click()
    expect(pagina.get_by_role("button", name="situatieschets.pdf verwijderen")).to_be_visible()
    pagina.get_by_role("link", name="Verder naar het overzicht").click()

    expect(pagina.get_by_role("heading", level=1, name="Controleer uw aanvraag")).to_be_visible()
    expect(pagina.get_by_role("definition").filter(has_text="Kap van de linde")).to_be_visible()
    geen_ernstige(pagina, "overzicht")
    pagina.get_by_role("checkbox", name="Ik verklaar dat ik dit naar waarheid heb ingevuld").check()
    pagina.get_by_role("button", name="Indienen").click()

    expect(pagina.get_by_role("heading", level=1, name="Uw aanvraag is ingediend")).to_be_visible()
    nummer = pagina.get_by_role("definition").filter(has_text=re.compile(r"^OLO\d{7}$")).inner_text().strip()
    expect(pagina.get_by_text(re.compile(r"\d{2}-\d{2}-\d{4} om \d{2}:\d{2}"))).to_be_visible()
    geen_ernstige(pagina, "bevestiging")

    # The bevoegd gezag sees it through Verzoek afhandelen, with the attachment.
    sleutel = {"x-api-key": "referentie-test"}
    r = http.get(f"/overheid/verzoeken/api/afhandelen/v1/verzoeken/{nummer}",
                 headers={**sleutel, "Accept": "application/json"})
    assert r.status_code == 200, r.text
    assert "Kap van de linde" in r.text
    b = http.get(f"/overheid/verzoeken/api/afhandelen/v1/verzoeken/{nummer}/bijlagen/1", headers=sleutel)
    assert b.status_code == 200 and b.content == PDF
    # Submitted means final: the draft is gone, going back does not reopen it.
    pagina.goto(lv.url + "/aanvragen/overzicht")
    expect(pagina.get_by_role("heading", level=1, name="Aanvragen en meldingen")).to_be_visible()


def test_maatregelen_en_catalogus(lv, pagina):
    pagina.goto(lv.url + "/maatregelen")
    pagina.get_by_role("link", name="Kappen van een boom").click()
    expect(pagina.get_by_role("heading", level=2, name=re.compile("Indieningsvereisten"))).to_be_visible()
    expect(pagina.get_by_role("rowheader", name="Situatieschets")).to_be_visible()
    expect(pagina.get_by_role("link", name=re.compile("Artikel 6.1"))).not_to_have_count(0)
    pagina.goto(lv.url + "/stelselcatalogus")
    pagina.get_by_label("Begrip zoeken").fill("zone")
    pagina.get_by_role("button", name="Zoeken").click()
    expect(pagina.get_by_role("heading", level=2, name=re.compile("gevonden voor ‘zone’"))).to_be_visible()
    expect(pagina.get_by_role("term").first).to_be_visible()
