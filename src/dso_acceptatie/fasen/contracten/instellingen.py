"""Settings of the phase from contracts/contracten.toml, overridable by environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dso_acceptatie.configuratie import ConfiguratieFout, lees_toml, plaats, regel_van
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
    # Seconds the phase may spend (DSO_CONTRACTEN_TIJDSBUDGET); None: two thirds of its time limit.
    tijdsbudget_s: float | None = None
    gelijktijdig: int = 8            # services tested at the same time (DSO_CONTRACTEN_GELIJKTIJDIG)

    @property
    def budget_s(self) -> float:
        if self.tijdsbudget_s is not None:
            return self.tijdsbudget_s
        from dso_acceptatie.fasen import FASEN
        return FASEN["contracten"].tijdslimiet_s * 2 / 3

    def ernst_van(self, controle: str) -> str:
        return self.ernst.get(controle, "ernstig")

    def vastgelegde_spec(self, dienst: str) -> Path | None:
        item = self.specs.get(dienst)
        return CONTRACTS / item["bestand"] if item else None


def _getal(waarde, soort, minimum: float, waar: str, oplossing: str):
    """``waarde`` as int/float of at least ``minimum``; otherwise a ConfiguratieFout text."""
    geen_getal = ConfiguratieFout(f"{waar}: {waarde!r} is geen {'geheel ' if soort is int else ''}"
                                  f"getal. Oplossing: {oplossing}")
    if isinstance(waarde, bool) or (soort is int and isinstance(waarde, float)):
        raise geen_getal
    try:
        getal = soort(waarde)
    except (TypeError, ValueError):
        raise geen_getal from None
    if getal < minimum:
        raise ConfiguratieFout(f"{waar}: {waarde!r} is kleiner dan {minimum:g}. Oplossing: {oplossing}")
    return getal


def lees(pad: Path | None = None) -> Instellingen:
    """The settings; a wrong value (in the file or an environment variable) is a
    ConfiguratieFout naming the file and line, or the variable."""
    pad = pad or CONTRACTS / "contracten.toml"
    data, tekst = lees_toml(pad, oplossing_ontbreekt="herstel contracts/contracten.toml uit git.")
    u, t, a = data.get("uitvoering", {}), data.get("toegang", {}), data.get("adr", {})

    def uit_bestand(sleutel: str, standaard, soort, minimum: float, oplossing: str):
        if sleutel not in u:
            return standaard
        return _getal(u[sleutel], soort, minimum,
                      plaats(pad, regel_van(tekst, ("uitvoering",), sleutel)) + f" [uitvoering] {sleutel}",
                      oplossing)

    i = Instellingen(
        max_voorbeelden=uit_bestand("max_voorbeelden", 20, int, 1, "geef een geheel getal ≥ 1."),
        schemathesis_fasen=list(u.get("schemathesis_fasen", Instellingen().schemathesis_fasen)),
        max_antwoordtijd_s=uit_bestand("max_antwoordtijd_s", 1.5, float, 0.001,
                                       "geef een aantal seconden, bijvoorbeeld 1.5."),
        verzoek_timeout_s=uit_bestand("verzoek_timeout_s", 30.0, float, 0.001,
                                      "geef een aantal seconden, bijvoorbeeld 30."),
        tijdsbudget_s=uit_bestand("tijdsbudget_s", None, float, 1,
                                  "geef een aantal seconden ≥ 1, bijvoorbeeld 600."),
        gelijktijdig=uit_bestand("gelijktijdig", 8, int, 1, "geef een geheel getal ≥ 1, bijvoorbeeld 4."),
        open_diensten=list(t.get("open_diensten", [])),
        specs=dict(data.get("specs", {})),
        adr_ernst=dict(a.get("ernst", {})),
        adr_ernst_derden=a.get("ernst_derden", "informatief"),
        ernst=dict(data.get("ernst", {})),
    )
    env = os.environ
    def uit_omgeving(naam: str, soort, minimum: float, oplossing: str):
        return _getal(env[naam].strip(), soort, minimum, f"omgevingsvariabele {naam}", oplossing)

    if env.get("DSO_CONTRACTEN_VOORBEELDEN"):
        i.max_voorbeelden = uit_omgeving("DSO_CONTRACTEN_VOORBEELDEN", int, 1, "geef een geheel getal ≥ 1.")
    if "DSO_CONTRACTEN_SCHEMATHESIS_FASEN" in env:
        i.schemathesis_fasen = [f.strip() for f in env["DSO_CONTRACTEN_SCHEMATHESIS_FASEN"].split(",")
                                if f.strip()]
    if env.get("DSO_CONTRACTEN_MAX_ANTWOORDTIJD"):
        i.max_antwoordtijd_s = uit_omgeving("DSO_CONTRACTEN_MAX_ANTWOORDTIJD", float, 0.001,
                                            "geef een aantal seconden, bijvoorbeeld 1.5.")
    if env.get("DSO_CONTRACTEN_ADR", "").strip().lower() in ("0", "uit", "nee", "false", "no"):
        i.adr = False
    if env.get("DSO_CONTRACTEN_TIJDSBUDGET"):
        i.tijdsbudget_s = uit_omgeving("DSO_CONTRACTEN_TIJDSBUDGET", float, 1,
                                       "geef een aantal seconden ≥ 1, bijvoorbeeld 600.")
    if env.get("DSO_CONTRACTEN_GELIJKTIJDIG"):
        i.gelijktijdig = uit_omgeving("DSO_CONTRACTEN_GELIJKTIJDIG", int, 1,
                                      "geef een geheel getal ≥ 1, bijvoorbeeld 4.")
    if env.get("DSO_CONTRACTEN_SEED"):
        i.seed = uit_omgeving("DSO_CONTRACTEN_SEED", int, 0, "geef een geheel getal ≥ 0.")
    if env.get("DSO_CONTRACTEN_WORKFLOWS"):
        i.workflows = Path(env["DSO_CONTRACTEN_WORKFLOWS"])
    return i
