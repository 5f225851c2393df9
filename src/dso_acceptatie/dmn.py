"""A minimal DMN reader for the harness: questions, decision tables, and per row an example.

The harness may not import the reference LV (DESIGN.md: it is a black box), so it reads the STTR
DMN files itself, as data (its own copy, contracts/sttr/). Only what the Vergunningcheck examples
need is supported: DMN 1.1/1.2/1.3 decision tables with one output column, every rule with one
input entry per input and one output entry, and the hit policies

- UNIQUE: at most one rule may match (two or more is an error in the model);
- FIRST: the first matching rule in table order;
- ANY: several rules may match, but they must all give the same output (otherwise an error);
- PRIORITY: the matching rule whose output comes first in the output's ``outputValues``;

and the FEEL unary tests that real STTR tables use (``-``, literals, comparisons, ranges, lists,
``not(...)``, ``null``). Anything else (COLLECT, RULE ORDER, OUTPUT ORDER, several outputs, a rule
of another shape, a decision without a table) raises :class:`DmnFout` when the model is read, so a
new construct is noticed, never guessed: no hit policy silently takes the first hit.

:func:`voorbeelden` gives for every row of every decision table one complete set of answers that
reaches that row, and the conclusion of the top decision for those answers.
"""

from __future__ import annotations

import itertools
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from dso_acceptatie.feel import DmnFout, kandidaten, literal, past, splits_lijst

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, remove_comments=True)
_UITV = "http://toepasbare-regels.omgevingswet.overheid.nl/v1.0/Uitvoeringsregel"
_INTER = "http://toepasbare-regels.omgevingswet.overheid.nl/v1.0/Interactieregel"
MAX_COMBINATIES = 200_000  # guard: a model this large needs a smarter search, not a longer wait
# The hit policies this reader evaluates (module docstring); every other one is refused.
HIT_POLICIES = ("UNIQUE", "FIRST", "ANY", "PRIORITY")




@dataclass(frozen=True)
class Vraag:
    naam: str          # inputData name, as the tables refer to it
    tekst: str         # the question the user sees (uitv:vraagTekst), or the name
    soort: str         # number | boolean | string
    prioriteit: int    # order in which the loket asks


@dataclass
class Regel:
    nummer: int                 # 1-based, as a person counts rows
    ingangen: list[str]         # unary-test texts, one per table input
    uitkomst: str               # output entry text (FEEL literal)


@dataclass
class Besluit:
    id: str
    naam: str
    kolommen: list[str]         # input expressions (names of inputData or other decisions)
    hit_policy: str             # one of HIT_POLICIES
    regels: list[Regel] = field(default_factory=list)
    prioriteit: list = field(default_factory=list)   # PRIORITY: output values, highest first


@dataclass
class Model:
    naam: str
    werkzaamheid: str           # name of the first regelgroep (e.g. "Kappen van een boom")
    vragen: dict[str, Vraag]
    besluiten: dict[str, Besluit]   # by name
    top: str                    # name of the decision nobody else uses (the conclusion)
    conclusiemodel: bool = False    # the top decision gives a TConclusie (a Vergunningcheck model)


@dataclass(frozen=True)
class Voorbeeld:
    besluit: str
    regel: int
    antwoorden: dict            # question name -> python value (bool/int/float/str)
    conclusie: str


def _lokaal(el) -> str:
    return etree.QName(el).localname


def _kinderen(el, naam: str):
    return [c for c in el if isinstance(c.tag, str) and _lokaal(c) == naam]


def _kind(el, naam: str):
    gevonden = _kinderen(el, naam)
    return gevonden[0] if gevonden else None


def _tekst(el) -> str:
    t = _kind(el, "text") if el is not None else None
    return (t.text or "").strip() if t is not None else ""


MAX_DMN_BYTES = 5_000_000   # a decision model is kilobytes; anything this big is not one


