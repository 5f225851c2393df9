"""Processor output (XSD errors, SVRL) → findings with code, severity, place and Dutch text."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from dso_acceptatie.leveringen import matrix, xsd
from dso_acceptatie.leveringen.model import FOUT, Bevinding, niet_uitgevoerd
from dso_acceptatie.leveringen.schematron import (
    SchFout,
    json_uit_tekst,
    kort_pad,
    regel_van,
)

_CODE = re.compile(r"^[A-Z]{3,5}\d{4}$")


def xsd_bevindingen(bestand, xsd_pad: Path, code: str, soort: str, regelset: str,
                    ernst: str | None = None, toelichting: str = "") -> list[Bevinding]:
    uit = []
    try:
        fouten = xsd.valideer(bestand.boom, xsd_pad)
    except (etree.LxmlError, ValueError) as e:
        # e.g. XMLSchemaValidateError "Internal error" on an unexpected node: not checked.
        return [niet_uitgevoerd(f"{regelset} ({xsd_pad.name})", bestand.naam,
                                f"{type(e).__name__}: {e}", soort, "lxml-xsd")]
    for regel, kolom, melding, xpath in fouten:
        r = matrix.regel(code)
        bericht = f"voldoet niet aan het XML-schema {xsd_pad.name}: {_vertaal(melding)}"
        if r:
            bericht += f" ({code}: {r.omschrijving})"
        if toelichting:
            bericht += f" {toelichting}"
        uit.append(Bevinding(code, ernst or (r.ernst if r else FOUT), bericht, bestand.naam,
                             regel or None, kolom or None, xpath, soort, regelset, "lxml-xsd"))
    return uit


_VERTALINGEN = [
    (r"This element is not expected\. Expected is (.*)\.", (r"dit element wordt hier niet verwacht; "
                                                           r"verwacht: \1.")),
    (r"This element is not expected\.", "dit element wordt hier niet verwacht."),
    (r"Missing child element\(s\)\. Expected is (.*)\.", (r"verplicht kindelement ontbreekt; "
                                                         r"verwacht: \1.")),
    (r"The attribute '([^']+)' is required but missing\.", r"verplicht attribuut '\1' ontbreekt."),
    (r"The attribute '([^']+)' is not allowed\.", r"attribuut '\1' is hier niet toegestaan."),
    (r"is not a valid value of the atomic type '([^']+)'", r"is geen geldige waarde van type '\1'"),
    (r"No matching global declaration available for the validation root\.",
     "het hoofdelement is in dit schema niet gedeclareerd."),
]


def _vertaal(melding: str) -> str:
    """The most frequent libxml2 messages in Dutch; the element names stay as they are."""
    m = melding.strip()
    for patroon, vervanging in _VERTALINGEN:
        m = re.sub(patroon, vervanging, m)
    return m


def sch_bevinding(f: SchFout, bestand, soort: str, regelset: str, bron: str,
                  standaard_code: str | None = None, ernst: str | None = None) -> Bevinding:
    """One SVRL finding. Code: the rule's @id, or "code" in its JSON text, or a code in the
    text; severity: validatiematrix (werkversie wint), else the rule's own ernst/role."""
    gegevens = json_uit_tekst(f.tekst)
    code = None
    for kandidaat in (gegevens.get("code"), f.id, f.patroon):
        if kandidaat and _CODE.match(str(kandidaat).strip()):
            code = str(kandidaat).strip()
            break
    if code is None:
        m = re.search(r"\b([A-Z]{3,5}\d{4})\b", f.tekst)
        code = m.group(1) if m else (f.id or standaard_code or f.patroon or "SCHEMATRON")
    r = matrix.regel(code)
    eigen = matrix.ernst_van(str(gegevens.get("ernst", ""))) or matrix.ernst_van(f.rol)
    if ernst is None:
        ernst = r.ernst if r else (eigen or FOUT)
    if gegevens:
        delen = [str(gegevens[k]) for k in ("regel", "melding", "waarschuwing")
                 if gegevens.get(k) and str(gegevens[k]).strip()]
        waarden = ", ".join(f"{k}: {v}" for k, v in gegevens.items()
                            if k not in ("code", "ernst") and str(v).strip())
        if not delen and r:
            sjabloon = r.melding if r.melding and "%" not in r.melding else r.omschrijving
            delen = [_vul_in(sjabloon, gegevens)]
            if "[waarde van" not in sjabloon and waarden:
                delen.append(f"({waarden})")
        if not delen:
            delen = [waarden or f"regel {code} is niet voldaan (de regelset geeft geen "
                               "toelichting)"]
        bericht = " ".join(delen)
    else:
        bericht = f.tekst
    if r and r.omschrijving and r.omschrijving not in bericht:
        bericht = f"{bericht} (regel: {r.omschrijving})"
    naam = bestand.naam if bestand is not None else None
    doc = gegevens.get("bestandsnaam") or f.document
    if bestand is None and doc:
        naam = Path(str(doc).replace("file:", "")).name
    plaatsen = getattr(bestand, "plaatsen", None)
    if plaatsen is not None:
        regel = plaatsen.regel(f.locatie)
    elif bestand is not None and bestand.boom is not None:
        regel = regel_van(bestand.boom, f.locatie)
    else:
        regel = None
    return Bevinding(code, ernst, bericht.strip(), naam, regel, None, kort_pad(f.locatie), soort, regelset,
                     bron)


def _vul_in(sjabloon: str, gegevens: dict) -> str:
    """Fill the matrix' '[waarde van X]' placeholders from the rule's JSON."""
    return re.sub(r"\[waarde van ([^\]]+)\]",
                  lambda m: str(gegevens.get(m.group(1).strip(), m.group(0))), sjabloon)
