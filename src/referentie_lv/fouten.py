"""The one list of faults the reference LV can inject, for the harness's self-test.

A fault is switched on by name: ``referentie-lv --fouten a,b`` or ``REFERENTIE_LV_FOUTEN=a,b``
(both end up in ``Config.fouten``). An unknown name stops the start with a Dutch message.
``python -m referentie_lv.fouten`` prints the list with what each fault changes.

Rule for whoever implements a fault: without the fault switched on, none of its code runs. The
framework (``api/basis.py``) decides once, when the app is built, which wrappers to install; a
service asks ``actief(config, NAAM)`` at build time, never per request.

To add a fault: append a ``Fout`` to ``FOUTEN`` below (name, Dutch description of what it changes,
the module that implements it), and implement it in that module behind a build-time check.
Parameterised faults are written ``naam:waarde`` (e.g. ``traag:locatieserver``); declare them
with ``parameter=`` naming the allowed values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Service names (as in the harness's diensten.py); kept here because the reference LV must not
# import the harness.
DIENST_NAMEN: tuple[str, ...] = (
    "presenteren", "geometrieopvragen", "uitvoeren", "catalogus", "verzoeken-indienen",
    "verzoeken-afhandelen", "locatieserver", "regels-bij-activiteiten",
)


@dataclass(frozen=True)
class Fout:
    naam: str
    beschrijving: str                       # Dutch: what changes when this fault is on
    module: str                             # where it is implemented
    parameter: tuple[str, ...] | None = None  # allowed values for ``naam:waarde``


FOUTEN: tuple[Fout, ...] = (
    Fout("geen-api-version",
         "De header API-Version ontbreekt op alle antwoorden van alle API's.",
         "referentie_lv.api.basis"),
    Fout("fout-content-type",
         "Foutmeldingen van de API's komen met Content-Type text/html in plaats van "
         "application/problem+json (de inhoud blijft gelijk).",
         "referentie_lv.api.basis"),
    Fout("schema-schending",
         "Geslaagde JSON-antwoorden wijken af van het schema in de specificatie: een verplicht of "
         "getypeerd veld krijgt een verkeerd type (bijvoorbeeld 'identificatie' wordt een getal, "
         "bij de Locatieserver wordt 'numFound' een tekst).",
         "referentie_lv.api.basis"),
    Fout("authenticatie-genegeerd",
         "De x-api-key wordt niet gecontroleerd: zonder sleutel of met een onbekende sleutel "
         "geeft de API gewoon antwoord (geen 401/403).",
         "referentie_lv.api.basis"),
    Fout("traag",
         "Eén dienst antwoordt traag: elke API-aanroep op die dienst wacht eerst 2 seconden "
         "(instelbaar met REFERENTIE_LV_TRAAG_SECONDEN). Schrijf 'traag:<dienst>', bijvoorbeeld "
         "'traag:locatieserver'.",
         "referentie_lv.api.basis", parameter=DIENST_NAMEN),
    Fout("503-deel",
         "Een deel van de API-aanroepen mislukt met 503 Service Unavailable: per dienst elke "
         "vijfde aanroep (vast patroon, dus herhaalbaar).",
         "referentie_lv.api.basis"),
    Fout("kapotte-paginering",
         "De paginalinks kloppen niet: 'next' slaat een pagina over en staat er ook op de laatste "
         "pagina, 'previous' wijst naar de huidige pagina.",
         "referentie_lv.api.basis"),
    Fout("loket-label-ontbreekt",
         "Loket: het zoekveld voor het adres (Regels op de kaart, Vergunningcheck, Aanvragen) heeft "
         "geen label meer; het veld is voor schermlezers naamloos.",
         "referentie_lv.loket"),
    Fout("loket-conclusie-omgedraaid",
         "Loket: de Vergunningcheck toont op de pagina de omgekeerde conclusie (vergunningplicht "
         "wordt toestemmingsvrij en andersom, meldingsplicht wordt toestemmingsvrij); de API "
         "Toepasbare regels uitvoeren blijft juist antwoorden.",
         "referentie_lv.loket"),
    Fout("loket-aanvragen-link-kapot",
         "Loket: de link 'Verder naar Aanvragen' na de conclusie van de Vergunningcheck wijst naar "
         "een pagina die niet bestaat (404).",
         "referentie_lv.loket"),
    Fout("loket-lang-ontbreekt",
         "Loket: het attribuut lang=\"nl\" ontbreekt op het html-element van alle pagina's.",
         "referentie_lv.loket"),
    Fout("verschoven-drempel",
         "Toepasbare regels uitvoeren: elke getaldrempel van de beslistabellen ligt één hoger (een "
         "numeriek antwoord wordt met 1 verlaagd voordat de tabellen het beoordelen); bijvoorbeeld "
         "30 m² bijgebouw wordt meldingsplicht in plaats van vergunningplicht. Vragen en uitleg "
         "blijven ongewijzigd.",
         "referentie_lv.api.uitvoeren"),
    Fout("verwisselde-conclusie",
         "Toepasbare regels uitvoeren: alleen voor één activiteit volgt de conclusie niet meer uit de "
         "beslistabellen (zoals bij verkeerde-conclusie); de andere activiteiten blijven juist. "
         "Schrijf 'verwisselde-conclusie:<activiteit>', bijvoorbeeld "
         "'verwisselde-conclusie:nl.imow-gm0297.activiteit.2019000810' (kappen van een boom).",
         "referentie_lv.api.uitvoeren", parameter=("nl.imow-gm0297.activiteit.2019000800",
                                                   "nl.imow-gm0297.activiteit.2019000810")),
    Fout("verkeerde-conclusie",
         "Toepasbare regels uitvoeren: de conclusie volgt niet meer uit de beslistabellen: "
         "vergunningplicht wordt toestemmingsvrij, toestemmingsvrij en meldingsplicht worden "
         "vergunningplicht, informatieplicht wordt toestemmingsvrij; bij indieningsvereisten wordt "
         "'voldaan' omgedraaid. Uitleg, regelnummers en vragen blijven ongewijzigd.",
         "referentie_lv.api.uitvoeren"),
)

_PER_NAAM = {f.naam: f for f in FOUTEN}


class OnbekendeFout(SystemExit):
    """Raised at start-up for a fault name that does not exist.

    A SystemExit, so that ``referentie-lv --fouten x`` ends with the Dutch message on stderr and
    exit status 1 without a traceback; tests catch it like any exception.
    """


def _plaatshouder(f: Fout) -> str:
    return "" if not f.parameter else ":<dienst>" if f.parameter == DIENST_NAMEN else ":<waarde>"


def _splits(naam: str) -> tuple[str, str | None]:
    basis, _, waarde = naam.partition(":")
    return basis, (waarde or None)


def controleer(namen: Iterable[str]) -> None:
    """Stop with a Dutch message if a name is not a known fault (or has a wrong parameter)."""
    for naam in sorted(namen):
        basis, waarde = _splits(naam)
        fout = _PER_NAAM.get(basis)
        if fout is None:
            bekend = ", ".join(f.naam + _plaatshouder(f) for f in FOUTEN)
            raise OnbekendeFout(f"Onbekende fout '{naam}'. Bekende fouten: {bekend}.")
        if fout.parameter is None and waarde is not None:
            raise OnbekendeFout(f"De fout '{basis}' neemt geen waarde; schrijf '{basis}'.")
        if fout.parameter is not None and waarde not in fout.parameter:
            raise OnbekendeFout(
                f"De fout '{basis}' heeft een waarde nodig: schrijf '{basis}:<waarde>' met als "
                f"waarde een van: {', '.join(fout.parameter)}.")


def actief(fouten: Iterable[str], naam: str) -> bool:
    """True when fault ``naam`` (exact, e.g. ``traag:locatieserver``) is switched on."""
    return naam in fouten


def beschrijving(naam: str) -> str:
    return _PER_NAAM[_splits(naam)[0]].beschrijving


def lijst() -> str:
    """The register as text (``python -m referentie_lv.fouten``)."""
    regels = []
    for f in FOUTEN:
        naam = f.naam + _plaatshouder(f)
        regels.append(f"{naam}\n    {f.beschrijving}")
    return "\n".join(regels)


if __name__ == "__main__":
    print("Fouten voor de zelftest (referentie-lv --fouten a,b of REFERENTIE_LV_FOUTEN=a,b):\n")
    print(lijst())
