"""The leveringen phase: validate configured deliveries and compare with the expected outcome.

Part 1, a self-check of the validator (``details.zelfcontrole``): on the referentie target it
runs the sample set of ``contracts/leveringen/leveringen.toml``
(the real Gemeentestad delivery, STTR packages, IMRO test files with their official expected
outcome, derived mutations and generated attacks). A record per delivery says whether the
validator reached the expected verdict: an expected "afgekeurd" delivery that is rejected is a
passing check. Other targets: a vendor's own set via ``DSO_LEVERINGEN_CONFIG`` (same format);
without it the phase records why it skipped.

Part 2 tests the *target*: when it names an intake (``intake`` in doelen.toml) and is not
read-only, the chain of ``leveringen/keten.py`` delivers valid and invalid Gemeentestad copies
through it and checks the outcome, the codes, and what Presenteren serves afterwards. On a
read-only target (``prod``) it never delivers: recorded as overgeslagen with the reason.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import time
import tomllib
import traceback
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx

from dso_acceptatie import tempo
from dso_acceptatie.fasen.basis import FaseContext
from dso_acceptatie.leveringen import aanvallen, keten, veilig
from dso_acceptatie.leveringen.levering import valideer
from dso_acceptatie.leveringen.model import FOUT, NIET_UITGEVOERD, SOORT_NAAM, SOORTEN
from dso_acceptatie.leveringen.paden import project
from dso_acceptatie.leveringen.veilig import InvoerFout

VERWACHTINGEN = ("goedgekeurd", "afgekeurd", "geweigerd")
ROL = {"stop": "plansoftware", "tpod": "plansoftware", "imro": "plansoftware",
       "sttr": "toepasbare-regelsoftware"}


class ConfigFout(Exception):
    pass


@dataclass
class Geval:
    naam: str
    verwacht: str | None     # None: a vendor's delivery, judged on its own findings
    pad: Path | None = None
    peildatum: date | None = None
    soort: str | None = None
    codes: list[str] = field(default_factory=list)
    zonder_codes: list[str] = field(default_factory=list)
    regelset: str | None = None
    mutatie: dict | None = None
    aanval: str | None = None
    basis: list[Path] = field(default_factory=list)


def lees_config(pad: Path) -> list[Geval]:
    try:
        data = tomllib.loads(pad.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigFout(f"{pad}: niet te lezen: {e}") from None
    gevallen = []
    for i, item in enumerate(data.get("levering", []), 1):
        waar = f"{pad.name}, levering {i} ({item.get('naam', '?')})"
        onbekend = set(item) - {"naam", "pad", "verwacht", "peildatum", "soort", "codes",
                                "regelset", "mutatie", "aanval", "zonder_codes", "basis"}
        if onbekend:
            raise ConfigFout(f"{waar}: onbekende sleutel(s) {', '.join(sorted(onbekend))}")
        if "verwacht" in item and item["verwacht"] not in VERWACHTINGEN:
            raise ConfigFout(f"{waar}: 'verwacht' moet een van {', '.join(VERWACHTINGEN)} zijn")
        if bool(item.get("pad")) == bool(item.get("aanval")):
            raise ConfigFout(f"{waar}: geef precies één van 'pad' of 'aanval'")
        if item.get("aanval") and item["aanval"] not in aanvallen.AANVALLEN:
            raise ConfigFout(f"{waar}: onbekende aanval {item['aanval']!r}; kies uit "
                             f"{', '.join(aanvallen.AANVALLEN)}")
        if item.get("soort") and item["soort"] not in SOORTEN:
            raise ConfigFout(f"{waar}: onbekende soort {item['soort']!r}")
        peildatum = item.get("peildatum")
        if isinstance(peildatum, str):
            try:
                peildatum = date.fromisoformat(peildatum)
            except ValueError:
                raise ConfigFout(f"{waar}: peildatum {peildatum!r} is geen JJJJ-MM-DD") from None
        pad_ = (pad.parent / item["pad"]) if item.get("pad") else None
        if pad_ is not None and not pad_.exists():
            raise ConfigFout(f"{waar}: pad {pad_} bestaat niet")
        basis = [pad.parent / b for b in item.get("basis", [])]
        for b in basis:
            if not b.is_dir():
                raise ConfigFout(f"{waar}: basis {b} is geen map")
        gevallen.append(Geval(item.get("naam", f"levering {i}"), item.get("verwacht"), pad_, peildatum,
                              item.get("soort"), list(item.get("codes", [])),
                              list(item.get("zonder_codes", [])), item.get("regelset"),
                              item.get("mutatie"), item.get("aanval"), basis))
    return gevallen


def _bereid_voor(g: Geval, tmp: Path) -> Path:
    """The path to validate: the sample itself, a derived mutated copy, or a generated attack."""
    if g.aanval:
        return aanvallen.AANVALLEN[g.aanval](tmp)
    if not g.mutatie:
        return g.pad
    kopie = tmp / "kopie"
    if g.pad.is_dir():
        shutil.copytree(g.pad, kopie)
    elif g.pad.suffix.lower() == ".zip":
        veilig.pak_zip_uit(g.pad, kopie, g.pad.name, veilig.Teller(veilig.STANDAARD))
    else:
        kopie.mkdir()
        shutil.copyfile(g.pad, kopie / g.pad.name)
    for m in g.mutatie if isinstance(g.mutatie, list) else [g.mutatie]:
        doel = kopie / m["bestand"]
        tekst = doel.read_text(encoding="utf-8")
        if m["zoek"] not in tekst:
            raise ConfigFout(f"mutatie van '{g.naam}': tekst niet gevonden in {m['bestand']}")
        doel.write_text(tekst.replace(m["zoek"], m["vervang"], -1 if m.get("alle") else 1), encoding="utf-8")
    return kopie


def _slug(tekst: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", tekst.lower()).strip("-")[:60]


def controleer(g: Geval, bewijs_map: Path) -> dict:
    """Validate one case; returns the record fields."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="dso-fase-levering-") as tmp:
        pad = _bereid_voor(g, Path(tmp))
        try:
            u = valideer(pad, peildatum=g.peildatum, soort=g.soort, basis=g.basis)
            uitkomst, gegevens = u.oordeel, u.als_dict()
        except InvoerFout as e:
            u = None
            uitkomst = "geweigerd"
            gegevens = {"oordeel": "geweigerd", "bestand": e.bestand, "regel": e.regel,
                        "kolom": e.kolom, "bericht": e.bericht}
    duur = (time.perf_counter() - start) * 1000
    bestand = bewijs_map / f"{_slug(g.naam)}.json"
    bestand.write_text(json.dumps(gegevens, ensure_ascii=False, indent=2), encoding="utf-8")
    if g.verwacht is None:
        return _conformiteit(g, u, gegevens, duur, bestand)
    redenen = []
    if uitkomst != g.verwacht:
        redenen.append(f"uitkomst {uitkomst}, verwacht {g.verwacht}")
    codes = u.codes() if u else set()
    ontbrekend = [c for c in g.codes if c not in codes]
    if ontbrekend:
        redenen.append(f"verwachte code(s) ontbreken: {', '.join(ontbrekend)}")
    onterecht = [c for c in g.zonder_codes if c in codes]
    if onterecht:
        redenen.append(f"code(s) die niet mochten voorkomen: {', '.join(onterecht)}")
    if g.regelset and u and not any(r.naam == g.regelset and r.toegepast for r in u.regelsets):
        redenen.append(f"regelset '{g.regelset}' niet toegepast (wel: "
                       f"{', '.join(r.naam for r in u.regelsets if r.toegepast)})")
    # A rule set that could not run proves nothing, even when the verdict is the expected
    # "afgekeurd": blocked, unless the case is about exactly that (its codes name it).
    niet = u.niet_uitgevoerd() if u and NIET_UITGEVOERD not in g.codes else []
    if u:
        fouten = [b for b in u.bevindingen if b.ernst == FOUT]
        kern = f"{u.oordeel} ({len(fouten)} fout(en), {len(u.bevindingen)} bevinding(en)"
        if fouten:
            kern += f"; o.a. {fouten[0].code} in {fouten[0].plaats()}"
        kern += "); regelsets: " + "; ".join(
            f"{r.naam}{'' if r.toegepast else ' (niet toegepast)'}" for r in u.regelsets)
    else:
        kern = f"geweigerd: {gegevens['bericht']} ({gegevens.get('bestand') or '?'})"
    soorten = u.soorten if u else []
    if niet:
        status, ernst = "geblokkeerd", "blokkerend"
        bericht = ("Niet te beoordelen: " + "; ".join(f"{b.regelset} kon niet draaien op "
                                                     f"{b.bestand or 'de levering'}" for b in niet[:5])
                   + (f" (en nog {len(niet) - 5})" if len(niet) > 5 else "")
                   + (f". Ook: {'; '.join(redenen)}" if redenen else "") + f". Uitkomst: {kern}")
    elif redenen:
        status, ernst = "gefaald", "ernstig"
        bericht = f"Afwijking: {'; '.join(redenen)}. Uitkomst: {kern}"
    else:
        status, ernst = "geslaagd", "informatief"
        bericht = f"Verwacht {g.verwacht}, gekregen: {kern}"
    return [{
        "component": (", ".join(SOORT_NAAM[s] for s in soorten)
                      or ("Leveringen-validator: veiligheid" if g.aanval else "Leveringen-validator")),
        "onderwerp": g.naam,
        "controle": "verwachte-uitkomst",
        "status": status,
        "ernst": ernst,
        "bericht": bericht,
        "duur_ms": duur,
        "rol": ROL.get(soorten[0]) if len(soorten) == 1 else None,
        # a sample with a known outcome checks the validator itself, not the target
        "details": {"zelfcontrole": True, "verwacht": g.verwacht, "uitkomst": uitkomst,
                    "peildatum": (u.peildatum if u else None), "codes": sorted(codes)[:50],
                    "verwachte_codes": g.codes, "soorten": soorten,
                    "regelsets": [{"naam": r.naam, "toegepast": r.toegepast,
                                   "toelichting": r.toelichting} for r in (u.regelsets if u else [])],
                    "mutatie": bool(g.mutatie), "aanval": g.aanval},
        "bewijs_bestand": bestand,
    }]


