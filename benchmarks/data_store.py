"""Benchmark of the reference LV's data layer (in-process, one thread). Prints figures; asserts nothing.

    .venv/bin/python benchmarks/data_store.py [--n 20000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from shapely.geometry import Point, box

from referentie_lv.data.store import Store


def meet(naam: str, fn, n: int) -> None:
    tijden = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        tijden.append(time.perf_counter() - t)
    tijden.sort()
    p95 = tijden[int(0.95 * (len(tijden) - 1))]
    print(f"{naam:<45} {n:>7}x  gem {statistics.fmean(tijden) * 1e6:8.1f} µs  p95 {p95 * 1e6:8.1f} µs"
          f"  ≈ {1 / statistics.fmean(tijden):>10,.0f}/s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        s = Store.open(Path(tmp))
        print(f"bouw (lege map) + open: {time.perf_counter() - t:.3f} s (gebouwd={s.gebouwd})")
        t = time.perf_counter()
        s = Store.open(Path(tmp))
        print(f"open (ongewijzigd):     {time.perf_counter() - t:.3f} s (gebouwd={s.gebouwd})")
        adressen = s.adressen("adres")
        punten = [Point(a["rd_x"], a["rd_y"]) for a in adressen]
        termen = ["marktplein 1", "kerkstr", "5391", "gemeentestad", "zuilichemsedijk 3", "havenweg"]
        n = args.n
        i = iter(range(10**9))
        meet("zoek_adressen (cache warm)", lambda: s.zoek_adressen(termen[next(i) % len(termen)], rows=10), n)
        j = iter(range(10**9))
        meet("zoek_adressen (cache koud, unieke q)", lambda: s._zoek(f"{termen[next(j) % len(termen)]}", None), n)
        k = iter(range(10**9))
        meet("adres (lookup)", lambda: s.adres(adressen[next(k) % len(adressen)]["id"]), n)
        m = iter(range(10**9))
        meet("dichtstbij (reverse, rows=10)", lambda: s.dichtstbij(*punten[next(m) % len(punten)].coords[0]), n)
        q = iter(range(10**9))
        meet("annotaties_op punt", lambda: s.annotaties_op(punten[next(q) % len(punten)]), n)
        vlak = box(137500, 424000, 138300, 424600)
        meet("annotaties_op vlak 800x600 m", lambda: s.annotaties_op(vlak), n // 4)
        meet("regeltekst (opgelost)", lambda: s.regeltekst("nl.imow-gm0297.regeltekst.2019000002"), n // 4)
        meet("documentstructuur", lambda: s.documentstructuur("/akn/nl/act/gm0297/2019/reg456"), n // 20)


if __name__ == "__main__":
    main()
