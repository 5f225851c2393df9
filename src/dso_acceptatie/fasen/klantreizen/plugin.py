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
- axe-core runs on every page kind a step ends on; a page it could not run on is recorded as
  such and becomes a ``geblokkeerd`` record in the phase process (toegankelijkheid.py).

The pytest main process (the xdist controller, or pytest without xdist) also reports progress:
finished scenarios of the collected total, in ``voortgang/klantreizen.json`` (:class:`_Voortgang`).
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

from dso_acceptatie.fasen.basis import DoelInfo, FaseContext
from dso_acceptatie.fasen.klantreizen import tags as tagregels
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
        self.werker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.masker = Masker.uit_omgeving([self.doel.api_sleutel_variabele])
        self.bewijs_map = run_map / "bewijs" / FASE
        self.axe_map = self.bewijs_map / "toegankelijkheid"
        self._schrijver: RecordWriter | None = None
        self._axe_bestand = None
        self.scenarios: dict[str, Scenario] = {}
        self.axe_gezien: set[str] = set()          # page kinds axe-core has checked
        self.axe_mislukt: dict[str, int] = {}      # page kind -> attempts on which axe failed

    @property
    def uitvoerend(self) -> bool:
        """True in the process that runs the items (a worker, or pytest without xdist)."""
        return (hasattr(self.config, "workerinput")
                or self.config.getoption("dist", "no") == "no")

    @property
    def writer(self) -> RecordWriter:
        if self._schrijver is None:
            self._schrijver = RecordWriter(
                self.run_map / "records" / f"{FASE}-{self.werker}.jsonl", self.run_id, FASE,
                self.masker)
        return self._schrijver

    def relatief(self, pad: Path) -> str:
        try:
            return Path(pad).resolve().relative_to(self.run_map.resolve()).as_posix()
        except ValueError:
            return str(pad)

    def bewijs_pad(self, nodeid: str, soort: str, extensie: str) -> Path:
        """A file name per scenario, attempt and kind, safe for every file system."""
        scenario = self.scenarios.get(nodeid)
        poging = len(scenario.pogingen) if scenario else 1
        basis = re.sub(r"[^A-Za-z0-9_.-]+", "-", nodeid.split("::")[-1])[:90].strip("-")
        pad = self.bewijs_map / soort / f"{basis}-p{poging}-{secrets.token_hex(2)}.{extensie}"
        pad.parent.mkdir(parents=True, exist_ok=True)
        return pad

    def registreer_bewijs(self, nodeid: str, pad: Path) -> None:
        scenario = self.scenarios.get(nodeid)
        if scenario is not None:
            scenario.bewijs.append(self.relatief(pad))

    def axe_resultaat(self, regel: dict) -> None:
        if self._axe_bestand is None:
            self.axe_map.mkdir(parents=True, exist_ok=True)
            # open for the worker's lifetime, closed in pytest_unconfigure
            self._axe_bestand = open(self.axe_map / f"{self.werker}.jsonl", "a",  # noqa: SIM115
                                     encoding="utf-8")
        self._axe_bestand.write(json.dumps(regel, ensure_ascii=False) + "\n")
        self._axe_bestand.flush()

    def sluit(self) -> None:
        if self._schrijver:
            self._schrijver.close()
        if self._axe_bestand:
            self._axe_bestand.close()


STAAT = pytest.StashKey[Staat]()


def staat_van(config: pytest.Config) -> Staat | None:
    return config.stash.get(STAAT, None)


# --- configuration ----------------------------------------------------------------------------

def pytest_addoption(parser: pytest.Parser) -> None:
    groep = parser.getgroup("klantreizen", "fase klantreizen van dso-acceptatie")
    groep.addoption("--klantreizen-run-map", type=Path, default=None,
                    help="runmap voor records/bewijs")
    groep.addoption("--klantreizen-doel", type=Path, default=None, help="doel.json van de run")
    groep.addoption("--klantreizen-run-id", default=None, help="id van de run")


