"""Where the phase finds its features, steps and the DMN data (a source checkout of the repo)."""

from __future__ import annotations

from dso_acceptatie.project import project

REPO = project()
FEATURES = REPO / "features"
TESTDATA = FEATURES / "testdata"
VERGUNNINGCHECK_FEATURES = FEATURES / "vergunningcheck"
# The STTR models the reference LV executes. Read as data files only: the harness never imports
# the reference LV (DESIGN.md), it only reads the same published models to know what to expect.
DMN_MAP = REPO / "src" / "referentie_lv" / "bronnen" / "sttr"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
