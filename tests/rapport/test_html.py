"""rapport.html in real Chromium from disk (file://): rendered, axe-core clean, filters work."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dso_acceptatie.rapport import bouw_rapport
from tests.rapport.generator import controle, maak_run, schrijf_png, veel_records

PROJECT = Path(__file__).resolve().parents[2]
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
REGISTER = """\
[[bevinding]]
id = "BB-7"
controle = "check-1"
reden = "bekend"
eigenaar = "team"
link = "https://example.org/7"
vergaldatum_placeholder = 0
"""


@pytest.fixture(scope="module")
def pagina_factory(browser):
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})

    def open_(pad: Path):
        page = context.new_page()
        page.goto(pad.resolve().as_uri())
        return page

    yield open_
    context.close()


@pytest.fixture(scope="module")
def rijk_rapport(tmp_path_factory):
    """A report with everything: roles, journeys, APIs, SLOs, findings, self-checks, register,
    comparison and trend."""
    tmp = tmp_path_factory.mktemp("html")
    reg = tmp / "bekende-bevindingen.toml"
    reg.write_text(REGISTER.replace("vergaldatum_placeholder = 0", "vervaldatum = 2030-01-01"), encoding="utf-8")
    runs = tmp / "runs"
    for i, n in enumerate((300, 350)):
        bouw_rapport(maak_run(runs, veel_records(n, seed=i), run_id=f"2026110{i + 1}T100000-referentie-000{i}"),
                     PROJECT / "acceptatiecriteria.toml", reg, PROJECT / "rollen.toml", pi=f"PI-{40 + i}")
    records = veel_records(600, seed=9) + [
        controle(fase="leveringen", component="IMOW", onderwerp="voorbeeld", controle="verwachte-uitkomst",
                 status="gefaald", ernst="ernstig", details={"verwacht": "afgekeurd"}),
        controle(fase="klantreizen", component="Omgevingsloket", onderwerp="Vergunningcheck: dakkapel",
                 controle="scenario", status="gefaald", ernst="ernstig", bericht="knop niet gevonden",
                 bewijs=["bewijs/klantreizen/dakkapel-trace.zip", "bewijs/klantreizen/dakkapel.png"],
                 details={"klantreis": "Vergunningcheck"})]
    run_map = maak_run(runs, records, run_id="20261130T100000-referentie-0009")
    (run_map / "bewijs" / "klantreizen").mkdir(parents=True)
    (run_map / "bewijs" / "klantreizen" / "dakkapel-trace.zip").write_bytes(b"PK")
    schrijf_png(run_map / "bewijs" / "klantreizen" / "dakkapel.png")
    return bouw_rapport(run_map, PROJECT / "acceptatiecriteria.toml", reg, PROJECT / "rollen.toml",
                        pi="PI-42", peildatum=dt.date(2026, 11, 30))


def test_html_is_zelfstandig(rijk_rapport):
    tekst = rijk_rapport.paden["html"].read_text(encoding="utf-8")
    assert "<script src" not in tekst and "<link " not in tekst and "http://" not in tekst.split("<body>")[0]
    assert tekst.count("<svg") >= 3   # pass rate per journey and API, latency, trend
    assert "<summary>Aangetoond voor Raadpleeg-afnemer" in tekst   # per role: what passed


def test_html_in_chromium_toont_eerst_het_advies_en_is_axe_schoon(rijk_rapport, pagina_factory):
    page = pagina_factory(rijk_rapport.paden["html"])
    assert page.locator("html").get_attribute("lang") == "nl"
    eerste_h2 = page.locator("main h2").first.inner_text()
    assert eerste_h2 == "Advies en redenen"
    assert f"Oordeel: {rijk_rapport.oordeel.upper()}" in page.locator(".oordeel").inner_text()
    assert page.get_by_role("heading", name="Zelfcontrole van het harnas").is_visible()
    assert page.get_by_role("heading", name="Sinds de vorige run").is_visible()
    assert page.get_by_role("heading", name="Trend over de laatste runs").is_visible()
    assert "npx playwright show-trace bewijs/klantreizen/dakkapel-trace.zip" in page.content()
    page.locator("summary", has_text="dakkapel").click()      # the screenshot is inline
    img = page.get_by_role("img", name="Schermafdruk dakkapel.png")
    assert img.is_visible() and img.evaluate("i => i.naturalWidth") == 160
    page.add_script_tag(path=str(AXE))
    overtredingen = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target)}));
    }""")
    assert overtredingen == []
    page.close()


def test_filters_op_ernst_en_status(rijk_rapport, pagina_factory):
    page = pagina_factory(rijk_rapport.paden["html"])
    alle = page.locator(".bevinding").count()
    assert alle > 10
    assert page.locator("#filter-telling").inner_text() == f"{alle} van {alle} bevindingen zichtbaar"
    page.get_by_role("checkbox", name="overgeslagen").uncheck()
    page.get_by_role("checkbox", name="cosmetisch").uncheck()
    zichtbaar = page.locator(".bevinding:visible").count()
    verwacht = sum(1 for b in rijk_rapport.json["bevindingen"] if not b["zelfcontrole"]
                   and b["status"] != "overgeslagen" and b["ernst"] != "cosmetisch")
    assert zichtbaar == verwacht < alle
    assert page.locator("#filter-telling").inner_text() == f"{verwacht} van {alle} bevindingen zichtbaar"
    page.close()


def test_groot_rapport_blijft_snel(tmp_path, pagina_factory):
    import time

    r = bouw_rapport(maak_run(tmp_path / "runs", veel_records(40_000)))
    start = time.perf_counter()
    page = pagina_factory(r.paden["html"])
    page.wait_for_load_state("load")
    duur = time.perf_counter() - start
    assert page.locator(".bevinding").count() <= 2000
    assert "De eerste 2000 van" in page.content()
    assert duur < 60, f"laden duurde {duur:.1f} s"  # a hang guard; the speed itself is in benchmarks/rapport.py
    page.close()
