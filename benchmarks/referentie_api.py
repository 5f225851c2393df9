"""Benchmark of the reference LV's APIs over HTTP: one uvicorn worker (uvloop + httptools), the
load generator in another process. Prints requests/s and p50/p95/p99; asserts nothing.

    .venv/bin/python benchmarks/referentie_api.py [--duur 10] [--verbindingen 16]

Measured: POST Presenteren …/annotaties/regeltekstannotaties/_zoek (a point in the plan area)
and GET Locatieserver /free?q=<street>. Goal from the issue: ≥ 1,000 req/s at p95 < 50 ms.

Load generator: ``wrk`` when installed (apt install wrk; a Lua script reports p95), otherwise a
small asyncio HTTP/1.1 keep-alive client in a separate process (slower than wrk: on a small
machine it may measure itself as much as the server). Throttling is switched off for the run
(REFERENTIE_LV_LIMIETEN=*=0) so that the server's capacity is measured, not the 200 req/s limit.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SLEUTEL = "benchmark-sleutel"
PRESENTEREN = "/publiek/omgevingsdocumenten/api/presenteren/v8"
ZOEK = PRESENTEREN + "/annotaties/regeltekstannotaties/_zoek"
FREE = "/bzk/locatieserver/search/v3_1/free"
RD = "http://www.opengis.net/def/crs/EPSG/0/28992"

WRK_LUA = r"""
wrk.method = os.getenv("BM_METHOD") or "GET"
wrk.body = os.getenv("BM_BODY")
wrk.headers["x-api-key"] = os.getenv("BM_SLEUTEL")
if wrk.body then
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Content-Crs"] = os.getenv("BM_CRS")
end
done = function(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format(
    'BM {"n": %d, "rps": %.1f, "p50": %.3f, "p95": %.3f, "p99": %.3f, "fouten": %d, "niet2xx": %d}\n',
    summary.requests, summary.requests / s, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
"""


def vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def punt_in_plan() -> list[float]:
    with (ROOT / "src/referentie_lv/bronnen/testadressen.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(x for x in f if not x.startswith("#")):
            if r["type"] == "adres":
                return [float(r["rd_x"]), float(r["rd_y"])]
    raise SystemExit("geen adres in het testregister")


def straat() -> str:
    with (ROOT / "src/referentie_lv/bronnen/testadressen.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(x for x in f if not x.startswith("#")):
            if r["type"] == "weg":
                return r["straatnaam"]
    raise SystemExit("geen straat in het testregister")


# --------------------------------------------------------------------------- fallback client

def _asyncio_client(host: str, poort: int, verzoek: bytes, duur: float, verbindingen: int,
                    uit: multiprocessing.Queue) -> None:
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass

    async def verbinding(eind: float, tijden: list[float], status: list[int]) -> None:
        reader, writer = await asyncio.open_connection(host, poort)
        while time.perf_counter() < eind:
            t = time.perf_counter()
            writer.write(verzoek)
            kop = await reader.readuntil(b"\r\n\r\n")
            lengte = 0
            for regel in kop.split(b"\r\n"):
                if regel[:15].lower() == b"content-length:":
                    lengte = int(regel[15:])
            await reader.readexactly(lengte)
            tijden.append(time.perf_counter() - t)
            status.append(int(kop[9:12]))
        writer.close()

    async def hoofd() -> None:
        tijden: list[float] = []
        status: list[int] = []
        begin = time.perf_counter()
        eind = begin + duur
        await asyncio.gather(*(verbinding(eind, tijden, status) for _ in range(verbindingen)))
        totaal = time.perf_counter() - begin
        tijden.sort()

        def pct(p: float) -> float:
            return tijden[min(len(tijden) - 1, int(p / 100 * len(tijden)))] * 1000

        uit.put({"n": len(tijden), "rps": len(tijden) / totaal, "p50": pct(50), "p95": pct(95),
                 "p99": pct(99), "fouten": 0, "niet2xx": sum(1 for s in status if s >= 300)})

    asyncio.run(hoofd())


def met_asyncio(poort: int, methode: str, pad: str, body: bytes | None, duur: float,
                verbindingen: int) -> dict:
    kop = [f"{methode} {pad} HTTP/1.1", f"Host: 127.0.0.1:{poort}", f"x-api-key: {SLEUTEL}"]
    if body is not None:
        kop += ["Content-Type: application/json", f"Content-Crs: {RD}",
                f"Content-Length: {len(body)}"]
    verzoek = ("\r\n".join(kop) + "\r\n\r\n").encode() + (body or b"")
    q: multiprocessing.Queue = multiprocessing.Queue()
    p = multiprocessing.Process(target=_asyncio_client,
                                args=("127.0.0.1", poort, verzoek, duur, verbindingen, q))
    p.start()
    uitkomst = q.get(timeout=duur + 60)
    p.join()
    return uitkomst


def met_wrk(poort: int, methode: str, pad: str, body: bytes | None, duur: float,
            verbindingen: int, lua: Path) -> dict:
    env = {**os.environ, "BM_METHOD": methode, "BM_SLEUTEL": SLEUTEL, "BM_CRS": RD}
    if body is not None:
        env["BM_BODY"] = body.decode()
    r = subprocess.run(["wrk", "-t1", f"-c{verbindingen}", f"-d{int(duur)}s", "-s", str(lua),
                        f"http://127.0.0.1:{poort}{pad}"], check=False, capture_output=True,
                       text=True,
                       env=env, timeout=duur + 60)
    for regel in r.stdout.splitlines():
        if regel.startswith("BM "):
            return json.loads(regel[3:])
    raise SystemExit(f"wrk gaf geen uitkomst:\n{r.stdout}\n{r.stderr}")


# --------------------------------------------------------------------------- main

def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--duur", type=float, default=10.0, help="seconden per meting (standaard 10)")
    p.add_argument("--verbindingen", type=int, default=16, help="gelijktijdige verbindingen")
    p.add_argument("--generator", choices=("auto", "wrk", "asyncio"), default="auto")
    args = p.parse_args()
    generator = args.generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "asyncio"

    poort = vrije_poort()
    data = tempfile.mkdtemp(prefix="referentie-bench-")
    env = {**os.environ, "REFERENTIE_LV_LIMIETEN": "*=0", "REFERENTIE_LV_API_SLEUTELS": SLEUTEL}
    server = subprocess.Popen([sys.executable, "-m", "referentie_lv", "--port", str(poort),
                               "--data-map", data], env=env, cwd=ROOT)
    try:
        basis = f"http://127.0.0.1:{poort}"
        eind = time.monotonic() + 120
        while True:
            try:
                if httpx.get(basis + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > eind:
                raise SystemExit("de referentie-LV startte niet")
            time.sleep(0.2)

        metingen = []
        zoek_body = json.dumps({"geometrie": {"type": "Point",
                                              "coordinates": punt_in_plan()}}).encode()
        probe = httpx.post(basis + ZOEK, content=zoek_body, timeout=30,
                           headers={"x-api-key": SLEUTEL, "Content-Type": "application/json",
                                    "Content-Crs": RD})
        if probe.status_code == 404:
            print(f"OVERGESLAGEN: {ZOEK} bestaat niet (Presenteren nog niet geïmplementeerd).")
        elif probe.status_code != 200:
            print(f"OVERGESLAGEN: {ZOEK} gaf {probe.status_code}: {probe.text[:200]}")
        else:
            metingen.append(("POST presenteren …/regeltekstannotaties/_zoek", "POST", ZOEK,
                             zoek_body))
        pad_free = f"{FREE}?q={straat()}"
        probe = httpx.get(basis + pad_free, timeout=30)
        if probe.status_code != 200 or probe.json()["response"]["numFound"] == 0:
            raise SystemExit(f"Locatieserver /free gaf geen adressen: {probe.text[:200]}")
        metingen.append(("GET locatieserver /free?q=<straat>", "GET", pad_free, None))

        lua = Path(data) / "bm.lua"
        lua.write_text(WRK_LUA)
        print(f"Referentie-LV: 1 uvicorn-worker (uvloop/httptools), generator: {generator}, "
              f"{args.verbindingen} verbindingen, {args.duur:g} s per meting, CPU's: "
              f"{os.cpu_count()}, load average vooraf: {os.getloadavg()[0]:.1f}")
        print(f"{'meting':<50} {'verzoeken':>9} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
              f"{'p99 ms':>7} {'fout':>5}")
        for naam, methode, pad, body in metingen:
            for _ in range(200):     # warm-up (caches, JIT-free but first-time paths)
                httpx.request(methode, basis + pad, content=body, timeout=30, headers={
                    "x-api-key": SLEUTEL, "Content-Type": "application/json", "Content-Crs": RD})
            if generator == "wrk":
                u = met_wrk(poort, methode, pad, body, args.duur, args.verbindingen, lua)
            else:
                u = met_asyncio(poort, methode, pad, body, args.duur, args.verbindingen)
            doel = "ok" if u["rps"] >= 1000 and u["p95"] < 50 else "ONDER DOEL"
            print(f"{naam:<50} {u['n']:>9} {u['rps']:>8.0f} {u['p50']:>7.1f} {u['p95']:>7.1f} "
                  f"{u['p99']:>7.1f} {u['fouten'] + u['niet2xx']:>5}  {doel}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
