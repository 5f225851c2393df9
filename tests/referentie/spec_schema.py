"""Validate a real response against the response schema our own spec declares for it.

OpenAPI 3.0 schemas are JSON Schema with a few differences; the only one our specs use is
``nullable``, turned here into ``type: [t, "null"]``. References stay references (resolved
against the spec document by jsonschema).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SPECS = Path(__file__).resolve().parents[2] / "src" / "referentie_lv" / "specs"


def _naar_jsonschema(o: Any) -> Any:
    if isinstance(o, dict):
        d = {k: _naar_jsonschema(v) for k, v in o.items() if k not in ("nullable", "example", "xml")}
        if o.get("nullable") is True:
            if "type" in d:
                d["type"] = [d["type"], "null"]
            elif "$ref" in d:
                d = {"anyOf": [{"$ref": d.pop("$ref")}, {"type": "null"}], **d}
        return d
    if isinstance(o, list):
        return [_naar_jsonschema(x) for x in o]
    return o


@lru_cache(maxsize=8)
def _spec(naam: str) -> dict:
    return _naar_jsonschema(yaml.safe_load((SPECS / naam).read_text(encoding="utf-8")))


def valideer(specnaam: str, pad: str, methode: str, status: int, mediatype: str, body: Any) -> None:
    """Raise jsonschema.ValidationError when ``body`` does not fit the declared schema."""
    spec = _spec(specnaam)
    antwoord = spec["paths"][pad][methode.lower()]["responses"][str(status)]
    if "$ref" in antwoord:
        antwoord = spec["components"]["responses"][antwoord["$ref"].rsplit("/", 1)[-1]]
    schema = antwoord["content"][mediatype]["schema"]
    jsonschema.validate(body, {"components": spec["components"], **schema},
                        cls=jsonschema.Draft7Validator)
