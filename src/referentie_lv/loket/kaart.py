"""Draw a map as SVG, server-side, from geometries in RD New (EPSG:28992). No tiles: the
geometries themselves, a scale bar, a north arrow and the address marked."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

BREEDTE = 640
HOOGTE = 480
MARGE = 24

# Fill colours with a dark outline each; text never sits on them, so contrast is about the
# outline against the background (≥ 3:1, WCAG 1.4.11 non-text contrast).
KLEUREN = [
    ("#1f5fa8", "#d7e6f7"), ("#a0522d", "#f6e0d2"), ("#2e7d32", "#dcefdc"),
    ("#6a1b9a", "#eadcf2"), ("#8a6d00", "#f7efcc"), ("#00695c", "#d4ece9"),
]


@dataclass
class Laag:
    naam: str
    geometrie: dict | BaseGeometry    # GeoJSON dict or shapely geometry, RD New metres


def _geom(g: dict | BaseGeometry) -> BaseGeometry:
    return g if isinstance(g, BaseGeometry) else shape(g)


def _mooie_lengte(maximaal: float) -> float:
    """Largest 1, 2 or 5 × 10^n not above ``maximaal`` (metres)."""
    if maximaal <= 0:
        return 1.0
    macht = 10 ** math.floor(math.log10(maximaal))
    for f in (5, 2, 1):
        if f * macht <= maximaal:
            return f * macht
    return macht


def _tekst_lengte(m: float) -> str:
    if m >= 1000:
        km = m / 1000
        return f"{km:g} km"
    return f"{m:g} m"


def teken(lagen: list[Laag], punt: tuple[float, float] | None = None, *, titel: str,
          id_prefix: str = "kaart") -> str:
    """SVG (string) with the layers, the point marked, a scale bar; ``titel`` is its accessible name."""
    geoms = [(laag.naam, _geom(laag.geometrie)) for laag in lagen]
    geoms = [(n, g) for n, g in geoms if not g.is_empty]
    grenzen = [g.bounds for _, g in geoms]
    if punt:
        grenzen.append((punt[0], punt[1], punt[0], punt[1]))
    if not grenzen:
        grenzen = [(155000.0, 463000.0, 155000.0, 463000.0)]   # Amersfoort, the RD origin area
    minx = min(b[0] for b in grenzen)
    miny = min(b[1] for b in grenzen)
    maxx = max(b[2] for b in grenzen)
    maxy = max(b[3] for b in grenzen)
    # At least 200 m across so a lone address still shows its surroundings' scale.
    breed = max(maxx - minx, 200.0)
    hoog = max(maxy - miny, 150.0)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    schaal = min((BREEDTE - 2 * MARGE) / breed, (HOOGTE - 2 * MARGE) / hoog)  # px per metre

    def xy(x: float, y: float) -> tuple[float, float]:
        return (BREEDTE / 2 + (x - cx) * schaal, HOOGTE / 2 - (y - cy) * schaal)

    def pad(g: BaseGeometry) -> str:
        delen: list[str] = []
        if g.geom_type in ("Polygon",):
            for ring in [g.exterior, *g.interiors]:
                pts = [xy(x, y) for x, y in ring.coords]
                delen.append("M" + " L".join(f"{a:.1f},{b:.1f}" for a, b in pts) + " Z")
        elif g.geom_type in ("LineString", "LinearRing"):
            pts = [xy(x, y) for x, y in g.coords]
            delen.append("M" + " L".join(f"{a:.1f},{b:.1f}" for a, b in pts))
        elif hasattr(g, "geoms"):
            for deel in g.geoms:
                delen.append(pad(deel))
        return " ".join(d for d in delen if d)

    tol = 1.0 / schaal / 2    # half a pixel: invisible simplification, far smaller SVG
    tit_id, desc_id = f"{id_prefix}-titel", f"{id_prefix}-omschrijving"
    uit = [(f'<svg class="dso-kaart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {BREEDTE} {HOOGTE}" '
           f'width="{BREEDTE}" height="{HOOGTE}" role="img" aria-labelledby="{tit_id} {desc_id}">'),
           f'<title id="{tit_id}">{escape(titel)}</title>']
    beschrijving = [f"{len(geoms)} gebied(en) getekend in RD New (EPSG:28992)"]
    if punt:
        beschrijving.append(f"het adres ligt op x={punt[0]:.0f}, y={punt[1]:.0f} en is gemarkeerd met een rode stip")
    uit.append(f'<desc id="{desc_id}">{escape("; ".join(beschrijving))}.</desc>')
    uit.append(f'<rect x="0" y="0" width="{BREEDTE}" height="{HOOGTE}" fill="#f7f9fb"/>')
    for i, (naam, g) in enumerate(geoms):
        lijn, vul = KLEUREN[i % len(KLEUREN)]
        g2 = g.simplify(tol, preserve_topology=True) if g.geom_type != "Point" else g
        if g2.geom_type in ("Point", "MultiPoint"):
            punten = [g2] if g2.geom_type == "Point" else list(g2.geoms)
            for p in punten:
                a, b = xy(p.x, p.y)
                uit.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="6" fill="{vul}" stroke="{lijn}" stroke-width="2">'
                           f'<title>{escape(naam)}</title></circle>')
            continue
        vulling = vul if "Polygon" in g2.geom_type else "none"
        uit.append(f'<path d="{pad(g2)}" fill="{vulling}" fill-opacity="0.6" fill-rule="evenodd" '
                   f'stroke="{lijn}" stroke-width="2"><title>{escape(naam)}</title></path>')
    if punt:
        a, b = xy(*punt)
        uit.append(f'<g><title>Adres</title><circle cx="{a:.1f}" cy="{b:.1f}" r="9" fill="#b10d0d" '
                   f'stroke="#ffffff" stroke-width="3"/><circle cx="{a:.1f}" cy="{b:.1f}" r="3" fill="#fff"/></g>')
    # Scale bar: a round length of at most a quarter of the width, bottom left, on a white plate.
    lengte = _mooie_lengte((BREEDTE / 4) / schaal)
    px = lengte * schaal
    x0, y0 = 16, HOOGTE - 18
    uit.append(f'<g aria-hidden="true"><rect x="{x0 - 8}" y="{y0 - 26}" width="{px + 16 + 60}" height="36" '
               f'fill="#ffffff" fill-opacity="0.9" stroke="#8a8a8a"/>'
               f'<path d="M{x0},{y0 - 8} V{y0} H{x0 + px:.1f} V{y0 - 8}" fill="none" stroke="#000" stroke-width="2"/>'
               f'<text x="{x0 + px + 8:.1f}" y="{y0}" font-size="14" font-family="sans-serif" fill="#000">'
               f'{_tekst_lengte(lengte)}</text></g>')
    # North arrow, top right.
    nx, ny = BREEDTE - 28, 16
    uit.append(f'<g aria-hidden="true"><path d="M{nx},{ny} l8,22 l-8,-6 l-8,6 Z" fill="#000"/>'
               f'<text x="{nx}" y="{ny + 38}" font-size="13" text-anchor="middle" '
               'font-family="sans-serif">N</text></g>')
    uit.append("</svg>")
    return "".join(uit)


def legenda(lagen: list[Laag]) -> list[tuple[str, str, str]]:
    """(name, outline colour, fill colour) per drawn layer, in drawing order, for a legend."""
    zichtbaar = [laag for laag in lagen if not _geom(laag.geometrie).is_empty]
    return [(laag.naam, *KLEUREN[i % len(KLEUREN)]) for i, laag in enumerate(zichtbaar)]


def schaalbalk_lengte(lagen: list[Laag], punt: tuple[float, float] | None = None) -> str:
    """The scale bar's text for these inputs (the same computation as ``teken``), for tests/captions."""
    svg = teken(lagen, punt, titel="")
    begin = svg.rfind('font-size="14" font-family="sans-serif" fill="#000">')
    return svg[begin:].split(">", 1)[1].split("<", 1)[0]


def bevat(geometrie: dict | BaseGeometry, x: float, y: float) -> bool:
    return _geom(geometrie).intersects(Point(x, y))
