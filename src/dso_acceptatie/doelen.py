"""Targets ("doelen"): where the system under test lives, read from doelen.toml.

Every mistake in the file is reported in Dutch with the file, the line and the fix, and ends the
program with exit code 2 (:class:`ConfiguratieFout`). Unknown keys are errors, not ignored: a typo
must never silently point a run at the wrong place.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from dso_acceptatie.diensten import DIENSTEN

FASEN = ("klantreizen", "contracten", "leveringen", "last")

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
}
SOORTEN = ("referentie", "extern")


class ConfiguratieFout(Exception):
    """A configuration error: message in Dutch naming file, place and fix. Exit code 2."""


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

    def dienst_urls(self) -> dict[str, str]:
        """Base URL per service: explicit URLs win over origin + standard base path."""
        urls: dict[str, str] = {}
        if self.origin:
            urls = {n: self.origin.rstrip("/") + d.basispad for n, d in DIENSTEN.items()}
        urls.update({n: u.rstrip("/") for n, u in self.diensten.items()})
        return urls

    def api_sleutel(self) -> str | None:
        return os.environ.get(self.api_sleutel_variabele) if self.api_sleutel_variabele else None

    def met_origin(self, origin: str, loket: str | None = None) -> "Doel":
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
        }


def _regel(tekst: str, tabel: str, sleutel: str | None = None) -> int | None:
    """Line number of ``[tabel]`` or of ``sleutel`` inside it (tomllib gives none for meaning)."""
    regels = tekst.splitlines()
    kop = re.compile(r"^\s*\[\s*" + re.escape(tabel).replace(r"\.", r"\s*\.\s*") + r"\s*\]")
    for i, r in enumerate(regels):
        if kop.match(r):
            if sleutel is None:
                return i + 1
            for j in range(i + 1, len(regels)):
                if regels[j].lstrip().startswith("["):
                    break
                if re.match(r"^\s*" + re.escape(sleutel) + r"\s*=", regels[j]):
                    return j + 1
            return i + 1
    return None


def _plaats(pad: Path, regel: int | None) -> str:
    return f"{pad}:{regel}" if regel else str(pad)


def _controleer_url(waarde: str, pad: Path, regel: int | None, wat: str) -> str:
    u = urlparse(waarde)
    if u.scheme not in ("http", "https") or not u.netloc:
        raise ConfiguratieFout(
            f"{_plaats(pad, regel)}: {wat} '{waarde}' is geen geldige URL. "
            "Oplossing: geef een volledige URL met http:// of https://, bijv. "
            "'https://service.pre.omgevingswet.overheid.nl'.")
    return waarde


def lees_doelen(pad: Path) -> dict[str, Doel]:
    """Read and check doelen.toml; raise ConfiguratieFout with file and line on any mistake."""
    try:
        tekst = pad.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfiguratieFout(f"{pad}: bestand niet gevonden. Oplossing: maak het aan of geef "
                               "een ander bestand met --doelen.") from None
    try:
        data = tomllib.loads(tekst)
    except tomllib.TOMLDecodeError as e:
        raise ConfiguratieFout(f"{pad}: geen geldige TOML: {e}. Oplossing: herstel de syntaxis "
                               "op die regel.") from None
    onbekend = set(data) - {"doelen"}
    if onbekend:
        s = sorted(onbekend)[0]
        raise ConfiguratieFout(f"{_plaats(pad, _regel(tekst, s) or _eerste(tekst, s))}: onbekende "
                               f"sleutel '{s}'. Oplossing: zet doelen onder [doelen.<naam>].")
    doelen: dict[str, Doel] = {}
    for naam, waarden in data.get("doelen", {}).items():
        doelen[naam] = _lees_doel(naam, waarden, pad, tekst)
    return doelen


def _eerste(tekst: str, sleutel: str) -> int | None:
    for i, r in enumerate(tekst.splitlines()):
        if re.match(r"^\s*" + re.escape(sleutel) + r"\s*=", r):
            return i + 1
    return None


def _lees_doel(naam: str, waarden: dict, pad: Path, tekst: str) -> Doel:
    tabel = f"doelen.{naam}"
    if not isinstance(waarden, dict):
        raise ConfiguratieFout(f"{_plaats(pad, _eerste(tekst, naam))}: doel '{naam}' moet een "
                               f"tabel zijn. Oplossing: schrijf [{tabel}].")
    for sleutel, waarde in waarden.items():
        regel = _regel(tekst, tabel, sleutel)
        if sleutel not in DOEL_SLEUTELS:
            raise ConfiguratieFout(
                f"{_plaats(pad, regel)}: onbekende sleutel '{sleutel}' in [{tabel}]. "
                f"Oplossing: gebruik een van: {', '.join(sorted(DOEL_SLEUTELS))}.")
        if sleutel == "diensten" and isinstance(waarde, dict):
            continue  # checked below, per service
        if not isinstance(waarde, DOEL_SLEUTELS[sleutel]) or (
                DOEL_SLEUTELS[sleutel] is not bool and isinstance(waarde, bool)):
            raise ConfiguratieFout(f"{_plaats(pad, regel)}: '{sleutel}' in [{tabel}] heeft het "
                                   "verkeerde type. Oplossing: zie de voorbeelden in doelen.toml.")
    doel = Doel(naam=naam, **{k: v for k, v in waarden.items() if k != "diensten"})
    if doel.soort not in SOORTEN:
        raise ConfiguratieFout(f"{_plaats(pad, _regel(tekst, tabel, 'soort'))}: soort "
                               f"'{doel.soort}' is onbekend. Oplossing: 'referentie' of 'extern'.")
    if doel.specs not in ("live", "vastgelegd"):
        raise ConfiguratieFout(f"{_plaats(pad, _regel(tekst, tabel, 'specs'))}: specs "
                               f"'{doel.specs}' is onbekend. Oplossing: 'live' of 'vastgelegd'.")
    for fase in doel.fasen:
        if fase not in FASEN:
            raise ConfiguratieFout(f"{_plaats(pad, _regel(tekst, tabel, 'fasen'))}: fase "
                                   f"'{fase}' bestaat niet. Oplossing: kies uit {', '.join(FASEN)}.")
    if doel.origin:
        _controleer_url(doel.origin, pad, _regel(tekst, tabel, "origin"), "origin")
    if doel.loket:
        _controleer_url(doel.loket, pad, _regel(tekst, tabel, "loket"), "loket")
    diensten_tabel = f"{tabel}.diensten"
    for dienst, url in (waarden.get("diensten") or {}).items():
        regel = _regel(tekst, diensten_tabel, dienst) or _regel(tekst, tabel, "diensten")
        if dienst not in DIENSTEN:
            raise ConfiguratieFout(f"{_plaats(pad, regel)}: onbekende dienst '{dienst}'. "
                                   f"Oplossing: kies uit {', '.join(DIENSTEN)}.")
        if not isinstance(url, str):
            raise ConfiguratieFout(f"{_plaats(pad, regel)}: de URL van dienst '{dienst}' moet "
                                   "tekst zijn.")
        doel.diensten[dienst] = _controleer_url(url, pad, regel, f"URL van dienst '{dienst}'")
    if doel.soort == "extern" and not (doel.origin or doel.diensten or doel.loket):
        raise ConfiguratieFout(f"{_plaats(pad, _regel(tekst, tabel))}: doel '{naam}' zegt niet "
                               "waar het systeem staat. Oplossing: geef 'origin', 'loket' of "
                               f"[{diensten_tabel}].")
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
