"""Configuration files (doelen.toml, acceptatiecriteria.toml, rollen.toml, load/slo.toml, …).

One home for what every reader of a TOML file needs: reading it safely (missing, a folder,
unreadable, not UTF-8, not TOML — each a Dutch message with file, line and fix), finding the line
of a table or key (tomllib reports lines only for syntax errors), and the error itself. Every
mistake ends the program with exit code 2 (:class:`ConfiguratieFout`).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path


class ConfiguratieFout(Exception):
    """A configuration error: message in Dutch naming file, place and fix. Exit code 2."""


def plaats(pad: Path | str, regel: int | None, kolom: int | None = None) -> str:
    if regel and kolom:
        return f"{pad}:{regel}:{kolom}"
    return f"{pad}:{regel}" if regel else str(pad)


def fout(pad: Path | str, regel: int | None, tekst: str) -> ConfiguratieFout:
    return ConfiguratieFout(f"{plaats(pad, regel)}: {tekst}")


# tomllib's messages (Python 3.11–3.13), most specific first; anything else keeps its own text.
_TOML_MELDINGEN = [
    ("Expected '=' after a key", "na een sleutel verwacht ik '='"),
    ("Invalid initial character for a key part", "ongeldig teken aan het begin van een sleutel"),
    ("Invalid statement", "ongeldige regel (geen sleutel = waarde en geen [tabel])"),
    ("Invalid value", "ongeldige waarde (tekst hoort tussen aanhalingstekens)"),
    ("Expected newline or end of document", "na de waarde verwacht ik het einde van de regel"),
    ("Cannot overwrite a value", "deze sleutel staat er al (dubbele sleutel)"),
    ("Cannot declare", "deze tabel staat er al (dubbele tabel)"),
    ("Unclosed array", "een lijst ([ …) is niet gesloten"),
    ("Unclosed inline table", "een tabel ({ …) is niet gesloten"),
    ("Unterminated string", "een tekst is niet afgesloten met een aanhalingsteken"),
    # an end of line inside a "…" string: tomllib calls the newline illegal
    ("Illegal character '\\n'", "een tekst is niet afgesloten met een aanhalingsteken"),
    ("Illegal character", "ongeldig teken"),
    ("Found invalid character", "ongeldig teken in een tekst"),
    ("Invalid date or datetime", "ongeldige datum of tijd"),
    ("Invalid hex value", "ongeldige hexadecimale waarde"),
    ("Unescaped", "een teken in een tekst moet ge-escaped worden"),
]
_TOML_PLAATS = re.compile(r"^(?P<tekst>.*?)\s*\((?:at line (?P<regel>\d+), column (?P<kolom>\d+)"
                          r"|at end of document)\)\s*$", re.S)


def vertaal_toml_fout(pad: Path | str, e: tomllib.TOMLDecodeError) -> ConfiguratieFout:
    """A tomllib syntax error as a Dutch message that keeps line and column."""
    m = _TOML_PLAATS.match(str(e))
    engels = m.group("tekst") if m else str(e)
    regel = int(m.group("regel")) if m and m.group("regel") else None
    kolom = int(m.group("kolom")) if m and m.group("kolom") else None
    nl = next((vertaling for begin, vertaling in _TOML_MELDINGEN if engels.startswith(begin)),
              f"syntaxfout ({engels})")
    waar = plaats(pad, regel, kolom) if regel else f"{pad} (aan het einde)"
    return ConfiguratieFout(f"{waar}: geen geldige TOML: {nl}. Oplossing: herstel de syntaxis "
                            "op die plaats.")


def lees_toml(pad: Path | None, *, oplossing_ontbreekt: str, mag_ontbreken: bool = False
              ) -> tuple[dict, str] | None:
    """Read a TOML file: (data, text), or None when it is missing (or not given) and
    ``mag_ontbreken``.

    Every way the file can be wrong is a ConfiguratieFout naming it; never a traceback.
    """
    if pad is None and mag_ontbreken:
        return None
    pad = Path(pad)
    try:
        ruw = pad.read_bytes()
    except FileNotFoundError:
        if mag_ontbreken:
            return None
        raise ConfiguratieFout(f"{pad}: bestand niet gevonden. Oplossing: {oplossing_ontbreekt}"
                               ) from None
    except IsADirectoryError:
        raise ConfiguratieFout(f"{pad}: dit is een map, geen bestand. Oplossing: wijs het "
                               "TOML-bestand zelf aan.") from None
    except PermissionError:
        raise ConfiguratieFout(f"{pad}: geen leesrechten. Oplossing: geef de gebruiker "
                               "leesrechten (chmod u+r) of wijs een ander bestand aan.") from None
    except OSError as e:
        raise ConfiguratieFout(f"{pad}: niet te lezen ({e.strerror or e}).") from None
    try:
        tekst = ruw.decode("utf-8")
    except UnicodeDecodeError as e:
        regel = ruw[:e.start].count(b"\n") + 1
        kolom = e.start - (ruw.rfind(b"\n", 0, e.start) + 1) + 1
        raise ConfiguratieFout(
            f"{plaats(pad, regel, kolom)}: het bestand is geen UTF-8 (byte "
            f"0x{ruw[e.start]:02x}). Oplossing: sla het op als UTF-8.") from None
    try:
        return tomllib.loads(tekst), tekst
    except tomllib.TOMLDecodeError as e:
        raise vertaal_toml_fout(pad, e) from None


def regel_van(tekst: str, tabel: tuple[str | int, ...] = (), sleutel: str | None = None) -> int | None:
    """Line of ``[a.b."c"]`` (or of ``sleutel =`` inside it, or at top level when ``tabel`` is
    empty); tomllib gives no lines for errors of meaning. A trailing number in ``tabel`` picks
    the n-th (0-based) block of an array of tables: ``("rollen", "x", "controles", 1)`` is the
    second ``[[rollen.x.controles]]``."""
    index = None
    if tabel and isinstance(tabel[-1], int):
        tabel, index = tabel[:-1], tabel[-1]
    kop_patroon = r"^\s*\[\[([^\[\]]+)\]\]\s*(#.*)?$" if index is not None else r"^\s*\[([^\[\]]+)\]\s*(#.*)?$"

    def kop_past(regel: str) -> bool:
        m = re.match(kop_patroon, regel)
        if not m:
            return False
        try:
            return tuple(_toml_sleutelpad(m.group(1))) == tabel
        except ValueError:
            return False

    regels = tekst.splitlines()
    if not tabel:
        koppen = [-1]                      # top level: from the first line
    else:
        koppen = [i for i, r in enumerate(regels) if kop_past(r)]
        if index is not None:
            koppen = koppen[index:index + 1]
    if not koppen:
        return None
    kop = koppen[0]
    if sleutel is not None:
        for j in range(kop + 1, len(regels)):
            if regels[j].lstrip().startswith("["):
                break
            if re.match(r'^\s*("?)' + re.escape(sleutel) + r'\1\s*=', regels[j]):
                return j + 1
    return kop + 1 if tabel else None


def eerste_regel_met(tekst: str, sleutel: str) -> int | None:
    """First line that assigns ``sleutel`` anywhere in the file (for keys in inline tables)."""
    for i, r in enumerate(tekst.splitlines()):
        if re.match(r'^\s*("?)' + re.escape(sleutel) + r'\1\s*=', r):
            return i + 1
    return None


def _toml_sleutelpad(tekst: str) -> list[str]:
    """Split a TOML dotted key (bare or quoted parts) the way tomllib does, for line lookup."""
    delen, i = [], 0
    tekst = tekst.strip()
    while i < len(tekst):
        if tekst[i] in "\"'":
            einde = tekst.index(tekst[i], i + 1)
            delen.append(tekst[i + 1:einde])
            i = einde + 1
        else:
            m = re.match(r"[A-Za-z0-9_-]+", tekst[i:])
            if not m:
                raise ValueError(tekst)
            delen.append(m.group(0))
            i += m.end()
        while i < len(tekst) and tekst[i] in " \t":
            i += 1
        if i < len(tekst):
            if tekst[i] != ".":
                raise ValueError(tekst)
            i += 1
            while i < len(tekst) and tekst[i] in " \t":
                i += 1
    return delen
