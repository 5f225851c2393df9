"""The reference LV as a real uvicorn server on a free loopback port, for the intake tests.

One server per test module, with its own data folder: a delivery accepted in one module is never
seen by another (the store keeps accepted deliveries in memory, per process and data folder)."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import uvicorn

from referentie_lv.app import create_app
from referentie_lv.config import Config
from referentie_lv.grenzen import UVICORN_OPTIES

SLEUTEL = "intake-test-sleutel"


class Server:
    def __init__(self, data_map: str):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.poort = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.poort}"
        self.app = create_app(Config(api_sleutels=frozenset({SLEUTEL}), data_map=data_map))
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.poort,
                                                    log_level="warning", access_log=False,
                                                    lifespan="on", **UVICORN_OPTIES))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> Server:
        self.thread.start()
        eind = time.monotonic() + 60
        while time.monotonic() < eind:
            if self.server.started:
                return self
            if not self.thread.is_alive():
                raise RuntimeError("referentie-LV kon niet starten")
            time.sleep(0.05)
        raise RuntimeError("referentie-LV startte niet binnen 60 s")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def referentie(tmp_path_factory):
    srv = Server(str(tmp_path_factory.mktemp("referentie-intake"))).start()
    yield srv
    srv.stop()
