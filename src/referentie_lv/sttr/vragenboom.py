"""The question tree of one toepasbare-regelbestand: which question next, and the conclusion.

An unanswered question can only change the outcome through the unary tests that read it. Those
tests split its domain into a few regions (for a number: below, on and between the constants;
for a string: each literal and "something else"; for a boolean: true and false), and every value
in a region gives the same result in every table. So the outcome for partial answers is decided
by evaluating the model over one representative per region of each unanswered question: exact,
not a heuristic, and small for real files (the Gemeentestad files need at most 24 evaluations).

"Not answered" (null) is one more region: indieningsvereisten models test exactly that.
A question is *relevant* when, for some choice of the other open answers, two of its regions give
different outcomes; the next question is the first relevant one in the order the file gives
(regelgroep priority, then uitvoeringsregel priority, then position). When no open question is
relevant the outcome is fixed and that is the conclusion.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from referentie_lv.sttr import feel
from referentie_lv.sttr.dmn import als_json
from referentie_lv.sttr.evaluatie import Spoor, evalueer
from referentie_lv.sttr.model import Besluit, FunctioneleStructuur, Invoergegeven, Model

MAX_COMBINATIES = 50_000
_ONEINDIG = 10 ** 9


class OngeldigAntwoord(ValueError):
    """An answer that does not fit its question (``sleutel`` names it, ``reden`` says why)."""

    def __init__(self, sleutel: str, reden: str):
        super().__init__(f"{sleutel}: {reden}")
        self.sleutel = sleutel
        self.reden = reden


@dataclass(frozen=True)
class Vraag:
    id: str                   # unique over all models: "<model id>/<uitvoeringsregel id>"
    code: str                 # uitvoeringsregel id (or inputData id when there is none)
    invoer_id: str
    naam: str                 # the inputData name the tables read
    tekst: str                # what the user is asked
    vraagtekst: str | None
    gegevenstype: str         # boolean, number, string
    keuzes: tuple[Any, ...] | None
    soort: str                # "vraag" or "bijlage"
    bijlagetype: str | None
    toelichting: str | None
    prioriteit: int | None
    regelgroep: str | None
    sorteersleutel: tuple

    def als_dict(self) -> dict:
        d = {"id": self.id, "code": self.code, "naam": self.naam, "tekst": self.tekst,
             "vraagtekst": self.vraagtekst, "gegevenstype": self.gegevenstype, "soort": self.soort,
             "prioriteit": self.prioriteit, "regelgroep": self.regelgroep}
        if self.keuzes:
            d["keuzes"] = [als_json(k) for k in self.keuzes]
        if self.bijlagetype:
            d["bijlagetype"] = self.bijlagetype
        if self.toelichting:
            d["toelichting"] = self.toelichting
        return d


def maak_vraag(model: Model, invoer: Invoergegeven) -> Vraag:
    ur = invoer.uitvoeringsregel
    gtype = ((ur.gegevenstype if ur and ur.gegevenstype else None) or invoer.type.basis or "string").lower()
    if gtype not in ("boolean", "number", "string"):
        gtype = "string"
    keuzes = invoer.type.toegestaan
    if keuzes:
        keuzes = tuple(k for k in keuzes if k is not None)
    bijlage = ur.bijlagetype if ur else None
    soort = "bijlage" if (ur and ur.bijlagetype and not ur.vraagtekst) else "vraag"
    if soort == "bijlage":
        gtype = "boolean"      # an attachment is either supplied or not
    tekst = (ur.vraagtekst if ur else None) or (ur.toelichting if ur else None) or invoer.naam
    rg = ur.regelgroep if ur else None
    sleutel = (rg.prioriteit if rg and rg.prioriteit is not None else _ONEINDIG,
               ur.prioriteit if ur and ur.prioriteit is not None else _ONEINDIG,
               ur.volgorde if ur else _ONEINDIG, invoer.id)
    code = ur.id if ur else invoer.id
    return Vraag(id=f"{model.id}/{code}", code=code, invoer_id=invoer.id, naam=invoer.naam,
                 tekst=tekst, vraagtekst=ur.vraagtekst if ur else None, gegevenstype=gtype,
                 keuzes=keuzes or None, soort=soort, bijlagetype=bijlage,
                 toelichting=ur.toelichting if ur else None,
                 prioriteit=ur.prioriteit if ur else None, regelgroep=rg.naam if rg else None,
                 sorteersleutel=sleutel)


_WAAR = {"true", "ja", "waar", "j", "yes", "1"}
_ONWAAR = {"false", "nee", "onwaar", "n", "no", "0"}
_GETAL = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


def zet_om(vraag: Vraag, waarde: Any, sleutel: str | None = None) -> Any:
    """Convert an answer (JSON value or form text) to the question's FEEL type."""
    s = sleutel or vraag.id
    if waarde is None:
        return None
    t = vraag.gegevenstype
    if t == "boolean":
        if isinstance(waarde, bool):
            return waarde
        if isinstance(waarde, str) and waarde.strip().lower() in _WAAR:
            return True
        if isinstance(waarde, str) and waarde.strip().lower() in _ONWAAR:
            return False
        raise OngeldigAntwoord(s, f"verwacht ja/nee (true/false), kreeg {waarde!r}")
    if t == "number":
        if isinstance(waarde, bool):
            raise OngeldigAntwoord(s, f"verwacht een getal, kreeg {waarde!r}")
        if isinstance(waarde, (int, Decimal)):
            return Decimal(waarde)
        if isinstance(waarde, float):
            if waarde != waarde or waarde in (float("inf"), float("-inf")):
                raise OngeldigAntwoord(s, "verwacht een eindig getal")
            return Decimal(str(waarde))
        if isinstance(waarde, str) and _GETAL.fullmatch(waarde.strip()):
            try:
                return Decimal(waarde.strip().replace(",", "."))
            except InvalidOperation:        # pragma: no cover - regex guards this
                pass
        raise OngeldigAntwoord(s, f"verwacht een getal, kreeg {waarde!r}")
    if not isinstance(waarde, str):
        raise OngeldigAntwoord(s, f"verwacht tekst, kreeg {waarde!r}")
    if vraag.keuzes and not any(feel.gelijk(waarde, k) for k in vraag.keuzes):
        raise OngeldigAntwoord(s, "verwacht een van " + ", ".join(map(str, vraag.keuzes)))
    return waarde


