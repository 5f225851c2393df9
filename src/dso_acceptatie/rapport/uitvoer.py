"""Text outputs from the one model: rapport.json, samenvatting.md, junit.xml and the terminal.

The HTML page lives in :mod:`dso_acceptatie.rapport.html`. Nothing here decides anything.
"""

from __future__ import annotations

import re
from pathlib import Path

import orjson

from dso_acceptatie import __version__
from dso_acceptatie.rapport.model import EXITCODES, GROEPSOORTEN, Model
from dso_acceptatie.records import STATUSSEN

SCHEMA = "dso-acceptatie/rapport/1"
MAX_AANGETOOND = 500   # per role: what passed (component: onderwerp); the counts are always complete
GROEP_TITEL = {"klantreis": "Per klantreis", "api": "Per API", "operatie": "Per API-operatie",
               "levering": "Per levering", "slo": "Per lastcontrole (SLO's, capaciteit, throttling, duur)",
               "component": "Per component",
               "rol": "Per rol"}
UITLEG_OORDEEL = {
    "accepteren": "alle criteria gehaald, met geslaagde controles als bewijs",
    "accepteren onder voorwaarden": "niets gevonden dat afwijzing rechtvaardigt, maar niet alles is "
                                    "aangetoond; de voorwaarden staan hieronder",
    "afwijzen": "bevindingen boven de norm van acceptatiecriteria.toml",
    "niet testbaar": "het doel was niet bereikbaar; er is niets getest",
    "niet getest": "geen enkele controle is geslaagd: niets is aangetoond",
    "onderbroken": "de run is niet afgemaakt",
}

ADVIES = {
    "accepteren": "Vrijgeven: alles wat de criteria vragen is met geslaagde controles aangetoond.",
    "accepteren onder voorwaarden": "Alleen vrijgeven onder voorwaarden: wat hieronder staat is niet "
                                    "aangetoond. Test het alsnog (testdata, sleutel, geblokkeerde "
                                    "controle) of leg de voorwaarde vast.",
    "afwijzen": "Niet vrijgeven. Los eerst de bevindingen boven de norm op (zie 'Bevindingen'), of "
                "neem ze met reden, eigenaar en vervaldatum op in bekende-bevindingen.toml.",
    "niet testbaar": "Geen oordeel over het doel mogelijk: maak het bereikbaar en draai opnieuw.",
    "niet getest": "Niet vrijgeven: er is niets aangetoond. Controleer testdata, API-sleutel en welke "
                   "fasen er draaiden, en draai opnieuw.",
    "onderbroken": "Niet vrijgeven: de run is niet afgemaakt. Draai hem opnieuw tot het einde.",
}


def bewijs_van(r: dict, run_map: Path, cache: dict[str, bool]) -> list[dict]:
    uit = []
    for pad in r.get("bewijs") or []:
        if not isinstance(pad, str):
            continue
        if pad not in cache:
            doel = (run_map / pad)
            try:
                cache[pad] = doel.resolve().is_relative_to(run_map.resolve()) and doel.exists()
            except OSError:
                cache[pad] = False
        uit.append({"pad": pad, "bestaat": cache[pad]})
    return uit


def bevinding_json(r: dict, run_map: Path, cache: dict[str, bool]) -> dict:
    details = r.get("details") or {}
    uit = {"sleutel": r["_sleutel"], "fase": r["fase"], "component": r["component"],
           "onderwerp": r["onderwerp"], "controle": r["controle"], "status": r["status"],
           "ernst": r["ernst"], "bericht": r["bericht"], "bewijs": bewijs_van(r, run_map, cache),
           "bekend": r["_bekend"], "verlopen": r["_verlopen"], "zelfcontrole": r["_zelf"]}
    if isinstance(details.get("curl"), str):
        uit["curl"] = details["curl"]
    return uit


