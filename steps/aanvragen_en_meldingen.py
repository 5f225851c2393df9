"""Steps of features/aanvragen-en-meldingen: test login, project, location, activity, questions,
documents, submit, confirmation; and the bevoegd gezag fetches exactly that request (keten)."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from zoneinfo import ZoneInfo

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
from steps.paginas import Aanvraag, Inloggen, LocatieZoeken


@given("ik ben ingelogd met het testaccount")
def ingelogd(request, page: Page, testdata):
    account = testdata.vereis("aanvragen", "testaccount")
    Inloggen(page).open()
    log_in(request, page, account)


@when("ik een aanvraag start")
def start_aanvraag(request, page: Page):
    aanvraag = Aanvraag(page)
    aanvraag.open()
    controleer_toegankelijkheid(request, page)
    page.get_by_role("link", name="Aanvraag of melding starten").click()
    expect(aanvraag.projectnaam).to_be_visible()


@when("ik het project beschrijf met:")
def beschrijf_project(page: Page, datatable, gegevens, run_markering):
    velden = tabel_als_dict(datatable, "veld", "waarde")
    if "Projectnaam" in velden:
        # The run marker makes this request findable, and never confused with another run's.
        velden["Projectnaam"] = f"{velden['Projectnaam']} [{run_markering}]"
    aanvraag = Aanvraag(page)
    for label, waarde in velden.items():
        aanvraag.tekstveld(label).fill(waarde)
    gegevens["project"] = velden
    aanvraag.volgende()


@when(parsers.parse('ik als locatie het adres van locatie "{naam}" kies'))
def kies_aanvraaglocatie(page: Page, testdata, naam, gegevens):
    adres = locatieveld(testdata, naam, "adres")
    LocatieZoeken(page).zoek_adres(adres)
    gegevens["adres"] = adres


@when(parsers.parse('ik de activiteit "{werkzaamheid}" kies voor een "{soort}"'))
def kies_activiteit(page: Page, testdata, werkzaamheid, soort, gegevens):
    naam = testdata.vertaal("werkzaamheden", werkzaamheid)
    page.get_by_role("checkbox", name=naam, exact=True).check()
    page.get_by_role("radio", name=soort, exact=True).check()
    Aanvraag(page).volgende()
    gegevens["activiteit"] = naam
    gegevens["soort"] = soort


@when("ik de vragen over de aanvraag beantwoord:")
def beantwoord_aanvraagvragen(request, page: Page, datatable, gegevens):
    antwoorden = tabel_als_dict(datatable, "vraag", "antwoord")
    aanvraag = Aanvraag(page)
    expect(aanvraag.knop("Volgende")).to_be_visible()
    controleer_toegankelijkheid(request, page)
    for vraag, antwoord in antwoorden.items():
        aanvraag.beantwoord(vraag, antwoord)
    aanvraag.volgende()
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
    aanvraag = Aanvraag(page)
    aanvraag.upload(pad)
    expect(aanvraag.inhoud.get_by_role("listitem").filter(has_text=bestandsnaam)).to_be_visible()
    gegevens.setdefault("bijlagen", {})[bestandsnaam] = inhoud


@when(parsers.parse('ik een document "{bestandsnaam}" van {kilobytes:d} kB probeer toe te voegen'))
def verkeerd_document(page: Page, tmp_path, bestandsnaam, kilobytes):
    pad = tmp_path / bestandsnaam
    if bestandsnaam.lower().endswith(".pdf"):
        maak_pdf(pad, kilobytes * 1024)
    else:
        pad.write_bytes(b"MZ" + b"\0" * (kilobytes * 1024))
    Aanvraag(page).upload(pad)


@then("zie ik een foutmelding bij het bestand")
def fout_bij_bestand(page: Page):
    Aanvraag(page).controleer_foutmelding_bij("Document toevoegen")


@when("ik het overzicht controleer en indien")
def controleer_en_dien_in(request, page: Page, gegevens):
    page.get_by_role("link", name="Verder naar het overzicht").click()
    aanvraag = Aanvraag(page)
    expect(aanvraag.inhoud).to_contain_text(gegevens["project"]["Projectnaam"])
    controleer_toegankelijkheid(request, page)
    page.get_by_role("checkbox", name=re.compile("naar waarheid", re.IGNORECASE)).check()
    aanvraag.knop("Indienen").click()


@then("krijg ik een bevestiging met een verzoeknummer en de datum van vandaag")
def bevestiging(page: Page, gegevens):
    aanvraag = Aanvraag(page)
    expect(aanvraag.kop).to_contain_text("ingediend")
    tekst = aanvraag.inhoud.inner_text()
    m = re.search(r"Verzoeknummer\s*\n?\s*([A-Z]{2,}[0-9]{4,})", tekst)
    eis(m, f"geen verzoeknummer op de bevestiging: {tekst[:300]!r}")
    vandaag = datetime.now(ZoneInfo("Europe/Amsterdam")).strftime("%d-%m-%Y")
    eis(vandaag in tekst, f"de bevestiging noemt niet de datum van vandaag ({vandaag})")
    gegevens["verzoeknummer"] = m.group(1)
    gegevens["bevestiging_url"] = page.url


@then("kan ik het ingediende verzoek niet meer wijzigen")
def niet_meer_wijzigen(page: Page, gegevens):
    page.goto(gegevens["bevestiging_url"])
    main = Aanvraag(page).inhoud
    expect(main).to_contain_text(gegevens["verzoeknummer"])
    expect(main.get_by_role("textbox")).to_have_count(0)
    expect(main.get_by_role("button", name=re.compile("wijzig|opslaan|indienen", re.IGNORECASE))
           ).to_have_count(0)
    page.goto("aanvragen/overzicht")
    expect(Aanvraag(page).inhoud).not_to_contain_text(gegevens["project"]["Projectnaam"])


# --- keten: Aanvragen → Verzoek afhandelen ---------------------------------------------------------

@when("het bevoegd gezag dit verzoek ophaalt via de verzoekendienst", target_fixture="verzoek")
def haal_verzoek_op(api, gegevens):
    nummer = gegevens["verzoeknummer"]
    antwoord = api.get("verzoeken-afhandelen", f"/verzoeken/{nummer}",
                       headers={"Accept": "application/hal+json"})
    eis(antwoord.status_code == 200,
        f"het bevoegd gezag kan verzoek {nummer} niet ophalen; {beschrijf(antwoord)}")
    return antwoord.json()


def _verschillen_bijlagen(verzoek: dict, gegevens, api) -> list[str]:
    verschillen: list[str] = []
    bijlagen = {b.get("bestandsnaam"): b for b in verzoek.get("bijlagen") or []}
    for naam, inhoud in (gegevens.get("bijlagen") or {}).items():
        b = bijlagen.get(naam)
        if b is None:
            verschillen.append(f"bijlage '{naam}' ontbreekt")
            continue
        href = ((b.get("_links") or {}).get("inhoud") or {}).get("href")
        if b.get("sha256") and b["sha256"] != hashlib.sha256(inhoud).hexdigest():
            verschillen.append(f"bijlage '{naam}': andere inhoud (sha256)")
        if href:
            antwoord = api.haal(href, headers={"Accept": "*/*"})
            if antwoord.content != inhoud:
                verschillen.append(f"bijlage '{naam}': de opgehaalde inhoud wijkt af")
    return verschillen


@then("bevat het opgehaalde verzoek wat ik heb ingevuld")
def vergelijk_verzoek(verzoek, gegevens, api):
    verschillen: list[str] = []
    project = verzoek.get("project") or {}
    verwacht = gegevens["project"]
    if project.get("naam") != verwacht.get("Projectnaam"):
        verschillen.append(f"projectnaam: '{project.get('naam')}' in plaats van "
                           f"'{verwacht.get('Projectnaam')}'")
    if "Projectomschrijving" in verwacht and project.get("omschrijving") != verwacht["Projectomschrijving"]:
        verschillen.append(f"projectomschrijving: '{project.get('omschrijving')}' in plaats van "
                           f"'{verwacht['Projectomschrijving']}'")
    locatie = (verzoek.get("locatie") or {}).get("omschrijving") or ""
    if gegevens["adres"] not in locatie:
        verschillen.append(f"locatie: '{locatie}' in plaats van '{gegevens['adres']}'")
    if not verzoek.get("activiteiten"):
        verschillen.append("het verzoek noemt geen enkele activiteit")
    if gegevens.get("soort", "").lower().startswith("aanvraag") and verzoek.get("soort") != "aanvraag":
        verschillen.append(f"soort: '{verzoek.get('soort')}' in plaats van 'aanvraag'")
    opgehaald = {a.get("vraagTekst") or a.get("vraag"): normaal_antwoord(a.get("antwoord"))
                 for a in verzoek.get("antwoorden") or []}
    for vraag, antwoord in (gegevens.get("aanvraag_antwoorden") or {}).items():
        if vraag not in opgehaald:
            verschillen.append(f"antwoord op '{vraag}' ontbreekt")
        elif opgehaald[vraag] != normaal_antwoord(antwoord):
            verschillen.append(f"antwoord op '{vraag}': '{opgehaald[vraag]}' in plaats van '{antwoord}'")
    verschillen += _verschillen_bijlagen(verzoek, gegevens, api)
    eis(not verschillen, "het bevoegd gezag krijgt iets anders dan er is ingevuld: "
                         + "; ".join(verschillen))
