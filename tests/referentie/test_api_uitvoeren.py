"""Toepasbare regels uitvoeren v3 over HTTP, against a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml
from api_server import UvicornServer

from referentie_lv.app import create_app
from referentie_lv.config import Config

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "src" / "referentie_lv" / "specs" / "uitvoeren.yaml"
BASIS = "/publiek/toepasbare-regels/api/toepasbareregelsuitvoerenservices/v3"
SLEUTEL = "sleutel-uitvoeren"
KAP = "nl.imow-gm0297.activiteit.2019000810"
BOUW = "nl.imow-gm0297.activiteit.2019000800"
KAP_MODEL = "_ea4a7081-2efa-4dab-8169-51b40775a8ec"
BOUW_MODEL = "_0d28736f-5b50-4d24-9e3e-327304ae6807"


def _server(tmp_path_factory, fouten=frozenset()):
    cfg = Config(api_sleutels=frozenset({SLEUTEL}), fouten=frozenset(fouten),
                 data_map=str(tmp_path_factory.mktemp("uitv")))
    return UvicornServer(create_app(cfg))


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    with _server(tmp_path_factory) as s, httpx.Client(base_url=s.url + BASIS, timeout=30,
                                                       headers={"x-api-key": SLEUTEL}) as c:
        yield c


@pytest.fixture(scope="module")
def api_fout(tmp_path_factory):
    with _server(tmp_path_factory, {"verkeerde-conclusie"}) as s, httpx.Client(
            base_url=s.url + BASIS, timeout=30, headers={"x-api-key": SLEUTEL}) as c:
        yield c


def bepaal(c, body, soort="conclusie", **kw):
    return c.post(f"/{soort}/_bepaal", json=body, **kw)


def test_sleutel_ontbreekt_401_onbekend_403(api):
    r = api.post("/conclusie/_bepaal", json={"activiteiten": [KAP]}, headers={"x-api-key": ""})
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    r = api.post("/conclusie/_bepaal", json={"activiteiten": [KAP]}, headers={"x-api-key": "onbekend"})
    assert r.status_code == 403
    assert r.headers["api-version"] == "3.0.0"
    body = r.json()
    assert {"status", "title", "detail"} <= body.keys()


def test_spec_app_info_health(api):
    spec = api.get("/openapi.json").json()
    assert spec["info"]["version"] == "3.0.0" and "/conclusie/_bepaal" in spec["paths"]
    assert api.get("/health").json() == {"status": "UP"}
    assert api.get("/app-info").json()["name"] == "uitvoeren"


def test_kappen_vraag_voor_vraag_tot_vergunningplicht(api):
    antwoorden, gesteld = [], []
    waarden = {"UitvId0001": 120, "UitvId0002": "ja", "UitvId0003": False, "UitvId0004": "nee"}
    for _ in range(6):
        r = bepaal(api, {"werkzaamheden": ["BoomOfStruikKappenOfSnoeien"], "antwoorden": antwoorden})
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/hal+json")
        assert r.headers["api-version"] == "3.0.0"
        body = r.json()
        (res,) = body["resultaten"]
        assert res["activiteit"] == {"identificatie": KAP, "naam": "boom kappen"}
        if body["status"] == "afgerond":
            break
        assert res["status"] == "vragen" and res["conclusie"] is None
        v = res["volgendeVraag"]
        assert v == res["openVragen"][0]
        gesteld.append(v["tekst"])
        antwoorden.append({"vraagId": v["id"], "waarde": waarden[v["code"]]})
    assert gesteld == ["Wat is de stamomtrek van de boom?",
                       "Is de boom zichtbaar vanaf openbaar toegankelijk gebied?",
                       "Wordt de boom gekapt op grond van de Plantenziektenwet?",
                       "Wordt de boom gekapt vanwege een aanschrijving op grond van artikel PM van de "
                       "Algemene plaatselijke verordening?"]
    c = res["conclusie"]
    assert c["waarde"] == "Vergunningplicht" and c["regels"] == [4]
    assert "regel 4 van beslistabel 'Besluit - Kappen van een boom'" in c["uitleg"]
    assert {a["vraagId"] for a in c["gebruikteAntwoorden"]} == {a["vraagId"] for a in antwoorden}
    assert res["toepasbareRegel"]["typering"] == "Conclusie"
    assert body["_links"]["self"]["href"].endswith("/conclusie/_bepaal")


@pytest.mark.parametrize("oppervlakte, conclusie", [(10, "Toestemmingsvrij"), ("25", "Meldingsplicht"),
                                                   (30, "Vergunningplicht")])
def test_bijgebouw_en_twee_activiteiten_tegelijk(api, oppervlakte, conclusie):
    body = bepaal(api, {"activiteiten": [BOUW, KAP], "antwoorden": [
        {"vraagId": f"{BOUW_MODEL}/UitvId0001", "waarde": oppervlakte},
        {"vraagId": f"{KAP_MODEL}/UitvId0001", "waarde": 20}]}).json()
    per = {r["activiteit"]["identificatie"]: r for r in body["resultaten"]}
    assert per[BOUW]["conclusie"]["waarde"] == conclusie
    assert per[KAP]["conclusie"]["waarde"] == "Toestemmingsvrij"
    assert body["status"] == "afgerond"


def test_indieningsvereisten(api):
    body = bepaal(api, {"activiteiten": [KAP]}, "indieningsvereisten").json()
    (res,) = body["resultaten"]
    assert res["status"] == "vragen" and res["toepasbareRegel"]["toestemming"] == "Vergunning"
    assert [v["soort"] for v in res["vereisten"]] == ["vraag"] * 4 + ["bijlage"]
    bijlage = res["vereisten"][-1]
    assert bijlage["bijlagetype"] == "Situatieschets"
    body = bepaal(api, {"activiteiten": [KAP], "antwoorden": [{"vraagId": bijlage["id"], "waarde": False}]},
                  "indieningsvereisten").json()
    assert body["resultaten"][0]["conclusie"]["voldaan"] is False


def test_bouwen_zonder_indieningsvereisten_en_maatregelen(api):
    body = bepaal(api, {"activiteiten": [BOUW]}, "indieningsvereisten").json()
    assert body["resultaten"][0]["status"] == "geenToepasbareRegels"
    body = bepaal(api, {"werkzaamheden": ["BoomOfStruikKappenOfSnoeien"]}, "maatregelen").json()
    assert body["status"] == "afgerond" and body["resultaten"][0]["status"] == "geenToepasbareRegels"


def test_locatie(api):
    binnen = {"type": "Point", "coordinates": [138922.3, 424064.11]}     # Kermisstraat 27 (test register)
    crs = {"Content-Crs": "http://www.opengis.net/def/crs/EPSG/0/28992"}
    r = bepaal(api, {"activiteiten": [KAP], "locatie": binnen}, headers=crs)
    assert r.json()["resultaten"][0]["status"] == "vragen"
    buiten = {"type": "Point", "coordinates": [100000, 400000]}
    r = bepaal(api, {"activiteiten": [KAP], "locatie": buiten}, headers=crs)
    assert r.json()["resultaten"][0]["status"] == "nietOpLocatie"
    # Schema-valid, but a locatie needs its CRS and must be a valid geometry: 422 (content).
    r = bepaal(api, {"activiteiten": [KAP], "locatie": binnen})
    assert r.status_code == 422 and r.json()["invalidParams"][0]["name"] == "Content-Crs"
    r = bepaal(api, {"activiteiten": [KAP]}, headers={"Content-Crs": "epsg:4326"})
    assert r.status_code == 400 and r.json()["invalidParams"][0]["name"] == "Content-Crs"
    r = bepaal(api, {"activiteiten": [KAP], "locatie": {"type": "Point", "coordinates": []}}, headers=crs)
    assert r.status_code == 422 and r.json()["invalidParams"][0]["name"] == "locatie"
    r = bepaal(api, {"activiteiten": [KAP], "locatie": {"type": "Point", "coordinates": [0, 0]}}, headers=crs)
    assert r.status_code == 422 and r.json()["invalidParams"][0]["name"] == "locatie"


@pytest.mark.parametrize("body, status, veld", [
    ({}, 400, "activiteiten"),
    ([], 400, "body"),
    ({"activiteiten": "x"}, 400, "activiteiten"),
    ({"activiteiten": [1]}, 400, "activiteiten[0]"),
    ({"activiteiten": [KAP], "extra": 1}, 400, "extra"),
    ({"activiteiten": None, "werkzaamheden": ["BoomOfStruikKappenOfSnoeien"]}, 400, "activiteiten"),
    ({"activiteiten": [KAP], "antwoorden": None}, 400, "antwoorden"),
    ({"activiteiten": ["nl.imow-gm0297.activiteit.bestaatniet"]}, 422, "activiteiten[0]"),
    ({"werkzaamheden": ["Onbekend"]}, 422, "werkzaamheden[0]"),
    ({"activiteiten": [KAP], "antwoorden": [{"vraagId": "nee", "waarde": 1}]}, 422, "antwoorden[0].vraagId"),
    ({"activiteiten": [KAP], "antwoorden": [{"vraagId": f"{KAP_MODEL}/UitvId0001", "waarde": 80},
                                            {"vraagId": f"{KAP_MODEL}/UitvId0002", "waarde": "misschien"}]},
     422, "antwoorden[1].waarde"),
    ({"activiteiten": [KAP], "antwoorden": [{"vraagId": f"{KAP_MODEL}/UitvId0001", "waarde": "dik"}]},
     422, "antwoorden[0].waarde"),
    ({"activiteiten": [KAP], "antwoorden": [{"vraagId": f"{KAP_MODEL}/UitvId0001", "waarde": False}]},
     422, "antwoorden[0].waarde"),
    ({"activiteiten": [], "werkzaamheden": []}, 400, "activiteiten"),
    ({"activiteiten": [KAP], "antwoorden": [{"vraagId": f"{KAP_MODEL}/UitvId0001"}]}, 400, "antwoorden[0].waarde"),
    ({"activiteiten": [KAP], "antwoorden": [{"vraagId": f"{KAP_MODEL}/UitvId0001", "waarde": [1]}]},
     400, "antwoorden[0].waarde"),
])
def test_foute_invoer_noemt_het_veld(api, body, status, veld):
    r = bepaal(api, body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    p = r.json()
    assert p["status"] == status and p["invalidParams"][0]["name"] == veld


def test_geen_json_en_verkeerd_mediatype(api):
    r = api.post("/conclusie/_bepaal", content=b"{kapot", headers={"content-type": "application/json"})
    assert r.status_code == 400
    r = api.post("/conclusie/_bepaal", content=b"a=b", headers={"content-type": "text/plain"})
    assert r.status_code == 415
    r = api.get("/conclusie/_bepaal")
    assert r.status_code == 405 and "POST" in r.headers["allow"]


def test_lijsten(api):
    r = api.get("/werkzaamheden")
    assert r.status_code == 200
    ws = {w["identificatie"]: w for w in r.json()["_embedded"]["werkzaamheden"]}
    assert ws["BoomOfStruikKappenOfSnoeien"]["naam"] == "Boom of struik kappen of snoeien"
    assert ws["AanbouwBouwenVerbouwen"]["activiteiten"][0]["identificatie"] == BOUW
    r = api.get("/toepasbare-regels", params={"typering": "Conclusie"})
    regels = r.json()["_embedded"]["toepasbareRegels"]
    assert {t["identificatie"] for t in regels} == {KAP_MODEL, BOUW_MODEL}
    detail = api.get(regels[0]["_links"]["self"]["href"].split(BASIS, 1)[1]).json()
    assert detail["aantalVragen"] == len(detail["vragen"]) >= 1
    assert api.get(f"/toepasbare-regels/{KAP_MODEL}").json()["geldigBegindatum"] == "2020-12-23"
    assert api.get("/toepasbare-regels/bestaat-niet").status_code == 404
    r = api.get("/toepasbare-regels", params={"typering": "Iets"})
    assert r.status_code == 400 and r.json()["invalidParams"][0]["name"] == "typering"
    r = api.get("/werkzaamheden", params={"pageSize": 0})
    assert r.status_code == 400 and r.json()["invalidParams"][0]["name"] == "pageSize"
    r = api.get("/werkzaamheden", params={"page": "45077931611808887472128"})
    assert r.status_code == 400 and r.json()["invalidParams"][0]["name"] == "page"


def test_fout_verkeerde_conclusie(api, api_fout):
    body = {"activiteiten": [BOUW], "antwoorden": [{"vraagId": f"{BOUW_MODEL}/UitvId0001", "waarde": 40}]}
    goed = bepaal(api, body).json()["resultaten"][0]["conclusie"]
    fout = bepaal(api_fout, body).json()["resultaten"][0]["conclusie"]
    assert goed["waarde"] == "Vergunningplicht" and fout["waarde"] == "Toestemmingsvrij"
    assert goed["uitleg"] == fout["uitleg"]                     # only the outcome is wrong
    assert "verkeerde-conclusie" in api_fout.get("/app-info").json()["fouten"]


def test_spec_adr_lint_nul_fouten():
    spectral = ROOT / "node_modules" / ".bin" / "spectral"
    if not spectral.exists():
        pytest.fail(f"Spectral ontbreekt ({spectral}); draai 'npm ci' in de projectmap.")
    proc = subprocess.run([str(spectral), "lint", "-r", str(ROOT / "contracts" / "adr" / "linter.yaml"),
                           "-f", "json", "--quiet", str(SPEC)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode in (0, 1), proc.stderr
    fouten = [b for b in json.loads(proc.stdout or "[]") if b["severity"] == 0]
    assert not fouten, fouten
    spec = yaml.safe_load(SPEC.read_text())
    assert "Gemodelleerd door dso-acceptatie" in spec["info"]["description"]
