"""Pacing: at most N requests a second, shared by every thread (or greenlet) that asks.

One limiter for the whole harness: the contracten phase puts it in front of its own probes and
workflows, the locust journeys in front of every call (per service and over all services).
Slots are handed out in order: the caller that asks first gets the first free slot, and waits
outside the lock, so a waiting caller never holds up the others in handing out theirs.

Under locust, gevent has monkeypatched ``time.sleep``; this module therefore looks up
``time.sleep`` at the moment it waits (never a reference captured at import), so there only the
waiting greenlet sleeps.
"""

from __future__ import annotations

import threading
import time


class Begrenzer:
    """At most ``per_seconde`` slots a second; ``None`` or 0 means no limit."""

    def __init__(self, per_seconde: float | None):
        if per_seconde is not None and per_seconde < 0:
            raise ValueError(f"per_seconde moet 0 of positief zijn, niet {per_seconde}")
        self.per_seconde = per_seconde or None
        self.interval = 1.0 / per_seconde if per_seconde else 0.0
        self._volgende = 0.0          # monotonic time of the next free slot
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        return bool(self.interval)

    def reserveer(self) -> float:
        """Take the next free slot; the seconds to wait for it (0: now)."""
        if not self.interval:
            return 0.0
        with self._lock:
            nu = time.monotonic()
            slot = max(nu, self._volgende)
            self._volgende = slot + self.interval
        return slot - nu

    def wacht(self) -> None:
        """Take the next free slot and wait for it."""
        seconden = self.reserveer()
        if seconden > 0:
            time.sleep(seconden)   # looked up now: gevent's patched sleep under locust

    def __call__(self, *_args, **_kw) -> None:
        """As a hook (httpx ``event_hooks``, a requests session): wait for a slot."""
        self.wacht()

    def pauzeer(self, seconden: float) -> None:
        """No slot for anyone for ``seconden`` from now (e.g. after another limiter's requests)."""
        if self.interval:
            with self._lock:
                self._volgende = max(self._volgende, time.monotonic() + seconden)

    def rust_uit(self, marge: float = 0.0) -> None:
        """Wait until the last slot handed out is ``marge`` seconds past (before handing over to
        a limiter that does not know ours)."""
        if self.interval:
            with self._lock:
                seconden = self._volgende - time.monotonic() + marge
            if seconden > 0:
                time.sleep(seconden)
