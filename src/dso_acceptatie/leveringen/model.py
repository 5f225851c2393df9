"""Findings and outcomes of validating one delivery."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# Severities as the validatiematrix names them (LVBB "fout" = matrix "Blokkerend").
FOUT = "fout"
WAARSCHUWING = "waarschuwing"
INFORMATIEF = "informatief"
ERNSTEN = (FOUT, WAARSCHUWING, INFORMATIEF)

# A rule set that could not run on a file: the file is not checked, so the delivery is not
# approved. Never a warning: an unchecked file must not pass (see niet_uitgevoerd).
NIET_UITGEVOERD = "REGELSET-NIET-UITGEVOERD"

SOORTEN = ("stop", "tpod", "sttr", "imro")
SOORT_NAAM = {"stop": "STOP/LVBB", "tpod": "TPOD/IMOW", "sttr": "STTR (toepasbare regels)",
              "imro": "IMRO 2012"}


def plaats(bestand: str | None, regel: int | None = None, kolom: int | None = None,
           xpath: str | None = None) -> str:
    """'bestand, regel 3, kolom 7, /x/y' — whatever is known, for findings and refusals alike."""
    delen = [bestand] if bestand else []
    if regel:
        delen.append(f"regel {regel}")
    if kolom:
        delen.append(f"kolom {kolom}")
    if xpath:
        delen.append(xpath)
    return ", ".join(delen)


@dataclass
class Bevinding:
    code: str                    # rule code: STOP0005, TPOD1740, LVBB1009, BSPG-001a, XSD, ...
    ernst: str                   # fout | waarschuwing | informatief
    bericht: str                 # Dutch, for people
    bestand: str | None = None   # path inside the delivery
    regel: int | None = None
    kolom: int | None = None
    xpath: str | None = None
    soort: str | None = None     # stop | tpod | sttr | imro
    regelset: str | None = None  # which rule set decided (name + version)
    bron: str | None = None      # processor: lxml-xsd, saxon-schematron, lxml-schematron, ...

    def plaats(self) -> str:
        return plaats(self.bestand, self.regel, self.kolom, self.xpath) or "levering"

    def als_dict(self) -> dict:
        return asdict(self)


def niet_uitgevoerd(regelset: str, bestand: str | None, reden: str, soort: str | None = None,
                    bron: str | None = None, ernst: str = FOUT) -> Bevinding:
    """The finding for a rule set (XSD, Schematron, own checks) that could not run on a file.
    ``ernst`` is fout, except where the rule set does not count for the verdict anyway (TPOD 1.0
    forced onto IMOW 2.x, findings informatief): there a waarschuwing."""
    reden = " ".join(str(reden).split())[:300] or "onbekende oorzaak"
    return Bevinding(NIET_UITGEVOERD, ernst, f"de regelset {regelset} kon niet op dit bestand worden "
                     f"uitgevoerd, dus het bestand is daartegen niet gecontroleerd en kan niet worden "
                     f"goedgekeurd. Oorzaak: {reden}", bestand, soort=soort, regelset=regelset,
                     bron=bron)


@dataclass
class Regelset:
    soort: str
    naam: str                    # e.g. "IMRO 2012 TAM v0.13"
    toelichting: str = ""        # why this set (peildatum), or why skipped
    toegepast: bool = True


@dataclass
class Uitkomst:
    pad: str
    peildatum: str
    soorten: list[str] = field(default_factory=list)
    bestanden: list[str] = field(default_factory=list)
    regelsets: list[Regelset] = field(default_factory=list)
    bevindingen: list[Bevinding] = field(default_factory=list)

    def aantal(self, ernst: str) -> int:
        return sum(1 for b in self.bevindingen if b.ernst == ernst)

    @property
    def geldig(self) -> bool:
        return self.aantal(FOUT) == 0

    @property
    def oordeel(self) -> str:
        return "goedgekeurd" if self.geldig else "afgekeurd"

    def niet_uitgevoerd(self) -> list[Bevinding]:
        """Findings of rule sets that could not run and that count for the verdict."""
        return [b for b in self.bevindingen if b.code == NIET_UITGEVOERD and b.ernst == FOUT]

    def codes(self, ernst: str | None = None) -> set[str]:
        return {b.code for b in self.bevindingen if ernst is None or b.ernst == ernst}

    def als_dict(self) -> dict:
        return {"pad": self.pad, "peildatum": self.peildatum, "soorten": self.soorten,
                "oordeel": self.oordeel, "bestanden": self.bestanden,
                "regelsets": [asdict(r) for r in self.regelsets],
                "bevindingen": [b.als_dict() for b in self.bevindingen]}
