"""Benchmark: the leveringen validator. Prints figures, asserts nothing.

1. Schematron → XSLT compilation, cold (empty cache dir) versus cached, per rule set
   (TPOD validaties.sch is the large one), each in a fresh process so Saxon starts cold too.
2. Validating the sample deliveries (Gemeentestad, TPOD 1.0, STTR, IMRO) with a warm cache.
3. The Gemeentestad delivery with every rule set (STOP/LVBB Schematron, IMOW XSD, Ozon rules):
   cold (fresh process, empty Schematron cache) and warm; the IMOW part (XSD + Ozon rules) and the STTR
   packages with their table semantics on their own.
4. ``--groot MB``: only a generated flat STOP file of MB megabytes (one Divisietekst with very
   many alineas, a few of them empty so a rule fires), validated by ``dso-acceptatie levering``
   in a fresh process: wall time and peak RSS of that process.

    .venv/bin/python benchmarks/leveringen.py [--herhalingen 3]
    .venv/bin/python benchmarks/leveringen.py --groot 50
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
VOORBEELDEN = PROJECT / "contracts" / "leveringen" / "voorbeelden"
REGELSETS = ["tpod-validaties-1.0.6/validaties.sch", "stop-lvbb-1.0.4/stop/imop-tekst.sch"]

_COMPILEER = """
import sys, time
from pathlib import Path
t = time.perf_counter()
from dso_acceptatie.leveringen.schematron import SaxonRegelset
SaxonRegelset(Path(sys.argv[1]))
print(time.perf_counter() - t)
"""


def compileer(sch: Path, cache: str) -> float:
    uit = subprocess.run([sys.executable, "-c", _COMPILEER, str(sch)], check=True,
                         capture_output=True, text=True, env={**os.environ, "DSO_CACHE": cache})
    return float(uit.stdout.strip().splitlines()[-1])


def groot_stop_bestand(pad: Path, megabytes: int) -> Path:
    """A flat STOP Divisietekst of about ``megabytes`` MB; every 100 000th alinea is empty
    (STOP0005), so the rules have something to find."""
    kop = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Divisietekst eId="content_o_1" '
           b'wId="bgCode_1-0__content_o_1" xmlns="https://standaarden.overheid.nl/stop/imop/tekst/">\n'
           b"  <Kop><Opschrift>Groot</Opschrift></Kop>\n  <Inhoud>\n")
    regel = b"    <Al>Een alinea met wat tekst om het bestand groot te maken.</Al>\n"
    leeg = b"    <Al></Al>\n"
    doel = megabytes * 1024 * 1024
    with open(pad, "wb") as f:
        f.write(kop)
        n = 0
        while f.tell() < doel:
            f.write(b"".join(leeg if (n + i) % 100000 == 0 else regel for i in range(1000)))
            n += 1000
        f.write(b"  </Inhoud>\n</Divisietekst>\n")
    return pad


_MEET = """
import resource, subprocess, sys, time
t = time.perf_counter()
r = subprocess.run(sys.argv[1:], capture_output=True, text=True)
duur = time.perf_counter() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
laatste = (r.stdout.strip().splitlines() or r.stderr.strip().splitlines() or ["?"])[-1]
print(f"{duur:.1f} {ru.ru_utime + ru.ru_stime:.1f} {ru.ru_maxrss / 1024:.0f} {r.returncode} {laatste}")
"""


def meet_groot(megabytes: int) -> None:
    """Wall time and peak RSS of `dso-acceptatie levering` on a generated flat STOP file."""
    with tempfile.TemporaryDirectory() as tmp:
        pad = groot_stop_bestand(Path(tmp) / "groot.xml", megabytes)
        grootte = pad.stat().st_size / 1024 / 1024
        # A separate measuring process, so ru_maxrss is that of the validator alone.
        uit = subprocess.run([sys.executable, "-c", _MEET, sys.executable, "-m", "dso_acceptatie",
                              "levering", str(pad), "--max", "3"],
                             check=True, capture_output=True, text=True).stdout.split(maxsplit=4)
        duur, cpu, piek, code, laatste = uit
        # CPU seconds too: on a busy machine the wall time says more about the neighbours.
        print(f"Groot STOP-bestand ({grootte:.0f} MB): {duur} s ({cpu} s CPU), piek-RSS {piek} MB, "
              f"exitcode {code}\n  {laatste}")


_KOUD = """
import sys, time
t = time.perf_counter()
from dso_acceptatie.leveringen import valideer
u = valideer(sys.argv[1])
print(f"{time.perf_counter() - t:.2f} {u.oordeel}")
"""


def gemeentestad_koud_warm(herhalingen: int) -> None:
    """Cold: a fresh process with an empty cache (imports, Saxon start, compilation included)."""
    pad = VOORBEELDEN / "gemeentestad" / "opdracht"
    koud = []
    for _ in range(herhalingen):
        with tempfile.TemporaryDirectory() as cache:
            uit = subprocess.run([sys.executable, "-c", _KOUD, str(pad)], check=True, capture_output=True,
                                 text=True, env={**os.environ, "DSO_CACHE": cache}).stdout.split()
            koud.append(float(uit[0]))
    from dso_acceptatie.leveringen import ozon, sttr_semantiek, valideer

    valideer(pad)
    warm = []
    for _ in range(herhalingen):
        t = time.perf_counter()
        u = valideer(pad)
        warm.append(time.perf_counter() - t)
    print(f"Gemeentestad (alle regelsets), seconden: koud {statistics.median(koud):.2f} / warm "
          f"{statistics.median(warm):.2f}  ({u.oordeel}; doel <= 10 / <= 3)")
    t = time.perf_counter()
    for _ in range(herhalingen):
        valideer(pad, soort="tpod")
    print(f"  waarvan IMOW (XSD + Ozon-regels, {ozon.__name__}): {(time.perf_counter() - t) / herhalingen:.3f} s")
    t = time.perf_counter()
    for _ in range(herhalingen):
        valideer(VOORBEELDEN / "sttr", soort="sttr")
    print(f"STTR-pakketten incl. tabelsemantiek ({sttr_semantiek.__name__}): "
          f"{(time.perf_counter() - t) / herhalingen:.3f} s")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--herhalingen", type=int, default=3)
    p.add_argument("--groot", type=int, metavar="MB",
                   help="meet alleen een gegenereerd plat STOP-bestand van MB megabytes")
    args = p.parse_args()
    if args.groot:
        meet_groot(args.groot)
        return
    print("Schematron compileren (incl. start van Saxon), seconden: koud / uit cache")
    for rel in REGELSETS:
        sch = PROJECT / "contracts" / "standaarden" / rel
        koud, warm = [], []
        for _ in range(args.herhalingen):
            with tempfile.TemporaryDirectory() as cache:
                koud.append(compileer(sch, cache))
                warm.append(compileer(sch, cache))
        print(f"  {rel:<45} {statistics.median(koud):6.2f} / {statistics.median(warm):6.2f}")

    from datetime import date

    from dso_acceptatie.leveringen import valideer

    gemeentestad_koud_warm(args.herhalingen)
    print("Valideren met warme cache, seconden (mediaan):")
    gevallen = [("gemeentestad/opdracht", None), ("gemeentestad/opdracht_intrekking", None),
                ("tpod-1.0/Test_TPOD1700", None), ("sttr", None),
                ("imro/RW-2025-2a.gml", date(2025, 6, 1))]
    valideer(VOORBEELDEN / gevallen[0][0])   # warm up caches
    for rel, peildatum in gevallen:
        tijden = []
        for _ in range(args.herhalingen):
            t = time.perf_counter()
            u = valideer(VOORBEELDEN / rel, peildatum=peildatum)
            tijden.append(time.perf_counter() - t)
        print(f"  {rel:<45} {statistics.median(tijden):6.2f}  ({len(u.bestanden)} bestanden, "
              f"{len(u.bevindingen)} bevindingen, {u.oordeel})")


if __name__ == "__main__":
    main()
