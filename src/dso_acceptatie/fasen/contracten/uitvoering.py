"""Running schemathesis in-process on one spec and collecting a verdict per operation and check.

The engine is the one the schemathesis CLI drives (``schemathesis.engine.from_schema``), with the
same defaults (all checks, phases examples → coverage → fuzzing → stateful, negative data), so
its cost equals a bare ``schemathesis run``; we only listen to its events.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

from dso_acceptatie.fasen.contracten import controles
from dso_acceptatie.fasen.contracten.instellingen import Instellingen

ALLE_FASEN = ("examples", "coverage", "fuzzing", "stateful")
VEILIG = {"GET", "HEAD"}


# DSO action endpoints that only compute an answer (search, determine a conclusion) and change
# nothing; other POSTs (submit, acknowledge receipt …) are never sent to a read-only target.
RAADPLEGENDE_ACTIES = ("/_zoek", "/_bepaal")


def is_raadplegend(methode: str, pad: str) -> bool:
    """Safe for a read-only target: GET/HEAD, and POST …/_zoek or …/_bepaal (consulting)."""
    m = methode.upper()
    return m in VEILIG or (m == "POST" and pad.rstrip("/").endswith(RAADPLEGENDE_ACTIES))


@dataclass
class Uitwisseling:
    methode: str
    url: str
    verzoek_headers: dict
    verzoek_body: bytes | None
    status: int | None
    antwoord_headers: dict
    antwoord_body: bytes | None


@dataclass
class CheckUitslag:
    aantal: int = 0
    gefaald: int = 0
    titel: str | None = None
    bericht: str | None = None
    uitwisseling: Uitwisseling | None = None


@dataclass
class OperatieUitslag:
    label: str
    methode: str
    pad: str
    checks: dict[str, CheckUitslag] = field(default_factory=dict)
    geslaagd_voorbeeld: Uitwisseling | None = None   # a 2xx exchange, for the active probes
    verzoeken: int = 0
    fouten: list[str] = field(default_factory=list)  # errors schemathesis hit on this operation
    ongeldig: str | None = None                      # the operation's schema could not be used
    overgeslagen: str | None = None
    duur_s: dict[str, float] = field(default_factory=dict)   # seconds per schemathesis phase
    latentie_ms: list[float] = field(default_factory=list)    # response times (SLO check)
    latentie_grens_ms: float | None = None                    # the SLO's p95 for this operation
    traagste: Uitwisseling | None = None                      # the slowest exchange (evidence)

    @property
    def getest(self) -> bool:
        """Whether any request of ours reached this operation (or schemathesis hit an error)."""
        return bool(self.checks or self.fouten)


@dataclass
class Uitslag:
    operaties: dict[str, OperatieUitslag] = field(default_factory=dict)
    algemene_fouten: list[str] = field(default_factory=list)
    duur_s: float = 0.0
    stateful: str | None = None
    fase_duur_s: dict[str, float] = field(default_factory=dict)   # wall time per schemathesis phase
    budget_op: bool = False          # stopped because the time budget ran out
    fasen_gedaan: list[str] = field(default_factory=list)   # schemathesis phases that finished
    te_traag: str | None = None      # stopped early: the service is far slower than its SLO (why)


def _uitwisseling(interaction) -> Uitwisseling:
    req, resp = interaction.request, interaction.response
    return Uitwisseling(
        methode=req.method, url=req.uri, verzoek_headers=dict(req.headers), verzoek_body=req.body,
        status=resp.status_code if resp is not None else None,
        antwoord_headers=dict(resp.headers) if resp is not None else {},
        antwoord_body=resp.content if resp is not None else None)


def _standaard_statussen(controle: str) -> list[str]:
    """schemathesis' own expected statuses of a configurable check (what an exception widens)."""
    checks = SchemathesisConfig.from_dict({}).projects.default.checks
    return list(getattr(checks, controle).expected_statuses)


def uitzonderingen(instellingen: Instellingen, dienst: str | None) -> list[dict]:
    """schemathesis ``operations`` entries for the service's [[verwacht]] exceptions: only those
    operations, only that check, the default statuses plus the ones named."""
    uit = []
    for v in instellingen.uitzonderingen(dienst) if dienst else []:
        statussen = _standaard_statussen(v.controle) + [str(s) for s in v.ook_status]
        for label in v.operaties:
            # By the operation's name ("POST /pad"): separate include-path and include-method
            # filters are OR-ed by schemathesis, which would widen every POST.
            uit.append({"include-name": label, "checks": {v.controle: {"expected-statuses": statussen}}})
    return uit


