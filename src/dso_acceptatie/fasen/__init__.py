"""The phases of an acceptance run. Each runs as a separate process and writes only records.

A phase module is run as ``python -m <module> --run-map DIR --doel DIR/doel.json --run-id ID``
(see :mod:`dso_acceptatie.fasen.basis`). A phase that is not built yet has ``module=None`` and a
reason; the orchestrator records it as ``geblokkeerd`` so it never counts as passed.

``FASEN`` below is the one list of phases (name, title, module, time limit, order): the CLI, the
orchestrator and the validation of ``fasen = [...]`` in doelen.toml all read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fase:
    naam: str
    titel: str
    module: str | None
    tijdslimiet_s: float
    niet_beschikbaar: str | None = None   # why the phase cannot run (not built yet)


FASEN: dict[str, Fase] = {f.naam: f for f in (
    Fase("klantreizen", "Klantreizen in de browser (pytest-bdd + Playwright)",
         "dso_acceptatie.fasen.klantreizen", 600, None),
    Fase("contracten", "Contracttests, API Design Rules en DSO-controles",
         "dso_acceptatie.fasen.contracten", 900, None),
    Fase("leveringen", "Conformiteit van leveringen (STOP, TPOD/IMOW, STTR, IMRO)",
         "dso_acceptatie.fasen.leveringen", 600, None),
    Fase("last", "Lasttests van de raadpleegdiensten (locust, SLO's)",
         "dso_acceptatie.fasen.last", 600, None),
)}
