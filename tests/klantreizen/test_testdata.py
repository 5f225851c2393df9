"""Test data per target: what a target lacks makes a scenario 'overgeslagen' with that reason."""

import pytest

from dso_acceptatie.fasen.klantreizen import tags
from dso_acceptatie.fasen.klantreizen.paden import FEATURES
from dso_acceptatie.fasen.klantreizen.testdata import Testdata


def test_referentie_heeft_alles_wat_de_features_noemen():
    td = Testdata.laad("referentie")
    for naam in ("centrum", "vergunningcheck", "aanvraag"):
        assert td.vereis("locaties", naam, "adres")
    assert td.vertaal("werkzaamheden", "Kappen van een boom") == "Kappen van een boom"


def test_pre_zonder_werkzaamheden_slaat_over_met_reden():
    td = Testdata.laad("pre")
    with pytest.raises(pytest.skip.Exception, match=r"testdata ontbreekt voor doel 'pre': "
                       r"'werkzaamheden.Kappen van een boom' \(niet gedefinieerd in "
                       r"features/testdata/pre.toml\)"):
        td.vertaal("werkzaamheden", "Kappen van een boom")
    with pytest.raises(pytest.skip.Exception, match="aanvragen.testaccount"):
        td.vereis("aanvragen", "testaccount")


def test_doel_zonder_bestand_noemt_het_ontbrekende_bestand():
    td = Testdata.laad("leverancier-x")
    assert td.vertaal("conclusies", "Vergunningplicht") == "Vergunningplicht"
    with pytest.raises(pytest.skip.Exception, match="geen testdatabestand features/testdata/leverancier-x.toml"):
        td.vereis("locaties", "centrum")


def test_elke_feature_heeft_klantreis_component_en_ernst_en_alleen_gedeclareerde_tags():
    bekend = tags.alle_tags()
    for pad in FEATURES.rglob("*.feature"):
        tekst = pad.read_text(encoding="utf-8")
        gebruikt = {t[1:] for regel in tekst.splitlines() if regel.strip().startswith("@")
                    for t in regel.split()}
        assert gebruikt <= bekend, (pad.name, gebruikt - bekend)
        assert any(t.startswith("klantreis-") for t in gebruikt), pad.name
        assert any(t.startswith("component-") for t in gebruikt), pad.name
        assert gebruikt & set(tags.ERNSTEN), pad.name
        assert tekst.startswith("# language: nl"), pad.name
