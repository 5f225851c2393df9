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

``Cijfers.te_druk`` decides from the control latency, its failures, the steal, and CPU contention
from outside: the share of the run in which some task waited for a CPU (``cpu_druk``, Linux PSI
``/proc/pressure/cpu``) together with the share of all CPU time that went to processes other than
the harness and the target (``vreemde_cpu``: the machine's busy time from ``/proc/stat`` minus the
CPU time of this phase process with its reaped children such as locust, of its parent (the harness,
and in a zelftest its proxy) and of the target's own processes when it runs here). Both are needed:
a loopback run keeps the CPU busy with our own locust and the reference LV by design, and a target
that burns CPU itself makes tasks wait too, which is the target's problem, not the machine's.

Measured on 30-11-2026 (2 shared cores; ``benchmarks/kalibratie.py``): the control request alone
does NOT see CPU contention well. A mostly idle thread that wakes for a no-op request gets the CPU
quickly (the scheduler favours sleepers), so its p95 stayed at 1.5 ms while the CPU pressure was 90%
and the load 9.6. With profile ``rook`` on the reference: quiet, 2% pressure and 0-1% from
outside; two CPU burners beside it, 10-12% pressure (our mostly sleeping tasks still get a CPU at
once: the p95s stayed those of a quiet machine) and 91-93% from outside; eight burners, 98% and
92%. Other sessions on the machine earlier that day: 80-90% pressure, and p95s of 64-190 ms. The
thresholds below lie between those (all figures in ``load/README.md``).
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
# Contention from outside: tasks waited for a CPU at least this share of the run (PSI) ...
CPU_DRUK_GRENS = 0.25
# ... and at least this share of all CPU time went to processes that are neither the harness nor
# the target. Without PSI (an old kernel) the outside share alone decides, with the CPU nearly full.
VREEMDE_CPU_GRENS = 0.25
BEZET_ZONDER_PSI = 0.9


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


def _proces_cpu(pid: int) -> int | None:
    """CPU time of ``pid`` in clock ticks, including its children it has waited for (utime, stime,
    cutime, cstime of /proc/PID/stat); None when the process is gone or unreadable."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            velden = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    try:
        return sum(int(v) for v in velden[11:15])
    except ValueError:
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
    # share of the run in which some task waited for a CPU (PSI)
    cpu_druk: float | None = None
    # share of all CPU time that went to processes other than the harness and the target
    vreemde_cpu: float | None = None

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
        if self.vreemde_cpu is not None and self.vreemde_cpu >= VREEMDE_CPU_GRENS:
            if self.cpu_druk is not None and self.cpu_druk >= CPU_DRUK_GRENS:
                uit.append(f"taken wachtten {self.cpu_druk:.0%} van de tijd op een CPU en "
                           f"{self.vreemde_cpu:.0%} van de CPU-tijd ging naar processen buiten de "
                           f"harness en het doel (gezond: minder dan {CPU_DRUK_GRENS:.0%} wachten of "
                           f"minder dan {VREEMDE_CPU_GRENS:.0%} van buiten)")
            elif self.cpu_druk is None and self.cpu_bezet is not None and self.cpu_bezet >= BEZET_ZONDER_PSI:
                uit.append(f"de CPU was {self.cpu_bezet:.0%} bezet en {self.vreemde_cpu:.0%} daarvan "
                           "ging naar processen buiten de harness en het doel")
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
        if self.vreemde_cpu is not None:
            delen.append(f"{self.vreemde_cpu:.0%} van de CPU-tijd buiten harness en doel")
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
                "cpu_druk": r(self.cpu_druk), "cpu_druk_grens": CPU_DRUK_GRENS,
                "vreemde_cpu": r(self.vreemde_cpu), "vreemde_cpu_grens": VREEMDE_CPU_GRENS,
                "te_druk": self.te_druk, "redenen": self.redenen}


class Kalibratie:
    """Context manager: measures the machine from ``__enter__`` to ``__exit__``; then ``cijfers``.

    ``eigen_pids``: the target's processes on this machine (their CPU time is not "from outside");
    this process and its parent always count as the harness."""

    def __init__(self, interval_s: float = INTERVAL_S, eigen_pids: list[int] | tuple[int, ...] = ()):
        self.interval_s = interval_s
        self.eigen_pids = sorted({os.getpid(), os.getppid(), *eigen_pids})
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
        self._eigen_begin = {pid: _proces_cpu(pid) for pid in self.eigen_pids}
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
        eigen = self._eigen_cpu()
        bezet = steal = vreemd = None
        if self._cpu_begin and eind and eind[0] > self._cpu_begin[0]:
            totaal = eind[0] - self._cpu_begin[0]
            bezig = totaal - (eind[1] - self._cpu_begin[1])
            bezet = bezig / totaal
            steal = (eind[2] - self._cpu_begin[2]) / totaal
            vreemd = max(0.0, min(1.0, (bezig - eigen) / totaal))
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
            cpu_druk=druk, vreemde_cpu=vreemd)

    def _eigen_cpu(self) -> int:
        """Clock ticks the harness and the target used since ``__enter__`` (a process that ended in
        between counts with what it had at the start: its time is lost, so it looks "from outside",
        which errs towards a busy machine, never towards blaming the target)."""
        totaal = 0
        for pid, begin in self._eigen_begin.items():
            eind = _proces_cpu(pid)
            if begin is not None and eind is not None and eind >= begin:
                totaal += eind - begin
        return totaal
