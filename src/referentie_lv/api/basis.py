"""Common framework for every API service of the reference LV.

How a service plugs in
======================

A service module exposes ``dienst(config) -> Dienst``::

    from referentie_lv.api import basis

    def dienst(config):
        d = basis.Dienst("catalogus", "/publiek/catalogus/api/opvragen/v3",
                         spec=basis.SPECS / "catalogus.json", servers_herschrijven=True)

        @d.get("/begrippen")
        async def begrippen(request):
            p = basis.pagina(request, grootte_naam="pageSize", toegestaan=(10, 20, 40, 100))
            items, totaal = ...
            return basis.hal_pagina(request, p, totaal, {"begrippen": items})

        return d

and ``app.py`` mounts it with one line: ``diensten.append(module.dienst(config))`` (``create_app``
turns each into ``basis.mount(dienst, config, limieten)``). A spec may be JSON (served byte for
byte) or YAML (served as its JSON rendering).

What every service gets without repeating it
--------------------------------------------
- ``<base>/openapi.json`` (the spec file byte for byte: its ``servers`` name the DSO hosts plus
  the relative base path, which resolves against wherever the reference runs; rewriting them to
  the loopback origin is possible (``servers_herschrijven``) but off, because an http server URL
  is a real ADR finding (nlgov:servers-use-https) that would only describe our test set-up),
  ``<base>/app-info`` and ``<base>/health``. These three are open (no key, no throttling, no
  injected faults): a client must be able to read the contract first.
- ``API-Version`` header (the spec's ``info.version``) on every response under the base path,
  errors and 404s included.
- ``x-api-key`` on every operation (``Config.api_sleutels``): missing → 401, unknown → 403.
  A service whose real spec declares no security and is open by publication (PDOK Locatieserver)
  sets ``sleutel_vereist=False``.
- Errors as ``application/problem+json`` (status, title, detail, instance; 400s with
  ``invalidParams`` naming the parameter, Haal Centraal/ADR style; ``ongeldige_parameter(...,
  status=422)`` for a 422): 404 for unknown paths, 405 with
  ``Allow``, 406 (``Accept``), 413 (a body over ``Dienst(max_body=)``, default 10 MiB: checked on
  Content-Length and while reading, before the handler runs), 415 (``Content-Type`` on bodies),
  429, and 500 for any unhandled
  exception (logged, never a stack trace to the client). Handlers raise ``Probleem`` (or use the
  parameter helpers below, which raise it). A service whose spec prescribes another error format
  passes ``foutweergave`` (the Locatieserver uses the Solr error body of its spec).
- Content negotiation: a route declares what it ``levert`` (produces) and ``neemt`` (accepts).
  ``onbekende_parameters_weigeren=True`` makes every query parameter the spec does not declare
  for that path a 400 (``unknownParam``).
- Throttling: a token bucket per key per service (``limiet`` requests/second, default 200 = the
  documented Presenteren limit; burst = one second's worth). Every operation response carries
  ``X-Rate-Limit-Limit/Remaining/Reset``; a throttled call gets 429 with ``Retry-After``. Limits
  are configurable without code: environment ``REFERENTIE_LV_LIMIETEN="presenteren=200,*=500"``
  (``*`` = every service; ``0`` = no limit).
  For an open service the bucket is per client address.
- Helpers: ``hal``/``json_antwoord`` (orjson), ``pagina``/``paginalinks`` (page + pageSize/size,
  self/first/previous/next links, X-Pagination-* headers), ``hal_pagina`` (a whole HAL list page:
  links, embedded items, ``page`` block), ``accept_crs``/``content_crs``
  (``http://www.opengis.net/def/crs/EPSG/0/28992`` and ``epsg:28992``), ``geheel_getal``,
  ``getal``, ``keuze``, ``tekst``, ``waarheid``, ``lees_json``.
- Faults (``referentie_lv.fouten``) are installed when the ASGI app is built and only when
  switched on; with no fault on, none of their code is on the request path.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import orjson
from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Mount

from referentie_lv import __version__, fouten, grenzen
from referentie_lv.config import Config

log = logging.getLogger("referentie_lv.api")

SPECS = Path(__file__).resolve().parent.parent / "specs"

CRS_RD = "http://www.opengis.net/def/crs/EPSG/0/28992"
CRS_RD_KORT = "epsg:28992"
_CRS_RE = re.compile(r"^(?:epsg:(\d+)|https?://www\.opengis\.net/def/crs/epsg/0/(\d+))$", re.IGNORECASE)

PROBLEM_JSON = "application/problem+json"
HAL_JSON = "application/hal+json"
JSON = "application/json"

_TITELS = {
    400: "Ten minste één parameter is niet correct.",
    401: "Niet geauthenticeerd.",
    403: "Geen toegang.",
    404: "Opgevraagde resource bestaat niet.",
    405: "Methode niet toegestaan.",
    406: "Gevraagd formaat wordt niet ondersteund.",
    412: "Voorwaarde niet voldaan.",
    413: "Verzoek te groot.",
    415: "Mediatype wordt niet ondersteund.",
    422: "Verzoek kan niet worden verwerkt.",
    429: "Te veel verzoeken.",
    500: "Interne fout.",
    503: "Dienst tijdelijk niet beschikbaar.",
}
_TYPES = {
    400: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.1",
    401: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2",
    403: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4",
    404: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.5",
    405: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.6",
    406: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.7",
    412: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.13",
    413: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14",
    415: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.16",
    422: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.21",
    429: "https://www.rfc-editor.org/rfc/rfc6585#section-4",
    500: "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.1",
    503: "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4",
}
_CODES = {400: "paramsValidation", 401: "authentication", 403: "forbidden", 404: "notFound",
          405: "methodNotAllowed", 406: "notAcceptable", 412: "preconditionFailed",
          413: "payloadTooLarge", 415: "unsupportedMediaType", 422: "unprocessableEntity", 429: "tooManyRequests",
          500: "serverError", 503: "serviceUnavailable"}


# --------------------------------------------------------------------------- responses

class JsonAntwoord(Response):
    media_type = JSON

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class HalAntwoord(JsonAntwoord):
    media_type = HAL_JSON


def _dienst(request: Request) -> Dienst:
    return request.scope["referentie.dienst"]


def hal(inhoud: Any, status: int = 200, headers: dict[str, str] | None = None,
        request: Request | None = None, geometrie: bool = False) -> Response:
    """An application/hal+json response; with ``geometrie`` (and the request) adds Content-Crs."""
    r = HalAntwoord(inhoud, status_code=status, headers=headers)
    if geometrie and request is not None:
        r.headers["Content-Crs"] = _dienst(request).crs_notatie
    return r


def json_antwoord(inhoud: Any, status: int = 200, headers: dict[str, str] | None = None,
                  media_type: str | None = None) -> Response:
    return JsonAntwoord(inhoud, status_code=status, headers=headers, media_type=media_type)


# --------------------------------------------------------------------------- problems

@dataclass
class Probleem(Exception):
    """An error the client gets as application/problem+json."""
    status: int
    detail: str = ""
    title: str | None = None
    invalid_params: list[dict[str, str]] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    code: str | None = None

    def __str__(self) -> str:
        return f"{self.status} {self.title or _TITELS.get(self.status, '')}: {self.detail}"


def ongeldige_parameter(naam: str, reden: str, code: str = "invalid",
                        status: int = 400) -> Probleem:
    """A 400 (or 422) naming the parameter in ``invalidParams``."""
    return Probleem(status, f"Parameter '{naam}': {reden}",
                    invalid_params=[{"type": "https://www.vng.nl/realisatie/api/validaties/" + code,
                                     "name": naam, "code": code, "reason": reden}])


def probleem_antwoord(p: Probleem, instance: str) -> Response:
    body: dict[str, Any] = {
        "type": _TYPES.get(p.status, "about:blank"),
        "title": p.title or _TITELS.get(p.status, "Fout."),
        "status": p.status,
        "detail": p.detail or p.title or _TITELS.get(p.status, ""),
        "instance": instance,
        "code": p.code or _CODES.get(p.status, "error"),
    }
    if p.invalid_params:
        body["invalidParams"] = p.invalid_params
    return JsonAntwoord(body, status_code=p.status, headers=p.headers or None,
                        media_type=PROBLEM_JSON)


# --------------------------------------------------------------------------- parameters

def _een(request: Request, naam: str) -> str | None:
    waarden = request.query_params.getlist(naam)
    if len(waarden) > 1:
        raise ongeldige_parameter(naam, "Parameter mag maar één keer voorkomen.", "single")
    return waarden[0] if waarden else None


def _opgegeven(request: Request, naam: str, verplicht: bool) -> str | None:
    """The one value of ``naam`` (None when absent); 400 when absent and ``verplicht``."""
    w = _een(request, naam)
    if w is None and verplicht:
        raise ongeldige_parameter(naam, "Parameter is verplicht.", "required")
    return w


def tekst(request: Request, naam: str, verplicht: bool = False, standaard: str | None = None,
          patroon: re.Pattern[str] | None = None, max_lengte: int | None = None) -> str | None:
    w = _een(request, naam)
    if w is None or (w == "" and (verplicht or patroon is None)):
        if verplicht:
            raise ongeldige_parameter(naam, "Parameter is verplicht.", "required")
        return standaard
    if max_lengte is not None and len(w) > max_lengte:
        raise ongeldige_parameter(naam, f"Waarde is langer dan {max_lengte} tekens.", "maxLength")
    if patroon is not None and not patroon.fullmatch(w):
        raise ongeldige_parameter(naam, "Waarde voldoet niet aan het patroon.", "pattern")
    return w


_INT_RE = re.compile(r"[+-]?\d{1,4000}")


def geheel_getal(request: Request, naam: str, standaard: int | None = None,
                 minimum: int | None = None, maximum: int | None = None,
                 verplicht: bool = False) -> int | None:
    w = _opgegeven(request, naam, verplicht)
    if w is None:
        return standaard
    if not _INT_RE.fullmatch(w):     # also bounds the length: int() of this never fails
        raise ongeldige_parameter(naam, "Waarde is geen geldige integer.", "integer")
    n = int(w)
    if minimum is not None and n < minimum:
        raise ongeldige_parameter(naam, f"Waarde is lager dan minimum {minimum}.", "minimum")
    if maximum is not None and n > maximum:
        raise ongeldige_parameter(naam, f"Waarde is hoger dan maximum {maximum}.", "maximum")
    return n


FLOAT32_MAX = 3.4028234663852886e38   # the largest finite 32-bit float


def getal(request: Request, naam: str, verplicht: bool = False,
          minimum: float | None = None, maximum: float | None = None) -> float | None:
    w = _opgegeven(request, naam, verplicht)
    if w is None:
        return None
    try:
        x = float(w)
    except ValueError:
        raise ongeldige_parameter(naam, "Waarde is geen geldig getal.", "number") from None
    if not math.isfinite(x):
        raise ongeldige_parameter(naam, "Waarde is geen eindig getal.", "number")
    if abs(x) > FLOAT32_MAX:   # the specs declare these parameters ``format: float`` (32 bits)
        raise ongeldige_parameter(naam, "Waarde past niet in een 32-bits getal (format: float).", "range")
    if (minimum is not None and x < minimum) or (maximum is not None and x > maximum):
        raise ongeldige_parameter(naam, f"Waarde ligt buiten {minimum}..{maximum}.", "range")
    return x


def waarheid(request: Request, naam: str, standaard: bool = False) -> bool:
    w = _een(request, naam)
    if w is None:
        return standaard
    if w not in ("true", "false"):
        raise ongeldige_parameter(naam, "Waarde is geen boolean (true of false).", "boolean")
    return w == "true"


def keuze(request: Request, naam: str, waarden: Iterable[str], standaard: str | None = None,
          verplicht: bool = False) -> str | None:
    w = _opgegeven(request, naam, verplicht)
    if w is None:
        return standaard
    waarden = tuple(waarden)
    if w not in waarden:
        raise ongeldige_parameter(naam, f"Waarde moet een van {', '.join(waarden)} zijn.", "enum")
    return w


def onbekende_parameters(request: Request, bekend: Iterable[str]) -> None:
    """400 for query parameters the operation does not declare (Haal Centraal ``unknownParam``)."""
    bekend = set(bekend)
    for naam in request.query_params:
        if naam not in bekend:
            raise ongeldige_parameter(naam, "Parameter is niet toegestaan.", "unknownParam")


MAX_DIEPTE = 64       # nesting of a JSON body; real bodies (GeoJSON included) stay below 10


def _te_diep(waarde: Any, maximum: int) -> bool:
    """True when arrays/objects nest deeper than ``maximum`` (iterative: no recursion)."""
    stapel = [(waarde, 1)]
    while stapel:
        w, diepte = stapel.pop()
        if isinstance(w, dict):
            kinderen = w.values()
        elif isinstance(w, list):
            kinderen = w
        else:
            continue
        if diepte > maximum:
            return True
        stapel.extend((k, diepte + 1) for k in kinderen if isinstance(k, (dict, list)))
    return False


def json_uit(ruw: bytes, laden: Callable[[bytes], Any] = orjson.loads) -> Any:
    """Parse a JSON body: 400 problem+json when it is not JSON or nests deeper than MAX_DIEPTE
    (validators and walkers downstream recurse; 1,000 levels would be a RecursionError)."""
    try:
        body = laden(ruw)
    except (ValueError, UnicodeDecodeError):
        raise Probleem(400, "De body is geen geldige JSON.", code="invalidJson") from None
    except RecursionError:
        te_diep = True
    else:
        te_diep = _te_diep(body, MAX_DIEPTE)
    if te_diep:
        raise Probleem(400, f"De body is te diep genest: hoogstens {MAX_DIEPTE} niveaus van "
                            "objecten en lijsten.", code="maxDepth")
    return body


async def lees_json(request: Request) -> Any:
    """The JSON body; 400 when it is not JSON. (The Content-Type was already checked: 415; the
    size was bounded before the handler ran: 413.)"""
    return json_uit(await request.body())


# --------------------------------------------------------------------------- CRS

def _crs_code(waarde: str) -> int | None:
    m = _CRS_RE.match(waarde.strip())
    return int(m.group(1) or m.group(2)) if m else None


def accept_crs(request: Request, verplicht: bool = False,
               ondersteund: Iterable[int] = (28992,)) -> int:
    """The EPSG code asked for in Accept-Crs (default RD New); 400 when missing and required,
    406 when not supported."""
    w = request.headers.get("accept-crs")
    if w is None:
        if verplicht:
            raise ongeldige_parameter("Accept-Crs", "Header is verplicht.", "required")
        return 28992
    code = _crs_code(w)
    if code is None or code not in tuple(ondersteund):
        raise Probleem(406, f"Accept-Crs '{w}' wordt niet ondersteund; gebruik {CRS_RD} "
                            f"(of {CRS_RD_KORT}).", code="crsNotAcceptable")
    return code


def content_crs(request: Request, verplicht: bool = True,
                ondersteund: Iterable[int] = (28992,)) -> int:
    """The EPSG code of a geometry in the body (Content-Crs); 400 naming the header otherwise."""
    w = request.headers.get("content-crs")
    if not w:
        if verplicht:
            raise ongeldige_parameter("Content-Crs", "Header is verplicht bij een geometrie.",
                                      "required")
        return 28992
    code = _crs_code(w)
    if code is None or code not in tuple(ondersteund):
        raise ongeldige_parameter("Content-Crs", f"CRS '{w}' wordt niet ondersteund; gebruik "
                                                 f"{CRS_RD} (of {CRS_RD_KORT}).", "crs")
    return code


# --------------------------------------------------------------------------- paging

@dataclass(frozen=True)
class Pagina:
    nummer: int           # 1-based
    grootte: int
    grootte_naam: str     # "pageSize" or "size"

    @property
    def start(self) -> int:
        return (self.nummer - 1) * self.grootte


def pagina(request: Request, grootte_naam: str = "pageSize", standaard: int = 20,
           maximum: int = 100, toegestaan: Iterable[int] | None = None,
           max_pagina: int | None = None) -> Pagina:
    nummer = geheel_getal(request, "page", 1, minimum=1, maximum=max_pagina)
    grootte = geheel_getal(request, grootte_naam, standaard, minimum=1, maximum=maximum)
    if toegestaan is not None and grootte not in tuple(toegestaan):
        t = ", ".join(str(x) for x in toegestaan)
        raise ongeldige_parameter(grootte_naam, f"Waarde moet een van {t} zijn.", "enum")
    return Pagina(nummer, grootte, grootte_naam)  # type: ignore[arg-type]


def instance_url(request: Request) -> str:
    """The request URI as the client sent it (percent-encoded, so a valid URI)."""
    host = request.headers.get("host") or "127.0.0.1"
    raw = request.scope.get("raw_path") or request.scope["path"].encode()
    uri = f"{request.url.scheme}://{host}{raw.decode('latin-1')}"
    qs = request.scope.get("query_string") or b""
    if qs:
        uri += "?" + qs.decode("latin-1")
    return quote(uri, safe="/:?#[]@!$&'()*+,;=%-._~")


def basis_url(request: Request) -> str:
    """scheme://host + the service's base path, as the client addressed it."""
    host = request.headers.get("host") or "127.0.0.1"
    return f"{request.url.scheme}://{host}{request.scope.get('root_path', '')}"


