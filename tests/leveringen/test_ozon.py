"""Ozon rules on IMOW 2.0 (ozon.py): each rule fails its mutated Gemeentestad copy, the originals pass."""

import shutil

import pytest

from dso_acceptatie.leveringen import valideer

from .helpers import GEMEENTESTAD, VOORBEELDEN

REGELTEKST = "owRegeltekst-Gemeentestad.xml"
LOCATIES = "owLocaties-Gemeentestad.xml"
ACTIVITEITEN = "owActiviteiten-Gemeentestad.xml"
REF = 'xlink:href="{}"'


@pytest.mark.parametrize("map_", ["opdracht", "opdracht_10", "opdracht_intrekking"])
def test_originelen_door_de_ozon_regels(map_):
    u = valideer(VOORBEELDEN / "gemeentestad" / map_, soort="tpod")
    assert u.oordeel == "goedgekeurd", [(b.code, b.bericht) for b in u.bevindingen if b.ernst == "fout"]
    (r,) = [r for r in u.regelsets if r.naam.startswith("Ozon-regels")]
    assert r.toegepast and "OW-objecten" in r.toelichting
    assert not [b for b in u.bevindingen if b.code.startswith("OZON") or b.regelset == r.naam
                and b.code.startswith("TPOD")]


def _gemuteerd(tmp_path, bestand, oud, nieuw):
    lev = tmp_path / "lev"
    shutil.copytree(GEMEENTESTAD, lev)
    pad = lev / bestand
    tekst = pad.read_text(encoding="utf-8")
    assert oud in tekst
    pad.write_text(tekst.replace(oud, nieuw, 1), encoding="utf-8")
    regel = tekst[:tekst.index(oud)].count("\n") + 1
    return valideer(lev, soort="tpod"), regel


@pytest.mark.parametrize("bestand,oud,nieuw,code,stuk", [
    # a juridische regel pointing at an activity that does not exist (the example)
    (REGELTEKST, REF.format("nl.imow-gm0297.activiteit.2019000241"),
     REF.format("nl.imow-gm0297.activiteit.2019999999"), "OZON0038", "activiteit.2019999999"),
    (REGELTEKST, REF.format("nl.imow-gm0297.regeltekst.2019000001"),
     REF.format("nl.imow-gm0297.regeltekst.2019999999"), "OZON0033", "regeltekst.2019999999"),
    (REGELTEKST, REF.format("nl.imow-gm0297.gebiedsaanwijzing.2019000001"),
     REF.format("nl.imow-gm0297.gebiedsaanwijzing.2019999999"), "OZON0040", "gebiedsaanwijzing.2019999999"),
    (REGELTEKST, REF.format("nl.imow-gm0297.gebiedengroep.Bedrijfcategorie2"),
     REF.format("nl.imow-gm0297.gebiedengroep.Bestaatniet"), "OZON0045", "Bestaatniet"),
    # a location reference that lands on an object of the wrong type
    (REGELTEKST, REF.format("nl.imow-gm0297.gebiedengroep.Bedrijfcategorie2"),
     REF.format("nl.imow-gm0297.activiteit.2019000241"), "OZON0045", "dat is een Activiteit"),
    (LOCATIES, '<l:GebiedRef xlink:href="nl.imow-gm0297.gebied.2019000001"/>',
     '<l:GebiedRef xlink:href="nl.imow-gm0297.gebied.2019999999"/>', "OZON0053", "gebied.2019999999"),
    (LOCATIES, REF.format("50EA019E-3C96-4631-A76C-35BCF4D7AB6D"), REF.format("00000000-0000-0000-0000-0"),
     "OZON0066", "00000000-0000-0000-0000-0"),
    ("owOmgevingsnormOmgevingswaarde.xml", REF.format("nl.imow-gm0297.gebiedengroep.zuilichem"),
     REF.format("nl.imow-gm0297.gebiedengroep.nergens"), "OZON0101", "gebiedengroep.nergens"),
    ("owSymbolisatieItem.xml", REF.format("nl.imow-gm0297.normwaarde.2019000002"),
     REF.format("nl.imow-gm0297.normwaarde.2019999999"), "OZON0347", "normwaarde.2019999999"),
    ("owRegelingsgebied.xml", "<l:LocatieRef xlink:href=", '<l:LocatieRef xlink:href="nl.imow-gm0297.gebied.x" a=',
     "OZON0124", "gebied.x"),
    (REGELTEKST, "<sl:objectType>Regeltekst</sl:objectType>", "", "OZON0013", "objectTypen"),
    (REGELTEKST, "<r:identificatie>nl.imow-gm0297.regeltekst.2019000001<",
     "<r:identificatie>nl.imow-gm0297.artikel.2019000001<", "TPOD1892", "artikel.2019000001"),
    (REGELTEKST, "<r:identificatie>nl.imow-gm0297.juridischeregel.2019000001</r:identificatie>",
     "<r:identificatie>nl.imow-gm0297.juridischeregel.2019000001</r:identificatie><ow:status>beëindigen"
     "</ow:status>", "TPOD0104", "juridischeregel.2019000001"),
    # the same location twice in one juridische regel
    (REGELTEKST, '<l:LocatieRef xlink:href="nl.imow-gm0297.gebiedengroep.Bedrijfcategorie2"/>',
     '<l:LocatieRef xlink:href="nl.imow-gm0297.gebiedengroep.Bedrijfcategorie2"/>'
     '<l:LocatieRef xlink:href="nl.imow-gm0297.gebiedengroep.Bedrijfcategorie2"/>', "OZON0320", "twee keer"),
    (ACTIVITEITEN, REF.format("nl.imow-gm0297.activiteit.ActInOmgevingsplanGem"),
     REF.format("nl.imow-gm0297.activiteit.2019000241"), "OZON0083", "naar zichzelf"),
])
def test_gemuteerde_levering_faalt(tmp_path, bestand, oud, nieuw, code, stuk):
    u, regel = _gemuteerd(tmp_path, bestand, oud, nieuw)
    bev = [b for b in u.bevindingen if b.code == code]
    assert bev, [(b.code, b.bericht) for b in u.bevindingen]
    b = bev[0]
    assert len(bev) == 1 or code == "OZON0013", [x.bericht for x in bev]   # every Regeltekst is unlisted
    assert (b.ernst, b.bestand) == ("fout", bestand) and stuk in b.bericht
    if code in ("TPOD1892", "TPOD0104"):
        regel -= 1   # object-level rules point at the object's start tag, the line before identificatie
    assert b.regel == regel if code != "OZON0013" else b.regel
    assert u.oordeel == "afgekeurd"


