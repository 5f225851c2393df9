"""The one rate limiter of the harness (dso_acceptatie.tempo), in threads and under gevent."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from dso_acceptatie.tempo import Begrenzer
from tests.contracten.helpers import PROJECT


def test_zonder_limiet_wacht_niemand():
    b = Begrenzer(None)
    assert not b
    start = time.monotonic()
    for _ in range(1000):
        b.wacht()
    assert time.monotonic() - start < 0.5
    assert Begrenzer(0).reserveer() == 0.0


def test_negatieve_limiet_geweigerd():
    with pytest.raises(ValueError, match="positief"):
        Begrenzer(-1)


def test_slots_op_volgorde_over_threads():
    """20 per second from 4 threads together: 21 calls take at least 1 s, and no two calls
    get the same slot (the gaps between them are at least the interval, give or take)."""
    b = Begrenzer(20)
    momenten: list[float] = []
    lock = threading.Lock()

    def werk(n: int) -> None:
        for _ in range(n):
            b.wacht()
            with lock:
                momenten.append(time.monotonic())

    start = time.monotonic()
    threads = [threading.Thread(target=werk, args=(n,)) for n in (6, 5, 5, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    duur = time.monotonic() - start
    assert len(momenten) == 21
    assert duur >= 1.0 - 0.02, duur          # the first slot is immediate, then 20 × 50 ms
    assert duur < 3.0, duur
    momenten.sort()
    # The k-th call to return cannot come before the k-th slot: start + k intervals. (A bound
    # on the gap between two recorded moments is not sound: a thread that is scheduled late
    # records its moment late, which shortens the next gap without any slot being shared.)
    for k, moment in enumerate(momenten):
        assert moment - start >= k * b.interval - 0.01, (k, moment - start)


def test_pauzeer_en_rust_uit():
    b = Begrenzer(100)
    b.pauzeer(0.3)
    start = time.monotonic()
    b.wacht()
    assert time.monotonic() - start >= 0.3 - 0.02
    start = time.monotonic()
    b.rust_uit(0.2)
    assert 0.2 - 0.02 <= time.monotonic() - start < 1.0


def test_als_hook_van_httpx():
    """Used as httpx event hook (called with the request)."""
    b = Begrenzer(10)
    start = time.monotonic()
    for _ in range(4):
        b(object())
    assert time.monotonic() - start >= 0.3 - 0.02


GEVENT = """
from dso_acceptatie.tempo import Begrenzer   # imported before the patch, as it may be under locust
from gevent import monkey
monkey.patch_all()
import time, gevent

b = Begrenzer(10)
tikken = []

def tikker():
    # Runs while the other greenlets wait for their slots: only they may sleep, not the hub.
    for _ in range(10):
        tikken.append(time.monotonic())
        gevent.sleep(0.05)

def gebruiker():
    for _ in range(3):
        b.wacht()

start = time.monotonic()
gevent.joinall([gevent.spawn(tikker)] + [gevent.spawn(gebruiker) for _ in range(4)])
duur = time.monotonic() - start
grootste_gat = max(b - a for a, b in zip(tikken, tikken[1:]))
print(f"{duur:.3f} {grootste_gat:.3f} {len(tikken)}")
"""


def test_onder_gevent_wacht_alleen_de_wachtende_greenlet():
    """locust patches time.sleep with gevent: the limiter must use the patched sleep (looked up
    at call time), or one waiting user would freeze every user of the process."""
    uit = subprocess.run([sys.executable, "-c", GEVENT], capture_output=True, text=True,
                         cwd=PROJECT, timeout=60, check=True).stdout.split()
    duur, gat, tikken = float(uit[0]), float(uit[1]), int(uit[2])
    assert tikken == 10
    assert duur >= 1.1 - 0.05, duur     # 12 slots at 10/s: the last one 1.1 s after the first
    assert gat < 0.3, f"de tikker stond {gat:.2f} s stil: de begrenzer blokkeerde de hub"