def _pagina_href(request: Request, nummer: int) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    params.append(("page", str(nummer)))
    host = request.headers.get("host") or "127.0.0.1"
    return f"{request.url.scheme}://{host}{request.url.path}?{urlencode(params)}"


def _paginalinks_goed(request: Request, p: Pagina, totaal: int, vorige_naam: str,
                      met_last: bool) -> dict[str, Any]:
    laatste = max(1, math.ceil(totaal / p.grootte))
    links: dict[str, Any] = {"self": {"href": _pagina_href(request, p.nummer)},
                             "first": {"href": _pagina_href(request, 1)}}
    if p.nummer > 1:
        links[vorige_naam] = {"href": _pagina_href(request, min(p.nummer - 1, laatste))}
    if p.nummer < laatste:
        links["next"] = {"href": _pagina_href(request, p.nummer + 1)}
    if met_last:
        links["last"] = {"href": _pagina_href(request, laatste)}
    return links


def _paginalinks_kapot(request: Request, p: Pagina, totaal: int, vorige_naam: str,
                       met_last: bool) -> dict[str, Any]:
    # Fault 'kapotte-paginering': next skips a page and never ends, previous points to self.
    links = _paginalinks_goed(request, p, totaal, vorige_naam, met_last)
    links["next"] = {"href": _pagina_href(request, p.nummer + 2)}
    if p.nummer > 1:
        links[vorige_naam] = {"href": _pagina_href(request, p.nummer)}
    return links


