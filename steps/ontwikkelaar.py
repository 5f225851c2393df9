"""Steps of features/ontwikkelaar: the open stelsel from a developer's side (the APIs, their
specification on their base URL, the API key)."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect
from pytest_bdd import given, parsers, then, when

from steps.api import HAL, beschrijf, dienst_uit_naam
from steps.gedeeld import eis
from steps.paginas import Pagina


@given("ik open de pagina voor ontwikkelaars")
def open_ontwikkelaars(page: Page, testdata):
    pagina = Pagina(page)
    pagina.pad = testdata.vereis("ontwikkelaar", "pagina")
    pagina.open()
    expect(pagina.kop).to_be_visible()


@then("staat elke API van het doel erop met een link naar haar specificatie")
def elke_api(page: Page, doel):
    links = page.get_by_role("link", name=re.compile(r"openapi\.json", re.IGNORECASE))
    expect(links.first).to_be_visible()
    hrefs = {urlsplit(urljoin(page.url, h)).path.rstrip("/")
             for h in links.evaluate_all("els => els.map(e => e.getAttribute('href'))")}
    ontbreekt = [dienst for dienst, basis in doel.diensten.items()
                 if urlsplit(basis).path.rstrip("/") + "/openapi.json" not in hrefs]
    eis(not ontbreekt, f"de ontwikkelaarspagina linkt niet naar de specificatie van: {ontbreekt}")


@then("legt de pagina uit hoe ik een API-sleutel meestuur")
def uitleg_sleutel(page: Page):
    expect(Pagina(page).inhoud).to_contain_text("x-api-key")


@when(parsers.parse('ik de specificatie van de API "{api_naam}" ophaal'), target_fixture="spec")
def haal_spec(api, api_naam):
    antwoord = api.get(dienst_uit_naam(api_naam), "/openapi.json")
    eis(antwoord.status_code == 200, beschrijf(antwoord))
    return antwoord.json()


@then("is het een OpenAPI-specificatie met paden")
def is_openapi(spec):
    eis(str(spec.get("openapi", "")).startswith("3."),
        f"geen OpenAPI 3-document: veld 'openapi' is {spec.get('openapi')!r}")
    eis(spec.get("paths"), "de specificatie beschrijft geen enkel pad")


@given("ik een API-sleutel heb voor het doel")
def heb_sleutel(api, doel):
    if not api.sleutel:
        pytest.skip(f"geen API-sleutel in omgevingsvariabele "
                    f"{doel.api_sleutel_variabele or '(geen variabele genoemd)'}")


@when(parsers.parse('ik zonder sleutel "{pad}" van "{api_naam}" opvraag'), target_fixture="antwoord")
def zonder_sleutel(api, api_naam, pad):
    url = api.basis(dienst_uit_naam(api_naam)) + pad
    antwoord = httpx.get(url, headers={"Accept": HAL}, timeout=15)
    api.bewaar("GET", url, {"Accept": HAL}, {}, antwoord, 0.0)
    return antwoord


@then(parsers.parse("is het antwoord {status:d} of {status2:d}"))
def status_is_een_van(antwoord, status, status2):
    eis(antwoord.status_code in (status, status2),
        f"verwacht {status} of {status2}; {beschrijf(antwoord)}")


@then("is de foutmelding een probleembericht (RFC 9457)")
def is_problem(antwoord):
    soort = antwoord.headers.get("content-type", "")
    eis(soort.startswith("application/problem+json"),
        f"Content-Type is '{soort}', verwacht application/problem+json; {beschrijf(antwoord)}")
    body = antwoord.json()
    eis("status" in body and "title" in body, f"probleembericht zonder status/title: {body}")
