"""The address register of the reference LV: fictitious test addresses (``bronnen/testadressen.csv``)
with the PDOK Locatieserver's search (free, suggest, lookup, reverse).

``Adresregister`` is a part of ``Store``: ``Store`` loads it from the same SQLite database
(``_laad_adressen``) and callers use ``store.zoek_adressen(...)`` and friends. Also here: the text
normalisation that search compares in (``normaliseer``, ``tokens``).
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import unicodedata
from collections.abc import Iterable

TYPE_GEWICHT = {"gemeente": 5.0, "woonplaats": 4.0, "weg": 3.0, "postcode": 2.5, "adres": 2.0}


def normaliseer(tekst: str) -> str:
    """Lowercase, accents removed: the form search tokens are compared in."""
    t = unicodedata.normalize("NFKD", tekst.lower())
    return "".join(c for c in t if not unicodedata.combining(c))


_TOKEN = re.compile(r"[0-9a-z]+")


def tokens(tekst: str) -> list[str]:
    # Postcode "1234 AB" and "1234AB" must match each other: digit/letter runs are separate tokens.
    uit = []
    for t in _TOKEN.findall(normaliseer(tekst)):
        uit.extend(re.findall(r"[0-9]+|[a-z]+", t))
    return uit


class Adresregister:
    """Search over the fictitious test addresses; loaded by ``Store`` (see the module docstring)."""

    def _laad_adressen(self, con: sqlite3.Connection) -> None:
        self._adressen: list[dict] = []
        for r in con.execute("SELECT data FROM adres ORDER BY id"):
            a = json.loads(r["data"])
            for k in ("rd_x", "rd_y", "lat", "lon"):
                a[k] = float(a[k])
            a["huisnummer"] = int(a["huisnummer"]) if a.get("huisnummer") else None
            for k, v in list(a.items()):
                if v == "":
                    a[k] = None
            self._adressen.append(a)
        self._adres_per_id = {a["id"]: a for a in self._adressen}
        self._prefix: dict[str, set[int]] = {}
        self._tokens_per_doc: list[list[str]] = []
        for i, a in enumerate(self._adressen):
            toks = tokens(" ".join(str(a.get(k) or "") for k in (
                "weergavenaam", "straatnaam", "postcode", "woonplaatsnaam", "gemeentenaam")))
            self._tokens_per_doc.append(toks)
            for t in set(toks):
                for n in range(1, len(t) + 1):
                    self._prefix.setdefault(t[:n], set()).add(i)
        self._punten = [(a["rd_x"], a["rd_y"]) for a in self._adressen]
        self._zoek_cache: dict = {}

    def adressen(self, type: str | None = None) -> list[dict]:
        """All docs of the register (type 'adres', 'weg', 'postcode', 'woonplaats', 'gemeente'), by id."""
        return [dict(a) for a in self._adressen if type is None or a["type"] == type]

    def adres(self, id: str) -> dict | None:
        """Lookup by PDOK-style id (adr-…, wgd-…, pcd-…, wpl-…, gem-…)."""
        a = self._adres_per_id.get(id)
        return dict(a) if a else None

    def zoek_adressen(self, q: str, rows: int = 10, start: int = 0,
                      types: Iterable[str] | None = None) -> tuple[int, list[dict]]:
        """Tokenised, case- and accent-insensitive prefix search over the register.
        Every query token must be a prefix of some token of the doc. Returns (numFound, docs), docs are
        copies with an added 'score' (float), best first (score, then type weight, then weergavenaam)."""
        sleutel = (q, tuple(sorted(types)) if types else None)
        treffers = self._zoek_cache.get(sleutel)
        if treffers is None:
            treffers = self._zoek(q, types)
            if len(self._zoek_cache) > 4096:
                self._zoek_cache.clear()
            self._zoek_cache[sleutel] = treffers
        return len(treffers), [dict(self._adressen[i], score=sc) for sc, i in treffers[start:start + rows]]

    def _zoek(self, q: str, types) -> list[tuple[float, int]]:
        qt = tokens(q)
        if not qt:
            return []
        kandidaten: set[int] | None = None
        for t in qt:
            s = self._prefix.get(t, set())
            kandidaten = set(s) if kandidaten is None else kandidaten & s
            if not kandidaten:
                return []
        typeset = set(types) if types else None
        uit = []
        for i in kandidaten:
            a = self._adressen[i]
            if typeset and a["type"] not in typeset:
                continue
            dt = self._tokens_per_doc[i]
            exact = sum(1 for t in qt if t in dt)
            # Exact token matches weigh more than prefixes; fewer extra tokens = closer match.
            score = round(exact * 2.0 + (len(qt) - exact) * 1.0 + TYPE_GEWICHT.get(a["type"], 1.0)
                          - 0.05 * max(0, len(dt) - len(qt)), 4)
            uit.append((score, i))
        uit.sort(key=lambda p: (-p[0], self._adressen[p[1]]["weergavenaam"]))
        return uit

    def dichtstbij(self, x: float, y: float, rows: int = 10, types: Iterable[str] | None = ("adres",),
                   max_afstand: float | None = None) -> list[dict]:
        """Reverse geocoding in RD New: nearest docs with an added 'afstand' (metres), nearest first."""
        typeset = set(types) if types else None
        kand = []
        for i, (px, py) in enumerate(self._punten):
            if typeset and self._adressen[i]["type"] not in typeset:
                continue
            afst = math.hypot(px - x, py - y)
            if max_afstand is None or afst <= max_afstand:
                kand.append((afst, i))
        kand.sort()
        return [dict(self._adressen[i], afstand=round(a, 3)) for a, i in kand[:rows]]
