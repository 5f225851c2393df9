"""The fault register (referentie_lv.fouten) and the framework faults on the real reference LV:
each switch changes what its description says, and without a switch none of it is installed."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from api_server import UvicornServer

from referentie_lv import fouten
from referentie_lv.api import basis
from referentie_lv.app import create_app
from referentie_lv.config import Config

ROOT = Path(__file__).resolve().parents[2]
SLEUTEL = "fouten-testsleutel"
RBA = "/api/regels_bij_activiteiten/v1"
LS = "/bzk/locatieserver/search/v3_1"


def dienst_apps(app) -> dict[str, basis.DienstApp]:
    return {r.app.dienst.naam: r.app for r in app.routes if isinstance(r, basis.DienstMount)}


@pytest.fixture(scope="module")
def data_map(tmp_path_factory):
    return str(tmp_path_factory.mktemp("fouten"))


@pytest.fixture(scope="module")
def met_fout(data_map):
    """Factory: a running reference LV with the given fault(s), started once per set."""
    gestart: dict[str, tuple[UvicornServer, httpx.Client]] = {}

    def geef(*namen: str) -> httpx.Client:
        sleutel = ",".join(sorted(namen))
        if sleutel not in gestart:
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("REFERENTIE_LV_LIMIETEN", "*=0")
                app = create_app(Config(api_sleutels=frozenset({SLEUTEL}), data_map=data_map,
                                        fouten=frozenset(namen)))
            s = UvicornServer(app).__enter__()
            gestart[sleutel] = (s, httpx.Client(base_url=s.url, timeout=30,
                                                headers={"x-api-key": SLEUTEL}))
        return gestart[sleutel][1]

    yield geef
    for s, c in gestart.values():
        c.close()
        s.__exit__(None, None, None)


def test_register_is_een_lijst_met_beschrijvingen():
    namen = [f.naam for f in fouten.FOUTEN]
    assert len(namen) == len(set(namen))
    for f in fouten.FOUTEN:
        assert f.beschrijving.endswith(".") and len(f.beschrijving) > 40, f.naam
        importlib.import_module(f.module)          # the implementing module exists
    assert fouten.beschrijving("traag:locatieserver").startswith("Eén dienst antwoordt traag")
    fouten.controleer({"traag:regels-bij-activiteiten", "503-deel", "geen-api-version"})
    tekst = fouten.lijst()
    assert all(f.naam in tekst and f.beschrijving in tekst for f in fouten.FOUTEN)
    assert "traag:<dienst>" in tekst


def test_onbekende_fout_bij_start_via_de_opdrachtregel(tmp_path):
    r = subprocess.run([sys.executable, "-m", "referentie_lv", "--fouten", "geen-api-versie",
                        "--data-map", str(tmp_path), "--port", "0"],
                       check=False, capture_output=True, text=True, timeout=60, cwd=ROOT,
                       env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert r.returncode == 1
    assert "Onbekende fout 'geen-api-versie'" in r.stderr and "geen-api-version" in r.stderr
    assert "Traceback" not in r.stderr


def test_onbekende_fout_via_de_omgeving(monkeypatch):
    monkeypatch.setenv("REFERENTIE_LV_FOUTEN", "kapotte-paginering,traag:maan")
    with pytest.raises(fouten.OnbekendeFout, match="traag"):
        create_app(Config.uit_omgeving(data_map="/nonexistent-not-used"))


def test_zonder_fouten_is_er_geen_foutcode_geinstalleerd(data_map):
    apps = dienst_apps(create_app(Config(data_map=data_map)))
    assert {"locatieserver", "regels-bij-activiteiten"} <= set(apps)
    for naam, app in apps.items():
        assert [f.__name__ for f in app.nabewerkingen] == ["_met_versie"], naam
        assert app.voor_operatie == [], naam
        assert app.dienst.paginalinks_maker is basis._paginalinks_goed, naam
        assert app.sleutel_controle == app.dienst.sleutel_vereist, naam


def test_geen_api_version(met_fout):
    c = met_fout("geen-api-version")
    for pad in (RBA + "/activiteiten", RBA + "/bestaat-niet", LS + "/free"):
        assert "api-version" not in c.get(pad).headers, pad
    assert met_fout().get(RBA + "/activiteiten").headers["api-version"] == "1.0.0"


def test_fout_content_type(met_fout):
    c = met_fout("fout-content-type")
    r = c.get(RBA + "/activiteiten/bestaat.niet")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert c.get(LS + "/free", params={"rows": 1000}).headers["content-type"].startswith(
        "text/html")
    assert c.get(RBA + "/activiteiten").headers["content-type"] == "application/hal+json"


def test_schema_schending(met_fout):
    c = met_fout("schema-schending")
    acts = c.get(RBA + "/activiteiten").json()["_embedded"]["activiteiten"]
    assert acts[0]["identificatie"] == 12345
    assert c.get(LS + "/free", params={"q": "straat"}).json()["response"]["numFound"] == "veel"
    goed = met_fout().get(RBA + "/activiteiten").json()["_embedded"]["activiteiten"]
    assert isinstance(goed[0]["identificatie"], str)


def test_authenticatie_genegeerd(met_fout):
    c = met_fout("authenticatie-genegeerd")
    assert c.get(RBA + "/activiteiten", headers={"x-api-key": ""}).status_code == 200
    assert c.get(RBA + "/activiteiten", headers={"x-api-key": "wie-dan-ook"}).status_code == 200
    assert met_fout().get(RBA + "/activiteiten", headers={"x-api-key": "x"}).status_code == 403


def test_traag_alleen_op_een_dienst(data_map, monkeypatch):
    monkeypatch.setenv("REFERENTIE_LV_TRAAG_SECONDEN", "0.2")
    apps = dienst_apps(create_app(Config(data_map=data_map,
                                         fouten=frozenset({"traag:locatieserver"}))))
    assert [f.__name__ for f in apps["locatieserver"].voor_operatie] == ["_traag_wachten"]
    assert apps["locatieserver"]._traag == 0.2
    assert all(a.voor_operatie == [] for n, a in apps.items() if n != "locatieserver")


def test_503_deel(met_fout):
    c = met_fout("503-deel")
    statussen = [c.get(RBA + "/locaties", params={"pageSize": 1}).status_code for _ in range(10)]
    assert statussen == [200, 200, 200, 200, 503] * 2
    r = [c.get(LS + "/free") for _ in range(5)][-1]
    assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json"
    assert r.headers["retry-after"] == "1" and r.headers["api-version"] == "v3_1"
    assert c.get(RBA + "/openapi.json").status_code == 200     # the contract stays readable


def test_kapotte_paginering(met_fout):
    c = met_fout("kapotte-paginering")
    links = c.get(RBA + "/activiteiten", params={"pageSize": 5, "page": 2}).json()["_links"]
    assert links["next"]["href"].endswith("page=4")
    assert links["previous"]["href"].endswith("page=2")
    laatste = c.get(RBA + "/activiteiten", params={"pageSize": 100}).json()["_links"]
    assert "next" in laatste                                     # a next link past the end
    goed = met_fout().get(RBA + "/activiteiten", params={"pageSize": 100}).json()["_links"]
    assert "next" not in goed
