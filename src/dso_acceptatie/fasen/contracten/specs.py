"""Getting a service's spec (live or pinned), and judging whether it is a usable OpenAPI 3 document.

Every problem is returned with its place (line and column for syntax, a JSON pointer for
structure), so that an unreadable or invalid spec becomes a finding ("spec ongeldig") and the
phase goes on with the other APIs.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

import httpx
import yaml

from dso_acceptatie.fasen.contracten.instellingen import (
    CONTRACTS,
    OAS30_SCHEMA,
    Instellingen,
)


@dataclass
class Probleem:
    plaats: str          # "regel 12, kolom 5" or a JSON pointer such as "/paths/~1free/get"
    bericht: str


@dataclass
class Spec:
    dienst: str
    bron: str                      # "live" or "vastgelegd"
    locatie: str                   # URL, or path relative to the repository
    ruw: bytes = b""
    inhoud: dict | None = None
    problemen: list[Probleem] = field(default_factory=list)
    derden: bool = False           # the unchanged published spec of a third party
    opmerking: str | None = None   # e.g. why a pinned copy was used instead of the live one
    live_fout: str | None = None   # why <base>/openapi.json could not be read (None: read or not tried)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.ruw).hexdigest()

    @property
    def versie(self) -> str | None:
        info = (self.inhoud or {}).get("info")
        return str(info.get("version")) if isinstance(info, dict) and "version" in info else None

    @property
    def titel(self) -> str | None:
        info = (self.inhoud or {}).get("info")
        return str(info.get("title")) if isinstance(info, dict) and "title" in info else None

    @property
    def bruikbaar(self) -> bool:
        return self.inhoud is not None and not self.problemen

    @property
    def achtervoegsel(self) -> str:
        return ".json" if self.ruw.lstrip()[:1] in (b"{", b"[") else ".yaml"


def pointer(pad) -> str:
    """JSON pointer of a path given as a list of keys/indices."""
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in pad) if pad else "/"


def ontleed(ruw: bytes) -> tuple[dict | None, list[Probleem]]:
    """Parse JSON or YAML and check the OpenAPI 3 structure; problems carry their place."""
    try:
        tekst = ruw.decode("utf-8")
    except UnicodeDecodeError as e:
        return None, [Probleem(f"byte {e.start}", "het document is geen geldige UTF-8")]
    if not tekst.strip():
        return None, [Probleem("regel 1", "het document is leeg")]
    if tekst.lstrip()[:1] in "{[":
        try:
            data = json.loads(tekst)
        except json.JSONDecodeError as e:
            return None, [Probleem(f"regel {e.lineno}, kolom {e.colno}",
                                   f"geen geldige JSON: {e.msg}")]
    else:
        try:
            data = yaml.safe_load(tekst)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            plaats = f"regel {mark.line + 1}, kolom {mark.column + 1}" if mark else "onbekend"
            return None, [Probleem(plaats, f"geen geldige YAML: {getattr(e, 'problem', None) or e}")]
    return data if isinstance(data, dict) else None, structuur(data)


def structuur(data) -> list[Probleem]:
    if not isinstance(data, dict):
        return [Probleem("/", "het document is geen object (verwacht een OpenAPI-document)")]
    versie = data.get("openapi")
    if versie is None:
        if "swagger" in data:
            return [Probleem("/swagger", "Swagger 2.0 wordt niet ondersteund; verwacht OpenAPI 3")]
        return [Probleem("/openapi", "het veld 'openapi' ontbreekt")]
    if not isinstance(versie, str) or not re.fullmatch(r"3\.\d+\.\d+", versie):
        return [Probleem("/openapi", f"'openapi' is {versie!r}; verwacht een versie 3.x.y")]
    problemen = []
    info = data.get("info")
    if not isinstance(info, dict):
        problemen.append(Probleem("/info", "het object 'info' ontbreekt"))
    elif "version" not in info:
        problemen.append(Probleem("/info/version", "'info.version' ontbreekt"))
    if not isinstance(data.get("paths"), dict):
        problemen.append(Probleem("/paths", "het object 'paths' ontbreekt"))
    if problemen or not versie.startswith("3.0."):
        return problemen
    validator = _oas30_validator()
    if validator is not None:
        fouten = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
        for e in fouten[:10]:
            problemen.append(Probleem(pointer(list(e.absolute_path)),
                                      f"voldoet niet aan het OpenAPI 3.0-schema: {e.message[:300]}"))
    return problemen


@lru_cache(maxsize=1)
def _oas30_validator():
    # The OpenAPI 3.0 JSON Schema that Spectral ships (node_modules is installed by the setup).
    if not OAS30_SCHEMA.exists():
        return None
    import jsonschema
    schema = json.loads(OAS30_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


def _vastgelegd(dienst: str, instellingen: Instellingen) -> Spec | None:
    pad = instellingen.vastgelegde_spec(dienst)
    if pad is None:
        return None
    spec = Spec(dienst, "vastgelegd", str(pad.relative_to(CONTRACTS.parent)))
    try:
        spec.ruw = pad.read_bytes()
    except OSError as e:
        spec.problemen = [Probleem(str(pad), f"bestand niet leesbaar: {e.strerror}")]
        return spec
    spec.inhoud, spec.problemen = ontleed(spec.ruw)
    spec.derden = bool(instellingen.specs[dienst].get("derden"))
    return spec


def is_gepubliceerde_spec(spec: Spec, instellingen: Instellingen) -> bool:
    """True when the spec equals the pinned published third-party spec (same content)."""
    vast = _vastgelegd(spec.dienst, instellingen)
    if vast is None or not vast.derden or vast.inhoud is None:
        return False
    return vast.sha256 == spec.sha256 or _genormaliseerd(vast.inhoud) == _genormaliseerd(spec.inhoud)


def _genormaliseerd(data):
    # YAML turns unquoted dates into date objects; JSON keeps them as text. Compare as JSON.
    return json.loads(json.dumps(data, default=str, sort_keys=True))


def haal(dienst: str, basis_url: str, bron: str, instellingen: Instellingen,
         headers: dict[str, str], client: httpx.Client) -> Spec:
    """The spec to test a service against. ``bron`` is the target's choice (live|vastgelegd).

    live: ``<base>/openapi.json`` (ADR: publish the OAS at the base URI); when that fails and a
    pinned copy exists, the copy is used and the reason kept in ``opmerking``.
    vastgelegd: the pinned copy; a service without one falls back to live.
    """
    if bron == "vastgelegd":
        vast = _vastgelegd(dienst, instellingen)
        if vast is not None:
            return vast
    url = basis_url.rstrip("/") + "/openapi.json"
    spec = Spec(dienst, "live", url)
    try:
        r = client.get(url, headers=headers)
    except httpx.HTTPError as e:
        spec.problemen = [Probleem(url, f"spec niet op te halen: {type(e).__name__}: {e}")]
    else:
        if r.status_code != 200:
            spec.problemen = [Probleem(url, f"spec niet op te halen: HTTP {r.status_code}")]
        else:
            spec.ruw = r.content
            spec.inhoud, spec.problemen = ontleed(spec.ruw)
            spec.derden = spec.inhoud is not None and is_gepubliceerde_spec(spec, instellingen)
            return spec
    vast = _vastgelegd(dienst, instellingen) if bron == "live" else None
    if vast is not None:
        vast.opmerking = (f"de live spec was niet beschikbaar ({spec.problemen[0].bericht}); "
                          f"getest tegen de vastgelegde kopie {vast.locatie}")
        vast.live_fout = spec.problemen[0].bericht
        return vast
    spec.live_fout = spec.problemen[0].bericht
    if bron == "vastgelegd":
        spec.opmerking = "geen vastgelegde spec voor deze dienst; de live spec is geprobeerd"
    return spec


# ---------------------------------------------------------------------- drift
# What does not change the contract: prose, examples, servers, vendor extensions.
_ONVERSCHILLIG = {"description", "summary", "example", "examples", "externalDocs", "title", "tags"}
_METHODEN = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


# Maps whose keys are names chosen by the author (a property called "title" is contract).
_NAMEN = {"properties", "patternProperties", "schemas", "parameters", "responses", "headers",
          "requestBodies", "securitySchemes", "links", "callbacks", "content", "paths"}


def _kern(data, namen: bool = False):
    """The contract part of a spec node: prose, examples and x-* extensions left out."""
    if isinstance(data, dict):
        return {k: _kern(v, k in _NAMEN and not namen) for k, v in data.items()
                if namen or (k not in _ONVERSCHILLIG and not str(k).startswith("x-"))}
    if isinstance(data, list):
        return [_kern(v) for v in data]
    return data


def _operaties(spec: dict) -> dict[str, dict]:
    uit = {}
    for pad, item in (spec.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        gedeeld = item.get("parameters")
        for m in _METHODEN:
            if isinstance(item.get(m), dict):
                uit[f"{m.upper()} {pad}"] = {"pad_parameters": gedeeld, **item[m]}
    return uit


def verschillen(vast: dict, live: dict) -> list[str]:
    """How the served spec differs from the pinned one in what binds: operations (added, gone,
    changed: parameters, request body, responses, security), schemas and the other components,
    top-level security, and info.version. Each a Dutch sentence; empty when equal."""
    vast, live = _genormaliseerd(vast), _genormaliseerd(live)
    uit: list[str] = []
    v_ver, l_ver = (vast.get("info") or {}).get("version"), (live.get("info") or {}).get("version")
    if v_ver != l_ver:
        uit.append(f"info.version is {l_ver!r}, vastgelegd is {v_ver!r}")
    ov, ol = _operaties(vast), _operaties(live)
    for label in sorted(set(ov) - set(ol)):
        uit.append(f"operatie {label} ontbreekt")
    for label in sorted(set(ol) - set(ov)):
        uit.append(f"operatie {label} is erbij gekomen")
    for label in sorted(set(ov) & set(ol)):
        a, b = _kern(ov[label]), _kern(ol[label])
        delen = [k for k in sorted(set(a) | set(b)) if k != "operationId" and a.get(k) != b.get(k)]
        if delen:
            uit.append(f"operatie {label} is gewijzigd ({', '.join(delen)})")
    cv, cl = vast.get("components") or {}, live.get("components") or {}
    for soort in sorted(set(cv) | set(cl)):
        a, b = cv.get(soort) or {}, cl.get(soort) or {}
        if not (isinstance(a, dict) and isinstance(b, dict)):
            continue
        for naam in sorted(set(a) - set(b)):
            uit.append(f"components.{soort}.{naam} ontbreekt")
        for naam in sorted(set(b) - set(a)):
            uit.append(f"components.{soort}.{naam} is erbij gekomen")
        for naam in sorted(set(a) & set(b)):
            if _kern(a[naam]) != _kern(b[naam]):
                uit.append(f"components.{soort}.{naam} is gewijzigd")
    if _kern(vast.get("security")) != _kern(live.get("security")):
        uit.append("de beveiliging (security) is gewijzigd")
    return uit


def vastgelegd(dienst: str, instellingen: Instellingen) -> Spec | None:
    """The pinned copy of a service's spec, or None when there is none."""
    return _vastgelegd(dienst, instellingen)
