"""What every locustfile in load/ shares: its options, the key, service URLs, pacing, rate caps
and the SLO gate. Imported only inside a locust process (importing locust patches the stdlib
with gevent), never by the phase itself.

Options (command line, ``load/locust.conf`` or ``LOCUST_<NAAM>`` variables):
``--profiel`` (profile in slo.toml: pacing per user and the overall cap), ``--slo`` (the file),
``--sleutel-variabele`` (name of the environment variable holding the key: the key itself is
never an option, so it never shows in ``ps`` or in a conf file), ``--diensten`` (JSON, base URL
per service; default ``--host`` + the standard DSO base path), ``--zoektermen`` and
``--max-per-seconde`` (the target's own cap, when lower than the profile's); each also as
``LOCUST_<NAAM>`` (e.g. ``LOCUST_ZOEKTERMEN``).

Distributed (``--master`` with ``--expect-workers N``, workers ``--worker``): locust's own
master/worker protocol. The master sends its custom options to the workers at spawn; every
client-side cap (``--max-per-seconde``, ``[limieten]``) is split evenly over the expected workers,
so N workers together send no more than one process would. Totals, percentiles and the SLO gate
are the master's. ``--werkerverslag DIR`` makes each worker write the requests it sent
(``werker-<pid>.json``) and the master what each worker reported (``master.json``), so the phase
and its tests can check that the master's totals are the sum of the workers'.
"""

from __future__ import annotations

import csv
import functools
import json
import logging
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlencode

import gevent
import orjson
from locust import events
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import RescheduleTask
from locust.runners import MasterRunner, WorkerRunner
from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

from dso_acceptatie import slo as slo_mod
from dso_acceptatie.configuratie import ConfiguratieFout
from dso_acceptatie.diensten import DIENSTEN
from dso_acceptatie.project import project
from dso_acceptatie.tempo import Begrenzer

log = logging.getLogger("dso_last")
STANDAARD_SLO = project() / "load" / "slo.toml"


@events.init_command_line_parser.add_listener
def _opties(parser) -> None:
    parser.add_argument("--profiel", env_var="LOCUST_PROFIEL", default="rook",
                        help="profiel uit het SLO-bestand (tempo per gebruiker, plafond)")
    parser.add_argument("--slo", env_var="LOCUST_SLO", default=str(STANDAARD_SLO), help="SLO-bestand (TOML)")
    parser.add_argument("--sleutel-variabele", env_var="LOCUST_SLEUTEL_VARIABELE", default="DSO_API_KEY",
                        help="naam van de omgevingsvariabele met de API-sleutel")
    parser.add_argument("--diensten", env_var="LOCUST_DIENSTEN", default="",
                        help="JSON: basis-URL per dienst (leeg: --host + standaard DSO-basispad)")
    parser.add_argument("--zoektermen", env_var="LOCUST_ZOEKTERMEN", default="Marktplein 1",
                        help="adressen die burgers intypen, gescheiden door |")
    parser.add_argument("--max-per-seconde", env_var="LOCUST_MAX_PER_SECONDE", type=float, default=0,
                        help="plafond over alle diensten samen (lager dan dat van het profiel)")
    parser.add_argument("--werkerverslag", env_var="LOCUST_WERKERVERSLAG", default="",
                        help="map waarin master en workers hun tellingen schrijven (verdeelde run)")


class _Staat:
    slo: slo_mod.SloBestand
    profiel: slo_mod.Profiel
    begrenzers: dict[str, Begrenzer]
    totaal: Begrenzer | None


STAAT = _Staat()


@events.init.add_listener
def _init(environment, runner=None, **_kw) -> None:
    o = environment.parsed_options
    if o is None:   # locust used as a library
        return
    try:
        STAAT.slo = slo_mod.lees(Path(o.slo))
    except ConfiguratieFout as e:
        sys.stderr.write(f"{e}\n")
        sys.exit(2)
    if o.profiel not in STAAT.slo.profielen:
        sys.stderr.write(f"{o.slo}: profiel '{o.profiel}' bestaat niet. Oplossing: kies uit "
                         f"{', '.join(STAAT.slo.profielen)}.\n")
        sys.exit(2)
    _stel_in(o, aandeel=1.0)
    if isinstance(runner, MasterRunner):
        _master(environment, runner)
    elif isinstance(runner, WorkerRunner):
        _werker(environment, runner)


