"""load/slo.toml: load profiles, client-side rate caps and service levels per endpoint.

One evaluation (:func:`beoordeel`) serves both the phase (figures from locust's CSV) and the
locustfiles' own ``events.quitting`` gate (figures from ``environment.stats``), so a person who
runs locust by hand gets the same verdict as the run. The contract phase reads the same file for
its latency check (``dso_latentie``), so it lives here, shared, and not inside the load phase.

Every mistake in the file stops with a Dutch message naming file, line and fix
(:class:`~dso_acceptatie.configuratie.ConfiguratieFout`); unknown keys are errors, never ignored.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from dso_acceptatie.configuratie import fout, lees_toml, regel_van
from dso_acceptatie.records import ERNSTEN

# SLO name (controle in the record) -> key in slo.toml, unit, and whether higher is better.
SLO_SLEUTELS = {
    "p95-latentie": ("p95_ms", "ms"),
    "p99-latentie": ("p99_ms", "ms"),
    "foutpercentage": ("foutpercentage", "%"),
    "doorvoer": ("doorvoer_min", "verzoeken/s"),
}
_SLEUTEL_NAAR_SLO = {k: naam for naam, (k, _) in SLO_SLEUTELS.items()}
STANDAARD_ERNST = {"p95-latentie": "ernstig", "p99-latentie": "hinderlijk",
                   "foutpercentage": "ernstig", "doorvoer": "hinderlijk"}

PROFIEL_SLEUTELS = {
    "omschrijving": str, "gebruikers": int, "spawnsnelheid": (int, float), "duur_s": (int, float),
    "reizen_per_gebruiker_per_s": (int, float), "max_verzoeken_per_seconde": (int, float),
    "alleen_loopback": bool, "doorvoer_toetsen": bool, "trap_stappen": list,
    "ook_met_plafond": bool, "max_latentiedrift": (int, float), "max_foutgroei": (int, float),
    "max_geheugengroei_mb": (int, float),
}
MAX_TRAPPEN = 6
# Hard bounds so no file can turn the phase into an unbounded load generator.
MAX_GEBRUIKERS = 200
MAX_DUUR_S = 120
# A soak ('duur': max_latentiedrift, max_foutgroei or max_geheugengroei_mb) may run longer, but
# only with a rate cap, so its number of requests is bounded too (cap × duration).
MAX_DUUR_SOAK_S = 1800
ENDPOINT_SLEUTELS = {"p95_ms", "p99_ms", "foutpercentage", "doorvoer_min", "min_verzoeken"}
BOVENSTE = {"profielen", "limieten", "throttling", "standaard", "endpoints", "ernst"}
# [throttling]: per service its documented limit per key (requests/s), provoked on purpose by
# the throttling check with a cheap read operation of that service (path below).
PROEFPADEN = {"presenteren": "/regelingen?size=1"}
_ENDPOINT = re.compile(r"^[a-z][a-z-]* (GET|POST|PUT|PATCH|DELETE|HEAD) /\S*$")


@dataclass(frozen=True)
class Profiel:
    naam: str
    omschrijving: str
    gebruikers: int
    spawnsnelheid: float
    duur_s: float
    reizen_per_gebruiker_per_s: float
    max_verzoeken_per_seconde: float | None = None   # over all services together, client-side
    alleen_loopback: bool = False
    doorvoer_toetsen: bool = True
    # step load ('trap'): users per step, each step duur_s long; empty = one constant run
    trap_stappen: tuple[int, ...] = ()
    # alleen_loopback, but also allowed on a target that names its maximum rate (capped by it)
    ook_met_plafond: bool = False
    # soak ('duur'): the checks over time (verloop.py); None = not checked
    max_latentiedrift: float | None = None
    max_foutgroei: float | None = None
    max_geheugengroei_mb: float | None = None

    @property
    def is_duurtest(self) -> bool:
        return any(x is not None for x in (self.max_latentiedrift, self.max_foutgroei,
                                           self.max_geheugengroei_mb))


@dataclass(frozen=True)
class Grenzen:
    p95_ms: float | None = None
    p99_ms: float | None = None
    foutpercentage: float | None = None
    doorvoer_min: float | None = None
    min_verzoeken: int = 1


@dataclass
class SloBestand:
    pad: Path
    profielen: dict[str, Profiel]
    limieten: dict[str, float]           # per service: the most we send per second (per key)
    standaard: Grenzen
    endpoints: dict[str, Grenzen]
    ernst: dict[str, str] = field(default_factory=lambda: dict(STANDAARD_ERNST))
    throttling: dict[str, float] = field(default_factory=dict)   # documented limit per key

    def grenzen(self, endpoint: str) -> Grenzen:
        return self.endpoints.get(endpoint, self.standaard)


@dataclass(frozen=True)
class Meting:
    """Figures of one endpoint over the whole load run (times in ms)."""
    endpoint: str            # "<dienst> <METHODE> <pad>", the locust request name
    aantal: int
    fouten: int
    mediaan_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    doorvoer: float          # requests per second over the run

    @property
    def dienst(self) -> str:
        return self.endpoint.split(" ", 1)[0]

    @property
    def foutpercentage(self) -> float:
        return 100.0 * self.fouten / self.aantal if self.aantal else 0.0


@dataclass(frozen=True)
class Uitkomst:
    endpoint: str
    slo: str                 # SLO name, e.g. "p95-latentie"
    status: str              # geslaagd | gefaald | overgeslagen
    gemeten: float | None
    grens: float
    eenheid: str
    bericht: str


# --------------------------------------------------------------------------- reading

def _getal(waarde, pad: Path, regel: int | None, wat: str, *, geheel: bool = False,
           minimum: float = 0.0, maximum: float | None = None) -> float:
    soort = int if geheel else (int, float)
    if isinstance(waarde, bool) or not isinstance(waarde, soort) or (
            isinstance(waarde, float) and not math.isfinite(waarde)):
        raise fout(pad, regel, f"'{wat}' moet een {'geheel ' if geheel else ''}getal zijn, niet "
                                f"{waarde!r}. Oplossing: schrijf bijvoorbeeld {wat} = 10.")
    if waarde < minimum or (maximum is not None and waarde > maximum):
        bereik = f"tussen {minimum:g} en {maximum:g}" if maximum is not None else f"minstens {minimum:g}"
        raise fout(pad, regel, f"'{wat}' = {waarde} ligt buiten het toegestane bereik; het moet "
                                f"{bereik} zijn.")
    return waarde


def _grenzen(waarden: dict, pad: Path, tekst: str, tabel: tuple[str, ...],
             basis: Grenzen | None) -> Grenzen:
    if not isinstance(waarden, dict):
        raise fout(pad, regel_van(tekst, tabel[:-1], tabel[-1]) or regel_van(tekst, tabel),
                    f"[{'.'.join(tabel)}] moet een tabel zijn.")
    uit = dict(basis.__dict__) if basis else {}
    for sleutel, waarde in waarden.items():
        regel = regel_van(tekst, tabel, sleutel)
        if sleutel not in ENDPOINT_SLEUTELS:
            raise fout(pad, regel, f"onbekende sleutel '{sleutel}' in [{'.'.join(tabel)}]. "
                                    f"Oplossing: gebruik een van: {', '.join(sorted(ENDPOINT_SLEUTELS))}.")
        maximum = 100.0 if sleutel == "foutpercentage" else None
        uit[sleutel] = _getal(waarde, pad, regel, sleutel, geheel=sleutel == "min_verzoeken",
                              maximum=maximum)
    return Grenzen(**uit)


def _profiel(naam: str, waarden: dict, pad: Path, tekst: str) -> Profiel:
    tabel = ("profielen", naam)
    if not isinstance(waarden, dict):
        raise fout(pad, regel_van(tekst, ("profielen",), naam), f"profiel '{naam}' moet een "
                    f"tabel zijn. Oplossing: schrijf [profielen.{naam}].")
    for sleutel, waarde in waarden.items():
        regel = regel_van(tekst, tabel, sleutel)
        if sleutel not in PROFIEL_SLEUTELS:
            raise fout(pad, regel, f"onbekende sleutel '{sleutel}' in [profielen.{naam}]. "
                                    f"Oplossing: gebruik een van: {', '.join(sorted(PROFIEL_SLEUTELS))}.")
        verwacht = PROFIEL_SLEUTELS[sleutel]
        if verwacht in (bool, str) and not isinstance(waarde, verwacht):
            raise fout(pad, regel, f"'{sleutel}' in [profielen.{naam}] heeft het verkeerde "
                                        f"type; verwacht {'true of false' if verwacht is bool else 'tekst'}.")
    ontbreekt = [s for s in ("gebruikers", "spawnsnelheid", "duur_s", "reizen_per_gebruiker_per_s")
                 if s not in waarden]
    if ontbreekt:
        raise fout(pad, regel_van(tekst, tabel), f"profiel '{naam}' mist {', '.join(ontbreekt)}. "
                    "Oplossing: geef gebruikers, spawnsnelheid, duur_s en reizen_per_gebruiker_per_s.")

    def g(sleutel, **kw):
        return _getal(waarden[sleutel], pad, regel_van(tekst, tabel, sleutel), sleutel, **kw)

    stappen = waarden.get("trap_stappen", [])
    regel = regel_van(tekst, tabel, "trap_stappen")
    if not isinstance(stappen, list) or len(stappen) > MAX_TRAPPEN or any(
            isinstance(x, bool) or not isinstance(x, int) or not 1 <= x <= MAX_GEBRUIKERS
            for x in stappen) or stappen != sorted(set(stappen)):
        raise fout(pad, regel, f"'trap_stappen' in [profielen.{naam}] moet een oplopende lijst van "
                                f"hoogstens {MAX_TRAPPEN} verschillende aantallen gebruikers (1 tot "
                                f"{MAX_GEBRUIKERS}) zijn. Oplossing: schrijf bijvoorbeeld "
                                "trap_stappen = [5, 10, 20].")
    duur = waarden["duur_s"]
    if stappen and isinstance(duur, (int, float)) and len(stappen) * duur > 2 * MAX_DUUR_S:
        raise fout(pad, regel, f"de trap van profiel '{naam}' duurt {len(stappen)} × "
                                f"{waarden['duur_s']} s, meer dan {2 * MAX_DUUR_S} s. Oplossing: minder "
                                "stappen of een kortere duur_s (per stap).")
    max_rps = waarden.get("max_verzoeken_per_seconde")
    duursleutels = [s for s in ("max_latentiedrift", "max_foutgroei", "max_geheugengroei_mb")
                    if s in waarden]
    duurtest = bool(duursleutels)
    if duurtest and max_rps is None:
        raise fout(pad, regel_van(tekst, tabel, duursleutels[0]),
                   f"profiel '{naam}' is een duurtest ({duursleutels[0]}) zonder "
                   "max_verzoeken_per_seconde; een duurtest moet ook in verzoeken begrensd zijn. "
                   "Oplossing: geef max_verzoeken_per_seconde = 50 (of lager).")

    def optioneel(sleutel, **kw):
        return float(g(sleutel, **kw)) if sleutel in waarden else None

    return Profiel(
        naam=naam, omschrijving=waarden.get("omschrijving", ""),
        gebruikers=int(g("gebruikers", geheel=True, minimum=1, maximum=MAX_GEBRUIKERS)),
        spawnsnelheid=float(g("spawnsnelheid", minimum=0.1, maximum=MAX_GEBRUIKERS)),
        duur_s=float(g("duur_s", minimum=1, maximum=MAX_DUUR_SOAK_S if duurtest else MAX_DUUR_S)),
        reizen_per_gebruiker_per_s=float(g("reizen_per_gebruiker_per_s", minimum=0.01, maximum=50)),
        max_verzoeken_per_seconde=None if max_rps is None else float(
            g("max_verzoeken_per_seconde", minimum=0.1)),
        alleen_loopback=bool(waarden.get("alleen_loopback", False)),
        doorvoer_toetsen=bool(waarden.get("doorvoer_toetsen", True)),
        trap_stappen=tuple(stappen),
        ook_met_plafond=bool(waarden.get("ook_met_plafond", False)),
        max_latentiedrift=optioneel("max_latentiedrift", minimum=1, maximum=100),
        max_foutgroei=optioneel("max_foutgroei", minimum=0, maximum=100),
        max_geheugengroei_mb=optioneel("max_geheugengroei_mb", minimum=1, maximum=100_000),
    )


def lees(pad: Path) -> SloBestand:
    """Read and check slo.toml; raise ConfiguratieFout with file and line on any mistake."""
    pad = Path(pad)
    data, tekst = lees_toml(pad, oplossing_ontbreekt="zet het SLO-bestand terug (load/slo.toml) "
                            "of wijs een ander aan met DSO_LAST_SLO.")
    for sleutel in data:
        if sleutel not in BOVENSTE:
            raise fout(pad, regel_van(tekst, (sleutel,)) or regel_van(tekst, (), sleutel),
                        f"onbekende sleutel '{sleutel}'. Oplossing: gebruik een van: "
                        f"{', '.join(sorted(BOVENSTE))}.")
    profielen = {naam: _profiel(naam, w, pad, tekst)
                 for naam, w in (data.get("profielen") or {}).items()}
    if not profielen:
        raise fout(pad, None, "er staat geen enkel profiel in. Oplossing: voeg "
                               "[profielen.rook] en [profielen.zacht] toe.")
    limieten: dict[str, float] = {}
    for dienst, waarde in (data.get("limieten") or {}).items():
        limieten[dienst] = float(_getal(waarde, pad, regel_van(tekst, ("limieten",), dienst),
                                        f"limieten.{dienst}", minimum=0.1))
    throttling: dict[str, float] = {}
    for dienst, waarde in (data.get("throttling") or {}).items():
        regel = regel_van(tekst, ("throttling",), dienst)
        if dienst not in PROEFPADEN:
            raise fout(pad, regel, f"voor dienst '{dienst}' in [throttling] is geen proefverzoek "
                                    f"bekend. Oplossing: kies uit {', '.join(PROEFPADEN)}.")
        throttling[dienst] = float(_getal(waarde, pad, regel, f"throttling.{dienst}", minimum=1,
                                          maximum=1000))
    standaard = _grenzen(data.get("standaard") or {}, pad, tekst, ("standaard",), None)
    endpoints: dict[str, Grenzen] = {}
    for naam, waarden in (data.get("endpoints") or {}).items():
        if not _ENDPOINT.match(naam):
            raise fout(pad, regel_van(tekst, ("endpoints", naam)),
                        f"endpoint '{naam}' heeft niet de vorm '<dienst> <METHODE> <pad>'. "
                        "Oplossing: schrijf bijvoorbeeld [endpoints.\"presenteren POST "
                        "/annotaties/regeltekstannotaties/_zoek\"].")
        endpoints[naam] = _grenzen(waarden, pad, tekst, ("endpoints", naam), standaard)
    ernst = dict(STANDAARD_ERNST)
    for slo_naam, waarde in (data.get("ernst") or {}).items():
        regel = regel_van(tekst, ("ernst",), slo_naam)
        if slo_naam not in SLO_SLEUTELS:
            raise fout(pad, regel, f"onbekende SLO '{slo_naam}' in [ernst]. Oplossing: kies uit "
                                    f"{', '.join(SLO_SLEUTELS)}.")
        if waarde not in ERNSTEN:
            raise fout(pad, regel, f"ernst '{waarde}' bestaat niet. Oplossing: kies uit "
                                    f"{', '.join(ERNSTEN)}.")
        ernst[slo_naam] = waarde
    return SloBestand(pad, profielen, limieten, standaard, endpoints, ernst, throttling)


# --------------------------------------------------------------------------- judging

def _getal_tekst(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if x != int(x) else f"{int(x)}"


def beoordeel(meting: Meting, grenzen: Grenzen, profiel: Profiel | None) -> list[Uitkomst]:
    """One outcome per SLO that applies to this endpoint."""
    uit: list[Uitkomst] = []
    e = meting.endpoint
    weinig = meting.aantal < grenzen.min_verzoeken
    for slo, (sleutel, eenheid) in SLO_SLEUTELS.items():
        grens = getattr(grenzen, sleutel)
        if grens is None:
            continue
        if slo == "foutpercentage":
            gemeten = meting.foutpercentage
            ok = gemeten <= grens
            tekst = (f"{_getal_tekst(gemeten)}% fouten ({meting.fouten} van {meting.aantal}); "
                     f"grens {_getal_tekst(grens)}%")
            if meting.aantal == 0:
                uit.append(Uitkomst(e, slo, "gefaald", None, grens, eenheid,
                                    "geen enkel verzoek gemeten: de reis kwam niet bij dit endpoint"))
                continue
        elif slo == "doorvoer":
            gemeten = meting.doorvoer
            if profiel is not None and not profiel.doorvoer_toetsen:
                uit.append(Uitkomst(e, slo, "overgeslagen", gemeten, grens, eenheid,
                                    f"doorvoer niet getoetst in profiel '{profiel.naam}': dat "
                                    "profiel begrenst zelf het tempo, dus de gemeten "
                                    f"{_getal_tekst(gemeten)} verzoeken/s zegt niets over de dienst"))
                continue
            if weinig:
                uit.append(Uitkomst(e, slo, "overgeslagen", gemeten, grens, eenheid,
                                    f"te weinig verzoeken ({meting.aantal}, minimaal "
                                    f"{grenzen.min_verzoeken}) voor een betrouwbare doorvoer"))
                continue
            ok = gemeten >= grens
            tekst = (f"{_getal_tekst(gemeten)} verzoeken/s; minimum {_getal_tekst(grens)} verzoeken/s")
        else:
            gemeten = meting.p95_ms if slo == "p95-latentie" else meting.p99_ms
            pct = slo[:3]
            if weinig:
                uit.append(Uitkomst(e, slo, "overgeslagen", gemeten if meting.aantal else None,
                                    grens, eenheid,
                                    f"te weinig verzoeken ({meting.aantal}, minimaal "
                                    f"{grenzen.min_verzoeken}) voor een betrouwbaar {pct}"))
                continue
            ok = gemeten <= grens
            tekst = f"{pct} {_getal_tekst(gemeten)} ms; grens {_getal_tekst(grens)} ms"
        uit.append(Uitkomst(e, slo, "geslaagd" if ok else "gefaald", gemeten, grens, eenheid,
                            ("binnen de SLO: " if ok else "SLO overschreden: ") + tekst))
    return uit


def beoordeel_alles(metingen: list[Meting], slo: SloBestand, profiel: Profiel | None,
                    verwacht: list[str] = ()) -> list[Uitkomst]:
    """All outcomes; an endpoint in ``verwacht`` that was never called is judged with zero calls.

    Throughput is coupled through the journeys: when one step is slow or fails, the steps after
    it are reached less often. A throughput shortfall is therefore laid at an endpoint's door
    only when it breached a latency or error SLO itself, or when no other endpoint did (then
    the system as a whole did not keep up); otherwise it is not judged, naming the cause.
    """
    per_naam = {m.endpoint: m for m in metingen}
    for naam in verwacht:
        per_naam.setdefault(naam, Meting(naam, 0, 0, 0, 0, 0, 0, 0))
    uit: list[Uitkomst] = []
    for naam in sorted(per_naam):
        uit += beoordeel(per_naam[naam], slo.grenzen(naam), profiel)
    geschonden = {u.endpoint for u in uit if u.status == "gefaald" and u.slo != "doorvoer"}
    for i, u in enumerate(uit):
        andere = sorted(geschonden - {u.endpoint})
        if u.slo == "doorvoer" and u.status == "gefaald" and u.endpoint not in geschonden and andere:
            uit[i] = replace(u, status="overgeslagen", bericht=(
                f"{u.bericht}; niet aan dit endpoint toe te rekenen: de reizen liepen vertraging "
                f"op of braken af bij {', '.join(andere)}"))
    return uit
