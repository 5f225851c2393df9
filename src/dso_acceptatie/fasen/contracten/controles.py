"""DSO runtime checks, registered as schemathesis checks so they run on every response.

A check that does not apply to a response (no geometry, no error, a spec that does not use
problem+json …) returns without a verdict and does not count as evidence: it is only recorded as
applied (``TOEGEPAST``) when it actually examined something, so a record "geslaagd" for an
operation means the check really looked at one of its responses.
"""

from __future__ import annotations

import json
import re
import threading
from urllib.parse import parse_qsl, urlsplit

import schemathesis

PROBLEM_JSON = "application/problem+json"
HAL_JSON = "application/hal+json"
GEO_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
             "GeometryCollection"}

DSO_CHECKS = ("dso_api_version", "dso_problem_json", "dso_hal_links", "dso_content_crs",
              "dso_retry_after", "dso_latentie", "dso_rate_limit")

_lock = threading.Lock()
TOEGEPAST: set[tuple[str, str]] = set()   # (operation label, check name)


def _toegepast(case, naam: str) -> None:
    with _lock:
        TOEGEPAST.add((case.operation.label, naam))


def reset() -> None:
    with _lock:
        TOEGEPAST.clear()
        LATENTIE.update(grenzen={}, metingen={}, traagste={}, min_metingen=5, stopfactor=None,
                        bij_te_traag=None, te_traag=None)


# Latency per operation against the service's SLO (load/slo.toml, p95 per endpoint). The check
# only collects samples; the verdict per operation is written by the phase (needs all samples).
# Once an operation's median over ``min_metingen`` calls is ``stopfactor`` times its p95 limit,
# ``bij_te_traag(reden)`` is called once: the service is too slow to go on fuzzing it.
# ``traagste``: per operation the slowest exchange (ms, request, response), the evidence.
LATENTIE: dict = {"grenzen": {}, "metingen": {}, "traagste": {}, "min_metingen": 5, "stopfactor": None,
                  "bij_te_traag": None, "te_traag": None}


def mediaan(waarden: list[float]) -> float:
    rij = sorted(waarden)
    midden = len(rij) // 2
    return rij[midden] if len(rij) % 2 else (rij[midden - 1] + rij[midden]) / 2


def _header(response, naam: str) -> str | None:
    waarden = response.headers.get(naam.lower())
    return waarden[0] if waarden else None


def _media_type(response) -> str:
    return (_header(response, "content-type") or "").split(";")[0].strip().lower()


def _raw(case) -> dict:
    return case.operation.schema.raw_schema


def _spec_gebruikt(raw: dict, media_type: str) -> bool:
    """Whether the spec declares this media type anywhere (cached on the dict by identity)."""
    cache = _SPEC_CACHE.setdefault(id(raw), {})
    if media_type not in cache:
        cache[media_type] = media_type in json.dumps(raw)
    return cache[media_type]


_SPEC_CACHE: dict[int, dict[str, bool]] = {}


def _json(response):
    # Response.json() caches the parsed body, shared with schemathesis' own schema check.
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError, LookupError):
        return None


@schemathesis.check
def dso_api_version(ctx, response, case):
    """API-Version header on every response, equal to the spec's info.version (ADR version-header)."""
    _toegepast(case, "dso_api_version")
    verwacht = str(_raw(case).get("info", {}).get("version"))
    waarde = _header(response, "api-version")
    if waarde is None:
        raise AssertionError(f"De header API-Version ontbreekt (verwacht: {verwacht}).")
    if waarde.strip() != verwacht:
        raise AssertionError(f"API-Version is '{waarde}', maar de spec heeft versie '{verwacht}'.")


