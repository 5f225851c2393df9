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
    if not (taal and taal.lower().startswith("nl")):
        raise AssertionError(f"de pagina zegt niet dat ze Nederlands is: lang={taal!r} "
                             "(WCAG 3.1.1)")


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


# --- Omgevingsloket (algemeen) -----------------------------------------------------------------------

@given(parsers.parse('ik open de pagina "{pad}" van het loket'))
def open_pad(page: Page, pad):
    page.goto(pad.lstrip("/"))


# --- Vergunningcheck ----------------------------------------------------------------------------------

CONCLUSIE_KOP = re.compile(r"^(Conclusie|Uitkomst)", re.IGNORECASE)


def _vraag(page: Page, tekst: str):
    """A question as the user meets it: a labelled text field or a group of choices."""
    return (page.get_by_role("group", name=tekst, exact=True)
            .or_(page.get_by_role("textbox", name=tekst, exact=True)))


def beantwoord_vraag(page: Page, vraag: str, antwoord: str) -> None:
    groep = page.get_by_role("group", name=vraag, exact=True)
    if groep.count():
        groep.get_by_role("radio", name=antwoord, exact=False).first.check()
    else:
        page.get_by_role("textbox", name=vraag, exact=True).fill(antwoord)


def _wat_staat_er(page: Page) -> str:
    koppen = page.get_by_role("heading").all_inner_texts()[:3]
    velden = [page.locator("legend").all_inner_texts(), page.locator("label").all_inner_texts()]
    return f"koppen {koppen}, vragen/velden {[v for lijst in velden for v in lijst][:6]}"


@given(parsers.parse('ik start de Vergunningcheck op locatie "{naam}"'))
def start_vergunningcheck(request, page: Page, testdata, naam, gegevens):
    adres = veld(testdata, naam, "adres")
    page.goto("vergunningcheck")
    controleer_pagina(request, page)
    LocatieZoeken(page).zoek_adres(adres)
    expect(page.get_by_role("radio").first,
           "na het kiezen van de locatie verwacht ik een keuze uit werkzaamheden").to_be_visible()
    gegevens["locatie"] = adres


@when(parsers.parse('ik de werkzaamheid "{werkzaamheid}" kies'))
def kies_werkzaamheid(page: Page, testdata, werkzaamheid, gegevens):
    naam = testdata.vertaal("werkzaamheden", werkzaamheid)
    page.get_by_role("radio", name=naam, exact=True).check()
    page.get_by_role("button", name="Verder").click()
    gegevens["werkzaamheid"] = werkzaamheid


@when("ik de vragen als volgt beantwoord:")
def beantwoord_vragen(request, page: Page, datatable, gegevens):
    antwoorden = {rij[0]: rij[1] for rij in datatable[1:]}
    gesteld: list[str] = []
    conclusie = page.get_by_role("heading", level=1, name=CONCLUSIE_KOP)
    for _ in range(len(antwoorden) + 1):
        open_ = [v for v in antwoorden if v not in gesteld]
        iets = conclusie.or_(page.get_by_role("alert"))
        for v in open_:
            iets = iets.or_(_vraag(page, v))
        try:
            expect(iets.first).to_be_visible()
        except AssertionError:
            raise AssertionError("het loket stelt een vraag die niet in het voorbeeld staat, of "
                                 f"toont niets bruikbaars: {_wat_staat_er(page)}") from None
        if page.get_by_role("alert").count():
            raise AssertionError("het loket wijst een antwoord af: "
                                 + page.get_by_role("alert").first.inner_text()[:300])
        if conclusie.count():
            break
        vraag = next(v for v in open_ if _vraag(page, v).count())
        controleer_pagina(request, page)
        beantwoord_vraag(page, vraag, antwoorden[vraag])
        page.get_by_role("button", name="Volgende").click()
        gesteld.append(vraag)
    else:
        raise AssertionError(f"geen conclusie na {len(gesteld)} vragen: {_wat_staat_er(page)}")
    gegevens["antwoorden"] = {v: antwoorden[v] for v in gesteld}
    gegevens["alle_antwoorden"] = antwoorden


def getoonde_conclusies(page: Page) -> list[str]:
    main = page.get_by_role("main")
    return [t.strip() for t in main.get_by_role("heading", level=2).all_inner_texts()]


@then(parsers.parse('luidt de conclusie voor "{werkzaamheid}": {conclusie}'))
def conclusie_luidt(page: Page, testdata, werkzaamheid, conclusie, gegevens):
    tekst = testdata.vertaal("conclusies", conclusie)
    w = testdata.vertaal("werkzaamheden", werkzaamheid)
    expect(page.get_by_role("heading", level=1, name=CONCLUSIE_KOP)).to_be_visible()
    verwacht = page.get_by_role("main").get_by_role(
        "heading", level=2, name=re.compile(rf"{re.escape(w)}.*\b{re.escape(tekst)}\b", re.IGNORECASE))
    if not verwacht.count():
        raise AssertionError(f"verwacht conclusie '{tekst}' voor '{w}', maar het loket toont: "
                             f"{getoonde_conclusies(page)}")
    expect(verwacht.first).to_be_visible()
    gegevens["conclusie"] = conclusie


