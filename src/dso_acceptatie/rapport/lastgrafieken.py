"""Charts of the load phase, hand-written SVG (no plotting library): latency percentiles over time
per endpoint with its SLO line, throughput and errors over time, and the ``trap`` curve (users
against p95 per endpoint, with the SLO line and the step where it broke).

Drawn from the run folder's records only: the phase's ``verloop`` record (bookkeeping, per second
per endpoint, written from locust's own ``stats_history.csv``) and the ``capaciteit`` records of
the staircase. :func:`schrijf` puts each chart as a file in ``<run>/grafieken/``;
:func:`als_html` gives the same charts inline for ``rapport.html``. Every chart has a title and a
text description, so it reads without the picture too.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from dso_acceptatie.records import lees_records

BREEDTE, HOOGTE = 640, 240
LINKS, RECHTS, BOVEN, ONDER = 64, 150, 30, 40
# colour and dash per series: distinguishable without colour too
STIJLEN = [("#00458a", ""), ("#a4001d", "6 3"), ("#0a6b2b", "2 3"), ("#7a4a00", "8 3 2 3"),
           ("#5b2a86", "1 2"), ("#00727a", "10 4"), ("#444444", "4 4")]
SLO_KLEUR = "#1a1a1a"   # threshold lines: black, apart from every series colour
BREUK_KLEUR = "#a4001d"


@dataclass(frozen=True)
class Grafiek:
    bestand: str      # file name in grafieken/
    titel: str
    svg: str
    uitleg: str       # the text alternative under the picture


def _e(t) -> str:
    return escape("" if t is None else str(t), quote=True)


def _rond_op(x: float) -> float:
    """A round upper bound for an axis (1, 2, 2.5, 5 × 10^n)."""
    if x <= 0:
        return 1.0
    macht = 10 ** math.floor(math.log10(x))
    for f in (1, 2, 2.5, 5, 10):
        if x <= f * macht:
            return f * macht
    return 10 * macht


def _getal(x: float) -> str:
    return f"{x:.0f}" if abs(x) >= 10 or x == int(x) else f"{x:.1f}"


def lijngrafiek(titel: str, x_as: str, y_as: str,
                reeksen: list[tuple[str, list[float], list[float | None]]],
                drempel: tuple[float, str] | None = None, markeer: tuple[float, str] | None = None) -> str:
    """Lines (gaps where a value is None) on shared axes from 0, a legend on the right, an
    optional horizontal threshold (the SLO) and an optional vertical mark (where it broke)."""
    gid = "lg-" + hashlib.sha256(titel.encode()).hexdigest()[:10]
    xs = [x for _, rx, _ in reeksen for x in rx]
    ys = [y for _, _, ry in reeksen for y in ry if y is not None]
    x_max = _rond_op(max(xs, default=1) or 1)
    y_max = _rond_op(max(ys + ([drempel[0] * 1.1] if drempel else []), default=1) or 1)
    b, h = BREEDTE - LINKS - RECHTS, HOOGTE - BOVEN - ONDER

    def px(x: float) -> float:
        return LINKS + b * x / x_max

    def py(y: float) -> float:
        return BOVEN + h - h * y / y_max

    delen = [f'<svg xmlns="http://www.w3.org/2000/svg" class="grafiek" role="img" '
             f'aria-labelledby="{gid}-t {gid}-d" viewBox="0 0 {BREEDTE} {HOOGTE}" width="{BREEDTE}" '
             f'height="{HOOGTE}" font-family="sans-serif" font-size="11">',
             f'<title id="{gid}-t">{_e(titel)}</title>',
             f'<desc id="{gid}-d">{_e(beschrijving(x_as, y_as, reeksen, drempel))}</desc>',
             f'<text x="{LINKS}" y="16" font-size="12" font-weight="bold">{_e(titel[:90])}</text>']
    for i in range(5):   # grid and axis labels
        y = y_max * i / 4
        delen.append(f'<line x1="{LINKS}" x2="{LINKS + b}" y1="{py(y):.1f}" y2="{py(y):.1f}" '
                     f'stroke="#dddddd"/><text x="{LINKS - 4}" y="{py(y) + 4:.1f}" '
                     f'text-anchor="end">{_getal(y)}</text>')
        x = x_max * i / 4
        delen.append(f'<text x="{px(x):.1f}" y="{BOVEN + h + 14}" text-anchor="middle">{_getal(x)}</text>')
    delen.append(f'<line x1="{LINKS}" x2="{LINKS}" y1="{BOVEN}" y2="{BOVEN + h}" stroke="#8a8a8a"/>'
                 f'<line x1="{LINKS}" x2="{LINKS + b}" y1="{BOVEN + h}" y2="{BOVEN + h}" stroke="#8a8a8a"/>'
                 f'<text x="{LINKS + b / 2:.0f}" y="{HOOGTE - 6}" text-anchor="middle">{_e(x_as)}</text>'
                 f'<text x="12" y="{BOVEN + h / 2:.0f}" text-anchor="middle" '
                 f'transform="rotate(-90 12 {BOVEN + h / 2:.0f})">{_e(y_as)}</text>')
    if drempel is not None:
        delen.append(f'<line x1="{LINKS}" x2="{LINKS + b}" y1="{py(drempel[0]):.1f}" y2="{py(drempel[0]):.1f}" '
                     f'stroke="{SLO_KLEUR}" stroke-width="1.5" stroke-dasharray="2 2"/>'
                     f'<text x="{LINKS + b - 2}" y="{py(drempel[0]) - 4:.1f}" text-anchor="end" '
                     f'fill="{SLO_KLEUR}">{_e(drempel[1])}</text>')
    if markeer is not None:
        # label left of the line: the line is often the last step, at the right edge
        delen.append(f'<line x1="{px(markeer[0]):.1f}" x2="{px(markeer[0]):.1f}" y1="{BOVEN}" '
                     f'y2="{BOVEN + h}" stroke="{BREUK_KLEUR}" stroke-width="1.5"/>'
                     f'<text x="{px(markeer[0]) - 4:.1f}" y="{BOVEN + 12}" text-anchor="end" '
                     f'fill="{BREUK_KLEUR}">{_e(markeer[1])}</text>')
    for i, (naam, rx, ry) in enumerate(reeksen[:len(STIJLEN)]):
        kleur, streep = STIJLEN[i]
        stukken: list[list[str]] = [[]]
        for x, y in zip(rx, ry, strict=False):
            if y is None:
                stukken.append([])
            else:
                stukken[-1].append(f"{px(x):.1f},{py(y):.1f}")
        for stuk in stukken:
            if len(stuk) > 1:
                delen.append(f'<polyline fill="none" stroke="{kleur}" stroke-width="2" '
                             + (f'stroke-dasharray="{streep}" ' if streep else "") + f'points="{" ".join(stuk)}"/>')
            if len(stuk) == 1 or (stuk and len(rx) <= 12):   # few points (a staircase): mark each
                delen += [f'<circle cx="{pt.split(",")[0]}" cy="{pt.split(",")[1]}" r="3" fill="{kleur}"/>'
                          for pt in stuk]
        ly = BOVEN + 6 + 16 * i
        delen.append(f'<line x1="{LINKS + b + 10}" x2="{LINKS + b + 34}" y1="{ly}" y2="{ly}" stroke="{kleur}" '
                     'stroke-width="2"' + (f' stroke-dasharray="{streep}"' if streep else "") + "/>"
                     f'<text x="{LINKS + b + 38}" y="{ly + 4}">{_e(naam[:18])}</text>')
    delen.append("</svg>")
    return "".join(delen)


def beschrijving(x_as: str, y_as: str, reeksen, drempel) -> str:
    delen = []
    for naam, _xs, ry in reeksen:
        waarden = [y for y in ry if y is not None]
        if waarden:
            delen.append(f"{naam}: {len(waarden)} punten, laagste {_getal(min(waarden))}, hoogste "
                         f"{_getal(max(waarden))}, laatste {_getal(waarden[-1])}")
        else:
            delen.append(f"{naam}: geen metingen")
    tekst = f"{y_as} tegen {x_as}. " + "; ".join(delen) + "."
    if drempel is not None:
        tekst += f" Grens: {drempel[1]}."
    return tekst


def _bestandsnaam(tekst: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", tekst.lower()).strip("-")[:60]


def grafieken(records) -> list[Grafiek]:
    """Every load chart of a run, from its records (the last 'verloop' record per profile)."""
    verlopen: dict[str, dict] = {}
    trappen: list[dict] = []
    for r in records:
        if r.get("fase") != "last" or not isinstance(r.get("details"), dict):
            continue
        if r.get("controle") == "verloop" and isinstance(r["details"].get("reeksen"), dict):
            verlopen[str(r["details"].get("profiel"))] = r["details"]
        elif r.get("controle") == "capaciteit" and isinstance(r["details"].get("stappen"), list):
            trappen.append(r)
    uit: list[Grafiek] = []
    for profiel, d in verlopen.items():
        reeksen, slo = d["reeksen"], d.get("slo_p95_ms") or {}
        for endpoint in sorted(e for e in reeksen if e != "Aggregated"):
            s = reeksen[endpoint]
            grens = slo.get(endpoint)
            titel = f"Latentie over de tijd: {endpoint}"
            svg = lijngrafiek(titel, "seconden sinds de start", "antwoordtijd (ms)",
                              [(f"{k[:3]}", s.get("t", []), s.get(k, [])) for k in ("p50_ms", "p95_ms", "p99_ms")],
                              (grens, f"SLO p95 {grens:g} ms") if isinstance(grens, (int, float)) else None)
            uit.append(Grafiek(f"last-{_bestandsnaam(profiel)}-latentie-{_bestandsnaam(endpoint)}.svg", titel, svg,
                               "p50, p95 en p99 van de antwoordtijd (locust, over de laatste ~10 s) per "
                               "seconde; de rode stippellijn is de p95-grens uit slo.toml"))
        totaal = reeksen.get("Aggregated")
        if totaal:
            for sleutel, titel, eenheid in (("doorvoer", "Doorvoer over de tijd", "verzoeken per seconde"),
                                            ("fouten_per_s", "Fouten over de tijd", "mislukte verzoeken per seconde")):
                delen = [("alle", totaal.get("t", []), totaal.get(sleutel, []))] + per_dienst(reeksen, sleutel)[
                    :len(STIJLEN) - 1]
                svg = lijngrafiek(f"{titel} (profiel {profiel})", "seconden sinds de start", eenheid, delen)
                uit.append(Grafiek(f"last-{_bestandsnaam(profiel)}-{_bestandsnaam(sleutel)}.svg",
                                   f"{titel} (profiel {profiel})", svg,
                                   f"{eenheid}, alle endpoints samen en per dienst (som van zijn endpoints; "
                                   "locusts eigen telling)"))
    for r in sorted(trappen, key=lambda x: str(x.get("onderwerp"))):
        d = r["details"]
        stappen = [s for s in d["stappen"] if isinstance(s, dict)]
        grens = d.get("slo_p95_ms")
        brak = d.get("brak_bij_gebruikers")
        titel = f"Trap: p95 per aantal gebruikers, {r.get('onderwerp')}"
        svg = lijngrafiek(titel, "gebruikers (trap)", "p95 (ms)",
                          [("p95", [s.get("gebruikers", 0) for s in stappen], [s.get("p95_ms") for s in stappen])],
                          (grens, f"SLO p95 {grens:g} ms") if isinstance(grens, (int, float)) else None,
                          (brak, f"brak bij {brak}") if isinstance(brak, (int, float)) else None)
        uit.append(Grafiek(f"last-trap-{_bestandsnaam(str(r.get('onderwerp')))}.svg", titel, svg,
                           f"{r.get('bericht')}; hoogste trap die hield: "
                           f"{d.get('hoogste_gehouden_gebruikers') or 'geen'}"))
    return uit


def per_dienst(reeksen: dict, sleutel: str) -> list[tuple[str, list[float], list[float]]]:
    """One series per service: the sum over its endpoints, second by second."""
    sommen: dict[str, dict[float, float]] = {}
    for e in sorted(reeksen):
        if e == "Aggregated" or not isinstance(reeksen[e], dict):
            continue
        som = sommen.setdefault(e.split(" ", 1)[0], {})
        for t, waarde in zip(reeksen[e].get("t", []), reeksen[e].get(sleutel, []), strict=False):
            som[t] = som.get(t, 0.0) + (waarde or 0.0)
    return [(dienst, sorted(som), [som[t] for t in sorted(som)]) for dienst, som in sommen.items()]


def uit_runmap(run_map: Path) -> list[Grafiek]:
    return grafieken(lees_records(run_map))


def schrijf(run_map: Path, map_: Path) -> list[Path]:
    """Write every load chart as an SVG file into ``map_`` (``<run>/grafieken``); none: nothing."""
    lijst = uit_runmap(run_map)
    if not lijst:
        return []
    map_.mkdir(exist_ok=True)
    paden = []
    for g in lijst:
        pad = map_ / g.bestand
        pad.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + g.svg + "\n", encoding="utf-8")
        paden.append(pad)
    return paden


def als_html(run_map: Path | None) -> str:
    """The charts inline, each in a figure with its text alternative and a link to its file."""
    if run_map is None or not (run_map / "records").is_dir():
        return ""
    lijst = uit_runmap(run_map)
    if not lijst:
        return ""
    return ("<h3>Verloop en capaciteit (grafieken)</h3>" + "".join(
        f'<figure class="lastgrafiek">{g.svg}<figcaption>{_e(g.uitleg)} '
        f'(<a href="grafieken/{_e(g.bestand)}">SVG</a>)</figcaption></figure>' for g in lijst))