def dmn_bestanden(map_: Path) -> list[tuple[str, bytes]]:
    """Every DMN under ``map_``: loose ``*.dmn`` files and ``*.dmn`` members of STTR zips.

    Returns (name for messages, content). Zip members are read into memory with a size limit and
    never extracted, so paths inside the archive cannot escape anywhere.
    """
    uit: list[tuple[str, bytes]] = []
    for pad in sorted(map_.rglob("*")):
        if pad.suffix.lower() == ".dmn" and pad.is_file():
            if pad.stat().st_size > MAX_DMN_BYTES:
                raise DmnFout(f"{pad.name}: groter dan {MAX_DMN_BYTES} bytes")
            uit.append((str(pad), pad.read_bytes()))
        elif pad.suffix.lower() == ".zip" and pad.is_file():
            with zipfile.ZipFile(pad) as zf:
                for info in zf.infolist():
                    if not info.filename.lower().endswith(".dmn"):
                        continue
                    if info.file_size > MAX_DMN_BYTES:
                        raise DmnFout(f"{pad.name}!{info.filename}: groter dan {MAX_DMN_BYTES} bytes")
                    with zf.open(info) as f:
                        inhoud = f.read(MAX_DMN_BYTES + 1)
                    if len(inhoud) > MAX_DMN_BYTES:
                        raise DmnFout(f"{pad.name}!{info.filename}: groter dan {MAX_DMN_BYTES} bytes")
                    uit.append((f"{pad}!{info.filename}", inhoud))
    return uit


def lees_model(pad: Path | str, inhoud: bytes | None = None) -> Model:
    """Parse one DMN (untrusted XML: no entities, no network, no DTD).

    ``pad`` names the model in messages; ``inhoud`` is its bytes (read from ``pad`` if absent).
    """
    pad = Path(pad)
    try:
        if inhoud is None:
            inhoud = pad.read_bytes()
        wortel = etree.fromstring(inhoud, _PARSER)
    except etree.XMLSyntaxError as e:
        raise DmnFout(f"{pad.name}: geen geldige XML ({e})") from None
    if _lokaal(wortel) != "definitions":
        raise DmnFout(f"{pad.name}: geen DMN-bestand (wortel is '{_lokaal(wortel)}')")

    # Questions: uitvoeringsregels in the extension elements, referenced from inputData.
    regels_per_id: dict[str, tuple[str, str, int]] = {}
    for ur in wortel.iter(f"{{{_UITV}}}uitvoeringsregel"):
        vraag = ur.find(f"{{{_UITV}}}vraag")
        prio = ur.find(f"{{{_INTER}}}prioriteit")
        if vraag is None:
            continue
        regels_per_id[ur.get("id")] = (
            (vraag.findtext(f"{{{_UITV}}}vraagTekst") or "").strip(),
            (vraag.findtext(f"{{{_UITV}}}gegevensType") or "string").strip(),
            int(prio.text) if prio is not None and (prio.text or "").strip().isdigit() else 0)
    werkzaamheid = next((g.text.strip() for g in wortel.iter(f"{{{_INTER}}}naam") if g.text), "")

    vragen: dict[str, Vraag] = {}
    for i, data in enumerate(_kinderen(wortel, "inputData")):
        naam = data.get("name")
        ref = next((r.get("href", "") for r in data.iter(f"{{{_UITV}}}uitvoeringsregelRef")), "")
        var = _kind(data, "variable")
        soort = (var.get("typeRef", "") if var is not None else "").split(":")[-1] or "string"
        tekst, gtype, prio = regels_per_id.get(ref.lstrip("#"), (naam, soort, 1000 + i))
        vragen[naam] = Vraag(naam, tekst or naam, gtype or soort, prio)

    besluiten: dict[str, Besluit] = {}
    for d in _kinderen(wortel, "decision"):
        b = _lees_besluit(pad.name, d)
        besluiten[b.naam] = b
    gebruikt = {k for b in besluiten.values() for k in b.kolommen}
    tops = [n for n in besluiten if n not in gebruikt]
    if len(tops) != 1:
        raise DmnFout(f"{pad.name}: verwacht één eindbesluit, gevonden: {tops or 'geen'}")
    top = next(d for d in _kinderen(wortel, "decision") if d.get("name") == tops[0])
    var = _kind(top, "variable")
    conclusie = var is not None and var.get("typeRef", "").split(":")[-1] == "TConclusie"
    return Model(wortel.get("name") or pad.stem, werkzaamheid, vragen, besluiten, tops[0],
                 conclusie)


