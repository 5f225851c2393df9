"""Records: one line of JSON per check, the only thing phases hand to the report.

The writer appends and flushes every record, so a run that is killed keeps every record it had
completed (at most the line being written is lost). The writer masks secrets itself, so no phase
can forget it. Format: schema/record.schema.json.

The reader never drops anything: a line that is not a valid record (no JSON, not an object, a
field missing or of the wrong type, an unknown status or severity, a torn last line) becomes a
``geblokkeerd`` record of component ``records`` that names file, line and what is wrong, so a
verdict can never be "geaccepteerd" over records nobody could read.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import jsonschema
import orjson

SCHEMA = "dso-acceptatie/record/1"
STATUSSEN = ("geslaagd", "gefaald", "overgeslagen", "geblokkeerd", "instabiel")
ERNSTEN = ("blokkerend", "ernstig", "hinderlijk", "cosmetisch", "informatief")
# A "controle" proves something about the target; "administratie" (service reachable, phase
# finished, spec loaded, profile chosen) is bookkeeping and never counts as proof in a verdict.
SOORTEN = ("controle", "administratie")
MASKER = "***"

# Header/field forms in which a key may appear in text we did not produce ourselves
# (curl commands, dumped requests, error messages).
# A `$NAME` placeholder (as in the curl commands we print) is not a key and stays readable.
_SLEUTEL_PATRONEN = [
    re.compile(r"(?i)(x-api-key[\"']?\s*[:=]\s*[\"']?)(?!\$[A-Za-z_])([^\s\"',}\\]+)"),
    re.compile(r"(?i)(api[_-]?key=)(?!\$[A-Za-z_])([^&\s\"'\\]+)"),
    re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?(?:bearer|basic)\s+)"
               r"(?!\$[A-Za-z_])([^\s\"',}\\]+)"),
]


class Masker:
    """Replaces known secret values and key-shaped fields by ***."""

    def __init__(self, geheimen: Iterable[str | None] = ()):
        # Longest first, so a secret that contains another is masked whole.
        self.geheimen = sorted({g for g in geheimen if g and len(g) >= 4}, key=len, reverse=True)

    @classmethod
    def uit_omgeving(cls, variabelen: Iterable[str | None]) -> Masker:
        return cls(os.environ.get(v) for v in variabelen if v)

    def maskeer(self, waarde):
        """Mask every string inside a JSON-like value (before serialising, so escapes stay intact)."""
        if isinstance(waarde, str):
            return self(waarde)
        if isinstance(waarde, dict):
            return {self(str(k)): self.maskeer(v) for k, v in waarde.items()}
        if isinstance(waarde, (list, tuple)):
            return [self.maskeer(v) for v in waarde]
        return waarde

    def __call__(self, tekst: str) -> str:
        for geheim in self.geheimen:
            tekst = tekst.replace(geheim, MASKER)
        for patroon in _SLEUTEL_PATRONEN:
            tekst = patroon.sub(lambda m: m.group(1) + (MASKER if m.group(2) != MASKER else m.group(2)), tekst)
        return tekst


def _nu() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class RecordWriter:
    """Append-only JSON-lines writer for one phase (one process, one file).

    Thread-safe; each record is one ``write`` of a whole line followed by ``flush`` so that a
    killed process leaves only complete lines behind.
    """

    def __init__(self, pad: Path, run_id: str, fase: str, masker: Masker | None = None):
        self.pad = Path(pad)
        self.pad.parent.mkdir(parents=True, exist_ok=True)
        self.run_id = run_id
        self.fase = fase
        self.masker = masker or Masker()
        self._lock = threading.Lock()
        # open for the writer's whole life, closed by close()/__exit__
        self._f = open(self.pad, "a", encoding="utf-8")  # noqa: SIM115
        self.aantal = 0

    def schrijf(self, *, component: str, onderwerp: str, controle: str, status: str,
                bericht: str, ernst: str = "informatief", duur_ms: float | None = None,
                bewijs: list[str] | None = None, rol: str | None = None,
                details: dict | None = None, fase: str | None = None,
                soort: str = "controle") -> dict:
        if status not in STATUSSEN:
            raise ValueError(f"onbekende status {status!r}")
        if ernst not in ERNSTEN:
            raise ValueError(f"onbekende ernst {ernst!r}")
        if soort not in SOORTEN:
            raise ValueError(f"onbekende soort {soort!r}")
        record = {
            "schema": SCHEMA, "run_id": self.run_id, "tijd": _nu(), "fase": fase or self.fase,
            "component": component, "onderwerp": onderwerp, "controle": controle,
            "soort": soort, "status": status, "ernst": ernst, "bericht": bericht,
            "duur_ms": None if duur_ms is None else round(duur_ms, 1),
            "bewijs": bewijs or [], "rol": rol, "details": details or {},
        }
        # Round-trip through JSON first so every value is a plain string/number, then mask the
        # strings themselves: masking the serialised line could cut an escape in half.
        record = self.masker.maskeer(json.loads(json.dumps(record, ensure_ascii=False, default=str)))
        regel = json.dumps(record, ensure_ascii=False)
        with self._lock:
            self._f.write(regel + "\n")
            self._f.flush()
            self.aantal += 1
        return record

    def close(self) -> None:
        with self._lock:
            if not self._f.closed:
                self._f.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Stopwatch:
    """``with Stopwatch() as t: ...; t.ms``: duration for the duur_ms field."""

    def __enter__(self) -> Self:
        self._start = time.perf_counter()
        self.ms = 0.0
        return self

    def __exit__(self, *exc) -> None:
        self.ms = (time.perf_counter() - self._start) * 1000


# --- reading ----------------------------------------------------------------------------------

SCHEMA_PAD = Path(__file__).resolve().parents[2] / "schema" / "record.schema.json"
ONBEKENDE_FASE = "onbekend"
# Records of fase "run" are the run's own bookkeeping (start, end) and are not counted as checks
# by summary and report; an unreadable line in that file must count, so it gets ONBEKENDE_FASE.
_BOEKHOUDING_FASE = "run"
_MAX_FOUTEN = 5            # schema violations named per line (the rest is counted)
_MAX_WAARDE = 60           # characters of an offending value shown in a message


def _lees_schema() -> dict:
    return json.loads(SCHEMA_PAD.read_text(encoding="utf-8"))


class _Validator:
    """The record schema, compiled once.

    ``jsonschema_rs`` (Rust, ~100x faster) decides valid/invalid for every record; only an invalid
    record is handed to ``jsonschema`` for the errors we explain in Dutch. Without jsonschema_rs
    the pure-Python validator decides too (correct, slower).
    """

    def __init__(self, schema: dict):
        self.schema = schema
        self.uitleg = jsonschema.validators.validator_for(schema)(schema)
        try:
            import jsonschema_rs
            self._snel = jsonschema_rs.validator_for(schema)
        except Exception:  # noqa: BLE001 - any failure to load the fast path falls back, never breaks reading
            self._snel = None

    def is_geldig(self, record: Any) -> bool:
        if self._snel is not None:
            return self._snel.is_valid(record)
        return self.uitleg.is_valid(record)

    def fouten(self, record: Any) -> list[str]:
        teksten = []
        fouten = sorted(self.uitleg.iter_errors(record), key=lambda e: (list(e.absolute_path), e.validator))
        for fout in fouten:
            teksten.append(_fout_in_het_nederlands(fout))
        # The fast and the explaining validator may disagree on an exotic value; never say "ok".
        return teksten or ["de regel voldoet niet aan schema/record.schema.json"]


_VALIDATOR: _Validator | None = None


def _validator() -> _Validator:
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = _Validator(_lees_schema())
    return _VALIDATOR


_JSON_TYPEN = {dict: "een object", list: "een lijst", str: "een tekst", bool: "een waarheidswaarde",
               int: "een getal", float: "een getal", type(None): "null"}
_SCHEMA_TYPEN = {"object": "een object", "array": "een lijst", "string": "een tekst",
                 "number": "een getal", "integer": "een geheel getal", "boolean": "een waarheidswaarde",
                 "null": "null"}


def _soort_waarde(waarde: Any) -> str:
    return _JSON_TYPEN.get(type(waarde), type(waarde).__name__)


def _toon(waarde: Any) -> str:
    """A value for a message: short, JSON-like, and masked (a foreign line may hold a key)."""
    try:
        tekst = json.dumps(waarde, ensure_ascii=False)
    except (TypeError, ValueError):
        tekst = repr(waarde)
    if len(tekst) > _MAX_WAARDE:
        tekst = tekst[:_MAX_WAARDE] + "…"
    return Masker()(tekst)


def _fout_in_het_nederlands(fout: jsonschema.ValidationError) -> str:
    pad = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p))
                  for i, p in enumerate(fout.absolute_path))
    veld = f"veld '{pad}'" if pad else "de regel"
    soort, inhoud, eis = fout.validator, fout.instance, fout.validator_value
    if soort == "required":
        ontbrekend = [k for k in eis if isinstance(inhoud, dict) and k not in inhoud]
        return "verplicht veld ontbreekt: " + ", ".join(f"'{k}'" for k in ontbrekend)
    if soort == "additionalProperties":
        bekend = set(fout.schema.get("properties", {}))
        extra = sorted(str(k) for k in inhoud if k not in bekend) if isinstance(inhoud, dict) else []
        return "onbekend veld: " + ", ".join(_toon(k) for k in extra)
    if soort == "type":
        typen = eis if isinstance(eis, list) else [eis]
        verwacht = " of ".join(_SCHEMA_TYPEN.get(t, t) for t in typen)
        if not pad:
            return f"de regel is geen JSON-object maar {_soort_waarde(inhoud)}"
        return f"{veld} moet {verwacht} zijn, maar is {_soort_waarde(inhoud)} ({_toon(inhoud)})"
    if soort == "enum":
        return f"{veld} heeft de onbekende waarde {_toon(inhoud)}; toegestaan: {', '.join(map(str, eis))}"
    if soort == "const":
        return f"{veld} moet {_toon(eis)} zijn, maar is {_toon(inhoud)}"
    if soort == "minimum":
        return f"{veld} mag niet kleiner zijn dan {eis}, maar is {_toon(inhoud)}"
    return f"{veld} voldoet niet aan de regel '{soort}' van het schema"


def _weiger_constante(naam: str) -> Any:
    raise ValueError(f"{naam} is geen geldige JSON-waarde")


def _parse(regel: bytes) -> Any:
    """One line as JSON. orjson is strict (UTF-8, no NaN) and fast; the standard library takes
    over only for what orjson refuses but JSON allows (integers beyond 64 bits)."""
    try:
        return orjson.loads(regel)
    except orjson.JSONDecodeError as fout_snel:
        try:
            tekst = regel.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ValueError(f"geen geldige UTF-8 (byte {e.start + 1} van de regel)") from None
        try:
            waarde = json.loads(tekst, parse_constant=_weiger_constante)
        except (ValueError, RecursionError):
            raise ValueError(f"geen geldige JSON (bij teken {fout_snel.pos + 1}: "
                             f"{_json_fout(fout_snel.msg)})") from None
        try:  # "\ud800" is JSON, but no text: it could not be written to a summary in UTF-8
            json.dumps(waarde, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("geen geldige tekst (een losse UTF-16-surrogaat)") from None
        return waarde


_JSON_FOUTEN = {
    "unexpected end of data": "de regel houdt halverwege op",
    "unexpected character": "onverwacht teken",
    "trailing characters": "tekst na het einde van de waarde",
    "invalid escape": "ongeldige escape",
    "control character": "stuurteken in een tekst",
    "recursion limit": "te diep genest",
    "exceeds 64-bit range": "getal te groot",
    "str is not valid utf-8": "geen geldige UTF-8",
    "input is a zero-length": "lege invoer",
}


def _json_fout(bericht: str) -> str:
    laag = bericht.lower()
    for engels, nederlands in _JSON_FOUTEN.items():
        if engels in laag:
            return nederlands
    return "ongeldige opbouw"


def _geblokkeerd(bestand: Path, regelnummer: int, fase: str, bericht: str, *, run_id: str = "",
                 details: dict | None = None) -> dict:
    return {"schema": SCHEMA, "run_id": run_id, "tijd": _nu(), "fase": fase,
            "component": "records", "onderwerp": f"records/{bestand.name}", "controle": "record-leesbaar",
            "soort": "controle", "status": "geblokkeerd", "ernst": "blokkerend",
            "bericht": bericht, "duur_ms": None, "bewijs": [f"records/{bestand.name}"], "rol": None,
            "details": {"bestand": f"records/{bestand.name}", "regel": regelnummer, **(details or {})}}


def _fase_van_buren(fasen: list[str | None], index: int) -> str:
    """The fase of the nearest readable record in the same file (before, then after)."""
    for stap in range(1, len(fasen)):
        for j in (index - stap, index + stap):
            if 0 <= j < len(fasen) and fasen[j]:
                return fasen[j]
    return ONBEKENDE_FASE


def _lees_bestand(bestand: Path) -> list[dict]:
    validator = _validator()
    try:
        inhoud = bestand.read_bytes()
    except OSError as e:
        return [_geblokkeerd(bestand, 0, ONBEKENDE_FASE,
                             f"records/{bestand.name} kon niet worden gelezen: {e.strerror or e}")]
    regels = inhoud.split(b"\n")
    compleet = inhoud.endswith(b"\n") or not inhoud
    uit: list[dict | None] = []
    fasen: list[str | None] = []
    problemen: list[tuple[int, int, str, str | None, str]] = []   # (index in uit, regelnr, reden, fase, run_id)
    offset = 0
    laatste = max((i for i, r in enumerate(regels) if r.strip()), default=-1)
    for i, regel in enumerate(regels):
        begin = offset
        offset += len(regel) + 1
        if not regel.strip():
            continue
        try:
            record = _parse(regel)
        except ValueError as e:
            if i == laatste and not compleet:
                reden = (f"de laatste regel (regel {i + 1}, vanaf byte {begin}) is afgebroken: de schrijver "
                         f"is waarschijnlijk gestopt tijdens het schrijven; 1 record is verloren ({e})")
            else:
                reden = f"regel {i + 1} is onleesbaar: {e}"
            problemen.append((len(uit), i + 1, reden, None, ""))
            uit.append(None)
            fasen.append(None)
            continue
        if validator.is_geldig(record):
            uit.append(record)
            fasen.append(record["fase"])
            continue
        eigen_fase = record.get("fase") if isinstance(record, dict) else None
        eigen_fase = eigen_fase if isinstance(eigen_fase, str) and eigen_fase.strip() else None
        run_id = record.get("run_id") if isinstance(record, dict) else None
        fouten = validator.fouten(record)
        meer = f" (en nog {len(fouten) - _MAX_FOUTEN})" if len(fouten) > _MAX_FOUTEN else ""
        reden = (f"regel {i + 1} is geen geldig record: " + "; ".join(fouten[:_MAX_FOUTEN]) + meer)
        problemen.append((len(uit), i + 1, reden, eigen_fase, run_id if isinstance(run_id, str) else ""))
        uit.append(None)
        fasen.append(eigen_fase)
    for index, regelnummer, reden, eigen_fase, run_id in problemen:
        fase = eigen_fase or _fase_van_buren(fasen, index)
        if fase == _BOEKHOUDING_FASE:
            fase = ONBEKENDE_FASE
        uit[index] = _geblokkeerd(bestand, regelnummer, fase, f"records/{bestand.name}: {reden}",
                                  run_id=Masker()(run_id))
    return [r for r in uit if r is not None]


def lees_records(map_: Path) -> Iterator[dict]:
    """All records of a run folder (``records/*.jsonl``), each valid against the record schema.

    Every line that is not a valid record (including a torn last line, which is what a killed
    writer leaves) is replaced by a ``geblokkeerd``/``blokkerend`` record of component
    ``records``, controle ``record-leesbaar``, naming file, line and the problem in Dutch. Its
    fase is the line's own ``fase`` field when it has one, else that of the nearest readable
    record in the same file, else ``onbekend`` (also for the run's own file, whose records are
    bookkeeping). The fase of a record is never derived from the file name.
    """
    for bestand in sorted(Path(map_).glob("records/*.jsonl")):
        yield from _lees_bestand(bestand)