def als_json(m: Model, run_map: Path, *, pi: str | None = None, vergelijking: dict | None = None,
             trend: list[dict] | None = None, criteria: dict | None = None,
             configuratie: dict | None = None) -> dict:
    cache: dict[str, bool] = {}
    return {
        "schema": SCHEMA, "run_id": m.run_id, "doel": m.doel, "datum": m.datum, "pi": pi,
        "harnas_versie": __version__, "oordeel": m.oordeel, "exitcode": m.exitcode,
        "redenen": m.redenen, "uitkomst_run": m.uitkomst_run, "aantal_records": m.aantal_records,
        "totaal": m.totaal.als_json(), "zelfcontrole": m.zelfcontrole.als_json(),
        "groepen": {s: [g.als_json() for _, g in sorted(m.groepen[s].items())] for s in GROEPSOORTEN},
        "fasen": {f: {s: t[s] for s in STATUSSEN} for f, t in sorted(m.fasen.items())},
        "bevindingen": [bevinding_json(r, run_map, cache) for r in m.bevindingen],
        "geslaagd": sorted({r["_sleutel"] for r in m.controles if r["status"] == "geslaagd"}),
        "register": m.register,
        "aangetoond_per_rol": {naam: [f"{c}: {o}" for c, o in sorted(g.aangetoond or ())][:MAX_AANGETOOND]
                               for naam, g in sorted(m.groepen["rol"].items())},
        "administratie": [{"fase": f, "controle": c, "aantal": n}
                          for (f, c), n in sorted(m.administratie.items())],
        "afwijkingen": m.afwijkingen, "metingen": m.metingen,
        "vergelijking": vergelijking, "trend": trend or [],
        "criteria": criteria or {}, "configuratie": configuratie or {},
    }


# ------------------------------------------------------------------------------ markdown

def _cel(tekst) -> str:
    return str(tekst).replace("|", "\\|").replace("\n", " ")


