"""The orchestrator with real phase processes, verdicts and exit codes, unreachable targets,
Ctrl-C, and the reference LV process being gone afterwards."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dso_acceptatie.criteria import Criteria
from dso_acceptatie.doelen import Doel
from dso_acceptatie.fasen import Fase
from dso_acceptatie.records import lees_records
from dso_acceptatie.referentie import ReferentieLV
from dso_acceptatie.run import Orkestrator

PROJECT = Path(__file__).resolve().parents[2]
PROEF = {"proef": Fase("proef", "Proeffase", "tests.harnas.voorbeeldfase", 20)}


@pytest.fixture(autouse=True)
def _in_project(monkeypatch):
    monkeypatch.chdir(PROJECT)  # so `python -m tests.harnas.voorbeeldfase` resolves


def draai(tmp_path, doel, gedrag, monkeypatch, fasen=PROEF, criteria=None):
    monkeypatch.setenv("DSO_PROEF_GEDRAG", gedrag)
    doel.fasen = list(fasen)
    meldingen = []
    uitkomst = Orkestrator(doel, rapporten=tmp_path, criteria=criteria or Criteria(), fasen=fasen,
                           meld=meldingen.append).voer_uit()
    return uitkomst, list(lees_records(uitkomst.run_map)), "\n".join(meldingen)


def extern(url):
    return Doel(naam="proef", diensten={"presenteren": url},
                api_sleutel_variabele="PROEF_API_SLEUTEL")


def test_geslaagde_fase_geeft_geaccepteerd_en_exitcode_0(tmp_path, gezonde_dienst, monkeypatch):
    monkeypatch.setenv("PROEF_API_SLEUTEL", "heel-geheime-sleutel-42")
    uitkomst, records, uit = draai(tmp_path, extern(gezonde_dienst), "geslaagd", monkeypatch)
    assert uitkomst.rapport.oordeel == "accepteren"
    assert uitkomst.rapport.exitcode == 0
    proef = [r for r in records if r["fase"] == "proef"]
    assert proef[0]["details"]["sleutel_gezien"] is True
    assert proef[0]["details"]["sleutel"] == "***"  # masked by the phase's writer
    assert "heel-geheime-sleutel-42" not in "".join(
        p.read_text() for p in uitkomst.run_map.rglob("*") if p.is_file())
    assert "[1/1] proef: klaar" in uit
    assert "ACCEPTEREN" in (uitkomst.run_map / "samenvatting.md").read_text()
    assert (uitkomst.run_map / "rapport.html").is_file() and (uitkomst.run_map / "junit.xml").is_file()
    assert (tmp_path / "laatste").resolve() == uitkomst.run_map.resolve()


def test_gefaalde_ernstige_controle_geeft_exitcode_1(tmp_path, gezonde_dienst, monkeypatch):
    uitkomst, _, _ = draai(tmp_path, extern(gezonde_dienst), "gefaald-ernstig", monkeypatch)
    assert (uitkomst.rapport.oordeel, uitkomst.rapport.exitcode) == ("afwijzen", 1)
    assert "ernstig" in uitkomst.rapport.redenen[0]


def test_hinderlijke_bevinding_binnen_de_norm(tmp_path, gezonde_dienst, monkeypatch):
    uitkomst, _, _ = draai(tmp_path, extern(gezonde_dienst), "gefaald-hinderlijk", monkeypatch)
    assert uitkomst.rapport.exitcode == 0
    streng = Criteria(maxima={"blokkerend": 0, "ernstig": 0, "hinderlijk": 0, "cosmetisch": -1})
    uitkomst, _, _ = draai(tmp_path, extern(gezonde_dienst), "gefaald-hinderlijk", monkeypatch,
                           criteria=streng)
    assert uitkomst.rapport.exitcode == 1


@pytest.mark.parametrize("gedrag, reden, oordeel", [
    # it passed one check before it crashed: what did not run is not proven -> conditions at best
    ("crash", "stopte met code 1", "accepteren onder voorwaarden"),
    ("stil", "geen enkel resultaat", "niet getest"),
])
def test_kapotte_fase_is_geblokkeerd_nooit_geslaagd(tmp_path, gezonde_dienst, monkeypatch,
                                                    gedrag, reden, oordeel):
    uitkomst, records, _ = draai(tmp_path, extern(gezonde_dienst), gedrag, monkeypatch)
    geblokkeerd = [r for r in records if r["status"] == "geblokkeerd"]
    assert geblokkeerd and reden in geblokkeerd[0]["bericht"]
    assert uitkomst.rapport.oordeel == oordeel and uitkomst.rapport.exitcode != 0


def test_tijdslimiet_stopt_de_fase(tmp_path, gezonde_dienst, monkeypatch):
    fasen = {"proef": Fase("proef", "Proeffase", "tests.harnas.voorbeeldfase", 3)}
    uitkomst, records, _ = draai(tmp_path, extern(gezonde_dienst), "hangt", monkeypatch, fasen)
    assert any("tijdslimiet van 3 s" in r["bericht"] for r in records)
    assert any(r["controle"] == "hangt" for r in records)  # what it wrote before stays


def test_niet_gebouwde_fase_is_geblokkeerd(tmp_path, gezonde_dienst, monkeypatch):
    fasen = {"later": Fase("later", "Later", None, 10, "nog niet gebouwd")}
    uitkomst, records, _ = draai(tmp_path, extern(gezonde_dienst), "geslaagd", monkeypatch, fasen)
    assert [r["status"] for r in records if r["fase"] == "later"] == ["geblokkeerd"]
    assert (uitkomst.rapport.oordeel, uitkomst.rapport.exitcode) == ("niet getest", 5)


def test_doel_zonder_fasen_wordt_nooit_geaccepteerd(tmp_path, gezonde_dienst, monkeypatch):
    uitkomst, records, uit = draai(tmp_path, extern(gezonde_dienst), "geslaagd", monkeypatch, fasen={})
    [geen] = [r for r in records if r["controle"] == "fasen-uitgevoerd"]
    assert (geen["status"], geen["ernst"], geen["fase"]) == ("geblokkeerd", "blokkerend", "orkestrator")
    assert "er is geen enkele fase uitgevoerd" in geen["bericht"]
    assert uitkomst.rapport.oordeel == "niet getest"  # the environment check alone proves nothing
    assert "Geen fasen" in uit


def vrije_dichte_poort() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    poort = s.getsockname()[1]
    s.close()  # nothing listens here any more
    return poort


def test_onbereikbaar_doel_is_niet_testbaar_binnen_30_s(tmp_path):
    poort = vrije_dichte_poort()
    doelen = tmp_path / "doelen.toml"
    doelen.write_text(f'[doelen.weg]\norigin = "http://127.0.0.1:{poort}"\n'
                      f'loket = "http://127.0.0.1:{poort}/"\nfasen = ["contracten"]\n')
    start = time.monotonic()
    uit = subprocess.run([sys.executable, "-m", "dso_acceptatie", "run", "--doelen", str(doelen),
                          "--doel", "weg", "--rapporten", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert time.monotonic() - start < 30
    assert uit.returncode == 3, uit.stdout + uit.stderr
    assert "NIET TESTBAAR" in uit.stdout and "niet bereikbaar" in uit.stdout
    runs = list((tmp_path / "runs").iterdir())
    records = list(lees_records(runs[0]))
    assert not [r for r in records if r["fase"] == "contracten"]  # no phase was started
    assert "NIET TESTBAAR" in (runs[0] / "samenvatting.md").read_text()


ONDERBREEK = """
import sys
from pathlib import Path
from dso_acceptatie.criteria import Criteria
from dso_acceptatie.doelen import Doel
from dso_acceptatie.fasen import Fase
from dso_acceptatie.run import Orkestrator
fasen = {"proef": Fase("proef", "Proeffase", "tests.harnas.voorbeeldfase", 300)}
doel = Doel(naam="proef", diensten={"presenteren": sys.argv[2]}, fasen=["proef"])
try:
    Orkestrator(doel, rapporten=Path(sys.argv[1]), criteria=Criteria(), fasen=fasen).voer_uit()