def paginalinks(request: Request, p: Pagina, totaal: int, vorige_naam: str = "previous",
                met_last: bool = False) -> tuple[dict[str, Any], dict[str, str]]:
    """HAL paging links (self, first, previous/prev, next[, last]) and X-Pagination-* headers."""
    links = _dienst(request).paginalinks_maker(request, p, totaal, vorige_naam, met_last)
    return links, {"X-Pagination-Page": str(p.nummer), "X-Pagination-Limit": str(p.grootte)}


def hal_pagina(request: Request, p: Pagina, totaal: int, embedded: dict[str, Any],
               extra: dict[str, Any] | None = None, met_page: bool = True,
               geometrie: bool = False) -> Response:
    """A HAL page of a list: ``_links`` (paging, see ``paginalinks``), ``_embedded``, ``extra``
    members, and ``page`` (number, size, totalElements, totalPages; ``met_page=False`` for a
    spec without it), with the X-Pagination-* headers."""
    links, headers = paginalinks(request, p, totaal)
    inhoud: dict[str, Any] = {"_links": links, "_embedded": embedded, **(extra or {})}
    if met_page:
        inhoud["page"] = {"number": p.nummer, "size": p.grootte, "totalElements": totaal,
                          "totalPages": math.ceil(totaal / p.grootte)}
    return hal(inhoud, headers=headers, request=request, geometrie=geometrie)


