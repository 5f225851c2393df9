"""A real uvicorn server on a free loopback port, in a thread, for the API tests."""

from __future__ import annotations

import socket
import threading
import time
from typing import Self

import uvicorn


def vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class UvicornServer:
    def __init__(self, app, poort: int | None = None):
        self.poort = poort or vrije_poort()
        self.url = f"http://127.0.0.1:{self.poort}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.poort,
                                                    log_level="warning", access_log=False,
                                                    lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        eind = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > eind:
                raise RuntimeError("uvicorn startte niet")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