def als_markdown(rj: dict, max_bevindingen: int = 50) -> str:
    t = rj["totaal"]["telling"]
    regels = [f"# Acceptatierapport {rj['run_id'] or ''}".rstrip(), "",
              f"**Oordeel: {rj['oordeel'].upper()}** (exitcode {rj['exitcode']}) — "
              f"{UITLEG_OORDEEL[rj['oordeel']]}", "", f"**Advies:** {ADVIES[rj['oordeel']]}", "",
              f"- Doel: {rj['doel'] or 'onbekend'}; datum: {rj['datum'] or 'onbekend'}"
              + (f"; increment: {rj['pi']}" if rj.get("pi") else ""),
              f"- Controles: {', '.join(f'{t[s]} {s}' for s in STATUSSEN)}"
              + (f"; {rj['totaal']['bekend']} bekend" if rj["totaal"]["bekend"] else ""),
              "", "## Waarom", ""]
    regels += [f"- {_cel(r)}" for r in rj["redenen"]]
    rollen = rj["groepen"]["rol"]
    if rollen:
        regels += ["", "## Per rol", "", "| rol | oordeel | geslaagd | gefaald | overgeslagen | geblokkeerd |",
                   "|---|---|---|---|---|---|"]
        regels += [f"| {_cel(g['titel'])} | {g['oordeel']} | {g['telling']['geslaagd']} | "
                   f"{g['telling']['gefaald']} | {g['telling']['overgeslagen']} | "
                   f"{g['telling']['geblokkeerd']} |" for g in rollen]
    for soort in ("klantreis", "api", "levering", "slo"):
        groepen = rj["groepen"][soort]
        if not groepen:
            continue
        regels += ["", f"## {GROEP_TITEL[soort]}", "", "| naam | oordeel | geslaagd | niet geslaagd |",
                   "|---|---|---|---|"]
        regels += [f"| {_cel(g['titel'])} | {g['oordeel']} | {g['telling']['geslaagd']} | "
                   f"{sum(g['telling'].values()) - g['telling']['geslaagd']} |" for g in groepen]
    v = rj.get("vergelijking")
    if v:
        regels += ["", f"## Sinds de vorige run ({v['vorige_run']})", "",
                   f"- nieuw: {len(v['nieuw'])}; opgelost: {len(v['opgelost'])}; "
                   f"nog steeds: {len(v['blijvend'])}; niet meer gecontroleerd: "
                   f"{len(v['niet_meer_gecontroleerd'])}"]
        regels += [f"  - nieuw: {_cel(b['titel'])}" for b in v["nieuw"][:10]]
    tellend = [b for b in rj["bevindingen"] if b["status"] in ("gefaald", "geblokkeerd", "instabiel")
               and not b["zelfcontrole"]]
    regels += ["", f"## Bevindingen ({len(tellend)})", ""]
    if tellend:
        regels += ["| ernst | status | component | onderwerp | controle | bericht |", "|---|---|---|---|---|---|"]
        for b in tellend[:max_bevindingen]:
            status = b["status"] + (f" (bekend: {b['bekend']})" if b["bekend"] else "") + (
                f" (verlopen: {b['verlopen']})" if b["verlopen"] else "")
            regels.append(f"| {b['ernst']} | {_cel(status)} | {_cel(b['component'])} | "
                          f"{_cel(b['onderwerp'])} | {_cel(b['controle'])} | {_cel(b['bericht'][:300])} |")
        if len(tellend) > max_bevindingen:
            regels.append(f"\nEn nog {len(tellend) - max_bevindingen} bevinding(en): zie rapport.html.")
    else:
        regels.append("Geen.")
    z = rj["zelfcontrole"]
    if sum(z["telling"].values()):
        regels += ["", "## Zelfcontrole van het harnas (telt niet mee)", "",
                   f"{z['oordeel']}: " + ", ".join(f"{z['telling'][s]} {s}" for s in STATUSSEN
                                                  if z["telling"][s])]
    opgelost = [b for b in rj["register"] if b["status"] != "bekend"]
    if opgelost:
        regels += ["", "## Register bekende bevindingen", ""]
        regels += [f"- {b['id']}: {b['status']} ({_cel(b['reden'])}; eigenaar {b['eigenaar']}, "
                   f"vervaldatum {b['vervaldatum']})" for b in opgelost]
    regels += ["", "Volledig rapport: `rapport.html`; machineleesbaar: `rapport.json`; CI: `junit.xml`."]
    return "\n".join(regels) + "\n"


# ------------------------------------------------------------------------------ terminal

def als_terminal(rj: dict, run_map: Path) -> str:
    regels = []
    breedte = max([len(g["titel"]) for s in ("rol", "klantreis", "api") for g in rj["groepen"][s]] + [10])
    breedte = min(breedte, 48)
    for soort in ("rol", "klantreis", "api", "levering"):
        groepen = rj["groepen"][soort]
        if not groepen or (soort == "levering" and len(groepen) > 12):
            continue
        regels.append(GROEP_TITEL[soort])
        for g in groepen:
            t = g["telling"]
            regels.append(f"  {g['titel'][:breedte]:<{breedte}}  {g['oordeel']:<28}  "
                          f"{t['geslaagd']} geslaagd, {t['gefaald']} gefaald, "
                          f"{t['overgeslagen']} overgeslagen, {t['geblokkeerd']} geblokkeerd")
    t = rj["totaal"]["telling"]
    regels += ["", "Controles: " + ", ".join(f"{t[s]} {s}" for s in STATUSSEN),
               f"\nOordeel: {rj['oordeel'].upper()} (exitcode {rj['exitcode']})"]
    regels += [f"  - {r}" for r in rj["redenen"]]
    regels += ["", f"Rapport: {run_map / 'rapport.html'}", f"Advies: {ADVIES[rj['oordeel']]}"]
    return "\n".join(regels)


# ------------------------------------------------------------------------------ junit