# --------------------------------------------------------------------------- throttling

class Begrenzer:
    """Token bucket per key: ``per_seconde`` tokens a second, capacity one second's worth."""

    __slots__ = ("_limiet_header", "capaciteit", "emmers", "per_seconde")

    def __init__(self, per_seconde: float):
        self.per_seconde = float(per_seconde)
        self.capaciteit = max(1.0, self.per_seconde)
        self.emmers: dict[str, tuple[float, float]] = {}
        self._limiet_header = (b"x-rate-limit-limit", str(int(self.capaciteit)).encode())

    def neem(self, sleutel: str) -> tuple[bool, list[tuple[bytes, bytes]]]:
        nu = time.monotonic()
        tokens, laatst = self.emmers.get(sleutel, (self.capaciteit, nu))
        tokens = min(self.capaciteit, tokens + (nu - laatst) * self.per_seconde)
        ok = tokens >= 1.0
        if ok:
            tokens -= 1.0
        self.emmers[sleutel] = (tokens, nu)
        reset = math.ceil((self.capaciteit - tokens) / self.per_seconde)
        headers = [self._limiet_header,
                   (b"x-rate-limit-remaining", str(int(tokens)).encode()),
                   (b"x-rate-limit-reset", str(reset).encode())]
        if not ok:
            headers.append((b"retry-after",
                            str(max(1, math.ceil((1.0 - tokens) / self.per_seconde))).encode()))
        return ok, headers


