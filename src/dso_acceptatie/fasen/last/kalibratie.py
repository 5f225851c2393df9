"""Calibration of the measuring machine during a load run.

A latency miss means something only when the machine that measured it was healthy. Instead of a
fixed tolerance ("a miss below 2× on a busy machine is unstable"), the phase measures the machine
itself while locust runs:

- a control loop: every ``INTERVAL_S`` one HTTP request from this process to a no-op endpoint
  served by this process on loopback (``127.0.0.1``, a port of its own). That request does no
  work, so its latency is pure machine overhead: scheduling, loopback, Python. On a healthy
  machine — also one running our own locust and the reference LV — it stays in the low
  milliseconds; when the machine is overloaded, it goes up with everything else;
- CPU time from ``/proc/stat`` over the run (busy and steal fraction, the latter being time a
  virtual machine's hypervisor gave to others), and ``/proc/loadavg``.

``Cijfers.te_druk`` decides from the control latency, its failures and the steal. CPU busy and
load are recorded but decide nothing: a loopback run keeps the CPU busy with our own locust and
the reference LV by design.

Measured on 30-11-2026 (2 shared cores): the control request does NOT see CPU contention well.
A mostly idle thread that wakes for a no-op request gets the CPU quickly (the scheduler favours
sleepers), so its p95 stayed at 1.5 ms while the machine's CPU pressure (PSI, below) was 90% and
the load 9.6 (0.8 -> 5.3 ms with CPU burners in session 2). The CPU pressure from
``/proc/pressure/cpu`` (share of the run in which some task waited for a CPU) is therefore
recorded as ``cpu_druk``; it does not decide yet, because its threshold has not been measured on
a quiet machine (this one never was during the measurement).
The phase turns a latency or throughput
miss on a machine that was ``te druk`` into ``geblokkeerd`` ("meetomgeving te druk", with the
figures), and keeps a miss on a healthy machine ``gefaald``. A latency miss far beyond what the
machine showed (more than ``VERKLAARBAAR_FACTOR`` × the control p95 above the limit, see
``fase.verklaarbare_vertraging_ms``) stays ``gefaald`` on a busy machine too: a 3 s answer against
a 1 s limit is the service's when an empty request took 130 ms.
"""

from __future__ import annotations

import http.client
import os
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from statistics import median
from typing import Self

INTERVAL_S = 0.1
TIME_OUT_S = 2.0
# A no-op request on loopback above this p95 (ms): the machine itself is slow.
CONTROLE_P95_GRENS_MS = 50.0
# More than this share of CPU time stolen by the hypervisor: the machine is starved.
STEAL_GRENS = 0.10


class _NoOp(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - name required by BaseHTTPRequestHandler
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args) -> None:
        pass


