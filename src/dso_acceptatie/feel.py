"""FEEL unary tests as DMN 1.1 decision tables use them (the STTR subset): literals, lists,
comparisons, ranges, ``not(…)`` and ``-``.

One home for the evaluation, used by the Vergunningcheck oracle (dmn.py) and
by the STTR checks on deliveries (leveringen/sttr_semantiek.py). Anything else raises
:class:`DmnFout`: an expression we cannot evaluate exactly is an error, never a guess.
"""

from __future__ import annotations

import re


class DmnFout(ValueError):
    """The DMN uses something this reader does not understand (message in Dutch)."""



_VERGELIJK = re.compile(r"^(<=|>=|<|>|=)?\s*(-?\d+(?:\.\d+)?)$")
_BEREIK = re.compile(r"^([\[\(\]])\s*(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)\s*([\]\)\[])$")


def getal(s: str) -> float | int:
    return float(s) if "." in s else int(s)


def literal(s: str):
    s = s.strip()
    if s == "true":
        return True
    if s == "false":
        return False
    if s == "null":
        return None
    if len(s) >= 2 and s[0] == s[-1] == '"':
        return s[1:-1]
    if re.fullmatch(r"-?\d+(?:\.\d+)?", s):
        return getal(s)
    raise DmnFout(f"onbekende FEEL-waarde {s!r}")


def splits_lijst(s: str) -> list[str]:
    delen, diepte, huidig, in_tekst = [], 0, "", False
    for ch in s:
        if ch == '"':
            in_tekst = not in_tekst
        if not in_tekst and ch in "([":
            diepte += 1
        if not in_tekst and ch in ")]":
            diepte -= 1
        if ch == "," and diepte == 0 and not in_tekst:
            delen.append(huidig.strip())
            huidig = ""
        else:
            huidig += ch
    delen.append(huidig.strip())
    return delen


def past(test: str, waarde) -> bool:
    """Does ``waarde`` satisfy the FEEL unary test ``test``?"""
    test = test.strip()
    if test in ("-", ""):
        return True
    if test.startswith("not(") and test.endswith(")"):
        return not past(test[4:-1], waarde)
    delen = splits_lijst(test)
    if len(delen) > 1:
        return any(past(d, waarde) for d in delen)
    m = _VERGELIJK.match(test)
    if m and (m.group(1) or isinstance(waarde, (int, float))):
        if isinstance(waarde, bool) or not isinstance(waarde, (int, float)):
            return False
        op, grens = m.group(1) or "=", getal(m.group(2))
        return {"<": waarde < grens, "<=": waarde <= grens, ">": waarde > grens,
                ">=": waarde >= grens, "=": waarde == grens}[op]
    m = _BEREIK.match(test)
    if m:
        if isinstance(waarde, bool) or not isinstance(waarde, (int, float)):
            return False
        links, a, b, rechts = m.group(1), getal(m.group(2)), getal(m.group(3)), m.group(4)
        boven = waarde >= a if links == "[" else waarde > a
        onder = waarde <= b if rechts == "]" else waarde < b
        return boven and onder
    return waarde == literal(test)


def kandidaten(test: str) -> list:
    """Values that satisfy (or sit at the edge of) a unary test: boundary values first."""
    test = test.strip()
    if test in ("-", ""):
        return []
    if test.startswith("not(") and test.endswith(")"):
        return kandidaten(test[4:-1])
    delen = splits_lijst(test)
    if len(delen) > 1:
        return [w for d in delen for w in kandidaten(d)]
    m = _VERGELIJK.match(test)
    if m and m.group(1):
        op, g = m.group(1), getal(m.group(2))
        return {"<": [g - 1], "<=": [g], ">": [g + 1], ">=": [g], "=": [g]}[op]
    m = _BEREIK.match(test)
    if m:
        a, b = getal(m.group(2)), getal(m.group(3))
        return [a if m.group(1) == "[" else a + 1, b if m.group(4) == "]" else b - 1]
    waarde = literal(test)
    return [] if waarde is None else [waarde]
