"""The common API framework (referentie_lv.api.basis) against a small test service on a real
uvicorn server: every error path, throttling, paging, CRS, and each fault switch."""

from __future__ import annotations

import json
import os

import httpx
import pytest
from api_server import UvicornServer
from starlette.applications import Starlette
from starlette.routing import Mount

from referentie_lv import fouten
from referentie_lv.api import basis
from referentie_lv.app import create_app
from referentie_lv.config import Config

SLEUTEL = "test-sleutel"
ITEMS = [{"identificatie": f"id.{i}", "nummer": i} for i in range(45)]


def proefdienst(spec) -> basis.Dienst:
    d = basis.Dienst("catalogus", "/proef/v1", spec, servers_herschrijven=True)

    @d.get("/dingen")
    async def dingen(request):
        p = basis.pagina(request)
        links, headers = basis.paginalinks(request, p, len(ITEMS))
        return basis.hal({"_links": links,
                          "_embedded": {"dingen": ITEMS[p.start:p.start + p.grootte]}},
                         headers=headers)

    @d.get("/dingen/{identificatie}")
    async def ding(request):
        i = request.path_params["identificatie"]
        for it in ITEMS:
            if it["identificatie"] == i:
                return basis.hal(it)
        raise basis.Probleem(404, f"Ding {i} bestaat niet.")

    @d.get("/getal")
    async def getal(request):
        return basis.hal({"n": basis.geheel_getal(request, "n", verplicht=True, minimum=1,
                                                   maximum=10)})

    @d.get("/kapot")
    async def kapot(request):
        raise RuntimeError("geheim detail dat niet naar buiten mag")

    @d.get("/geo")
    async def geo(request):
        basis.accept_crs(request)
        return basis.hal({"geometrie": {"type": "Point", "coordinates": [155000, 463000]}},
                         request=request, geometrie=True)

    @d.post("/_zoek")
    async def zoek(request):
        basis.content_crs(request)
        body = await basis.lees_json(request)
        return basis.hal({"ontvangen": body})

    return d


FOUT_VARIANTEN = ["", "geen-api-version", "fout-content-type", "schema-schending",
                  "authenticatie-genegeerd", "traag:catalogus", "503-deel", "kapotte-paginering"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    spec = tmp_path_factory.mktemp("spec") / "proef.json"
    spec.write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "Proef", "version": "1.2.3"},
                                "servers": [{"url": "https://voorbeeld.nl/proef/v1"}],
                                "paths": {}}))
    os.environ["REFERENTIE_LV_TRAAG_SECONDEN"] = "0.3"   # read when the app is built
    mounts = []
    for f in FOUT_VARIANTEN:
        cfg = Config(api_sleutels=frozenset({SLEUTEL, "tweede"}),
                     fouten=frozenset({f}) if f else frozenset())
        mounts.append(Mount(f"/{f or 'schoon'}", app=Starlette(routes=[
            basis.mount(proefdienst(spec), cfg, {"catalogus": 10_000})])))
    # a tight limit for the throttling test
    mounts.append(Mount("/smal", app=Starlette(routes=[
        basis.mount(proefdienst(spec), Config(api_sleutels=frozenset({SLEUTEL, "tweede"})),
                    {"*": 3})])))
    try:
        with UvicornServer(Starlette(routes=mounts)) as s:
            yield s
    finally:
        os.environ.pop("REFERENTIE_LV_TRAAG_SECONDEN", None)


@pytest.fixture(scope="module")
def c(server):
    with httpx.Client(base_url=server.url, timeout=10, headers={"x-api-key": SLEUTEL}) as c:
        yield c


B = "/schoon/proef/v1"


