"""Accessibility on every visited page: axe-core (npm) run in the page, findings per WCAG criterion.

The workers only collect raw axe results (one JSON line per checked page); the phase process turns
them into records afterwards, deduplicated per page and rule over all workers, so a fault on a page
that twenty scenarios pass is one finding, not twenty.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dso_acceptatie.fasen.klantreizen import paden

# WCAG 2.0/2.1 A and AA: what Dutch law (Besluit digitale toegankelijkheid overheid, EN 301 549)
# requires; axe's best-practice rules are advice, not a finding.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
IMPACT_ERNST = {"critical": "ernstig", "serious": "ernstig", "moderate": "hinderlijk",
                "minor": "cosmetisch"}
_WCAG_CRITERIUM = re.compile(r"^wcag(\d)(\d)(\d+)$")

_bron_lock = threading.Lock()
_bron: str | None = None


def axe_bron(pad: Path = paden.AXE) -> str:
    global _bron
    with _bron_lock:
        if _bron is None:
            _bron = pad.read_text(encoding="utf-8")
        return _bron


def pagina_sleutel(url: str, titel: str) -> str:
    """One check per page kind: the path (no query: that is the user's input) and the title."""
    return f"{urlsplit(url).path}|{titel}"


def voer_uit(page) -> dict:
    """Run axe-core in ``page`` and return its result (violations only, trimmed)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_bron())
    return page.evaluate(
        """async (tags) => {
            const r = await window.axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                       resultTypes: ['violations']});
            return {versie: window.axe.version, violations: r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags,
                nodes: v.nodes.slice(0, 10).map(n => ({target: n.target, html: n.html.slice(0, 300),
                                                       samenvatting: n.failureSummary}))}))};
        }""", WCAG_TAGS)


def criteria(tags: list[str]) -> list[str]:
    """WCAG success criteria from axe tags: 'wcag143' -> '1.4.3'."""
    uit = []
    for t in tags:
        m = _WCAG_CRITERIUM.match(t)
        if m:
            uit.append(f"{m.group(1)}.{m.group(2)}.{m.group(3)}")
    return uit


def niveau(tags: list[str]) -> str:
    if "wcag2a" in tags or "wcag21a" in tags:
        return "A"
    if "wcag2aa" in tags or "wcag21aa" in tags:
        return "AA"
    return "?"


def lees_ruwe_resultaten(map_: Path) -> list[dict]:
    uit: list[dict] = []
    for bestand in sorted(map_.glob("*.jsonl")):
        for regel in bestand.read_text(encoding="utf-8").splitlines():
            try:
                uit.append(json.loads(regel))
            except json.JSONDecodeError:
                continue   # a torn line of a killed worker
    return uit


@dataclass
class Uitkomst:
    """What :func:`schrijf_records` wrote, for the phase's own summary."""
    gecontroleerd: int = 0    # page kinds (paths) axe-core checked
    bevindingen: int = 0      # (page, rule) violations written as gefaald
    geblokkeerd: int = 0      # page kinds (or variants of them) axe-core could not check


def _per_pagina(ruw: list[dict]) -> dict[str, dict]:
    """Raw results per path: titles seen, titles checked, why others could not be, violations."""
    per_pagina: dict[str, dict] = {}
    for r in ruw:
        p = per_pagina.setdefault(r["pad"], {"titels": set(), "gecontroleerd": set(), "fouten": {},
                                             "overtredingen": {}, "versie": None})
        titel = r.get("titel", "")
        p["titels"].add(titel)
        if r.get("fout"):
            # axe-core did not run on this page: nothing about it is known
            p["fouten"].setdefault(titel, r["fout"])
            continue
        p["gecontroleerd"].add(titel)
        p["versie"] = p["versie"] or r.get("versie")
        for v in r.get("violations", []):
            if v["id"] not in p["overtredingen"]:
                p["overtredingen"][v["id"]] = dict(v, scenario=r.get("scenario"), url=r.get("url"))
    return per_pagina


