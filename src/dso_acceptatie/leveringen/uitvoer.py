"""Machine-readable output of ``dso-acceptatie levering``: the phase's records and SVRL.

``records`` gives exactly the records the leveringen phase writes for a vendor's delivery (one
verdict record ``conformiteit`` plus one per finding), written through the same RecordWriter (so
schema, masking and field order are the phase's). ``svrl`` gives an ISO Schematron Validation
Report (SVRL) with every finding, whatever rule set produced it (XSD, Schematron, own rules):
per rule set and file an ``svrl:active-pattern`` (``document`` = the file), then per finding a
``svrl:failed-assert`` (fout, waarschuwing) or ``svrl:successful-report`` (informatief) with
``id`` = the official code, ``role`` = the severity, ``location`` = the XPath when known (else
``/``) and ``test`` = the code (the original test expression is not kept for every rule set).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from lxml import etree

from dso_acceptatie.leveringen.model import FOUT, WAARSCHUWING, Uitkomst
from dso_acceptatie.records import Masker, RecordWriter

SVRL = "http://purl.oclc.org/dsdl/svrl"


def records(uitkomst: Uitkomst | None, naam: str, duur_ms: float, gegevens: dict | None = None) -> list[dict]:
    """The phase's records for this delivery (``uitkomst`` None: refused, ``gegevens`` says why)."""
    from dso_acceptatie.fasen.leveringen.fase import conformiteit_records

    with tempfile.TemporaryDirectory(prefix="dso-levering-records-") as tmp:
        bewijs = Path(tmp) / "uitkomst.json"
        ruw = conformiteit_records(naam, uitkomst, gegevens or (uitkomst.als_dict() if uitkomst else {}),
                                   duur_ms, bewijs)
        pad = Path(tmp) / "leveringen.jsonl"
        with RecordWriter(pad, "levering", "leveringen", Masker.uit_omgeving([])) as w:
            for rec in ruw:
                rec.pop("bewijs_bestand", None)
                w.schrijf(**rec)
        return [json.loads(regel) for regel in pad.read_text(encoding="utf-8").splitlines() if regel]


def svrl(uitkomst: Uitkomst) -> bytes:
    s = f"{{{SVRL}}}"
    root = etree.Element(s + "schematron-output", nsmap={"svrl": SVRL},
                         title=f"dso-acceptatie levering {uitkomst.pad}",
                         schemaVersion="; ".join(r.naam for r in uitkomst.regelsets if r.toegepast))
    etree.SubElement(root, s + "text").text = (
        f"Oordeel: {uitkomst.oordeel}; peildatum {uitkomst.peildatum}; "
        f"{uitkomst.aantal(FOUT)} fout(en), {uitkomst.aantal(WAARSCHUWING)} waarschuwing(en).")
    groepen: dict[tuple[str, str], list] = {}
    for b in uitkomst.bevindingen:
        groepen.setdefault((b.regelset or b.soort or "levering", b.bestand or ""), []).append(b)
    for (regelset, bestand), lijst in groepen.items():
        patroon = etree.SubElement(root, s + "active-pattern", id=regelset, name=regelset)
        if bestand:
            patroon.set("document", bestand)
        for b in lijst:
            soort = "failed-assert" if b.ernst in (FOUT, WAARSCHUWING) else "successful-report"
            el = etree.SubElement(root, s + soort, test=b.code, id=b.code, role=b.ernst,
                                  location=b.xpath or "/")
            if b.regel:
                el.set("see", f"{bestand}#regel={b.regel}" + (f",kolom={b.kolom}" if b.kolom else ""))
            etree.SubElement(el, s + "text").text = f"{b.plaats()}: {b.bericht}"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
