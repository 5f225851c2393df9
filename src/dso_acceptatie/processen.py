"""Stopping child processes and everything they started.

Every phase, locust and the reference LV run in their own process group, so one signal reaches
what they started in that group (browsers, workers). That is not enough on its own: a phase may
start a tool in a new session of its own (the load phase does so with locust), and a grandchild
whose parent died is re-parented to PID 1 and no longer visible as a descendant. So a stop
reaches three sets, recomputed until all are empty:

- the process group of the child;
- every live descendant of the child (by parent pid) and the process groups they lead;
- every process whose environment carries the child's mark (``MERK_VARIABELE``), which a child
  hands to everything it starts, orphans included.

A process counts as gone when it is dead or a zombie: in a container PID 1 may never reap an
orphan, so ``killpg(pgid, 0)`` alone would keep seeing it. On Linux the facts come from ``/proc``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self

# Seconds between SIGTERM and SIGKILL; DSO_STOPTIJD_S overrides it (a phase that needs longer to
# flush, or a test that wants the SIGKILL path quickly).
STANDAARD_STOPTIJD_S = 10.0
MERK_VARIABELE = "DSO_ACCEPTATIE_PROCESMERK"
_PROC = Path("/proc")


OUDER_VARIABELE = "DSO_ACCEPTATIE_OUDER_PID"


def stop_met_ouder() -> None:
    """In a child process: ask the kernel for SIGTERM when the process that started us dies.

    Covers the one path no handler can: the orchestrator killed with SIGKILL (an OOM kill, a CI
    runner cancelling hard). The parent announces its pid in ``OUDER_VARIABELE``; the variable is
    removed here so our own children do not inherit a parent that is not theirs. If the parent
    is already gone when we get here, we stop at once. Linux only; elsewhere a no-op.
    """
    ouder = os.environ.pop(OUDER_VARIABELE, None)
    if not ouder or not ouder.isdigit() or not _zet_ouderdoodsignaal(signal.SIGTERM):
        return
    if os.getppid() != int(ouder):       # died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _zet_ouderdoodsignaal(signum: int) -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(1, int(signum), 0, 0, 0) == 0   # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return False


def stoptijd_s() -> float:
    try:
        return max(0.0, float(os.environ.get("DSO_STOPTIJD_S", STANDAARD_STOPTIJD_S)))
    except ValueError:
        return STANDAARD_STOPTIJD_S


def nieuw_merk() -> str:
    """A mark for one child and everything it starts: put it in the child's environment."""
    return secrets.token_hex(8)


@dataclass(frozen=True)
class _Proces:
    pid: int
    ppid: int
    pgid: int


def _levende_processen() -> list[_Proces]:
    uit = []
    for item in _PROC.iterdir():
        if not item.name.isdigit():
            continue
        try:
            stat = (item / "stat").read_text()
        except OSError:
            continue  # gone while we looked
        # "pid (comm) state ppid pgrp ...": comm may contain spaces and parentheses
        velden = stat[stat.rfind(")") + 2:].split()
        if len(velden) >= 3 and velden[0] not in ("Z", "X"):
            uit.append(_Proces(int(item.name), int(velden[1]), int(velden[2])))
    return uit


def _heeft_merk(pid: int, merk: str) -> bool:
    try:
        omgeving = (_PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return False
    return f"{MERK_VARIABELE}={merk}".encode() in omgeving.split(b"\0")


def leden_van_groep(pgid: int) -> list[int]:
    """Pids of the live (not zombie) processes in process group ``pgid``."""
    if not _PROC.is_dir():  # not Linux: the kernel's own answer, zombies included
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return []
        return [pgid]
    return [p.pid for p in _levende_processen() if p.pgid == pgid]


def _doelwitten(wortel: int, merk: str | None,
                proces: subprocess.Popen | None = None) -> tuple[set[int], set[int]]:
    """(process groups, single pids) that still belong to the tree of ``wortel``."""
    # Only while our child is unreaped is its pid certainly still its own (and not reused), so
    # only then are processes with that parent pid its descendants.
    wortel_leeft = proces is None or proces.poll() is None
    if not _PROC.is_dir():
        return ({wortel} if leden_van_groep(wortel) else set()), set()
    processen = _levende_processen()
    eigen = os.getpid()
    kinderen: dict[int, list[_Proces]] = {}
    for p in processen:
        kinderen.setdefault(p.ppid, []).append(p)
    pids: set[int] = set()
    groepen: set[int] = set()
    if any(p.pgid == wortel for p in processen):
        groepen.add(wortel)
    stapel = [wortel] if wortel_leeft else []
    while stapel:  # descendants by parent pid
        for kind in kinderen.get(stapel.pop(), []):
            if kind.pid not in pids:
                pids.add(kind.pid)
                stapel.append(kind.pid)
    if merk:
        pids |= {p.pid for p in processen if p.pid not in pids and _heeft_merk(p.pid, merk)}
    pids.discard(eigen)
    pgid_van = {p.pid: p.pgid for p in processen}
    eigen_groep = os.getpgid(0)
    for pid in pids:  # a descendant that leads its own group (locust in its own session)
        if pgid_van.get(pid) == pid and pid != eigen_groep:
            groepen.add(pid)
    return groepen, pids


def _signaleer(groepen: set[int], pids: set[int], signum: int) -> None:
    for pgid in groepen:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signum)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signum)


