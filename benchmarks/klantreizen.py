"""Benchmark: the whole klantreizen phase against the reference LV, as ``make acceptatie`` runs it.

    .venv/bin/python benchmarks/klantreizen.py [--keer 1] [--werkers auto]

Runs ``dso-acceptatie run --fase klantreizen`` (reference started and stopped by the run itself)
and prints the wall time of the run, the time of the phase (its pytest process, from the phase's
own record), the number of scenarios and pages, and the slowest scenarios. Goal: phase ≤ 90 s on
a machine with 2 cores. Prints figures; judges nothing.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dso_acceptatie.records import lees_records

DOEL_S = 90.0


def een_run(werkers: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-klantreizen-") as map_:
        omgeving = dict(os.environ, DSO_KLANTREIZEN_WERKERS=werkers)
        start = time.perf_counter()
        uit = subprocess.run([sys.executable, "-m", "dso_acceptatie", "run", "--fase",
                              "klantreizen", "--rapporten", map_], capture_output=True, text=True,
                             env=omgeving, check=False)
        wand = time.perf_counter() - start
        run_map = max((Path(map_) / "runs").iterdir())
        records = [r for r in lees_records(run_map) if r["fase"] == "klantreizen"]
    scenarios = [r for r in records if r["controle"] == "scenario"]
    klaar = next((r for r in records if r["controle"] == "fase-klaar"), {})
    statussen: dict[str, int] = {}
    for r in scenarios:
        statussen[r["status"]] = statussen.get(r["status"], 0) + 1
    return {"exitcode": uit.returncode, "wand_s": wand, "fase_s": (klaar.get("duur_ms") or 0) / 1000,
            "scenarios": len(scenarios), "statussen": statussen,
            "paginas": sum(1 for r in records if r["controle"].startswith("axe-core")),
            "traagst": sorted(((r["duur_ms"] or 0) / 1000, r["onderwerp"])
                              for r in scenarios)[-5:]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--keer", type=int, default=1, help="aantal runs (mediaan wordt gemeld)")
    p.add_argument("--werkers", default="auto", help="pytest-xdist -n (standaard auto)")
    args = p.parse_args(argv)
    print(f"CPU's: {os.cpu_count()}  belasting (1 min): {os.getloadavg()[0]:.1f}  "
          f"werkers: {args.werkers}")
    uitkomsten = []
    for i in range(args.keer):
        u = een_run(args.werkers)
        uitkomsten.append(u)
        print(f"run {i + 1}: fase {u['fase_s']:.1f} s, hele run {u['wand_s']:.1f} s, "
              f"{u['scenarios']} scenario's {u['statussen']}, {u['paginas']} pagina-controles, "
              f"exitcode {u['exitcode']}")
        for duur, naam in reversed(u["traagst"]):
            print(f"    {duur:5.1f} s  {naam}")
    fase = statistics.median(u["fase_s"] for u in uitkomsten)
    print(f"\nklantreizen-fase (mediaan van {len(uitkomsten)}): {fase:.1f} s "
          f"(doel ≤ {DOEL_S:.0f} s op 2 cores: {'gehaald' if fase <= DOEL_S else 'niet gehaald'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
