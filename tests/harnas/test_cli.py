"""The command line: Dutch usage errors (exit 2), no traceback for bad input, an internal error as
one Dutch line (exit 1), and what happens when the summary cannot be written."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dso_acceptatie import cli

PROJECT = Path(__file__).resolve().parents[2]
ENGELS = ("usage:", "error:", "unrecognized arguments", "the following arguments are required",
          "invalid choice", "expected one argument", "invalid int value", "Traceback", "options:",
          "show this help")


def dso(*args, env=None, timeout=120, module="dso_acceptatie"):
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ, **(env or {})), cwd=PROJECT)


@pytest.mark.parametrize("args, verwacht", [
    ([], "dso-acceptatie: fout: deze argumenten zijn verplicht: OPDRACHT"),
    (["dansen"], "argument OPDRACHT: ongeldige keuze: 'dansen' (kies uit 'run', "),
    (["run", "--onzin", "x"], "dso-acceptatie: fout: onbekende argumenten: --onzin x"),
    (["run", "--fase"], "dso-acceptatie run: fout: argument --fase: hier hoort één waarde bij"),
    (["referentie", "--port", "abc"], "argument --port: ongeldige waarde (verwacht een geheel getal): 'abc'"),
    (["rapport"], "dso-acceptatie rapport: fout: deze argumenten zijn verplicht: runmap"),
    (["levering", "x", "--soort", "pdf"], "argument --soort: ongeldige keuze: 'pdf'"),
])
def test_gebruiksfouten_in_het_nederlands(capsys, args, verwacht):
    with pytest.raises(SystemExit) as e:
        cli.main(args)
    assert e.value.code == 2
    fout = capsys.readouterr().err
    assert fout.startswith("gebruik: dso-acceptatie")
    assert verwacht in fout
    assert not any(woord in fout for woord in ENGELS), fout


def test_workers_moet_een_getal_zijn(tmp_path):
    uit = dso("run", "--workers", "twee", "--rapporten", str(tmp_path))
    assert uit.returncode == 2, uit.stdout + uit.stderr
    assert "--workers twee: geef een geheel getal" in uit.stderr


def test_lastopties_gaan_naar_de_fase(monkeypatch, tmp_path):
    """--last-profiel/--workers/--master-host reach the load phase (a process of its own) through
    its environment; the orchestrator is stopped right there, before any phase starts."""
    gezien = {}

    class Stop(Exception):
        pass

    def orkestrator(*_a, **_k):
        gezien.update({k: os.environ.get(k) for k in ("DSO_LAST_PROFIEL", "DSO_LAST_WORKERS",
                                                      "DSO_LAST_MASTER_HOST")})
        raise Stop

    for k in ("DSO_LAST_PROFIEL", "DSO_LAST_WORKERS", "DSO_LAST_MASTER_HOST"):
        monkeypatch.setenv(k, "oud")   # so monkeypatch restores (removes) what cmd_run sets
    monkeypatch.setattr("dso_acceptatie.run.Orkestrator", orkestrator)
    with pytest.raises(Stop):
        cli.cmd_run(cli.parser().parse_args(["run", "--last-profiel", "piek", "--workers", "2",
                                                  "--master-host", "127.0.0.1",
                                                  "--rapporten", str(tmp_path)]))
    assert gezien == {"DSO_LAST_PROFIEL": "piek", "DSO_LAST_WORKERS": "2", "DSO_LAST_MASTER_HOST": "127.0.0.1"}


def test_hulp_in_het_nederlands(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["run", "--help"])
    assert e.value.code == 0
    uit = " ".join(capsys.readouterr().out.split())  # help text is wrapped to the terminal
    assert uit.startswith("gebruik: dso-acceptatie run") and "opties:" in uit
    assert "toon deze hulp en stop" in uit and "143 onderbroken (SIGTERM)" in uit
    assert not any(woord in uit for woord in ENGELS), uit


def test_vertaal_laat_onbekende_tekst_staan():
    assert cli.vertaal("iets heel anders") == "iets heel anders"
    assert cli.vertaal("argument -x: expected 2 arguments") == "argument -x: hier horen 2 waarden bij"


def test_onbekende_fout_is_een_gebruiksfout_met_de_lijst(tmp_path):
    uit = dso("run", "--fouten", "bestaat-niet", "--rapporten", str(tmp_path))
    assert uit.returncode == 2, uit.stdout + uit.stderr
    assert "onbekende fout 'bestaat-niet'" in uit.stderr
    assert "geen-api-version" in uit.stderr and "traag:<dienst>" in uit.stderr  # the known faults
    assert not (tmp_path / "runs").exists()  # nothing started


@pytest.mark.parametrize("fouten, verwacht", [
    ("traag", "heeft een waarde nodig: schrijf 'traag:<dienst>' met als waarde een van: presenteren"),
    ("traag:nergens", "met als waarde een van"),
    ("geen-api-version:x", "neemt geen waarde"),
])
def test_fout_met_of_zonder_waarde(fouten, verwacht):
    with pytest.raises(cli.Gebruiksfout, match=verwacht):
        cli.controleer_fouten(fouten)


def test_bekende_fouten_komen_uit_de_referentie_lv():
    fouten = cli.bekende_fouten()
    assert fouten["traag"] == "<dienst>" and fouten["geen-api-version"] is None
    cli.controleer_fouten("geen-api-version, traag:locatieserver")  # no error


def test_rapporten_is_een_bestand(tmp_path):
    bestand = tmp_path / "rapporten.txt"
    bestand.write_text("x")
    uit = dso("run", "--rapporten", str(bestand))
    assert uit.returncode == 2 and "dit is een bestand, geen map" in uit.stderr
    assert "Traceback" not in uit.stderr


def test_runs_onder_rapporten_is_een_bestand(tmp_path, gezonde_dienst):
    (tmp_path / "runs").write_text("x")
    uit = dso("run", "--dienst", f"presenteren={gezonde_dienst}", "--rapporten", str(tmp_path))
    assert uit.returncode == 2 and "de runmap" in uit.stderr and "kan niet worden gemaakt" in uit.stderr
    assert "Traceback" not in uit.stderr


def test_configuratiebestand_is_een_map(tmp_path):
    uit = dso("doelen", "--doelen", str(tmp_path))
    assert uit.returncode == 2 and "dit is een map, geen bestand" in uit.stderr


def test_interne_fout_een_regel_zonder_traceback(capsys, monkeypatch):
    def kapot(pad):
        raise RuntimeError("x-api-key: geheim-123456 kapot\nop twee regels")
    monkeypatch.setattr(cli, "lees_doelen", kapot)
    monkeypatch.delenv("DSO_DEBUG", raising=False)
    assert cli.main(["doelen"]) == 1
    fout = capsys.readouterr().err
    assert fout.startswith("interne fout: RuntimeError: x-api-key: *** kapot op twee regels")
    assert "Traceback" not in fout and "geheim-123456" not in fout and fout.count("\n") == 1
    monkeypatch.setenv("DSO_DEBUG", "1")
    assert cli.main(["doelen"]) == 1
    assert "Traceback" in capsys.readouterr().err


GELDIG = {"schema": "dso-acceptatie/record/1", "run_id": "r", "tijd": "2026-11-30T10:00:00Z",
          "fase": "contracten", "component": "c", "onderwerp": "o", "controle": "k",
          "status": "geslaagd", "ernst": "informatief", "bericht": "b"}


def runmap_met(tmp_path: Path, regels: list[str]) -> Path:
    """A finished run (run-start, run-einde voltooid) whose contracten file holds ``regels``."""
    run_map = tmp_path / "run"
    (run_map / "records").mkdir(parents=True)
    (run_map / "records" / "contracten.jsonl").write_text("\n".join(regels) + "\n", encoding="utf-8")
    run = [dict(GELDIG, fase="run", component="run", controle="run-start", details={"doel": "proef"}),
           dict(GELDIG, fase="run", component="run", controle="run-einde", details={"uitkomst": "voltooid"})]
    (run_map / "records" / "run.jsonl").write_text("".join(json.dumps(r) + "\n" for r in run))
    return run_map


@pytest.mark.parametrize("regel", [
    json.dumps([GELDIG]),
    json.dumps({k: v for k, v in GELDIG.items() if k != "status"}),
    json.dumps(dict(GELDIG, status="GEFAALD")),
])
def test_rapport_over_kapotte_records_zonder_traceback(tmp_path, regel):
    run_map = runmap_met(tmp_path, [json.dumps(GELDIG), regel])
    uit = dso("rapport", str(run_map))
    assert "Traceback" not in uit.stderr, uit.stderr
    assert uit.returncode == 1, uit.stdout  # never geaccepteerd over a record nobody could read
    samenvatting = (run_map / "samenvatting.md").read_text()
    assert "AFWIJZEN" in samenvatting
    assert "records/contracten.jsonl: regel 2 is geen geldig record" in samenvatting


def test_rapport_samenvatting_is_een_map(tmp_path):
    run_map = runmap_met(tmp_path, [json.dumps(GELDIG)])
    (run_map / "samenvatting.md").mkdir()
    uit = dso("rapport", str(run_map))
    assert uit.returncode == 2
    assert "samenvatting.md kon niet worden geschreven: dit is een map, geen bestand" in uit.stderr
    assert "Traceback" not in uit.stderr and "Oordeel" in uit.stdout


def test_run_samenvatting_is_een_map_houdt_het_oordeel(tmp_path, gezonde_dienst):
    doelen = tmp_path / "doelen.toml"
    doelen.write_text(f'[doelen.proef]\n[doelen.proef.diensten]\npresenteren = "{gezonde_dienst}"\n')
    uit = dso("run", "--doelen", str(doelen), "--doel", "proef", "--fase", "proef", "--rapporten",
              str(tmp_path / "rapporten"), module="tests.harnas.proef_cli",
              env={"DSO_PROEF_GEDRAG": "geslaagd", "DSO_PROEF_SAMENVATTING_MAP": "1"})
    assert uit.returncode == 0, uit.stdout + uit.stderr  # the verdict, from complete records
    assert "Oordeel: accepteren (exitcode 0)" in uit.stdout
    assert "samenvatting.md kon niet worden geschreven: dit is een map, geen bestand" in uit.stderr
    assert "Traceback" not in uit.stderr


def test_referentie_met_onbekende_fout_start_niet():
    uit = dso("referentie", "--port", "0", "--fouten", "bestaat-niet", timeout=60)
    assert uit.returncode == 2 and "onbekende fout 'bestaat-niet'" in uit.stderr
    assert "Referentie-LV op" not in uit.stdout  # stopped before exec