def _cpu_tijden() -> tuple[int, int, int] | None:
    """(total, idle incl. iowait, steal) jiffies from the first line of /proc/stat."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            velden = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = velden[3] + (velden[4] if len(velden) > 4 else 0)
    steal = velden[7] if len(velden) > 7 else 0
    # guest time is already included in user time
    return sum(velden[:8]), idle, steal


def _cpu_druk() -> int | None:
    """Cumulative microseconds in which at least one task waited for a CPU (Linux PSI,
    /proc/pressure/cpu 'some total'); None without PSI."""
    try:
        with open("/proc/pressure/cpu", encoding="ascii") as f:
            return int(f.readline().rsplit("total=", 1)[1])
    except (OSError, ValueError, IndexError):
        return None


def _loadavg() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def _percentiel(waarden: list[float], p: float) -> float:
    s = sorted(waarden)
    return s[min(len(s) - 1, max(0, round(p * len(s)) - 1))]


@dataclass(frozen=True)
class Cijfers:
    """What the calibration measured (times in ms, fractions 0..1)."""
    controle_aantal: int
    controle_mislukt: int
    controle_mediaan_ms: float | None
    controle_p95_ms: float | None
    controle_max_ms: float | None
    cpu_bezet: float | None
    cpu_steal: float | None
    load_begin: float | None
    load_eind: float | None
    cores: int
    # share of the run in which some task waited for a CPU (PSI); recorded, decides nothing yet:
    # see the module docstring
    cpu_druk: float | None = None

    @property
    def redenen(self) -> list[str]:
        """Why the machine counts as too busy (empty: healthy)."""
        uit = []
        if self.controle_aantal == 0:
            uit.append("de controlemeting kreeg geen enkel antwoord")
        elif self.controle_mislukt:
            uit.append(f"{self.controle_mislukt} van {self.controle_aantal} controleverzoeken "
                       f"kregen binnen {TIME_OUT_S:g} s geen antwoord")
        if self.controle_p95_ms is not None and self.controle_p95_ms > CONTROLE_P95_GRENS_MS:
            uit.append(f"een leeg verzoek op loopback duurde p95 {self.controle_p95_ms:.1f} ms "
                       f"(gezond: hoogstens {CONTROLE_P95_GRENS_MS:g} ms)")
        if self.cpu_steal is not None and self.cpu_steal > STEAL_GRENS:
            uit.append(f"{self.cpu_steal:.0%} van de CPU-tijd ging naar andere virtuele machines "
                       f"(steal; gezond: hoogstens {STEAL_GRENS:.0%})")
        return uit

    @property
    def te_druk(self) -> bool:
        return bool(self.redenen)

    def samenvatting(self) -> str:
        delen = [f"controleverzoek op loopback: {self.controle_aantal}× gemeten"]
        if self.controle_p95_ms is not None:
            delen[0] += (f", mediaan {self.controle_mediaan_ms:.1f} ms, p95 "
                         f"{self.controle_p95_ms:.1f} ms")
        if self.cpu_bezet is not None:
            delen.append(f"CPU {self.cpu_bezet:.0%} bezet, steal {self.cpu_steal:.0%}")
        if self.load_eind is not None:
            delen.append(f"load {self.load_eind:.1f} op {self.cores} cores")
        if self.cpu_druk is not None:
            delen.append(f"CPU-druk {self.cpu_druk:.0%} (taken wachtend op een CPU)")
        return "; ".join(delen)

    def details(self) -> dict:
        def r(x):
            return None if x is None else round(x, 3)
        return {"controle_aantal": self.controle_aantal, "controle_mislukt": self.controle_mislukt,
                "controle_mediaan_ms": r(self.controle_mediaan_ms),
                "controle_p95_ms": r(self.controle_p95_ms), "controle_max_ms": r(self.controle_max_ms),
                "controle_p95_grens_ms": CONTROLE_P95_GRENS_MS, "cpu_bezet": r(self.cpu_bezet),
                "cpu_steal": r(self.cpu_steal), "steal_grens": STEAL_GRENS,
                "load_begin": r(self.load_begin), "load_eind": r(self.load_eind), "cores": self.cores,
                "cpu_druk": r(self.cpu_druk),
                "te_druk": self.te_druk, "redenen": self.redenen}


class Kalibratie:
    """Context manager: measures the machine from ``__enter__`` to ``__exit__``; then ``cijfers``."""

    def __init__(self, interval_s: float = INTERVAL_S):
        self.interval_s = interval_s
        self.tijden_ms: list[float] = []
        self.mislukt = 0
        self.cijfers: Cijfers | None = None
        self._stop = threading.Event()

    def __enter__(self) -> Self:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _NoOp)
        self._server.daemon_threads = True
        self._server_draad = threading.Thread(target=self._server.serve_forever,
                                              kwargs={"poll_interval": 0.2}, daemon=True)
        self._server_draad.start()
        self._cpu_begin = _cpu_tijden()
        self._load_begin = _loadavg()
        self._druk_begin = (_cpu_druk(), time.monotonic())
        self._lus = threading.Thread(target=self._meet, daemon=True)
        self._lus.start()
        return self

    def _meet(self) -> None:
        poort = self._server.server_address[1]
        verbinding: http.client.HTTPConnection | None = None
        while not self._stop.wait(self.interval_s):
            try:
                if verbinding is None:
                    verbinding = http.client.HTTPConnection("127.0.0.1", poort, timeout=TIME_OUT_S)
                start = time.perf_counter()
                verbinding.request("GET", "/")
                antwoord = verbinding.getresponse()
                antwoord.read()
                self.tijden_ms.append((time.perf_counter() - start) * 1000)
            except (OSError, http.client.HTTPException):
                self.mislukt += 1
                if verbinding is not None:
                    verbinding.close()
                verbinding = None
        if verbinding is not None:
            verbinding.close()

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._lus.join(timeout=TIME_OUT_S + 1)
        self._server.shutdown()
        self._server.server_close()
        eind = _cpu_tijden()
        bezet = steal = None
        if self._cpu_begin and eind and eind[0] > self._cpu_begin[0]:
            totaal = eind[0] - self._cpu_begin[0]
            bezet = 1 - (eind[1] - self._cpu_begin[1]) / totaal
            steal = (eind[2] - self._cpu_begin[2]) / totaal
        t = self.tijden_ms
        druk_eind, druk_wand = _cpu_druk(), time.monotonic() - self._druk_begin[1]
        druk = (min(1.0, (druk_eind - self._druk_begin[0]) / 1e6 / druk_wand)
                if druk_eind is not None and self._druk_begin[0] is not None and druk_wand > 0 else None)
        self.cijfers = Cijfers(
            controle_aantal=len(t) + self.mislukt, controle_mislukt=self.mislukt,
            controle_mediaan_ms=median(t) if t else None,
            controle_p95_ms=_percentiel(t, 0.95) if t else None,
            controle_max_ms=max(t) if t else None, cpu_bezet=bezet, cpu_steal=steal,
            load_begin=self._load_begin, load_eind=_loadavg(), cores=os.cpu_count() or 1,
            cpu_druk=druk)
