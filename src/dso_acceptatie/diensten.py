"""The DSO-LV services the harness knows, with their standard base paths.

A target on one origin (as the real DSO hosts are) gets these paths appended; a target may also
give a full URL per service. The base path carries the major version, as the DSO does.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dienst:
    naam: str            # key used in doelen.toml and in records
    titel: str           # how a person calls it
    basispad: str        # standard DSO base path on the origin
    component: str       # DSO-LV part it belongs to (DSO.md), for the report


DIENSTEN: dict[str, Dienst] = {d.naam: d for d in (
    Dienst("presenteren", "Omgevingsdocumenten Presenteren v8",
           "/publiek/omgevingsdocumenten/api/presenteren/v8", "Regels op de kaart"),
    Dienst("geometrieopvragen", "Omgevingsdocumenten Geometrie Opvragen v1",
           "/publiek/omgevingsdocumenten/api/geometrieopvragen/v1", "Regels op de kaart"),
    Dienst("uitvoeren", "Toepasbare regels uitvoeren v3",
           "/publiek/toepasbare-regels/api/toepasbareregelsuitvoerenservices/v3", "Vergunningcheck"),
    Dienst("catalogus", "Catalogus Opvragen v3", "/publiek/catalogus/api/opvragen/v3",
           "Stelselcatalogus"),
    Dienst("verzoeken-indienen", "Verzoek indienen v1", "/publiek/verzoeken/api/indienen/v1",
           "Aanvragen en meldingen"),
    Dienst("verzoeken-afhandelen", "Verzoek afhandelen v1", "/overheid/verzoeken/api/afhandelen/v1",
           "Aanvragen en meldingen"),
    Dienst("locatieserver", "PDOK Locatieserver v3_1", "/bzk/locatieserver/search/v3_1",
           "Regels op de kaart"),
    Dienst("regels-bij-activiteiten", "Regels bij activiteiten 1.0.0",
           "/api/regels_bij_activiteiten/v1", "Regels op de kaart"),
)}
