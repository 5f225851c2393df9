"""An afnemer session: target (the reference LV by default, started here), recording proxy in
front of it, the vendor's client (a command, or a person for ``--duur``/Ctrl-C), then judgement.

The run folder holds ``verkeer.jsonl`` (every exchange, keys masked), ``sessie.json`` and
``records/afnemers.jsonl`` (one record per rule of the role, fase ``afnemers``, component and rol
the role's name), so the report judges a role like any other records.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from dso_acceptatie.afnemers.proxy import OpnameProxy, lees_verkeer
from dso_acceptatie.afnemers.regels import Context, Oordeel, beoordeel
from dso_acceptatie.afnemers.rollen import Regel, Regie, Rol
from dso_acceptatie.configuratie import ConfiguratieFout
from dso_acceptatie.diensten import DIENSTEN
from dso_acceptatie.doelen import Doel
from dso_acceptatie.processen import stop_procesgroep, zonder_onderbreking
from dso_acceptatie.records import Masker, RecordWriter
from dso_acceptatie.referentie import ReferentieLV
from dso_acceptatie.run import nieuwe_run_map

FASE = "afnemers"
SESSIE_SLEUTEL_VARIABELE = "DSO_API_KEY"
BASIS_URL_VARIABELE = "DSO_BASIS_URL"
TEMPO_VARIABELE = "DSO_MAX_VERZOEKEN_PER_SECONDE"
_REFERENTIE_VARIABELE = "DSO_REFERENTIE_API_KEY"

# a small valid PDF and PNG for the attachments of seeded requests
_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
_KAPPEN = "nl.imow-gm0297.activiteit.2019000810"


@dataclass
class SessieUitkomst:
    run_map: Path
    oordelen: list[tuple[Regel, Oordeel]]
    aantal_verzoeken: int
    exitcode_client: int | None
    onderbroken: bool = False

    @property
    def exitcode(self) -> int:
        if self.onderbroken:
            return 130
        return 0 if self.oordelen and all(o.status in ("geslaagd", "overgeslagen") for _, o in self.oordelen) \
            and any(o.status == "geslaagd" for _, o in self.oordelen) and self.aantal_verzoeken else 1


def _zaai_verzoeken(origin: str, sleutel: str, aantal: int) -> None:
    """Submit ``aantal`` requests to the reference (directly, not through the proxy), so a VTH
    client has new verzoeken with attachments to fetch."""
    url = origin + DIENSTEN["verzoeken-indienen"].basispad + "/verzoeken"
    headers = {"x-api-key": sleutel, "Content-Crs": "http://www.opengis.net/def/crs/EPSG/0/28992"}
    with httpx.Client(timeout=30) as client:
        for i in range(aantal):
            bijlagen = [{"bestandsnaam": f"situatie-{i + 1}.pdf", "mediatype": "application/pdf",
                         "inhoud": base64.b64encode(_PDF).decode()}]
            if i % 2 == 0:
                bijlagen.append({"bestandsnaam": f"foto-{i + 1}.png", "mediatype": "image/png",
                                 "inhoud": base64.b64encode(_PNG).decode()})
            body = {"soort": "aanvraag", "projectnaam": f"Eik kappen {i + 1}",
                    "locatie": {"omschrijving": f"Testweg {i + 1}, Gemeentestad",
                                "geometrie": {"type": "Point", "coordinates": [136800.0, 424300.0]}},
                    "activiteiten": [{"identificatie": _KAPPEN}], "bijlagen": bijlagen}
            r = client.post(url, json=body, headers=headers)
            if r.status_code != 201:
                raise RuntimeError(f"voorbereiding: verzoek {i + 1} indienen gaf status {r.status_code}")


def upstream_van(doel: Doel) -> str:
    """The one origin the proxy forwards to: the target's origin, or the origin all its service
    URLs share (their paths must then be the standard DSO base paths, as the client uses them)."""
    if doel.origin:
        return doel.origin.rstrip("/")
    origins = {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in doel.dienst_urls().values()}
    if len(origins) != 1:
        raise ConfiguratieFout(f"doel '{doel.naam}': de afnemersproxy stuurt door naar één origin, maar de "
                               f"diensten staan op {len(origins)} origins ({', '.join(sorted(origins)) or 'geen'}). "
                               "Oplossing: geef het doel een 'origin' met de standaard DSO-basispaden.")
    for naam, url in doel.dienst_urls().items():
        if naam in DIENSTEN and urlsplit(url).path.rstrip("/") != DIENSTEN[naam].basispad:
            raise ConfiguratieFout(f"doel '{doel.naam}': dienst '{naam}' staat op {url}, niet onder het "
                                   f"standaard DSO-basispad {DIENSTEN[naam].basispad}; de afnemersproxy "
                                   "ondersteunt alleen de standaard basispaden.")
    return origins.pop()


class Sessie:
    def __init__(self, rol: Rol, doel: Doel, *, rapporten: Path, opdracht: list[str] | None = None,
                 duur_s: float | None = None, uit=print, max_per_seconde: float | None = None):
        self.rol = rol
        self.doel = doel
        if doel.soort != "referentie":
            upstream_van(doel)  # a target the proxy cannot front is a configuration error, before anything
        self.rapporten = rapporten
        self.opdracht = opdracht or None
        self.duur_s = duur_s
        self.uit = uit
        # the documented rate the client is told (DSO_MAX_VERZOEKEN_PER_SECONDE): the role's tempo rule
        tempo = next((r.parameters.get("max_per_seconde") for r in rol.regels if r.soort == "tempo"), None)
        grenzen = [g for g in (max_per_seconde, tempo, doel.max_verzoeken_per_seconde) if g]
        self.max_per_seconde = max_per_seconde or (min(grenzen) if grenzen else None)

    def voer_uit(self) -> SessieUitkomst:
        run_id, run_map = nieuwe_run_map(self.rapporten, f"afnemer-{self.rol.naam}")
        sessiesleutel = "sessie-" + secrets.token_urlsafe(18)
        referentie = None
        doel = self.doel
        if doel.soort == "referentie":
            echte = os.environ.get(_REFERENTIE_VARIABELE) or secrets.token_urlsafe(24)
            referentie = ReferentieLV(api_sleutel=echte, log=run_map / "referentie-lv.log",
                                      data_map=run_map / "referentie-lv")
        else:
            echte = doel.api_sleutel()
        masker = self._masker = Masker([sessiesleutel, echte])
        proxy = None
        exitcode = None
        self._onderbroken = False
        try:
            try:
                proxy = OpnameProxy("http://127.0.0.1:9", run_map / "verkeer.jsonl", masker=masker,
                                    sessiesleutel=sessiesleutel, echte_sleutel=echte,
                                    regisseur=Regie(self.rol.ensceneringen), host_doorgeven=referentie is not None)
                if referentie is not None:
                    self.uit("Referentie-LV starten …")
                    # the reference writes its links for the origin it is told: the proxy's
                    referentie.omgeving["REFERENTIE_LV_ORIGIN"] = proxy.reserveer()
                    doel = doel.met_origin(referentie.start())
                    if self.rol.voorbereiding.get("verzoeken"):
                        _zaai_verzoeken(doel.origin, echte, int(self.rol.voorbereiding["verzoeken"]))
                proxy.upstream = upstream = upstream_van(doel)
                url = proxy.start()
                sessie = {"run_id": run_id, "rol": self.rol.naam, "doel": doel.naam, "proxy": url,
                          "upstream": upstream, "start": time.time(), "opdracht": self.opdracht,
                          "ensceneringen": [e.naam for e in self.rol.ensceneringen]}
                (run_map / "sessie.json").write_text(json.dumps(masker.maskeer(sessie), indent=2,
                                                                ensure_ascii=False), encoding="utf-8")
                self.uit(f"Afnemerssessie {run_id} — rol '{self.rol.naam}' ({self.rol.titel})\n"
                         f"Proxy:       {url}  (basis-URL voor uw client: de diensten onder hun DSO-basispaden)\n"
                         f"Sessie-id:   {run_id}\n"
                         + ("" if self.opdracht else f"Testsleutel: {sessiesleutel}  (header x-api-key)\n")
                         + f"Runmap:      {run_map}")
                exitcode = self._client(url, sessiesleutel, run_map)
            finally:
                if proxy is not None:
                    proxy.stop()
            verkeer = lees_verkeer(run_map / "verkeer.jsonl")
            ctx = Context(self.rol, doel.dienst_urls(), api_sleutel=echte,
                          max_per_seconde=self.max_per_seconde, exitcode=exitcode)
            ctx.onderbroken = self._onderbroken
            oordelen = beoordeel(self.rol, verkeer, ctx)
        finally:
            if referentie is not None:
                referentie.stop()
        self._schrijf(run_map, run_id, masker, verkeer, oordelen)
        return SessieUitkomst(run_map, oordelen, len(verkeer), exitcode, self._onderbroken)

    def _client(self, url: str, sessiesleutel: str, run_map: Path) -> int | None:
        if not self.opdracht:
            wat = f"{self.duur_s:g} s" if self.duur_s else "tot Ctrl-C"
            self.uit(f"De sessie neemt op ({wat}) …")
            try:
                time.sleep(self.duur_s) if self.duur_s else _wacht_voor_altijd()
            except KeyboardInterrupt:
                self.uit("Sessie beëindigd; beoordelen …")
            return None
        env = dict(os.environ, **{BASIS_URL_VARIABELE: url, SESSIE_SLEUTEL_VARIABELE: sessiesleutel,
                                  TEMPO_VARIABELE: f"{self.max_per_seconde or 200:g}"})
        env.pop(_REFERENTIE_VARIABELE, None)  # the client gets only the session key
        self.uit(f"Client: {' '.join(self.opdracht)}")
        with open(run_map / "client.log", "ab") as log:
            with zonder_onderbreking():
                try:
                    proces = subprocess.Popen(self.opdracht, env=env, stdout=log, stderr=subprocess.STDOUT,
                                              start_new_session=True)
                except OSError as e:
                    log.write(f"client niet te starten: {e}\n".encode())
                    return 127
            try:
                return proces.wait(timeout=self.duur_s)
            except KeyboardInterrupt:
                # Ctrl-C/SIGTERM: the client is stopped; what was recorded is still judged
                self._onderbroken = True
                self.uit("Onderbroken: de client wordt gestopt; wat is opgenomen wordt beoordeeld.")
                return None
            except subprocess.TimeoutExpired:
                self.uit(f"De client liep na {self.duur_s:g} s nog; hij wordt gestopt.")
                stop_procesgroep(proces)
                return proces.returncode if proces.returncode is not None else -9
            finally:
                stop_procesgroep(proces)
                _maskeer_bestand(run_map / "client.log", self._masker)

    def _schrijf(self, run_map: Path, run_id: str, masker: Masker, verkeer: list[dict],
                 oordelen: list[tuple[Regel, Oordeel]]) -> None:
        with RecordWriter(run_map / "records" / "run.jsonl", run_id, "run", masker) as run:
            # the run's own bookkeeping, as the orchestrator writes it: the report sees a finished run
            run.schrijf(component="run", onderwerp=f"afnemer {self.rol.naam}", controle="run-start",
                        status="geslaagd", soort="administratie",
                        bericht=f"afnemerssessie gestart voor de rol '{self.rol.naam}' op doel '{self.doel.naam}'",
                        details={"doel": self.doel.naam, "fasen": [FASE], "rol": self.rol.naam})
            run.schrijf(component="run", onderwerp=f"afnemer {self.rol.naam}", controle="run-einde",
                        status="geblokkeerd" if self._onderbroken else "geslaagd",
                        ernst="blokkerend" if self._onderbroken else "informatief", soort="administratie",
                        bericht="de afnemerssessie is onderbroken (Ctrl-C of SIGTERM)" if self._onderbroken
                        else "de afnemerssessie is beoordeeld",
                        details={"uitkomst": "onderbroken" if self._onderbroken else "voltooid"})
        with RecordWriter(run_map / "records" / f"{FASE}.jsonl", run_id, FASE, masker) as w:
            rol = self.rol.rapportrol or self.rol.naam
            if not verkeer:
                w.schrijf(component=self.rol.naam, rol=rol, onderwerp=f"sessie {run_id}", controle="sessie-verkeer",
                          status="geblokkeerd", ernst="blokkerend",
                          bericht="niet getest: de sessie zag geen enkel verzoek van de client, dus er is "
                                  "niets bewezen")
            else:
                w.schrijf(component=self.rol.naam, rol=rol, onderwerp=f"sessie {run_id}", controle="sessie-verkeer",
                          status="geslaagd", soort="administratie",
                          bericht=f"de sessie nam {len(verkeer)} verzoeken op", bewijs=["verkeer.jsonl"],
                          details={"aantal_verzoeken": len(verkeer)})
            for regel, o in oordelen:
                w.schrijf(component=self.rol.naam, rol=rol, onderwerp=regel.titel, controle=regel.id, status=o.status,
                          ernst=regel.ernst if o.status != "geslaagd" else "informatief", bericht=o.bericht,
                          bewijs=[f"verkeer.jsonl#{nr}" for nr in o.bewijs[:50]],
                          details={"regelsoort": regel.soort, "uitwisselingen": o.bewijs[:200], **o.details})


def _maskeer_bestand(pad: Path, masker: Masker) -> None:
    """The client's own output may print its key: the log in the run folder is masked too."""
    if pad.exists():
        tekst = pad.read_bytes().decode("utf-8", errors="replace")
        pad.write_text(masker(tekst), encoding="utf-8")


def _wacht_voor_altijd() -> None:
    while True:
        time.sleep(3600)


def als_tekst(uitkomst: SessieUitkomst) -> str:
    regels = [f"{'regel':<28} {'status':<12} bericht"]
    for regel, o in uitkomst.oordelen:
        regels.append(f"{regel.id:<28} {o.status:<12} {o.bericht}")
    oordeel = "onderbroken" if uitkomst.onderbroken else "geslaagd" if uitkomst.exitcode == 0 else (
        "niet getest" if not uitkomst.aantal_verzoeken else "niet geslaagd")
    regels.append(f"\n{uitkomst.aantal_verzoeken} verzoeken opgenomen. Oordeel voor de rol: {oordeel}.")
    regels.append(f"Runmap: {uitkomst.run_map} (verkeer.jsonl, records/{FASE}.jsonl)")
    return "\n".join(regels)


__all__ = ["Sessie", "SessieUitkomst", "als_tekst"]
