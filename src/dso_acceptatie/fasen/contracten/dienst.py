"""Testing one service: schemathesis with the DSO checks, then the active probes per operation.

Runs in a worker process of the phase (several services at once) or in the phase process itself
(a target with a request cap: one service at a time, one limiter for all). It returns plain data;
the phase process turns it into records, so only one process writes them.

Time budget: the phase hands every service a deadline. A service that starts when others are
still running gets a fair share of what is left (its deadline is never past the phase's), so one
slow service cannot eat the whole budget while the others get nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from dso_acceptatie.fasen.contracten import sondes, uitvoering
from dso_acceptatie.fasen.contracten.instellingen import Instellingen
from dso_acceptatie.fasen.contracten.reproductie import SLEUTEL_HEADER
from dso_acceptatie.tempo import Begrenzer


@dataclass
class Opdracht:
    dienst: str
    basis: str
    spec: dict
    headers: dict[str, str]
    instellingen: Instellingen
    met_sleutel: bool              # a key is set and the service is not open: test refusal
    rps: float | None = None
    alleen_lezen: bool = False
    deadline: float | None = None  # time.monotonic() at which the phase's budget for tests ends
    latentie: dict[str, float] = field(default_factory=dict)  # operation label -> SLO p95 (ms)


@dataclass
class SondeUitslag:
    controle: str
    sonde: sondes.Sonde
    duur_ms: float


@dataclass
class DienstUitslag:
    dienst: str
    uitslag: uitvoering.Uitslag
    sondes: dict[str, list[SondeUitslag]] = field(default_factory=dict)   # per operation label
    deadline: float | None = None          # this service's own share of the budget
    aandeel_s: float | None = None


def operatie(spec: dict, pad: str, methode: str) -> dict:
    """The operation object with path-level parameters merged and $refs resolved."""
    pad_item = _los_op(spec, (spec.get("paths") or {}).get(pad) or {})
    op = dict(_los_op(spec, pad_item.get(methode.lower()) or {}))
    params = {}
    for p in list(pad_item.get("parameters") or []) + list(op.get("parameters") or []):
        p = _los_op(spec, p)
        if isinstance(p, dict):
            params[(p.get("in"), p.get("name"))] = p
    op["parameters"] = list(params.values())
    return op


def _los_op(spec: dict, obj):
    """Resolve a local $ref (one level at a time, as often as needed)."""
    for _ in range(20):
        if not (isinstance(obj, dict) and isinstance(obj.get("$ref"), str)
                and obj["$ref"].startswith("#/")):
            return obj
        doel = spec
        for deel in obj["$ref"][2:].split("/"):
            doel = doel.get(deel.replace("~1", "/").replace("~0", "~"), {}) if isinstance(doel, dict) else {}
        obj = doel
    return obj


def aantal_operaties(spec: dict) -> int:
    """Operations in a spec (for progress: the total before anything ran)."""
    methoden = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    return sum(1 for item in (spec.get("paths") or {}).values() if isinstance(item, dict)
               for m in item if m in methoden)


def aandeel(deadline: float | None, nog_te_starten: int, tegelijk: int) -> float | None:
    """This service's deadline: the time left, shared with the services not started yet (this one
    included) over the ``tegelijk`` slots that run side by side."""
    if deadline is None:
        return None
    over = deadline - time.monotonic()
    if over <= 0 or nog_te_starten <= 1:
        return deadline
    return time.monotonic() + over * min(tegelijk, nog_te_starten) / nog_te_starten


def test(o: Opdracht, *, deadline: float | None, client: httpx.Client | None = None,
         begrenzer: Begrenzer | None = None,
         voortgang: Callable[[int], None] | None = None) -> DienstUitslag:
    """schemathesis on every operation, then the probes; nothing is sent after ``deadline``."""
    eigen = client is None
    begrenzer = begrenzer if begrenzer is not None else Begrenzer(o.rps)
    if client is None:
        client = httpx.Client(timeout=o.instellingen.verzoek_timeout_s,
                              event_hooks={"request": [begrenzer]})
    start = time.monotonic()
    try:
        begrenzer.rust_uit(1.0)   # our last probe is past before schemathesis' limiter starts
        uitslag = uitvoering.voer_uit(o.spec, basis_url=o.basis, headers=o.headers,
                                      instellingen=o.instellingen, max_per_seconde=o.rps,
                                      alleen_lezen=o.alleen_lezen, seed=o.instellingen.seed,
                                      deadline=deadline, voortgang=voortgang, dienst=o.dienst,
                                      latentie=o.latentie)
        begrenzer.pauzeer(1.0)    # and a gap after schemathesis' last request
        du = DienstUitslag(o.dienst, uitslag, deadline=deadline,
                           aandeel_s=None if deadline is None else deadline - start)
        for label, op in uitslag.operaties.items():
            if op.ongeldig or op.overgeslagen or not op.getest:
                continue
            if uitslag.te_traag:
                du.sondes[label] = _niet_gedaan(o, op, f"{uitvoering.TE_TRAAG} ({uitslag.te_traag})")
                continue
            du.sondes[label] = _sondes(o, op, client, deadline)
        return du
    finally:
        if eigen:
            client.close()


def _niet_gedaan(o: Opdracht, op: uitvoering.OperatieUitslag, reden: str) -> list[SondeUitslag]:
    """The probes this operation would get, each 'overgeslagen' with the reason."""
    namen = (["dso_authenticatie"] if o.met_sleutel else []) + (
        ["dso_paginering"] if op.methode == "GET" and sondes.pagineerbaar(operatie(o.spec, op.pad, op.methode))
        else []) + (["dso_niet_gevonden"] if op.methode == "GET" and "{" in op.pad else [])
    return [SondeUitslag(n, sondes.Sonde("overgeslagen", f"{reden}: de controle is niet uitgevoerd"), 0.0)
            for n in namen]


def _sondes(o: Opdracht, op: uitvoering.OperatieUitslag, client: httpx.Client,
            deadline: float | None) -> list[SondeUitslag]:
    opdict = operatie(o.spec, op.pad, op.methode)
    uit: list[SondeUitslag] = []

    def over() -> bool:
        return deadline is not None and time.monotonic() >= deadline

    def sonde(controle: str, functie) -> None:
        if over():
            uit.append(SondeUitslag(controle, sondes.Sonde(
                "overgeslagen", f"{uitvoering.TIJDSBUDGET_OP}: de controle is niet uitgevoerd"), 0.0))
            return
        start = time.perf_counter()
        try:
            s = functie()
        except httpx.HTTPError as e:
            s = sondes.Sonde("gefaald", f"verzoek mislukt: {type(e).__name__}: {e}")
        uit.append(SondeUitslag(controle, s, (time.perf_counter() - start) * 1000))

    # The GET without parameters (only for operations that need none): the widest list, so the
    # paging probe does not depend on which generated example happened to succeed first (one with
    # narrowing filters can give 0 items, and then there is no second page to check).
    minimaal = None
    if op.methode == "GET" and not over():
        try:
            minimaal = sondes.minimaal_voorbeeld(client, o.basis, op.pad, opdict, o.headers)
        except httpx.HTTPError:
            minimaal = None
    voorbeeld = op.geslaagd_voorbeeld or minimaal
    if o.met_sleutel:
        sonde("dso_authenticatie",
              lambda: sondes.authenticatie(client, voorbeeld, SLEUTEL_HEADER))
    if op.methode == "GET" and sondes.pagineerbaar(opdict):
        sonde("dso_paginering",
              lambda: sondes.paginering(client, opdict, minimaal or voorbeeld, o.headers))
    if op.methode == "GET" and "{" in op.pad:
        sonde("dso_niet_gevonden",
              lambda: sondes.niet_gevonden(client, o.basis, op.pad, opdict, o.spec, o.headers, voorbeeld))
    return uit


# ---------------------------------------------------------------------- worker processes
# Set once per worker by ``init_werker`` (the pool's initializer): where progress goes, how many
# services have started, how many run side by side and how many there are.
_WERKER: dict = {}


def init_werker(wachtrij, gestart, tegelijk: int, totaal: int) -> None:
    _WERKER.update(wachtrij=wachtrij, gestart=gestart, tegelijk=tegelijk, totaal=totaal)


def werk(o: Opdracht) -> DienstUitslag:
    """One service in a worker process (see :func:`init_werker`)."""
    with _WERKER["gestart"].get_lock():
        _WERKER["gestart"].value += 1
        nummer = _WERKER["gestart"].value
    deadline = aandeel(o.deadline, _WERKER["totaal"] - nummer + 1, _WERKER["tegelijk"])
    return test(o, deadline=deadline, voortgang=lambda n: _WERKER["wachtrij"].put((o.dienst, n)))
