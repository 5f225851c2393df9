"""Ctrl-C, SIGTERM, time limits and crashes: every child process is gone before the run-end
record and the summary are written, and nothing writes a record after them.

The runs are real: ``python -m tests.harnas.proef_cli run`` is the real command line with the
test phase ``proef`` (tests/harnas/voorbeeldfase.py), whose grandchildren keep writing records and
ignore SIGTERM, one of them in a session of its own (as locust is started by the load phase).
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from dso_acceptatie.criteria import Criteria
from dso_acceptatie.doelen import Doel
from dso_acceptatie.fasen import Fase
from dso_acceptatie.records import lees_records
from dso_acceptatie.run import Orkestrator, Weergave

PROJECT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.traag


def leeft(pid: int) -> bool:
    """True while ``pid`` is a live process (a zombie is dead: it only waits to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] not in "ZX"


def levende_groepsleden(pgid: int) -> list[int]:
    uit = []
    for item in Path("/proc").iterdir():
        if item.name.isdigit():
            try:
                stat = (item / "stat").read_text()
            except OSError:
                continue
            velden = stat[stat.rfind(")") + 2:].split()
            if int(velden[2]) == pgid and velden[0] not in "ZX":
                uit.append(int(item.name))
    return uit


def wacht_op(voorwaarde, seconden=60, stap=0.1):
    einde = time.monotonic() + seconden
    while time.monotonic() < einde:
        waarde = voorwaarde()
        if waarde:
            return waarde
        time.sleep(stap)
    raise AssertionError("voorwaarde niet gehaald binnen de tijd")


def doelen_bestand(tmp_path: Path, url: str) -> Path:
    pad = tmp_path / "doelen.toml"
    pad.write_text(f'[doelen.proef]\nomschrijving = "proef"\n[doelen.proef.diensten]\npresenteren = "{url}"\n',
                   encoding="utf-8")
    return pad


def controleer_niets_na_het_einde(run_map: Path, pids: list[int]) -> list[dict]:
    for pid in pids:
        assert not leeft(pid), f"proces {pid} leeft nog"
        assert not levende_groepsleden(pid), f"procesgroep {pid} heeft nog levende leden"
    groottes = {p: p.stat().st_size for p in (run_map / "records").glob("*.jsonl")}
    time.sleep(1.0)  # a survivor would still be writing
    assert groottes == {p: p.stat().st_size for p in (run_map / "records").glob("*.jsonl")}
    records = list(lees_records(run_map))
    [einde] = [r for r in records if r["controle"] == "run-einde"]
    assert all(r["tijd"] <= einde["tijd"] for r in records), "een record is na run-einde geschreven"
    samenvatting = (run_map / "samenvatting.md").stat().st_mtime
    assert all(p.stat().st_mtime <= samenvatting for p in (run_map / "records").glob("*.jsonl"))
    return records