def configuratie(*, basis_url: str, headers: dict[str, str], instellingen: Instellingen,
                 max_per_seconde: float | None, alleen_lezen: bool, seed: int | None = None,
                 dienst: str | None = None) -> SchemathesisConfig:
    fasen = set(instellingen.schemathesis_fasen)
    project: dict[str, Any] = {
        "base-url": basis_url,
        "headers": dict(headers),
        "continue-on-failure": True,
        "workers": 1,
        "request-timeout": instellingen.verzoek_timeout_s,
        "generation": {"max-examples": instellingen.max_voorbeelden},
        "phases": {f: {"enabled": f in fasen} for f in ALLE_FASEN},
        "checks": {"max_response_time": instellingen.max_antwoordtijd_s},
    }
    # A fixed rate for targets that ask for one; otherwise follow the API's own throttling
    # (429 + Retry-After: wait and retry), as a well-behaved client does.
    project["rate-limit"] = f"{max(1, int(max_per_seconde))}/s" if max_per_seconde else "auto"
    if alleen_lezen:
        # These send other methods or delete resources: never on a read-only target.
        for naam in ("unsupported_method", "use_after_free", "ensure_resource_availability"):
            project["checks"][naam] = {"enabled": False}
        project["phases"]["stateful"] = {"enabled": False}
    operaties = uitzonderingen(instellingen, dienst)
    if operaties:
        project["operations"] = operaties
    data: dict[str, Any] = {**project, "suppress-health-check": ["all"]}
    if seed is not None:
        data["seed"] = seed
    return SchemathesisConfig.from_dict(data)


TIJDSBUDGET_OP = "tijdsbudget op"
TE_TRAAG = "dienst te traag"