def _stel_in(o, aandeel: float) -> None:
    """Profile and caps from the options; ``aandeel``: this process's share of every cap."""
    STAAT.profiel = STAAT.slo.profielen.get(o.profiel) or STAAT.profiel
    STAAT.begrenzers = {d: Begrenzer(n * aandeel) for d, n in STAAT.slo.limieten.items()}
    caps = [c for c in (STAAT.profiel.max_verzoeken_per_seconde, o.max_per_seconde) if c]
    STAAT.totaal = Begrenzer(min(caps) * aandeel) if caps else None


def _schrijf_verslag(o, naam: str, inhoud: dict) -> None:
    if not getattr(o, "werkerverslag", ""):
        return
    try:
        Path(o.werkerverslag).mkdir(parents=True, exist_ok=True)
        (Path(o.werkerverslag) / naam).write_text(json.dumps(inhoud), encoding="utf-8")
    except OSError as e:   # a remote worker has no such folder: its count is the master's
        log.warning("tellingen niet geschreven naar %s: %s", o.werkerverslag, e)


def _master(environment, runner) -> None:
    per_werker: dict[str, int] = {}

    @environment.events.worker_report.add_listener
    def _telling(client_id, data, **_kw) -> None:
        per_werker[client_id] = per_werker.get(client_id, 0) + int(
            (data.get("stats_total") or {}).get("num_requests", 0))

    @environment.events.quitting.add_listener
    def _verslag(environment, **_kw) -> None:
        _schrijf_verslag(environment.parsed_options, "master.json",
                         {"per_werker": per_werker, "verzoeken": environment.stats.total.num_requests})

    # A headless master at the end of -t sends 'quit' and waits only 0.5 s for the workers' last
    # statistics; on a busy machine those come later and the master's totals miss requests. Stop
    # first: the master sends 'stop' and waits until every worker answered 'client_stopped', and
    # each worker sends its last statistics before that answer (_werker below).
    # After 'stop' a worker leaves the master's list and reports back ready only after its
    # stop-timeout; wait for that (bounded), or the 'quit' below never reaches it and a worker
    # on another machine waits for a master that is gone.
    # Only the first call waits: locust calls quit again while shutting down, when the workers
    # have already gone for good.
    oorspronkelijk = runner.quit
    gestopt: list[bool] = []

    def quit() -> None:
        if not gestopt:
            gestopt.append(True)
            runner.stop()
            verwacht = int(getattr(environment.parsed_options, "expect_workers", 0) or 0)
            einde = time.monotonic() + (environment.stop_timeout or 0) + 5
            while len(runner.clients) < verwacht and time.monotonic() < einde:
                gevent.sleep(0.2)
        oorspronkelijk()

    runner.quit = quit


def _werker(environment, runner) -> None:
    telling = {"verzoeken": 0, "fouten": 0}

    @environment.events.request.add_listener
    def _tel(exception=None, **_kw) -> None:
        telling["verzoeken"] += 1
        telling["fouten"] += exception is not None

    @environment.events.test_start.add_listener
    def _start(environment, **_kw) -> None:
        # the master's custom options have just arrived (expect_workers among them): split the caps.
        # Its SLO file, when this machine has it (local workers); a worker elsewhere keeps its own
        # copy (the image is built from the same checkout, see deploy/).
        o = environment.parsed_options
        if Path(o.slo) != STAAT.slo.pad and Path(o.slo).is_file():
            try:
                STAAT.slo = slo_mod.lees(Path(o.slo))
            except ConfiguratieFout as e:
                log.warning("SLO-bestand van de master onbruikbaar, eigen kopie gebruikt: %s", e)
        if o.profiel not in STAAT.slo.profielen:
            log.warning("profiel '%s' van de master staat niet in %s; '%s' gebruikt", o.profiel,
                        STAAT.slo.pad, STAAT.profiel.naam)
        _stel_in(o, aandeel=1.0 / max(1, int(getattr(o, "expect_workers", 1) or 1)))

    @environment.events.test_stop.add_listener
    def _stop(environment, **_kw) -> None:
        # send the last statistics now, before 'client_stopped' (same ordered socket)
        runner._send_stats()

    @environment.events.quitting.add_listener
    def _verslag(environment, **_kw) -> None:
        _schrijf_verslag(environment.parsed_options, f"werker-{os.getpid()}.json",
                         {"client_id": runner.client_id, **telling})