def test_officiele_regeltekst_in_bericht(tmp_path):
    u, _ = _gemuteerd(tmp_path, REGELTEKST, REF.format("nl.imow-gm0297.activiteit.2019000241"),
                      REF.format("nl.imow-gm0297.activiteit.2019999999"))
    (b,) = [b for b in u.bevindingen if b.code == "OZON0038"]
    assert b.bericht.startswith("Als een RegelVoorIedereen verwijst naar een Activiteit, dan moet deze bestaan.")
    assert "nl.imow-gm0297.juridischeregel.2019000002" in b.bericht


def test_geometrie_zonder_locatie_en_dubbele_identificatie(tmp_path):
    u, _ = _gemuteerd(tmp_path, LOCATIES, REF.format("50EA019E-3C96-4631-A76C-35BCF4D7AB6D"),
                      REF.format("B3AF6AF7-5EFA-4A87-9C66-BFB046DD89AC"))
    (b,) = [b for b in u.bevindingen if b.code == "TPOD2230"]
    assert "50EA019E-3C96-4631-A76C-35BCF4D7AB6D" in b.bericht and b.bestand.endswith(".gml") and b.regel
    u, _ = _gemuteerd(tmp_path / "2", REGELTEKST, "nl.imow-gm0297.regeltekst.2019000002</r:identificatie>",
                      "nl.imow-gm0297.regeltekst.2019000001</r:identificatie>")
    assert {"OZON0310", "OZON0033"} <= u.codes("fout")


def test_wijziging_beslist_niet_wat_in_ozon_kan_staan(tmp_path):
    """In a mutation a missing target may exist in Ozon: counted as not decided, never as passed."""
    lev = tmp_path / "lev"
    shutil.copytree(VOORBEELDEN / "gemeentestad" / "opdracht_10", lev)
    u = valideer(lev, soort="tpod")
    (open_,) = [b for b in u.bevindingen if b.code == "IMOW-VERWIJZING-OPEN"]
    assert open_.ernst == "informatief" and "niet beslist" in open_.bericht
    (r,) = [r for r in u.regelsets if r.naam.startswith("Ozon-regels")]
    assert "wijziging/intrekking" in r.toelichting and "niet beslist" in r.toelichting


def test_objecttype_niet_bij_artikelstructuur(tmp_path):
    lev = tmp_path / "lev"
    shutil.copytree(GEMEENTESTAD, lev)
    pad = lev / REGELTEKST
    tekst = pad.read_text(encoding="utf-8")
    begin = tekst.index('<r:Regeltekst wId="gm0297_1__chp_2__subchp_2.2__art_2.3">')
    tekst = (tekst[:begin] + tekst[begin:].replace(
        "<r:Regeltekst ", '<vt:Tekstdeel xmlns:vt="http://www.geostandaarden.nl/imow/vrijetekst" ', 1)
        .replace("</r:Regeltekst>", "</vt:Tekstdeel>", 1))
    pad.write_text(tekst, encoding="utf-8")
    u = valideer(lev, soort="tpod")
    (b,) = [b for b in u.bevindingen if b.code == "TPOD2420"]
    assert b.bestand == REGELTEKST and "Tekstdeel nl.imow-gm0297.regeltekst.2019000001" in b.bericht
    assert b.bericht.startswith("Bij een OW-aanlevering behorend bij een besluit")
    assert b.regel == tekst[:begin].count("\n") + 1
