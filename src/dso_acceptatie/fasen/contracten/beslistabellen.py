"""Every activity and every decision-table row the target publishes, against the harness's oracle.

The target publishes its toepasbare regels (Toepasbare regels uitvoeren: ``GET /toepasbare-regels``
with per model its activities, ``GET /toepasbare-regels/{id}`` with its questions). The oracle is
the harness's own copy of the STTR models (``contracts/sttr/``), read and evaluated by the harness's
DMN reader (:mod:`dso_acceptatie.dmn`, shared with the klantreizen phase: one evaluator, and no
phase imports another). Per model the cases are every combination of

- per number question: each threshold value of every table that tests it, and one below and one
  above it (both sides of every threshold, so a threshold shifted by one is caught);
- per yes/no question: both answers; per text question: the values the tables name;

(at most ``MAX_GEVALLEN``; beyond that one case per reachable row plus the boundary variants of
it). Each case goes to ``POST /conclusie/_bepaal`` (or ``/indieningsvereisten/_bepaal``) for each
activity the model is published for, and the answer must equal the oracle's conclusion. One
record per activity × model: ``geslaagd`` when every case agrees, ``gefaald`` (blokkerend) with
the first differing exchange as evidence and the differences in the details. A row no complete
set of answers reaches (a table that tests an unanswered question) is named, never counted as
proof; a published model the oracle does not know is ``overgeslagen``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from dso_acceptatie import dmn
from dso_acceptatie.fasen.contracten.uitvoering import Uitwisseling
from dso_acceptatie.feel import DmnFout

CONTROLE = "dso_toepasbare_regels"
MAX_GEVALLEN = 400                 # per model; beyond this: rows + boundary variants
TYPERINGEN = {"Conclusie": "/conclusie/_bepaal", "Indieningsvereisten": "/indieningsvereisten/_bepaal"}


@dataclass
class Geval:
    antwoorden: dict                # question name -> value
    verwacht: object                # the oracle's conclusion (str, or bool for indieningsvereisten)
    regels: dict[str, int]          # decision -> row number that hit


@dataclass
class Uitkomst:
    activiteit: str
    model: str
    status: str                     # geslaagd | gefaald | overgeslagen | geblokkeerd
    bericht: str
    gevallen: int = 0
    regels_gedekt: int = 0
    regels_totaal: int = 0
    verschillen: list[dict] = field(default_factory=list)
    uitwisseling: Uitwisseling | None = None
    details: dict = field(default_factory=dict)


def gevallen(model: dmn.Model) -> tuple[list[Geval], list[tuple[str, int]]]:
    """The cases for one model, and the (decision, row) pairs no case reaches."""
    # the boundary values: one below and above every number a table compares with (module doc)
    per = dmn.kandidaten_per_vraag(model, buren=True)
    alle: list[Geval] = []
    for antwoorden in dmn.antwoordcombinaties(model, buren=True):
        conclusie, spoor = dmn.evalueer(model, antwoorden)
        if conclusie is not None:
            alle.append(Geval(antwoorden, conclusie, spoor))
    gekozen = alle
    if len(alle) > MAX_GEVALLEN:
        # One case per row, and per number question its boundary values around that case.
        gekozen, gezien = [], set()
        for g in alle:
            nieuw = {(b, n) for b, n in g.regels.items()} - gezien
            if nieuw:
                gekozen.append(g)
                gezien |= nieuw
        extra = []
        for g in list(gekozen):
            for naam, vraag in model.vragen.items():
                if vraag.soort != "number":
                    continue
                for w in per[naam]:
                    antwoorden = {**g.antwoorden, naam: w}
                    conclusie, spoor = dmn.evalueer(model, antwoorden)
                    if conclusie is not None:
                        extra.append(Geval(antwoorden, conclusie, spoor))
        gekozen = (gekozen + extra)[:MAX_GEVALLEN]
    bereikt = {(b, n) for g in gekozen for b, n in g.regels.items()}
    niet = [(b.naam, r.nummer) for b in model.besluiten.values() for r in b.regels
            if (b.naam, r.nummer) not in bereikt]
    return gekozen, niet


def orakel(map_: Path) -> dict[str, dmn.Model]:
    """The oracle's models by name (the name the target publishes as ``naam``)."""
    return {m.naam: m for naam, inhoud in dmn.dmn_bestanden(map_)
            for m in [dmn.lees_model(naam, inhoud)]}


def _uit(r: httpx.Response) -> Uitwisseling:
    return Uitwisseling(r.request.method, str(r.request.url), dict(r.request.headers), r.request.content,
                        r.status_code, dict(r.headers), r.content)


def _gepubliceerd(client: httpx.Client, basis: str, headers: dict) -> list[dict]:
    """Every published toepasbare regel (following the next links)."""
    url: str | None = f"{basis.rstrip('/')}/toepasbare-regels?pageSize=100"
    uit: list[dict] = []
    for _ in range(100):
        if url is None:
            break
        r = client.get(url, headers=headers)
        r.raise_for_status()
        body = r.json()
        uit += (body.get("_embedded") or {}).get("toepasbareRegels") or []
        url = (((body.get("_links") or {}).get("next") or {}).get("href"))
    return uit


def _vergelijk(typering: str, item: dict | None, verwacht) -> tuple[bool, object]:
    if item is None:
        return False, "(geen resultaat voor dit model)"
    conclusie = item.get("conclusie") or {}
    if item.get("status") != "afgerond":
        return False, f"status {item.get('status')!r}"
    if typering == "Indieningsvereisten":
        gekregen = conclusie.get("voldaan")
        return gekregen is bool(verwacht) if isinstance(verwacht, bool) else False, gekregen
    gekregen = conclusie.get("waarde")
    return gekregen == verwacht, gekregen