def schrijf_records(ruw: list[dict], writer, map_rel: str) -> Uitkomst:
    """Records from raw results: one per page kind without findings, one per (page, rule) with.

    A page kind axe-core could not run on (script missing, page crashed, evaluation failed) is
    ``geblokkeerd``, never ``geslaagd``: an accessibility check that did not run proves nothing.
    """
    uitkomst = Uitkomst()
    for pad, p in sorted(_per_pagina(ruw).items()):
        # Name the page by its ordinary title, not by an error variant of it.
        titel = min(p["titels"], key=lambda t: (t.startswith("Fout"), len(t))) if p["titels"] else ""
        onderwerp = f"toegankelijkheid: {pad}"
        ongecontroleerd = sorted(set(p["fouten"]) - p["gecontroleerd"])
        if p["gecontroleerd"]:
            uitkomst.gecontroleerd += 1
        for regel_id, v in sorted(p["overtredingen"].items()):
            uitkomst.bevindingen += 1
            _schrijf_overtreding(writer, onderwerp, pad, titel, p["versie"], regel_id, v, map_rel)
        if ongecontroleerd:
            uitkomst.geblokkeerd += 1
            redenen = "; ".join(f"'{t}': {p['fouten'][t]}" for t in ongecontroleerd)
            writer.schrijf(component="Omgevingsloket", onderwerp=onderwerp,
                           controle="axe-core: WCAG 2.1 A/AA", status="geblokkeerd", ernst="ernstig",
                           bericht=f"axe-core kon niet draaien op {len(ongecontroleerd)} variant(en) "
                                   f"van deze pagina, dus die zijn niet op WCAG 2.1 A/AA "
                                   f"gecontroleerd: {redenen}"[:1000],
                           details={"pad": pad, "titels": ongecontroleerd, "fouten": p["fouten"],
                                    "gecontroleerde_titels": sorted(p["gecontroleerd"])})
        elif not p["overtredingen"]:
            writer.schrijf(component="Omgevingsloket", onderwerp=onderwerp,
                           controle="axe-core: WCAG 2.1 A/AA", status="geslaagd",
                           ernst="informatief",
                           bericht=f"Geen WCAG 2.1 A/AA-overtredingen gevonden op '{titel}' "
                                   f"(axe-core {p['versie']}).",
                           details={"pad": pad, "titels": sorted(p["titels"]),
                                    "axe_versie": p["versie"]})
    return uitkomst


def _schrijf_overtreding(writer, onderwerp: str, pad: str, titel: str, versie, regel_id: str,
                         v: dict, map_rel: str) -> None:
    crit = criteria(v.get("tags", []))
    elementen = [{"element": " ".join(map(str, n.get("target", []))), "html": n.get("html"),
                  "samenvatting": n.get("samenvatting")} for n in v.get("nodes", [])]
    eerste = elementen[0]["element"] if elementen else "?"
    writer.schrijf(
        component="Omgevingsloket", onderwerp=onderwerp, controle=f"axe-core: {regel_id}",
        status="gefaald", ernst=IMPACT_ERNST.get(v.get("impact") or "", "hinderlijk"),
        bericht=(f"WCAG {', '.join(crit) or '?'} (niveau {niveau(v.get('tags', []))}) op "
                 f"'{titel}': {v.get('help')}. Impact: {v.get('impact')}. Element: "
                 f"{eerste}" + (f" (en {len(elementen) - 1} meer)" if len(elementen) > 1
                                else "") + "."),
        bewijs=[map_rel],
        details={"pad": pad, "url": v.get("url"), "wcag": crit, "impact": v.get("impact"),
                 "regel": regel_id, "uitleg": v.get("helpUrl"), "elementen": elementen,
                 "scenario": v.get("scenario"), "axe_versie": versie})
