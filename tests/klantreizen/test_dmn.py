"""The harness's DMN reader evaluates exactly what it claims, and refuses everything else.

Small decision models are written in the test (DMN 1.1 XML, as the STTR packages are); the real
packages in contracts/sttr/ must still be read and evaluated.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from dso_acceptatie import dmn as dmnmod
from dso_acceptatie.dmn import DmnFout, dmn_bestanden, evalueer, lees_model
from dso_acceptatie.fasen.klantreizen import paden, voorbeelden

NS = "http://www.omg.org/spec/DMN/20151101/dmn.xsd"


def _model(tmp_path: Path, hit_policy: str | None, regels: list[tuple[str, ...]],
           uitvoer: int = 1, output_values: str | None = None, invoer: int = 1) -> Path:
    """A model with one question 'hoogte' (number) and one decision table 'Besluit'.

    Each rule is (input entry..., output entry...); ``invoer`` inputs, ``uitvoer`` outputs.
    """
    kolommen = "".join(
        f'<input id="i{i}"><inputExpression typeRef="feel:number"><text>hoogte</text>'
        f'</inputExpression></input>' for i in range(invoer))
    waarden = (f"<outputValues><text>{output_values}</text></outputValues>"
               if output_values else "")
    uitvoerkolommen = "".join(f'<output id="o{i}" name="uit{i}">{waarden}</output>'
                              for i in range(uitvoer))
    rijen = ""
    for n, regel in enumerate(regels):
        cellen = "".join(f"<inputEntry><text>{escape(t)}</text></inputEntry>"
                         for t in regel[:invoer])
        cellen += "".join(f"<outputEntry><text>{escape(t)}</text></outputEntry>"
                          for t in regel[invoer:])
        rijen += f'<rule id="r{n}">{cellen}</rule>'
    hp = f' hitPolicy="{hit_policy}"' if hit_policy else ""
    xml = (f'<definitions xmlns="{NS}" id="d" name="Proefmodel">'
           '<inputData id="v1" name="hoogte"><variable name="hoogte" typeRef="feel:number"/>'
           '</inputData>'
           '<decision id="b1" name="Besluit"><variable name="Besluit" typeRef="feel:string"/>'
           f'<decisionTable{hp}>{kolommen}{uitvoerkolommen}{rijen}</decisionTable></decision>'
           '</definitions>')
    pad = tmp_path / "proef.dmn"
    pad.write_text(xml, encoding="utf-8")
    return pad


# --- refused: never a silent first hit ------------------------------------------------------------

@pytest.mark.parametrize("hit_policy", ["COLLECT", "RULE ORDER", "OUTPUT ORDER", "rule order",
                                        "ONBEKEND"])
def test_hit_policy_die_niet_wordt_geevalueerd_wordt_geweigerd(tmp_path, hit_policy):
    pad = _model(tmp_path, hit_policy, [("< 10", '"laag"'), ("< 20", '"middel"')])
    with pytest.raises(DmnFout) as fout:
        lees_model(pad)
    melding = str(fout.value)
    assert "proef.dmn" in melding and "'Besluit'" in melding
    assert hit_policy.upper() in melding and "nooit zomaar de eerste treffer" in melding


def test_collect_met_aggregatie_wordt_geweigerd(tmp_path):
    pad = _model(tmp_path, "COLLECT", [("< 10", "1"), ("< 20", "2")])
    pad.write_text(pad.read_text().replace('hitPolicy="COLLECT"',
                                           'hitPolicy="COLLECT" aggregation="SUM"'))
    with pytest.raises(DmnFout, match="COLLECT"):
        lees_model(pad)


def test_tabel_met_meer_uitvoerkolommen_wordt_geweigerd(tmp_path):
    pad = _model(tmp_path, "UNIQUE", [("< 10", '"laag"', '"groen"')], uitvoer=2)
    with pytest.raises(DmnFout, match=r"'Besluit' heeft 2 uitvoerkolommen"):
        lees_model(pad)


@pytest.mark.parametrize(("regel", "invoer", "melding"), [
    (("< 10", '"laag"', '"groen"'), 1, "1 invoercellen en 2 uitvoercellen, verwacht 1 en 1"),
    (("< 10", '"laag"'), 2, "2 invoercellen en 0 uitvoercellen, verwacht 2 en 1"),
])
def test_regel_met_een_andere_vorm_wordt_geweigerd(tmp_path, regel, invoer, melding):
    pad = _model(tmp_path, "UNIQUE", [regel], invoer=invoer)
    with pytest.raises(DmnFout, match=f"'Besluit', regel 1: {melding}"):
        lees_model(pad)


def test_priority_zonder_volgorde_van_uitkomsten_wordt_geweigerd(tmp_path):
    pad = _model(tmp_path, "PRIORITY", [("< 10", '"laag"')])
    with pytest.raises(DmnFout, match="PRIORITY zonder outputValues"):
        lees_model(pad)


def test_unique_met_twee_treffers_is_een_fout_in_het_model(tmp_path):
    model = lees_model(_model(tmp_path, None, [("< 10", '"laag"'), ("< 20", '"middel"')]))
    assert model.besluiten["Besluit"].hit_policy == "UNIQUE"   # the DMN default
    assert evalueer(model, {"hoogte": 15}) == ("middel", {"Besluit": 2})
    with pytest.raises(DmnFout, match=r"\(UNIQUE\) heeft meerdere treffers: regels \[1, 2\]"):
        evalueer(model, {"hoogte": 5})


# --- evaluated, each by its own rule ---------------------------------------------------------------

def test_first_neemt_de_eerste_treffer_in_tabelvolgorde(tmp_path):
    model = lees_model(_model(tmp_path, "FIRST", [("< 10", '"laag"'), ("< 20", '"middel"')]))
    assert evalueer(model, {"hoogte": 5}) == ("laag", {"Besluit": 1})
    assert evalueer(model, {"hoogte": 15}) == ("middel", {"Besluit": 2})
    assert evalueer(model, {"hoogte": 25}) == (None, {})


def test_any_met_treffers_die_het_eens_zijn(tmp_path):
    model = lees_model(_model(tmp_path, "ANY", [("< 10", '"laag"'), ("< 20", '"laag"'),
                                                (">= 20", '"hoog"')]))
    assert evalueer(model, {"hoogte": 5})[0] == "laag"
    assert evalueer(model, {"hoogte": 25}) == ("hoog", {"Besluit": 3})


def test_any_met_treffers_die_het_oneens_zijn_is_een_fout(tmp_path):
    model = lees_model(_model(tmp_path, "ANY", [("< 10", '"laag"'), ("< 20", '"middel"')]))
    assert evalueer(model, {"hoogte": 15})[0] == "middel"
    with pytest.raises(DmnFout, match=r"\(ANY\) heeft treffers met verschillende uitkomsten: "
                                      r"regels \[1, 2\]"):
        evalueer(model, {"hoogte": 5})


def test_priority_kiest_de_hoogste_uitkomst_niet_de_eerste_treffer(tmp_path):
    # 'hoog' ranks first in outputValues; the first matching row gives 'laag'.
    model = lees_model(_model(tmp_path, "PRIORITY", [("< 20", '"laag"'), ("< 10", '"hoog"')],
                              output_values='"hoog","laag"'))
    assert evalueer(model, {"hoogte": 5}) == ("hoog", {"Besluit": 2})
    assert evalueer(model, {"hoogte": 15}) == ("laag", {"Besluit": 1})


def test_priority_met_een_uitkomst_buiten_de_volgorde_wordt_geweigerd(tmp_path):
    pad = _model(tmp_path, "PRIORITY", [("< 20", '"laag"'), ("< 10", '"onbekend"')],
                 output_values='"hoog","laag"')
    with pytest.raises(DmnFout, match=r"regel 2: uitkomst \"onbekend\" staat niet in de outputValues"):
        lees_model(pad)


# --- the real packages ----------------------------------------------------------------------------------

def test_de_echte_pakketten_komen_uit_de_eigen_kopie_en_worden_geevalueerd():
    assert paden.DMN_MAP == paden.REPO / "contracts" / "sttr"
    assert (paden.DMN_MAP / "NOTICE").is_file()
    bestanden = dmn_bestanden(paden.DMN_MAP)
    assert len(bestanden) == 3
    modellen = {lees_model(naam, inhoud).naam: lees_model(naam, inhoud) for naam, inhoud in bestanden}
    beleid = {b.hit_policy for m in modellen.values() for b in m.besluiten.values()}
    assert beleid == {"UNIQUE", "ANY", "FIRST"}
    for model in modellen.values():
        # every combination of the values the tables test: each evaluates to an outcome
        per = dmnmod.kandidaten_per_vraag(model)
        uitkomsten = set()
        for combinatie in itertools.product(*per.values()):
            conclusie, spoor = evalueer(model, dict(zip(per, combinatie, strict=True)))
            assert model.top in spoor, (model.naam, combinatie)
            uitkomsten.add(conclusie)
        assert len(uitkomsten) >= 2, (model.naam, uitkomsten)
    kappen = modellen["Conclusie Kappen van een boom - Initiele versie"]
    antwoorden = {"stamomtrek": 80, "zichtbaar": True}
    antwoorden = {v: antwoorden.get(v.split()[0], False) for v in kappen.vragen}
    assert evalueer(kappen, antwoorden)[0] == "Vergunningplicht"


def test_generator_stopt_met_een_melding_bij_een_model_dat_hij_niet_evalueert(tmp_path, capsys):
    dmn = tmp_path / "sttr"
    shutil.copytree(paden.DMN_MAP, dmn)
    _model(dmn, "RULE ORDER", [("< 10", '"laag"')])   # a new package with a construct we refuse
    uit = tmp_path / "features"
    assert voorbeelden.main(["--dmn-map", str(dmn), "--uit", str(uit)]) == 2
    melding = capsys.readouterr().err
    assert "proef.dmn" in melding and "RULE ORDER" in melding and "Traceback" not in melding
    assert not uit.exists()   # nothing half-written
