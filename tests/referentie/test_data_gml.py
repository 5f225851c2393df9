"""GML 3.2 -> shapely for the geometry forms GIO's may use, and point-in-area checked independently."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from shapely.geometry import Point, Polygon

import referentie_lv
from referentie_lv.data.stop import gml_naar_shapely
from referentie_lv.data.store import Store

G = 'xmlns:gml="http://www.opengis.net/gml/3.2"'
BRON = Path(referentie_lv.__file__).parent / "bronnen" / "gemeentestad" / "opdracht"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@pytest.mark.parametrize("gml, wkt", [
    (f"<gml:Point {G}><gml:pos>155000 463000</gml:pos></gml:Point>", "POINT (155000 463000)"),
    (f"<gml:LineString {G}><gml:posList>0 0 1 1 2 0</gml:posList></gml:LineString>", "LINESTRING (0 0, 1 1, 2 0)"),
    (f"<gml:Curve {G}><gml:segments><gml:LineStringSegment><gml:posList>0 0 1 1</gml:posList>"
     "</gml:LineStringSegment></gml:segments></gml:Curve>", "LINESTRING (0 0, 1 1)"),
    (f"<gml:MultiPoint {G}><gml:pointMember><gml:Point><gml:pos>1 2</gml:pos></gml:Point></gml:pointMember>"
     "<gml:pointMember><gml:Point><gml:pos>3 4</gml:pos></gml:Point></gml:pointMember></gml:MultiPoint>",
     "MULTIPOINT ((1 2), (3 4))"),
    (f"<gml:MultiCurve {G}><gml:curveMember><gml:LineString><gml:posList>0 0 1 1</gml:posList></gml:LineString>"
     "</gml:curveMember></gml:MultiCurve>", "MULTILINESTRING ((0 0, 1 1))"),
    (f'<gml:Polygon {G}><gml:exterior><gml:LinearRing><gml:posList srsDimension="3">0 0 0 0 10 0 10 10 0 0 0 0'
     "</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>", "POLYGON ((0 0, 0 10, 10 10, 0 0))"),
    (f"<gml:Polygon {G}><gml:exterior><gml:LinearRing><gml:posList>0 0 0 10 10 10 10 0 0 0</gml:posList>"
     "</gml:LinearRing></gml:exterior><gml:interior><gml:LinearRing><gml:posList>2 2 2 4 4 4 4 2 2 2"
     "</gml:posList></gml:LinearRing></gml:interior></gml:Polygon>",
     "POLYGON ((0 0, 0 10, 10 10, 10 0, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2))"),
])
def test_gml_vormen(gml, wkt):
    assert gml_naar_shapely(etree.fromstring(gml)).wkt == wkt


def test_onbekende_vorm_geeft_fout():
    with pytest.raises(ValueError):
        gml_naar_shapely(etree.fromstring(f"<gml:Tin {G}/>"))


def _ruwe_polygonen() -> dict[str, list[Polygon]]:
    """GIO geometries rebuilt straight from the posLists (independent of the loader)."""
    uit: dict[str, list[Polygon]] = {}
    for gml in BRON.glob("*.gml"):
        for geo in etree.parse(str(gml), _PARSER).xpath("//*[local-name()='Geometrie']"):
            gid = geo.xpath("string(*[local-name()='id'])").strip()
            for poly in geo.xpath(".//*[local-name()='Polygon']"):
                def ring(pad, poly=poly):
                    getallen = [float(x) for x in
                                poly.xpath(f"string({pad}//*[local-name()='posList'])").split()]
                    return list(zip(getallen[0::2], getallen[1::2], strict=False))
                binnen = [ring(f"*[local-name()='interior'][{i + 1}]")
                          for i in range(len(poly.xpath("*[local-name()='interior']")))]
                uit.setdefault(gid, []).append(Polygon(ring("*[local-name()='exterior']"), binnen))
    return uit


def test_punt_in_gebied_zoals_de_gml_zegt(tmp_path):
    """For every test address and a grid of points: the Gebieden the store finds = the Gebieden whose
    GeometrieRef polygon (rebuilt from the raw GML) contains the point."""
    store = Store.open(tmp_path)
    ruw = _ruwe_polygonen()
    loc = etree.parse(str(BRON / "owLocaties-Gemeentestad.xml"), _PARSER)
    gebied_geo = {g.xpath("string(*[local-name()='identificatie'])").strip():
                  g.xpath("string(*[local-name()='geometrie']/*/@*[local-name()='href'])").strip()
                  for g in loc.xpath("//*[local-name()='Gebied']")}
    punten = [Point(a["rd_x"], a["rd_y"]) for a in store.adressen("adres")]
    punten += [Point(x, y) for x in range(134000, 140001, 500) for y in range(421500, 426001, 500)]
    vergeleken = 0
    for p in punten:
        verwacht = {g for g, ref in gebied_geo.items() if any(poly.contains(p) for poly in ruw[ref])}
        gevonden = {i for i in store.locaties_op(p, "2022-01-01") if i in gebied_geo}
        assert gevonden == verwacht, (p.wkt, gevonden ^ verwacht)
        vergeleken += bool(verwacht)
    assert vergeleken > 100
