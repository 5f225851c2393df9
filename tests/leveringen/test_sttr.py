"""STTR: the real Gemeentestad packages pass; broken DMN and packages are found with a place."""

import zipfile

import pytest

from dso_acceptatie.leveringen import valideer

from .helpers import STTR

KAPPEN = "Conclusie Kappen van een boom - Initiele versie"


def test_echte_pakketten_geldig():
    u = valideer(STTR, soort="sttr")
    assert u.oordeel == "goedgekeurd", [(b.code, b.bericht) for b in u.bevindingen]
    assert "STTR-DMN-018" not in u.codes()   # every table's semantics was actually checked
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
        for oud, nieuw in [vervang] if isinstance(vervang[0], str) else vervang:
            assert oud in tekst
            tekst = tekst.replace(oud, nieuw, 1)
        dmn.write_text(tekst, encoding="utf-8")
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


# --- semantics of the decision tables (sttr_semantiek) ------------------------------------------

TABEL = 'id="_bb1183d5-26c4-4c27-ae95-cdccc9af4e22"'
REGEL = "<dmn11:text>{}</dmn11:text>"


def _bevinding(tmp_path, vervang, code):
    u = valideer(_pakket(tmp_path, vervang), soort="sttr")
    bev = [b for b in u.bevindingen if b.code == code]
    assert bev, [(b.code, b.bericht) for b in u.bevindingen]
    assert all(b.ernst == "fout" and b.bestand.endswith(".dmn") and b.regel for b in bev)
    assert u.oordeel == "afgekeurd"
    return bev


def test_gat_met_concrete_invoer(tmp_path):
    (b,) = _bevinding(tmp_path, (REGEL.format("&lt; 50"), REGEL.format("&lt; 40")), "STTR-DMN-010")
    assert "'Besluit - Kappen van een boom' (_Decision0001)" in b.bericht and "UNIQUE" in b.bericht
    # stamomtrek 40 is covered by neither '< 40' nor '>= 50'
    assert "{stamomtrek: 40, zichtbaar vanaf openbaar toegankelijk gebied: true" in b.bericht
    assert b.regel == _regel_van(tmp_path, TABEL)


def test_overlap_onder_unique(tmp_path):
    (b,) = _bevinding(tmp_path, (REGEL.format("&gt;= 50"), REGEL.format("&gt;= 40")), "STTR-DMN-011")
    assert "regel 1 (_1df5d8f8-7d6e-4b53-b417-ec85ac5237fd)" in b.bericht
    assert "regel 2 (_853e9218-e96d-4e12-878f-623aab0d4c32)" in b.bericht
    assert "stamomtrek: 40" in b.bericht and "zichtbaar vanaf openbaar toegankelijk gebied: false" in b.bericht
    assert b.regel == _regel_van(tmp_path, 'rule id="_853e9218')


def test_conclusie_buiten_toegestane_waarden(tmp_path):
    (b,) = _bevinding(tmp_path, (REGEL.format('"Vergunningplicht"'), REGEL.format('"Vergunningsplicht"')),
                      "STTR-DMN-009")
    assert "regel 4 (_96eba2f8-277f-4410-8862-45b3f9d6d327)" in b.bericht
    assert '"Vergunningsplicht"' in b.bericht and '"Vergunningplicht"' in b.bericht


def test_onbereikbare_regel_onder_first(tmp_path):
    bev = _bevinding(tmp_path, [('hitPolicy="UNIQUE"', 'hitPolicy="FIRST"'),
                                (REGEL.format("&lt; 50"), REGEL.format("&lt; 50, &gt;= 50"))],
                     "STTR-DMN-012")
    assert [b.bericht.split("hitPolicy FIRST: ")[1].split(" is onbereikbaar")[0] for b in bev] == [
        "regel 2 (_853e9218-e96d-4e12-878f-623aab0d4c32)", "regel 3 (_5907102e-8f04-4ee0-a0c7-36a278daeb23)",
        "regel 4 (_96eba2f8-277f-4410-8862-45b3f9d6d327)"]
    assert all("eerder al regel 1" in b.bericht for b in bev)


def test_regel_die_niets_dekt(tmp_path):
    (b,) = _bevinding(tmp_path, (REGEL.format("&lt; 50"), REGEL.format("[60..50]")), "STTR-DMN-013")
    assert "regel 1 (_1df5d8f8" in b.bericht


def test_any_met_verschillende_uitvoer(tmp_path):
    (b,) = _bevinding(tmp_path, [('hitPolicy="UNIQUE"', 'hitPolicy="ANY"'),
                                 (REGEL.format("&lt; 50"), REGEL.format("&lt; 60"))], "STTR-DMN-014")
    assert "regel 1 (_1df5d8f8" in b.bericht and "regel 4 (_96eba2f8" in b.bericht and "stamomtrek: 50" in b.bericht


@pytest.mark.parametrize("vervang,code", [
    (('<uitv:uitvoeringsregelRef href="#UitvId0001"/>', ""), "STTR-DMN-016"),
    (("<uitv:gegevensType>number</uitv:gegevensType>", "<uitv:gegevensType>string</uitv:gegevensType>"),
     "STTR-DMN-017"),
    ((REGEL.format("stamomtrek"), REGEL.format("stamomtrek in cm")), "STTR-DMN-015"),
    (('<dmn11:requiredInput href="#InputData0001"/>', ""), "STTR-DMN-015"),
])
def test_vragen_en_kolommen(tmp_path, vervang, code):
    _bevinding(tmp_path, vervang, code)


def _regel_van(tmp_path, stuk: str) -> int:
    tekst = (tmp_path / "pakket" / f"{KAPPEN}.dmn").read_text(encoding="utf-8")
    # lxml gives the line on which the start tag ends
    return tekst[:tekst.index(">", tekst.index(stuk))].count("\n") + 1