def _lees_besluit(bestand: str, besluit) -> Besluit:
    """One decision table, checked to be of a shape :func:`evalueer` evaluates exactly."""
    naam = besluit.get("name")
    waar = f"{bestand}: beslistabel '{naam}'"
    tabel = _kind(besluit, "decisionTable")
    if tabel is None:
        raise DmnFout(f"{bestand}: besluit '{naam}' heeft geen beslistabel")
    uitvoer = _kinderen(tabel, "output")
    if len(uitvoer) != 1:
        raise DmnFout(f"{waar} heeft {len(uitvoer)} uitvoerkolommen; deze lezer evalueert alleen "
                      "beslistabellen met precies één uitvoerkolom")
    hit_policy = " ".join((tabel.get("hitPolicy") or "UNIQUE").split()).upper()
    if hit_policy not in HIT_POLICIES:
        raise DmnFout(f"{waar} gebruikt hit policy {hit_policy}; deze lezer evalueert alleen "
                      f"{', '.join(HIT_POLICIES)} en kiest nooit zomaar de eerste treffer")
    kolommen = [_tekst(_kind(i, "inputExpression")) for i in _kinderen(tabel, "input")]
    if not all(kolommen):
        raise DmnFout(f"{waar}: invoerkolom {kolommen.index('') + 1} heeft geen invoerexpressie")
    b = Besluit(besluit.get("id"), naam, kolommen, hit_policy)
    if hit_policy == "PRIORITY":
        waarden = _tekst(_kind(uitvoer[0], "outputValues"))
        if not waarden:
            raise DmnFout(f"{waar} gebruikt hit policy PRIORITY zonder outputValues (de volgorde "
                          "van de uitkomsten); zonder die volgorde is er geen winnaar")
        b.prioriteit = [literal(w) for w in splits_lijst(waarden)]
    for n, r in enumerate(_kinderen(tabel, "rule"), 1):
        ingangen, uitkomsten = _kinderen(r, "inputEntry"), _kinderen(r, "outputEntry")
        if len(ingangen) != len(kolommen) or len(uitkomsten) != 1:
            raise DmnFout(f"{waar}, regel {n}: {len(ingangen)} invoercellen en {len(uitkomsten)} "
                          f"uitvoercellen, verwacht {len(kolommen)} en 1")
        uitkomst = _tekst(uitkomsten[0])
        if hit_policy == "PRIORITY" and literal(uitkomst) not in b.prioriteit:
            raise DmnFout(f"{waar}, regel {n}: uitkomst {uitkomst} staat niet in de outputValues "
                          "van de tabel (PRIORITY)")
        b.regels.append(Regel(n, [_tekst(e) for e in ingangen], uitkomst))
    return b


# --- evaluation and examples -------------------------------------------------------------------

def evalueer(model: Model, antwoorden: dict) -> tuple[object, dict[str, int]]:
    """Conclusion of the top decision and, per evaluated decision, the row number that hit."""
    spoor: dict[str, int] = {}
    cache: dict[str, object] = {}

    def waarde(naam: str):
        if naam in model.vragen:
            return antwoorden.get(naam)
        if naam in cache:
            return cache[naam]
        b = model.besluiten.get(naam)
        if b is None:
            raise DmnFout(f"'{naam}' is geen vraag en geen besluit in {model.naam}")
        invoer = [waarde(k) for k in b.kolommen]
        treffers = [r for r in b.regels
                    if all(past(t, w) for t, w in zip(r.ingangen, invoer, strict=True))]
        if not treffers:
            uit = None
        else:
            gekozen = _winnaar(model, b, treffers)
            spoor[naam] = gekozen.nummer
            uit = literal(gekozen.uitkomst)
        cache[naam] = uit
        return uit

    return waarde(model.top), spoor


def _winnaar(model: Model, b: Besluit, treffers: list[Regel]) -> Regel:
    """The rule whose output counts, by the table's hit policy (treffers in table order)."""
    nummers = [r.nummer for r in treffers]
    if b.hit_policy == "UNIQUE":
        if len(treffers) > 1:
            raise DmnFout(f"{model.naam}: beslistabel '{b.naam}' (UNIQUE) heeft meerdere "
                          f"treffers: regels {nummers}")
        return treffers[0]
    if b.hit_policy == "FIRST":
        return treffers[0]   # FIRST means exactly this: the first match in table order
    if b.hit_policy == "ANY":
        uitkomsten = {r.uitkomst.strip() for r in treffers}
        if len({repr(literal(u)) for u in uitkomsten}) > 1:
            raise DmnFout(f"{model.naam}: beslistabel '{b.naam}' (ANY) heeft treffers met "
                          f"verschillende uitkomsten: regels {nummers} geven {sorted(uitkomsten)}")
        return treffers[0]   # all agree: the output is the same whichever row is named
    if b.hit_policy == "PRIORITY":
        return min(treffers, key=lambda r: b.prioriteit.index(literal(r.uitkomst)))
    raise DmnFout(f"{model.naam}: beslistabel '{b.naam}': hit policy {b.hit_policy} wordt niet "
                  "geëvalueerd")


