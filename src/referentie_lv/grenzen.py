"""Limits on what a client may send the reference LV: header size, body size, the Host header.

- ``HttpProtocol``: uvicorn's httptools protocol with a bound on the request head (request line
  plus headers, ``MAX_KOP``). httptools itself has no such bound and collects a 64 MB header by
  repeated concatenation, blocking the event loop for seconds; here the head is refused with 431
  (problem+json, Dutch) as soon as it passes the bound, and the connection is closed.
  ``UVICORN_OPTIES`` are the uvicorn options that install it (``__main__`` and the tests).
- ``lees_body``: read a request body with a cap, without exceptions holding the buffer: a body
  over the cap gives ``None`` and nothing of it stays referenced. ``herhaal`` hands a body that was
  read to the app as if it came from the client.
- ``HostControle``: ASGI middleware that replaces a Host header naming anything other than this
  server (a loopback name or the address the client connected to, with the bound port) by the
  bound address, so that links built from the request never point elsewhere (``Host:
  evil.example``). With ``Config.origin`` set, every request gets that origin's host and scheme.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_KOP = 64 * 1024          # request line + headers; browsers and DSO clients stay far below

LOOPBACK_NAMEN = frozenset({"localhost", "127.0.0.1", "::1"})


def probleem_bytes(title: str, detail: str, code: str) -> bytes:
    """The problem+json body of a 431, given by the protocol before any app sees the request."""
    return orjson.dumps({"type": "https://www.rfc-editor.org/rfc/rfc6585#section-5",
                         "title": title, "status": 431, "detail": detail, "code": code})


class HttpProtocol(HttpToolsProtocol):
    """httptools with a bound on the request head (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kop_open = True         # reading a request head (until the blank line)
        self._kop_bytes = 0
        self._staart = b""            # last bytes of the previous chunk: "\r\n\r\n" may straddle

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._kop_open, self._kop_bytes, self._staart = True, 0, b""

    def data_received(self, data: bytes) -> None:
        if self._kop_open:
            venster = self._staart + data
            eind = venster.find(b"\r\n\r\n")
            if eind == -1:
                self._kop_bytes += len(data)
                self._staart = venster[-3:]
            else:
                self._kop_bytes += eind - len(self._staart)
                self._kop_open = False
            if self._kop_bytes > MAX_KOP:
                self._weiger_kop()
                return
        super().data_received(data)

    def _weiger_kop(self) -> None:
        body = probleem_bytes("Headers te groot.",
                              f"De regel en headers van het verzoek zijn samen groter dan "
                              f"{MAX_KOP // 1024} KiB.", "headersTooLarge")
        self.transport.write(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                             b"content-type: application/problem+json\r\n"
                             b"content-length: " + str(len(body)).encode() + b"\r\n"
                             b"connection: close\r\n\r\n" + body)
        self.transport.close()


UVICORN_OPTIES: dict[str, Any] = {"http": HttpProtocol}


# --------------------------------------------------------------------------- bodies

def heeft_body(scope: dict) -> bool:
    for naam, waarde in scope.get("headers", ()):
        if naam == b"transfer-encoding" or (naam == b"content-length" and waarde.strip() != b"0"):
            return True
    return False


def gemelde_lengte(scope: dict) -> int | None:
    """The Content-Length the client announced (None when absent or not a number)."""
    for naam, waarde in scope.get("headers", ()):
        if naam == b"content-length":
            waarde = waarde.strip()
            return int(waarde) if waarde.isdigit() and len(waarde) < 19 else None
    return None


async def lees_body(receive: Callable, maximum: int) -> bytes | None:
    """The whole body, or None when it is longer than ``maximum`` (or the client went away).

    No exception is raised while the chunks are held, so no traceback keeps them alive."""
    delen: list[bytes] = []
    totaal = 0
    while True:
        bericht = await receive()
        if bericht["type"] != "http.request":
            return None
        deel = bericht.get("body", b"")
        totaal += len(deel)
        if totaal > maximum:
            delen.clear()
            return None
        if deel:
            delen.append(deel)
        if not bericht.get("more_body", False):
            return b"".join(delen)


async def begrens_body(scope: dict, receive: Callable, maximum: int) -> Callable | None:
    """A ``receive`` that hands the app the body read up front, or None when the body is longer
    than ``maximum`` (told by Content-Length already, or found while reading a chunked body).
    A request without a body keeps its own ``receive``."""
    if not heeft_body(scope):
        return receive
    lengte = gemelde_lengte(scope)
    if lengte is not None and lengte > maximum:
        return None
    body = await lees_body(receive, maximum)
    return None if body is None else herhaal(body, receive)


class BodyGrens:
    """ASGI middleware: bodies up to ``maximum`` bytes; a longer one gets ``weigering(scope)``
    (a Response) and the connection is closed, without the app seeing the request."""

    def __init__(self, app: Callable, maximum: int, weigering: Callable[[dict], Any]):
        self.app, self.maximum, self.weigering = app, maximum, weigering

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http":
            begrensd = await begrens_body(scope, receive, self.maximum)
            if begrensd is None:
                antwoord = self.weigering(scope)
                antwoord.headers["Connection"] = "close"
                await antwoord(scope, receive, send)
                return
            receive = begrensd
        await self.app(scope, receive, send)


def herhaal(body: bytes, receive: Callable) -> Callable:
    """A ``receive`` that gives ``body`` once, then defers to the client's ``receive``."""
    gegeven = False

    async def ontvang() -> dict:
        nonlocal gegeven
        if not gegeven:
            gegeven = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return ontvang


# --------------------------------------------------------------------------- Host

_HOST_RE = re.compile(rb"(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?")


def _netloc(adres: str, poort: int) -> str:
    try:
        if ipaddress.ip_address(adres).version == 6:
            return f"[{adres}]:{poort}"
    except ValueError:
        pass
    return f"{adres}:{poort}"


class HostControle:
    """ASGI middleware: a Host header may only name this server (see the module docstring)."""

    def __init__(self, app: Callable, origin: str | None = None):
        self.app = app
        self.origin = None
        if origin:
            o = urlsplit(origin)
            self.origin = (o.scheme, o.netloc.encode("latin-1"))

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http":
            self._controleer(scope)
        await self.app(scope, receive, send)

    def _controleer(self, scope: dict) -> None:
        headers = scope.get("headers") or []
        host = next((w for n, w in headers if n == b"host"), None)
        if self.origin is not None:
            scope["scheme"] = self.origin[0]
            goed = self.origin[1]
        else:
            server = scope.get("server")
            if not server:
                return
            adres, poort = server[0], server[1]
            if host is not None and self._eigen(host, adres, poort):
                return
            goed = _netloc(adres, poort).encode("latin-1")
        if host == goed:
            return
        scope["headers"] = [(n, w) for n, w in headers if n != b"host"] + [(b"host", goed)]

    @staticmethod
    def _eigen(host: bytes, adres: str, poort: int) -> bool:
        """True when ``host`` is exactly ``name[:port]`` naming this server and its port."""
        m = _HOST_RE.fullmatch(host)
        if m is None:
            return False
        naam = (m.group(1) or m.group(2)).decode("ascii").lower()
        gegeven_poort = int(m.group(3)) if m.group(3) else 80
        return naam in LOOPBACK_NAMEN | {adres.lower()} and gegeven_poort == poort
