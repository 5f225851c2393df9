"""The reference LV app as a real uvicorn server in a thread, on a free loopback port: for test
modules that need the whole app (loket pages, the intake) in their own process."""

from __future__ import annotations

import socket
import threading
import time
from typing import Self

import uvicorn

from referentie_lv.app import create_app
from referentie_lv.config import Config
from referentie_lv.grenzen import UVICORN_OPTIES


class ReferentieInDraad:
    def __init__(self, config: Config):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.poort = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.poort}"
        self.app = create_app(config)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.poort,
                                                    log_level="warning", access_log=False,
                                                    lifespan="on", **UVICORN_OPTIES))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> Self:
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
