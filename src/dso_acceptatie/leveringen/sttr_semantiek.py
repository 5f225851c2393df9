"""STTR semantics of DMN 1.1 decision tables: allowed values, completeness, overlap, reachability, questions.

Per decision table (our own codes, continuing those of ``sttr.py``):

* STTR-DMN-009 (fout): an outputEntry outside the allowed values of its output column — the
  column's ``outputValues``, else the ``allowedValues`` of the itemDefinition named by its typeRef
  (or the table's), else the literals of a ``boolean`` type;
* STTR-DMN-010 (fout): completeness under UNIQUE/FIRST/ANY/PRIORITY — a concrete input combination
  that no rule covers;
* STTR-DMN-011 (fout): overlap under UNIQUE — two rules and an input that hits both;
* STTR-DMN-012 (fout): a rule under FIRST that never wins: every input it covers is covered by
  earlier rules (named);
* STTR-DMN-013 (fout): a rule that covers no input at all (contradictory entries);
* STTR-DMN-014 (fout): overlap under ANY with different outputs (DMN 1.1 requires equal outputs);
* STTR-DMN-015 (fout): an input column whose expression names no inputData or decision of the model,
  or one the decision does not require (informationRequirement);
* STTR-DMN-016 (fout): an inputData used by a table that is never asked: no uitvoeringsregelRef, or
  the uitvoeringsregel has neither a vraag with a vraagTekst nor a bijlage with a bijlageType;
* STTR-DMN-017 (fout): the question's gegevensType differs from the inputData's typeRef;
* STTR-DMN-018 (waarschuwing): the semantic checks of a table could not be made (a FEEL test this
  checker does not evaluate, a column type without a finite partition, too many combinations) —
  said, never counted as passed;
* STTR-DMN-019 (informatief): a string column without declared values — checked over the literal
  values the rules name (of any type: STTR tools type boolean decisions as string at times).

How: per column a finite set of representative values that partitions the domain exactly for the
unary tests in use — booleans ``true``/``false``; enumerations their declared values; numbers every
interval endpoint, the midpoints between them and one value beyond each end (every unary test over
numbers is a union of intervals with those endpoints, so this is exhaustive, not a sample). The
cartesian product of those is evaluated with the FEEL unary-test evaluation of the klantreizen DMN
reader (``past``). ``null`` inputs are left out (a question that is asked is answered).
"""

from __future__ import annotations

import itertools
import re

from dso_acceptatie.feel import DmnFout, literal, past, splits_lijst
from dso_acceptatie.leveringen.model import INFORMATIEF, WAARSCHUWING

DMN11 = "http://www.omg.org/spec/DMN/20151101/dmn.xsd"
UITV = "http://toepasbare-regels.omgevingswet.overheid.nl/v1.0/Uitvoeringsregel"
MAX_COMBINATIES = 20_000
_GETAL = re.compile(r"-?\d+(?:\.\d+)?")
_AFWEZIG = object()


def _q(tag: str) -> str:
    return f"{{{DMN11}}}{tag}"


def _tekst(el) -> str:
    return (el.findtext(_q("text")) or "").strip() if el is not None else ""


def _type(naam: str | None) -> str:
    return (naam or "").strip().split(":", 1)[-1]


def _toon(w) -> str:
    if w is True:
        return "true"
    if w is False:
        return "false"
    if isinstance(w, str):
        return f'"{w}"'
    if isinstance(w, float) and w.is_integer():
        return str(int(w))
    return str(w)


def _waarden(tekst: str) -> list:
    """A FEEL list of literals ("a","b",null) → Python values; DmnFout on anything else."""
    return [literal(d) for d in splits_lijst(tekst) if d]


