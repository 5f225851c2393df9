"""Settings of the phase from contracts/contracten.toml, overridable by environment variables."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from dso_acceptatie.project import project

PROJECT = project()
CONTRACTS = Path(os.environ.get("DSO_CONTRACTS_MAP") or PROJECT / "contracts")
SPECTRAL = PROJECT / "node_modules" / ".bin" / "spectral"
OAS30_SCHEMA = (PROJECT / "node_modules" / "@stoplight" / "spectral-rulesets" / "dist" / "oas"
                / "schemas" / "oas" / "v3.0.json")
SLEUTEL_PLAATSHOUDER = "$DSO_API_KEY"


@dataclass
class Instellingen:
    max_voorbeelden: int = 20
    schemathesis_fasen: list[str] = field(default_factory=lambda: [
        "examples", "coverage", "fuzzing", "stateful"])
    max_antwoordtijd_s: float = 1.5
    verzoek_timeout_s: float = 30
    open_diensten: list[str] = field(default_factory=list)
    specs: dict[str, dict] = field(default_factory=dict)
    adr_ernst: dict[str, str] = field(default_factory=dict)
    adr_ernst_derden: str = "informatief"
    ernst: dict[str, str] = field(default_factory=dict)
    workflows: Path = CONTRACTS / "workflows"
    seed: int | None = None          # fixed seed for reproducible runs (DSO_CONTRACTEN_SEED)
    adr: bool = True                 # lint the specs with the ADR ruleset (DSO_CONTRACTEN_ADR=0: off)

    def ernst_van(self, controle: str) -> str:
        return self.ernst.get(controle, "ernstig")

    def vastgelegde_spec(self, dienst: str) -> Path | None:
        item = self.specs.get(dienst)
        return CONTRACTS / item["bestand"] if item else None


def lees(pad: Path | None = None) -> Instellingen:
    data = tomllib.loads((pad or CONTRACTS / "contracten.toml").read_text(encoding="utf-8"))
    u, t, a = data.get("uitvoering", {}), data.get("toegang", {}), data.get("adr", {})
    i = Instellingen(
        max_voorbeelden=int(u.get("max_voorbeelden", 20)),
        schemathesis_fasen=list(u.get("schemathesis_fasen", Instellingen().schemathesis_fasen)),
        max_antwoordtijd_s=float(u.get("max_antwoordtijd_s", 1.5)),
        verzoek_timeout_s=float(u.get("verzoek_timeout_s", 30)),
        open_diensten=list(t.get("open_diensten", [])),
        specs=dict(data.get("specs", {})),
        adr_ernst=dict(a.get("ernst", {})),
        adr_ernst_derden=a.get("ernst_derden", "informatief"),
        ernst=dict(data.get("ernst", {})),
    )
    env = os.environ
    if env.get("DSO_CONTRACTEN_VOORBEELDEN"):
        i.max_voorbeelden = int(env["DSO_CONTRACTEN_VOORBEELDEN"])
    if "DSO_CONTRACTEN_SCHEMATHESIS_FASEN" in env:
        i.schemathesis_fasen = [f.strip() for f in env["DSO_CONTRACTEN_SCHEMATHESIS_FASEN"].split(",")
                                if f.strip()]
    if env.get("DSO_CONTRACTEN_MAX_ANTWOORDTIJD"):
        i.max_antwoordtijd_s = float(env["DSO_CONTRACTEN_MAX_ANTWOORDTIJD"])
    if env.get("DSO_CONTRACTEN_ADR", "").strip().lower() in ("0", "uit", "nee", "false", "no"):
        i.adr = False
    if env.get("DSO_CONTRACTEN_SEED"):
        i.seed = int(env["DSO_CONTRACTEN_SEED"])
    if env.get("DSO_CONTRACTEN_WORKFLOWS"):
        i.workflows = Path(env["DSO_CONTRACTEN_WORKFLOWS"])
    return i
