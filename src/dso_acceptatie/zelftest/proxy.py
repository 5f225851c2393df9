"""API mutations applied by a mutating reverse proxy in front of the target, so they do not depend
on the reference LV's own fault switches.

The proxy is the afnemers recording proxy (uvicorn + httpcore, :mod:`dso_acceptatie.afnemers.proxy`)
with a :class:`~dso_acceptatie.afnemers.proxy.Mutator` hook. The zelftest runs the contract phase
against a target whose origin is the proxy: once without mutation (the proxy itself must not make
the harness reject) and once per mutation.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson

from dso_acceptatie.afnemers.proxy import SLEUTEL_HEADER, OpnameProxy
from dso_acceptatie.doelen import Doel
from dso_acceptatie.records import Masker
from dso_acceptatie.referentie import ReferentieLV

SLEUTEL_VARIABELE = "DSO_ZELFTEST_PROXY_API_KEY"
Headers = list[tuple[str, str]]


class Mutatie:
    """No change: the control run through the proxy. Subclasses change one thing."""

    naam = "(schoon via proxy)"
    beschrijving = "Geen wijziging: de proxy geeft alles ongewijzigd door."

    def __init__(self, echte_sleutel: str):
        self.echte_sleutel = echte_sleutel
        self.toegepast = 0   # how many exchanges this mutation changed

    def verzoek(self, methode: str, pad: str, headers: Headers) -> Headers:
        return headers

    def antwoord(self, methode: str, pad: str, status: int, headers: Headers,
                 body: bytes) -> tuple[int, Headers, bytes]:
        return status, headers, body


def _content_type(headers: Headers) -> str:
    return next((v for k, v in headers if k.lower() == "content-type"), "")


class GeenApiVersion(Mutatie):
    naam = "proxy:geen-api-version"
    beschrijving = "De header API-Version wordt van elk antwoord verwijderd."

    def antwoord(self, methode, pad, status, headers, body):
        zonder = [(k, v) for k, v in headers if k.lower() != "api-version"]
        self.toegepast += len(zonder) != len(headers)
        return status, zonder, body


class FoutContentType(Mutatie):
    naam = "proxy:fout-content-type"
    beschrijving = "JSON-antwoorden (ook problem+json) krijgen Content-Type text/plain; de inhoud blijft gelijk."

    def antwoord(self, methode, pad, status, headers, body):
        if "json" not in _content_type(headers):
            return status, headers, body
        self.toegepast += 1
        return status, [(k, "text/plain; charset=utf-8" if k.lower() == "content-type" else v)
                        for k, v in headers], body


class ZonderSleutelGeaccepteerd(Mutatie):
    naam = "proxy:zonder-sleutel-geaccepteerd"
    beschrijving = ("Een verzoek zonder x-api-key of met een onbekende sleutel krijgt toch antwoord: de proxy "
                    "zet de echte sleutel erin (authenticatie staat in feite uit).")

    def verzoek(self, methode, pad, headers):
        sleutels = [v for k, v in headers if k.lower() == SLEUTEL_HEADER]
        if sleutels == [self.echte_sleutel]:
            return headers
        self.toegepast += 1
        return [(k, v) for k, v in headers if k.lower() != SLEUTEL_HEADER] + [(SLEUTEL_HEADER, self.echte_sleutel)]


class VijfHonderdDeel(Mutatie):
    naam = "proxy:503-deel"
    beschrijving = "Elke vijfde API-aanroep krijgt 503 Service Unavailable (problem+json) in plaats van het antwoord."

    def __init__(self, echte_sleutel: str):
        super().__init__(echte_sleutel)
        self._teller = itertools.count(1)

    def antwoord(self, methode, pad, status, headers, body):
        if next(self._teller) % 5:
            return status, headers, body
        self.toegepast += 1
        probleem = orjson.dumps({"status": 503, "title": "Dienst tijdelijk niet beschikbaar."})
        return 503, [("content-type", "application/problem+json"), ("api-version", "1.0.0")], probleem


MUTATIES: tuple[type[Mutatie], ...] = (GeenApiVersion, FoutContentType, ZonderSleutelGeaccepteerd, VijfHonderdDeel)
# --snel: one proxy mutation
SNEL: tuple[type[Mutatie], ...] = (ZonderSleutelGeaccepteerd,)


@dataclass
class ProxyRun:
    oordeel: str
    bevindingen: list[dict]
    redenen: list[str]
    run_map: Path
    toegepast: int


def draai(mutatie_klasse: type[Mutatie], map_: Path, *, voer_uit: Callable[[Doel], object]) -> tuple[object, int]:
    """Start a reference LV (no faults) with a fresh key, the mutating proxy in front of it, and
    call ``voer_uit`` with a target whose origin is the proxy. Returns its result and how many
    exchanges the mutation changed."""
    sleutel = secrets.token_urlsafe(24)
    os.environ[SLEUTEL_VARIABELE] = sleutel
    mutatie = mutatie_klasse(sleutel)
    deel = mutatie.naam.replace(":", "-").strip("()").replace(" ", "-")
    map_.mkdir(parents=True, exist_ok=True)
    with ReferentieLV(api_sleutel=sleutel, log=map_ / f"{deel}-referentie-lv.log",
                      data_map=map_ / f"{deel}-referentie-lv") as referentie:
        proxy = OpnameProxy(referentie.origin, map_ / f"{deel}-verkeer.jsonl",
                            masker=Masker.uit_omgeving([SLEUTEL_VARIABELE]), mutator=mutatie)
        with proxy:
            doel = Doel(naam="referentie-via-proxy", omschrijving="referentie-LV achter de muterende proxy",
                        soort="extern", origin=proxy.url, loket=proxy.url + "/",
                        api_sleutel_variabele=SLEUTEL_VARIABELE, fasen=["contracten"])
            uitkomst = voer_uit(doel)
    return uitkomst, mutatie.toegepast
