"""Configuration errors in doelen.toml: each gives a Dutch message with file, line and fix."""

import subprocess
import sys
from pathlib import Path

import pytest

from dso_acceptatie.doelen import ConfiguratieFout, controleer_sleutel, doel_van_opdrachtregel, kies_doel, lees_doelen

PROJECT = Path(__file__).resolve().parents[2]


def schrijf(tmp_path: Path, tekst: str) -> Path:
    pad = tmp_path / "doelen.toml"
    pad.write_text(tekst, encoding="utf-8")
    return pad


def test_project_doelen_zijn_geldig():
    doelen = lees_doelen(PROJECT / "doelen.toml")
    assert {"referentie", "pre", "prod"} <= set(doelen)
    pre = doelen["pre"].dienst_urls()
    assert pre["presenteren"] == ("https://service.pre.omgevingswet.overheid.nl"
                                  "/publiek/omgevingsdocumenten/api/presenteren/v8")
    assert doelen["prod"].alleen_lezen is True
    assert doelen["referentie"].soort == "referentie"


def test_per_dienst_url_wint_van_origin(tmp_path):
    pad = schrijf(tmp_path, """
[doelen.x]
origin = "https://a.example"
[doelen.x.diensten]
catalogus = "https://b.example/cat/v3/"
""")
    urls = lees_doelen(pad)["x"].dienst_urls()
    assert urls["catalogus"] == "https://b.example/cat/v3"
    assert urls["presenteren"].startswith("https://a.example/publiek/")


@pytest.mark.parametrize("tekst, regel, verwacht", [
    ('[doelen.x]\norigin = "https://a.example"\nlokett = "https://b"\n', 3,
     "onbekende sleutel 'lokett'"),
    ('[doelen.x]\norigin = "ftp:/kapot"\n', 2, "geen geldige URL"),
    ('[doelen.x]\norigin = "https://a.example"\n[doelen.x.diensten]\nbestaatniet = "https://c"\n',
     4, "onbekende dienst 'bestaatniet'"),
    ('[doelen.x]\norigin = "https://a.example"\nfasen = ["klantreizen", "dansen"]\n', 3,
     "fase 'dansen' bestaat niet"),
    ('[doelen.x]\nomschrijving = "niets"\n', 1, "zegt niet waar het systeem staat"),
    ('[doelen.x]\norigin = "https://a.example"\nalleen_lezen = "ja"\n', 3, "verkeerde type"),
    ('[doelen.x\norigin = 1\n', 1, "geen geldige TOML"),
    ('extra = 1\n[doelen.x]\norigin = "https://a.example"\n', 1, "onbekende sleutel 'extra'"),
])
def test_fout_in_doelen_noemt_bestand_regel_en_oplossing(tmp_path, tekst, regel, verwacht):
    pad = schrijf(tmp_path, tekst)
    with pytest.raises(ConfiguratieFout) as e:
        lees_doelen(pad)
    bericht = str(e.value)
    assert verwacht in bericht
    assert f"{pad}:{regel}" in bericht or (regel == 1 and f"line {regel}" in bericht)


def test_onbekend_doel(tmp_path):
    pad = schrijf(tmp_path, '[doelen.x]\norigin = "https://a.example"\n')
    with pytest.raises(ConfiguratieFout, match="doel 'y' bestaat niet.*kies uit x"):
        kies_doel(lees_doelen(pad), "y", pad)


def test_ontbrekende_verplichte_sleutel(tmp_path, monkeypatch):
    pad = schrijf(tmp_path, '[doelen.x]\norigin = "https://a.example"\n'
                            'api_sleutel_variabele = "PROEF_SLEUTEL_X"\napi_sleutel_verplicht = true\n')
    monkeypatch.delenv("PROEF_SLEUTEL_X", raising=False)
    doel = lees_doelen(pad)["x"]
    with pytest.raises(ConfiguratieFout, match="export PROEF_SLEUTEL_X="):
        controleer_sleutel(doel, pad)
    monkeypatch.setenv("PROEF_SLEUTEL_X", "geheim-123456")
    controleer_sleutel(doel, pad)  # now fine


def test_leveranciersdoel_van_opdrachtregel():
    doel = doel_van_opdrachtregel(None, None, ["presenteren=https://v.example/p/v8"], None)
    assert doel.dienst_urls() == {"presenteren": "https://v.example/p/v8"}
    with pytest.raises(ConfiguratieFout, match="naam=URL"):
        doel_van_opdrachtregel(None, None, ["onzin"], None)


def run_cli(*args, env=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "dso_acceptatie", *args], capture_output=True,
                          text=True, timeout=timeout, env=env)


def test_cli_configuratiefout_geeft_exitcode_2(tmp_path):
    pad = schrijf(tmp_path, '[doelen.x]\norigin = "https://a.example"\nlokett = "x"\n')
    uit = run_cli("run", "--doelen", str(pad), "--doel", "x", "--rapporten", str(tmp_path))
    assert uit.returncode == 2
    assert "Configuratiefout" in uit.stderr and f"{pad}:3" in uit.stderr
    assert not (tmp_path / "runs").exists()  # nothing started


def test_cli_onbekend_doel_exitcode_2(tmp_path):
    uit = run_cli("run", "--doel", "bestaat-niet", "--rapporten", str(tmp_path))
    assert uit.returncode == 2 and "bestaat niet" in uit.stderr


def test_vergelijk_zonder_runs_is_een_gebruiksfout():
    uit = run_cli("vergelijk")
    assert uit.returncode == 2 and "verplicht" in uit.stderr and "Traceback" not in uit.stderr
