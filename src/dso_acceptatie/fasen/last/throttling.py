"""The throttling check: provoke a service's documented per-key limit on purpose and verify how
it refuses — 429 with ``Retry-After`` and ``X-Rate-Limit-Limit/Remaining/Reset``.

The burst is short and bounded (``MAX_DUUR_S`` seconds, at most ``limiet × 4 + 20`` requests,
never more than ``MAX_VERZOEKEN``), uses one cheap read operation of the service with the
target's own key, and runs only against loopback: exceeding a limit on purpose is a load on a
shared environment that nobody should get unasked. It stops at the first 429.

The verdict keeps apart what was proven:
- a 429 came: ``geslaagd`` when it carried ``Retry-After`` and the ``X-Rate-Limit-*`` headers,
  the limit it names is the documented one, no server error came instead, and a request after
  waiting ``Retry-After`` seconds was served again; otherwise ``gefaald`` naming each defect;
- no 429, though more requests were sent than the bucket plus its refill over the burst can
  hold (``limiet + limiet × duur``): ``gefaald`` (no throttling);
- no 429 and the burst stayed below that: ``geblokkeerd`` — this machine could not reach the
  limit, so nothing is proven either way.
429s are counted apart from server errors (5xx) and other refusals.
"""

from __future__ import annotations

import email.utils
import http.client
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

DRADEN = 8
MAX_DUUR_S = 3.0
MAX_VERZOEKEN = 2000
MAX_WACHT_S = 3                       # the longest Retry-After we wait out to verify it
TIME_OUT_S = 5.0
LIMIET_HEADERS = ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset")


@dataclass
class Burst:
    """What a burst got back."""
    verzonden: int = 0
    geslaagd: int = 0                 # 2xx
    te_veel: int = 0                  # 429
    serverfouten: int = 0             # 5xx
    andere: dict[int, int] = field(default_factory=dict)   # any other status
    geen_antwoord: int = 0
    duur_s: float = 0.0
    headers_ok: dict[str, str] | None = None      # of the first 2xx
    headers_429: dict[str, str] | None = None     # of the first 429
    # 2xx counted when the first 429 came (a lower bound: other connections may still have a
    # 2xx in flight)
    geslaagd_voor_429: int | None = None
    fout: str = ""

    @property
    def tempo(self) -> float:
        return self.verzonden / self.duur_s if self.duur_s > 0 else 0.0

    def details(self) -> dict:
        return {"verzonden": self.verzonden, "geslaagd_2xx": self.geslaagd,
                "aantal_429": self.te_veel, "serverfouten_5xx": self.serverfouten,
                "andere_statussen": {str(k): v for k, v in sorted(self.andere.items())},
                "geen_antwoord": self.geen_antwoord, "duur_s": round(self.duur_s, 3),
                "verzoeken_per_s": round(self.tempo, 1), "headers_2xx": self.headers_ok,
                "headers_429": self.headers_429, "geslaagd_voor_eerste_429": self.geslaagd_voor_429}


def _verbinding(url: str) -> tuple[type[http.client.HTTPConnection], str, int | None]:
    d = urlsplit(url)
    soort = http.client.HTTPSConnection if d.scheme == "https" else http.client.HTTPConnection
    return soort, d.hostname or "", d.port


def _kop(antwoord: http.client.HTTPResponse) -> dict[str, str]:
    namen = (*LIMIET_HEADERS, "retry-after")
    return {n: antwoord.getheader(n) for n in namen if antwoord.getheader(n) is not None}


def verstuur(url: str, headers: dict[str, str], max_verzoeken: int,
             max_duur_s: float = MAX_DUUR_S, draden: int = DRADEN) -> Burst:
    """Send GET ``url`` from ``draden`` keep-alive connections as fast as they go, until the
    first 429, ``max_verzoeken`` or ``max_duur_s``."""
    soort, host, poort = _verbinding(url)
    d = urlsplit(url)
    pad = d.path + (f"?{d.query}" if d.query else "")
    b = Burst()
    slot = threading.Lock()
    stop = threading.Event()
    start = time.monotonic()
    eind = start + max_duur_s

    def draad() -> None:
        verbinding = None
        try:
            while not stop.is_set() and time.monotonic() < eind:
                with slot:
                    if b.verzonden >= max_verzoeken:
                        return
                    b.verzonden += 1
                try:
                    if verbinding is None:
                        verbinding = soort(host, poort, timeout=TIME_OUT_S)
                    verbinding.request("GET", pad, headers=headers)
                    antwoord = verbinding.getresponse()
                    antwoord.read()
                except (OSError, http.client.HTTPException):
                    with slot:
                        b.geen_antwoord += 1
                    if verbinding is not None:
                        verbinding.close()
                    verbinding = None
                    continue
                tel(antwoord)
        finally:
            if verbinding is not None:
                verbinding.close()

    def tel(antwoord: http.client.HTTPResponse) -> None:
        status = antwoord.status
        with slot:
            if 200 <= status < 300:
                b.geslaagd += 1
                if b.headers_ok is None:
                    b.headers_ok = _kop(antwoord)
            elif status == 429:
                b.te_veel += 1
                if b.headers_429 is None:
                    b.headers_429 = _kop(antwoord)
                    b.geslaagd_voor_429 = b.geslaagd
                stop.set()
            elif status >= 500:
                b.serverfouten += 1
            else:
                b.andere[status] = b.andere.get(status, 0) + 1

    werkers = [threading.Thread(target=draad, daemon=True) for _ in range(draden)]
    for w in werkers:
        w.start()
    for w in werkers:
        w.join(max_duur_s + TIME_OUT_S + 1)
    b.duur_s = time.monotonic() - start
    return b


