"""Omgevingsdocumenten Presenteren v8 of the reference LV, against a real server.

Expected values come from the delivery files themselves (parsed here with lxml and shapely),
not from the store the service uses, so a loader or service error shows up as a failure.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from api_server import UvicornServer
from lxml import etree
from probleem import ongeldige_parameters
from shapely.geometry import MultiPolygon, Point, Polygon, shape

from referentie_lv.app import create_app
from referentie_lv.config import Config

SLEUTEL = "presenteren-testsleutel"
ROOT = Path(__file__).resolve().parents[2]
LEVERING = ROOT / "src" / "referentie_lv" / "bronnen" / "gemeentestad"
P = "/publiek/omgevingsdocumenten/api/presenteren/v8"
G = "/publiek/omgevingsdocumenten/api/geometrieopvragen/v1"
ZOEK = P + "/annotaties/regeltekstannotaties/_zoek"
RD = {"Content-Crs": "http://www.opengis.net/def/crs/EPSG/0/28992"}
REGELING = "/akn/nl/act/gm0297/2019/reg456"
GML_NS = {"gml": "http://www.opengis.net/gml/3.2",
          "basisgeo": "http://www.geostandaarden.nl/basisgeometrie/1.0"}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def gml_vlak(bestand: str) -> tuple[str, MultiPolygon]:
    """(basisgeo:id, area) of the first geometry of a GIO GML file, parsed independently."""
    doc = etree.parse(str(LEVERING / "opdracht" / bestand), PARSER)
    geo = doc.find(".//basisgeo:Geometrie", GML_NS)
    polys = []
    for pl in geo.iterfind(".//gml:Polygon", GML_NS):
        def ring(el):
            w = [float(x) for x in el.find(".//gml:posList", GML_NS).text.split()]
            return list(zip(w[0::2], w[1::2], strict=False))
        polys.append(Polygon(ring(pl.find("gml:exterior", GML_NS)),
                             [ring(i) for i in pl.iterfind("gml:interior", GML_NS)]))
    return geo.findtext("basisgeo:id", namespaces=GML_NS), MultiPolygon(polys)


def punt(vlak) -> dict:
    p = vlak.representative_point()
    return {"type": "Point", "coordinates": [p.x, p.y]}


@pytest.fixture(scope="module")
def bedrijf():
    return gml_vlak("Bedrijf_categorie_2.gml")


def _param(r: httpx.Response) -> list[str]:
    return ongeldige_parameters(r, "8.0.0")


def test_sleutel_ontbreekt_401_onbekend_403(server):
    r = httpx.get(server.url + P + "/regelingen")
    assert r.status_code == 401
    _param(r)
    r = httpx.post(server.url + ZOEK, json={"geometrie": {"type": "Point", "coordinates": [1, 1]}},
                   headers={**RD, "x-api-key": "fout"})
    assert r.status_code == 403
    _param(r)


def test_spec_op_basis_uri(server):
    r = httpx.get(server.url + P + "/openapi.json")
    assert r.status_code == 200 and r.json()["info"]["version"] == "8.0.0"
    assert "Gemodelleerd door dso-acceptatie" in r.json()["info"]["description"]


def test_regelingen_lijst(client):
    r = client.get(P + "/regelingen")
    assert r.status_code == 200
    assert r.headers["api-version"] == "8.0.0"
    assert r.headers["content-type"].startswith("application/hal+json")
    assert r.headers["x-rate-limit-limit"] == "200"        # documented limit for Presenteren
    b = r.json()
    (reg,) = b["_embedded"]["regelingen"]
    besluit = etree.parse(str(LEVERING / "opdracht" / "akn_nl_bill_gm0297-3520-01.xml"), PARSER)
    works = [w.text for w in besluit.iter("{*}FRBRWork")]
    assert reg["identificatie"] == REGELING and REGELING in works
    assert reg["citeertitel"] and reg["geldigVanaf"] == "2020-01-14"
    assert reg["aangeleverdDoorEen"]["code"] == "gm0297"
    assert b["page"] == {"number": 1, "size": 20, "totalElements": 1, "totalPages": 1}
    assert "self" in b["_links"] and "next" not in b["_links"]
    assert client.get(reg["_links"]["self"]["href"]).json()["identificatie"] == REGELING


@pytest.mark.parametrize("sort", ["citeertitel", "citeertitel,desc", "geldigVanaf,asc"])
def test_regelingen_sorteren(client, sort):
    assert client.get(P + "/regelingen", params={"_sort": sort}).status_code == 200


def test_regelingen_geldig_op(client):
    assert client.get(P + "/regelingen", params={"geldigOp": "2019-12-31"}).json()["page"][
        "totalElements"] == 0
    assert client.get(P + "/regelingen", params={"geldigOp": "2020-01-14"}).json()["page"][
        "totalElements"] == 1


@pytest.mark.parametrize("params, naam", [
    ({"size": "0"}, "size"), ({"size": "101"}, "size"), ({"page": "nul"}, "page"),
    ({"_sort": "naam"}, "_sort"), ({"geldigOp": "31-12-2020"}, "geldigOp"),
    ({"geldigOp": "2020-02-30"}, "geldigOp"), ({"geldigOp": ""}, "geldigOp"),
    ({"page": "100001"}, "page"), ({"pageSize": "10"}, "pageSize")])
def test_regelingen_ongeldige_parameter_400(client, params, naam):
    r = client.get(P + "/regelingen", params=params)
    assert r.status_code == 400
    assert naam in _param(r)


@pytest.mark.parametrize("pad", [quote(REGELING, safe=""), REGELING.lstrip("/")])
def test_regeling_detail(client, pad):
    r = client.get(P + "/regelingen/" + pad)
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["identificatie"] == REGELING and b["expressieIdentificatie"].startswith(REGELING + "/")
    assert b["type"]["waarde"] == "Omgevingsplan"


def test_regeling_404(client):
    r = client.get(P + "/regelingen/" + quote("/akn/nl/act/gm0000/2019/bestaatniet", safe=""))
    assert r.status_code == 404
    _param(r)
    r = client.get(P + "/regelingen/" + quote(REGELING, safe=""), params={"geldigOp": "2019-01-01"})
    assert r.status_code == 404


def test_documentstructuur(client):
    r = client.get(P + "/regelingen/" + quote(REGELING, safe="") + "/documentstructuur")
    assert r.status_code == 200
    b = r.json()

    def alle(comps):
        for c in comps:
            yield c
            yield from alle(c["documentComponenten"])

    comps = list(alle(b["documentComponenten"]))
    besluit = etree.parse(str(LEVERING / "opdracht" / "akn_nl_bill_gm0297-3520-01.xml"), PARSER)
    regeling = next(besluit.iter("{*}RegelingCompact"))
    artikelen = {a.get("wId") for a in regeling.iter("{*}Artikel")}
    assert {c["wId"] for c in comps if c["type"] == "ARTIKEL"} == artikelen
    art = next(c for c in comps if c["wId"] == "gm0297_1__chp_2__subchp_2.2__art_2.3")
    assert art["nummer"] == "2.3" and art["opschrift"] == "Doel functietoedeling"
    assert "Bedrijf categorie 2" in art["inhoud"]
    assert b["_links"]["regeling"]["href"].endswith(quote(REGELING, safe=""))


def test_zoek_op_punt_in_bedrijf_categorie_2(client, bedrijf):
    geo_id, vlak = bedrijf
    r = client.post(ZOEK, json={"geometrie": punt(vlak)}, headers=RD, params={"size": 100})
    assert r.status_code == 200, r.text
    assert r.headers["api-version"] == "8.0.0"
    b = r.json()
    rts = b["_embedded"]["regelteksten"]
    assert rts and b["page"]["totalElements"] == len(rts)
    groep = "nl.imow-gm0297.gebiedengroep.Bedrijfcategorie2"
    art23 = next(rt for rt in rts if rt["wId"] == "gm0297_1__chp_2__subchp_2.2__art_2.3")
    assert {"locatieIdentificatie": groep} in art23["locatierefs"]
    ann = b["annotaties"]
    ga = next(g for g in ann["gebiedsaanwijzingen"] if g["naam"] == "Bedrijf categorie 2")
    assert ga["locatierefs"][0]["locatieIdentificatie"] == groep
    # The geometry id of the GML file is reachable from the answer (group -> member -> geometry).
    loc = {x["identificatie"]: x for x in ann["locaties"]}
    leden = loc[groep]["omvat"]
    assert geo_id in {loc[lid]["geometrieIdentificatie"] for lid in leden}
    # Every ref in a regeltekst resolves to an object in 'annotaties' (the answer is self-contained).
    for rt in rts:
        for ref in rt["locatierefs"]:
            assert ref["locatieIdentificatie"] in loc
        for sleutel, soort in (("activiteitrefs", "activiteiten"),
                               ("gebiedsaanwijzingrefs", "gebiedsaanwijzingen"),
                               ("omgevingsnormrefs", "omgevingsnormen"),
                               ("omgevingswaarderefs", "omgevingswaarden")):
            assert set(rt[sleutel]) <= {a["identificatie"] for a in ann[soort]}


def test_zoek_buiten_het_plan_leeg(client):
    r = client.post(ZOEK, json={"geometrie": {"type": "Point", "coordinates": [155000, 463000]}},
                    headers=RD)
    assert r.status_code == 200
    b = r.json()
    assert b["_embedded"]["regelteksten"] == [] and b["page"]["totalElements"] == 0
    assert b["annotaties"]["locaties"] == []


def test_zoek_met_vlak(client, bedrijf):
    _, vlak = bedrijf
    x, y = vlak.representative_point().coords[0]
    vierkant = {"type": "Polygon", "coordinates": [[[x - 5, y - 5], [x + 5, y - 5], [x + 5, y + 5],
                                                    [x - 5, y + 5], [x - 5, y - 5]]]}
    r = client.post(ZOEK, json={"geometrie": vierkant}, headers=RD, params={"size": 100})
    p = client.post(ZOEK, json={"geometrie": punt(vlak)}, headers=RD, params={"size": 100})
    def ids(x):
        return {rt["identificatie"] for rt in x.json()["_embedded"]["regelteksten"]}
    assert r.status_code == 200 and ids(p) <= ids(r)


def test_zoek_paginering_zonder_gaten_of_dubbelen(client, bedrijf):
    _, vlak = bedrijf
    body = {"geometrie": punt(vlak)}
    alles = [rt["identificatie"] for rt in client.post(
        ZOEK, json=body, headers=RD, params={"size": 100}).json()["_embedded"]["regelteksten"]]
    assert len(alles) > 3
    gezien, url, vorige, paginas = [], ZOEK + "?size=3", None, 0
    while url:
        r = client.post(url, json=body, headers=RD)
        assert r.status_code == 200
        b = r.json()
        paginas += 1
        assert b["page"]["number"] == paginas
        if vorige:
            assert b["_links"]["previous"]["href"] == vorige
        vorige = b["_links"]["self"]["href"]
        gezien += [rt["identificatie"] for rt in b["_embedded"]["regelteksten"]]
        url = b["_links"].get("next", {}).get("href")
        assert paginas <= 50
    assert gezien == alles and len(set(gezien)) == len(gezien)
    assert paginas == b["page"]["totalPages"]
    voorbij = client.post(ZOEK, json=body, headers=RD, params={"size": 3, "page": paginas + 1})
    assert voorbij.status_code == 200 and voorbij.json()["_embedded"]["regelteksten"] == []


def test_zoek_geldig_op_toont_de_toestand_van_die_datum(client, bedrijf):
    """opdracht_10 renames activity 2019000241; both names come from the delivery files."""
    def naam(map_: str) -> str:
        doc = etree.parse(str(LEVERING / map_ / "owActiviteiten-Gemeentestad.xml"), PARSER)
        for act in doc.iter("{*}Activiteit"):
            if act.findtext("{*}identificatie") == "nl.imow-gm0297.activiteit.2019000241":
                return act.findtext("{*}naam")
        raise AssertionError(map_)

    oud, nieuw = naam("opdracht"), naam("opdracht_10")
    assert oud != nieuw
    _, vlak = bedrijf

    def act_naam(dag: str) -> str:
        b = client.post(ZOEK, json={"geometrie": punt(vlak)}, headers=RD,
                        params={"size": 100, "geldigOp": dag}).json()
        return next(a["naam"] for a in b["annotaties"]["activiteiten"]
                    if a["identificatie"] == "nl.imow-gm0297.activiteit.2019000241")

    assert act_naam("2021-06-01") == oud
    assert act_naam("2024-01-01") == nieuw
    leeg = client.post(ZOEK, json={"geometrie": punt(vlak)}, headers=RD,
                       params={"geldigOp": "2019-06-01"}).json()
    assert leeg["page"]["totalElements"] == 0


@pytest.mark.parametrize("crs", ["http://www.opengis.net/def/crs/EPSG/0/28992", "epsg:28992",
                                 "EPSG:28992"])
def test_content_crs_geaccepteerde_waarden(client, bedrijf, crs):
    r = client.post(ZOEK, json={"geometrie": punt(bedrijf[1])}, headers={"Content-Crs": crs})
    assert r.status_code == 200


@pytest.mark.parametrize("headers", [{}, {"Content-Crs": "http://www.opengis.net/def/crs/EPSG/0/4326"},
                                     {"Content-Crs": "rd"}])
def test_content_crs_verplicht_400(client, bedrijf, headers):
    r = client.post(ZOEK, json={"geometrie": punt(bedrijf[1])}, headers=headers)
    assert r.status_code == 400
    assert "Content-Crs" in _param(r)


@pytest.mark.parametrize("body, naam", [
    ({}, "geometrie"), ({"geometrie": {"type": "Cirkel", "coordinates": [1, 2]}}, "geometrie"),
    ({"geometrie": {"type": "Point"}}, "geometrie"),
    ({"geometrie": {"type": "Point", "coordinates": [1]}}, "geometrie"),
    ({"geometrie": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}}, "geometrie"),
    ([1, 2], "(body)")])
def test_zoek_body_buiten_schema_400(client, body, naam):
    r = client.post(ZOEK, json=body, headers=RD)
    assert r.status_code == 400
    assert naam in _param(r)


@pytest.mark.parametrize("geometrie", [
    {"type": "Point", "coordinates": [5.1, 51.8]},              # WGS84 sent as RD: outside the plan
    {"type": "Point", "coordinates": [1e300, -1e300]},
    {"type": "LineString", "coordinates": [[0, 0], [0, 0]]}])
def test_zoek_geldige_geojson_zonder_treffers_200(client, geometrie):
    r = client.post(ZOEK, json={"geometrie": geometrie}, headers=RD)
    assert r.status_code == 200, r.text
    assert r.json()["page"]["totalElements"] == 0


def test_zoek_zichzelf_snijdend_vlak_wordt_gerepareerd(client, bedrijf):
    x, y = bedrijf[1].representative_point().coords[0]
    strik = {"type": "Polygon", "coordinates": [[[x - 5, y - 5], [x + 5, y + 5], [x + 5, y - 5],
                                                 [x - 5, y + 5], [x - 5, y - 5]]]}
    r = client.post(ZOEK, json={"geometrie": strik}, headers=RD)
    assert r.status_code == 200 and r.json()["page"]["totalElements"] > 0


def test_zoek_geen_json_400_verkeerd_type_415_get_405(client):
    r = client.post(ZOEK, content=b"{geen json", headers={**RD, "Content-Type": "application/json"})
    assert r.status_code == 400
    _param(r)
    r = client.post(ZOEK, content=b"<geometrie/>", headers={**RD, "Content-Type": "application/xml"})
    assert r.status_code == 415
    _param(r)
    r = client.get(ZOEK)
    assert r.status_code == 405 and "POST" in r.headers["allow"]
    _param(r)


def test_onbekend_pad_404_problem(client):
    r = client.get(P + "/bestaatniet")
    assert r.status_code == 404
    _param(r)


def test_arazzo_keten_annotaties_naar_geometrie(client, bedrijf):
    """The documented flow: _zoek -> annotaties.locaties[0].geometrieIdentificatie -> Geometrie."""
    b = client.post(ZOEK, json={"geometrie": punt(bedrijf[1])}, headers=RD).json()
    ga = b["annotaties"]["gebiedsaanwijzingen"][0]
    assert ga["locatierefs"][0]["locatieIdentificatie"]
    geo_id = b["annotaties"]["locaties"][0]["geometrieIdentificatie"]
    assert geo_id and not geo_id.startswith("afgeleid.")
    r = client.get(G + f"/geometrieen/{geo_id}",
                   params={"crs": "http://www.opengis.net/def/crs/EPSG/0/28992"})
    assert r.status_code == 200
    vorm = shape(r.json()["geometry"])
    assert vorm.buffer(0.001).contains(Point(*punt(bedrijf[1])["coordinates"]))


def test_throttling_per_sleutel_en_per_api(tmp_path, monkeypatch):
    """Limit configurable without code; over it: 429 with Retry-After and X-Rate-Limit-*; another
    key and another API are not affected. (0.2/s: one call per 5 s, so timing cannot hide it.)"""
    monkeypatch.setenv("REFERENTIE_LV_LIMIETEN", "presenteren=0.2")
    config = Config(api_sleutels=frozenset({SLEUTEL, "tweede"}), data_map=str(tmp_path))
    with UvicornServer(create_app(config)) as s, httpx.Client(base_url=s.url, timeout=30) as c:
        h = {"x-api-key": SLEUTEL}
        assert c.get(P + "/regelingen", headers=h).status_code == 200
        te_veel = c.get(P + "/regelingen", headers=h)
        assert te_veel.status_code == 429
        assert int(te_veel.headers["retry-after"]) >= 1
        assert te_veel.headers["x-rate-limit-limit"] == "1"
        assert te_veel.headers["x-rate-limit-remaining"] == "0"
        _param(te_veel)
        assert c.get(P + "/regelingen", headers={"x-api-key": "tweede"}).status_code == 200
        assert c.get(G + "/crss", headers=h).status_code == 200


def test_antwoorden_passen_in_de_eigen_spec(client, bedrijf):
    from spec_schema import valideer
    regq = quote(REGELING, safe="")
    for pad, url in (("/regelingen", "/regelingen"),
                     ("/regelingen/{uriIdentificatie}", f"/regelingen/{regq}"),
                     ("/regelingen/{uriIdentificatie}/documentstructuur",
                      f"/regelingen/{regq}/documentstructuur")):
        r = client.get(P + url)
        valideer("presenteren.yaml", pad, "get", 200, "application/hal+json", r.json())
    for dag in ("2021-06-01", "2024-01-01"):
        r = client.post(ZOEK, json={"geometrie": punt(bedrijf[1])}, headers=RD,
                        params={"size": 100, "geldigOp": dag})
        valideer("presenteren.yaml", "/annotaties/regeltekstannotaties/_zoek", "post", 200,
                 "application/hal+json", r.json())
    r = client.get(P + "/regelingen", params={"size": "0"})
    valideer("presenteren.yaml", "/regelingen", "get", 400, "application/problem+json", r.json())


def test_accept_crs_alleen_rd(client, bedrijf):
    body = {"geometrie": punt(bedrijf[1])}
    ok = client.post(ZOEK, json=body, headers={**RD, "Accept-Crs": "epsg:28992"})
    assert ok.status_code == 200
    r = client.post(ZOEK, json=body, headers={**RD, "Accept-Crs": "http://www.opengis.net/def/crs/EPSG/0/4326"})
    assert r.status_code == 406
    _param(r)


def test_regeltekstannotaties_van_regeling(client):
    """All regelteksten of the regeling (count from the OW file), paged without gaps."""
    def ids(map_: str) -> set[str]:
        doc = etree.parse(str(LEVERING / map_ / "owRegeltekst-Gemeentestad.xml"), PARSER)
        return {r.findtext("{*}identificatie") for r in doc.iter("{*}Regeltekst")}

    verwacht = ids("opdracht")
    url = P + "/regelingen/" + quote(REGELING, safe="") + "/regeltekstannotaties"
    r = client.get(url, params={"size": 100, "geldigOp": "2021-06-01"})
    assert r.status_code == 200, r.text
    b = r.json()
    assert {rt["identificatie"] for rt in b["_embedded"]["regelteksten"]} == verwacht
    from spec_schema import valideer
    valideer("presenteren.yaml", "/regelingen/{uriIdentificatie}/regeltekstannotaties", "get", 200,
             "application/hal+json", b)
    assert any(x["geometrieIdentificatie"] for x in b["annotaties"]["locaties"])
    gezien, volgende = [], url + "?size=4&geldigOp=2021-06-01"
    while volgende:
        b = client.get(volgende).json()
        gezien += [rt["identificatie"] for rt in b["_embedded"]["regelteksten"]]
        volgende = b["_links"].get("next", {}).get("href")
    assert len(gezien) == len(set(gezien)) and set(gezien) == verwacht
    assert client.get(P + "/regelingen/" + quote("/akn/nl/act/x/1/y", safe="")
                      + "/regeltekstannotaties").status_code == 404