def is_probleem(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["api-version"] == "1.2.3"
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_standaard_routes_zonder_sleutel(server):
    with httpx.Client(base_url=server.url) as c:
        spec = c.get(B + "/openapi.json")
        assert spec.status_code == 200 and spec.headers["api-version"] == "1.2.3"
        assert spec.json()["servers"] == [{"url": server.url + B,
                                          "description": "Referentie-LV (deze server)"}]
        info = c.get(B + "/app-info").json()
        assert info["version"] == "1.2.3" and info["name"] == "catalogus" and info["fouten"] == []
        assert c.get(B + "/health").json() == {"status": "UP"}


def test_sleutel_ontbreekt_401_onbekend_403(server):
    with httpx.Client(base_url=server.url) as c:
        r = c.get(B + "/dingen")
        is_probleem(r, 401)
        assert "x-api-key" in r.json()["detail"]
        is_probleem(c.get(B + "/dingen", headers={"x-api-key": "fout"}), 403)


def test_404_405_met_allow(c):
    is_probleem(c.get(B + "/bestaat-niet"), 404)
    is_probleem(c.get(B + "/dingen/id.999"), 404)
    r = c.delete(B + "/dingen")
    is_probleem(r, 405)
    assert r.headers["allow"] == "GET, HEAD"


def test_400_noemt_parameter(c):
    for q, code in (("n=x", "integer"), ("n=11", "maximum"), ("", "required"), ("n=1&n=2", "single")):
        body = is_probleem(c.get(B + "/getal?" + q), 400)
        assert body["invalidParams"][0]["name"] == "n"
        assert body["invalidParams"][0]["code"] == code
    assert c.get(B + "/getal?n=4").json() == {"n": 4}
    body = is_probleem(c.get(B + "/dingen?pageSize=101"), 400)
    assert body["invalidParams"][0]["name"] == "pageSize"


def test_406_415_en_json_fout(c):
    is_probleem(c.get(B + "/dingen", headers={"accept": "text/csv"}), 406)
    assert c.get(B + "/dingen", headers={"accept": "application/hal+json"}).status_code == 200
    assert c.get(B + "/dingen", headers={"accept": "text/html, */*;q=0.1"}).status_code == 200
    crs = {"Content-Crs": "epsg:28992"}
    is_probleem(c.post(B + "/_zoek", content=b"<x/>",
                       headers={**crs, "content-type": "application/xml"}), 415)
    is_probleem(c.post(B + "/_zoek", content=b"{kapot", headers={**crs, "content-type": "application/json"}), 400)
    r = c.post(B + "/_zoek", json={"a": 1}, headers=crs)
    assert r.status_code == 200 and r.json() == {"ontvangen": {"a": 1}}


def test_500_zonder_stacktrace(c):
    r = c.get(B + "/kapot")
    body = is_probleem(r, 500)
    assert "geheim" not in r.text and "Traceback" not in r.text
    assert body["detail"]


def test_crs(c):
    r = c.get(B + "/geo", headers={"Accept-Crs": "http://www.opengis.net/def/crs/EPSG/0/28992"})
    assert r.status_code == 200 and r.headers["content-crs"] == basis.CRS_RD
    assert c.get(B + "/geo", headers={"Accept-Crs": "epsg:28992"}).status_code == 200
    assert c.get(B + "/geo").status_code == 200
    is_probleem(c.get(B + "/geo", headers={"Accept-Crs": "epsg:4326"}), 406)
    body = is_probleem(c.post(B + "/_zoek", json={}), 400)
    assert body["invalidParams"][0]["name"] == "Content-Crs"
    body = is_probleem(c.post(B + "/_zoek", json={}, headers={"Content-Crs": "epsg:4326"}), 400)
    assert body["invalidParams"][0]["name"] == "Content-Crs"
    assert c.post(B + "/_zoek", json={}, headers={
        "Content-Crs": "http://www.opengis.net/def/crs/EPSG/0/28992"}).status_code == 200


def test_paginering(c):
    r = c.get(B + "/dingen", params={"pageSize": 20, "page": 2})
    assert r.status_code == 200 and r.headers["content-type"] == "application/hal+json"
    assert r.headers["x-pagination-page"] == "2" and r.headers["x-pagination-limit"] == "20"
    body = r.json()
    assert [d["nummer"] for d in body["_embedded"]["dingen"]] == list(range(20, 40))
    links = body["_links"]
    assert links["self"]["href"].endswith(B + "/dingen?pageSize=20&page=2")
    assert links["first"]["href"].endswith("page=1")
    assert links["previous"]["href"].endswith("page=1")
    assert links["next"]["href"].endswith("page=3")
    laatste = c.get(links["next"]["href"]).json()
    assert len(laatste["_embedded"]["dingen"]) == 5 and "next" not in laatste["_links"]
    assert "previous" not in c.get(B + "/dingen").json()["_links"]


def test_rate_limit_headers_en_429(c):
    r = c.get(B + "/dingen")
    assert r.headers["x-rate-limit-limit"] == "10000"
    assert int(r.headers["x-rate-limit-remaining"]) > 9000
    statussen = []
    for _ in range(8):
        r = c.get("/smal/proef/v1/dingen")
        statussen.append(r.status_code)
        if r.status_code == 429:
            break
    assert statussen[:3] == [200, 200, 200] and statussen[-1] == 429
    is_probleem(r, 429)
    assert int(r.headers["retry-after"]) >= 1
    assert r.headers["x-rate-limit-limit"] == "3" and r.headers["x-rate-limit-remaining"] == "0"
    assert "x-rate-limit-reset" in r.headers
    # per key: another key still has its own bucket
    assert c.get("/smal/proef/v1/dingen", headers={"x-api-key": "tweede"}).status_code == 200


# --------------------------------------------------------------------------- faults

def test_zonder_fouten_geen_foutcode_op_het_pad(tmp_path):
    spec = tmp_path / "s.json"
    spec.write_text('{"openapi": "3.0.3", "info": {"title": "x", "version": "1"}, "paths": {}}')
    app = proefdienst(spec).asgi(Config(), {})
    assert [f.__name__ for f in app.nabewerkingen] == ["_met_versie"]
    assert app.voor_operatie == [] and app.sleutel_controle
    assert app.dienst.paginalinks_maker is basis._paginalinks_goed


def test_onbekende_fout_stopt_met_nederlandse_melding():
    with pytest.raises(fouten.OnbekendeFout, match="Onbekende fout 'bestaat-niet'"):
        create_app(Config(fouten=frozenset({"bestaat-niet"})))
    with pytest.raises(fouten.OnbekendeFout, match="heeft een waarde nodig"):
        create_app(Config(fouten=frozenset({"traag"})))
    with pytest.raises(fouten.OnbekendeFout, match="neemt geen waarde"):
        create_app(Config(fouten=frozenset({"503-deel:3"})))


def test_fouten_lijst_beschreven():
    namen = [f.naam for f in fouten.FOUTEN]
    assert len(namen) == len(set(namen))
    for f in fouten.FOUTEN:
        assert len(f.beschrijving) > 30, f.naam
    for naam in ("geen-api-version", "fout-content-type", "schema-schending",
                 "authenticatie-genegeerd", "traag", "503-deel", "kapotte-paginering"):
        assert naam in namen


def test_fout_geen_api_version(c):
    r = c.get("/geen-api-version/proef/v1/dingen")
    assert r.status_code == 200 and "api-version" not in r.headers
    assert "api-version" not in c.get("/geen-api-version/proef/v1/niets").headers
    assert c.get(B + "/dingen").headers["api-version"] == "1.2.3"


def test_fout_content_type(c):
    r = c.get("/fout-content-type/proef/v1/niets")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    ok = c.get("/fout-content-type/proef/v1/dingen")
    assert ok.headers["content-type"] == "application/hal+json"


def test_fout_schema_schending(c):
    r = c.get("/schema-schending/proef/v1/dingen/id.3")
    assert r.status_code == 200 and r.json()["identificatie"] == 12345
    assert c.get(B + "/dingen/id.3").json()["identificatie"] == "id.3"
    # errors stay as they are
    is_probleem(c.get("/schema-schending/proef/v1/niets"), 404)


def test_fout_authenticatie_genegeerd(server):
    with httpx.Client(base_url=server.url) as c:
        assert c.get("/authenticatie-genegeerd/proef/v1/dingen").status_code == 200
        assert c.get("/authenticatie-genegeerd/proef/v1/dingen",
                     headers={"x-api-key": "onzin"}).status_code == 200
        assert c.get(B + "/dingen").status_code == 401


def test_fout_traag(server):
    app = proefdienst_app(server, "traag:catalogus")
    assert app.voor_operatie and app._traag == pytest.approx(0.3)
    # the delay is an asyncio.sleep before the operation; the response itself is unchanged
    with httpx.Client(base_url=server.url, headers={"x-api-key": SLEUTEL}) as c:
        r = c.get("/traag:catalogus/proef/v1/dingen")
        assert r.status_code == 200 and r.elapsed.total_seconds() >= 0.3


def proefdienst_app(server, fout):
    for m in server.server.config.app.routes:
        if m.path == f"/{fout}":
            return m.app.routes[0].app
    raise AssertionError(fout)


def test_fout_503_deel(c):
    statussen = [c.get("/503-deel/proef/v1/dingen").status_code for _ in range(10)]
    assert statussen.count(503) == 2 and statussen[4] == 503 and statussen[9] == 503
    r = None
    for _ in range(5):
        r = c.get("/503-deel/proef/v1/dingen")
    is_probleem(r, 503)
    assert r.headers["retry-after"] == "1"
    assert all(c.get(B + "/dingen").status_code == 200 for _ in range(5))


def test_fout_kapotte_paginering(c):
    links = c.get("/kapotte-paginering/proef/v1/dingen", params={"page": 3}).json()["_links"]
    assert links["next"]["href"].endswith("page=5")      # past the last page (3)
    assert links["previous"]["href"].endswith("page=3")  # points to itself


def test_limieten_per_dienst_instelbaar(tmp_path, monkeypatch):
    def limieten(app) -> dict[str, float | None]:
        return {r.app.dienst.naam: (r.app.begrenzer.per_seconde if r.app.begrenzer else None)
                for r in app.routes if isinstance(r, basis.DienstMount)}

    monkeypatch.delenv("REFERENTIE_LV_LIMIETEN", raising=False)
    standaard = limieten(create_app(Config(data_map=str(tmp_path))))
    assert standaard["presenteren"] == 200          # the documented DSO limit
    monkeypatch.setenv("REFERENTIE_LV_LIMIETEN", "presenteren=5,*=0")
    aangepast = limieten(create_app(Config(data_map=str(tmp_path))))
    assert aangepast["presenteren"] == 5 and aangepast["locatieserver"] is None
    monkeypatch.setenv("REFERENTIE_LV_LIMIETEN", "presenteren=veel")
    with pytest.raises(fouten.OnbekendeFout, match="REFERENTIE_LV_LIMIETEN"):
        create_app(Config(data_map=str(tmp_path)))
