"""VNG Regels bij activiteiten 1.0.0 of the reference LV on a real uvicorn server.

Expected identifiers come from the OW files of the delivery (parsed here with lxml), not from the
store the service uses. The last tests run schemathesis from the real VNG spec.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import schemathesis
from api_server import UvicornServer, vrije_poort
from hypothesis import HealthCheck, settings
from lxml import etree
from schemathesis import GenerationMode

from referentie_lv.app import create_app
from referentie_lv.config import Config

ROOT = Path(__file__).resolve().parents[2]
LEVERING = ROOT / "src" / "referentie_lv" / "bronnen" / "gemeentestad"
SPEC = ROOT / "src" / "referentie_lv" / "specs" / "vng-regels-bij-activiteiten" / "openapi.json"
B = "/api/regels_bij_activiteiten/v1"
SLEUTEL = "rba-testsleutel"
POORT = vrije_poort()
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
NS = {"r": "http://www.geostandaarden.nl/imow/regels",
      "rol": "http://www.geostandaarden.nl/imow/regelsoplocatie",
      "l": "http://www.geostandaarden.nl/imow/locatie",
      "xlink": "http://www.w3.org/1999/xlink"}
HREF = "{http://www.w3.org/1999/xlink}href"


def uit_levering() -> tuple[dict[str, str], dict[str, dict]]:
    """Activiteit names and RegelVoorIedereen (regeltekst, activiteiten) from the OW files, the
    later delivery (opdracht_10) overriding the first by identificatie."""
    namen: dict[str, str] = {}
    regels: dict[str, dict] = {}
    for map_ in ("opdracht", "opdracht_10"):
        for pad in sorted((LEVERING / map_).glob("ow*.xml")):
            doc = etree.parse(str(pad), PARSER)
            for a in doc.iterfind(".//rol:Activiteit", NS):
                namen[a.findtext("rol:identificatie", namespaces=NS)] = a.findtext(
                    "rol:naam", namespaces=NS)
            for j in doc.iterfind(".//r:RegelVoorIedereen", NS):
                regels[j.findtext("r:identificatie", namespaces=NS)] = {
                    "regeltekst": j.find("r:artikelOfLid/r:RegeltekstRef", NS).get(HREF),
                    "activiteiten": {x.get(HREF) for x in j.iterfind(
                        "r:activiteitaanduiding/rol:ActiviteitRef", NS)},
                }
    return namen, regels


NAMEN, REGELS = uit_levering()
MET_ACTIVITEIT = {k: v for k, v in REGELS.items() if v["activiteiten"]}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        # a limit far above what the test sends: the spec documents X-Rate-Limit-* headers, and the
        # harness's dso_rate_limit check (registered with schemathesis when the contract phase is
        # imported in the same worker) rightly wants them; without a limit they are absent
        mp.setenv("REFERENTIE_LV_LIMIETEN", "*=100000")
        app = create_app(Config(api_sleutels=frozenset({SLEUTEL}),
                                data_map=str(tmp_path_factory.mktemp("rba"))))
    with UvicornServer(app, POORT) as s:
        yield s


@pytest.fixture(scope="module")
def c(server):
    with httpx.Client(base_url=server.url + B, timeout=30, headers={"x-api-key": SLEUTEL}) as c:
        yield c


def alle(c: httpx.Client, pad: str, naam: str, **params) -> list[dict]:
    """Follow the next links from page 1; every page must be a proper HAL page."""
    uit, url, gezien = [], pad, 0
    r = c.get(url, params={"pageSize": 5, **params})
    while True:
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/hal+json"
        assert r.headers["api-version"] == "1.0.0"
        body = r.json()
        uit += body["_embedded"][naam]
        gezien += 1
        assert r.headers["x-pagination-page"] == str(gezien)
        if "next" not in body["_links"]:
            return uit
        r = c.get(body["_links"]["next"]["href"])


def probleem(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["api-version"] == "1.0.0"
    return r.json()


def test_sleutel_verplicht(server):
    with httpx.Client(base_url=server.url + B) as c:
        probleem(c.get("/activiteiten"), 401)
        probleem(c.get("/activiteiten", headers={"x-api-key": "onbekend"}), 403)
        assert c.get("/openapi.json").content == SPEC.read_bytes()


def test_juridische_regels_zijn_die_met_een_activiteit(c):
    regels = alle(c, "/juridischeregelsvooriedereen", "juridischeregelsvooriedereen")
    assert {j["identificatie"] for j in regels} == set(MET_ACTIVITEIT)
    assert len(regels) == len(MET_ACTIVITEIT)
    for j in regels:
        bron = MET_ACTIVITEIT[j["identificatie"]]
        assert j["regeltekstIdentificatie"] == bron["regeltekst"]
        assert {n["activiteitIdentificatie"] for n in j["normeertActiviteiten"]} == \
            bron["activiteiten"]
        assert j["omschrijving"] and j["gedefinieerdeLocatieIdentificaties"]
        assert j["_links"]["self"]["href"].endswith(
            f"{B}/juridischeregelsvooriedereen/{j['identificatie']}")


def test_activiteiten_met_namen_uit_de_levering(c):
    acts = alle(c, "/activiteiten", "activiteiten")
    verwacht = set().union(*(v["activiteiten"] for v in MET_ACTIVITEIT.values()))
    assert {a["identificatie"] for a in acts} == verwacht
    for a in acts:
        assert a["naam"] == NAMEN[a["identificatie"]]
        assert a["juridischeRegelVoorIedereenIdentificaties"]
        assert set(a["groep"]) == {"code", "waarde"}
    naam = acts[0]["naam"]
    gevonden = c.get("/activiteiten", params={"naam": naam.upper()}).json()
    assert [a["naam"] for a in gevonden["_embedded"]["activiteiten"]] == [naam]
    deel = c.get("/activiteiten", params={"naam": "*" + naam[3:12] + "*"}).json()
    assert naam in [a["naam"] for a in deel["_embedded"]["activiteiten"]]


def test_detail_expand_en_404(c):
    ident = min(MET_ACTIVITEIT)
    j = c.get(f"/juridischeregelsvooriedereen/{ident}")
    assert j.status_code == 200 and "_embedded" not in j.json()
    assert "content-crs" not in j.headers
    met = c.get(f"/juridischeregelsvooriedereen/{ident}",
                params={"expand": "regeltekst,gedefinieerdeLocaties"})
    emb = met.json()["_embedded"]
    assert emb["regeltekst"]["identificatie"] == MET_ACTIVITEIT[ident]["regeltekst"]
    assert all("geometrie" in x for x in emb["gedefinieerdeLocaties"])
    assert met.headers["content-crs"] == "epsg:28992"
    # resource.property: only that property plus the required ones
    deel = c.get(f"/juridischeregelsvooriedereen/{ident}",
                 params={"expand": "gedefinieerdeLocaties.noemer"}).json()
    loc = deel["_embedded"]["gedefinieerdeLocaties"][0]
    assert "geometrie" not in loc and {"identificatie", "type"} <= set(loc)
    act = min(MET_ACTIVITEIT[ident]["activiteiten"])
    a = c.get(f"/activiteiten/{act}", params={"expand": "juridischeRegelsVoorIedereen"}).json()
    assert ident in [x["identificatie"] for x in a["_embedded"]["juridischeRegelsVoorIedereen"]]
    for pad in ("activiteiten", "juridischeregelsvooriedereen", "locaties", "regelteksten"):
        body = probleem(c.get(f"/{pad}/bestaat.niet"), 404)
        assert "bestaat.niet" in body["detail"]


def test_locaties_met_geometrie_in_rd(c):
    locs = alle(c, "/locaties", "locaties")
    doc = etree.parse(str(LEVERING / "opdracht" / "owLocaties-Gemeentestad.xml"), PARSER)
    ids = {e.text for e in doc.iterfind(".//l:identificatie", NS)}
    assert {x["identificatie"] for x in locs} == ids
    r = c.get(f"/locaties/{sorted(ids)[1]}", headers={"Accept-Crs": "epsg:28992"})
    assert r.headers["content-crs"] == "epsg:28992"
    geo = r.json()["geometrie"]
    (soort, g), = geo.items()
    x, y = (g["coordinates"][0][0] if soort == "polygon" else g["coordinates"][0][0][0])
    assert 100_000 < x < 160_000 and 400_000 < y < 450_000      # RD New, Zaltbommel
    assert c.get("/locaties", headers={
        "Accept-Crs": "http://www.opengis.net/def/crs/EPSG/0/28992"}).status_code == 200
    probleem(c.get("/locaties", headers={"Accept-Crs": "epsg:4326"}), 406)


def test_regelteksten_filters(c):
    rts = alle(c, "/regelteksten", "regelteksten")
    assert {r["identificatie"] for r in rts} == {v["regeltekst"] for v in MET_ACTIVITEIT.values()}
    for r in rts:
        dc = r["documentComponent"]
        assert dc["identificatie"].startswith("gm0297_") and dc["vervallen"] is False
        assert r["werkpakketCode"].startswith("/join/id/proces/gm0297/")
    werkpakket = rts[0]["werkpakketCode"]
    gefilterd = alle(c, "/regelteksten", "regelteksten", werkpakketCode=werkpakket)
    assert gefilterd and all(r["werkpakketCode"] == werkpakket for r in gefilterd)
    assert alle(c, "/regelteksten", "regelteksten", werkpakketCode="bestaat-niet") == []
    doc = rts[0]["documentComponent"]["omgevingsdocument"]["identificatie"]
    assert len(alle(c, "/regelteksten", "regelteksten", omgevingsdocumentIdentificatie=doc)) == \
        len(rts)
    assert len(alle(c, "/regelteksten", "regelteksten", inclusiefVervallen="true")) >= len(rts)
    emb = c.get(f"/regelteksten/{rts[0]['identificatie']}", params={"expand": "locaties"})
    assert emb.headers["content-crs"] == "epsg:28992"
    assert emb.json()["_embedded"]["locaties"][0]["identificatie"] in \
        rts[0]["locatieIdentificaties"]


def test_parameterfouten(c):
    for params, naam in (({"pageSize": 101}, "pageSize"), ({"page": 0}, "page"),
                         ({"pageSize": "twintig"}, "pageSize"), ({"onbekend": "x"}, "onbekend")):
        body = probleem(c.get("/activiteiten", params=params), 400)
        assert body["invalidParams"][0]["name"] == naam
    assert probleem(c.get("/regelteksten", params={"inclusiefVervallen": "ja"}),
                    400)["invalidParams"][0]["name"] == "inclusiefVervallen"
    leeg = c.get("/activiteiten", params={"page": 999}).json()
    assert leeg["_embedded"]["activiteiten"] == [] and "next" not in leeg["_links"]


# --------------------------------------------------------------------------- schemathesis
# schemathesis' lazy fixture loader does not work with pytest 9; the port is chosen at import.

schema = schemathesis.openapi.from_path(SPEC)
schema.config.update(base_url=f"http://127.0.0.1:{POORT}{B}", headers={"x-api-key": SLEUTEL})
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                max_examples=10, database="none")


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_schemathesis_echte_vng_spec(case, server):
    case.call_and_validate()


def test_schemathesis_bestaande_identificaties(server):
    """Detail operations with identifiers that exist (random ones only reach the 404 path)."""
    act = sorted(set().union(*(v["activiteiten"] for v in MET_ACTIVITEIT.values())))[3]
    for pad, ident in (("/activiteiten/{identificatie}", act),
                       ("/juridischeregelsvooriedereen/{identificatie}", min(MET_ACTIVITEIT)),
                       ("/regelteksten/{identificatie}",
                        MET_ACTIVITEIT[min(MET_ACTIVITEIT)]["regeltekst"]),
                       ("/locaties/{identificatie}", "nl.imow-gm0297.gebiedengroep.zoneA")):
        for expand in (None, "juridischeRegelsVoorIedereen", "regeltekst,gedefinieerdeLocaties",
                       "locaties"):
            query = {"expand": expand} if expand and pad != "/locaties/{identificatie}" else {}
            case = schema[pad]["GET"].Case(path_parameters={"identificatie": ident}, query=query,
                                           headers={"x-api-key": SLEUTEL})
            resp = case.call_and_validate()
            assert resp.status_code == 200
