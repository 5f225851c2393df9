"""Deliveries as a chain through the target: deliver an opdracht zip to the target's intake, follow
its status, and check what Presenteren serves afterwards.

The cases are derived from the Gemeentestad example deliveries (``contracts/leveringen/voorbeelden``)
with a run-unique regeling work id, so a run never changes the plan other phases (and other runs)
consult: the vaststelling, a wijziging (a new regelingversie with a later juridischWerkendVanaf),
the OW-only directeMutatie (opdracht_10) and the intrekking as published (both have a defect a
real intake refuses) and repaired, and invalid
copies that must be refused with their code and change nothing in Presenteren.

Only the intake protocol of the reference LV (``src/referentie_lv/specs/aanleveren.yaml``) is
spoken: POST a zip, 202 with ``Location``, poll until ``geaccepteerd`` or ``afgewezen``.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import quote

import httpx

from dso_acceptatie.leveringen.paden import project

VOORBEELDEN = project() / "contracts" / "leveringen" / "voorbeelden" / "gemeentestad"
WORK = "/akn/nl/act/gm0297/2019/reg456"
BESLUIT = "/akn/nl/bill/gm0297/2019/3520"
BESLUIT_INTREKKING = "/akn/nl/bill/gm0297/2021/intrekking"
EINDSTATUS = ("geaccepteerd", "afgewezen")
WEIGERING = (400, 413, 415, 422)          # refused at once, no status resource
CODE = re.compile(r"\b(?:LVBB|OZON|TPOD|STOP)\d{4}\b")
# The published intrekking leaves one Omgevingswaarderegel active that refers to ended objects
# (TPOD1900); the repaired copy ends it too.
_OWR = "<r:Omgevingswaarderegel>\n               <r:identificatie>nl.imow-gm0297.juridischeregel.2019000015"
_RT = '<r:Regeltekst wId="gm0297_1__chp_2__subchp_2.3__art_2.10">\n               <r:identificatie>'
# status is an OW attribute on the rule (ow:) and an OP attribute on the Regeltekst (op:), as the file has it
HERSTEL_INTREKKING = [
    ("owRegeltekst-Gemeentestad.xml", x, x.replace(
        "<r:identificatie>", f"<{ns}:status>beëindigen</{ns}:status>\n               <r:identificatie>"))
    for x, ns in ((_OWR, "ow"), (_RT, "op"))]
# The dates at which "nothing changed" is compared (before, during and after the test versions).
PEILDATA = ("2020-01-14", "2024-06-01", "2026-01-01")


class KetenFout(Exception):
    """The target did not follow the protocol (no 202, no status, timeout): blocked, not failed."""


@dataclass
class Geval:
    naam: str
    bron: str                                   # folder under VOORBEELDEN, or "" for a raw body
    vervang: list[tuple[str | None, str, str]]  # (file or None for every file, search, replace)
    verwacht: str                               # "geaccepteerd" | "afgewezen"
    codes: list[str] = field(default_factory=list)
    zichtbaar: list[tuple[str, str | None]] = field(default_factory=list)  # (geldigOp, expression|None)
    ruw: Callable[[], bytes] | None = None      # a hand-made body (hostile zips)
    toelichting: str = ""


def zip_van(map_: Path, vervang: list[tuple[str | None, str, str]]) -> bytes:
    """The folder as an opdracht zip (flat), with the replacements applied (all occurrences)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for pad in sorted(p for p in map_.iterdir() if p.is_file()):
            data = pad.read_bytes()
            for bestand, zoek, door in vervang:
                if bestand in (None, pad.name):
                    data = data.replace(zoek.encode(), door.encode())
            z.writestr(pad.name, data)
    return buf.getvalue()


def _zip_slip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for pad in sorted((VOORBEELDEN / "opdracht_10").iterdir()):
            z.writestr(pad.name, pad.read_bytes())
        z.writestr("../../buiten-de-map.xml", b"<x/>")
    return buf.getvalue()


