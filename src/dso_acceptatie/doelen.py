"""Targets ("doelen"): where the system under test lives, read from doelen.toml.

Every mistake in the file is reported in Dutch with the file, the line and the fix, and ends the
program with exit code 2 (:class:`ConfiguratieFout`). Unknown keys are errors, not ignored: a typo
must never silently point a run at the wrong place.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from dso_acceptatie.configuratie import ConfiguratieFout, eerste_regel_met, lees_toml, plaats, regel_van
from dso_acceptatie.diensten import DIENSTEN
from dso_acceptatie.fasen import FASEN


def is_loopback(url: str) -> bool:
    """Whether ``url`` points at this machine (127.0.0.0/8, ::1 or localhost): where load, soak
    and fault traffic may go without asking anyone."""
    host = (urlparse(url).hostname or "").strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

__all__ = ["ConfiguratieFout", "Doel", "controleer_sleutel", "doel_van_opdrachtregel", "kies_doel",
           "lees_doelen"]

DOEL_SLEUTELS = {
    "omschrijving": str,
    "soort": str,                   # "referentie" | "extern"
    "origin": str,                  # one origin with the standard DSO base paths
    "loket": str,                   # loket URL (web pages)
    "diensten": dict,               # per-service URLs, override or instead of origin
    "api_sleutel_variabele": str,   # name of the environment variable holding the key
    "api_sleutel_verplicht": bool,
    "alleen_lezen": bool,           # production probe: consulting calls only, never submits
    "fasen": list,                  # which phases make sense on this target
    "specs": str,                   # "live" (<base>/openapi.json) or "vastgelegd" (contracts/specs)
    "max_verzoeken_per_seconde": (int, float),
    "intake": str,                  # LVBB intake (aanleveren): URL, or a path on the origin
}
SOORTEN = ("referentie", "extern")


@dataclass
class Doel:
    naam: str
    omschrijving: str = ""
    soort: str = "extern"
    origin: str | None = None
    loket: str | None = None
    diensten: dict[str, str] = field(default_factory=dict)
    api_sleutel_variabele: str | None = None
    api_sleutel_verplicht: bool = False
    alleen_lezen: bool = False
    fasen: list[str] = field(default_factory=lambda: list(FASEN))
    specs: str = "live"
    max_verzoeken_per_seconde: float | None = None
    intake: str | None = None

    def intake_url(self) -> str | None:
        """The intake's base URL: a path ('/overheid/...') is taken on the origin."""
        if self.intake and self.intake.startswith("/"):
            return self.origin.rstrip("/") + self.intake if self.origin else None
        return self.intake

    def dienst_urls(self) -> dict[str, str]:
        """Base URL per service: explicit URLs win over origin + standard base path."""
        urls: dict[str, str] = {}
        if self.origin:
            urls = {n: self.origin.rstrip("/") + d.basispad for n, d in DIENSTEN.items()}
        urls.update({n: u.rstrip("/") for n, u in self.diensten.items()})
        return urls

    def api_sleutel(self) -> str | None:
        return os.environ.get(self.api_sleutel_variabele) if self.api_sleutel_variabele else None

    def met_origin(self, origin: str, loket: str | None = None) -> Doel:
        """Copy with the origin filled in (the reference LV only knows its port at start)."""
        kopie = Doel(**{k: getattr(self, k) for k in self.__dataclass_fields__})
        kopie.origin = origin
        kopie.loket = loket or origin + "/"
        return kopie

    def als_json(self) -> dict:
        """What phases get (never the key itself, only the variable's name)."""
        return {
            "naam": self.naam, "omschrijving": self.omschrijving, "soort": self.soort,
            "origin": self.origin, "loket": self.loket, "diensten": self.dienst_urls(),
            "api_sleutel_variabele": self.api_sleutel_variabele,
            "alleen_lezen": self.alleen_lezen, "fasen": self.fasen, "specs": self.specs,
            "max_verzoeken_per_seconde": self.max_verzoeken_per_seconde,
            "intake": self.intake_url(),
        }


