"""The calibration on its own: a real no-op server and control loop, and the decision rule."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from dso_acceptatie import slo as slo_mod
from dso_acceptatie.fasen.last.fase import weeg_meetomgeving
from dso_acceptatie.fasen.last.kalibratie import CONTROLE_P95_GRENS_MS, Cijfers, Kalibratie


def cijfers(p95: float, steal: float = 0.0, mislukt: int = 0) -> Cijfers:
    return Cijfers(controle_aantal=50, controle_mislukt=mislukt, controle_mediaan_ms=p95 / 2,
                   controle_p95_ms=p95, controle_max_ms=p95 * 2, cpu_bezet=0.5, cpu_steal=steal,
                   load_begin=1.0, load_eind=1.2, cores=2)


MIS = slo_mod.Uitkomst("presenteren POST /x", "p95-latentie", "gefaald", 900.0, 800.0, "ms",
                       "SLO overschreden: p95 900 ms; grens 800 ms")


def test_kalibratie_meet_echte_controleverzoeken_en_cpu():
    with Kalibratie(interval_s=0.02) as k:
        time.sleep(0.5)
    c = k.cijfers
    assert c is not None and c.controle_aantal >= 5 and c.controle_mislukt == 0
    assert 0 < c.controle_mediaan_ms <= c.controle_p95_ms <= c.controle_max_ms
    assert c.cpu_bezet is not None and 0 <= c.cpu_bezet <= 1 and c.cpu_steal >= 0
    assert c.details()["controle_aantal"] == c.controle_aantal
    # CPU pressure (PSI) where the kernel has it: a share of the measured time, never more
    if Path("/proc/pressure/cpu").exists():
        assert c.cpu_druk is not None and 0 <= c.cpu_druk <= 1 and "CPU-druk" in c.samenvatting()
    assert "cpu_druk" in c.details()
    assert "controleverzoek op loopback" in c.samenvatting()


def test_mis_op_gezonde_machine_blijft_gefaald():
    assert weeg_meetomgeving(MIS, cijfers(3.0)).status == "gefaald"


def test_mis_op_drukke_machine_is_geblokkeerd_met_cijfers():
    for machine, woord in ((cijfers(CONTROLE_P95_GRENS_MS * 3), "leeg verzoek op loopback"),
                           (cijfers(3.0, steal=0.3), "steal"),
                           (cijfers(3.0, mislukt=4), "geen antwoord")):
        u = weeg_meetomgeving(MIS, machine)
        assert u.status == "geblokkeerd" and "meetomgeving te druk" in u.bericht
        assert woord in u.bericht and "p95 900 ms" in u.bericht


def test_mis_ver_boven_wat_de_machine_verklaart_blijft_gefaald():
    # control p95 150 ms: the machine explains at most 10 × 150 = 1500 ms per request
    druk = cijfers(150.0)
    traag = slo_mod.Uitkomst("presenteren POST /x", "p95-latentie", "gefaald", 3200.0, 1000.0, "ms",
                             "SLO overschreden: p95 3200 ms; grens 1000 ms")
    u = weeg_meetomgeving(traag, druk)
    assert u.status == "gefaald" and "verklaart hoogstens 1500 ms" in u.bericht
    net_erover = replace(traag, gemeten=2400.0)
    assert weeg_meetomgeving(net_erover, druk).status == "geblokkeerd"
    # a control loop that lost answers explains anything
    assert weeg_meetomgeving(traag, cijfers(150.0, mislukt=3)).status == "geblokkeerd"


def test_geen_excuus_voor_fouten_of_voor_een_geslaagde_meting():
    druk = cijfers(CONTROLE_P95_GRENS_MS * 3)
    fouten = slo_mod.Uitkomst("x GET /y", "foutpercentage", "gefaald", 20.0, 1.0, "%", "20%")
    assert weeg_meetomgeving(fouten, druk).status == "gefaald"
    goed = slo_mod.Uitkomst("x GET /y", "p95-latentie", "geslaagd", 10.0, 800.0, "ms", "ok")
    assert weeg_meetomgeving(goed, druk).status == "geslaagd"


def test_cpu_druk_van_buiten_maakt_de_machine_te_druk():
    # tasks waited for a CPU and half of the CPU time went to processes that are neither the
    # harness nor the target (a CPU burner beside the run): no verdict on the service
    van_buiten = replace(cijfers(3.0), cpu_druk=0.85, vreemde_cpu=0.5)
    assert van_buiten.te_druk and "buiten de harness en het doel" in van_buiten.redenen[0]
    u = weeg_meetomgeving(MIS, van_buiten)
    assert u.status == "geblokkeerd" and "taken wachtten 85%" in u.bericht


def test_cpu_druk_van_het_doel_zelf_blijft_gefaald():
    # the same pressure, but the harness and the target used the CPU themselves (a target that
    # burns CPU): the miss is the target's, and the message says why the pressure was no excuse
    zelf = replace(cijfers(3.0), cpu_druk=0.85, vreemde_cpu=0.05)
    assert not zelf.te_druk
    u = weeg_meetomgeving(MIS, zelf)
    assert u.status == "gefaald" and "CPU-druk 85%" in u.bericht and "5% van buiten" in u.bericht
    # CPU used from outside without anyone waiting for a CPU is no contention either
    assert not replace(cijfers(3.0), cpu_druk=0.05, vreemde_cpu=0.6).te_druk
    assert "CPU-druk" not in weeg_meetomgeving(MIS, replace(cijfers(3.0), cpu_druk=0.1)).bericht
    # without PSI (older kernels) a nearly full CPU used from outside decides
    zonder_psi = replace(cijfers(3.0), cpu_bezet=0.97, vreemde_cpu=0.5)
    assert zonder_psi.te_druk and "97% bezet" in zonder_psi.redenen[0]


def _brander(seconden: float) -> subprocess.Popen:
    code = f"import time\nt = time.monotonic() + {seconden}\nwhile time.monotonic() < t:\n    pass\n"
    return subprocess.Popen([sys.executable, "-c", code])


def test_kalibratie_ziet_een_brander_van_buiten_en_rekent_het_doel_niet_mee():
    # a real CPU burner beside the measurement: its CPU time is "from outside" ...
    brander = _brander(4)
    try:
        time.sleep(0.2)
        with Kalibratie(interval_s=0.05) as buiten:
            time.sleep(1.0)
        # ... unless it is named as the target's own process
        with Kalibratie(interval_s=0.05, eigen_pids=[brander.pid]) as als_doel:
            time.sleep(1.0)
    finally:
        brander.kill()
        brander.wait()
    b, d = buiten.cijfers, als_doel.cijfers
    assert b is not None and d is not None
    # one burner keeps one of the cores busy (more when other processes run beside it)
    assert b.vreemde_cpu is not None and b.vreemde_cpu >= 1 / (os.cpu_count() or 1) * 0.6, b.details()
    assert d.vreemde_cpu is not None and d.vreemde_cpu <= d.cpu_bezet - 0.1, d.details()
