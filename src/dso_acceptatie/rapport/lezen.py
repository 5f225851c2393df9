"""Reading a run's records fast: the contract of :func:`dso_acceptatie.records.lees_records` (an
unreadable line in the middle becomes a ``geblokkeerd`` record of component "records"), parsed
with orjson so 100,000 records stay within the report's budget.

One difference: a torn LAST line (what a killed writer leaves) is not dropped silently but
becomes an ``administratie`` record ``record-afgebroken``, which the report lists as a deviation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from dso_acceptatie.records import SCHEMA, _nu


def lees_records(map_: Path) -> Iterator[dict]:
    for bestand in sorted(Path(map_).glob("records/*.jsonl")):
        regels = bestand.read_bytes().split(b"\n")
        laatste = max((i for i, r in enumerate(regels) if r.strip()), default=-1)
        for i, regel in enumerate(regels):
            if not regel.strip():
                continue
            try:
                yield orjson.loads(regel)
            except orjson.JSONDecodeError as e:
                if i == laatste:
                    yield {"schema": SCHEMA, "run_id": "", "tijd": _nu(), "fase": bestand.stem.split("-")[0],
                           "component": "records", "onderwerp": bestand.name, "controle": "record-afgebroken",
                           "soort": "administratie", "status": "overgeslagen", "ernst": "informatief",
                           "bericht": f"laatste regel ({i + 1}) van {bestand.name} is afgebroken, zoals een "
                                      "gestopt proces hem achterlaat; wat erin stond is onbekend",
                           "duur_ms": None, "bewijs": [f"records/{bestand.name}"], "rol": None, "details": {}}
                    continue
                yield {"schema": SCHEMA, "run_id": "", "tijd": _nu(),
                       "fase": bestand.stem.split("-")[0], "component": "records", "onderwerp": bestand.name,
                       "controle": "record-leesbaar", "status": "geblokkeerd", "ernst": "ernstig",
                       "bericht": f"onleesbare recordregel {i + 1} in {bestand.name}: {e}",
                       "duur_ms": None, "bewijs": [f"records/{bestand.name}"], "rol": None,
                       "details": {}}
