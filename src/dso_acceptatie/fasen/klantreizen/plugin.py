"""pytest plugin of the klantreizen phase: one record per scenario and per step, with evidence.

Loaded by the phase with ``-p dso_acceptatie.fasen.klantreizen.plugin`` (never by the project's
own tests). Without ``--klantreizen-run-map`` it only declares the markers and stays inert.

Per xdist worker one record file (``records/klantreizen-gw0.jsonl``); the scenario's final outcome
is written once, after its last attempt:

- passed → ``geslaagd``; passed after a failed first attempt (pytest-rerunfailures) → ``instabiel``
  (never ``geslaagd``); failed → ``gefaald`` with the severity tag as ``ernst``; skipped →
  ``overgeslagen`` with the reason.
- Step records carry ``ernst = informatief``: the scenario record is the finding, the steps say
  where it went wrong, so nothing is counted twice.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dso_acceptatie.fasen.basis import DoelInfo
from dso_acceptatie.fasen.klantreizen import tags as tagmod
from dso_acceptatie.fasen.klantreizen import toegankelijkheid
from dso_acceptatie.records import Masker, RecordWriter

FASE = "klantreizen"
PAGINA = pytest.StashKey[object]()          # the scenario's Playwright page (set by conftest)
RAPPORTEN = pytest.StashKey[dict]()         # when -> TestReport of the current attempt


@dataclass
class Poging:
    stappen: list[dict] = field(default_factory=list)   # per executed step: status, message, ms
    fout: str | None = None
    rapporten: dict = field(default_factory=dict)       # when -> logged report of this attempt


@dataclass
class Scenario:
    naam: str
    feature: str
    bestand: str
    stappen: list[str]
    scenario_tags: list[str]
    feature_tags: list[str]
    voorbeeld: dict
    pogingen: list[Poging] = field(default_factory=list)
    eerdere_fouten: list[str] = field(default_factory=list)
    bewijs: list[str] = field(default_factory=list)
    start: float = field(default_factory=time.monotonic)


class Staat:
    """Everything the plugin keeps for one pytest process (controller or worker)."""

    def __init__(self, config: pytest.Config, run_map: Path, doel_pad: Path, run_id: str):
        self.config = config
        self.run_map = run_map
        self.run_id = run_id
        self.doel = DoelInfo.lees(doel_pad)
        self.worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.masker = Masker.uit_omgeving([self.doel.api_sleutel_variabele])
        self.bewijs_map = run_map / "bewijs" / FASE
        self.axe_map = self.bewijs_map / "toegankelijkheid"
        self._writer: RecordWriter | None = None
        self._axe_bestand = None
        self.scenarios: dict[str, Scenario] = {}
        self.axe_gezien: set[str] = set()

    @property
    def uitvoerend(self) -> bool:
        """True in the process that runs the items (a worker, or pytest without xdist)."""
        return (hasattr(self.config, "workerinput")
                or self.config.getoption("dist", "no") == "no")

    @property
    def writer(self) -> RecordWriter:
        if self._writer is None:
            self._writer = RecordWriter(self.run_map / "records" / f"{FASE}-{self.worker}.jsonl",
                                        self.run_id, FASE, self.masker)
        return self._writer

    def relatief(self, pad: Path) -> str:
        try:
            return Path(pad).resolve().relative_to(self.run_map.resolve()).as_posix()
        except ValueError:
            return str(pad)

    def bewijs_pad(self, nodeid: str, soort: str, ext: str) -> Path:
        """A file name per scenario, attempt and kind, safe for every file system."""
        sc = self.scenarios.get(nodeid)
        poging = len(sc.pogingen) if sc else 1
        basis = re.sub(r"[^A-Za-z0-9_.-]+", "-", nodeid.split("::")[-1])[:90].strip("-")
        pad = self.bewijs_map / soort / f"{basis}-p{poging}-{secrets.token_hex(2)}.{ext}"
        pad.parent.mkdir(parents=True, exist_ok=True)
        return pad

    def registreer_bewijs(self, nodeid: str, pad: Path) -> None:
        sc = self.scenarios.get(nodeid)
        if sc is not None:
            sc.bewijs.append(self.relatief(pad))

    def axe_resultaat(self, regel: dict) -> None:
        if self._axe_bestand is None:
            self.axe_map.mkdir(parents=True, exist_ok=True)
            # open for the worker's lifetime, closed in pytest_unconfigure
            self._axe_bestand = open(self.axe_map / f"{self.worker}.jsonl", "a",  # noqa: SIM115
                                     encoding="utf-8")
        self._axe_bestand.write(json.dumps(regel, ensure_ascii=False) + "\n")
        self._axe_bestand.flush()

    def sluit(self) -> None:
        if self._writer:
            self._writer.close()
        if self._axe_bestand:
            self._axe_bestand.close()


STAAT = pytest.StashKey[Staat]()


def staat(config: pytest.Config) -> Staat | None:
    return config.stash.get(STAAT, None)


# --- configuration ----------------------------------------------------------------------------

def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("klantreizen", "fase klantreizen van dso-acceptatie")
    g.addoption("--klantreizen-run-map", type=Path, default=None, help="runmap voor records/bewijs")
    g.addoption("--klantreizen-doel", type=Path, default=None, help="doel.json van de run")
    g.addoption("--klantreizen-run-id", default=None, help="id van de run")


def pytest_configure(config: pytest.Config) -> None:
    for regel in tagmod.markers():
        config.addinivalue_line("markers", regel)
    run_map = config.getoption("--klantreizen-run-map")
    if run_map:
        doel = config.getoption("--klantreizen-doel") or run_map / "doel.json"
        run_id = config.getoption("--klantreizen-run-id") or run_map.name
        config.stash[STAAT] = Staat(config, Path(run_map), Path(doel), run_id)
        _STAAT_PROCES["staat"] = config.stash[STAAT]
        config.pluginmanager.register(_Rapporteur(config), "dso-klantreizen-rapporteur")


def pytest_unconfigure(config: pytest.Config) -> None:
    s = staat(config)
    if s:
        s.sluit()


# --- per attempt --------------------------------------------------------------------------------

def _scenario_uit_item(item: pytest.Item) -> Scenario | None:
    from pytest_bdd.scenario import scenario_wrapper_template_registry

    try:
        sjabloon = scenario_wrapper_template_registry.get(getattr(item, "obj", None))
    except TypeError:   # not weak-referenceable: not a scenario
        sjabloon = None
    if sjabloon is None:
        return None
    feature = sjabloon.feature
    voorbeeld = {}
    callspec = getattr(item, "callspec", None)
    if callspec is not None:
        voorbeeld = dict(callspec.params.get("_pytest_bdd_example", {}) or {})
    try:
        gerenderd = sjabloon.render(voorbeeld)
        naam, stappen = gerenderd.name, [f"{s.keyword} {s.name}" for s in gerenderd.steps]
        if voorbeeld and naam == sjabloon.name:
            # An outline whose name has no <placeholders>: the example makes it unique.
            naam += " — " + ", ".join(str(v) for v in voorbeeld.values())
    except Exception:  # noqa: BLE001 - a name for a record must never break the run
        naam, stappen = sjabloon.name, [f"{s.keyword} {s.name}" for s in sjabloon.steps]
    return Scenario(naam=naam, feature=feature.name, bestand=feature.rel_filename,
                    stappen=stappen, scenario_tags=sorted(
                        set(sjabloon.tags) | (sjabloon.rule.tags if sjabloon.rule else set())),
                    feature_tags=sorted(feature.tags), voorbeeld=voorbeeld)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    s = staat(item.config)
    if s is None:
        return
    sc = s.scenarios.get(item.nodeid)
    if sc is None:
        sc = _scenario_uit_item(item)
        if sc is None:
            return
        s.scenarios[item.nodeid] = sc
    sc.pogingen.append(Poging())
    item.stash[RAPPORTEN] = {}
    if s.doel.alleen_lezen and item.get_closest_marker("alleen-lezen") is None:
        pytest.skip(f"doel '{s.doel.naam}' is alleen-lezen en dit scenario is niet "
                    "@alleen-lezen (het dient iets in of verandert iets)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    rapport = yield
    if item.stash.get(RAPPORTEN, None) is not None:
        item.stash[RAPPORTEN][rapport.when] = rapport
    return rapport


def mislukt(item: pytest.Item) -> bool:
    """Did the current attempt fail so far (setup or call)? For evidence at teardown."""
    return any(r.failed for r in item.stash.get(RAPPORTEN, {}).values())


# --- steps ----------------------------------------------------------------------------------------

def _poging(request) -> tuple[Staat | None, Poging | None]:
    s = staat(request.config)
    if s is None:
        return None, None
    sc = s.scenarios.get(request.node.nodeid)
    return s, (sc.pogingen[-1] if sc and sc.pogingen else None)


def pytest_bdd_before_step(request, feature, scenario, step, step_func) -> None:
    _, p = _poging(request)
    if p is not None:
        p.stappen.append({"stap": f"{step.keyword} {step.name}", "status": "overgeslagen",
                          "start": time.monotonic(), "bericht": "stap niet afgemaakt"})


def pytest_bdd_after_step(request, feature, scenario, step, step_func, step_func_args) -> None:
    _, p = _poging(request)
    if p is None or not p.stappen:
        return
    p.stappen[-1].update(status="geslaagd", bericht="stap geslaagd")
    p.stappen[-1]["ms"] = (time.monotonic() - p.stappen[-1]["start"]) * 1000
    pagina = request.node.stash.get(PAGINA, None)
    if pagina is not None:
        controleer_pagina(request.node, pagina)


_TIMEOUT = re.compile(r"Timeout (\d+)ms exceeded")
_WACHT = re.compile(r"waiting for (.+)")
_VERWACHT = re.compile(r"Locator expected (?:not )?to (.+?)(?:\n|$)")


def _kort(exc: BaseException) -> str:
    """The cause in words a tester reads: Playwright's timeouts and expectations in Dutch."""
    tekst = str(exc).strip() or type(exc).__name__
    regels = [r.strip() for r in tekst.splitlines() if r.strip()]
    wacht = next((m.group(1) for r in regels if (m := _WACHT.search(r))), None)
    timeout = _TIMEOUT.search(tekst)
    verwacht = _VERWACHT.search(tekst)
    if wacht and (timeout or verwacht):
        seconden = f" binnen {int(timeout.group(1)) / 1000:g} s" if timeout else ""
        wat = f" (verwacht: {verwacht.group(1)})" if verwacht else ""
        if "element(s) not found" in tekst or timeout:
            return f"niet gevonden op de pagina{seconden}: {wacht}{wat}"[:600]
        return f"{wacht} voldoet niet{wat}: {' '.join(regels[:3])}"[:600]
    # Playwright appends a long call log; the first lines are what a person needs.
    return " ".join(regels[:3])[:600]