@dataclass
class Conclusie:
    """The outcome of one top decision (what the model concludes)."""
    besluit: str
    besluit_id: str
    functionele_structuur: FunctioneleStructuur | None
    waarde: Any
    regels: tuple[int, ...]
    uitleg: str
    gebruikte_antwoorden: dict[str, Any]
    fout: str | None = None

    def als_dict(self) -> dict:
        fs = self.functionele_structuur
        return {"besluit": self.besluit, "waarde": als_json(self.waarde),
                "typering": fs.typering if fs else None, "toestemming": fs.toestemming if fs else None,
                "activiteit": fs.activiteit if fs else None,
                "functioneleStructuurRef": fs.ref if fs else None,
                "regels": list(self.regels), "uitleg": self.uitleg,
                "gebruikteAntwoorden": {k: als_json(v) for k, v in self.gebruikte_antwoorden.items()},
                **({"fout": self.fout} if self.fout else {})}


@dataclass
class Analyse:
    bekend: dict[str, Any]               # inputData id → value
    open_relevant: list[Vraag]           # in question order
    mogelijke_uitkomsten: set[tuple]
    exact: bool = True                   # False when there were too many combinations

    @property
    def bepaald(self) -> bool:
        return self.exact and len(self.mogelijke_uitkomsten) == 1 and not self.open_relevant


def _uitkomstwaarde(s: Spoor) -> Any:
    if s.fout:
        return ("FOUT", s.fout)
    return _hashbaar(s.waarde)


def _hashbaar(w: Any) -> Any:
    if isinstance(w, list):
        return ("lijst",) + tuple(_hashbaar(x) for x in w)
    if isinstance(w, dict):
        return ("ctx",) + tuple(sorted((k, _hashbaar(v)) for k, v in w.items()))
    if isinstance(w, Decimal):
        return ("getal", w.normalize())
    return w