def enkel(url: str, headers: dict[str, str]) -> tuple[int | None, dict[str, str]]:
    """One GET: (status or None when there was no answer, the throttling headers)."""
    soort, host, poort = _verbinding(url)
    d = urlsplit(url)
    verbinding = soort(host, poort, timeout=TIME_OUT_S)
    try:
        verbinding.request("GET", d.path + (f"?{d.query}" if d.query else ""), headers=headers)
        antwoord = verbinding.getresponse()
        antwoord.read()
        return antwoord.status, _kop(antwoord)
    except (OSError, http.client.HTTPException):
        return None, {}
    finally:
        verbinding.close()


def _seconden(retry_after: str) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date), None when it is neither."""
    waarde = retry_after.strip()
    if waarde.isdigit():
        return float(waarde)
    try:
        moment = email.utils.parsedate_to_datetime(waarde)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


@dataclass(frozen=True)
class Oordeel:
    status: str
    bericht: str
    details: dict


def controleer(url: str, headers: dict[str, str], limiet: float) -> Oordeel:
    """Provoke ``limiet`` (requests/s per key) at ``url`` and judge the answer (module doc)."""
    grens_n = min(MAX_VERZOEKEN, int(limiet * 4) + 20)
    b = verstuur(url, headers, grens_n)
    details = {"gedocumenteerde_limiet_per_s": limiet, "max_verzoeken": grens_n,
               "max_duur_s": MAX_DUUR_S, **b.details()}
    telling = (f"{b.verzonden} verzoeken in {b.duur_s:.2f} s ({b.tempo:.0f}/s): {b.geslaagd}× 2xx, "
               f"{b.te_veel}× 429, {b.serverfouten}× 5xx"
               + (f", {b.geen_antwoord}× geen antwoord" if b.geen_antwoord else "")
               + "".join(f", {n}× HTTP {s}" for s, n in sorted(b.andere.items())))
    if b.geslaagd == 0 and b.te_veel == 0:
        return Oordeel("geblokkeerd", "de throttling-burst kreeg geen enkel bruikbaar antwoord, dus "
                       f"er is niets te toetsen ({telling})", details)
    gebreken: list[str] = []
    if b.headers_ok is not None:
        ontbreekt = [h for h in LIMIET_HEADERS if h not in b.headers_ok]
        if ontbreekt:
            gebreken.append(f"een geslaagd antwoord mist {', '.join(_naam(h) for h in ontbreekt)}")
    if b.serverfouten:
        gebreken.append(f"{b.serverfouten}× een serverfout (5xx) waar 429 hoort")
    if b.headers_429 is None:
        genoeg = b.verzonden > limiet + limiet * b.duur_s
        if not genoeg:
            return Oordeel("geblokkeerd", (
                f"de burst haalde de gedocumenteerde limiet van {limiet:g}/s niet ({telling}); meer "
                f"dan {limiet + limiet * b.duur_s:.0f} verzoeken waren nodig om een emmer van "
                f"{limiet:g} plus aanvulling te overschrijden, dus deze meting bewijst niets"), details)
        gebreken.insert(0, f"geen enkele 429, terwijl de gedocumenteerde limiet van {limiet:g}/s "
                           "ruim werd overschreden")
    else:
        h = b.headers_429
        ontbreekt = [_naam(x) for x in (*LIMIET_HEADERS, "retry-after") if x not in h]
        if ontbreekt:
            gebreken.append(f"de 429 mist {', '.join(ontbreekt)}")
        wacht = _seconden(h["retry-after"]) if "retry-after" in h else None
        if "retry-after" in h and wacht is None:
            gebreken.append(f"Retry-After '{h['retry-after']}' is geen aantal seconden of HTTP-datum")
        genoemd = h.get("x-rate-limit-limit", (b.headers_ok or {}).get("x-rate-limit-limit"))
        if genoemd is not None:
            try:
                ander = abs(float(genoemd) - limiet) > 0.5
            except ValueError:
                ander = True
            if ander:
                gebreken.append(f"X-Rate-Limit-Limit noemt {genoemd}, gedocumenteerd is {limiet:g}")
        if wacht is not None and wacht <= MAX_WACHT_S:
            time.sleep(wacht)
            status, _ = enkel(url, headers)
            details["status_na_retry_after"] = status
            if status == 429:
                gebreken.append(f"na {wacht:g} s wachten (Retry-After) kwam opnieuw 429")
        elif wacht is not None:
            details["status_na_retry_after"] = None
    if gebreken:
        return Oordeel("gefaald", "throttling klopt niet: " + "; ".join(gebreken) + f" ({telling})",
                       details)
    return Oordeel("geslaagd", (
        f"de gedocumenteerde limiet van {limiet:g}/s per sleutel wordt afgedwongen: 429 met "
        f"Retry-After {b.headers_429.get('retry-after')} en X-Rate-Limit-Limit/Remaining/Reset, "
        f"daarna weer bediend ({telling})"), details)


def _naam(header: str) -> str:
    return "-".join(d.capitalize() for d in header.split("-"))
