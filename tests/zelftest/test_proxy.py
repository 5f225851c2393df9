"""The mutating proxy: the afnemers proxy with a Mutator hook, in front of a real reference LV."""

from __future__ import annotations

import httpx
import pytest

from dso_acceptatie.afnemers.proxy import OpnameProxy
from dso_acceptatie.records import Masker
from dso_acceptatie.referentie import ReferentieLV
from dso_acceptatie.zelftest import proxy

SLEUTEL = "zelftest-sleutel-" + "x" * 12
PAD = "/bzk/locatieserver/search/v3_1/free?q=Dorpsstraat"


@pytest.fixture(scope="module")
def referentie(tmp_path_factory):
    map_ = tmp_path_factory.mktemp("ref")
    with ReferentieLV(api_sleutel=SLEUTEL, log=map_ / "ref.log", data_map=map_ / "data") as ref:
        yield ref.origin


def _via(referentie, tmp_path, klasse, **verzoek):
    mutatie = klasse(SLEUTEL)
    with OpnameProxy(referentie, tmp_path / "verkeer.jsonl", masker=Masker([SLEUTEL]), mutator=mutatie) as p:
        antwoord = httpx.get(p.url + verzoek.pop("pad", PAD), timeout=10, **verzoek)
    return antwoord, mutatie


def test_zonder_mutatie_blijft_alles_gelijk(referentie, tmp_path):
    direct = httpx.get(referentie + PAD, headers={"x-api-key": SLEUTEL}, timeout=10)
    antwoord, mutatie = _via(referentie, tmp_path, proxy.Mutatie, headers={"x-api-key": SLEUTEL})
    assert antwoord.status_code == direct.status_code
    assert antwoord.headers.get("api-version") == direct.headers.get("api-version") is not None
    assert antwoord.json() == direct.json() and mutatie.toegepast == 0


def test_api_version_verdwijnt(referentie, tmp_path):
    antwoord, mutatie = _via(referentie, tmp_path, proxy.GeenApiVersion, headers={"x-api-key": SLEUTEL})
    assert antwoord.status_code == 200 and "api-version" not in antwoord.headers
    assert mutatie.toegepast == 1


def test_zonder_sleutel_toch_antwoord(referentie, tmp_path):
    pad = "/publiek/catalogus/api/opvragen/v3/begrippen"
    zonder = httpx.get(referentie + pad, timeout=10)
    assert zonder.status_code in (401, 403)   # the reference itself checks the key
    antwoord, mutatie = _via(referentie, tmp_path, proxy.ZonderSleutelGeaccepteerd, pad=pad)
    assert antwoord.status_code == 200 and mutatie.toegepast == 1
    # the key never shows up in the recording
    assert SLEUTEL not in (tmp_path / "verkeer.jsonl").read_text(encoding="utf-8")


def test_fout_content_type_en_503(referentie, tmp_path):
    antwoord, _ = _via(referentie, tmp_path, proxy.FoutContentType, headers={"x-api-key": SLEUTEL})
    assert antwoord.headers["content-type"].startswith("text/plain")
    mutatie = proxy.VijfHonderdDeel(SLEUTEL)
    statussen = [mutatie.antwoord("GET", PAD, 200, [("content-type", "application/json")], b"{}")[0]
                 for _ in range(10)]
    assert statussen.count(503) == 2 and mutatie.toegepast == 2
