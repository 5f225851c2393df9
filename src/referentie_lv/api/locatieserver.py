"""PDOK Locatieserver v3_1, served as published (specs/pdok-locatieserver/openapi.json).

``/free``, ``/suggest``, ``/lookup`` and ``/reverse`` over the fictitious address register of the
store (types adres, weg, postcode, woonplaats, gemeente), with Solr-style responses as PDOK gives
them (``response.numFound/start/maxScore/numFoundExact/docs``; for suggest also ``highlighting`` and
``spellcheck``), ``wt=json|xml``.

Decisions where the spec is silent:
- Open, as PDOK publishes it (no security in the spec, "open en gratis"): no ``x-api-key`` needed;
  a key that is sent is ignored. Throttling is per client address. Clients written against PDOK
  work unchanged; the ``API-Version`` header is the spec's version (``v3_1``).
- Errors the spec documents (400) come in the spec's Solr error form
  (``{"error": {"metadata", "msg", "code"}}``, application/json, or XML for ``wt=xml``); errors
  outside the spec (404 path, 405, 429, 500, 503) are problem+json like every other API.
- Query syntax: ``q`` is tokenised text (prefix match per token, accents/case ignored) plus optional
  ``veld:waarde`` terms; ``fq`` takes ``veld:waarde``, ``veld:(a OR b)``, ``veld:"…"``, ``*:*``;
  unknown fields match nothing. ``sort`` accepts ``veld asc|desc`` pairs; unknown fields are
  ignored. ``qf``, ``bq`` and ``df`` are accepted and do not change the ranking. ``lat``/``lon``
  on free/suggest sort by distance (as PDOK documents).
- ``/reverse`` searches from X and Y (RD) or else lat and lon (WGS84); without a complete
  coordinate the result is empty (numFound 0), not an error: the spec makes them all optional.
"""

from __future__ import annotations

import contextlib
import difflib
import fnmatch
import math
import re
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import orjson
from starlette.requests import Request
from starlette.responses import Response

from referentie_lv.api import basis
from referentie_lv.config import Config
from referentie_lv.data.adressen import normaliseer, tokens
from referentie_lv.data.store import Store

BASISPAD = "/bzk/locatieserver/search/v3_1"
SPEC = basis.SPECS / "pdok-locatieserver" / "openapi.json"

# Safe equivalent of the spec's fl pattern ^([a-z_\*]+( |,|, )?)+$ (no nested quantifier).
FL_PATROON = re.compile(r"[a-z_*]+(?:(?: |,|, )[a-z_*]+)*(?: |,|, )?")
TYPE_PATROON = re.compile(r"[a-z_*]+(?:,[a-z_*]+)*,?")

FL_FREE = ("id identificatie weergavenaam bron type subtype openbareruimte_id nwb_id "
           "openbareruimtetype straatnaam straatnaam_verkort adresseerbaarobject_id "
           "nummeraanduiding_id huisnummer huisletter huisnummertoevoeging huis_nlt postcode "
           "buurtnaam buurtcode wijknaam wijkcode woonplaatscode woonplaatsnaam gemeentecode "
           "gemeentenaam provinciecode provincienaam provincieafkorting kadastraal_object_id "
           "kadastrale_gemeentecode kadastrale_gemeentenaam kadastrale_sectie perceelnummer "
           "kadastrale_grootte gekoppeld_perceel kadastrale_aanduiding volgnummer "
           "gekoppeld_appartement wegnummer hectometernummer zijde hectometerletter "
           "waterschapsnaam waterschapscode rdf_seealso centroide_ll centroide_rd score")
FL_LOOKUP = FL_FREE.replace(" score", "")
FL_SUGGEST = "id weergavenaam type score adrestype"
FL_REVERSE = "id type weergavenaam score afstand"
FQ_STANDAARD = ["type:(gemeente OR woonplaats OR weg OR postcode OR adres)"]

