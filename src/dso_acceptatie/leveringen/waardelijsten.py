"""TPOD1300: an attribute whose value comes from a waardelijst must carry the URI of that value as
the Stelselcatalogus publishes it (IMOW waardelijsten 4.3.0, ``contracts/leveringen/waardelijsten``).

Per attribute the waardelijst it must come from, where IMOW fixes it (``LIJSTEN``); ``groep`` of a
Gebiedsaanwijzing depends on its type, so there any *groep list counts. Any other element whose
text is a ``http://standaarden.omgevingswet.overheid.nl/`` URI must at least be a value of some
waardelijst. The reference LV's Catalogus API serves no waardelijsten, so the published lists are
the source (the same data the real Stelselcatalogus serves).
"""

from __future__ import annotations

import json
from functools import lru_cache

from dso_acceptatie.leveringen.paden import project

BESTAND = project() / "contracts" / "leveringen" / "waardelijsten" / "waardelijsten_IMOW_v4.3.0.json"
PREFIX = "http://standaarden.omgevingswet.overheid.nl/"
VERSIE = "IMOW-waardelijsten 4.3.0"

# (object type or None for any, local name of the attribute) -> waardelijst labels
LIJSTEN: dict[tuple[str | None, str], tuple[str, ...]] = {
    (None, "activiteitregelkwalificatie"): ("activiteitregelkwalificatie",),
    (None, "idealisatie"): ("idealisatie",),
    (None, "thema"): ("thema",),
    (None, "adressaat"): ("adressaat",),
    (None, "eenheid"): ("eenheid",),
    ("Activiteit", "groep"): ("activiteitengroep",),
    ("Omgevingsnorm", "groep"): ("omgevingsnormgroep",),
    ("Omgevingswaarde", "groep"): ("omgevingswaardegroep",),
    ("Omgevingsnorm", "type"): ("type norm",),
    ("Omgevingswaarde", "type"): ("type norm",),
    ("Gebiedsaanwijzing", "type"): ("type gebiedsaanwijzing",),
    (None, "instructieregelTaakuitoefening"): ("adressaat",),
    (None, "instructieregelInstrument"): ("instrument",),
}

# The Ozon codes for the same fact (validatiematrix), by (type of the OW object, attribute).
OZON = {
    ("RegelVoorIedereen", "activiteitregelkwalificatie"): "OZON0070",
    ("Instructieregel", "instructieregelTaakuitoefening"): "OZON0071",
    ("Instructieregel", "instructieregelInstrument"): "OZON0072",
    ("Activiteit", "groep"): "OZON0073", ("Omgevingsnorm", "groep"): "OZON0074",
    ("Omgevingswaarde", "groep"): "OZON0075", ("Gebiedsaanwijzing", "type"): "OZON0076",
    ("RegelVoorIedereen", "idealisatie"): "OZON0077", ("Instructieregel", "idealisatie"): "OZON0078",
    ("Omgevingswaarderegel", "idealisatie"): "OZON0079", ("Gebiedsaanwijzing", "groep"): "OZON0080",
    ("Omgevingsnorm", "type"): "OZON0113", ("Omgevingswaarde", "type"): "OZON0114",
    ("Omgevingsnorm", "eenheid"): "OZON0115", ("Omgevingswaarde", "eenheid"): "OZON0116",
    ("Instructieregel", "thema"): "OZON0117", ("Omgevingswaarderegel", "thema"): "OZON0118",
    ("RegelVoorIedereen", "thema"): "OZON0119", ("Tekstdeel", "thema"): "OZON0120",
}


@lru_cache(maxsize=1)
def waarden() -> dict[str, frozenset[str]]:
    """waardelijst label -> the URIs of its values."""
    data = json.loads(BESTAND.read_text(encoding="utf-8"))["waardelijsten"]["waardelijst"]
    uit = {}
    for w in data:
        lijst = w["waarden"]["waarde"]
        uit[w["label"]] = frozenset(v["uri"] for v in (lijst if isinstance(lijst, list) else [lijst]))
    return uit


@lru_cache(maxsize=1)
def alle() -> frozenset[str]:
    return frozenset().union(*waarden().values())


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    """value URI -> its label (e.g. .../typegebiedsaanwijzing/id/concept/Functie -> 'functie')."""
    data = json.loads(BESTAND.read_text(encoding="utf-8"))["waardelijsten"]["waardelijst"]
    uit = {}
    for w in data:
        lijst = w["waarden"]["waarde"]
        for v in lijst if isinstance(lijst, list) else [lijst]:
            uit[v["uri"]] = v["label"]
    return uit


def lijsten_voor(objecttype: str, attribuut: str, type_uri: str | None = None) -> tuple[str, ...] | None:
    """The waardelijsten allowed for this attribute (None: not a fixed-list attribute).
    ``type_uri``: the Gebiedsaanwijzing's type, which decides its groep list ('functie' ->
    'functiegroep'); unknown type: any groep list."""
    if (objecttype, attribuut) in LIJSTEN:
        return LIJSTEN[(objecttype, attribuut)]
    if (None, attribuut) in LIJSTEN:
        return LIJSTEN[(None, attribuut)]
    if objecttype == "Gebiedsaanwijzing" and attribuut == "groep":
        eigen = f"{_labels().get(type_uri or '', '')}groep"
        if eigen in waarden():
            return (eigen,)
        return tuple(label for label in waarden() if label.endswith("groep"))
    return None


def oordeel(objecttype: str, attribuut: str, uri: str, type_uri: str | None = None) -> str | None:
    """Why this value breaks TPOD1300, or None when it is a known value of the right list."""
    lijsten = lijsten_voor(objecttype, attribuut, type_uri)
    if lijsten is None:
        if uri.startswith(PREFIX) and uri not in alle():
            return f"'{uri}' staat in geen enkele waardelijst ({VERSIE})"
        return None
    if any(uri in waarden().get(label, ()) for label in lijsten):
        return None
    elders = sorted(label for label, w in waarden().items() if uri in w)
    lijst = " of ".join(f"'{x}'" for x in lijsten[:3]) + (" …" if len(lijsten) > 3 else "")
    return (f"'{uri}' is geen waarde van waardelijst {lijst} ({VERSIE})"
            + (f"; wel van {', '.join(elders)}" if elders else ""))
