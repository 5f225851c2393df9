"""Start and stop the embedded reference LV as a separate process (never imported).

The socket is bound here on a free loopback port and handed to the child, so there is no race
between choosing a port and using it. The child gets its own process group; ``stop`` kills the
group, and is called from ``finally`` so Ctrl-C and crashes stop it too.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Self

import httpx

from dso_acceptatie.processen import stop_procesgroep, zonder_onderbreking


class ReferentieStartFout(Exception):
    pass


class ReferentieLV:
    def __init__(self, *, api_sleutel: str, fouten: str = "", data_map: Path | None = None,
                 log: Path | None = None, starttijd_s: float = 120.0,
                 omgeving: dict[str, str] | None = None):
        self.api_sleutel = api_sleutel
        # extra environment for the server process only (REFERENTIE_LV_ORIGIN, _LIMIETEN, …):
        # the harness's own environment is never changed to configure it
        self.omgeving = dict(omgeving or {})
        self.fouten = fouten
        self.data_map = data_map
        self.log = log
        self.starttijd_s = starttijd_s
        self.proces: subprocess.Popen | None = None
        self.origin: str | None = None

    def start(self) -> str:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        poort = sock.getsockname()[1]
        self.origin = f"http://127.0.0.1:{poort}"
        env = dict(os.environ, **self.omgeving, REFERENTIE_LV_API_SLEUTELS=self.api_sleutel,
                   REFERENTIE_LV_FOUTEN=self.fouten)
        # --ouder: the server stops when the process that started it dies, even by SIGKILL
        cmd = [sys.executable, "-m", "referentie_lv", "--fd", str(sock.fileno()), "--ouder", str(os.getpid())]
        if self.data_map:
            cmd += ["--data-map", str(self.data_map)]
        with contextlib.ExitStack() as stapel:
            stapel.callback(sock.close)  # the child holds its own copy
            uit = stapel.enter_context(open(self.log, "ab")) if self.log else subprocess.DEVNULL
            with zonder_onderbreking():  # Ctrl-C now would leave a server nobody can stop
                self.proces = subprocess.Popen(cmd, pass_fds=(sock.fileno(),), env=env, stdout=uit,
                                               stderr=subprocess.STDOUT, start_new_session=True)
        self._wacht_op_health()
        return self.origin

    def _wacht_op_health(self) -> None:
        einde = time.monotonic() + self.starttijd_s
        while time.monotonic() < einde:
            if self.proces.poll() is not None:
                raise ReferentieStartFout(
                    f"de referentie-LV stopte bij het starten (code {self.proces.returncode}); "
                    f"zie {self.log}")
            try:
                if httpx.get(self.origin + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise ReferentieStartFout(f"de referentie-LV was na {self.starttijd_s:.0f} s niet gezond")

    def stop(self) -> None:
        stop_procesgroep(self.proces)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
