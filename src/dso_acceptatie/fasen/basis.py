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
