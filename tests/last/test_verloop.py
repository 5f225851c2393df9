"""The soak checks over time (verloop.py) on locust's own history CSV, the duur/piek profiles,
the target's memory, and the distribution options. No load here: the end-to-end soak is in
test_fase.py (two workers, short soak)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dso_acceptatie import slo
from dso_acceptatie.configuratie import ConfiguratieFout
from dso_acceptatie.fasen.basis import DoelInfo
from dso_acceptatie.fasen.last import fase, verloop

ROOT = Path(__file__).resolve().parents[2]
KOP = ("Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,"
       "99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,"
       "Total Average Response Time,Total Min Response Time,Total Max Response Time,"
       "Total Average Content Size\n")
E = "presenteren POST /annotaties/regeltekstannotaties/_zoek"


def geschiedenis(tmp_path: Path, p95, fouten_per_s=None, seconden: int = 30) -> Path:
    """A stats_history.csv as locust writes it: per second one row of E and one Aggregated."""
    regels = [KOP]
    aantal = fouten = 0
    for t in range(seconden):
        aantal += 10
        fouten += (fouten_per_s or (lambda _t: 0))(t)
        waarde = p95(t)
        p = "N/A" if waarde is None else str(waarde)
        for naam in (E, "Aggregated"):
            regels.append(f"{1796000000 + t},10,POST,{naam},10.0,0.0,{p},{p},{p},{p},{p},{p},{p},{p},{p},"
                          f"{p},{p},{aantal},{fouten},5,5.0,1,{p},100\n")
    pad = tmp_path / "locust_stats_history.csv"
    pad.write_text("".join(regels), encoding="utf-8")
    return pad


def test_stabiele_latentie_geeft_geen_drift_en_oplopende_wel(tmp_path):
    stabiel = verloop.lees_verloop(geschiedenis(tmp_path, lambda t: 40 + t % 3))[E]
    o = verloop.latentiedrift(E, stabiel, 1.5)
    assert o.status == "geslaagd" and o.details["factor"] < 1.5
    oplopend = verloop.lees_verloop(geschiedenis(tmp_path, lambda t: 40 + 10 * t))[E]
    o = verloop.latentiedrift(E, oplopend, 1.5)
    assert o.status == "gefaald" and "loopt op" in o.bericht and o.details["p95_eind_ms"] > 200
    # a doubling of a few milliseconds is noise, not drift
    klein = verloop.lees_verloop(geschiedenis(tmp_path, lambda t: 3 if t < 15 else 7))[E]
    assert verloop.latentiedrift(E, klein, 1.5).status == "geslaagd"


def test_te_korte_reeks_geeft_geen_oordeel(tmp_path):
    kort = verloop.lees_verloop(geschiedenis(tmp_path, lambda t: 40, seconden=3))[E]
    assert verloop.latentiedrift(E, kort, 1.5).status == "overgeslagen"
    leeg = verloop.lees_verloop(geschiedenis(tmp_path, lambda t: None))[E]
    assert verloop.latentiedrift(E, leeg, 1.5).status == "overgeslagen"
    assert verloop.lees_verloop(tmp_path / "bestaat-niet.csv") == {}


def test_foutgroei_uit_de_cumulatieve_tellingen(tmp_path):
    groeiend = verloop.lees_verloop(geschiedenis(tmp_path, lambda t: 40,
                                                 fouten_per_s=lambda t: 2 if t > 20 else 0))[E]
    o = verloop.foutgroei(E, groeiend, 1.0)
    assert o.status == "gefaald" and o.details["foutpercentage_eind"] >= 10
    assert o.details["foutpercentage_begin"] == 0
    gelijk = verloop.lees_verloop(geschiedenis(tmp_path, lambda t: 40, fouten_per_s=lambda t: 1))[E]
    assert verloop.foutgroei(E, gelijk, 1.0).status == "geslaagd"


def test_geheugengroei():
    vlak = [(float(t), 200.0 + t % 2) for t in range(30)]
    assert verloop.geheugengroei(vlak, 100, "doel").status == "geslaagd"
    lek = [(float(t), 200.0 + 10 * t) for t in range(30)]
    o = verloop.geheugengroei(lek, 100, "doel")
    assert o.status == "gefaald" and o.details["groei_mb"] > 100
    assert verloop.geheugengroei(lek[:3], 100, "doel").status == "overgeslagen"


def test_geheugen_van_een_echt_luisterend_proces(tmp_path):
    # a real server on loopback in a child process: found by its port, its RSS measured
    server = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        regel = server.stdout.readline()          # "Serving HTTP on 127.0.0.1 port N ..."
        poort = int(regel.split(" port ")[1].split()[0])
        pids = verloop.luisteraars(f"http://127.0.0.1:{poort}/x")
        assert pids == [server.pid]
        with verloop.Geheugenmeter(pids, interval_s=0.05) as meter:
            while len(meter.monsters) < 3:
                meter._stop.wait(0.05)
        assert all(mb > 1 for _, mb in meter.monsters)
    finally:
        server.kill()
        server.wait()
        server.stdout.close()
    assert verloop.luisteraars("http://127.0.0.1:9/") == []


def test_duur_en_piek_in_het_projectbestand_zijn_begrensd():
    s = slo.lees(ROOT / "load" / "slo.toml")
    duur, piek = s.profielen["duur"], s.profielen["piek"]
    assert duur.is_duurtest and duur.max_verzoeken_per_seconde and duur.alleen_loopback
    assert duur.duur_s <= slo.MAX_DUUR_SOAK_S and piek.duur_s <= slo.MAX_DUUR_S
    assert piek.alleen_loopback and not piek.is_duurtest and piek.gebruikers <= slo.MAX_GEBRUIKERS
    # duur on a target naming its maximum rate: allowed and capped by it; without: refused
    pre = ["https://pre.example.nl/x"]
    k = fase.kies_profiel(DoelInfo.uit_json({"naam": "pre", "max_verzoeken_per_seconde": 8}), s, pre,
                          gevraagd="duur")
    assert k.profiel is not None and k.max_per_seconde == 8
    k = fase.kies_profiel(DoelInfo.uit_json({"naam": "pre"}), s, pre, gevraagd="duur")
    assert k.profiel is None and "maximale tempo" in k.reden
    assert fase.kies_profiel(DoelInfo.uit_json({"naam": "pre", "max_verzoeken_per_seconde": 8}), s, pre,
                             gevraagd="piek").profiel is None


def test_duurtest_zonder_plafond_of_te_lang_wordt_geweigerd(tmp_path):
    basis = ("[profielen.d]\ngebruikers = 2\nspawnsnelheid = 1\nreizen_per_gebruiker_per_s = 1\n"
             "max_latentiedrift = 1.5\n")
    pad = tmp_path / "slo.toml"
    pad.write_text(basis + "duur_s = 60\n", encoding="utf-8")
    with pytest.raises(ConfiguratieFout, match=r"slo.toml:5: .*zonder max_verzoeken_per_seconde"):
        slo.lees(pad)
    pad.write_text(basis + "max_verzoeken_per_seconde = 5\nduur_s = 3600\n", encoding="utf-8")
    with pytest.raises(ConfiguratieFout, match="duur_s"):
        slo.lees(pad)
    pad.write_text(basis + "max_verzoeken_per_seconde = 5\nduur_s = 900\n", encoding="utf-8")
    assert slo.lees(pad).profielen["d"].duur_s == 900


def test_verdeling_uit_opties_en_omgeving():
    assert fase.lees_verdeling([], {}) == fase.Verdeling()
    assert fase.lees_verdeling(["--workers", "3"], {}).werkers == 3
    v = fase.lees_verdeling([], {"DSO_LAST_WORKERS": "4", "DSO_LAST_MASTER_HOST": "10.0.0.5"})
    assert v.werkers == 4 and v.op_afstand and v.master_poort == fase.STANDAARD_MASTER_POORT
    for argv, omgeving, woord in ((["--workers", "-1"], {}, "--workers"), ([], {"DSO_LAST_WORKERS": "99"}, "32"),
                                  (["--master-host", "h"], {}, "zonder --workers"),
                                  (["--workers", "2", "--master-poort", "0"], {}, "--master-poort")):
        with pytest.raises(ConfiguratieFout, match=woord):
            fase.lees_verdeling(argv, omgeving)
    assert os.environ.get("DSO_LAST_WORKERS") is None
