"""Benchmark: every report output from 10,000 and 100,000 generated records. Prints figures,
asserts nothing. Goal at 100,000 records: ≤ 10 s and ≤ 500 MB peak memory, linear growth.

Each size is built in a fresh process (peak RSS of that process = the report's memory), with
a breakdown per step: reading + verdict model, rapport.json, samenvatting.md, junit.xml,
rapport.html, conformiteitsverklaring, allure-results (the Allure HTML, a separate node process, is
not part of it: ``--allure-html``).

    .venv/bin/python benchmarks/rapport.py [--aantallen 10000 100000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]

_METING = """
import json, resource, sys, time
from pathlib import Path
from dso_acceptatie.criteria import lees_criteria
from dso_acceptatie.rapport import allure, certificaat, html, uitvoer
from dso_acceptatie.rapport.model import bouw_model
from dso_acceptatie.rapport.register import lees_register
from dso_acceptatie.rapport.rollen import lees_rollen
from dso_acceptatie.records import lees_records
run_map, project = Path(sys.argv[1]), Path(sys.argv[2])
stappen = {}
t0 = t = time.perf_counter()
m = bouw_model(lees_records(run_map), lees_criteria(project / "acceptatiecriteria.toml"),
               lees_rollen(project / "rollen.toml"), lees_register(project / "bekende-bevindingen.toml"))
stappen["records lezen + oordeel"] = time.perf_counter() - t; t = time.perf_counter()
rj = uitvoer.als_json(m, run_map)
uitvoer.schrijf_json(rj, run_map / "rapport.json")
stappen["rapport.json"] = time.perf_counter() - t; t = time.perf_counter()
(run_map / "samenvatting.md").write_text(uitvoer.als_markdown(rj), encoding="utf-8")
stappen["samenvatting.md"] = time.perf_counter() - t; t = time.perf_counter()
uitvoer.schrijf_junit(m, run_map / "junit.xml")
stappen["junit.xml"] = time.perf_counter() - t; t = time.perf_counter()
html.schrijf_html(rj, run_map / "rapport.html")
stappen["rapport.html"] = time.perf_counter() - t; t = time.perf_counter()
certificaat.schrijf(run_map, rj, {})
stappen["conformiteitsverklaring"] = time.perf_counter() - t; t = time.perf_counter()
allure.schrijf_allure(m, run_map)
stappen["allure-results"] = time.perf_counter() - t
print(json.dumps({"totaal": time.perf_counter() - t0, "stappen": stappen, "oordeel": m.oordeel,
                  "piek_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_VOLLEDIG = """
import json, resource, sys, time
from pathlib import Path
from dso_acceptatie.rapport import bouw_rapport
run_map, project = Path(sys.argv[1]), Path(sys.argv[2])
t = time.perf_counter()
r = bouw_rapport(run_map, project / "acceptatiecriteria.toml", project / "bekende-bevindingen.toml",
                 project / "rollen.toml")
print(json.dumps({"totaal": time.perf_counter() - t, "oordeel": r.oordeel,
                  "piek_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def meet(code: str, run_map: Path) -> dict:
    uit = subprocess.run([sys.executable, "-c", code, str(run_map), str(PROJECT)], check=True,
                         capture_output=True, text=True, cwd=PROJECT)
    return json.loads(uit.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--aantallen", type=int, nargs="+", default=[10_000, 100_000])
    args = p.parse_args(argv)
    sys.path.insert(0, str(PROJECT))
    from tests.rapport.generator import maak_run, veel_records

    basis = meet("import resource, json; print(json.dumps({'piek_mb': "
                 "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))", PROJECT)
    print(f"Python-proces zonder rapport: {basis['piek_mb']:.0f} MB")
    with tempfile.TemporaryDirectory(prefix="dso-bench-rapport-") as tmp:
        for n in args.aantallen:
            start = time.perf_counter()
            run_map = maak_run(Path(tmp) / str(n), veel_records(n))
            maken = time.perf_counter() - start
            grootte = sum(f.stat().st_size for f in (run_map / "records").iterdir()) / 1e6
            volledig = meet(_VOLLEDIG, run_map)
            stappen = meet(_METING, run_map)
            uitvoer = {naam: (run_map / naam).stat().st_size / 1e6 for naam in
                       ("rapport.json", "rapport.html", "junit.xml", "samenvatting.md")}
            print(f"\n{n:,} records ({grootte:.1f} MB JSONL, gemaakt in {maken:.1f} s) — oordeel "
                  f"{volledig['oordeel']}")
            print(f"  bouw_rapport (alles, incl. vergelijking): {volledig['totaal']:.2f} s, "
                  f"piekgeheugen {volledig['piek_mb']:.0f} MB")
            for naam, s in stappen["stappen"].items():
                print(f"    {naam:<26} {s:6.2f} s")
            print("  uitvoer: " + ", ".join(f"{k} {v:.1f} MB" for k, v in uitvoer.items())
                  + f", allure-results {len(list((run_map / 'allure-results').iterdir()))} bestanden")
    return 0


if __name__ == "__main__":
    sys.exit(main())