# Internal fields of the register that are not PDOK fields ("*" leaves them out).
_INTERN = {"rd_x", "rd_y", "lat", "lon", "gebied", "gebiednaam", "gebieden"}
_FQ_TERM = re.compile(r'\s*(?:(\*|[\w.]+):(\((?:[^()"]|"[^"]*")*\)|"[^"]*"|\S+)|(\S+))')
_SORT_DEEL = re.compile(r"\s*([\w.]+)\s+(asc|desc)\s*", re.IGNORECASE)


def store_voor(data_map: str | None) -> Store:
    return Store.gedeeld(data_map)     # one store per process, shared with the other services


@lru_cache(maxsize=1)
def _naar_rd():
    from pyproj import Transformer
    return Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)


def wgs84_naar_rd(lat: float, lon: float) -> tuple[float, float]:
    x, y = _naar_rd().transform(lon, lat)
    return x, y


# --------------------------------------------------------------------------- rendering

def _solr_fout_json(code: int, msg: str) -> bytes:
    return orjson.dumps({"error": {"metadata": ["error-class", "org.apache.solr.common.SolrException",
                                                "root-error-class",
                                                "org.apache.solr.common.SolrException"],
                                   "msg": msg, "code": code}})


def _xml_waarde(naam: str | None, w: Any) -> str:
    a = f" name={quoteattr(naam)}" if naam is not None else ""
    if isinstance(w, bool):
        return f"<bool{a}>{'true' if w else 'false'}</bool>"
    if isinstance(w, int):
        return f"<int{a}>{w}</int>"
    if isinstance(w, float):
        return f"<float{a}>{w}</float>"
    if isinstance(w, list):
        return f"<arr{a}>" + "".join(_xml_waarde(None, x) for x in w) + "</arr>"
    if isinstance(w, dict):
        return f"<lst{a}>" + "".join(_xml_waarde(k, v) for k, v in w.items()) + "</lst>"
    return f"<str{a}>{escape(str(w))}</str>"


def solr_xml(body: dict) -> bytes:
    delen = ['<?xml version="1.0" encoding="UTF-8"?>\n<response>']
    for sleutel, waarde in body.items():
        if sleutel == "response":
            attrs = " ".join(f'{k}="{str(v).lower() if isinstance(v, bool) else v}"'
                             for k, v in waarde.items() if k != "docs")
            delen.append(f'<result name="response" {attrs}>')
            for doc in waarde["docs"]:
                delen.append("<doc>" + "".join(_xml_waarde(k, v) for k, v in doc.items())
                             + "</doc>")
            delen.append("</result>")
        else:
            delen.append(_xml_waarde(sleutel, waarde))
    delen.append("</response>\n")
    return "\n".join(delen).encode()


def antwoord(body: dict, wt: str) -> Response:
    if wt == "xml":
        return Response(solr_xml(body), media_type="application/xml")
    return Response(orjson.dumps(body), media_type="application/json")


def foutweergave(p: basis.Probleem, request: Request) -> Response | None:
    """The spec's 400 body (Solr error); other statuses stay problem+json."""
    if p.status != 400:
        return None
    msg = p.detail
    if request.query_params.get("wt") == "xml":
        body = {"error": {"metadata": ["error-class", "org.apache.solr.common.SolrException"],
                          "msg": msg, "code": 400}}
        xml = '<?xml version="1.0" encoding="UTF-8"?>\n<response>' + \
              _xml_waarde("error", body["error"]) + "</response>\n"
        return Response(xml.encode(), status_code=400, media_type="application/xml")
    return Response(_solr_fout_json(400, msg), status_code=400, media_type="application/json")


# --------------------------------------------------------------------------- query handling

@lru_cache(maxsize=65536)
def _norm(tekst: str) -> str:
    return normaliseer(tekst)


def _waarde_past(doc_waarde: Any, patroon: str, wild: bool) -> bool:
    """patroon is already normalised; wild: it contains * or ?."""
    if doc_waarde is None:
        return False
    if isinstance(doc_waarde, list):
        return any(_waarde_past(x, patroon, wild) for x in doc_waarde)
    d = _norm(doc_waarde) if isinstance(doc_waarde, str) else str(doc_waarde).lower()
    if wild:
        return fnmatch.fnmatchcase(d, patroon)
    return d == patroon


