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
    Mutatie("geen-api-version", "contracten", snel=True),
    Mutatie("fout-content-type", "contracten"),
    Mutatie("schema-schending", "contracten"),
    Mutatie("authenticatie-genegeerd", "contracten"),
    Mutatie("503-deel", "contracten"),
    Mutatie("kapotte-paginering", "contracten"),
    Mutatie("verkeerde-conclusie", "contracten"),
    Mutatie("traag:locatieserver", "contracten"),
    Mutatie("loket-label-ontbreekt", "klantreizen", snel=True),
    Mutatie("loket-lang-ontbreekt", "klantreizen"),
    Mutatie("loket-conclusie-omgedraaid", "klantreizen"),
    Mutatie("loket-aanvragen-link-kapot", "klantreizen"),
)

# Settings that make the contract phase take seconds (fewer generated examples, no Node lint);
# only with --snel, and recorded in the zelftest report so nobody mistakes it for a full run.
SNELLE_OMGEVING = {"DSO_CONTRACTEN_VOORBEELDEN": "2", "DSO_CONTRACTEN_ADR": "0"}


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


def kies_mutaties(snel: bool, fasen: list[str] | None, namen: list[str] | None = None) -> list[Mutatie]:
    """The fault-switch mutations to apply: named ones (``--mutatie``), else the --snel set or all;
    restricted to the chosen phases."""
    return [m for m in MUTATIES if (m.naam in namen if namen else (m.snel or not snel))
            and (not fasen or m.fase in fasen)]


def kies_proxy_mutaties(snel: bool, fasen: list[str] | None, namen: list[str] | None = None) -> list[type]:
    """The proxy mutations (all on the contract phase), chosen the same way."""
    from dso_acceptatie.zelftest import proxy

    if fasen and "contracten" not in fasen:
        return []
    return [k for k in proxy.MUTATIES if (k.naam in namen if namen else (k in proxy.SNEL or not snel))]


def alle_namen() -> list[str]:
    from dso_acceptatie.zelftest import proxy

    return [m.naam for m in MUTATIES] + [k.naam for k in proxy.MUTATIES]


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


def _run(doel: Doel, fasen: list[str], fouten: str, rapporten: Path, criteria: Criteria,
         log: Callable[[str], object]) -> tuple[str, list[str], list[str], int, Path]:
    from dso_acceptatie.run import Orkestrator

    doel_kopie = replace(doel, fasen=list(fasen))
    uitkomst = Orkestrator(doel_kopie, rapporten=rapporten, criteria=criteria, fouten=fouten,
                           meld=log).voer_uit()
    model = uitkomst.rapport.model
    door, boven = afwijzende_controles(model.bevindingen, criteria)
    return model.oordeel, list(model.redenen), door, boven, uitkomst.run_map