@when("ik verder ga naar Aanvragen")
def verder_naar_aanvragen(page: Page):
    page.get_by_role("link", name="Verder naar Aanvragen").click()
    page.wait_for_load_state()
    kop = page.get_by_role("heading", level=1).first.inner_text()
    if re.search(r"niet gevonden|ging iets mis|fout", kop, re.IGNORECASE):
        raise AssertionError(f"de link 'Verder naar Aanvragen' leidt naar een foutpagina: "
                             f"'{kop}' ({page.url})")


# --- Aanvragen en meldingen ---------------------------------------------------------------------------

def _log_in(request, page: Page, testdata) -> None:
    account = testdata.vereis("aanvragen", "testaccount")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Inloggen")
    controleer_pagina(request, page)
    page.get_by_role("radio", name=re.compile(re.escape(account))).check()
    page.get_by_role("button", name="Inloggen").click()


@when("ik inlog met het testaccount")
def inloggen(request, page: Page, testdata):
    _log_in(request, page, testdata)


@given("ik ben ingelogd met het testaccount")
def ingelogd(request, page: Page, testdata):
    testdata.vereis("aanvragen", "testaccount")
    page.goto("inloggen")
    _log_in(request, page, testdata)


@when("ik een aanvraag start")
def start_aanvraag(request, page: Page):
    page.goto("aanvragen")
    controleer_pagina(request, page)
    page.get_by_role("link", name="Aanvraag of melding starten").click()
    expect(page.get_by_role("textbox", name="Projectnaam")).to_be_visible()


@when("ik het project beschrijf met:")
def beschrijf_project(page: Page, datatable, gegevens, run_markering):
    velden = {rij[0]: rij[1] for rij in datatable[1:]}
    if "Projectnaam" in velden:
        # The run marker makes this request findable, and never confused with another run's.
        velden["Projectnaam"] = f"{velden['Projectnaam']} [{run_markering}]"
    for label, waarde in velden.items():
        page.get_by_role("textbox", name=label, exact=True).fill(waarde)
    gegevens["project"] = velden
    page.get_by_role("button", name="Volgende").click()


@then(parsers.parse('is de locatie van locatie "{naam}" al gekozen'))
def locatie_al_gekozen(page: Page, testdata, naam, run_markering):
    if page.get_by_role("textbox", name="Projectnaam").count():
        page.get_by_role("textbox", name="Projectnaam").fill(f"Vanuit de check [{run_markering}]")
        page.get_by_role("button", name="Volgende").click()
    expect(page.get_by_role("main")).to_contain_text(veld(testdata, naam, "adres"))


@then(parsers.parse('is de activiteit "{werkzaamheid}" al aangevinkt'))
def activiteit_aangevinkt(page: Page, testdata, werkzaamheid):
    link = page.get_by_role("link", name=re.compile(r"Verder met de gekozen locatie", re.IGNORECASE))
    if link.count():
        link.click()
    naam = testdata.vertaal("werkzaamheden", werkzaamheid)
    expect(page.get_by_role("checkbox", name=naam, exact=True)).to_be_checked()


@when(parsers.parse('ik als locatie het adres van locatie "{naam}" kies'))
def kies_aanvraaglocatie(page: Page, testdata, naam, gegevens):
    adres = veld(testdata, naam, "adres")
    LocatieZoeken(page).zoek_adres(adres)
    gegevens["adres"] = adres


@when(parsers.parse('ik de activiteit "{werkzaamheid}" kies voor een "{soort}"'))
def kies_activiteit(page: Page, testdata, werkzaamheid, soort, gegevens):
    naam = testdata.vertaal("werkzaamheden", werkzaamheid)
    page.get_by_role("checkbox", name=naam, exact=True).check()
    page.get_by_role("radio", name=soort, exact=True).check()
    page.get_by_role("button", name="Volgende").click()
    gegevens["activiteit"] = naam
    gegevens["soort"] = soort


@when("ik de vragen over de aanvraag beantwoord:")
def beantwoord_aanvraagvragen(request, page: Page, datatable, gegevens):
    antwoorden = {rij[0]: rij[1] for rij in datatable[1:]}
    expect(page.get_by_role("button", name="Volgende")).to_be_visible()
    controleer_pagina(request, page)
    for vraag, antwoord in antwoorden.items():
        beantwoord_vraag(page, vraag, antwoord)
    page.get_by_role("button", name="Volgende").click()
    expect(page.get_by_role("alert"), "het loket wijst antwoorden af").to_have_count(0)
    gegevens["aanvraag_antwoorden"] = antwoorden


