"""Zelftest: prove the harness rejects a wrong system and accepts a right one (mutation testing
of the harness).

One clean run against the reference LV, then one run per mutation, each restricted to the phase
that should catch it. A mutation counts as *gedood* only when its run ends in ``afwijzen``; a
finding within the norm (a ``hinderlijk`` the criteria allow) is GEMIST, just as a run that was
blocked, not tested or interrupted. The clean run must be ``accepteren`` with no failed check
above ``informatief``. Exit code 0 only when both hold.

This first slice uses the reference LV's own fault switches (``referentie_lv.fouten``) as
mutations; a mutating proxy in front of any target is still to come (see README, "Zelftest").
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from dso_acceptatie.criteria import Criteria
from dso_acceptatie.doelen import Doel

SCHOON = "(schoon)"
AFWIJZEN = "afwijzen"
ACCEPTEREN = "accepteren"


@dataclass(frozen=True)
class Mutatie:
    naam: str            # the reference fault switch, as `run --fouten` takes it
    fase: str            # the phase that should reject it
    snel: bool = False   # part of `zelftest --snel` (a few mutations, one per phase)


# The one list of mutations the zelftest applies, with the phase expected to reject each.
MUTATIES: tuple[Mutatie, ...] = (
    Mutatie("geen-api-version", "contracten"),
    Mutatie("fout-content-type", "contracten"),
    Mutatie("schema-schending", "contracten"),
    Mutatie("authenticatie-genegeerd", "contracten"),
    Mutatie("503-deel", "contracten"),
    Mutatie("kapotte-paginering", "contracten"),
    Mutatie("verkeerde-conclusie", "contracten"),
    Mutatie("traag:locatieserver", "contracten"),
    Mutatie("verschoven-drempel", "contracten"),
    Mutatie("verwisselde-conclusie:nl.imow-gm0297.activiteit.2019000810", "contracten"),   # kappen van een boom
    Mutatie("loket-label-ontbreekt", "klantreizen"),
    Mutatie("loket-lang-ontbreekt", "klantreizen"),
    Mutatie("loket-conclusie-omgedraaid", "klantreizen"),
    Mutatie("loket-aanvragen-link-kapot", "klantreizen"),
)

# Settings that make the contract phase take seconds (fewer generated examples, no Node lint);
# only with --snel, and recorded in the zelftest report so nobody mistakes it for a full run.
SNELLE_OMGEVING = {"DSO_CONTRACTEN_VOORBEELDEN": "2", "DSO_CONTRACTEN_ADR": "0"}
# --snel: the klantreizen phase on one journey that visits every kind of loket page briefly
SNELLE_KLANTREIZEN = {"DSO_KLANTREIZEN_SELECTIE": "klantreis-omgevingsloket"}
# --snel through the proxy: every service of the reference except the intake (the leveringen
# phase's, not the contract phase's). Since the contract phase accepts a documented 422 for a
# refusal on content, the control run is clean on all of them.
SNELLE_DIENSTEN = ("presenteren", "geometrieopvragen", "uitvoeren", "catalogus", "verzoeken-indienen",
                   "verzoeken-afhandelen", "locatieserver", "regels-bij-activiteiten")


@dataclass
class Uitslag:
    mutatie: str                     # "(schoon)" for the clean run
    fase: str
    oordeel: str
    gedood: bool                     # clean run: accepted and clean; mutation: rejected
    afgewezen_door: list[str] = field(default_factory=list)   # "fase/controle (n)" that count against
    boven_informatief: int = 0       # failed checks above informatief (clean run must have 0)
    run_map: str = ""
    duur_s: float = 0.0
    redenen: list[str] = field(default_factory=list)
    schoon: bool = False             # a control run (clean), not a mutation
    toegepast: int | None = None     # proxy mutations: exchanges changed (None: a fault switch)
    binnen_norm: list[str] = field(default_factory=list)   # found, but allowed: "fase/controle (n, ernst)"


def kies_mutaties(snel: bool, fasen: list[str] | None, namen: list[str] | None = None) -> list[Mutatie]:
    """The fault-switch mutations to apply: named ones (``--mutatie``), else all (none with --snel,
    which uses proxy mutations only); restricted to the chosen phases."""
    return [m for m in MUTATIES if (m.naam in namen if namen else not snel)
            and (not fasen or m.fase in fasen)]


def kies_proxy_mutaties(snel: bool, fasen: list[str] | None, namen: list[str] | None = None) -> list[type]:
    """The proxy mutations, chosen the same way (--snel: the ones marked ``snel``)."""
    from dso_acceptatie.zelftest import proxy

    return [k for k in proxy.MUTATIES if (k.naam in namen if namen else (k.snel or not snel))
            and (not fasen or k.fase in fasen)]


def alle_namen() -> list[str]:
    from dso_acceptatie.zelftest import proxy

    return [m.naam for m in MUTATIES] + [k.naam for k in proxy.MUTATIES]


def mutatietabel() -> str:
    """The one list of mutations as a Markdown table (README section "Zelftest")."""
    from dso_acceptatie.zelftest import proxy

    regels = ["| mutatie | soort | fase | wat verandert | --snel |", "|---|---|---|---|---|"]
    for k in proxy.MUTATIES:
        regels.append(f"| `{k.naam}` | {k.groep} (proxy) | {k.fase} | {k.beschrijving} | {'ja' if k.snel else ''} |")
    for m in MUTATIES:
        regels.append(f"| `{m.naam}` | fout van de referentie-LV | {m.fase} | {_fout_beschrijving(m.naam)} | |")
    return "\n".join(regels)


def _fout_beschrijving(naam: str) -> str:
    try:
        from referentie_lv.fouten import FOUTEN
    except ImportError:  # pragma: no cover - the reference ships in the same distribution
        return ""
    basis = naam.split(":")[0]
    return next((f.beschrijving for f in FOUTEN if f.naam == basis), "")


def afwijzende_controles(bevindingen: list[dict], criteria: Criteria) -> tuple[list[str], int]:
    """Which phase/check made the verdict: failed checks over a severity maximum (and blocked checks
    when blocking rejects), counted per fase/controle; and how many failed above informatief."""
    telling: Counter = Counter()
    boven = 0
    for r in bevindingen:
        if r.get("_zelf") or r.get("_bekend") or r.get("soort") == "administratie":
            continue
        ernst, status = r.get("ernst"), r.get("status")
        if status in ("gefaald", "geblokkeerd", "instabiel") and ernst != "informatief":
            boven += 1
        telt = ((status == "gefaald" and criteria.maxima.get(ernst, -1) >= 0)
                or (status == "geblokkeerd" and criteria.geblokkeerd == "afwijzen")
                or (status == "instabiel" and criteria.instabiel == "afwijzen"))
        if telt:
            telling[f"{r.get('fase')}/{r.get('controle')}"] += 1
    return [f"{sleutel} ({n})" for sleutel, n in telling.most_common()], boven


def binnen_de_norm(bevindingen: list[dict], criteria: Criteria) -> list[str]:
    """What a run found that the criteria allow (a finding is not a rejection): failed, blocked or
    unstable checks above informatief that did not count against the verdict."""
    telling: Counter = Counter()
    for r in bevindingen:
        if r.get("_zelf") or r.get("_bekend") or r.get("soort") == "administratie":
            continue
        ernst, status = r.get("ernst"), r.get("status")
        if status not in ("gefaald", "geblokkeerd", "instabiel") or ernst == "informatief":
            continue
        telt = ((status == "gefaald" and criteria.maxima.get(ernst, -1) >= 0)
                or (status == "geblokkeerd" and criteria.geblokkeerd == "afwijzen")
                or (status == "instabiel" and criteria.instabiel == "afwijzen"))
        if not telt:
            telling[(f"{r.get('fase')}/{r.get('controle')}", status if status != "gefaald" else ernst)] += 1
    return [f"{sleutel} ({n}, {wat})" for (sleutel, wat), n in telling.most_common()]


def _run(doel: Doel, fasen: list[str], fouten: str, rapporten: Path, criteria: Criteria,
         log: Callable[[str], object]) -> tuple[str, list[str], list[str], int, Path, list[str]]:
    from dso_acceptatie.run import Orkestrator

    doel_kopie = replace(doel, fasen=list(fasen))
    uitkomst = Orkestrator(doel_kopie, rapporten=rapporten, criteria=criteria, fouten=fouten,
                           meld=log).voer_uit()
    model = uitkomst.rapport.model
    door, boven = afwijzende_controles(model.bevindingen, criteria)
    return (model.oordeel, list(model.redenen), door, boven, uitkomst.run_map,
            binnen_de_norm(model.bevindingen, criteria))


def _volgorde(fasen) -> list[str]:
    from dso_acceptatie.doelen import FASEN

    return sorted(set(fasen), key=list(FASEN).index)


def voer_uit(doel: Doel, *, rapporten: Path, criteria: Criteria, snel: bool, fasen: list[str] | None,
             namen: list[str] | None = None,
             uit: Callable[[str], object] = print) -> tuple[list[Uitslag], Path]:
    """The clean run(s) and one run per chosen mutation; the results and the zelftest folder.

    Fault switches (reference only) follow a clean run straight against the reference; proxy
    mutations follow one control run through the proxy without mutation, over the phases they
    need. A target other than the reference gets proxy mutations only."""
    from dso_acceptatie.zelftest import proxy

    stempel = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    map_ = rapporten / "zelftest" / stempel
    map_.mkdir(parents=True, exist_ok=True)
    logbestand = (map_ / "zelftest.log").open("a", encoding="utf-8")
    start_alles = time.monotonic()

    def log(tekst: str) -> None:
        logbestand.write(tekst + "\n")
        logbestand.flush()

    referentie = doel.soort == "referentie"
    mutaties = kies_mutaties(snel, fasen, namen) if referentie else []
    proxy_mutaties = [k for k in kies_proxy_mutaties(snel, fasen, namen) if k.fase in doel.fasen]
    runs = map_ / "runs"
    taken: list[tuple[str, str, bool, Callable]] = []
    if mutaties:
        schone_fasen = _volgorde(m.fase for m in mutaties)
        taken.append((SCHOON, ", ".join(schone_fasen), True,
                      lambda: (*_run(doel, schone_fasen, "", runs, criteria, log), None)))
    for m in mutaties:
        taken.append((m.naam, m.fase, False,
                      lambda m=m: (*_run(doel, [m.fase], m.naam, runs, criteria, log), None)))
    if proxy_mutaties:
        proxy_fasen = _volgorde(k.fase for k in proxy_mutaties)
        for klasse in (proxy.Mutatie, *proxy_mutaties):
            run_fasen = proxy_fasen if klasse is proxy.Mutatie else [klasse.fase]

            def via_proxy(klasse=klasse, run_fasen=run_fasen):
                uitkomst, toegepast = proxy.draai(
                    klasse, map_ / "proxy", doel=doel, diensten=SNELLE_DIENSTEN if snel else None,
                    voer_uit=lambda d: _run(d, run_fasen, "", runs, criteria, log))
                return (*uitkomst, toegepast)
            taken.append((klasse.naam, ", ".join(run_fasen), klasse is proxy.Mutatie, via_proxy))
    omgeving = {**SNELLE_OMGEVING, **SNELLE_KLANTREIZEN} if snel else {}
    oude_omgeving = {k: os.environ.get(k) for k in omgeving}
    os.environ.update(omgeving)
    beperking = {**omgeving, "diensten via de proxy": ", ".join(SNELLE_DIENSTEN)} if snel else {}
    uitslagen: list[Uitslag] = []
    try:
        for naam, fase, schoon, taak in taken:
            uit(f"Zelftest: {naam} — fase {fase} …")
            start = time.monotonic()
            oordeel, redenen, door, boven, run_map, binnen, toegepast = taak()
            gedood = (oordeel == ACCEPTEREN and boven == 0) if schoon else oordeel == AFWIJZEN
            if toegepast == 0 and not schoon:
                gedood = False   # a mutation that changed nothing proves nothing
            u = Uitslag(naam, fase, oordeel, gedood, door, boven, str(run_map),
                        round(time.monotonic() - start, 1), redenen, schoon, toegepast, binnen)
            uitslagen.append(u)
            uit(f"  {oordeel} in {u.duur_s:.1f} s — {uitslag_van(u)}")
    finally:
        for k, v in oude_omgeving.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        logbestand.close()
    schrijf_verslag(map_, uitslagen, snel, doel=doel.naam, duur_s=round(time.monotonic() - start_alles, 1),
                    omgeving=beperking)
    return uitslagen, map_


def uitslag_van(u: Uitslag) -> str:
    """What the table says: schoon / NIET SCHOON for a control run; gedood, GEMIST or niet toegepast."""
    if u.schoon:
        if u.gedood:
            return "schoon"
        if u.oordeel != ACCEPTEREN:
            return f"NIET SCHOON ({u.oordeel})"
        return f"NIET SCHOON ({u.boven_informatief} boven informatief)"
    if u.toegepast == 0:
        return "niet toegepast"
    return "gedood" if u.gedood else "GEMIST"


def score(uitslagen: list[Uitslag]) -> tuple[int, int]:
    """Killed of applied mutations (a mutation applied 0 times counts neither way)."""
    mutaties = [u for u in uitslagen if not u.schoon and u.toegepast != 0]
    return sum(u.gedood for u in mutaties), len(mutaties)


def niet_toegepast(uitslagen: list[Uitslag]) -> list[str]:
    return [u.mutatie for u in uitslagen if not u.schoon and u.toegepast == 0]


def geslaagd(uitslagen: list[Uitslag]) -> bool:
    """Every control run clean and every applied mutation rejected (at least one applied)."""
    schoon = [u for u in uitslagen if u.schoon]
    gedood, totaal = score(uitslagen)
    return bool(schoon) and all(u.gedood for u in schoon) and totaal > 0 and gedood == totaal


def als_tabel(uitslagen: list[Uitslag]) -> str:
    kop = ("mutatie", "toegepast", "fase", "afgewezen door", "oordeel", "uitslag")
    rijen = []
    for u in uitslagen:
        door = "—"
        if not u.schoon:
            door = ", ".join(u.afgewezen_door[:3]) + (" …" if len(u.afgewezen_door) > 3 else "")
            if not door and u.oordeel == AFWIJZEN and u.redenen:
                door = u.redenen[0][:80]   # rejected by a criterion that is no single check
            if not door and u.binnen_norm:
                meer = " …" if len(u.binnen_norm) > 2 else ""
                door = "— (binnen de norm: " + ", ".join(u.binnen_norm[:2]) + meer + ")"
            door = door or "—"
        toegepast = "schakelaar" if u.toegepast is None else f"{u.toegepast}×"
        rijen.append((u.mutatie, "—" if u.schoon else toegepast, u.fase, door, u.oordeel, uitslag_van(u)))
    breedtes = [max(len(r[i]) for r in [kop, *rijen]) for i in range(len(kop))]
    regels = [" | ".join(c.ljust(b) for c, b in zip(r, breedtes, strict=True)).rstrip() for r in [kop, *rijen]]
    regels.insert(1, "-+-".join("-" * b for b in breedtes))
    regels.append("\n" + score_regel(uitslagen))
    return "\n".join(regels)


def score_regel(uitslagen: list[Uitslag]) -> str:
    gedood, totaal = score(uitslagen)
    pct = f"{100 * gedood / totaal:.0f}%" if totaal else "—"
    tekst = f"Mutatiescore: {gedood}/{totaal} gedood ({pct})."
    niet = niet_toegepast(uitslagen)
    if niet:
        tekst += f" Niet toegepast (telt niet mee): {', '.join(niet)}."
    return tekst


def schrijf_verslag(map_: Path, uitslagen: list[Uitslag], snel: bool, *, doel: str = "referentie",
                    duur_s: float | None = None, omgeving: dict[str, str] | None = None) -> None:
    gedood, totaal = score(uitslagen)
    (map_ / "zelftest.json").write_text(json.dumps({
        "doel": doel, "snel": snel, "omgeving": omgeving or {}, "duur_s": duur_s,
        "score": {"gedood": gedood, "totaal": totaal}, "niet_toegepast": niet_toegepast(uitslagen),
        "geslaagd": geslaagd(uitslagen),
        "uitslagen": [{**asdict(u), "uitslag": uitslag_van(u)} for u in uitslagen]},
        indent=2, ensure_ascii=False), encoding="utf-8")
    (map_ / "zelftest.md").write_text("# Zelftest\n\n```\n" + als_tabel(uitslagen) + "\n```\n",
                                      encoding="utf-8")
    from dso_acceptatie.rapport import zelftest as zelftest_rapport

    zelftest_rapport.schrijf(map_)
