"""Afnemer sessions end to end: the real command, the real reference LV, the real proxy, the
example clients of afnemers/voorbeelden. Every rule of every role is shown to pass on the correct
client and to fail on a client that breaks it; the verdicts differ exactly where a client is wrong.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VOORBEELDEN = ROOT / "afnemers" / "voorbeelden"
NALATIG = Path(__file__).with_name("nalatig.py")
SLORDIG = Path(__file__).with_name("slordig.py")
LIJSTEN = {"viewer": "/publiek/omgevingsdocumenten/api/presenteren/v8/regelingen",
           "vth": "/overheid/verzoeken/api/afhandelen/v1/verzoeken",
           "vergunningcheck": "/publiek/toepasbare-regels/api/toepasbareregelsuitvoerenservices/v3/werkzaamheden"}
ECHTE_SLEUTEL = "echte-referentiesleutel-0123456789"


class Sessie:
    def __init__(self, proces: subprocess.CompletedProcess, rapporten: Path):
        self.proces = proces
        self.code = proces.returncode
        runs = list((rapporten / "runs").iterdir())
        assert len(runs) == 1, proces.stdout + proces.stderr
        self.map = runs[0]
        self.records = [json.loads(r) for r in (self.map / "records" / "afnemers.jsonl").read_text().splitlines()]
        self.status = {r["controle"]: r["status"] for r in self.records if r["soort"] == "controle"}

    def regels(self, status: str) -> set[str]:
        return {c for c, s in self.status.items() if s == status and c != "sessie-verkeer"}


def sessie(tmp: Path, *args: str, env: dict | None = None) -> Sessie:
    rapporten = tmp / "rapporten"
    omgeving = dict(os.environ, DSO_REFERENTIE_API_KEY=ECHTE_SLEUTEL, **(env or {}))
    proces = subprocess.run([sys.executable, "-m", "dso_acceptatie", "afnemer", "--rapporten", str(rapporten),
                             *args], capture_output=True, text=True, timeout=120, env=omgeving, check=False)
    return Sessie(proces, rapporten)


def client(naam: str) -> list[str]:
    return ["--", sys.executable, str(VOORBEELDEN / f"{naam}.py")]


@pytest.fixture(scope="module")
def map_(tmp_path_factory):
    return tmp_path_factory


@pytest.fixture(scope="module")
def vth_goed(map_):
    return sessie(map_.mktemp("vth_goed"), "--rol", "vth", *client("vth_goed"))


@pytest.fixture(scope="module")
def vth_fout(map_):
    return sessie(map_.mktemp("vth_fout"), "--rol", "vth", *client("vth_fout"))


@pytest.fixture(scope="module")
def viewer_goed(map_):
    return sessie(map_.mktemp("viewer_goed"), "--rol", "viewer", *client("viewer_goed"))


@pytest.fixture(scope="module")
def viewer_fout(map_):
    return sessie(map_.mktemp("viewer_fout"), "--rol", "viewer", *client("viewer_fout"))


@pytest.fixture(scope="module")
def vergunningcheck_goed(map_):
    return sessie(map_.mktemp("vc_goed"), "--rol", "vergunningcheck", *client("vergunningcheck_goed"))


@pytest.fixture(scope="module")
def vergunningcheck_fout(map_):
    return sessie(map_.mktemp("vc_fout"), "--rol", "vergunningcheck", *client("vergunningcheck_fout"))


VERGUNNINGCHECK_REGELS = {"sleutel-in-header", "geen-sleutel-in-query", "kiest-werkzaamheid", "komt-tot-conclusie",
                          "alleen-gedocumenteerd", "herhaalt-na-503-met-wachttijd", "eindigt-netjes"}
VTH_REGELS = {"sleutel-in-header", "geen-sleutel-in-query", "haalt-nieuwe-verzoeken", "bladert-tot-laatste-pagina",
              "haalt-elk-verzoek", "haalt-elke-bijlage", "alleen-gedocumenteerd", "herhaalt-na-503-met-wachttijd",
              "post-niet-blind-herhalen", "eindigt-netjes"}
VIEWER_REGELS = {"sleutel-in-header", "geen-sleutel-in-query", "zoekt-op-locatie", "accept-crs",
                 "alleen-gedocumenteerd", "onder-tempo", "wacht-op-retry-after", "geduldig-bij-traag-antwoord",
                 "eindigt-netjes"}


def test_vth_goed_slaagt_op_elke_regel(vth_goed):
    assert vth_goed.code == 0, vth_goed.proces.stdout
    assert vth_goed.regels("geslaagd") == VTH_REGELS
    assert "Oordeel voor de rol: geslaagd" in vth_goed.proces.stdout


def test_vth_fout_faalt_precies_waar_de_client_fout_is(vth_fout):
    assert vth_fout.code == 1
    # no key on attachment downloads (so no attachment arrives), stops after page 1, tight retry loop
    # after the 503, blind re-POST of the receipt
    assert vth_fout.regels("gefaald") == {"sleutel-in-header", "haalt-elke-bijlage", "bladert-tot-laatste-pagina",
                                          "herhaalt-na-503-met-wachttijd", "post-niet-blind-herhalen"}
    assert vth_fout.regels("geslaagd") == VTH_REGELS - vth_fout.regels("gefaald")


def test_viewer_goed_slaagt_op_elke_regel(viewer_goed):
    assert viewer_goed.code == 0, viewer_goed.proces.stdout
    assert viewer_goed.regels("geslaagd") == VIEWER_REGELS


def test_viewer_fout_faalt_precies_waar_de_client_fout_is(viewer_fout):
    assert viewer_fout.code == 1
    assert viewer_fout.regels("gefaald") == {"geen-sleutel-in-query", "accept-crs", "alleen-gedocumenteerd",
                                             "wacht-op-retry-after", "geduldig-bij-traag-antwoord"}
    assert viewer_fout.regels("geslaagd") == VIEWER_REGELS - viewer_fout.regels("gefaald")


def test_vergunningcheck_goed_en_fout(vergunningcheck_goed, vergunningcheck_fout):
    assert vergunningcheck_goed.code == 0, vergunningcheck_goed.proces.stdout
    assert vergunningcheck_goed.regels("geslaagd") == VERGUNNINGCHECK_REGELS
    assert vergunningcheck_fout.code == 1
    # the werkzaamheid is fixed in the widget; a 503 is retried at once
    assert vergunningcheck_fout.regels("gefaald") == {"kiest-werkzaamheid", "herhaalt-na-503-met-wachttijd"}
    assert vergunningcheck_fout.regels("geslaagd") == VERGUNNINGCHECK_REGELS - vergunningcheck_fout.regels("gefaald")


@pytest.fixture(scope="module")
def slordig(map_):
    return {rol: sessie(map_.mktemp(f"slordig-{rol}"), "--rol", rol, "--", sys.executable, str(SLORDIG), pad)
            for rol, pad in LIJSTEN.items()}


def test_slordige_client_faalt_op_sleutel_query_specificatie_en_exitcode(slordig):
    for rol, s in slordig.items():
        assert {"sleutel-in-header", "geen-sleutel-in-query", "alleen-gedocumenteerd",
                "eindigt-netjes"} <= s.regels("gefaald"), rol
        assert s.code == 1
    # the VTH client read page 1 of the new requests and fetched none of them
    assert "haalt-elk-verzoek" in slordig["vth"].regels("gefaald")


def test_records_dragen_rol_en_bewijs(viewer_fout):
    regel = next(r for r in viewer_fout.records if r["controle"] == "wacht-op-retry-after")
    assert (regel["fase"], regel["component"], regel["rol"]) == ("afnemers", "viewer", "viewer-regels-op-de-kaart")
    assert regel["ernst"] == "ernstig" and regel["bewijs"] == ["verkeer.jsonl#2", "verkeer.jsonl#3"]
    verkeer = [json.loads(r) for r in (viewer_fout.map / "verkeer.jsonl").read_text().splitlines()]
    staged = next(u for u in verkeer if u["nr"] == 2)
    assert staged["status"] == 429 and staged["antwoord_headers"]["retry-after"] == "1"
    assert regel["details"]["gewacht_s"] < 1


@pytest.fixture(scope="module")
def tempo(map_):
    """The documented rate, lowered in a copy of the role so a burst crosses it on any machine (the
    correct client passes at the real rate in every viewer_goed session)."""
    tmp = map_.mktemp("tempo")
    rol = tmp / "viewer-traag.toml"
    rol.write_text((ROOT / "afnemers/rollen/viewer.toml").read_text().replace("max_per_seconde = 200",
                                                                                "max_per_seconde = 15"))
    return sessie(tmp / "fout", "--rol", str(rol), *client("viewer_fout"))


def test_tempo_boven_het_maximum_faalt(tempo, viewer_goed):
    assert tempo.status["onder-tempo"] == "gefaald"
    assert "15 per seconde" in next(r["bericht"] for r in tempo.records if r["controle"] == "onder-tempo")
    assert viewer_goed.status["onder-tempo"] == "geslaagd"


@pytest.fixture(scope="module")
def nalatig(map_):
    """Clients that do one call and nothing else (the viewer's exits with code 3)."""
    tmp = map_.mktemp("nalatig")
    return {
        "viewer": sessie(tmp / "viewer", "--rol", "viewer", "--", sys.executable, str(NALATIG), LIJSTEN["viewer"],
                         "3", env={"SLEUTEL_BESTAND": str(map_.getbasetemp() / "sleutel-nalatig-viewer.txt")}),
        "vth": sessie(tmp / "vth", "--rol", "vth", "--", sys.executable, str(NALATIG),
                      "/overheid/verzoeken/api/afhandelen/v1/openapi.json", "0"),
        "vergunningcheck": sessie(tmp / "vc", "--rol", "vergunningcheck", "--", sys.executable, str(NALATIG),
                                  LIJSTEN["vergunningcheck"], "0"),
    }


def test_geen_verplichte_aanroep_faalt_en_wat_niet_gezien_is_blokkeert(nalatig):
    viewer, vth, vc = nalatig["viewer"], nalatig["vth"], nalatig["vergunningcheck"]
    assert viewer.status["zoekt-op-locatie"] == "gefaald"
    assert viewer.status["eindigt-netjes"] == "gefaald"
    # no geometry call and no second list call: those rules are not proven either way
    assert viewer.status["accept-crs"] == viewer.status["wacht-op-retry-after"] == "geblokkeerd"
    assert vth.status["haalt-nieuwe-verzoeken"] == "gefaald"
    assert vth.status["bladert-tot-laatste-pagina"] == vth.status["haalt-elke-bijlage"] == "geblokkeerd"
    assert vc.status["komt-tot-conclusie"] == "gefaald" and vc.status["kiest-werkzaamheid"] == "geslaagd"
    assert vth.code == viewer.code == vc.code == 1


def test_elke_regel_van_elke_rol_slaagt_op_de_goede_client_en_faalt_op_een_foute(
        vth_goed, vth_fout, viewer_goed, viewer_fout, vergunningcheck_goed, vergunningcheck_fout,
        slordig, nalatig, tempo):
    from dso_acceptatie.afnemers.rollen import lees_rol

    goed = {"viewer": viewer_goed, "vth": vth_goed, "vergunningcheck": vergunningcheck_goed}
    fout = {"viewer": [viewer_fout, tempo], "vth": [vth_fout], "vergunningcheck": [vergunningcheck_fout]}
    for rol, sessies in fout.items():
        sessies += [slordig[rol], nalatig[rol]]
        for regel in lees_rol(rol).regels:
            assert goed[rol].status[regel.id] == "geslaagd", (rol, regel.id)
            assert any(s.status[regel.id] == "gefaald" for s in sessies), (rol, regel.id)


def test_sessie_zonder_verkeer_is_niet_getest(map_):
    s = sessie(map_.mktemp("leeg"), "--rol", "viewer", "--", sys.executable, "-c", "pass")
    assert s.code == 1
    assert s.status["sessie-verkeer"] == "geblokkeerd"
    assert set(s.status.values()) == {"geblokkeerd"}
    assert "niet getest" in s.proces.stdout


def test_interactieve_sessie_met_duur_zonder_verkeer(map_):
    s = sessie(map_.mktemp("duur"), "--rol", "viewer", "--duur", "0.5")
    assert s.code == 1 and "Testsleutel: sessie-" in s.proces.stdout
    assert s.status["sessie-verkeer"] == "geblokkeerd"


def test_geen_sleutel_in_enig_bestand_van_de_runmap(nalatig, viewer_fout, map_):
    sessiesleutel = (map_.getbasetemp() / "sleutel-nalatig-viewer.txt").read_text()
    assert sessiesleutel.startswith("sessie-")
    for sessie_ in (nalatig["viewer"], viewer_fout):
        for pad in sessie_.map.rglob("*"):
            if pad.is_file():
                inhoud = pad.read_bytes()
                assert sessiesleutel.encode() not in inhoud, pad
                assert ECHTE_SLEUTEL.encode() not in inhoud, pad
    # the client printed its key: its log in the run folder is masked
    assert "mijn sleutel is ***" in (nalatig["viewer"].map / "client.log").read_text()
    # the faulty viewer put its key in the query string: recorded, but masked
    assert "api_key=***" in (viewer_fout.map / "verkeer.jsonl").read_text()


def test_rapport_oordeelt_per_rol_over_de_sessie(viewer_goed, viewer_fout):
    """The report package reads the session's records like any run's: the role in rollen.toml."""
    for s, verwacht in ((viewer_goed, 0), (viewer_fout, 1)):
        r = subprocess.run([sys.executable, "-m", "dso_acceptatie", "rapport", str(s.map)], capture_output=True,
                           text=True, timeout=120, check=False)
        regel = next(x for x in r.stdout.splitlines() if "Viewer Regels op de kaart" in x)
        assert ("accepteren" in regel) == (verwacht == 0), r.stdout
        assert r.returncode == verwacht, r.stdout + r.stderr


@pytest.mark.parametrize("signaal,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["ctrl-c", "sigterm"])
def test_onderbreken_tijdens_de_client_beoordeelt_wat_er_is(tmp_path, signaal, code):
    """SIGINT or SIGTERM while the client runs: the client is stopped, the recording is judged,
    the run is marked onderbroken (exit 130 or 143), and no process is left behind."""
    rapporten = tmp_path / "rapporten"
    klant = ("import os, time, httpx\n"
             "httpx.get(os.environ['DSO_BASIS_URL'] + '/publiek/omgevingsdocumenten/api/presenteren/v8/regelingen',"
             " headers={'x-api-key': os.environ['DSO_API_KEY']})\n"
             "open(os.environ['KLAAR'], 'w').close()\n"
             "time.sleep(60)\n")
    klaar = tmp_path / "klaar"
    proces = subprocess.Popen([sys.executable, "-m", "dso_acceptatie", "afnemer", "--rapporten", str(rapporten),
                               "--rol", "viewer", "--", sys.executable, "-c", klant], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, env=dict(os.environ, KLAAR=str(klaar)))
    try:
        for _ in range(600):
            if klaar.exists():
                break
            time.sleep(0.1)
        assert klaar.exists(), "de client kwam niet aan zijn verzoek toe"
        proces.send_signal(signaal)
        uit, _ = proces.communicate(timeout=60)
    finally:
        if proces.poll() is None:
            proces.kill()
    assert proces.returncode == code, uit
    assert "Oordeel voor de rol: onderbroken" in uit
    run = next((rapporten / "runs").iterdir())
    records = [json.loads(r) for r in (run / "records" / "afnemers.jsonl").read_text().splitlines()]
    status = {r["controle"]: r["status"] for r in records}
    assert status["sleutel-in-header"] == "geslaagd" and status["eindigt-netjes"] == "geblokkeerd"
    einde = [json.loads(r) for r in (run / "records" / "run.jsonl").read_text().splitlines()][-1]
    assert einde["details"]["uitkomst"] == "onderbroken"


def test_extern_doel_achter_de_proxy(tmp_path):
    """A target the command does not start (like pre): the proxy sends the target's own Host,
    rewrites the target's origin in bodies and headers to its own (so the client's next call goes
    through the proxy again) and swaps the session key for the target's key from the environment."""
    from dso_acceptatie.referentie import ReferentieLV

    sleutel = "sleutel-van-het-externe-doel-42"
    with ReferentieLV(api_sleutel=sleutel, data_map=tmp_path / "ref") as ref:
        doelen = tmp_path / "doelen.toml"
        doelen.write_text(f'[doelen.lokaal]\norigin = "{ref.origin}"\napi_sleutel_variabele = "LOKAAL_API_KEY"\n'
                          'api_sleutel_verplicht = true\n', encoding="utf-8")
        s = sessie(tmp_path, "--rol", "viewer", "--doel", "lokaal", "--doelen", str(doelen), *client("viewer_goed"),
                   env={"LOKAAL_API_KEY": sleutel})
    assert s.code == 0, s.proces.stdout
    assert s.regels("geslaagd") == VIEWER_REGELS
    for pad in s.map.rglob("*"):
        if pad.is_file():
            assert sleutel.encode() not in pad.read_bytes(), pad
    assert ref.origin not in (s.map / "verkeer.jsonl").read_text()  # every link pointed at the proxy
