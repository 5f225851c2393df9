"""Run-time configuration of the reference LV, from command-line options and the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

# Documented test key for people who start the reference by hand (README, Ontwikkelaar page).
# It opens nothing but this local reference; runs of the harness generate a key per run.
STANDAARD_TESTSLEUTEL = "referentie-test"


@dataclass
class Config:
    api_sleutels: frozenset[str] = field(default_factory=lambda: frozenset({STANDAARD_TESTSLEUTEL}))
    fouten: frozenset[str] = frozenset()       # named faults for the harness's self-test
    data_map: str | None = None                # where the SQLite store and verzoeken live
    origin: str | None = None                  # scheme://host[:port] for links; None: this server


    @classmethod
    def uit_omgeving(cls, fouten: str | None = None, data_map: str | None = None,
                     origin: str | None = None) -> Config:
        sleutels = os.environ.get("REFERENTIE_LV_API_SLEUTELS", "")
        fouten = fouten if fouten is not None else os.environ.get("REFERENTIE_LV_FOUTEN", "")
        return cls(
            api_sleutels=frozenset(s.strip() for s in sleutels.split(",") if s.strip())
            or frozenset({STANDAARD_TESTSLEUTEL}),
            fouten=frozenset(f.strip() for f in fouten.split(",") if f.strip()),
            data_map=data_map or os.environ.get("REFERENTIE_LV_DATA"),
            origin=origin or os.environ.get("REFERENTIE_LV_ORIGIN") or None,
        )
