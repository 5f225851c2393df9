"""The contracten phase process: per service spec → schemathesis + DSO checks → probes → ADR lint
→ workflows, every verdict a record. A service without a usable spec is a finding, never a crash.

Services are tested side by side in worker processes (:mod:`.dienst`); this process fetches the
specs, runs the workflows meanwhile, and alone writes the records. Everything keeps to the time
budget of the phase (``Instellingen.budget_s``): what did not get its turn is 'overgeslagen'.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import httpx

from dso_acceptatie import slo as slo_mod
from dso_acceptatie.configuratie import ConfiguratieFout
from dso_acceptatie.fasen.basis import FaseContext
from dso_acceptatie.fasen.contracten import adr, arazzo, beslistabellen, controles, specs, uitvoering
from dso_acceptatie.fasen.contracten import dienst as dienst_mod
from dso_acceptatie.fasen.contracten.instellingen import Instellingen, lees
from dso_acceptatie.fasen.contracten.reproductie import SLEUTEL_HEADER, Bewijs
from dso_acceptatie.records import RecordWriter
from dso_acceptatie.tempo import Begrenzer

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
    "dso_content_crs": "geometrie met header Content-Crs, het gevraagde CRS (standaard RD New)",
    "dso_rate_limit": "gedocumenteerde X-Rate-Limit-headers aanwezig",
    "dso_niet_gevonden": "niet-bestaande resource geeft 404",
    "dso_retry_after": "429 met Retry-After",
    "dso_paginering": "paginering klopt (next/previous, paginagrootte, geen gaten of dubbelen)",
    "dso_authenticatie": "verzoek zonder of met onbekende x-api-key wordt geweigerd",
    "dso_openapi_op_basis_uri": "spec gepubliceerd op <basis-URI>/openapi.json",
    "dso_latentie": "antwoordtijd binnen de SLO (mediaan onder de p95-grens)",
    "dso_toepasbare_regels": "conclusie per activiteit en beslistabelregel gelijk aan het orakel",
    "dso_spec_drift": "de geserveerde spec is het vastgelegde contract (paden, operaties, schema's)",
}


BUDGET_RESERVE = 0.1   # share of the time budget kept for the ADR results and the records


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
        self.begrenzer = Begrenzer(self.rps)
        self.client = httpx.Client(timeout=self.i.verzoek_timeout_s,
                                   event_hooks={"request": [self.begrenzer]})
        self.start = time.monotonic()
        # Tests stop at the deadline; what is left of the budget is for the ADR results and the
        # records. Workflows stop there too (each step checks it).
        self.deadline = self.start + self.i.budget_s * (1 - BUDGET_RESERVE)
        self.slo: slo_mod.SloBestand | None = None
        self.totaal_operaties = 0
        self._klaar: dict[str, int] = {}
        self._voortgang_lock = threading.Lock()

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
        try:
            self.slo = slo_mod.lees(self.i.slo)
        except (ConfiguratieFout, OSError) as e:
            self.schrijf("contracten", "slo", "dso_latentie", "geblokkeerd",
                         f"De antwoordtijden zijn niet aan de SLO getoetst: {e}", ernst="blokkerend")
        opdrachten = [self.opdracht(dienst, basis, spec) for dienst, basis, spec, _ in geladen
                      if spec.bruikbaar]
        self.totaal_operaties = sum(dienst_mod.aantal_operaties(o.spec) for o in opdrachten)
        self.meld_voortgang()
        if self.parallel(opdrachten):
            self.test_parallel(opdrachten)
        else:
            for o in opdrachten:
                self.bescherm(o.dienst, "schemathesis", lambda o=o: self.verwerk(o, dienst_mod.test(
                    o, deadline=dienst_mod.aandeel(self.deadline, len(opdrachten) - opdrachten.index(o), 1),
                    client=self.client, begrenzer=self.begrenzer,
                    voortgang=lambda n, d=o.dienst: self.meld_voortgang(d, n))))
            self.bescherm("contracten", "workflows", self.workflows)
        self.bescherm("contracten", "adr", lambda: self.adr(lint, geladen))
        self.client.close()
        self.fase_einde(opdrachten)

    # ------------------------------------------------------------------ scheduling

    def opdracht(self, dienst: str, basis: str, spec: specs.Spec) -> dienst_mod.Opdracht:
        return dienst_mod.Opdracht(
            dienst=dienst, basis=basis, spec=spec.inhoud, headers=self.headers, instellingen=self.i,
            met_sleutel=bool(self.sleutel) and dienst not in self.i.open_diensten, rps=self.rps,
            alleen_lezen=self.alleen_lezen, deadline=self.deadline, latentie=self.latentie(dienst, spec.inhoud))

    def latentie(self, dienst: str, spec: dict) -> dict[str, float]:
        """Per operation label its p95 limit from the SLO file ([endpoints] or [standaard])."""
        if self.slo is None:
            return {}
        uit = {}
        for pad, item in (spec.get("paths") or {}).items():
            for methode in (item or {}) if isinstance(item, dict) else ():
                if methode in ("get", "put", "post", "delete", "patch", "head", "options"):
                    label = f"{methode.upper()} {pad}"
                    grens = self.slo.grenzen(f"{dienst} {label}").p95_ms
                    if grens is not None:
                        uit[label] = float(grens)
        return uit

    def parallel(self, opdrachten: list[dienst_mod.Opdracht]) -> bool:
        """Services side by side, each in its own process; not for a target with a request cap
        (one limiter must see every request) and not when there is only one service."""
        return not self.rps and self.i.gelijktijdig > 1 and len(opdrachten) > 1

    def test_parallel(self, opdrachten: list[dienst_mod.Opdracht]) -> None:
        """Workers test the services (the largest first) while this process runs the workflows
        and writes the records of every service as soon as it is done."""
        mp = multiprocessing.get_context("fork")
        wachtrij = mp.SimpleQueue()
        tegelijk = min(self.i.gelijktijdig, len(opdrachten))
        volgorde = sorted(opdrachten, key=lambda o: -dienst_mod.aantal_operaties(o.spec))
        # All workers are forked at the first submit, before this process starts any thread.
        pool = ProcessPoolExecutor(max_workers=tegelijk, mp_context=mp,
                                   initializer=dienst_mod.init_werker,
                                   initargs=(wachtrij, mp.Value("i", 0), tegelijk, len(opdrachten)))
        try:
            taken = {pool.submit(dienst_mod.werk, o): o for o in volgorde}
            lezer = threading.Thread(target=self._lees_voortgang, args=(wachtrij,), daemon=True)
            lezer.start()
            workflows = threading.Thread(
                target=lambda: self.bescherm("contracten", "workflows", self.workflows), daemon=True)
            workflows.start()
            for taak in as_completed(taken):
                o = taken[taak]
                self.bescherm(o.dienst, "schemathesis", lambda t=taak, o=o: self.verwerk(o, t.result()))
            workflows.join()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            wachtrij.put(None)

    def _lees_voortgang(self, wachtrij) -> None:
        while (bericht := wachtrij.get()) is not None:
            self.meld_voortgang(*bericht)

    def meld_voortgang(self, dienst: str | None = None, klaar: int | None = None) -> None:
        with self._voortgang_lock:
            if dienst is not None and klaar is not None:
                self._klaar[dienst] = max(klaar, self._klaar.get(dienst, 0))
            self.ctx.voortgang(sum(self._klaar.values()), self.totaal_operaties, "operaties")

    def fase_einde(self, opdrachten: list[dienst_mod.Opdracht]) -> None:
        duur = time.monotonic() - self.start
        tegelijk = min(self.i.gelijktijdig, len(opdrachten)) if self.parallel(opdrachten) else 1
        self.schrijf("contracten", "fase", "fase-einde", "geslaagd",
                     f"contracten-fase doorlopen in {duur:.0f} s (tijdsbudget {self.i.budget_s:.0f} s, "
                     f"{len(opdrachten)} dienst(en), {tegelijk} tegelijk)",
                     soort="administratie", duur_ms=duur * 1000,
                     details={"duur_s": round(duur, 1), "tijdsbudget_s": self.i.budget_s,
                              "operaties": self.totaal_operaties, "tegelijk": tegelijk})

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
        self.drift(dienst, basis, spec)
        self.schrijf(dienst, "specificatie", "spec", "geslaagd",
                     f"getest tegen '{spec.titel}' versie {spec.versie} ({spec.bron}: "
                     f"{spec.locatie}, sha256 {spec.sha256[:12]}…)"
                     + (f"; {spec.opmerking}" if spec.opmerking else ""), details=details,
                     soort="administratie")
        return spec

    def drift(self, dienst: str, basis: str, spec: specs.Spec) -> None:
        """The spec the target serves against the pinned contract: a difference in paths,
        operations or schemas means the target is not the system that was certified."""
        vast = specs.vastgelegd(dienst, self.i)
        if vast is None or not vast.bruikbaar:
            return
        live = spec if spec.bron == "live" else None
        if live is None:
            url = basis.rstrip("/") + "/openapi.json"
            try:
                r = self.client.get(url, headers=self.headers)
            except httpx.HTTPError:
                return   # serving no spec is its own finding (dso_openapi_op_basis_uri)
            if r.status_code != 200:
                return
            live = specs.Spec(dienst, "live", url, ruw=r.content)
            live.inhoud, live.problemen = specs.ontleed(r.content)
        if live.inhoud is None:
            return
        verschil = specs.verschillen(vast.inhoud, live.inhoud)
        details = {"vastgelegd": vast.locatie, "vastgelegd_sha256": vast.sha256, "geserveerd": live.locatie,
                   "geserveerd_sha256": live.sha256, "verschillen": verschil[:50],
                   "aantal_verschillen": len(verschil)}
        if verschil:
            pad = self.bewijs.schrijf_tekst(dienst, "spec-geserveerd" + live.achtervoegsel,
                                            live.ruw.decode("utf-8", "replace"))
            self.schrijf(dienst, "specificatie", "dso_spec_drift", "gefaald",
                         f"Niet voldaan: {OMSCHRIJVING['dso_spec_drift']}. De spec op {live.locatie} wijkt "
                         f"af van {vast.locatie} in {len(verschil)} punt(en): {'; '.join(verschil[:5])}"
                         + (" …" if len(verschil) > 5 else ""), bewijs=[pad], details=details)
        else:
            self.schrijf(dienst, "specificatie", "dso_spec_drift", "geslaagd",
                         f"de geserveerde spec ({live.locatie}) is gelijk aan het vastgelegde contract "
                         f"{vast.locatie} in paden, operaties en schema's", details=details)

    def verwerk(self, o: dienst_mod.Opdracht, du: dienst_mod.DienstUitslag) -> None:
        """The records of one tested service."""
        dienst, uitslag = o.dienst, du.uitslag
        for fout in uitslag.algemene_fouten:
            self.schrijf(dienst, "specificatie", "schemathesis", "geblokkeerd",
                         f"schemathesis kon de dienst niet (volledig) testen: {fout}",
                         ernst="blokkerend")
        beveiligd = heeft_beveiliging(o.spec)
        for label, op in uitslag.operaties.items():
            if op.ongeldig:
                self.schrijf(dienst, label, "spec-ongeldig", "gefaald",
                             f"De operatie is in de spec ongeldig "
                             f"({specs.pointer(['paths', op.pad, op.methode.lower()])}): {op.ongeldig}")
                continue
            if op.overgeslagen:
                self.schrijf(dienst, label, "schemathesis", "overgeslagen", op.overgeslagen)
                if len(op.latentie_ms) >= self.i.latentie_metingen:
                    self.schrijf_latentie(dienst, label, op)   # measured before the stop
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
                uitzondering = next((v for v in self.i.uitzonderingen(dienst)
                                     if v.controle == naam and label in v.operaties), None)
                if uitzondering is not None:
                    # Visible in every record it touches: a widened check is never silent.
                    details["uitzondering"] = {"ook_status": list(uitzondering.ook_status),
                                               "reden": uitzondering.reden}
                    wat += (f" (hier telt ook {', '.join(map(str, uitzondering.ook_status))} als goed "
                            "antwoord; zie [[verwacht]] in contracten.toml)")
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
            if not op.getest:
                # No request and no error: the chosen phases produced no case here (e.g. only
                # "examples" and the spec has none). Not tested, but nothing went wrong either.
                self.schrijf(dienst, label, "schemathesis", "overgeslagen",
                             "schemathesis heeft deze operatie niet aangeroepen in de gekozen "
                             f"fasen ({', '.join(self.i.schemathesis_fasen)})")
                continue
            for su in du.sondes.get(label, []):
                self.schrijf_sonde(dienst, label, su)
            self.schrijf_latentie(dienst, label, op)
        self.schrijf(dienst, "specificatie", "stateful", "geslaagd" if uitslag.stateful == "uitgevoerd"
                     else "overgeslagen",
                     f"stateful tests via links: {uitslag.stateful or 'niet uitgevoerd'}",
                     duur_ms=uitslag.duur_s * 1000, soort="administratie")
        self.dekking(o, du)
        self.meld_voortgang(dienst, len(uitslag.operaties))

    def dekking(self, o: dienst_mod.Opdracht, du: dienst_mod.DienstUitslag) -> None:
        """Bookkeeping: how much of the service was tested, in what time (also when the budget
        ran out: then the record says what was left out)."""
        ops = du.uitslag.operaties
        getest = [label for label, op in ops.items() if op.getest]
        budget = [label for label, op in ops.items()
                  if (op.overgeslagen or "").startswith(uitvoering.TIJDSBUDGET_OP)]
        u = du.uitslag
        deels = [f for f in self.i.schemathesis_fasen if f in uitvoering.ALLE_FASEN
                 and f not in u.fasen_gedaan and u.budget_op]
        bericht = (f"{len(getest)} van {len(ops)} operaties getest met schemathesis "
                   f"({', '.join(u.fasen_gedaan) or 'geen fase volledig'}) in {u.duur_s:.0f} s")
        if u.te_traag:
            bericht += (f"; gestopt, {uitvoering.TE_TRAAG}: {u.te_traag}; de rest van de dienst en zijn "
                        "sondes zijn niet getest")
        if u.budget_op:
            bericht += (f"; {uitvoering.TIJDSBUDGET_OP} na {du.aandeel_s or 0:.0f} s: "
                        + (f"{len(budget)} operatie(s) niet getest" if budget else "alle operaties kregen verzoeken")
                        + (f", fase(n) {', '.join(deels)} niet afgemaakt" if deels else ""))
        self.schrijf(o.dienst, "specificatie", "dekking",
                     "overgeslagen" if u.budget_op or u.te_traag else "geslaagd", bericht, soort="administratie",
                     duur_ms=u.duur_s * 1000,
                     details={"operaties_getest": len(getest), "operaties_totaal": len(ops),
                              "niet_getest_tijdsbudget": budget, "tijdsbudget_op": u.budget_op,
                              "te_traag": u.te_traag,
                              "aandeel_s": None if du.aandeel_s is None else round(du.aandeel_s, 1),
                              "fasen_afgerond": u.fasen_gedaan,
                              "voorbeelden_per_operatie": {label: op.verzoeken for label, op in ops.items()},
                              "fase_duur_s": {f: round(d, 2) for f, d in u.fase_duur_s.items()},
                              "operatie_duur_s": {label: {f: round(d, 2) for f, d in op.duur_s.items()}
                                                  for label, op in ops.items()}})

    def schrijf_latentie(self, dienst: str, label: str, op: uitvoering.OperatieUitslag) -> None:
        """One verdict per operation: the median of its response times against the SLO's p95."""
        grens, metingen = op.latentie_grens_ms, op.latentie_ms
        if grens is None:
            return
        details = {"grens_p95_ms": grens, "metingen_ms": metingen[:50], "aantal": len(metingen),
                   "slo": str(self.i.slo), "endpoint": f"{dienst} {label}"}
        if len(metingen) < self.i.latentie_metingen:
            self.schrijf(dienst, label, "dso_latentie", "overgeslagen",
                         f"te weinig metingen voor een oordeel over de antwoordtijd ({len(metingen)} van "
                         f"de {self.i.latentie_metingen} nodig)", details=details)
            return
        m = controles.mediaan(metingen)
        details["mediaan_ms"] = round(m, 1)
        if m > grens:
            self.schrijf_uitwisseling(dienst, label, "dso_latentie",
                         f"Niet voldaan: {OMSCHRIJVING['dso_latentie']}. Mediaan {m:.0f} ms over "
                         f"{len(metingen)} aanroepen; de SLO eist p95 ≤ {grens:.0f} ms, dus meer dan de "
                         f"helft van de aanroepen is trager dan wat 95% moet halen ({self.i.slo.name}, "
                         f"'{dienst} {label}'). Bewijs: de traagste aanroep.", op.traagste, details=details)
        else:
            self.schrijf(dienst, label, "dso_latentie", "geslaagd",
                         f"mediaan {m:.0f} ms over {len(metingen)} aanroepen, binnen de SLO "
                         f"(p95 ≤ {grens:.0f} ms)", details=details)

    def schrijf_sonde(self, dienst: str, label: str, su: dienst_mod.SondeUitslag) -> None:
        s = su.sonde
        if s.status == "gefaald":
            self.schrijf_uitwisseling(dienst, label, su.controle,
                                      f"Niet voldaan: {OMSCHRIJVING[su.controle]}. {s.bericht}",
                                      s.uitwisseling, s.details, duur_ms=su.duur_ms)
        else:
            self.schrijf(dienst, label, su.controle, s.status, s.bericht, details=s.details,
                         duur_ms=su.duur_ms)

    def workflows(self) -> None:
        arazzo.voer_alle_uit(self)
        self.bescherm("uitvoeren", "beslistabellen", self.beslistabellen)

    def beslistabellen(self) -> None:
        """Every published activity × decision-table row against the oracle (beslistabellen.py)."""
        basis = self.doel.diensten.get("uitvoeren")
        if basis is None:
            return
        start = time.perf_counter()
        uitkomsten = beslistabellen.controleer(self.client, basis, self.headers, self.i.sttr,
                                               deadline=self.deadline)
        gevallen = sum(u.gevallen for u in uitkomsten)
        for u in uitkomsten:
            onderwerp = f"{u.activiteit} · {u.model}"
            details = {**u.details, "activiteit": u.activiteit, "model": u.model}
            if u.status == "gefaald":
                self.schrijf_uitwisseling("uitvoeren", onderwerp, beslistabellen.CONTROLE,
                                          f"Niet voldaan: {OMSCHRIJVING[beslistabellen.CONTROLE]}. {u.bericht}",
                                          u.uitwisseling, details)
            else:
                self.schrijf("uitvoeren", onderwerp, beslistabellen.CONTROLE, u.status, u.bericht,
                             ernst="blokkerend" if u.status == "geblokkeerd" else None, details=details)
        print(f"contracten: beslistabellen: {len(uitkomsten)} activiteit×model, {gevallen} gevallen in "
              f"{time.perf_counter() - start:.1f} s", file=sys.stderr)

    def adr(self, lint: adr.Lint | None, geladen) -> None:
        if not geladen:
            return
        if lint is None:
            for dienst, *_ in geladen:
                self.schrijf(dienst, "specificatie", "adr-lint", "overgeslagen",
                             "API Design Rules niet getoetst (uitgezet met DSO_CONTRACTEN_ADR)")
            return
        try:
            per_pad = lint.resultaten(timeout=max(10.0, self.start + self.i.budget_s - time.monotonic()))
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
    with ctx.writer as w:
        try:
            instellingen = lees()
        except ConfiguratieFout as e:
            # Nothing tested: one blocking record with the file, place and fix, no traceback.
            w.schrijf(component="contracten", onderwerp="contracten.toml", controle="configuratie",
                      status="geblokkeerd", ernst="blokkerend",
                      bericht=f"De instellingen van de contracten-fase zijn onbruikbaar: {e}")
            print(f"contracten: {e}", file=sys.stderr)
            return 0
        Contracten(ctx, instellingen, w).voer_uit()
    print(f"contracten: {w.aantal} records geschreven", file=sys.stderr)
    return 0
