"""Running the contracten phase as the orchestrator does (a separate process) and reading its
records. The reference LV is started as a process too (dso_acceptatie.referentie), never imported.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from dso_acceptatie.diensten import DIENSTEN
from dso_acceptatie.records import lees_records

PROJECT = Path(__file__).resolve().parents[2]
SLEUTEL_VARIABELE = "DSO_TEST_CONTRACTEN_SLEUTEL"


def nieuwe_sleutel() -> str:
    return "sleutel-" + secrets.token_hex(12)


def draai_fase(run_map: Path, diensten: dict[str, str], *, sleutel: str | None,
               alleen_lezen: bool = False, max_per_seconde: float | None = None,
               specs: str = "live", voorbeelden: int = 2, fasen: str | None = "examples,fuzzing",
               adr: bool = False, extra_env: dict[str, str] | None = None,
               timeout: float = 170) -> list[dict]:
    run_map.mkdir(parents=True, exist_ok=True)
    doel = {"naam": "test", "soort": "extern", "origin": None, "loket": None,
            "diensten": diensten, "api_sleutel_variabele": SLEUTEL_VARIABELE,
            "alleen_lezen": alleen_lezen, "fasen": ["contracten"], "specs": specs,
            "max_verzoeken_per_seconde": max_per_seconde}
    (run_map / "doel.json").write_text(json.dumps(doel), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DSO_CONTRACTEN_")}
    env[SLEUTEL_VARIABELE] = sleutel or ""
    if not sleutel:
        env.pop(SLEUTEL_VARIABELE)
    env["DSO_CONTRACTEN_VOORBEELDEN"] = str(voorbeelden)
    if not adr:   # the ADR lint has its own tests; most tests need not pay for Node
        env["DSO_CONTRACTEN_ADR"] = "0"
    if fasen is not None:
        env["DSO_CONTRACTEN_SCHEMATHESIS_FASEN"] = fasen
    env.update(extra_env or {})
    with open(run_map / "contracten.log", "wb") as log:
        proces = subprocess.run(
            [sys.executable, "-m", "dso_acceptatie.fasen.contracten", "--run-map", str(run_map),
             "--doel", str(run_map / "doel.json"), "--run-id", "test"],
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=PROJECT, timeout=timeout,
            check=False)
    assert proces.returncode == 0, (run_map / "contracten.log").read_text()[-3000:]
    return list(lees_records(run_map))


def dienst_urls(origin: str, namen=None) -> dict[str, str]:
    return {n: origin + d.basispad for n, d in DIENSTEN.items() if namen is None or n in namen}


def gefaald(records: list[dict], *, ernsten=("blokkerend", "ernstig")) -> list[dict]:
    return [r for r in records if r["status"] in ("gefaald", "geblokkeerd") and r["ernst"] in ernsten]


def beschrijf(records: list[dict]) -> str:
    return "\n".join(f"{r['component']} | {r['onderwerp']} | {r['controle']} | {r['status']} "
                     f"{r['ernst']} | {r['bericht'][:200]}" for r in records)