class Vragenboom:
    def __init__(self, model: Model, doelen: Iterable[str] | None = None):
        self.model = model
        self.doelen: list[Besluit] = ([model.besluiten[d] for d in doelen] if doelen
                                      else model.topbesluiten)
        nodig = self._invoer_onder([d.id for d in self.doelen])
        self.vragen: list[Vraag] = sorted((maak_vraag(model, model.invoer[i]) for i in nodig),
                                          key=lambda v: v.sorteersleutel)
        self._per_sleutel: dict[str, Vraag] = {}
        for v in self.vragen:
            for k in (v.id, v.code, v.invoer_id, v.naam):
                self._per_sleutel.setdefault(k, v)
        self._tests = self._tests_per_invoer()
        self._domein = {v.invoer_id: self._representanten(v) for v in self.vragen}

    # -- structure -------------------------------------------------------------------------

    def _invoer_onder(self, besluiten: list[str]) -> list[str]:
        gezien, invoer, stapel = set(), [], list(besluiten)
        while stapel:
            b = self.model.besluiten[stapel.pop()]
            if b.id in gezien:
                continue
            gezien.add(b.id)
            for k in b.tabel.kolommen:
                soort, ref = self.model.naam_bron(k.expressie)
                if soort == "invoer" and ref not in invoer:
                    invoer.append(ref)
                elif soort == "besluit":
                    stapel.append(ref)
        return invoer

    def _tests_per_invoer(self) -> dict[str, list[feel.Test]]:
        uit: dict[str, list[feel.Test]] = {}
        for b in self.model.besluiten.values():
            for n, k in enumerate(b.tabel.kolommen):
                soort, ref = self.model.naam_bron(k.expressie)
                if soort == "invoer":
                    uit.setdefault(ref, []).extend(r.invoer[n] for r in b.tabel.regels)
        return uit

    def _representanten(self, vraag: Vraag) -> list[Any]:
        """One value per region of the domain the tests on this input distinguish."""
        constanten = [c for t in self._tests.get(vraag.invoer_id, []) for c in t.constanten()]
        if vraag.gegevenstype == "boolean":
            return [True, False]
        if vraag.keuzes:
            return list(vraag.keuzes)
        if vraag.gegevenstype == "number":
            cs = sorted({feel.getal(c) for c in constanten if feel.soort(c) == "number"})
            if not cs:
                return [Decimal(1)]
            uit = [cs[0] - 1]
            for a, b in zip(cs, cs[1:], strict=False):
                uit += [a, (a + b) / 2]
            return uit + [cs[-1], cs[-1] + 1]
        strings = sorted({c for c in constanten if feel.soort(c) == "string"})
        anders, n = "iets anders", 1
        while anders in strings:
            n += 1
            anders = f"iets anders {n}"
        return strings + [anders]

    def vraag(self, sleutel: str) -> Vraag | None:
        return self._per_sleutel.get(sleutel)

    # -- answers ---------------------------------------------------------------------------

    def normaliseer(self, antwoorden: dict[str, Any] | None, strikt: bool = False) -> dict[str, Any]:
        """Answers keyed by question id, code, inputData id or name → {inputData id: value}."""
        uit: dict[str, Any] = {}
        for sleutel, waarde in (antwoorden or {}).items():
            v = self._per_sleutel.get(sleutel)
            if v is None:
                if strikt:
                    raise OngeldigAntwoord(sleutel, "onbekende vraag in dit model")
                continue
            w = zet_om(v, waarde, sleutel)
            if w is not None:
                uit[v.invoer_id] = w
        return uit

    # -- analysis --------------------------------------------------------------------------

    def _uitkomst(self, waarden: dict[str, Any]) -> tuple[tuple, dict[str, Spoor]]:
        sporen = evalueer(self.model, waarden)
        return tuple(_uitkomstwaarde(sporen[d.id]) for d in self.doelen), sporen

    def analyse(self, antwoorden: dict[str, Any] | None = None) -> Analyse:
        bekend = self.normaliseer(antwoorden)
        open_ = [v for v in self.vragen if v.invoer_id not in bekend]
        # An open question may also stay unanswered (null): STTR models test for that
        # ("conv reden": not(null)), so "not answered" is one more region of every domain.
        domeinen = [self._domein[v.invoer_id] + [None] for v in open_]
        aantal = 1
        for d in domeinen:
            aantal *= len(d)
        if aantal > MAX_COMBINATIES:
            # Too many to enumerate: every open question counts as relevant (safe: it asks more).
            return Analyse(bekend, open_, set(), exact=False)
        uitkomsten: dict[tuple, tuple] = {}
        for combi in itertools.product(*domeinen):
            waarden = dict(bekend)
            waarden.update({v.invoer_id: w for v, w in zip(open_, combi, strict=False)})
            uitkomsten[combi] = self._uitkomst(waarden)[0]
        relevant = []
        for i, v in enumerate(open_):
            groepen: dict[tuple, set] = {}
            for combi, u in uitkomsten.items():
                groepen.setdefault(combi[:i] + combi[i + 1:], set()).add(u)
            if any(len(g) > 1 for g in groepen.values()):
                relevant.append(v)
        return Analyse(bekend, relevant, set(uitkomsten.values()))

    def volgende_vraag(self, antwoorden: dict[str, Any] | None = None) -> Vraag | None:
        a = self.analyse(antwoorden)
        return a.open_relevant[0] if a.open_relevant else None

    def open_vragen(self, antwoorden: dict[str, Any] | None = None) -> list[Vraag]:
        return self.analyse(antwoorden).open_relevant

    def conclusie(self, antwoorden: dict[str, Any] | None = None,
                  analyse: Analyse | None = None) -> list[Conclusie] | None:
        """The conclusion per top decision, or None while a relevant question is open.
        ``analyse``: the result of ``analyse(antwoorden)`` when the caller already has it."""
        a = analyse or self.analyse(antwoorden)
        if not a.bepaald:
            return None
        (uitkomst,) = a.mogelijke_uitkomsten
        # Unasked questions are left empty: null is in every domain, so this gives the same
        # outcome and the explanation cites only answers actually given.
        uit, sporen = self._uitkomst(a.bekend)
        if uit != uitkomst:     # an invariant of the question tree; never expected to fail
            raise RuntimeError(f"vragenboom {self.model.naam}: uitkomst {uit!r} in plaats van {uitkomst!r}")
        return [self._conclusie(d, sporen, a.bekend) for d in self.doelen]

    # -- explanation -----------------------------------------------------------------------

    def _conclusie(self, doel: Besluit, sporen: dict[str, Spoor], bekend: dict[str, Any]) -> Conclusie:
        s = sporen[doel.id]
        gebruikt: dict[str, Any] = {}
        uitleg = self._leg_uit(doel, sporen, gebruikt, diepte=0)
        per_invoer = {v.invoer_id: v for v in self.vragen}
        gebruikte = {per_invoer[i].id: w for i, w in gebruikt.items() if i in per_invoer and i in bekend}
        return Conclusie(doel.naam, doel.id, doel.functionele_structuur, s.waarde, s.raak, uitleg,
                         gebruikte, s.fout)

    def _leg_uit(self, besluit: Besluit, sporen: dict[str, Spoor], gebruikt: dict, diepte: int) -> str:
        s = sporen[besluit.id]
        naam = besluit.naam
        if s.fout:
            return f"'{naam}' kon niet worden bepaald: {s.fout}."
        if not s.raak:
            return f"Geen regel van beslistabel '{naam}' is van toepassing; de uitkomst is leeg."
        delen = []
        for nummer in s.raak:
            regel = besluit.tabel.regels[nummer - 1]
            voorwaarden = []
            for n, (kolom, test) in enumerate(zip(besluit.tabel.kolommen, regel.invoer, strict=False)):
                if test.is_alles:
                    continue
                soort, ref = self.model.naam_bron(kolom.expressie)
                waarde = s.invoer[n]
                tekst = f"{kolom.expressie} is {_toon(waarde)} (voorwaarde: {test.tekst})"
                if soort == "invoer":
                    gebruikt[ref] = waarde
                else:
                    sub = self._leg_uit(self.model.besluiten[ref], sporen, gebruikt, diepte + 1)
                    tekst += f" [{sub}]"
                voorwaarden.append(tekst)
            grond = "; ".join(voorwaarden) if voorwaarden else "zonder voorwaarden"
            delen.append(f"regel {nummer} van beslistabel '{naam}' ({besluit.tabel.hit_policy}): {grond}")
        return f"'{naam}' is {_toon(s.waarde)} volgens " + " en ".join(delen) + "."


def _toon(w: Any) -> str:
    if w is None:
        return "leeg"
    if w is True:
        return "waar"
    if w is False:
        return "onwaar"
    if isinstance(w, Decimal):
        return str(als_json(w))
    if isinstance(w, str):
        return f'"{w}"'
    return str(als_json(w))