def _throughput(user: DsoGebruiker) -> float:
    # constant_throughput, with the rate of the profile chosen at start
    rate = STAAT.profiel.reizen_per_gebruiker_per_s
    loop = time.perf_counter() - user._cp_last_run - user._cp_last_wait_time
    user._cp_last_wait_time = max(0.0, 1.0 / rate - loop)
    user._cp_last_run = time.perf_counter()
    return user._cp_last_wait_time


class Mislukt(RescheduleTask):
    """A step of a journey failed: the rest of this journey cannot go on (already counted as a
    failure; locust ends the task quietly and the user waits for its next journey)."""


class DsoGebruiker(FastHttpUser):
    """A user of the DSO raadpleeg-APIs: key header, URL per service, and checked calls."""

    abstract = True
    wait_time = _throughput

    def on_start(self) -> None:
        o = self.environment.parsed_options
        self.basis = {n: (self.host or "").rstrip("/") + d.basispad for n, d in DIENSTEN.items()}
        if o.diensten:
            self.basis.update({n: u.rstrip("/") for n, u in json.loads(o.diensten).items()})
        sleutel = os.environ.get(o.sleutel_variabele or "")
        self.sleutel_headers = {"x-api-key": sleutel} if sleutel else {}
        self.zoektermen = [t.strip() for t in o.zoektermen.split("|") if t.strip()]

    @contextmanager
    def vraag(self, dienst: str, methode: str, pad: str, *, params: dict | None = None,
              json_body=None, headers: dict | None = None, sjabloon: str | None = None,
              verwacht: tuple[int, ...] = (200,)):
        """Call ``<dienst><pad>``; yield the response; any unexpected status is a failure.

        The statistics name is ``<dienst> <METHODE> <sjabloon>`` (the path with its parameters
        as placeholders), which is also the endpoint's key in slo.toml.
        """
        for begrenzer in (STAAT.totaal, STAAT.begrenzers.get(dienst) or STAAT.begrenzers.get("*")):
            if begrenzer is not None:
                begrenzer.wacht()
        url = self.basis[dienst] + pad + (f"?{_query(params)}" if params else "")
        h = {"Accept": "application/hal+json, application/json;q=0.9", **self.sleutel_headers,
             **(headers or {})}
        data = None
        if json_body is not None:
            data = json.dumps(json_body)
            h["Content-Type"] = "application/json"
        naam = f"{dienst} {methode} {sjabloon or pad}"
        with self.client.request(methode, url, name=naam, data=data, headers=h,
                                 catch_response=True) as r:
            if r.status_code not in verwacht:
                r.failure(_status_tekst(r))
                raise Mislukt(naam)
            if r.encoding is None and "json" in (r.headers.get("Content-Type") or ""):
                # JSON is UTF-8 (RFC 8259). Without this, locust guesses the charset of every
                # application/hal+json or problem+json body with charset_normalizer (a guess per call)
                r.encoding = "utf-8"
            # The journeys read every answer with r.json(): straight from the bytes with orjson
            # instead of decoding to text and json.loads. Parsing was most of our per-request CPU
            # beyond bare locust (benchmarks/last_doorvoer.py); orjson's error is a ValueError.
            inhoud = r.content
            r.json = lambda: orjson.loads(inhoud)
            try:
                yield r
            except (KeyError, IndexError, TypeError, ValueError) as e:
                r.failure(f"antwoord onbruikbaar voor de reis: {_uitleg(e)}")
                raise Mislukt(naam) from None


