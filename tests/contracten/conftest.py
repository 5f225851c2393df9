"""Fixtures of the contracten tests: the reference LV as a real process on a free loopback port."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest

from dso_acceptatie.referentie import ReferentieLV
from tests.contracten.helpers import nieuwe_sleutel


@contextmanager
def referentie(tmp: Path, fouten: str = "", env: dict[str, str] | None = None):
    """A reference LV with its own data folder. Its limit is so high that nothing is throttled
    (unless the test asks for it), while the documented X-Rate-Limit headers are still sent."""
    sleutel = nieuwe_sleutel()
    (tmp / "data").mkdir(parents=True, exist_ok=True)
    lv = ReferentieLV(api_sleutel=sleutel, fouten=fouten, data_map=tmp / "data",
                      log=tmp / "referentie-lv.log",
                      omgeving={"REFERENTIE_LV_LIMIETEN": "*=100000", **(env or {})})
    origin = lv.start()
    try:
        yield origin, sleutel
    finally:
        lv.stop()


@pytest.fixture
def start_referentie(tmp_path):
    return lambda fouten="", env=None: referentie(tmp_path / "lv", fouten, env)
