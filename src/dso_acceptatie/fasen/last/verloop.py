"""The course of a load run over time: locust's ``<prefix>_stats_history.csv`` (one row per
endpoint per second with ``--csv-full-history``), the target's memory beside it, and the soak
checks of the ``duur`` profile on them.

- **latentiedrift**: per endpoint the p95 (locust's own, over its last ~10 s) in the last third
  of the run against the first third after warm-up. Drift beyond ``max_latentiedrift`` × and more
  than :data:`MIN_DRIFT_MS` ms is ``gefaald``: a service that slows down the longer it runs.
- **foutgroei**: per endpoint the error percentage in the last third against the first, from
  locust's cumulative counts; more than ``max_foutgroei`` percentage points up is ``gefaald``.
- **geheugengroei**: the resident memory (``/proc/<pid>/status`` VmRSS) of the process(es)
  listening on the target's loopback port, sampled each second; the median of the last third
  minus that of the first, above ``max_geheugengroei_mb`` MB is ``gefaald``. Only measurable for
  a target on this machine; otherwise ``overgeslagen`` with the reason.

A series too short for thirds gives ``overgeslagen`` (never ``geslaagd``): no proof either way.
"""

from __future__ import annotations

import csv
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Self
from urllib.parse import urlparse

MIN_DRIFT_MS = 25.0        # below this absolute growth a ratio is noise (3 ms -> 6 ms)
MIN_PUNTEN = 2             # per third, or no verdict
AANLOOP_DEEL = 0.2         # the first fifth of the run is warm-up (caches, JIT-less Python, spawn)


@dataclass
class Punt:
    """One second of one endpoint (or of 'Aggregated')."""
    t: int                       # seconds since the first row
    gebruikers: int
    doorvoer: float              # requests/s (locust's current rate)
    fouten_per_s: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    aantal: int                  # cumulative
    fouten: int                  # cumulative


def _getal(waarde: str | None) -> float | None:
    try:
        return float(waarde) if waarde not in (None, "", "N/A") else None
    except ValueError:
        return None


def lees_verloop(pad: Path) -> dict[str, list[Punt]]:
    """Per endpoint name (and 'Aggregated'): its points in time order. Missing file: empty."""
    uit: dict[str, list[Punt]] = {}
    if not pad.exists():
        return uit
    begin = None
    with open(pad, newline="", encoding="utf-8") as f:
        for rij in csv.DictReader(f):
            try:
                ts = int(rij["Timestamp"])
            except (KeyError, ValueError):
                continue
            begin = ts if begin is None else begin
            uit.setdefault(rij.get("Name") or "?", []).append(Punt(
                t=ts - begin, gebruikers=int(_getal(rij.get("User Count")) or 0),
                doorvoer=_getal(rij.get("Requests/s")) or 0.0,
                fouten_per_s=_getal(rij.get("Failures/s")) or 0.0,
                p50_ms=_getal(rij.get("50%")), p95_ms=_getal(rij.get("95%")),
                p99_ms=_getal(rij.get("99%")),
                aantal=int(_getal(rij.get("Total Request Count")) or 0),
                fouten=int(_getal(rij.get("Total Failure Count")) or 0)))
    return uit


def _derden(punten: list, tijd) -> tuple[list, list]:
    """First and last third of the points after warm-up (by time)."""
    if not punten:
        return [], []
    eind = tijd(punten[-1])
    start = tijd(punten[0]) + AANLOOP_DEEL * (eind - tijd(punten[0]))
    lengte = (eind - start) / 3
    return ([p for p in punten if start <= tijd(p) < start + lengte],
            [p for p in punten if tijd(p) >= eind - lengte])


@dataclass(frozen=True)
class Oordeel:
    onderwerp: str
    controle: str             # latentiedrift | foutgroei | geheugengroei
    status: str
    bericht: str
    details: dict = field(default_factory=dict)


def latentiedrift(endpoint: str, punten: list[Punt], max_factor: float) -> Oordeel:
    belast = [p for p in punten if p.p95_ms is not None and p.gebruikers > 0]
    begin, eind = _derden(belast, lambda p: p.t)
    if len(begin) < MIN_PUNTEN or len(eind) < MIN_PUNTEN:
        return Oordeel(endpoint, "latentiedrift", "overgeslagen",
                       f"te weinig metingen over de tijd ({len(belast)} seconden met een p95) voor "
                       "een vergelijking van begin en eind", {"seconden": len(belast)})
    p_begin = median(p.p95_ms for p in begin)
    p_eind = median(p.p95_ms for p in eind)
    factor = p_eind / p_begin if p_begin > 0 else float("inf")
    details = {"p95_begin_ms": round(p_begin, 1), "p95_eind_ms": round(p_eind, 1),
               "factor": round(factor, 2), "max_factor": max_factor, "min_drift_ms": MIN_DRIFT_MS,
               "seconden": len(belast)}
    tekst = (f"p95 aan het begin {p_begin:.0f} ms, aan het eind {p_eind:.0f} ms "
             f"({factor:.2f}×; grens {max_factor:g}× en meer dan {MIN_DRIFT_MS:g} ms erbij)")
    if factor > max_factor and p_eind - p_begin > MIN_DRIFT_MS:
        return Oordeel(endpoint, "latentiedrift", "gefaald",
                       f"de latentie loopt op naarmate de dienst langer belast wordt: {tekst}", details)
    return Oordeel(endpoint, "latentiedrift", "geslaagd", f"geen latentiedrift: {tekst}", details)


