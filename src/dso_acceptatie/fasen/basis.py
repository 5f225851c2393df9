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
from dataclasses import dataclass
from pathlib import Path

from dso_acceptatie.records import Masker, RecordWriter


@dataclass
class FaseContext:
    fase: str
    run_id: str
    run_map: Path
    doel: dict              # Doel.als_json(): urls, flags; never the key itself
    writer: RecordWriter

    @property
    def api_sleutel(self) -> str | None:
        var = self.doel.get("api_sleutel_variabele")
        return os.environ.get(var) if var else None

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
                       bestand: str | None = None) -> "FaseContext":
        p = argparse.ArgumentParser(prog=f"fase {fase}")
        p.add_argument("--run-map", required=True, type=Path)
        p.add_argument("--doel", required=True, type=Path)
        p.add_argument("--run-id", required=True)
        args, _ = p.parse_known_args(argv)
        doel = json.loads(args.doel.read_text(encoding="utf-8"))
        masker = Masker.uit_omgeving([doel.get("api_sleutel_variabele")])
        writer = RecordWriter(args.run_map / "records" / f"{bestand or fase}.jsonl",
                              args.run_id, fase, masker)
        return cls(fase, args.run_id, args.run_map, doel, writer)