@schemathesis.check
def dso_problem_json(ctx, response, case):
    """Errors as application/problem+json with status equal to the HTTP status, title and detail."""
    if response.status_code < 400 or not _spec_gebruikt(_raw(case), PROBLEM_JSON):
        return
    _toegepast(case, "dso_problem_json")
    mt = _media_type(response)
    if mt != PROBLEM_JSON:
        raise AssertionError(f"Foutantwoord {response.status_code} heeft Content-Type "
                             f"'{mt or '(geen)'}' in plaats van {PROBLEM_JSON}.")
    body = _json(response)
    if not isinstance(body, dict):
        raise AssertionError("Het foutantwoord is geen JSON-object.")  # noqa: TRY004 — schemathesis wants AssertionError
    if body.get("status") != response.status_code:
        raise AssertionError(f"'status' in het foutantwoord is {body.get('status')!r}, de "
                             f"HTTP-status is {response.status_code}.")
    ontbreekt = [v for v in ("title", "detail") if not isinstance(body.get(v), str) or not body[v]]
    if ontbreekt:
        raise AssertionError(f"Het foutantwoord mist {' en '.join(ontbreekt)}.")


@schemathesis.check
def dso_hal_links(ctx, response, case):
    """HAL responses carry _links.self."""
    if not 200 <= response.status_code < 300 or _media_type(response) != HAL_JSON:
        return
    _toegepast(case, "dso_hal_links")
    body = _json(response)
    links = body.get("_links") if isinstance(body, dict) else None
    zelf = links.get("self") if isinstance(links, dict) else None
    if not isinstance(zelf, dict) or not zelf.get("href"):
        raise AssertionError("Het HAL-antwoord heeft geen _links.self.href.")


def _heeft_geometrie(data, diepte: int = 0) -> bool:
    if diepte > 12:
        return False
    if isinstance(data, dict):
        soort = data.get("type")
        if isinstance(soort, str) and soort in GEO_TYPES and ("coordinates" in data or "geometries" in data):
            return True
        return any(_heeft_geometrie(v, diepte + 1) for v in data.values())
    if isinstance(data, list):
        return any(_heeft_geometrie(v, diepte + 1) for v in data[:50])
    return False


_EPSG = re.compile(r"(?i)^\s*(?:https?://www\.opengis\.net/def/crs/EPSG/0/|epsg:{1,2})(\d+)\s*$")
RD_NEW = 28992


def epsg(waarde: str | None) -> int | None:
    """The EPSG code of a CRS notation (URI or epsg:N), or None when it is none."""
    m = _EPSG.match(waarde or "")
    return int(m.group(1)) if m else None


def _verzoek_header(response, naam: str) -> str | None:
    verzoek = getattr(response, "request", None)
    headers = getattr(verzoek, "headers", None) or {}
    for k, v in headers.items():
        if k.lower() == naam:
            return v
    return None


@schemathesis.check
def dso_content_crs(ctx, response, case):
    """A response with a geometry says in which CRS it is (Content-Crs), and that is the CRS asked
    for (Accept-Crs) or, without one, RD New (the DSO default)."""
    if not 200 <= response.status_code < 300 or "json" not in _media_type(response):
        return
    body = _json(response)
    if not _heeft_geometrie(body):
        return
    _toegepast(case, "dso_content_crs")
    waarde = _header(response, "content-crs")
    if not waarde:
        raise AssertionError("Het antwoord bevat een geometrie maar geen header Content-Crs.")
    code = epsg(waarde)
    if code is None:
        raise AssertionError(f"Content-Crs '{waarde}' is geen CRS-aanduiding (verwacht een URI "
                             "http://www.opengis.net/def/crs/EPSG/0/<code> of epsg:<code>).")
    # Asked for with the header Accept-Crs, or (Geometrie opvragen) the query parameter crs.
    gevraagd, waarmee = _verzoek_header(response, "accept-crs"), "Accept-Crs"
    if not gevraagd:
        url = str(getattr(getattr(response, "request", None), "url", "") or "")
        gevraagd = next((w for k, w in parse_qsl(urlsplit(url).query) if k.lower() == "crs"), None)
        waarmee = "queryparameter crs"
    verwacht = epsg(gevraagd) if gevraagd else RD_NEW
    if verwacht is not None and code != verwacht:
        raise AssertionError(f"Content-Crs is EPSG:{code}, maar "
                             + (f"gevraagd was '{gevraagd}' ({waarmee})" if gevraagd
                                else "zonder Accept-Crs hoort de geometrie in RD New (EPSG:28992)") + ".")


