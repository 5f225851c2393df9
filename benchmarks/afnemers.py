"""Benchmark: the latency the afnemers recording proxy adds, and its throughput ceiling.

Loopback only. An upstream (a minimal ASGI app answering a ~1 KB HAL+JSON page, on uvicorn, in its
own process) is called at a fixed open-loop rate (default 200 requests per second) directly and
through the proxy (also in its own process, recording into a temporary verkeer.jsonl with masking,
as in a session); the added latency is the difference of the percentiles. The ceiling is the
closed-loop throughput with N concurrent clients through the proxy, next to direct. Bounded: a
few seconds per measurement, every process stopped in ``finally``. Goal: ≤ 2 ms added at p95 at
200 requests/s.

    .venv/bin/python benchmarks/afnemers.py [--tempo 200] [--seconden 5] [--gelijktijdig 16]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

UPSTREAM = r'''
import json, sys, uvicorn
BODY = json.dumps({"_links": {"self": {"href": "http://x/y?page=1"}},
                   "_embedded": {"items": [{"id": i, "naam": "regeling %d" % i} for i in range(30)]}}).encode()
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/hal+json"), (b"api-version", b"1.0.0"),
                            (b"content-length", str(len(BODY)).encode())]})
    await send({"type": "http.response.body", "body": BODY})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
'''

PROXY = r'''
import signal, sys, time
from pathlib import Path
from dso_acceptatie.afnemers.proxy import OpnameProxy
from dso_acceptatie.records import Masker
p = OpnameProxy(sys.argv[1], Path(sys.argv[2]), masker=Masker(["sessie-geheim-123"]), sessiesleutel="sessie-geheim-123",
                echte_sleutel="echt-geheim-456")
print(p.start(), flush=True)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
try:
    while True:
        time.sleep(1)
finally:
    p.stop()
'''


def _vrije_poort() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wacht(url: str) -> None:
    einde = time.monotonic() + 20
    while time.monotonic() < einde:
        try:
            httpx.get(url, timeout=1)
        except httpx.HTTPError:
            time.sleep(0.05)
        else:
            return
    raise RuntimeError(f"{url} kwam niet op")


def open_lus(direct: str, via: str, tempo: float, seconden: float) -> tuple[list[float], list[float], float]:
    """Latencies (ms) direct and through the proxy, interleaved: at every slot of a fixed schedule
    (``tempo`` per second, open loop) one request to each, in alternating order, so both see the
    same load on a shared machine. Also the share of slots that started late (>1 ms)."""
    aantal = int(tempo * seconden)
    lat_direct, lat_proxy, laat = [], [], 0
    with httpx.Client(headers={"x-api-key": "sessie-geheim-123"}, timeout=10) as client:
        for _ in range(20):  # warm up both connections
            client.get(direct)
            client.get(via)
        begin = time.perf_counter()
        for i in range(aantal):
            gepland = begin + i / tempo
            nu = time.perf_counter()
            if gepland > nu:
                time.sleep(gepland - nu)
            elif nu - gepland > 0.001:
                laat += 1
            volgorde = ((direct, lat_direct), (via, lat_proxy))
            for url, lijst in (volgorde if i % 2 else volgorde[::-1]):
                t0 = time.perf_counter()
                client.get(url).raise_for_status()
                lijst.append((time.perf_counter() - t0) * 1000)
    return lat_direct, lat_proxy, laat / max(aantal, 1)


async def _gesloten(url: str, gelijktijdig: int, seconden: float) -> float:
    klaar = 0
    einde = time.perf_counter() + seconden

    async def werker(client: httpx.AsyncClient) -> None:
        nonlocal klaar
        while time.perf_counter() < einde:
            (await client.get(url)).raise_for_status()
            klaar += 1

    async with httpx.AsyncClient(headers={"x-api-key": "sessie-geheim-123"}, timeout=10,
                                 limits=httpx.Limits(max_connections=gelijktijdig)) as client:
        start = time.perf_counter()
        await asyncio.gather(*(werker(client) for _ in range(gelijktijdig)))
        return klaar / (time.perf_counter() - start)


def _pct(waarden: list[float], p: float) -> float:
    return statistics.quantiles(waarden, n=100, method="inclusive")[p - 1] if len(waarden) > 1 else waarden[0]


def main() -> int:
    ap = argparse.ArgumentParser(description="Vertraging en plafond van de afnemersproxy (alleen loopback).")
    ap.add_argument("--tempo", type=float, default=200.0, help="verzoeken per seconde (open lus)")
    ap.add_argument("--seconden", type=float, default=5.0, help="duur per meting")
    ap.add_argument("--gelijktijdig", type=int, default=16, help="gelijktijdige clients voor het plafond")
    args = ap.parse_args()
    processen: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            poort = _vrije_poort()
            processen.append(subprocess.Popen([sys.executable, "-c", UPSTREAM, str(poort)], start_new_session=True))
            direct = f"http://127.0.0.1:{poort}"
            _wacht(direct + "/")
            proxy = subprocess.Popen([sys.executable, "-c", PROXY, direct, str(Path(tmp) / "verkeer.jsonl")],
                                     stdout=subprocess.PIPE, text=True, start_new_session=True)
            processen.append(proxy)
            via = proxy.stdout.readline().strip()
            pad = "/publiek/omgevingsdocumenten/api/presenteren/v8/regelingen?page=1"
            lat_direct, lat_proxy, laat = open_lus(direct + pad, via + pad, args.tempo, args.seconden)
            uitslag = {naam: (_pct(lat, 50), _pct(lat, 95), _pct(lat, 99), len(lat))
                       for naam, lat in (("direct", lat_direct), ("proxy", lat_proxy))}
            verschil = [p - d for p, d in zip(lat_proxy, lat_direct, strict=True)]
            plafond = {naam: asyncio.run(_gesloten(basis + pad, args.gelijktijdig, min(args.seconden, 3.0)))
                       for naam, basis in (("direct", direct), ("proxy", via))}
            with open(Path(tmp) / "verkeer.jsonl", "rb") as verkeer:
                opgenomen = sum(1 for _ in verkeer)
        finally:
            for p in processen:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
    print(f"open lus, {args.tempo:g} verzoeken/s naar elk (afwisselend), {args.seconden:g} s (ms; "
          f"{laat:.0%} van de slots begon te laat):")
    print(f"{'':<8} {'p50':>7} {'p95':>7} {'p99':>7} {'aantal':>7}")
    for naam, (p50, p95, p99, n) in uitslag.items():
        print(f"{naam:<8} {p50:7.2f} {p95:7.2f} {p99:7.2f} {n:7d}")
    erbij50 = uitslag["proxy"][0] - uitslag["direct"][0]
    erbij95 = uitslag["proxy"][1] - uitslag["direct"][1]
    print(f"toegevoegd door de proxy: p50 {erbij50:+.2f} ms, p95 {erbij95:+.2f} ms (doel: ≤ 2 ms bij p95); "
          f"per paar: mediaan {_pct(verschil, 50):+.2f} ms, p95 {_pct(verschil, 95):+.2f} ms")
    print(f"plafond ({args.gelijktijdig} gelijktijdig): direct {plafond['direct']:.0f}/s, "
          f"via de proxy {plafond['proxy']:.0f}/s; opgenomen uitwisselingen: {opgenomen}")
    return 0 if erbij95 <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