def voer_uit(spec: dict, *, basis_url: str, headers: dict[str, str], instellingen: Instellingen,
             max_per_seconde: float | None = None, alleen_lezen: bool = False,
             seed: int | None = None, deadline: float | None = None,
             voortgang: Callable[[int], None] | None = None, dienst: str | None = None,
             latentie: dict[str, float] | None = None) -> Uitslag:
    """Run schemathesis over one spec. ``deadline`` (time.monotonic()): stop there, whatever
    is running; operations that got no request by then are marked ``overgeslagen`` (time budget).
    ``voortgang(n)``: called with the number of operations done so far (approximately: the
    scenarios finished divided by the unit phases that run).
    ``latentie``: per operation label the SLO's p95 limit (ms); response times are collected, and
    once an operation is ``latentie_stopfactor`` times over it (median of enough calls) the run
    stops like at the deadline, the rest ``overgeslagen`` with the reason "dienst te traag"."""
    start = time.perf_counter()
    uitslag = Uitslag()
    config = configuratie(basis_url=basis_url, headers=headers, instellingen=instellingen,
                          max_per_seconde=max_per_seconde, alleen_lezen=alleen_lezen, seed=seed,
                          dienst=dienst)
    controles.reset()
    try:
        schema = schemathesis.openapi.from_dict(spec, config=config)
    except Exception as e:  # noqa: BLE001 — any loader error is a finding about the spec
        uitslag.algemene_fouten.append(f"schemathesis kan de spec niet laden: {e}")
        return uitslag
    schema.config.base_url = basis_url

    for resultaat in schema.get_all_operations():
        if hasattr(resultaat, "err"):   # schemathesis' Err: this operation's schema is unusable
            e = resultaat.err()
            fout = " ".join(str(getattr(e, "message", None) or e).split())
            methode = (getattr(e, "method", None) or "?").upper()
            pad = getattr(e, "path", None) or "?"
            label = f"{methode} {pad}"
            uitslag.operaties[label] = OperatieUitslag(label, methode, pad, ongeldig=fout)
            continue
        op = resultaat.ok()
        uitslag.operaties[op.label] = OperatieUitslag(op.label, op.method.upper(), op.path)
        if alleen_lezen and not is_raadplegend(op.method, op.path):
            uitslag.operaties[op.label].overgeslagen = (
                "doel is alleen-lezen: deze operatie wijzigt mogelijk gegevens en is niet aangeroepen")
    if alleen_lezen:
        schema = schema.include(lambda ctx: is_raadplegend(ctx.operation.method, ctx.operation.path))

    stroom = from_schema(schema).execute()
    control = _besturing(stroom)

    def rem() -> None:
        if control is not None:
            control.max_time = 0          # as if schemathesis' own budget ran out: see _besturing
        else:
            stroom.stop()

    def te_traag(reden: str) -> None:
        uitslag.te_traag = reden
        rem()

    controles.LATENTIE.update(grenzen=dict(latentie or {}), min_metingen=instellingen.latentie_metingen,
                              stopfactor=instellingen.latentie_stopfactor, bij_te_traag=te_traag)
    for label, grens in (latentie or {}).items():
        if label in uitslag.operaties:
            uitslag.operaties[label].latentie_grens_ms = grens
    wekker = None
    if deadline is not None and deadline <= time.monotonic():
        uitslag.budget_op = True          # no time left at all: not a single request
    elif deadline is not None:
        def stop() -> None:
            uitslag.budget_op = True
            rem()
        wekker = threading.Timer(max(0.0, deadline - time.monotonic()), stop)
        wekker.daemon = True
        wekker.start()
    try:
        if not uitslag.budget_op:
            _volg(stroom, uitslag, instellingen, voortgang)
    finally:
        if wekker is not None:
            wekker.cancel()
        controles.LATENTIE["bij_te_traag"] = None
    for label, metingen in controles.LATENTIE["metingen"].items():
        if label in uitslag.operaties:
            uitslag.operaties[label].latentie_ms = [round(m, 1) for m in metingen]
            _, req, resp = controles.LATENTIE["traagste"][label]
            body = req.body.encode() if isinstance(req.body, str) else req.body
            uitslag.operaties[label].traagste = Uitwisseling(
                req.method, req.url, dict(req.headers), body, resp.status_code,
                {k: ", ".join(v) if isinstance(v, list) else v for k, v in resp.headers.items()},
                resp.content)
    if uitslag.te_traag:
        for op in uitslag.operaties.values():
            if not (op.ongeldig or op.overgeslagen or op.getest):
                op.overgeslagen = (f"{TE_TRAAG}: schemathesis is gestopt voordat deze operatie aan de "
                                   f"beurt was ({uitslag.te_traag})")
        if uitslag.stateful is None:
            uitslag.stateful = f"niet uitgevoerd ({TE_TRAAG})"
    elif uitslag.budget_op:
        for op in uitslag.operaties.values():
            if not (op.ongeldig or op.overgeslagen or op.getest):
                op.overgeslagen = (f"{TIJDSBUDGET_OP}: schemathesis is gestopt voordat deze operatie "
                                   "aan de beurt was")
        if uitslag.stateful is None:
            uitslag.stateful = f"niet uitgevoerd ({TIJDSBUDGET_OP})"
    uitslag.duur_s = time.perf_counter() - start
    return uitslag


def _besturing(stroom):
    """The engine's ExecutionControl behind an event stream, or None.

    Stopping at our deadline through it (``max_time = 0``) makes schemathesis wind down as when
    its own time budget runs out: the scenario in progress is finished and handed over with the
    checks it already ran. ``stroom.stop()`` (an interrupt) would drop that scenario, i.e. every
    request already sent for it. We do not give schemathesis a ``max-time`` from the start: that
    also switches on repeated fuzzing cycles and per-operation time slices (a run that always
    uses its whole budget), while a fast target should be done as soon as everything ran once.
    The stream does not expose its context; it is the ``engine`` argument of the not yet started
    generator (CPython: the frame's locals).
    """
    frame = getattr(getattr(stroom, "generator", None), "gi_frame", None)
    engine = frame.f_locals.get("engine") if frame is not None else None
    control = getattr(engine, "control", None)
    return control if hasattr(control, "max_time") else None


