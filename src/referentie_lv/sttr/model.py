"""The parts of a toepasbare-regelbestand (DMN 1.1 + STTR/IMTR extensions) the reference LV uses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from referentie_lv.sttr.feel import Test

# The output kinds a conclusie can have (TConclusie in every STTR file).
CONCLUSIES = ("NietVanToepassing", "NeemContactOpMet", "Meldingsplicht", "Vergunningplicht",
              "Informatieplicht", "Toestemmingsvrij", "Verbod")

TYPERINGEN = ("Conclusie", "Indieningsvereisten", "Maatregelen")
TOESTEMMINGEN = ("Vergunning", "Melding", "Informatie")


@dataclass(frozen=True)
class Regelgroep:
    id: str
    naam: str
    prioriteit: int | None


@dataclass(frozen=True)
class Uitvoeringsregel:
    """How an input is obtained: a question to the initiatiefnemer, or an attachment."""
    id: str
    regelgroep: Regelgroep | None
    bereik: str | None
    classificatie: str | None
    publiceerbaar: bool | None
    potentieel_vertrouwelijk: bool | None
    prioriteit: int | None
    gegevenstype: str | None          # boolean, number, string, ... (uitv:gegevensType)
    vraagtekst: str | None
    bijlagetype: str | None           # e.g. "Situatieschets" (uitv:bijlage)
    toelichting: str | None           # content:uitvoeringsregelToelichting
    volgorde: int                     # position in the file, the tie-breaker for equal priority


@dataclass(frozen=True)
class Type:
    """FEEL type of a variable: base kind plus, for enumerations, the allowed values."""
    naam: str                         # feel:number, TConclusie, ...
    basis: str                        # number, boolean, string (or the unresolved name)
    toegestaan: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class Invoergegeven:
    """dmn:inputData."""
    id: str
    naam: str
    type: Type
    uitvoeringsregel: Uitvoeringsregel | None


@dataclass(frozen=True)
class Kolom:
    """dmn:input of a decision table."""
    id: str
    label: str | None
    expressie: str                    # the name it reads (an inputData or decision name)
    type: str | None


@dataclass(frozen=True)
class Uitvoerkolom:
    id: str
    naam: str | None
    waarden: tuple[Any, ...] | None   # outputValues: the order PRIORITY / OUTPUT ORDER use


@dataclass(frozen=True)
class Regel:
    """dmn:rule: one row of a decision table (``nummer`` counts from 1, as users read it)."""
    id: str
    nummer: int
    invoer: tuple[Test, ...]
    uitvoer: tuple[Any, ...]
    uitvoer_tekst: tuple[str, ...]
    annotatie: str | None = None


@dataclass(frozen=True)
class Beslistabel:
    id: str
    hit_policy: str                   # UNIQUE, FIRST, PRIORITY, ANY, COLLECT, RULE ORDER, OUTPUT ORDER
    aggregatie: str | None            # SUM, COUNT, MIN, MAX (COLLECT only)
    kolommen: tuple[Kolom, ...]
    uitvoer: tuple[Uitvoerkolom, ...]
    regels: tuple[Regel, ...]


@dataclass(frozen=True)
class FunctioneleStructuur:
    """What a decision concludes, from bedr:functioneleStructuurRef."""
    ref: str
    typering: str | None              # Conclusie, Indieningsvereisten, Maatregelen
    toestemming: str | None           # Vergunning, Melding, Informatie (indieningsvereisten)
    activiteit: str | None            # e.g. nl.imow-gm0297.activiteit.2019000810


_FS = re.compile(rf"^({'|'.join(TYPERINGEN)})({'|'.join(TOESTEMMINGEN)})?(.+)$")


def functionele_structuur(ref: str) -> FunctioneleStructuur:
    laatste = ref.rstrip("/").rsplit("/", 1)[-1]
    m = _FS.match(laatste)
    if not m:
        return FunctioneleStructuur(ref, None, None, None)
    return FunctioneleStructuur(ref, m.group(1), m.group(2), m.group(3))


@dataclass(frozen=True)
class Besluit:
    """dmn:decision with its decision table."""
    id: str
    naam: str
    type: Type
    functionele_structuur: FunctioneleStructuur | None
    vereist_invoer: tuple[str, ...]   # inputData ids
    vereist_besluit: tuple[str, ...]  # decision ids
    tabel: Beslistabel


@dataclass
class Model:
    """One toepasbare-regelbestand."""
    id: str
    naam: str
    namespace: str
    bestand: str
    exporter: str | None
    regelgroepen: dict[str, Regelgroep]
    uitvoeringsregels: dict[str, Uitvoeringsregel]
    invoer: dict[str, Invoergegeven]
    besluiten: dict[str, Besluit]
    geldig_begindatum: str | None = None   # from the delivery's opdracht (dd-mm-jjjj as delivered)
    pakket: str | None = None              # zip it came from

    @property
    def topbesluiten(self) -> list[Besluit]:
        """Decisions no other decision requires: what the model concludes."""
        vereist = {d for b in self.besluiten.values() for d in b.vereist_besluit}
        return [b for b in self.besluiten.values() if b.id not in vereist]

    @property
    def functionele_structuren(self) -> list[FunctioneleStructuur]:
        return [b.functionele_structuur for b in self.topbesluiten if b.functionele_structuur]

    @property
    def typering(self) -> str | None:
        for fs in self.functionele_structuren:
            if fs.typering:
                return fs.typering
        return None

    @property
    def activiteiten(self) -> list[str]:
        return sorted({fs.activiteit for fs in self.functionele_structuren if fs.activiteit})

    def naam_bron(self, naam: str) -> tuple[str, str]:
        """Resolve a name used in an input expression: ('invoer'|'besluit', id)."""
        for i in self.invoer.values():
            if i.naam == naam:
                return ("invoer", i.id)
        for b in self.besluiten.values():
            if b.naam == naam:
                return ("besluit", b.id)
        raise KeyError(naam)


@dataclass
class Activiteit:
    """A 'toepasbaar maken' package: how an activity is offered in the loket."""
    identificatie: str
    typering: str | None
    werkzaamheden: list[str]
    regelbeheerobjecten: list[dict]
    bevoegd_gezag: dict
    begindatum: str | None
    toonbaar: bool | None
    pakket: str
    extra: dict = field(default_factory=dict)
