"""Roles of afnemers (consumers), read from ``afnemers/rollen/*.toml``.

A role file names what a client in that role must and must not do (``[[regel]]``) and which
conditions the proxy stages for it (``[[enscenering]]``). Every mistake in a file is a Dutch
ConfiguratieFout naming file and line; unknown keys are errors, never ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from dso_acceptatie.afnemers.proxy import Geënsceneerd
from dso_acceptatie.configuratie import ConfiguratieFout, fout, lees_toml, regel_van
from dso_acceptatie.diensten import DIENSTEN
from dso_acceptatie.project import project
from dso_acceptatie.records import ERNSTEN

# rule kind -> allowed parameters (besides id, soort, titel, ernst, uitleg)
REGELSOORTEN: dict[str, set[str]] = {
    "sleutel-in-header": set(),
    "geen-sleutel-in-query": set(),
    "verplichte-aanroep": {"methode", "pad", "query"},
    "accept-crs": {"methode", "pad"},
    "gedocumenteerd": set(),
    "tempo": {"max_per_seconde"},
    "alle-paginas": {"methode", "pad"},
    "alle-links-opgehaald": {"bron_pad", "link"},
    "wacht-retry-after": {"enscenering"},
    "herhaalt-met-wachttijd": {"enscenering", "min_wacht_s"},
    "post-niet-blind-herhaald": {"enscenering"},
    "client-eindigt-netjes": set(),
    "antwoord-bereikt": {"methode", "pad", "inhoud"},
    "geduldig-bij-traag-antwoord": {"enscenering"},
}
_REGEL_ALGEMEEN = {"id", "soort", "titel", "ernst", "uitleg"}
_ENSCENERING = {"naam", "methode", "pad", "bij", "status", "retry_after_s", "doorsturen", "vertraging_s",
                "titel"}
_ROL = {"naam", "titel", "omschrijving", "alleen_lezen", "diensten", "voorbereiding", "regel",
        "enscenering", "rapportrol"}
_VOORBEREIDING = {"verzoeken"}


@dataclass(frozen=True)
class Regel:
    id: str
    soort: str
    titel: str
    ernst: str
    uitleg: str
    parameters: dict


@dataclass(frozen=True)
class Enscenering:
    naam: str
    titel: str
    methode: str
    pad: re.Pattern
    bij: int
    status: int | None
    retry_after_s: float | None
    doorsturen: bool
    vertraging_s: float


@dataclass
class Rol:
    naam: str
    titel: str
    omschrijving: str
    alleen_lezen: bool
    diensten: list[str]
    regels: list[Regel]
    ensceneringen: list[Enscenering]
    voorbereiding: dict = field(default_factory=dict)
    bestand: Path | None = None
    rapportrol: str | None = None   # the role in rollen.toml the records count for (field 'rol')


def rollen_map() -> Path:
    return project() / "afnemers" / "rollen"


def beschikbare_rollen(map_: Path | None = None) -> list[str]:
    return sorted(p.stem for p in (map_ or rollen_map()).glob("*.toml"))


def lees_rol(naam_of_pad: str) -> Rol:
    pad = Path(naam_of_pad)
    if not naam_of_pad.endswith(".toml"):
        pad = rollen_map() / f"{naam_of_pad}.toml"
        if not pad.exists():
            raise ConfiguratieFout(f"--rol {naam_of_pad}: onbekende rol. Bekende rollen: "
                                   f"{', '.join(beschikbare_rollen()) or '(geen)'} (in {rollen_map()}); "
                                   "of geef het pad naar een eigen rolbestand (.toml).")
    data, tekst = lees_toml(pad, oplossing_ontbreekt="geef een bestaand rolbestand (afnemers/rollen/*.toml).")

    def f(tabel: tuple, sleutel: str | None, bericht: str) -> ConfiguratieFout:
        return fout(pad, regel_van(tekst, tabel, sleutel), bericht)

    for sleutel in data:
        if sleutel not in _ROL:
            raise f((), sleutel, f"onbekende sleutel '{sleutel}'. Toegestaan: {', '.join(sorted(_ROL))}.")
    for verplicht in ("naam", "titel", "regel"):
        if verplicht not in data:
            raise fout(pad, None, f"verplichte sleutel '{verplicht}' ontbreekt.")
    diensten = data.get("diensten", [])
    for d in diensten:
        if d not in DIENSTEN:
            raise f((), "diensten", f"onbekende dienst '{d}'. Kies uit {', '.join(DIENSTEN)}.")
    voorbereiding = data.get("voorbereiding", {})
    for sleutel in voorbereiding:
        if sleutel not in _VOORBEREIDING:
            raise f(("voorbereiding",), sleutel, f"onbekende sleutel '{sleutel}' in [voorbereiding]. "
                                                  f"Toegestaan: {', '.join(sorted(_VOORBEREIDING))}.")
    ensceneringen = [_enscenering(e, i, f) for i, e in enumerate(data.get("enscenering", []))]
    namen = {e.naam for e in ensceneringen}
    regels = [_regel(r, i, f, namen) for i, r in enumerate(data["regel"])]
    ids = [r.id for r in regels]
    dubbel = {i for i in ids if ids.count(i) > 1}
    if dubbel:
        eerste = sorted(dubbel)[0]
        tweede = len(ids) - 1 - ids[::-1].index(eerste)
        raise f(("regel", tweede), "id", f"regel-id '{eerste}' komt meer dan eens voor.")
    return Rol(naam=data["naam"], titel=data["titel"], omschrijving=data.get("omschrijving", ""),
               alleen_lezen=bool(data.get("alleen_lezen", True)), diensten=list(diensten), regels=regels,
               ensceneringen=ensceneringen, voorbereiding=dict(voorbereiding), bestand=pad,
               rapportrol=data.get("rapportrol"))


def _patroon(waarde, f, tabel, sleutel) -> re.Pattern:
    try:
        return re.compile(str(waarde))
    except re.error as e:
        raise f(tabel, sleutel, f"'{sleutel}' is geen geldige reguliere expressie: {e}.") from None


def _enscenering(e: dict, i: int, f) -> Enscenering:
    tabel = ("enscenering", i)
    for sleutel in e:
        if sleutel not in _ENSCENERING:
            raise f(tabel, sleutel, f"onbekende sleutel '{sleutel}' in [[enscenering]] nummer {i + 1}. "
                                    f"Toegestaan: {', '.join(sorted(_ENSCENERING))}.")
    for verplicht in ("naam", "pad", "bij"):
        if verplicht not in e:
            raise f(tabel, None, f"[[enscenering]] nummer {i + 1} mist de verplichte sleutel '{verplicht}'.")
    if not isinstance(e["bij"], int) or e["bij"] < 1:
        raise f(tabel, "bij", "'bij' is het hoeveelste passende verzoek (een geheel getal vanaf 1).")
    return Enscenering(naam=e["naam"], titel=e.get("titel", e["naam"]), methode=e.get("methode", "GET").upper(),
                       pad=_patroon(e["pad"], f, tabel, "pad"), bij=e["bij"], status=e.get("status"),
                       retry_after_s=e.get("retry_after_s"), doorsturen=bool(e.get("doorsturen", False)),
                       vertraging_s=float(e.get("vertraging_s", 0.0)))


def _regel(r: dict, i: int, f, ensceneringen: set[str]) -> Regel:
    tabel = ("regel", i)
    for verplicht in ("id", "soort", "titel"):
        if verplicht not in r:
            raise f(tabel, None, f"[[regel]] nummer {i + 1} mist de verplichte sleutel '{verplicht}'.")
    soort = r["soort"]
    if soort not in REGELSOORTEN:
        raise f(tabel, "soort", f"[[regel]] '{r['id']}': onbekende soort '{soort}'. Kies uit "
                                f"{', '.join(REGELSOORTEN)}.")
    toegestaan = _REGEL_ALGEMEEN | REGELSOORTEN[soort]
    for sleutel in r:
        if sleutel not in toegestaan:
            raise f(tabel, sleutel, f"[[regel]] '{r['id']}' (soort {soort}): onbekende sleutel '{sleutel}'. "
                                    f"Toegestaan: {', '.join(sorted(toegestaan))}.")
    ernst = r.get("ernst", "ernstig")
    if ernst not in ERNSTEN:
        raise f(tabel, "ernst", f"[[regel]] '{r['id']}': onbekende ernst '{ernst}'. Kies uit {', '.join(ERNSTEN)}.")
    parameters = {k: v for k, v in r.items() if k in REGELSOORTEN[soort]}
    for sleutel in ("pad", "bron_pad", "link", "inhoud"):
        if sleutel in parameters:
            parameters[sleutel] = _patroon(parameters[sleutel], f, tabel, sleutel)
    if "enscenering" in REGELSOORTEN[soort] and parameters.get("enscenering") not in ensceneringen:
        raise f(tabel, "enscenering", f"[[regel]] '{r['id']}': enscenering '{parameters.get('enscenering')}' "
                                      f"bestaat niet in dit rolbestand.")
    return Regel(id=r["id"], soort=soort, titel=r["titel"], ernst=ernst, uitleg=r.get("uitleg", ""),
                 parameters=parameters)


class Regie:
    """Stages the role's conditions: each on the n-th request that matches it, once."""

    def __init__(self, ensceneringen: list[Enscenering]):
        self.ensceneringen = ensceneringen
        self.tellers = {e.naam: 0 for e in ensceneringen}

    def __call__(self, methode: str, pad: str) -> Geënsceneerd | None:
        for e in self.ensceneringen:
            if e.methode != methode or not e.pad.search(pad):
                continue
            self.tellers[e.naam] += 1
            if self.tellers[e.naam] != e.bij:
                continue
            headers = {"content-type": "application/problem+json", "api-version": "1.0.0"}
            if e.retry_after_s is not None:
                headers["retry-after"] = str(int(e.retry_after_s))
            body = (b'{"status": %d, "title": "Geensceneerd door de afnemerstest (%s)."}'
                    % (e.status or 0, e.naam.encode()))
            return Geënsceneerd(e.naam, e.status, headers, body, doorsturen=e.doorsturen,
                                vertraging_s=e.vertraging_s)
        return None
