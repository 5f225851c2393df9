"""An ASGI app (the reference LV, or a part of it) as a real uvicorn server in a thread of the test
process, on a free loopback port: the one home for that in the tests. ``UvicornServer`` takes any
app (the API tests mount single services); ``ReferentieInDraad`` builds the whole reference LV from a
``Config`` (loket pages, the intake), with its lifespan."""

from __future__ import annotations

import socket
import threading
import time
from typing import Self

import uvicorn

from referentie_lv.app import create_app
from referentie_lv.config import Config
from referentie_lv.grenzen import UVICORN_OPTIES

START_S = 60


def vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class UvicornServer:
    def __init__(self, app, poort: int | None = None, *, lifespan: str = "off"):
        self.poort = poort or vrije_poort()
        self.url = f"http://127.0.0.1:{self.poort}"
        self.app = app
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.poort,
                                                    log_level="warning", access_log=False,
                                                    lifespan=lifespan, **UVICORN_OPTIES))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> Self:
        self.thread.start()
        eind = time.monotonic() + START_S
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("uvicorn kon niet starten")
            if time.monotonic() > eind:
                raise RuntimeError(f"uvicorn startte niet binnen {START_S} s")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class ReferentieInDraad(UvicornServer):
    def __init__(self, config: Config):
        super().__init__(create_app(config), lifespan="on")