_ONGELDIG_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(tekst) -> str:
    tekst = str(tekst)
    if _ONGELDIG_XML.search(tekst):
        tekst = _ONGELDIG_XML.sub("\ufffd", tekst)
    return tekst.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _a(tekst) -> str:
    """An attribute value with its quotes; newlines kept as character references."""
    return ('"' + _x(tekst).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")
            .replace("\t", "&#9;") + '"')


def schrijf_junit(m: Model, pad: Path) -> None:
    """One testsuite per component (the harness self-checks in their own suite)."""
    suites: dict[str, list[dict]] = {}
    for r in m.controles:
        naam = "Zelfcontrole harnas" if r["_zelf"] else r["component"] or "onbekend"
        suites.setdefault(naam, []).append(r)
    delen = []
    totaal = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0, "time": 0.0}
    for naam, rs in sorted(suites.items()):
        cases = []
        teller = {"tests": len(rs), "failures": 0, "errors": 0, "skipped": 0, "time": 0.0}
        for r in rs:
            tijd = (r.get("duur_ms") or 0) / 1000 if isinstance(r.get("duur_ms"), (int, float)) else 0.0
            teller["time"] += tijd
            kop = (f'<testcase classname={_a(r["fase"] + "." + (r["component"] or "onbekend"))} '
                   f'name={_a(r["onderwerp"] + " — " + r["controle"])} time="{tijd:.3f}"')
            status = r["status"]
            bericht = f"[{r['ernst']}] {r['bericht']}"
            if r["_bekend"] and status != "geslaagd":
                teller["skipped"] += 1
                cases.append(f"{kop}><skipped message={_a('bekende bevinding ' + r['_bekend'] + ': ' + bericht)}"
                             "/></testcase>")
            elif status == "gefaald" or (status == "instabiel" and not r["_zelf"]):
                teller["failures"] += 1
                cases.append(f"{kop}><failure type={_a(status)} message={_a(bericht[:1000])}>"
                             f"{_x(bericht)}{_bewijs_tekst(r)}</failure></testcase>")
            elif status == "geblokkeerd":
                teller["errors"] += 1
                cases.append(f"{kop}><error type=\"geblokkeerd\" message={_a(bericht[:1000])}>"
                             f"{_x(bericht)}{_bewijs_tekst(r)}</error></testcase>")
            elif status == "overgeslagen":
                teller["skipped"] += 1
                cases.append(f"{kop}><skipped message={_a(bericht[:1000])}/></testcase>")
            else:
                cases.append(f"{kop}/>")
        for k in totaal:
            totaal[k] += teller[k]
        delen.append(f'<testsuite name={_a(naam)} tests="{teller["tests"]}" failures="{teller["failures"]}" '
                     f'errors="{teller["errors"]}" skipped="{teller["skipped"]}" time="{teller["time"]:.3f}"'
                     + (f' timestamp={_a(m.run_start["tijd"][:19])}' if m.run_start else "")
                     + ">\n" + "\n".join(cases) + "\n</testsuite>")
    kop = (f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name={_a("dso-acceptatie " + (m.run_id or ""))} '
           f'tests="{totaal["tests"]}" failures="{totaal["failures"]}" errors="{totaal["errors"]}" '
           f'skipped="{totaal["skipped"]}" time="{totaal["time"]:.3f}">\n')
    pad.write_text(kop + "\n".join(delen) + "\n</testsuites>\n", encoding="utf-8")


def _bewijs_tekst(r: dict) -> str:
    extra = ""
    if r.get("bewijs"):
        extra += "\nBewijs: " + ", ".join(str(b) for b in r["bewijs"])
    curl = (r.get("details") or {}).get("curl")
    if isinstance(curl, str):
        extra += "\nReproduceren: " + curl
    return _x(extra)


def exitcodes_tekst() -> str:
    return ", ".join(f"{c} {o}" for o, c in sorted(EXITCODES.items(), key=lambda x: x[1]))


def schrijf_json(rj: dict, pad: Path) -> None:
    pad.write_bytes(orjson.dumps(rj))
