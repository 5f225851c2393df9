"""What every phase process needs: its arguments, its target, and a record writer.

Usage in a phase module::

    def main(argv=None):
        ctx = FaseContext.uit_argumenten("contracten", argv)
        with ctx.writer as w:
            w.schrijf(...)
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from dso_acceptatie.processen import stop_met_ouder
from dso_acceptatie.records import Masker, RecordWriter


@dataclass(frozen=True)
class DoelInfo:
    """The target as a phase sees it (``doel.json``, written by the orchestrator).

    Services are resolved to base URLs; the key is never in it, only the variable's name.
    """
    naam: str
    soort: str = "extern"
    omschrijving: str = ""
    origin: str | None = None
    loket: str | None = None
    diensten: dict[str, str] = field(default_factory=dict)
    api_sleutel_variabele: str | None = None
    alleen_lezen: bool = False
    fasen: tuple[str, ...] = ()
    specs: str = "live"
    max_verzoeken_per_seconde: float | None = None
    intake: str | None = None          # base URL of the LVBB intake (aanleveren); None: none named

    @classmethod
    def uit_json(cls, data: dict) -> DoelInfo:
        bekend = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        bekend["diensten"] = dict(bekend.get("diensten") or {})
        bekend["fasen"] = tuple(bekend.get("fasen") or ())
        return cls(**bekend)

    @classmethod
    def lees(cls, pad: Path) -> DoelInfo:
        return cls.uit_json(json.loads(Path(pad).read_text(encoding="utf-8")))

    def api_sleutel(self) -> str | None:
        return os.environ.get(self.api_sleutel_variabele) if self.api_sleutel_variabele else None


@dataclass
class FaseContext:
    fase: str
    run_id: str
    run_map: Path
    doel: DoelInfo
    writer: RecordWriter

    @property
    def api_sleutel(self) -> str | None:
        return self.doel.api_sleutel()

    @property
    def bewijs_map(self) -> Path:
        pad = self.run_map / "bewijs" / self.fase
        pad.mkdir(parents=True, exist_ok=True)
        return pad

    def voortgang(self, gedaan: int, totaal: int | None, eenheid: str) -> None:
        """Tell the orchestrator how far the phase is (e.g. 12 of 40 "scenario's").

        Written atomically to ``voortgang/<fase>.json`` in the run folder; the orchestrator shows
        it as a live line. It is not a record: progress proves nothing about the target.
        """
        map_ = self.run_map / "voortgang"
        map_.mkdir(exist_ok=True)
        tijdelijk = map_ / f".{self.fase}.{os.getpid()}.tmp"
        tijdelijk.write_text(json.dumps({"fase": self.fase, "gedaan": gedaan, "totaal": totaal,
                                         "eenheid": eenheid}), encoding="utf-8")
        os.replace(tijdelijk, map_ / f"{self.fase}.json")

    @classmethod
    def uit_argumenten(cls, fase: str, argv: list[str] | None = None,
                       bestand: str | None = None) -> FaseContext:
        stop_met_ouder()
        p = argparse.ArgumentParser(prog=f"fase {fase}")
        p.add_argument("--run-map", required=True, type=Path)
        p.add_argument("--doel", required=True, type=Path)
        p.add_argument("--run-id", required=True)
        args, _ = p.parse_known_args(argv)
        doel = DoelInfo.lees(args.doel)
        masker = Masker.uit_omgeving([doel.api_sleutel_variabele])
        writer = RecordWriter(args.run_map / "records" / f"{bestand or fase}.jsonl",
                              args.run_id, fase, masker)
        return cls(fase, args.run_id, args.run_map, doel, writer)
