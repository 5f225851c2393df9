"""Acceptance criteria (acceptatiecriteria.toml): the rules the report judges a run by.

Per severity how many failed checks may remain, the lowest pass rate, how much may be skipped,
and what a blocked or unstable check does to a verdict. Every mistake in the file is a
:class:`ConfiguratieFout` naming file and line; unknown keys are errors, never ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dso_acceptatie.configuratie import fout, lees_toml, regel_van
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


def _percentage(pad, tekst, tabel, sleutel, waarde, minimum: float) -> float:
    if isinstance(waarde, bool) or not isinstance(waarde, (int, float)) or not minimum <= waarde <= 100:
        raise fout(pad, regel_van(tekst, (tabel,) if tabel else (), sleutel),
                    f"'{sleutel}' moet een getal van {minimum:g} tot en met 100 zijn (procent)"
                    + (", of -1 voor onbeperkt." if minimum < 0 else "."))
    return float(waarde)


def lees_criteria(pad: Path, *, mag_ontbreken: bool = False) -> Criteria:
    """Read the criteria; the defaults only when the (default) file may be absent."""
    gelezen = lees_toml(pad, mag_ontbreken=mag_ontbreken,
                        oplossing_ontbreekt="geef een bestaand bestand met --criteria, of laat "
                        "de optie weg voor acceptatiecriteria.toml.")
    if gelezen is None:
        return Criteria()
    data, tekst = gelezen
    maxima = dict(STANDAARD_MAXIMA)
    waarden: dict = {}
    for sleutel, waarde in data.items():
        if sleutel == "bevindingen" and isinstance(waarde, dict):
            for ernst, maximum in waarde.items():
                if ernst not in ERNSTEN or ernst == "informatief":
                    raise fout(pad, regel_van(tekst, ("bevindingen",), ernst),
                                f"onbekende ernst '{ernst}'. Oplossing: blokkerend, ernstig, "
                                "hinderlijk of cosmetisch.")
                if not isinstance(maximum, int) or isinstance(maximum, bool) or maximum < -1:
                    raise fout(pad, regel_van(tekst, ("bevindingen",), ernst),
                                f"'{ernst}' moet een geheel getal ≥ 0 zijn, of -1 voor onbeperkt.")
                maxima[ernst] = maximum
        elif sleutel == "dekking" and isinstance(waarde, dict):
            for s, w in waarde.items():
                if s == "min_slagingspercentage":
                    waarden[s] = _percentage(pad, tekst, "dekking", s, w, 0)
                elif s == "max_overgeslagen_percentage":
                    waarden[s] = _percentage(pad, tekst, "dekking", s, w, -1)
                    if waarden[s] < 0 and waarden[s] != -1:
                        raise fout(pad, regel_van(tekst, ("dekking",), s), f"'{s}' moet 0–100 of -1 zijn.")
                else:
                    raise fout(pad, regel_van(tekst, ("dekking",), s),
                                f"onbekende sleutel '{s}' in [dekking]. Oplossing: "
                                "min_slagingspercentage of max_overgeslagen_percentage.")
        elif sleutel in ("geblokkeerd", "instabiel"):
            if waarde not in GEVOLGEN:
                raise fout(pad, regel_van(tekst, (), sleutel),
                            f"'{sleutel}' moet \"afwijzen\", \"voorwaarden\" of \"toegestaan\" zijn.")
            waarden[sleutel] = waarde
        elif sleutel in ("geblokkeerd_toegestaan", "instabiel_toegestaan") and isinstance(waarde, bool):
            # the first summary's form, still understood
            waarden[sleutel.split("_")[0]] = "toegestaan" if waarde else (
                "afwijzen" if sleutel.startswith("geblokkeerd") else "voorwaarden")
        else:
            raise fout(pad, regel_van(tekst, (), sleutel) or regel_van(tekst, (sleutel,)),
                        f"onbekende of verkeerd getypeerde sleutel '{sleutel}'. Oplossing: "
                        "[bevindingen], [dekking], geblokkeerd of instabiel.")
    return Criteria(maxima=maxima, **waarden)
