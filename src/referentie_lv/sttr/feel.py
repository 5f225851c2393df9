"""FEEL (DMN 1.1) simple unary tests and literal expressions, as far as toepasbare regels use them.

Supported: ``-``; literals (numbers, "strings", true/false, null); comparisons ``< <= > >=`` with a
literal; ranges ``[a..b]``, ``(a..b)``, ``]a..b[`` with any mix of open/closed ends; comma lists of
those; ``not(...)`` around such a list. Anything else is refused when the model is loaded
(``NietOndersteund``), so a model is never evaluated with a test we silently misread.

Semantics follow FEEL: comparing values of different kinds (number with string, boolean with
number, anything with null except the test ``null`` itself) is null, and null never matches.
Numbers are ``Decimal`` so 0.1 + 0.2 style surprises and float/int mismatches cannot happen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any


class FeelFout(ValueError):
    """A FEEL text that is not valid."""


class NietOndersteund(FeelFout):
    """Valid-looking FEEL that this evaluator deliberately does not support."""


# -- values -----------------------------------------------------------------------------------

def soort(waarde: Any) -> str:
    """FEEL kind of a Python value: null, boolean, number, string."""
    if waarde is None:
        return "null"
    if isinstance(waarde, bool):           # before number: bool is an int in Python
        return "boolean"
    if isinstance(waarde, (int, float, Decimal)):
        return "number"
    if isinstance(waarde, str):
        return "string"
    raise FeelFout(f"waarde van onbekend type: {type(waarde).__name__}")


def getal(waarde: Any) -> Decimal:
    if isinstance(waarde, Decimal):
        return waarde
    if isinstance(waarde, bool):
        raise FeelFout("een boolean is geen getal")
    return Decimal(str(waarde))


def gelijk(a: Any, b: Any) -> bool:
    ka, kb = soort(a), soort(b)
    if ka != kb:
        return False
    if ka == "number":
        return getal(a) == getal(b)
    return a == b


def vergelijk(op: str, a: Any, b: Any) -> bool:
    """``a op b`` with FEEL null semantics (mismatch or null → no match)."""
    ka, kb = soort(a), soort(b)
    if ka != kb or ka in ("null", "boolean"):
        return False
    if ka == "number":
        a, b = getal(a), getal(b)
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    raise FeelFout(f"onbekende vergelijking {op!r}")


# -- literals ---------------------------------------------------------------------------------

_GETAL = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)


def literal(tekst: str) -> Any:
    """Parse one FEEL literal: number, string, boolean or null."""
    t = tekst.strip()
    if t == "true":
        return True
    if t == "false":
        return False
    if t == "null":
        return None
    m = _STRING.fullmatch(t)
    if m:
        return re.sub(r"\\(.)", r"\1", m.group(1))
    if _GETAL.fullmatch(t):
        try:
            return Decimal(t)
        except InvalidOperation as e:        # pragma: no cover - regex guards this
            raise FeelFout(f"geen getal: {t!r}") from e
    if re.fullmatch(r"[A-Za-z_][\w .'/-]*", t):
        raise NietOndersteund(f"verwijzing naar een naam in een test wordt niet ondersteund: {t!r}")
    raise NietOndersteund(f"FEEL-expressie wordt niet ondersteund: {t!r}")


def literal_expressie(tekst: str | None) -> Any:
    """An output entry: a literal (empty = null)."""
    if tekst is None or not tekst.strip():
        return None
    return literal(tekst)


# -- unary tests ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Test:
    tekst: str

    def past(self, waarde: Any) -> bool:        # pragma: no cover - abstract
        raise NotImplementedError

    def constanten(self) -> list[Any]:
        """Literal values in the test: the boundaries that partition an input's domain."""
        return []

    @property
    def is_alles(self) -> bool:
        return False


@dataclass(frozen=True)
class Alles(Test):
    """``-``: matches every value, null included."""

    def past(self, waarde: Any) -> bool:
        return True

    @property
    def is_alles(self) -> bool:
        return True