def _controleer_url(waarde: str, pad: Path | str, regel: int | None, wat: str) -> str:
    u = urlparse(waarde)
    if u.scheme not in ("http", "https") or not u.netloc:
        raise ConfiguratieFout(
            f"{plaats(pad, regel)}: {wat} '{waarde}' is geen geldige URL. "
            "Oplossing: geef een volledige URL met http:// of https://, bijv. "
            "'https://service.pre.omgevingswet.overheid.nl'.")
    if u.username is not None or u.password is not None:
        # Never echo the URL itself: it holds a secret that would end up in every record.
        veilig = f"{u.scheme}://***@{u.hostname or ''}{f':{u.port}' if u.port else ''}{u.path}"
        raise ConfiguratieFout(
            f"{plaats(pad, regel)}: {wat} '{veilig}' bevat een gebruikersnaam of wachtwoord. "
            "Oplossing: haal ze uit de URL; sleutels komen alleen uit de omgeving "
            "(api_sleutel_variabele).")
    return waarde


def lees_doelen(pad: Path) -> dict[str, Doel]:
    """Read and check doelen.toml; raise ConfiguratieFout with file and line on any mistake."""
    data, tekst = lees_toml(pad, oplossing_ontbreekt="maak het aan of geef een ander bestand "
                            "met --doelen.")
    onbekend = set(data) - {"doelen"}
    if onbekend:
        s = sorted(onbekend)[0]
        raise ConfiguratieFout(f"{plaats(pad, regel_van(tekst, (s,)) or eerste_regel_met(tekst, s))}"
                               f": onbekende sleutel '{s}'. Oplossing: zet doelen onder "
                               "[doelen.<naam>].")
    alle = data.get("doelen", {})
    if not isinstance(alle, dict):
        raise ConfiguratieFout(f"{plaats(pad, eerste_regel_met(tekst, 'doelen'))}: 'doelen' moet "
                               "een tabel met één tabel per doel zijn. Oplossing: schrijf "
                               "[doelen.<naam>] met daaronder de sleutels van dat doel.")
    return {naam: _lees_doel(naam, waarden, pad, tekst) for naam, waarden in alle.items()}


def _lees_doel(naam: str, waarden: dict, pad: Path, tekst: str) -> Doel:
    tabel = ("doelen", naam)
    kop = f"doelen.{naam}"
    if not isinstance(waarden, dict):
        raise ConfiguratieFout(f"{plaats(pad, eerste_regel_met(tekst, naam))}: doel '{naam}' moet een "
                               f"tabel zijn. Oplossing: schrijf [{kop}].")
    for sleutel, waarde in waarden.items():
        regel = regel_van(tekst, tabel, sleutel)
        if sleutel not in DOEL_SLEUTELS:
            raise ConfiguratieFout(
                f"{plaats(pad, regel)}: onbekende sleutel '{sleutel}' in [{kop}]. "
                f"Oplossing: gebruik een van: {', '.join(sorted(DOEL_SLEUTELS))}.")
        if sleutel == "diensten" and isinstance(waarde, dict):
            continue  # checked below, per service
        if not isinstance(waarde, DOEL_SLEUTELS[sleutel]) or (
                DOEL_SLEUTELS[sleutel] is not bool and isinstance(waarde, bool)):
            raise ConfiguratieFout(f"{plaats(pad, regel)}: '{sleutel}' in [{kop}] heeft het "
                                   "verkeerde type. Oplossing: zie de voorbeelden in doelen.toml.")
    doel = Doel(naam=naam, **{k: v for k, v in waarden.items() if k != "diensten"})
    if doel.soort not in SOORTEN:
        raise ConfiguratieFout(f"{plaats(pad, regel_van(tekst, tabel, 'soort'))}: soort "
                               f"'{doel.soort}' is onbekend. Oplossing: 'referentie' of 'extern'.")
    if doel.specs not in ("live", "vastgelegd"):
        raise ConfiguratieFout(f"{plaats(pad, regel_van(tekst, tabel, 'specs'))}: specs "
                               f"'{doel.specs}' is onbekend. Oplossing: 'live' of 'vastgelegd'.")
    if not doel.fasen:
        raise ConfiguratieFout(f"{plaats(pad, regel_van(tekst, tabel, 'fasen'))}: 'fasen' is leeg: "
                               "dan wordt er niets getest. Oplossing: noem minstens één fase uit "
                               f"{', '.join(FASEN)}, of laat de sleutel weg voor alle fasen.")
    for fase in doel.fasen:
        if not isinstance(fase, str) or fase not in FASEN:
            raise ConfiguratieFout(f"{plaats(pad, regel_van(tekst, tabel, 'fasen'))}: fase "
                                   f"'{fase}' bestaat niet. Oplossing: kies uit {', '.join(FASEN)}.")
    if doel.max_verzoeken_per_seconde is not None and doel.max_verzoeken_per_seconde <= 0:
        raise ConfiguratieFout(
            f"{plaats(pad, regel_van(tekst, tabel, 'max_verzoeken_per_seconde'))}: "
            f"max_verzoeken_per_seconde = {doel.max_verzoeken_per_seconde} zou de tempobegrenzing "
            "uitzetten. Oplossing: geef een getal groter dan 0, of laat de sleutel weg voor geen "
            "begrenzing.")
    if doel.origin:
        _controleer_url(doel.origin, pad, regel_van(tekst, tabel, "origin"), "origin")
    if doel.intake and not doel.intake.startswith("/"):
        _controleer_url(doel.intake, pad, regel_van(tekst, tabel, "intake"), "intake")
    elif doel.intake and not (doel.origin or doel.soort == "referentie"):
        raise ConfiguratieFout(f"{plaats(pad, regel_van(tekst, tabel, 'intake'))}: intake "
                               f"'{doel.intake}' is een pad, maar doel '{naam}' heeft geen origin. "
                               "Oplossing: geef een volledige URL of zet 'origin'.")
    if doel.loket:
        _controleer_url(doel.loket, pad, regel_van(tekst, tabel, "loket"), "loket")
    diensten_tabel = (*tabel, "diensten")
    for dienst, url in (waarden.get("diensten") or {}).items():
        regel = regel_van(tekst, diensten_tabel, dienst) or regel_van(tekst, tabel, "diensten")
        if dienst not in DIENSTEN:
            raise ConfiguratieFout(f"{plaats(pad, regel)}: onbekende dienst '{dienst}'. "
                                   f"Oplossing: kies uit {', '.join(DIENSTEN)}.")
        if not isinstance(url, str):
            raise ConfiguratieFout(f"{plaats(pad, regel)}: de URL van dienst '{dienst}' moet "
                                   "tekst zijn.")
        doel.diensten[dienst] = _controleer_url(url, pad, regel, f"URL van dienst '{dienst}'")
    if doel.soort == "extern" and not (doel.origin or doel.diensten or doel.loket):
        raise ConfiguratieFout(f"{plaats(pad, regel_van(tekst, tabel))}: doel '{naam}' zegt niet "
                               "waar het systeem staat. Oplossing: geef 'origin', 'loket' of "
                               f"[{kop}.diensten].")
    return doel