def pytest_bdd_step_error(request, feature, scenario, step, step_func, step_func_args,
                          exception) -> None:
    _, p = _poging(request)
    if p is None:
        return
    if not p.stappen:
        p.stappen.append({"stap": f"{step.keyword} {step.name}", "start": time.monotonic()})
    p.stappen[-1].update(status="gefaald", bericht=_kort(exception))
    p.stappen[-1]["ms"] = (time.monotonic() - p.stappen[-1]["start"]) * 1000
    p.fout = f"stap '{step.keyword} {step.name}' faalde: {_kort(exception)}"
    pagina = request.node.stash.get(PAGINA, None)
    if pagina is not None:
        pad = leg_scherm_vast(request.node, pagina, "fout")
        if pad is not None:
            p.stappen[-1]["bewijs"] = [staat(request.config).relatief(pad)]


def pytest_bdd_step_func_lookup_error(request, feature, scenario, step, exception) -> None:
    _, p = _poging(request)
    if p is None:
        return
    p.stappen.append({"stap": f"{step.keyword} {step.name}", "status": "gefaald",
                      "bericht": "er is geen stapdefinitie voor deze stap", "ms": 0.0})
    p.fout = f"stap '{step.keyword} {step.name}' heeft geen stapdefinitie (steps/)"


