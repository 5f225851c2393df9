"""Mutations applied by a mutating reverse proxy in front of the target, so that they work on any
target, not only on the reference LV's own fault switches.

The proxy is the afnemers recording proxy (uvicorn + httpcore, :mod:`dso_acceptatie.afnemers.proxy`)
with a :class:`~dso_acceptatie.afnemers.proxy.Mutator` hook. The zelftest runs one phase against a
target whose origin (the APIs) and loket are the proxy: once without mutation (the proxy itself
must not make the harness reject) and once per mutation. Each mutation counts how many exchanges
it changed (``toegepast``); a mutation that changed nothing proves nothing and is reported as
"niet toegepast", never as killed or missed.

The one list is :data:`MUTATIES` below; ``python -m dso_acceptatie.zelftest`` prints it (with the
reference's fault switches) as the table in the README section "Zelftest".
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import orjson

from dso_acceptatie.afnemers.proxy import SLEUTEL_HEADER, OpnameProxy
from dso_acceptatie.doelen import Doel, is_loopback
from dso_acceptatie.records import Masker
from dso_acceptatie.referentie import ReferentieLV

SLEUTEL_VARIABELE = "DSO_ZELFTEST_PROXY_API_KEY"
# the proxy's HTTP parser: h11 passes any method on (httptools answers 400 to a method it does not
# know, and a proxy that refuses what the target would take is itself a wrong system)
HTTP = "h11"
Headers = list[tuple[str, str]]
PROBLEM_JSON = "application/problem+json"


class Mutatie:
    """No change: the control run through the proxy. Subclasses change one thing."""

    naam = "(schoon via proxy)"
    groep = "—"              # API, loket, DMN/STTR, last
    fase = "contracten"      # the phase that must reject it
    snel = False             # part of `zelftest --snel`
    beschrijving = "Geen wijziging: de proxy geeft alles ongewijzigd door."

    def __init__(self, echte_sleutel: str | None = None):
        self.echte_sleutel = echte_sleutel
        self.toegepast = 0   # how many exchanges this mutation changed
        self.proxy: OpnameProxy | None = None

    def koppel(self, proxy: OpnameProxy) -> None:
        self.proxy = proxy

    def verzoek(self, methode: str, pad: str, headers: Headers) -> Headers:
        return headers

    def antwoord(self, methode: str, pad: str, status: int, headers: Headers,
                 body: bytes) -> tuple[int, Headers, bytes]:
        return status, headers, body


# --- helpers --------------------------------------------------------------------------------------
def _header(headers: Headers, naam: str) -> str:
    return next((v for k, v in headers if k.lower() == naam), "")


def _zonder(headers: Headers, *namen: str) -> Headers:
    return [(k, v) for k, v in headers if k.lower() not in namen]


def _met(headers: Headers, naam: str, waarde: str) -> Headers:
    return [*_zonder(headers, naam), (naam, waarde)]


def _json(headers: Headers, body: bytes):
    """The parsed JSON body, or None when it is no JSON."""
    if "json" not in _header(headers, "content-type") or not body:
        return None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


def _is_html(headers: Headers) -> bool:
    return "text/html" in _header(headers, "content-type")


def _is_spec(pad: str) -> bool:
    return pad.endswith("/openapi.json")


class _HtmlMutatie(Mutatie):
    """A rewrite of loket pages (text/html); ``herschrijf`` returns the new text."""

    groep = "loket"
    fase = "klantreizen"
    paden: tuple[str, ...] = ()   # only pages under these path prefixes (empty: all)

    def herschrijf(self, html: str) -> str:  # pragma: no cover - every subclass overrides it
        return html

    def antwoord(self, methode, pad, status, headers, body):
        if not _is_html(headers) or (self.paden and not pad.startswith(self.paden)):
            return status, headers, body
        tekst = body.decode("utf-8", errors="replace")
        nieuw = self.herschrijf(tekst)
        if nieuw == tekst:
            return status, headers, body
        self.toegepast += 1
        return status, headers, nieuw.encode("utf-8")


class _JsonMutatie(Mutatie):
    """A rewrite of successful JSON answers; ``herschrijf`` returns the new value or None (unchanged)."""

    def herschrijf(self, pad: str, data):  # pragma: no cover - every subclass overrides it
        return None

    def antwoord(self, methode, pad, status, headers, body):
        if not 200 <= status < 300 or _is_spec(pad):
            return status, headers, body
        data = _json(headers, body)
        if data is None:
            return status, headers, body
        nieuw = self.herschrijf(pad, data)
        if nieuw is None:
            return status, headers, body
        self.toegepast += 1
        return status, headers, orjson.dumps(nieuw)


# --- API (contract phase) -------------------------------------------------------------------------
class GeenApiVersion(Mutatie):
    naam = "proxy:geen-api-version"
    groep = "API"
    beschrijving = "De header API-Version wordt van elk antwoord verwijderd."

    def antwoord(self, methode, pad, status, headers, body):
        zonder = _zonder(headers, "api-version")
        self.toegepast += len(zonder) != len(headers)
        return status, zonder, body


class GeenContentCrs(Mutatie):
    naam = "proxy:geen-content-crs"
    groep = "API"
    beschrijving = "De header Content-Crs wordt van elk antwoord met een geometrie verwijderd."

    def antwoord(self, methode, pad, status, headers, body):
        zonder = _zonder(headers, "content-crs")
        self.toegepast += len(zonder) != len(headers)
        return status, zonder, body


class FoutContentCrs(Mutatie):
    naam = "proxy:fout-content-crs"
    groep = "API"
    beschrijving = ("Content-Crs zegt EPSG:4326 (WGS84) terwijl de coördinaten in RD (EPSG:28992) blijven: het "
                    "antwoord liegt over zijn coördinatenstelsel.")

    def antwoord(self, methode, pad, status, headers, body):
        waarde = _header(headers, "content-crs")
        if not waarde or "4326" in waarde:
            return status, headers, body
        self.toegepast += 1
        return status, _met(headers, "content-crs", "http://www.opengis.net/def/crs/EPSG/0/4326"), body


class FoutContentType(Mutatie):
    naam = "proxy:fout-content-type"
    groep = "API"
    beschrijving = "JSON-antwoorden (ook problem+json) krijgen Content-Type text/plain; de inhoud blijft gelijk."

    def antwoord(self, methode, pad, status, headers, body):
        if "json" not in _header(headers, "content-type"):
            return status, headers, body
        self.toegepast += 1
        return status, _met(headers, "content-type", "text/plain; charset=utf-8"), body


class SchemaType(_JsonMutatie):
    naam = "proxy:schema-type"
    groep = "API"
    beschrijving = ("In elk geslaagd JSON-antwoord krijgt het eerste gewone veld (geen _links) een ander type: een "
                    "getal wordt tekst, een tekst wordt het getal 0, een ja/nee wordt tekst.")

    def herschrijf(self, pad, data):
        return data if _verander_type(data) else None


def _verander_type(data, diepte: int = 0) -> bool:
    if diepte > 8:
        return False
    if isinstance(data, list):
        return any(_verander_type(e, diepte + 1) for e in data[:1])
    if not isinstance(data, dict):
        return False
    for sleutel, waarde in data.items():
        if sleutel.startswith("_"):
            continue
        if isinstance(waarde, bool):
            data[sleutel] = "ja" if waarde else "nee"
            return True
        if isinstance(waarde, int | float):
            data[sleutel] = str(waarde)
            return True
        if isinstance(waarde, str):
            data[sleutel] = 0
            return True
    return any(_verander_type(w, diepte + 1) for k, w in data.items() if not k.startswith("_"))


# fields the DSO specs mark required where they occur (and Locatieserver's numFound)
VERPLICHTE_VELDEN = frozenset({"identificatie", "numFound"})


def _verwijder_velden(data, namen: frozenset[str], diepte: int = 0) -> int:
    if diepte > 12:
        return 0
    if isinstance(data, list):
        return sum(_verwijder_velden(e, namen, diepte + 1) for e in data)
    if not isinstance(data, dict):
        return 0
    weg = [k for k in data if k in namen]
    for k in weg:
        del data[k]
    return len(weg) + sum(_verwijder_velden(w, namen, diepte + 1) for w in data.values())


class VerplichtVeldWeg(_JsonMutatie):
    naam = "proxy:verplicht-veld-weg"
    groep = "API"
    beschrijving = ("Een verplicht veld verdwijnt uit geslaagde JSON-antwoorden: 'identificatie' overal, bij de "
                    "Locatieserver 'numFound'.")

    def herschrijf(self, pad, data):
        return data if _verwijder_velden(data, VERPLICHTE_VELDEN) else None


class ZonderSleutelGeaccepteerd(Mutatie):
    naam = "proxy:zonder-sleutel-geaccepteerd"
    groep = "API"
    snel = True
    beschrijving = ("Een verzoek zonder x-api-key krijgt toch antwoord: de proxy zet de echte sleutel erin "
                    "(authenticatie staat in feite uit).")

    def verzoek(self, methode, pad, headers):
        if self.echte_sleutel is None or any(k.lower() == SLEUTEL_HEADER for k, _ in headers):
            return headers
        self.toegepast += 1
        return [*headers, (SLEUTEL_HEADER, self.echte_sleutel)]


class OnbekendeSleutelGeaccepteerd(Mutatie):
    naam = "proxy:onbekende-sleutel-geaccepteerd"
    groep = "API"
    beschrijving = ("Een verzoek met een onbekende x-api-key krijgt toch antwoord: de proxy vervangt hem door de "
                    "echte sleutel; zonder sleutel blijft het 401.")

    def verzoek(self, methode, pad, headers):
        sleutels = [v for k, v in headers if k.lower() == SLEUTEL_HEADER]
        if self.echte_sleutel is None or not sleutels or sleutels == [self.echte_sleutel]:
            return headers
        self.toegepast += 1
        return [*_zonder(headers, SLEUTEL_HEADER), (SLEUTEL_HEADER, self.echte_sleutel)]


class KapottePaginalinks(_JsonMutatie):
    naam = "proxy:kapotte-paginalinks"
    groep = "API"
    beschrijving = ("De paginalinks 'next' en 'prev'/'previous' in HAL-antwoorden slaan een pagina over "
                    "(page=N wordt page=N+1).")

    def herschrijf(self, pad, data):
        links = data.get("_links") if isinstance(data, dict) else None
        if not isinstance(links, dict):
            return None
        veranderd = False
        for naam in ("next", "prev", "previous"):
            link = links.get(naam)
            href = link.get("href") if isinstance(link, dict) else None
            if isinstance(href, str):
                nieuw = re.sub(r"([?&]page=)(\d+)", lambda m: f"{m.group(1)}{int(m.group(2)) + 1}", href)
                if nieuw == href:
                    nieuw = href + ("&" if "?" in href else "?") + "page=99"
                link["href"] = nieuw
                veranderd = True
        return data if veranderd else None


class StatusVerkeerd(Mutatie):
    naam = "proxy:200-voor-404"
    groep = "API"
    beschrijving = "Een 404 Not Found wordt 200 OK (de foutinhoud blijft): een onbekende resource lijkt te bestaan."

    def antwoord(self, methode, pad, status, headers, body):
        if status != 404:
            return status, headers, body
        self.toegepast += 1
        return 200, headers, body


class ProbleemZonderStatus(Mutatie):
    naam = "proxy:probleem-zonder-status"
    groep = "API"
    beschrijving = "Foutantwoorden (application/problem+json) verliezen hun velden 'status' en 'title'."

    def antwoord(self, methode, pad, status, headers, body):
        if status < 400 or PROBLEM_JSON not in _header(headers, "content-type"):
            return status, headers, body
        data = _json(headers, body)
        if not isinstance(data, dict) or not ({"status", "title"} & data.keys()):
            return status, headers, body
        self.toegepast += 1
        return status, headers, orjson.dumps({k: v for k, v in data.items() if k not in ("status", "title")})


class VijfHonderdDeel(Mutatie):
    naam = "proxy:503-deel"
    groep = "API"
    beschrijving = "Elke vijfde API-aanroep krijgt 503 Service Unavailable (problem+json) in plaats van het antwoord."

    def __init__(self, echte_sleutel: str | None = None):
        super().__init__(echte_sleutel)
        self._teller = itertools.count(1)

    def antwoord(self, methode, pad, status, headers, body):
        if _is_html(headers) or _is_spec(pad) or next(self._teller) % 5:
            return status, headers, body
        self.toegepast += 1
        return 503, _probleem_headers(headers), _probleem(503, "Dienst tijdelijk niet beschikbaar.")


def _probleem(status: int, titel: str) -> bytes:
    return orjson.dumps({"status": status, "title": titel, "detail": "Geënsceneerd door de zelftest."})


def _probleem_headers(headers: Headers) -> Headers:
    versie = _header(headers, "api-version")
    return [("content-type", PROBLEM_JSON)] + ([("api-version", versie)] if versie else [])


class SpecDrift(Mutatie):
    naam = "proxy:spec-drift"
    groep = "API"
    beschrijving = ("De geserveerde specificatie (<basis>/openapi.json) wijkt af van de vastgelegde: het laatste "
                    "pad ontbreekt en info.description is anders; de API zelf blijft gelijk.")

    def antwoord(self, methode, pad, status, headers, body):
        if status != 200 or not _is_spec(pad):
            return status, headers, body
        data = _json(headers, body)
        paden = data.get("paths") if isinstance(data, dict) else None
        if not isinstance(paden, dict) or len(paden) < 2:
            return status, headers, body
        paden.pop(list(paden)[-1])
        info = data.setdefault("info", {})
        info["description"] = str(info.get("description") or "") + " (gewijzigd)"
        self.toegepast += 1
        return status, headers, orjson.dumps(data)


# --- loket (klantreizen) --------------------------------------------------------------------------
class LoketLabelsWeg(_HtmlMutatie):
    naam = "proxy:loket-labels-weg"
    snel = True
    beschrijving = "Loket: elk <label> verliest zijn for-attribuut; de velden zijn voor schermlezers naamloos."

    def herschrijf(self, html):
        return re.sub(r'(<label\b[^>]*?)\s+for="[^"]*"', r"\1", html)


class LoketLangWeg(_HtmlMutatie):
    naam = "proxy:loket-lang-weg"
    beschrijving = "Loket: het attribuut lang op het html-element verdwijnt van elke pagina."

    def herschrijf(self, html):
        return re.sub(r'(<html\b[^>]*?)\s+lang="[^"]*"', r"\1", html, count=1)


class LoketKoppenWeg(_HtmlMutatie):
    naam = "proxy:loket-koppen-weg"
    beschrijving = "Loket: de kop van niveau 1 (<h1>) wordt een gewone alinea (<p>) op elke pagina."

    def herschrijf(self, html):
        return re.sub(r"</h1>", "</p>", re.sub(r"<h1\b", "<p", html))


class LoketFocusWeg(_HtmlMutatie):
    naam = "proxy:loket-focus-weg"
    beschrijving = ("Loket: elke link en knop krijgt tabindex=\"-1\": met het toetsenbord is niets meer te "
                    "bereiken (ook de link 'Naar de inhoud' niet).")

    def herschrijf(self, html):
        return re.sub(r"<(a|button)(\s)", r'<\1 tabindex="-1"\2', html)


class LoketConclusieTegenApi(_HtmlMutatie):
    naam = "proxy:loket-conclusie-tegen-api"
    paden = ("/vergunningcheck",)
    beschrijving = ("Loket: de Vergunningcheck toont de omgekeerde conclusie (Vergunningplicht en "
                    "Toestemmingsvrij verwisseld); de API Toepasbare regels uitvoeren antwoordt ongewijzigd.")

    def herschrijf(self, html):
        wissel = {"Vergunningplicht": "Toestemmingsvrij", "Toestemmingsvrij": "Vergunningplicht",
                  "vergunningplicht": "toestemmingsvrij", "toestemmingsvrij": "vergunningplicht"}
        return re.sub("|".join(wissel), lambda m: wissel[m.group(0)], html)


class LoketVerzoeknummerWeg(_HtmlMutatie):
    naam = "proxy:loket-verzoeknummer-weg"
    beschrijving = "Loket: de bevestiging na het indienen toont geen verzoeknummer meer."

    def herschrijf(self, html):
        return re.sub(r"(Verzoeknummer\s*</dt>\s*<dd\b[^>]*>)[^<]*(</dd>)", r"\1\2", html)


class LoketLinkKapot(_HtmlMutatie):
    naam = "proxy:loket-link-kapot"
    paden = ("/vergunningcheck",)
    beschrijving = ("Loket: links vanuit de Vergunningcheck naar Aanvragen wijzen naar een pagina die niet "
                    "bestaat (/kapot/aanvragen…).")

    def herschrijf(self, html):
        return re.sub(r'href="/aanvragen', 'href="/kapot/aanvragen', html)


class LoketBijlageKwijt(Mutatie):
    naam = "proxy:loket-bijlage-kwijt"
    groep = "loket"
    fase = "klantreizen"
    beschrijving = ("Loket: een geüpload document komt nooit aan: de proxy slikt de upload (POST met bestand) en "
                    "antwoordt met dezelfde doorverwijzing als bij succes.")

    def kortsluiting(self, methode, pad, headers, body):
        if (methode != "POST" or "multipart/form-data" not in _header(headers, "content-type")
                or not re.search(rb'filename="[^"]+"', body)):
            return None
        self.toegepast += 1
        return 303, [("location", pad)], b""


# --- DMN/STTR (contract phase: the answers of Toepasbare regels uitvoeren) ------------------------
def _is_bepaal(methode: str, pad: str) -> bool:
    return methode == "POST" and pad.endswith("/_bepaal")


class DrempelVerschoven(Mutatie):
    naam = "proxy:drempel-verschoven"
    groep = "DMN/STTR"
    beschrijving = ("Toepasbare regels uitvoeren: elke drempel in een beslistabel ligt 1 lager (elk getal als "
                    "antwoord gaat met 1 verhoogd naar het doel; het antwoord noemt weer het oorspronkelijke "
                    "getal). Bijgebouw: 19 m² is dan meldingsplichtig, 29 m² vergunningplichtig.")
    VERSCHIL = 1

    def verzoek_body(self, methode, pad, headers, body):
        if not _is_bepaal(methode, pad):
            return body
        data = _json(headers, body)
        if not isinstance(data, dict) or not self._verschuif(data.get("antwoorden"), self.VERSCHIL):
            return body
        self.toegepast += 1
        return orjson.dumps(data)

    def antwoord(self, methode, pad, status, headers, body):
        if not _is_bepaal(methode, pad) or status != 200:
            return status, headers, body
        data = _json(headers, body)
        if not isinstance(data, dict):
            return status, headers, body
        geraakt = False
        for r in data.get("resultaten") or []:
            c = r.get("conclusie") if isinstance(r, dict) else None
            if isinstance(c, dict):
                geraakt |= self._verschuif(c.get("gebruikteAntwoorden"), -self.VERSCHIL)
        return status, headers, (orjson.dumps(data) if geraakt else body)

    @staticmethod
    def _verschuif(antwoorden, verschil: int) -> bool:
        geraakt = False
        for a in antwoorden if isinstance(antwoorden, list) else []:
            w = a.get("waarde") if isinstance(a, dict) else None
            if isinstance(w, int | float) and not isinstance(w, bool):
                a["waarde"] = w + verschil
                geraakt = True
        return geraakt


class ConclusieVerwisseldEenActiviteit(Mutatie):
    naam = "proxy:conclusie-verwisseld-kappen"
    groep = "DMN/STTR"
    beschrijving = ("Toepasbare regels uitvoeren: alleen voor de activiteit 'kappen van een boom' is de conclusie "
                    "verwisseld (Vergunningplicht ↔ Toestemmingsvrij, Meldingsplicht → Toestemmingsvrij); elke "
                    "andere activiteit antwoordt juist.")
    ACTIVITEIT = "boom"
    WISSEL = {"Vergunningplicht": "Toestemmingsvrij", "Toestemmingsvrij": "Vergunningplicht",
              "Meldingsplicht": "Toestemmingsvrij"}

    def antwoord(self, methode, pad, status, headers, body):
        if not _is_bepaal(methode, pad) or status != 200:
            return status, headers, body
        data = _json(headers, body)
        if not isinstance(data, dict):
            return status, headers, body
        geraakt = False
        for r in data.get("resultaten") or []:
            if not isinstance(r, dict):
                continue
            naam = str((r.get("activiteit") or {}).get("naam") or "").lower()
            c = r.get("conclusie")
            if self.ACTIVITEIT in naam and isinstance(c, dict) and c.get("waarde") in self.WISSEL:
                c["waarde"] = self.WISSEL[c["waarde"]]
                geraakt = True
        if not geraakt:
            return status, headers, body
        self.toegepast += 1
        return status, headers, orjson.dumps(data)


# --- load (last phase) ----------------------------------------------------------------------------
def _is_api(pad: str) -> bool:
    return not _is_spec(pad) and pad.count("/") >= 3 and not pad.startswith(("/static", "/vergunningcheck"))


class LatentieOveral(Mutatie):
    naam = "proxy:latentie-overal"
    groep = "last"
    fase = "last"
    beschrijving = "Elke API-aanroep wacht eerst 1 s (boven elke p95-SLO; in de contractfase binnen de time-out)."
    SECONDEN = 1.0

    def vertraging(self, methode, pad):
        if not _is_api(pad) or pad.endswith(("/health", "/app-info")):
            return 0.0
        self.toegepast += 1
        return self.SECONDEN


class LatentieEenEndpoint(Mutatie):
    naam = "proxy:latentie-een-endpoint"
    groep = "last"
    fase = "last"
    beschrijving = ("Alleen Geometrie Opvragen GET /geometrieen/{id} wacht 1 s per aanroep; elk ander endpoint "
                    "blijft snel (een gemiddelde over alle endpoints zou dit verbergen).")
    SECONDEN = 1.0

    def vertraging(self, methode, pad):
        if methode != "GET" or "/geometrieen/" not in pad:
            return 0.0
        self.toegepast += 1
        return self.SECONDEN


class FoutenOnderLast(Mutatie):
    naam = "proxy:fouten-onder-last"
    groep = "last"
    fase = "last"
    # --snel: errors are never excused by a busy machine (latency could be), so this one proves the
    # load phase in CI without depending on how fast the CI machine is
    snel = True
    beschrijving = ("Zodra meer dan 4 API-aanroepen tegelijk onderweg zijn, krijgt elke volgende 503; bij "
                    "enkele aanroepen (zoals in de contractfase met één verzoek tegelijk) is alles goed.")
    MAX_ONDERWEG = 4

    def antwoord(self, methode, pad, status, headers, body):
        if self.proxy is None or not _is_api(pad) or self.proxy.onderweg <= self.MAX_ONDERWEG:
            return status, headers, body
        self.toegepast += 1
        return 503, _probleem_headers(headers), _probleem(503, "Te veel verzoeken tegelijk.")


class GeenRateLimitHeaders(Mutatie):
    naam = "proxy:geen-rate-limit-headers"
    groep = "last"
    fase = "last"
    beschrijving = ("De headers X-Rate-Limit-Limit/-Remaining/-Reset en Retry-After verdwijnen van elk antwoord "
                    "(ook van 429): een client weet niet meer wanneer hij terug mag komen.")

    def antwoord(self, methode, pad, status, headers, body):
        zonder = [(k, v) for k, v in headers if not k.lower().startswith("x-rate-limit") and k.lower() != "retry-after"]
        self.toegepast += len(zonder) != len(headers)
        return status, zonder, body


MUTATIES: tuple[type[Mutatie], ...] = (
    GeenApiVersion, GeenContentCrs, FoutContentCrs, FoutContentType, SchemaType, VerplichtVeldWeg,
    ZonderSleutelGeaccepteerd, OnbekendeSleutelGeaccepteerd, KapottePaginalinks, StatusVerkeerd,
    ProbleemZonderStatus, VijfHonderdDeel, SpecDrift,
    LoketLabelsWeg, LoketLangWeg, LoketKoppenWeg, LoketFocusWeg, LoketConclusieTegenApi,
    LoketVerzoeknummerWeg, LoketLinkKapot, LoketBijlageKwijt,
    DrempelVerschoven, ConclusieVerwisseldEenActiviteit,
    LatentieOveral, LatentieEenEndpoint, FoutenOnderLast, GeenRateLimitHeaders,
)
PER_NAAM = {k.naam: k for k in MUTATIES}


def _origin(url: str) -> str:
    delen = urlsplit(url)
    return f"{delen.scheme}://{delen.netloc}"


def doel_via_proxy(doel: Doel, api_proxy: str, loket_proxy: str | None,
                   diensten: tuple[str, ...] | None = None) -> Doel:
    """A copy of ``doel`` whose APIs and loket are reached through the proxies; the name stays, so
    the target's own test data still apply. With ``diensten`` only those services (under their
    standard base paths behind the proxy)."""
    from dso_acceptatie.diensten import DIENSTEN

    loket = None
    if loket_proxy:
        loket = loket_proxy.rstrip("/") + (urlsplit(doel.loket).path if doel.loket else "/")
    if diensten is not None:
        return replace(doel, soort="extern", origin=None, loket=loket,
                       diensten={n: api_proxy + DIENSTEN[n].basispad for n in diensten})
    return replace(doel, soort="extern", origin=api_proxy, diensten={}, loket=loket)


def api_origin(doel: Doel) -> str | None:
    """The one origin the target's APIs live on, or None when they are spread over hosts."""
    urls = doel.dienst_urls()
    origins = {_origin(u) for u in urls.values()}
    if doel.origin:
        return _origin(doel.origin) if origins <= {_origin(doel.origin)} else None
    return origins.pop() if len(origins) == 1 else None


