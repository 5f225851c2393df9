"""Accessibility on every visited page: axe-core (npm) run in the page, findings per WCAG criterion,
and a walk with the Tab key (WCAG 2.1.1/2.4.3/2.4.7), which axe-core has no rule for.

The workers only collect raw axe results (one JSON line per checked page); the phase process turns
them into records afterwards, deduplicated per page and rule over all workers, so a fault on a page
that twenty scenarios pass is one finding, not twenty.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
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


# --- keyboard (WCAG 2.1.1 Toetsenbord, 2.4.3 Focusvolgorde, 2.4.7 Focus zichtbaar) -----------------
#
# axe-core has no rule for "an interactive element the Tab key never reaches" (tabindex="-1" on a
# link is valid HTML), so the page is walked with real keyboard events: Playwright presses Tab,
# a focusin listener in the page notes every element that gets focus, and afterwards every
# visible, enabled interactive element must have been focused at least once, with a non-zero box
# and a focus style that differs from its unfocused style.

TAB_MAX = 250          # never more presses than this on one page
TAB_PER_RONDE = 10     # presses between two looks at what was reached (one evaluate per round)

_TOETS_INSTALLEER = """() => {
    const KANDIDAAT = 'a[href], area[href], button, input:not([type=hidden]), select, textarea, '
        + 'summary, iframe, [contenteditable=""], [contenteditable=true], [role=button], [role=link], '
        + '[role=checkbox], [role=radio], [role=switch], [role=tab], [role=menuitem], [role=combobox], '
        + '[role=textbox], [role=slider], [role=option], [tabindex]:not([tabindex="-1"])';
    const stijl = (el) => {
        const s = getComputedStyle(el);
        return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.borderColor,
                s.backgroundColor, s.color, s.textDecorationLine].join('|');
    };
    const zichtbaar = (el) => {
        const r = el.getBoundingClientRect();
        if (r.width <= 0 || r.height <= 0) return false;
        if (el.checkVisibility && !el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}))
            return false;
        return !el.closest('[inert]');
    };
    const kandidaten = [...document.querySelectorAll(KANDIDAAT)].filter(
        (el) => !el.matches(':disabled') && zichtbaar(el));
    const staat = {kandidaten, gefocust: new Map(), volgorde: [], rondjes: 0};
    for (const el of kandidaten) staat.gefocust.set(el, null);
    staat.luisteraar = (e) => {
        const el = e.target;
        if (!(el instanceof Element)) return;
        if (staat.volgorde.length && el === staat.volgorde[0]) staat.rondjes++;
        staat.volgorde.push(el);
        const r = el.getBoundingClientRect();
        const eerder = staat.gefocust.get(el);
        if (!eerder) staat.gefocust.set(el, {breed: r.width, hoog: r.height, stijl: stijl(el)});
    };
    document.addEventListener('focusin', staat.luisteraar, true);
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    window.__dsoToetsenbord = staat;
    window.__dsoScroll = [window.scrollX, window.scrollY];
    return kandidaten.length;
}"""

_TOETS_STAND = """() => {
    const s = window.__dsoToetsenbord;
    const bereikt = [...s.gefocust.values()].filter((v) => v).length;
    const groepen = new Set();   // a radio group is one Tab stop; arrow keys move inside it
    for (const [el, v] of s.gefocust) if (v && el.type === 'radio' && el.name) groepen.add(el.name);
    const open = s.kandidaten.filter((el) => !s.gefocust.get(el)
        && !(el.type === 'radio' && el.name && groepen.has(el.name))).length;
    return {open, bereikt, rondjes: s.rondjes, stappen: s.volgorde.length};
}"""

_TOETS_UITKOMST = r"""() => {
    const s = window.__dsoToetsenbord;
    document.removeEventListener('focusin', s.luisteraar, true);
    const groepen = new Set();
    for (const [el, v] of s.gefocust) if (v && el.type === 'radio' && el.name) groepen.add(el.name);
    const selector = (el) => {
        if (el.id) return '#' + CSS.escape(el.id);
        const delen = [];
        for (let e = el; e && e.nodeType === 1 && e !== document.documentElement; e = e.parentElement) {
            if (e.id) { delen.unshift('#' + CSS.escape(e.id)); break; }
            const zelfde = [...(e.parentElement ? e.parentElement.children : [])].filter(
                (x) => x.tagName === e.tagName);
            delen.unshift(e.tagName.toLowerCase()
                + (zelfde.length > 1 ? `:nth-of-type(${zelfde.indexOf(e) + 1})` : ''));
        }
        return delen.join(' > ');
    };
    const label = (el) => {
        const t = (el.getAttribute('aria-label') || (el.labels && el.labels[0] && el.labels[0].innerText)
                   || el.innerText || el.value || el.getAttribute('title') || el.getAttribute('name')
                   || '').trim().replace(/\s+/g, ' ');
        return t.slice(0, 80);
    };
    const beschrijf = (el) => ({tag: el.tagName.toLowerCase(), tekst: label(el), selector: selector(el),
                                tabindex: el.getAttribute('tabindex'), html: el.outerHTML.slice(0, 200)});
    const onbereikbaar = [], onzichtbaar = [], zonder_stijl = [];
    for (const el of s.kandidaten) {
        const v = s.gefocust.get(el);
        if (!v) {
            if (!(el.type === 'radio' && el.name && groepen.has(el.name))) onbereikbaar.push(beschrijf(el));
            continue;
        }
        if (v.breed <= 0 || v.hoog <= 0) { onzichtbaar.push(beschrijf(el)); continue; }
        if (document.activeElement === el) el.blur();
        const gs = getComputedStyle(el);
        const nu = [gs.outlineStyle, gs.outlineWidth, gs.outlineColor, gs.boxShadow, gs.borderColor,
                    gs.backgroundColor, gs.color, gs.textDecorationLine].join('|');
        if (nu === v.stijl) zonder_stijl.push(beschrijf(el));
    }
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    const [x, y] = window.__dsoScroll || [0, 0];
    window.scrollTo(x, y);
    delete window.__dsoToetsenbord;
    return {kandidaten: s.kandidaten.length, bereikt: s.kandidaten.length - onbereikbaar.length,
            tabs: 0, onbereikbaar: onbereikbaar.slice(0, 25), aantal_onbereikbaar: onbereikbaar.length,
            onzichtbaar: onzichtbaar.slice(0, 25), zonder_focusstijl: zonder_stijl.slice(0, 25),
            aantal_zonder_focusstijl: zonder_stijl.length};
}"""


def _tab_toets(page):
    """A Tab press as the browser's own input pipeline gets it: CDP Input.dispatchKeyEvent (what
    Playwright's keyboard.press sends in Chromium), without going through Playwright's actions.

    Why not ``page.keyboard.press``: the klantreizen trace every context with screenshots and DOM
    snapshots, so each press becomes a traced action; on the reference the 52 walks of one run took
    41.9 s summed over the workers with ``press`` and 34.3 s with CDP (one run each, same 867
    presses). Another browser than Chromium has no CDP: then the plain press.
    """
    try:
        cdp = page.context.new_cdp_session(page)
    except Exception:  # noqa: BLE001 - no CDP (Firefox, WebKit): Playwright's own key press
        return (lambda: page.keyboard.press("Tab")), (lambda: None)
    toets = {"key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9, "nativeVirtualKeyCode": 9}

    def druk() -> None:
        cdp.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", **toets})
        cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", **toets})

    def sluit() -> None:
        with contextlib.suppress(Exception):   # page already gone: nothing left to detach
            cdp.detach()
    return druk, sluit


def toetsenbord(page, tab_max: int = TAB_MAX) -> dict:
    """Tab through ``page`` with real key presses; which interactive elements got focus, and how.

    Bounded: at most ``min(2 * candidates + 5, tab_max)`` presses, and it stops as soon as every
    candidate was reached or the focus came back to the first element it reached (a full cycle).
    """
    start = time.monotonic()
    kandidaten = page.evaluate(_TOETS_INSTALLEER)
    druk, sluit = _tab_toets(page)
    try:
        budget = min(2 * kandidaten + 5, tab_max)
        tabs = 0
        # A page whose every element is in the Tab order is done after one press per element (and one
        # to enter the page); only then is it worth looking, then every TAB_PER_RONDE presses.
        ronde = kandidaten + 1
        while tabs < budget:
            for _ in range(min(ronde, budget - tabs)):
                druk()
                tabs += 1
            ronde = TAB_PER_RONDE
            stand = page.evaluate(_TOETS_STAND)
            if stand["open"] == 0 or stand["rondjes"] > 0:
                break
    finally:
        sluit()
    uitkomst = page.evaluate(_TOETS_UITKOMST)
    uitkomst["tabs"] = tabs
    uitkomst["duur_ms"] = round((time.monotonic() - start) * 1000, 1)   # for the benchmark figures
    return uitkomst


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
    toetsenbord: int = 0      # page kinds (paths) walked with the Tab key
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
        _toetsenbord_per_pagina(p, r, titel)
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
        if _schrijf_toetsenbord(writer, onderwerp, pad, titel, p, map_rel, uitkomst):
            uitkomst.toetsenbord += 1
    return uitkomst


def _toetsenbord_per_pagina(p: dict, r: dict, titel: str) -> None:
    """Keyboard results of one raw line into the page's entry: per element, reached anywhere wins."""
    t = p.setdefault("tb", {"gecontroleerd": set(), "fouten": {}, "kandidaten": 0, "tabs": 0,
                            "onbereikbaar": {}, "onzichtbaar": {}, "zonder_focusstijl": {},
                            "bereikt_ergens": set()})
    if r.get("toetsenbord_fout"):
        t["fouten"].setdefault(titel, r["toetsenbord_fout"])
        return
    tb = r.get("toetsenbord")
    if tb is None:
        return   # an axe-only raw line (older runs): the keyboard walk is simply absent
    t["gecontroleerd"].add(titel)
    t["kandidaten"] = max(t["kandidaten"], tb.get("kandidaten", 0))
    t["tabs"] = max(t["tabs"], tb.get("tabs", 0))
    for soort in ("onbereikbaar", "onzichtbaar", "zonder_focusstijl"):
        for el in tb.get(soort, []):
            t[soort].setdefault(el["selector"], dict(el, url=r.get("url"), titel=titel,
                                                     scenario=r.get("scenario")))