ERNST_RECORD = {FOUT: "blokkerend", "waarschuwing": "hinderlijk", "informatief": "informatief"}
MAX_BEVINDINGEN = 200


def conformiteit_records(naam: str, u, gegevens: dict, duur: float, bestand: Path) -> list[dict]:
    """The records of a vendor's delivery (also ``levering --json``): verdict + one per finding."""
    return _conformiteit(Geval(naam, None), u, gegevens, duur, bestand)


def _conformiteit(g: Geval, u, gegevens: dict, duur: float, bestand: Path) -> list[dict]:
    """A vendor's delivery: one verdict record plus one record per finding (fout/waarschuwing)."""
    soorten = u.soorten if u else []
    rol = ROL.get(soorten[0]) if len(soorten) == 1 else None
    component = ", ".join(SOORT_NAAM[s] for s in soorten) or "Leveringen"
    if u is None:
        return [{"component": component, "onderwerp": g.naam, "controle": "conformiteit",
                 "status": "gefaald", "ernst": "blokkerend", "duur_ms": duur, "rol": rol,
                 "bericht": f"Levering geweigerd: {gegevens['bericht']} "
                            f"({gegevens.get('bestand') or '?'})",
                 "details": gegevens, "bewijs_bestand": bestand}]
    regelsets = "; ".join(f"{r.naam}{'' if r.toegepast else ' (niet toegepast)'}"
                          for r in u.regelsets)
    uit = [{"component": component, "onderwerp": g.naam, "controle": "conformiteit",
            "status": "geslaagd" if u.geldig else "gefaald",
            "ernst": "informatief" if u.geldig else "blokkerend", "duur_ms": duur, "rol": rol,
            "bericht": f"{u.oordeel}: {u.aantal(FOUT)} fout(en), {u.aantal('waarschuwing')} "
                       f"waarschuwing(en); regelsets: {regelsets}",
            "details": {"oordeel": u.oordeel, "peildatum": u.peildatum, "soorten": soorten,
                        "regelsets": [{"naam": r.naam, "toegepast": r.toegepast,
                                       "toelichting": r.toelichting} for r in u.regelsets]},
            "bewijs_bestand": bestand}]
    niet = u.niet_uitgevoerd()
    if niet:
        uit[0]["bericht"] += (f"; {len(niet)} keer kon een regelset niet draaien, dus niet alles is "
                              "gecontroleerd")
    # Rule sets that could not run first, so the record limit never hides them.
    relevant = niet + [b for b in u.bevindingen if b.ernst in (FOUT, "waarschuwing")
                       and not (b.code == NIET_UITGEVOERD and b.ernst == FOUT)]
    for b in relevant[:MAX_BEVINDINGEN]:
        geblokkeerd = b.code == NIET_UITGEVOERD and b.ernst == FOUT
        uit.append({"component": SOORT_NAAM.get(b.soort, component),
                    "onderwerp": f"{g.naam}: {b.bestand or 'levering'}", "controle": b.code,
                    "status": "geblokkeerd" if geblokkeerd else "gefaald",
                    "ernst": ERNST_RECORD[b.ernst], "rol": ROL.get(b.soort, rol),
                    "bericht": f"{b.plaats()}: {b.bericht}", "details": b.als_dict(),
                    "bewijs_bestand": bestand})
    if len(relevant) > MAX_BEVINDINGEN:
        uit[0]["bericht"] += (f" (records voor de eerste {MAX_BEVINDINGEN} van {len(relevant)} "
                              "bevindingen; alle staan in het bewijsbestand)")
    return uit


