"""Building the store: rebuilt when a source file changes, not otherwise; safe XML parsing (no XXE)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from referentie_lv.data import bouw
from referentie_lv.data.store import Store

ACT_BESTAND = Path("gemeentestad/opdracht/owActiviteiten-Gemeentestad.xml")
OUDE_NAAM = "<rol:naam>aanleggen en instandhouden van nutsvoorzieningen</rol:naam>"
ACT_243 = "nl.imow-gm0297.activiteit.2019000243"


@pytest.fixture()
def bronnen(tmp_path) -> Path:
    doel = tmp_path / "bronnen"
    shutil.copytree(bouw.standaard_bronnen(), doel)
    return doel


def test_herbouw_alleen_bij_gewijzigde_bron(bronnen, tmp_path):
    data = tmp_path / "data"
    eerste = Store.open(data, bronnen)
    assert eerste.gebouwd and (data / "referentie.sqlite").exists()
    assert Store.open(data, bronnen).gebouwd is False
    assert eerste.activiteit(ACT_243, "2022-01-01")["naam"] == "aanleggen en instandhouden van nutsvoorzieningen"

    pad = bronnen / ACT_BESTAND
    tekst = pad.read_text(encoding="utf-8")
    assert OUDE_NAAM in tekst
    pad.write_text(tekst.replace(OUDE_NAAM, "<rol:naam>gewijzigde naam voor de test</rol:naam>"), encoding="utf-8")
    derde = Store.open(data, bronnen)
    assert derde.gebouwd is True
    assert derde.activiteit(ACT_243, "2022-01-01")["naam"] == "gewijzigde naam voor de test"
    assert derde.meta["bron_hash"] != eerste.meta["bron_hash"]


def test_herbouw_bij_gewijzigd_adressenbestand(bronnen, tmp_path):
    data = tmp_path / "data"
    Store.open(data, bronnen)
    pad = bronnen / bouw.ADRESSEN_BESTAND
    regels = pad.read_text(encoding="utf-8").splitlines(keepends=True)
    pad.write_text("".join(regels[:-1]), encoding="utf-8")     # drop the last doc
    s = Store.open(data, bronnen)
    assert s.gebouwd and len(s.adressen()) == sum(1 for r in regels if not r.startswith("#")) - 2


def test_kapotte_database_wordt_herbouwd(bronnen, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "referentie.sqlite").write_bytes(b"geen sqlite")
    s = Store.open(data, bronnen)
    assert s.gebouwd and s.regelingen("2022-01-01")


def test_geen_entiteiten_uitgebreid(bronnen, tmp_path):
    """An XXE / internal entity in a source file is not expanded (and nothing is fetched)."""
    geheim = tmp_path / "geheim.txt"
    geheim.write_text("GEHEIM-XXE-INHOUD", encoding="utf-8")
    pad = bronnen / ACT_BESTAND
    tekst = pad.read_text(encoding="utf-8")
    kop, rest = tekst.split("\n", 1)            # keep the XML declaration first
    doctype = (f'<!DOCTYPE ow-dc:owBestand [ <!ENTITY xxe SYSTEM "{geheim.as_uri()}"> '
               '<!ENTITY intern "INTERN-UITGEBREID"> ]>\n')
    rest = rest.replace(OUDE_NAAM, "<rol:naam>voor &xxe; na &intern;</rol:naam>")
    pad.write_text(kop + "\n" + doctype + rest, encoding="utf-8")
    s = Store.open(tmp_path / "data", bronnen)
    naam = s.activiteit(ACT_243, "2022-01-01")["naam"]
    assert "GEHEIM-XXE-INHOUD" not in naam and "INTERN-UITGEBREID" not in naam
    assert naam.startswith("voor") and naam.endswith("na &intern;")
    assert "GEHEIM" not in (tmp_path / "data" / "referentie.sqlite").read_bytes().decode("latin-1")


def test_andere_bestanden_in_bronnen_leiden_niet_tot_herbouw(bronnen, tmp_path):
    data = tmp_path / "data"
    Store.open(data, bronnen)
    (bronnen / "sttr-of-iets-anders.txt").write_text("niet van de datalaag", encoding="utf-8")
    assert Store.open(data, bronnen).gebouwd is False
