"""API steps and a small HTTP client that keeps every request and response as evidence.

The key comes only from the environment variable the target names and is masked in every saved
exchange (the records' Masker). On ``alleen_lezen`` targets the client refuses anything but
GET/HEAD and consulting ``_zoek``/``_uitvoeren``-style POSTs are the caller's explicit choice.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest
from pytest_bdd import given, parsers, then, when

from dso_acceptatie.records import Masker

HAL = "application/hal+json, application/json;q=0.9, application/problem+json;q=0.8"


class ApiClient:
    def __init__(self, doel, item=None, timeout_s: float = 15.0):
        self.doel = doel
        self.item = item
        self.sleutel = doel.api_sleutel()
        self.masker = Masker([self.sleutel])
        self.http = httpx.Client(timeout=timeout_s, follow_redirects=False)
        self.uitwisselingen: list[dict] = []

    def basis(self, dienst: str) -> str:
        url = self.doel.diensten.get(dienst)
        if not url:
            pytest.skip(f"doel '{self.doel.naam}' biedt de dienst '{dienst}' niet aan")
        return url.rstrip("/")

    def verzoek(self, methode: str, dienst: str, pad: str, *, alleen_raadplegen: bool = False,
                **kwargs) -> httpx.Response:
        return self.naar_url(methode, self.basis(dienst) + pad,
                             alleen_raadplegen=alleen_raadplegen, **kwargs)

    def haal(self, url: str, **kwargs) -> httpx.Response:
        """GET of an absolute URL a service handed out (a HAL link)."""
        return self.naar_url("GET", url, **kwargs)

    def naar_url(self, methode: str, url: str, *, alleen_raadplegen: bool = False,
                 **kwargs) -> httpx.Response:
        if (self.doel.alleen_lezen and methode.upper() not in ("GET", "HEAD")
                and not alleen_raadplegen):
            pytest.skip(f"doel '{self.doel.naam}' is alleen-lezen: geen {methode}")
        headers = {"Accept": HAL, **kwargs.pop("headers", {})}
        if self.sleutel:
            headers["x-api-key"] = self.sleutel
        start = time.perf_counter()
        antwoord = self.http.request(methode, url, headers=headers, **kwargs)
        # Bodies of binary answers (attachments) are summarised, not dumped, in the evidence.
        ms = (time.perf_counter() - start) * 1000
        self._bewaar(methode, url, headers, kwargs, antwoord, ms)
        return antwoord

    def get(self, dienst: str, pad: str, **kw) -> httpx.Response:
        return self.verzoek("GET", dienst, pad, **kw)

    def post(self, dienst: str, pad: str, **kw) -> httpx.Response:
        return self.verzoek("POST", dienst, pad, **kw)

    def _bewaar(self, methode, url, headers, kwargs, antwoord: httpx.Response, ms: float) -> None:
        soort = antwoord.headers.get("content-type", "")
        if "json" in soort:
            try:
                body = antwoord.json()
            except ValueError:
                body = antwoord.text[:20_000]
        elif soort.startswith(("text/", "application/xml")):
            body = antwoord.text[:20_000]
        else:
            body = f"<{len(antwoord.content)} bytes {soort}>"
        uitwisseling = {
            "verzoek": {"methode": methode, "url": url,
                        "headers": {k: ("***" if k.lower() == "x-api-key" else v)
                                    for k, v in headers.items()},
                        "params": kwargs.get("params"), "json": kwargs.get("json")},
            "antwoord": {"status": antwoord.status_code, "headers": dict(antwoord.headers),
                         "body": body},
            "duur_ms": round(ms, 1),
        }
        self.uitwisselingen.append(uitwisseling)
        if self.item is None:
            return
        from dso_acceptatie.fasen.klantreizen.plugin import staat
        s = staat(self.item.config)
        if s is None:
            return
        pad = s.bewijs_pad(self.item.nodeid, "api", "json")
        pad.write_text(self.masker(json.dumps(uitwisseling, ensure_ascii=False, indent=2,
                                              default=str)), encoding="utf-8")
        s.registreer_bewijs(self.item.nodeid, pad)

    def sluit(self) -> None:
        self.http.close()


@pytest.fixture
def api(request, doel):
    client = ApiClient(doel, request.node)
    yield client
    client.sluit()


def beschrijf(antwoord: httpx.Response) -> str:
    """A short Dutch description of an unexpected answer, for assertion messages."""
    tekst = antwoord.text[:300].replace("\n", " ")
    return f"{antwoord.request.method} {antwoord.request.url.path} gaf {antwoord.status_code}: {tekst}"


# --- Ontwikkelaar: the open stelsel from a developer's side --------------------------------------

DIENST_NAMEN = {
    "Presenteren": "presenteren", "Geometrie opvragen": "geometrieopvragen",
    "Toepasbare regels uitvoeren": "uitvoeren", "Catalogus opvragen": "catalogus",
    "Verzoek indienen": "verzoeken-indienen", "Verzoek afhandelen": "verzoeken-afhandelen",
    "Locatieserver": "locatieserver", "Regels bij activiteiten": "regels-bij-activiteiten",
}


@when(parsers.parse('ik de specificatie van de API "{api_naam}" ophaal'), target_fixture="spec")
def haal_spec(api, api_naam):
    dienst = DIENST_NAMEN.get(api_naam, api_naam)
    antwoord = api.get(dienst, "/openapi.json")
    assert antwoord.status_code == 200, beschrijf(antwoord)
    return antwoord.json()


@then("is het een OpenAPI-specificatie met paden")
def is_openapi(spec):
    assert str(spec.get("openapi", "")).startswith("3."), (
        f"geen OpenAPI 3-document: veld 'openapi' is {spec.get('openapi')!r}")
    assert spec.get("paths"), "de specificatie beschrijft geen enkel pad"


@when(parsers.parse('ik met de testsleutel de gezondheid van "{api_naam}" opvraag'),
      target_fixture="antwoord")
def gezondheid(api, api_naam):
    return api.get(DIENST_NAMEN.get(api_naam, api_naam), "/health")


@when(parsers.parse('ik zonder sleutel "{pad}" van "{api_naam}" opvraag'), target_fixture="antwoord")
def zonder_sleutel(api, api_naam, pad):
    dienst = DIENST_NAMEN.get(api_naam, api_naam)
    url = api.basis(dienst) + pad
    antwoord = httpx.get(url, headers={"Accept": HAL}, timeout=15)
    api._bewaar("GET", url, {"Accept": HAL}, {}, antwoord, 0.0)
    return antwoord


@given(parsers.parse('ik een API-sleutel heb voor het doel'))
def heb_sleutel(api, doel):
    if not api.sleutel:
        pytest.skip(f"geen API-sleutel in omgevingsvariabele "
                    f"{doel.api_sleutel_variabele or '(geen variabele genoemd)'}")


@then(parsers.parse("is het antwoord {status:d}"))
def status_is(antwoord, status):
    assert antwoord.status_code == status, f"verwacht {status}; {beschrijf(antwoord)}"


@then(parsers.parse("is het antwoord {status:d} of {status2:d}"))
def status_is_een_van(antwoord, status, status2):
    assert antwoord.status_code in (status, status2), f"verwacht {status} of {status2}; {beschrijf(antwoord)}"


@then("is de foutmelding een probleembericht (RFC 9457)")
def is_problem(antwoord):
    soort = antwoord.headers.get("content-type", "")
    assert soort.startswith("application/problem+json"), (
        f"Content-Type is '{soort}', verwacht application/problem+json; {beschrijf(antwoord)}")
    body = antwoord.json()
    assert "status" in body and "title" in body, f"probleembericht zonder status/title: {body}"
