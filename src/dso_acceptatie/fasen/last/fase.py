"""The last phase process: choose a load profile for the target → run locust headless as a
subprocess over the journeys in load/ → read its CSV → one record per endpoint per SLO.

Safety first, decided here and nowhere else:
- a read-only target (``alleen_lezen``, production) is never load-tested: one ``overgeslagen``
  record says why, and no request is sent;
- only a target whose services all live on loopback gets the heavy profile; any other target
  gets the gentle one, further capped by the target's ``max_verzoeken_per_seconde``; a profile
  marked ``alleen_loopback`` is refused for a non-loopback target, also when asked for by name;
- locust runs bounded (users and time from the profile, hard limits in slo.py) and is killed
  when it overruns; the key stays in the environment (locust only gets the variable's name).

Beside each locust run the machine is calibrated (kalibratie.py): a timing miss on a machine that
was too busy is ``geblokkeerd``, on a healthy one ``gefaald``. A profile with ``trap_stappen``
runs a staircase instead and reports per endpoint the highest step that held (``capaciteit``).
After the load, each documented per-key limit in ``[throttling]`` is provoked on purpose, on
loopback only (throttling.py).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlparse

from dso_acceptatie import slo as slo_mod
from dso_acceptatie.configuratie import ConfiguratieFout
from dso_acceptatie.doelen import is_loopback
from dso_acceptatie.fasen.basis import DoelInfo, FaseContext
from dso_acceptatie.fasen.last import throttling, verloop
from dso_acceptatie.fasen.last.kalibratie import CONTROLE_P95_GRENS_MS, Cijfers, Kalibratie
from dso_acceptatie.fasen.last.verloop import Geheugenmeter
from dso_acceptatie.processen import stop_procesgroep
from dso_acceptatie.project import project
from dso_acceptatie.records import RecordWriter

PROJECT = project()
LOAD = Path(os.environ.get("DSO_LAST_MAP") or PROJECT / "load")
STANDAARD_SLO = LOAD / "slo.toml"
LOCUST_CONF = LOAD / "locust.conf"

# Journey file -> the services it calls (a journey runs only when the target offers them all).
REIZEN: dict[str, tuple[str, ...]] = {
    "raadplegen.py": ("locatieserver", "presenteren", "geometrieopvragen",
                      "regels-bij-activiteiten"),
    "vergunningcheck.py": ("uitvoeren",),
}
REIS_TITEL = {"raadplegen.py": "regels op een locatie raadplegen",
              "vergunningcheck.py": "Vergunningcheck"}
EXTRA_TIJD_S = 60   # start-up, stop-timeout and report writing on top of the run time
MAX_WERKERS = 32
STANDAARD_MASTER_POORT = 5557   # locust's own default, what its worker image expects
WACHT_OP_WERKERS_S = 120        # remote workers: how long the master waits for them to connect
MAX_PUNTEN_VERLOOP = 150        # per series in the 'verloop' record (the report's charts)
# A real request needs many more scheduling turns than the no-op control request; a latency miss
# more than this many times the control p95 above its limit is the service's, even on a busy machine.
VERKLAARBAAR_FACTOR = 10
# profiles renamed since an earlier release: a pipeline that still asks for the old name keeps working
OUDE_PROFIELNAMEN = {"zwaar": "rook"}
CPU_DRUK_MELDING = 0.5          # from this CPU pressure on, a timing miss says so in its message


@dataclass(frozen=True)
class Verdeling:
    """How locust runs: one process (``werkers`` 0), or a master with ``werkers`` workers.

    Without ``master_host`` the workers are local processes and the master listens on 127.0.0.1
    only. With it the master listens on that address and starts no workers: they come from other
    machines (deploy/), which is how a load one machine cannot make is made."""
    werkers: int = 0
    master_host: str | None = None
    master_poort: int = STANDAARD_MASTER_POORT

    @property
    def op_afstand(self) -> bool:
        return self.master_host is not None


def lees_verdeling(argv: list[str] | None, omgeving: dict[str, str]) -> Verdeling:
    """``--workers N`` / ``--master-host ADRES`` / ``--master-poort P`` from the phase's command
    line, else ``DSO_LAST_WORKERS`` / ``DSO_LAST_MASTER_HOST`` / ``DSO_LAST_MASTER_POORT``.
    A bad value raises ConfiguratieFout (Dutch, naming the option)."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--workers")
    p.add_argument("--master-host")
    p.add_argument("--master-poort")
    args, _ = p.parse_known_args(argv)
    werkers = args.workers or omgeving.get("DSO_LAST_WORKERS") or "0"
    host = args.master_host or omgeving.get("DSO_LAST_MASTER_HOST") or None
    poort = args.master_poort or omgeving.get("DSO_LAST_MASTER_POORT") or str(STANDAARD_MASTER_POORT)
    if not werkers.isdigit() or int(werkers) > MAX_WERKERS:
        raise ConfiguratieFout(f"--workers / DSO_LAST_WORKERS = {werkers!r}: geef een geheel getal van 0 "
                               f"tot en met {MAX_WERKERS} (0: één locust-proces zonder workers).")
    if not poort.isdigit() or not 1 <= int(poort) <= 65535:
        raise ConfiguratieFout(f"--master-poort / DSO_LAST_MASTER_POORT = {poort!r}: geef een poort "
                               "van 1 tot en met 65535.")
    if host is not None and not werkers.strip("0"):
        raise ConfiguratieFout("--master-host / DSO_LAST_MASTER_HOST zonder --workers: zeg hoeveel "
                               "workers van andere machines de master moet afwachten (--workers N).")
    return Verdeling(int(werkers), host, int(poort))


def vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Keuze:
    """The profile for this target, or why there is none."""
    profiel: slo_mod.Profiel | None
    status: str = "geslaagd"       # overgeslagen / geblokkeerd when there is no profile
    reden: str = ""
    max_per_seconde: float | None = None


def kies_profiel(doel: DoelInfo, slo: slo_mod.SloBestand, urls: list[str],
                 gevraagd: str | None = None) -> Keuze:
    """Which profile this target may get (see the module docstring)."""
    if doel.alleen_lezen:
        return Keuze(None, "overgeslagen",
                     f"doel '{doel.naam}' is alleen-lezen (productie): daar draait geen "
                     "lasttest, want die belast de echte dienst voor alle gebruikers; meet "
                     "prestaties op pre of op de referentie")
    loopback = bool(urls) and all(is_loopback(u) for u in urls)
    naam = gevraagd or ("rook" if loopback else "zacht")
    naam = OUDE_PROFIELNAMEN.get(naam, naam) if naam not in slo.profielen else naam
    profiel = slo.profielen.get(naam)
    if profiel is None:
        return Keuze(None, "geblokkeerd", f"profiel '{naam}' staat niet in {slo.pad}; bekend: "
                                          f"{', '.join(slo.profielen)}")
    if profiel.alleen_loopback and not loopback and not (
            profiel.ook_met_plafond and doel.max_verzoeken_per_seconde):
        niet = sorted({urlparse(u).hostname or u for u in urls if not is_loopback(u)})
        return Keuze(None, "geblokkeerd",
                     f"profiel '{naam}' is alleen voor loopback-doelen"
                     + (" of voor een doel dat zijn maximale tempo noemt (max_verzoeken_per_seconde)"
                        if profiel.ook_met_plafond else "")
                     + f", maar dit doel staat op {', '.join(niet)}; kies een zacht profiel")
    caps = [c for c in (profiel.max_verzoeken_per_seconde, doel.max_verzoeken_per_seconde)
            if c]
    return Keuze(profiel, max_per_seconde=min(caps) if caps else None)


def _getal(waarde: str) -> float:
    try:
        return float(waarde)
    except (TypeError, ValueError):
        return 0.0   # locust writes N/A for an endpoint without requests


def lees_stats_csv(pad: Path) -> list[slo_mod.Meting]:
    """Rows of locust's ``<prefix>_stats.csv`` (without the Aggregated row)."""
    uit = []
    with open(pad, newline="", encoding="utf-8") as f:
        for rij in csv.DictReader(f):
            if rij.get("Name") == "Aggregated" or not rij.get("Name"):
                continue
            uit.append(slo_mod.Meting(
                endpoint=rij["Name"], aantal=int(rij["Request Count"]),
                fouten=int(rij["Failure Count"]), mediaan_ms=_getal(rij["Median Response Time"]),
                p95_ms=_getal(rij["95%"]), p99_ms=_getal(rij["99%"]),
                max_ms=_getal(rij["Max Response Time"]), doorvoer=_getal(rij["Requests/s"])))
    return uit


def lees_failures_csv(pad: Path) -> dict[str, list[str]]:
    """Per endpoint: 'N× message', most frequent first."""
    per: dict[str, list[tuple[int, str]]] = {}
    if not pad.exists():
        return {}
    with open(pad, newline="", encoding="utf-8") as f:
        for rij in csv.DictReader(f):
            per.setdefault(rij["Name"], []).append((int(rij["Occurrences"]), rij["Error"]))
    return {n: [f"{k}× {t}" for k, t in sorted(v, reverse=True)[:5]] for n, v in per.items()}


def tel_weigeringen(pad: Path) -> dict[str, dict[str, int]]:
    """Per endpoint: how many failures were a 429 (throttled) and how many a server error (5xx),
    counted apart: a refusal by the rate limit is not a broken service."""
    per: dict[str, dict[str, int]] = {}
    if not pad.exists():
        return {}
    with open(pad, newline="", encoding="utf-8") as f:
        for rij in csv.DictReader(f):
            tel = per.setdefault(rij["Name"], {"aantal_429": 0, "serverfouten_5xx": 0})
            # our journeys word it "HTTP <status> ..." (locust_steun._status_tekst); locust
            # writes it as CatchResponseError('HTTP 503')
            fout = re.search(r"HTTP (\d{3})\b", rij["Error"])
            if fout is None:
                continue
            if fout.group(1) == "429":
                tel["aantal_429"] += int(rij["Occurrences"])
            elif fout.group(1).startswith("5"):
                tel["serverfouten_5xx"] += int(rij["Occurrences"])
    return per


def lees_exceptions_csv(pad: Path) -> list[str]:
    """'N× message' per exception locust caught inside a task (a bug in a journey)."""
    if not pad.exists():
        return []
    with open(pad, newline="", encoding="utf-8") as f:
        return [f"{rij['Count']}× {rij['Message']}" for rij in csv.DictReader(f)]


