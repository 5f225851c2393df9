"""The fictitious address register: labelled as test data, points inside the plan's real locations,
and the search helpers the Locatieserver serves from."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from pyproj import Transformer
from shapely.geometry import Point, shape

from referentie_lv.data import bouw
from referentie_lv.data.maak_testadressen import GEBIEDEN
from referentie_lv.data.store import Store

WGS84_NAAR_RD = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
ID = re.compile(r"^(adr|wgd|pcd|wpl|gem)-[0-9a-f]{32}$")
POSTCODE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return Store.open(tmp_path_factory.mktemp("data"))


def test_bestand_is_gemarkeerd_als_fictief():
    kop = (bouw.standaard_bronnen() / bouw.ADRESSEN_BESTAND).read_text(encoding="utf-8").splitlines()[0]
    assert kop.startswith("#") and "FICTIEVE TESTADRESSEN" in kop


def test_velden_en_aantallen(store):
    docs = store.adressen()
    per_type = Counter(d["type"] for d in docs)
    assert 60 <= per_type["adres"] <= 150
    assert per_type["woonplaats"] == 1 and per_type["gemeente"] == 1 and per_type["weg"] and per_type["postcode"]
    assert len({d["id"] for d in docs}) == len(docs)
    for d in docs:
        assert ID.match(d["id"]), d["id"]
        assert d["bron"] == "testdata (fictief)" and d["gemeentecode"] == "0297" and d["bevoegdgezag"] == "gm0297"
        if d["type"] == "adres":
            assert POSTCODE.match(d["postcode"]) and d["woonplaatsnaam"] == "Gemeentestad"
            toevoeging = "-" + d["huisnummertoevoeging"] if d["huisnummertoevoeging"] else ""
            huis = f"{d['huisnummer']}{d['huisletter'] or ''}{toevoeging}"
            assert d["weergavenaam"] == f"{d['straatnaam']} {huis}, {d['postcode']} Gemeentestad"
        # lat/lon really are the WGS84 form of the RD point.
        x, y = WGS84_NAAR_RD.transform(d["lon"], d["lat"])
        assert abs(x - d["rd_x"]) < 0.01 and abs(y - d["rd_y"]) < 0.01
    assert any(d["huisletter"] for d in docs) and any(d["huisnummertoevoeging"] for d in docs)


def test_punten_binnen_regelingsgebied_en_eigen_gebied(store):
    regelingsgebied = shape(store.regelingsgebied()["geometrie"])
    for d in store.adressen():
        p = Point(d["rd_x"], d["rd_y"])
        assert regelingsgebied.contains(p), d["id"]
        assert store.locatie_vorm(d["gebied"]).contains(p), (d["id"], d["gebied"])
        assert d["gebied"] in store.locaties_op(p)


def test_elk_gebied_heeft_meerdere_adressen(store):
    per_gebied = Counter(d["gebied"] for d in store.adressen("adres"))
    for _, ident, naam, *_ in GEBIEDEN:
        assert per_gebied[ident] >= 3, naam
    # The 'regelingsgebied only' addresses lie in no specific zone (only the ambtsgebied and the pons).
    for d in store.adressen("adres"):
        if d["gebied"].endswith("ZaltbommelAmbtsgebied"):
            rest = [i for i in store.locaties_op(Point(d["rd_x"], d["rd_y"])) if "ambtsgebied" not in i]
            assert rest in ([], ["nl.imow-gm0297.gebied.pons"]), (d["id"], rest)


def test_zoeken_prefix_hoofdletterongevoelig(store):
    n, docs = store.zoek_adressen("KERKSTR", rows=50)
    assert n == len(docs) and all("Kerkstraat" in d["weergavenaam"] for d in docs)
    assert n == len([d for d in store.adressen() if d.get("straatnaam") == "Kerkstraat"])
    pc = next(d for d in store.adressen("adres"))["postcode"]
    zonder = store.zoek_adressen(pc, rows=100)
    met = store.zoek_adressen(f"{pc[:4]} {pc[4:].lower()}", rows=100)
    assert zonder[0] == met[0] and zonder[0] >= 1
    assert store.zoek_adressen("bestaatniet")[0] == 0
    assert store.zoek_adressen("   ")[0] == 0
    n_adres, alleen = store.zoek_adressen("gemeentestad", rows=5, types=["adres"])
    assert n_adres == len(store.adressen("adres")) and all(d["type"] == "adres" for d in alleen)


def test_zoeken_paging_en_volgorde(store):
    n, alles = store.zoek_adressen("gemeentestad", rows=1000)
    _, pagina = store.zoek_adressen("gemeentestad", rows=10, start=10)
    assert [d["id"] for d in pagina] == [d["id"] for d in alles[10:20]]
    scores = [d["score"] for d in alles]
    assert scores == sorted(scores, reverse=True)
    assert alles[0]["type"] == "woonplaats"


def test_exacte_huisnummer_voor_prefix(store):
    adres = next(d for d in store.adressen("adres") if d["huisnummer"] == 1 and not d["huisletter"])
    _, docs = store.zoek_adressen(f"{adres['straatnaam']} 1", rows=3, types=["adres"])
    assert docs[0]["id"] == adres["id"] or docs[0]["huisnummer"] == 1


def test_lookup_en_reverse(store):
    for d in store.adressen()[:20]:
        assert store.adres(d["id"]) == d
        dichtst = store.dichtstbij(d["rd_x"] + 1, d["rd_y"], rows=1, types=[d["type"]])[0]
        assert dichtst["afstand"] <= 1.0 + 1e-6
    assert store.adres("adr-00000000000000000000000000000000") is None
    ver = store.dichtstbij(0, 0, rows=3)
    assert [round(d["afstand"]) for d in ver] == sorted(round(d["afstand"]) for d in ver)
    assert store.dichtstbij(0, 0, rows=3, max_afstand=100) == []
