"""The contracten phase process: per service spec → schemathesis + DSO checks → probes → ADR lint
→ workflows, every verdict a record. A service without a usable spec is a finding, never a crash.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import traceback
from pathlib import Path

import httpx

from dso_acceptatie.fasen.basis import FaseContext
from dso_acceptatie.fasen.contracten import adr, arazzo, sondes, specs, uitvoering
from dso_acceptatie.fasen.contracten.instellingen import Instellingen, lees
from dso_acceptatie.fasen.contracten.reproductie import SLEUTEL_HEADER, Bewijs
from dso_acceptatie.records import RecordWriter

# What each check means, for people reading a record (schemathesis' own names stay the code).
OMSCHRIJVING = {
    "not_a_server_error": "geen serverfout (5xx)",
    "status_code_conformance": "statuscode staat in de spec",
    "content_type_conformance": "Content-Type staat in de spec",
    "response_schema_conformance": "antwoord voldoet aan het schema",
    "response_headers_conformance": "antwoordheaders voldoen aan de spec",
    "negative_data_rejection": "ongeldige invoer wordt geweigerd",
    "positive_data_acceptance": "geldige invoer wordt geaccepteerd",
    "missing_required_header": "ontbrekende verplichte header wordt geweigerd",
    "unsupported_method": "niet-ondersteunde methode geeft 405",
    "allow_header_conformance": "405 noemt de toegestane methoden (Allow)",
    "ignored_auth": "authenticatie wordt niet genegeerd",
    "use_after_free": "verwijderde resource is weg",
    "ensure_resource_availability": "aangemaakte resource is beschikbaar",
    "object_level_authorization": "geen toegang tot objecten van anderen",
    "max_response_time": "antwoordtijd binnen de grens",
    "dso_api_version": "header API-Version gelijk aan de specversie",
    "dso_problem_json": "fouten als application/problem+json met status, title en detail",
    "dso_hal_links": "HAL-antwoord met _links.self",
    "dso_content_crs": "geometrie met header Content-Crs",
    "dso_retry_after": "429 met Retry-After",
    "dso_paginering": "paginering klopt (next/previous, paginagrootte, geen gaten of dubbelen)",
    "dso_authenticatie": "verzoek zonder of met onbekende x-api-key wordt geweigerd",
    "dso_openapi_op_basis_uri": "spec gepubliceerd op <basis-URI>/openapi.json",
}


class Snelheidsbegrenzer:
    """At most ``per_seconde`` requests per second over all our own probe requests."""

    def __init__(self, per_seconde: float | None):
        self.interval = 1.0 / per_seconde if per_seconde else 0.0
        self._volgende = 0.0
        self._lock = threading.Lock()

    def pauzeer(self, seconden: float = 1.0) -> None:
        """Keep a gap after requests sent by another limiter (schemathesis' own)."""
        if self.interval:
            with self._lock:
                self._volgende = max(self._volgende, time.monotonic() + seconden)

    def wacht(self) -> None:
        """Wait out our own last slot before another limiter (schemathesis') takes over."""
        if self.interval:
            time.sleep(max(0.0, self._volgende - time.monotonic() + 1.0))

    def __call__(self, request=None) -> None:
        if not self.interval:
            return
        with self._lock:
            nu = time.monotonic()
            wacht = self._volgende - nu
            self._volgende = max(nu, self._volgende) + self.interval
        if wacht > 0:
            time.sleep(wacht)


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


def heeft_beveiliging(spec: dict) -> bool:
    if spec.get("security"):
        return True
    for item in (spec.get("paths") or {}).values():
        if isinstance(item, dict):
            for op in item.values():
                if isinstance(op, dict) and op.get("security"):
                    return True
    return False


class Contracten:
    def __init__(self, ctx: FaseContext, instellingen: Instellingen, writer: RecordWriter):
        self.ctx = ctx
        self.i = instellingen
        self.w = writer
        self.doel = ctx.doel
        self.sleutel = ctx.api_sleutel
        self.headers = {SLEUTEL_HEADER: self.sleutel} if self.sleutel else {}
        self.alleen_lezen = self.doel.alleen_lezen
        self.rps = self.doel.max_verzoeken_per_seconde
        self.bewijs = Bewijs(ctx.run_map, writer.masker)
        self.specs: dict[str, tuple[str, specs.Spec]] = {}
        # One limiter for all our own requests (probes, workflows); schemathesis has its own.
        self.begrenzer = Snelheidsbegrenzer(self.rps)
        self.client = httpx.Client(timeout=self.i.verzoek_timeout_s,
                                   event_hooks={"request": [self.begrenzer]})

    # ------------------------------------------------------------------ records

    def schrijf(self, dienst: str, onderwerp: str, controle: str, status: str, bericht: str,
                ernst: str | None = None, **kw) -> None:
        if ernst is None:
            ernst = self.i.ernst_van(controle) if status == "gefaald" else "informatief"
        self.w.schrijf(component=dienst, onderwerp=onderwerp, controle=controle, status=status,
                       ernst=ernst, bericht=bericht, **kw)

    def schrijf_uitwisseling(self, dienst: str, onderwerp: str, controle: str, bericht: str,
                             u: uitvoering.Uitwisseling | None, details: dict | None = None,
                             ernst: str | None = None, duur_ms: float | None = None) -> None:
        details = dict(details or {})
        bewijs = []
        if u is not None:
            opdracht, pad = self.bewijs.schrijf(
                dienst, onderwerp, controle, methode=u.methode, url=u.url,
                verzoek_headers=u.verzoek_headers, verzoek_body=u.verzoek_body, status=u.status,
                antwoord_headers=u.antwoord_headers, antwoord_body=u.antwoord_body)
            details["curl"] = opdracht
            details["http_status"] = u.status
            bewijs.append(pad)
        self.schrijf(dienst, onderwerp, controle, "gefaald", bericht, ernst=ernst, bewijs=bewijs,
                     details=details, duur_ms=duur_ms)

    # ------------------------------------------------------------------ flow

    def voer_uit(self) -> None:
        diensten: dict[str, str] = self.doel.diensten
        if not diensten:
            self.schrijf("contracten", "doel", "diensten", "geblokkeerd",
                         "het doel noemt geen enkele API-dienst; er is niets te testen",
                         ernst="blokkerend")
            return
        variabele = self.doel.api_sleutel_variabele
        if not self.sleutel:
            self.schrijf("contracten", "doel", "dso_authenticatie", "overgeslagen",
                         (f"geen API-sleutel in ${variabele}" if variabele else
                          "het doel noemt geen API-sleutel") + ": verzoeken gaan zonder "
                         "x-api-key en de controle op geweigerde sleutels is niet uitgevoerd")
        geladen: list[tuple[str, str, specs.Spec, Path]] = []
        for dienst, basis in diensten.items():
            spec = self.spec(dienst, basis)
            if spec is not None:
                self.specs[dienst] = (basis, spec)
            if spec is not None and spec.inhoud is not None:
                pad = self.ctx.run_map / "bewijs" / "contracten" / dienst / f"spec{spec.achtervoegsel}"
                pad.parent.mkdir(parents=True, exist_ok=True)
                pad.write_bytes(spec.ruw)
                geladen.append((dienst, basis, spec, pad))
        lint = adr.start([pad for *_, pad in geladen]) if self.i.adr else None
        for dienst, basis, spec, _ in geladen:
            if spec.bruikbaar:
                self.bescherm(dienst, "schemathesis",
                              lambda d=dienst, b=basis, s=spec: self.contract(d, b, s))
        self.bescherm("contracten", "workflows", self.workflows)
        self.bescherm("contracten", "adr", lambda: self.adr(lint, geladen))
        self.client.close()

    def bescherm(self, dienst: str, wat: str, functie) -> None:
        """One service's crash is a record, and the phase goes on with the others."""
        try:
            functie()
        except Exception as e:  # noqa: BLE001
            traceback.print_exc()
            self.schrijf(dienst, wat, "fase-intern", "geblokkeerd",
                         f"interne fout in de contracten-fase bij {wat}: {type(e).__name__}: {e}",
                         ernst="blokkerend")

    def spec(self, dienst: str, basis: str) -> specs.Spec | None:
        start = time.perf_counter()
        spec = specs.haal(dienst, basis, self.doel.specs, self.i, self.headers,
                          self.client)
        ms = (time.perf_counter() - start) * 1000
        details = {"bron": spec.bron, "locatie": spec.locatie, "sha256": spec.sha256 if spec.ruw else None,
                   "versie": spec.versie, "titel": spec.titel, "derden": spec.derden,
                   "opmerking": spec.opmerking}
        if spec.bron == "live" or spec.live_fout:
            if spec.live_fout:
                self.schrijf(dienst, "openapi.json", "dso_openapi_op_basis_uri", "gefaald",
                             f"De spec staat niet op {basis.rstrip('/')}/openapi.json: "
                             f"{spec.live_fout}", duur_ms=ms)
            else:
                self.schrijf(dienst, "openapi.json", "dso_openapi_op_basis_uri", "geslaagd",
                             f"spec gepubliceerd op {spec.locatie}", duur_ms=ms)
        if not spec.ruw:
            self.schrijf(dienst, "specificatie", "spec-beschikbaar", "geblokkeerd",
                         f"Geen spec voor dienst '{dienst}': {spec.problemen[0].bericht} "
                         f"({spec.problemen[0].plaats}). De dienst is niet getest.",
                         ernst="blokkerend", details=details)
            return None
        if spec.problemen:
            eerste = spec.problemen[0]
            self.schrijf(dienst, "specificatie", "spec-ongeldig", "gefaald",
                         f"Spec ongeldig ({spec.locatie}) op {eerste.plaats}: {eerste.bericht}"
                         + (f" (en nog {len(spec.problemen) - 1} probleem/problemen)"
                            if len(spec.problemen) > 1 else "")
                         + ". De operaties van deze dienst zijn niet getest.",
                         details={**details, "problemen": [p.__dict__ for p in spec.problemen]})
            return spec
        self.schrijf(dienst, "specificatie", "spec", "geslaagd",
                     f"getest tegen '{spec.titel}' versie {spec.versie} ({spec.bron}: "
                     f"{spec.locatie}, sha256 {spec.sha256[:12]}…)"
                     + (f"; {spec.opmerking}" if spec.opmerking else ""), details=details)
        return spec

    def contract(self, dienst: str, basis: str, spec: specs.Spec) -> None:
        self.begrenzer.wacht()
        uitslag = uitvoering.voer_uit(spec.inhoud, basis_url=basis, headers=self.headers,
                                      instellingen=self.i, max_per_seconde=self.rps,
                                      alleen_lezen=self.alleen_lezen, seed=self.i.seed)
        self.begrenzer.pauzeer()
        for fout in uitslag.algemene_fouten:
            self.schrijf(dienst, "specificatie", "schemathesis", "geblokkeerd",
                         f"schemathesis kon de dienst niet (volledig) testen: {fout}",
                         ernst="blokkerend")
        beveiligd = heeft_beveiliging(spec.inhoud)
        open_dienst = dienst in self.i.open_diensten
        for label, op in uitslag.operaties.items():
            if op.ongeldig:
                self.schrijf(dienst, label, "spec-ongeldig", "gefaald",
                             f"De operatie is in de spec ongeldig "
                             f"({specs.pointer(['paths', op.pad, op.methode.lower()])}): {op.ongeldig}")
                continue
            if op.overgeslagen:
                self.schrijf(dienst, label, "schemathesis", "overgeslagen", op.overgeslagen)
                continue
            for fout in op.fouten:
                # A network failure says something about the API; anything else (a schema
                # construct schemathesis cannot generate for, its own runtime error) about testing.
                netwerk = any(w in fout.lower() for w in ("network", "connection", "timeout", "timed out"))
                self.schrijf(dienst, label, "schemathesis-fout",
                             "gefaald" if op.checks or netwerk else "geblokkeerd",
                             f"schemathesis meldt bij deze operatie: {fout}",
                             ernst="ernstig" if netwerk else ("hinderlijk" if op.checks else "blokkerend"))
            for naam, cu in sorted(op.checks.items()):
                if naam == "ignored_auth" and not beveiligd:
                    continue  # without security in the spec the check has nothing to test
                wat = OMSCHRIJVING.get(naam, naam)
                details = {"voorbeelden": cu.aantal, "gefaald": cu.gefaald, "verzoeken": op.verzoeken}
                if cu.gefaald:
                    titel = "" if (cu.titel or "").startswith("Custom check failed") else (cu.titel or "")
                    uitleg = " ".join((cu.bericht or "").split())
                    self.schrijf_uitwisseling(
                        dienst, label, naam,
                        f"Niet voldaan: {wat}. {titel + ': ' if titel else ''}{uitleg} "
                        f"({cu.gefaald} van {cu.aantal} voorbeelden)",
                        cu.uitwisseling, details)
                else:
                    self.schrijf(dienst, label, naam, "geslaagd",
                                 f"{wat}: in orde bij {cu.aantal} voorbeeld(en)", details=details)
            if not op.checks and not op.fouten:
                # No request and no error: the chosen phases produced no case here (e.g. only
                # "examples" and the spec has none). Not tested, but nothing went wrong either.
                self.schrijf(dienst, label, "schemathesis", "overgeslagen",
                             "schemathesis heeft deze operatie niet aangeroepen in de gekozen "
                             f"fasen ({', '.join(self.i.schemathesis_fasen)})")
                continue
            opdict = operatie(spec.inhoud, op.pad, op.methode)
            voorbeeld = op.geslaagd_voorbeeld
            if voorbeeld is None and op.methode == "GET":
                try:
                    voorbeeld = sondes.minimaal_voorbeeld(self.client, basis, op.pad, opdict,
                                                          self.headers)
                except httpx.HTTPError:
                    voorbeeld = None
            if self.sleutel and not open_dienst:
                self.sonde(dienst, label, "dso_authenticatie",
                           lambda v=voorbeeld: sondes.authenticatie(self.client, v, SLEUTEL_HEADER))
            if op.methode == "GET" and sondes.pagineerbaar(opdict):
                self.sonde(dienst, label, "dso_paginering",
                           lambda o=opdict, v=voorbeeld: sondes.paginering(self.client, o, v,
                                                                    self.headers))
        self.schrijf(dienst, "specificatie", "stateful", "geslaagd" if uitslag.stateful == "uitgevoerd"
                     else "overgeslagen",
                     f"stateful tests via links: {uitslag.stateful or 'niet uitgevoerd'}",
                     duur_ms=uitslag.duur_s * 1000)

    def sonde(self, dienst: str, label: str, controle: str, functie) -> None:
        start = time.perf_counter()
        try:
            s = functie()
        except httpx.HTTPError as e:
            s = sondes.Sonde("gefaald", f"verzoek mislukt: {type(e).__name__}: {e}")
        ms = (time.perf_counter() - start) * 1000
        if s.status == "gefaald":
            self.schrijf_uitwisseling(dienst, label, controle,
                                      f"Niet voldaan: {OMSCHRIJVING[controle]}. {s.bericht}",
                                      s.uitwisseling, s.details, duur_ms=ms)
        else:
            self.schrijf(dienst, label, controle, s.status, s.bericht, details=s.details,
                         duur_ms=ms)

    def workflows(self) -> None:
        arazzo.voer_alle_uit(self)

    def adr(self, lint: adr.Lint | None, geladen) -> None:
        if not geladen:
            return
        if lint is None:
            for dienst, *_ in geladen:
                self.schrijf(dienst, "specificatie", "adr-lint", "overgeslagen",
                             "API Design Rules niet getoetst (uitgezet met DSO_CONTRACTEN_ADR)")
            return
        try:
            per_pad = lint.resultaten()
        except adr.SpectralNietBeschikbaar as e:
            for dienst, *_ in geladen:
                self.schrijf(dienst, "specificatie", "adr-lint", "geblokkeerd",
                             f"De API Design Rules zijn niet getoetst: {e}", ernst="blokkerend")
            return
        regels = adr.regels()
        for dienst, _, spec, pad in geladen:
            resultaten = per_pad.get(str(pad.resolve()), [])
            bewijs = self.bewijs.schrijf_tekst(dienst, "adr-spectral.json",
                                               json.dumps(resultaten, indent=1))
            for rec in adr.records(resultaten, regels, spec_locatie=spec.locatie,
                                   derden=spec.derden, ernst=self.i.adr_ernst,
                                   ernst_derden=self.i.adr_ernst_derden):
                self.schrijf(dienst, bewijs=[bewijs] if rec["status"] == "gefaald" else [], **rec)


def main(argv: list[str] | None = None) -> int:
    ctx = FaseContext.uit_argumenten("contracten", argv)
    instellingen = lees()
    with ctx.writer as w:
        Contracten(ctx, instellingen, w).voer_uit()
    print(f"contracten: {w.aantal} records geschreven", file=sys.stderr)
    return 0
