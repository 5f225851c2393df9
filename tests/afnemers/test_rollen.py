"""Role files: the shipped roles load; every mistake is a Dutch message naming file and line; the
stager stages each condition once, on the n-th matching request; prod refuses a writing role."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dso_acceptatie.afnemers.regels import BEOORDELAARS
from dso_acceptatie.afnemers.rollen import REGELSOORTEN, Regie, beschikbare_rollen, lees_rol
from dso_acceptatie.configuratie import ConfiguratieFout

GOED = '''naam = "x"
titel = "X"

[[enscenering]]
naam = "429"
pad = '/regelingen$'
bij = 2
status = 429
retry_after_s = 1

[[regel]]
id = "r"
soort = "wacht-retry-after"
titel = "R"
enscenering = "429"
'''


def test_meegeleverde_rollen_laden():
    assert {"viewer", "vth", "vergunningcheck"} <= set(beschikbare_rollen())
    for naam in ("viewer", "vth", "vergunningcheck"):
        rol = lees_rol(naam)
        assert rol.regels and all(r.soort in BEOORDELAARS for r in rol.regels)
    assert set(REGELSOORTEN) == set(BEOORDELAARS)
    assert lees_rol("viewer").alleen_lezen and not lees_rol("vth").alleen_lezen


@pytest.mark.parametrize(("wijziging", "melding", "regel"), [
    (("titel = \"R\"\n", "titel = \"R\"\nsnelheid = 3\n"), "onbekende sleutel 'snelheid'", 15),
    (("soort = \"wacht-retry-after\"", "soort = \"wacht\""), "onbekende soort 'wacht'", 13),
    (("enscenering = \"429\"", "enscenering = \"503\""), "enscenering '503' bestaat niet", 15),
    (("pad = '/regelingen$'", "pad = '/regelingen('"), "geen geldige reguliere expressie", 6),
    (("bij = 2", "bij = 0"), "'bij' is het hoeveelste", 7),
])
def test_fout_in_rolbestand_noemt_bestand_en_regel(tmp_path, wijziging, melding, regel):
    pad = tmp_path / "rol.toml"
    pad.write_text(GOED.replace(*wijziging), encoding="utf-8")
    with pytest.raises(ConfiguratieFout) as fout:
        lees_rol(str(pad))
    assert melding in str(fout.value) and f"{pad}:{regel}" in str(fout.value)


def test_onbekende_rol_noemt_de_bekende():
    with pytest.raises(ConfiguratieFout, match="onbekende rol.*viewer"):
        lees_rol("kaartviewer")


def test_regie_ensceneert_eenmaal_op_het_nde_verzoek(tmp_path):
    pad = tmp_path / "rol.toml"
    pad.write_text(GOED, encoding="utf-8")
    regie = Regie(lees_rol(str(pad)).ensceneringen)
    uitkomsten = [regie("GET", "/v8/regelingen") for _ in range(4)]
    assert uitkomsten[0] is None and uitkomsten[2] is None and uitkomsten[3] is None
    assert uitkomsten[1].status == 429 and uitkomsten[1].headers["retry-after"] == "1"
    assert regie("POST", "/v8/regelingen") is None


def test_prod_weigert_een_rol_die_schrijft():
    env = dict(os.environ, DSO_PROD_API_KEY="een-sleutel-voor-de-test")
    r = subprocess.run([sys.executable, "-m", "dso_acceptatie", "afnemer", "--rol", "vth", "--doel", "prod",
                        "--rapporten", "/nonexistent-never-created", "--", "true"],
                       capture_output=True, text=True, timeout=60, env=env, check=False)
    assert r.returncode == 2
    assert "mag niet tegen het alleen-lezen doel 'prod'" in r.stderr
    assert not Path("/nonexistent-never-created").exists()
