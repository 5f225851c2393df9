"""Test helper: every row of every decision table of an STTR model, and an answer set that makes
the hit policy use it (``rijen``). Lived in ``referentie_lv.sttr.vragenboom``; only the tests use it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from referentie_lv.sttr.dmn import als_json
from referentie_lv.sttr.evaluatie import evalueer
from referentie_lv.sttr.model import Model
from referentie_lv.sttr.vragenboom import MAX_COMBINATIES, Vraag, Vragenboom


@dataclass
class Rij:
    """One row of one decision table, and whether (and how) real answers reach it."""
    model: str
    besluit: str
    besluit_id: str
    hit_policy: str
    nummer: int
    regel_id: str
    invoer: tuple[str, ...]                 # the input entries as written
    uitvoer: tuple[str, ...]                # the output entries as written
    bereikbaar: bool
    antwoorden: dict[str, Any] | None = None       # question id → answer (JSON value)
    onbeantwoord: list[str] = field(default_factory=list)  # questions left empty to reach it
    waarde: Any = None                       # the decision's value for those answers
    conclusie: dict[str, Any] | None = None  # top decision name → value
    reden: str | None = None                 # why it cannot be reached
    # For rows of a top decision: the questions the vragenboom asks, in order, when the user
    # answers as in ``antwoorden`` (irrelevant ones are skipped), and the conclusion it gives.
    vragenpad: list[tuple[str, Any]] | None = None
    conclusie_vragenboom: dict[str, Any] | None = None


def rijen(model: Model) -> list[Rij]:
    """For every row of every decision table: answers that make the hit policy use that row.

    Answers range over one value per region of every question, plus "not answered" (null);
    sets with fewer unanswered questions are preferred. A row no combination reaches is
    returned with ``bereikbaar=False`` and the reason (never-matching entry, or shadowed).
    """
    boom = Vragenboom(model)
    vragen = boom.vragen
    domeinen = [boom._domein[v.invoer_id] + [None] for v in vragen]
    combis = sorted(itertools.product(*domeinen), key=lambda c: sum(w is None for w in c))
    if len(combis) > MAX_COMBINATIES:
        raise ValueError(f"{model.naam}: te veel combinaties ({len(combis)}) om alle rijen te zoeken")
    gevonden: dict[tuple[str, int], tuple] = {}
    past_ooit: dict[tuple[str, int], bool] = {}
    cel_past: dict[tuple[str, int, int], bool] = {}
    for combi in combis:
        waarden = {v.invoer_id: w for v, w in zip(vragen, combi, strict=False) if w is not None}
        sporen = evalueer(model, waarden)
        for b in model.besluiten.values():
            s = sporen[b.id]
            for r in b.tabel.regels:
                for n, t in enumerate(r.invoer):
                    if s.invoer and t.past(s.invoer[n]):
                        cel_past[(b.id, r.nummer, n)] = True
            for n in s.passend:
                past_ooit[(b.id, n)] = True
            for n in s.raak:
                gevonden.setdefault((b.id, n), (combi, sporen))
    uit = []
    for b in model.besluiten.values():
        for r in b.tabel.regels:
            rij = Rij(model.naam, b.naam, b.id, b.tabel.hit_policy, r.nummer, r.id,
                      tuple(t.tekst for t in r.invoer), r.uitvoer_tekst, False)
            hit = gevonden.get((b.id, r.nummer))
            if hit:
                combi, sporen = hit
                rij.bereikbaar = True
                rij.antwoorden = {v.id: als_json(w) for v, w in zip(vragen, combi, strict=False) if w is not None}
                rij.onbeantwoord = [v.id for v, w in zip(vragen, combi, strict=False) if w is None]
                rij.waarde = als_json(sporen[b.id].waarde)
                rij.conclusie = {d.naam: als_json(sporen[d.id].waarde) for d in boom.doelen}
                if b in boom.doelen and not rij.onbeantwoord:
                    rij.vragenpad, rij.conclusie_vragenboom = _loop(boom, dict(zip(vragen, combi, strict=False)))
            elif past_ooit.get((b.id, r.nummer)) and b.tabel.hit_policy in ("UNIQUE", "ANY"):
                rij.reden = (f"de regel past alleen tegelijk met een andere regel met andere "
                             f"uitkomst: hit policy {b.tabel.hit_policy} geschonden")
            elif past_ooit.get((b.id, r.nummer)):
                rij.reden = (f"de regel past wel, maar hit policy {b.tabel.hit_policy} gebruikt "
                             "steeds een andere regel (overschaduwd)")
            else:
                nooit = [f"{b.tabel.kolommen[n].expressie!r} is nooit {t.tekst}"
                         for n, t in enumerate(r.invoer) if not cel_past.get((b.id, r.nummer, n))]
                rij.reden = ("geen combinatie van antwoorden laat alle voorwaarden tegelijk gelden"
                             + (": " + "; ".join(nooit) if nooit else ""))
            uit.append(rij)
    return uit


def _loop(boom: Vragenboom, waarden: dict[Vraag, Any]) -> tuple[list[tuple[str, Any]], dict | None]:
    """Walk the question tree, answering each asked question from ``waarden``."""
    antwoorden: dict[str, Any] = {}
    pad: list[tuple[str, Any]] = []
    for _ in range(len(waarden) + 1):
        v = boom.volgende_vraag(antwoorden)
        if v is None:
            break
        antwoorden[v.id] = waarden[v]
        pad.append((v.id, als_json(waarden[v])))
    c = boom.conclusie(antwoorden)
    return pad, ({x.besluit: als_json(x.waarde) for x in c} if c else None)
