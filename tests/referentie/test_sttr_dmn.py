"""Reading the real STTR packages, and refusing what is unsafe or not executable."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sttr_bouwer import dmn

from referentie_lv.sttr.dmn import DmnFout, lees_dmn
from referentie_lv.sttr.pakketten import BRONMAP, PakketFout, laad_map, lees_pakket, lees_zip

KAP = "nl.imow-gm0297.activiteit.2019000810"
BOUW = "nl.imow-gm0297.activiteit.2019000800"


@pytest.fixture(scope="module")
def bank():
    return laad_map(BRONMAP)


def _model(bank, woord):
    (m,) = [m for m in bank.modellen if woord in m.naam]
    return m


def test_alle_pakketten_geladen(bank):
    assert sorted(p.opdracht for p in bank.pakketten) == (
        ["toevoegenToepasbareRegels"] * 3 + ["updateActiviteit"] * 2)
    assert sorted(m.naam for m in bank.modellen) == [
        "Conclusie Bouwen van een bijgebouw - Initiele versie",
        "Conclusie Kappen van een boom - Initiele versie",
        "Indieningsvereisten Vergunning Kappen van een boom - Initiele versie"]
    assert set(bank.activiteiten) == {KAP, BOUW}
    assert bank.werkzaamheden == {"BoomOfStruikKappenOfSnoeien": [KAP], "AanbouwBouwenVerbouwen": [BOUW]}
    assert bank.activiteiten[KAP].bevoegd_gezag == {"bestuurslaag": "gemeente"}
    assert [r.get("typering") for r in bank.activiteiten[KAP].regelbeheerobjecten] == [
        "Conclusie", "Indieningsvereisten", "Indieningsvereisten", "Indieningsvereisten"]


def test_kappen_volledig_gelezen(bank):
    m = _model(bank, "Conclusie Kappen")
    assert m.geldig_begindatum == "23-12-2020" and m.exporter == "Decision Modeler"
    assert [r.naam for r in m.regelgroepen.values()] == ["Kappen van een boom"]
    vragen = sorted(m.uitvoeringsregels.values(), key=lambda u: u.prioriteit)
    assert [(u.id, u.prioriteit, u.gegevenstype) for u in vragen] == [
        ("UitvId0001", 10, "number"), ("UitvId0002", 20, "boolean"),
        ("UitvId0003", 30, "boolean"), ("UitvId0004", 40, "boolean")]
    assert vragen[0].vraagtekst == "Wat is de stamomtrek van de boom?"
    assert all(u.bereik == "werkzaamheid" and u.classificatie == "activiteit" for u in vragen)
    assert len(m.invoer) == 4 and len(m.besluiten) == 2
    (top,) = m.topbesluiten
    assert top.naam == "Besluit - Kappen van een boom"
    fs = top.functionele_structuur
    assert (fs.typering, fs.toestemming, fs.activiteit) == ("Conclusie", None, KAP)
    assert top.tabel.hit_policy == "UNIQUE" and len(top.tabel.regels) == 4
    assert [k.expressie for k in top.tabel.kolommen] == [
        "stamomtrek", "zichtbaar vanaf openbaar toegankelijk gebied", "Plantenziektewet of artikel PM in APV"]
    assert top.vereist_besluit == ("Decision0002",)
    assert top.tabel.uitvoer[0].waarden[-1] is None       # outputValues end with null
    assert top.type.toegestaan[:2] == ("NietVanToepassing", "NeemContactOpMet")


def test_indieningsvereisten_gelezen(bank):
    m = _model(bank, "Indieningsvereisten")
    fs = m.functionele_structuren[0]
    assert (fs.typering, fs.toestemming, fs.activiteit) == ("Indieningsvereisten", "Vergunning", KAP)
    bijlage = m.uitvoeringsregels["UitvId0004"]
    assert bijlage.bijlagetype == "Situatieschets" and bijlage.vraagtekst is None
    assert bijlage.toelichting.startswith("Teken de te kappen boom op een kaart")
    assert {b.naam: b.tabel.hit_policy for b in m.besluiten.values()} == {
        "Indieningsvereisten Vergunning - Kappen van een boom": "ANY", "beoordelingsregels": "ANY",
        "conv stamomtrek": "FIRST", "conv reden": "FIRST"}
    assert m.geldig_begindatum == "06-01-2021"
    assert bank.modellen_voor(KAP, "Indieningsvereisten", "Vergunning") == [m]
    assert bank.modellen_voor(KAP, "Indieningsvereisten", "Melding") == []


def test_bijgebouw_gelezen(bank):
    m = _model(bank, "bijgebouw")
    (top,) = m.topbesluiten
    assert [r.invoer[0].tekst for r in top.tabel.regels] == ["<20", "[20..30)", ">=30"]
    assert [r.uitvoer[0] for r in top.tabel.regels] == ["Toestemmingsvrij", "Meldingsplicht", "Vergunningplicht"]
    assert m.activiteiten == [BOUW]


# -- safety ----------------------------------------------------------------------------------

def test_entiteiten_en_doctype_geweigerd(tmp_path):
    geheim = tmp_path / "geheim.txt"
    geheim.write_text("GEHEIM")
    xxe = dmn([("a", "number")], [(["1"], ['"x"'])],
              voor=f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file://{geheim}">]>')
    with pytest.raises(DmnFout, match="DOCTYPE"):
        lees_dmn(xxe)
    lachen = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
              '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    with pytest.raises(DmnFout):
        lees_dmn(dmn([("a", "number")], [(["1"], ['"x"'])], voor=lachen))


def test_kapotte_en_vreemde_xml_geweigerd():
    with pytest.raises(DmnFout, match="geen geldige XML"):
        lees_dmn(b"<dmn11:definitions")
    with pytest.raises(DmnFout, match="geen DMN 1.1"):
        lees_dmn(b"<definitions xmlns='https://www.omg.org/spec/DMN/20191111/MODEL/'/>")
    with pytest.raises(DmnFout, match="te groot"):
        lees_dmn(b" " * (6 * 1024 * 1024))


@pytest.mark.parametrize("ie, oe, fout", [
    (["stamomtrek * 2 > 3"], ['"x"'], "niet ondersteund"),
    (["1"], ["a + 1"], "niet ondersteund"),
    (["1", "2"], ['"x"'], "invoer- en"),
])
def test_niet_uitvoerbaar_geweigerd(ie, oe, fout):
    with pytest.raises(DmnFout, match=fout):
        lees_dmn(dmn([("a", "number")], [(ie, oe)]))


def test_onbekende_naam_in_kolom_geweigerd():
    tekst = dmn([("a", "number")], [(["1"], ['"x"'])]).replace(b"<dmn11:text>a</dmn11:text>",
                                                               b"<dmn11:text>b</dmn11:text>")
    with pytest.raises(DmnFout, match="geen invoer of besluit met die naam"):
        lees_dmn(tekst)


def _zip(leden: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for naam, data in leden.items():
            zf.writestr(naam, data)
    return buf.getvalue()


@pytest.mark.parametrize("naam", ["../buiten.dmn", "/etc/passwd", "a/../../b", "C:\\x.dmn"])
def test_zip_met_onveilig_pad_geweigerd(naam):
    with pytest.raises(PakketFout, match="onveilige bestandsnaam"):
        lees_zip(_zip({naam: b"x"}), "kwaad.zip")


def test_zip_te_groot_geweigerd():
    with pytest.raises(PakketFout, match="te groot"):
        lees_zip(_zip({"groot.dmn": b"0" * (6 * 1024 * 1024)}), "groot.zip")


def test_pakket_met_ontbrekend_bestand_geweigerd():
    echt = (BRONMAP / "Conclusie Bouwen van een bijgebouw - Initiele versie.zip").read_bytes()
    leden = lees_zip(echt)
    leden.pop("Conclusie Bouwen van een bijgebouw - Initiele versie.dmn")
    with pytest.raises(PakketFout, match="zit niet in het pakket"):
        lees_pakket(_zip(leden), "half.zip")


def test_bronnen_met_notice():
    notice = (BRONMAP / "NOTICE").read_text()
    assert "1f8fdd0e32467513f7011c721ecdd7fc10949c08" in notice and "Geonovum" in notice
    assert len(list(Path(BRONMAP).glob("*.zip"))) == 5
