"""Arazzo 1.0 workflows against the target, executed by ``arazzo-runner`` (PyPI, maintained).

A workflow file in contracts/workflows/ names its sourceDescriptions after our services
(``locatieserver``, ``presenteren``, …). Each one is bound to the spec the phase already fetched
for that service, with ``servers`` set to the target's base URL, so the same file runs against
the reference, pre, prod or a vendor. Input ``apiKey`` gets the key from the environment; other
inputs take their ``default``. Every HTTP exchange is captured per step, so a failing step gets
a curl command and the masked request/response as evidence.
"""

from __future__ import annotations

import copy
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
import yaml

from dso_acceptatie.fasen.contracten.uitvoering import Uitwisseling, is_raadplegend

log = logging.getLogger(__name__)
for _naam in ("arazzo-runner", "arazzo_runner", "arazzo-runner.executor"):
    # Its INFO/WARNING lines (credentials, steps) would end up in the phase log.
    logging.getLogger(_naam).setLevel(logging.ERROR)


class _Sessie(requests.Session):
    """requests session that keeps every exchange and waits for the phase's rate limiter."""

    def __init__(self, begrenzer=None):
        super().__init__()
        self.begrenzer = begrenzer
        self.stap: str | None = None
        self.uitwisselingen: list[tuple[str | None, Uitwisseling]] = []

    def send(self, request, **kwargs):
        if self.begrenzer is not None:
            self.begrenzer()
        r = super().send(request, **kwargs)
        body = request.body.encode() if isinstance(request.body, str) else request.body
        self.uitwisselingen.append((self.stap, Uitwisseling(
            request.method, request.url, dict(request.headers), body, r.status_code,
            dict(r.headers), r.content)))
        return r


@dataclass
class StapUitslag:
    stap: str
    geslaagd: bool
    uitwisseling: Uitwisseling | None = None
    fout: str | None = None
    criteria: list[str] = field(default_factory=list)
    dienst: str | None = None        # the service the step calls (for the record's component)


@dataclass
class WorkflowUitslag:
    bestand: str
    workflow: str
    status: str                      # geslaagd | gefaald | overgeslagen | geblokkeerd
    bericht: str
    stappen: list[StapUitslag] = field(default_factory=list)
    outputs: dict | None = None
    duur_ms: float = 0.0


def _stap_operatie(stap: dict, bronnen: dict[str, dict]) -> tuple[str, str] | None:
    """(method, path) of a step, from operationPath or operationId."""
    pad = stap.get("operationPath")
    if isinstance(pad, str) and "#/paths/" in pad:
        delen = pad.split("#/paths/", 1)[1].split("/")
        return delen[-1].upper(), delen[0].replace("~1", "/").replace("~0", "~")
    op_id = stap.get("operationId")
    if isinstance(op_id, str):
        kandidaten = bronnen
        if op_id.startswith("$sourceDescriptions."):
            bron, _, op_id = op_id[len("$sourceDescriptions."):].partition(".")
            kandidaten = {bron: bronnen.get(bron) or {}}
        for spec in kandidaten.values():
            for p, item in (spec.get("paths") or {}).items():
                for m, op in (item or {}).items():
                    if isinstance(op, dict) and op.get("operationId") == op_id:
                        return m.upper(), p
    return None


def _stap_dienst(stap: dict, doc: dict, bronnen: dict[str, dict]) -> str | None:
    """Our service name for the source description a step uses."""
    verwijzing = str(stap.get("operationPath") or stap.get("operationId") or "")
    m = re.search(r"\$sourceDescriptions\.([A-Za-z0-9_-]+)", verwijzing)
    naam = m.group(1) if m else (next(iter(bronnen)) if len(bronnen) == 1 else None)
    if naam is None and stap.get("operationId"):
        naam = next((b for b, spec in bronnen.items() if any(
            isinstance(op, dict) and op.get("operationId") == stap["operationId"]
            for item in (spec.get("paths") or {}).values() for op in (item or {}).values())), None)
    for bron in doc.get("sourceDescriptions") or []:
        if bron.get("name") == naam:
            return bron.get("x-dso-dienst", naam)
    return naam


