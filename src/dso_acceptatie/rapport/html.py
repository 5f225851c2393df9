"""rapport.html: one self-contained, accessible Dutch page built from rapport.json.

Advice and reasons first, then per role / journey / API / delivery / load, then every finding
with its evidence. Styles and the small filter script come from ``reports/`` and are inlined, so
the page works from disk. Charts are inline SVG, each with a text alternative.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from html import escape
from pathlib import Path

from dso_acceptatie.project import project
from dso_acceptatie.rapport import lastgrafieken
from dso_acceptatie.rapport.uitvoer import ADVIES, GROEP_TITEL, UITLEG_OORDEEL
from dso_acceptatie.records import ERNSTEN, STATUSSEN, Masker

MAX_BEVINDINGEN_HTML = 2000
KLASSE = {"accepteren": "accepteren", "accepteren onder voorwaarden": "voorwaarden",
          "afwijzen": "afwijzen", "niet getest": "niet-getest", "niet testbaar": "niet-testbaar",
          "onderbroken": "onderbroken"}
KLEUR = {"accepteren": "#0a6b2b", "accepteren onder voorwaarden": "#7a4a00"}
ROOD = "#a4001d"


def _e(t) -> str:
    return escape("" if t is None else str(t), quote=True)


def _label(tekst: str, klasse: str | None = None) -> str:
    return f'<span class="label l-{klasse or KLASSE.get(tekst, tekst)}">{_e(tekst)}</span>'


def _sjabloon(naam: str) -> str:
    pad = project() / "reports" / naam
    return pad.read_text(encoding="utf-8") if pad.exists() else ""


# ------------------------------------------------------------------------------ charts

def staafgrafiek(titel: str, rijen: list[tuple[str, float | None, str]]) -> str:
    """Horizontal bars: pass rate (0–100 %) per name, coloured by verdict, value as text."""
    if not rijen:
        return ""
    rijen = rijen[:40]
    hoogte, label_b, staaf_b = 22, 260, 380
    h = hoogte * len(rijen) + 30
    gid = "g-" + hashlib.sha256(titel.encode()).hexdigest()[:8]
    delen = [f'<svg class="grafiek" role="img" aria-labelledby="{gid}" '
             f'viewBox="0 0 {label_b + staaf_b + 70} {h}" width="{label_b + staaf_b + 70}" height="{h}">',
             f'<title id="{gid}">{_e(titel)}</title>']
    for i, (naam, pct, oordeel) in enumerate(rijen):
        y = 20 + i * hoogte
        kleur = KLEUR.get(oordeel, ROOD)
        breedte = 0 if pct is None else staaf_b * pct / 100
        delen.append(f'<text x="{label_b - 6}" y="{y + 14}" text-anchor="end">{_e(naam[:40])}</text>')
        delen.append(f'<rect x="{label_b}" y="{y + 3}" width="{staaf_b}" height="{hoogte - 8}" '
                     f'fill="#f3f3f3" stroke="#8a8a8a"/>')
        delen.append(f'<rect x="{label_b}" y="{y + 3}" width="{breedte:.1f}" height="{hoogte - 8}" fill="{kleur}"/>')
        waarde = "geen" if pct is None else f"{pct:.0f}%"
        delen.append(f'<text x="{label_b + staaf_b + 6}" y="{y + 14}">{waarde}</text>')
    delen.append(f'<text x="{label_b}" y="12">0%</text><text x="{label_b + staaf_b}" y="12" '
                 'text-anchor="end">100%</text></svg>')
    return "".join(delen)


def latentiegrafiek(metingen: list[dict]) -> str:
    """p95 per endpoint as a bar, the SLO limit as a vertical mark."""
    per_endpoint = {m["endpoint"]: m for m in metingen
                    if m.get("slo") == "p95-latentie" and isinstance(m.get("gemeten"), (int, float))}
    if not per_endpoint:
        return ""
    # worst first (measured against its limit), at most 30 bars; the table has every SLO
    rijen = sorted(per_endpoint.values(), key=lambda m: -m["gemeten"] / (m.get("grens") or m["gemeten"] or 1))[:30]
    schaal = max(max(m["gemeten"] for m in rijen), max((m.get("grens") or 0) for m in rijen), 1) * 1.1
    hoogte, label_b, staaf_b = 22, 300, 360
    h = hoogte * len(rijen) + 30
    b = label_b + staaf_b + 110
    delen = [f'<svg class="grafiek" role="img" aria-labelledby="g-latentie" viewBox="0 0 {b} {h}" '
             f'width="{b}" height="{h}"><title id="g-latentie">p95-latentie per endpoint '
             'tegen de SLO-grens (streep)</title>']
    for i, m in enumerate(rijen):
        y = 20 + i * hoogte
        kleur = "#0a6b2b" if m["status"] == "geslaagd" else ROOD if m["status"] == "gefaald" else "#7a4a00"
        delen.append(f'<text x="{label_b - 6}" y="{y + 14}" text-anchor="end">{_e(m["endpoint"][:46])}</text>')
        delen.append(f'<rect x="{label_b}" y="{y + 3}" width="{staf(m["gemeten"], schaal, staaf_b):.1f}" '
                     f'height="{hoogte - 8}" fill="{kleur}"/>')
        if isinstance(m.get("grens"), (int, float)):
            x = label_b + staf(m["grens"], schaal, staaf_b)
            delen.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{y + hoogte}" stroke="#1a1a1a" '
                         'stroke-width="2" stroke-dasharray="3 2"/>')
        delen.append(f'<text x="{label_b + staaf_b + 6}" y="{y + 14}">{m["gemeten"]:.0f} / '
                     f'{_e(m.get("grens"))} ms</text>')
    delen.append("</svg>")
    return "".join(delen)


def staf(waarde: float, schaal: float, breedte: float) -> float:
    return max(0.0, min(breedte, breedte * waarde / schaal))


def trendgrafiek(trend: list[dict]) -> str:
    punten = [t for t in trend if isinstance(t.get("slagingspercentage"), (int, float))]
    if len(punten) < 2:
        return ""
    b, h, marge = 640, 200, 52
    stap = (b - 2 * marge) / (len(punten) - 1)
    xy = [(marge + i * stap, h - marge - (h - 2 * marge) * t["slagingspercentage"] / 100)
          for i, t in enumerate(punten)]
    delen = [f'<svg class="grafiek" role="img" aria-labelledby="g-trend" viewBox="0 0 {b} {h}" width="{b}" '
             f'height="{h}"><title id="g-trend">Slagingspercentage over de laatste {len(punten)} runs</title>',
             f'<line x1="{marge}" x2="{b - marge}" y1="{h - marge}" y2="{h - marge}" stroke="#8a8a8a"/>',
             f'<text x="4" y="{marge + 4}">100%</text><text x="4" y="{h - marge + 4}">0%</text>',
             '<polyline fill="none" stroke="#00458a" stroke-width="2" points="'
             + " ".join(f"{x:.1f},{y:.1f}" for x, y in xy) + '"/>']
    for (x, y), t in zip(xy, punten, strict=True):
        delen.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#00458a"/>')
        delen.append(f'<text x="{x:.1f}" y="{h - marge + 16}" text-anchor="middle">'
                     f'{_e(t.get("pi") or (t.get("datum") or "")[5:])}</text>')
    delen.append("</svg>")
    return "".join(delen)


# ------------------------------------------------------------------------------ page parts

def _groepentabel(soort: str, groepen: list[dict], kop_id: str) -> str:
    kolommen = ("geslaagd", "gefaald", "geblokkeerd", "overgeslagen")
    rijen = []
    for g in groepen:
        t = g["telling"]
        p = g["slagingspercentage"]
        extra = [f"{g['bekend']} bekend (telt niet mee)"] if g["bekend"] and g["oordeel"] != "accepteren" else []
        rijen.append(f"<tr><th scope=\"row\">{_e(g['titel'])}</th><td>{_label(g['oordeel'])}</td>"
                     + "".join(f'<td class="getal">{t[s]}</td>' for s in kolommen)
                     + f'<td class="getal">{"—" if p is None else f"{p:.0f}%"}</td><td class="waarom">'
                     + "<br>".join(_e(r) for r in g["redenen"] + extra) + "</td></tr>")
    return (f'<table aria-labelledby="{kop_id}"><thead><tr><th scope="col">{_e(soort)}</th>'
            '<th scope="col">oordeel</th>'
            + "".join(f'<th scope="col" class="getal">{s}</th>' for s in kolommen)
            + '<th scope="col" class="getal">geslaagd %</th><th scope="col">waarom</th></tr></thead><tbody>'
            + "".join(rijen) + "</tbody></table>")


UITTREKSEL_SOORTEN = (".json", ".xml", ".svrl", ".csv", ".txt", ".log")
MAX_UITTREKSEL = 800


@functools.lru_cache(maxsize=8)
def _masker(run_map: Path) -> Masker:
    variabelen = ["DSO_API_KEY"]
    with contextlib.suppress(OSError, ValueError, AttributeError):
        doel = json.loads((run_map / "doel.json").read_text(encoding="utf-8"))
        variabelen.append(doel.get("api_sleutel_variabele"))
    return Masker.uit_omgeving(variabelen)


def _uittreksel(run_map: Path | None, pad: str, cache: dict[str, str | None]) -> str | None:
    """The start of a small text evidence file (SVRL, JSON, locust CSV), to read without opening it."""
    if run_map is None or not pad.lower().endswith(UITTREKSEL_SOORTEN):
        return None
    if pad not in cache:
        cache[pad] = None
        try:
            bestand = (run_map / pad).resolve()
            if bestand.is_relative_to(run_map.resolve()) and bestand.stat().st_size <= 1_000_000:
                with open(bestand, encoding="utf-8", errors="replace") as f:
                    tekst = f.read(MAX_UITTREKSEL + 1)
                # evidence is masked by the phases already; mask again, a report must never leak
                cache[pad] = _masker(run_map)(tekst[:MAX_UITTREKSEL]) + (" …" if len(tekst) > MAX_UITTREKSEL else "")
        except OSError:
            pass
    return cache[pad]


def _bewijs(b: dict, run_map: Path | None = None, cache: dict | None = None) -> str:
    cache = {} if cache is None else cache
    delen = []
    for x in b["bewijs"]:
        pad = x["pad"]
        if not x["bestaat"]:
            delen.append(f'<li><span class="ontbreekt">ontbreekt:</span> <code>{_e(pad)}</code></li>')
            continue
        tekst = f'<a href="{_e(pad)}">{_e(pad)}</a>'
        if pad.endswith(".zip") and "trace" in pad:
            tekst += f' — bekijk met <code>npx playwright show-trace {_e(pad)}</code>'
        if pad.endswith(".png"):
            tekst = (f'<a href="{_e(pad)}"><img src="{_e(pad)}" loading="lazy" width="320" '
                     f'alt="Schermafdruk {_e(pad.rsplit("/", 1)[-1])}"></a><br>{tekst}')
        uittreksel = _uittreksel(run_map, pad, cache)
        if uittreksel:
            tekst += f"<pre>{_e(uittreksel)}</pre>"
        delen.append(f"<li>{tekst}</li>")
    uit = f"<ul>{''.join(delen)}</ul>" if delen else ""
    if b.get("curl"):
        uit += f"<p>Reproduceren (zet eerst <code>DSO_API_KEY</code>):</p><pre>{_e(b['curl'])}</pre>"
    return uit


def _bevindingen(rj: dict, run_map: Path | None = None) -> str:
    alle = [b for b in rj["bevindingen"] if not b["zelfcontrole"]]
    getoond = alle[:MAX_BEVINDINGEN_HTML]
    filters = ('<form id="filters" class="filters" hidden aria-describedby="filter-telling">'
               '<fieldset><legend>Ernst</legend>'
               + "".join(f'<label><input type="checkbox" name="ernst" value="{e}" checked> {e}</label>'
                         for e in ERNSTEN)
               + '</fieldset><fieldset><legend>Status</legend>'
               + "".join(f'<label><input type="checkbox" name="status" value="{s}" checked> {s}</label>'
                         for s in STATUSSEN if s != "geslaagd")
               + '</fieldset><p id="filter-telling" role="status" aria-live="polite"></p></form>')
    items = []
    cache: dict[str, str | None] = {}
    for b in getoond:
        extra = ""
        if b["bekend"]:
            extra = " " + _label(f"bekend: {b['bekend']}", "bekend")
        if b["verlopen"]:
            extra = " " + _label(f"verlopen: {b['verlopen']}", "gefaald")
        items.append(
            f'<details class="bevinding" data-ernst="{_e(b["ernst"])}" data-status="{_e(b["status"])}">'
            f"<summary>{_label(b['status'])} <strong>{_e(b['ernst'])}</strong> — {_e(b['component'])}: "
            f"{_e(b['onderwerp'])} — <code>{_e(b['controle'])}</code>{extra}</summary>"
            f"<p>{_e(b['bericht'])}</p><p class=\"meta\">fase {_e(b['fase'])}; sleutel "
            f"<code>{_e(b['sleutel'])}</code></p>{_bewijs(b, run_map, cache)}</details>")
    meer = ""
    if len(alle) > len(getoond):
        meer = (f"<p><strong>De eerste {len(getoond)} van {len(alle)} bevindingen staan hier</strong> "
                "(op ernst gesorteerd); alle staan in <a href=\"rapport.json\">rapport.json</a> en "
                "<a href=\"junit.xml\">junit.xml</a>.</p>")
    if not alle:
        return "<p>Geen bevindingen: elke controle is geslaagd.</p>"
    return filters + meer + "".join(items)


def bouw_html(rj: dict, run_map: Path | None = None) -> str:
    o = rj["oordeel"]
    t = rj["totaal"]["telling"]
    delen: list[str] = []
    delen.append(
        f'<section aria-labelledby="advies"><h2 id="advies">Advies en redenen</h2>'
        f'<div class="oordeel o-{KLASSE[o]}"><p class="woord">Oordeel: {_e(o.upper())}</p>'
        f"<p>{_e(UITLEG_OORDEEL[o])}. Exitcode {rj['exitcode']}.</p>"
        f"<p><strong>Advies:</strong> {_e(ADVIES[o])}</p><h3>Redenen</h3><ul>"
        + "".join(f"<li>{_e(r)}</li>" for r in rj["redenen"]) + "</ul>"
        + (f"<p>Sinds de vorige run: {len(rj['vergelijking']['nieuw'])} nieuw, "
           f"{len(rj['vergelijking']['opgelost'])} opgelost (zie <a href=\"#verschil\">verschil</a>).</p>"
           if rj.get("vergelijking") else "") + "</div>"
        "<p>Controles: " + ", ".join(f"{t[s]} {s}" for s in STATUSSEN)
        + (f"; {rj['totaal']['bekend']} bekend (tellen niet mee)" if rj["totaal"]["bekend"] else "")
        + f". Records gelezen: {rj['aantal_records']}.</p></section>")
    for soort in ("rol", "klantreis", "api", "levering", "slo", "operatie", "component"):
        groepen = rj["groepen"][soort]
        if not groepen:
            continue
        kop = f"groep-{soort}"
        grafiek = ""
        if soort in ("klantreis", "api"):
            grafiek = staafgrafiek(f"Slagingspercentage {GROEP_TITEL[soort].lower()}",
                                   [(g["titel"], g["slagingspercentage"], g["oordeel"]) for g in groepen])
            grafiek += ('<p class="meta">Balk: aandeel geslaagde van de uitgevoerde controles. Kleur: '
                        "groen accepteren, bruin onder voorwaarden, rood afwijzen of niet getest; het "
                        "oordeel staat ook in de tabel.</p>")
        if soort == "slo":
            grafiek = latentiegrafiek(rj["metingen"])
            if grafiek:
                grafiek += ('<p class="meta">Balk: gemeten p95-latentie per endpoint (ergste eerst, '
                            "hoogstens 30); streep: de SLO-grens. Groen gehaald, rood overschreden.</p>")
            grafiek += lastgrafieken.als_html(run_map)
        inhoud = _groepentabel(soort, groepen, kop)
        if soort == "rol":
            inhoud += "".join(
                f"<details><summary>Aangetoond voor {_e(g['titel'])} ({len(rj['aangetoond_per_rol'][g['naam']])}"
                f"{'+' if len(rj['aangetoond_per_rol'][g['naam']]) >= 500 else ''})</summary><ul>"
                + "".join(f"<li>{_e(x)}</li>" for x in rj["aangetoond_per_rol"][g["naam"]]) + "</ul></details>"
                for g in groepen if rj["aangetoond_per_rol"].get(g["naam"]))
        if soort in ("operatie", "component", "levering") and len(groepen) > 15:
            inhoud = f"<details><summary>Toon alle {len(groepen)}</summary>{inhoud}</details>"
        delen.append(f'<section aria-labelledby="{kop}"><h2 id="{kop}">{_e(GROEP_TITEL[soort])}</h2>'
                     f"{grafiek}{inhoud}</section>")
    v = rj.get("vergelijking")
    if v:
        delen.append(
            f'<section aria-labelledby="verschil"><h2 id="verschil">Sinds de vorige run</h2>'
            f"<p>Vergeleken met <code>{_e(v['vorige_run'])}</code> (oordeel {_e(v['vorig_oordeel'])}): "
            f"{len(v['nieuw'])} nieuw, {len(v['opgelost'])} opgelost, {len(v['blijvend'])} nog steeds, "
            f"{len(v['niet_meer_gecontroleerd'])} niet meer gecontroleerd.</p>"
            + "".join(f"<h3>{titel}</h3><ul>" + "".join(
                f"<li>{_label(b['ernst'], 'gefaald' if k == 'nieuw' else 'geslaagd')} {_e(b['titel'])}</li>"
                for b in v[k][:15]) + "</ul>"
                + (f"<p>En nog {len(v[k]) - 15}; alle staan in rapport.json.</p>" if len(v[k]) > 15 else "")
                for k, titel in (("nieuw", "Nieuw"), ("opgelost", "Opgelost")) if v[k])
            + "</section>")
    trend = trendgrafiek(rj.get("trend") or [])
    if trend:
        delen.append('<section aria-labelledby="trend"><h2 id="trend">Trend over de laatste runs</h2>'
                     + trend + "<table><caption>Trend (tabel)</caption><thead><tr><th scope=\"col\">run</th>"
                     "<th scope=\"col\">increment</th><th scope=\"col\">oordeel</th><th scope=\"col\" "
                     "class=\"getal\">geslaagd</th><th scope=\"col\" class=\"getal\">gefaald</th></tr></thead>"
                     "<tbody>" + "".join(
                         f"<tr><td><code>{_e(p['run_id'])}</code></td><td>{_e(p.get('pi') or '—')}</td>"
                         f"<td>{_e(p['oordeel'])}</td><td class=\"getal\">{p['geslaagd']}</td>"
                         f"<td class=\"getal\">{p['gefaald']}</td></tr>" for p in rj["trend"])
                     + "</tbody></table></section>")
    delen.append('<section aria-labelledby="bevindingen"><h2 id="bevindingen">Bevindingen</h2>'
                 + _bevindingen(rj, run_map) + "</section>")
    z = rj["zelfcontrole"]
    zelf = [b for b in rj["bevindingen"] if b["zelfcontrole"]]
    if sum(z["telling"].values()):
        delen.append(
            '<section aria-labelledby="zelf"><h2 id="zelf">Zelfcontrole van het harnas</h2>'
            "<p>De validator is op de eigen voorbeeldleveringen van het project getoetst. Dit zegt iets "
            "over het harnas, niet over het doel, en telt <strong>niet</strong> mee voor het oordeel.</p>"
            f"<p>{_label(z['oordeel'])} " + _e(", ".join(f"{z['telling'][s]} {s}" for s in STATUSSEN
                                                         if z["telling"][s])) + "</p>"
            + ("<ul>" + "".join(f"<li>{_label(b['status'])} {_e(b['onderwerp'])}: {_e(b['bericht'])}</li>"
                                for b in zelf[:100]) + "</ul>" if zelf else "") + "</section>")
    if rj["register"]:
        delen.append('<section aria-labelledby="register"><h2 id="register">Register bekende bevindingen</h2>'
                     "<table aria-labelledby=\"register\"><thead><tr><th scope=\"col\">id</th><th scope=\"col\">"
                     "status</th><th scope=\"col\" class=\"getal\">treffers</th><th scope=\"col\">reden</th>"
                     "<th scope=\"col\">eigenaar</th><th scope=\"col\">vervaldatum</th></tr></thead><tbody>"
                     + "".join(
                         f"<tr><th scope=\"row\">{_e(b['id'])}</th><td>{_label(b['status'], 'bekend' if b['status'] == 'bekend' else 'gefaald' if b['status'] == 'verlopen' else 'geslaagd')}</td>"  # noqa: E501 -- one table row
                         f"<td class=\"getal\">{b['treffers']}</td><td>{_e(b['reden'])}"
                         + (f' (<a href="{_e(b["link"])}">link</a>)' if b.get("link") else "")
                         + f"</td><td>{_e(b['eigenaar'])}</td><td>{_e(b['vervaldatum'])}</td></tr>"
                         for b in rj["register"]) + "</tbody></table></section>")
    if rj["administratie"] or rj["afwijkingen"]:
        delen.append('<section aria-labelledby="administratie"><h2 id="administratie">Administratie en '
                     "afwijkingen</h2><p>Administratie (dienst bereikbaar, fase klaar, spec geladen) bewijst "
                     "niets over het doel en telt nooit als geslaagde controle; administratie die niet "
                     "slaagde telt wel tegen.</p><ul>"
                     + "".join(f"<li>{_e(a['fase'])}: {_e(a['controle'])} ({a['aantal']}×)</li>"
                               for a in rj["administratie"][:100])
                     + "".join(f"<li><strong>afwijking:</strong> {_e(a)}</li>" for a in rj["afwijkingen"][:100])
                     + "</ul></section>")
    titel = f"Acceptatierapport {rj['run_id'] or ''} — {o}"
    kop = (f"<header><a class=\"overslaan\" href=\"#inhoud\">Naar de inhoud</a><h1>{_e(titel)}</h1>"
           f"<p class=\"meta\">Doel: <strong>{_e(rj['doel'] or 'onbekend')}</strong>; datum "
           f"{_e(rj['datum'] or 'onbekend')}" + (f"; increment {_e(rj['pi'])}" if rj.get("pi") else "")
           + f"; harnas {_e(rj['harnas_versie'])}. Ook beschikbaar: <a href=\"rapport.json\">rapport.json</a>, "
           "<a href=\"junit.xml\">junit.xml</a>, <a href=\"samenvatting.md\">samenvatting.md</a>, "
           "<a href=\"conformiteitsverklaring.intoto.json\">conformiteitsverklaring</a>.</p></header>")
    return ("<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(titel)}</title><style>{_sjabloon('rapport.css')}</style></head><body>"
            f"{kop}<main id=\"inhoud\" tabindex=\"-1\">{''.join(delen)}</main>"
            "<footer>Gemaakt door dso-acceptatie uit de records van deze run; opnieuw te bouwen met "
            f"<code>dso-acceptatie rapport reports/runs/{_e(rj['run_id'])}</code>.</footer>"
            f"<script>{_sjabloon('rapport.js')}</script></body></html>\n")


def schrijf_html(rj: dict, pad: Path) -> None:
    pad.write_text(bouw_html(rj, pad.parent), encoding="utf-8")
