"""The Gherkin tags of the klantreizen features. Every tag is a declared pytest marker.

Three kinds on every scenario (feature or scenario level; the scenario's own tag wins):
``@klantreis-…`` (the journey of DSO.md), ``@component-…`` (the DSO-LV part that is judged) and a
TMap severity (``@blokkerend`` … ``@cosmetisch``). ``@alleen-lezen`` marks what is safe on the
production probe (consults only, submits nothing). Tags select; they never change what a step does.
"""

from __future__ import annotations

KLANTREIZEN = {
    "omgevingsloket": "Omgevingsloket (algemeen)",
    "regels-op-de-kaart": "Regels op de kaart",
    "vergunningcheck": "Vergunningcheck",
    "aanvragen-en-meldingen": "Aanvragen en meldingen",
    "maatregelen-op-maat": "Maatregelen op maat",
    "stelselcatalogus": "Stelselcatalogus",
    "ontwikkelaar": "Ontwikkelaar",
}

# The parts of the DSO-LV as DSO.md lists them; the record's ``component``.
COMPONENTEN = {
    "omgevingsloket": "Omgevingsloket",
    "regels-op-de-kaart": "Regels op de kaart",
    "vergunningcheck": "Vergunningcheck",
    "aanvragen-en-meldingen": "Aanvragen en meldingen",
    "maatregelen-op-maat": "Maatregelen op maat",
    "stelselcatalogus": "Stelselcatalogus",
    "open-stelsel": "Open stelsel",
}

ERNSTEN = ("blokkerend", "ernstig", "hinderlijk", "cosmetisch")

OVERIG = {
    "alleen-lezen": "veilig op de productie-probe: raadpleegt alleen, dient niets in",
    "keten": "ketenscenario: loket en API's samen (indienen en ophalen, loket tegen uitvoeren-API)",
}


def markers() -> list[str]:
    """Marker declarations for the ini file (``naam: uitleg``)."""
    uit = [f"klantreis-{k}: klantreis {v}" for k, v in KLANTREIZEN.items()]
    uit += [f"component-{k}: DSO-LV-onderdeel {v}" for k, v in COMPONENTEN.items()]
    uit += [f"{e}: ernst van een bevinding als dit scenario faalt (TMap)" for e in ERNSTEN]
    uit += [f"{k}: {v}" for k, v in OVERIG.items()]
    return uit


def alle_tags() -> set[str]:
    return {m.split(":", 1)[0] for m in markers()}


def uit_tags(scenario_tags: list[str], feature_tags: list[str]) -> dict[str, str | None]:
    """Journey, component and severity; a scenario's own tag wins over its feature's."""
    def eerste(prefix: str, tags: list[str]) -> str | None:
        for t in tags:
            if prefix and t.startswith(prefix):
                return t[len(prefix):]
            if not prefix and t in ERNSTEN:
                return t
        return None

    uit: dict[str, str | None] = {}
    for sleutel, prefix in (("klantreis", "klantreis-"), ("component", "component-"),
                            ("ernst", "")):
        uit[sleutel] = eerste(prefix, scenario_tags) or eerste(prefix, feature_tags)
    return uit
