"""The verdict model: a pure function of the records, the criteria, the roles and the register.

Only checks (``soort`` "controle"; a record without the field is a check) prove anything:
passing bookkeeping ("administratie") and the run's own start/end records are shown, never
counted. Bookkeeping that did not pass (a spec that could not load, a phase that was blocked)
still counts against, as a check with that status would.
Validator self-checks on the project's own sample deliveries are a section of their own and never
decide the target's verdict. Every group (klantreis, API, operatie, levering, SLO, component,
rol) and the run as a whole get one of the outcomes below, with the reasons.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from dso_acceptatie.criteria import Criteria
from dso_acceptatie.rapport.register import BekendeBevinding
from dso_acceptatie.rapport.rollen import Rol
from dso_acceptatie.records import ERNSTEN, SOORTEN, STATUSSEN

ACCEPTEREN = "accepteren"
VOORWAARDEN = "accepteren onder voorwaarden"
AFWIJZEN = "afwijzen"
NIET_TESTBAAR = "niet testbaar"
NIET_GETEST = "niet getest"
ONDERBROKEN = "onderbroken"
# One exit code per outcome; only "accepteren" is 0. 2 stays the usage/configuration error.
EXITCODES = {ACCEPTEREN: 0, AFWIJZEN: 1, NIET_TESTBAAR: 3, VOORWAARDEN: 4, NIET_GETEST: 5,
             ONDERBROKEN: 130}
OORDELEN = tuple(EXITCODES)
# For combining: the worse outcome wins.
_ERGST = {ACCEPTEREN: 0, VOORWAARDEN: 1, NIET_GETEST: 2, AFWIJZEN: 3, NIET_TESTBAAR: 4, ONDERBROKEN: 5}

NIET_GESLAAGD = ("gefaald", "geblokkeerd", "instabiel")
SLO_CONTROLES = ("p95-latentie", "p99-latentie", "foutpercentage", "doorvoer")
_OPERATIE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /")
GROEPSOORTEN = ("klantreis", "api", "operatie", "levering", "slo", "component", "rol")


def sleutel(r: dict) -> str:
    """Stable finding key: the same check on the same subject in any run gives the same key."""
    tekst = f"{r['fase']}\x1f{r['component']}\x1f{r['onderwerp']}\x1f{r['controle']}"
    return hashlib.sha256(tekst.encode("utf-8")).hexdigest()[:16]


def is_zelfcontrole(r: dict) -> bool:
    """A check of the harness itself: the leveringen phase validating a sample with an expected
    outcome (``verwachte-uitkomst``, ``details.verwacht`` set) proves the validator, not the target.
    The phase writes ``details.zelfcontrole = true``; the shape test below only serves run
    folders written before that field existed."""
    details = r.get("details") or {}
    if details.get("zelfcontrole") is True:
        return True
    return (r.get("fase") == "leveringen" and r.get("controle") == "verwachte-uitkomst"
            and details.get("verwacht") is not None)


def klantreis_van(r: dict) -> str | None:
    if r.get("fase") != "klantreizen":
        return None
    if str(r.get("controle", "")).startswith("axe-core"):
        return "Toegankelijkheid (WCAG 2.1 AA)"
    details = r.get("details") or {}
    return details.get("klantreis") or str(r.get("onderwerp") or "").split(": ", 1)[0] or None


def groepen_van(r: dict) -> list[tuple[str, str]]:
    uit = [("component", str(r.get("component")))]
    fase = r.get("fase")
    onderwerp = str(r.get("onderwerp") or "")
    if fase == "klantreizen":
        kr = klantreis_van(r)
        if kr:
            uit.append(("klantreis", kr))
    elif fase == "contracten":
        uit.append(("api", str(r.get("component"))))
        if _OPERATIE.match(onderwerp):
            uit.append(("operatie", f"{r.get('component')} {onderwerp}"))
    elif fase == "leveringen":
        uit.append(("levering", onderwerp.split(": ", 1)[0]))
    elif fase == "last" and r.get("soort", "controle") == "controle":
        # every load check, by its kind: the SLOs, capaciteit (trap), throttling, the soak checks,
        # kalibratie (a blocked step) — not only the four SLOs
        uit.append(("slo", str(r.get("controle"))))
    return uit


@dataclass
class Groep:
    soort: str
    naam: str
    titel: str = ""
    telling: Counter = field(default_factory=Counter)        # status -> n (counted checks)
    gefaald_ernst: Counter = field(default_factory=Counter)  # ernst -> n (counted failures)
    bekend: int = 0
    aangetoond: set | None = None                            # rol: (component, onderwerp) that passed
    oordeel: str = NIET_GETEST
    redenen: list[str] = field(default_factory=list)

    @property
    def totaal(self) -> int:
        return sum(self.telling.values())

    @property
    def slagingspercentage(self) -> float | None:
        uitgevoerd = self.telling["geslaagd"] + self.telling["gefaald"] + self.telling["instabiel"]
        return None if not uitgevoerd else 100.0 * self.telling["geslaagd"] / uitgevoerd

    def tel(self, r: dict) -> None:
        if r["_bekend"]:
            self.bekend += 1
            return
        self.telling[r["status"]] += 1
        if r["status"] == "gefaald":
            self.gefaald_ernst[r["ernst"]] += 1

    def als_json(self) -> dict:
        p = self.slagingspercentage
        return {"soort": self.soort, "naam": self.naam, "titel": self.titel or self.naam,
                "oordeel": self.oordeel, "redenen": self.redenen,
                "telling": {s: self.telling[s] for s in STATUSSEN}, "bekend": self.bekend,
                "gefaald_per_ernst": {e: self.gefaald_ernst[e] for e in ERNSTEN},
                "slagingspercentage": None if p is None else round(p, 1)}


def beoordeel(g: Groep, criteria: Criteria, volledig_overgeslagen: list[str] = ()) -> None:
    """The rules, in order: proven non-conformance → afwijzen; nothing proven → niet getest;
    gaps (blocked, unstable, skipped, a whole sub-group skipped) → onder voorwaarden."""
    t = g.telling
    afwijs, voorwaarden = [], []
    for ernst, maximum in criteria.maxima.items():
        if maximum >= 0 and g.gefaald_ernst[ernst] > maximum:
            afwijs.append(f"{g.gefaald_ernst[ernst]} gefaalde controle(s) met ernst '{ernst}' "
                          f"(toegestaan: {maximum})")
    p = g.slagingspercentage
    if p is not None and p < criteria.min_slagingspercentage:
        afwijs.append(f"slagingspercentage {p:.1f}% (minimaal {criteria.min_slagingspercentage:g}%)")
    for status, gevolg, tekst in (
            ("geblokkeerd", criteria.geblokkeerd,
             "controle(s) geblokkeerd (kon niet draaien): niet aangetoond"),
            ("instabiel", criteria.instabiel, "controle(s) instabiel: alleen geslaagd bij herhaling")):
        if t[status] and gevolg != "toegestaan":
            (afwijs if gevolg == "afwijzen" else voorwaarden).append(f"{t[status]} {tekst}")
    if t["overgeslagen"] and g.totaal:
        pct = 100.0 * t["overgeslagen"] / g.totaal
        if criteria.max_overgeslagen_percentage >= 0 and pct > criteria.max_overgeslagen_percentage:
            voorwaarden.append(f"{t['overgeslagen']} van {g.totaal} controles overgeslagen "
                               f"({pct:.0f}%, toegestaan: {criteria.max_overgeslagen_percentage:g}%)")
    if volledig_overgeslagen:
        voorwaarden.append("volledig niet getest: " + "; ".join(volledig_overgeslagen[:8])
                           + (f" (en {len(volledig_overgeslagen) - 8} meer)"
                              if len(volledig_overgeslagen) > 8 else ""))
    if afwijs:
        g.oordeel, g.redenen = AFWIJZEN, afwijs + voorwaarden
    elif not t["geslaagd"]:
        wat = ", ".join(f"{t[s]} {s}" for s in STATUSSEN if t[s]) or "geen controles"
        g.oordeel = NIET_GETEST
        g.redenen = [f"geen enkele controle geslaagd: niets is aangetoond ({wat}"
                     + (f"; {g.bekend} bekend" if g.bekend else "") + ")"]
    elif voorwaarden:
        g.oordeel, g.redenen = VOORWAARDEN, voorwaarden
    else:
        g.oordeel = ACCEPTEREN
        rest = sum(g.gefaald_ernst[e] for e in ("hinderlijk", "cosmetisch"))
        g.redenen = [f"{t['geslaagd']} controle(s) geslaagd; alle criteria gehaald"
                     + (f" ({rest} hinderlijke/cosmetische bevinding(en) binnen de norm)" if rest else "")
                     + (f"; {g.bekend} bekende bevinding(en) telt/tellen niet mee" if g.bekend else "")]


@dataclass
class Model:
    run_id: str | None
    doel: str | None
    datum: str | None
    oordeel: str
    redenen: list[str]
    groepen: dict[str, dict[str, Groep]]           # soort -> naam -> groep
    totaal: Groep
    zelfcontrole: Groep
    bevindingen: list[dict]                        # every check that did not pass (incl. self-checks)
    administratie: Counter                         # (fase, controle) -> n
    aantal_records: int
    afwijkingen: list[str]                          # records that were not as the schema says
    register: list[dict]
    fasen: dict[str, Counter]                       # fase -> status -> n (checks)
    metingen: list[dict]                            # last: latency per endpoint vs SLO
    controles: list[dict] = field(default_factory=list)   # every check record, normalised
    versies: dict = field(default_factory=dict)            # specs and rule sets the checks used
    run_start: dict | None = None
    run_einde: dict | None = None
    uitkomst_run: str | None = None

    @property
    def exitcode(self) -> int:
        return EXITCODES[self.oordeel]


def _normaliseer(r: dict, afwijkingen: list[str]) -> dict:
    waar = f"{r.get('fase', '?')}/{r.get('component', '?')}/{r.get('controle', '?')}"
    for k in ("fase", "component", "onderwerp", "controle", "bericht"):
        if not isinstance(r.get(k), str):
            r[k] = "" if r.get(k) is None else str(r.get(k))
    if not isinstance(r.get("details"), dict):
        r["details"] = {}
    if not isinstance(r.get("bewijs"), list):
        r["bewijs"] = []
    soort = r.get("soort", "controle")
    if soort not in SOORTEN:
        afwijkingen.append(f"onbekende soort '{soort}' in {waar}: behandeld als controle")
        soort = "controle"
    r["soort"] = soort
    if r.get("status") not in STATUSSEN:
        afwijkingen.append(f"onbekende status '{r.get('status')}' in {waar}: behandeld als geblokkeerd")
        r["bericht"] = f"[onbekende status '{r.get('status')}'] {r['bericht']}"
        r["status"] = "geblokkeerd"
    if r.get("ernst") not in ERNSTEN:
        afwijkingen.append(f"onbekende ernst '{r.get('ernst')}' in {waar}: behandeld als ernstig")
        r["ernst"] = "ernstig"
    return r


def bouw_model(records, criteria: Criteria, rollen: list[Rol] = (),
               register: list[BekendeBevinding] = (), peildatum: dt.date | None = None) -> Model:
    afwijkingen: list[str] = []
    run_start = run_einde = None
    administratie: Counter = Counter()
    groepen: dict[str, dict[str, Groep]] = {s: {} for s in GROEPSOORTEN}
    for rol in rollen:
        groepen["rol"][rol.naam] = Groep("rol", rol.naam, rol.titel)
    totaal = Groep("run", "totaal", "Hele run")
    zelf = Groep("zelfcontrole", "harnas", "Zelfcontrole van het harnas")
    bevindingen: list[dict] = []
    fasen: dict[str, Counter] = {}
    metingen: list[dict] = []
    onbereikbaar: list[str] = []
    onleesbaar = 0
    aantal = 0
    controles: list[dict] = []
    for r in records:
        aantal += 1
        if not isinstance(r, dict):
            afwijkingen.append(f"record {aantal} is geen JSON-object: overgeslagen en gemeld")
            onleesbaar += 1
            continue
        r = _normaliseer(r, afwijkingen)
        if r["fase"] == "run":
            if r["controle"] == "run-start" and run_start is None:
                run_start = r
            elif r["controle"] == "run-einde":
                run_einde = r
            continue
        if r["soort"] == "administratie":
            administratie[(r["fase"], r["controle"])] += 1
            if r["status"] == "geslaagd":
                continue
            # Bookkeeping never proves anything, but bookkeeping that says something did NOT
            # happen (spec not loaded, phase blocked, nothing to test) still counts against.
        if r["component"] == "records" and r["controle"] == "record-leesbaar":
            onleesbaar += 1
        if (r["fase"] == "omgeving" and r["controle"] == "bereikbaarheid"
                and r["status"] == "gefaald"):
            onbereikbaar.append(r["bericht"])
        controles.append(r)

    datum = None
    if run_start and isinstance(run_start.get("tijd"), str):
        datum = run_start["tijd"][:10]
    if peildatum is None:
        try:
            peildatum = dt.date.fromisoformat(datum) if datum else dt.date.today()
        except ValueError:
            peildatum = dt.date.today()

    rol_namen = {rol.naam for rol in rollen}
    specs: set[str] = set()
    regelsets: set[str] = set()
    # Role membership depends only on the keys the selectors use: cache it per combination.
    rol_onderwerp = any("onderwerp" in sel for rol in rollen for sel in rol.selectors)
    rol_controle = any("controle" in sel for rol in rollen for sel in rol.selectors)
    rol_cache: dict[tuple, list[str]] = {}
    volledig: dict[tuple[str, str], list[int]] = {}   # (soort, naam) -> [geslaagd, overgeslagen, n]
    for r in controles:
        r["_sleutel"] = sleutel(r)
        r["_zelf"] = is_zelfcontrole(r)
        r["_bekend"] = None
        r["_verlopen"] = None
        if r["status"] in NIET_GESLAAGD and register:
            for b in register:
                if b.past(r):
                    b.treffers += 1
                    if b.verlopen(peildatum):
                        r["_verlopen"] = b.id
                    else:
                        r["_bekend"] = b.id
                    break
        fasen.setdefault(r["fase"], Counter())[r["status"]] += 1
        if r["status"] != "geslaagd":
            bevindingen.append(r)
        if r["fase"] == "last" and r["controle"] in SLO_CONTROLES:
            metingen.append({"endpoint": r["onderwerp"], "slo": r["controle"], "status": r["status"],
                             **{k: r["details"].get(k) for k in ("gemeten", "grens", "eenheid",
                                                                 "mediaan_ms", "p95_ms", "p99_ms")}})
        if r["fase"] == "contracten" and r["controle"] == "spec":
            specs.add(f"{r['component']}: {r['bericht']}"[:300])
        elif r["fase"] == "leveringen":
            for rs in r["details"].get("regelsets") or []:
                if isinstance(rs, dict) and rs.get("toegepast") and isinstance(rs.get("naam"), str):
                    regelsets.add(rs["naam"])
        if r["status"] == "geslaagd":
            # what a passing check needs later: its key, place and timing (JUnit); not its details
            r["details"] = {}
            for k in ("schema", "run_id", "tijd", "bewijs"):
                r.pop(k, None)
        if r["_zelf"]:
            zelf.tel(r)
            continue
        totaal.tel(r)
        kr = klantreis_van(r)
        for soort, naam in groepen_van(r):
            g = groepen[soort].get(naam)
            if g is None:
                g = groepen[soort][naam] = Groep(soort, naam)
            g.tel(r)
            if soort in ("klantreis", "api", "component"):
                v = volledig.setdefault((soort, naam), [0, 0, 0])
                v[0] += r["status"] == "geslaagd"
                v[1] += r["status"] == "overgeslagen"
                v[2] += 1
        rk = (r["fase"], r["component"], r["onderwerp"] if rol_onderwerp else None,
              r["controle"] if rol_controle else None, r.get("rol"), kr)
        in_rollen = rol_cache.get(rk)
        if in_rollen is None:
            in_rollen = rol_cache[rk] = [rol.naam for rol in rollen if rol.omvat(r, kr)]
        for naam in in_rollen:
            g = groepen["rol"][naam]
            g.tel(r)
            if r["status"] == "geslaagd":
                if g.aangetoond is None:
                    g.aangetoond = set()
                g.aangetoond.add((r["component"], r["onderwerp"]))
        if r.get("rol") and r["rol"] not in rol_namen:
            g = groepen["rol"].get(r["rol"])
            if g is None:
                g = groepen["rol"][r["rol"]] = Groep("rol", r["rol"], f"{r['rol']} (niet in rollen.toml)")
            g.tel(r)

    overgeslagen_groepen = {
        k: [f"{'klantreis' if s == 'klantreis' else 'API' if s == 'api' else 'component'} "
            f"'{n}' ({v[1]} van {v[2]} overgeslagen)"
            for (s, n), v in volledig.items() if s == k and v[0] == 0 and v[1] == v[2]]
        for k in ("klantreis", "api", "component")}
    for per_naam in groepen.values():
        for g in per_naam.values():
            beoordeel(g, criteria)
    alle_overgeslagen = sorted(set(overgeslagen_groepen["klantreis"] + overgeslagen_groepen["api"]
                                   + overgeslagen_groepen["component"]))
    beoordeel(totaal, criteria, alle_overgeslagen)
    beoordeel(zelf, Criteria())
    if not zelf.totaal:
        zelf.oordeel, zelf.redenen = NIET_GETEST, ["geen zelfcontroles in deze run"]

    oordeel, redenen = totaal.oordeel, list(totaal.redenen)
    if onleesbaar:
        oordeel = AFWIJZEN if oordeel != NIET_GETEST else oordeel
        redenen.insert(0, f"{onleesbaar} recordregel(s) onleesbaar: wat daar stond is onbekend, "
                          "dus de run kan niet worden geaccepteerd")
    if afwijkingen and oordeel == ACCEPTEREN:
        oordeel = VOORWAARDEN
        redenen.append(f"{len(afwijkingen)} record(s) wijken af van het recordschema (zie 'Afwijkingen')")
    uitkomst_run = (run_einde or {}).get("details", {}).get("uitkomst") if run_einde else None
    if onbereikbaar or uitkomst_run == "niet-testbaar":
        oordeel = NIET_TESTBAAR
        redenen = onbereikbaar or [run_einde["bericht"]]
    elif run_einde is None or uitkomst_run == "onderbroken":
        oordeel = ONDERBROKEN
        redenen = ["de run is onderbroken voordat alle fasen klaar waren; de records tot dat moment "
                   f"zijn bewaard ({len(controles)} controles). Oordeel over wat er wel is: "
                   f"{totaal.oordeel}"] + redenen
    if zelf.totaal and zelf.oordeel != ACCEPTEREN:
        redenen.append(f"let op: de zelfcontrole van het harnas is niet in orde ({zelf.oordeel}); "
                       "deze telt niet mee voor het oordeel, maar wantrouw de bevindingen van "
                       "die validator")
    run_id = (run_start or run_einde or (controles[0] if controles else {})).get("run_id") or None
    doel = ((run_start or {}).get("details") or {}).get("doel")
    bevindingen.sort(key=lambda r: (r["status"] == "overgeslagen", ERNSTEN.index(r["ernst"]), r["fase"], r["component"],
                                    r["onderwerp"], r["controle"]))
    return Model(run_id=run_id, doel=doel, datum=datum, oordeel=oordeel, redenen=redenen,
                 groepen=groepen, totaal=totaal, zelfcontrole=zelf, bevindingen=bevindingen,
                 administratie=administratie, aantal_records=aantal, afwijkingen=afwijkingen,
                 register=[b.als_json(peildatum) for b in register], fasen=fasen,
                 metingen=metingen, controles=controles,
                 versies={"specs": sorted(specs), "regelsets": sorted(regelsets)},
                 run_start=run_start, run_einde=run_einde, uitkomst_run=uitkomst_run)