def _query(params: dict) -> str:
    try:
        return _query_cache(tuple(params.items()))
    except TypeError:   # a list value (doseq): not hashable, not cached
        return urlencode(params, doseq=True)


@functools.lru_cache(maxsize=4096)
def _query_cache(items: tuple) -> str:
    # journeys repeat the same few queries; encoding them once saves per-request CPU
    return urlencode(items, doseq=True)


def _uitleg(e: Exception) -> str:
    if isinstance(e, KeyError):
        return f"veld {e} ontbreekt"
    if isinstance(e, IndexError):
        return "een lijst die iets moest bevatten is leeg"
    if isinstance(e, ValueError):
        return f"geen geldige JSON of waarde ({e})"
    return f"onverwacht type ({e})"


def _status_tekst(r) -> str:
    if r.status_code == 429:
        ra = r.headers.get("Retry-After")
        return (f"HTTP 429 te veel verzoeken (Retry-After: {ra})" if ra
                else "HTTP 429 te veel verzoeken ZONDER Retry-After")
    if not r.status_code:
        return f"geen antwoord: {r.error}"
    return f"HTTP {r.status_code}"


def pad_deel(waarde: str) -> str:
    """A value as one path segment."""
    return quote(str(waarde), safe="")


def metingen_uit_stats(stats) -> list[slo_mod.Meting]:
    uit = []
    for entry in stats.entries.values():
        if not entry.num_requests:
            continue
        uit.append(slo_mod.Meting(
            endpoint=entry.name, aantal=entry.num_requests, fouten=entry.num_failures,
            mediaan_ms=entry.median_response_time,
            p95_ms=entry.get_response_time_percentile(0.95),
            p99_ms=entry.get_response_time_percentile(0.99),
            max_ms=entry.max_response_time, doorvoer=entry.total_rps))
    return uit


@events.quitting.add_listener
def _eindstand(environment, **_kw) -> None:
    """Write the final statistics as ``<csv>_eind_{stats,failures,exceptions}.csv`` (locust's
    own format and code). Locust's CSV writer is a greenlet that rewrites its files every second
    and is not run once more at the end, so its ``_stats.csv`` can miss the last second, and with
    it every request that completed during the stop-timeout (a slow endpoint's calls, all of
    them on a short run): the phase reads these files instead. At 'quitting' the users have
    stopped (distributed: the workers too, see _master)."""
    o = environment.parsed_options
    if o is None or not getattr(o, "csv_prefix", None) or isinstance(environment.runner, WorkerRunner):
        return
    schrijver = StatsCSV(environment, PERCENTILES_TO_REPORT)
    for soort, schrijf in (("stats", schrijver.requests_csv), ("failures", schrijver.failures_csv),
                           ("exceptions", schrijver.exceptions_csv)):
        with open(f"{o.csv_prefix}_eind_{soort}.csv", "w", newline="", encoding="utf-8") as f:
            schrijf(csv.writer(f))


@events.quitting.add_listener
def _slo_poort(environment, **_kw) -> None:
    """Exit code 1 when any SLO is breached: `locust ...` alone is a CI gate. Distributed, the
    master judges (it holds the totals); a worker's own statistics are only deltas."""
    if getattr(STAAT, "slo", None) is None or isinstance(environment.runner, WorkerRunner):
        return
    uitkomsten = slo_mod.beoordeel_alles(metingen_uit_stats(environment.stats), STAAT.slo,
                                         STAAT.profiel)
    gefaald = [u for u in uitkomsten if u.status == "gefaald"]
    for u in uitkomsten:
        log.info("SLO %-14s %-11s %s: %s", u.slo, u.status, u.endpoint, u.bericht)
    if gefaald:
        log.error("%d SLO('s) overschreden", len(gefaald))
        environment.process_exit_code = 1
    elif environment.process_exit_code is None:
        environment.process_exit_code = 0