def limieten_uit_omgeving(waarde: str | None = None) -> dict[str, float]:
    """Parse ``REFERENTIE_LV_LIMIETEN`` ("presenteren=200,*=500")."""
    waarde = os.environ.get("REFERENTIE_LV_LIMIETEN", "") if waarde is None else waarde
    uit: dict[str, float] = {}
    for deel in waarde.split(","):
        if not deel.strip():
            continue
        naam, _, getal_ = deel.partition("=")
        try:
            uit[naam.strip()] = float(getal_)
        except ValueError:
            raise fouten.OnbekendeFout(
                f"REFERENTIE_LV_LIMIETEN: '{deel}' is geen 'dienst=aantal per seconde'.") from None
    return uit


# --------------------------------------------------------------------------- services

MAX_BODY = 10 * 1024 * 1024     # default cap on a request body of a service (Dienst(max_body=))

Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class _Route:
    pad: str
    methoden: frozenset[str]
    handler: Handler
    levert: tuple[str, ...] | None
    neemt: tuple[str, ...] | None
    operatie: bool
    regex: re.Pattern[str] | None = None
    query_namen: frozenset[str] | None = None   # declared query parameters (strict services)


def _accepteert(accept: str, levert: tuple[str, ...]) -> bool:
    for deel in accept.split(","):
        mt = deel.split(";", 1)[0].strip().lower()
        if not mt or mt == "*/*":
            return True
        if ";" in deel and re.search(r";\s*q\s*=\s*0(\.0*)?\s*(;|$)", deel):
            continue
        hoofd, _, sub = mt.partition("/")
        for lv in levert:
            lh, _, ls = lv.partition("/")
            if hoofd == lh and (sub == "*" or sub == ls):
                return True
    return False


