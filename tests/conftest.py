"""Fixtures shared by the project's own tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def browser():
    """One system Chromium per test process. Playwright's sync API allows one instance per
    process at a time, so every browser test (loket, rapport) shares this one."""
    from playwright.sync_api import sync_playwright

    from dso_acceptatie.browser import LAUNCH_ARGS, find_browser

    pad = find_browser()
    if not pad:
        pytest.fail("geen Chromium gevonden (zie scripts/setup.sh)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=pad, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()