def controleer(client: httpx.Client, basis: str, headers: dict, map_: Path,
               deadline: float | None = None) -> list[Uitkomst]:
    """Every published activity × model against the oracle (see module docstring)."""
    try:
        modellen = orakel(map_)
    except (DmnFout, OSError) as e:
        return [Uitkomst("-", "orakel", "geblokkeerd", f"het orakel ({map_}) is onleesbaar: {e}")]
    try:
        gepubliceerd = _gepubliceerd(client, basis, headers)
    except (httpx.HTTPError, ValueError) as e:
        return [Uitkomst("-", "toepasbare-regels", "gefaald",
                         f"de gepubliceerde toepasbare regels zijn niet op te halen: {e}")]
    uit: list[Uitkomst] = []
    for tr in gepubliceerd:
        naam, typering = tr.get("naam"), tr.get("typering")
        for activiteit in tr.get("activiteiten") or []:
            if typering not in TYPERINGEN:
                continue   # e.g. Maatregelen: no decision with a conclusion to compare
            model = modellen.get(naam)
            if model is None:
                uit.append(Uitkomst(activiteit, str(naam), "overgeslagen",
                                    "het harnas heeft geen orakel voor dit model (contracts/sttr/); "
                                    "de uitkomsten zijn niet vergeleken"))
                continue
            if deadline is not None and time.monotonic() >= deadline:
                uit.append(Uitkomst(activiteit, naam, "overgeslagen", "tijdsbudget op: niet vergeleken"))
                continue
            uit.append(_een(client, basis, headers, tr, activiteit, model, typering))
    bekend = {tr.get("naam") for tr in gepubliceerd}
    for naam in sorted(set(modellen) - bekend):
        uit.append(Uitkomst("-", naam, "overgeslagen",
                            "dit model uit het orakel publiceert het doel niet; niet vergeleken"))
    return uit


def _een(client: httpx.Client, basis: str, headers: dict, tr: dict, activiteit: str,
         model: dmn.Model, typering: str) -> Uitkomst:
    u = Uitkomst(activiteit, model.naam, "geslaagd", "")
    u.regels_totaal = sum(len(b.regels) for b in model.besluiten.values())
    try:
        lijst, niet = gevallen(model)
    except DmnFout as e:
        u.status, u.bericht = "geblokkeerd", f"het orakel kan dit model niet evalueren: {e}"
        return u
    r = client.get(f"{basis.rstrip('/')}/toepasbare-regels/{tr['identificatie']}", headers=headers)
    vragen = {v.get("naam"): v.get("id") for v in (r.json().get("vragen") or [])} if r.status_code == 200 else {}
    ontbreekt = sorted(set(model.vragen) - set(vragen))
    if ontbreekt:
        u.status, u.uitwisseling = "gefaald", _uit(r)
        u.bericht = (f"het gepubliceerde model mist vragen die de beslistabellen gebruiken: "
                     f"{', '.join(ontbreekt)}")
        return u
    url = basis.rstrip("/") + TYPERINGEN[typering]
    for g in lijst:
        body = {"activiteiten": [activiteit],
                "antwoorden": [{"vraagId": vragen[n], "waarde": w} for n, w in g.antwoorden.items()]}
        r = client.post(url, json=body, headers=headers)
        u.gevallen += 1
        item = None
        if r.status_code == 200:
            item = next((i for i in r.json().get("resultaten") or []
                         if ((i.get("toepasbareRegel") or {}).get("identificatie") == tr["identificatie"])), None)
        goed, gekregen = _vergelijk(typering, item, g.verwacht) if r.status_code == 200 else (
            False, f"HTTP {r.status_code}")
        if goed:
            continue
        if u.uitwisseling is None:
            u.uitwisseling = _uit(r)
        if len(u.verschillen) < 20:
            u.verschillen.append({"antwoorden": g.antwoorden, "verwacht": g.verwacht,
                                  "gekregen": gekregen, "regels": g.regels})
        else:
            u.verschillen.append({})   # counted, not listed
    u.regels_gedekt = len({(b, n) for g in lijst for b, n in g.regels.items()})
    fout = u.verschillen
    u.details = {"gevallen": u.gevallen, "regels_gedekt": u.regels_gedekt, "regels_totaal": u.regels_totaal,
                 "niet_bereikbaar": [f"{b} regel {n}" for b, n in niet],
                 "verschillen": [v for v in fout if v][:20], "aantal_verschillen": len(fout),
                 "typering": typering, "toepasbare_regel": tr["identificatie"]}
    onbereikbaar = (f"; {len(niet)} regel(s) met geen enkele volledige set antwoorden te bereiken "
                    f"({', '.join(f'{b} regel {n}' for b, n in niet)}), dus niet vergeleken") if niet else ""
    if fout:
        eerste = fout[0]
        u.status = "gefaald"
        u.bericht = (f"{len(fout)} van {u.gevallen} gevallen wijken af van de beslistabellen; bijvoorbeeld "
                     f"antwoorden {eerste['antwoorden']}: verwacht {eerste['verwacht']!r} "
                     f"(regels {eerste['regels']}), kreeg {eerste['gekregen']!r}{onbereikbaar}")
    else:
        u.bericht = (f"alle {u.gevallen} gevallen gelijk aan de beslistabellen ({u.regels_gedekt} van "
                     f"{u.regels_totaal} regels, elke drempel aan beide kanten){onbereikbaar}")
    return u