def stop_procesgroep(proces: subprocess.Popen | None, wacht_s: float | None = None,
                     merk: str | None = None) -> None:
    """Stop ``proces`` (started with ``start_new_session=True``) and everything it started.

    SIGTERM to its group, its descendants (and the groups they lead) and every process with
    ``merk`` in its environment; SIGKILL to whatever is left after ``wacht_s`` seconds; return
    only when nothing of it lives. Also when the child itself has already exited: what it left
    behind is stopped too. Idempotent; a no-op for ``None``.
    """
    if proces is None:
        return
    wortel = proces.pid  # start_new_session: the child leads its own group
    einde = time.monotonic() + (stoptijd_s() if wacht_s is None else wacht_s)
    signum = signal.SIGTERM
    al_getermineerd: set[tuple[str, int]] = set()
    while True:
        groepen, pids = _doelwitten(wortel, merk, proces)  # also reaps our own child
        if not groepen and not pids:
            break
        if time.monotonic() >= einde:
            if signum == signal.SIGKILL:
                break  # only a process stuck in the kernel survives SIGKILL this long
            signum, einde = signal.SIGKILL, time.monotonic() + 30
        if signum == signal.SIGTERM:
            # one SIGTERM each: a second one could cut short a process's own clean-up
            groepen = {g for g in groepen if ("g", g) not in al_getermineerd}
            pids = {p for p in pids if ("p", p) not in al_getermineerd}
            al_getermineerd |= {("g", g) for g in groepen} | {("p", p) for p in pids}
        _signaleer(groepen, pids, signum)
        time.sleep(0.05)
    with contextlib.suppress(subprocess.TimeoutExpired):  # only if the kernel is stuck
        proces.wait(timeout=30)


class Onderbreker:
    """SIGINT (Ctrl-C) and SIGTERM both become one ``KeyboardInterrupt`` in the main thread.

    Only the first signal interrupts; later ones are noted and ignored, so the clean-up that
    follows (stopping children, writing the run-end record and the summary) is never cut short.
    A signal that arrives inside :meth:`uitgesteld` (between starting a child and keeping its
    handle) is raised when that block ends; after :meth:`afronden` no signal interrupts at all.
    Outside the main thread nothing is installed (Python only delivers signals there).
    """

    def __init__(self) -> None:
        self.signaal: int | None = None
        self._gegooid = False
        self._afronden = False
        self._uitstel = 0
        self._oud: dict[int, object] = {}
        self._vorige: Onderbreker | None = None

    def __enter__(self) -> Self:
        global _ACTIEF
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._oud[signum] = signal.signal(signum, self._bij_signaal)
        self._vorige, _ACTIEF = _ACTIEF, self
        return self

    def __exit__(self, *exc: object) -> None:
        global _ACTIEF
        for signum, handler in self._oud.items():
            signal.signal(signum, handler)
        _ACTIEF = self._vorige

    def _bij_signaal(self, signum: int, frame: object) -> None:
        if self.signaal is None:
            self.signaal = signum
        if self._gegooid or self._afronden or self._uitstel:
            return
        self._gegooid = True
        raise KeyboardInterrupt

    def afronden(self) -> None:
        """From now on signals are only noted: the run is closing."""
        self._afronden = True

    @contextlib.contextmanager
    def uitgesteld(self) -> Iterator[None]:
        self._uitstel += 1
        try:
            yield
        finally:
            self._uitstel -= 1
        if not self._uitstel and self.signaal is not None and not (self._gegooid or self._afronden):
            self._gegooid = True
            raise KeyboardInterrupt


_ACTIEF: Onderbreker | None = None


def ontvangen_signaal() -> int | None:
    """The signal (SIGINT/SIGTERM) the active :class:`Onderbreker` received, if any: for the
    exit code of a command that handles its interruption itself (130 or 143)."""
    return _ACTIEF.signaal if _ACTIEF is not None else None


def zonder_onderbreking() -> contextlib.AbstractContextManager[None]:
    """Defer Ctrl-C/SIGTERM of the active :class:`Onderbreker` (if any) until the block ends.

    For the moment between starting a child and keeping its handle: an interrupt there would
    leave a child nobody can stop.
    """
    return _ACTIEF.uitgesteld() if _ACTIEF is not None else contextlib.nullcontext()
