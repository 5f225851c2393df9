"""Where the shipped standards and the compile cache live."""

from __future__ import annotations

import os
from pathlib import Path

from dso_acceptatie.project import project


def standaarden() -> Path:
    return project() / "contracts" / "standaarden"


def cache() -> Path:
    """Compiled Schematron (XSLT) keyed by hash; git-ignored (var/)."""
    pad = Path(os.environ.get("DSO_CACHE", project() / "var" / "cache")) / "leveringen"
    pad.mkdir(parents=True, exist_ok=True)
    return pad