KETEN = "LVBB aanleveren (doel)"


def _keten_record(w, ctx: FaseContext, g: keten.Geval, **velden) -> None:
    w.schrijf(component=KETEN, onderwerp=g.naam, rol=None, **velden)


def keten_door_doel(ctx: FaseContext, w) -> None:
    """Part 2: deliveries through the target's intake, checked in Presenteren."""
    if ctx.doel.alleen_lezen:
        w.schrijf(component=KETEN, onderwerp="aanleveren", controle="levering-door-doel",
                  status="overgeslagen",
                  bericht=f"Doel '{ctx.doel.naam}' is alleen-lezen: de fase levert hier nooit iets aan.")
        return
    presenteren = ctx.doel.diensten.get("presenteren")
    if not ctx.doel.intake or not presenteren:
        w.schrijf(component=KETEN, onderwerp="aanleveren", controle="levering-door-doel",
                  status="overgeslagen",
                  bericht=f"Doel '{ctx.doel.naam}' noemt geen "
                          f"{'intake' if not ctx.doel.intake else 'Presenteren-dienst'}: er is niets "
                          "aangeleverd. Zet 'intake' (URL of pad op de origin) in doelen.toml om leveringen "
                          "als keten door het doel te testen.")
        return
    werk, lijst = keten.gevallen(ctx.run_id)
    begrenzer = tempo.Begrenzer(ctx.doel.max_verzoeken_per_seconde)
    client = keten.Intake(ctx.doel.intake, presenteren, ctx.api_sleutel, wacht=begrenzer.wacht)
    map_ = ctx.bewijs_map / "keten"
    map_.mkdir(exist_ok=True)
    try:
        for i, g in enumerate(lijst, 1):
            ctx.voortgang(i - 1, len(lijst), "aanleveringen")
            _keten_geval(ctx, w, client, werk, g, map_ / f"{i:02d}-{_slug(g.naam)}.json")
        ctx.voortgang(len(lijst), len(lijst), "aanleveringen")
    finally:
        client.close()


