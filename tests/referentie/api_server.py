"""The reference LV on a free loopback port for the API tests: in a thread (``UvicornServer``,
fast, shares the test process) or as its own process (``ServerProces``, as a run starts it:
``python -m referentie_lv``; its memory can be measured on its own)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Self

import httpx
import uvicorn

from referentie_lv.grenzen import UVICORN_OPTIES


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
                                                    lifespan="off", **UVICORN_OPTIES))
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


class ServerProces:
    """``python -m referentie_lv`` on 127.0.0.1 with one test key; ``rss()`` in bytes."""

    def __init__(self, sleutel: str, data_map: Path):
        self.poort = vrije_poort()
        self.url = f"http://127.0.0.1:{self.poort}"
        self.sleutel = sleutel
        self.data_map = data_map
        self.proces: subprocess.Popen | None = None

    def __enter__(self) -> Self:
        env = {**os.environ, "REFERENTIE_LV_API_SLEUTELS": self.sleutel}
        env.pop("REFERENTIE_LV_ORIGIN", None)
        self.proces = subprocess.Popen(   # noqa: S603 -- our own interpreter and module, fixed arguments
            [sys.executable, "-m", "referentie_lv", "--host", "127.0.0.1", "--port", str(self.poort),
             "--data-map", str(self.data_map)], env=env, stdin=subprocess.DEVNULL)
        eind = time.monotonic() + 60
        while time.monotonic() < eind:
            if self.proces.poll() is not None:
                raise RuntimeError(f"referentie-LV stopte bij het starten ({self.proces.returncode})")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("referentie-LV startte niet binnen 60 s")

    def __exit__(self, *exc) -> None:
        if self.proces is not None and self.proces.poll() is None:
            self.proces.terminate()
            try:
                self.proces.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proces.kill()
                self.proces.wait(timeout=10)

    def rss(self) -> int:
        """Resident memory of the server process (VmRSS from /proc), in bytes."""
        assert self.proces is not None
        for regel in Path(f"/proc/{self.proces.pid}/status").read_text().splitlines():
            if regel.startswith("VmRSS:"):
                return int(regel.split()[1]) * 1024
        raise RuntimeError("geen VmRSS")
