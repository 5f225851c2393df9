"""Each real DMN evaluated over each of its decision-table rows; hit policies and aggregations.

The expected value of a row is read straight from the row's own output entry (the text in the
file, parsed here as JSON, independent of the evaluator's FEEL code); the answers that reach the
row come from ``rijen``. Rows that no answers can reach are named explicitly: the Gemeentestad
indieningsvereisten file has three (its 'conv' tables only ever give true).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sttr_bouwer import dmn

from referentie_lv.sttr.dmn import lees_dmn
from referentie_lv.sttr.evaluatie import evalueer
from referentie_lv.sttr.pakketten import BRONMAP, laad_map
from referentie_lv.sttr.vragenboom import Vragenboom
from tests.referentie.sttr_rijen import rijen

BANK = laad_map(BRONMAP)
MODELLEN = {m.naam: m for m in BANK.modellen}

ALLE_RIJEN = [(m.naam, r) for m in BANK.modellen for r in rijen(m)]

ONBEREIKBAAR = {
    ("Indieningsvereisten Vergunning Kappen van een boom - Initiele versie",
     "Indieningsvereisten Vergunning - Kappen van een boom", 2): "'conv stamomtrek' is nooit false",
    ("Indieningsvereisten Vergunning Kappen van een boom - Initiele versie",
     "Indieningsvereisten Vergunning - Kappen van een boom", 3): "'conv reden' is nooit false",
    ("Indieningsvereisten Vergunning Kappen van een boom - Initiele versie",
     "Indieningsvereisten Vergunning - Kappen van een boom", 5): "'beoordelingsregels' is nooit false",
}


def test_alle_rijen_gevonden():
    # 3 (bijgebouw) + 4 + 3 (kappen) + 5 + 3 + 1 + 1 (indieningsvereisten)
    assert len(ALLE_RIJEN) == 20
    assert {(m, r.besluit, r.nummer) for m, r in ALLE_RIJEN if not r.bereikbaar} == set(ONBEREIKBAAR)


@pytest.mark.parametrize("model, rij", ALLE_RIJEN,
                         ids=[f"{m.split(' - ')[0]}|{r.besluit}|regel{r.nummer}" for m, r in ALLE_RIJEN])
def test_elke_rij(model, rij):
    m = MODELLEN[model]
    if not rij.bereikbaar:
        assert ONBEREIKBAAR[(model, rij.besluit, rij.nummer)] in rij.reden
        assert rij.antwoorden is None
        return
    verwacht = json.loads(rij.uitvoer[0])                 # the row's own output entry
    boom = Vragenboom(m)
    waarden = boom.normaliseer(rij.antwoorden, strikt=True)
    spoor = evalueer(m, waarden)[rij.besluit_id]
    assert rij.nummer in spoor.raak
    assert spoor.fout is None
    assert spoor.waarde == verwacht
    if any(d.id == rij.besluit_id for d in m.topbesluiten):
        # A top row: the question tree, answering as in the row, reaches the same conclusion.
        assert rij.conclusie_vragenboom == {rij.besluit: verwacht}
        (c,) = boom.conclusie(dict(rij.vragenpad))
        assert c.waarde == verwacht and rij.nummer in c.regels


@pytest.mark.parametrize("oppervlakte, verwacht", [
    (0, "Toestemmingsvrij"), (19.99, "Toestemmingsvrij"), (20, "Meldingsplicht"),
    ("29,5", "Meldingsplicht"), (30, "Vergunningplicht"), (400, "Vergunningplicht"),
])
def test_bijgebouw_grenzen(oppervlakte, verwacht):
    boom = Vragenboom(MODELLEN["Conclusie Bouwen van een bijgebouw - Initiele versie"])
    (c,) = boom.conclusie({"oppervlakte m2": oppervlakte})
    assert c.waarde == verwacht


@pytest.mark.parametrize("antwoorden, verwacht", [
    ({"stamomtrek": 49}, "Toestemmingsvrij"),
    ({"stamomtrek": 50, "zichtbaar vanaf openbaar toegankelijk gebied": False}, "Toestemmingsvrij"),
    ({"stamomtrek": 50, "zichtbaar vanaf openbaar toegankelijk gebied": True,
      "gekapt op grond van de Plantenziektenwet": True}, "Toestemmingsvrij"),
    ({"stamomtrek": 120, "zichtbaar vanaf openbaar toegankelijk gebied": True,
      "gekapt op grond van de Plantenziektenwet": False,
      "aanschrijving op grond van artikel PM van de Algemene plaatselijke verordening": True}, "Toestemmingsvrij"),
    ({"stamomtrek": 120, "zichtbaar vanaf openbaar toegankelijk gebied": True,
      "gekapt op grond van de Plantenziektenwet": False,
      "aanschrijving op grond van artikel PM van de Algemene plaatselijke verordening": False}, "Vergunningplicht"),
])
def test_kappen_hand_uitgerekend(antwoorden, verwacht):
    boom = Vragenboom(MODELLEN["Conclusie Kappen van een boom - Initiele versie"])
    (c,) = boom.conclusie(antwoorden)
    assert c.waarde == verwacht


def test_geen_treffer_is_leeg_geen_fout():
    m = MODELLEN["Conclusie Kappen van een boom - Initiele versie"]
    sporen = evalueer(m, {})                                # nothing answered
    assert all(s.fout is None for s in sporen.values())
    assert sporen["_Decision0001"].waarde is None and sporen["_Decision0001"].raak == ()


# -- hit policies and aggregations on small tables --------------------------------------------

def _een(tekst: bytes, **waarden):
    m = lees_dmn(tekst)
    ids = {i.naam: i.id for i in m.invoer.values()}
    return evalueer(m, {ids[k]: (Decimal(str(v)) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                        for k, v in waarden.items()})["D1"]


REGELS = [([">= 0"], ["1"]), ([">= 10"], ["5"]), ([">= 20"], ["2"])]


@pytest.mark.parametrize("hp, agg, x, waarde, raak", [
    ("FIRST", None, 25, Decimal(1), (1,)),
    ("RULE ORDER", None, 25, [Decimal(1), Decimal(5), Decimal(2)], (1, 2, 3)),
    ("COLLECT", None, 15, [Decimal(1), Decimal(5)], (1, 2)),
    ("COLLECT", "SUM", 25, Decimal(8), (1, 2, 3)),
    ("COLLECT", "COUNT", 25, Decimal(3), (1, 2, 3)),
    ("COLLECT", "MIN", 25, Decimal(1), (1, 2, 3)),
    ("COLLECT", "MAX", 25, Decimal(5), (1, 2, 3)),
    ("COLLECT", "COUNT", -1, Decimal(0), ()),
    ("COLLECT", "SUM", -1, None, ()),
    ("COLLECT", None, -1, [], ()),
])
def test_meervoudige_hit_policies(hp, agg, x, waarde, raak):
    s = _een(dmn([("x", "number")], REGELS, hit_policy=hp, aggregatie=agg), x=x)
    assert (s.waarde, s.raak, s.fout) == (waarde, raak, None)


def test_priority_en_output_order_volgen_de_uitvoerwaarden():
    regels = [([">= 0"], ['"Toestemmingsvrij"']), ([">= 10"], ['"Vergunningplicht"']),
              ([">= 5"], ['"Meldingsplicht"'])]
    volgorde = '"Verbod","Vergunningplicht","Meldingsplicht","Toestemmingsvrij"'
    s = _een(dmn([("x", "number")], regels, "PRIORITY", uitvoerwaarden=volgorde), x=12)
    assert (s.waarde, s.raak) == ("Vergunningplicht", (2,))
    s = _een(dmn([("x", "number")], regels, "PRIORITY", uitvoerwaarden=volgorde), x=7)
    assert (s.waarde, s.raak) == ("Meldingsplicht", (3,))
    s = _een(dmn([("x", "number")], regels, "OUTPUT ORDER", uitvoerwaarden=volgorde), x=12)
    assert s.waarde == ["Vergunningplicht", "Meldingsplicht", "Toestemmingsvrij"]


def test_unique_en_any_schending_is_fout():
    s = _een(dmn([("x", "number")], [([">= 0"], ['"a"']), ([">= 10"], ['"b"'])], "UNIQUE"), x=12)
    assert s.fout and "UNIQUE" in s.fout and s.waarde is None
    s = _een(dmn([("x", "number")], [([">= 0"], ['"a"']), ([">= 10"], ['"b"'])], "ANY"), x=12)
    assert s.fout and "ANY" in s.fout
    s = _een(dmn([("x", "number")], [([">= 0"], ['"a"']), ([">= 10"], ['"a"'])], "ANY"), x=12)
    assert (s.waarde, s.fout) == ("a", None)


def test_overschaduwde_rij_wordt_gemeld():
    m = lees_dmn(dmn([("x", "number")], [([">= 0"], ['"a"']), ([">= 10"], ['"b"']), (["< 0"], ['"c"'])],
                     "FIRST"))
    per_nummer = {r.nummer: r for r in rijen(m)}
    assert per_nummer[1].bereikbaar and per_nummer[3].bereikbaar
    assert not per_nummer[2].bereikbaar and "overschaduwd" in per_nummer[2].reden


def test_meer_uitvoerkolommen_en_strings():
    regels = [(['"eik","beuk"'], ['"Vergunningplicht"', "1"]), (['not("eik","beuk")'], ['"Toestemmingsvrij"', "2"])]
    s = _een(dmn([("soort", "string")], regels), soort="beuk")
    assert s.waarde == {"uit0": "Vergunningplicht", "uit1": Decimal(1)}
    s = _een(dmn([("soort", "string")], regels), soort="wilg")
    assert s.waarde["uit0"] == "Toestemmingsvrij"