def _los_op(raw: dict, obj, diepte: int = 0):
    while isinstance(obj, dict) and isinstance(obj.get("$ref"), str) and obj["$ref"].startswith("#/") and diepte < 20:
        doel = raw
        for deel in obj["$ref"][2:].split("/"):
            doel = doel.get(deel.replace("~1", "/").replace("~0", "~"), {}) if isinstance(doel, dict) else {}
        obj, diepte = doel, diepte + 1
    return obj


_RATE_CACHE: dict[tuple[int, str, int], tuple[str, ...]] = {}


def gedocumenteerde_rate_limit(raw: dict, pad: str, methode: str, status: int) -> tuple[str, ...]:
    """The X-Rate-Limit-* headers the spec documents for this operation's response ``status``."""
    sleutel = (id(raw), f"{methode} {pad}", status)
    if sleutel not in _RATE_CACHE:
        op = _los_op(raw, ((raw.get("paths") or {}).get(pad) or {}).get(methode.lower()) or {})
        antwoorden = op.get("responses") or {} if isinstance(op, dict) else {}
        antwoord = (antwoorden.get(str(status)) or antwoorden.get(f"{str(status)[0]}XX")
                    or antwoorden.get("default"))
        headers = (_los_op(raw, antwoord) or {}).get("headers") or {} if antwoord else {}
        _RATE_CACHE[sleutel] = tuple(h for h in headers if h.lower().startswith("x-rate-limit-"))
    return _RATE_CACHE[sleutel]


@schemathesis.check
def dso_rate_limit(ctx, response, case):
    """Where the spec documents X-Rate-Limit-* headers for a response, they are there, as whole
    numbers (the DSO's throttling contract: clients pace themselves by them)."""
    namen = gedocumenteerde_rate_limit(_raw(case), case.operation.path, case.operation.method,
                                       response.status_code)
    if not namen:
        return
    _toegepast(case, "dso_rate_limit")
    ontbreekt = [n for n in namen if _header(response, n) is None]
    if ontbreekt:
        raise AssertionError(f"Antwoord {response.status_code} mist de gedocumenteerde header(s) "
                             f"{', '.join(ontbreekt)}.")
    fout = [f"{n}: '{_header(response, n)}'" for n in namen if not (_header(response, n) or "").strip().isdigit()]
    if fout:
        raise AssertionError(f"X-Rate-Limit-headers zijn geen gehele getallen: {'; '.join(fout)}.")


@schemathesis.check
def dso_retry_after(ctx, response, case):
    """A throttled call (429) says when to come back (Retry-After)."""
    if response.status_code != 429:
        return
    _toegepast(case, "dso_retry_after")
    if not _header(response, "retry-after"):
        raise AssertionError("Antwoord 429 zonder header Retry-After.")


@schemathesis.check
def dso_latentie(ctx, response, case):
    """Collects the response time per operation (no verdict here: see ``LATENTIE``)."""
    label = case.operation.label
    grens = LATENTIE["grenzen"].get(label)
    if grens is None:
        return
    ms = response.elapsed * 1000
    with _lock:
        metingen = LATENTIE["metingen"].setdefault(label, [])
        metingen.append(ms)
        if ms > LATENTIE["traagste"].get(label, (-1.0,))[0]:
            LATENTIE["traagste"][label] = (ms, response.request, response)
        factor = LATENTIE["stopfactor"]
        if (factor is None or LATENTIE["te_traag"] is not None
                or len(metingen) < LATENTIE["min_metingen"]):
            return
        m = mediaan(metingen)
        if m < factor * grens:
            return
        LATENTIE["te_traag"] = (f"{label}: mediaan {m:.0f} ms over {len(metingen)} aanroepen, "
                                f"{m / grens:.1f} × de SLO (p95 ≤ {grens:.0f} ms)")
        terug = LATENTIE["bij_te_traag"]
    if terug is not None:
        terug(LATENTIE["te_traag"])
