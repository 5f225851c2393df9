"""Environment pre-check: is every service of the target reachable, which versions run there.

Runs before any phase. Its records (fase ``omgeving``) decide "niet testbaar": a target whose
services cannot be reached ends the run with that reason instead of a thousand failures. Checks
run concurrently with short time-outs, so an unreachable target is known within seconds.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from dso_acceptatie.diensten import DIENSTEN
from dso_acceptatie.doelen import Doel
from dso_acceptatie.records import RecordWriter, Stopwatch

TIMEOUT = httpx.Timeout(5.0, connect=3.0)


def _controleer(naam: str, basis: str, sleutel: str | None) -> dict:
    """Health first, then app-info and openapi.json; any HTTP answer means reachable."""
    kop = {"x-api-key": sleutel} if sleutel else {}
    uitkomst = {"dienst": naam, "url": basis, "bereikbaar": False, "gezond": False}
    with httpx.Client(timeout=TIMEOUT, headers=kop, follow_redirects=True) as c, Stopwatch() as t:
        try:
            r = c.get(basis + "/health")
            uitkomst.update(bereikbaar=True, health_status=r.status_code,
                            gezond=r.status_code == 200)
            info = c.get(basis + "/app-info")
            if info.status_code == 200 and "json" in info.headers.get("content-type", ""):
                uitkomst["app_info"] = info.json()
            spec = c.get(basis + "/openapi.json")
            uitkomst["openapi_status"] = spec.status_code
            if spec.status_code == 200:
                try:
                    inf = spec.json().get("info", {})
                    uitkomst["api_versie"] = inf.get("version")
                    uitkomst["gezond"] = True
                except ValueError:
                    pass
            uitkomst["api_version_header"] = spec.headers.get("api-version")
        except httpx.HTTPError as e:
            uitkomst["fout"] = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
    uitkomst["duur_ms"] = t.ms
    return uitkomst


def _controleer_loket(url: str) -> dict:
    uitkomst = {"dienst": "loket", "url": url, "bereikbaar": False, "gezond": False}
    with Stopwatch() as t:
        try:
            r = httpx.get(url, timeout=TIMEOUT, follow_redirects=True)
            uitkomst.update(bereikbaar=True, gezond=r.status_code < 500, http_status=r.status_code)
        except httpx.HTTPError as e:
            uitkomst["fout"] = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
    uitkomst["duur_ms"] = t.ms
    return uitkomst


def voorcontrole(doel: Doel, writer: RecordWriter) -> bool:
    """Write one record per service; return True when the target is testable."""
    sleutel = doel.api_sleutel()
    taken = [(n, u) for n, u in doel.dienst_urls().items()]
    with ThreadPoolExecutor(max_workers=max(1, len(taken) + 1)) as pool:
        futures = [pool.submit(_controleer, n, u, sleutel) for n, u in taken]
        if doel.loket:
            futures.append(pool.submit(_controleer_loket, doel.loket))
        uitkomsten = [f.result() for f in futures]
    testbaar = bool(uitkomsten)
    for u in uitkomsten:
        dienst = DIENSTEN.get(u["dienst"])
        component = dienst.component if dienst else "Omgevingsloket"
        if u["bereikbaar"] and not u["gezond"]:
            writer.schrijf(component=component, onderwerp=u["dienst"], controle="gezondheid",
                           status="gefaald", ernst="ernstig", duur_ms=u["duur_ms"], details=u,
                           bericht=f"{u['dienst']} antwoordt op {u['url']}, maar heeft geen "
                                   "gezonde health en geen openapi.json")
        elif u["bereikbaar"]:
            versie = u.get("api_versie") or (u.get("app_info") or {}).get("version") or "onbekend"
            # reachable is bookkeeping, not proof that the target does anything right
            writer.schrijf(component=component, onderwerp=u["dienst"], controle="bereikbaarheid",
                           status="geslaagd", soort="administratie", duur_ms=u["duur_ms"], details=u,
                           bericht=f"{u['dienst']} bereikbaar op {u['url']} (versie {versie})")
        else:
            testbaar = False
            writer.schrijf(component=component, onderwerp=u["dienst"], controle="bereikbaarheid",
                           status="gefaald", ernst="blokkerend", duur_ms=u["duur_ms"], details=u,
                           bericht=f"{u['dienst']} niet bereikbaar op {u['url']}: "
                                   f"{u.get('fout', 'geen antwoord')}")
    if not uitkomsten:
        writer.schrijf(component="doel", onderwerp=doel.naam, controle="bereikbaarheid",
                       status="gefaald", ernst="blokkerend",
                       bericht="het doel noemt geen enkele dienst of loket om te testen")
    return testbaar
