"""Part 2 of the leveringen phase: deliveries as a chain through the target (here the reference LV
as a real loopback server): valid copies accepted and visible in Presenteren at their geldigOp,
invalid ones refused with their code and changing nothing; never a delivery on a read-only target
or one without an intake; a target that answers wrongly fails the checks."""

from __future__ import annotations

import json

import httpx
import pytest

from dso_acceptatie.fasen.leveringen.fase import main
from dso_acceptatie.leveringen import keten
from dso_acceptatie.records import lees_records
from tests.leveringen.conftest import SLEUTEL

INTAKE = "/overheid/lvbb/api/aanleveren/v1"
PRESENTEREN = "/publiek/omgevingsdocumenten/api/presenteren/v8"


def _draai(tmp_path, monkeypatch, doel: dict, run_id: str = "keten-test") -> list[dict]:
    monkeypatch.delenv("DSO_LEVERINGEN_CONFIG", raising=False)
    monkeypatch.setenv("KETEN_TEST_SLEUTEL", SLEUTEL)
    run = tmp_path / "run"
    run.mkdir()
    (run / "doel.json").write_text(json.dumps({"soort": "extern", "api_sleutel_variabele": "KETEN_TEST_SLEUTEL",
                                               **doel}))
    assert main(["--run-map", str(run), "--doel", str(run / "doel.json"), "--run-id", run_id]) == 0
    records = list(lees_records(run))
    for pad in run.rglob("*"):
        if pad.is_file():
            assert SLEUTEL not in pad.read_text(encoding="utf-8", errors="replace"), pad
    return records


def test_keten_door_de_referentie(referentie, tmp_path, monkeypatch):
    records = _draai(tmp_path, monkeypatch, {
        "naam": "ref", "intake": referentie.url + INTAKE,
        "diensten": {"presenteren": referentie.url + PRESENTEREN}})
    keten_records = [r for r in records if r["component"] == "LVBB aanleveren (doel)"]
    _, gevallen = keten.gevallen("keten-test")
    uitkomst = [r for r in keten_records if r["controle"] == "aanlevering-uitkomst"]
    assert len(uitkomst) == len(gevallen)
    assert {r["status"] for r in keten_records} == {"geslaagd"}, [
        (r["onderwerp"], r["controle"], r["bericht"]) for r in keten_records if r["status"] != "geslaagd"]
    assert all(r["soort"] == "controle" and not r["details"].get("zelfcontrole") for r in keten_records)
    zichtbaar = [r for r in keten_records if r["controle"] == "presenteren-zichtbaar"]
    ongewijzigd = [r for r in keten_records if r["controle"] == "presenteren-ongewijzigd"]
    assert len(zichtbaar) == sum(g.verwacht == "geaccepteerd" for g in gevallen)
    assert len(ongewijzigd) == sum(g.verwacht == "afgewezen" for g in gevallen)
    slip = next(r for r in uitkomst if "zip-slip" in r["onderwerp"])
    assert slip["details"]["codes"] == ["LVBB1001"]
    # after the chain the test regeling is withdrawn: today the target serves what it served before
    vandaag = httpx.get(referentie.url + PRESENTEREN + "/regelingen", headers={"x-api-key": SLEUTEL}).json()
    assert [r["identificatie"] for r in vandaag["_embedded"]["regelingen"]] == [keten.WORK]
    # part 1 (self-check) is not configured for this vendor target: said, not hidden
    assert any(r["controle"] == "leveringen-beschikbaar" and r["status"] == "overgeslagen" for r in records)


def test_alleen_lezen_levert_nooit(tmp_path, monkeypatch):
    # The intake points at a closed port: an attempt would show up as a geblokkeerd record.
    records = _draai(tmp_path, monkeypatch, {"naam": "prod", "alleen_lezen": True,
                                             "intake": "http://127.0.0.1:9/x",
                                             "diensten": {"presenteren": "http://127.0.0.1:9/p"}})
    keten_records = [r for r in records if r["component"] == "LVBB aanleveren (doel)"]
    assert [(r["controle"], r["status"]) for r in keten_records] == [("levering-door-doel", "overgeslagen")]
    assert "alleen-lezen" in keten_records[0]["bericht"]


def test_zonder_intake_niets_aangeleverd(tmp_path, monkeypatch):
    records = _draai(tmp_path, monkeypatch, {"naam": "pre", "diensten": {"presenteren": "http://127.0.0.1:9/p"}})
    (rec,) = [r for r in records if r["component"] == "LVBB aanleveren (doel)"]
    assert rec["status"] == "overgeslagen" and "intake" in rec["bericht"]