@dataclass(frozen=True)
class Gelijk(Test):
    waarde: Any

    def past(self, waarde: Any) -> bool:
        if self.waarde is None:
            return waarde is None
        return gelijk(waarde, self.waarde)

    def constanten(self) -> list[Any]:
        return [self.waarde]


@dataclass(frozen=True)
class Vergelijking(Test):
    op: str
    waarde: Any

    def past(self, waarde: Any) -> bool:
        return vergelijk(self.op, waarde, self.waarde)

    def constanten(self) -> list[Any]:
        return [self.waarde]


@dataclass(frozen=True)
class Interval(Test):
    laag: Any
    hoog: Any
    laag_dicht: bool
    hoog_dicht: bool

    def past(self, waarde: Any) -> bool:
        onder = vergelijk(">=" if self.laag_dicht else ">", waarde, self.laag)
        boven = vergelijk("<=" if self.hoog_dicht else "<", waarde, self.hoog)
        return onder and boven

    def constanten(self) -> list[Any]:
        return [self.laag, self.hoog]


@dataclass(frozen=True)
class Of(Test):
    """A comma list: matches when one of its tests matches."""
    delen: tuple[Test, ...]

    def past(self, waarde: Any) -> bool:
        return any(d.past(waarde) for d in self.delen)

    def constanten(self) -> list[Any]:
        return [c for d in self.delen for c in d.constanten()]


@dataclass(frozen=True)
class Niet(Test):
    binnen: Test

    def past(self, waarde: Any) -> bool:
        # FEEL: not(list) is true when no test of the list is true; null input with
        # not(null) is false, with not(5) true (5 does not match null).
        return not self.binnen.past(waarde)

    def constanten(self) -> list[Any]:
        return self.binnen.constanten()


def _splits(tekst: str) -> list[str]:
    """Split on commas outside strings and brackets."""
    delen, huidig, diepte, in_string, i = [], [], 0, False, 0
    while i < len(tekst):
        c = tekst[i]
        if in_string:
            huidig.append(c)
            if c == "\\" and i + 1 < len(tekst):
                huidig.append(tekst[i + 1])
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
            huidig.append(c)
        elif c in "([":
            diepte += 1
            huidig.append(c)
        elif c in ")]":
            diepte -= 1
            huidig.append(c)
        elif c == "," and diepte <= 0:
            delen.append("".join(huidig))
            huidig = []
        else:
            huidig.append(c)
        i += 1
    if in_string:
        raise FeelFout(f"string niet afgesloten: {tekst!r}")
    delen.append("".join(huidig))
    return [d.strip() for d in delen]


_INTERVAL = re.compile(r"([\[\(\]])\s*(.+?)\s*\.\.\s*(.+?)\s*([\]\)\[])", re.S)


def _positief(tekst: str) -> Test:
    t = tekst.strip()
    if not t:
        raise FeelFout("lege test in een lijst")
    for op in ("<=", ">=", "<", ">"):
        if t.startswith(op):
            w = literal(t[len(op):])
            if soort(w) in ("null", "boolean"):
                raise FeelFout(f"vergelijking met {soort(w)} is niet zinvol: {t!r}")
            return Vergelijking(t, op, w)
    m = _INTERVAL.fullmatch(t)
    if m:
        open_l, a, b, open_h = m.groups()
        laag, hoog = literal(a), literal(b)
        if soort(laag) != soort(hoog) or soort(laag) not in ("number", "string"):
            raise FeelFout(f"ongeldig interval: {t!r}")
        return Interval(t, laag, hoog, open_l == "[", open_h == "]")
    return Gelijk(t, literal(t))


def unaire_test(tekst: str | None) -> Test:
    """Parse the text of an input entry into a test."""
    t = (tekst or "").strip()
    if t in ("", "-"):
        return Alles(t or "-")
    m = re.fullmatch(r"not\s*\((.*)\)", t, re.S)
    if m:
        binnen = unaire_test_lijst(m.group(1))
        return Niet(t, binnen)
    return unaire_test_lijst(t)


def unaire_test_lijst(tekst: str) -> Test:
    delen = _splits(tekst)
    if len(delen) == 1:
        return _positief(delen[0])
    return Of(tekst.strip(), tuple(_positief(d) for d in delen))