def foutgroei(endpoint: str, punten: list[Punt], max_punten: float) -> Oordeel:
    belast = [p for p in punten if p.gebruikers > 0]
    begin, eind = _derden(belast, lambda p: p.t)
    if len(begin) < MIN_PUNTEN or len(eind) < MIN_PUNTEN:
        return Oordeel(endpoint, "foutgroei", "overgeslagen",
                       f"te weinig metingen over de tijd ({len(belast)} seconden) voor een "
                       "vergelijking van begin en eind", {"seconden": len(belast)})

    def pct(deel: list[Punt]) -> tuple[float, int]:
        verzoeken = deel[-1].aantal - deel[0].aantal
        fouten = deel[-1].fouten - deel[0].fouten
        return (100.0 * fouten / verzoeken if verzoeken > 0 else 0.0), verzoeken

    (f_begin, n_begin), (f_eind, n_eind) = pct(begin), pct(eind)
    if n_begin == 0 or n_eind == 0:
        return Oordeel(endpoint, "foutgroei", "overgeslagen",
                       "geen verzoeken aan het begin of het eind van de run om te vergelijken",
                       {"verzoeken_begin": n_begin, "verzoeken_eind": n_eind})
    details = {"foutpercentage_begin": round(f_begin, 2), "foutpercentage_eind": round(f_eind, 2),
               "verzoeken_begin": n_begin, "verzoeken_eind": n_eind, "max_groei": max_punten}
    tekst = (f"{f_begin:.1f}% fouten aan het begin, {f_eind:.1f}% aan het eind (grens: "
             f"{max_punten:g} procentpunt erbij)")
    if f_eind - f_begin > max_punten:
        return Oordeel(endpoint, "foutgroei", "gefaald",
                       f"de fouten nemen toe naarmate de dienst langer belast wordt: {tekst}", details)
    return Oordeel(endpoint, "foutgroei", "geslaagd", f"geen foutgroei: {tekst}", details)


def geheugengroei(monsters: list[tuple[float, float]], max_mb: float, wat: str) -> Oordeel:
    """``monsters``: (seconds, MB) of the target's resident memory."""
    begin, eind = _derden(monsters, lambda m: m[0])
    if len(begin) < MIN_PUNTEN or len(eind) < MIN_PUNTEN:
        return Oordeel(wat, "geheugengroei", "overgeslagen",
                       f"te weinig geheugenmetingen ({len(monsters)}) voor een vergelijking van begin "
                       "en eind", {"monsters": len(monsters)})
    m_begin = median(m for _, m in begin)
    m_eind = median(m for _, m in eind)
    details = {"geheugen_begin_mb": round(m_begin, 1), "geheugen_eind_mb": round(m_eind, 1),
               "groei_mb": round(m_eind - m_begin, 1), "max_groei_mb": max_mb,
               "monsters": len(monsters), "max_mb": round(max(m for _, m in monsters), 1)}
    tekst = (f"geheugen (RSS) aan het begin {m_begin:.0f} MB, aan het eind {m_eind:.0f} MB "
             f"(grens: {max_mb:g} MB erbij)")
    if m_eind - m_begin > max_mb:
        return Oordeel(wat, "geheugengroei", "gefaald",
                       f"het geheugen van de dienst groeit onder aanhoudende last: {tekst}", details)
    return Oordeel(wat, "geheugengroei", "geslaagd", f"geen geheugengroei: {tekst}", details)


# --------------------------------------------------------------------------- target memory

def _luisterende_inodes(poort: int) -> set[str]:
    inodes = set()
    for bestand in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(bestand, encoding="ascii") as f:
                next(f, None)
                for regel in f:
                    velden = regel.split()
                    # local address "0100007F:1F90", state 0A = LISTEN
                    if len(velden) > 9 and velden[3] == "0A" and int(velden[1].rsplit(":", 1)[1], 16) == poort:
                        inodes.add(velden[9])
        except OSError:
            continue
    return inodes


def luisteraars(url: str) -> list[int]:
    """The pids of the processes on this machine listening on the port of ``url`` (loopback)."""
    u = urlparse(url)
    poort = u.port or (443 if u.scheme == "https" else 80)
    inodes = {f"socket:[{i}]" for i in _luisterende_inodes(poort)}
    if not inodes:
        return []
    uit = []
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    uit.append(int(pid))
                    break
        except OSError:
            continue
    return uit


def rss_mb(pids: list[int]) -> float | None:
    totaal = 0.0
    gevonden = False
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as f:
                for regel in f:
                    if regel.startswith("VmRSS:"):
                        totaal += int(regel.split()[1]) / 1024
                        gevonden = True
        except (OSError, ValueError):
            continue
    return totaal if gevonden else None


class Geheugenmeter:
    """Context manager: samples the RSS of ``pids`` every ``interval_s``; then ``monsters``."""

    def __init__(self, pids: list[int], interval_s: float = 1.0):
        self.pids = pids
        self.interval_s = interval_s
        self.monsters: list[tuple[float, float]] = []
        self._stop = threading.Event()

    def __enter__(self) -> Self:
        self._draad = threading.Thread(target=self._meet, daemon=True)
        self._draad.start()
        return self

    def _meet(self) -> None:
        t = 0.0
        while True:
            mb = rss_mb(self.pids)
            if mb is not None:
                self.monsters.append((t, mb))
            if self._stop.wait(self.interval_s):
                return
            t += self.interval_s

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._draad.join(timeout=5)
