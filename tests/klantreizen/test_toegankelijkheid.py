"""An accessibility check that did not run is ``geblokkeerd``, never ``geslaagd``.

The plugin runs axe-core on each page kind; when that fails (script missing, page gone, evaluation
error) the raw result carries the reason, the page kind is tried once more on a later visit, and
the phase writes a blocked record for every page variant axe-core never ran on.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from dso_acceptatie.fasen.klantreizen import plugin, toegankelijkheid
from dso_acceptatie.records import RecordWriter, lees_records

GESLAAGD = {"versie": "4.10.0", "violations": []}
OVERTREDING = {"versie": "4.10.0", "violations": [
    {"id": "label", "impact": "critical", "help": "Form elements must have labels",
     "helpUrl": "https://dequeuniversity.com/rules/axe/4.10/label", "tags": ["wcag2a", "wcag412"],
     "nodes": [{"target": ["#adres"], "html": "<input id=adres>", "samenvatting": "geen label"}]}]}


def _ruw(pad: str, titel: str, uitkomst: dict) -> dict:
    return {"url": f"http://127.0.0.1:1{pad}", "pad": pad, "titel": titel, "scenario": "s", **uitkomst}


def _schrijf(tmp_path: Path, ruw: list[dict]) -> tuple[toegankelijkheid.Uitkomst, list[dict]]:
    with RecordWriter(tmp_path / "records" / "klantreizen.jsonl", "r1", "klantreizen") as w:
        uitkomst = toegankelijkheid.schrijf_records(ruw, w, "bewijs/klantreizen/toegankelijkheid")
    return uitkomst, list(lees_records(tmp_path))


def test_pagina_waarop_axe_niet_draaide_is_geblokkeerd(tmp_path):
    uitkomst, records = _schrijf(tmp_path, [
        _ruw("/vergunningcheck", "Vergunningcheck", {"versie": None, "violations": [],
                                                     "fout": "Error: page crashed"}),
        _ruw("/", "Omgevingsloket", GESLAAGD),
    ])
    per_pad = {r["details"]["pad"]: r for r in records}
    kapot = per_pad["/vergunningcheck"]
    assert (kapot["status"], kapot["soort"]) == ("geblokkeerd", "controle")
    assert "page crashed" in kapot["bericht"] and "niet op WCAG 2.1 A/AA" in kapot["bericht"]
    assert per_pad["/"]["status"] == "geslaagd"
    assert (uitkomst.gecontroleerd, uitkomst.bevindingen, uitkomst.geblokkeerd) == (1, 0, 1)


def test_een_variant_zonder_axe_maakt_de_pagina_niet_geslaagd(tmp_path):
    # The same path, one title checked and one not (an error variant): not proven accessible.
    _, records = _schrijf(tmp_path, [
        _ruw("/regels-op-de-kaart", "Regels op de kaart", GESLAAGD),
        _ruw("/regels-op-de-kaart", "Fout in de invoer", {"violations": [], "fout": "Timeout"}),
    ])
    [r] = records
    assert r["status"] == "geblokkeerd" and r["details"]["titels"] == ["Fout in de invoer"]


def test_overtredingen_blijven_bevindingen_ook_als_een_variant_niet_kon(tmp_path):
    uitkomst, records = _schrijf(tmp_path, [
        _ruw("/aanvragen", "Aanvragen", OVERTREDING),
        _ruw("/aanvragen", "Aanvragen - fout", {"violations": [], "fout": "Timeout"}),
    ])
    assert sorted((r["controle"], r["status"]) for r in records) == [
        ("axe-core: WCAG 2.1 A/AA", "geblokkeerd"), ("axe-core: label", "gefaald")]
    assert uitkomst.bevindingen == 1


def test_een_latere_geslaagde_poging_telt(tmp_path):
    _, records = _schrijf(tmp_path, [
        _ruw("/", "Omgevingsloket", {"violations": [], "fout": "Timeout"}),
        _ruw("/", "Omgevingsloket", GESLAAGD),
    ])
    [r] = records
    assert r["status"] == "geslaagd"


class _Pagina:
    """A page on which axe-core cannot be started (its script is missing)."""

    url = "http://127.0.0.1:1/stelselcatalogus?q=x"

    def __init__(self):
        self.pogingen = 0

    def wait_for_load_state(self, *args, **kwargs):
        return None

    def title(self):
        return "Stelselcatalogus"

    def evaluate(self, script, *args):
        self.pogingen += 1
        return False   # window.axe is not there: the source must be injected


def test_plugin_legt_vast_dat_axe_niet_kon_draaien_en_probeert_een_keer_opnieuw(tmp_path, monkeypatch):
    # node_modules without axe-core: reading its source fails as it would in a broken setup
    ontbreekt = tmp_path / "node_modules" / "axe-core" / "axe.min.js"
    monkeypatch.setattr(toegankelijkheid, "axe_bron", lambda: ontbreekt.read_text())
    (tmp_path / "doel.json").write_text(json.dumps({"naam": "proef"}))
    config = SimpleNamespace(stash=pytest.Stash())
    config.stash[plugin.STAAT] = plugin.Staat(config, tmp_path, tmp_path / "doel.json", "r1")
    item = SimpleNamespace(config=config, nodeid="features/x.py::test_x")
    pagina = _Pagina()
    for _ in range(3):
        plugin.controleer_pagina(item, pagina)
    config.stash[plugin.STAAT].sluit()

    ruw = toegankelijkheid.lees_ruwe_resultaten(tmp_path / "bewijs" / "klantreizen" / "toegankelijkheid")
    assert len(ruw) == plugin.AXE_POGINGEN == 2    # tried again once, then left alone
    assert all("FileNotFoundError" in r["fout"] and r["pad"] == "/stelselcatalogus" for r in ruw)
    _, records = _schrijf(tmp_path / "fase", ruw)
    [r] = [r for r in records if r["controle"].startswith("axe-core")]
    assert r["status"] == "geblokkeerd" and "FileNotFoundError" in r["bericht"]
    # this stand-in page has no keyboard either: the Tab walk did not run, so it is blocked as well
    [t] = [r for r in records if r["controle"].startswith("toetsenbord")]
    assert t["status"] == "geblokkeerd" and "AttributeError" in t["bericht"]
