"""API steps and a small HTTP client that keeps every request and response as evidence.

The key comes only from the environment variable the target names and is masked in every saved
exchange (the records' Masker). On ``alleen_lezen`` targets the client refuses anything but
GET/HEAD and consulting ``_zoek``/``_uitvoeren``-style POSTs are the caller's explicit choice.
"""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest

from dso_acceptatie.diensten import DIENSTEN
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
        self.bewaar(methode, url, headers, kwargs, antwoord, ms)
        return antwoord

    def get(self, dienst: str, pad: str, **kw) -> httpx.Response:
        return self.verzoek("GET", dienst, pad, **kw)

    def post(self, dienst: str, pad: str, **kw) -> httpx.Response:
        return self.verzoek("POST", dienst, pad, **kw)

    def bewaar(self, methode, url, headers, kwargs, antwoord: httpx.Response, ms: float) -> None:
        """Keep one exchange as evidence of the scenario (key masked)."""
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
        from dso_acceptatie.fasen.klantreizen.plugin import staat_van
        staat = staat_van(self.item.config)
        if staat is None:
            return
        pad = staat.bewijs_pad(self.item.nodeid, "api", "json")
        pad.write_text(self.masker(json.dumps(uitwisseling, ensure_ascii=False, indent=2,
                                              default=str)), encoding="utf-8")
        staat.registreer_bewijs(self.item.nodeid, pad)

    def toepasbare_regels(self, typering: str, werkzaamheid: str) -> list[dict]:
        """The uitvoeren service's rule sets of one kind (``Conclusie``, ``Indieningsvereisten``)
        whose name mentions ``werkzaamheid``, over all pages; none skips the scenario."""
        pad = "/toepasbare-regels"
        regels: list[dict] = []
        for _ in range(20):   # follow paging (HAL 'next') a bounded number of times
            antwoord = self.get("uitvoeren", pad, params={"typering": typering})
            if antwoord.status_code != 200:
                raise AssertionError(beschrijf(antwoord))
            body = antwoord.json()
            regels += (body.get("_embedded") or {}).get("toepasbareRegels", [])
            volgende = ((body.get("_links") or {}).get("next") or {}).get("href")
            if not volgende:
                break
            pad = "/toepasbare-regels" + volgende.split("/toepasbare-regels", 1)[-1]
        passend = [r for r in regels if werkzaamheid.lower() in r.get("naam", "").lower()]
        if not passend:
            pytest.skip(f"de uitvoeren-API kent geen {typering}-regels voor '{werkzaamheid}'")
        return passend

    def sluit(self) -> None:
        self.http.close()


@pytest.fixture
def api(request, doel):
    client = ApiClient(doel, request.node)
    yield client
    client.sluit()


def _zonder_versie(titel: str) -> str:
    """'Omgevingsdocumenten Presenteren v8' -> 'omgevingsdocumenten presenteren'."""
    return re.sub(r"\s+v?\d[\w.]*$", "", titel).strip().lower()


def dienst_uit_naam(naam: str) -> str:
    """The service key (diensten.py) for the name a feature uses: the key itself, or its title
    without version and leading family name ("Presenteren", "Geometrie opvragen", "Locatieserver").
    An unknown name stops the step: a typo must never test another service."""
    gezocht = naam.strip().lower()
    for dienst in DIENSTEN.values():
        titel = _zonder_versie(dienst.titel)
        if gezocht in (dienst.naam, titel) or titel.endswith(" " + gezocht):
            return dienst.naam
    bekend = ", ".join(f"'{_zonder_versie(d.titel)}'" for d in DIENSTEN.values())
    pytest.fail(f"onbekende API '{naam}' in de feature; bekend zijn: {bekend} "
                "(src/dso_acceptatie/diensten.py)", pytrace=False)


def beschrijf(antwoord: httpx.Response) -> str:
    """A short Dutch description of an unexpected answer, for assertion messages."""
    tekst = antwoord.text[:300].replace("\n", " ")
    return f"{antwoord.request.method} {antwoord.request.url.path} gaf {antwoord.status_code}: {tekst}"
