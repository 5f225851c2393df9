"""Catalogus Opvragen v3 of the reference LV, against a real server.

Expected begrippen and activiteiten are read from the delivery files here; werkzaamheden from
the STTR activity packages (zips) as delivered.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import httpx
import pytest
from lxml import etree
from probleem import ongeldige_parameters

SLEUTEL = "catalogus-testsleutel"
ROOT = Path(__file__).resolve().parents[2]
BRONNEN = ROOT / "src" / "referentie_lv" / "bronnen"
C = "/publiek/catalogus/api/opvragen/v3"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def begrippen_uit_besluit() -> dict[str, str]:
    doc = etree.parse(str(BRONNEN / "gemeentestad" / "opdracht" / "akn_nl_bill_gm0297-3520-01.xml"),
                      PARSER)
    return {b.get("wId"): b.findtext("{*}Term") for b in doc.iter("{*}Begrip")}


def activiteiten_uit_levering(map_: str = "opdracht_10") -> dict[str, str]:
    """The activities valid today: the initial delivery with the mutation applied."""
    uit = {}
    for m in ("opdracht", map_):
        doc = etree.parse(str(BRONNEN / "gemeentestad" / m / "owActiviteiten-Gemeentestad.xml"), PARSER)
        for a in doc.iter("{*}Activiteit"):
            ident = a.findtext("{*}identificatie")
            if a.findtext(".//{*}status") == "beëindigen":
                uit.pop(ident, None)
            else:
                uit[ident] = a.findtext("{*}naam")
    return uit


def werkzaamheden_uit_sttr() -> dict[str, set[str]]:
    uit: dict[str, set[str]] = {}
    for zp in (BRONNEN / "sttr").glob("nl.imow-*.zip"):
        with zipfile.ZipFile(zp) as z:
            for naam in z.namelist():
                if naam.endswith(".json"):
                    js = json.loads(z.read(naam))
                    for w in js["werkzaamheden"]:
                        uit.setdefault(w["urn"], set()).add(zp.stem)
    return uit


def _param(r: httpx.Response) -> list[str]:
    return ongeldige_parameters(r, "3.0.0")


def alles_via_next(client, url: str, naam: str) -> tuple[list, int]:
    gezien, paginas, vorige = [], 0, None
    while url:
        r = client.get(url)
        assert r.status_code == 200, r.text
        b = r.json()
        paginas += 1
        assert b["page"]["number"] == paginas
        if vorige:
            assert b["_links"]["previous"]["href"] == vorige
        vorige = b["_links"]["self"]["href"]
        gezien += [x["identificatie"] for x in b["_embedded"][naam]]
        url = b["_links"].get("next", {}).get("href")
        assert paginas <= 100
    return gezien, paginas


def test_begrippen_alle_uit_de_begrippenlijst(client):
    verwacht = begrippen_uit_besluit()
    r = client.get(C + "/begrippen", params={"pageSize": 100})
    assert r.status_code == 200 and r.headers["api-version"] == "3.0.0"
    assert r.headers["content-type"].startswith("application/hal+json")
    items = r.json()["_embedded"]["begrippen"]
    assert {b["identificatie"]: b["term"] for b in items} == verwacht
    assert r.json()["page"]["totalElements"] == len(verwacht)


def test_begrip_detail_met_definitie_en_bron(client):
    wid, term = next(iter(begrippen_uit_besluit().items()))
    r = client.get(C + f"/begrippen/{wid}")
    assert r.status_code == 200
    b = r.json()
    assert b["term"] == term and b["definitie"]
    assert b["bron"]["regelingIdentificatie"] == "/akn/nl/act/gm0297/2019/reg456"
    assert b["bron"]["citeertitel"] and b["bron"]["wId"] == wid
    assert b["_links"]["self"]["href"].endswith(f"/begrippen/{wid}")


def test_begrippen_zoekterm(client):
    r = client.get(C + "/begrippen", params={"zoekterm": "ZONE"})
    assert sorted(b["term"] for b in r.json()["_embedded"]["begrippen"]) == ["Zone A", "Zone B"]
    r = client.get(C + "/begrippen", params={"zoekterm": "bestaat-zeker-niet"})
    assert r.json()["_embedded"]["begrippen"] == [] and r.json()["page"]["totalElements"] == 0


@pytest.mark.parametrize("grootte", [10, 20, 40, 100])
def test_pagesize_toegestane_waarden(client, grootte):
    r = client.get(C + "/activiteiten", params={"pageSize": grootte})
    assert r.status_code == 200
    assert r.json()["page"]["size"] == grootte
    assert len(r.json()["_embedded"]["activiteiten"]) == min(grootte, r.json()["page"]["totalElements"])


@pytest.mark.parametrize("pad", ["/begrippen", "/activiteiten", "/werkzaamheden"])
@pytest.mark.parametrize("grootte", ["15", "0", "1000", "tien"])
def test_pagesize_andere_waarde_400_noemt_parameter(client, pad, grootte):
    r = client.get(C + pad, params={"pageSize": grootte})
    assert r.status_code == 400
    assert _param(r) == ["pageSize"]


def test_activiteiten_paginering_zonder_gaten(client):
    verwacht = activiteiten_uit_levering()
    gezien, paginas = alles_via_next(client, C + "/activiteiten?pageSize=10", "activiteiten")
    assert len(gezien) == len(set(gezien))
    assert set(gezien) == set(verwacht)
    assert paginas == -(-len(verwacht) // 10)


def test_activiteit_detail_met_werkzaamheid(client):
    r = client.get(C + "/activiteiten", params={"zoekterm": "kappen"})
    (act,) = r.json()["_embedded"]["activiteiten"]
    assert act["identificatie"] == "nl.imow-gm0297.activiteit.2019000810"
    assert act["naam"] == activiteiten_uit_levering()[act["identificatie"]]
    assert act["werkzaamheden"] == ["BoomOfStruikKappenOfSnoeien"]
    d = client.get(act["_links"]["self"]["href"])
    assert d.status_code == 200 and d.json() == act


def test_werkzaamheden_uit_sttr(client):
    verwacht = werkzaamheden_uit_sttr()
    r = client.get(C + "/werkzaamheden")
    assert r.status_code == 200
    items = r.json()["_embedded"]["werkzaamheden"]
    assert {w["identificatie"]: set(w["activiteiten"]) for w in items} == verwacht
    boom = client.get(C + "/werkzaamheden/BoomOfStruikKappenOfSnoeien").json()
    assert boom["naam"] == "Boom of struik kappen of snoeien"
    assert boom["activiteiten"] == ["nl.imow-gm0297.activiteit.2019000810"]
    r = client.get(C + "/werkzaamheden", params={"zoekterm": "boom"})
    assert [w["identificatie"] for w in r.json()["_embedded"]["werkzaamheden"]] == \
        ["BoomOfStruikKappenOfSnoeien"]


@pytest.mark.parametrize("pad", ["/begrippen/bestaatniet", "/activiteiten/nl.imow-gm0297.activiteit.0",
                                 "/werkzaamheden/Onbekend", "/begripkaders"])
def test_onbekend_404(client, pad):
    r = client.get(C + pad)
    assert r.status_code == 404
    _param(r)


def test_onbekende_parameter_en_methode(client):
    r = client.get(C + "/begrippen", params={"q": "zone"})
    assert r.status_code == 400 and _param(r) == ["q"]
    r = client.delete(C + "/begrippen")
    assert r.status_code == 405 and "GET" in r.headers["allow"]
    _param(r)


def test_sleutel(server):
    r = httpx.get(server.url + C + "/begrippen")
    assert r.status_code == 401
    _param(r)
    r = httpx.get(server.url + C + "/begrippen", headers={"x-api-key": "fout"})
    assert r.status_code == 403
    _param(r)


def test_antwoorden_passen_in_de_eigen_spec(client):
    from spec_schema import valideer
    for pad, naam in (("/begrippen", "begrippen"), ("/activiteiten", "activiteiten"),
                      ("/werkzaamheden", "werkzaamheden")):
        b = client.get(C + pad, params={"pageSize": 100}).json()
        valideer("catalogus.yaml", pad, "get", 200, "application/hal+json", b)
        for item in b["_embedded"][naam]:
            detail = client.get(item["_links"]["self"]["href"]).json()
            valideer("catalogus.yaml", pad + "/{identificatie}", "get", 200,
                     "application/hal+json", detail)