def voer_uit(bestand: Path, diensten: dict[str, tuple[str, dict | None]], sleutel: str | None,
             *, alleen_lezen: bool = False, begrenzer=None, deadline: float | None = None
             ) -> list[WorkflowUitslag]:
    """Run every workflow in one Arazzo file. ``diensten``: name → (base URL, spec or None)."""

    naam = bestand.name
    try:
        doc = yaml.safe_load(bestand.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as e:
        return [WorkflowUitslag(naam, "-", "gefaald", f"workflowbestand onleesbaar: {e}")]
    if not isinstance(doc, dict) or not str(doc.get("arazzo", "")).startswith("1."):
        return [WorkflowUitslag(naam, "-", "gefaald", "workflowbestand onleesbaar: geen Arazzo "
                                "1.x-document (veld 'arazzo' ontbreekt of is geen 1.x)")]
    bronnen: dict[str, dict] = {}
    ontbreekt = []
    for bron in doc.get("sourceDescriptions") or []:
        dienst = bron.get("x-dso-dienst", bron.get("name"))
        basis, spec = diensten.get(dienst, (None, None))
        if basis is None:
            ontbreekt.append(f"{bron.get('name')} (dienst '{dienst}' hoort niet bij dit doel)")
            continue
        if spec is None:
            ontbreekt.append(f"{bron.get('name')} (geen bruikbare spec voor '{dienst}')")
            continue
        spec = copy.deepcopy(spec)
        spec["servers"] = [{"url": basis}]
        bronnen[bron["name"]] = spec
    uitslagen = []
    for wf in doc.get("workflows") or []:
        wf_id = wf.get("workflowId", "?")
        if deadline is not None and time.monotonic() >= deadline:
            uitslagen.append(WorkflowUitslag(naam, wf_id, "overgeslagen",
                                             "tijdsbudget op: workflow niet uitgevoerd"))
            continue
        if ontbreekt:
            status = "overgeslagen" if all("hoort niet" in o for o in ontbreekt) else "geblokkeerd"
            uitslagen.append(WorkflowUitslag(naam, wf_id, status,
                                             "workflow niet uitgevoerd: " + "; ".join(ontbreekt)))
            continue
        if alleen_lezen:
            wijzigend = [s.get("stepId") for s in wf.get("steps") or []
                         if (op := _stap_operatie(s, bronnen)) is None or not is_raadplegend(*op)]
            if wijzigend:
                uitslagen.append(WorkflowUitslag(
                    naam, wf_id, "overgeslagen", "doel is alleen-lezen en de stap(pen) "
                    f"{', '.join(map(str, wijzigend))} raadplegen niet (alleen)"))
                continue
        uitslagen.append(_een(doc, wf, naam, bronnen, sleutel, begrenzer))
    return uitslagen


def _invoer(wf: dict, sleutel: str | None) -> dict:
    invoer = {}
    for k, schema in ((wf.get("inputs") or {}).get("properties") or {}).items():
        if re.fullmatch(r"(?i)api[-_]?key.*", k):
            invoer[k] = sleutel or ""
        elif isinstance(schema, dict) and "default" in schema:
            invoer[k] = schema["default"]
    return invoer


def _een(doc: dict, wf: dict, naam: str, bronnen: dict, sleutel: str | None,
         begrenzer) -> WorkflowUitslag:
    from arazzo_runner import ArazzoRunner

    wf_id = wf["workflowId"]
    sessie = _Sessie(begrenzer)
    start = time.perf_counter()
    stappen: dict[str, StapUitslag] = {}
    volgorde: list[str] = []
    try:
        runner = ArazzoRunner(arazzo_doc=doc, source_descriptions=bronnen, http_client=sessie)

        def bij_start(execution_id, workflow_id, step_id, **_):
            sessie.stap = step_id

        def bij_einde(execution_id, workflow_id, step_id, success, outputs=None, error=None, **_):
            volgorde.append(step_id)
            stappen[step_id] = StapUitslag(step_id, bool(success),
                                           fout=str(error) if error else None)

        runner.register_callback("step_start", bij_start)
        runner.register_callback("step_complete", bij_einde)
        res = runner.execute_workflow(wf_id, _invoer(wf, sleutel))
    except Exception as e:  # noqa: BLE001 — the runner's own failure is a finding on the workflow
        return WorkflowUitslag(naam, wf_id, "gefaald", f"workflow kon niet worden uitgevoerd: "
                               f"{type(e).__name__}: {e}", duur_ms=(time.perf_counter() - start) * 1000)
    duur = (time.perf_counter() - start) * 1000
    for stap, u in sessie.uitwisselingen:
        if stap in stappen:
            stappen[stap].uitwisseling = u
    for stap in wf.get("steps") or []:
        if stap.get("stepId") in stappen:
            stappen[stap["stepId"]].criteria = [str(c.get("condition")) for c in
                                                stap.get("successCriteria") or []]
            stappen[stap["stepId"]].dienst = _stap_dienst(stap, doc, bronnen)
    status = getattr(res.status, "value", str(res.status))
    lijst = [stappen[s] for s in volgorde]
    if status == "workflow_complete" and all(s.geslaagd for s in lijst):
        return WorkflowUitslag(naam, wf_id, "geslaagd",
                               f"alle {len(lijst)} stappen geslaagd", lijst, res.outputs, duur)
    mislukt = next((s for s in lijst if not s.geslaagd), None)
    if mislukt is None and lijst:
        mislukt = lijst[-1]
    wat = f"stap '{mislukt.stap}'" if mislukt else "de workflow"
    status_http = mislukt.uitwisseling.status if mislukt and mislukt.uitwisseling else None
    bericht = (f"{wat} voldoet niet aan de successCriteria"
               + (f" (HTTP {status_http})" if status_http is not None else "")
               + (f": {res.error}" if res.error else ""))
    return WorkflowUitslag(naam, wf_id, "gefaald", bericht, lijst, res.outputs, duur)


def voer_alle_uit(fase) -> None:
    """Run every contracts/workflows/*.arazzo.yaml and record per workflow and per step."""
    bestanden = sorted(Path(fase.i.workflows).glob("*.arazzo.yaml"))
    diensten = {d: (b, s.inhoud if s.bruikbaar else None) for d, (b, s) in fase.specs.items()}
    for d, b in fase.doel.diensten.items():
        diensten.setdefault(d, (b, None))
    for bestand in bestanden:
        for u in voer_uit(bestand, diensten, fase.sleutel, alleen_lezen=fase.alleen_lezen,
                          begrenzer=fase.begrenzer, deadline=fase.deadline):
            onderwerp = f"{u.bestand}#{u.workflow}"
            for s in u.stappen:
                if s.geslaagd:
                    fase.schrijf(s.dienst or "workflows", f"{onderwerp}/{s.stap}", "workflow-stap",
                                 "geslaagd",
                                 f"stap '{s.stap}' geslaagd"
                                 + (f" (HTTP {s.uitwisseling.status})" if s.uitwisseling else ""))
                else:
                    fase.schrijf_uitwisseling(s.dienst or "workflows", f"{onderwerp}/{s.stap}",
                                              "workflow-stap",
                                              f"Stap '{s.stap}' van workflow {u.workflow} niet "
                                              f"geslaagd: {u.bericht}", s.uitwisseling,
                                              ernst=fase.i.ernst_van("workflow"))
            if u.status == "gefaald":
                mislukt = next((s for s in u.stappen if not s.geslaagd), None)
                fase.schrijf_uitwisseling("workflows", onderwerp, "workflow",
                                          f"Workflow {u.workflow} faalt: {u.bericht}",
                                          mislukt.uitwisseling if mislukt else None,
                                          details={"stappen": [s.stap for s in u.stappen]},
                                          duur_ms=u.duur_ms)
            else:
                fase.schrijf("workflows", onderwerp, "workflow", u.status,
                             f"Workflow {u.workflow}: {u.bericht}",
                             ernst="blokkerend" if u.status == "geblokkeerd" else None,
                             details={"outputs": u.outputs} if u.outputs else None,
                             duur_ms=u.duur_ms)