# --- evidence ---------------------------------------------------------------------------------------

def _allure_bijlage(pad: Path, naam: str, soort: str) -> None:
    try:
        import allure
        types = {"png": allure.attachment_type.PNG, "zip": None, "json": allure.attachment_type.JSON}
        allure.attach.file(str(pad), name=naam, attachment_type=types.get(soort),
                           extension=soort)
    except Exception:  # noqa: BLE001, S110 - Allure is a second view; the record links the file
        pass


def leg_scherm_vast(item: pytest.Item, pagina, reden: str) -> Path | None:
    s = staat(item.config)
    if s is None:
        return None
    pad = s.bewijs_pad(item.nodeid, "screenshots", "png")
    try:
        pagina.screenshot(path=str(pad), full_page=True, timeout=10_000)
    except Exception:  # noqa: BLE001 - a page that crashed cannot be photographed; say so below
        return None
    s.registreer_bewijs(item.nodeid, pad)
    _allure_bijlage(pad, f"schermafdruk ({reden})", "png")
    return pad


def bewaar_trace(item: pytest.Item, context) -> Path | None:
    """Stop tracing; keep the trace only when the attempt failed (it is large)."""
    s = staat(item.config)
    try:
        if s is not None and mislukt(item):
            pad = s.bewijs_pad(item.nodeid, "traces", "zip")
            context.tracing.stop(path=str(pad))
            s.registreer_bewijs(item.nodeid, pad)
            _allure_bijlage(pad, "Playwright-trace (npx playwright show-trace)", "zip")
            return pad
        context.tracing.stop()
    except Exception:  # noqa: BLE001, S110 - a closed context has no trace left to save
        pass
    return None


