"""Unit tests without a browser: the SVG map and the committed NL Design System bundle."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import pytest

from referentie_lv.loket import bundel, kaart

VIERKANT = {"type": "Polygon", "coordinates": [[[150000, 450000], [151000, 450000], [151000, 451000],
                                                 [150000, 451000], [150000, 450000]]]}


def test_kaart_tekent_gebied_adres_en_schaalbalk():
    svg = kaart.teken([kaart.Laag("Centrumgebied", VIERKANT)], (150500, 450500), titel="Kaart van de locatie")
    boom = ET.fromstring(svg)  # noqa: S314 -- our own SVG from kaart.teken, not untrusted input
    ns = "{http://www.w3.org/2000/svg}"
    assert boom.get("role") == "img"
    assert boom.find(f"{ns}title").text == "Kaart van de locatie"
    paden = boom.findall(f".//{ns}path")
    assert any(p.find(f"{ns}title").text == "Centrumgebied" for p in paden if p.find(f"{ns}title") is not None)
    # The address sits in the middle of the square, so in the middle of the drawing.
    stip = next(c for c in boom.iter(f"{ns}circle") if c.get("fill") == "#b10d0d")
    assert float(stip.get("cx")) == pytest.approx(kaart.BREEDTE / 2, abs=1)
    assert float(stip.get("cy")) == pytest.approx(kaart.HOOGTE / 2, abs=1)
    # 1000 m over at most 592 px: a quarter of the width (160 px) is ~270 m, so the bar says 200 m.
    assert kaart.schaalbalk_lengte([kaart.Laag("x", VIERKANT)], (150500, 450500)) == "200 m"


def test_kaart_noorden_boven_en_oost_rechts():
    lijn = {"type": "LineString", "coordinates": [[0, 0], [1000, 1000]]}
    svg = kaart.teken([kaart.Laag("lijn", lijn)], None, titel="t")
    d = re.search(r'<path d="M([\d.]+),([\d.]+) L([\d.]+),([\d.]+)"', svg)
    x1, y1, x2, y2 = map(float, d.groups())
    assert x2 > x1 and y2 < y1     # north-east goes right and up on screen


def test_schaal_mooie_lengtes():
    assert kaart._mooie_lengte(270) == 200
    assert kaart._mooie_lengte(4999) == 2000
    assert kaart._tekst_lengte(2000) == "2 km"


def test_gebundelde_css_is_gelijk_aan_node_modules():
    node_modules = bundel.repo_root() / "node_modules"
    if not (node_modules / "@utrecht").is_dir():
        pytest.skip("node_modules ontbreekt (scripts/setup.sh installeert het)")
    assert bundel.DOEL.read_text(encoding="utf-8") == bundel.bundel(node_modules), (
        "static/nlds-componenten.css loopt achter: voer 'python -m referentie_lv.loket.bundel' uit")