class Dienst:
    """One API service: its base path, its spec, its routes."""

    def __init__(self, naam: str, basispad: str, spec: Path, *, sleutel_vereist: bool = True,
                 limiet: float = 200.0, crs_notatie: str = CRS_RD,
                 servers_herschrijven: bool = False,
                 foutweergave: Callable[[Probleem, Request], Response | None] | None = None,
                 schending: Callable[[Any], bool] | None = None,
                 onbekende_parameters_weigeren: bool = False, max_body: int = MAX_BODY):
        self.naam = naam
        self.max_body = max_body
        self.basispad = basispad.rstrip("/")
        self.sleutel_vereist = sleutel_vereist
        self.limiet = limiet
        self.crs_notatie = crs_notatie
        self.servers_herschrijven = servers_herschrijven
        self.foutweergave = foutweergave
        self.schending = schending
        self.onbekende_parameters_weigeren = onbekende_parameters_weigeren
        spec = Path(spec)
        if spec.suffix in (".yaml", ".yml"):
            # A YAML spec (modelled services) is served as its JSON rendering.
            import yaml
            spec_obj = yaml.safe_load(spec.read_text(encoding="utf-8"))
            self.spec_bytes = orjson.dumps(spec_obj)
        else:
            self.spec_bytes = spec.read_bytes()
            spec_obj = orjson.loads(self.spec_bytes)
        self.spec = spec_obj
        self.titel = spec_obj.get("info", {}).get("title", naam)
        self.api_version = str(spec_obj.get("info", {}).get("version", "0.0.0"))
        self.routes: list[_Route] = []
        self.paginalinks_maker = _paginalinks_goed

    # -- registration
    def route(self, pad: str, methoden: Iterable[str] = ("GET",),
              levert: tuple[str, ...] | None = (HAL_JSON, JSON),
              neemt: tuple[str, ...] | None = None,
              operatie: bool = True) -> Callable[[Handler], Handler]:
        def registreer(handler: Handler) -> Handler:
            regex = None
            if "{" in pad:
                regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pad) + "$")
            m = {x.upper() for x in methoden}
            if "GET" in m:
                m.add("HEAD")
            self.routes.append(_Route(pad, frozenset(m), handler, levert, neemt, operatie, regex))
            return handler
        return registreer

    def get(self, pad: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.route(pad, ("GET",), **kw)

    def post(self, pad: str, neemt: tuple[str, ...] | None = (JSON,),
             **kw: Any) -> Callable[[Handler], Handler]:
        return self.route(pad, ("POST",), neemt=neemt, **kw)

    # -- the ASGI app
    def asgi(self, config: Config, limieten: dict[str, float] | None = None) -> DienstApp:
        return DienstApp(self, config, limieten if limieten is not None
                         else limieten_uit_omgeving())


def _query_namen(spec: dict, pad: str) -> frozenset[str] | None:
    """Query parameter names the spec declares for a path (all methods); None if not in spec."""
    item = spec.get("paths", {}).get(pad)
    if item is None:
        return None
    namen = {p["name"] for p in item.get("parameters", []) if p.get("in") == "query"}
    for methode, op in item.items():
        if isinstance(op, dict) and methode != "parameters":
            namen |= {p["name"] for p in op.get("parameters", []) if p.get("in") == "query"}
    return frozenset(namen)


def _standaard_schending(inhoud: Any) -> bool:
    """Fault 'schema-schending': give one typed field the wrong type (breadth-first)."""
    rij = [inhoud]
    while rij:
        o = rij.pop(0)
        if isinstance(o, dict):
            if isinstance(o.get("identificatie"), str):
                o["identificatie"] = 12345
                return True
            if isinstance(o.get("numFound"), int):
                o["numFound"] = "veel"
                return True
            rij.extend(o.values())
        elif isinstance(o, list):
            rij.extend(o)
    if isinstance(inhoud, dict) and "_links" in inhoud:
        inhoud["_links"] = "kapot"
        return True
    return False


class DienstApp:
    """ASGI app of one service, mounted at its base path. Built once; faults decided here."""

    def __init__(self, dienst: Dienst, config: Config, limieten: dict[str, float]):
        fouten.controleer(config.fouten)
        self.dienst = dienst
        self.config = config
        self.sleutels = frozenset(config.api_sleutels)
        aan = config.fouten
        per_seconde = limieten.get(dienst.naam, limieten.get("*", dienst.limiet))
        self.begrenzer = Begrenzer(per_seconde) if per_seconde and per_seconde > 0 else None
        self.sleutel_controle = dienst.sleutel_vereist and not fouten.actief(
            aan, "authenticatie-genegeerd")
        self.versie_header = (b"api-version", dienst.api_version.encode())
        self.statisch: dict[str, _Route] = {}
        self.patronen: list[_Route] = []
        self._standaard_routes()
        for r in dienst.routes:
            if dienst.onbekende_parameters_weigeren:
                r.query_namen = _query_namen(dienst.spec, r.pad)
            if r.regex is None:
                self.statisch[r.pad] = r
            else:
                self.patronen.append(r)

        # Post-processing of every response; the fault wrappers only when switched on.
        self.nabewerkingen: list[Callable[[Response], Response]] = []
        if not fouten.actief(aan, "geen-api-version"):
            self.nabewerkingen.append(self._met_versie)
        if fouten.actief(aan, "fout-content-type"):
            self.nabewerkingen.append(_fout_content_type)
        if fouten.actief(aan, "schema-schending"):
            self.nabewerkingen.append(self._schema_schending)
        # Before each operation: only installed faults.
        self.voor_operatie: list[Callable[[], Awaitable[Response | None]]] = []
        if fouten.actief(aan, "503-deel"):
            self._teller = 0
            self.voor_operatie.append(self._deel_503)
        if fouten.actief(aan, f"traag:{dienst.naam}"):
            self._traag = float(os.environ.get("REFERENTIE_LV_TRAAG_SECONDEN", "2"))
            self.voor_operatie.append(self._traag_wachten)
        dienst.paginalinks_maker = (_paginalinks_kapot if fouten.actief(aan, "kapotte-paginering")
                                    else _paginalinks_goed)

    # -- standard routes: spec, app-info, health
    def _standaard_routes(self) -> None:
        d = self.dienst
        spec_cache: dict[str, bytes] = {}

        async def openapi(request: Request) -> Response:
            if not d.servers_herschrijven:
                return Response(d.spec_bytes, media_type=JSON)
            url = basis_url(request)
            body = spec_cache.get(url)
            if body is None:
                spec = dict(d.spec)
                spec["servers"] = [{"url": url, "description": "Referentie-LV (deze server)"}]
                body = spec_cache[url] = orjson.dumps(spec)
            return Response(body, media_type=JSON)

        async def app_info(request: Request) -> Response:
            return json_antwoord({
                "name": d.naam, "title": d.titel, "version": d.api_version,
                "implementation": "referentie-lv", "implementationVersion": __version__,
                "basePath": d.basispad, "apiKeyRequired": d.sleutel_vereist,
                "rateLimitPerSecond": self.begrenzer.per_seconde if self.begrenzer else None,
                "fouten": sorted(self.config.fouten),
            })

        async def health(request: Request) -> Response:
            return json_antwoord({"status": "UP"})

        for pad, h, levert in (("/openapi.json", openapi, (JSON, "application/vnd.oai.openapi+json")),
                               ("/app-info", app_info, (JSON,)), ("/health", health, (JSON,))):
            self.statisch[pad] = _Route(pad, frozenset({"GET", "HEAD"}), h, levert, None, False)

    # -- post-processing
    def _met_versie(self, r: Response) -> Response:
        r.raw_headers.append(self.versie_header)
        return r

    def _schema_schending(self, r: Response) -> Response:
        ct = r.headers.get("content-type", "")
        if 200 <= r.status_code < 300 and "json" in ct and not ct.startswith(PROBLEM_JSON) \
                and getattr(r, "body", None):
            inhoud = orjson.loads(r.body)
            verstoor = self.dienst.schending or _standaard_schending
            if verstoor(inhoud):
                r.body = orjson.dumps(inhoud)
                r.headers["content-length"] = str(len(r.body))
        return r

    # -- faults before an operation
    async def _deel_503(self) -> Response | None:
        self._teller += 1
        if self._teller % 5 == 0:
            raise Probleem(503, "De dienst is tijdelijk niet beschikbaar (ingestelde fout).",
                           headers={"Retry-After": "1"})
        return None

    async def _traag_wachten(self) -> Response | None:
        await asyncio.sleep(self._traag)
        return None

    # -- request handling
    def _zoek(self, pad: str) -> tuple[_Route | None, dict[str, str]]:
        r = self.statisch.get(pad)
        if r is not None:
            return r, {}
        for r in self.patronen:
            m = r.regex.match(pad)  # type: ignore[union-attr]
            if m:
                return r, m.groupdict()
        return None, {}

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return
        scope["referentie.dienst"] = self.dienst
        request = Request(scope, receive)
        try:
            if grenzen.heeft_body(scope):
                request = Request(scope, await self._begrensde_body(scope, receive))
            response = await self._behandel(scope, request)
        except Probleem as p:
            response = self._probleem(p, request)
        except Exception:
            log.exception("Onverwachte fout in %s %s", scope.get("method"), scope.get("path"))
            response = self._probleem(Probleem(500, "Er is een onverwachte fout opgetreden."),
                                      request)
        for nabewerking in self.nabewerkingen:
            response = nabewerking(response)
        await response(scope, receive, send)

    async def _begrensde_body(self, scope: dict, receive: Callable) -> Callable:
        """Read the body up front with the service's cap (413 on the announced length already).
        A body over the cap is dropped before the Probleem is raised: nothing keeps it."""
        begrensd = await grenzen.begrens_body(scope, receive, self.dienst.max_body)
        if begrensd is None:
            raise Probleem(413, f"De body is groter dan {self.dienst.max_body // (1024 * 1024)} MiB.",
                           headers={"Connection": "close"})
        return begrensd

    def _probleem(self, p: Probleem, request: Request) -> Response:
        if self.dienst.foutweergave is not None:
            eigen = self.dienst.foutweergave(p, request)
            if eigen is not None:
                return eigen
        return probleem_antwoord(p, instance_url(request))

    async def _voor_operatie(self, scope: dict, request: Request, route: _Route, methode: str,
                             limiet_headers: list[tuple[bytes, bytes]]) -> None:
        """The checks before an operation (faults, key, throttling, parameters, Accept,
        Content-Type); raises Probleem. The rate-limit headers go into ``limiet_headers`` as soon
        as they are known, so that a later error carries them too."""
        for stap in self.voor_operatie:
            await stap()
        headers = request.headers
        sleutel = headers.get("x-api-key")
        if self.sleutel_controle:
            if not sleutel:
                raise Probleem(401, "De header x-api-key ontbreekt.",
                               headers={"WWW-Authenticate": 'ApiKey header="x-api-key"'})
            if sleutel not in self.sleutels:
                raise Probleem(403, "De x-api-key is onbekend of niet geldig.")
        if self.begrenzer is not None:
            client = scope.get("client")
            ok, nieuw = self.begrenzer.neem(
                sleutel if (sleutel and self.sleutel_controle)
                else (client[0] if client else "?"))
            limiet_headers.extend(nieuw)
            if not ok:
                raise Probleem(429, "Te veel verzoeken met deze sleutel; probeer het na "
                                    "Retry-After seconden opnieuw.")
        if route.query_namen is not None:
            onbekende_parameters(request, route.query_namen)
        if route.levert is not None:
            accept = headers.get("accept")
            if accept and not _accepteert(accept, route.levert):
                raise Probleem(406, f"Accept '{accept}' wordt niet ondersteund; deze operatie "
                                    f"levert {', '.join(route.levert)}.")
        if route.neemt is not None and methode in ("POST", "PUT", "PATCH"):
            ct = headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if ct not in route.neemt:
                raise Probleem(415, f"Content-Type '{ct or '(geen)'}' wordt niet ondersteund; "
                                    f"gebruik {', '.join(route.neemt)}.")

    async def _behandel(self, scope: dict, request: Request) -> Response:
        pad = get_route_path(scope) or "/"
        route, params = self._zoek(pad)
        if route is None:
            raise Probleem(404, f"Het pad '{pad}' bestaat niet in {self.dienst.titel}.")
        methode = scope["method"]
        if methode not in route.methoden:
            raise Probleem(405, f"Methode {methode} is niet toegestaan op dit pad.",
                           headers={"Allow": ", ".join(sorted(route.methoden))})
        scope["path_params"] = params
        if not route.operatie:
            return await route.handler(request)

        limiet_headers: list[tuple[bytes, bytes]] = []
        try:
            await self._voor_operatie(scope, request, route, methode, limiet_headers)
            response = await route.handler(request)
        except Probleem as p:
            response = self._probleem(p, request)
        except Exception:
            log.exception("Onverwachte fout in %s %s", methode, scope.get("path"))
            response = self._probleem(Probleem(500, "Er is een onverwachte fout opgetreden."),
                                      request)
        if limiet_headers:
            response.raw_headers.extend(limiet_headers)
        return response


def _fout_content_type(r: Response) -> Response:
    # Fault 'fout-content-type': error bodies labelled as HTML.
    if r.status_code >= 400:
        r.headers["content-type"] = "text/html; charset=utf-8"
    return r


class DienstMount(Mount):
    """A Mount that matches on the plain prefix: Starlette's regex ('.*') stops at a newline
    (%0A) in the path, which would let such a request fall through to the loket at '/'."""

    def matches(self, scope: dict) -> tuple[Match, dict]:
        if scope["type"] == "http":
            pad = get_route_path(scope)
            if pad == self.path or pad.startswith(self.path + "/"):
                root_path = scope.get("root_path", "")
                return Match.FULL, {"path_params": dict(scope.get("path_params", {})),
                                    "app_root_path": scope.get("app_root_path", root_path),
                                    "root_path": root_path + self.path, "endpoint": self.app}
        return Match.NONE, {}


def mount(dienst: Dienst, config: Config, limieten: dict[str, float] | None = None) -> Mount:
    """The Mount of a service at its base path (one line per service in app.py)."""
    return DienstMount(dienst.basispad, app=dienst.asgi(config, limieten))
