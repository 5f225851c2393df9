"""The Vergunningcheck examples come from the real decision tables, and drift is caught."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from dso_acceptatie.dmn import (
    DmnFout,
    dmn_bestanden,
    evalueer,
    lees_model,
    past,
)
from dso_acceptatie.dmn import voorbeelden as rijen
from dso_acceptatie.fasen.klantreizen import paden, voorbeelden


def _modellen():
    return [lees_model(n, b) for n, b in dmn_bestanden(paden.DMN_MAP)]


def test_vastgelegde_features_passen_bij_de_dmn_modellen():
    assert voorbeelden.verschillen() == []


def test_elke_regel_van_elke_beslistabel_is_een_voorbeeld():
    conclusiemodellen = [m for m in _modellen() if m.conclusiemodel]
    assert len(conclusiemodellen) >= 2
    for model in conclusiemodellen:
        lijst = rijen(model)
        verwacht = {(b.naam, r.nummer) for b in model.besluiten.values() for r in b.regels}
        assert {(v.besluit, v.regel) for v in lijst} == verwacht
        for v in lijst:
            conclusie, spoor = evalueer(model, v.antwoorden)
            assert spoor[v.besluit] == v.regel, (model.naam, v)
            assert str(conclusie) == v.conclusie


def test_kappen_regel_4_geeft_vergunningplicht_vanaf_50_cm():
    kappen = next(m for m in _modellen() if m.werkzaamheid == "Kappen van een boom"
                  and m.conclusiemodel)
    v = next(v for v in rijen(kappen) if v.besluit.startswith("Besluit") and v.regel == 4)
    assert v.antwoorden["stamomtrek"] == 50 and v.conclusie == "Vergunningplicht"


def _kopie_met_features(tmp_path: Path) -> tuple[Path, Path]:
    dmn = tmp_path / "contracts" / "sttr"
    shutil.copytree(paden.DMN_MAP, dmn)
    uit = tmp_path / "features" / "vergunningcheck"
    uit.mkdir(parents=True)
    for naam, tekst in voorbeelden.genereer(dmn, tmp_path).items():
        (uit / naam).write_text(tekst, encoding="utf-8")
    return dmn, uit


def test_een_gewijzigde_beslistabel_geeft_drift(tmp_path):
    dmn, uit = _kopie_met_features(tmp_path)
    assert voorbeelden.verschillen(dmn, uit, tmp_path) == []
    # The municipality raises the threshold for kappen from 50 to 60 cm: the committed examples
    # no longer match, and the check must say which file.
    zip_ = next(dmn.glob("Conclusie Kappen*.zip"))
    with zipfile.ZipFile(zip_) as zf:
        inhoud = {i.filename: zf.read(i) for i in zf.infolist()}
    naam = next(n for n in inhoud if n.endswith(".dmn"))
    inhoud[naam] = inhoud[naam].replace(b"&gt;= 50", b"&gt;= 60").replace(b"&lt; 50", b"&lt; 60")
    with zipfile.ZipFile(zip_, "w") as zf:
        for n, b in inhoud.items():
            zf.writestr(n, b)
    fouten = voorbeelden.verschillen(dmn, uit, tmp_path)
    assert len(fouten) == 1 and "kappen-van-een-boom" in fouten[0] and "wijkt af" in fouten[0]
    assert voorbeelden.main(["--dmn-map", str(dmn), "--uit", str(uit), "--controleer"]) == 1


def test_een_ontbrekend_of_overbodig_bestand_is_drift(tmp_path):
    dmn, uit = _kopie_met_features(tmp_path)
    (uit / "beslistabellen-oud-model.feature").write_text("# language: nl\n", encoding="utf-8")
    next(uit.glob("beslistabellen-bouwen*.feature")).unlink()
    fouten = voorbeelden.verschillen(dmn, uit, tmp_path)
    assert any("ontbreekt" in f for f in fouten) and any("oud-model" in f for f in fouten)


@pytest.mark.parametrize(("test", "waarde", "verwacht"), [
    ("< 50", 49, True), ("< 50", 50, False), (">= 50", 50, True), ("[20..30)", 20, True),
    ("[20..30)", 30, False), ("(20..30]", 30, True), ("-", 7, True), ("true", True, True),
    ("true", False, False), ('"a","b"', "b", True), ("not(null)", 3, True), ("not(null)", None, False),
    ("< 50", True, False),
])
def test_feel_eenvoudige_tests(test, waarde, verwacht):
    assert past(test, waarde) is verwacht


def test_onbekende_feel_wordt_gemeld_niet_geraden():
    with pytest.raises(DmnFout):
        past("date(\"2020-01-01\")", 3)


def test_vijandige_xml_wordt_niet_uitgevoerd(tmp_path):
    bom = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
           b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
           b'<definitions xmlns="http://www.omg.org/spec/DMN/20151101/dmn.xsd">&b;</definitions>')
    pad = tmp_path / "bom.dmn"
    pad.write_bytes(bom)
    with pytest.raises(DmnFout):
        lees_model(pad)
