"""Benchmark: how long a full acceptance run takes, as a whole and per phase.

Runs ``dso-acceptatie run`` as a user does (against the reference LV unless other arguments say
otherwise, into a temporary reports folder) and prints:

- the wall time of the whole run, and the machine's load before and after (a loaded machine
  makes every figure larger: compare runs made under the same load);
- per phase the time the orchestrator reported ("klaar in … s") and the span of its records;
- for the contracten phase: per service the time of schemathesis and its split over
  schemathesis' own phases (examples, coverage, fuzzing, stateful), from its 'dekking' records,
  and the slowest operations.

    .venv/bin/python benchmarks/acceptatie.py                      # the full run (make acceptatie)
    .venv/bin/python benchmarks/acceptatie.py --fase contracten    # one phase
    .venv/bin/python benchmarks/acceptatie.py --herhalingen 3 --json uit.json -- --fouten 503-deel

Arguments after ``--`` (and unknown ones such as ``--fase``) go to ``dso-acceptatie run``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
KLAAR = re.compile(r"\[\d+/\d+\] (?P<fase>[\w-]+): klaar in (?P<s>[\d.]+) s")


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def _records(run_map: Path) -> dict[str, list[dict]]:
    uit: dict[str, list[dict]] = {}
    for pad in sorted((run_map / "records").glob("*.jsonl")):
        regels = pad.read_text(encoding="utf-8").splitlines()
        uit[pad.stem] = [json.loads(r) for r in regels if r.strip()]
    return uit


def _span_s(records: list[dict]) -> float | None:
    tijden = [datetime.fromisoformat(r["tijd"]) for r in records if r.get("tijd")]
    return (max(tijden) - min(tijden)).total_seconds() if len(tijden) > 1 else None


def contracten(records: list[dict]) -> dict:
    """Per service: schemathesis time and its phases; the slowest operations; the phase total."""
    diensten, operaties = {}, Counter()
    for r in records:
        if r.get("controle") != "dekking":
            continue
        d = r.get("details") or {}
        diensten[r["component"]] = {
            "duur_s": round((r.get("duur_ms") or 0) / 1000, 1),
            "operaties": f"{d.get('operaties_getest')}/{d.get('operaties_totaal')}",
            "tijdsbudget_op": d.get("tijdsbudget_op"),
            "fasen_s": {f: v for f, v in (d.get("fase_duur_s") or {}).items() if v >= 0.05}}
        for label, per_fase in (d.get("operatie_duur_s") or {}).items():
            operaties[f"{r['component']} {label}"] = round(sum(per_fase.values()), 1)
    per_fase = Counter()
    for d in diensten.values():
        per_fase.update(d["fasen_s"])
    einde = next((r for r in records if r.get("controle") == "fase-einde"), None)
    return {"diensten": diensten,
            "schemathesis_fasen_s": {f: round(v, 1) for f, v in per_fase.most_common()},
            "traagste_operaties": operaties.most_common(8),
            "fase": (einde or {}).get("details")}


def een_run(run_args: list[str], rapporten: Path) -> dict:
    cmd = [str(PROJECT / ".venv" / "bin" / "dso-acceptatie"), "run", "--rapporten", str(rapporten),
           *run_args]
    load_voor = _load()
    start = time.perf_counter()
    proces = subprocess.run(cmd, cwd=PROJECT, capture_output=True, text=True, check=False)
    duur = time.perf_counter() - start
    # Live progress lines end in \r, not \n: split on both.
    regels = re.split(r"[\r\n]+", proces.stdout)
    fasen = {m["fase"]: float(m["s"]) for m in map(KLAAR.search, regels) if m}
    laatste = rapporten / "laatste"
    run_map = laatste.resolve() if laatste.exists() else None
    records = _records(run_map) if run_map else {}
    uitslag = {
        "opdracht": " ".join(cmd[1:]), "exitcode": proces.returncode, "duur_s": round(duur, 1),
        "load_voor": round(load_voor, 1), "load_na": round(_load(), 1), "cores": os.cpu_count(),
        "fasen": {f: {"duur_s": s, "records": len(records.get(f, [])),
                      "records_span_s": _span_s(records.get(f, []))} for f, s in fasen.items()},
        "run_map": str(run_map) if run_map else None}
    if "contracten" in records:
        uitslag["contracten"] = contracten(records["contracten"])
    if not fasen or proces.returncode in (2, 3, 130, 143):
        # no phase ran to the end (configuration, unreachable, interrupted): nothing to time
        uitslag["staart"] = (proces.stdout + proces.stderr)[-2000:]
    return uitslag


def toon(u: dict) -> None:
    print(f"\n{u['opdracht']}\n  totaal {u['duur_s']:.1f} s (exitcode {u['exitcode']}: het oordeel; load "
          f"{u['load_voor']} -> {u['load_na']} op {u['cores']} cores)")
    for fase, f in u["fasen"].items():
        span = f"{f['records_span_s']:.1f} s" if f["records_span_s"] is not None else "-"
        print(f"  {fase:12s} {f['duur_s']:7.1f} s   {f['records']:5d} records (span {span})")
    c = u.get("contracten")
    if c:
        print(f"  contracten per dienst (schemathesis + sondes; fase: {c['fase']}):")
        for dienst, d in sorted(c["diensten"].items(), key=lambda kv: -kv[1]["duur_s"]):
            fasen = " ".join(f"{f}={v:.1f}" for f, v in d["fasen_s"].items())
            op = " TIJDSBUDGET OP" if d["tijdsbudget_op"] else ""
            print(f"    {dienst:25s} {d['duur_s']:6.1f} s  ops {d['operaties']:6s} {fasen}{op}")
        print(f"  schemathesis-fasen opgeteld: {c['schemathesis_fasen_s']}")
        print("  traagste operaties: " + "; ".join(f"{n} {s} s" for n, s in c["traagste_operaties"]))
    if "staart" in u:
        print("  uitvoer (staart):\n" + u["staart"])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--herhalingen", type=int, default=1)
    p.add_argument("--json", type=Path, help="schrijf de metingen ook als JSON hierheen")
    args, run_args = p.parse_known_args(argv)
    run_args = [a for a in run_args if a != "--"]
    metingen = []
    with tempfile.TemporaryDirectory(prefix="bench-acceptatie-") as tmp:
        for i in range(args.herhalingen):
            u = een_run(run_args, Path(tmp) / f"r{i}")
            toon(u)
            metingen.append(u)
    if len(metingen) > 1:
        duren = [m["duur_s"] for m in metingen]
        print(f"\nmediaan {statistics.median(duren):.1f} s, min {min(duren):.1f} s, "
              f"max {max(duren):.1f} s over {len(duren)} runs")
    if args.json:
        args.json.write_text(json.dumps(metingen, indent=1, ensure_ascii=False), encoding="utf-8")
    # Any verdict (accept, reject, conditional, not tested) is a timed run; only a run without
    # a finished phase is not.
    return 0 if all("staart" not in m for m in metingen) else 1


if __name__ == "__main__":
    sys.exit(main())
