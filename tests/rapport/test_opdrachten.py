"""The report's commands through the real CLI parser pieces (rapport, vergelijk, verifieer)."""

from __future__ import annotations

import argparse

import pytest

from dso_acceptatie.configuratie import ConfiguratieFout
from dso_acceptatie.rapport import opdrachten
from tests.rapport.generator import controle, maak_run


def ontleed(argumenten, naam, argv):
    p = argparse.ArgumentParser()
    argumenten(p)
    return getattr(opdrachten, f"cmd_{naam}"), p.parse_args(argv)


def test_rapport_vergelijk_verifieer(tmp_path, capsys):
    runs = tmp_path / "runs"
    a = maak_run(runs, [controle(), controle(onderwerp="GET /b", status="gefaald", ernst="ernstig")],
                 run_id="20261101T100000-referentie-aaaa")
    b = maak_run(runs, [controle(), controle(onderwerp="GET /b"), controle(onderwerp="GET /c", status="gefaald",
                                                                           ernst="ernstig")],
                 run_id="20261130T100000-referentie-bbbb")
    cmd, args = ontleed(opdrachten.argumenten_rapport, "rapport", [str(a), "--pi", "PI-41"])
    assert cmd(args) == 1
    cmd, args = ontleed(opdrachten.argumenten_rapport, "rapport", [str(b)])
    assert cmd(args) == 1
    uit = capsys.readouterr().out.strip().splitlines()
    assert uit[-2] == f"Rapport: {b / 'rapport.html'}"
    assert uit[-1].startswith("Advies: Niet vrijgeven.")
    cmd, args = ontleed(opdrachten.argumenten_vergelijk, "vergelijk", [str(a), str(b)])
    assert cmd(args) == 1                       # a new finding
    assert "Nieuw: 1" in capsys.readouterr().out
    cmd, args = ontleed(opdrachten.argumenten_verifieer, "verifieer", [str(b)])
    assert cmd(args) == 0
    (b / "records" / "contracten.jsonl").write_text("")
    assert cmd(args) == 1
    assert "gewijzigd: records/contracten.jsonl" in capsys.readouterr().err


def test_ontbrekend_register_op_de_opdrachtregel(tmp_path):
    run = maak_run(tmp_path / "runs", [controle()])
    cmd, args = ontleed(opdrachten.argumenten_rapport, "rapport", [str(run), "--register", str(tmp_path / "x")])
    with pytest.raises(ConfiguratieFout, match="--register .*: bestand niet gevonden"):
        cmd(args)


def test_rapport_dat_niet_geschreven_kan_worden_is_exitcode_2(tmp_path, capsys):
    run = maak_run(tmp_path / "runs", [controle()])
    (run / "samenvatting.md").mkdir()
    cmd, args = ontleed(opdrachten.argumenten_rapport, "rapport", [str(run)])
    assert cmd(args) == 2
    assert "samenvatting.md kon niet worden geschreven" in capsys.readouterr().err
