"""Shared fixtures of the reference-LV service tests: one real uvicorn server per test module.

A module sets ``SLEUTEL`` (its test key); the server accepts only that key, and ``client`` sends it.
"""

import httpx
import pytest

from referentie_lv.app import create_app
from referentie_lv.config import Config
from tests.referentie.api_server import UvicornServer


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    sleutel = request.module.SLEUTEL
    config = Config(api_sleutels=frozenset({sleutel}),
                    data_map=str(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])))
    with UvicornServer(create_app(config)) as s:
        yield s


@pytest.fixture(scope="module")
def client(request, server):
    with httpx.Client(base_url=server.url, headers={"x-api-key": request.module.SLEUTEL},
                      timeout=30) as c:
        yield c
