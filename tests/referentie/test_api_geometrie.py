"""Omgevingsdocumenten Geometrie Opvragen v1 of the reference LV, against a real server.

Coordinates are compared with the GML of the delivery, parsed here independently.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from lxml import etree
from probleem import ongeldige_parameters
from pyproj import Transformer

SLEUTEL = "geometrie-testsleutel"
ROOT = Path(__file__).resolve().parents[2]
OPDRACHT = ROOT / "src" / "referentie_lv" / "bronnen" / "gemeentestad" / "opdracht"
G = "/publiek/omgevingsdocumenten/api/geometrieopvragen/v1"
RD = "http://www.opengis.net/def/crs/EPSG/0/28992"
ETRS89 = "http://www.opengis.net/def/crs/EPSG/0/4258"
NS = {"gml": "http://www.opengis.net/gml/3.2",
      "basisgeo": "http://www.geostandaarden.nl/basisgeometrie/1.0"}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def gml(bestand: str) -> tuple[str, list[tuple[float, float]]]:
    """(basisgeo:id, exterior ring of the first polygon) straight from the GML file."""
    doc = etree.parse(str(OPDRACHT / bestand), PARSER)
    geo = doc.find(".//basisgeo:Geometrie", NS)
    w = [float(x) for x in geo.find(".//gml:exterior//gml:posList", NS).text.split()]
    return geo.findtext("basisgeo:id", namespaces=NS), list(zip(w[0::2], w[1::2], strict=False))


def _param(r: httpx.Response) -> list[str]:
    return ongeldige_parameters(r, "1.0.0")


def _ring(feature: dict) -> list:
    c = feature["geometry"]["coordinates"]
    return c[0][0] if feature["geometry"]["type"] == "MultiPolygon" else c[0]


def test_crs_ontbreekt_422_noemt_crs(client):
    ident, _ = gml("Zone_A.gml")
    r = client.get(G + f"/geometrieen/{ident}")
    assert r.status_code == 422
    assert _param(r) == ["crs"]


@pytest.mark.parametrize("crs", ["http://www.opengis.net/def/crs/OGC/1.3/CRS84",
                                 "http://www.opengis.net/def/crs/EPSG/0/4326", "rd", ""])
def test_niet_ondersteund_crs_422(client, crs):
    ident, _ = gml("Zone_A.gml")
    r = client.get(G + f"/geometrieen/{ident}", params={"crs": crs})
    assert r.status_code == 422
    assert "crs" in _param(r)


@pytest.mark.parametrize("bestand", ["Zone_A.gml", "Bedrijf_categorie_2.gml", "Welstand.gml"])
@pytest.mark.parametrize("crs", [RD, "EPSG:28992", "epsg:28992"])
def test_geometrie_in_rd_gelijk_aan_gml(client, bestand, crs):
    ident, ring = gml(bestand)
    r = client.get(G + f"/geometrieen/{ident}", params={"crs": crs})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/geo+json")
    assert r.headers["content-crs"] == RD
    assert r.headers["api-version"] == "1.0.0"
    f = r.json()
    assert f["type"] == "Feature" and f["id"] == ident
    assert f["properties"] == {"geometrieIdentificatie": ident, "crs": RD}
    assert f["_links"]["self"]["href"]
    assert [tuple(p) for p in _ring(f)] == ring


def test_geometrie_in_etrs89_breedte_eerst(client):
    ident, ring = gml("Zone_A.gml")
    r = client.get(G + f"/geometrieen/{ident}", params={"crs": ETRS89})
    assert r.status_code == 200
    assert r.headers["content-crs"] == ETRS89
    lat, lon = _ring(r.json())[0]
    assert 50.7 < lat < 53.6 and 3.3 < lon < 7.3       # the Netherlands, latitude first
    verwacht = Transformer.from_crs(28992, 4258).transform(*ring[0])
    assert abs(lat - verwacht[0]) < 1e-8 and abs(lon - verwacht[1]) < 1e-8


def test_geometrie_etrf2000(client):
    ident, _ = gml("Zone_A.gml")
    r = client.get(G + f"/geometrieen/{ident}", params={"crs": "EPSG:9067"})
    assert r.status_code == 200
    assert r.headers["content-crs"] == "http://www.opengis.net/def/crs/EPSG/0/9067"


def test_onbekende_geometrie_404(client):
    r = client.get(G + "/geometrieen/00000000-0000-0000-0000-000000000000", params={"crs": RD})
    assert r.status_code == 404
    _param(r)


def test_onbekende_parameter_400(client):
    ident, _ = gml("Zone_A.gml")
    r = client.get(G + f"/geometrieen/{ident}", params={"crs": RD, "srs": "x"})
    assert r.status_code == 400 and "srs" in _param(r)


def test_crss(client):
    r = client.get(G + "/crss")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/hal+json")
    uris = [c["uri"] for c in r.json()["_embedded"]["crss"]]
    assert uris == [RD, ETRS89, "http://www.opengis.net/def/crs/EPSG/0/9067"]
    assert r.json()["_links"]["self"]["href"].endswith("/crss")
    # Every listed CRS is accepted by /geometrieen.
    ident, _ = gml("Zone_A.gml")
    for c in r.json()["_embedded"]["crss"]:
        assert client.get(G + f"/geometrieen/{ident}", params={"crs": c["code"]}).status_code == 200


def test_methode_niet_toegestaan_405(client):
    r = client.post(G + "/crss")
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD"
    _param(r)


def test_sleutel(server):
    ident, _ = gml("Zone_A.gml")
    r = httpx.get(server.url + G + f"/geometrieen/{ident}", params={"crs": RD})
    assert r.status_code == 401
    _param(r)
    r = httpx.get(server.url + G + "/crss", headers={"x-api-key": "fout"})
    assert r.status_code == 403
    _param(r)


def test_antwoorden_passen_in_de_eigen_spec(client):
    from spec_schema import valideer
    ident, _ = gml("Bouwhoogte.gml")
    for crs in (RD, ETRS89):
        r = client.get(G + f"/geometrieen/{ident}", params={"crs": crs})
        valideer("geometrieopvragen.yaml", "/geometrieen/{geometrieIdentificatie}", "get", 200,
                 "application/geo+json", r.json())
    valideer("geometrieopvragen.yaml", "/crss", "get", 200, "application/hal+json",
             client.get(G + "/crss").json())
    r = client.get(G + f"/geometrieen/{ident}")
    valideer("geometrieopvragen.yaml", "/geometrieen/{geometrieIdentificatie}", "get", 422,
             "application/problem+json", r.json())
