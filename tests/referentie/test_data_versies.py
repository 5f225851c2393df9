"""Time travel with geldigOp: the state before and after opdracht_10 (OW-only mutation)."""

from __future__ import annotations

import pytest
from shapely.geometry import Point

from referentie_lv.data.store import Store

VOOR_10, NA_10 = "2022-06-30", "2023-06-30"
A = "nl.imow-gm0297.activiteit."


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return Store.open(tmp_path_factory.mktemp("data"))


def test_versies_en_grenzen(store):
    v = store.versies()
    assert [(x["map"], x["geldig_vanaf"], x["geldig_tot"]) for x in v] == [
        ("opdracht", "2020-01-14", "2023-02-08"), ("opdracht_10", "2023-02-08", None)]
    assert store.versie_op("2020-01-13") is None
    assert store.versie_op("2020-01-14") == 1
    assert store.versie_op("2023-02-07") == 1
    assert store.versie_op("2023-02-08") == 2
    assert store.versie_op(None) == 2          # today


def test_gewijzigde_activiteit(store):
    voor, na = store.activiteit(A + "2019000241", VOOR_10), store.activiteit(A + "2019000241", NA_10)
    assert voor["naam"] == "uitoefenen van bedrijfstypen van categorie 2"
    assert na["naam"] == "uitoefenen van bedrijfstypen van categorie 3"
    assert voor["groep"].endswith("MilieubelastendeActiviteit") and na["groep"].endswith("Standplaatsactiviteit")
    assert na["gerelateerdeActiviteiten"] == [A + "2019000246"] and voor["gerelateerdeActiviteiten"] == []
    assert [h["versieNr"] for h in store.ow_historie(A + "2019000241")] == [1, 2]


def test_beeindigde_en_nieuwe_activiteiten(store):
    assert store.activiteit(A + "2019000760", VOOR_10) is not None
    assert store.activiteit(A + "2019000760", NA_10) is None              # status beëindigen
    for nieuw in ("2019000690", "2019000700", "2019000710", "2019000720"):
        assert store.activiteit(A + nieuw, VOOR_10) is None
        assert store.activiteit(A + nieuw, NA_10)["naam"]


def test_gewijzigde_en_nieuwe_juridische_regel(store):
    def acts(ident, dag):
        return {a["activiteit"]["identificatie"] for a in store.juridische_regel(ident, dag)["activiteiten"]}
    regel12 = "nl.imow-gm0297.juridischeregel.2019000012"
    assert acts(regel12, VOOR_10) == {A + "2019000540", A + "2019000760"}
    assert acts(regel12, NA_10) == {A + "2019000540"}
    regel18 = "nl.imow-gm0297.juridischeregel.2019000018"
    assert store.juridische_regel(regel18, VOOR_10) is None
    assert A + "2019000690" in acts(regel18, NA_10)


def test_annotaties_op_een_punt_verschillen(store):
    # A test address in Bedrijf categorie 2 / zone B: the activity '760' only applies before opdracht_10.
    adres = next(a for a in store.adressen("adres") if a["gebied"].endswith("Bedrijfcategorie2"))
    p = Point(adres["rd_x"], adres["rd_y"])
    voor, na = store.annotaties_op(p, VOOR_10), store.annotaties_op(p, NA_10)
    assert voor["regelteksten"] and na["regelteksten"]
    assert voor["activiteiten"] != na["activiteiten"]
    assert A + "2019000540" in na["activiteiten"]


def test_regeling_zelf_ongewijzigd(store):
    assert store.regelingen(VOOR_10) == store.regelingen(NA_10)
    assert store.regelingen("2019-12-31") == []
    assert store.documentstructuur("/akn/nl/act/gm0297/2019/reg456", "2019-12-31") is None
