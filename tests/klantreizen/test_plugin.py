"""The records plugin: status mapping, retry → instabiel, skip with reason, alleen-lezen.

A tiny feature set in a temporary folder, run by pytest in a subprocess exactly as the phase runs
it (plugin via -p, xdist, rerunfailures), without a browser: the mapping does not need one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from dso_acceptatie.fasen.klantreizen import paden
from dso_acceptatie.records import lees_records

FEATURE = """\
# language: nl
@klantreis-vergunningcheck @component-vergunningcheck
Functionaliteit: Proef van de vastlegging

  @blokkerend @alleen-lezen
  Scenario: Alles gaat goed
    Gegeven een stap die lukt
    Dan lukt ook de tweede stap

  @ernstig @alleen-lezen
  Scenario: De eerste poging mislukt
    Gegeven een stap die de eerste keer mislukt
    Dan lukt ook de tweede stap

  @hinderlijk @alleen-lezen
  Scenario: Het loket geeft het verkeerde antwoord
    Gegeven een stap die lukt
    Dan mislukt deze stap met "verwacht Vergunningplicht, loket toont Toestemmingsvrij"
    En lukt ook de tweede stap

  @ernstig @alleen-lezen
  Scenario: Gegevens die het doel niet heeft
    Gegeven een stap die de locatie "nergens" van het doel nodig heeft
    Dan lukt ook de tweede stap

  @blokkerend
  Scenario: Iets indienen
    Gegeven een stap die lukt
"""

CONFTEST = """\
from pathlib import Path
import pytest
from pytest_bdd import given, then, parsers
from dso_acceptatie.fasen.klantreizen.testdata import Testdata

TELLER = Path(__file__).parent / "teller"

@given("een stap die lukt")
@then("lukt ook de tweede stap")
def lukt():
    pass

@given("een stap die de eerste keer mislukt")
def eerste_keer():
    n = int(TELLER.read_text()) if TELLER.exists() else 0
    TELLER.write_text(str(n + 1))
    assert n > 0, "tijdelijk niet beschikbaar"

@then(parsers.parse('mislukt deze stap met "{melding}"'))
def mislukt(melding):
    raise AssertionError(melding)

@given(parsers.parse('een stap die de locatie "{naam}" van het doel nodig heeft'))
def testdata(naam):
    Testdata("proefdoel", {"locaties": {}}, Path("proefdoel.toml")).vereis("locaties", naam, "adres")