def draai(mutatie_klasse: type[Mutatie], map_: Path, *, voer_uit: Callable[[Doel], object],
          doel: Doel | None = None, diensten: tuple[str, ...] | None = None) -> tuple[object, int]:
    """Put the mutating proxy in front of the target and call ``voer_uit`` with a target that
    reaches the APIs and the loket through it. Returns its result and how many exchanges the
    mutation changed.

    Without ``doel`` (or with the reference target) a reference LV without faults is started with
    a fresh key; another target keeps its own key, origin and loket."""
    deel = mutatie_klasse.naam.replace(":", "-").strip("()").replace(" ", "-")
    map_.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stapel:
        if doel is None or doel.soort == "referentie":
            sleutel = secrets.token_urlsafe(24)
            os.environ[SLEUTEL_VARIABELE] = sleutel
            referentie = stapel.enter_context(ReferentieLV(
                api_sleutel=sleutel, log=map_ / f"{deel}-referentie-lv.log", data_map=map_ / f"{deel}-referentie-lv"))
            basis = doel or Doel(naam="referentie", soort="referentie")
            basis = replace(basis, api_sleutel_variabele=SLEUTEL_VARIABELE)
            api_upstream, loket_upstream = referentie.origin, None
            basis = replace(basis, origin=referentie.origin, loket=referentie.origin + "/")
        else:
            sleutel = doel.api_sleutel()
            basis = doel
            api_upstream = api_origin(doel)
            loket_upstream = _origin(doel.loket) if doel.loket else None
            if loket_upstream == api_upstream:
                loket_upstream = None
        mutatie = mutatie_klasse(sleutel)
        masker = Masker([s for s in (sleutel,) if s])
        # the loopback reference builds its links from Host; a remote target keeps its own Host
        # and the proxy rewrites its origin in bodies and Location
        hosts = bool(api_upstream) and is_loopback(api_upstream)
        api = stapel.enter_context(OpnameProxy(api_upstream, map_ / f"{deel}-verkeer.jsonl", masker=masker,
                                               mutator=mutatie, host_doorgeven=hosts, http=HTTP))
        loket_url = api.url
        if loket_upstream:
            loket = stapel.enter_context(OpnameProxy(
                loket_upstream, map_ / f"{deel}-loket-verkeer.jsonl", masker=masker, mutator=mutatie,
                host_doorgeven=is_loopback(loket_upstream), http=HTTP))
            loket_url = loket.url
        uitkomst = voer_uit(doel_via_proxy(basis, api.url, loket_url if basis.loket else None, diensten))
    return uitkomst, mutatie.toegepast
