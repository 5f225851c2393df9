"""`dso-acceptatie levering`: Dutch output and exit codes 0 / 1 / 2, never a stack trace."""

import subprocess
import sys

import pytest

from dso_acceptatie.leveringen import aanvallen

from .helpers import IMRO, UNITTESTS


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "dso_acceptatie", "levering", *map(str, args)],
                          check=False, capture_output=True, text=True, timeout=120)


def test_geldig_exit_0():
    r = _cli(IMRO / "RW-2025-7b.gml", "--peildatum", "2026-02-01")
    assert r.returncode == 0, r.stderr
    assert "Oordeel: goedgekeurd" in r.stdout and "IMRO 2012 TAM v0.14: toegepast" in r.stdout


def test_fouten_exit_1():
    r = _cli(IMRO / "RW-2025-7b.gml", "--peildatum", "2025-02-01", "--soort", "imro")
    assert r.returncode == 1
    assert "[fout]" in r.stdout and "RW-2025-7b.gml, regel 8" in r.stdout
    assert "IMRO 2012 TAM v0.13: toegepast" in r.stdout


def test_alleen_waarschuwing_exit_0():
    r = _cli(UNITTESTS / "STOP0009" / "lijstitem-met-tabel-fout.xml")
    assert r.returncode == 0 and "[waarschuwing] STOP0009" in r.stdout


@pytest.mark.parametrize("maak", [aanvallen.kapotte_xml, aanvallen.zip_slip, aanvallen.entity_bom])
def test_onleesbaar_of_onveilig_exit_2(tmp_path, maak):
    pad = maak(tmp_path)
    r = _cli(pad)
    assert r.returncode == 2
    assert pad.name in r.stderr and "Traceback" not in r.stderr + r.stdout


def test_kapotte_xml_noemt_plaats(tmp_path):
    r = _cli(aanvallen.kapotte_xml(tmp_path))
    assert "kapot.xml, regel 3, kolom" in r.stderr and "geen welgevormde XML" in r.stderr


def test_verkeerde_soort_exit_1():
    r = _cli(IMRO / "RW-2025-2b.gml", "--soort", "stop")
    assert r.returncode == 1 and "geen bestanden van soort STOP/LVBB" in r.stdout


def test_ongeldige_peildatum_exit_2():
    r = _cli(IMRO / "RW-2025-2b.gml", "--peildatum", "31-12-2025")
    assert r.returncode == 2 and "JJJJ-MM-DD" in r.stderr


def test_json_uitvoer():
    import json
    r = _cli(IMRO / "RW-2025-7b.gml", "--peildatum", "2025-02-01", "--json")
    data = json.loads(r.stdout)
    assert data["oordeel"] == "afgekeurd" and data["bevindingen"][0]["regel"] == 8