def gevallen(sleutel: str) -> tuple[str, list[Geval]]:
    """The test regeling's work id for this run and the cases, in delivery order."""
    h = hashlib.sha256(sleutel.encode()).hexdigest()[:10]
    werk = f"/akn/nl/act/gm0297/2019/acc{h}"
    ander = f"/akn/nl/act/gm0297/2019/acc{h}x"
    v1, v2 = f"{werk}/nld@1", f"{werk}/nld@2"
    basis = [(None, WORK, werk)]
    datum = "<datum>2020-01-14</datum>"
    intrekking = [*basis, (None, "<datum>2021-11-14</datum>", "<datum>2025-01-01</datum>")]
    return werk, [
        Geval("vaststelling (kopie van de Gemeentestad-opdracht)", "opdracht",
              [*basis, (None, BESLUIT, f"{BESLUIT}acc{h}a")], "geaccepteerd",
              zichtbaar=[("2020-01-13", None), ("2020-01-14", v1)]),
        Geval("wijziging: nieuwe regelingversie per 2024-01-01", "opdracht",
              [*basis, (None, BESLUIT, f"{BESLUIT}acc{h}b"), (None, v1, v2),
               (None, datum, "<datum>2024-01-01</datum>")], "geaccepteerd",
              zichtbaar=[("2023-12-31", v1), ("2024-01-01", v2)]),
        Geval("OW-wijziging opdracht_10 zoals gepubliceerd", "opdracht_10", basis, "afgewezen",
              ["OZON0045", "OZON0121"],
              toelichting="het voorbeeld verwijst naar gebiedengroepen kantoorruimte en centrumgebied2, "
                          "die nergens geleverd zijn"),
        Geval("OW-wijziging opdracht_10 met bestaande locaties", "opdracht_10",
              [*basis, ("owRegeltekst-Gemeentestad.xml", "gebiedengroep.centrumgebied2",
                        "gebiedengroep.centrumgebied"),
               ("owRegeltekst-Gemeentestad.xml", "gebiedengroep.kantoorruimte", "gebiedengroep.centrumgebied")],
              "geaccepteerd", zichtbaar=[("2024-01-01", v2)],
              toelichting="alleen OW: de regelingversie blijft dezelfde"),
        Geval("intrekking zoals gepubliceerd", "opdracht_intrekking",
              [*intrekking, (None, BESLUIT_INTREKKING, f"{BESLUIT_INTREKKING}acc{h}p")], "afgewezen",
              ["TPOD1900"], toelichting="Omgevingswaarderegel 2019000015 en Regeltekst 2019000008 blijven "
                                        "actief en verwijzen naar objecten die de intrekking beëindigt"),
        Geval("intrekking per 2025-01-01 (hersteld)", "opdracht_intrekking",
              [*intrekking, (None, BESLUIT_INTREKKING, f"{BESLUIT_INTREKKING}acc{h}"), *HERSTEL_INTREKKING],
              "geaccepteerd", zichtbaar=[("2024-12-31", v2), ("2025-01-01", None)]),
        Geval("ongeldig: juridische regel verwijst naar een activiteit die niet bestaat", "opdracht",
              [(None, WORK, ander), (None, BESLUIT, f"{BESLUIT}acc{h}c"),
               ("owRegeltekst-Gemeentestad.xml", 'xlink:href="nl.imow-gm0297.activiteit.2019000241"',
                'xlink:href="nl.imow-gm0297.activiteit.2019999999"')], "afgewezen", ["OZON0038"]),
        Geval("ongeldig: bestand uit het manifest ontbreekt", "opdracht",
              [(None, WORK, ander), (None, BESLUIT, f"{BESLUIT}acc{h}d"),
               ("manifest.xml", "<bestandsnaam>GIO001-Bedrijf_categorie_2.xml</bestandsnaam>",
                "<bestandsnaam>GIO001-ontbreekt.xml</bestandsnaam>")], "afgewezen", ["LVBB1009"]),
        Geval("ongeldig: intrekking van een regeling die niet bestaat", "opdracht_intrekking",
              [(None, WORK, f"{ander}onbekend"), (None, BESLUIT_INTREKKING, f"{BESLUIT_INTREKKING}acc{h}x")],
              "afgewezen", ["LVBB7008"]),
        Geval("vijandig: zip-slip (../ in een bestandsnaam)", "", [], "afgewezen", ["LVBB1001"], ruw=_zip_slip),
        Geval("vijandig: geen zip", "", [], "afgewezen", ["LVBB1001"], ruw=lambda: b"dit is geen zip"),
    ]


