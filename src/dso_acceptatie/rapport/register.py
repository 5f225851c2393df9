"""bekende-bevindingen.toml: findings that are known, accepted for a while, and owned.

An entry matches a failing/blocked/unstable check on one or more of controle, regelcode,
operatie, scenario and component (globs). A match that has not expired is *bekend*: shown, not
counted. After its vervaldatum it counts again and is flagged *verlopen*. An entry that matches
nothing any more is listed as *mogelijk opgelost*.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from dso_acceptatie.configuratie import fout as _fout
from dso_acceptatie.configuratie import lees_toml, regel_van

MATCH_SLEUTELS = ("controle", "regelcode", "operatie", "scenario", "component")
VERPLICHT = ("id", "reden", "eigenaar", "vervaldatum")
BEKEND, VERLOPEN, MOGELIJK_OPGELOST = "bekend", "verlopen", "mogelijk opgelost"


@dataclass
class BekendeBevinding:
    id: str
    match: dict[str, str]
    reden: str
    eigenaar: str
    vervaldatum: dt.date
    link: str | None = None
    regel: int | None = None
    treffers: int = 0
    sleutels: list[str] = field(default_factory=list)

    def verlopen(self, peildatum: dt.date) -> bool:
        return peildatum > self.vervaldatum

    def past(self, r: dict) -> bool:
        details = r.get("details") or {}
        for sleutel, patroon in self.match.items():
            if sleutel == "controle":
                kandidaten = [r.get("controle")]
            elif sleutel == "regelcode":
                kandidaten = [r.get("controle"), details.get("code"), details.get("regel")]
            elif sleutel == "operatie":
                kandidaten = [r.get("onderwerp")]
            elif sleutel == "scenario":
                onderwerp = str(r.get("onderwerp") or "")
                kandidaten = [details.get("scenario"), onderwerp, onderwerp.split(": ", 1)[-1]]
            else:
                kandidaten = [r.get("component")]
            if not any(isinstance(k, str) and fnmatchcase(k, patroon) for k in kandidaten):
                return False
        return True

    def als_json(self, peildatum: dt.date) -> dict:
        status = (MOGELIJK_OPGELOST if not self.treffers
                  else VERLOPEN if self.verlopen(peildatum) else BEKEND)
        return {"id": self.id, "match": self.match, "reden": self.reden, "eigenaar": self.eigenaar,
                "link": self.link, "vervaldatum": self.vervaldatum.isoformat(),
                "status": status, "treffers": self.treffers}


def lees_register(pad: Path | None) -> list[BekendeBevinding]:
    gelezen = lees_toml(pad, mag_ontbreken=True, oplossing_ontbreekt="")
    if gelezen is None:
        return []
    data, tekst = gelezen
    pad = Path(pad)
    for sleutel in set(data) - {"bevinding"}:
        raise _fout(pad, regel_van(tekst, (), sleutel),
                    f"onbekende sleutel '{sleutel}'. Oplossing: elke bekende bevinding is een "
                    "[[bevinding]]-tabel.")
    uit: list[BekendeBevinding] = []
    gezien: set[str] = set()
    for n, item in enumerate(data.get("bevinding", [])):
        regel = regel_van(tekst, ("bevinding", n))
        waar = f"[[bevinding]] nummer {n + 1}"

        def fout(tekst_: str, sleutel: str | None = None, n=n, waar=waar):
            return _fout(pad, regel_van(tekst, ("bevinding", n), sleutel), f"{waar}: {tekst_}")

        for sleutel in item:
            if sleutel not in (*VERPLICHT, "link", *MATCH_SLEUTELS):
                raise fout(f"onbekende sleutel '{sleutel}'. Oplossing: id, reden, eigenaar, "
                           f"vervaldatum, link en om te matchen {', '.join(MATCH_SLEUTELS)}.", sleutel)
        for sleutel in VERPLICHT:
            if sleutel not in item:
                raise fout(f"'{sleutel}' ontbreekt (verplicht: {', '.join(VERPLICHT)}).")
        for sleutel in ("id", "reden", "eigenaar", "link", *MATCH_SLEUTELS):
            if sleutel in item and (not isinstance(item[sleutel], str) or not item[sleutel].strip()):
                raise fout(f"'{sleutel}' moet een niet-lege tekst zijn.", sleutel)
        vervaldatum = item["vervaldatum"]
        if isinstance(vervaldatum, str):
            try:
                vervaldatum = dt.date.fromisoformat(vervaldatum)
            except ValueError:
                raise fout(f"vervaldatum '{vervaldatum}' is geen datum JJJJ-MM-DD.", "vervaldatum") from None
        if isinstance(vervaldatum, dt.datetime):
            vervaldatum = vervaldatum.date()
        if not isinstance(vervaldatum, dt.date):
            raise fout("vervaldatum moet een datum zijn (JJJJ-MM-DD).", "vervaldatum")
        match = {k: item[k] for k in MATCH_SLEUTELS if k in item}
        if not match:
            raise fout(f"zegt niet waarop het past. Oplossing: geef minstens één van "
                       f"{', '.join(MATCH_SLEUTELS)}.")
        if item["id"] in gezien:
            raise fout(f"id '{item['id']}' komt twee keer voor.", "id")
        gezien.add(item["id"])
        uit.append(BekendeBevinding(item["id"], match, item["reden"], item["eigenaar"], vervaldatum,
                                    item.get("link"), regel))
    return uit