except KeyboardInterrupt:
    sys.exit(99)
"""


def test_ctrl_c_bewaart_records_en_meldt_onderbroken(tmp_path, gezonde_dienst):
    env = dict(os.environ, DSO_PROEF_GEDRAG="hangt")
    proces = subprocess.Popen([sys.executable, "-c", ONDERBREEK, str(tmp_path), gezonde_dienst],
                              env=env, cwd=PROJECT, stdout=subprocess.PIPE, text=True)
    regels = []
    for regel in proces.stdout:  # wait until the phase is running
        regels.append(regel)
        if "[1/1] proef: gestart" in regel:
            break
    run_map = next((tmp_path / "runs").iterdir())
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(
            r["controle"] == "hangt" for r in lees_records(run_map)):
        time.sleep(0.1)
    proces.send_signal(signal.SIGINT)
    rest, _ = proces.communicate(timeout=30)
    assert proces.returncode == 0, rest  # the orchestrator handled Ctrl-C itself
    records = list(lees_records(run_map))
    assert any(r["controle"] == "hangt" for r in records)
    einde = [r for r in records if r["controle"] == "run-einde"]
    assert einde and einde[0]["details"]["uitkomst"] == "onderbroken"
    assert "ONDERBROKEN" in (run_map / "samenvatting.md").read_text()
    assert "Onderbroken" in rest


def test_referentie_lv_start_en_is_daarna_weg():
    ref = ReferentieLV(api_sleutel="proef-sleutel-1234")
    origin = ref.start()
    try:
        import httpx
        assert httpx.get(origin + "/health", timeout=5).status_code == 200
        pid = ref.proces.pid
    finally:
        ref.stop()
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)
