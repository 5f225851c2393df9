"""TPOD/IMOW: IMOW 2.0.0 XSD on the real Gemeentestad OW files and on a mutated copy."""

import shutil

import pytest

from dso_acceptatie.leveringen import valideer

from .helpers import GEMEENTESTAD, VOORBEELDEN


@pytest.mark.parametrize("map_", ["opdracht", "opdracht_10", "opdracht_intrekking"])
def test_gemeentestad_ow_geldig(map_):
    u = valideer(VOORBEELDEN / "gemeentestad" / map_, soort="tpod")
    # XSD-valid all three; the published intrekking breaks TPOD1900 only (test_ozon.py)
    fouten = {b.code for b in u.bevindingen if b.ernst == "fout"}
    assert fouten == ({"TPOD1900"} if map_ == "opdracht_intrekking" else set()), \
        [(b.code, b.bericht) for b in u.bevindingen]
    assert any(r.naam == "IMOW 2.0.0 XSD" and r.toegepast for r in u.regelsets)
    tpod = next(r for r in u.regelsets if r.naam.startswith("TPOD-validaties 1.0.6"))
    assert not tpod.toegepast and "IMOW 2.0.0" in tpod.toelichting


def test_gemuteerd_ow_bestand_ongeldig_met_plaats(tmp_path):
    lev = tmp_path / "lev"
    shutil.copytree(GEMEENTESTAD, lev)
    ow = lev / "owActiviteiten-Gemeentestad.xml"
    tekst = ow.read_text(encoding="utf-8")
    regel = tekst[: tekst.index("<rol:naam>")].count("\n") + 1
    ow.write_text(tekst.replace("<rol:naam>", "<rol:naamX>", 1).replace("</rol:naam>",
                                                                          "</rol:naamX>", 1),
                  encoding="utf-8")
    u = valideer(lev, soort="tpod")
    (b,) = [b for b in u.bevindingen if b.ernst != "informatief"]
    assert (b.code, b.ernst, b.bestand, b.regel) == ("TPOD1164", "fout", ow.name, regel)
    assert b.xpath.endswith("/Activiteit/naamX") and b.xpath.startswith("/owBestand/") and "niet verwacht" in b.bericht


def test_manifest_ow_xsd(tmp_path):
    lev = tmp_path / "lev"
    shutil.copytree(GEMEENTESTAD, lev)
    m = lev / "manifest-ow.xml"
    m.write_text(m.read_text(encoding="utf-8").replace("<domein>omgevingswet</domein>", "", 1),
                 encoding="utf-8")
    u = valideer(lev, soort="tpod")
    assert "TPOD1162" in u.codes("fout")


def test_manifest_ow_noemt_ontbrekend_bestand(tmp_path):
    lev = tmp_path / "lev"
    shutil.copytree(GEMEENTESTAD, lev)
    (lev / "owKaart.xml").unlink()
    u = valideer(lev)
    assert "LVBB1016" in u.codes("fout")


TPOD10 = VOORBEELDEN / "tpod-1.0"


def test_tpod_schematron_op_imow_1_0():
    u = valideer(TPOD10 / "Test_TPOD1700")
    tpod = next(r for r in u.regelsets if r.naam.startswith("TPOD-validaties 1.0.6"))
    assert tpod.toegepast
    assert any(r.naam == "IMOW 1.0.2 XSD" for r in u.regelsets)
    (b, *_) = [b for b in u.bevindingen if b.code == "TPOD1700"]
    assert b.bestand == "Ow_TPOD1700.xml" and b.regel and b.ernst == "waarschuwing"
    # manifest.xml / manifest-ow.xml are missing: reported once, as the rule itself words it
    assert [b.code for b in u.bevindingen].count("TPOD2050") == 1


@pytest.mark.parametrize("naam,aanwezig", [("tpod0980ARTIKEL-niet-aanwezig.xml", True),
                                           ("tpod0980ARTIKEL.xml", False)])
def test_tpod0980_op_stop_1_0_besluit(naam, aanwezig):
    u = valideer(TPOD10 / "TestData_OP-Omgevingsplan" / naam)
    assert "tpod" in u.soorten
    assert ("TPOD0980" in u.codes()) is aanwezig


def test_tpod_schematron_geforceerd_op_imow_2_is_informatief():
    from dso_acceptatie.leveringen.levering import valideer as valideer_met_opties
    u = valideer_met_opties(GEMEENTESTAD, soort="tpod", tpod_1_0="altijd")
    assert u.geldig
    tpod = [b for b in u.bevindingen if b.code.startswith("TPOD")]
    assert tpod and {b.ernst for b in tpod} == {"informatief"}
