"""Prism-vergelijking: de contractfase tegen doelen die niemand hier schreef.

Prism (``@stoplight/prism-cli`` uit npm, vastgepind in package.json) is Stoplights eigen
OpenAPI-gereedschap. Het draait hier in twee rollen op de echte gepubliceerde specs van de
Locatieserver (PDOK) en Regels bij activiteiten (VNG), elk op een eigen loopback-poort:

- ``prism mock``: een doel dat alleen voorbeelden en uit het schema gegenereerde data teruggeeft;
- ``prism proxy <spec> <referentie> [--errors]``: een validerende proxy voor de referentie-LV die
  elke uitwisseling aan de spec toetst.

Tussen harnas en Prism staat de opnameproxy van het harnas (``OpnameProxy``, uvicorn + httpcore):
hij geeft alles ongewijzigd door en legt elke uitwisseling vast, met Prisms eigen oordeel in de
header ``sl-violations``. Zo zijn Prisms schendingen en de bevindingen van het harnas over
*hetzelfde* verkeer te vergelijken: per operatie, en per bevinding van het harnas op precies de
uitwisseling die als bewijs dient (gevonden via ``X-Schemathesis-TestCaseId`` of methode + URL).

Scenario's (standaard alle):

    mock                          prism mock op beide specs
    proxy                         prism proxy --errors voor een schone referentie-LV
    proxy-schema-schending        idem, referentie met --fouten schema-schending
    doorlaten                     prism proxy zonder --errors (Prism meldt, verandert niets)
    doorlaten-schema-schending    idem, referentie met --fouten schema-schending

    .venv/bin/python benchmarks/prism.py [--scenario NAAM]… [--voorbeelden N] [--zonder-adr]
        [--json uitslag.json] [--map MAP]

Alleen loopback; elke run is één contractfase (``dso-acceptatie run --fase contracten``) met een
tijdelijk doelenbestand. Figuren: zie de README-sectie "Prism-vergelijking".
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

import yaml

from dso_acceptatie.afnemers.proxy import OpnameProxy, lees_verkeer
from dso_acceptatie.diensten import DIENSTEN
from dso_acceptatie.processen import stop_procesgroep
from dso_acceptatie.records import Masker
from dso_acceptatie.referentie import ReferentieLV

PROJECT = Path(__file__).resolve().parents[1]
PRISM = PROJECT / "node_modules" / ".bin" / "prism"
SPECS = {
    "locatieserver": PROJECT / "contracts/specs/pdok-locatieserver/openapi.json",
    "regels-bij-activiteiten": PROJECT / "contracts/specs/vng-regels-bij-activiteiten/openapi.yaml",
}
SLEUTEL_VARIABELE = "DSO_PRISM_API_KEY"
STARTTIJD_S = 120.0   # Prism parses the 127 KB RBA spec in ~3 s, on a busy 2-core box up to ~15 s

# Harness checks that judge the answer against the spec: what Prism's response validation sees too.
# With --errors Prism replaces an answer that breaks the spec by its own 500, which the harness
# sees as not_a_server_error.
ANTWOORD_CONTROLES = frozenset({"response_schema_conformance", "content_type_conformance",
                                "status_code_conformance", "response_headers_conformance",
                                "not_a_server_error"})
# Checks on how the target treats input: Prism judges the request, the target's answer says
# whether it accepted it.
INVOER_CONTROLES = frozenset({"positive_data_acceptance", "negative_data_rejection",
                              "missing_required_header"})


@dataclass(frozen=True)
class Scenario:
    naam: str
    modus: str            # "mock" | "proxy"
    errors: bool = False
    fouten: str = ""
    omschrijving: str = ""


SCENARIOS = {s.naam: s for s in (
    Scenario("mock", "mock", omschrijving="prism mock op de gepubliceerde specs"),
    Scenario("proxy", "proxy", errors=True, omschrijving="prism proxy --errors voor een schone referentie-LV"),
    Scenario("proxy-schema-schending", "proxy", errors=True, fouten="schema-schending",
             omschrijving="prism proxy --errors voor de referentie-LV met schema-schending"),
    Scenario("doorlaten", "proxy", omschrijving="prism proxy zonder --errors voor een schone referentie-LV"),
    Scenario("doorlaten-schema-schending", "proxy", fouten="schema-schending",
             omschrijving="prism proxy zonder --errors voor de referentie-LV met schema-schending"),
)}


def prism_ontbreekt() -> str | None:
    """Why Prism cannot run here (None: it can)."""
    if not PRISM.exists():
        return (f"Prism ontbreekt ({PRISM.relative_to(PROJECT)}): voer scripts/setup.sh uit "
                "(installeert @stoplight/prism-cli uit package-lock.json)")
    if shutil.which("node") is None:
        return "Node.js ontbreekt: Prism draait op Node.js (zie scripts/setup.sh)"
    return None


def _vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Prism:
    """One Prism process (mock or proxy) on a free loopback port, in its own process group."""

    def __init__(self, modus: str, spec: Path, log: Path, *, upstream: str | None = None,
                 errors: bool = False):
        self.modus, self.spec, self.log, self.upstream, self.errors = modus, spec, log, upstream, errors
        self.proces: subprocess.Popen | None = None
        self.url: str | None = None

    def start(self) -> str:
        # Prism binds the port itself: a port taken between our probe and its bind gives
        # EADDRINUSE, so try a few ports before giving up.
        for _ in range(3):
            poort = _vrije_poort()
            cmd = [str(PRISM), self.modus, str(self.spec)]
            if self.upstream:
                cmd.append(self.upstream)
            cmd += ["--host", "127.0.0.1", "--port", str(poort)] + (["--errors"] if self.errors else [])
            with open(self.log, "ab") as uit:
                self.proces = subprocess.Popen(cmd, cwd=PROJECT, stdout=uit, stderr=subprocess.STDOUT,
                                               stdin=subprocess.DEVNULL, start_new_session=True)
            self.url = f"http://127.0.0.1:{poort}"
            if self._wacht():
                return self.url
            stop_procesgroep(self.proces)
        raise RuntimeError(f"Prism ({self.modus}, {self.spec.name}) startte niet; zie {self.log}:\n"
                           + self.log.read_text(errors="replace")[-2000:])

    def _wacht(self) -> bool:
        einde = time.monotonic() + STARTTIJD_S
        while time.monotonic() < einde:
            if self.proces.poll() is not None:
                return False
            if "Prism is listening" in self.log.read_text(errors="replace"):
                return True
            time.sleep(0.2)
        return False

    def stop(self) -> None:
        stop_procesgroep(self.proces)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# --------------------------------------------------------------------------- Prism's verdicts

def schendingen(headers: dict[str, str], body: str | None) -> list[dict]:
    """Prism's violations of one exchange: the ``sl-violations`` header (prefixed with "Too many
    violations! " when long), or with --errors the ``validation`` list of its own problem body."""
    kop = headers.get("sl-violations")
    if kop:
        begin = kop.find("[")
        try:
            return json.loads(kop[begin:]) if begin >= 0 else []
        except json.JSONDecodeError:
            # Prism cuts a long header off mid-JSON ("Too many violations! [..."): keep every
            # violation that is whole up to the cut
            return [{"location": json.loads(f"[{plek}]"), "severity": ernst, "code": code}
                    for plek, ernst, code in _SCHENDING.findall(kop)] or [
                {"location": ["onleesbaar"], "code": "onleesbaar", "message": kop[:200]}]
    if body and "stoplight.io/prism/errors#" in body:
        try:
            inhoud = json.loads(body)
        except json.JSONDecodeError:
            return [{"location": ["onleesbaar"], "code": "onleesbaar", "message": body[:200]}]
        # VIOLATIONS (500) names request or response; UNPROCESSABLE_ENTITY (422, an invalid
        # request Prism answered itself) only the part of the request ("query", "header")
        return [s if (s.get("location") or [""])[0] in ("request", "response")
                else {**s, "location": ["request", *(s.get("location") or [])]}
                for s in (inhoud.get("validation") if isinstance(inhoud, dict) else None) or []]
    return []


