"""Toepasbare regels (STTR): the real DMN packages, their evaluation and the question tree.

Plain Python API, used by the uitvoeren service and by the loket::

    from referentie_lv.sttr import regelbank, Vragenboom
    bank = regelbank()                                   # the shipped Gemeentestad packages
    (model,) = bank.modellen_voor("nl.imow-gm0297.activiteit.2019000810", "Conclusie")
    boom = Vragenboom(model)
    boom.volgende_vraag({"stamomtrek": 80})              # -> Vraag | None
    boom.conclusie({...})                                # -> [Conclusie] | None (not yet decided)

Answers may be keyed by ``Vraag.id`` (unique over all models), the uitvoeringsregel id, the
inputData id or the inputData name; values are JSON values or form text ("ja", "12,5").

DMN libraries tried before writing this (2026-11, PyPI): pyDMNrules 1.4.5 evaluates these files
with every answer given, but stops with "No rules matched" when a sub-decision has no hit (DMN
says null), so it cannot conclude on partial answers (stamomtrek 30, rest unasked) and has no
notion of the STTR questions; it also pulls in pandas/openpyxl. SpiffWorkflow 3.2.0 cannot parse
them (expects prefix ``dmn``, one table per file, Python expressions instead of FEEL).
bkflow-dmn 0.2.0 reads no DMN XML (dict tables only), rejects ``-`` and fails on 29.5 vs 30
(int/float). Hence this small evaluator for what STTR files use.
"""

from referentie_lv.sttr.dmn import DmnFout, als_json, lees_dmn
from referentie_lv.sttr.evaluatie import Spoor, evalueer
from referentie_lv.sttr.model import Activiteit, Model
from referentie_lv.sttr.pakketten import PakketFout, Regelbank, laad_map, regelbank
from referentie_lv.sttr.vragenboom import Conclusie, OngeldigAntwoord, Vraag, Vragenboom

__all__ = ["Activiteit", "Conclusie", "DmnFout", "Model", "OngeldigAntwoord", "PakketFout",
           "Regelbank", "Spoor", "Vraag", "Vragenboom", "als_json", "evalueer", "laad_map",
           "lees_dmn", "regelbank"]