def voer_uit(doel: Doel, *, rapporten: Path, criteria: Criteria, snel: bool, fasen: list[str] | None,
             namen: list[str] | None = None,
             uit: Callable[[str], object] = print) -> tuple[list[Uitslag], Path]:
    """The clean run and one run per chosen mutation; the results and the zelftest folder.

    With the contract phase chosen, the proxy mutations follow: a control run through the proxy
    without mutation, then one run per proxy mutation."""
    from dso_acceptatie.zelftest import proxy

    stempel = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    map_ = rapporten / "zelftest" / stempel
    map_.mkdir(parents=True, exist_ok=True)
    logbestand = (map_ / "zelftest.log").open("a", encoding="utf-8")

    def log(tekst: str) -> None:
        logbestand.write(tekst + "\n")
        logbestand.flush()

    mutaties = kies_mutaties(snel, fasen, namen)
    proxy_mutaties = kies_proxy_mutaties(snel, fasen, namen)
    volgorde = [m.fase for m in MUTATIES]
    schone_fasen = sorted({m.fase for m in mutaties} | ({"contracten"} if proxy_mutaties else set()),
                          key=volgorde.index)
    taken: list[tuple[str, str, bool, Callable]] = [
        (SCHOON, ", ".join(schone_fasen), True,
         lambda: (*_run(doel, schone_fasen, "", map_ / "runs", criteria, log), None))]
    for m in mutaties:
        taken.append((m.naam, m.fase, False,
                      lambda m=m: (*_run(doel, [m.fase], m.naam, map_ / "runs", criteria, log), None)))
    if proxy_mutaties:
        for klasse in (proxy.Mutatie, *proxy_mutaties):
            def via_proxy(klasse=klasse):
                uitkomst, toegepast = proxy.draai(
                    klasse, map_ / "proxy",
                    voer_uit=lambda d: _run(d, ["contracten"], "", map_ / "runs", criteria, log))
                return (*uitkomst, toegepast)
            taken.append((klasse.naam, "contracten", klasse is proxy.Mutatie, via_proxy))
    oude_omgeving = {k: os.environ.get(k) for k in SNELLE_OMGEVING}
    if snel:
        os.environ.update(SNELLE_OMGEVING)
    uitslagen: list[Uitslag] = []
    try:
        for naam, fase, schoon, taak in taken:
            uit(f"Zelftest: {naam} — fase {fase} …")
            start = time.monotonic()
            oordeel, redenen, door, boven, run_map, toegepast = taak()
            gedood = (oordeel == ACCEPTEREN and boven == 0) if schoon else oordeel == AFWIJZEN
            if toegepast == 0 and not schoon:
                gedood = False   # a mutation that changed nothing proves nothing
            u = Uitslag(naam, fase, oordeel, gedood, door, boven, str(run_map),
                        round(time.monotonic() - start, 1), redenen, schoon, toegepast)
            uitslagen.append(u)
            uit(f"  {oordeel} in {u.duur_s:.1f} s" + ("" if gedood else " — " + ("NIET SCHOON" if schoon
                                                                                  else "GEMIST")))
    finally:
        for k, v in oude_omgeving.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        logbestand.close()
    schrijf_verslag(map_, uitslagen, snel)
    return uitslagen, map_


def score(uitslagen: list[Uitslag]) -> tuple[int, int]:
    mutaties = [u for u in uitslagen if not u.schoon]
    return sum(u.gedood for u in mutaties), len(mutaties)


def geslaagd(uitslagen: list[Uitslag]) -> bool:
    schoon = [u for u in uitslagen if u.schoon]
    gedood, totaal = score(uitslagen)
    return bool(schoon) and all(u.gedood for u in schoon) and totaal > 0 and gedood == totaal


def als_tabel(uitslagen: list[Uitslag]) -> str:
    kop = ("mutatie", "toegepast", "fase", "afgewezen door", "oordeel", "uitslag")
    rijen = []
    for u in uitslagen:
        if u.schoon:
            uitslag = "schoon" if u.gedood else f"NIET SCHOON ({u.boven_informatief} boven informatief)"
            door = "—"
        else:
            uitslag = "gedood" if u.gedood else "GEMIST"
            door = ", ".join(u.afgewezen_door[:3]) + (" …" if len(u.afgewezen_door) > 3 else "")
            if not door and u.oordeel == AFWIJZEN and u.redenen:
                door = u.redenen[0][:80]   # rejected by a criterion that is no single check
            door = door or "—"
        toegepast = "schakelaar" if u.toegepast is None else f"{u.toegepast}×"
        rijen.append((u.mutatie, "—" if u.schoon else toegepast, u.fase, door, u.oordeel, uitslag))
    breedtes = [max(len(r[i]) for r in [kop, *rijen]) for i in range(len(kop))]
    regels = [" | ".join(c.ljust(b) for c, b in zip(r, breedtes, strict=True)).rstrip() for r in [kop, *rijen]]
    regels.insert(1, "-+-".join("-" * b for b in breedtes))
    gedood, totaal = score(uitslagen)
    pct = f"{100 * gedood / totaal:.0f}%" if totaal else "—"
    regels.append(f"\nMutatiescore: {gedood}/{totaal} gedood ({pct}).")
    return "\n".join(regels)


def schrijf_verslag(map_: Path, uitslagen: list[Uitslag], snel: bool) -> None:
    gedood, totaal = score(uitslagen)
    (map_ / "zelftest.json").write_text(json.dumps({
        "snel": snel, "omgeving": SNELLE_OMGEVING if snel else {},
        "score": {"gedood": gedood, "totaal": totaal}, "geslaagd": geslaagd(uitslagen),
        "uitslagen": [asdict(u) for u in uitslagen]}, indent=2, ensure_ascii=False), encoding="utf-8")
    (map_ / "zelftest.md").write_text("# Zelftest\n\n```\n" + als_tabel(uitslagen) + "\n```\n",
                                      encoding="utf-8")