@pytest.mark.parametrize("signum, exitcode, naam", [
    (signal.SIGINT, 130, "Ctrl-C"),
    (signal.SIGTERM, 143, "SIGTERM"),
])
def test_signaal_stopt_fase_en_kleinkinderen_voor_de_samenvatting(tmp_path, gezonde_dienst, signum,
                                                                   exitcode, naam):
    env = dict(os.environ, DSO_PROEF_GEDRAG="kleinkind", DSO_STOPTIJD_S="1")
    proces = subprocess.Popen(
        [sys.executable, "-m", "tests.harnas.proef_cli", "run", "--doelen",
         str(doelen_bestand(tmp_path, gezonde_dienst)), "--doel", "proef", "--fase", "proef",
         "--rapporten", str(tmp_path / "rapporten")],
        cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        run_map = wacht_op(lambda: next((tmp_path / "rapporten" / "runs").glob("*/proef-pids.json"), None)).parent
        pids = json.loads((run_map / "proef-pids.json").read_text())
        # both grandchildren are writing
        wacht_op(lambda: {r["onderwerp"].split()[1] for r in lees_records(run_map)
                          if r["controle"] == "kleinkind"} == {"groep", "sessie"})
        proces.send_signal(signum)
        uit, fout = proces.communicate(timeout=60)
    finally:
        if proces.poll() is None:
            proces.kill()
    assert proces.returncode == exitcode, uit + fout
    records = controleer_niets_na_het_einde(run_map, pids)
    [einde] = [r for r in records if r["controle"] == "run-einde"]
    assert einde["details"] == {"uitkomst": "onderbroken", "signaal": naam} and naam in einde["bericht"]
    assert any(r["controle"] == "fase-gestopt" for r in records)  # the phase got SIGTERM, in time
    assert "ONDERBROKEN" in (run_map / "samenvatting.md").read_text()
    assert f"Oordeel: onderbroken (exitcode {exitcode})" in uit
    assert "Traceback" not in fout


def test_tijdslimiet_stopt_ook_kleinkinderen(tmp_path, gezonde_dienst, monkeypatch):
    monkeypatch.chdir(PROJECT)
    monkeypatch.setenv("DSO_PROEF_GEDRAG", "kleinkind")
    monkeypatch.setenv("DSO_STOPTIJD_S", "1")
    fasen = {"proef": Fase("proef", "Proeffase", "tests.harnas.voorbeeldfase", 4)}
    doel = Doel(naam="proef", diensten={"presenteren": gezonde_dienst}, fasen=["proef"])
    uitkomst = Orkestrator(doel, rapporten=tmp_path, criteria=Criteria(), fasen=fasen,
                           meld=lambda t: None).voer_uit()
    pids = json.loads((uitkomst.run_map / "proef-pids.json").read_text())
    records = controleer_niets_na_het_einde(uitkomst.run_map, pids)
    assert any("tijdslimiet van 4 s" in r["bericht"] for r in records)
    # a phase cut off by its time limit is never accepted: what it did not finish is not proven
    assert uitkomst.rapport.oordeel != "accepteren" and uitkomst.rapport.exitcode != 0


def test_achtergelaten_kleinkind_wordt_na_de_fase_gestopt(tmp_path, gezonde_dienst, monkeypatch):
    monkeypatch.chdir(PROJECT)
    monkeypatch.setenv("DSO_PROEF_GEDRAG", "wees")
    monkeypatch.setenv("DSO_STOPTIJD_S", "1")
    fasen = {"proef": Fase("proef", "Proeffase", "tests.harnas.voorbeeldfase", 60)}
    doel = Doel(naam="proef", diensten={"presenteren": gezonde_dienst}, fasen=["proef"])
    uitkomst = Orkestrator(doel, rapporten=tmp_path, criteria=Criteria(), fasen=fasen,
                           meld=lambda t: None).voer_uit()
    controleer_niets_na_het_einde(uitkomst.run_map, json.loads((uitkomst.run_map / "proef-pids.json").read_text()))


class Crash(Exception):
    pass


def test_crash_van_de_orkestrator_stopt_alles_en_schrijft_de_samenvatting(tmp_path, gezonde_dienst,
                                                                           monkeypatch):
    monkeypatch.chdir(PROJECT)
    monkeypatch.setenv("DSO_PROEF_GEDRAG", "kleinkind")
    monkeypatch.setenv("DSO_STOPTIJD_S", "1")
    fasen = {"proef": Fase("proef", "Proeffase", "tests.harnas.voorbeeldfase", 60)}
    doel = Doel(naam="proef", diensten={"presenteren": gezonde_dienst}, fasen=["proef"])

    class KapotteWeergave(Weergave):
        def live(self, tekst):
            if list(tmp_path.glob("runs/*/proef-pids.json")):
                raise Crash("weergave kapot")

    orkestrator = Orkestrator(doel, rapporten=tmp_path, criteria=Criteria(), fasen=fasen,
                              weergave=KapotteWeergave(lambda t: None, terminal=True, interval_s=0.2))
    with pytest.raises(Crash):
        orkestrator.voer_uit()
    [run_map] = list((tmp_path / "runs").iterdir())
    records = controleer_niets_na_het_einde(run_map, json.loads((run_map / "proef-pids.json").read_text()))
    [einde] = [r for r in records if r["controle"] == "run-einde"]
    assert einde["details"]["uitkomst"] == "onderbroken" and "interne fout" in einde["bericht"]
    assert "ONDERBROKEN" in (run_map / "samenvatting.md").read_text()


def start_hangende_run_op_de_referentie(tmp_path: Path) -> subprocess.Popen:
    """The real command line on the reference, with the test phase hanging once it started."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.harnas.proef_cli", "run", "--doel", "referentie", "--fase", "proef",
         "--rapporten", str(tmp_path)],
        cwd=PROJECT, env=dict(os.environ, DSO_PROEF_GEDRAG="hangt"), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)


def wacht_op_fasestart(proces: subprocess.Popen) -> tuple[list[str], str]:
    """The run's output up to the start of the phase, and the origin of its reference LV."""
    regels = []
    for regel in proces.stdout:
        regels.append(regel)
        if "proef: gestart" in regel:
            break
    return regels, next(r.split(" op ")[1].strip() for r in regels if "Referentie-LV draait op" in r)


def test_sigterm_tijdens_een_run_op_de_referentie_stopt_ook_de_referentie_lv(tmp_path):
    proces = start_hangende_run_op_de_referentie(tmp_path)
    try:
        regels, origin = wacht_op_fasestart(proces)
        proces.send_signal(signal.SIGTERM)
        uit, fout = proces.communicate(timeout=120)
    finally:
        if proces.poll() is None:
            proces.kill()
    assert proces.returncode == 143, "".join(regels) + uit + fout
    with pytest.raises(httpx.ConnectError):
        httpx.get(origin + "/health", timeout=5)
    [run_map] = list((tmp_path / "runs").iterdir())
    [einde] = [r for r in lees_records(run_map) if r["controle"] == "run-einde"]
    assert einde["details"]["uitkomst"] == "onderbroken" and "SIGTERM" in einde["bericht"]


def test_sigkill_van_de_orkestrator_laat_fase_en_referentie_niet_achter(tmp_path):
    """SIGKILL cannot be handled: the kernel's parent-death signal stops the phase and the
    reference LV instead (processen.stop_met_ouder, referentie_lv --ouder)."""
    proces = start_hangende_run_op_de_referentie(tmp_path)
    fase_pids: list[int] = []
    try:
        _, origin = wacht_op_fasestart(proces)
        [run_map] = list((tmp_path / "runs").iterdir())

        def fase_processen() -> list[int]:
            uit, kenmerk = [], b"--run-map\0" + str(run_map).encode()
            for item in Path("/proc").iterdir():
                try:
                    if item.name.isdigit() and kenmerk in (item / "cmdline").read_bytes():
                        uit.append(int(item.name))
                except OSError:
                    continue
            return [p for p in uit if leeft(p)]

        fase_pids = wacht_op(fase_processen)
        proces.kill()
        proces.communicate(timeout=30)   # also closes the pipes
        wacht_op(lambda: not any(leeft(p) for p in fase_pids), seconden=30)

        def referentie_weg() -> bool:
            try:
                httpx.get(origin + "/health", timeout=2)
            except httpx.TransportError:
                return True
            return False

        wacht_op(referentie_weg, seconden=30)
    finally:
        if proces.poll() is None:
            proces.kill()
        for pid in fase_pids:
            if leeft(pid):
                os.kill(pid, signal.SIGKILL)