_SCHENDING = re.compile(r'"location":\[([^\]]*)\],"severity":"([^"]*)","code":"([^"]*)"')


def soort_schending(s: dict) -> str:
    """``response.body:type``, ``request.query:required``, …"""
    plek = [str(p) for p in s.get("location") or []][:2]
    # without --errors Prism forwards a route outside the spec with a warning that has no code
    code = s.get("code") or ("route-niet-in-spec" if "route not found" in s.get("message", "") else "?")
    return f"{'.'.join(plek) or '?'}:{code}"


def prism_fout(headers: dict[str, str], body: str | None) -> str | None:
    """Prism's own error type when Prism, not the target, answered (no route, invalid request…)."""
    if body and "stoplight.io/prism/errors#" in body:
        m = re.search(r"stoplight\.io/prism/errors#([A-Z_]+)", body)
        return m.group(1) if m else "PRISM"
    return None


# --------------------------------------------------------------------------- operations

class Operaties:
    """Map a request path onto the spec's path template (literal paths before templated ones)."""

    def __init__(self, spec: Path):
        tekst = spec.read_text(encoding="utf-8")
        inhoud = json.loads(tekst) if spec.suffix == ".json" else yaml.safe_load(tekst)
        sjablonen = sorted(inhoud["paths"], key=lambda p: (p.count("{"), -len(p)))
        self.patronen = [(p, re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(p)) + "$"),
                          {m.upper() for m in inhoud["paths"][p]})
                         for p in sjablonen]

    def van(self, methode: str, pad: str) -> str:
        """``GET /activiteiten``; methods the spec does not declare (the harness's
        unsupported_method probes) and paths outside it each fall in one bucket."""
        for sjabloon, patroon, methoden in self.patronen:
            if patroon.match(pad):
                return f"{methode} {sjabloon}" if methode in methoden else "(methode niet in de spec)"
        return "(pad niet in de spec)"