def controleer(b, root, bev) -> None:
    """Run the semantic checks on every decision table of one parsed DMN 1.1 file ``b``."""
    itemdefs = {el.get("name"): el for el in root.iter(_q("itemDefinition")) if el.get("name")}
    invoer = {el.get("name"): el for el in root.iter(_q("inputData")) if el.get("name")}
    besluiten = {el.get("name"): el for el in root.iter(_q("decision")) if el.get("name")}
    uitvoeringsregels = {el.get("id"): el for el in root.iter(f"{{{UITV}}}uitvoeringsregel")}
    gevraagd: set[str] = set()

    def toegestaan_type(typeref: str | None):
        """Allowed values of an itemDefinition (None: not an enumeration)."""
        item = itemdefs.get(_type(typeref)) if typeref else None
        if item is None:
            return [True, False] if _type(typeref) == "boolean" else None
        tekst = _tekst(item.find(_q("allowedValues")))
        if tekst:
            return _waarden(tekst)
        basis = item.findtext(_q("typeRef"))
        return toegestaan_type(basis) if basis and _type(basis) != _type(typeref) else None

    for besluit in root.iter(_q("decision")):
        tabel = besluit.find(_q("decisionTable"))
        if tabel is None:
            continue
        waar = f"besluit '{besluit.get('name')}' ({besluit.get('id')})"
        vereist = {(el.get("href") or "")[1:] for el in besluit.iter(_q("requiredInput"),
                                                                     _q("requiredDecision"))}
        kolommen = tabel.findall(_q("input"))
        uitvoer = tabel.findall(_q("output"))
        regels = tabel.findall(_q("rule"))
        if any(len(r.findall(_q("inputEntry"))) != len(kolommen) or
               len(r.findall(_q("outputEntry"))) != len(uitvoer) for r in regels):
            continue   # STTR-DMN-004/005 already said why; the table has no well-defined meaning

        def regelnaam(i: int, regels=regels) -> str:
            return f"regel {i + 1} ({regels[i].get('id')})"

        # --- outputs within the allowed values (STTR-DMN-009)
        for k, out in enumerate(uitvoer):
            try:
                tekst = _tekst(out.find(_q("outputValues")))
                if tekst:
                    toegestaan, bron = _waarden(tekst), "de outputValues van de kolom"
                else:
                    tr = out.get("typeRef") or (tabel.get("typeRef") if len(uitvoer) == 1 else None)
                    toegestaan, bron = toegestaan_type(tr), f"de toegestane waarden van type {tr}"
            except DmnFout as e:
                bev("STTR-DMN-018", f"{waar}: de toegestane uitvoerwaarden zijn niet te lezen ({e}); "
                    "uitvoerwaarden niet gecontroleerd.", b, out.sourceline, WAARSCHUWING)
                continue
            if toegestaan is None:
                continue
            for i, r in enumerate(regels):
                cel = r.findall(_q("outputEntry"))[k]
                tekst = _tekst(cel)
                try:
                    ok = bool(tekst) and literal(tekst) in toegestaan
                except DmnFout:
                    ok = False
                if tekst and not ok:
                    bev("STTR-DMN-009", f"{waar}, {regelnaam(i)}: uitvoer {tekst} staat niet in "
                        f"{bron} ({', '.join(_toon(w) for w in toegestaan)}).", b, cel.sourceline)

        # --- columns: known, required, asked (STTR-DMN-015/016/017)
        domeinen: list[list] = []
        reden = None
        for k, kolom in enumerate(kolommen):
            expr_el = kolom.find(_q("inputExpression"))
            expr = _tekst(expr_el)
            doel = invoer.get(expr) if expr in invoer else besluiten.get(expr)
            if doel is None:
                bev("STTR-DMN-015", f"{waar}, invoerkolom {k + 1}: de expressie '{expr}' noemt geen "
                    "inputData en geen besluit van het model.", b, kolom.sourceline)
            elif doel.get("id") not in vereist:
                bev("STTR-DMN-015", f"{waar}, invoerkolom {k + 1}: '{expr}' wordt gebruikt maar "
                    "staat niet in de informationRequirements van het besluit.", b, kolom.sourceline)
            if doel is not None and doel.tag == _q("inputData") and doel.get("id") not in gevraagd:
                gevraagd.add(doel.get("id"))
                _vraag(b, bev, doel, uitvoeringsregels)
            typeref = (expr_el.get("typeRef") if expr_el is not None else None) or (
                doel.find(_q("variable")).get("typeRef") if doel is not None
                and doel.find(_q("variable")) is not None else None)
            if reden is None:
                try:
                    domein, reden = _domein(kolom, typeref, toegestaan_type, regels, k)
                except DmnFout as e:
                    domein, reden = [], f"invoerkolom {k + 1}: {e}"
                if reden is None and domein and domein[-1] is _AFWEZIG:
                    domein.pop()
                    bev("STTR-DMN-019", f"{waar}, invoerkolom {k + 1} ('{expr}'): geen toegestane "
                        "waarden gedeclareerd; volledigheid en overlap zijn alleen gecontroleerd over "
                        f"de waarden die de regels noemen ({_genoemd(domein)}).",
                        b, kolom.sourceline, INFORMATIEF)
                domeinen.append(domein)
        if reden is None:
            aantal = 1
            for d in domeinen:
                aantal *= max(len(d), 1)
            if aantal > MAX_COMBINATIES:
                reden = f"{aantal} combinaties van representatieve waarden (grens {MAX_COMBINATIES})"
        if reden is not None:
            bev("STTR-DMN-018", f"{waar}: volledigheid, overlap en bereikbaarheid niet gecontroleerd "
                f"— {reden}.", b, tabel.sourceline, WAARSCHUWING)
            continue
        try:
            _tabel(b, bev, waar, tabel, kolommen, regels, domeinen, regelnaam)
        except DmnFout as e:
            bev("STTR-DMN-018", f"{waar}: volledigheid, overlap en bereikbaarheid niet gecontroleerd "
                f"— {e}.", b, tabel.sourceline, WAARSCHUWING)


