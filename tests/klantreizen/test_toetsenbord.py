"""The keyboard check (WCAG 2.1.1/2.4.3): real Tab presses in Chromium on a page served on loopback.

axe-core has no rule for a link that the Tab key never reaches (tabindex="-1" is valid HTML); the
walk must find it, name it, and weigh it ernstig, and must find nothing on the same page without.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dso_acceptatie.fasen.klantreizen import toegankelijkheid
from dso_acceptatie.records import RecordWriter, lees_records
from tests.lokale_http import StilleHandler, lokale_server

PAGINA = """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Proef</title></head>
<body><a href="#inhoud">Naar de inhoud</a>
<nav><a href="/a">Regels op de kaart</a> <a href="/b"{tabindex}>Vergunningcheck</a></nav>
<main id="inhoud"><label>Adres <input name="adres"></label>
<button type="button">Zoeken</button>
<button type="button" disabled>Uitgeschakeld</button>
<a href="/verborgen" style="display:none">Verborgen</a>
<label><input type="radio" name="keuze" value="1"> Ja</label>
<label><input type="radio" name="keuze" value="2"> Nee</label>
</main></body></html>"""


@pytest.fixture(scope="module")
def server():
    """Two pages on loopback: /goed (everything reachable), /fout (one link with tabindex=-1)."""
    class Handler(StilleHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            fout = self.path.startswith("/fout")
            body = PAGINA.replace("{tabindex}", ' tabindex="-1"' if fout else "").encode()
            self.antwoord(200, body, "text/html; charset=utf-8")

    with lokale_server(Handler) as url:
        yield url


def _loop(browser, url: str) -> dict:
    pagina = browser.new_page()
    try:
        pagina.goto(url)
        return {"url": url, "pad": url.split(":", 2)[2].split("/", 1)[1], "titel": pagina.title(),
                "scenario": "s", "versie": "4.10.0", "violations": [],
                "toetsenbord": toegankelijkheid.toetsenbord(pagina)}
    finally:
        pagina.close()


def _records(tmp_path: Path, ruw: list[dict]) -> list[dict]:
    with RecordWriter(tmp_path / "records" / "klantreizen.jsonl", "r1", "klantreizen") as w:
        toegankelijkheid.schrijf_records(ruw, w, "bewijs/klantreizen/toegankelijkheid")
    return [r for r in lees_records(tmp_path) if r["controle"].startswith("toetsenbord")]


def test_link_met_tabindex_min_een_is_een_ernstige_bevinding(browser, server, tmp_path):
    ruw = _loop(browser, server + "/fout")
    tb = ruw["toetsenbord"]
    # three links, input, button, two radios (one group: one Tab stop); not the disabled or hidden
    assert tb["kandidaten"] == 7
    assert [(e["tag"], e["tekst"], e["tabindex"]) for e in tb["onbereikbaar"]] == [
        ("a", "Vergunningcheck", "-1")]
    [r] = [r for r in _records(tmp_path, [ruw]) if r["status"] != "geslaagd"]
    assert (r["status"], r["ernst"], r["controle"]) == ("gefaald", "ernstig",
                                                         "toetsenbord: bereikbaar met Tab")
    assert "Vergunningcheck" in r["bericht"] and "2.1.1" in r["bericht"]
    assert r["details"]["elementen"][0]["selector"] == "body > nav > a:nth-of-type(2)"


def test_zelfde_pagina_zonder_tabindex_geeft_geen_bevinding(browser, server, tmp_path):
    ruw = _loop(browser, server + "/goed")
    tb = ruw["toetsenbord"]
    assert (tb["kandidaten"], tb["bereikt"], tb["onbereikbaar"], tb["onzichtbaar"],
            tb["zonder_focusstijl"]) == (7, 7, [], [], [])
    [r] = _records(tmp_path, [ruw])
    assert (r["status"], r["ernst"]) == ("geslaagd", "informatief")


def test_toetsenbordcontrole_die_niet_draaide_is_geblokkeerd(tmp_path):
    ruw = {"url": "http://127.0.0.1:1/x", "pad": "/x", "titel": "X", "scenario": "s", "versie": "4.10.0",
           "violations": [], "toetsenbord_fout": "Error: Target page, context or browser has been closed"}
    [r] = _records(tmp_path, [ruw])
    assert (r["status"], r["ernst"]) == ("geblokkeerd", "ernstig") and "has been closed" in r["bericht"]