def pytest_configure(config: pytest.Config) -> None:
    for regel in tagregels.markers():
        config.addinivalue_line("markers", regel)
    run_map = config.getoption("--klantreizen-run-map")
    if run_map:
        doel = config.getoption("--klantreizen-doel") or run_map / "doel.json"
        run_id = config.getoption("--klantreizen-run-id") or run_map.name
        config.stash[STAAT] = Staat(config, Path(run_map), Path(doel), run_id)
        _STAAT_PROCES["staat"] = config.stash[STAAT]
        config.pluginmanager.register(_Rapporteur(config), "dso-klantreizen-rapporteur")
        if not hasattr(config, "workerinput"):
            # The xdist controller (or pytest without xdist) sees every collection and every
            # final report: it is the one process that knows how far the phase is.
            config.pluginmanager.register(_Voortgang(config.stash[STAAT]), "dso-klantreizen-voortgang")


def pytest_unconfigure(config: pytest.Config) -> None:
    staat = staat_van(config)
    if staat:
        staat.sluit()


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
        naam, stappen = gerenderd.name, [f"{stap.keyword} {stap.name}" for stap in gerenderd.steps]
        if voorbeeld and naam == sjabloon.name:
            # An outline whose name has no <placeholders>: the example makes it unique.
            naam += " — " + ", ".join(str(v) for v in voorbeeld.values())
    except Exception:  # noqa: BLE001 - a name for a record must never break the run
        naam, stappen = sjabloon.name, [f"{stap.keyword} {stap.name}" for stap in sjabloon.steps]
    return Scenario(naam=naam, feature=feature.name, bestand=feature.rel_filename,
                    stappen=stappen, scenario_tags=sorted(
                        set(sjabloon.tags) | (sjabloon.rule.tags if sjabloon.rule else set())),
                    feature_tags=sorted(feature.tags), voorbeeld=voorbeeld)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    staat = staat_van(item.config)
    if staat is None:
        return
    scenario = staat.scenarios.get(item.nodeid)
    if scenario is None:
        scenario = _scenario_uit_item(item)
        if scenario is None:
            return
        staat.scenarios[item.nodeid] = scenario
    scenario.pogingen.append(Poging())
    item.stash[RAPPORTEN] = {}
    if staat.doel.alleen_lezen and item.get_closest_marker("alleen-lezen") is None:
        pytest.skip(f"doel '{staat.doel.naam}' is alleen-lezen en dit scenario is niet "
                    "@alleen-lezen (het dient iets in of verandert iets)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    rapport = yield
    if item.stash.get(RAPPORTEN, None) is not None:
        item.stash[RAPPORTEN][rapport.when] = rapport
    return rapport


def mislukt(item: pytest.Item) -> bool:
    """Did the current attempt fail so far (setup or call)? For evidence at teardown."""
    return any(rapport.failed for rapport in item.stash.get(RAPPORTEN, {}).values())


# --- steps ----------------------------------------------------------------------------------------

def _poging(request) -> tuple[Staat | None, Poging | None]:
    staat = staat_van(request.config)
    if staat is None:
        return None, None
    scenario = staat.scenarios.get(request.node.nodeid)
    return staat, (scenario.pogingen[-1] if scenario and scenario.pogingen else None)


def pytest_bdd_before_step(request, feature, scenario, step, step_func) -> None:
    _, poging = _poging(request)
    if poging is not None:
        poging.stappen.append({"stap": f"{step.keyword} {step.name}", "status": "overgeslagen",
                               "start": time.monotonic(), "bericht": "stap niet afgemaakt"})


def pytest_bdd_after_step(request, feature, scenario, step, step_func, step_func_args) -> None:
    _, poging = _poging(request)
    if poging is None or not poging.stappen:
        return
    poging.stappen[-1].update(status="geslaagd", bericht="stap geslaagd")
    poging.stappen[-1]["ms"] = (time.monotonic() - poging.stappen[-1]["start"]) * 1000
    pagina = request.node.stash.get(PAGINA, None)
    if pagina is not None:
        controleer_pagina(request.node, pagina)


_TIMEOUT = re.compile(r"Timeout (\d+)ms exceeded")
_WACHT = re.compile(r"waiting for (.+)")
_VERWACHT = re.compile(r"Locator expected (?:not )?to (.+?)(?:\n|$)")


def _kort(fout: BaseException) -> str:
    """The cause in words a tester reads: Playwright's timeouts and expectations in Dutch."""
    tekst = str(fout).strip() or type(fout).__name__
    regels = [regel.strip() for regel in tekst.splitlines() if regel.strip()]
    wacht = next((gevonden.group(1) for regel in regels if (gevonden := _WACHT.search(regel))), None)
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
    _, poging = _poging(request)
    if poging is None:
        return
    if not poging.stappen:
        poging.stappen.append({"stap": f"{step.keyword} {step.name}", "start": time.monotonic()})
    poging.stappen[-1].update(status="gefaald", bericht=_kort(exception))
    poging.stappen[-1]["ms"] = (time.monotonic() - poging.stappen[-1]["start"]) * 1000
    poging.fout = f"stap '{step.keyword} {step.name}' faalde: {_kort(exception)}"
    pagina = request.node.stash.get(PAGINA, None)
    if pagina is not None:
        pad = leg_scherm_vast(request.node, pagina, "fout")
        if pad is not None:
            poging.stappen[-1]["bewijs"] = [staat_van(request.config).relatief(pad)]


def pytest_bdd_step_func_lookup_error(request, feature, scenario, step, exception) -> None:
    _, poging = _poging(request)
    if poging is None:
        return
    poging.stappen.append({"stap": f"{step.keyword} {step.name}", "status": "gefaald",
                           "bericht": "er is geen stapdefinitie voor deze stap", "ms": 0.0})
    poging.fout = f"stap '{step.keyword} {step.name}' heeft geen stapdefinitie (steps/)"


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
    staat = staat_van(item.config)
    if staat is None:
        return None
    pad = staat.bewijs_pad(item.nodeid, "screenshots", "png")
    try:
        pagina.screenshot(path=str(pad), full_page=True, timeout=10_000)
    except Exception:  # noqa: BLE001 - a page that crashed cannot be photographed; say so below
        return None
    staat.registreer_bewijs(item.nodeid, pad)
    _allure_bijlage(pad, f"schermafdruk ({reden})", "png")
    return pad


def bewaar_trace(item: pytest.Item, context) -> Path | None:
    """Stop tracing; keep the trace only when the attempt failed (it is large)."""
    staat = staat_van(item.config)
    try:
        if staat is not None and mislukt(item):
            pad = staat.bewijs_pad(item.nodeid, "traces", "zip")
            context.tracing.stop(path=str(pad))
            staat.registreer_bewijs(item.nodeid, pad)
            _allure_bijlage(pad, "Playwright-trace (npx playwright show-trace)", "zip")
            return pad
        context.tracing.stop()
    except Exception:  # noqa: BLE001, S110 - a closed context has no trace left to save
        pass
    return None


AXE_POGINGEN = 2   # a page kind axe-core failed on is tried again on a later visit, once


def controleer_pagina(item: pytest.Item, pagina) -> None:
    """axe-core on the page the browser shows now, once per page kind per worker.

    When axe-core cannot run, the raw result says why (``fout``) and the page kind is tried again
    on a later visit; a kind it never ran on becomes a ``geblokkeerd`` record, never ``geslaagd``.
    """
    staat = staat_van(item.config)
    if staat is None:
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
    if sleutel in staat.axe_gezien or staat.axe_mislukt.get(sleutel, 0) >= AXE_POGINGEN:
        return
    try:
        uitkomst = toegankelijkheid.voer_uit(pagina)
    except Exception as fout:  # noqa: BLE001 - a failed check is recorded, not fatal to the journey
        uitkomst = {"versie": None, "violations": [],
                    "fout": f"{type(fout).__name__}: {str(fout).strip()[:300]}"}
    # The keyboard walk after axe (it moves focus and presses keys; axe only reads the page).
    try:
        uitkomst["toetsenbord"] = toegankelijkheid.toetsenbord(pagina)
    except Exception as fout:  # noqa: BLE001 - recorded as geblokkeerd by the phase, never geslaagd
        uitkomst["toetsenbord_fout"] = f"{type(fout).__name__}: {str(fout).strip()[:300]}"
    if uitkomst.get("fout") or uitkomst.get("toetsenbord_fout"):
        staat.axe_mislukt[sleutel] = staat.axe_mislukt.get(sleutel, 0) + 1
    else:
        staat.axe_gezien.add(sleutel)
    staat.axe_resultaat({"url": staat.masker(url), "pad": sleutel.split("|")[0], "titel": titel,
                         "scenario": item.nodeid, **uitkomst})


# --- records ----------------------------------------------------------------------------------------

def _overgeslagen_reden(rapport) -> str:
    lang = rapport.longrepr
    if isinstance(lang, tuple) and len(lang) == 3:
        return str(lang[2]).removeprefix("Skipped: ")
    return str(lang or "overgeslagen")


def pytest_collectreport(report) -> None:
    """A feature that cannot be loaded (syntax, undeclared tag) is blocked, never silently absent."""
    if not report.failed:
        return
    staat = _STAAT_PROCES.get("staat")
    # Every worker collects the same files and xdist forwards their reports to the controller:
    # write once, from the first worker (or from pytest without xdist).
    if staat is None or not staat.uitvoerend or staat.werker not in ("main", "gw0"):
        return
    tekst = str(report.longrepr).strip().splitlines()
    staat.writer.schrijf(component="Omgevingsloket", onderwerp=f"feature {report.nodeid}",
                         controle="feature laden", soort="administratie",
                         status="geblokkeerd", ernst="blokkerend",
                         bericht=f"de scenario's in {report.nodeid} konden niet worden geladen, "
                                 f"dus niet getest: {' '.join(tekst[-3:])[:500]}",
                         details={"nodeid": report.nodeid})


_STAAT_PROCES: dict[str, Staat] = {}   # collectreport has no config: the one state per process


class _Rapporteur:
    """Writes the records when an item's last attempt is logged (logreport has no config)."""

    def __init__(self, config: pytest.Config):
        self.config = config

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        staat = staat_van(self.config)
        if staat is None or not staat.uitvoerend:
            return
        scenario = staat.scenarios.get(report.nodeid)
        if scenario is None or not scenario.pogingen:
            return
        poging = scenario.pogingen[-1]
        poging.rapporten[report.when] = report
        if report.when != "teardown":
            return
        if any(rapport.outcome == "rerun" for rapport in poging.rapporten.values()):
            scenario.eerdere_fouten.append(poging.fout or _faaltekst(poging.rapporten))
            return
        _schrijf_scenario(staat, report.nodeid, scenario, poging.rapporten)


def _faaltekst(rapporten: dict) -> str:
    for rapport in rapporten.values():
        if rapport.failed or rapport.outcome == "rerun":
            tekst = getattr(rapport, "longreprtext", "") or str(rapport.longrepr)
            regels = [regel for regel in tekst.splitlines() if regel.strip().startswith("E ")]
            return " ".join(regel.strip()[2:].strip() for regel in regels[:3])[:600] or tekst[-600:]
    return "onbekende fout"


def _schrijf_scenario(staat: Staat, nodeid: str, scenario: Scenario, rapporten: dict) -> None:
    poging = scenario.pogingen[-1]
    tags = tagregels.uit_tags(scenario.scenario_tags, scenario.feature_tags)
    klantreis = tagregels.KLANTREIZEN.get(tags["klantreis"] or "", tags["klantreis"] or "onbekende klantreis")
    component = tagregels.COMPONENTEN.get(tags["component"] or "", "Omgevingsloket")
    ernst_tag = tags["ernst"] or "ernstig"
    onderwerp = f"{klantreis}: {scenario.naam}"
    duur = sum(rapport.duration for rapport in rapporten.values())
    gefaald = [rapport for rapport in rapporten.values() if rapport.failed]
    overgeslagen = [rapport for rapport in rapporten.values() if rapport.skipped]
    if gefaald:
        status, ernst = "gefaald", ernst_tag
        bericht = poging.fout or f"scenario faalde: {_faaltekst(rapporten)}"
        if scenario.eerdere_fouten:
            bericht += " (ook bij de herhaling)"
    elif overgeslagen:
        status, ernst = "overgeslagen", "informatief"
        bericht = _overgeslagen_reden(overgeslagen[0])
    elif scenario.eerdere_fouten:
        status, ernst = "instabiel", ernst_tag
        bericht = (f"geslaagd bij herhaling {len(scenario.eerdere_fouten)}, niet bij de eerste poging: "
                   f"{scenario.eerdere_fouten[0]}")
    else:
        status, ernst = "geslaagd", "informatief"
        bericht = f"scenario geslaagd ({len(scenario.stappen)} stappen)"
    details = {"klantreis": klantreis, "feature": scenario.feature, "bestand": scenario.bestand,
               "scenario": scenario.naam,
               "nodeid": nodeid, "tags": sorted(set(scenario.feature_tags) | set(scenario.scenario_tags)),
               "ernst_bij_falen": ernst_tag, "pogingen": len(scenario.pogingen), "werker": staat.werker,
               "voorbeeld": scenario.voorbeeld, "eerdere_fouten": scenario.eerdere_fouten}
    staat.writer.schrijf(component=component, onderwerp=onderwerp, controle="scenario",
                     status=status, ernst=ernst, bericht=bericht, duur_ms=duur * 1000,
                     bewijs=list(scenario.bewijs), details=details)
    uitgevoerd = {nummer: stap for nummer, stap in enumerate(poging.stappen)}
    for nummer, tekst in enumerate(scenario.stappen):
        stap = uitgevoerd.get(nummer)
        if stap is None:
            stap_status, stap_bericht = "overgeslagen", (
                "niet uitgevoerd: " + ("het scenario is overgeslagen" if overgeslagen and not gefaald
                                       else "een eerdere stap faalde"))
        else:
            stap_status, stap_bericht = stap["status"], stap.get("bericht", "")
            if stap_status == "overgeslagen" and overgeslagen:
                stap_bericht = _overgeslagen_reden(overgeslagen[0])
        staat.writer.schrijf(component=component, onderwerp=onderwerp, controle=f"stap {nummer + 1}: {tekst}",
                         status=stap_status, ernst="informatief", bericht=stap_bericht,
                         duur_ms=(stap or {}).get("ms"), bewijs=(stap or {}).get("bewijs"),
                         details={"nodeid": nodeid, "stap": nummer + 1, "scenario_status": status})


# --- progress -----------------------------------------------------------------------------------------

class _Voortgang:
    """How many of the collected scenarios are finished, for the orchestrator's live line.

    Written to ``<run-map>/voortgang/klantreizen.json`` through :meth:`FaseContext.voortgang` (one
    format, one writer). A scenario counts once, after its last attempt: an attempt that is
    retried (pytest-rerunfailures marks its reports ``rerun``) is not finished yet.
    """

    EENHEID = "scenario's"

    def __init__(self, staat: Staat):
        # Only the progress file of this context is used: records stay with the workers.
        self.context = FaseContext(FASE, staat.run_id, staat.run_map, staat.doel, writer=None)
        self.totaal: int | None = None
        self.klaar: set[str] = set()
        self.wordt_herhaald: set[str] = set()

    def _meld(self) -> None:
        self.context.voortgang(len(self.klaar), self.totaal, self.EENHEID)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        # pytest without xdist: the selected items (after -m) are the scenarios to run.
        if session.config.getoption("dist", "no") == "no":
            self.totaal = len(session.items)
            self._meld()

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids) -> None:
        # Every worker collects the same selection; the first one to report gives the total.
        if self.totaal is None:
            self.totaal = len(ids)
            self._meld()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.outcome == "rerun":
            self.wordt_herhaald.add(report.nodeid)
        if report.when != "teardown":
            return
        if report.nodeid in self.wordt_herhaald:
            self.wordt_herhaald.discard(report.nodeid)   # the next attempt decides
            return
        self.klaar.add(report.nodeid)
        self._meld()
