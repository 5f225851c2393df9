"""bekende-bevindingen.toml: match, expiry, stale entries, and clear errors for a bad file."""

from __future__ import annotations

import datetime as dt

import pytest

from dso_acceptatie.configuratie import ConfiguratieFout
from dso_acceptatie.rapport import bouw_rapport
from dso_acceptatie.rapport.register import lees_register
from tests.rapport.generator import controle, maak_run

REGISTER = """\
[[bevinding]]
id = "BB-1"
operatie = "GET /regelingen*"
controle = "status_code_conformance"
reden = "bekend bij de leverancier"
eigenaar = "team Presenteren"
link = "https://example.org/1"
vervaldatum = 2026-12-31

[[bevinding]]
id = "BB-2"
regelcode = "TPOD1740"
reden = "wacht op nieuwe regelset"
eigenaar = "Geonovum"
vervaldatum = 2026-01-01

[[bevinding]]
id = "BB-3"
scenario = "Ik zoek een adres"
reden = "opgelost?"
eigenaar = "team Loket"
vervaldatum = 2027-06-01
"""


def bouw(tmp_path, records, register=REGISTER, peildatum=dt.date(2026, 11, 30)):
    tmp_path.mkdir(parents=True, exist_ok=True)
    pad = tmp_path / "bekende-bevindingen.toml"
    pad.write_text(register, encoding="utf-8")
    return bouw_rapport(maak_run(tmp_path / "runs", records), None, pad, None, peildatum=peildatum)


def test_bekend_telt_niet_verlopen_telt_wel_en_niets_geraakt_is_mogelijk_opgelost(tmp_path):
    records = [controle(),
               controle(onderwerp="GET /regelingen/{id}", status="gefaald", ernst="ernstig", bericht="500"),
               controle(fase="leveringen", component="IMOW", onderwerp="lev: owLocaties.xml",
                        controle="TPOD1740", status="gefaald", ernst="blokkerend")]
    r = bouw(tmp_path, records)
    status = {b["id"]: b["status"] for b in r.json["register"]}
    assert status == {"BB-1": "bekend", "BB-2": "verlopen", "BB-3": "mogelijk opgelost"}
    bevindingen = {b["controle"]: b for b in r.json["bevindingen"]}
    assert bevindingen["status_code_conformance"]["bekend"] == "BB-1"
    assert bevindingen["TPOD1740"]["verlopen"] == "BB-2"
    # the known one does not count, the expired one does
    assert r.oordeel == "afwijzen"
    assert r.redenen[0].startswith("1 gefaalde controle(s) met ernst 'blokkerend'")
    assert not any("'ernstig'" in x for x in r.redenen)
    assert r.model.totaal.bekend == 1


def test_alleen_bekende_bevindingen_blokkeren_niet(tmp_path):
    records = [controle(), controle(onderwerp="GET /regelingen", status="gefaald", ernst="ernstig")]
    r = bouw(tmp_path, records)
    assert r.oordeel == "accepteren"
    assert "1 bekende bevinding(en)" in r.redenen[0]
    # after the expiry date the same finding counts again
    r2 = bouw(tmp_path / "later", records, peildatum=dt.date(2027, 1, 1))
    assert r2.oordeel == "afwijzen"
    assert {b["id"]: b["status"] for b in r2.json["register"]}["BB-1"] == "verlopen"


def test_geslaagde_controle_raakt_het_register_niet(tmp_path):
    r = bouw(tmp_path, [controle(onderwerp="GET /regelingen")])
    assert {b["id"]: b["status"] for b in r.json["register"]}["BB-1"] == "mogelijk opgelost"


@pytest.mark.parametrize("tekst, melding", [
    ('[[bevinding]]\nid = "X"\nreden = "r"\neigenaar = "e"\nvervaldatum = 2027-01-01\n',
     ":1: [[bevinding]] nummer 1: zegt niet waarop het past"),
    ('[[bevinding]]\nid = "X"\ncontrole = "c"\nreden = "r"\neigenaar = "e"\nvervaldatum = "morgen"\n',
     ":6: [[bevinding]] nummer 1: vervaldatum 'morgen' is geen datum"),
    ('[[bevinding]]\nid = "X"\ncontrole = "c"\nreden = "r"\neigenaar = "e"\nvervaldatum = 2027-01-01\nwie = 1\n',
     ":7: [[bevinding]] nummer 1: onbekende sleutel 'wie'"),
    ('[[bevinding]]\nid = "X"\ncontrole = "c"\nreden = "r"\nvervaldatum = 2027-01-01\n',
     ":1: [[bevinding]] nummer 1: 'eigenaar' ontbreekt"),
    ('[[bevinding]]\nid = "X"\ncontrole = "c"\nreden = "r"\neigenaar = "e"\nvervaldatum = 2027-01-01\n'
     '[[bevinding]]\nid = "X"\ncontrole = "d"\nreden = "r"\neigenaar = "e"\nvervaldatum = 2027-01-01\n',
     ":8: [[bevinding]] nummer 2: id 'X' komt twee keer voor"),
])
def test_slecht_register_geeft_fout_met_bestand_en_regel(tmp_path, tekst, melding):
    pad = tmp_path / "bekende-bevindingen.toml"
    pad.write_text(tekst, encoding="utf-8")
    with pytest.raises(ConfiguratieFout) as e:
        lees_register(pad)
    assert f"{pad}{melding}" in str(e.value)


def test_register_van_het_project_is_geldig():
    from pathlib import Path

    assert lees_register(Path(__file__).resolve().parents[2] / "bekende-bevindingen.toml") == []
