"""The load charts in the report: SVG files in the run folder and inline in rapport.html, drawn
from the records only (the phase's 'verloop' record and the trap's 'capaciteit' records), and the
load checks grouped by kind in the report."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from dso_acceptatie.rapport import bouw_rapport, lastgrafieken
from tests.rapport.generator import controle, maak_run

ROOT = Path(__file__).resolve().parents[2]
ZOEK = "presenteren POST /annotaties/regeltekstannotaties/_zoek"
SUGGEST = "locatieserver GET /suggest"


def reeks(p95: list[float | None]) -> dict:
    n = len(p95)
    return {"t": list(range(n)), "gebruikers": [4] * n, "p50_ms": [x and x / 2 for x in p95],
            "p95_ms": p95, "p99_ms": [x and x * 1.2 for x in p95], "doorvoer": [10.0] * n,
            "fouten_per_s": [0.0] * (n - 2) + [1.0, 2.0]}


def last(onderwerp: str, controle_: str, status: str = "geslaagd", **kw) -> dict:
    kw.setdefault("component", onderwerp.split(" ", 1)[0])
    return controle(fase="last", onderwerp=onderwerp, controle=controle_, status=status, **kw)


RECORDS = [
    last("verloop rook", "verloop", soort="administratie", component="last", details={
        "profiel": "rook", "slo_p95_ms": {ZOEK: 800, SUGGEST: 300},
        "reeksen": {ZOEK: reeks([100, 120, None, 900, 950]), SUGGEST: reeks([10, 12, 11, 13, 12]),
                    "Aggregated": reeks([50, 60, 70, 80, 90])}}),
    last(ZOEK, "p95-latentie", "gefaald", ernst="ernstig", bericht="SLO overschreden: p95 950 ms",
         details={"gemeten": 950, "grens": 800, "eenheid": "ms"}),
    last(SUGGEST, "p95-latentie", details={"gemeten": 12, "grens": 300, "eenheid": "ms"}),
    last(ZOEK, "capaciteit", "gefaald", ernst="hinderlijk", bericht="hield tot 10 gebruikers; brak bij 20",
         details={"stappen": [{"gebruikers": 5, "aantal": 40, "p95_ms": 200},
                              {"gebruikers": 10, "aantal": 80, "p95_ms": 600},
                              {"gebruikers": 20, "aantal": 90, "p95_ms": 1900}],
                  "hoogste_gehouden_gebruikers": 10, "brak_bij_gebruikers": 20, "slo_p95_ms": 800}),
    last("presenteren throttling", "throttling", component="presenteren"),
    last(SUGGEST, "latentiedrift"),
    last("meetomgeving", "kalibratie", soort="administratie", component="last"),
]


def test_grafieken_als_bestanden_en_in_het_rapport(tmp_path):
    run_map = maak_run(tmp_path / "runs", RECORDS)
    r = bouw_rapport(run_map, None, None, None)
    bestanden = sorted(p.name for p in (run_map / "grafieken").glob("*.svg"))
    assert bestanden == sorted([
        "last-rook-latentie-locatieserver-get-suggest.svg",
        "last-rook-latentie-presenteren-post-annotaties-regeltekstannotaties-zoek.svg",
        "last-rook-doorvoer.svg", "last-rook-fouten-per-s.svg",
        "last-trap-presenteren-post-annotaties-regeltekstannotaties-zoek.svg"])
    for naam in bestanden:
        # well-formed XML (our own file; parsed without entities or network anyway)
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        svg = etree.parse(str(run_map / "grafieken" / naam), parser).getroot()
        ns = "{http://www.w3.org/2000/svg}"
        assert svg.tag == f"{ns}svg" and svg.find(f"{ns}title").text and svg.find(f"{ns}desc").text
    zoek = (run_map / "grafieken" / "last-rook-latentie-presenteren-post-annotaties-regeltekstannotaties-zoek.svg"
            ).read_text(encoding="utf-8")
    # the SLO line, the three percentiles, and a gap where a second had no measurement
    assert "SLO p95 800 ms" in zoek and zoek.count("<polyline") == 6
    assert "p95: 4 punten, laagste 100, hoogste 950" in zoek
    trap = (run_map / "grafieken" / "last-trap-presenteren-post-annotaties-regeltekstannotaties-zoek.svg"
            ).read_text(encoding="utf-8")
    assert "brak bij 20" in trap and "SLO p95 800 ms" in trap
    html = (run_map / "rapport.html").read_text(encoding="utf-8")
    assert html.count('<figure class="lastgrafiek"><svg') == 5
    assert 'href="grafieken/last-rook-doorvoer.svg"' in html
    # the load checks grouped by kind, not only the four SLOs; bookkeeping is no check
    slo = r.model.groepen["slo"]
    assert {"p95-latentie", "capaciteit", "throttling", "latentiedrift"} <= set(slo)
    assert "verloop" not in slo and "kalibratie" not in slo
    assert slo["capaciteit"].telling["gefaald"] == 1 and slo["throttling"].telling["geslaagd"] == 1


def test_geen_lastgegevens_geen_grafieken(tmp_path):
    run_map = maak_run(tmp_path / "runs", [controle()])
    bouw_rapport(run_map, None, None, None)
    assert not (run_map / "grafieken").exists()
    assert "lastgrafiek" not in (run_map / "rapport.html").read_text(encoding="utf-8")
    assert lastgrafieken.als_html(None) == ""


def test_schaal_en_onbruikbare_details():
    assert [lastgrafieken._rond_op(x) for x in (0, 0.3, 7, 12, 240, 950)] == [1, 0.5, 10, 20, 250, 1000]
    # a record with details of the wrong shape draws nothing instead of crashing the report
    assert lastgrafieken.grafieken([{"fase": "last", "controle": "verloop", "details": {"reeksen": []}},
                                    {"fase": "last", "controle": "capaciteit", "details": {"stappen": 3}}]) == []


def test_doorvoer_per_dienst_is_de_som_van_zijn_endpoints():
    reeksen = {"a GET /x": {"t": [0, 1], "doorvoer": [1.0, 2.0]}, "a GET /y": {"t": [0, 1], "doorvoer": [3.0, None]},
               "b GET /z": {"t": [1], "doorvoer": [5.0]}, "Aggregated": {"t": [0, 1], "doorvoer": [9.0, 9.0]}}
    assert lastgrafieken.per_dienst(reeksen, "doorvoer") == [("a", [0, 1], [4.0, 2.0]), ("b", [1], [5.0])]