def maak_pdf(pad, regels: int = 1) -> bytes:
    inhoud = b"%PDF-1.4\n% dso-acceptatie testbijlage\n" + b"0" * regels + b"\n%%EOF\n"
    pad.write_bytes(inhoud)
    return inhoud


@when(parsers.parse('ik het document "{bestandsnaam}" toevoeg'))
def voeg_document_toe(page: Page, tmp_path, bestandsnaam, gegevens):
    pad = tmp_path / bestandsnaam
    inhoud = maak_pdf(pad, 200)
    page.get_by_label("Document toevoegen").set_input_files(str(pad))
    page.get_by_role("button", name="Uploaden").click()
    expect(page.get_by_role("main").get_by_role("listitem").filter(has_text=bestandsnaam)).to_be_visible()
    gegevens.setdefault("bijlagen", {})[bestandsnaam] = inhoud


@when(parsers.parse('ik een document "{bestandsnaam}" van {kilobytes:d} kB probeer toe te voegen'))
def verkeerd_document(page: Page, tmp_path, bestandsnaam, kilobytes):
    pad = tmp_path / bestandsnaam
    if bestandsnaam.lower().endswith(".pdf"):
        maak_pdf(pad, kilobytes * 1024)
    else:
        pad.write_bytes(b"MZ" + b"\0" * (kilobytes * 1024))
    page.get_by_label("Document toevoegen").set_input_files(str(pad))
    page.get_by_role("button", name="Uploaden").click()


@when(parsers.parse('ik ga naar de stap "{stap}" van de aanvraag'))
def naar_stap(page: Page, stap):
    page.get_by_role("link", name=stap).click()


@when("ik het overzicht controleer en indien")
def controleer_en_dien_in(request, page: Page, gegevens):
    page.get_by_role("link", name="Verder naar het overzicht").click()
    main = page.get_by_role("main")
    expect(main).to_contain_text(gegevens["project"]["Projectnaam"])
    controleer_pagina(request, page)
    page.get_by_role("checkbox", name=re.compile("naar waarheid", re.IGNORECASE)).check()
    page.get_by_role("button", name="Indienen").click()


@then("krijg ik een bevestiging met een verzoeknummer en de datum van vandaag")
def bevestiging(page: Page, gegevens):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    expect(page.get_by_role("heading", level=1)).to_contain_text("ingediend")
    main = page.get_by_role("main")
    tekst = main.inner_text()
    m = re.search(r"Verzoeknummer\s*\n?\s*([A-Z]{2,}[0-9]{4,})", tekst)
    assert m, f"geen verzoeknummer op de bevestiging: {tekst[:300]!r}"
    vandaag = datetime.now(ZoneInfo("Europe/Amsterdam")).strftime("%d-%m-%Y")
    assert vandaag in tekst, f"de bevestiging noemt niet de datum van vandaag ({vandaag})"
    gegevens["verzoeknummer"] = m.group(1)
    gegevens["bevestiging_url"] = page.url


@then("kan ik het ingediende verzoek niet meer wijzigen")
def niet_meer_wijzigen(page: Page, gegevens):
    page.goto(gegevens["bevestiging_url"])
    main = page.get_by_role("main")
    expect(main).to_contain_text(gegevens["verzoeknummer"])
    expect(main.get_by_role("textbox")).to_have_count(0)
    expect(main.get_by_role("button", name=re.compile("wijzig|opslaan|indienen", re.IGNORECASE))).to_have_count(0)
    page.goto("aanvragen/overzicht")
    expect(page.get_by_role("main")).not_to_contain_text(gegevens["project"]["Projectnaam"])


@then(parsers.parse('zie ik een foutmelding bij het bestand'))
def fout_bij_bestand(page: Page):
    foutmelding_bij_veld(page, "Document toevoegen")


# --- Maatregelen op maat ------------------------------------------------------------------------------

@given("ik open Maatregelen op maat")
def open_maatregelen(page: Page):
    open_pagina(page, "maatregelen", _tekst_re("Maatregelen op maat"))


@when(parsers.parse('ik de activiteit "{werkzaamheid}" kies'))
def kies_maatregel_activiteit(page: Page, testdata, werkzaamheid, gegevens):
    naam = testdata.vertaal("werkzaamheden", werkzaamheid)
    page.get_by_role("main").get_by_role("link", name=naam, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(naam)
    gegevens["werkzaamheid"] = werkzaamheid


@then("zie ik de indieningsvereisten met hun uitleg:")
def vereisten(page: Page, datatable):
    for rij in datatable[1:]:
        vereiste, soort, uitleg = rij[0], rij[1], rij[2]
        regel = page.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=vereiste, exact=True))
        expect(regel, f"vereiste '{vereiste}' ontbreekt").to_have_count(1)
        expect(regel).to_contain_text(soort)
        expect(regel).to_contain_text(uitleg)


