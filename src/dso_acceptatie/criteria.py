"""Acceptance criteria (acceptatiecriteria.toml): the rules the report judges a run by.

Per severity how many failed checks may remain, the lowest pass rate, how much may be skipped,
and what a blocked or unstable check does to a verdict. Every mistake in the file is a
:class:`ConfiguratieFout` naming file and line; unknown keys are errors, never ignored.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from dso_acceptatie.doelen import ConfiguratieFout
from dso_acceptatie.records import ERNSTEN

STANDAARD_MAXIMA = {"blokkerend": 0, "ernstig": 0, "hinderlijk": -1, "cosmetisch": -1}
# What a blocked / unstable check does to a verdict.
GEVOLGEN = ("afwijzen", "voorwaarden", "toegestaan")


@dataclass(frozen=True)
class Criteria:
    # Maximum number of failed checks per severity; -1 = no limit. "informatief" never counts.
    maxima: dict[str, int] = field(default_factory=lambda: dict(STANDAARD_MAXIMA))
    # Lowest share of executed checks (geslaagd / (geslaagd + gefaald)) in percent.
    min_slagingspercentage: float = 0.0
    # Highest share of skipped checks in percent before a verdict gets a condition; -1 = no limit.
    max_overgeslagen_percentage: float = 0.0
    geblokkeerd: str = "voorwaarden"   # a check that could not run proves nothing
    instabiel: str = "voorwaarden"     # passed only on a retry
    # Is a group in which every check was skipped allowed to pass silently? Never: it is at best
    # "accepteren onder voorwaarden" (and "niet getest" when nothing at all passed).

    @property
    def geblokkeerd_toegestaan(self) -> bool:   # the name the first summary used
        return self.geblokkeerd == "toegestaan"

    @property
    def instabiel_toegestaan(self) -> bool:
        return self.instabiel == "toegestaan"


def _regel(tekst: str, tabel: str | None, sleutel: str) -> int | None:
    """Line of ``sleutel =`` inside ``[tabel]`` (top level when tabel is None)."""
    huidige: str | None = None
    for i, r in enumerate(tekst.splitlines(), 1):
        kop = re.match(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$", r)
        if kop:
            huidige = kop.group(1).strip()
            continue
        if huidige == tabel and re.match(r"^\s*\"?" + re.escape(sleutel) + r"\"?\s*=", r):
            return i
    return None


def _tabelregel(tekst: str, tabel: str) -> int | None:
    for i, r in enumerate(tekst.splitlines(), 1):
        if r.strip() in (f"[{tabel}]", f"[[{tabel}]]"):
            return i
    return None


def toml_regel(e: tomllib.TOMLDecodeError) -> int | None:
    """The line of a TOML error (Python 3.11 has it only in the message)."""
    m = re.search(r"at line (\d+)", str(e))
    return getattr(e, "lineno", None) or (int(m.group(1)) if m else None)


def _fout(pad: Path, regel: int | None, tekst: str) -> ConfiguratieFout:
    return ConfiguratieFout(f"{pad}:{regel}: {tekst}" if regel else f"{pad}: {tekst}")


def _percentage(pad, tekst, tabel, sleutel, waarde, minimum: float) -> float:
    if isinstance(waarde, bool) or not isinstance(waarde, (int, float)) or not minimum <= waarde <= 100:
        raise _fout(pad, _regel(tekst, tabel, sleutel),
                    f"'{sleutel}' moet een getal van {minimum:g} tot en met 100 zijn (procent)"
                    + (", of -1 voor onbeperkt." if minimum < 0 else "."))
    return float(waarde)


def lees_criteria(pad: Path) -> Criteria:
    if not pad.exists():
        return Criteria()
    tekst = pad.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(tekst)
    except tomllib.TOMLDecodeError as e:
        raise _fout(pad, toml_regel(e), f"geen geldige TOML: {e}. Oplossing: controleer de syntaxis "
                                "(sleutel = waarde, tabellen tussen [ ]).") from None
    maxima = dict(STANDAARD_MAXIMA)
    waarden: dict = {}
    for sleutel, waarde in data.items():
        if sleutel == "bevindingen" and isinstance(waarde, dict):
            for ernst, maximum in waarde.items():
                if ernst not in ERNSTEN or ernst == "informatief":
                    raise _fout(pad, _regel(tekst, "bevindingen", ernst),
                                f"onbekende ernst '{ernst}'. Oplossing: blokkerend, ernstig, "
                                "hinderlijk of cosmetisch.")
                if not isinstance(maximum, int) or isinstance(maximum, bool) or maximum < -1:
                    raise _fout(pad, _regel(tekst, "bevindingen", ernst),
                                f"'{ernst}' moet een geheel getal ≥ 0 zijn, of -1 voor onbeperkt.")
                maxima[ernst] = maximum
        elif sleutel == "dekking" and isinstance(waarde, dict):
            for s, w in waarde.items():
                if s == "min_slagingspercentage":
                    waarden[s] = _percentage(pad, tekst, "dekking", s, w, 0)
                elif s == "max_overgeslagen_percentage":
                    waarden[s] = _percentage(pad, tekst, "dekking", s, w, -1)
                    if waarden[s] < 0 and waarden[s] != -1:
                        raise _fout(pad, _regel(tekst, "dekking", s), f"'{s}' moet 0–100 of -1 zijn.")
                else:
                    raise _fout(pad, _regel(tekst, "dekking", s),
                                f"onbekende sleutel '{s}' in [dekking]. Oplossing: "
                                "min_slagingspercentage of max_overgeslagen_percentage.")
        elif sleutel in ("geblokkeerd", "instabiel"):
            if waarde not in GEVOLGEN:
                raise _fout(pad, _regel(tekst, None, sleutel),
                            f"'{sleutel}' moet \"afwijzen\", \"voorwaarden\" of \"toegestaan\" zijn.")
            waarden[sleutel] = waarde
        elif sleutel in ("geblokkeerd_toegestaan", "instabiel_toegestaan") and isinstance(waarde, bool):
            # the first summary's form, still understood
            waarden[sleutel.split("_")[0]] = "toegestaan" if waarde else (
                "afwijzen" if sleutel.startswith("geblokkeerd") else "voorwaarden")
        else:
            raise _fout(pad, _regel(tekst, None, sleutel) or _tabelregel(tekst, sleutel),
                        f"onbekende of verkeerd getypeerde sleutel '{sleutel}'. Oplossing: "
                        "[bevindingen], [dekking], geblokkeerd of instabiel.")
    return Criteria(maxima=maxima, **waarden)
