"""Fixtures for the loket tests: the reference LV as a real uvicorn server on a free loopback
port (one per set of faults, started on first use, session-scoped) and a page per test
(the one Chromium per session comes from tests/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from referentie_lv.config import Config
from tests.referentie_in_draad import ReferentieInDraad

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WACHT_MS = 30_000


class Server(ReferentieInDraad):
    def __init__(self, fouten: frozenset[str], data_map: Path):
        super().__init__(Config(fouten=fouten, data_map=str(data_map)))


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    """Factory: ``servers()`` is the reference without faults, ``servers('x')`` with fault x."""
    gestart: dict[frozenset[str], Server] = {}
    # One data folder for all: the store is built once and read-only; requests submitted on
    # one server are visible on the others, as with one real back end.
    data_map = tmp_path_factory.mktemp("referentie-lv")

    def geef(*fouten: str) -> Server:
        sleutel = frozenset(fouten)
        if sleutel not in gestart:
            gestart[sleutel] = Server(sleutel, data_map).start()
        return gestart[sleutel]

    yield geef
    for s in gestart.values():
        s.stop()


@pytest.fixture(scope="session")
def lv(servers) -> Server:
    return servers()


@pytest.fixture(scope="session")
def http(lv):
    with httpx.Client(base_url=lv.url, timeout=30) as c:
        yield c


@pytest.fixture
def pagina(browser):
    """A fresh context (own cookies) and page per test; Dutch locale as a citizen's browser."""
    context = browser.new_context(locale="nl-NL", viewport={"width": 1200, "height": 900})
    # Hang guards, not timing checks: on the 2-core CI machine, with load tests on the other
    # xdist worker, one page step once took more than 10 s. A passing step never waits longer.
    context.set_default_timeout(WACHT_MS)
    expect.set_options(timeout=WACHT_MS)
    page = context.new_page()
    yield page
    context.close()


def axe_ernstig(page) -> list[dict]:
    """Run axe-core on the page; the serious and critical violations (id, help, targets)."""
    page.add_script_tag(path=str(AXE))
    uitslag = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")
    return [v for v in uitslag if v["impact"] in ("serious", "critical")]


def toon_overtredingen(overtredingen: list[dict]) -> str:
    return json.dumps(overtredingen, ensure_ascii=False, indent=1)