def _nep_doel(weigert: bool):
    """A loopback target: its intake accepts every delivery (or refuses each at once with 422 and
    code LVBB1001), its Presenteren never changes."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def _json(self, code, body, extra=()):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("content-type", "application/json")
            for k, v in extra:
                self.send_header(k, v)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            self.rfile.read(int(self.headers.get("content-length") or 0))
            if weigert:
                self._json(422, {"status": 422, "title": "Geweigerd", "detail": "LVBB1001: geen geldige zip"})
            else:
                self._json(202, {"status": "ontvangen"}, [("location", f"{base}/intake/aanleveringen/1")])

        def do_GET(self):
            if self.path.startswith("/intake/"):
                self._json(200, {"status": "geaccepteerd", "historie": [{"status": "ontvangen"},
                                                                         {"status": "geaccepteerd"}],
                                 "verslag": {"bevindingen": []}})
            elif self.path.startswith("/p/regelingen?"):
                self._json(200, {"_embedded": {"regelingen": []}})
            else:
                self._json(404, {"status": 404})

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, base


@pytest.fixture
def alles_accepterend():
    srv, base = _nep_doel(weigert=False)
    yield base
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def alles_weigerend():
    srv, base = _nep_doel(weigert=True)
    yield base
    srv.shutdown()
    srv.server_close()


def test_meteen_geweigerd_telt_als_afgewezen_met_de_codes_uit_het_antwoord(alles_weigerend, tmp_path,
                                                                           monkeypatch):
    base = alles_weigerend
    records = _draai(tmp_path, monkeypatch, {"naam": "streng", "intake": base + "/intake",
                                             "diensten": {"presenteren": base + "/p"}})
    uitkomst = {r["onderwerp"]: r for r in records if r["controle"] == "aanlevering-uitkomst"}
    assert uitkomst["vijandig: geen zip"]["status"] == "geslaagd"
    assert uitkomst["vijandig: geen zip"]["details"]["historie"] == ["HTTP 422 (meteen geweigerd)"]
    assert uitkomst["vaststelling (kopie van de Gemeentestad-opdracht)"]["status"] == "gefaald"
    ozon = next(r for o, r in uitkomst.items() if "activiteit die niet bestaat" in o)
    assert ozon["status"] == "gefaald" and "OZON0038" in ozon["bericht"]


def test_doel_dat_alles_accepteert_faalt(alles_accepterend, tmp_path, monkeypatch):
    base = alles_accepterend
    records = _draai(tmp_path, monkeypatch, {"naam": "slordig", "intake": base + "/intake",
                                             "diensten": {"presenteren": base + "/p"}})
    gefaald = {(r["onderwerp"], r["controle"]) for r in records if r["status"] == "gefaald"}
    # every invalid delivery accepted -> its outcome fails; valid ones never become visible
    assert any(c == "aanlevering-uitkomst" and "ongeldig" in o for o, c in gefaald)
    assert any(c == "presenteren-zichtbaar" and o.startswith("vaststelling") for o, c in gefaald)
    # and the verdict changes: such a target is rejected, not merely annotated
    from dso_acceptatie.rapport import bouw_rapport
    from tests.leveringen.helpers import PROJECT
    rapport = bouw_rapport(tmp_path / "run", PROJECT / "acceptatiecriteria.toml", schrijf=False,
                           vergelijk_met_vorige=False)
    # (the run as a whole reads 'onderbroken' here: no orchestrator wrote its end record)
    assert rapport.model.groepen["component"]["LVBB aanleveren (doel)"].oordeel == "afwijzen"
    assert rapport.model.totaal.oordeel == "afwijzen"


def test_doelen_toml_intake(tmp_path):
    from dso_acceptatie.doelen import ConfiguratieFout, lees_doelen
    pad = tmp_path / "doelen.toml"
    pad.write_text('[doelen.a]\norigin = "https://x.example"\nintake = "/overheid/lvbb/api/aanleveren/v1"\n'
                   '[doelen.b]\norigin = "https://x.example"\nintake = "https://lvbb.example/aanleveren"\n',
                   encoding="utf-8")
    doelen = lees_doelen(pad)
    assert doelen["a"].als_json()["intake"] == "https://x.example/overheid/lvbb/api/aanleveren/v1"
    assert doelen["b"].als_json()["intake"] == "https://lvbb.example/aanleveren"
    pad.write_text('[doelen.c]\nloket = "https://x.example"\n\nintake = "/pad"\n', encoding="utf-8")
    with pytest.raises(ConfiguratieFout, match=r"doelen.toml:4.*geen origin"):
        lees_doelen(pad)
    pad.write_text('[doelen.c]\norigin = "https://x.example"\nintake = "ftp://x"\n', encoding="utf-8")
    with pytest.raises(ConfiguratieFout, match="intake 'ftp://x' is geen geldige URL"):
        lees_doelen(pad)