def _genoemd(domein: list) -> str:
    if domein == [""]:
        return "geen; gecontroleerd met één willekeurige tekst"
    return ", ".join(_toon(w) for w in domein)


def _vraag(b, bev, invoer_el, uitvoeringsregels) -> None:
    naam = invoer_el.get("name")
    refs = [el.get("href") or "" for el in invoer_el.iter(f"{{{UITV}}}uitvoeringsregelRef")]
    regel = uitvoeringsregels.get(refs[0][1:]) if refs else None
    vraag = regel.find(f"{{{UITV}}}vraag") if regel is not None else None
    tekst = (vraag.findtext(f"{{{UITV}}}vraagTekst") or "").strip() if vraag is not None else ""
    bijlage = (regel.findtext(f"{{{UITV}}}bijlage/{{{UITV}}}bijlageType") or "").strip() \
        if regel is not None else ""
    if not tekst and bijlage:
        return   # asked as an attachment (uitv:bijlage), no data type to compare
    if not tekst:
        waarom = ("heeft geen uitvoeringsregelRef" if not refs else
                  f"verwijst naar uitvoeringsregel {refs[0]} die niet bestaat" if regel is None else
                  f"verwijst naar uitvoeringsregel {refs[0]} zonder vraag (vraagTekst) of bijlage")
        bev("STTR-DMN-016", f"inputData '{naam}' wordt in een beslistabel gebruikt maar wordt nooit "
            f"gevraagd: hij {waarom}.", b, invoer_el.sourceline)
        return
    soort = (vraag.findtext(f"{{{UITV}}}gegevensType") or "").strip()
    var = invoer_el.find(_q("variable"))
    typeref = _type(var.get("typeRef")) if var is not None else ""
    if soort and typeref and soort != typeref:
        bev("STTR-DMN-017", f"inputData '{naam}' heeft type {typeref}, maar de vraag "
            f"('{tekst}') vraagt gegevensType {soort}.", b, invoer_el.sourceline)


def _domein(kolom, typeref, toegestaan_type, regels, k):
    """(representative values, None) or ([], reason the column cannot be partitioned)."""
    tests = [_tekst(r.findall(_q("inputEntry"))[k]) for r in regels]
    tekst = _tekst(kolom.find(_q("inputValues")))
    if tekst:
        return [w for w in _waarden(tekst) if w is not None], None
    soort = _type(typeref)
    if soort == "number":
        grenzen = sorted({float(g) for t in tests for g in _GETAL.findall(t)})
        if not grenzen:
            return [0], None
        punten = [grenzen[0] - 1, *grenzen, grenzen[-1] + 1]
        punten += [(a + c) / 2 for a, c in itertools.pairwise(grenzen)]
        return sorted(int(p) if float(p).is_integer() else p for p in punten), None
    toegestaan = toegestaan_type(typeref)
    if toegestaan is not None:
        return [w for w in toegestaan if w is not None], None
    if soort == "string":
        genoemd: list = []
        for t in tests:
            kern = t[4:-1] if t.startswith("not(") and t.endswith(")") else t
            for d in splits_lijst(kern):
                if d and d != "-":
                    w = literal(d)
                    if w is not None and w not in genoemd:
                        genoemd.append(w)
        return [*(genoemd or [""]), _AFWEZIG], None
    return [], f"invoerkolom '{_tekst(kolom.find(_q('inputExpression')))}' heeft type " \
               f"'{typeref}' zonder eindige indeling"


