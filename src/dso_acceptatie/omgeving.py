"""Environment pre-check: is every service of the target reachable, which versions run there.

Runs before any phase. Its records (fase ``omgeving``) decide "niet testbaar": a target whose
services cannot be reached ends the run with that reason instead of a thousand failures. Checks
run concurrently with short time-outs, so an unreachable target is known within seconds.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import yaml

from dso_acceptatie.configuratie import ConfiguratieFout
from dso_acceptatie.diensten import DIENSTEN
from dso_acceptatie.doelen import Doel
from dso_acceptatie.records import RecordWriter, Stopwatch

TIMEOUT = httpx.Timeout(5.0, connect=3.0)


def gedocumenteerde_operatie(dienst: str) -> str | None:
    """The path of the first GET operation without path parameters in the service's pinned spec
    (contracts/contracten.toml [specs.<dienst>]), or None when there is none or it is unreadable."""
    from dso_acceptatie.fasen.contracten import instellingen  # the contract phase owns the pinned specs
    try:
        pad = instellingen.lees().vastgelegde_spec(dienst)
        tekst = pad.read_text(encoding="utf-8") if pad is not None else ""
        spec = json.loads(tekst) if tekst.lstrip().startswith("{") else yaml.safe_load(tekst)
    except (ConfiguratieFout, OSError, ValueError, yaml.YAMLError):
        return None
    paden = spec.get("paths") if isinstance(spec, dict) else None
    for pad, item in (paden or {}).items():
        if isinstance(pad, str) and "{" not in pad and isinstance(item, dict) and isinstance(item.get("get"), dict):
            return pad
    return None


GEEN_ENDPOINT = (404, 405)   # "no such path / method": the endpoint is not there


def _operatie_antwoordt(status: int) -> bool:
    """Any answer of the service itself: not "no such path/method" and not a server error."""
    return status < 500 and status not in GEEN_ENDPOINT


def _controleer(naam: str, basis: str, sleutel: str | None, vastgelegd: bool = False) -> dict:
    """Health first, then app-info and openapi.json; any HTTP answer means reachable.

    ``vastgelegd``: the target is tested against pinned specs, so it need not serve its own; when
    neither health nor openapi.json answers, a documented operation of the pinned spec is tried.
    """
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
            # Only for a service without a health endpoint: one that reports itself unhealthy is.
            zonder_health = uitkomst["health_status"] in GEEN_ENDPOINT
            pad = gedocumenteerde_operatie(naam) if vastgelegd and zonder_health and not uitkomst["gezond"] else None
            if pad is not None:
                op = c.get(basis + pad)
                uitkomst["operatie"] = {"pad": pad, "status": op.status_code,
                                        "antwoordt": _operatie_antwoordt(op.status_code)}
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


def _gezondheid(u: dict, specs: str) -> tuple[str, str]:
    """(ernst, bericht) for a service that answers but has no healthy /health and no openapi.json.

    A target tested against its served spec (specs = "live") must serve it: ernstig. A target
    with specs = "vastgelegd" need not (the phase tests against the pinned copy): there a
    documented operation that answers shows the service is there, and the missing health
    endpoint only weighs informatief; the contract phase judges the operations themselves.
    """
    kop = (f"{u['dienst']} antwoordt op {u['url']}, maar heeft geen gezonde /health "
           f"(HTTP {u.get('health_status')}) en geen bruikbare openapi.json (HTTP {u.get('openapi_status')})")
    if specs != "vastgelegd":
        return "ernstig", kop + "; het doel haalt zijn specs live op (specs = \"live\"), dus de spec hoort er te staan"
    if u.get("health_status") not in GEEN_ENDPOINT:
        return "ernstig", kop + "; de health-endpoint bestaat en meldt de dienst niet gezond"
    op = u.get("operatie")
    if op is None:
        return "ernstig", (kop + "; het doel test tegen vastgelegde specs, maar er is voor deze dienst geen "
                           "vastgelegde spec met een GET-operatie zonder padparameters om de dienst mee te "
                           "bereiken")
    if not op["antwoordt"]:
        return "ernstig", (kop + f"; ook de gedocumenteerde operatie GET {op['pad']} antwoordt niet "
                                 f"(HTTP {op['status']})")
    return "informatief", (kop + f". Bij specs = \"vastgelegd\" hoeft het doel zijn spec niet te serveren en "
                                 f"volstaat dat een gedocumenteerde operatie antwoordt: GET {op['pad']} geeft "
                                 f"HTTP {op['status']}. Weegt daarom informatief; de contractfase beoordeelt de "
                                 "operaties zelf.")


def voorcontrole(doel: Doel, writer: RecordWriter) -> bool:
    """Write one record per service; return True when the target is testable."""
    sleutel = doel.api_sleutel()
    taken = [(n, u) for n, u in doel.dienst_urls().items()]
    with ThreadPoolExecutor(max_workers=max(1, len(taken) + 1)) as pool:
        futures = [pool.submit(_controleer, n, u, sleutel, doel.specs == "vastgelegd") for n, u in taken]
        if doel.loket:
            futures.append(pool.submit(_controleer_loket, doel.loket))
        uitkomsten = [f.result() for f in futures]
    testbaar = bool(uitkomsten)
    for u in uitkomsten:
        dienst = DIENSTEN.get(u["dienst"])
        component = dienst.component if dienst else "Omgevingsloket"
        if u["bereikbaar"] and not u["gezond"]:
            ernst, bericht = _gezondheid(u, doel.specs)
            writer.schrijf(component=component, onderwerp=u["dienst"], controle="gezondheid",
                           status="gefaald", ernst=ernst, duur_ms=u["duur_ms"], details=u, bericht=bericht)
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
