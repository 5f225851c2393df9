"""The last phase end to end: real reference LV on 127.0.0.1, real locust, short bounded runs.

Each run uses the test profile below (4 users, 4 s) instead of the full profile of the main run;
the SLO limits are loose enough for a busy CI machine and still far from the faults' effects
(every fifth call a 503 = 20% errors; the slow service waits 2.5 s per call against a 1 s limit).
The slow service costs no CPU, so its machine stays healthy and the breach stays 'gefaald'.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from dso_acceptatie.diensten import DIENSTEN
from dso_acceptatie.processen import stop_procesgroep
from dso_acceptatie.records import lees_records
from dso_acceptatie.referentie import ReferentieLV

pytestmark = pytest.mark.traag
ROOT = Path(__file__).resolve().parents[2]

SLEUTEL_VARIABELE = "DSO_LAST_TEST_SLEUTEL"
ZOEK = "presenteren POST /annotaties/regeltekstannotaties/_zoek"
SUGGEST = "locatieserver GET /suggest"
TEST_SLO = f"""\
[profielen.kort]
omschrijving = "test: kort en klein"
gebruikers = 4
spawnsnelheid = 4
duur_s = 4
reizen_per_gebruiker_per_s = 2
alleen_loopback = true

[limieten]
presenteren = 150

[standaard]
p95_ms = 1000
foutpercentage = 1.0
min_verzoeken = 3

[endpoints."{ZOEK}"]
p95_ms = 1000
# at 2.5 s per call (fault traag:presenteren) a busy machine may fit only a few calls in 4 s
min_verzoeken = 1