def _relevant(model: Model, spoor: dict[str, int], besluit: str) -> bool:
    """Is the outcome of ``besluit`` looked at (not '-') by every decision that consumes it?"""
    for b in model.besluiten.values():
        if besluit in b.kolommen and b.naam in spoor:
            regel = b.regels[spoor[b.naam] - 1]
            if regel.ingangen[b.kolommen.index(besluit)].strip() in ("-", ""):
                return False
            if not _relevant(model, spoor, b.naam):
                return False
    return True


def kandidaten_per_vraag(model: Model, *, buren: bool = False) -> dict[str, list]:
    """Per question the answers worth trying: every value a decision table compares it with
    (``buren``: also one below and one above each number, never negative, so that both sides of
    every threshold are tried), False/True for a yes/no question."""
    per: dict[str, list] = {}
    for naam, vraag in sorted(model.vragen.items(), key=lambda kv: kv[1].prioriteit):
        waarden: list = []
        for b in model.besluiten.values():
            if naam in b.kolommen:
                i = b.kolommen.index(naam)
                for r in b.regels:
                    waarden += kandidaten(r.ingangen[i])
        if vraag.soort == "boolean":
            waarden = [False, True]          # 'nee' first: the calm default for a don't-care
        elif vraag.soort == "number":
            getallen = {w for w in waarden if isinstance(w, (int, float)) and not isinstance(w, bool)}
            if buren:
                getallen = {g + d for g in getallen for d in (-1, 0, 1) if g + d >= 0}
            waarden = sorted(getallen) or [1]
        else:
            waarden = list(dict.fromkeys(w for w in waarden if isinstance(w, str))) or ["tekst"]
        per[naam] = waarden
    return per


def antwoordcombinaties(model: Model, *, buren: bool = False) -> Iterator[dict]:
    """Every combination of the candidate answers (``kandidaten_per_vraag``), as question -> answer;
    refuses (DmnFout, before the first one) when there are more than ``MAX_COMBINATIES``."""
    per = kandidaten_per_vraag(model, buren=buren)
    aantal = math.prod(len(w) for w in per.values())
    if aantal > MAX_COMBINATIES:
        raise DmnFout(f"{model.naam}: {aantal} antwoordcombinaties, meer dan {MAX_COMBINATIES}")
    namen = list(per)
    return (dict(zip(namen, combinatie, strict=True)) for combinatie in itertools.product(*per.values()))


def voorbeelden(model: Model) -> list[Voorbeeld]:
    """One example per row of every decision table: answers reaching it, and the conclusion."""
    gekozen: dict[tuple[str, int], tuple[bool, dict, object]] = {}
    for antwoorden in antwoordcombinaties(model):
        conclusie, spoor = evalueer(model, antwoorden)
        for besluit, nummer in spoor.items():
            sleutel = (besluit, nummer)
            relevant = _relevant(model, spoor, besluit)
            if sleutel not in gekozen or (relevant and not gekozen[sleutel][0]):
                gekozen[sleutel] = (relevant, antwoorden, conclusie)
    uit: list[Voorbeeld] = []
    volgorde = _besluit_volgorde(model)
    for besluit in volgorde:
        for r in model.besluiten[besluit].regels:
            if (besluit, r.nummer) not in gekozen:
                raise DmnFout(f"{model.naam}: regel {r.nummer} van beslistabel '{besluit}' is "
                              "met geen enkele antwoordcombinatie te bereiken")
            _, antwoorden, conclusie = gekozen[(besluit, r.nummer)]
            uit.append(Voorbeeld(besluit, r.nummer, antwoorden, str(conclusie)))
    return uit


def _besluit_volgorde(model: Model) -> list[str]:
    """Top decision first, then the decisions it needs, depth first (stable, as in the file)."""
    gezien: list[str] = []

    def bezoek(naam: str) -> None:
        if naam in gezien or naam not in model.besluiten:
            return
        gezien.append(naam)
        for k in model.besluiten[naam].kolommen:
            bezoek(k)

    bezoek(model.top)
    return gezien
