"""The project root: where doelen.toml, contracts/, load/, features/ and node_modules/ live.

One home for the calculation, so every part of the harness finds the same folder. The harness
runs from a source checkout (the README's two commands); ``DSO_PROJECT`` points it at another
checkout, e.g. a test's copy.
"""

from __future__ import annotations

import os
from pathlib import Path

# src/dso_acceptatie/project.py -> the checkout is two folders above the package.
_BRON = Path(__file__).resolve().parents[2]


def project() -> Path:
    """The project root, read at call time so a test or a user can override it."""
    return Path(os.environ.get("DSO_PROJECT") or _BRON)
