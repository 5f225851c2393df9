"""The reference LV as a real uvicorn server on a free loopback port, for the intake tests.

One server per test module, with its own data folder: a delivery accepted in one module is never
seen by another (the store keeps accepted deliveries in memory, per process and data folder)."""

from __future__ import annotations

import pytest

from referentie_lv.config import Config
from tests.referentie_in_draad import ReferentieInDraad

SLEUTEL = "intake-test-sleutel"


class Server(ReferentieInDraad):
    def __init__(self, data_map: str):
        super().__init__(Config(api_sleutels=frozenset({SLEUTEL}), data_map=data_map))


@pytest.fixture(scope="module")
def referentie(tmp_path_factory):
    srv = Server(str(tmp_path_factory.mktemp("referentie-intake"))).start()
    yield srv
    srv.stop()