# --------------------------------------------------------------------------- one scenario

@dataclass
class Uitwisseling:
    dienst: str
    operatie: str
    methode: str
    url: str               # path + query as sent to the front proxy
    status: int
    schendingen: list[dict]
    prism_fout: str | None
    testcase: str | None


@dataclass
class Uitslag:
    scenario: Scenario
    exitcode: int
    oordeel: str
    duur_s: float
    run_map: Path | None
    uitwisselingen: list[Uitwisseling] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)

    @property
    def bevindingen(self) -> list[dict]:
        """Failed checks of the contract phase and the pre-check (bookkeeping never counts)."""
        return [r for r in self.records if r.get("soort") != "administratie"
                and r["status"] in ("gefaald", "geblokkeerd", "instabiel")]


OORDELEN = {0: "accepteren", 1: "afwijzen", 2: "configuratiefout", 3: "niet testbaar",
            4: "accepteren onder voorwaarden", 5: "niet getest"}


def draai(scenario: Scenario, map_: Path, *, diensten: tuple[str, ...] = tuple(SPECS),
          voorbeelden: int | None = None, adr: bool = True, fasen: str | None = None) -> Uitslag:
    """Run one scenario: (reference LV) → Prism per service → recording proxy → contract phase."""
    map_.mkdir(parents=True, exist_ok=True)
    sleutel = secrets.token_urlsafe(24)
    masker = Masker([sleutel])
    stapel: list = []
    try:
        upstream = None
        if scenario.modus == "proxy":
            ref = ReferentieLV(api_sleutel=sleutel, fouten=scenario.fouten, log=map_ / "referentie-lv.log",
                               data_map=map_ / "referentie-lv")
            ref.start()
            stapel.append(ref)
            upstream = ref.origin
        voor: dict[str, str] = {}
        for dienst in diensten:
            prism = Prism(scenario.modus, SPECS[dienst], map_ / f"prism-{dienst}.log",
                          upstream=upstream + DIENSTEN[dienst].basispad if upstream else None,
                          errors=scenario.errors)
            prism.start()
            stapel.append(prism)
            opname = OpnameProxy(prism.url, map_ / f"verkeer-{dienst}.jsonl", masker=masker,
                                 host_doorgeven=False)
            opname.start()
            stapel.append(opname)
            voor[dienst] = opname.url
        doelen = map_ / "doelen.toml"
        doelen.write_text(
            f'[doelen.prism-{scenario.naam}]\nomschrijving = "{scenario.omschrijving}"\n'
            f'fasen = ["contracten"]\nspecs = "vastgelegd"\napi_sleutel_variabele = "{SLEUTEL_VARIABELE}"\n\n'
            f"[doelen.prism-{scenario.naam}.diensten]\n"
            + "".join(f'{d} = "{u}"\n' for d, u in voor.items()), encoding="utf-8")
        env = {**os.environ, SLEUTEL_VARIABELE: sleutel}
        if voorbeelden is not None:
            env["DSO_CONTRACTEN_VOORBEELDEN"] = str(voorbeelden)
        if not adr:
            env["DSO_CONTRACTEN_ADR"] = "0"
        if fasen:
            env["DSO_CONTRACTEN_SCHEMATHESIS_FASEN"] = fasen
        start = time.perf_counter()
        uit = subprocess.run([sys.executable, "-m", "dso_acceptatie", "run", "--doelen", str(doelen),
                              "--doel", f"prism-{scenario.naam}", "--fase", "contracten",
                              "--rapporten", str(map_ / "rapporten")],
                             cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             check=False)
        duur = time.perf_counter() - start
        (map_ / "run.log").write_bytes(uit.stdout)
    finally:
        for onderdeel in reversed(stapel):
            onderdeel.stop()
    laatste = map_ / "rapporten" / "laatste"
    run_map = laatste.resolve() if laatste.exists() else None
    uitslag = Uitslag(scenario, uit.returncode, OORDELEN.get(uit.returncode, f"exitcode {uit.returncode}"),
                      duur, run_map)
    if run_map is not None:
        for naam in ("omgeving.jsonl", "contracten.jsonl"):
            pad = run_map / "records" / naam
            if pad.exists():
                uitslag.records += [json.loads(r) for r in pad.read_text(encoding="utf-8").splitlines() if r]
    for dienst in diensten:
        operaties = Operaties(SPECS[dienst])
        for u in lees_verkeer(map_ / f"verkeer-{dienst}.jsonl"):
            ah = u["antwoord_headers"]
            uitslag.uitwisselingen.append(Uitwisseling(
                dienst=dienst, operatie=operaties.van(u["methode"], u["pad"]), methode=u["methode"],
                url=u["pad"] + (f"?{u['query']}" if u["query"] else ""), status=u["status"],
                schendingen=schendingen(ah, u["antwoord_body"]), prism_fout=prism_fout(ah, u["antwoord_body"]),
                testcase=u["verzoek_headers"].get("x-schemathesis-testcaseid")))
    return uitslag


