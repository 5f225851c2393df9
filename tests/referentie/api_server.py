"""The reference LV on a free loopback port for the API tests: in a thread (``UvicornServer``,
fast, shares the test process; from tests/referentie_in_draad.py) or as its own process
(``ServerProces``, as a run starts it: ``python -m referentie_lv``; its memory can be measured on
its own)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Self

import httpx

from tests.referentie_in_draad import UvicornServer, vrije_poort

__all__ = ["ServerProces", "UvicornServer", "vrije_poort"]


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
