"""STOP/LVBB: business-rule unit tests (goed/fout + expected JSON) and delivery checks."""

import json
import shutil

import pytest

from dso_acceptatie.leveringen import valideer

from .helpers import GEMEENTESTAD, UNITTESTS

# A sample of codes whose unit-test files match their rule. Left out, on purpose:
# STOP0007 (its -fout.xml is a copy of the STOP0008 case: the Nootref *is* inside a table) and
# LVBB2009 (a bare FRBRExpression; the rule's context is ExpressionIdentificatie with soortWork).
CODES = ["STOP0001", "STOP0002", "STOP0005", "STOP0006", "STOP0008", "STOP0009", "STOP0010"]


def _gevallen():
    for code in CODES:
        for xml in sorted((UNITTESTS / code).glob("*.xml")):
            yield pytest.param(code, xml, id=xml.stem)


@pytest.mark.parametrize("code,xml", list(_gevallen()))
def test_unittest_geeft_verwachte_code(code, xml):
    tekst = xml.with_suffix(".json").read_text(encoding="utf-8").strip()
    verwacht = json.loads(tekst) if tekst else {}
    u = valideer(xml)
    if xml.stem.endswith("-fout"):
        assert verwacht["code"] == code
        (b,) = [b for b in u.bevindingen if b.code == code]
        if "eId" in verwacht:
            assert verwacht["eId"] in b.bericht
        assert b.bestand == xml.name and b.regel and b.xpath
        assert b.regelset.startswith("STOP/LVBB 1.0.4")
    else:
        assert code not in u.codes()


def test_ernst_uit_validatiematrix():
    u = valideer(UNITTESTS / "STOP0005" / "alinea-met-inhoud-fout.xml")
    (b,) = u.bevindingen
    assert b.ernst == "fout" and "alinea" in b.bericht.lower()
    u = valideer(UNITTESTS / "STOP0009" / "lijstitem-met-tabel-fout.xml")
    assert {b.ernst for b in u.bevindingen if b.code == "STOP0009"} == {"waarschuwing"}
    assert u.geldig   # a warning alone does not reject


def test_gemeentestad_is_goed_en_noemt_versieverschil():
    u = valideer(GEMEENTESTAD)
    assert u.oordeel == "goedgekeurd", [(b.code, b.bericht) for b in u.bevindingen]
    assert set(u.soorten) == {"stop", "tpod"}
    stop = next(r for r in u.regelsets if r.naam.startswith("STOP/LVBB 1.0.4"))
    assert "1.2.0" in stop.toelichting and "1.3.0" in stop.toelichting


def test_manifest_en_bestanden_moeten_kloppen(tmp_path):
    lev = tmp_path / "lev"
    shutil.copytree(GEMEENTESTAD, lev)
    (lev / "IO009.xml").unlink()                 # named in manifest.xml, now missing
    (lev / "extra.xml").write_text("<x/>")       # present, not in manifest.xml
    u = valideer(lev)
    assert {"LVBB1009", "LVBB1010"} <= u.codes("fout")
    ontbreekt = next(b for b in u.bevindingen if b.code == "LVBB1009")
    assert "IO009.xml" in ontbreekt.bericht and ontbreekt.bestand == "manifest.xml"
    assert ontbreekt.regel


def test_lege_alinea_in_echte_besluittekst(tmp_path):
    lev = tmp_path / "lev"
    shutil.copytree(GEMEENTESTAD, lev)
    besluit = lev / "akn_nl_bill_gm0297-3520-01.xml"
    besluit.write_text(besluit.read_text(encoding="utf-8").replace("<Al>", "<Al></Al><Al>", 1),
                       encoding="utf-8")
    u = valideer(lev)
    (b,) = [b for b in u.bevindingen if b.code == "STOP0005"]
    assert b.bestand == besluit.name and b.ernst == "fout" and b.regel > 1


def test_schematron_cache_wordt_hergebruikt():
    from dso_acceptatie.leveringen import schematron, stop
    sch = stop.alle_schematrons()[0]
    eerste = schematron.gecompileerd(sch)
    assert eerste.exists() and schematron._sleutel(sch) in eerste.name
    assert schematron.gecompileerd(sch) == eerste


def test_los_besluit_zonder_pakketcontroles():
    """One file on its own is checked as a document; opdracht/manifest are package rules."""
    u = valideer(GEMEENTESTAD / "akn_nl_bill_gm0297-3520-01.xml")
    assert u.oordeel == "goedgekeurd"
    assert not {"LVBB1002", "LVBB1003"} & u.codes()