class Last:
    def __init__(self, ctx: FaseContext, w: RecordWriter, verdeling: Verdeling | None = None):
        self.ctx = ctx
        self.w = w
        self.doel = ctx.doel
        self.bewijs = ctx.bewijs_map                 # <run>/bewijs/last
        self.rel = Path("bewijs") / "last"
        self.verdeling = verdeling or Verdeling()
        self.telling: dict = {}                      # of the last distributed locust run
        self.geheugen: list[tuple[float, float]] | None = None   # target RSS of the last run
        self.geheugen_reden = "het profiel meet geen geheugen"

    def schrijf(self, component: str, onderwerp: str, controle: str, status: str, bericht: str,
                ernst: str = "informatief", **kw) -> None:
        self.w.schrijf(component=component, onderwerp=onderwerp, controle=controle,
                       status=status, ernst=ernst, bericht=bericht, **kw)

    def voer_uit(self) -> None:
        slo_pad = Path(os.environ.get("DSO_LAST_SLO") or STANDAARD_SLO)
        try:
            slo = slo_mod.lees(slo_pad)
        except ConfiguratieFout as e:
            self.schrijf("last", "slo-bestand", "configuratie", "geblokkeerd",
                         f"het SLO-bestand is onbruikbaar: {e}", ernst="blokkerend")
            return
        diensten: dict[str, str] = self.doel.diensten
        reizen = [r for r, nodig in REIZEN.items() if all(d in diensten for d in nodig)]
        for reis, nodig in REIZEN.items():
            if reis not in reizen:
                ontbreekt = [d for d in nodig if d not in diensten]
                self.schrijf("last", REIS_TITEL[reis], "reis-beschikbaar", "overgeslagen",
                             f"de reis '{REIS_TITEL[reis]}' is niet belast: het doel biedt "
                             f"{', '.join(ontbreekt)} niet aan", soort="administratie")
        if not reizen:
            self.schrijf("last", "lasttest", "reis-beschikbaar", "geblokkeerd",
                         "het doel biedt geen enkele raadpleegdienst aan die de lasttests nodig "
                         "hebben; er is niets te belasten", ernst="blokkerend")
            return
        gebruikt = sorted({d for r in reizen for d in REIZEN[r]})
        keuze = kies_profiel(self.doel, slo, [diensten[d] for d in gebruikt],
                             os.environ.get("DSO_LAST_PROFIEL") or None)
        # workers elsewhere cannot reach this machine's loopback; a master on loopback has its
        # workers on this machine (started by hand, or a container on the host network)
        master = self.verdeling.master_host or ""
        if keuze.profiel is not None and self.verdeling.op_afstand and not is_loopback(
                f"http://[{master}]/" if ":" in master else f"http://{master}/") and all(
                is_loopback(diensten[d]) for d in gebruikt):
            keuze = Keuze(None, "geblokkeerd",
                          f"--master-host {self.verdeling.master_host}: workers op andere machines "
                          "bereiken de loopback van deze machine niet, dus ze zouden zichzelf "
                          "belasten. Oplossing: lokale workers (alleen --workers N) tegen een "
                          "loopback-doel, of een doel dat de workers kunnen bereiken")
        if keuze.profiel is None:
            # Not allowed here (read-only target) is bookkeeping; a profile that cannot be used
            # blocks the phase and stays a check.
            self.schrijf("last", "lastprofiel", "lastprofiel", keuze.status, keuze.reden,
                         ernst="blokkerend" if keuze.status == "geblokkeerd" else "informatief",
                         soort="controle" if keuze.status == "geblokkeerd" else "administratie")
            return
        self.belast(slo, keuze, reizen, {d: diensten[d] for d in gebruikt})
        self.throttling(slo, diensten)

    def throttling(self, slo: slo_mod.SloBestand, diensten: dict[str, str]) -> None:
        """Provoke each documented per-key limit on purpose (see throttling.py); loopback only."""
        sleutel = os.environ.get(self.doel.api_sleutel_variabele or "")
        for dienst, limiet in sorted(slo.throttling.items()):
            onderwerp = f"{dienst} throttling"
            if dienst not in diensten:
                continue
            url = diensten[dienst].rstrip("/") + slo_mod.PROEFPADEN[dienst]
            if not is_loopback(url):
                self.schrijf(dienst, onderwerp, "throttling", "overgeslagen",
                             f"de throttling van {dienst} is niet uitgelokt: dat vraagt bewust meer "
                             f"dan {limiet:g} verzoeken per seconde, en dat doen we alleen tegen "
                             "loopback (de referentie-LV), nooit tegen een gedeelde omgeving",
                             soort="administratie")
                continue
            headers = {"Accept": "application/hal+json, application/json;q=0.9"}
            if sleutel:
                headers["x-api-key"] = sleutel
            start = time.monotonic()
            oordeel = throttling.controleer(url, headers, limiet)
            self.schrijf(dienst, onderwerp, "throttling", oordeel.status, oordeel.bericht,
                         ernst={"gefaald": "ernstig", "geblokkeerd": "blokkerend"}.get(
                             oordeel.status, "informatief"),
                         duur_ms=(time.monotonic() - start) * 1000,
                         details={"proefverzoek": f"GET {slo_mod.PROEFPADEN[dienst]}", **oordeel.details})

    def belast(self, slo: slo_mod.SloBestand, keuze: Keuze, reizen: list[str],
               diensten: dict[str, str]) -> None:
        p = keuze.profiel
        if p is None:
            raise ValueError("belast() zonder profiel")
        if p.trap_stappen:
            self.trap(slo, keuze, reizen, diensten)
            return
        prefix = self.bewijs / "locust"
        log_pad = self.bewijs / "locust.log"
        code, duur_ms, machine = self._locust(slo, keuze, reizen, diensten, p.gebruikers, "locust",
                                              "rapport.html")
        self._kalibratie_record(machine, "de lasttest")
        stats = eind_csv(prefix, "stats")
        bewijs = [str(self.rel / n) for n in ("locust_eind_stats.csv", "locust_eind_failures.csv",
                                              "locust_stats.csv", "locust_failures.csv",
                                              "locust_stats_history.csv", "rapport.html", "locust.log")
                  if (self.bewijs / n).exists()]
        profiel_details = {"profiel": p.naam, "gebruikers": p.gebruikers,
                           "spawnsnelheid": p.spawnsnelheid, "duur_s": p.duur_s,
                           "reizen_per_gebruiker_per_s": p.reizen_per_gebruiker_per_s,
                           "max_verzoeken_per_seconde": keuze.max_per_seconde,
                           "reizen": reizen, "locust_exitcode": code,
                           "meetomgeving_te_druk": machine.te_druk,
                           "werkers": self.verdeling.werkers,
                           "master_host": self.verdeling.master_host}
        if self.verdeling.werkers:
            profiel_details["werkertelling"] = self.telling
        if code is None or not stats.exists() or code not in (0, 1):
            reden = (f"locust overschreed de tijdslimiet van {p.duur_s + EXTRA_TIJD_S:g} s en is gestopt"
                     if code is None else f"locust stopte met code {code} zonder bruikbare "
                     f"statistiek; zie {self.rel / 'locust.log'}: {_staart(log_pad)}")
            self.schrijf("last", "lasttest", "locust", "geblokkeerd", reden, ernst="blokkerend",
                         duur_ms=duur_ms, bewijs=bewijs, details=profiel_details)
            return
        uitzonderingen = lees_exceptions_csv(eind_csv(prefix, "exceptions"))
        if uitzonderingen:
            # a bug in a journey, not in the service: the measurement is incomplete
            self.schrijf("last", "lasttest", "reis-uitzonderingen", "geblokkeerd",
                         "een klantreis in load/ crashte tijdens de lasttest; de metingen zijn "
                         f"onvolledig: {uitzonderingen[0]}", ernst="blokkerend", bewijs=bewijs,
                         details={"uitzonderingen": uitzonderingen[:5]})
        metingen = lees_stats_csv(stats)
        meldingen = lees_failures_csv(eind_csv(prefix, "failures"))
        weigeringen = tel_weigeringen(eind_csv(prefix, "failures"))
        totaal = sum(m.aantal for m in metingen)
        verdeeld = (f", verdeeld over {self.verdeling.werkers} workers"
                    + (f" via {self.verdeling.master_host}" if self.verdeling.op_afstand else "")
                    if self.verdeling.werkers else "")
        self.schrijf("last", "lastprofiel", "lastprofiel", "geslaagd",
                     f"profiel '{p.naam}': {p.gebruikers} gebruikers, {p.duur_s:g} s, "
                     f"{totaal} verzoeken over {len(metingen)} endpoints{verdeeld} "
                     f"({', '.join(REIS_TITEL[r] for r in reizen)})",
                     duur_ms=duur_ms, bewijs=bewijs, details=profiel_details, soort="administratie")
        if self.verdeling.werkers and not self.verdeling.op_afstand:
            self._controleer_verdeling(totaal)
        verwacht = [e for e in slo.endpoints if e.split(" ", 1)[0] in diensten]
        per_naam = {m.endpoint: m for m in metingen}
        uitkomsten = [weeg_meetomgeving(u, machine)
                      for u in slo_mod.beoordeel_alles(metingen, slo, p, verwacht)]
        for u in uitkomsten:
            m = per_naam.get(u.endpoint)
            details = {"slo": u.slo, "gemeten": _rond(u.gemeten), "grens": u.grens,
                       "eenheid": u.eenheid, "profiel": p.naam}
            if u.status == "geblokkeerd":
                details["meetomgeving"] = machine.details()
            if m is not None:
                details.update(aantal=m.aantal, fouten=m.fouten,
                               foutpercentage=_rond(m.foutpercentage), mediaan_ms=m.mediaan_ms,
                               p95_ms=m.p95_ms, p99_ms=m.p99_ms, max_ms=_rond(m.max_ms),
                               doorvoer=_rond(m.doorvoer),
                               **weigeringen.get(u.endpoint, {"aantal_429": 0, "serverfouten_5xx": 0}))
            if meldingen.get(u.endpoint):
                details["foutmeldingen"] = meldingen[u.endpoint]
            self.schrijf(u.endpoint.split(" ", 1)[0], u.endpoint, u.slo, u.status, u.bericht,
                         ernst=slo.ernst[u.slo] if u.status == "gefaald"
                         else "blokkerend" if u.status == "geblokkeerd" else "informatief",
                         bewijs=bewijs, details=details)
        self._verloop_record(p, slo, Path(f"{prefix}_stats_history.csv"))
        if p.is_duurtest:
            self.duurcontroles(p, prefix, machine, bewijs)

    def _verloop_record(self, p: slo_mod.Profiel, slo: slo_mod.SloBestand, pad: Path) -> None:
        """The course over time (per second, at most MAX_PUNTEN_VERLOOP points per series) as
        bookkeeping: the report draws its charts from it. It proves nothing by itself."""
        reeksen = verloop.lees_verloop(pad)
        if not reeksen:
            return
        uit: dict[str, dict[str, list]] = {}
        for naam, punten in reeksen.items():
            belast = [x for x in punten if x.gebruikers > 0] or punten
            stap = max(1, -(-len(belast) // MAX_PUNTEN_VERLOOP))
            gekozen = belast[::stap]
            uit[naam] = {"t": [x.t for x in gekozen], "gebruikers": [x.gebruikers for x in gekozen],
                         "p50_ms": [x.p50_ms for x in gekozen], "p95_ms": [x.p95_ms for x in gekozen],
                         "p99_ms": [x.p99_ms for x in gekozen],
                         "doorvoer": [round(x.doorvoer, 2) for x in gekozen],
                         "fouten_per_s": [round(x.fouten_per_s, 2) for x in gekozen]}
        self.schrijf("last", f"verloop {p.naam}", "verloop", "geslaagd",
                     f"verloop van de lasttest per seconde ({len(uit) - ('Aggregated' in uit)} "
                     "endpoints): gegevens voor de grafieken in het rapport",
                     soort="administratie", bewijs=[str(self.rel / pad.name)],
                     details={"profiel": p.naam, "reeksen": uit,
                              "slo_p95_ms": {e: slo.grenzen(e).p95_ms for e in uit if e != "Aggregated"}})

    def _doelprocessen(self, diensten: dict[str, str]) -> list[int]:
        """The processes on this machine serving the target (loopback only), for its memory."""
        if not all(is_loopback(u) for u in diensten.values()):
            self.geheugen_reden = ("het doel draait niet op deze machine (geen loopback): zijn "
                                   "geheugen is van hieruit niet te meten")
            return []
        pids = sorted({pid for u in diensten.values() for pid in verloop.luisteraars(u)})
        if not pids:
            self.geheugen_reden = ("geen proces gevonden dat op de poort van het doel luistert "
                                   "(ander gebruikersaccount of container?)")
        return pids

    def duurcontroles(self, p: slo_mod.Profiel, prefix: Path, machine: Cijfers,
                      bewijs: list[str]) -> None:
        """The soak checks over time (verloop.py). Latency drift is timing: on a machine that was
        too busy it is no verdict on the service (``geblokkeerd``); error and memory growth are not."""
        reeksen = verloop.lees_verloop(Path(f"{prefix}_stats_history.csv"))
        oordelen: list[verloop.Oordeel] = []
        for endpoint in sorted(e for e in reeksen if e != "Aggregated"):
            if p.max_latentiedrift is not None:
                oordelen.append(verloop.latentiedrift(endpoint, reeksen[endpoint], p.max_latentiedrift))
            if p.max_foutgroei is not None:
                oordelen.append(verloop.foutgroei(endpoint, reeksen[endpoint], p.max_foutgroei))
        if p.max_geheugengroei_mb is not None:
            if self.geheugen is None:
                oordelen.append(verloop.Oordeel("geheugen van het doel", "geheugengroei", "overgeslagen",
                                                f"geheugengroei niet gemeten: {self.geheugen_reden}"))
            else:
                oordelen.append(verloop.geheugengroei(self.geheugen, p.max_geheugengroei_mb,
                                                      "geheugen van het doel"))
        ernst = {"latentiedrift": "ernstig", "foutgroei": "ernstig", "geheugengroei": "ernstig"}
        for o in oordelen:
            status, bericht, details = o.status, o.bericht, {**o.details, "profiel": p.naam}
            if status == "gefaald" and o.controle == "latentiedrift" and machine.te_druk:
                status = "geblokkeerd"
                bericht = (f"meetomgeving te druk, geen oordeel over de dienst: {bericht}; maar "
                           f"{'; '.join(machine.redenen)} ({machine.samenvatting()})")
                details["meetomgeving"] = machine.details()
            component = o.onderwerp.split(" ", 1)[0] if o.controle != "geheugengroei" else "last"
            self.schrijf(component, o.onderwerp, o.controle, status, bericht,
                         ernst=ernst[o.controle] if status == "gefaald"
                         else "blokkerend" if status == "geblokkeerd" else "informatief",
                         bewijs=bewijs, details=details)

    def _controleer_verdeling(self, totaal: int) -> None:
        """Local workers: the master's totals must be the sum of what the workers sent. If not,
        the master lost statistics and every figure above is too low: the measurement blocks."""
        werkers = self.telling.get("werkers") or []
        som = sum(int(w.get("verzoeken", 0)) for w in werkers)
        details = {"verzoeken_master": totaal, "verzoeken_werkers": som,
                   "per_werker": [int(w.get("verzoeken", 0)) for w in werkers],
                   "werkers_verwacht": self.verdeling.werkers}
        if len(werkers) == self.verdeling.werkers and som == totaal:
            return
        self.schrijf("last", "lasttest", "verdeelde-telling", "geblokkeerd",
                     f"de master telde {totaal} verzoeken, de {len(werkers)} van "
                     f"{self.verdeling.werkers} workers samen {som}: de totalen en percentielen van "
                     "de master zijn onvolledig; zie de logs van de workers", ernst="blokkerend",
                     details=details)

    def _locust(self, slo: slo_mod.SloBestand, keuze: Keuze, reizen: list[str],
                diensten: dict[str, str], gebruikers: int, naam: str,
                html_naam: str) -> tuple[int | None, float, Cijfers]:
        """One bounded headless locust run with ``gebruikers`` users for the profile's duration,
        CSV to ``<bewijs>/<naam>_*.csv`` and log ``<naam>.log``, the machine calibrated beside
        it: (exit code or None when it overran, duration in ms, calibration figures)."""
        p = keuze.profiel
        if p is None:
            raise ValueError("_locust() zonder profiel")
        host = _origin(next(iter(diensten.values())))
        cmd = [sys.executable, "-m", "locust",
               "-f", ",".join(str(LOAD / r) for r in reizen), "--config", str(LOCUST_CONF),
               "--headless", "--only-summary", "--host", host,
               "-u", str(gebruikers), "-r", str(p.spawnsnelheid), "-t", f"{p.duur_s:g}s",
               "--csv", str(self.bewijs / naam), "--html", str(self.bewijs / html_naam),
               "--profiel", p.naam, "--slo", str(slo.pad),
               "--sleutel-variabele", self.doel.api_sleutel_variabele or "",
               "--diensten", json.dumps(diensten)]
        if keuze.max_per_seconde:
            cmd += ["--max-per-seconde", f"{keuze.max_per_seconde:g}"]
        cmd.append("--csv-full-history")   # per endpoint per second: drift and the charts
        v = self.verdeling
        limiet = p.duur_s + EXTRA_TIJD_S
        werker_cmds: list[list[str]] = []
        verslag = self.bewijs / f"{naam}_werkers"
        if v.werkers:
            bind = v.master_host or "127.0.0.1"
            poort = v.master_poort if v.op_afstand else vrije_poort()
            cmd += ["--master", "--master-bind-host", bind, "--master-bind-port", str(poort),
                    "--expect-workers", str(v.werkers), "--werkerverslag", str(verslag)]
            if v.op_afstand:
                cmd += ["--expect-workers-max-wait", str(WACHT_OP_WERKERS_S)]
                limiet += WACHT_OP_WERKERS_S
            else:
                # the same locustfiles and options; the master sends its custom options again at spawn
                werker_cmds = [[sys.executable, "-m", "locust", "-f", cmd[cmd.index("-f") + 1],
                                "--config", str(LOCUST_CONF), "--worker", "--master-host", "127.0.0.1",
                                "--master-port", str(poort), "--profiel", p.naam, "--slo", str(slo.pad),
                                "--sleutel-variabele", self.doel.api_sleutel_variabele or "",
                                "--diensten", json.dumps(diensten), "--werkerverslag", str(verslag)]
                               for _ in range(v.werkers)]
        start = time.monotonic()
        log_pad = self.bewijs / f"{naam}.log"
        werkers: list[subprocess.Popen] = []
        # the target's processes here: their CPU time is the target's, not the machine's (kalibratie)
        doel_pids = self._doelprocessen(diensten)
        pids = doel_pids if p.max_geheugengroei_mb is not None else []
        try:
            with (open(log_pad, "wb") as log, Kalibratie(eigen_pids=doel_pids) as kalibratie,
                  Geheugenmeter(pids) as geheugen):
                proces = subprocess.Popen(cmd, cwd=PROJECT, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True)
                for i, werker_cmd in enumerate(werker_cmds):
                    with open(self.bewijs / f"{naam}_werker{i + 1}.log", "wb") as wlog:
                        werkers.append(subprocess.Popen(werker_cmd, cwd=PROJECT, stdout=wlog,
                                                        stderr=subprocess.STDOUT, start_new_session=True))
                code = self._wacht(proces, start, limiet, p.duur_s)
                # they quit on the master's word (SIGTERM below otherwise: they flushed their
                # statistics at the stop and still write their counts on SIGTERM)
                einde = time.monotonic() + 10
                for werker in werkers:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        werker.wait(timeout=max(0.1, einde - time.monotonic()))
        finally:
            for werker in werkers:
                stop_procesgroep(werker)
        duur_ms = (time.monotonic() - start) * 1000
        if kalibratie.cijfers is None:
            raise RuntimeError("kalibratie zonder cijfers")
        self.telling = lees_werkerverslag(verslag) if v.werkers else {}
        self.geheugen = geheugen.monsters if pids else None
        self._maskeer(log_pad, self.bewijs / html_naam, *self.bewijs.glob(f"{naam}_*.csv"),
                      *self.bewijs.glob(f"{naam}_werker*.log"))
        return code, duur_ms, kalibratie.cijfers

    def _kalibratie_record(self, machine: Cijfers, wat: str, onderwerp: str = "meetomgeving") -> None:
        self.schrijf("last", onderwerp, "kalibratie", "geslaagd",
                     (f"meetomgeving te druk tijdens {wat}: " + "; ".join(machine.redenen)
                      if machine.te_druk else f"meetomgeving gezond tijdens {wat}")
                     + f" ({machine.samenvatting()})",
                     details=machine.details(), soort="administratie")

    def trap(self, slo: slo_mod.SloBestand, keuze: Keuze, reizen: list[str],
             diensten: dict[str, str]) -> None:
        """Step load: one bounded locust run per step of ``trap_stappen`` users, judged on the
        latency and error SLOs; per endpoint the highest step that held is its capacity figure.
        Stops after the step where every endpoint broke. A break on a machine that was too busy
        ends the staircase there: what follows would measure the machine, not the target."""
        p = keuze.profiel
        if p is None:
            raise ValueError("trap() zonder profiel")
        verwacht = [e for e in slo.endpoints if e.split(" ", 1)[0] in diensten]
        gehouden: dict[str, int] = {}
        gebroken: dict[str, tuple[int, str]] = {}
        verloop: dict[str, list[dict]] = {e: [] for e in verwacht}   # + every measured endpoint
        bewijs: list[str] = []
        for gebruikers in p.trap_stappen:
            naam = f"trap_{gebruikers}"
            code, duur_ms, machine = self._locust(slo, keuze, reizen, diensten, gebruikers, naam,
                                                  f"{naam}.html")
            self._kalibratie_record(machine, f"trap {gebruikers}", f"meetomgeving trap {gebruikers}")
            bewijs += [str(self.rel / n) for n in (f"{naam}_eind_stats.csv", f"{naam}_stats.csv",
                                                   f"{naam}.html", f"{naam}.log")
                       if (self.bewijs / n).exists()]
            stats = eind_csv(self.bewijs / naam, "stats")
            if code is None or code not in (0, 1) or not stats.exists():
                self.schrijf("last", "trap", "locust", "geblokkeerd",
                             f"locust liep niet goed bij trap {gebruikers} ("
                             + ("tijdslimiet overschreden" if code is None else f"code {code}")
                             + f"); zie {self.rel / (naam + '.log')}: "
                             f"{_staart(self.bewijs / (naam + '.log'))}", ernst="blokkerend",
                             duur_ms=duur_ms)
                break
            metingen = {m.endpoint: m for m in lees_stats_csv(stats)}
            for e in sorted(metingen):
                verloop.setdefault(e, [])
            uitkomsten = [u for u in slo_mod.beoordeel_alles(list(metingen.values()), slo, p, verwacht)
                          if u.slo != "doorvoer"]
            breuk_op_drukke_machine = False
            for e in verloop:
                m = metingen.get(e)
                eigen = [u for u in uitkomsten if u.endpoint == e]
                verloop[e].append({"gebruikers": gebruikers, "aantal": m.aantal if m else 0,
                                   "p95_ms": m.p95_ms if m else None,
                                   "doorvoer": _rond(m.doorvoer) if m else None})
                if e in gebroken or m is None or m.aantal == 0:
                    continue     # not reached at this step (e.g. no user of that journey): no verdict
                # weighed as every miss is: on a busy machine a miss far beyond what the machine
                # explains is still the target's (weeg_meetomgeving); the rest says nothing
                gewogen = [weeg_meetomgeving(u, machine) for u in eigen if u.status == "gefaald"]
                mis = [u for u in gewogen if u.status == "gefaald"]
                if mis:
                    gebroken[e] = (gebruikers, "; ".join(u.bericht for u in mis))
                elif gewogen:
                    breuk_op_drukke_machine = True
                elif any(u.status == "geslaagd" for u in eigen):
                    gehouden[e] = gebruikers
            if breuk_op_drukke_machine:
                self.schrijf("last", "trap", "kalibratie", "geblokkeerd",
                             f"meetomgeving te druk bij trap {gebruikers}: "
                             f"{'; '.join(machine.redenen)} ({machine.samenvatting()}); de trap "
                             "stopt hier, een breekpunt daarboven zou de machine meten",
                             ernst="blokkerend", details=machine.details())
                break
            if all(e in gebroken for e in verloop):
                break
        for e in sorted(verloop):
            details = {"stappen": verloop[e], "trap_stappen": list(p.trap_stappen),
                       "hoogste_gehouden_gebruikers": gehouden.get(e), "profiel": p.naam,
                       "slo_p95_ms": slo.grenzen(e).p95_ms}
            if e in gebroken:
                stap, reden = gebroken[e]
                details["brak_bij_gebruikers"] = stap
                vorige = (f"hield tot {gehouden[e]} gebruikers" if e in gehouden
                          else "hield geen enkele trap")
                status, bericht = "gefaald", f"{vorige}; brak bij {stap} gebruikers: {reden}"
            elif e in gehouden:
                status = "geslaagd"
                bericht = (f"hield tot {gehouden[e]} gebruikers"
                           + (" (de hoogste trap)" if gehouden[e] == p.trap_stappen[-1]
                              else "; de trap stopte eerder"))
            else:
                status, bericht = "overgeslagen", "geen trap gaf genoeg metingen voor een oordeel"
            self.schrijf(e.split(" ", 1)[0], e, "capaciteit", status, bericht,
                         ernst="hinderlijk" if status == "gefaald" else "informatief",
                         bewijs=bewijs, details=details)

    def _wacht(self, proces: subprocess.Popen, start: float, limiet: float, duur_s: float) -> int | None:
        """Wait for locust (its exit code; None when it overran and was stopped), meanwhile
        reporting the seconds of load so far. Only this process knows: locust is a subprocess."""
        totaal = round(duur_s)
        while True:
            try:
                code = proces.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                if time.monotonic() - start >= limiet:
                    stop_procesgroep(proces)
                    return None
                self.ctx.voortgang(min(totaal, int(time.monotonic() - start)), totaal, "s belasting")
            else:
                self.ctx.voortgang(totaal, totaal, "s belasting")
                return code

    def _maskeer(self, *paden: Path) -> None:
        """Evidence files pass the same masker as records (the key should never be there)."""
        for pad in paden:
            if pad.exists():
                tekst = pad.read_text(encoding="utf-8", errors="replace")
                gemaskeerd = self.w.masker(tekst)
                if gemaskeerd != tekst:
                    pad.write_text(gemaskeerd, encoding="utf-8")


def verklaarbare_vertraging_ms(machine: Cijfers) -> float | None:
    """The most a busy machine plausibly adds to one request: ``VERKLAARBAAR_FACTOR`` times the
    control request's p95 (at least its healthy bound). None when the control loop itself lost
    answers: then the machine can explain anything."""
    if machine.controle_mislukt or machine.controle_aantal == 0 or machine.controle_p95_ms is None:
        return None
    return VERKLAARBAAR_FACTOR * max(machine.controle_p95_ms, CONTROLE_P95_GRENS_MS)


def weeg_meetomgeving(u: slo_mod.Uitkomst, machine: Cijfers) -> slo_mod.Uitkomst:
    """A timing miss (latency, throughput) measured on a machine that was itself too busy says
    nothing about the service: ``geblokkeerd``, naming the figures. On a healthy machine the miss
    stays ``gefaald``, however small. Error percentages are not timing and are never excused."""
    if u.status != "gefaald" or not (u.slo.endswith("latentie") or u.slo == "doorvoer"):
        return u
    if not machine.te_druk:
        if machine.cpu_druk is not None and machine.cpu_druk >= CPU_DRUK_MELDING:
            # contention, but not from outside (kalibratie.py): the harness and the target itself
            # kept the CPU busy, so the miss stays the target's; the reader gets the figures
            return replace(u, bericht=f"{u.bericht} (CPU-druk {machine.cpu_druk:.0%} tijdens de meting, maar "
                                      f"van de harness en het doel zelf: {_vreemd(machine)} van buiten)")
        return u
    ruimte = verklaarbare_vertraging_ms(machine)
    if u.eenheid == "ms" and ruimte is not None and u.gemeten is not None and u.gemeten > u.grens + ruimte:
        # far beyond what the machine itself showed: the service is slow, busy machine or not
        return replace(u, bericht=(
            f"{u.bericht} (de meetomgeving was druk: {'; '.join(machine.redenen)}; maar dat verklaart "
            f"hoogstens {ruimte:.0f} ms per verzoek, en de overschrijding is groter: die is van de dienst)"))
    return replace(u, status="geblokkeerd", bericht=(
        f"meetomgeving te druk, geen oordeel over de dienst: {u.bericht}; maar "
        f"{'; '.join(machine.redenen)} ({machine.samenvatting()}). Herhaal de meting op een "
        "rustige machine"))


def _vreemd(machine: Cijfers) -> str:
    return "onbekend" if machine.vreemde_cpu is None else f"{machine.vreemde_cpu:.0%}"


def eind_csv(prefix: Path, soort: str) -> Path:
    """The final ``<prefix>_eind_<soort>.csv`` (locust_steun._eindstand), else locust's periodic
    ``<prefix>_<soort>.csv`` (a locustfile without our hook, or locust stopped before quitting)."""
    eind = Path(f"{prefix}_eind_{soort}.csv")
    return eind if eind.exists() else Path(f"{prefix}_{soort}.csv")


def lees_werkerverslag(map_: Path) -> dict:
    """What the master and the local workers counted (locust_steun --werkerverslag)."""
    uit: dict = {"master": None, "werkers": []}
    try:
        uit["master"] = json.loads((map_ / "master.json").read_text(encoding="utf-8"))
        uit["werkers"] = [json.loads(f.read_text(encoding="utf-8"))
                          for f in sorted(map_.glob("werker-*.json"))]
    except (OSError, ValueError):
        pass
    return uit


def _origin(url: str) -> str:
    u = urlparse(url)
    return f"{u.scheme}://{u.netloc}"


def _rond(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def _staart(pad: Path, regels: int = 5) -> str:
    try:
        return " | ".join(pad.read_text(encoding="utf-8", errors="replace").splitlines()[-regels:])
    except OSError:
        return "(geen log)"


def main(argv: list[str] | None = None) -> int:
    ctx = FaseContext.uit_argumenten("last", argv)
    with ctx.writer as w:
        try:
            verdeling = lees_verdeling(sys.argv[1:] if argv is None else argv, dict(os.environ))
        except ConfiguratieFout as e:
            w.schrijf(component="last", onderwerp="verdeling", controle="configuratie",
                      status="geblokkeerd", ernst="blokkerend", bericht=str(e))
            return 0
        Last(ctx, w, verdeling).voer_uit()
    return 0