def _volg(stroom, uitslag: Uitslag, instellingen: Instellingen,
          voortgang: Callable[[int], None] | None) -> None:
    """Take in schemathesis' events: check verdicts, errors, timings and progress."""
    fase_start: dict[str, float] = {}
    # Unit phases (examples, coverage, fuzzing) each visit every operation once.
    per_operatie = max(1, len(set(instellingen.schemathesis_fasen) & set(ALLE_FASEN[:3])))
    te_testen = sum(1 for op in uitslag.operaties.values() if not (op.ongeldig or op.overgeslagen))
    scenarios = gemeld = 0
    for ev in stroom:
        if isinstance(ev, events.ScenarioFinished):
            _verwerk(uitslag, ev.recorder)
            op = uitslag.operaties.get(ev.recorder.label)
            if op is not None:
                fase = ev.phase.value
                op.duur_s[fase] = op.duur_s.get(fase, 0.0) + ev.elapsed_time
                if fase in ALLE_FASEN[:3]:
                    scenarios += 1
                    klaar = min(te_testen, scenarios // per_operatie)
                    if voortgang is not None and klaar > gemeld:
                        gemeld = klaar
                        voortgang(klaar)
        elif isinstance(ev, events.PhaseStarted):
            fase_start[ev.phase.name.value] = ev.timestamp
        elif isinstance(ev, events.PhaseFinished):
            naam = ev.phase.name.value
            if naam in fase_start:
                uitslag.fase_duur_s[naam] = ev.timestamp - fase_start[naam]
            if naam in ALLE_FASEN and ev.phase.is_enabled and not (uitslag.budget_op or uitslag.te_traag):
                uitslag.fasen_gedaan.append(naam)
            if naam == "stateful":
                reden = ev.phase.skip_reason
                uitslag.stateful = (
                    f"niet (volledig) uitgevoerd ({TE_TRAAG})" if uitslag.te_traag and ev.phase.is_enabled
                    else f"niet (volledig) uitgevoerd ({TIJDSBUDGET_OP})" if uitslag.budget_op and ev.phase.is_enabled
                    else "uitgevoerd" if ev.phase.is_enabled
                    else "geen links in de spec" if reden and reden.value == "not_applicable"
                    else f"niet uitgevoerd ({reden.value if reden else 'uit'})")
        elif isinstance(ev, events.NonFatalError):
            tekst = f"{ev.info.title}: {ev.info.message}".strip()
            op = uitslag.operaties.get(ev.label)
            (op.fouten if op else uitslag.algemene_fouten).append(tekst)
        elif isinstance(ev, events.FatalError):
            uitslag.algemene_fouten.append(f"{type(ev.exception).__name__}: {ev.exception}")


def _operatie_van(uitslag: Uitslag, recorder, case_id):
    """(case node, our operation) of one case of a scenario; the operation None when not ours."""
    node = recorder.cases.get(case_id)
    label = node.value.operation.label if node is not None else recorder.label
    return node, uitslag.operaties.get(label)


def _verwerk(uitslag: Uitslag, recorder) -> None:
    for case_id, knopen in recorder.checks.items():
        _, op = _operatie_van(uitslag, recorder, case_id)
        if op is None:
            continue
        label = op.label
        interactie = recorder.interactions.get(case_id)
        for knoop in knopen:
            if knoop.name in controles.DSO_CHECKS and (label, knoop.name) not in controles.TOEGEPAST:
                continue  # the check had nothing to look at in this operation (yet)
            cu = op.checks.setdefault(knoop.name, CheckUitslag())
            cu.aantal += 1
            if knoop.status.value == "failure":
                cu.gefaald += 1
                if cu.uitwisseling is None and knoop.failure_info is not None:
                    f = knoop.failure_info.failure
                    cu.titel = f.title
                    cu.bericht = f.message
                    if interactie is not None:
                        cu.uitwisseling = _uitwisseling(interactie)
    for case_id, interactie in recorder.interactions.items():
        node, op = _operatie_van(uitslag, recorder, case_id)
        if op is None:
            continue
        op.verzoeken += 1
        resp = interactie.response
        if (op.geslaagd_voorbeeld is None and resp is not None and 200 <= resp.status_code < 300
                and node is not None and node.value.meta is not None
                and getattr(node.value.meta.generation, "mode", None) is not None
                and node.value.meta.generation.mode.value == "positive"):
            op.geslaagd_voorbeeld = _uitwisseling(interactie)
