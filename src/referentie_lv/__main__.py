"""``referentie-lv``: serve the reference LV (used by ``dso-acceptatie referentie`` and by runs)."""

from __future__ import annotations

import argparse
import os
import socket
import sys

import uvicorn

from referentie_lv import grenzen
from referentie_lv.app import create_app
from referentie_lv.config import Config


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="referentie-lv",
                                description="Start de referentie-LV (APIs en loket) op loopback.")
    p.add_argument("--host", default="127.0.0.1", help="adres (standaard 127.0.0.1)")
    p.add_argument("--port", type=int, default=8800, help="poort (standaard 8800)")
    p.add_argument("--fd", type=int, help="luister op een al geopende socket (door de run gezet)")
    p.add_argument("--fouten", help="komma-gescheiden namen van fouten voor de zelftest")
    p.add_argument("--data-map", help="map voor de database en ingediende verzoeken")
    p.add_argument("--ouder", type=int, help="pid van het starter-proces: stop als dat verdwijnt")
    p.add_argument("--origin", help="origin voor links in antwoorden, zoals https://lv.example "
                                    "(standaard het adres van deze server)")
    args = p.parse_args(argv)
    if args.ouder:
        _stop_met_ouder(args.ouder)
    config = Config.uit_omgeving(fouten=args.fouten, data_map=args.data_map, origin=args.origin)
    app = create_app(config)
    opties = {"log_level": "warning", "access_log": False, **grenzen.UVICORN_OPTIES}
    if args.fd is None:
        uvicorn.run(app, host=args.host, port=args.port, **opties)
        return 0
    # Not uvicorn.run(fd=…): uvicorn opens such a socket as AF_UNIX, so asyncio never sets
    # TCP_NODELAY and every response waits ~40 ms on a delayed ACK. socket(fileno=…) reads the
    # real family (AF_INET) from the descriptor.
    sock = socket.socket(fileno=args.fd)
    uvicorn.Server(uvicorn.Config(app, **opties)).run(sockets=[sock])
    return 0


def _stop_met_ouder(ouder: int) -> None:
    """SIGTERM from the kernel when the starting process dies (also by SIGKILL), so a killed run
    never leaves a server behind. (The harness has the same in dso_acceptatie.processen; the
    reference does not import the harness.) Linux only."""
    try:
        import ctypes
        import signal

        if ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0) != 0:  # PR_SET_PDEATHSIG
            return
    except (OSError, AttributeError):
        return
    if os.getppid() != ouder:
        raise SystemExit(0)


if __name__ == "__main__":
    sys.exit(main())
