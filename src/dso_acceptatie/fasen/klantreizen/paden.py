"""Where the phase finds its features, steps and the DMN data (a source checkout of the repo)."""

from __future__ import annotations

from dso_acceptatie.project import project

REPO = project()
FEATURES = REPO / "features"
TESTDATA = FEATURES / "testdata"
VERGUNNINGCHECK_FEATURES = FEATURES / "vergunningcheck"
# The harness's own copy of the published STTR models (contracts/sttr/NOTICE), its oracle for the
# Vergunningcheck. Never the reference LV's copy: an expectation may not come from the system under
# test (DESIGN.md: the reference LV is a black box).
DMN_MAP = REPO / "contracts" / "sttr"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
