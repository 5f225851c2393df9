"""The throttling check against the real reference LV on loopback, with a small documented limit
(REFERENTIE_LV_LIMIETEN) so that the burst stays short. Behaviour, not timing: every verdict
below holds however slow the machine is, because the check stops at the first 429 and only
claims 'no throttling' when it sent more than the bucket plus its refill could hold."""

from __future__ import annotations

import secrets

import pytest

from dso_acceptatie import slo as slo_mod
from dso_acceptatie.configuratie import ConfiguratieFout
from dso_acceptatie.diensten import DIENSTEN
from dso_acceptatie.fasen.last import throttling
from dso_acceptatie.referentie import ReferentieLV

pytestmark = pytest.mark.traag


def controleer(tmp_path, monkeypatch, limieten: str, gedocumenteerd: float) -> throttling.Oordeel:
    monkeypatch.setenv("REFERENTIE_LV_LIMIETEN", limieten)
    sleutel = "th-" + secrets.token_urlsafe(18)
    with ReferentieLV(api_sleutel=sleutel, data_map=tmp_path / "data",
                      log=tmp_path / "referentie.log") as lv:
        url = lv.origin + DIENSTEN["presenteren"].basispad + slo_mod.PROEFPADEN["presenteren"]
        oordeel = throttling.controleer(url, {"x-api-key": sleutel, "Accept": "application/hal+json"},
                                        gedocumenteerd)
    assert sleutel not in oordeel.bericht and sleutel not in repr(oordeel.details)
    return oordeel


def test_referentie_dwingt_de_limiet_af_met_429_retry_after_en_rate_limit_headers(tmp_path, monkeypatch):
    o = controleer(tmp_path, monkeypatch, "presenteren=10", 10)
    assert o.status == "geslaagd", o.bericht
    d = o.details
    assert d["aantal_429"] >= 1 and d["serverfouten_5xx"] == 0
    # a full bucket of 10 is served (counted once all connections are done: in flight, a 2xx
    # may still be counted after the first 429)
    assert d["geslaagd_2xx"] >= 10
    assert set(d["headers_429"]) == {"retry-after", "x-rate-limit-limit", "x-rate-limit-remaining",
                                     "x-rate-limit-reset"}
    assert d["headers_429"]["x-rate-limit-limit"] == "10"
    assert d["status_na_retry_after"] == 200          # served again after waiting Retry-After


def test_zonder_throttling_faalt_de_controle(tmp_path, monkeypatch):
    o = controleer(tmp_path, monkeypatch, "presenteren=0", 10)    # 0 = throttling switched off
    assert o.status == "gefaald" and "geen enkele 429" in o.bericht, o.bericht
    d = o.details
    assert d["aantal_429"] == 0 and d["verzonden"] > 10 + 10 * d["duur_s"]
    assert "x-rate-limit-limit" not in (d["headers_2xx"] or {})


def test_een_andere_limiet_dan_gedocumenteerd_faalt(tmp_path, monkeypatch):
    o = controleer(tmp_path, monkeypatch, "presenteren=10", 25)
    assert o.status == "gefaald" and "X-Rate-Limit-Limit noemt 10, gedocumenteerd is 25" in o.bericht


def test_te_traag_voor_de_limiet_is_geblokkeerd_niet_geslaagd(tmp_path, monkeypatch):
    # One request is all the burst may send: it cannot reach a limit of 500/s, so it proves
    # nothing either way.
    monkeypatch.setattr(throttling, "MAX_VERZOEKEN", 1)
    o = controleer(tmp_path, monkeypatch, "presenteren=0", 500)
    assert o.status == "geblokkeerd" and "bewijst niets" in o.bericht
    assert o.details["verzonden"] == 1


def test_onbekende_dienst_in_throttling_noemt_bestand_en_regel(tmp_path):
    pad = tmp_path / "slo.toml"
    pad.write_text("[profielen.a]\ngebruikers = 1\nspawnsnelheid = 1\nduur_s = 1\n"
                   "reizen_per_gebruiker_per_s = 1\n\n[throttling]\nlocatieserver = 5\n", "utf-8")
    with pytest.raises(ConfiguratieFout) as e:
        slo_mod.lees(pad)
    assert "slo.toml:8:" in str(e.value) and "locatieserver" in str(e.value)
