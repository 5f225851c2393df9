"""slo.toml: reading with Dutch messages (file and line), judging figures, choosing a profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from dso_acceptatie import slo
from dso_acceptatie.diensten import DIENSTEN
from dso_acceptatie.doelen import ConfiguratieFout
from dso_acceptatie.fasen.basis import DoelInfo
from dso_acceptatie.fasen.last import fase

ROOT = Path(__file__).resolve().parents[2]
PROFIELEN = """\
[profielen.rook]
gebruikers = 20
spawnsnelheid = 10
duur_s = 20
reizen_per_gebruiker_per_s = 1.0
alleen_loopback = true

[profielen.zacht]
gebruikers = 2
spawnsnelheid = 1
duur_s = 20
reizen_per_gebruiker_per_s = 0.5
max_verzoeken_per_seconde = 5
doorvoer_toetsen = false
"""
ZOEK = "presenteren POST /annotaties/regeltekstannotaties/_zoek"


def schrijf(tmp_path: Path, tekst: str) -> Path:
    pad = tmp_path / "slo.toml"
    pad.write_text(tekst, encoding="utf-8")
    return pad


def test_het_slo_bestand_van_het_project_is_geldig_en_blijft_onder_de_throttle():
    s = slo.lees(ROOT / "load" / "slo.toml")
    assert s.profielen["rook"].alleen_loopback and not s.profielen["zacht"].alleen_loopback
    assert s.profielen["zacht"].max_verzoeken_per_seconde
    # Presenteren throttles at 200 requests/s per key (DSO.md): we must stay below it.
    assert 0 < s.limieten["presenteren"] < 200
    assert ZOEK in s.endpoints
    for endpoint in s.endpoints:
        assert endpoint.split(" ", 1)[0] in DIENSTEN


def test_kapotte_toml_noemt_bestand_en_regel(tmp_path):
    pad = schrijf(tmp_path, PROFIELEN + "\n[standaard]\np95_ms = = 3\n")
    with pytest.raises(ConfiguratieFout) as e:
        slo.lees(pad)
    regel = PROFIELEN.count("\n") + 3
    assert f"{pad}:{regel}:" in str(e.value) and "geen geldige TOML" in str(e.value)


def test_onbekende_sleutel_in_een_endpoint_noemt_bestand_regel_en_oplossing(tmp_path):
    tekst = PROFIELEN + f'\n[endpoints."{ZOEK}"]\np95_ms = 800\np59_ms = 300\n'
    pad = schrijf(tmp_path, tekst)
    with pytest.raises(ConfiguratieFout) as e:
        slo.lees(pad)
    regel = tekst.splitlines().index("p59_ms = 300") + 1
    assert str(e.value).startswith(f"{pad}:{regel}: onbekende sleutel 'p59_ms'")
    assert "Oplossing" in str(e.value) and "p95_ms" in str(e.value)


@pytest.mark.parametrize("toevoeging, verwacht", [
    ("\n[slos]\np95_ms = 3\n", "onbekende sleutel 'slos'"),
    ("\n[standaard]\np95_ms = \"snel\"\n", "'p95_ms' moet een getal zijn"),
    ("\n[standaard]\nfoutpercentage = 150\n", "buiten het toegestane bereik"),
    ('\n[endpoints."presenteren /zoek"]\np95_ms = 3\n', "heeft niet de vorm"),
    ("\n[ernst]\np95-latentie = \"rampzalig\"\n", "ernst 'rampzalig' bestaat niet"),
])
def test_fouten_in_het_bestand_worden_in_het_nederlands_gemeld_met_regel(tmp_path, toevoeging,
                                                                          verwacht):
    tekst = PROFIELEN + toevoeging
    pad = schrijf(tmp_path, tekst)
    with pytest.raises(ConfiguratieFout) as e:
        slo.lees(pad)
    assert verwacht in str(e.value)
    assert str(e.value).startswith(f"{pad}:")
    regel = int(str(e.value)[len(str(pad)) + 1:].split(":", 1)[0])
    assert regel > PROFIELEN.count("\n")   # points into the added part, not at the top


def test_een_onbegrensd_profiel_wordt_geweigerd(tmp_path):
    pad = schrijf(tmp_path, PROFIELEN.replace("gebruikers = 20", "gebruikers = 100000"))
    with pytest.raises(ConfiguratieFout) as e:
        slo.lees(pad)
    assert f"{pad}:2:" in str(e.value) and "gebruikers" in str(e.value)


def meting(**kw) -> slo.Meting:
    waarden = {"endpoint": ZOEK, "aantal": 100, "fouten": 0, "mediaan_ms": 10, "p95_ms": 50,
               "p99_ms": 80, "max_ms": 120, "doorvoer": 12.0}
    return slo.Meting(**{**waarden, **kw})


def test_beoordeling_per_slo():
    grenzen = slo.Grenzen(p95_ms=800, foutpercentage=1.0, doorvoer_min=10, min_verzoeken=10)
    rook = slo.lees(ROOT / "load" / "slo.toml").profielen["rook"]
    status = {u.slo: u.status for u in slo.beoordeel(meting(), grenzen, rook)}
    assert status == {"p95-latentie": "geslaagd", "foutpercentage": "geslaagd",
                      "doorvoer": "geslaagd"}
    uit = {u.slo: u for u in slo.beoordeel(meting(fouten=20, p95_ms=2100, doorvoer=3), grenzen,
                                           rook)}
    assert {k: u.status for k, u in uit.items()} == {
        "p95-latentie": "gefaald", "foutpercentage": "gefaald", "doorvoer": "gefaald"}
    assert uit["foutpercentage"].gemeten == 20.0 and "20 van 100" in uit["foutpercentage"].bericht


def test_te_weinig_metingen_en_zacht_profiel_geven_geen_oordeel():
    grenzen = slo.Grenzen(p95_ms=800, foutpercentage=1.0, doorvoer_min=10, min_verzoeken=10)
    zacht = slo.lees(ROOT / "load" / "slo.toml").profielen["zacht"]
    uit = {u.slo: u for u in slo.beoordeel(meting(aantal=4, doorvoer=0.2), grenzen, zacht)}
    assert uit["p95-latentie"].status == "overgeslagen" and "te weinig" in uit["p95-latentie"].bericht
    assert uit["doorvoer"].status == "overgeslagen"
    assert uit["foutpercentage"].status == "geslaagd"


def test_een_verwacht_endpoint_zonder_verzoeken_faalt():
    s = slo.lees(ROOT / "load" / "slo.toml")
    uit = slo.beoordeel_alles([], s, s.profielen["rook"], verwacht=[ZOEK])
    fout = next(u for u in uit if u.slo == "foutpercentage")
    assert fout.status == "gefaald" and "geen enkel verzoek" in fout.bericht


@pytest.mark.parametrize("url, loopback", [
    ("http://127.0.0.1:8800/x", True), ("http://127.3.4.5/x", True), ("http://[::1]:80/x", True),
    ("http://localhost:1/x", True), ("https://service.pre.omgevingswet.overheid.nl/x", False),
    ("http://10.0.0.1/x", False),
])
def test_loopback(url, loopback):
    assert fase.is_loopback(url) is loopback


def test_profielkeuze_per_soort_doel():
    s = slo.lees(ROOT / "load" / "slo.toml")
    lokaal, pre = ["http://127.0.0.1:9/a"], ["https://service.pre.omgevingswet.overheid.nl/a"]
    assert fase.kies_profiel(DoelInfo.uit_json({"naam": "referentie"}), s, lokaal).profiel.naam == "rook"
    k = fase.kies_profiel(DoelInfo.uit_json({"naam": "pre", "max_verzoeken_per_seconde": 2}), s, pre)
    assert k.profiel.naam == "zacht" and k.max_per_seconde == 2     # the target's cap wins
    # a mix of loopback and remote services is not loopback
    assert fase.kies_profiel(DoelInfo.uit_json({"naam": "x"}), s, lokaal + pre).profiel.naam == "zacht"
    # the old name of the smoke profile still works
    assert fase.kies_profiel(DoelInfo.uit_json({"naam": "referentie"}), s, lokaal,
                             gevraagd="zwaar").profiel.naam == "rook"
    geweigerd = fase.kies_profiel(DoelInfo.uit_json({"naam": "pre"}), s, pre, gevraagd="rook")
    assert geweigerd.profiel is None and geweigerd.status == "geblokkeerd"
    assert "alleen voor loopback" in geweigerd.reden
    prod = fase.kies_profiel(DoelInfo.uit_json({"naam": "prod", "alleen_lezen": True}), s, pre)
    assert prod.profiel is None and prod.status == "overgeslagen" and "alleen-lezen" in prod.reden


def test_locust_csv_wordt_gelezen(tmp_path):
    kop = ("Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
           "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
           "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%")
    pad = tmp_path / "locust_stats.csv"
    pad.write_text("\n".join([
        kop,
        f"POST,{ZOEK},254,3,5,19.1,0,182,1200,13.28,0.1,5,16,25,36,55,87,100,120,180,180,180",
        "GET,uitvoeren GET /werkzaamheden,0,0,0,0,0,0,0,0,0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A",
        ",Aggregated,254,3,5,19.1,0,182,1200,13.28,0.1,5,16,25,36,55,87,100,120,180,180,180",
    ]) + "\n", encoding="utf-8")
    m = fase.lees_stats_csv(pad)
    assert [x.endpoint for x in m] == [ZOEK, "uitvoeren GET /werkzaamheden"]
    assert (m[0].aantal, m[0].fouten, m[0].p95_ms, m[0].p99_ms, m[0].doorvoer) == (254, 3, 87, 120, 13.28)
    assert m[0].dienst == "presenteren" and m[1].p95_ms == 0


def test_doorvoertekort_door_een_andere_stap_wordt_niet_aan_dit_endpoint_toegerekend():
    s = slo.lees(ROOT / "load" / "slo.toml")
    geo = "geometrieopvragen GET /geometrieen/{geometrieIdentificatie}"
    traag = [meting(p95_ms=2300, doorvoer=5.3), meting(endpoint=geo, p95_ms=60, doorvoer=5.3)]
    uit = {(u.endpoint, u.slo): u for u in slo.beoordeel_alles(traag, s, s.profielen["rook"])}
    assert uit[(ZOEK, "p95-latentie")].status == "gefaald"
    assert uit[(ZOEK, "doorvoer")].status == "gefaald"           # its own breach
    assert uit[(geo, "doorvoer")].status == "overgeslagen"
    assert ZOEK in uit[(geo, "doorvoer")].bericht
    # nobody else breached anything: the shortfall is the system's, so it fails
    alleen = slo.beoordeel_alles([meting(endpoint=geo, p95_ms=60, doorvoer=5.3)], s,
                                 s.profielen["rook"])
    assert next(u for u in alleen if u.slo == "doorvoer").status == "gefaald"


def test_trap_stappen_worden_gecontroleerd_met_bestand_en_regel(tmp_path):
    basis = ("[profielen.t]\ngebruikers = 4\nspawnsnelheid = 4\nduur_s = {duur}\n"
             "reizen_per_gebruiker_per_s = 1\ntrap_stappen = {stappen}\n")
    pad = tmp_path / "slo.toml"
    pad.write_text(basis.format(duur=5, stappen="[2, 4, 8]"), encoding="utf-8")
    assert slo.lees(pad).profielen["t"].trap_stappen == (2, 4, 8)
    assert slo.lees(ROOT / "load" / "slo.toml").profielen["trap"].trap_stappen == (5, 10, 20, 40)
    for duur, stappen, woord in ((5, "[4, 2]", "oplopende lijst"), (5, "[0, 2]", "oplopende lijst"),
                                 (5, '["a"]', "oplopende lijst"), (100, "[1, 2, 3]", "duurt 3 × 100 s")):
        pad.write_text(basis.format(duur=duur, stappen=stappen), encoding="utf-8")
        with pytest.raises(ConfiguratieFout) as e:
            slo.lees(pad)
        assert "slo.toml:6:" in str(e.value) and woord in str(e.value), str(e.value)