# --------------------------------------------------------------------------- comparison

def bewijs_uitwisseling(uitslag: Uitslag, record: dict) -> Uitwisseling | None:
    """The recorded exchange behind a finding's evidence (test case id, else method + URL)."""
    if uitslag.run_map is None or not record.get("bewijs"):
        return None
    pad = uitslag.run_map / record["bewijs"][0]
    if not pad.exists() or pad.suffix != ".json":
        return None
    try:
        verzoek = json.loads(pad.read_text(encoding="utf-8")).get("verzoek") or {}
    except json.JSONDecodeError:
        return None
    testcase = {k.lower(): v for k, v in (verzoek.get("headers") or {}).items()}.get("x-schemathesis-testcaseid")
    delen = urlsplit(verzoek.get("url", ""))
    url = delen.path + (f"?{delen.query}" if delen.query else "")
    kandidaten = [u for u in uitslag.uitwisselingen if u.dienst == record["component"]]
    if testcase:
        gevonden = [u for u in kandidaten if u.testcase == testcase and u.methode == verzoek.get("methode")]
        if gevonden:
            return gevonden[-1]
    gevonden = [u for u in kandidaten if u.url == url and u.methode == verzoek.get("methode")]
    return gevonden[-1] if gevonden else None


def vergelijk(uitslag: Uitslag) -> dict:
    """Per operation: Prism's response violations against the harness's answer checks, and Prism's
    request verdict against how the target answered; per harness finding: Prism on that exchange."""
    per_op: dict[tuple[str, str], dict] = defaultdict(lambda: {
        "verzoeken": 0, "antwoord_schendingen": Counter(), "verzoek_schendingen": Counter(),
        "ongeldig_geaccepteerd": 0, "geldig_geweigerd": 0, "prism_antwoordde": Counter(),
        "harnas": set()})
    for u in uitslag.uitwisselingen:
        op = per_op[(u.dienst, u.operatie)]
        op["verzoeken"] += 1
        antwoord = [s for s in u.schendingen if (s.get("location") or [""])[0] == "response"]
        verzoek = [s for s in u.schendingen if (s.get("location") or [""])[0] == "request"]
        # a route outside the spec is only a warning (Prism forwards it): not an invalid request
        fout_verzoek = [s for s in verzoek if s.get("severity", "Error") == "Error"]
        op["antwoord_schendingen"].update(soort_schending(s) for s in antwoord)
        op["verzoek_schendingen"].update(soort_schending(s) for s in verzoek)
        if u.prism_fout:
            op["prism_antwoordde"][u.prism_fout] += 1
        elif fout_verzoek and 200 <= u.status < 300:
            op["ongeldig_geaccepteerd"] += 1
        elif not fout_verzoek and u.status in (400, 422):
            op["geldig_geweigerd"] += 1
    for r in uitslag.bevindingen:
        # operations only ("GET /free"): workflows and spec-level records have no one operation
        if r["fase"] == "contracten" and re.match(r"^[A-Z]+ /", r["onderwerp"]):
            per_op[(r["component"], r["onderwerp"])]["harnas"].add(r["controle"])
    rijen = []
    for (dienst, operatie), op in sorted(per_op.items()):
        prism_antwoord = bool(op["antwoord_schendingen"])
        harnas_antwoord = bool(op["harnas"] & ANTWOORD_CONTROLES)
        if prism_antwoord and harnas_antwoord:
            antwoord = "beide"
        elif prism_antwoord:
            antwoord = "alleen Prism"
        elif harnas_antwoord:
            antwoord = "alleen harnas"
        else:
            antwoord = "geen van beide"
        rijen.append({"dienst": dienst, "operatie": operatie, "verzoeken": op["verzoeken"],
                      "antwoord": antwoord,
                      "prism_antwoord": dict(op["antwoord_schendingen"]),
                      "prism_verzoek": dict(op["verzoek_schendingen"]),
                      "ongeldig_geaccepteerd": op["ongeldig_geaccepteerd"],
                      "geldig_geweigerd": op["geldig_geweigerd"],
                      "prism_antwoordde": dict(op["prism_antwoordde"]),
                      "harnas": sorted(op["harnas"])})
    per_bevinding = []
    for r in uitslag.bevindingen:
        if r["fase"] != "contracten" or r.get("ernst") == "informatief":
            continue
        u = bewijs_uitwisseling(uitslag, r)
        per_bevinding.append({
            "dienst": r["component"], "operatie": r["onderwerp"], "controle": r["controle"],
            "ernst": r.get("ernst"), "status": u.status if u else None,
            "prism": sorted({soort_schending(s) for s in u.schendingen}) if u else None,
            "prism_fout": u.prism_fout if u else None, "url": u.url if u else None})
    return {"operaties": rijen, "bevindingen": per_bevinding}


