"""Every way a configuration file can be wrong ends in a Dutch message naming the file and the
place, with exit code 2 — never a traceback, never a silent default (issue Robuustheid)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dso_acceptatie.configuratie import ConfiguratieFout, lees_toml, regel_van
from dso_acceptatie.criteria import lees_criteria
from dso_acceptatie.doelen import doel_van_opdrachtregel, lees_doelen

GELDIG_DOEL = '[doelen.x]\norigin = "https://a.example"\n'


def schrijf(tmp_path: Path, tekst: str | bytes, naam: str = "doelen.toml") -> Path:
    pad = tmp_path / naam
    if isinstance(tekst, bytes):
        pad.write_bytes(tekst)
    else:
        pad.write_text(tekst, encoding="utf-8")
    return pad


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dso_acceptatie", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("tekst", ['doelen = "x"\n', 'doelen = ["a", "b"]\n', "doelen = 3\n"])
def test_doelen_geen_tabel(tmp_path, tekst):
    with pytest.raises(ConfiguratieFout, match=r"doelen\.toml:1: 'doelen' moet een tabel"):
        lees_doelen(schrijf(tmp_path, tekst))


def test_geen_utf8_noemt_regel_en_kolom(tmp_path):
    pad = schrijf(tmp_path, b'[doelen.x]\norigin = "https://a.example"\nomschrijving = "caf\xe9"\n')
    with pytest.raises(ConfiguratieFout, match=r"doelen\.toml:3:20: het bestand is geen UTF-8 "
                                               r"\(byte 0xe9\)"):
        lees_doelen(pad)


def test_map_in_plaats_van_bestand(tmp_path):
    (tmp_path / "doelen.toml").mkdir()
    with pytest.raises(ConfiguratieFout, match="dit is een map, geen bestand"):
        lees_doelen(tmp_path / "doelen.toml")
    (tmp_path / "acceptatiecriteria.toml").mkdir()
    with pytest.raises(ConfiguratieFout, match="dit is een map, geen bestand"):
        lees_criteria(tmp_path / "acceptatiecriteria.toml")


def test_onleesbaar_bestand(tmp_path, monkeypatch):
    # As root chmod 000 is still readable, so the OS error itself is staged.
    pad = schrijf(tmp_path, GELDIG_DOEL)

    def geweigerd(self):
        raise PermissionError(13, "Permission denied", str(self))
    monkeypatch.setattr(Path, "read_bytes", geweigerd)
    with pytest.raises(ConfiguratieFout, match=r"doelen\.toml: geen leesrechten"):
        lees_doelen(pad)


@pytest.mark.parametrize("tekst, plaats, nl", [
    ("[doelen.x]\norigin https://a\n", ":2:8", "na een sleutel verwacht ik '='"),
    ("[doelen.x]\norigin = https://a\n", ":2:10", "ongeldige waarde"),
    ('[doelen.x]\norigin = "https://a\n', ":2:", "niet afgesloten"),
    ('[doelen.x]\norigin = "a"\norigin = "b"\n', ":3:", "dubbele sleutel"),
])
def test_toml_syntaxfout_in_het_nederlands_met_regel_en_kolom(tmp_path, tekst, plaats, nl):
    with pytest.raises(ConfiguratieFout) as e:
        lees_doelen(schrijf(tmp_path, tekst))
    melding = str(e.value)
    assert f"doelen.toml{plaats}" in melding and nl in melding
    assert "Expected" not in melding and "Invalid" not in melding


def test_onbekende_toml_fout_blijft_leesbaar(tmp_path):
    # Whatever tomllib says that we have no translation for is still placed and marked as such.
    pad = schrijf(tmp_path, "a = 1979-05-27T07:32:00Zx\n")
    with pytest.raises(ConfiguratieFout, match=r":1:\d+: geen geldige TOML: "):
        lees_toml(pad, oplossing_ontbreekt="")


@pytest.mark.parametrize("url", ["http://user:pass@host.example", "https://sleutel@host.example/"])
def test_inloggegevens_in_een_url_worden_geweigerd_en_niet_herhaald(tmp_path, url):
    pad = schrijf(tmp_path, f'[doelen.x]\norigin = "{url}"\n')
    with pytest.raises(ConfiguratieFout, match=r"doelen\.toml:2: origin .* gebruikersnaam of "
                                               r"wachtwoord") as e:
        lees_doelen(pad)
    assert "pass" not in str(e.value) and "sleutel@" not in str(e.value)
    with pytest.raises(ConfiguratieFout, match="gebruikersnaam of wachtwoord") as e:
        doel_van_opdrachtregel(url, None, [], None)
    assert "pass" not in str(e.value)


@pytest.mark.parametrize("waarde", ["0", "-1", "0.0"])
def test_tempobegrenzing_nul_of_negatief_geweigerd(tmp_path, waarde):
    pad = schrijf(tmp_path, GELDIG_DOEL + f"max_verzoeken_per_seconde = {waarde}\n")
    with pytest.raises(ConfiguratieFout, match=r"doelen\.toml:3: max_verzoeken_per_seconde"):
        lees_doelen(pad)


def test_lege_fasenlijst_geweigerd(tmp_path):
    pad = schrijf(tmp_path, GELDIG_DOEL + "fasen = []\n")
    with pytest.raises(ConfiguratieFout, match=r"doelen\.toml:3: 'fasen' is leeg"):
        lees_doelen(pad)


def test_ontbrekend_criteriabestand_op_de_opdrachtregel_geweigerd(tmp_path):
    with pytest.raises(ConfiguratieFout, match="bestand niet gevonden"):
        lees_criteria(tmp_path / "bestaat-niet.toml")
    # only the default file may be absent (then the defaults hold)
    assert lees_criteria(tmp_path / "bestaat-niet.toml", mag_ontbreken=True).maxima


@pytest.mark.parametrize("args, verwacht", [
    (["run", "--criteria", "bestaat-niet.toml"], "bestaat-niet.toml: bestand niet gevonden"),
    (["run", "--doelen", "doelen-map"], "doelen-map: dit is een map, geen bestand"),
    (["run", "--origin", "http://u:geheim@127.0.0.1:9"], "gebruikersnaam of wachtwoord"),
])
def test_cli_geeft_exitcode_2_en_geen_traceback(tmp_path, args, verwacht):
    (tmp_path / "doelen-map").mkdir()
    uit = cli(*args, "--rapporten", str(tmp_path / "reports"), cwd=tmp_path)
    assert uit.returncode == 2, uit.stderr
    assert verwacht in uit.stderr
    assert "Traceback" not in uit.stderr + uit.stdout and "geheim" not in uit.stderr + uit.stdout
    assert not (tmp_path / "reports").exists()   # nothing was run


def test_regel_van_vindt_tabellen_lijsttabellen_en_sleutels():
    tekst = ('titel = "x"\n'                       # 1
             "[rollen.a]\n"                         # 2
             'titel = "A"\n'                        # 3
             "[[rollen.a.controles]]\n"             # 4
             'fase = "contracten"\n'                # 5
             "[[rollen.a.controles]]\n"             # 6
             "# uitleg\n"                           # 7
             'klantreis = "Aanvragen"\n'            # 8
             '[rollen."b.c"]\n'                     # 9
             'titel = "B"\n')                       # 10
    assert regel_van(tekst, (), "titel") == 1
    assert regel_van(tekst, ("rollen", "a")) == 2
    assert regel_van(tekst, ("rollen", "a"), "titel") == 3
    assert regel_van(tekst, ("rollen", "a", "controles", 0), "fase") == 5
    assert regel_van(tekst, ("rollen", "a", "controles", 1)) == 6
    assert regel_van(tekst, ("rollen", "a", "controles", 1), "klantreis") == 8
    assert regel_van(tekst, ("rollen", "a", "controles", 1), "fase") == 6   # not there: the header
    assert regel_van(tekst, ("rollen", "a", "controles", 2)) is None         # no third block
    assert regel_van(tekst, ("rollen", "b.c"), "titel") == 10
    assert regel_van(tekst, ("rollen", "d")) is None
