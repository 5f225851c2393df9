"""Store against the real Gemeentestad delivery: basic queries, versions, geometry, addresses."""

from __future__ import annotations

import pytest
from shapely.geometry import Point

from referentie_lv.data.store import Store

REGELING = "/akn/nl/act/gm0297/2019/reg456"
VOOR_10 = "2022-01-01"
NA_10 = "2024-01-01"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return Store.open(tmp_path_factory.mktemp("data"))


def test_regeling_en_documentstructuur(store):
    regs = store.regelingen(VOOR_10)
    assert [r["identificatie"] for r in regs] == [REGELING]
    assert regs[0]["citeertitel"] == "Gemeentestad (omgevingsplan Zaltbommel)"
    assert store.regeling("_akn_nl_act_gm0297_2019_reg456", VOOR_10)["expression"] == REGELING + "/nld@1"
    boom = store.documentstructuur(REGELING, VOOR_10)
    hoofdstukken = [o["nummer"] for o in boom["onderdelen"] if o["type"] == "Hoofdstuk"]
    assert hoofdstukken == ["1", "2", "5", "6", "7", "10"]
    art = store.artikel("chp_2__subchp_2.2__art_2.6")
    assert art["nummer"] == "2.6" and [lid["nummer"] for lid in art["leden"]] == ["1.", "2."]
    assert "Meldingplichtige gebruiksactiviteiten" in art["leden"][0]["tekst"]
    assert art["xml"].startswith("<Artikel")


def test_voor_inwerkingtreding_is_er_niets(store):
    assert store.regelingen("2019-06-01") == []
    assert store.activiteiten("2019-06-01") == []
    assert store.annotaties_op(Point(137600, 424600), "2019-06-01")["regelteksten"] == []


def test_regeltekst_opgelost(store):
    rt = store.regeltekst("nl.imow-gm0297.regeltekst.2019000002", VOOR_10)
    assert rt["artikel"]["nummer"] == "2.4"
    regel = rt["juridischeRegels"][0]
    assert regel["activiteiten"][0]["activiteit"]["naam"] == "uitoefenen van bedrijfstypen van categorie 2"


def test_punt_in_centrumgebied(store):
    ann = store.annotaties_op({"type": "Point", "coordinates": [137625.36, 424633.65]}, VOOR_10)
    assert "nl.imow-gm0297.gebiedengroep.centrumgebied" in ann["locaties"]
    assert "nl.imow-gm0297.gebiedsaanwijzing.2019000002" in ann["gebiedsaanwijzingen"]
    # Far outside the plan: nothing at all.
    assert store.annotaties_op(Point(100000, 400000), VOOR_10)["locaties"] == []


def test_adressen_zoeken(store):
    n, docs = store.zoek_adressen("marktplein 1", rows=5)
    assert n >= 1 and any(d["weergavenaam"].startswith("Marktplein 1,") for d in docs)
    assert store.adres(docs[0]["id"])["id"] == docs[0]["id"]
    dichtst = store.dichtstbij(docs[0]["rd_x"], docs[0]["rd_y"], rows=1, types=[docs[0]["type"]])
    assert dichtst[0]["afstand"] == 0


def test_gelijktijdig_lezen_uit_threads(tmp_path):
    """A fresh store queried from several threads at once (lazy indexes built under a lock)."""
    from concurrent.futures import ThreadPoolExecutor

    s = Store.open(tmp_path)
    adressen = s.adressen("adres")
    verwacht = {a["id"]: s.annotaties_op(Point(a["rd_x"], a["rd_y"]), NA_10)["regelteksten"] for a in adressen[:30]}
    vers = Store.open(tmp_path)          # not yet indexed

    def werk(a):
        return a["id"], vers.annotaties_op(Point(a["rd_x"], a["rd_y"]), NA_10)["regelteksten"], \
            vers.zoek_adressen(a["straatnaam"])[0]

    with ThreadPoolExecutor(8) as pool:
        uitkomsten = list(pool.map(werk, adressen[:30] * 4))
    for ident, rts, n in uitkomsten:
        assert rts == verwacht[ident] and n >= 1
