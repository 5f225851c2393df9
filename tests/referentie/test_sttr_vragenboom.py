"""Which question next, given the answers so far: realistic walks through the real files."""

from __future__ import annotations

import pytest

from referentie_lv.sttr.pakketten import BRONMAP, laad_map
from referentie_lv.sttr.vragenboom import OngeldigAntwoord, Vragenboom

BANK = laad_map(BRONMAP)
KAP = "nl.imow-gm0297.activiteit.2019000810"
BOUW = "nl.imow-gm0297.activiteit.2019000800"


def boom(activiteit, typering="Conclusie", toestemming=None):
    (m,) = BANK.modellen_voor(activiteit, typering, toestemming)
    return Vragenboom(m)


def loop(b: Vragenboom, antwoorden_per_tekst: dict[str, object]) -> tuple[list[str], dict]:
    """Answer whatever is asked from a dict keyed by question text; return the texts asked."""
    gesteld, antwoorden = [], {}
    while (v := b.volgende_vraag(antwoorden)) is not None:
        assert len(gesteld) < 10, "de vragenboom blijft vragen"
        gesteld.append(v.tekst)
        antwoorden[v.id] = antwoorden_per_tekst[v.tekst]
    return gesteld, antwoorden


STAM = "Wat is de stamomtrek van de boom?"
ZICHT = "Is de boom zichtbaar vanaf openbaar toegankelijk gebied?"
PLANT = "Wordt de boom gekapt op grond van de Plantenziektenwet?"
APV = ("Wordt de boom gekapt vanwege een aanschrijving op grond van artikel PM van de Algemene "
       "plaatselijke verordening?")


def test_kappen_grote_zichtbare_boom_zonder_grond_is_vergunningplicht():
    b = boom(KAP)
    eerste = b.volgende_vraag({})
    assert (eerste.tekst, eerste.gegevenstype, eerste.prioriteit, eerste.regelgroep) == (
        STAM, "number", 10, "Kappen van een boom")
    assert b.conclusie({}) is None
    gesteld, antwoorden = loop(b, {STAM: "120", ZICHT: "ja", PLANT: "nee", APV: "nee"})
    assert gesteld == [STAM, ZICHT, PLANT, APV]
    (c,) = b.conclusie(antwoorden)
    assert c.waarde == "Vergunningplicht"
    assert c.functionele_structuur.activiteit == KAP and c.functionele_structuur.typering == "Conclusie"
    assert c.regels == (4,)
    assert "regel 4 van beslistabel 'Besluit - Kappen van een boom'" in c.uitleg
    assert "stamomtrek is 120 (voorwaarde: >= 50)" in c.uitleg
    assert len(c.gebruikte_antwoorden) == 4


def test_kappen_dunne_boom_vraagt_alleen_de_stamomtrek():
    b = boom(KAP)
    gesteld, antwoorden = loop(b, {STAM: 30})
    assert gesteld == [STAM]
    (c,) = b.conclusie(antwoorden)
    assert c.waarde == "Toestemmingsvrij" and c.regels == (1,)
    assert list(c.gebruikte_antwoorden.values()) == [30]


def test_kappen_plantenziektenwet_maakt_apv_vraag_overbodig():
    b = boom(KAP)
    gesteld, antwoorden = loop(b, {STAM: 80, ZICHT: True, PLANT: True})
    assert gesteld == [STAM, ZICHT, PLANT]
    assert b.conclusie(antwoorden)[0].waarde == "Toestemmingsvrij"


def test_kappen_onzichtbare_boom_slaat_rest_over():
    b = boom(KAP)
    gesteld, antwoorden = loop(b, {STAM: 80, ZICHT: "nee"})
    assert gesteld == [STAM, ZICHT]
    assert b.conclusie(antwoorden)[0].waarde == "Toestemmingsvrij"


def test_antwoord_buiten_de_volgorde_telt_mee():
    b = boom(KAP)
    # Answered APV first (the API allows any order): the tree still asks in its own order and
    # skips what is already answered.
    antwoorden = {"aanschrijving op grond van artikel PM van de Algemene plaatselijke verordening": False}
    assert b.volgende_vraag(antwoorden).tekst == STAM
    antwoorden.update({"stamomtrek": 60, "zichtbaar vanaf openbaar toegankelijk gebied": True})
    assert b.volgende_vraag(antwoorden).tekst == PLANT
    assert [v.tekst for v in b.open_vragen(antwoorden)] == [PLANT]


@pytest.mark.parametrize("oppervlakte, conclusie", [(12, "Toestemmingsvrij"), (25, "Meldingsplicht"),
                                                   ("30", "Vergunningplicht")])
def test_bijgebouw(oppervlakte, conclusie):
    b = boom(BOUW)
    gesteld, antwoorden = loop(b, {"Wat is de oppervlakte van het bijgebouw?": oppervlakte})
    assert gesteld == ["Wat is de oppervlakte van het bijgebouw?"]
    (c,) = b.conclusie(antwoorden)
    assert c.waarde == conclusie and c.functionele_structuur.activiteit == BOUW


def test_indieningsvereisten_vragen_en_bijlage():
    b = boom(KAP, "Indieningsvereisten", "Vergunning")
    assert [v.soort for v in b.vragen] == ["vraag"] * 4 + ["bijlage"]
    bijlage = b.vragen[-1]
    assert bijlage.bijlagetype == "Situatieschets" and bijlage.gegevenstype == "boolean"
    gesteld, antwoorden = loop(b, {
        STAM: 90, "Veroorzaakt de boom gevaar of ernstige hinder?": "ja",
        "Wat is de reden voor het kappen van de boom?": "Wortels tillen de stoep op",
        bijlage.tekst: True})
    # Gevaar = ja already satisfies 'beoordelingsregels': the belang question is skipped.
    assert gesteld == [STAM, "Veroorzaakt de boom gevaar of ernstige hinder?",
                       "Wat is de reden voor het kappen van de boom?", bijlage.tekst]
    (c,) = b.conclusie(antwoorden)
    assert c.waarde is True and c.functionele_structuur.toestemming == "Vergunning"
    # Without the situatieschets the requirements are not met, whatever else was answered.
    (c,) = b.conclusie({bijlage.id: "nee"})
    assert c.waarde is False


@pytest.mark.parametrize("sleutel, waarde, reden", [
    ("stamomtrek", "dik", "verwacht een getal"),
    ("stamomtrek", True, "verwacht een getal"),
    ("stamomtrek", float("nan"), "eindig"),
    ("zichtbaar vanaf openbaar toegankelijk gebied", "misschien", "ja/nee"),
    ("zichtbaar vanaf openbaar toegankelijk gebied", 3, "ja/nee"),
])
def test_ongeldig_antwoord_noemt_de_vraag(sleutel, waarde, reden):
    with pytest.raises(OngeldigAntwoord) as e:
        boom(KAP).normaliseer({sleutel: waarde})
    assert e.value.sleutel == sleutel and reden in e.value.reden


def test_onbekende_vraag_alleen_strikt_fout():
    b = boom(KAP)
    assert b.normaliseer({"bestaat niet": 1}) == {}
    with pytest.raises(OngeldigAntwoord, match="onbekende vraag"):
        b.normaliseer({"bestaat niet": 1}, strikt=True)


def test_vraag_sleutels():
    b = boom(KAP)
    v = b.vragen[0]
    assert v.id.endswith("/UitvId0001") and v.code == "UitvId0001"
    for k in (v.id, v.code, v.invoer_id, v.naam):
        assert b.vraag(k) is v
    assert v.als_dict()["tekst"] == STAM
