"""Acceptance criteria (acceptatiecriteria.toml): how many failed checks per severity may remain."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dso_acceptatie.configuratie import ConfiguratieFout, eerste_regel_met, lees_toml, plaats
from dso_acceptatie.records import ERNSTEN

STANDAARD_MAXIMA = {"blokkerend": 0, "ernstig": 0, "hinderlijk": -1, "cosmetisch": -1}


@dataclass(frozen=True)
class Criteria:
    # Maximum number of failed checks per severity; -1 = no limit. "informatief" never counts.
    maxima: dict[str, int] = field(default_factory=lambda: dict(STANDAARD_MAXIMA))
    geblokkeerd_toegestaan: bool = False   # a phase that did not run makes the run incomplete
    instabiel_toegestaan: bool = True


def lees_criteria(pad: Path, *, mag_ontbreken: bool = False) -> Criteria:
    """Read the criteria; the defaults only when the (default) file may be absent."""
    gelezen = lees_toml(pad, mag_ontbreken=mag_ontbreken,
                        oplossing_ontbreekt="geef een bestaand bestand met --criteria, of laat "
                        "de optie weg voor acceptatiecriteria.toml.")
    if gelezen is None:
        return Criteria()
    data, tekst = gelezen
    maxima = dict(STANDAARD_MAXIMA)
    for sleutel, waarde in data.items():
        if sleutel == "bevindingen" and isinstance(waarde, dict):
            for ernst, maximum in waarde.items():
                if ernst not in ERNSTEN or ernst == "informatief":
                    raise ConfiguratieFout(
                        f"{plaats(pad, eerste_regel_met(tekst, ernst))}: onbekende ernst '{ernst}'. "
                        "Oplossing: blokkerend, ernstig, hinderlijk of cosmetisch.")
                if not isinstance(maximum, int) or isinstance(maximum, bool) or maximum < -1:
                    raise ConfiguratieFout(
                        f"{plaats(pad, eerste_regel_met(tekst, ernst))}: '{ernst}' moet een geheel getal "
                        "≥ 0 zijn, of -1 voor onbeperkt.")
                maxima[ernst] = maximum
        elif sleutel in ("geblokkeerd_toegestaan", "instabiel_toegestaan") and isinstance(waarde, bool):
            pass
        else:
            raise ConfiguratieFout(f"{plaats(pad, eerste_regel_met(tekst, sleutel))}: onbekende of "
                                   f"verkeerd getypeerde sleutel '{sleutel}'.")
    return Criteria(maxima=maxima,
                    geblokkeerd_toegestaan=data.get("geblokkeerd_toegestaan", False),
                    instabiel_toegestaan=data.get("instabiel_toegestaan", True))