[endpoints."{SUGGEST}"]
doorvoer_min = 0.5
"""


@pytest.fixture(autouse=True)
def _traag_genoeg(monkeypatch):
    # read by the reference LV child: 2.5 s per call on the slow service
    monkeypatch.setenv("REFERENTIE_LV_TRAAG_SECONDEN", "2.5")


def draai_fase(tmp_path: Path, fouten: str = "", slo_tekst: str = TEST_SLO,
               doel_extra: dict | None = None, starten: bool = True,
               extra_env: dict | None = None) -> tuple[Path, list[dict], str]:
    sleutel = "lt-" + secrets.token_urlsafe(18)
    run_map = tmp_path / "run"
    run_map.mkdir()
    slo_pad = tmp_path / "slo.toml"
    slo_pad.write_text(slo_tekst, encoding="utf-8")
    env = dict(os.environ, **{SLEUTEL_VARIABELE: sleutel}, DSO_LAST_SLO=str(slo_pad),
               DSO_LAST_PROFIEL="kort")
    env.update(extra_env or {})

    def met_origin(origin: str) -> None:
        doel = {"naam": "referentie", "soort": "referentie", "origin": origin,
                "diensten": {n: origin + d.basispad for n, d in DIENSTEN.items()},
                "api_sleutel_variabele": SLEUTEL_VARIABELE, "alleen_lezen": False,
                "max_verzoeken_per_seconde": None, **(doel_extra or {})}
        (run_map / "doel.json").write_text(json.dumps(doel), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "dso_acceptatie.fasen.last", "--run-map",
                        str(run_map), "--doel", str(run_map / "doel.json"), "--run-id", "t"],
                       env=env, check=True, timeout=120)

    if starten:
        with ReferentieLV(api_sleutel=sleutel, fouten=fouten, data_map=tmp_path / "data",
                          log=tmp_path / "referentie.log") as lv:
            met_origin(lv.origin)
    else:
        met_origin("http://127.0.0.1:9")   # nothing listens there: these cases send nothing
    return run_map, list(lees_records(run_map)), sleutel


def per_slo(records: list[dict]) -> dict[tuple[str, str], dict]:
    return {(r["onderwerp"], r["controle"]): r for r in records}


def test_schone_referentie_haalt_alle_slos_en_de_sleutel_staat_nergens(tmp_path):
    run_map, records, sleutel = draai_fase(tmp_path)
    r = per_slo(records)
    profiel = r[("lastprofiel", "lastprofiel")]
    assert profiel["status"] == "geslaagd" and profiel["details"]["profiel"] == "kort"
    # the chosen profile is bookkeeping, every SLO verdict a check
    assert profiel["soort"] == "administratie"
    kalibratie = r[("meetomgeving", "kalibratie")]
    assert kalibratie["soort"] == "administratie"
    assert kalibratie["details"]["controle_aantal"] >= 5       # 4 s of load, one per 0.1 s
    assert kalibratie["details"]["controle_p95_ms"] > 0
    slos = [x for x in records if x["controle"] not in ("lastprofiel", "kalibratie", "verloop")]
    assert all(x["soort"] == "controle" for x in slos)
    # progress in seconds of load, written by the phase process (locust is its subprocess)
    voortgang = json.loads((run_map / "voortgang" / "last.json").read_text(encoding="utf-8"))
    assert voortgang["eenheid"] == "s belasting"
    assert voortgang["gedaan"] == voortgang["totaal"] > 0
    # a timing miss is 'geblokkeerd' only when the calibration found this machine too busy
    assert slos and all(x["status"] == "geslaagd" or (
        x["status"] == "geblokkeerd" and "meetomgeving te druk" in x["bericht"]) for x in slos), [
        (x["onderwerp"], x["controle"], x["bericht"]) for x in slos if x["status"] != "geslaagd"]
    # every journey step was measured, with its figures and evidence in the record
    for endpoint in (SUGGEST, "locatieserver GET /free", ZOEK,
                     "geometrieopvragen GET /geometrieen/{geometrieIdentificatie}",
                     "regels-bij-activiteiten GET /activiteiten/{identificatie}",
                     "uitvoeren GET /werkzaamheden", "uitvoeren POST /conclusie/_bepaal"):
        rec = r[(endpoint, "p95-latentie")]
        assert rec["details"]["aantal"] >= 3 and rec["details"]["p95_ms"] > 0
        assert rec["component"] == endpoint.split(" ")[0]
    assert r[(SUGGEST, "doorvoer")]["status"] == "geslaagd"
    # locust's own SLO gate (events.quitting) agrees: exit code 0
    if not any(x["status"] == "geblokkeerd" for x in slos):
        assert profiel["details"]["locust_exitcode"] == 0
    schema = json.loads((ROOT / "schema" / "record.schema.json").read_text(encoding="utf-8"))
    for rec in records:
        jsonschema.validate(rec, schema)
    for pad in r[(ZOEK, "foutpercentage")]["bewijs"]:
        assert (run_map / pad).is_file()
    assert (run_map / "bewijs" / "last" / "rapport.html").stat().st_size > 1000
    for bestand in run_map.rglob("*"):
        if bestand.is_file():
            assert sleutel.encode() not in bestand.read_bytes(), bestand


def test_503_deel_laat_het_foutpercentage_falen_per_endpoint(tmp_path):
    _, records, _ = draai_fase(tmp_path, fouten="503-deel")
    r = per_slo(records)
    zoek = r[(ZOEK, "foutpercentage")]
    assert zoek["status"] == "gefaald" and zoek["ernst"] == "ernstig"
    assert 5 <= zoek["details"]["foutpercentage"] <= 50       # every fifth call per service
    assert any("HTTP 503" in m for m in zoek["details"]["foutmeldingen"])
    # server errors are counted apart from throttling
    assert zoek["details"]["serverfouten_5xx"] >= 1 and zoek["details"]["aantal_429"] == 0
    assert r[(SUGGEST, "foutpercentage")]["status"] == "gefaald"
    assert r[("lastprofiel", "lastprofiel")]["details"]["locust_exitcode"] == 1   # the gate


def test_trage_presenteren_laat_alleen_de_latentie_van_presenteren_falen(tmp_path):
    # On a busy machine most 2.5 s calls complete during locust's stop-timeout; they count only
    # because the phase reads the final statistics (locust_eind_stats.csv), not locust's
    # periodic CSV, which missed them (flaky 'te weinig verzoeken (0 …)' before)
    _, records, _ = draai_fase(tmp_path, fouten="traag:presenteren")
    r = per_slo(records)
    zoek = r[(ZOEK, "p95-latentie")]
    kalibratie = r[("meetomgeving", "kalibratie")]["details"]
    if kalibratie["te_druk"]:
        # a busy CI machine: a 2.5 s miss is still the service's unless the machine showed a
        # delay that could explain it (kalibratie: verklaarbare_vertraging_ms)
        assert zoek["status"] in ("gefaald", "geblokkeerd"), zoek["bericht"]
        if zoek["status"] == "geblokkeerd":
            assert "meetomgeving te druk" in zoek["bericht"], zoek["bericht"]
    else:
        # a healthy machine (a sleeping service costs no CPU): the miss is the target's
        assert zoek["status"] == "gefaald", zoek["bericht"]
    assert zoek["details"]["gemeten"] >= 2500 and "SLO overschreden" in zoek["bericht"]
    assert "bewijs/last/locust_eind_stats.csv" in zoek["bewijs"]
    assert r[(ZOEK, "foutpercentage")]["status"] == "geslaagd"
    for ander in (SUGGEST, "uitvoeren POST /conclusie/_bepaal"):
        assert r[(ander, "p95-latentie")]["status"] != "gefaald", r[(ander, "p95-latentie")]


def test_drukke_meetmachine_maakt_van_een_schone_referentie_geen_falen(tmp_path):
    # Two CPU burners (one per core of the CI machine), bounded to 90 s by their own clock (the
    # measurement must fall inside, also on a slow CI machine) and killed at the end; the
    # reference and locust run beside them. Niced: they still take every idle cycle (the CPU is
    # full, and from outside), but the browser tests on the other xdist worker keep their share
    # (at normal priority a Playwright wait there once ran out while they burned).
    brander = ("import os, time\nos.nice(10)\nt = time.monotonic() + 90\n"
               "while time.monotonic() < t:\n    pass\n")
    branders = [subprocess.Popen([sys.executable, "-c", brander]) for _ in range(os.cpu_count() or 2)]
    try:
        _, records, _ = draai_fase(tmp_path)
    finally:
        for b in branders:
            b.kill()
            b.wait()
    r = per_slo(records)
    kalibratie = r[("meetomgeving", "kalibratie")]
    assert kalibratie["details"]["controle_aantal"] > 0 and kalibratie["details"]["cpu_bezet"] > 0
    # the calibration saw the burners: CPU time from outside the harness and the target. Whether
    # that made the machine too busy depends on how long our own tasks waited for a CPU (PSI):
    # two burners on two cores barely delay them (the scheduler favours the sleeping locust and
    # reference: 10% CPU pressure, the same p95 as on a quiet machine in benchmarks/kalibratie.py),
    # eight do (98%). Either way the clean reference must not fail.
    assert kalibratie["details"]["vreemde_cpu"] >= 0.25, kalibratie["details"]
    slos = [x for x in records if x["controle"] not in ("lastprofiel", "kalibratie", "verloop")]
    assert slos
    for x in slos:
        # never a failure of the clean reference; a timing miss names the busy machine
        assert x["status"] != "gefaald", (x["onderwerp"], x["controle"], x["bericht"])
        if x["status"] == "geblokkeerd":
            assert "meetomgeving te druk" in x["bericht"] and kalibratie["details"]["te_druk"]


def test_throttling_telt_als_fout_en_429_noemt_retry_after(tmp_path, monkeypatch):
    # The reference throttles Presenteren at one request per second per key for this run; three
    # citizens start at once, so some calls get 429 even on a slow machine. Each counts as a
    # failure, with its Retry-After, apart from server errors. After the load, the throttling
    # check provokes that documented limit on purpose and finds it enforced.
    monkeypatch.setenv("REFERENTIE_LV_LIMIETEN", "presenteren=1")
    _, records, sleutel = draai_fase(tmp_path, slo_tekst=TEST_SLO + "\n[throttling]\npresenteren = 1\n")
    r = per_slo(records)
    zoek = r[(ZOEK, "foutpercentage")]
    assert zoek["status"] == "gefaald"
    assert any("HTTP 429 te veel verzoeken (Retry-After: " in m
               for m in zoek["details"]["foutmeldingen"]), zoek["details"]["foutmeldingen"]
    assert zoek["details"]["aantal_429"] >= 1 and zoek["details"]["serverfouten_5xx"] == 0
    assert r[(SUGGEST, "foutpercentage")]["status"] == "geslaagd"
    check = r[("presenteren throttling", "throttling")]
    assert check["status"] == "geslaagd" and check["soort"] == "controle", check["bericht"]
    assert check["details"]["aantal_429"] >= 1 and check["details"]["proefverzoek"].startswith("GET ")
    assert sleutel not in str(check)


def test_zonder_throttling_faalt_de_throttlingcontrole_van_de_fase(tmp_path, monkeypatch):
    monkeypatch.setenv("REFERENTIE_LV_LIMIETEN", "presenteren=0")     # throttling switched off
    _, records, _ = draai_fase(tmp_path, slo_tekst=TEST_SLO + "\n[throttling]\npresenteren = 5\n")
    check = per_slo(records)[("presenteren throttling", "throttling")]
    assert check["status"] == "gefaald" and check["ernst"] == "ernstig"
    assert "geen enkele 429" in check["bericht"] and check["details"]["aantal_429"] == 0


def test_trap_vindt_het_breekpunt_van_de_trage_dienst(tmp_path):
    # 6 s a step: long enough that some 2.5 s calls complete in every step, also on a busy machine
    trap = ("\n[profielen.trap]\ngebruikers = 6\nspawnsnelheid = 6\nduur_s = 6\n"
            "reizen_per_gebruiker_per_s = 2\nalleen_loopback = true\ntrap_stappen = [3, 6]\n")
    run_map, records, _ = draai_fase(tmp_path, fouten="traag:presenteren", slo_tekst=TEST_SLO + trap,
                                     extra_env={"DSO_LAST_PROFIEL": "trap"})
    r = per_slo(records)
    zoek = r[(ZOEK, "capaciteit")]
    assert zoek["status"] == "gefaald", zoek["bericht"]
    # it breaks at the first step where one of its 2.5 s calls completed (a step without a
    # measurement gives no verdict)
    eerste = next(s["gebruikers"] for s in zoek["details"]["stappen"] if s["aantal"])
    assert zoek["details"]["brak_bij_gebruikers"] == eerste and "hield geen enkele trap" in zoek["bericht"]
    assert zoek["details"]["hoogste_gehouden_gebruikers"] is None
    # the other journey is not slowed down: it holds the highest step
    werk = r[("uitvoeren GET /werkzaamheden", "capaciteit")]
    assert werk["status"] == "geslaagd" and werk["details"]["hoogste_gehouden_gebruikers"] == 6, werk
    assert [s["gebruikers"] for s in werk["details"]["stappen"]] == [3, 6]
    # one calibration per step, and locust's own CSV of every step kept as evidence
    assert {k for k in r if k[1] == "kalibratie"} == {("meetomgeving trap 3", "kalibratie"),
                                                    ("meetomgeving trap 6", "kalibratie")}
    for pad in werk["bewijs"]:
        assert (run_map / pad).is_file()
    assert (run_map / "bewijs" / "last" / "trap_6_stats.csv").is_file()


def test_een_crashende_reis_blokkeert_de_meting(tmp_path):
    load = tmp_path / "load"
    load.mkdir()
    (load / "locust.conf").write_text((ROOT / "load" / "locust.conf").read_text("utf-8"), "utf-8")
    for naam in ("raadplegen", "vergunningcheck"):
        (load / f"{naam}.py").write_text(
            "from locust import task\n"
            "from dso_acceptatie.fasen.last.locust_steun import DsoGebruiker\n\n\n"
            f"class Kapot_{naam}(DsoGebruiker):\n"
            "    @task\n"
            "    def reis(self):\n"
            "        raise RuntimeError('kapotte reis')\n", encoding="utf-8")
    _, records, _ = draai_fase(tmp_path, starten=False, extra_env={"DSO_LAST_MAP": str(load)})
    r = per_slo(records)
    crash = r[("lasttest", "reis-uitzonderingen")]
    assert crash["status"] == "geblokkeerd" and "kapotte reis" in crash["bericht"]
    assert r[(ZOEK, "foutpercentage")]["status"] == "gefaald"       # never reached


def test_kapot_slo_bestand_blokkeert_met_bestand_en_regel(tmp_path):
    tekst = TEST_SLO + "\n[standaard2]\np95_ms = 3\n"
    run_map, records, _ = draai_fase(tmp_path, slo_tekst=tekst, starten=False)
    [rec] = records
    regel = tekst.splitlines().index("[standaard2]") + 1
    assert rec["status"] == "geblokkeerd" and rec["controle"] == "configuratie"
    assert f"slo.toml:{regel}: onbekende sleutel 'standaard2'" in rec["bericht"]
    assert not (run_map / "bewijs" / "last" / "locust_stats.csv").exists()


def test_alleen_lezen_doel_wordt_niet_belast(tmp_path):
    run_map, records, _ = draai_fase(tmp_path, doel_extra={"alleen_lezen": True, "naam": "prod"},
                                     starten=False)
    [rec] = records
    assert rec["status"] == "overgeslagen" and "alleen-lezen" in rec["bericht"]
    assert not (run_map / "bewijs" / "last" / "locust.log").exists()


KORTE_DUURTEST = """
[profielen.kortduur]
gebruikers = 4
spawnsnelheid = 4
# distributed, the master's history moves in steps of the workers' 3 s reports: 12 s gives
# each third of the run (after warm-up) at least two points
duur_s = 12
reizen_per_gebruiker_per_s = 2
alleen_loopback = true
max_verzoeken_per_seconde = 200
max_latentiedrift = 3
max_foutgroei = 5
max_geheugengroei_mb = 500
"""


def test_twee_lokale_workers_tellen_op_tot_de_master_in_een_korte_duurtest(tmp_path):
    # locust's own master/worker protocol with two local worker processes: the master's totals
    # (its CSV, its SLO gate) are exactly the sum of what each worker sent. The profile is a
    # short soak, so the checks over time run on the master's history as well (one run for both:
    # the suite's time budget).
    run_map, records, sleutel = draai_fase(tmp_path, slo_tekst=TEST_SLO + KORTE_DUURTEST,
                                           extra_env={"DSO_LAST_WORKERS": "2",
                                                      "DSO_LAST_PROFIEL": "kortduur"})
    r = per_slo(records)
    assert ("lasttest", "verdeelde-telling") not in r
    profiel = r[("lastprofiel", "lastprofiel")]
    assert profiel["details"]["werkers"] == 2 and "verdeeld over 2 workers" in profiel["bericht"]
    telling = profiel["details"]["werkertelling"]
    per_werker = [w["verzoeken"] for w in telling["werkers"]]
    assert len(per_werker) == 2 and all(n > 0 for n in per_werker), telling
    with open(run_map / "bewijs" / "last" / "locust_eind_stats.csv", newline="", encoding="utf-8") as f:
        [totaal] = [int(rij["Request Count"]) for rij in csv.DictReader(f) if rij["Name"] == "Aggregated"]
    assert totaal == sum(per_werker) == telling["master"]["verzoeken"]
    # what the master heard from each worker is what that worker counted itself
    assert sorted(telling["master"]["per_werker"].values()) == sorted(per_werker)
    # the SLO records come from the master's figures
    assert r[(SUGGEST, "p95-latentie")]["details"]["aantal"] > 0
    assert sum(x["details"]["aantal"] for x in records
               if x["controle"] == "foutpercentage" and "aantal" in x["details"]) == totaal
    for bestand in run_map.rglob("*"):
        if bestand.is_file():
            assert sleutel.encode() not in bestand.read_bytes(), bestand
    # the soak checks: per endpoint latency drift and error growth from locust's own history,
    # and the memory of the reference (found by its loopback port) sampled every second
    for endpoint in (SUGGEST, ZOEK):
        drift, groei = r[(endpoint, "latentiedrift")], r[(endpoint, "foutgroei")]
        assert drift["soort"] == groei["soort"] == "controle"
        # a clean reference has no errors at all, so no error growth, on any machine; on a very
        # busy machine a 12 s soak may have no requests of an endpoint in its first or last third,
        # and then the check says so (the decision rule itself: tests/last/test_verloop.py)
        assert groei["status"] in ("geslaagd", "overgeslagen"), groei["bericht"]
        if groei["status"] == "overgeslagen":
            assert "geen verzoeken" in groei["bericht"], groei["bericht"]
        if drift["status"] != "overgeslagen":
            assert drift["details"]["p95_begin_ms"] > 0 and drift["details"]["max_factor"] == 3
    geheugen = r[("geheugen van het doel", "geheugengroei")]
    assert geheugen["status"] == "geslaagd", geheugen["bericht"]     # 500 MB: a real leak only
    assert geheugen["details"]["monsters"] >= 3 and geheugen["details"]["geheugen_begin_mb"] > 10
    assert (run_map / "bewijs" / "last" / "locust_stats_history.csv").is_file()
    # the course per second for the report's charts: bookkeeping, from the master's history
    loop = r[("verloop kortduur", "verloop")]
    assert loop["soort"] == "administratie" and loop["details"]["slo_p95_ms"][ZOEK] == 1000
    assert max(loop["details"]["reeksen"]["Aggregated"]["doorvoer"]) > 0


def test_master_host_met_een_worker_zoals_deploy_hem_start(tmp_path):
    # --master-host: the phase starts only the master and waits; the worker comes from elsewhere,
    # started with nothing but the locustfiles and the master's address (deploy/), and gets the
    # rest (profile, SLO file, service URLs) from the master. Against a dead loopback port: the
    # protocol is the subject here, the failures are counted like any other.
    from dso_acceptatie.fasen.last.fase import vrije_poort

    poort = vrije_poort()
    werker = subprocess.Popen(
        [sys.executable, "-m", "locust", "-f", "load/raadplegen.py,load/vergunningcheck.py",
         "--config", "load/locust.conf", "--worker", "--master-host", "127.0.0.1", "--master-port",
         str(poort)], cwd=ROOT, env=dict(os.environ, **{SLEUTEL_VARIABELE: "x"}),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _, records, _ = draai_fase(tmp_path, starten=False, extra_env={
            "DSO_LAST_WORKERS": "1", "DSO_LAST_MASTER_HOST": "127.0.0.1", "DSO_LAST_MASTER_POORT": str(poort)})
        werker.wait(timeout=30)     # it quits on the master's word
    finally:
        stop_procesgroep(werker)
    r = per_slo(records)
    profiel = r[("lastprofiel", "lastprofiel")]
    assert profiel["details"]["master_host"] == "127.0.0.1" and "via 127.0.0.1" in profiel["bericht"]
    telling = profiel["details"]["werkertelling"]
    [(_, gemeld)] = telling["master"]["per_werker"].items()
    # the worker wrote its own count into the folder the master named: the options came across
    [eigen] = telling["werkers"]
    assert gemeld == eigen["verzoeken"] == telling["master"]["verzoeken"] > 0
    assert r[(SUGGEST, "foutpercentage")]["status"] == "gefaald"     # nothing listens there


def test_master_host_elders_met_een_loopback_doel_wordt_geweigerd(tmp_path):
    _, records, _ = draai_fase(tmp_path, starten=False, extra_env={
        "DSO_LAST_WORKERS": "2", "DSO_LAST_MASTER_HOST": "10.1.2.3"})
    rec = per_slo(records)[("lastprofiel", "lastprofiel")]
    assert rec["status"] == "geblokkeerd" and "loopback van deze machine" in rec["bericht"]


def test_verkeerde_workers_blokkeert_met_uitleg(tmp_path):
    _, records, _ = draai_fase(tmp_path, starten=False, extra_env={"DSO_LAST_WORKERS": "veel"})
    [rec] = records
    assert rec["status"] == "geblokkeerd" and "DSO_LAST_WORKERS = 'veel'" in rec["bericht"]
