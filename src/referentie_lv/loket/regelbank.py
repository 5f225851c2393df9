"""The loket's view of the toepasbare regels (STTR), in-process: werkzaamheden, the question tree
per activity, conclusions, indieningsvereisten and maatregelen."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

CONCLUSIE_TEKST = {
    "Vergunningplicht": "Vergunningplicht", "Meldingsplicht": "Meldingsplicht",
    "Informatieplicht": "Informatieplicht", "Toestemmingsvrij": "Toestemmingsvrij",
    "Verbod": "Verbod", "NeemContactOpMet": "Neem contact op met de gemeente",
    "NietVanToepassing": "Niet van toepassing",
}
CONCLUSIE_UITLEG = {
    "Vergunningplicht": "U hebt een omgevingsvergunning nodig voordat u begint.",
    "Meldingsplicht": "U moet dit vooraf melden bij het bevoegd gezag.",
    "Informatieplicht": "U moet het bevoegd gezag vooraf informeren.",
    "Toestemmingsvrij": "U hebt geen vergunning nodig en hoeft niets te melden. Houd u wel aan de regels.",
    "Verbod": "Deze activiteit is hier niet toegestaan.",
    "NeemContactOpMet": "Neem contact op met de gemeente om te horen wat er geldt.",
    "NietVanToepassing": "Voor deze activiteit gelden hier geen regels uit de vergunningcheck.",
}
# Only for the fault loket-conclusie-omgedraaid: what the page shows instead.
OMGEDRAAID = {"Vergunningplicht": "Toestemmingsvrij", "Toestemmingsvrij": "Vergunningplicht",
              "Meldingsplicht": "Toestemmingsvrij", "Verbod": "Toestemmingsvrij"}


@dataclass(frozen=True)
class Werkzaamheid:
    sleutel: str            # the werkzaamheid's URN tail, e.g. BoomOfStruikKappenOfSnoeien
    naam: str               # "Kappen van een boom"
    activiteiten: tuple[str, ...]


def bank():
    from referentie_lv.sttr.pakketten import regelbank  # loaded on first use
    return regelbank()


def _modelnaam(naam: str, typering: str) -> str:
    naam = re.sub(r"\s*-\s*Initi[eë]le versie\s*$", "", naam or "")
    naam = re.sub(rf"^{typering}\s+(Vergunning\s+|Melding\s+)?", "", naam)
    return naam[:1].upper() + naam[1:]


@lru_cache(maxsize=1)
def werkzaamheden() -> tuple[Werkzaamheid, ...]:
    """Werkzaamheden that have a real conclusion model, named after it."""
    b = bank()
    uit = []
    for sleutel, acts in sorted(b.werkzaamheden.items()):
        modellen = [m for a in acts for m in b.modellen_voor(a, "Conclusie")]
        if not modellen:
            continue
        uit.append(Werkzaamheid(sleutel, _modelnaam(modellen[0].naam, "Conclusie"), tuple(acts)))
    return tuple(uit)


def werkzaamheid(sleutel: str | None) -> Werkzaamheid | None:
    return next((w for w in werkzaamheden() if w.sleutel == sleutel), None)


@lru_cache(maxsize=32)
def vragenboom(activiteit: str, typering: str = "Conclusie"):
    from referentie_lv.sttr.vragenboom import Vragenboom
    modellen = bank().modellen_voor(activiteit, typering)
    return Vragenboom(modellen[0]) if modellen else None


def bomen(w: Werkzaamheid, typering: str = "Conclusie") -> list:
    return [vb for a in w.activiteiten if (vb := vragenboom(a, typering)) is not None]


def alle_vragen(w: Werkzaamheid, typering: str = "Conclusie") -> dict:
    """Every question of the werkzaamheid's models, by code (the uitvoeringsregel id)."""
    uit = {}
    for vb in bomen(w, typering):
        for v in vb.vragen:
            uit.setdefault(v.code, v)
    return uit


def volgende_vraag(w: Werkzaamheid, antwoorden: dict):
    for vb in bomen(w):
        v = vb.volgende_vraag(_voor(vb, antwoorden))
        if v is not None:
            return v
    return None


def _voor(vb, antwoorden: dict) -> dict:
    codes = {v.code for v in vb.vragen}
    return {k: v for k, v in antwoorden.items() if k in codes}


def conclusies(w: Werkzaamheid, antwoorden: dict) -> list[dict]:
    """Per activity: its conclusion value, explanation and the answers it used."""
    uit = []
    for vb in bomen(w):
        for c in vb.conclusie(_voor(vb, antwoorden)) or []:
            fs = c.functionele_structuur
            waarde = str(c.waarde) if c.waarde is not None else "NietVanToepassing"
            vragen = {v.id: v for v in vb.vragen}
            uit.append({
                "besluit": _modelnaam(c.besluit.replace("Besluit - ", ""), "Conclusie"),
                "activiteit": fs.activiteit if fs else None,
                "waarde": waarde, "uitleg": c.uitleg,
                "gebruikt": [(vragen[k].tekst if k in vragen else k, _toon(v))
                             for k, v in c.gebruikte_antwoorden.items()],
            })
    return uit


def vereisten(activiteit: str) -> list[dict]:
    """Indieningsvereisten and maatregelen models of an activity, with their questions."""
    uit = []
    for typering in ("Indieningsvereisten", "Maatregelen"):
        for m in bank().modellen_voor(activiteit, typering):
            vb = vragenboom(activiteit, typering)
            uit.append({"typering": typering, "naam": _modelnaam(m.naam, typering),
                        "volledige_naam": m.naam,
                        "vragen": [v for v in vb.vragen] if vb else []})
    return uit


def _toon(w) -> str:
    if w is True:
        return "ja"
    if w is False:
        return "nee"
    return str(w)
