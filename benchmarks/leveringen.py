"""Benchmark: the leveringen validator. Prints figures, asserts nothing.

1. Schematron → XSLT compilation, cold (empty cache dir) versus cached, per rule set
   (TPOD validaties.sch is the large one), each in a fresh process so Saxon starts cold too.
2. Validating the sample deliveries (Gemeentestad, TPOD 1.0, STTR, IMRO) with a warm cache.

    .venv/bin/python benchmarks/leveringen.py [--herhalingen 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
VOORBEELDEN = PROJECT / "contracts" / "leveringen" / "voorbeelden"
REGELSETS = ["tpod-validaties-1.0.6/validaties.sch", "stop-lvbb-1.0.4/stop/imop-tekst.sch"]

_COMPILEER = """
import sys, time
from pathlib import Path
t = time.perf_counter()
from dso_acceptatie.leveringen.schematron import SaxonRegelset
SaxonRegelset(Path(sys.argv[1]))
print(time.perf_counter() - t)
"""


def compileer(sch: Path, cache: str) -> float:
    uit = subprocess.run([sys.executable, "-c", _COMPILEER, str(sch)], check=True,
                         capture_output=True, text=True, env={**os.environ, "DSO_CACHE": cache})
    return float(uit.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--herhalingen", type=int, default=3)
    args = p.parse_args()
    print("Schematron compileren (incl. start van Saxon), seconden: koud / uit cache")
    for rel in REGELSETS:
        sch = PROJECT / "contracts" / "standaarden" / rel
        koud, warm = [], []
        for _ in range(args.herhalingen):
            with tempfile.TemporaryDirectory() as cache:
                koud.append(compileer(sch, cache))
                warm.append(compileer(sch, cache))
        print(f"  {rel:<45} {statistics.median(koud):6.2f} / {statistics.median(warm):6.2f}")

    from datetime import date

    from dso_acceptatie.leveringen import valideer

    print("Valideren met warme cache, seconden (mediaan):")
    gevallen = [("gemeentestad/opdracht", None), ("gemeentestad/opdracht_intrekking", None),
                ("tpod-1.0/Test_TPOD1700", None), ("sttr", None),
                ("imro/RW-2025-2a.gml", date(2025, 6, 1))]
    valideer(VOORBEELDEN / gevallen[0][0])   # warm up caches
    for rel, peildatum in gevallen:
        tijden = []
        for _ in range(args.herhalingen):
            t = time.perf_counter()
            u = valideer(VOORBEELDEN / rel, peildatum=peildatum)
            tijden.append(time.perf_counter() - t)
        print(f"  {rel:<45} {statistics.median(tijden):6.2f}  ({len(u.bestanden)} bestanden, "
              f"{len(u.bevindingen)} bevindingen, {u.oordeel})")


if __name__ == "__main__":
    main()
