"""The recording reverse proxy that stands between a vendor's client and the target.

Library choice: mitmproxy (the first candidate) cannot live with ``requirements.lock``: every
release that supports Python 3.11 (≤ 11.0.2) pins ``Brotli<=1.1.0`` and ``flask<=3.1.0`` while the
lock has brotli 1.2.1 and Flask 3.1.3, and 11.1 and later require Python ≥ 3.12. The proxy is
therefore an ASGI application served by **uvicorn** (HTTP parsing by httptools/h11) that forwards
with **httpcore** (httpx's connection pool, HTTP/1.1, used directly: httpx's request model cost
~0.5 ms per call on this machine): both are already pinned, so nothing new enters the
lock, and no HTTP is parsed by hand here.

Every exchange becomes one line of JSON in ``verkeer.jsonl`` (method, path, query, headers,
bodies up to a limit, status, timing, which condition was staged), with every key masked before
the line is written. The client gets a session key; the proxy swaps it for the target's real key
on the way up, so the real key never reaches the client.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, Self
from urllib.parse import parse_qsl, urlsplit

import httpcore
import orjson
import uvicorn

try:  # uvicorn[standard] brings uvloop (not on Windows: there the plain loop serves)
    import uvloop
except ImportError:  # pragma: no cover
    uvloop = None

from dso_acceptatie.records import MASKER, Masker

SLEUTEL_HEADER = "x-api-key"
# hop-by-hop headers (RFC 9110 7.6.1) and what the proxy sets itself
_NIET_DOORGEVEN = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                             "te", "trailer", "transfer-encoding", "upgrade", "content-length",
                             "accept-encoding", "host"})
_TEKST_TYPEN = ("json", "xml", "text", "javascript", "x-www-form-urlencoded")
MAX_BODY = 64 * 1024          # characters of a body kept in the recording
_DOORSTUURFOUTEN = (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError,
                    httpcore.UnsupportedProtocol, OSError)


def _is_tekst(content_type: str) -> bool:
    return any(t in content_type.lower() for t in _TEKST_TYPEN)


class Geënsceneerd:
    """What the proxy answers instead of (or after) the target: a staged condition."""

    def __init__(self, naam: str, status: int | None, headers: dict[str, str] | None = None,
                 body: bytes = b"", *, doorsturen: bool = False, vertraging_s: float = 0.0):
        self.naam = naam
        self.status = status
        self.headers = headers or {}
        self.body = body
        self.doorsturen = doorsturen        # forward first (the call takes effect), then answer this
        self.vertraging_s = vertraging_s


# decides per request: (methode, pad) -> staged answer or None
Regisseur = Callable[[str, str], "Geënsceneerd | None"]


class Mutator(Protocol):
    """A hook for the zelftest: a mutation of what passes through (a wrong system on purpose).

    Besides the two required methods a mutator may have these (looked up with ``getattr``, so the
    simple ones stay simple):

    - ``koppel(proxy)``: called once with the proxy (e.g. to read ``proxy.onderweg``, the number
      of exchanges in flight, for errors that only show under load);
    - ``verzoek_body(methode, pad, headers, body) -> bytes``: the request body sent upstream;
    - ``kortsluiting(methode, pad, headers, body) -> (status, headers, body) | None``: answer this
      itself without forwarding (e.g. an upload that is swallowed);
    - ``vertraging(methode, pad) -> float``: seconds to wait before forwarding (latency).
    """

    def verzoek(self, methode: str, pad: str, headers: list[tuple[str, str]]) -> list[tuple[str, str]]: ...

    def antwoord(self, methode: str, pad: str, status: int, headers: list[tuple[str, str]],
                 body: bytes) -> tuple[int, list[tuple[str, str]], bytes]: ...


class OpnameProxy:
    """Reverse proxy on a free loopback port, recording into ``verkeer.jsonl``."""

    def __init__(self, upstream: str, verkeer: Path, *, masker: Masker, sessiesleutel: str | None = None,
                 echte_sleutel: str | None = None, regisseur: Regisseur | None = None,
                 host_doorgeven: bool = True, max_body: int = MAX_BODY, mutator: Mutator | None = None,
                 http: str = "auto"):
        self.mutator = mutator   # zelftest: changes requests/answers on purpose (None: untouched)
        # uvicorn's HTTP parser: "auto" is httptools (fast; llhttp knows a fixed list of methods and
        # answers 400 to any other), "h11" passes every method token on (RFC 9110 allows any), which
        # the zelftest needs to stay transparent
        self.http = http
        self.onderweg = 0        # exchanges in flight (read by mutators of errors under load)
        if mutator is not None and hasattr(mutator, "koppel"):
            mutator.koppel(self)
        self.upstream = upstream.rstrip("/")
        self.verkeer = Path(verkeer)
        self.masker = masker
        self.sessiesleutel = sessiesleutel
        self.echte_sleutel = echte_sleutel
        self.regisseur = regisseur
        # The reference LV builds its links from the Host header: pass the client's Host so that
        # every link points back at the proxy. A remote target needs its own Host; its origin in
        # bodies and Location is then rewritten to the proxy's.
        self.host_doorgeven = host_doorgeven
        self.max_body = max_body
        self.url: str | None = None
        self.aantal = 0
        self._server: uvicorn.Server | None = None
        self._draad: threading.Thread | None = None
        self._client: httpcore.AsyncConnectionPool | None = None
        self._bestand = None
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None

    @property
    def _upstream_host(self) -> str:
        return urlsplit(self.upstream).netloc

    # --- life cycle ---------------------------------------------------------------------------
    def reserveer(self) -> str:
        """Bind the free loopback port now (the URL is known before the target starts)."""
        if self._sock is None:
            self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._sock.bind(("127.0.0.1", 0))
            self._sock.listen(1024)
            self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        return self.url

    def start(self) -> str:
        self.reserveer()
        sock = self._sock
        self.verkeer.parent.mkdir(parents=True, exist_ok=True)
        self._bestand = open(self.verkeer, "ab")  # noqa: SIM115 - open for the proxy's life, closed in stop()
        # log_level error: a request httptools cannot parse (the contract phase sends such on
        # purpose) gets uvicorn's own 400, like any uvicorn server; its warning line is noise
        config = uvicorn.Config(self, log_level="error", access_log=False, lifespan="on", http=self.http,
                                timeout_keep_alive=30, server_header=False, date_header=False)
        self._server = uvicorn.Server(config)
        self._draad = threading.Thread(target=self._draai, args=(sock,), name="opname-proxy", daemon=True)
        self._draad.start()
        einde = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > einde or not self._draad.is_alive():
                raise RuntimeError("de opnameproxy startte niet binnen 10 s")
            time.sleep(0.01)
        return self.url  # uvicorn serves on self._sock itself: closed in stop(), after uvicorn

    def _draai(self, sock: socket.socket) -> None:
        # uvloop, as uvicorn itself chooses: with the plain asyncio loop in a thread every answer
        # waited ~40 ms (two writes per response meet the client's delayed ACK)
        lus = uvloop.new_event_loop() if uvloop is not None else asyncio.new_event_loop()
        asyncio.set_event_loop(lus)
        try:
            lus.run_until_complete(self._server.serve(sockets=[sock]))
        finally:
            lus.close()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._draad is not None:
            self._draad.join(timeout=10)
        if self._sock is not None:
            self._sock.close()
        with self._lock:
            if self._bestand is not None and not self._bestand.closed:
                self._bestand.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- ASGI -----------------------------------------------------------------------------------
    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._levensloop(receive, send)
            return
        if scope["type"] != "http":
            return
        self.onderweg += 1
        try:
            await self._uitwisseling(scope, receive, send)
        finally:
            self.onderweg -= 1

    async def _uitwisseling(self, scope, receive, send) -> None:
        start = time.time()
        t0 = time.perf_counter()
        self.aantal += 1  # numbered in order of arrival (the event loop is one thread)
        nr = self.aantal
        body = bytearray()
        while True:
            bericht = await receive()
            body += bericht.get("body", b"")
            if not bericht.get("more_body"):
                break
        methode = scope["method"]
        # the path as sent (percent-encoding kept), so that it compares with links in bodies
        pad = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        query = scope["query_string"].decode("latin-1")
        verzoek_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        staging = self.regisseur(methode, pad) if self.regisseur else None
        fout = None
        status, antwoord_headers, antwoord = 502, [], b""
        if staging is not None and staging.vertraging_s:
            await asyncio.sleep(staging.vertraging_s)
        # forward unless the staged answer replaces the target's (a staged answer with
        # ``doorsturen`` lets the call take effect first; status None only delays)
        kort = None
        if self.mutator is not None and hasattr(self.mutator, "kortsluiting"):
            kort = self.mutator.kortsluiting(methode, pad, verzoek_headers, bytes(body))
        if kort is not None:
            status, antwoord_headers, antwoord = kort
        elif staging is None or staging.doorsturen or staging.status is None:
            try:
                omhoog, omhoog_body = verzoek_headers, bytes(body)
                if self.mutator:
                    omhoog = self.mutator.verzoek(methode, pad, verzoek_headers)
                    if hasattr(self.mutator, "verzoek_body"):
                        omhoog_body = self.mutator.verzoek_body(methode, pad, omhoog, omhoog_body)
                    if hasattr(self.mutator, "vertraging"):
                        wacht = self.mutator.vertraging(methode, pad)
                        if wacht:
                            await asyncio.sleep(wacht)
                status, antwoord_headers, antwoord = await self._stuur_door(methode, scope, query,
                                                                            omhoog, omhoog_body)
                if self.mutator:
                    status, antwoord_headers, antwoord = self.mutator.antwoord(
                        methode, pad, status, antwoord_headers, antwoord)
            except _DOORSTUURFOUTEN as e:
                fout = f"doel niet bereikbaar: {type(e).__name__}"
                antwoord_headers = [("content-type", "application/problem+json")]
                antwoord = orjson.dumps({"status": 502, "title": "Doel niet bereikbaar via de proxy."})
        if staging is not None and staging.status is not None:
            status = staging.status
            antwoord_headers = [(k.lower(), v) for k, v in staging.headers.items()]
            antwoord = staging.body
        kop = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in antwoord_headers]
        kop.append((b"content-length", str(len(antwoord)).encode()))
        try:
            await send({"type": "http.response.start", "status": status, "headers": kop})
            await send({"type": "http.response.body", "body": antwoord})
        except OSError:  # the client left (e.g. its own timeout): the exchange is still recorded
            fout = fout or "de client verbrak de verbinding voor het antwoord"
        self._neem_op(nr, start, (time.perf_counter() - t0) * 1000, methode, pad, query, verzoek_headers,
                      bytes(body), status, antwoord_headers, antwoord, staging, fout)

    async def _levensloop(self, receive, send) -> None:
        while True:
            bericht = await receive()
            if bericht["type"] == "lifespan.startup":
                self._client = httpcore.AsyncConnectionPool(max_connections=200, max_keepalive_connections=100)
                await send({"type": "lifespan.startup.complete"})
            elif bericht["type"] == "lifespan.shutdown":
                if self._client is not None:
                    await self._client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _stuur_door(self, methode: str, scope, query: str, headers: list[tuple[str, str]],
                          body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        raw_pad = scope.get("raw_path") or scope["path"].encode()
        url = self.upstream + raw_pad.decode("latin-1") + (f"?{query}" if query else "")
        door = []
        host = None
        for k, v in headers:
            laag = k.lower()
            if laag == "host":
                host = v
            if laag in _NIET_DOORGEVEN:
                continue
            if laag == SLEUTEL_HEADER and self.sessiesleutel and v == self.sessiesleutel:
                v = self.echte_sleutel or v
            door.append((k, v))
        door.append(("host", host if self.host_doorgeven and host else self._upstream_host))
        antwoord = await self._client.request(
            methode.encode(), url.encode("latin-1"), content=body,
            headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in door],
            extensions={"timeout": {"connect": 10.0, "read": 120.0, "write": 120.0, "pool": 120.0}})
        inhoud = antwoord.content
        terug = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in antwoord.headers
                 if k.decode("latin-1").lower() not in _NIET_DOORGEVEN]
        if not self.host_doorgeven and self.url:
            inhoud = inhoud.replace(self.upstream.encode(), self.url.encode())
            terug = [(k, v.replace(self.upstream, self.url)) for k, v in terug]
        return antwoord.status, terug, inhoud

    # --- recording ------------------------------------------------------------------------------
    def _body_tekst(self, body: bytes, content_type: str) -> tuple[str | None, bool]:
        if not body or not _is_tekst(content_type):
            return None, False
        tekst = body[: self.max_body * 4].decode("utf-8", errors="replace")
        return tekst[: self.max_body], len(tekst) > self.max_body

    def _neem_op(self, nr: int, start: float, duur_ms: float, methode: str, pad: str, query: str,
                 verzoek_headers: list[tuple[str, str]], verzoek_body: bytes, status: int,
                 antwoord_headers: list[tuple[str, str]], antwoord: bytes, staging: Geënsceneerd | None,
                 fout: str | None) -> None:
        vh = {}
        for k, v in verzoek_headers:
            laag = k.lower()
            vh[laag] = MASKER if laag in (SLEUTEL_HEADER, "authorization") else v
        ah = {k.lower(): v for k, v in antwoord_headers}
        sleutels_in_query = [k for k, v in parse_qsl(query, keep_blank_values=True)
                             if "key" in k.lower() or "sleutel" in k.lower()
                             or (v and v in (self.sessiesleutel, self.echte_sleutel))]
        vb, vb_afgekapt = self._body_tekst(verzoek_body, vh.get("content-type", ""))
        ab, ab_afgekapt = self._body_tekst(antwoord, ah.get("content-type", ""))
        regel = {
            "nr": nr, "start": round(start, 6), "einde": round(start + duur_ms / 1000, 6),
            "duur_ms": round(duur_ms, 2), "methode": methode, "pad": pad, "query": query,
            "verzoek_headers": vh, "sleutel_in_header": any(k.lower() == SLEUTEL_HEADER and v
                                                           for k, v in verzoek_headers),
            "sleutel_in_query": sleutels_in_query,
            "verzoek_body": vb, "verzoek_body_afgekapt": vb_afgekapt,
            "verzoek_body_sha256": hashlib.sha256(verzoek_body).hexdigest() if verzoek_body else None,
            "status": status, "antwoord_headers": ah, "antwoord_body": ab,
            "antwoord_body_afgekapt": ab_afgekapt, "antwoord_grootte": len(antwoord),
            "geënsceneerd": staging.naam if staging else None, "fout": fout,
        }
        lijn = orjson.dumps(self.masker.maskeer(regel)) + b"\n"
        with self._lock:
            if self._bestand is not None and not self._bestand.closed:
                self._bestand.write(lijn)
                self._bestand.flush()


def lees_verkeer(pad: Path) -> list[dict]:
    """The recorded exchanges, in order of arrival (a torn last line is left out)."""
    if not Path(pad).exists():
        return []
    uit = []
    for regel in Path(pad).read_bytes().splitlines():
        try:
            uit.append(orjson.loads(regel))
        except orjson.JSONDecodeError:
            continue
    return sorted(uit, key=lambda u: u["start"])


def url_van(uitwisseling: dict) -> str:
    return uitwisseling["pad"] + (f"?{uitwisseling['query']}" if uitwisseling["query"] else "")


def query_van(uitwisseling: dict) -> dict[str, str]:
    return dict(parse_qsl(uitwisseling["query"], keep_blank_values=True))


def pad_van_href(href: str) -> str:
    return urlsplit(href).path