def cijfers(uitslag: Uitslag) -> dict:
    schendend = [u for u in uitslag.uitwisselingen if u.schendingen]
    soorten = Counter(soort_schending(s) for u in uitslag.uitwisselingen for s in u.schendingen)
    per_uitwisseling = Counter(k for u in uitslag.uitwisselingen
                               for k in {soort_schending(s) for s in u.schendingen})
    controles = Counter(f"{r['controle']} ({r.get('ernst')})" for r in uitslag.bevindingen
                        if r.get("ernst") != "informatief")
    informatief = sum(1 for r in uitslag.bevindingen if r.get("ernst") == "informatief")
    vergelijking = vergelijk(uitslag)
    antwoord = Counter(r["antwoord"] for r in vergelijking["operaties"] if not r["operatie"].startswith("("))
    return {
        "scenario": uitslag.scenario.naam, "omschrijving": uitslag.scenario.omschrijving,
        "oordeel": uitslag.oordeel, "exitcode": uitslag.exitcode, "duur_s": round(uitslag.duur_s, 1),
        "run_map": str(uitslag.run_map) if uitslag.run_map else None,
        "verzoeken": len(uitslag.uitwisselingen),
        "verzoeken_per_dienst": dict(Counter(u.dienst for u in uitslag.uitwisselingen)),
        "uitwisselingen_met_prism_schending": len(schendend),
        "prism_schendingen_per_soort": dict(soorten.most_common()),
        "uitwisselingen_per_prism_soort": dict(per_uitwisseling.most_common()),
        "prism_antwoordde_zelf": dict(Counter(u.prism_fout for u in uitslag.uitwisselingen if u.prism_fout)),
        "harnas_bevindingen_per_controle": dict(controles.most_common()),
        "harnas_informatief": informatief,
        "antwoordoordeel_per_operatie": dict(antwoord),
        "overeenstemming": antwoord["beide"] + antwoord["geen van beide"],
        "verschillen": antwoord["alleen Prism"] + antwoord["alleen harnas"],
        "ongeldig_geaccepteerd": sum(r["ongeldig_geaccepteerd"] for r in vergelijking["operaties"]),
        "geldig_geweigerd": sum(r["geldig_geweigerd"] for r in vergelijking["operaties"]),
        "vergelijking": vergelijking,
    }


