"""STTR: the real Gemeentestad packages pass; broken DMN and packages are found with a place."""

import zipfile

import pytest

from dso_acceptatie.leveringen import valideer

from .helpers import STTR

KAPPEN = "Conclusie Kappen van een boom - Initiele versie"


def test_echte_pakketten_geldig():
    u = valideer(STTR, soort="sttr")
    assert u.oordeel == "goedgekeurd", [(b.code, b.bericht) for b in u.bevindingen]
    assert len([n for n in u.bestanden if n.endswith(".dmn")]) == 3
    (r,) = u.regelsets
    assert "STTR-XSD" in r.naam and "niet beschikbaar" in r.naam


def _pakket(tmp_path, vervang=None, weglaten=()):
    map_ = tmp_path / "pakket"
    with zipfile.ZipFile(STTR / f"{KAPPEN}.zip") as z:
        z.extractall(map_)
    for naam in weglaten:
        (map_ / naam).unlink()
    if vervang:
        dmn = map_ / f"{KAPPEN}.dmn"
        tekst = dmn.read_text(encoding="utf-8")
        assert vervang[0] in tekst
        dmn.write_text(tekst.replace(*vervang, 1), encoding="utf-8")
    return map_


@pytest.mark.parametrize("vervang,code", [
    (('href="#InputData0001"', 'href="#InputData9999"'), "STTR-DMN-003"),
    (('hitPolicy="UNIQUE"', 'hitPolicy="SOMETIMES"'), "STTR-DMN-006"),
    (('id="_9d07816c-04d9-4bcf-b231-8f30c6eaaa9c"', 'id="_c952e6f4-7621-492d-b400-781c880cd17b"'),
     "STTR-DMN-002"),
    (('typeRef="TConclusie"', 'typeRef="TBesluit"'), "STTR-DMN-007"),
    (('typeRef="feel:number"', 'typeRef="feel:getal"'), "STTR-DMN-007"),
    (("http://www.omg.org/spec/DMN/20151101/dmn.xsd",
      "https://www.omg.org/spec/DMN/20191111/MODEL/"), "STTR-DMN-001"),
])
def test_dmn_fouten(tmp_path, vervang, code):
    u = valideer(_pakket(tmp_path, vervang), soort="sttr")
    bev = [b for b in u.bevindingen if b.code == code]
    assert bev and bev[0].bestand.endswith(".dmn") and bev[0].regel
    assert u.oordeel == "afgekeurd"


def test_regel_met_ontbrekende_inputentry(tmp_path):
    map_ = _pakket(tmp_path)
    dmn = map_ / f"{KAPPEN}.dmn"
    tekst = dmn.read_text(encoding="utf-8")
    begin = tekst.index('<dmn11:inputEntry id="_9d07816c')
    eind = tekst.index("</dmn11:inputEntry>", begin) + len("</dmn11:inputEntry>")
    dmn.write_text(tekst[:begin] + tekst[eind:], encoding="utf-8")
    u = valideer(map_, soort="sttr")
    assert "STTR-DMN-004" in u.codes("fout")


def test_pakket_zonder_dmn(tmp_path):
    u = valideer(_pakket(tmp_path, weglaten=[f"{KAPPEN}.dmn"]), soort="sttr")
    assert {"STTR-PAKKET-002", "STTR-PAKKET-005"} <= u.codes("fout")


def test_losse_dmn_alleen_dmn_controles(tmp_path):
    map_ = _pakket(tmp_path)
    u = valideer(map_ / f"{KAPPEN}.dmn")
    assert u.oordeel == "goedgekeurd" and u.soorten == ["sttr"]
