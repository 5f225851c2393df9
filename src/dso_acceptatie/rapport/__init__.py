"""The acceptance report: a pure function of a run folder, the criteria, the roles and the
known-findings register. It never re-runs anything.

Entry point: :func:`bouw_rapport` reads ``records/*.jsonl``, decides, and writes every output
into the run folder: ``rapport.json`` (schema/rapport.schema.json), ``rapport.html``,
``samenvatting.md``, ``junit.xml`` and ``conformiteitsverklaring.intoto.json``. The comparison
with the previous run of the same target in the same runs folder is automatic.

Outcomes and exit codes (only *accepteren* exits 0)::

    accepteren 0 · afwijzen 1 · (2 = gebruiks-/configuratiefout) · niet testbaar 3 ·
    accepteren onder voorwaarden 4 · niet getest 5 · onderbroken 130
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from dso_acceptatie.configuratie import ConfiguratieFout
from dso_acceptatie.criteria import Criteria, lees_criteria
from dso_acceptatie.rapport import allure, certificaat, html, lastgrafieken, trend, uitvoer
from dso_acceptatie.rapport.certificaat import Verificatie, verifieer
from dso_acceptatie.rapport.model import (
    ACCEPTEREN,
    AFWIJZEN,
    EXITCODES,
    NIET_GETEST,
    NIET_TESTBAAR,
    ONDERBROKEN,
    OORDELEN,
    VOORWAARDEN,
    Model,
    bouw_model,
)
from dso_acceptatie.rapport.register import lees_register
from dso_acceptatie.rapport.rollen import lees_rollen
from dso_acceptatie.rapport.trend import vergelijk, vergelijking_als_tekst
from dso_acceptatie.rapport.uitvoer import ADVIES
from dso_acceptatie.records import lees_records

__all__ = ["ADVIES", "ACCEPTEREN", "AFWIJZEN", "EXITCODES", "NIET_GETEST", "NIET_TESTBAAR", "OORDELEN",
           "ONDERBROKEN", "VOORWAARDEN", "Rapport", "Verificatie", "bouw_rapport", "vergelijk",
           "vergelijking_als_tekst", "verifieer"]

_PI = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$")


@dataclass
class Rapport:
    run_map: Path
    model: Model
    json: dict
    paden: dict[str, Path] = field(default_factory=dict)
    meldingen: list[str] = field(default_factory=list)   # about outputs, never about the verdict
    schrijffouten: list[str] = field(default_factory=list)   # outputs that could not be written

    @property
    def schrijffout(self) -> str | None:
        """Why one or more outputs could not be written (Dutch), as the run reports it; or None."""
        return "; ".join(self.schrijffouten) or None

    @property
    def oordeel(self) -> str:
        return self.model.oordeel

    @property
    def exitcode(self) -> int:
        return self.model.exitcode

    @property
    def redenen(self) -> list[str]:
        return self.model.redenen

    def terminal_tekst(self) -> str:
        return "\n".join([*self.meldingen, *(f"Let op: {f}" for f in self.schrijffouten),
                          uitvoer.als_terminal(self.json, self.run_map)])


def _criteria_json(c: Criteria) -> dict:
    return {"maxima": c.maxima, "min_slagingspercentage": c.min_slagingspercentage,
            "max_overgeslagen_percentage": c.max_overgeslagen_percentage,
            "geblokkeerd": c.geblokkeerd, "instabiel": c.instabiel}


def bouw_rapport(run_map: Path, criteria_pad: Path | Criteria | None = None, register_pad: Path | None = None,
                 rollen_pad: Path | None = None, *, pi: str | None = None,
                 vergelijk_met_vorige: bool = True, peildatum: dt.date | None = None,
                 privesleutel: str | None = None, schrijf: bool = True, allure_html: bool = False) -> Rapport:
    """Build the report of one run folder and (by default) write every output into it.

    ``criteria_pad`` may be a path (read here; it must exist) or a :class:`Criteria` already read.
    A missing rollen.toml or bekende-bevindingen.toml means none. Raises
    :class:`ConfiguratieFout` (Dutch, with file and line) for a bad criteria, roles or register
    file, or a folder that is no run folder.
    """
    run_map = Path(run_map)
    if not (run_map / "records").is_dir():
        raise ConfiguratieFout(f"{run_map}: dit is geen runmap (er is geen map 'records'). "
                               "Oplossing: geef een map onder reports/runs/.")
    if pi is not None and not _PI.match(pi):
        raise ConfiguratieFout(f"--pi {pi!r}: gebruik letters, cijfers, punt, streep of underscore "
                               "(bijvoorbeeld PI-42).")
    if isinstance(criteria_pad, Criteria):   # already read (the run reads it before it starts)
        criteria, criteria_pad = criteria_pad, None
    else:
        criteria = lees_criteria(Path(criteria_pad)) if criteria_pad else Criteria()
    rollen = lees_rollen(Path(rollen_pad) if rollen_pad else None)
    register = lees_register(Path(register_pad) if register_pad else None)
    model = bouw_model(lees_records(run_map), criteria, rollen, register, peildatum)
    if pi is None:
        vorig = run_map / "rapport.json"
        if vorig.exists():   # a rebuild keeps the label the run was given
            try:
                pi = trend.lees_rapport_json(run_map).get("pi")
            except ConfiguratieFout:
                pi = None
    configuratie = {"acceptatiecriteria.toml": criteria_pad, "rollen.toml": rollen_pad,
                    "bekende-bevindingen.toml": register_pad}
    rj = uitvoer.als_json(model, run_map, pi=pi, criteria=_criteria_json(criteria),
                          configuratie={**model.versies,
                                        **{k: str(v) for k, v in configuratie.items() if v}})
    if vergelijk_met_vorige:
        eerder = trend.eerdere_runs(run_map, model.doel)
        if eerder:
            rj["vergelijking"] = trend.vergelijk(eerder[-1][1], rj)
        rj["trend"] = [trend.trendpunt(x) for _, x in eerder] + [trend.trendpunt(rj)]
    rapport = Rapport(run_map, model, rj)
    if schrijf:
        config_paden = {k: Path(v) if v else None for k, v in configuratie.items()}
        stappen = [
            ("json", run_map / "rapport.json", lambda p: uitvoer.schrijf_json(rj, p)),
            ("markdown", run_map / "samenvatting.md",
             lambda p: p.write_text(uitvoer.als_markdown(rj), encoding="utf-8")),
            ("junit", run_map / "junit.xml", lambda p: uitvoer.schrijf_junit(model, p)),
            ("grafieken", run_map / "grafieken", lambda p: lastgrafieken.schrijf(run_map, p)),
            ("html", run_map / "rapport.html", lambda p: html.schrijf_html(rj, p)),
            ("allure", run_map / "allure-results", lambda p: allure.schrijf_allure(model, run_map)),
            ("certificaat", run_map / certificaat.BESTAND,
             lambda p: certificaat.schrijf(run_map, rj, config_paden, privesleutel, rj["aangetoond_per_rol"])),
        ]
        for naam, pad, schrijf_uit in stappen:
            # The verdict comes from the records; an output that cannot be written (read-only
            # folder, a folder with that name) is reported, and the other outputs still come.
            try:
                schrijf_uit(pad)
                rapport.paden[naam] = pad
            except OSError as fout:
                rapport.schrijffouten.append(f"{pad} kon niet worden geschreven: {_os_fout(fout)}")
        if allure_html and "allure" in rapport.paden:
            map_, reden = allure.genereer_html(run_map)
            if map_ is not None:
                rapport.paden["allure-html"] = map_
            else:
                rapport.meldingen.append(f"Allure-HTML niet gemaakt: {reden}")
    return rapport


def _os_fout(fout: OSError) -> str:
    try:
        from dso_acceptatie.run import os_fout  # the Dutch wording the run uses
    except ImportError:
        return fout.strerror or type(fout).__name__
    return os_fout(fout)
