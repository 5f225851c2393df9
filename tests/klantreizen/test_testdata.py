"""Test data per target: what a target lacks makes a scenario 'overgeslagen' with that reason."""

import json
import os
import subprocess
import sys

import pytest

from dso_acceptatie.configuratie import ConfiguratieFout
from dso_acceptatie.fasen.klantreizen import tags
from dso_acceptatie.fasen.klantreizen.paden import FEATURES
from dso_acceptatie.fasen.klantreizen.testdata import Testdata
from dso_acceptatie.records import lees_records


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


def test_onleesbare_testdata_noemt_bestand_regel_en_kolom(tmp_path):
    (tmp_path / "kapot.toml").write_text('[locaties.centrum]\nadres = "Marktplein 1\n',
                                         encoding="utf-8")
    with pytest.raises(ConfiguratieFout) as fout:
        Testdata.laad("kapot", tmp_path)
    assert f"{tmp_path / 'kapot.toml'}:2:" in str(fout.value)
    assert "niet afgesloten met een aanhalingsteken" in str(fout.value)


def test_fase_met_onleesbare_testdata_is_geblokkeerd_met_de_plaats(tmp_path):
    # A project copy (DSO_PROJECT) with features/ and a broken testdata file; no browser needed:
    # the phase stops before pytest starts.
    project = tmp_path / "project"
    (project / "features" / "testdata").mkdir(parents=True)
    (project / "features" / "testdata" / "kapot.toml").write_text(
        '[locaties.centrum]\nadres = "Marktplein 1\n', "utf-8")
    run_map = tmp_path / "run"
    (run_map / "records").mkdir(parents=True)
    (run_map / "doel.json").write_text(json.dumps({"naam": "kapot", "loket": None}))
    uit = subprocess.run([sys.executable, "-m", "dso_acceptatie.fasen.klantreizen", "--run-map",
                          str(run_map), "--doel", str(run_map / "doel.json"), "--run-id", "x"],
                         capture_output=True, text=True, timeout=60, check=False,
                         env=dict(os.environ, DSO_PROJECT=str(project)))
    assert uit.returncode == 2, uit.stderr
    [r] = list(lees_records(run_map))
    assert (r["status"], r["soort"], r["controle"]) == ("geblokkeerd", "administratie", "fase-klaar")
    assert "kapot.toml:2:" in r["bericht"] and "geen geldige TOML" in r["bericht"]
