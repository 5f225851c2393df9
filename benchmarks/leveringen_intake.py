"""Benchmark: intake-to-visible on the reference LV. Prints figures, asserts nothing.

Starts the reference LV as its own process on a free loopback port (fresh data folder), then per
repetition delivers the Gemeentestad vaststelling as a copy with its own regeling work id and
measures, from the POST:

* until the status resource says ``geaccepteerd`` (polled every 10 ms),
* until Presenteren serves the new regelingversie at its geldigOp (polled every 10 ms),

plus the same for an invalid copy (until ``afgewezen``). The zip is built before the clock starts.
Also: the harness validator on the OW-only mutation against the state of the regeling (``--basis``),
warm, next to the same delivery without it.

    .venv/bin/python benchmarks/leveringen_intake.py [--herhalingen 10]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from urllib.parse import quote

import httpx

from dso_acceptatie.leveringen import keten

SLEUTEL = "benchmark-intake"
INTAKE = "/overheid/lvbb/api/aanleveren/v1"
PRESENTEREN = "/publiek/omgevingsdocumenten/api/presenteren/v8"


def _vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wacht_tot(voorwaarde, maximum: float = 60.0) -> float:
    start = time.perf_counter()
    while not voorwaarde():
        if time.perf_counter() - start > maximum:
            raise TimeoutError("niet binnen de tijd")
        time.sleep(0.01)
    return time.perf_counter()


def meet(herhalingen: int) -> None:
    poort = _vrije_poort()
    url = f"http://127.0.0.1:{poort}"
    with tempfile.TemporaryDirectory() as data:
        proces = subprocess.Popen([sys.executable, "-m", "referentie_lv", "--port", str(poort), "--data-map", data],
                                  env={**os.environ, "REFERENTIE_LV_API_SLEUTELS": SLEUTEL})
        try:
            h = httpx.Client(headers={"x-api-key": SLEUTEL}, timeout=30)
            _wacht_tot(lambda: _gezond(h, url), 60)
            geaccepteerd, zichtbaar, afgewezen = [], [], []
            for i in range(herhalingen):
                werk, gevallen = keten.gevallen(f"benchmark-{i}-{time.time_ns()}")
                vast = gevallen[0]
                inhoud = keten.zip_van(keten.VOORBEELDEN / vast.bron, vast.vervang)
                start = time.perf_counter()
                r = h.post(url + INTAKE + "/aanleveringen", content=inhoud, headers={"content-type": "application/zip"})
                status_url = r.headers["location"]
                geaccepteerd.append(_tot_status(h, status_url, "geaccepteerd") - start)
                zichtbaar.append(_wacht_tot(partial(_serveert, h, url, werk, f"{werk}/nld@1")) - start)
                fout = next(g for g in gevallen if g.codes == ["OZON0038"])
                inhoud = keten.zip_van(keten.VOORBEELDEN / fout.bron, fout.vervang)
                start = time.perf_counter()
                r = h.post(url + INTAKE + "/aanleveringen", content=inhoud, headers={"content-type": "application/zip"})
                status_url = r.headers["location"]
                afgewezen.append(_tot_status(h, status_url, "afgewezen") - start)
            h.close()
        finally:
            proces.terminate()
            proces.wait(timeout=20)
    grootte = len(keten.zip_van(keten.VOORBEELDEN / "opdracht", []))

    def rij(naam: str, waarden: list[float]) -> str:
        return (f"  {naam:<38} mediaan {statistics.median(waarden) * 1000:6.0f} ms, "
                f"max {max(waarden) * 1000:6.0f} ms")

    print(f"Intake referentie-LV, {herhalingen}x, Gemeentestad-opdracht als zip ({grootte / 1024:.0f} KiB):")
    print(rij("POST -> geaccepteerd", geaccepteerd))
    print(rij("POST -> zichtbaar in Presenteren", zichtbaar))
    print(rij("POST -> afgewezen (OZON0038)", afgewezen))


def _tot_status(h: httpx.Client, status_url: str, status: str) -> float:
    return _wacht_tot(lambda: h.get(status_url).json()["status"] == status)


def _gezond(h: httpx.Client, url: str) -> bool:
    try:
        return h.get(url + "/health").status_code == 200
    except httpx.HTTPError:
        return False


def _serveert(h: httpx.Client, url: str, werk: str, expressie: str) -> bool:
    r = h.get(f"{url}{PRESENTEREN}/regelingen/{quote(werk, safe='')}", params={"geldigOp": "2020-01-14"})
    return r.status_code == 200 and r.json().get("expressieIdentificatie") == expressie


def basis_warm(herhalingen: int) -> None:
    from dso_acceptatie.leveringen import valideer

    mutatie = keten.VOORBEELDEN / "opdracht_10"
    basis = [keten.VOORBEELDEN / "opdracht"]
    valideer(mutatie, basis=basis)
    for naam, opties in (("zonder --basis", {}), ("met --basis opdracht", {"basis": basis})):
        tijden = []
        for _ in range(herhalingen):
            t = time.perf_counter()
            valideer(mutatie, **opties)
            tijden.append(time.perf_counter() - t)
        print(f"  opdracht_10 {naam:<22} warm mediaan {statistics.median(tijden):.3f} s")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--herhalingen", type=int, default=10)
    args = p.parse_args()
    meet(args.herhalingen)
    print("Validator op de OW-mutatie tegen de stand van de regeling:")
    basis_warm(max(3, args.herhalingen // 3))


if __name__ == "__main__":
    main()
