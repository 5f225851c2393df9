"""The first summary of a run: a pure function of its records and the criteria.

Gives the verdict, the reason and a table per phase and component. The full acceptance report
(HTML, JUnit, certificate, trend) is meant to replace this module; nothing else depends on how
it formats.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from dso_acceptatie.criteria import Criteria

GEACCEPTEERD, NIET_GEACCEPTEERD, NIET_TESTBAAR, ONDERBROKEN = (
    "geaccepteerd", "niet geaccepteerd", "niet testbaar", "onderbroken")
EXITCODES = {GEACCEPTEERD: 0, NIET_GEACCEPTEERD: 1, NIET_TESTBAAR: 3, ONDERBROKEN: 130}
KOLOMMEN = ("geslaagd", "gefaald", "overgeslagen", "geblokkeerd", "instabiel")


@dataclass
class Samenvatting:
    run_id: str | None
    doel: str | None
    oordeel: str
    redenen: list[str]
    rijen: list[tuple[str, str, Counter]] = field(default_factory=list)   # fase, component, telling

    @property
    def exitcode(self) -> int:
        return EXITCODES[self.oordeel]


def vat_samen(records: list[dict], criteria: Criteria) -> Samenvatting:
    run = [r for r in records if r["fase"] == "run"]
    checks = [r for r in records if r["fase"] != "run"]
    start = next((r for r in run if r["controle"] == "run-start"), None)
    einde = next((r for r in run if r["controle"] == "run-einde"), None)
    run_id = (start or einde or (records[0] if records else {})).get("run_id")
    doel = (start or {}).get("details", {}).get("doel")

    telling: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for r in checks:
        telling[(r["fase"], r["component"])][r["status"]] += 1
    rijen = [(f, c, telling[(f, c)]) for f, c in sorted(telling)]

    onbereikbaar = [r for r in checks if r["fase"] == "omgeving"
                    and r["controle"] == "bereikbaarheid" and r["status"] == "gefaald"]
    if onbereikbaar or (einde and einde["details"].get("uitkomst") == "niet-testbaar"):
        redenen = [r["bericht"] for r in onbereikbaar] or [einde["bericht"]]
        return Samenvatting(run_id, doel, NIET_TESTBAAR, redenen, rijen)
    if einde is None or einde["details"].get("uitkomst") == "onderbroken":
        return Samenvatting(run_id, doel, ONDERBROKEN, [
            "de run is onderbroken voordat alle fasen klaar waren; de records tot dat moment "
            f"zijn bewaard ({len(checks)} controles)"], rijen)

    redenen: list[str] = []
    gefaald = Counter(r["ernst"] for r in checks if r["status"] == "gefaald")
    for ernst, maximum in criteria.maxima.items():
        if maximum >= 0 and gefaald[ernst] > maximum:
            redenen.append(f"{gefaald[ernst]} gefaalde controle(s) met ernst '{ernst}' "
                           f"(toegestaan: {maximum})")
    geblokkeerd = [r for r in checks if r["status"] == "geblokkeerd"]
    if geblokkeerd and not criteria.geblokkeerd_toegestaan:
        redenen.append(f"{len(geblokkeerd)} onderdeel/onderdelen geblokkeerd, dus niet getest: "
                       + "; ".join(sorted({f"{r['fase']}: {r['bericht']}" for r in geblokkeerd})[:5]))
    instabiel = [r for r in checks if r["status"] == "instabiel"]
    if instabiel and not criteria.instabiel_toegestaan:
        redenen.append(f"{len(instabiel)} instabiele controle(s)")
    if redenen:
        return Samenvatting(run_id, doel, NIET_GEACCEPTEERD, redenen, rijen)
    geslaagd = sum(1 for r in checks if r["status"] == "geslaagd")
    if not geslaagd:
        return Samenvatting(run_id, doel, NIET_GEACCEPTEERD,
                            ["er is geen enkele controle geslaagd: niets is aangetoond"], rijen)
    rest = sum(gefaald[e] for e in ("hinderlijk", "cosmetisch"))
    reden = f"{geslaagd} controles geslaagd; alle criteria gehaald"
    if rest:
        reden += f" ({rest} bevinding(en) hinderlijk/cosmetisch binnen de norm)"
    return Samenvatting(run_id, doel, GEACCEPTEERD, [reden], rijen)


def _tabel(s: Samenvatting) -> list[list[str]]:
    kop = ["fase", "component", *KOLOMMEN]
    rijen = [[f, c, *(str(t[k]) for k in KOLOMMEN)] for f, c, t in s.rijen]
    return [kop, *rijen]


def als_markdown(s: Samenvatting) -> str:
    tabel = _tabel(s)
    regels = [f"# Samenvatting acceptatierun {s.run_id or ''}".rstrip(), "",
              f"- Doel: {s.doel or 'onbekend'}",
              f"- **Oordeel: {s.oordeel.upper()}** (exitcode {s.exitcode})", "", "## Waarom", ""]
    regels += [f"- {r}" for r in s.redenen]
    regels += ["", "## Per fase en component", "",
               "| " + " | ".join(tabel[0]) + " |", "|" + "---|" * len(tabel[0])]
    regels += ["| " + " | ".join(r) + " |" for r in tabel[1:]]
    return "\n".join(regels) + "\n"


def als_terminal(s: Samenvatting) -> str:
    tabel = _tabel(s)
    breedtes = [max(len(r[i]) for r in tabel) for i in range(len(tabel[0]))]
    regels = ["  ".join(c.ljust(b) for c, b in zip(r, breedtes)) for r in tabel]
    regels.insert(1, "  ".join("-" * b for b in breedtes))
    regels += ["", f"Oordeel: {s.oordeel.upper()}"] + [f"  - {r}" for r in s.redenen]
    return "\n".join(regels)