def kies_doel(doelen: dict[str, Doel], naam: str, pad: Path) -> Doel:
    if naam not in doelen:
        raise ConfiguratieFout(f"{pad}: doel '{naam}' bestaat niet. Oplossing: kies uit "
                               f"{', '.join(doelen) or '(geen)'} of voeg [doelen.{naam}] toe.")
    return doelen[naam]


def controleer_sleutel(doel: Doel, pad: Path) -> None:
    """A target that needs a key must find it in its environment variable before anything runs."""
    if doel.api_sleutel_verplicht and not doel.api_sleutel():
        raise ConfiguratieFout(
            f"{pad}: doel '{doel.naam}' vraagt een API-sleutel in omgevingsvariabele "
            f"{doel.api_sleutel_variabele}, maar die is niet gezet. Oplossing: "
            f"export {doel.api_sleutel_variabele}=<uw sleutel> (sleutels staan nooit in bestanden).")


def doel_van_opdrachtregel(origin: str | None, loket: str | None, diensten: list[str],
                           sleutel_variabele: str | None) -> Doel:
    """An ad-hoc vendor target from --origin/--loket/--dienst naam=URL."""
    pad = Path("<opdrachtregel>")
    doel = Doel(naam="opdrachtregel", omschrijving="doel van de opdrachtregel",
                api_sleutel_variabele=sleutel_variabele,
                api_sleutel_verplicht=bool(sleutel_variabele))
    if origin:
        doel.origin = _controleer_url(origin, pad, None, "--origin")
    if loket:
        doel.loket = _controleer_url(loket, pad, None, "--loket")
    for item in diensten:
        naam, _, url = item.partition("=")
        if naam not in DIENSTEN or not url:
            raise ConfiguratieFout(f"--dienst '{item}': verwacht naam=URL met naam uit "
                                   f"{', '.join(DIENSTEN)}.")
        doel.diensten[naam] = _controleer_url(url, pad, None, f"--dienst {naam}")
    if not (doel.origin or doel.loket or doel.diensten):
        raise ConfiguratieFout("Geef met --origin, --loket of --dienst aan waar het systeem staat.")
    return doel
