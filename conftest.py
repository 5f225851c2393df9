"""Root fixtures of the klantreizen features: target, test data, browser, one context per scenario.

Loaded by every pytest run in this repository (also the project's own tests), so it stays light:
nothing starts at import; the browser is launched only when a test asks for ``browser``.
The phase (src/dso_acceptatie/fasen/klantreizen) adds the records plugin and the run's options.
"""

from __future__ import annotations

import os
import secrets

import pytest

# Step modules, registered once (pytest-bdd: steps are fixtures, found through these plugins):
# one module per journey, mirroring features/<klantreis>/, plus the steps several journeys share.
# Page objects live in steps/paginas.py, the API client and its fixture in steps/api.py.
pytest_plugins = [
    "steps.api",
    "steps.gedeeld",
    "steps.omgevingsloket",
    "steps.regels_op_de_kaart",
    "steps.vergunningcheck",
    "steps.aanvragen_en_meldingen",
    "steps.maatregelen_op_maat",
    "steps.stelselcatalogus",
    "steps.ontwikkelaar",
]

STANDAARD_TIMEOUT_MS = {"referentie": 8_000}   # our reference answers in ms; room for a busy CI
TIMEOUT_MS = 15_000                           # real environments get more room


def _staat(config):
    from dso_acceptatie.fasen.klantreizen.plugin import staat_van
    return staat_van(config)


@pytest.fixture(scope="session")
def doel(pytestconfig):
    """The target of the run (doel.json): loket URL, base URL per service, flags."""
    staat = _staat(pytestconfig)
    if staat is None:
        pytest.skip("geen doel: de klantreizen draaien alleen binnen de fase (dso-acceptatie run)")
    return staat.doel


@pytest.fixture(scope="session")
def testdata(doel):
    from dso_acceptatie.configuratie import ConfiguratieFout
    from dso_acceptatie.fasen.klantreizen.testdata import Testdata
    try:
        return Testdata.laad(doel.naam)
    except ConfiguratieFout as fout:   # the phase checks this first; a file changed mid-run
        pytest.fail(str(fout), pytrace=False)


@pytest.fixture(scope="session")
def timeout_ms(doel) -> int:
    waarde = os.environ.get("DSO_KLANTREIZEN_TIMEOUT_MS")
    return int(waarde) if waarde else STANDAARD_TIMEOUT_MS.get(doel.naam, TIMEOUT_MS)


@pytest.fixture(scope="session")
def loket_url(doel) -> str:
    url = doel.loket
    if not url:
        pytest.skip(f"doel '{doel.naam}' heeft geen loket-URL")
    return url.rstrip("/")


@pytest.fixture(scope="session")
def browser():
    """One headless system Chromium per worker process (DESIGN.md: launch flags)."""
    from playwright.sync_api import sync_playwright

    from dso_acceptatie.browser import LAUNCH_ARGS, find_browser

    pad = find_browser()
    if not pad:
        pytest.fail("geen Chromium gevonden; installeer met 'apt-get install -y chromium' of zet "
                    "DSO_CHROMIUM=/pad/naar/chromium", pytrace=False)
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=pad, headless=True, args=LAUNCH_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page(request, browser, loket_url, timeout_ms):
    """A fresh browser context per scenario (no cookies or state shared), traced for evidence."""
    from playwright.sync_api import expect

    from dso_acceptatie.fasen.klantreizen import plugin

    context = browser.new_context(base_url=loket_url + "/", locale="nl-NL",
                                  timezone_id="Europe/Amsterdam",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(timeout_ms)
    expect.set_options(timeout=timeout_ms)
    context.tracing.start(screenshots=True, snapshots=True)
    pagina = context.new_page()
    request.node.stash[plugin.PAGINA] = pagina
    yield pagina
    plugin.bewaar_trace(request.node, context)
    request.node.stash[plugin.PAGINA] = None
    context.close()


@pytest.fixture
def run_markering(pytestconfig) -> str:
    """Unique per scenario and run, carried by everything a scenario submits."""
    staat = _staat(pytestconfig)
    run_id = staat.run_id if staat else "lokaal"
    werker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"acceptatierun {run_id}/{werker}/{secrets.token_hex(3)}"


@pytest.fixture
def gegevens() -> dict:
    """What one step found and a later step of the same scenario needs."""
    return {}