def _keten_geval(ctx: FaseContext, w, client: keten.Intake, werk: str, g: keten.Geval, bewijs: Path) -> None:
    rel = [str(bewijs.relative_to(ctx.run_map))]
    try:
        voor = client.stand(werk) if g.verwacht == "afgewezen" else None
        inhoud = g.ruw() if g.ruw else keten.zip_van(keten.VOORBEELDEN / g.bron, g.vervang)
        item = client.lever(inhoud)
    except (keten.KetenFout, httpx.HTTPError, ValueError) as e:
        _keten_record(w, ctx, g, controle="aanlevering-uitkomst", status="geblokkeerd", ernst="blokkerend",
                      bericht=f"Niet te beoordelen: {e}")
        return
    bewijs.write_text(json.dumps(item, ensure_ascii=False, indent=2), encoding="utf-8")
    codes = sorted({b.get("code") for b in (item.get("verslag") or {}).get("bevindingen") or []} - {None})
    redenen = []
    if item.get("status") != g.verwacht:
        redenen.append(f"status {item.get('status')}, verwacht {g.verwacht}")
    ontbrekend = [c for c in g.codes if c not in codes]
    if ontbrekend:
        redenen.append(f"verwachte code(s) ontbreken: {', '.join(ontbrekend)}")
    historie = [h.get("status") for h in item.get("historie") or []]
    if item.get("_http"):
        historie = [f"HTTP {item['_http']} (meteen geweigerd)"]
    elif historie[:1] != ["ontvangen"] or historie[-1:] != [item.get("status")]:
        redenen.append(f"statusverloop {' → '.join(map(str, historie))} begint niet bij ontvangen of "
                       "eindigt niet bij de eindstatus")
    details = {"verwacht": g.verwacht, "status": item.get("status"), "codes": codes,
               "verwachte_codes": g.codes, "historie": historie, "duur_s": round(item["_duur_s"], 3),
               "toelichting": g.toelichting}
    _keten_record(w, ctx, g, controle="aanlevering-uitkomst", status="gefaald" if redenen else "geslaagd",
                  ernst="ernstig" if redenen else "informatief", duur_ms=item["_duur_s"] * 1000, bewijs=rel,
                  details=details,
                  bericht=(f"Afwijking: {'; '.join(redenen)}" if redenen else
                           f"{item.get('status')} zoals verwacht" + (f" met {', '.join(codes)}" if codes else "")
                           + f" na {item['_duur_s']:.2f} s"))
    try:
        if g.verwacht == "afgewezen":
            na = client.stand(werk)
            gelijk = na == voor
            _keten_record(w, ctx, g, controle="presenteren-ongewijzigd",
                          status="geslaagd" if gelijk else "gefaald", ernst="informatief" if gelijk else "ernstig",
                          bewijs=rel, details={"peildata": list(keten.PEILDATA)},
                          bericht="Presenteren serveert na de afgewezen levering hetzelfde als ervoor "
                                  f"(regelingen op {', '.join(keten.PEILDATA)} en vandaag)" if gelijk else
                                  "Presenteren serveert na een afgewezen levering iets anders dan ervoor")
            return
        if item.get("status") != "geaccepteerd":
            _keten_record(w, ctx, g, controle="presenteren-zichtbaar", status="geblokkeerd", ernst="blokkerend",
                          bewijs=rel, bericht="Niet te controleren: de levering is niet geaccepteerd.")
            return
        fout = []
        gezien = []
        for dag, expressie in g.zichtbaar:
            status, gekregen = client.regeling(werk, dag)
            gezien.append({"geldigOp": dag, "http": status, "expressieIdentificatie": gekregen,
                           "verwacht": expressie})
            if (expressie is None and status != 404) or (expressie is not None and gekregen != expressie):
                fout.append(f"op {dag}: HTTP {status} {gekregen or ''}, verwacht "
                            f"{expressie or '404 (niet geldig)'}")
        _keten_record(w, ctx, g, controle="presenteren-zichtbaar", status="gefaald" if fout else "geslaagd",
                      ernst="ernstig" if fout else "informatief", bewijs=rel,
                      details={"regeling": werk, "opvragingen": gezien},
                      bericht=("Presenteren wijkt af: " + "; ".join(fout)) if fout else
                      "Presenteren serveert " + "; ".join(
                          f"op {x['geldigOp']} {x['expressieIdentificatie'] or 'niets (404)'}" for x in gezien))
    except (keten.KetenFout, httpx.HTTPError, ValueError) as e:
        _keten_record(w, ctx, g, controle="presenteren-zichtbaar" if g.verwacht == "geaccepteerd"
                      else "presenteren-ongewijzigd", status="geblokkeerd", ernst="blokkerend", bewijs=rel,
                      bericht=f"Niet te controleren: {e}")


