"""The zelftest end to end (real reference LV, real contract phase) and its bookkeeping."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dso_acceptatie.criteria import Criteria
from dso_acceptatie.zelftest import (
    MUTATIES,
    Uitslag,
    afwijzende_controles,
    als_tabel,
    geslaagd,
    kies_mutaties,
    kies_proxy_mutaties,
)
from dso_acceptatie.zelftest.proxy import MUTATIES as PROXY_MUTATIES

PROJECT = Path(__file__).resolve().parents[2]


def _cli(*args: str, timeout: float = 170) -> subprocess.CompletedProcess:
    # the contract phase on examples only: the point here is the zelftest's bookkeeping, not coverage
    env = dict(os.environ, DSO_CONTRACTEN_SCHEMATHESIS_FASEN="examples")
    return subprocess.run([sys.executable, "-m", "dso_acceptatie", *args], capture_output=True, text=True,
                          cwd=PROJECT, timeout=timeout, check=False, env=env)


def test_mutatie_wordt_afgewezen_door_de_contractfase(tmp_path):
    uit = _cli("zelftest", "--snel", "--mutatie", "geen-api-version", "--rapporten", str(tmp_path))
    verslag = json.loads(next((tmp_path / "zelftest").glob("*/zelftest.json")).read_text(encoding="utf-8"))
    schoon, mutatie = verslag["uitslagen"]
    assert schoon["mutatie"] == "(schoon)" and schoon["fase"] == "contracten" and schoon["schoon"]
    assert mutatie["mutatie"] == "geen-api-version"
    assert mutatie["oordeel"] == "afwijzen" and mutatie["gedood"], uit.stdout[-2000:]
    assert any(d.startswith("contracten/dso_api_version") for d in mutatie["afgewezen_door"])
    # the mutation run really had the fault on; the clean run did not
    assert Path(mutatie["run_map"], "referentie-lv.log").exists()
    start = [json.loads(r) for r in Path(mutatie["run_map"], "records", "run.jsonl").read_text().splitlines()][0]
    assert start["details"]["fouten"] == "geen-api-version"
    assert verslag["score"] == {"gedood": 1, "totaal": 1}
    # exit code 0 exactly when the clean run is clean and every mutation rejected
    assert uit.returncode == (0 if verslag["geslaagd"] else 1), uit.stderr
    assert verslag["geslaagd"] == (schoon["gedood"] and mutatie["gedood"])
    assert "geen-api-version" in uit.stdout and "Mutatiescore: 1/1" in uit.stdout


def test_onbekende_fase_is_een_gebruiksfout(tmp_path):
    uit = _cli("zelftest", "--fase", "onzin", "--rapporten", str(tmp_path), timeout=60)
    assert uit.returncode == 2
    assert "--fase onzin: onbekende fase" in uit.stderr
    assert not (tmp_path / "zelftest").exists()
    uit = _cli("zelftest", "--mutatie", "bestaat-niet", "--rapporten", str(tmp_path), timeout=60)
    assert uit.returncode == 2 and "--mutatie bestaat-niet: onbekende mutatie" in uit.stderr


def test_elke_mutatie_is_een_bekende_fout_en_snel_dekt_elke_fase():
    uit = subprocess.run([sys.executable, "-m", "referentie_lv.fouten"], capture_output=True, text=True,
                         check=True, timeout=60)
    for m in MUTATIES:
        assert m.naam.split(":")[0] + ("\n" if ":" not in m.naam else ":") in uit.stdout + "\n", m.naam
    # --snel: proxy mutations only, one per phase that has proxy mutations
    snel = kies_proxy_mutaties(True, None)
    assert not kies_mutaties(True, None) and len(snel) == len({k.fase for k in snel})
    assert {k.fase for k in snel} == {k.fase for k in PROXY_MUTATIES} == {"contracten", "klantreizen", "last"}


def _r(status, ernst, fase="contracten", controle="c", **extra):
    return {"status": status, "ernst": ernst, "fase": fase, "controle": controle, "soort": "controle", **extra}


def test_alleen_wat_de_criteria_afwijzen_telt_als_afwijzend():
    criteria = Criteria()  # blokkerend/ernstig 0, hinderlijk onbeperkt, geblokkeerd = voorwaarden
    door, boven = afwijzende_controles([
        _r("gefaald", "ernstig", controle="x"), _r("gefaald", "ernstig", controle="x"),
        _r("gefaald", "hinderlijk", controle="traag"), _r("geblokkeerd", "blokkerend", controle="crash"),
        _r("gefaald", "informatief", controle="info"), _r("gefaald", "ernstig", controle="z", _zelf=True),
    ], criteria)
    assert door == ["contracten/x (2)"]
    assert boven == 4   # 2 ernstig, 1 hinderlijk, 1 geblokkeerd; informatief and self-checks not


def test_gemiste_mutatie_of_vuile_schone_run_is_geen_geslaagde_zelftest():
    schoon = Uitslag("(schoon)", "contracten", "accepteren", True, schoon=True)
    gedood = Uitslag("a", "contracten", "afwijzen", True, ["contracten/x (1)"])
    gemist = Uitslag("b", "contracten", "accepteren", False)
    assert geslaagd([schoon, gedood])
    assert not geslaagd([schoon, gedood, gemist])
    assert not geslaagd([Uitslag("(schoon)", "contracten", "accepteren", False, boven_informatief=3, schoon=True),
                         gedood])
    assert not geslaagd([schoon])   # no mutation applied proves nothing
    tabel = als_tabel([schoon, gedood, gemist])
    assert "GEMIST" in tabel and "Mutatiescore: 1/2 gedood (50%)" in tabel


def test_een_mutatie_die_niets_veranderde_is_niet_toegepast_en_telt_niet_mee():
    schoon = Uitslag("(schoon via proxy)", "contracten", "accepteren", True, schoon=True, toegepast=0)
    gedood = Uitslag("proxy:a", "contracten", "afwijzen", True, ["contracten/x (1)"], toegepast=12)
    niets = Uitslag("proxy:b", "contracten", "accepteren", False, toegepast=0)
    tabel = als_tabel([schoon, gedood, niets])
    regel = next(r for r in tabel.splitlines() if r.startswith("proxy:b"))
    assert "niet toegepast" in regel and "GEMIST" not in regel and "gedood" not in regel
    assert "Mutatiescore: 1/1 gedood (100%). Niet toegepast (telt niet mee): proxy:b." in tabel
    assert geslaagd([schoon, gedood, niets]) and not geslaagd([schoon, niets])


def test_het_verslag_is_ook_een_rapport_met_links_naar_de_runs(tmp_path):
    from dso_acceptatie.zelftest import schrijf_verslag

    run = tmp_path / "runs" / "runs" / "20261130T120000-referentie-abcd"
    run.mkdir(parents=True)
    uitslagen = [Uitslag("(schoon via proxy)", "contracten", "accepteren", True, schoon=True, run_map=str(run)),
                 Uitslag("proxy:a", "contracten", "afwijzen", True, ["contracten/x (2)"], run_map=str(run),
                         toegepast=7),
                 Uitslag("proxy:b", "contracten", "accepteren", False, run_map=str(run), toegepast=3),
                 Uitslag("proxy:c", "last", "accepteren", False, toegepast=0)]
    schrijf_verslag(tmp_path, uitslagen, False, doel="referentie", duur_s=12.0)
    rj = json.loads((tmp_path / "rapport.json").read_text(encoding="utf-8"))
    assert rj["schema"] == "dso-acceptatie/zelftest/1" and rj["score"] == {"gedood": 1, "totaal": 2}
    assert not rj["geslaagd"] and rj["niet_toegepast"] == ["proxy:c"]
    assert rj["rijen"][1]["rapport"] == "runs/runs/20261130T120000-referentie-abcd/rapport.html"
    html = (tmp_path / "rapport.html").read_text(encoding="utf-8")
    assert 'href="runs/runs/20261130T120000-referentie-abcd/rapport.html"' in html
    assert "mutatie &#x27;proxy:b&#x27; is GEMIST" in html and "NIET GESLAAGD" in html
    assert '<html lang="nl">' in html and "niet toegepast" in html


def test_doel_prod_en_een_extern_doel_zonder_toestemming_worden_geweigerd(tmp_path):
    uit = _cli("zelftest", "--doel", "prod", "--rapporten", str(tmp_path), timeout=60)
    assert uit.returncode == 2 and "doel 'prod' geweigerd: dit doel is alleen-lezen" in uit.stderr
    doelen = tmp_path / "doelen.toml"
    doelen.write_text('[doelen.leverancier]\norigin = "https://lv.leverancier.example"\n'
                      'loket = "https://loket.leverancier.example"\nfasen = ["contracten", "last"]\n',
                      encoding="utf-8")
    uit = _cli("zelftest", "--doel", "leverancier", "--doelen", str(doelen), "--rapporten", str(tmp_path),
               timeout=60)
    assert uit.returncode == 2 and "niet op loopback" in uit.stderr and "--extern-toegestaan" in uit.stderr
    uit = _cli("zelftest", "--doel", "leverancier", "--doelen", str(doelen), "--extern-toegestaan",
               "--fase", "last", "--rapporten", str(tmp_path), timeout=60)
    assert uit.returncode == 2 and "--fase last" in uit.stderr
    uit = _cli("zelftest", "--doel", "leverancier", "--doelen", str(doelen), "--extern-toegestaan",
               "--mutatie", "geen-api-version", "--rapporten", str(tmp_path), timeout=60)
    assert uit.returncode == 2 and "alleen op het doel 'referentie'" in uit.stderr
    assert not (tmp_path / "zelftest").exists()


def test_het_doel_via_de_proxy_houdt_zijn_naam_en_loketpad():
    from dso_acceptatie.doelen import Doel
    from dso_acceptatie.zelftest.proxy import api_origin, doel_via_proxy

    doel = Doel(naam="pre", origin="https://service.pre.example", loket="https://pre.example/loket",
                api_sleutel_variabele="X")
    assert api_origin(doel) == "https://service.pre.example"
    via = doel_via_proxy(doel, "http://127.0.0.1:1", "http://127.0.0.1:2")
    assert (via.naam, via.origin, via.loket, via.soort) == ("pre", "http://127.0.0.1:1",
                                                            "http://127.0.0.1:2/loket", "extern")
    assert via.dienst_urls()["presenteren"].startswith("http://127.0.0.1:1/")
    alleen = doel_via_proxy(doel, "http://127.0.0.1:1", None, ("catalogus",))
    assert list(alleen.dienst_urls()) == ["catalogus"] and alleen.loket is None
    verspreid = Doel(naam="v", diensten={"presenteren": "https://a.example/p", "catalogus": "https://b.example/c"})
    assert api_origin(verspreid) is None


def test_een_gemiste_mutatie_toont_wat_binnen_de_norm_gevonden_werd():
    from dso_acceptatie.zelftest import binnen_de_norm

    criteria = Criteria()
    binnen = binnen_de_norm([_r("gefaald", "hinderlijk", controle="response_headers_conformance"),
                             _r("gefaald", "hinderlijk", controle="response_headers_conformance"),
                             _r("gefaald", "ernstig", controle="x"), _r("gefaald", "informatief", controle="i"),
                             _r("geblokkeerd", "blokkerend", fase="last", controle="throttling")], criteria)
    assert binnen == ["contracten/response_headers_conformance (2, hinderlijk)", "last/throttling (1, geblokkeerd)"]
    gemist = Uitslag("proxy:a", "contracten", "accepteren", False, toegepast=4, binnen_norm=binnen)
    regel = next(r for r in als_tabel([gemist]).splitlines() if r.startswith("proxy:a"))
    assert "binnen de norm: contracten/response_headers_conformance (2, hinderlijk)" in regel and "GEMIST" in regel