@then("zie ik de juridische grondslag met een link naar de regel")
def grondslag(page: Page, gegevens):
    kop = page.get_by_role("heading", name="Juridische grondslag")
    expect(kop).to_be_visible()
    link = page.get_by_role("main").get_by_role("link", name=re.compile(r"^Artikel", re.IGNORECASE)).first
    expect(link).to_be_visible()
    gegevens["regel"] = link.inner_text()


@when("ik de juridische grondslag open")
def open_grondslag(page: Page, gegevens):
    page.get_by_role("main").get_by_role("link", name=gegevens["regel"], exact=True).first.click()


# --- Stelselcatalogus ---------------------------------------------------------------------------------

@given("ik open de Stelselcatalogus")
def open_catalogus(page: Page):
    open_pagina(page, "stelselcatalogus", _tekst_re("Stelselcatalogus"))


@when(parsers.parse('ik zoek naar het begrip "{begrip}"'))
def zoek_begrip(page: Page, testdata, begrip, gegevens):
    gegevens["begrip"] = testdata.vereis("begrippen", begrip)
    page.get_by_role("textbox", name="Begrip zoeken").fill(gegevens["begrip"]["zoekterm"])
    page.get_by_role("search").get_by_role("button", name="Zoeken").click()


@when(parsers.parse('ik zoek naar het onbekende begrip "{woord}"'))
def zoek_onbekend(page: Page, woord):
    page.get_by_role("textbox", name="Begrip zoeken").fill(woord)
    page.get_by_role("search").get_by_role("button", name="Zoeken").click()


@then("zie ik het begrip met zijn definitie en bron")
def begrip_gevonden(page: Page, gegevens):
    b = gegevens["begrip"]
    term = page.get_by_role("term").filter(has_text=re.compile(rf"^\s*{re.escape(b['term'])}\s*$", re.IGNORECASE))
    expect(term.first, f"het begrip '{b['term']}' staat niet in de resultaten").to_be_visible()
    definitie = page.get_by_role("definition").filter(has_text=b["definitie_bevat"])
    expect(definitie.first).to_be_visible()
    expect(definitie.first).to_contain_text(b["bron_bevat"])


@then("zie ik dat er geen begrip is gevonden")
def geen_begrip(page: Page):
    expect(page.get_by_role("main")).to_contain_text(re.compile(r"geen begrip gevonden", re.IGNORECASE))


# --- Ontwikkelaar ---------------------------------------------------------------------------------------

@given("ik open de pagina voor ontwikkelaars")
def open_ontwikkelaars(page: Page, testdata):
    page.goto(testdata.vereis("ontwikkelaar", "pagina").lstrip("/"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()


@then("staat elke API van het doel erop met een link naar haar specificatie")
def elke_api(page: Page, doel, api):
    from urllib.parse import urljoin, urlsplit
    links = page.get_by_role("link", name=re.compile(r"openapi\.json", re.IGNORECASE))
    expect(links.first).to_be_visible()
    hrefs = {urlsplit(urljoin(page.url, h)).path.rstrip("/")
             for h in links.evaluate_all("els => els.map(e => e.getAttribute('href'))")}
    ontbreekt = []
    for dienst, basis in doel.diensten.items():
        if urlsplit(basis).path.rstrip("/") + "/openapi.json" not in hrefs:
            ontbreekt.append(dienst)
    assert not ontbreekt, f"de ontwikkelaarspagina linkt niet naar de specificatie van: {ontbreekt}"


@then("legt de pagina uit hoe ik een API-sleutel meestuur")
def uitleg_sleutel(page: Page):
    expect(page.get_by_role("main")).to_contain_text("x-api-key")


@when(parsers.parse('ik op de vraag "{vraag}" "{antwoord}" antwoord'))
def antwoord_op(page: Page, vraag, antwoord):
    expect(_vraag(page, vraag)).to_be_visible()
    beantwoord_vraag(page, vraag, antwoord)
    page.get_by_role("button", name="Volgende").click()


@when(parsers.parse("ik met {terug} naar de vorige vraag ga"))
def vorige_vraag(page: Page, terug):
    if "browser" in terug:
        page.go_back()
    else:
        page.get_by_role("button", name="Vorige").click()


@then(parsers.parse('staat bij de vraag "{vraag}" nog het antwoord "{antwoord}"'))
def antwoord_bewaard(page: Page, vraag, antwoord):
    groep = page.get_by_role("group", name=vraag, exact=True)
    if groep.count():
        expect(groep.get_by_role("radio", name=antwoord)).to_be_checked()
    else:
        expect(page.get_by_role("textbox", name=vraag, exact=True)).to_have_value(antwoord)
