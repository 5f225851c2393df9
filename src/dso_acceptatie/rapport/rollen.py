"""rollen.toml: which checks make up a vendor role (what a vendor certifies).

A role is a list of selectors; a check belongs to the role when one selector matches it (every
key of that selector matches, values are globs, a list means "one of"). A record's own ``rol``
field also puts it in that role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from dso_acceptatie.configuratie import fout, lees_toml, regel_van

SELECTOR_SLEUTELS = ("fase", "component", "onderwerp", "controle", "rol", "klantreis")


@dataclass(frozen=True)
class Rol:
    naam: str
    titel: str
    omschrijving: str = ""
    selectors: tuple[dict[str, tuple[str, ...]], ...] = field(default_factory=tuple)

    def omvat(self, r: dict, klantreis: str | None) -> bool:
        if r.get("rol") == self.naam:
            return True
        for s in self.selectors:
            ok = True
            for sleutel, patronen in s.items():
                waarde = klantreis if sleutel == "klantreis" else r.get(sleutel)
                if waarde is None or not any(fnmatchcase(str(waarde), p) for p in patronen):
                    ok = False
                    break
            if ok:
                return True
        return False


def lees_rollen(pad: Path | None) -> list[Rol]:
    gelezen = lees_toml(pad, mag_ontbreken=True, oplossing_ontbreekt="")
    if gelezen is None:
        return []
    data, tekst = gelezen
    pad = Path(pad)
    onbekend = set(data) - {"rollen"}
    if onbekend:
        sleutel = sorted(onbekend)[0]
        raise fout(pad, regel_van(tekst, (), sleutel), f"onbekende sleutel '{sleutel}'. "
                    "Oplossing: zet elke rol onder [rollen.<naam>].")
    rollen = []
    for naam, r in (data.get("rollen") or {}).items():
        tabel = f"rollen.{naam}"
        if not isinstance(r, dict):
            raise fout(pad, None, f"rol '{naam}' moet een tabel [rollen.{naam}] zijn.")
        for sleutel in set(r) - {"titel", "omschrijving", "controles"}:
            raise fout(pad, regel_van(tekst, ("rollen", naam), sleutel),
                        f"onbekende sleutel '{sleutel}' in [{tabel}]. Oplossing: titel, "
                        "omschrijving of [[rollen.<naam>.controles]].")
        if not isinstance(r.get("titel"), str) or not r["titel"].strip():
            raise fout(pad, regel_van(tekst, ("rollen", naam)), f"rol '{naam}' heeft geen 'titel' (tekst).")
        selectors = []
        for i, s in enumerate(r.get("controles", []), 1):
            waar = f"[[{tabel}.controles]] nummer {i}"
            if not isinstance(s, dict) or not s:
                raise fout(pad, regel_van(tekst, ("rollen", naam, "controles", i - 1)), f"{waar} is leeg.")
            sel = {}
            for sleutel, waarde in s.items():
                if sleutel not in SELECTOR_SLEUTELS:
                    raise fout(pad, regel_van(tekst, ("rollen", naam, "controles", i - 1), sleutel),
                                f"{waar}: onbekende sleutel '{sleutel}'. Oplossing: "
                                f"{', '.join(SELECTOR_SLEUTELS)}.")
                waarden = [waarde] if isinstance(waarde, str) else waarde
                if not isinstance(waarden, list) or not all(isinstance(w, str) for w in waarden):
                    raise fout(pad, regel_van(tekst, ("rollen", naam, "controles", i - 1), sleutel),
                                f"{waar}: '{sleutel}' moet tekst of een lijst met tekst zijn.")
                sel[sleutel] = tuple(waarden)
            selectors.append(sel)
        rollen.append(Rol(naam, r["titel"], r.get("omschrijving", ""), tuple(selectors)))
    return rollen