_TOETS_CONTROLES = {
    # soort: (controle, WCAG criteria, level, ernst, what is wrong)
    "onbereikbaar": ("toetsenbord: bereikbaar met Tab", ["2.1.1", "2.4.3"], "A", "ernstig",
                     "niet met de Tab-toets te bereiken"),
    "onzichtbaar": ("toetsenbord: focus zichtbaar", ["2.4.7", "2.4.3"], "AA", "ernstig",
                    "krijgt focus maar heeft dan geen afmetingen (de focus verdwijnt uit beeld)"),
    # A style comparison can miss a custom indicator (a ::after, an image): advice-weight finding.
    "zonder_focusstijl": ("toetsenbord: focusstijl", ["2.4.7"], "AA", "hinderlijk",
                          "ziet er met focus precies zo uit als zonder (geen outline, schaduw, rand- "
                          "of achtergrondkleur die verandert)"),
}


def _schrijf_toetsenbord(writer, onderwerp: str, pad: str, titel: str, p: dict, map_rel: str,
                         uitkomst: Uitkomst) -> bool:
    """Records of the Tab walk on one page kind; True if it ran on at least one variant."""
    t = p.get("tb")
    if not t or (not t["gecontroleerd"] and not t["fouten"]):
        return False
    ongecontroleerd = sorted(set(t["fouten"]) - t["gecontroleerd"])
    gevonden = False
    for soort, (controle, crit, niveau_, ernst, wat) in _TOETS_CONTROLES.items():
        elementen = list(t[soort].values())
        if not elementen:
            continue
        gevonden = True
        uitkomst.bevindingen += 1
        namen = "; ".join(f"<{e['tag']}> '{e['tekst'] or '(geen tekst)'}' ({e['selector']})"
                          for e in elementen[:5])
        writer.schrijf(
            component="Omgevingsloket", onderwerp=onderwerp, controle=controle, status="gefaald",
            ernst=ernst,
            bericht=(f"WCAG {', '.join(crit)} (niveau {niveau_}) op '{titel}': {len(elementen)} "
                     f"zichtbaar interactief element(en) {wat}: {namen}"
                     + (f" (en {len(elementen) - 5} meer)" if len(elementen) > 5 else "")
                     + f". Getest met {t['tabs']} Tab-aanslagen op {t['kandidaten']} elementen.")[:1000],
            bewijs=[map_rel],
            details={"pad": pad, "wcag": crit, "elementen": elementen[:25], "aantal": len(elementen),
                     "kandidaten": t["kandidaten"], "tabs": t["tabs"]})
    if ongecontroleerd:
        uitkomst.geblokkeerd += 1
        redenen = "; ".join(f"'{x}': {t['fouten'][x]}" for x in ongecontroleerd)
        writer.schrijf(component="Omgevingsloket", onderwerp=onderwerp,
                       controle="toetsenbord: bereikbaar met Tab", status="geblokkeerd", ernst="ernstig",
                       bericht=f"De toetsenbordcontrole (Tab door de pagina) kon niet draaien op "
                               f"{len(ongecontroleerd)} variant(en) van deze pagina, dus die zijn niet "
                               f"op WCAG 2.1.1/2.4.3 gecontroleerd: {redenen}"[:1000],
                       details={"pad": pad, "titels": ongecontroleerd, "fouten": t["fouten"],
                                "gecontroleerde_titels": sorted(t["gecontroleerd"])})
    elif not gevonden:
        writer.schrijf(component="Omgevingsloket", onderwerp=onderwerp,
                       controle="toetsenbord: bereikbaar met Tab", status="geslaagd", ernst="informatief",
                       bericht=f"Alle {t['kandidaten']} zichtbare interactieve elementen op '{titel}' "
                               f"kregen focus met de Tab-toets, zichtbaar ({t['tabs']} aanslagen).",
                       details={"pad": pad, "kandidaten": t["kandidaten"], "tabs": t["tabs"],
                                "titels": sorted(t["gecontroleerd"])})
    return bool(t["gecontroleerd"])


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