def _term_filter(veld: str, waarde: str):
    if waarde.startswith("(") and waarde.endswith(")"):
        opties = [o.strip().strip('"') for o in re.split(r"\s+OR\s+", waarde[1:-1].strip(), flags=re.IGNORECASE)
                  if o.strip()]
    else:
        opties = [waarde.strip('"')]
    if veld == "*":
        return lambda doc: True
    patronen = []
    for o in opties:
        n = normaliseer(o)
        wild = "*" in n or "?" in n
        patronen.append((n.replace("[", "[[]") if wild else n, wild))
    return lambda doc: any(_waarde_past(doc.get(veld), p, w) for p, w in patronen)


@lru_cache(maxsize=1024)
def _filters_voor(fqs: tuple[str, ...]) -> tuple:
    return tuple(parse_filters(list(fqs)))


def parse_filters(fqs: list[str]) -> list:
    """fq strings → predicates (AND of all)."""
    uit = []
    for fq in fqs:
        for m in _FQ_TERM.finditer(fq):
            veld, waarde, los = m.group(1), m.group(2), m.group(3)
            if los is not None:
                if los.upper() in ("AND", "&&"):
                    continue
                t = tokens(los)
                if t:
                    uit.append(lambda doc, t=t: all(
                        any(dt.startswith(x) for dt in tokens(str(doc.get("weergavenaam") or "")))
                        for x in t))
                continue
            uit.append(_term_filter(veld, waarde))
    return uit


@lru_cache(maxsize=1024)
def splits_q(q: str | None) -> tuple[str, list]:
    """Free text and field terms of q (Solr-ish: 'Kerkstraat 1 type:adres')."""
    if not q or q.strip() in ("*", "*:*"):
        return "", []
    tekst, filters = [], []
    for m in _FQ_TERM.finditer(q):
        if m.group(3) is not None:
            w = m.group(3)
            if w.upper() not in ("AND", "OR", "&&", "||"):
                tekst.append(w.strip('"()'))
        else:
            filters.append(_term_filter(m.group(1), m.group(2)))
    return " ".join(tekst), filters


@lru_cache(maxsize=1024)
def _fl_velden(w: str) -> frozenset[str] | None:
    velden = frozenset(v for v in re.split(r"[ ,]+", w) if v)
    return None if "*" in velden else velden


def lees_fl(request: Request, standaard: str) -> frozenset[str] | None:
    """Field list; None = every field ('*')."""
    return _fl_velden(basis.tekst(request, "fl", standaard=standaard, patroon=FL_PATROON) or "")


def _doc_uit(doc: dict, velden: frozenset[str] | None) -> dict:
    # Fields in the document's order (as Solr does), not in the order of fl.
    if velden is None:
        return {k: v for k, v in doc.items() if v is not None and k not in _INTERN}
    return {k: v for k, v in doc.items() if v is not None and k in velden}


def _fqs(request: Request, standaard: list[str] | None) -> list[str]:
    fqs = [x for x in request.query_params.getlist("fq") if x != ""]
    return fqs if fqs or standaard is None else standaard


def _sorteer(docs: list[dict], sort: str | None, punt: tuple[float, float] | None) -> None:
    if punt is not None:
        x, y = punt
        docs.sort(key=lambda d: math.hypot(d["rd_x"] - x, d["rd_y"] - y))
        return
    if not sort:
        return
    delen = []
    for deel in sort.split(","):
        m = _SORT_DEEL.fullmatch(deel)
        if m and m.group(1) not in ("sortering",):
            delen.append((m.group(1), m.group(2).lower() == "desc"))
    for veld, af in reversed(delen):
        def sleutel(doc: dict, veld: str = veld) -> tuple:
            v = doc.get(veld)
            if v is None:
                return (1, "")
            return (0, normaliseer(v) if isinstance(v, str) else v)
        with contextlib.suppress(TypeError):   # a field with mixed types: leave this key out
            docs.sort(key=sleutel, reverse=af)


