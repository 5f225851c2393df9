"""Each loket fault changes what fouten.py says it changes, and nothing is changed without it."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from referentie_lv import fouten
from tests.loket.conftest import axe_ernstig
from tests.loket.test_reizen import _vergunningcheck_tot_conclusie

pytestmark = pytest.mark.browser

LOKETFOUTEN = ["loket-label-ontbreekt", "loket-conclusie-omgedraaid", "loket-aanvragen-link-kapot",
               "loket-lang-ontbreekt"]


def test_loketfouten_staan_in_het_register():
    namen = {f.naam: f for f in fouten.FOUTEN}
    for naam in LOKETFOUTEN:
        assert naam in namen and namen[naam].module == "referentie_lv.loket"
        assert namen[naam].beschrijving.startswith("Loket:")


def test_lang_ontbreekt(servers, pagina):
    lv = servers("loket-lang-ontbreekt")
    pagina.goto(lv.url + "/")
    assert pagina.evaluate("document.documentElement.lang") == ""
    assert "html-has-lang" in {v["id"] for v in axe_ernstig(pagina)}


def test_label_ontbreekt(servers, pagina):
    lv = servers("loket-label-ontbreekt")
    pagina.goto(lv.url + "/regels-op-de-kaart")
    expect(pagina.get_by_label("Adres of postcode en huisnummer")).to_have_count(0)
    expect(pagina.get_by_role("combobox")).to_have_accessible_name("")
    # The other fields keep their labels; axe sees the nameless field.
    expect(pagina.get_by_label("X-coördinaat (RD, meter)")).to_have_count(1)
    assert "label" in {v["id"] for v in axe_ernstig(pagina)}


def test_conclusie_omgedraaid_alleen_op_de_pagina(servers, pagina):
    from referentie_lv.loket import regelbank

    lv = servers("loket-conclusie-omgedraaid")
    _vergunningcheck_tot_conclusie(pagina, lv.url)
    expect(pagina.get_by_role("heading", level=2, name="Kappen van een boom: Toestemmingsvrij")).to_be_visible()
    expect(pagina.get_by_role("heading", level=2, name=re.compile("Vergunningplicht"))).to_have_count(0)
    # The Toepasbare regels uitvoeren API of the same server still answers Vergunningplicht.
    w = regelbank.werkzaamheid("BoomOfStruikKappenOfSnoeien")
    alle = regelbank.alle_vragen(w)
    antwoorden = {"UitvId0001": 120, "UitvId0002": True, "UitvId0003": False, "UitvId0004": False}
    body = {"activiteiten": list(w.activiteiten),
            "antwoorden": [{"vraagId": alle[k].id, "waarde": v} for k, v in antwoorden.items()]}
    r = httpx.post(lv.url + "/publiek/toepasbare-regels/api/toepasbareregelsuitvoerenservices/v3/conclusie/_bepaal",
                   json=body, headers={"x-api-key": "referentie-test"}, timeout=30)
    assert r.status_code == 200, r.text
    assert [res["conclusie"]["waarde"] for res in r.json()["resultaten"]] == ["Vergunningplicht"]


def test_aanvragen_link_kapot(servers, pagina):
    lv = servers("loket-aanvragen-link-kapot")
    _vergunningcheck_tot_conclusie(pagina, lv.url)
    antwoord = None
    with pagina.expect_response(lambda r: "/aanvragen" in r.url) as info:
        pagina.get_by_role("link", name="Verder naar Aanvragen").click()
    antwoord = info.value
    assert antwoord.status == 404
    expect(pagina.get_by_role("heading", level=1, name="Pagina niet gevonden")).to_be_visible()