"""


def _draai(tmp_path: Path, alleen_lezen: bool = False, werkers: int = 2,
           extra_feature: str | None = None, extra_args: list[str] | None = None) -> list[dict]:
    project = tmp_path / "project"
    (project / "features" / "proef").mkdir(parents=True)
    (project / "features" / "proef" / "proef.feature").write_text(FEATURE, encoding="utf-8")
    (project / "features" / "proef" / "test_proef.py").write_text(
        'from pytest_bdd import scenarios\nscenarios("proef")\n', encoding="utf-8")
    if extra_feature:
        (project / "features" / "kapot").mkdir()
        (project / "features" / "kapot" / "kapot.feature").write_text(extra_feature, "utf-8")
        (project / "features" / "kapot" / "test_kapot.py").write_text(
            'from pytest_bdd import scenarios\nscenarios("kapot")\n', encoding="utf-8")
    (project / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    run_map = tmp_path / "run"
    (run_map / "records").mkdir(parents=True)
    (run_map / "doel.json").write_text(json.dumps(
        {"naam": "proefdoel", "alleen_lezen": alleen_lezen, "api_sleutel_variabele": None}))
    ini = project / "pytest.ini"
    ini.write_text(f"[pytest]\nbdd_features_base_dir = {project / 'features'}\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", str(project),
           "-p", "dso_acceptatie.fasen.klantreizen.plugin", "-p", "no:allure_pytest",
           "-p", "no:allure_pytest_bdd", "-p", "no:cacheprovider", "--strict-markers",
           "--reruns", "1", "--klantreizen-run-map", str(run_map), "--klantreizen-run-id", "proef",
           "-q", str(project / "features")]
    if werkers:
        cmd += ["-n", str(werkers)]
    cmd += extra_args or []
    uit = subprocess.run(cmd, cwd=project, capture_output=True, text=True, timeout=120,
                         check=False)
    assert uit.returncode in (0, 1, 2), uit.stdout + uit.stderr
    return list(lees_records(run_map))


def _scenario(records: list[dict], naam: str) -> dict:
    gevonden = [r for r in records if r["controle"] == "scenario" and r["onderwerp"].endswith(naam)]
    assert len(gevonden) == 1, [r["onderwerp"] for r in records if r["controle"] == "scenario"]
    return gevonden[0]


@pytest.fixture(scope="module")
def plugin_map(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("plugin")


@pytest.fixture(scope="module")
def records(plugin_map) -> list[dict]:
    return _draai(plugin_map)


def _voortgang(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "run" / "voortgang" / "klantreizen.json").read_text())


def test_records_volgen_het_schema(records):
    schema = json.loads((paden.REPO / "schema" / "record.schema.json").read_text())
    for r in records:
        jsonschema.validate(r, schema)
    assert all(r["fase"] == "klantreizen" for r in records)


def test_geslaagd_met_een_record_per_stap(records):
    r = _scenario(records, "Alles gaat goed")
    assert (r["status"], r["ernst"], r["component"]) == ("geslaagd", "informatief", "Vergunningcheck")
    assert r["onderwerp"] == "Vergunningcheck: Alles gaat goed"
    stappen = [s for s in records if s["onderwerp"] == r["onderwerp"] and s["controle"] != "scenario"]
    assert [s["controle"] for s in stappen] == ["stap 1: Gegeven een stap die lukt",
                                                "stap 2: Dan lukt ook de tweede stap"]
    assert all(s["status"] == "geslaagd" and s["ernst"] == "informatief" for s in stappen)


def test_geslaagd_bij_herhaling_is_instabiel_nooit_geslaagd(records):
    r = _scenario(records, "De eerste poging mislukt")
    assert r["status"] == "instabiel"
    assert r["ernst"] == "ernstig"
    assert "herhaling" in r["bericht"] and "tijdelijk niet beschikbaar" in r["bericht"]
    assert r["details"]["pogingen"] == 2


def test_gefaald_draagt_de_ernst_van_de_tag_en_noemt_de_stap(records):
    r = _scenario(records, "Het loket geeft het verkeerde antwoord")
    assert (r["status"], r["ernst"]) == ("gefaald", "hinderlijk")
    assert "mislukt deze stap" in r["bericht"] and "loket toont Toestemmingsvrij" in r["bericht"]
    stappen = {s["controle"]: s for s in records
               if s["onderwerp"] == r["onderwerp"] and s["controle"] != "scenario"}
    assert stappen["stap 2: Dan mislukt deze stap met \"verwacht Vergunningplicht, loket toont "
                   "Toestemmingsvrij\""]["status"] == "gefaald"
    derde = stappen["stap 3: En lukt ook de tweede stap"]
    assert derde["status"] == "overgeslagen" and "eerdere stap faalde" in derde["bericht"]


def test_ontbrekende_testdata_is_overgeslagen_met_reden(records):
    r = _scenario(records, "Gegevens die het doel niet heeft")
    assert (r["status"], r["ernst"]) == ("overgeslagen", "informatief")
    assert "testdata ontbreekt voor doel 'proefdoel'" in r["bericht"]
    assert "locaties.nergens.adres" in r["bericht"]


def test_elke_werker_schrijft_een_eigen_bestand(records, tmp_path_factory):
    # Five scenarios, each exactly once, although two processes ran them.
    scenarios = [r for r in records if r["controle"] == "scenario"]
    assert len(scenarios) == 5
    assert {r["details"]["werker"] for r in scenarios} <= {"gw0", "gw1"}


def test_voortgang_telt_elk_scenario_een_keer_na_zijn_laatste_poging(records, plugin_map):
    # Two workers, one scenario retried: the controller counts 5 of 5, not 6 and not 4.
    assert _voortgang(plugin_map) == {"fase": "klantreizen", "gedaan": 5, "totaal": 5,
                                      "eenheid": "scenario's"}


def test_een_feature_die_niet_laadt_is_geblokkeerd(tmp_path):
    records = _draai(tmp_path, werkers=2, extra_feature=FEATURE.replace("@hinderlijk", "@hinderlik"))
    geblokkeerd = [r for r in records if r["status"] == "geblokkeerd"]
    assert len(geblokkeerd) == 1, geblokkeerd
    assert "hinderlik" in geblokkeerd[0]["bericht"] and geblokkeerd[0]["ernst"] == "blokkerend"


def test_alleen_lezen_doel_slaat_indienen_over(tmp_path):
    records = _draai(tmp_path, alleen_lezen=True, werkers=0)
    r = _scenario(records, "Iets indienen")
    assert r["status"] == "overgeslagen" and "alleen-lezen" in r["bericht"]
    assert _scenario(records, "Alles gaat goed")["status"] == "geslaagd"
    # without xdist the one pytest process writes the progress; skipped scenarios are finished too
    assert _voortgang(tmp_path)["gedaan"] == _voortgang(tmp_path)["totaal"] == 5


def test_voortgang_met_selectie_telt_alleen_de_gekozen_scenarios(tmp_path):
    records = _draai(tmp_path, extra_args=["-m", "blokkerend"])
    assert len([r for r in records if r["controle"] == "scenario"]) == 2
    assert _voortgang(tmp_path) == {"fase": "klantreizen", "gedaan": 2, "totaal": 2,
                                    "eenheid": "scenario's"}