class Intake:
    """Client for the intake and Presenteren of one target (key in x-api-key, paced)."""

    def __init__(self, intake: str, presenteren: str, sleutel: str | None,
                 wacht: Callable[[], None] = lambda: None, timeout_s: float = 60.0):
        self.intake = intake.rstrip("/")
        self.presenteren = presenteren.rstrip("/")
        self.wacht = wacht
        self.timeout_s = timeout_s
        kop = {"x-api-key": sleutel} if sleutel else {}
        self.http = httpx.Client(headers=kop, timeout=30.0)

    def close(self) -> None:
        self.http.close()

    def _get(self, url: str, **kw) -> httpx.Response:
        self.wacht()
        return self.http.get(url, **kw)

    def lever(self, inhoud: bytes) -> dict:
        """POST and follow the status to the end; the final status resource (+ ``_duur_s``)."""
        start = time.monotonic()
        self.wacht()
        r = self.http.post(self.intake + "/aanleveringen", content=inhoud,
                           headers={"content-type": "application/zip"})
        if r.status_code in WEIGERING:
            # refused on the spot (a real intake may do that for a body that is no zip at all):
            # a refusal, with the codes its problem body names
            return {"status": "afgewezen", "historie": [], "_http": r.status_code,
                    "verslag": {"bevindingen": [{"code": c} for c in sorted(set(CODE.findall(r.text)))]},
                    "_duur_s": time.monotonic() - start}
        if r.status_code != 202:
            raise KetenFout(f"aanleveren gaf HTTP {r.status_code} in plaats van 202: {r.text[:300]}")
        url = r.headers.get("location") or (r.json().get("_links") or {}).get("self", {}).get("href")
        if not url:
            raise KetenFout("het antwoord op het aanleveren noemt geen statusresource (Location)")
        pauze = 0.05
        while True:
            s = self._get(url)
            if s.status_code != 200:
                raise KetenFout(f"statusresource gaf HTTP {s.status_code}: {s.text[:300]}")
            item = s.json()
            if item.get("status") in EINDSTATUS:
                item["_duur_s"] = time.monotonic() - start
                return item
            if time.monotonic() - start > self.timeout_s:
                raise KetenFout(f"na {self.timeout_s:.0f} s nog status {item.get('status')!r}")
            time.sleep(pauze)
            pauze = min(pauze * 1.5, 1.0)

    def regeling(self, werk: str, geldig_op: str) -> tuple[int, str | None]:
        """(HTTP status, expressieIdentificatie) of the regeling on that date."""
        r = self._get(f"{self.presenteren}/regelingen/{quote(werk, safe='')}", params={"geldigOp": geldig_op})
        if r.status_code == 200:
            return 200, r.json().get("expressieIdentificatie")
        return r.status_code, None

    def stand(self, werk: str | None = None) -> dict:
        """What Presenteren serves at the PEILDATA (every regeling, all pages), as comparable data."""
        uit: dict = {}
        for dag in (*PEILDATA, date.today().isoformat()):
            rijen, pagina = [], 1
            while pagina <= 50:
                r = self._get(f"{self.presenteren}/regelingen",
                              params={"geldigOp": dag, "page": pagina, "size": 100})
                if r.status_code != 200:
                    raise KetenFout(f"Presenteren /regelingen gaf HTTP {r.status_code}")
                lijst = (r.json().get("_embedded") or {}).get("regelingen") or []
                rijen += [(x.get("identificatie"), x.get("expressieIdentificatie"), x.get("geldigVanaf"),
                           x.get("geldigTot")) for x in lijst]
                if len(lijst) < 100:
                    break
                pagina += 1
            uit[dag] = sorted(rijen, key=str)
        if werk:
            uit["werk"] = [self.regeling(werk, d) for d in PEILDATA]
        return uit
