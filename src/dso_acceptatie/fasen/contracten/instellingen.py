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


# Checks whose expected statuses an exception may widen (schemathesis' own configurable checks).
UITBREIDBARE_CHECKS = ("positive_data_acceptance", "negative_data_rejection", "missing_required_header",
                       "not_a_server_error")


@dataclass(frozen=True)
class Verwacht:
    """A narrow, documented exception: for these operations of one service a check also takes
    ``ook_status`` as a right answer, with the reason (contracten.toml ``[[verwacht]]``)."""
    dienst: str
    operaties: tuple[str, ...]      # "POST /conclusie/_bepaal"
    controle: str
    ook_status: tuple[int, ...]
    reden: str


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
    verwacht: list[Verwacht] = field(default_factory=list)
    workflows: Path = CONTRACTS / "workflows"
    seed: int | None = None          # fixed seed for reproducible runs (DSO_CONTRACTEN_SEED)
    adr: bool = True                 # lint the specs with the ADR ruleset (DSO_CONTRACTEN_ADR=0: off)
    # Seconds the phase may spend (DSO_CONTRACTEN_TIJDSBUDGET); None: two thirds of its time limit.
    tijdsbudget_s: float | None = None
    gelijktijdig: int = 8            # services tested at the same time (DSO_CONTRACTEN_GELIJKTIJDIG)
    # Latency against the SLO's p95 per endpoint (DSO_CONTRACTEN_SLO: another slo.toml).
    slo: Path = PROJECT / "load" / "slo.toml"
    latentie_metingen: int = 5       # calls per operation before a latency verdict
    latentie_stopfactor: float = 2.0  # median this many times the limit: stop testing the service
    sttr: Path = CONTRACTS / "sttr"  # the oracle's STTR models (DSO_CONTRACTEN_STTR)

    @property
    def budget_s(self) -> float:
        if self.tijdsbudget_s is not None:
            return self.tijdsbudget_s
        from dso_acceptatie.fasen import FASEN
        return FASEN["contracten"].tijdslimiet_s * 2 / 3

    def ernst_van(self, controle: str) -> str:
        return self.ernst.get(controle, "ernstig")

    def uitzonderingen(self, dienst: str) -> list[Verwacht]:
        return [v for v in self.verwacht if v.dienst == dienst]

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


def _verwacht(pad: Path, tekst: str, lijst) -> list[Verwacht]:
    """The ``[[verwacht]]`` tables; each wrong one a ConfiguratieFout with its line."""
    if not isinstance(lijst, list):
        raise ConfiguratieFout(f"{plaats(pad, regel_van(tekst, (), 'verwacht'))}: 'verwacht' moet een "
                               "lijst tabellen [[verwacht]] zijn. Oplossing: schrijf elke uitzondering als "
                               "[[verwacht]] met dienst, operaties, controle, ook_status en reden.")
    uit = []
    for i, t in enumerate(lijst):
        waar = plaats(pad, regel_van(tekst, ("verwacht", i))) + f" [[verwacht]] nummer {i + 1}"
        if not isinstance(t, dict):
            raise ConfiguratieFout(f"{waar}: geen tabel.")
        onbekend = sorted(set(t) - {"dienst", "operaties", "controle", "ook_status", "reden"})
        if onbekend:
            raise ConfiguratieFout(f"{waar}: onbekende sleutel(s) {', '.join(onbekend)}. Oplossing: gebruik "
                                   "dienst, operaties, controle, ook_status en reden.")
        ops = t.get("operaties")
        statussen = t.get("ook_status")
        if not isinstance(t.get("dienst"), str) or not t["dienst"]:
            raise ConfiguratieFout(f"{waar}: 'dienst' ontbreekt of is geen tekst.")
        if (not isinstance(ops, list) or not ops
                or not all(isinstance(o, str) and len(o.split(" ")) == 2 and o.split(" ")[1].startswith("/")
                           for o in ops)):
            raise ConfiguratieFout(f"{waar}: 'operaties' moet een niet-lege lijst zijn als "
                                   "[\"POST /conclusie/_bepaal\"] (methode, spatie, pad).")
        if t.get("controle") not in UITBREIDBARE_CHECKS:
            raise ConfiguratieFout(f"{waar}: 'controle' is {t.get('controle')!r}; kies uit "
                                   f"{', '.join(UITBREIDBARE_CHECKS)}.")
        if (not isinstance(statussen, list) or not statussen
                or not all(isinstance(s, int) and not isinstance(s, bool) and 100 <= s <= 599 for s in statussen)):
            raise ConfiguratieFout(f"{waar}: 'ook_status' moet een niet-lege lijst HTTP-statussen zijn, "
                                   "bijvoorbeeld [422].")
        if not isinstance(t.get("reden"), str) or not t["reden"].strip():
            raise ConfiguratieFout(f"{waar}: 'reden' ontbreekt: een uitzondering zonder reden is niet "
                                   "toegestaan.")
        uit.append(Verwacht(t["dienst"], tuple(o.split(" ")[0].upper() + " " + o.split(" ")[1] for o in ops),
                            t["controle"], tuple(statussen), " ".join(t["reden"].split())))
    return uit


def lees(pad: Path | None = None) -> Instellingen:
    """The settings; a wrong value (in the file or an environment variable) is a
    ConfiguratieFout naming the file and line, or the variable."""
    pad = pad or CONTRACTS / "contracten.toml"
    data, tekst = lees_toml(pad, oplossing_ontbreekt="herstel contracts/contracten.toml uit git.")
    u, t, a = data.get("uitvoering", {}), data.get("toegang", {}), data.get("adr", {})
    lat = data.get("latentie", {})

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
        verwacht=_verwacht(pad, tekst, data.get("verwacht", [])),
    )
    for sleutel, soort, minimum, oplossing in (
            ("min_metingen", int, 1, "geef een geheel getal ≥ 1, bijvoorbeeld 5."),
            ("stopfactor", float, 1, "geef een factor ≥ 1, bijvoorbeeld 2.")):
        if sleutel in lat:
            waarde = _getal(lat[sleutel], soort, minimum,
                            plaats(pad, regel_van(tekst, ("latentie",), sleutel)) + f" [latentie] {sleutel}",
                            oplossing)
            setattr(i, "latentie_metingen" if sleutel == "min_metingen" else "latentie_stopfactor", waarde)
    if "slo" in lat:
        i.slo = (pad.parent / str(lat["slo"])).resolve()
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
    if env.get("DSO_CONTRACTEN_STTR"):
        i.sttr = Path(env["DSO_CONTRACTEN_STTR"])
    if env.get("DSO_CONTRACTEN_SLO"):
        i.slo = Path(env["DSO_CONTRACTEN_SLO"])
    if env.get("DSO_CONTRACTEN_WORKFLOWS"):
        i.workflows = Path(env["DSO_CONTRACTEN_WORKFLOWS"])
    return i
