"""Loket pages over plain HTTP (no browser): bad input gets a helpful Dutch page, never a stack
trace or an empty page; sessions and redirects behave."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("pad, status, tekst", [
    ("/regels-op-de-kaart/locatie?adres=Nergensstraat+999", 400, "geen adres gevonden"),
    ("/regels-op-de-kaart/locatie?x=abc&y=424000", 400, "Vul de X-coördinaat in als getal"),
    ("/regels-op-de-kaart/locatie?x=50000&y=400000", 400, "geen gegevens"),
    ("/regels-op-de-kaart/locatie", 400, "Vul een adres in"),
    ("/regels-op-de-kaart/regel/gm0297_bestaat_niet", 404, "Regel niet gevonden"),
    ("/regels-op-de-kaart/locatie?x=137625&y=424634&activiteit=%3Cscript%3E", 200, "Regels op deze locatie"),
    ("/maatregelen/onbekend", 404, "Activiteit niet gevonden"),
    ("/vergunningcheck/locatie?adres=" + "x" * 300, 400, "te lang"),
    ("/niets-hier", 404, "Pagina niet gevonden"),
])
def test_foute_invoer_geeft_nette_pagina(http, pad, status, tekst):
    r = http.get(pad)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    assert tekst in r.text
    assert "Traceback" not in r.text and "<script>" not in r.text


def test_stappen_zonder_sessie_gaan_terug_naar_het_begin(http):
    assert http.get("/vergunningcheck/vragen").headers["location"] == "/vergunningcheck"
    assert http.get("/vergunningcheck/conclusie").headers["location"] == "/vergunningcheck"
    assert http.get("/aanvragen/overzicht").headers["location"].startswith("/inloggen?volgende=")
    assert http.get("/aanvragen/bevestiging/OLO1000001").status_code == 404


def test_inloggen_stuurt_niet_door_naar_een_andere_site(lv):
    import httpx
    with httpx.Client(base_url=lv.url) as c:
        r = c.post("/inloggen", data={"account": "999990019", "volgende": "//example.org/x"})
        assert r.status_code == 303 and r.headers["location"] == "/aanvragen"
        assert "loket_sessie" in r.cookies
        r = c.post("/inloggen", data={"account": "123456789", "volgende": "/aanvragen"})
        assert r.status_code == 400 and "Kies een testaccount" in r.text


def test_vraag_met_ongeldig_antwoord(lv):
    import httpx
    with httpx.Client(base_url=lv.url) as c:
        c.get("/vergunningcheck/locatie", params={"x": "137625", "y": "424634"})
        c.post("/vergunningcheck/werkzaamheid", data={"werkzaamheid": "AanbouwBouwenVerbouwen"})
        r = c.post("/vergunningcheck/vragen", data={"vraag": "UitvId0001", "antwoord": "-3"})
        assert r.status_code == 400 and "0 of meer" in r.text and 'aria-invalid="true"' in r.text
        r = c.post("/vergunningcheck/vragen", data={"vraag": "UitvId0001", "antwoord": "25"},
                   follow_redirects=True)
        assert "Bouwen van een bijgebouw: Meldingsplicht" in r.text