# --------------------------------------------------------------------------- printing

def _tabel(kop: list[str], rijen: list[list]) -> str:
    breed = [max(len(str(x)) for x in kolom) for kolom in zip(kop, *rijen, strict=False)]
    regel = lambda rij: "  ".join(str(x).ljust(b) for x, b in zip(rij, breed, strict=False)).rstrip()  # noqa: E731
    return "\n".join([regel(kop), regel(["-" * b for b in breed]), *map(regel, rijen)])


def toon(c: dict) -> None:
    print(f"\n=== {c['scenario']}: {c['omschrijving']}")
    print(f"oordeel harnas: {c['oordeel']} (exitcode {c['exitcode']}), contractfase-run {c['duur_s']} s")
    print(f"verzoeken via Prism: {c['verzoeken']} {c['verzoeken_per_dienst']}; "
          f"met Prism-schending: {c['uitwisselingen_met_prism_schending']}; "
          f"door Prism zelf beantwoord: {c['prism_antwoordde_zelf'] or 'geen'}")
    print("Prism-schendingen per soort (uitwisselingen):")
    for soort, n in c["uitwisselingen_per_prism_soort"].items():
        print(f"  {n:6d}  {soort}")
    print(f"harnas: bevindingen per controle (boven informatief; plus {c['harnas_informatief']} informatief):")
    for controle, n in c["harnas_bevindingen_per_controle"].items():
        print(f"  {n:6d}  {controle}")
    print(f"antwoord tegen de spec, per operatie van de spec: {c['antwoordoordeel_per_operatie']} — "
          f"overeenstemming {c['overeenstemming']}, verschillen {c['verschillen']}")
    print(f"verzoeken volgens Prism ongeldig en toch 2xx: {c['ongeldig_geaccepteerd']}; "
          f"volgens Prism geldig en toch 400/422: {c['geldig_geweigerd']} (zie docs/prism.md)")
    rijen = [[r["operatie"] if len(r["operatie"]) < 48 else r["operatie"][:45] + "…", r["verzoeken"], r["antwoord"],
              ",".join(sorted(r["prism_antwoord"])) or "-",
              f"{r['ongeldig_geaccepteerd']}/{r['geldig_geweigerd']}",
              ",".join(c for c in r["harnas"] if not c.startswith(("nlgov:", "oas3-"))) or "-"]
             for r in c["vergelijking"]["operaties"]]
    print(_tabel(["operatie", "verz.", "antwoord", "Prism (antwoord)", "ongeldig-ok/geldig-nee",
                  "harnas (gefaald)"], rijen))
    print("per bevinding van het harnas: wat Prism over dezelfde uitwisseling zei")
    rijen = [[b["operatie"][:40], b["controle"], b["ernst"], b["status"] if b["status"] is not None else "?",
              b["prism_fout"] or (",".join(b["prism"]) if b["prism"] else
                                  ("geen schending" if b["prism"] is not None else "niet gevonden"))]
             for b in c["vergelijking"]["bevindingen"]]
    print(_tabel(["operatie", "controle", "ernst", "HTTP", "Prism op die uitwisseling"], rijen))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Prism-vergelijking: contractfase tegen prism mock en prism proxy")
    ap.add_argument("--scenario", action="append", choices=sorted(SCENARIOS), help="herhaalbaar; standaard alle")
    ap.add_argument("--voorbeelden", type=int, help="voorbeelden per operatie (standaard: contracten.toml)")
    ap.add_argument("--zonder-adr", action="store_true", help="ADR-lint uit (DSO_CONTRACTEN_ADR=0)")
    ap.add_argument("--json", type=Path, help="schrijf alle cijfers als JSON")
    ap.add_argument("--map", type=Path, help="werkmap (standaard: een tijdelijke map)")
    args = ap.parse_args(argv)
    # SIGTERM (and SIGINT, which a background job ignores) as an exception, so that every
    # ``finally`` stops the reference LV, Prism and the proxies this process started
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    reden = prism_ontbreekt()
    if reden:
        print(reden, file=sys.stderr)
        return 2
    werk = args.map or Path(tempfile.mkdtemp(prefix="prism-vergelijking-"))
    print(f"werkmap: {werk}")
    alle = []
    for naam in args.scenario or list(SCENARIOS):
        start = time.perf_counter()
        uitslag = draai(SCENARIOS[naam], werk / naam, voorbeelden=args.voorbeelden, adr=not args.zonder_adr)
        c = cijfers(uitslag)
        c["totaal_s"] = round(time.perf_counter() - start, 1)
        toon(c)
        print(f"scenario in totaal (met starten van referentie en Prism): {c['totaal_s']} s")
        alle.append(c)
    print("\n=== overzicht")
    print(_tabel(["scenario", "oordeel", "verzoeken", "met Prism-schending", "harnas boven informatief",
                  "overeenstemming", "verschillen", "fase (s)", "totaal (s)"],
                 [[c["scenario"], c["oordeel"], c["verzoeken"], c["uitwisselingen_met_prism_schending"],
                   sum(c["harnas_bevindingen_per_controle"].values()), c["overeenstemming"], c["verschillen"],
                   c["duur_s"], c["totaal_s"]] for c in alle]))
    if args.json:
        args.json.write_text(json.dumps(alle, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