def controleer_pagina(item: pytest.Item, pagina) -> None:
    """axe-core on the page the browser shows now, once per page kind per worker."""
    s = staat(item.config)
    if s is None:
        return
    try:
        # A step may end on a click that is still navigating: check the page it arrives at.
        pagina.wait_for_load_state("load", timeout=10_000)
        url, titel = pagina.url, pagina.title()
    except Exception:  # noqa: BLE001 - page gone: nothing to check
        return
    if not url.startswith("http"):
        return
    sleutel = toegankelijkheid.pagina_sleutel(url, titel)
    if sleutel in s.axe_gezien:
        return
    s.axe_gezien.add(sleutel)
    try:
        uitkomst = toegankelijkheid.voer_uit(pagina)
    except Exception as e:  # noqa: BLE001 - a failed check is recorded, not fatal to the journey
        uitkomst = {"versie": None, "violations": [], "fout": str(e)[:300]}
    s.axe_resultaat({"url": s.masker(url), "pad": sleutel.split("|")[0], "titel": titel,
                     "scenario": item.nodeid, **uitkomst})


# --- records ----------------------------------------------------------------------------------------

def _overgeslagen_reden(rapport) -> str:
    lr = rapport.longrepr
    if isinstance(lr, tuple) and len(lr) == 3:
        return str(lr[2]).removeprefix("Skipped: ")
    return str(lr or "overgeslagen")


def pytest_collectreport(report) -> None:
    """A feature that cannot be loaded (syntax, undeclared tag) is blocked, never silently absent."""
    if not report.failed:
        return
    s = _STAAT_PROCES.get("staat")
    # Every worker collects the same files and xdist forwards their reports to the controller:
    # write once, from the first worker (or from pytest without xdist).
    if s is None or not s.uitvoerend or s.worker not in ("main", "gw0"):
        return
    tekst = str(report.longrepr).strip().splitlines()
    s.writer.schrijf(component="Omgevingsloket", onderwerp=f"feature {report.nodeid}",
                     controle="feature laden", status="geblokkeerd", ernst="blokkerend",
                     bericht=f"de scenario's in {report.nodeid} konden niet worden geladen, dus "
                             f"niet getest: {' '.join(tekst[-3:])[:500]}",
                     details={"nodeid": report.nodeid})


_STAAT_PROCES: dict[str, Staat] = {}   # collectreport has no config: the one state per process


