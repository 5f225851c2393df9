"""Benchmark: does the load phase tell a busy test machine from a slow target?

    .venv/bin/python benchmarks/kalibratie.py [--scenario NAAM ...]

Runs ``dso-acceptatie run --fase last`` (profile ``rook``, reference started by the run itself) in
these scenarios and prints, per run, what the calibration measured (CPU pressure, the share of CPU
time from outside the harness and the target, the control request) and the verdicts:

- ``rustig``: the clean reference on a quiet machine;
- ``1-brander`` / ``2-branders`` / ``8-branders``: the clean reference with 1, 2 or 8 CPU burners
  beside it (plain Python busy loops, bounded by their own clock, killed after the run);
- ``traag``: the reference with its slow fault on Presenteren (``traag:presenteren``), quiet;
- ``traag-2-branders`` / ``traag-8-branders``: the slow reference with 2 or 8 burners.

Run it on an otherwise quiet machine: every other process counts as "from outside". The
thresholds in ``src/dso_acceptatie/fasen/last/kalibratie.py`` come from these figures. Prints
figures; judges nothing itself (the verdicts are the phase's).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dso_acceptatie.records import lees_records

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = {"rustig": ("", 0), "1-brander": ("", 1), "2-branders": ("", 2), "8-branders": ("", 8),
             "traag": ("traag:presenteren", 0), "traag-2-branders": ("traag:presenteren", 2),
             "traag-8-branders": ("traag:presenteren", 8)}
BRANDER = "import time\nt = time.monotonic() + 150\nwhile time.monotonic() < t:\n    pass\n"


def draai(fouten: str, branders: int) -> tuple[float, list[dict]]:
    with tempfile.TemporaryDirectory(prefix="bench-kalibratie-") as map_:
        cmd = [sys.executable, "-m", "dso_acceptatie", "run", "--fase", "last", "--rapporten", map_]
        if fouten:
            cmd += ["--fouten", fouten]
        processen = [subprocess.Popen([sys.executable, "-c", BRANDER]) for _ in range(branders)]
        start = time.monotonic()
        try:
            subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, check=False, timeout=600)
        finally:
            for p in processen:
                p.kill()
                p.wait()
        wand = time.monotonic() - start
        run_map = next(Path(map_, "runs").iterdir())
        return wand, [r for r in lees_records(run_map) if r["fase"] == "last"]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenario", action="append", choices=list(SCENARIOS),
                   help="alleen dit scenario (herhaalbaar; standaard alle)")
    p.add_argument("--toon", action="store_true", help="ook elke SLO die niet geslaagd is, met de melding")
    args = p.parse_args()
    kop = (f"{'scenario':<18} {'wand':>6} {'druk':>5} {'buiten':>6} {'bezet':>5} {'ctrl p95':>8} "
           f"{'te druk':>7}  oordelen van de SLO's (presenteren _zoek p95)")
    regels = []
    for naam in args.scenario or list(SCENARIOS):
        fouten, branders = SCENARIOS[naam]
        wand, records = draai(fouten, branders)
        k = next((r["details"] for r in records if r["controle"] == "kalibratie"), {})
        slos = [r for r in records if r.get("soort") == "controle"]
        telling = Counter(r["status"] for r in slos)
        zoek = next((r for r in slos if r["controle"] == "p95-latentie" and "_zoek" in r["onderwerp"]), None)

        def pct(x):
            return "—" if x is None else f"{x:.0%}"
        regel = (f"{naam:<18} {wand:>5.0f}s {pct(k.get('cpu_druk')):>5} {pct(k.get('vreemde_cpu')):>6} "
                 f"{pct(k.get('cpu_bezet')):>5} {k.get('controle_p95_ms') or 0:>6.1f}ms "
                 f"{'ja' if k.get('te_druk') else 'nee':>7}  "
                 + ", ".join(f"{n}× {s}" for s, n in sorted(telling.items()))
                 + (f" ({zoek['status']}, {zoek['details'].get('gemeten', 0):.0f} ms)" if zoek else ""))
        regels.append(regel)
        print(regel, flush=True)
        if args.toon:
            for r in slos:
                if r["status"] != "geslaagd":
                    print(f"    {r['status']:<12} {r['controle']:<14} {r['onderwerp']}: {r['bericht'][:220]}")
    print("\n" + kop)
    for r in regels:
        print(r)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