def _tabel(b, bev, waar, tabel, kolommen, regels, domeinen, regelnaam) -> None:
    beleid = tabel.get("hitPolicy", "UNIQUE")
    namen = [k.get("label") or _tekst(k.find(_q("inputExpression"))) for k in kolommen]
    tests = [[_tekst(e) for e in r.findall(_q("inputEntry"))] for r in regels]
    uitkomsten = [[_tekst(e) for e in r.findall(_q("outputEntry"))] for r in regels]
    # per rule, per column: the set of domain indices it accepts
    dekt = [[{j for j, w in enumerate(d) if past(t, w)} for t, d in zip(ts, domeinen, strict=True)]
            for ts in tests]

    def invoer(combi) -> str:
        return "{" + ", ".join(f"{n}: {_toon(d[j])}" for n, d, j in zip(namen, domeinen, combi,
                                                                          strict=True)) + "}"

    gaten: list = []
    overlap: dict[tuple[int, int], tuple] = {}
    winnaar = [False] * len(regels)
    ooit = [False] * len(regels)
    for combi in itertools.product(*(range(len(d)) for d in domeinen)):
        treffers = [i for i, per in enumerate(dekt) if all(j in s for j, s in zip(combi, per, strict=True))]
        if not treffers:
            gaten.append(combi)
            continue
        winnaar[treffers[0]] = True
        for i in treffers:
            ooit[i] = True
        for i, j in itertools.combinations(treffers, 2):
            overlap.setdefault((i, j), combi)
    if gaten and beleid in ("UNIQUE", "FIRST", "ANY", "PRIORITY"):
        meer = f" (en {len(gaten) - 1} andere onbedekte combinaties van representatieve waarden)" \
            if len(gaten) > 1 else ""
        bev("STTR-DMN-010", f"{waar}, hitPolicy {beleid}: onvolledig — geen regel dekt de invoer "
            f"{invoer(gaten[0])}{meer}.", b, tabel.sourceline)
    for i, ts in enumerate(tests):
        if not ooit[i]:
            bev("STTR-DMN-013", f"{waar}, {regelnaam(i)}: de regel dekt geen enkele invoer "
                f"({', '.join(ts)}).", b, regels[i].sourceline)
    for (i, j), combi in overlap.items():
        if beleid == "UNIQUE":
            bev("STTR-DMN-011", f"{waar}, hitPolicy UNIQUE: {regelnaam(i)} en {regelnaam(j)} "
                f"overlappen, bv. bij invoer {invoer(combi)}.", b, regels[j].sourceline)
        elif beleid == "ANY" and uitkomsten[i] != uitkomsten[j]:
            bev("STTR-DMN-014", f"{waar}, hitPolicy ANY: {regelnaam(i)} ({', '.join(uitkomsten[i])}) "
                f"en {regelnaam(j)} ({', '.join(uitkomsten[j])}) overlappen met verschillende "
                f"uitvoer, bv. bij invoer {invoer(combi)}.", b, regels[j].sourceline)
    if beleid == "FIRST":
        for i in range(len(regels)):
            if ooit[i] and not winnaar[i]:
                eerder = sorted({a + 1 for (a, c) in overlap if c == i})
                bev("STTR-DMN-012", f"{waar}, hitPolicy FIRST: {regelnaam(i)} is onbereikbaar — "
                    f"elke invoer die hij dekt, dekt eerder al regel "
                    f"{', '.join(map(str, eerder))}.", b, regels[i].sourceline)