def main(argv: list[str] | None = None) -> int:
    ctx = FaseContext.uit_argumenten("leveringen", argv)
    eigen = os.environ.get("DSO_LEVERINGEN_CONFIG")
    with ctx.writer as w:
        zelfcontrole(ctx, w, eigen)
        keten_door_doel(ctx, w)
    return 0


def zelfcontrole(ctx: FaseContext, w, eigen: str | None) -> None:
    """Part 1: the validator on the project's own samples (or a vendor's set)."""
    if eigen:
        config = Path(eigen)
    elif ctx.doel.soort == "referentie":
        config = project() / "contracts" / "leveringen" / "leveringen.toml"
    else:
        w.schrijf(component="Leveringen-validator", onderwerp="leveringen",
                  controle="leveringen-beschikbaar", status="overgeslagen",
                  bericht="Op dit doel zijn geen leveringen geconfigureerd. Valideer een "
                          "levering met 'dso-acceptatie levering PAD', of zet "
                          "DSO_LEVERINGEN_CONFIG op een TOML-bestand met [[levering]]-items.")
        return
    try:
        gevallen = lees_config(config)
    except ConfigFout as e:
        w.schrijf(component="Leveringen-validator", onderwerp=str(config),
                  controle="leveringen-config", status="geblokkeerd", ernst="blokkerend",
                  bericht=f"Configuratiefout: {e}")
        return
    for g in gevallen:
        try:
            r = controleer(g, ctx.bewijs_map)
        except ConfigFout as e:
            w.schrijf(component="Leveringen-validator", onderwerp=g.naam,
                      controle="verwachte-uitkomst", status="geblokkeerd", ernst="blokkerend",
                      bericht=f"Configuratiefout: {e}")
            continue
        except Exception as e:  # noqa: BLE001 -- a validator crash is a finding about the validator
            traceback.print_exc(file=sys.stderr)
            w.schrijf(component="Leveringen-validator", onderwerp=g.naam,
                      controle="verwachte-uitkomst", status="gefaald", ernst="ernstig",
                      bericht=f"De validator liep vast: {type(e).__name__}: {e}")
            continue
        for rec in r:
            bestand = rec.pop("bewijs_bestand")
            w.schrijf(**rec, bewijs=[str(bestand.relative_to(ctx.run_map))])
        print(f"{r[0]['status']:<9} {g.naam}", flush=True)
