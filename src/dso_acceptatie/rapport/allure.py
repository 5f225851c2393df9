"""Allure results for every phase, from the same records: one Allure test per subject (scenario,
operation, delivery, endpoint) with a step per check, written to ``<run>/allure-results``.

The klantreizen phase already writes its scenarios itself (allure-pytest-bdd, with screenshots and
traces attached); its scenario and step records are therefore left out here, its other records
(axe-core, blocked features) are not. File names are derived from the run id and the subject, so
rebuilding the report overwrites instead of duplicating.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import orjson

from dso_acceptatie.rapport.model import Model

STATUS = {"geslaagd": "passed", "instabiel": "passed", "gefaald": "failed", "geblokkeerd": "broken",
          "overgeslagen": "skipped"}
ERNST = {"blokkerend": "blocker", "ernstig": "critical", "hinderlijk": "normal", "cosmetisch": "minor",
         "informatief": "trivial"}
_VOLGORDE = ("failed", "broken", "passed", "skipped")
_ERG = ("geslaagd", "instabiel", "overgeslagen", "geblokkeerd", "gefaald")
NAAMRUIMTE = uuid.UUID("8f0f9c1e-3b7a-4d7e-9c55-1d2d3a4b5c6d")
PREFIX = "dso-"   # our files, next to those of allure-pytest-bdd


def _door_pytest(r: dict) -> bool:
    return r["fase"] == "klantreizen" and (r["controle"] == "scenario" or r["controle"].startswith("stap "))


def _ms(model: Model) -> int:
    tijd = (model.run_start or {}).get("tijd")
    try:
        return int(dt.datetime.fromisoformat(tijd).timestamp() * 1000) if tijd else 0
    except ValueError:
        return 0


def schrijf_allure(model: Model, run_map: Path) -> Path:
    map_ = Path(run_map) / "allure-results"
    map_.mkdir(exist_ok=True)
    for oud in map_.glob(f"{PREFIX}*-result.json"):
        oud.unlink()
    per_onderwerp: dict[tuple[str, str, str], list[dict]] = {}
    for r in model.controles:
        if not _door_pytest(r):
            per_onderwerp.setdefault((r["fase"], r["component"], r["onderwerp"]), []).append(r)
    start = _ms(model)
    for (fase, component, onderwerp), rs in per_onderwerp.items():
        statussen = {STATUS[r["status"]] for r in rs}
        status = next(s for s in _VOLGORDE if s in statussen)
        if status == "passed" and "skipped" in statussen and len(statussen) == 1:
            status = "skipped"
        ergste = max(rs, key=lambda r: _ERG.index(r["status"]))
        ernst = max((r["ernst"] for r in rs if r["status"] != "geslaagd"),
                    key=lambda e: -list(ERNST).index(e), default="informatief")
        sleutel = f"{model.run_id}\x1f{fase}\x1f{component}\x1f{onderwerp}"
        duur = sum(r.get("duur_ms") or 0 for r in rs if isinstance(r.get("duur_ms"), (int, float)))
        resultaat = {
            "uuid": str(uuid.uuid5(NAAMRUIMTE, sleutel)),
            "historyId": str(uuid.uuid5(NAAMRUIMTE, f"{fase}\x1f{component}\x1f{onderwerp}")),
            "name": onderwerp or component, "fullName": f"{fase}.{component}.{onderwerp}",
            "status": status, "stage": "finished", "start": start, "stop": start + int(duur),
            "statusDetails": {"message": ergste["bericht"][:2000] if status != "passed" else "",
                              "flaky": any(r["status"] == "instabiel" for r in rs)},
            "labels": [{"name": "parentSuite", "value": fase}, {"name": "suite", "value": component},
                       {"name": "severity", "value": ERNST[ernst]}, {"name": "framework", "value": "dso-acceptatie"},
                       {"name": "tag", "value": "zelfcontrole"} if any(r["_zelf"] for r in rs) else
                       {"name": "tag", "value": fase}],
            "steps": [{"name": r["controle"], "status": STATUS[r["status"]], "stage": "finished",
                       "statusDetails": {"message": r["bericht"][:2000]}} for r in rs[:500]],
        }
        (map_ / f"{PREFIX}{resultaat['uuid']}-result.json").write_bytes(orjson.dumps(resultaat))
    return map_


def genereer_html(run_map: Path, tijdslimiet_s: float = 180) -> tuple[Path | None, str | None]:
    """The Allure HTML report (``<run>/allure-report``) with the pinned npm ``allure`` package.

    Returns (folder, None) or (None, the Dutch reason it could not be made); never raises.
    """
    import subprocess

    from dso_acceptatie.project import project

    allure = project() / "node_modules" / ".bin" / "allure"
    if not allure.exists():
        return None, (f"{allure} ontbreekt: installeer de npm-pakketten met scripts/setup.sh "
                      "(package-lock.json pint 'allure').")
    uit = Path(run_map) / "allure-report"
    try:
        p = subprocess.run([str(allure), "generate", str(Path(run_map) / "allure-results"), "--output", str(uit),
                            "--report-name", f"dso-acceptatie {Path(run_map).name}"],
                           capture_output=True, text=True, timeout=tijdslimiet_s, cwd=run_map)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"allure generate liep niet: {type(e).__name__}: {e}"
    if p.returncode != 0 or not (uit / "index.html").exists():
        staart = (p.stderr or p.stdout).strip().splitlines()[-3:]
        return None, f"allure generate stopte met code {p.returncode}: {' '.join(staart)[:300]}"
    return uit, None
