"""PDOK Locatieserver v3_1 of the reference LV on a real uvicorn server.

Expected values come from the register file itself (bronnen/testadressen.csv, read here with csv),
not from the store the service uses. The last test runs schemathesis from the real PDOK spec.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import httpx
import pytest
import schemathesis
from api_server import UvicornServer, vrije_poort
from hypothesis import HealthCheck, settings
from lxml import etree
from schemathesis import GenerationMode

from dso_acceptatie.fasen.contracten.specs import voor_schemathesis
from referentie_lv.app import create_app
from referentie_lv.config import Config

ROOT = Path(__file__).resolve().parents[2]
CSV = ROOT / "src" / "referentie_lv" / "bronnen" / "testadressen.csv"
SPEC = ROOT / "src" / "referentie_lv" / "specs" / "pdok-locatieserver" / "openapi.json"
L = "/bzk/locatieserver/search/v3_1"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
POORT = vrije_poort()


def register() -> list[dict]:
    with CSV.open(encoding="utf-8") as f:
        regels = [r for r in f if not r.startswith("#")]
    return list(csv.DictReader(regels))


REGISTER = register()
ADRESSEN = [r for r in REGISTER if r["type"] == "adres"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REFERENTIE_LV_LIMIETEN", "*=0")   # no throttling: schemathesis is fast
        app = create_app(Config(api_sleutels=frozenset({"ls-sleutel"}),
                                data_map=str(tmp_path_factory.mktemp("ls"))))
    with UvicornServer(app, POORT) as s:
        yield s


@pytest.fixture(scope="module")
def c(server):
    # No x-api-key: the Locatieserver is open, as PDOK publishes it.
    with httpx.Client(base_url=server.url + L, timeout=30) as c:
        yield c


def solr_fout(r: httpx.Response) -> str:
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.headers["api-version"] == "v3_1"
    fout = r.json()["error"]
    assert fout["code"] == 400 and "metadata" in fout
    return fout["msg"]


def test_open_met_spec_zoals_gepubliceerd(c):
    r = c.get("/openapi.json")
    assert r.status_code == 200 and r.content == SPEC.read_bytes()
    r = c.get("/free", params={"q": "x"})
    assert r.status_code == 200 and r.headers["api-version"] == "v3_1"
    assert c.get("/app-info").json()["apiKeyRequired"] is False


def test_free_vindt_adres_uit_het_register(c):
    doel = ADRESSEN[0]
    r = c.get("/free", params={"q": f"{doel['straatnaam']} {doel['huis_nlt']}"})
    body = r.json()["response"]
    assert r.headers["content-type"] == "application/json"
    assert body["numFoundExact"] is True and body["start"] == 0
    doc = next(d for d in body["docs"] if d["id"] == doel["id"])
    assert doc["weergavenaam"] == doel["weergavenaam"]
    assert doc["postcode"] == doel["postcode"] and doc["huisnummer"] == int(doel["huisnummer"])
    assert doc["centroide_rd"] == doel["centroide_rd"]
    assert body["maxScore"] == max(d["score"] for d in body["docs"])
    # postcode written apart or together finds the same
    p = doel["postcode"]
    a = c.get("/free", params={"q": p, "fq": "type:postcode"}).json()["response"]
    b = c.get("/free", params={"q": f"{p[:4]} {p[4:]}", "fq": "type:postcode"}).json()["response"]
    assert a["numFound"] == b["numFound"] >= 1


def test_free_fl_fq_en_paginering(c):
    wegen = sorted(r["id"] for r in REGISTER if r["type"] == "weg")
    r = c.get("/free", params={"fq": "type:weg", "fl": "id,type", "rows": 100}).json()["response"]
    assert r["numFound"] == len(wegen)
    assert sorted(d["id"] for d in r["docs"]) == wegen
    assert all(set(d) == {"id", "type"} for d in r["docs"])
    # start/rows page through the same list
    stukken = []
    for start in range(0, len(wegen), 4):
        stukken += c.get("/free", params={"fq": "type:weg", "fl": "id", "rows": 4,
                                          "start": start}).json()["response"]["docs"]
    assert sorted(d["id"] for d in stukken) == wegen and len(stukken) == len(wegen)
    twee = c.get("/free", params={"fq": "type:(weg OR gemeente)", "rows": 100}).json()["response"]
    assert twee["numFound"] == len(wegen) + sum(1 for x in REGISTER if x["type"] == "gemeente")


def test_free_lat_lon_sorteert_op_afstand(c):
    doel = ADRESSEN[5]
    docs = c.get("/free", params={"fq": "type:adres", "lat": doel["lat"], "lon": doel["lon"],
                                  "rows": 3}).json()["response"]["docs"]
    assert docs[0]["id"] == doel["id"]


def test_grenzen_en_fouten_in_solr_vorm(c):
    assert "rows" in solr_fout(c.get("/free", params={"rows": 101}))
    assert "start" in solr_fout(c.get("/free", params={"start": 10001}))
    assert "wt" in solr_fout(c.get("/free", params={"wt": "csv"}))
    assert "fl" in solr_fout(c.get("/free", params={"fl": "ID!"}))
    assert "lat" in solr_fout(c.get("/free", params={"lat": "noord", "lon": 5}))
    assert "q" in solr_fout(c.get("/suggest"))
    assert "id" in solr_fout(c.get("/lookup"))
    assert "type" in solr_fout(c.get("/reverse", params={"X": 1, "Y": 2, "type": "ADRES"}))
    assert c.get("/free", params={"rows": 100, "start": 10000}).status_code == 200
    assert c.get("/suggest", params={"q": "a", "rows": 3000}).status_code == 200
    r = c.get("/free", params={"rows": 101, "wt": "xml"})
    assert r.status_code == 400 and r.headers["content-type"] == "application/xml"
    assert etree.fromstring(r.content, PARSER).findtext(".//int[@name='code']") == "400"
    # errors outside the spec stay problem+json
    r = c.get("/bestaat-niet")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    r = c.post("/free")
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD"


def test_wt_xml(c):
    doel = ADRESSEN[1]
    r = c.get("/lookup", params={"id": doel["id"], "wt": "xml"})
    assert r.headers["content-type"] == "application/xml"
    xml = etree.fromstring(r.content, PARSER)
    res = xml.find("result")
    assert res.get("numFound") == "1"
    assert res.findtext("doc/str[@name='weergavenaam']") == doel["weergavenaam"]
    assert res.findtext("doc/int[@name='huisnummer']") == doel["huisnummer"]


def test_suggest_met_highlighting_en_spellcheck(c):
    straat = ADRESSEN[2]["straatnaam"]
    body = c.get("/suggest", params={"q": straat[:6], "rows": 5}).json()
    docs = body["response"]["docs"]
    assert docs and all(set(d) <= {"id", "weergavenaam", "type", "score"} for d in docs)
    for d in docs:
        markering = body["highlighting"][d["id"]]["suggest"][0]
        assert "<b>" in markering and markering.replace("<b>", "").replace("</b>", "") == \
            d["weergavenaam"]
    assert body["spellcheck"] == {"suggestions": [], "collations": []}
    # a typo: no hits, but a correction that does have hits
    fout = straat[:3] + straat[4:]          # one letter dropped
    sc = c.get("/suggest", params={"q": fout}).json()
    assert sc["response"]["numFound"] == 0
    assert sc["spellcheck"]["suggestions"][0] == fout.lower()
    assert straat.lower() in sc["spellcheck"]["suggestions"][1]["suggestion"]
    assert sc["spellcheck"]["collations"][1]["hits"] > 0


def test_lookup(c):
    for doel in (ADRESSEN[3], next(r for r in REGISTER if r["type"] == "gemeente")):
        body = c.get("/lookup", params={"id": doel["id"]}).json()["response"]
        assert body["numFound"] == 1 and "maxScore" not in body
        doc = body["docs"][0]
        assert doc["id"] == doel["id"] and doc["weergavenaam"] == doel["weergavenaam"]
        assert doc["centroide_ll"] == doel["centroide_ll"]
    assert c.get("/lookup", params={"id": "adr-bestaatniet"}).json()["response"]["numFound"] == 0


def test_reverse_rd_en_wgs84(c):
    doel = ADRESSEN[4]
    x, y = float(doel["rd_x"]), float(doel["rd_y"])
    body = c.get("/reverse", params={"X": x + 1, "Y": y, "rows": 5}).json()["response"]
    docs = body["docs"]
    assert docs[0]["id"] == doel["id"] and docs[0]["type"] == "adres"
    assert docs[0]["afstand"] == pytest.approx(1.0, abs=0.01)
    assert [d["afstand"] for d in docs] == sorted(d["afstand"] for d in docs)
    verwacht = sorted(math.hypot(float(r["rd_x"]) - x - 1, float(r["rd_y"]) - y) for r in ADRESSEN)
    assert [d["afstand"] for d in docs] == pytest.approx(verwacht[:5], abs=0.01)
    assert body["numFound"] == len(ADRESSEN)
    ll = c.get("/reverse", params={"lat": doel["lat"], "lon": doel["lon"]}).json()["response"]
    assert ll["docs"][0]["id"] == doel["id"] and ll["docs"][0]["afstand"] < 1
    binnen = c.get("/reverse", params={"X": x, "Y": y, "distance": 100, "rows": 100}).json()
    dichtbij = [r for r in ADRESSEN
                if math.hypot(float(r["rd_x"]) - x, float(r["rd_y"]) - y) <= 100]
    assert binnen["response"]["numFound"] == len(dichtbij) >= 1
    assert all(d["afstand"] <= 100 for d in binnen["response"]["docs"])
    alles = c.get("/reverse", params={"X": x, "Y": y, "type": "*", "rows": 1}).json()
    assert alles["response"]["numFound"] == len(REGISTER)
    leeg = c.get("/reverse").json()["response"]
    assert leeg["numFound"] == 0 and leeg["docs"] == []


# --------------------------------------------------------------------------- schemathesis
# schemathesis' lazy fixture loader does not work with pytest 9; the port is chosen at import so
# the schema can carry its base URL from collection on.

# The spec with the two OpenAPI defaults schemathesis does not apply by itself spelled out
# (allowEmptyValue false, the 32-bit range of format: float), as the harness does: otherwise
# schemathesis counts lat=1.8e308 as valid input, which the reference (like Prism) refuses.
schema = schemathesis.openapi.from_dict(voor_schemathesis(json.loads(SPEC.read_text(encoding="utf-8"))))
schema.config.update(base_url=f"http://127.0.0.1:{POORT}{L}")
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                max_examples=15, database="none")


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_schemathesis_echte_pdok_spec(case, server):
    # every default check: no 5xx, status/content type/headers/schema conformance, negative data
    # rejected, positive data accepted
    case.call_and_validate()


def test_schemathesis_vindt_een_ingestelde_fout(tmp_path):
    """The schemathesis run above can fail: against 'schema-schending' it does."""
    app = create_app(Config(fouten=frozenset({"schema-schending"}), data_map=str(tmp_path)))
    with UvicornServer(app) as s:
        sch = schemathesis.openapi.from_path(SPEC)
        sch.config.update(base_url=s.url + L)
        op = sch["/free"]["GET"]
        case = op.Case(query={"q": "straat"})
        with pytest.raises(BaseException) as e:
            case.call_and_validate()
        fouten = getattr(e.value, "exceptions", [e.value])
        assert any(type(f).__name__ == "JsonSchemaError" for f in fouten), fouten
