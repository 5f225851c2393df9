"""Run orchestration: one acceptance run of one target.

Order: run folder and id → (reference LV start) → environment pre-check → each phase as its own
process with a time limit → run-end record → summary. Everything that is decided is a record, so
the summary (and later the report) can be rebuilt from the folder alone.

Ctrl-C and SIGTERM are handled alike (:class:`~dso_acceptatie.processen.Onderbreker`): the running
phase and everything it started are stopped, what was written stays, the run-end record says
``onderbroken`` and the summary is written. On every path — finished, interrupted, time limit,
an error in the orchestrator itself — every child process is gone before the run-end record and
the summary are written, so nothing can write a record after them.

While a phase runs, a live line shows its progress (``voortgang/<fase>.json``, written by the
phase) and its records per status so far, read incrementally from ``records/*.jsonl``.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from dso_acceptatie.configuratie import ConfiguratieFout
from dso_acceptatie.criteria import Criteria
from dso_acceptatie.doelen import Doel
from dso_acceptatie.fasen import FASEN, Fase
from dso_acceptatie.omgeving import voorcontrole
from dso_acceptatie.processen import (
    MERK_VARIABELE,
    OUDER_VARIABELE,
    Onderbreker,
    nieuw_merk,
    stop_procesgroep,
    zonder_onderbreking,
)
from dso_acceptatie.project import project
from dso_acceptatie.rapport import Rapport, bouw_rapport
from dso_acceptatie.records import STATUSSEN, Masker, RecordWriter
from dso_acceptatie.referentie import ReferentieLV, ReferentieStartFout

REFERENTIE_SLEUTEL_VARIABELE = "DSO_REFERENTIE_API_KEY"
# The fase of the orchestrator's own run-level checks (not "run": records of fase "run" are the
# run's bookkeeping, which summary and report do not count).
ORKESTRATOR_FASE = "orkestrator"
SIGNAALNAMEN = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM"}

_OS_FOUTEN = {
    errno.EEXIST: "er staat een bestand waar een map moet komen",
    errno.ENOTDIR: "een deel van het pad is een bestand, geen map",
    errno.EISDIR: "dit is een map, geen bestand",
    errno.EACCES: "geen toegang (rechten)",
    errno.EPERM: "niet toegestaan (rechten)",
    errno.EROFS: "het bestandssysteem is alleen-lezen",
    errno.ENOSPC: "de schijf is vol",
}


def os_fout(fout: OSError) -> str:
    """An OSError in Dutch (the reason only; the caller names the path)."""
    return _OS_FOUTEN.get(fout.errno, fout.strerror or type(fout).__name__)


@dataclass
class RunUitkomst:
    run_map: Path
    rapport: Rapport                    # .oordeel, .exitcode, .redenen, .terminal_tekst()
    signaal: int | None = None          # the signal that interrupted the run, if any
    schrijffout: str | None = None      # which report outputs could not be written, and why


def nieuwe_run_map(rapporten: Path, doel: str) -> tuple[str, Path]:
    stempel = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    run_id = f"{stempel}-{doel}-{secrets.token_hex(2)}"
    run_map = rapporten / "runs" / run_id
    try:
        (run_map / "records").mkdir(parents=True)
    except OSError as fout:
        raise ConfiguratieFout(
            f"--rapporten {rapporten}: de runmap {run_map} kan niet worden gemaakt: "
            f"{os_fout(fout)}. Oplossing: geef met --rapporten een map waarin u mag schrijven.") from None
    laatste = rapporten / "laatste"
    try:
        if laatste.is_symlink() or laatste.exists():
            laatste.unlink()
        laatste.symlink_to(Path("runs") / run_id)
    except OSError:
        pass  # a pointer is a convenience; the run itself does not depend on it
    return run_id, run_map


def schrijf_rapport(run_map: Path, criteria: Criteria, pi: str | None = None) -> tuple[Rapport, str | None]:
    """The acceptance report of the run folder (rapport.html, rapport.json, junit.xml,
    samenvatting.md, Allure results, conformiteitsverklaring).

    Returns the report and, when outputs could not be written, why (in Dutch): the verdict
    comes from the records, so the caller decides what the failure means.
    """
    rapport = bouw_rapport(run_map, criteria, project() / "bekende-bevindingen.toml",
                           project() / "rollen.toml", pi=pi)
    return rapport, rapport.schrijffout


class Weergave:
    """What the orchestrator shows: messages, and a live line while a phase runs.

    On a terminal the live line is rewritten in place (``\\r``) about every second; elsewhere
    (CI logs) it is printed as a plain line about every 15 seconds. ``schrijf`` receives raw text
    (newlines included), so tests can inject a list's ``append``.
    """

    def __init__(self, schrijf: Callable[[str], object] | None = None, *,
                 terminal: bool | None = None, interval_s: float | None = None,
                 breedte: int | None = None):
        stroom = sys.stdout
        self._schrijf = schrijf or (lambda tekst: (stroom.write(tekst), stroom.flush()))
        self.terminal = (stroom.isatty() if terminal is None else terminal)
        self.interval_s = interval_s or (1.0 if self.terminal else 15.0)
        self._breedte = breedte
        self._live = 0  # width of the live line now on screen

    def meld(self, tekst: str) -> None:
        self._wis()
        self._schrijf(tekst + "\n")

    def live(self, tekst: str) -> None:
        if not self.terminal:
            self._schrijf(tekst + "\n")
            return
        breedte = self._breedte or shutil.get_terminal_size((100, 24)).columns
        tekst = tekst[:max(10, breedte - 1)]  # a wrapped line cannot be rewritten with \r
        self._schrijf("\r" + tekst + " " * max(0, self._live - len(tekst)))
        self._live = len(tekst)

    def _wis(self) -> None:
        if self._live:
            self._schrijf("\r" + " " * self._live + "\r")
            self._live = 0


class RecordTeller:
    """Records per fase and status in ``records/*.jsonl``, read incrementally.

    Keeps an offset per file and only reads what was appended since the last call; an
    incomplete last line waits for its newline. The fase is the record's own field.
    """

    def __init__(self, records_map: Path):
        self.records_map = records_map
        self._offset: dict[Path, int] = {}
        self._rest: dict[Path, bytes] = {}
        self.per_fase: dict[str, Counter] = {}
        self.onleesbaar = 0

    def bij(self) -> None:
        for pad in sorted(self.records_map.glob("*.jsonl")):
            offset = self._offset.get(pad, 0)
            try:
                grootte = pad.stat().st_size
                if grootte <= offset:
                    continue
                with open(pad, "rb") as bestand:
                    bestand.seek(offset)
                    nieuw = bestand.read(grootte - offset)
            except OSError:
                continue  # counting is a convenience; the reader reports unreadable files
            self._offset[pad] = offset + len(nieuw)
            regels = (self._rest.pop(pad, b"") + nieuw).split(b"\n")
            self._rest[pad] = regels.pop()  # incomplete until its newline arrives
            for regel in regels:
                if regel.strip():
                    self._tel(regel)

    def _tel(self, regel: bytes) -> None:
        try:
            record = orjson.loads(regel)
            fase, status = record["fase"], record["status"]
        except (orjson.JSONDecodeError, TypeError, KeyError):
            self.onleesbaar += 1
            return
        if isinstance(fase, str) and isinstance(status, str):
            self.per_fase.setdefault(fase, Counter())[status] += 1
        else:
            self.onleesbaar += 1

    def telling(self, fase: str) -> Counter:
        return self.per_fase.get(fase, Counter())


def _statussen(telling: Counter) -> str:
    volgorde = ([status for status in STATUSSEN if telling[status]]
                + sorted(status for status in telling if status not in STATUSSEN))
    return ", ".join(f"{telling[status]} {status}" for status in volgorde)


def lees_voortgang(run_map: Path, fase: str) -> str | None:
    """``voortgang/<fase>.json`` as text ("37/112 operaties"), or None when absent or odd."""
    try:
        gegevens = json.loads((run_map / "voortgang" / f"{fase}.json").read_text(encoding="utf-8"))
        gedaan, totaal, eenheid = gegevens["gedaan"], gegevens.get("totaal"), gegevens["eenheid"]
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if gegevens.get("fase", fase) != fase or not isinstance(gedaan, int) or isinstance(gedaan, bool):
        return None
    if isinstance(totaal, int) and not isinstance(totaal, bool):
        return f"{gedaan}/{totaal} {eenheid}"
    return f"{gedaan} {eenheid}"


class Orkestrator:
    def __init__(self, doel: Doel, *, rapporten: Path, criteria: Criteria,
                 fasen: dict[str, Fase] = FASEN, fouten: str = "", pi: str | None = None,
                 weergave: Weergave | None = None,
                 meld: Callable[[str], object] | None = None):
        self.doel = doel
        self.rapporten = rapporten
        self.criteria = criteria
        self.fasen = fasen
        self.fouten = fouten
        self.pi = pi
        if weergave is None and meld is not None:  # a plain callable: one call per line
            weergave = Weergave(lambda tekst: meld(tekst.removesuffix("\n")), terminal=False)
        self.weergave = weergave or Weergave()
        self._kind: subprocess.Popen | None = None
        self._merk: str | None = None
        self._onderbreker: Onderbreker | None = None
        self._referentie: ReferentieLV | None = None

    def meld(self, tekst: str) -> None:
        self.weergave.meld(tekst)

    def voer_uit(self) -> RunUitkomst:
        run_id, run_map = nieuwe_run_map(self.rapporten, self.doel.naam)
        with Onderbreker() as onderbreker:
            self._onderbreker = onderbreker
            try:
                return self._voer_uit(run_id, run_map, onderbreker)
            finally:
                # normally done already (before the summary); this is for an error while closing
                onderbreker.afronden()
                self._stop_kind()
                if self._referentie is not None:
                    self._referentie.stop()

    def _voer_uit(self, run_id: str, run_map: Path, onderbreker: Onderbreker) -> RunUitkomst:
        self.meld(f"Run {run_id} — doel '{self.doel.naam}'\nRunmap: {run_map}")
        doel = self.doel
        referentie: ReferentieLV | None = None
        if doel.soort == "referentie":
            # A fresh key per run, only in the environment of this process and its children.
            os.environ.setdefault(REFERENTIE_SLEUTEL_VARIABELE, secrets.token_urlsafe(24))
            doel.api_sleutel_variabele = REFERENTIE_SLEUTEL_VARIABELE
        masker = Masker.uit_omgeving([doel.api_sleutel_variabele])
        run_writer = RecordWriter(run_map / "records" / "run.jsonl", run_id, "run", masker)
        interne_fout: Exception | None = None
        try:
            if doel.soort == "referentie":
                self.meld("Referentie-LV starten …")
                referentie = self._referentie = ReferentieLV(
                    api_sleutel=os.environ[REFERENTIE_SLEUTEL_VARIABELE], fouten=self.fouten,
                    log=run_map / "referentie-lv.log",
                    # its own data folder per run: requests submitted by one run (fuzzing
                    # included) never leak into the next
                    data_map=run_map / "referentie-lv")
                try:
                    doel = doel.met_origin(referentie.start())
                except ReferentieStartFout as fout:
                    self._schrijf_start(run_writer, doel)
                    self._schrijf_einde(run_writer, doel, "niet-testbaar", f"niet testbaar: {fout}")
                    return self._sluit(run_map, run_writer, onderbreker, referentie)
                self.meld(f"Referentie-LV draait op {doel.origin}")
            self._schrijf_start(run_writer, doel)
            (run_map / "doel.json").write_text(json.dumps(doel.als_json(), indent=2,
                                                          ensure_ascii=False), encoding="utf-8")
            self.meld("Omgevingscontrole …")
            with RecordWriter(run_map / "records" / "omgeving.jsonl", run_id, "omgeving",
                              masker) as omgeving_writer:
                testbaar = voorcontrole(doel, omgeving_writer)
            if not testbaar:
                self._schrijf_einde(run_writer, doel, "niet-testbaar",
                                    "niet testbaar: het doel is niet (volledig) bereikbaar")
                return self._sluit(run_map, run_writer, onderbreker, referentie)
            if not doel.fasen:
                self.meld("Geen fasen: het doel noemt geen enkele fase om uit te voeren.")
                run_writer.schrijf(component="run", onderwerp=doel.naam, controle="fasen-uitgevoerd",
                                   fase=ORKESTRATOR_FASE, status="geblokkeerd", ernst="blokkerend",
                                   bericht=f"er is geen enkele fase uitgevoerd: het doel '{doel.naam}' "
                                           "noemt geen fasen (fasen = []), dus niets is getest")
            teller = RecordTeller(run_map / "records")
            for volgnummer, naam in enumerate(doel.fasen, 1):
                self._voer_fase_uit(volgnummer, len(doel.fasen), self.fasen[naam], run_id, run_map,
                                    masker, teller)
            self._schrijf_einde(run_writer, doel, "voltooid", "alle fasen zijn doorlopen"
                                if doel.fasen else "er waren geen fasen om te doorlopen")
        except KeyboardInterrupt:
            onderbreker.afronden()
            self.meld("\nOnderbroken: de lopende fase wordt gestopt; wat al geschreven was, blijft bewaard.")
            self._stop_kind()  # before the run-end record: nothing may write after it
            wat = SIGNAALNAMEN.get(onderbreker.signaal or signal.SIGINT, "signaal")
            self._schrijf_einde(run_writer, doel, "onderbroken", f"de run is onderbroken ({wat})",
                                signaal=wat)
        except Exception as fout:  # noqa: BLE001 - recorded, children stopped, summary written, then re-raised
            onderbreker.afronden()
            interne_fout = fout
            self._stop_kind()
            self._schrijf_einde(run_writer, doel, "onderbroken",
                                f"de run is afgebroken door een interne fout in de orkestrator: "
                                f"{type(fout).__name__}: {fout}")
        uitkomst = self._sluit(run_map, run_writer, onderbreker, referentie)
        if interne_fout is not None:
            raise interne_fout
        return uitkomst

    def _schrijf_start(self, writer: RecordWriter, doel: Doel) -> None:
        writer.schrijf(component="run", onderwerp=doel.naam, controle="run-start", status="geslaagd",
                       soort="administratie", bericht=f"run gestart op doel '{doel.naam}'",
                       details={"doel": doel.naam, "fasen": doel.fasen, "fouten": self.fouten,
                                "urls": doel.dienst_urls(), "loket": doel.loket,
                                "python": sys.version.split()[0]})

    def _schrijf_einde(self, writer: RecordWriter, doel: Doel, uitkomst: str, bericht: str,
                       signaal: str | None = None) -> None:
        if self._onderbreker is not None:
            self._onderbreker.afronden()  # the end is being written: no signal may cut in now
        status, ernst = ("geslaagd", "informatief") if uitkomst == "voltooid" else ("geblokkeerd", "blokkerend")
        writer.schrijf(component="run", onderwerp=doel.naam, controle="run-einde", status=status,
                       ernst=ernst, soort="administratie", bericht=bericht,
                       details={"uitkomst": uitkomst, **({"signaal": signaal} if signaal else {})})

    def _sluit(self, run_map: Path, writer: RecordWriter, onderbreker: Onderbreker,
               referentie: ReferentieLV | None) -> RunUitkomst:
        onderbreker.afronden()  # a signal now would only cut the summary short
        self._stop_kind()
        if referentie:
            referentie.stop()
        writer.close()
        rapport, schrijffout = schrijf_rapport(run_map, self.criteria, self.pi)
        self.meld("\n" + rapport.terminal_tekst())   # with "Let op: …" for a schrijffout
        return RunUitkomst(run_map, rapport, onderbreker.signaal, schrijffout)

    def _voer_fase_uit(self, volgnummer: int, aantal: int, fase: Fase, run_id: str, run_map: Path,
                       masker: Masker, teller: RecordTeller) -> None:
        kop = f"[{volgnummer}/{aantal}] {fase.naam}"
        if fase.module is None:
            self.meld(f"{kop}: geblokkeerd — {fase.niet_beschikbaar}")
            with RecordWriter(run_map / "records" / f"{fase.naam}.jsonl", run_id, fase.naam,
                              masker) as writer:
                writer.schrijf(component=fase.naam, onderwerp=fase.titel, controle="fase-beschikbaar",
                               status="geblokkeerd", ernst="blokkerend", bericht=fase.niet_beschikbaar)
            return
        self.meld(f"{kop}: gestart — {fase.titel}")
        start = time.monotonic()
        opdracht = [sys.executable, "-m", fase.module, "--run-map", str(run_map),
                    "--doel", str(run_map / "doel.json"), "--run-id", run_id]
        reden = None
        teller.bij()
        al_gezien = Counter(teller.telling(fase.naam))  # records of this fase from before (none, normally)
        with open(run_map / f"{fase.naam}.log", "ab") as log:
            self._merk = nieuw_merk()
            # The phase dies with us even if we are killed with SIGKILL (stop_met_ouder).
            omgeving = dict(os.environ, **{MERK_VARIABELE: self._merk, OUDER_VARIABELE: str(os.getpid())})
            try:
                with zonder_onderbreking():  # keep the handle, or nobody could stop the child
                    self._kind = subprocess.Popen(opdracht, stdout=log, stderr=subprocess.STDOUT,
                                                  start_new_session=True, env=omgeving)
                code = self._wacht_op_fase(kop, fase, run_map, teller, start)
                if code is None:
                    reden = f"tijdslimiet van {fase.tijdslimiet_s:.0f} s overschreden"
                elif code != 0:
                    reden = f"het faseproces stopte met code {code}; zie {fase.naam}.log"
            finally:
                # Also after a normal exit: whatever the phase left running is stopped. The handle
                # is cleared only once all is gone, so an interrupt here is finished by the caller.
                self._stop_kind()
                self._kind = None
        duur = time.monotonic() - start
        teller.bij()
        telling = teller.telling(fase.naam) - al_gezien
        if reden is None and not sum(telling.values()):
            reden = "de fase leverde geen enkel resultaat"
        if reden:
            with RecordWriter(run_map / "records" / f"{fase.naam}-orkestrator.jsonl", run_id,
                              fase.naam, masker) as writer:
                writer.schrijf(component=fase.naam, onderwerp=fase.titel, controle="fase-voltooid",
                               status="geblokkeerd", ernst="blokkerend", duur_ms=duur * 1000,
                               bericht=f"fase niet (volledig) uitgevoerd: {reden}")
        samengevat = _statussen(telling) or "geen resultaten"
        self.meld(f"{kop}: klaar in {duur:.1f} s — {samengevat}" + (f" — {reden}" if reden else ""))

    def _wacht_op_fase(self, kop: str, fase: Fase, run_map: Path, teller: RecordTeller,
                       start: float) -> int | None:
        """Wait for the phase, showing progress; its exit code, or None at the time limit."""
        einde = start + fase.tijdslimiet_s
        while True:
            resterend = einde - time.monotonic()
            if resterend <= 0:
                self._stop_kind()
                return None
            try:
                return self._kind.wait(timeout=min(self.weergave.interval_s, resterend))
            except subprocess.TimeoutExpired:
                pass
            if time.monotonic() < einde:
                teller.bij()
                self.weergave.live(self._live_regel(kop, fase.naam, run_map, teller, start))

    @staticmethod
    def _live_regel(kop: str, fase: str, run_map: Path, teller: RecordTeller, start: float) -> str:
        delen = [lees_voortgang(run_map, fase), _statussen(teller.telling(fase)) or "nog geen resultaten",
                 f"{time.monotonic() - start:.0f} s"]
        return f"{kop}: " + " · ".join(deel for deel in delen if deel)

    def _stop_kind(self) -> None:
        stop_procesgroep(self._kind, merk=self._merk)
