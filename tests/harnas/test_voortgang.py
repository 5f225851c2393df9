"""A run you can watch: the live line with the phase's progress and its records per status."""

from pathlib import Path

import pytest

from dso_acceptatie.criteria import Criteria
from dso_acceptatie.doelen import Doel
from dso_acceptatie.fasen import Fase
from dso_acceptatie.records import RecordWriter
from dso_acceptatie.run import Orkestrator, RecordTeller, Weergave, lees_voortgang

PROJECT = Path(__file__).resolve().parents[2]
PROEF = {"proef": Fase("proef", "Proeffase", "tests.harnas.voorbeeldfase", 60)}


def draai(tmp_path, gezonde_dienst, monkeypatch, terminal: bool) -> list[str]:
    monkeypatch.chdir(PROJECT)
    monkeypatch.setenv("DSO_PROEF_GEDRAG", "voortgang")
    stukken: list[str] = []
    doel = Doel(naam="proef", diensten={"presenteren": gezonde_dienst}, fasen=["proef"])
    Orkestrator(doel, rapporten=tmp_path, criteria=Criteria(), fasen=PROEF,
                weergave=Weergave(stukken.append, terminal=terminal, interval_s=0.15, breedte=200)).voer_uit()
    return stukken


def test_terminal_herschrijft_een_live_regel(tmp_path, gezonde_dienst, monkeypatch):
    stukken = draai(tmp_path, gezonde_dienst, monkeypatch, terminal=True)
    live = [s for s in stukken if s.startswith("\r") and s.strip()]
    assert len(live) >= 3, stukken
    assert all("\n" not in s for s in live)  # rewritten in place, never a new line
    teksten = [s.strip() for s in live]
    assert all(t.startswith("[1/1] proef: ") and t.endswith(" s") for t in teksten)
    assert any("/5 stappen · " in t and " geslaagd" in t for t in teksten), teksten
    assert any("1 gefaald" in t for t in teksten), teksten  # step 2 fails
    # the line is wiped before the next message, so "klaar" starts on a clean line
    klaar = next(i for i, s in enumerate(stukken) if "[1/1] proef: klaar" in s)
    assert stukken[klaar - 1].startswith("\r") and not stukken[klaar - 1].strip()
    assert "4 geslaagd, 1 gefaald" in stukken[klaar]


def test_ci_krijgt_gewone_regels(tmp_path, gezonde_dienst, monkeypatch):
    stukken = draai(tmp_path, gezonde_dienst, monkeypatch, terminal=False)
    assert not any("\r" in s for s in stukken)
    live = [s for s in stukken if s.startswith("[1/1] proef: ") and "stappen" in s]
    assert live and all(s.endswith(" s\n") for s in live)


def test_weergave_standaardintervallen():
    assert Weergave(lambda t: None, terminal=True).interval_s == 1.0
    assert Weergave(lambda t: None, terminal=False).interval_s == 15.0


def test_teller_leest_alleen_wat_erbij_kwam(tmp_path):
    pad = tmp_path / "records" / "contracten.jsonl"
    teller = RecordTeller(tmp_path / "records")
    with RecordWriter(pad, "run-1", "contracten") as w:
        w.schrijf(component="c", onderwerp="o", controle="k", status="geslaagd", bericht="b")
        teller.bij()
        assert teller.telling("contracten") == {"geslaagd": 1}
        w.schrijf(component="c", onderwerp="o", controle="k", status="gefaald", bericht="b",
                  fase="last")  # the fase field counts, not the file name
    with open(pad, "a", encoding="utf-8") as f:
        f.write('{"fase": "contracten", "status": "gesl')  # incomplete: waits for its newline
    teller.bij()
    assert teller.telling("contracten") == {"geslaagd": 1} and teller.telling("last") == {"gefaald": 1}
    with open(pad, "a", encoding="utf-8") as f:
        f.write('aagd"}\n')
    teller.bij()
    assert teller.telling("contracten") == {"geslaagd": 2}
    assert teller._offset[pad] == pad.stat().st_size


@pytest.mark.parametrize("inhoud, verwacht", [
    ('{"fase": "proef", "gedaan": 37, "totaal": 112, "eenheid": "operaties"}', "37/112 operaties"),
    ('{"fase": "proef", "gedaan": 3, "totaal": null, "eenheid": "scenario\'s"}', "3 scenario's"),
    ('{"fase": "anders", "gedaan": 3, "totaal": 4, "eenheid": "x"}', None),
    ('{"gedaan": "veel"}', None),
    ("kapot", None),
])
def test_voortgangsbestand(tmp_path, inhoud, verwacht):
    (tmp_path / "voortgang").mkdir()
    (tmp_path / "voortgang" / "proef.json").write_text(inhoud, encoding="utf-8")
    assert lees_voortgang(tmp_path, "proef") == verwacht
    assert lees_voortgang(tmp_path, "bestaat-niet") is None