class _Rapporteur:
    """Writes the records when an item's last attempt is logged (logreport has no config)."""

    def __init__(self, config: pytest.Config):
        self.config = config

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        s = staat(self.config)
        if s is None or not s.uitvoerend:
            return
        sc = s.scenarios.get(report.nodeid)
        if sc is None or not sc.pogingen:
            return
        poging = sc.pogingen[-1]
        poging.rapporten[report.when] = report
        if report.when != "teardown":
            return
        if any(r.outcome == "rerun" for r in poging.rapporten.values()):
            sc.eerdere_fouten.append(poging.fout or _faaltekst(poging.rapporten))
            return
        _schrijf_scenario(s, report.nodeid, sc, poging.rapporten)


def _faaltekst(rapporten: dict) -> str:
    for r in rapporten.values():
        if r.failed or r.outcome == "rerun":
            tekst = getattr(r, "longreprtext", "") or str(r.longrepr)
            regels = [x for x in tekst.splitlines() if x.strip().startswith("E ")]
            return " ".join(x.strip()[2:].strip() for x in regels[:3])[:600] or tekst[-600:]
    return "onbekende fout"


def _schrijf_scenario(s: Staat, nodeid: str, sc: Scenario, rapporten: dict) -> None:
    poging = sc.pogingen[-1]
    t = tagmod.uit_tags(sc.scenario_tags, sc.feature_tags)
    klantreis = tagmod.KLANTREIZEN.get(t["klantreis"] or "", t["klantreis"] or "onbekende klantreis")
    component = tagmod.COMPONENTEN.get(t["component"] or "", "Omgevingsloket")
    ernst_tag = t["ernst"] or "ernstig"
    onderwerp = f"{klantreis}: {sc.naam}"
    duur = sum(r.duration for r in rapporten.values())
    gefaald = [r for r in rapporten.values() if r.failed]
    overgeslagen = [r for r in rapporten.values() if r.skipped]
    if gefaald:
        status, ernst = "gefaald", ernst_tag
        bericht = poging.fout or f"scenario faalde: {_faaltekst(rapporten)}"
        if sc.eerdere_fouten:
            bericht += " (ook bij de herhaling)"
    elif overgeslagen:
        status, ernst = "overgeslagen", "informatief"
        bericht = _overgeslagen_reden(overgeslagen[0])
    elif sc.eerdere_fouten:
        status, ernst = "instabiel", ernst_tag
        bericht = (f"geslaagd bij herhaling {len(sc.eerdere_fouten)}, niet bij de eerste poging: "
                   f"{sc.eerdere_fouten[0]}")
    else:
        status, ernst = "geslaagd", "informatief"
        bericht = f"scenario geslaagd ({len(sc.stappen)} stappen)"
    details = {"klantreis": klantreis, "feature": sc.feature, "bestand": sc.bestand,
               "scenario": sc.naam,
               "nodeid": nodeid, "tags": sorted(set(sc.feature_tags) | set(sc.scenario_tags)),
               "ernst_bij_falen": ernst_tag, "pogingen": len(sc.pogingen), "werker": s.worker,
               "voorbeeld": sc.voorbeeld, "eerdere_fouten": sc.eerdere_fouten}
    s.writer.schrijf(component=component, onderwerp=onderwerp, controle="scenario",
                     status=status, ernst=ernst, bericht=bericht, duur_ms=duur * 1000,
                     bewijs=list(sc.bewijs), details=details)
    uitgevoerd = {i: st for i, st in enumerate(poging.stappen)}
    for i, tekst in enumerate(sc.stappen):
        st = uitgevoerd.get(i)
        if st is None:
            st_status, st_bericht = "overgeslagen", (
                "niet uitgevoerd: " + ("het scenario is overgeslagen" if overgeslagen and not gefaald
                                       else "een eerdere stap faalde"))
        else:
            st_status, st_bericht = st["status"], st.get("bericht", "")
            if st_status == "overgeslagen" and overgeslagen:
                st_bericht = _overgeslagen_reden(overgeslagen[0])
        s.writer.schrijf(component=component, onderwerp=onderwerp, controle=f"stap {i + 1}: {tekst}",
                         status=st_status, ernst="informatief", bericht=st_bericht,
                         duur_ms=(st or {}).get("ms"), bewijs=(st or {}).get("bewijs"),
                         details={"nodeid": nodeid, "stap": i + 1, "scenario_status": status})
