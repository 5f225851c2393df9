"""TPOD/IMOW: IMOW 2.0.0 XSD on the real Gemeentestad OW files and on a mutated copy."""

import shutil

import pytest

from dso_acceptatie.leveringen import valideer

from .helpers import GEMEENTESTAD, VOORBEELDEN


@pytest.mark.parametrize("map_", ["opdracht", "opdracht_10", "opdracht_intrekking"])
def test_gemeentestad_ow_geldig(map_):
    u = valideer(VOORBEELDEN / "gemeentestad" / map_, soort="tpod")
    assert u.oordeel == "goedgekeurd", [(b.code, b.bericht) for b in u.bevindingen]
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
    (b,) = u.bevindingen
    assert (b.code, b.ernst, b.bestand, b.regel) == ("TPOD1164", "fout", ow.name, regel)
    assert b.xpath.endswith("rol:naamX") and "niet verwacht" in b.bericht


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
