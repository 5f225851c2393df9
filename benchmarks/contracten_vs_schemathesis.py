"""Benchmark: the contracten phase versus a bare `schemathesis run` on the same spec, target and
number of examples. Goal: the phase takes at most 1.2× the bare run.

Both run as a separate process against the same reference LV (started once, throttling off), on
one service, with the same seed, max-examples, workers (1) and suppressed health checks. The
phase does everything it does in a real run for that service: fetch the spec, schemathesis with
all checks plus the DSO checks, the active probes, the ADR lint (in the background) and the
workflows (skipped: they need other services).

    .venv/bin/python benchmarks/contracten_vs_schemathesis.py [--dienst locatieserver]
        [--voorbeelden 20] [--herhalingen 3]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dso_acceptatie.diensten import DIENSTEN
from dso_acceptatie.referentie import ReferentieLV

PROJECT = Path(__file__).resolve().parents[1]
SEED = 20261128


def kaal(basis: str, sleutel: str, voorbeelden: int, map_: Path) -> float:
    cmd = [str(Path(sys.executable).parent / "schemathesis"), "run", basis + "/openapi.json",
           "--url", basis, "-H", "x-api-key: " + sleutel, "--max-examples", str(voorbeelden),
           "--seed", str(SEED), "--workers", "1", "--continue-on-failure",
           "--suppress-health-check", "all", "--no-color"]
    start = time.perf_counter()
    subprocess.run(cmd, cwd=map_, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, "SCHEMATHESIS_HOOKS": ""}, check=False)
    return time.perf_counter() - start


def fase(basis: str, dienst: str, sleutel: str, voorbeelden: int, map_: Path) -> tuple[float, int]:
    run = Path(tempfile.mkdtemp(dir=map_))
    (run / "doel.json").write_text(json.dumps({
        "naam": "benchmark", "diensten": {dienst: basis}, "api_sleutel_variabele": "BENCH_SLEUTEL",
        "alleen_lezen": False, "specs": "live", "max_verzoeken_per_seconde": None}))
    env = {**os.environ, "BENCH_SLEUTEL": sleutel, "DSO_CONTRACTEN_VOORBEELDEN": str(voorbeelden),
           "DSO_CONTRACTEN_SEED": str(SEED)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "dso_acceptatie.fasen.contracten", "--run-map", str(run),
                    "--doel", str(run / "doel.json"), "--run-id", "benchmark"], cwd=PROJECT,
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    duur = time.perf_counter() - start
    records = len((run / "records" / "contracten.jsonl").read_text(encoding="utf-8").splitlines())
    return duur, records


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dienst", default="locatieserver", choices=sorted(DIENSTEN))
    p.add_argument("--voorbeelden", type=int, default=20)
    p.add_argument("--herhalingen", type=int, default=3)
    args = p.parse_args()
    sleutel = "bench-" + secrets.token_hex(8)
    os.environ["REFERENTIE_LV_LIMIETEN"] = "*=0"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "data").mkdir()
        with ReferentieLV(api_sleutel=sleutel, data_map=tmp / "data", log=tmp / "lv.log") as lv:
            basis = lv.origin + DIENSTEN[args.dienst].basispad
            fase(basis, args.dienst, sleutel, 1, tmp)   # warm up (database, caches)
            kale, fasen = [], []
            for i in range(args.herhalingen):
                # Alternate the order so drift in machine load hits both alike.
                if i % 2 == 0:
                    kale.append(kaal(basis, sleutel, args.voorbeelden, tmp))
                    fasen.append(fase(basis, args.dienst, sleutel, args.voorbeelden, tmp))
                else:
                    fasen.append(fase(basis, args.dienst, sleutel, args.voorbeelden, tmp))
                    kale.append(kaal(basis, sleutel, args.voorbeelden, tmp))
    k = statistics.median(kale)
    f = statistics.median(d for d, _ in fasen)
    print(f"dienst {args.dienst}, max-examples {args.voorbeelden}, seed {SEED}, "
          f"{args.herhalingen} herhalingen (mediaan)")
    print(f"kale schemathesis run : {k:6.2f} s   ({', '.join(f'{x:.2f}' for x in kale)})")
    print(f"contracten-fase       : {f:6.2f} s   ({', '.join(f'{d:.2f}' for d, _ in fasen)}; "
          f"{fasen[-1][1]} records)")
    print(f"verhouding            : {f / k:6.2f}×  (doel ≤ 1.20×)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
