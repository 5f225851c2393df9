"""Trend and diff between runs, on the stable finding key (:func:`model.sleutel`).

``vergelijk(a, b)`` takes two run folders (or their rapport.json as dicts): what is new in b,
what was fixed (failing in a, passing in b), what still fails, and what b no longer checked (a
finding that simply was not checked is never called fixed).
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson

from dso_acceptatie.configuratie import ConfiguratieFout

TELLEND = ("gefaald", "geblokkeerd", "instabiel")
SCHEMA = "dso-acceptatie/rapport/1"


def lees_rapport_json(run_map: Path) -> dict:
    pad = Path(run_map) / "rapport.json"
    if not pad.exists():
        raise ConfiguratieFout(f"{run_map}: geen rapport.json. Oplossing: bouw het eerst met "
                               f"'dso-acceptatie rapport {run_map}'.")
    try:
        return json.loads(pad.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ConfiguratieFout(f"{pad}: onleesbaar rapport ({e}).") from None


def _tellend(rj: dict) -> dict[str, dict]:
    return {b["sleutel"]: b for b in rj.get("bevindingen", [])
            if b["status"] in TELLEND and not b.get("zelfcontrole")}


def _kort(b: dict) -> dict:
    return {"sleutel": b["sleutel"], "ernst": b["ernst"], "status": b["status"],
            "titel": f"{b['component']} — {b['onderwerp']} — {b['controle']}", "bericht": b["bericht"][:300]}


def vergelijk(a: Path | dict, b: Path | dict) -> dict:
    ra = a if isinstance(a, dict) else lees_rapport_json(a)
    rb = b if isinstance(b, dict) else lees_rapport_json(b)
    fa, fb = _tellend(ra), _tellend(rb)
    geslaagd_b = set(rb.get("geslaagd", []))
    alle_b = geslaagd_b | {x["sleutel"] for x in rb.get("bevindingen", [])}
    return {
        "vorige_run": ra.get("run_id"), "deze_run": rb.get("run_id"),
        "vorig_oordeel": ra.get("oordeel"), "dit_oordeel": rb.get("oordeel"),
        "nieuw": [_kort(x) for k, x in fb.items() if k not in fa],
        "opgelost": [_kort(x) for k, x in fa.items() if k in geslaagd_b],
        "blijvend": [_kort(x) for k, x in fb.items() if k in fa],
        "niet_meer_gecontroleerd": [_kort(x) for k, x in fa.items() if k not in alle_b],
    }


def vergelijking_als_tekst(v: dict) -> str:
    regels = [f"Vergelijking {v['vorige_run']} → {v['deze_run']}",
              f"Oordeel: {v['vorig_oordeel']} → {v['dit_oordeel']}"]
    for sleutel, titel in (("nieuw", "Nieuw"), ("opgelost", "Opgelost"), ("blijvend", "Nog steeds"),
                           ("niet_meer_gecontroleerd", "Niet meer gecontroleerd")):
        regels.append(f"{titel}: {len(v[sleutel])}")
        regels += [f"  - [{b['ernst']}] {b['titel']}" for b in v[sleutel][:20]]
        if len(v[sleutel]) > 20:
            regels.append(f"  … en nog {len(v[sleutel]) - 20}")
    return "\n".join(regels)


def eerdere_runs(run_map: Path, doel: str | None, maximum: int = 10) -> list[tuple[Path, dict]]:
    """Earlier runs of the same target in the same runs folder, oldest first (by run id, which
    starts with a UTC timestamp), each with its rapport.json. Runs without one are left out."""
    run_map = Path(run_map)
    uit = []
    try:
        broers = sorted(p for p in run_map.parent.iterdir() if p.is_dir() and p.name < run_map.name)
    except OSError:
        return []
    for p in reversed(broers):
        pad = p / "rapport.json"
        if not pad.exists():
            continue
        try:
            rj = orjson.loads(pad.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            continue
        if isinstance(rj, dict) and rj.get("schema") == SCHEMA and rj.get("doel") == doel:
            uit.append((p, rj))
            if len(uit) >= maximum:
                break
    return list(reversed(uit))


def trendpunt(rj: dict) -> dict:
    t = rj["totaal"]["telling"]
    return {"run_id": rj.get("run_id"), "datum": rj.get("datum"), "pi": rj.get("pi"),
            "oordeel": rj.get("oordeel"), "geslaagd": t["geslaagd"], "gefaald": t["gefaald"],
            "geblokkeerd": t["geblokkeerd"], "overgeslagen": t["overgeslagen"],
            "slagingspercentage": rj["totaal"].get("slagingspercentage")}
