"""Benchmark: the last phase against the reference LV with the full profile of the main run,
and (``doorvoer``) the load generator itself.

    .venv/bin/python benchmarks/last.py [--fouten traag:presenteren] [--profiel rook]
    .venv/bin/python benchmarks/last.py doorvoer [--duur 15] [--gebruikers 100]

The first runs ``dso-acceptatie run --fase last`` (reference started and stopped by the run
itself) in a temporary folder and prints the phase's wall time, the machine load, and per
endpoint: requests, failures, p50/p95/p99/max and throughput, with the SLO verdicts. Goal: phase
≤ 60 s. Prints figures; judges nothing itself (the verdicts are the phase's).

``doorvoer`` measures how many requests a second our locust machinery can make (benchmarks/
last_doorvoer.py): our DsoGebruiker (load/, locust_steun) against a bare locust FastHttpUser doing
the same GET on the same endpoint (goal: ours ≥ 0.9 × bare), requests/s per worker process, and
scaling with 1, 2 and 4 local workers.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dso_acceptatie.records import lees_records

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    if sys.argv[1:2] == ["doorvoer"]:
        from last_doorvoer import main as doorvoer

        return doorvoer(sys.argv[2:])
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--fouten", default="", help="fouten in de referentie-LV (zelftest)")
    p.add_argument("--profiel", default="", help="profiel uit load/slo.toml (standaard: gekozen)")
    args = p.parse_args()
    env = dict(os.environ)
    if args.profiel:
        env["DSO_LAST_PROFIEL"] = args.profiel
    with tempfile.TemporaryDirectory(prefix="bench-last-") as map_:
        cmd = [sys.executable, "-m", "dso_acceptatie", "run", "--fase", "last",
               "--rapporten", map_]
        if args.fouten:
            cmd += ["--fouten", args.fouten]
        start = time.monotonic()
        subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=False)
        wand = time.monotonic() - start
        run_map = next(Path(map_, "runs").iterdir())
        records = [r for r in lees_records(run_map) if r["fase"] == "last"]
    profiel = next((r for r in records if r["controle"] == "lastprofiel"), None)
    print(f"run (referentie + omgevingscontrole + fase): {wand:.1f} s")
    if profiel:
        d = profiel["details"]
        print(f"fase: {profiel['duur_ms'] / 1000:.1f} s — {profiel['bericht']}")
    kalibratie = next((r for r in records if r["controle"] == "kalibratie"), None)
    if kalibratie:
        print(f"kalibratie: {kalibratie['bericht']}")
    print(f"\n{'endpoint':<62} {'n':>5} {'fout':>5} {'p50':>5} {'p95':>5} {'p99':>5} "
          f"{'max':>6} {'req/s':>6}")
    for r in records:
        if r["controle"] == "p95-latentie" and "aantal" in r["details"]:
            d = r["details"]
            print(f"{r['onderwerp']:<62} {d['aantal']:>5} {d['fouten']:>5} {d['mediaan_ms']:>5.0f} "
                  f"{d['p95_ms']:>5.0f} {d['p99_ms']:>5.0f} {d['max_ms']:>6.0f} {d['doorvoer']:>6.1f}")
    print("\nSLO-oordelen:")
    for r in records:
        if r["controle"] != "lastprofiel":
            print(f"  {r['status']:<12} {r['controle']:<15} {r['onderwerp']}: {r['bericht']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
