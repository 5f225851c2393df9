"""Execute a toepasbare-regelbestand: decision tables over the decision requirement graph.

``evalueer(model, waarden)`` takes a value per inputData id (a missing id is null, as DMN says for
an input without value) and returns per decision its value and which rules matched and hit.
No hit gives null (DMN 1.1); a violated UNIQUE or ANY table is an error that propagates to every
decision requiring it, it never becomes a silent answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from referentie_lv.sttr import feel
from referentie_lv.sttr.model import Beslistabel, Besluit, Model


@dataclass(frozen=True)
class Spoor:
    """How one decision came out."""
    besluit: str                  # decision id
    waarde: Any
    passend: tuple[int, ...]      # numbers of the rules whose every input entry matched
    raak: tuple[int, ...]         # numbers of the rules the hit policy used for the result
    fout: str | None = None
    invoer: tuple[Any, ...] = ()  # the value of each column


def _uitvoer(tabel: Beslistabel, regelnummer: int) -> Any:
    r = tabel.regels[regelnummer - 1]
    if len(tabel.uitvoer) == 1:
        return r.uitvoer[0]
    return {(k.naam or k.id): w for k, w in zip(tabel.uitvoer, r.uitvoer, strict=False)}


def _prioriteit(tabel: Beslistabel, regelnummer: int) -> tuple:
    """Sort key for PRIORITY / OUTPUT ORDER: position in each output's value list."""
    r = tabel.regels[regelnummer - 1]
    sleutel = []
    for k, w in zip(tabel.uitvoer, r.uitvoer, strict=False):
        if not k.waarden:
            sleutel.append(0)
            continue
        pos = next((i for i, v in enumerate(k.waarden) if (v is None and w is None)
                    or (v is not None and feel.gelijk(v, w))), len(k.waarden))
        sleutel.append(pos)
    return tuple(sleutel) + (regelnummer,)


def pas_tabel_toe(besluit: Besluit, kolomwaarden: tuple[Any, ...]) -> Spoor:
    tabel = besluit.tabel
    passend = tuple(r.nummer for r in tabel.regels
                    if all(t.past(v) for t, v in zip(r.invoer, kolomwaarden, strict=False)))
    hp = tabel.hit_policy

    def spoor(waarde, raak, fout=None):
        return Spoor(besluit.id, waarde, passend, tuple(raak), fout, kolomwaarden)

    if not passend:
        if hp in ("COLLECT", "RULE ORDER", "OUTPUT ORDER") and not tabel.aggregatie:
            return spoor([], ())
        if tabel.aggregatie == "COUNT":
            return spoor(Decimal(0), ())
        return spoor(None, ())
    if hp == "UNIQUE":
        if len(passend) > 1:
            return spoor(None, (), f"hit policy UNIQUE geschonden in {besluit.naam!r}: regels "
                                   f"{', '.join(map(str, passend))} passen tegelijk")
        return spoor(_uitvoer(tabel, passend[0]), passend)
    if hp == "ANY":
        uitkomsten = [_uitvoer(tabel, n) for n in passend]
        eerste = uitkomsten[0]
        if any(not _zelfde(eerste, u) for u in uitkomsten[1:]):
            return spoor(None, (), f"hit policy ANY geschonden in {besluit.naam!r}: regels "
                                   f"{', '.join(map(str, passend))} passen met verschillende uitkomst")
        return spoor(eerste, passend)
    if hp == "FIRST":
        return spoor(_uitvoer(tabel, passend[0]), passend[:1])
    if hp == "PRIORITY":
        beste = min(passend, key=lambda n: _prioriteit(tabel, n))
        return spoor(_uitvoer(tabel, beste), (beste,))
    if hp == "RULE ORDER":
        return spoor([_uitvoer(tabel, n) for n in passend], passend)
    if hp == "OUTPUT ORDER":
        volgorde = sorted(passend, key=lambda n: _prioriteit(tabel, n))
        return spoor([_uitvoer(tabel, n) for n in volgorde], volgorde)
    # COLLECT
    waarden = [_uitvoer(tabel, n) for n in passend]
    agg = tabel.aggregatie
    if agg is None:
        return spoor(waarden, passend)
    if agg == "COUNT":
        return spoor(Decimal(len(waarden)), passend)
    if len(tabel.uitvoer) != 1:
        return spoor(None, passend, f"aggregatie {agg} kan niet met meer uitvoerkolommen")
    getallen = [w for w in waarden if w is not None]
    if any(feel.soort(w) != "number" for w in getallen):
        if agg == "SUM":
            return spoor(None, passend, f"aggregatie SUM over niet-getallen in {besluit.naam!r}")
        if len({feel.soort(w) for w in getallen}) > 1:
            return spoor(None, passend, f"aggregatie {agg} over gemengde typen in {besluit.naam!r}")
    if not getallen:
        return spoor(None, passend)
    if agg == "SUM":
        return spoor(sum((feel.getal(w) for w in getallen), Decimal(0)), passend)
    return spoor(min(getallen) if agg == "MIN" else max(getallen), passend)


def _zelfde(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_zelfde(a[k], b[k]) for k in a)
    if a is None or b is None:
        return a is None and b is None
    return feel.gelijk(a, b)


def _bronnen(model: Model) -> dict[str, list[tuple[str, str]]]:
    """Per decision, where each column reads from; resolved once per model (names are fixed)."""
    b = model.__dict__.get("_bronnen")
    if b is None:
        b = {d.id: [model.naam_bron(k.expressie) for k in d.tabel.kolommen]
             for d in model.besluiten.values()}
        model.__dict__["_bronnen"] = b
    return b


def evalueer(model: Model, waarden: dict[str, Any]) -> dict[str, Spoor]:
    """Evaluate every decision of the model; ``waarden`` maps inputData id → value."""
    sporen: dict[str, Spoor] = {}
    bronnen = _bronnen(model)

    def bereken(bid: str) -> Spoor:
        if bid in sporen:
            return sporen[bid]
        besluit = model.besluiten[bid]
        for vereist in besluit.vereist_besluit:
            s = bereken(vereist)
            if s.fout:
                sporen[bid] = Spoor(bid, None, (), (), f"vereist besluit "
                                    f"{model.besluiten[vereist].naam!r} faalde: {s.fout}")
                return sporen[bid]
        kolomwaarden = tuple(waarden.get(ref) if soort == "invoer" else bereken(ref).waarde
                             for soort, ref in bronnen[bid])
        sporen[bid] = pas_tabel_toe(besluit, kolomwaarden)
        return sporen[bid]

    for bid in model.besluiten:
        bereken(bid)
    return sporen
