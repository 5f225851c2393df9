"""The mutating proxy must itself be a solid one, or the harness would reject the proxy instead of
the mutation: any method, any bytes, many requests at once, keep-alive. Against a tiny echo origin
(uvicorn on loopback) with the no-op mutation."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn

from dso_acceptatie.afnemers.proxy import OpnameProxy
from dso_acceptatie.records import Masker
from dso_acceptatie.zelftest import proxy


async def _echo(scope, receive, send):
    if scope["type"] != "http":
        return
    body = b""
    while True:
        bericht = await receive()
        body += bericht.get("body", b"")
        if not bericht.get("more_body"):
            break
    antwoord = scope["method"].encode() + b"\n" + body
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/octet-stream"),
                            (b"content-length", str(len(antwoord)).encode())]})
    await send({"type": "http.response.body", "body": antwoord})


@pytest.fixture(scope="module")
def via_proxy(tmp_path_factory):
    server = uvicorn.Server(uvicorn.Config(_echo, host="127.0.0.1", port=0, log_level="warning", lifespan="off",
                                          http="h11"))
    draad = threading.Thread(target=server.run, daemon=True)
    draad.start()
    while not server.started:
        time.sleep(0.01)
    poort = server.servers[0].sockets[0].getsockname()[1]
    verkeer = tmp_path_factory.mktemp("stevig") / "verkeer.jsonl"
    try:
        with OpnameProxy(f"http://127.0.0.1:{poort}", verkeer, masker=Masker([]), mutator=proxy.Mutatie(),
                         http=proxy.HTTP) as p:
            yield p
    finally:
        server.should_exit = True
        draad.join(timeout=10)


def test_elke_methode_en_elke_byte(via_proxy):
    alle_bytes = bytes(range(256)) * 40
    with httpx.Client(timeout=10) as client:
        for methode in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND", "GEKKE-METHODE"):
            r = client.request(methode, via_proxy.url + "/x", content=alle_bytes)
            assert r.status_code == 200, methode
            assert r.content == methode.encode() + b"\n" + alle_bytes, methode


def test_veel_tegelijk_en_keep_alive(via_proxy):
    with httpx.Client(timeout=30, limits=httpx.Limits(max_connections=4, max_keepalive_connections=4)) as client:
        def een(i: int) -> bytes:
            return client.post(via_proxy.url + f"/n/{i}", content=str(i).encode()).content

        with ThreadPoolExecutor(max_workers=16) as pool:
            uit = list(pool.map(een, range(200)))
    # 200 answers over at most 4 kept-alive connections, each its own body
    assert uit == [b"POST\n" + str(i).encode() for i in range(200)]
    # the proxy finishes its bookkeeping just after the client has its answer: wait (bounded) for
    # the in-flight count to come back to 0, which is the behaviour, not how fast it does so
    einde = time.monotonic() + 10
    while via_proxy.onderweg and time.monotonic() < einde:
        time.sleep(0.01)
    assert via_proxy.onderweg == 0
