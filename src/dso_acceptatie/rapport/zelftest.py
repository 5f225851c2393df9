"""The zelftest as a report: ``rapport.json`` and ``rapport.html`` in the zelftest folder, next to
``zelftest.md`` and ``zelftest.json``, in the look of the acceptance report (same stylesheet, same
labels). Each row links the run folder (and its ``rapport.html``) of the run behind it.

It reads only what the zelftest wrote (``zelftest.json``); it decides nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from dso_acceptatie import __version__
from dso_acceptatie.rapport.html import _e, _label, _sjabloon, staafgrafiek

SCHEMA = "dso-acceptatie/zelftest/1"
UITSLAG_KLASSE = {"gedood": "geslaagd", "schoon": "geslaagd", "GEMIST": "gefaald", "niet toegepast": "overgeslagen"}


def _relatief(pad: str, map_: Path) -> str | None:
    if not pad:
        return None
    try:
        return Path(os.path.relpath(Path(pad).resolve(), map_.resolve())).as_posix()
    except ValueError:   # another drive (Windows): no relative link
        return None


def als_json(verslag: dict, map_: Path) -> dict:
    """rapport.json of a zelftest: the verdict, the score and one row per run, links relative to ``map_``."""
    rijen = []
    for u in verslag["uitslagen"]:
        run = _relatief(u.get("run_map", ""), map_)
        rijen.append({
            "mutatie": u["mutatie"], "schoon": u["schoon"], "fase": u["fase"], "toegepast": u["toegepast"],
            "afgewezen_door": u["afgewezen_door"], "binnen_norm": u.get("binnen_norm") or [],
            "oordeel": u["oordeel"], "uitslag": u["uitslag"],
            "redenen": u["redenen"], "duur_s": u["duur_s"], "run_map": run,
            "rapport": f"{run}/rapport.html" if run else None,
        })
    return {
        "schema": SCHEMA, "harnas_versie": __version__, "doel": verslag.get("doel"),
        "snel": verslag.get("snel"), "omgeving": verslag.get("omgeving") or {}, "duur_s": verslag.get("duur_s"),
        "geslaagd": verslag["geslaagd"], "score": verslag["score"],
        "niet_toegepast": verslag.get("niet_toegepast") or [], "rijen": rijen,
    }


def bouw_html(rj: dict, titel_tijd: str = "") -> str:
    gedood, totaal = rj["score"]["gedood"], rj["score"]["totaal"]
    oordeel = "geslaagd" if rj["geslaagd"] else "niet geslaagd"
    klasse = "accepteren" if rj["geslaagd"] else "afwijzen"
    schoon = [r for r in rj["rijen"] if r["schoon"]]
    vuil = [r for r in schoon if r["uitslag"] != "schoon"]
    gemist = [r for r in rj["rijen"] if not r["schoon"] and r["uitslag"] == "GEMIST"]
    redenen = []
    if vuil:
        redenen += [f"schone run '{r['mutatie']}' ({r['fase']}) is niet schoon: {r['uitslag']}" for r in vuil]
    redenen += [f"mutatie '{r['mutatie']}' is GEMIST: oordeel {r['oordeel']}" for r in gemist]
    if not totaal:
        redenen.append("geen enkele mutatie is toegepast: er is niets aangetoond")
    if not redenen:
        redenen.append(f"elke schone run geaccepteerd en schoon; elke toegepaste mutatie afgewezen ({gedood}/{totaal})")
    if rj["niet_toegepast"]:
        redenen.append("niet toegepast (telt niet mee): " + ", ".join(rj["niet_toegepast"]))
    pct = 100 * gedood / totaal if totaal else None
    per_fase: dict[str, list[int]] = {}
    for r in rj["rijen"]:
        if not r["schoon"] and r["uitslag"] in ("gedood", "GEMIST"):
            tel = per_fase.setdefault(r["fase"], [0, 0])
            tel[0] += r["uitslag"] == "gedood"
            tel[1] += 1
    grafiek = staafgrafiek("Mutatiescore per fase (gedood van toegepast)",
                           [(f"{fase} ({g}/{t})", 100 * g / t, "accepteren" if g == t else "afwijzen")
                            for fase, (g, t) in per_fase.items()])
    rijen_html = []
    for r in rj["rijen"]:
        naam = _e(r["mutatie"])
        if r["rapport"]:
            naam = (f'<a href="{_e(r["rapport"])}">{naam}</a> '
                    f'<span class="meta">(<a href="{_e(r["run_map"])}/">runmap</a>)</span>')
        toegepast = "—" if r["schoon"] else ("schakelaar" if r["toegepast"] is None else f"{r['toegepast']}×")
        door = ", ".join(r["afgewezen_door"]) or (r["redenen"][0] if r["oordeel"] == "afwijzen" and r["redenen"]
                                                  else "—")
        if not r["afgewezen_door"] and r["binnen_norm"]:
            door += " (gevonden binnen de norm: " + ", ".join(r["binnen_norm"]) + ")"
        rijen_html.append(
            f"<tr><th scope=\"row\">{naam}</th><td class=\"getal\">{_e(toegepast)}</td><td>{_e(r['fase'])}</td>"
            f"<td>{_e(door if not r['schoon'] else '—')}</td><td>{_label(r['oordeel'])}</td>"
            f"<td>{_label(r['uitslag'], UITSLAG_KLASSE.get(r['uitslag'], 'gefaald'))}</td>"
            f"<td class=\"getal\">{r['duur_s']:.0f} s</td></tr>")
    omgeving = ", ".join(f"{k}={v}" for k, v in rj["omgeving"].items())
    inhoud = (
        '<section aria-labelledby="advies"><h2 id="advies">Oordeel van de zelftest</h2>'
        f'<div class="oordeel o-{klasse}"><p class="woord">Zelftest: {_e(oordeel.upper())}</p>'
        f"<p>Mutatiescore: {gedood}/{totaal} gedood"
        + (f" ({pct:.0f}%)" if pct is not None else "") + ". Een mutatie telt alleen als gedood als haar run "
        "eindigt in <em>afwijzen</em>; een bevinding binnen de norm is gemist.</p><h3>Redenen</h3><ul>"
        + "".join(f"<li>{_e(x)}</li>" for x in redenen) + "</ul></div></section>"
        '<section aria-labelledby="mutaties"><h2 id="mutaties">Per mutatie</h2>' + grafiek
        + '<table aria-labelledby="mutaties"><thead><tr><th scope="col">mutatie (rapport van de run)</th>'
        '<th scope="col" class="getal">toegepast</th><th scope="col">fase</th><th scope="col">afgewezen door '
        '(fase/controle, aantal)</th><th scope="col">oordeel</th><th scope="col">uitslag</th>'
        '<th scope="col" class="getal">duur</th></tr></thead><tbody>' + "".join(rijen_html)
        + "</tbody></table></section>")
    titel = f"Zelftest {titel_tijd} — {oordeel}".replace("  ", " ")
    kop = (f"<header><a class=\"overslaan\" href=\"#inhoud\">Naar de inhoud</a><h1>{_e(titel)}</h1>"
           f"<p class=\"meta\">Doel: <strong>{_e(rj['doel'] or 'onbekend')}</strong>; "
           + ("<strong>--snel</strong>" + (f" ({_e(omgeving)})" if omgeving else "") + "; " if rj["snel"] else "")
           + (f"duur {rj['duur_s']:.0f} s; " if rj.get("duur_s") is not None else "")
           + f"harnas {_e(rj['harnas_versie'])}. Ook beschikbaar: <a href=\"rapport.json\">rapport.json</a>, "
           "<a href=\"zelftest.md\">zelftest.md</a>, <a href=\"zelftest.json\">zelftest.json</a>.</p></header>")
    return ("<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(titel)}</title><style>{_sjabloon('rapport.css')}</style></head><body>"
            f"{kop}<main id=\"inhoud\" tabindex=\"-1\">{inhoud}</main>"
            "<footer>Gemaakt door <code>dso-acceptatie zelftest</code> uit de runs hieronder; elke run heeft "
            "zijn eigen acceptatierapport.</footer></body></html>\n")


def schrijf(map_: Path) -> dict:
    """Write rapport.json and rapport.html into the zelftest folder from its zelftest.json."""
    verslag = json.loads((map_ / "zelftest.json").read_text(encoding="utf-8"))
    rj = als_json(verslag, map_)
    (map_ / "rapport.json").write_text(json.dumps(rj, indent=2, ensure_ascii=False), encoding="utf-8")
    (map_ / "rapport.html").write_text(bouw_html(rj, map_.name), encoding="utf-8")
    return rj
