"""Records: one line of JSON per check, the only thing phases hand to the report.

The writer appends and flushes every record, so a run that is killed keeps every record it had
completed (at most the line being written is lost, and the reader skips a torn last line). The
writer masks secrets itself, so no phase can forget it. Format: schema/record.schema.json.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

SCHEMA = "dso-acceptatie/record/1"
STATUSSEN = ("geslaagd", "gefaald", "overgeslagen", "geblokkeerd", "instabiel")
ERNSTEN = ("blokkerend", "ernstig", "hinderlijk", "cosmetisch", "informatief")
# A "controle" proves something about the target; "administratie" (service reachable, phase
# finished, spec loaded, profile chosen) is bookkeeping and never counts as proof in a verdict.
SOORTEN = ("controle", "administratie")
MASKER = "***"

# Header/field forms in which a key may appear in text we did not produce ourselves
# (curl commands, dumped requests, error messages).
# A `$NAME` placeholder (as in the curl commands we print) is not a key and stays readable.
_SLEUTEL_PATRONEN = [
    re.compile(r"(?i)(x-api-key[\"']?\s*[:=]\s*[\"']?)(?!\$[A-Za-z_])([^\s\"',}\\]+)"),
    re.compile(r"(?i)(api[_-]?key=)(?!\$[A-Za-z_])([^&\s\"'\\]+)"),
    re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?(?:bearer|basic)\s+)"
               r"(?!\$[A-Za-z_])([^\s\"',}\\]+)"),
]


class Masker:
    """Replaces known secret values and key-shaped fields by ***."""

    def __init__(self, geheimen: Iterable[str | None] = ()):
        # Longest first, so a secret that contains another is masked whole.
        self.geheimen = sorted({g for g in geheimen if g and len(g) >= 4}, key=len, reverse=True)

    @classmethod
    def uit_omgeving(cls, variabelen: Iterable[str | None]) -> "Masker":
        return cls(os.environ.get(v) for v in variabelen if v)

    def maskeer(self, waarde):
        """Mask every string inside a JSON-like value (before serialising, so escapes stay intact)."""
        if isinstance(waarde, str):
            return self(waarde)
        if isinstance(waarde, dict):
            return {self(str(k)): self.maskeer(v) for k, v in waarde.items()}
        if isinstance(waarde, (list, tuple)):
            return [self.maskeer(v) for v in waarde]
        return waarde

    def __call__(self, tekst: str) -> str:
        for geheim in self.geheimen:
            tekst = tekst.replace(geheim, MASKER)
        for patroon in _SLEUTEL_PATRONEN:
            tekst = patroon.sub(lambda m: m.group(1) + (MASKER if m.group(2) != MASKER else m.group(2)), tekst)
        return tekst


def _nu() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class RecordWriter:
    """Append-only JSON-lines writer for one phase (one process, one file).

    Thread-safe; each record is one ``write`` of a whole line followed by ``flush`` so that a
    killed process leaves only complete lines behind.
    """

    def __init__(self, pad: Path, run_id: str, fase: str, masker: Masker | None = None):
        self.pad = Path(pad)
        self.pad.parent.mkdir(parents=True, exist_ok=True)
        self.run_id = run_id
        self.fase = fase
        self.masker = masker or Masker()
        self._lock = threading.Lock()
        self._f = open(self.pad, "a", encoding="utf-8")
        self.aantal = 0

    def schrijf(self, *, component: str, onderwerp: str, controle: str, status: str,
                bericht: str, ernst: str = "informatief", duur_ms: float | None = None,
                bewijs: list[str] | None = None, rol: str | None = None,
                details: dict | None = None, fase: str | None = None,
                soort: str = "controle") -> dict:
        if status not in STATUSSEN:
            raise ValueError(f"onbekende status {status!r}")
        if ernst not in ERNSTEN:
            raise ValueError(f"onbekende ernst {ernst!r}")
        if soort not in SOORTEN:
            raise ValueError(f"onbekende soort {soort!r}")
        record = {
            "schema": SCHEMA, "run_id": self.run_id, "tijd": _nu(), "fase": fase or self.fase,
            "component": component, "onderwerp": onderwerp, "controle": controle,
            "soort": soort, "status": status, "ernst": ernst, "bericht": bericht,
            "duur_ms": None if duur_ms is None else round(duur_ms, 1),
            "bewijs": bewijs or [], "rol": rol, "details": details or {},
        }
        # Round-trip through JSON first so every value is a plain string/number, then mask the
        # strings themselves: masking the serialised line could cut an escape in half.
        record = self.masker.maskeer(json.loads(json.dumps(record, ensure_ascii=False, default=str)))
        regel = json.dumps(record, ensure_ascii=False)
        with self._lock:
            self._f.write(regel + "\n")
            self._f.flush()
            self.aantal += 1
        return record

    def close(self) -> None:
        with self._lock:
            if not self._f.closed:
                self._f.close()

    def __enter__(self) -> "RecordWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Stopwatch:
    """``with Stopwatch() as t: ...; t.ms``: duration for the duur_ms field."""

    def __enter__(self) -> "Stopwatch":
        self._start = time.perf_counter()
        self.ms = 0.0
        return self

    def __exit__(self, *exc) -> None:
        self.ms = (time.perf_counter() - self._start) * 1000


def lees_records(map_: Path) -> Iterator[dict]:
    """All records of a run folder (``records/*.jsonl``).

    A torn LAST line is what a killed writer leaves behind: skipped, everything before it counts.
    An unreadable line anywhere else is a defect, and becomes a ``geblokkeerd`` record so that it
    can never pass unnoticed.
    """
    for bestand in sorted(Path(map_).glob("records/*.jsonl")):
        with open(bestand, encoding="utf-8", errors="replace") as f:
            regels = f.read().split("\n")
        laatste = max((i for i, r in enumerate(regels) if r.strip()), default=-1)
        for i, regel in enumerate(regels):
            if not regel.strip():
                continue
            try:
                yield json.loads(regel)
            except json.JSONDecodeError as e:
                if i == laatste:
                    continue
                yield {"schema": SCHEMA, "run_id": "", "tijd": _nu(),
                       "fase": bestand.stem.split("-")[0], "component": "records", "onderwerp": bestand.name,
                       "controle": "record-leesbaar", "status": "geblokkeerd", "ernst": "ernstig",
                       "bericht": f"onleesbare recordregel {i + 1} in {bestand.name}: {e.msg}",
                       "duur_ms": None, "bewijs": [f"records/{bestand.name}"], "rol": None,
                       "details": {}}