def _rows_start(request: Request, max_rows: int = 100) -> tuple[int, int]:
    # The spec sets maxima only (rows 100, for suggest 3000; start 10000); negative values count
    # as 0 (no 400 for a schema-valid value).
    start = basis.geheel_getal(request, "start", 0, maximum=10000)
    rows = basis.geheel_getal(request, "rows", 10, maximum=max_rows)
    return max(0, rows), max(0, start)  # type: ignore[type-var]


def _punt(request: Request) -> tuple[float, float] | None:
    lat = basis.getal(request, "lat")
    lon = basis.getal(request, "lon")
    if lat is None or lon is None:
        return None     # half a coordinate: no distance ordering
    return wgs84_naar_rd(lat, lon)  # type: ignore[arg-type]


def _markeer(tekst: str, qt: list[str]) -> str:
    uit = []
    for deel in re.split(r"(\W+)", tekst):
        if deel and any(t and any(x.startswith(t) for x in tokens(deel)) for t in qt):
            uit.append(f"<b>{deel}</b>")
        else:
            uit.append(deel)
    return "".join(uit)


# --------------------------------------------------------------------------- service

def dienst(config: Config) -> basis.Dienst:
    d = basis.Dienst("locatieserver", BASISPAD, SPEC, sleutel_vereist=False,
                     foutweergave=foutweergave)

    def store() -> Store:
        return store_voor(config.data_map)

    woordenschat_cache: list[list[str]] = []   # the register is read-only: built once

    def zoek(q: str | None, fqs: list[str], extra: list) -> list[dict]:
        tekst, q_filters = splits_q(q)
        s = store()
        if tekst.strip():
            _, docs = s.zoek_adressen(tekst, rows=10_000_000, start=0)
        elif q is not None and q.strip() and not q_filters and q.strip() not in ("*", "*:*"):
            docs = []       # only operators ("AND"): nothing to search for
        else:
            docs = [dict(a, score=1.0) for a in s.adressen()]
        filters = list(q_filters) + list(_filters_voor(tuple(fqs))) + extra
        if filters:
            docs = [x for x in docs if all(f(x) for f in filters)]
        return docs

    def gemeenschappelijk(request: Request, fl_standaard: str, q_verplicht: bool,
                          max_rows: int = 100):
        wt = basis.keuze(request, "wt", ("json", "xml"), "json")
        if q_verplicht and "q" not in request.query_params:
            raise basis.ongeldige_parameter("q", "Parameter is verplicht.", "required")
        q = basis.tekst(request, "q")
        fl = lees_fl(request, fl_standaard)
        rows, start = _rows_start(request, max_rows)
        punt = _punt(request)
        sort = basis.tekst(request, "sort")
        for naam in ("df", "qf"):
            basis.tekst(request, naam)
        return wt, q, fl, rows, start, punt, sort

    def resultaat(docs: list[dict], rows: int, start: int, fl: frozenset[str] | None,
                  met_score: bool = True) -> dict:
        stuk = docs[start:start + rows]
        r: dict[str, Any] = {"numFound": len(docs), "start": start}
        if met_score and docs and (fl is None or "score" in fl):
            r["maxScore"] = max(float(x.get("score") or 0.0) for x in docs)
        r["numFoundExact"] = True
        r["docs"] = [_doc_uit(x, fl) for x in stuk]
        return r

    @d.get("/free", levert=None)
    async def free(request: Request) -> Response:
        wt, q, fl, rows, start, punt, sort = gemeenschappelijk(request, FL_FREE, False)
        docs = zoek(q, _fqs(request, FQ_STANDAARD), [])
        _sorteer(docs, sort, punt)
        return antwoord({"response": resultaat(docs, rows, start, fl)}, wt)

    @d.get("/suggest", levert=None)
    async def suggest(request: Request) -> Response:
        wt, q, fl, rows, start, punt, sort = gemeenschappelijk(request, FL_SUGGEST, True, 3000)
        docs = zoek(q, _fqs(request, FQ_STANDAARD), [])
        _sorteer(docs, sort, punt)
        body: dict[str, Any] = {"response": resultaat(docs, rows, start, fl)}
        tekst, _ = splits_q(q)
        qt = tokens(tekst)
        body["highlighting"] = {x["id"]: {"suggest": [_markeer(x["weergavenaam"], qt)]}
                                for x in docs[start:start + rows]}
        body["spellcheck"] = spellcheck(tekst, bool(docs))
        return antwoord(body, wt)

    def spellcheck(tekst: str, gevonden: bool) -> dict:
        if gevonden or not tekst.strip():
            return {"suggestions": [], "collations": []}
        if not woordenschat_cache:
            woordenschat_cache.append(sorted({t for a in store().adressen()
                                              for t in tokens(str(a.get("weergavenaam")))}))
        woordenschat = woordenschat_cache[0]
        suggesties: list[Any] = []
        verbeterd = normaliseer(tekst)
        correcties: list[str] = []
        pos = 0
        for woord in re.findall(r"\S+", tekst):
            begin = tekst.find(woord, pos)
            pos = begin + len(woord)
            w = normaliseer(woord)
            if any(t.startswith(w) for t in woordenschat):
                continue
            kandidaten = difflib.get_close_matches(w, woordenschat, n=5, cutoff=0.6)
            if kandidaten:
                suggesties += [w, {"numFound": len(kandidaten), "startOffset": begin,
                                   "endOffset": pos, "suggestion": kandidaten}]
                verbeterd = verbeterd.replace(w, kandidaten[0], 1)
                correcties += [w, kandidaten[0]]
        collaties: list[Any] = []
        if correcties:
            hits = len(zoek(verbeterd, [], []))
            if hits:
                collaties = ["collation", {"collationQuery": verbeterd, "hits": hits,
                                           "misspellingsAndCorrections": correcties}]
        return {"suggestions": suggesties, "collations": collaties}

    @d.get("/lookup", levert=None)
    async def lookup(request: Request) -> Response:
        wt = basis.keuze(request, "wt", ("json", "xml"), "json")
        if "id" not in request.query_params:
            raise basis.ongeldige_parameter("id", "Verplichte parameter 'id' ontbreekt.", "required")
        ident = basis.tekst(request, "id") or ""
        fl = lees_fl(request, FL_LOOKUP)
        doc = store().adres(ident)
        docs = [doc] if doc else []
        filters = _filters_voor(tuple(_fqs(request, None)))
        docs = [x for x in docs if all(f(x) for f in filters)]
        return antwoord({"response": resultaat(docs, 1, 0, fl, met_score=False)}, wt)

    @d.get("/reverse", levert=None)
    async def reverse(request: Request) -> Response:
        wt = basis.keuze(request, "wt", ("json", "xml"), "json")
        fl = lees_fl(request, FL_REVERSE)
        rows, start = _rows_start(request)
        types_ = [t for w in request.query_params.getlist("type") or ["adres"]
                  for t in w.split(",") if t]
        for w in request.query_params.getlist("type"):
            if not TYPE_PATROON.fullmatch(w):
                raise basis.ongeldige_parameter("type", "Waarde voldoet niet aan het patroon.",
                                                "pattern")
        afstand = basis.geheel_getal(request, "distance")
        filters = _filters_voor(tuple(_fqs(request, None)))
        x, y = basis.getal(request, "X"), basis.getal(request, "Y")
        punt = _punt(request)
        if x is None or y is None:
            if punt is None:
                # Nothing to search from; the spec makes every coordinate optional, so this is
                # an empty result rather than an error.
                return antwoord({"response": resultaat([], rows, start, fl)}, wt)
            x, y = punt
        docs = store().dichtstbij(x, y, rows=10_000_000, types=None if "*" in types_ else types_,
                                  max_afstand=afstand)  # type: ignore[arg-type]
        for doc in docs:
            doc["score"] = round(1.0 / (1.0 + doc["afstand"]), 8)
        if filters:
            docs = [x_ for x_ in docs if all(f(x_) for f in filters)]
        return antwoord({"response": resultaat(docs, rows, start, fl)}, wt)

    return d
