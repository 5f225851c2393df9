"""Run orchestration: one acceptance run of one target.

Order: run folder and id → (reference LV start) → environment pre-check → each phase as its own
process with a time limit → run-end record → summary. Everything that is decided is a record, so
the summary (and later the report) can be rebuilt from the folder alone. Ctrl-C kills the running
phase, keeps what was written and marks the run ``onderbroken``.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from dso_acceptatie.criteria import Criteria
from dso_acceptatie.doelen import Doel
from dso_acceptatie.fasen import FASEN, Fase
from dso_acceptatie.omgeving import voorcontrole
from dso_acceptatie.processen import stop_procesgroep
from dso_acceptatie.records import Masker, RecordWriter, lees_records
from dso_acceptatie.referentie import ReferentieLV, ReferentieStartFout
from dso_acceptatie.samenvatting import Samenvatting, als_markdown, als_terminal, vat_samen

REFERENTIE_SLEUTEL_VARIABELE = "DSO_REFERENTIE_API_KEY"


@dataclass
class RunUitkomst:
    run_map: Path
    samenvatting: Samenvatting


def nieuwe_run_map(rapporten: Path, doel: str) -> tuple[str, Path]:
    stempel = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    run_id = f"{stempel}-{doel}-{secrets.token_hex(2)}"
    run_map = rapporten / "runs" / run_id
    (run_map / "records").mkdir(parents=True)
    laatste = rapporten / "laatste"
    try:
        if laatste.is_symlink() or laatste.exists():
            laatste.unlink()
        laatste.symlink_to(Path("runs") / run_id)
    except OSError:
        pass  # a pointer is a convenience; the run itself does not depend on it
    return run_id, run_map


def schrijf_samenvatting(run_map: Path, criteria: Criteria) -> Samenvatting:
    s = vat_samen(list(lees_records(run_map)), criteria)
    (run_map / "samenvatting.md").write_text(als_markdown(s), encoding="utf-8")
    return s


class Orkestrator:
    def __init__(self, doel: Doel, *, rapporten: Path, criteria: Criteria,
                 fasen: dict[str, Fase] = FASEN, fouten: str = "",
                 meld: Callable[[str], None] = lambda t: print(t, flush=True)):
        self.doel = doel
        self.rapporten = rapporten
        self.criteria = criteria
        self.fasen = fasen
        self.fouten = fouten
        self.meld = meld
        self._kind: subprocess.Popen | None = None

    def voer_uit(self) -> RunUitkomst:
        run_id, run_map = nieuwe_run_map(self.rapporten, self.doel.naam)
        self.meld(f"Run {run_id} — doel '{self.doel.naam}'\nRunmap: {run_map}")
        doel = self.doel
        referentie: ReferentieLV | None = None
        if doel.soort == "referentie":
            # A fresh key per run, only in the environment of this process and its children.
            os.environ.setdefault(REFERENTIE_SLEUTEL_VARIABELE, secrets.token_urlsafe(24))
            doel.api_sleutel_variabele = REFERENTIE_SLEUTEL_VARIABELE
        masker = Masker.uit_omgeving([doel.api_sleutel_variabele])
        run_writer = RecordWriter(run_map / "records" / "run.jsonl", run_id, "run", masker)
        uitkomst = "onderbroken"
        try:
            if doel.soort == "referentie":
                self.meld("Referentie-LV starten …")
                referentie = ReferentieLV(api_sleutel=os.environ[REFERENTIE_SLEUTEL_VARIABELE],
                                          fouten=self.fouten, log=run_map / "referentie-lv.log",
                                          # its own data folder per run: requests submitted by
                                          # one run (fuzzing included) never leak into the next
                                          data_map=run_map / "referentie-lv")
                try:
                    doel = doel.met_origin(referentie.start())
                except ReferentieStartFout as e:
                    self._start(run_writer, doel)
                    uitkomst = "niet-testbaar"
                    run_writer.schrijf(component="run", onderwerp=doel.naam, controle="run-einde",
                                       status="geblokkeerd", bericht=f"niet testbaar: {e}",
                                       details={"uitkomst": uitkomst})
                    return self._sluit(run_map, run_writer)
                self.meld(f"Referentie-LV draait op {doel.origin}")
            self._start(run_writer, doel)
            (run_map / "doel.json").write_text(json.dumps(doel.als_json(), indent=2,
                                                          ensure_ascii=False), encoding="utf-8")
            self.meld("Omgevingscontrole …")
            with RecordWriter(run_map / "records" / "omgeving.jsonl", run_id, "omgeving",
                              masker) as w:
                testbaar = voorcontrole(doel, w)
            if not testbaar:
                uitkomst = "niet-testbaar"
                run_writer.schrijf(component="run", onderwerp=doel.naam, controle="run-einde",
                                   status="geblokkeerd", details={"uitkomst": uitkomst},
                                   bericht="niet testbaar: het doel is niet (volledig) bereikbaar")
                return self._sluit(run_map, run_writer)
            for i, naam in enumerate(doel.fasen, 1):
                self._voer_fase_uit(i, len(doel.fasen), self.fasen[naam], run_id, run_map,
                                    masker)
            uitkomst = "voltooid"
            run_writer.schrijf(component="run", onderwerp=doel.naam, controle="run-einde",
                               status="geslaagd", ernst="informatief",
                               bericht="alle fasen zijn doorlopen", details={"uitkomst": uitkomst})
        except KeyboardInterrupt:
            self._stop_kind()
            run_writer.schrijf(component="run", onderwerp=doel.naam, controle="run-einde",
                               status="geblokkeerd", details={"uitkomst": "onderbroken"},
                               bericht="de run is onderbroken (Ctrl-C)")
            self.meld("\nOnderbroken: wat al geschreven was, blijft bewaard.")
        finally:
            if referentie:
                referentie.stop()
        return self._sluit(run_map, run_writer)

    def _start(self, w: RecordWriter, doel: Doel) -> None:
        w.schrijf(component="run", onderwerp=doel.naam, controle="run-start", status="geslaagd",
                  bericht=f"run gestart op doel '{doel.naam}'",
                  details={"doel": doel.naam, "fasen": doel.fasen, "fouten": self.fouten,
                           "urls": doel.dienst_urls(), "loket": doel.loket,
                           "python": sys.version.split()[0]})

    def _sluit(self, run_map: Path, w: RecordWriter) -> RunUitkomst:
        w.close()
        s = schrijf_samenvatting(run_map, self.criteria)
        self.meld("\n" + als_terminal(s) + f"\n\nSamenvatting: {run_map / 'samenvatting.md'}")
        return RunUitkomst(run_map, s)

    def _voer_fase_uit(self, i: int, n: int, fase: Fase, run_id: str, run_map: Path,
                       masker: Masker) -> None:
        kop = f"[{i}/{n}] {fase.naam}"
        if fase.module is None:
            self.meld(f"{kop}: geblokkeerd — {fase.niet_beschikbaar}")
            with RecordWriter(run_map / "records" / f"{fase.naam}.jsonl", run_id, fase.naam,
                              masker) as w:
                w.schrijf(component=fase.naam, onderwerp=fase.titel, controle="fase-beschikbaar",
                          status="geblokkeerd", ernst="blokkerend", bericht=fase.niet_beschikbaar)
            return
        self.meld(f"{kop}: gestart — {fase.titel}")
        start = time.monotonic()
        cmd = [sys.executable, "-m", fase.module, "--run-map", str(run_map),
               "--doel", str(run_map / "doel.json"), "--run-id", run_id]
        log = open(run_map / f"{fase.naam}.log", "ab")
        reden = None
        try:
            self._kind = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True)
            try:
                code = self._kind.wait(timeout=fase.tijdslimiet_s)
                if code != 0:
                    reden = f"het faseproces stopte met code {code}; zie {fase.naam}.log"
            except subprocess.TimeoutExpired:
                self._stop_kind()
                reden = f"tijdslimiet van {fase.tijdslimiet_s:.0f} s overschreden"
        finally:
            log.close()
            self._kind = None
        duur = time.monotonic() - start
        telling = self._tel(run_map, fase.naam)
        if reden is None and not sum(telling.values()):
            reden = "de fase leverde geen enkel resultaat"
        if reden:
            with RecordWriter(run_map / "records" / f"{fase.naam}-orkestrator.jsonl", run_id,
                              fase.naam, masker) as w:
                w.schrijf(component=fase.naam, onderwerp=fase.titel, controle="fase-voltooid",
                          status="geblokkeerd", ernst="blokkerend", duur_ms=duur * 1000,
                          bericht=f"fase niet (volledig) uitgevoerd: {reden}")
        samengevat = ", ".join(f"{v} {k}" for k, v in sorted(telling.items())) or "geen resultaten"
        self.meld(f"{kop}: klaar in {duur:.1f} s — {samengevat}" + (f" — {reden}" if reden else ""))

    @staticmethod
    def _tel(run_map: Path, fase: str) -> dict[str, int]:
        telling: dict[str, int] = {}
        for r in lees_records(run_map):
            if r["fase"] == fase:
                telling[r["status"]] = telling.get(r["status"], 0) + 1
        return telling

    def _stop_kind(self) -> None:
        stop_procesgroep(self._kind)
