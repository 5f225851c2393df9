"""Omgevingsdocumenten Geometrie Opvragen v1 (modelled service, spec ../specs/geometrieopvragen.yaml).

``GET /geometrieen/{id}?crs=`` gives the geometry as a GeoJSON Feature in the asked CRS; ``crs``
is required (422 without, as the DSO documents: CRS84 would be implied and is not supported).
Source coordinates are RD New; ETRS89 and ETRF2000 are computed with pyproj (authority axis
order, i.e. latitude first, as the CRS URIs define it).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import shapely
from pyproj import Transformer
from shapely.geometry import mapping
from starlette.requests import Request
from starlette.responses import Response

from referentie_lv.api import basis
from referentie_lv.api.presenteren import gedeelde_store
from referentie_lv.config import Config

BASISPAD = "/publiek/omgevingsdocumenten/api/geometrieopvragen/v1"
GEO_JSON = "application/geo+json"

CRSS = {
    28992: {"uri": "http://www.opengis.net/def/crs/EPSG/0/28992", "code": "EPSG:28992",
            "naam": "Amersfoort / RD New", "decimalen": 3},
    4258: {"uri": "http://www.opengis.net/def/crs/EPSG/0/4258", "code": "EPSG:4258",
           "naam": "ETRS89", "decimalen": 9},
    9067: {"uri": "http://www.opengis.net/def/crs/EPSG/0/9067", "code": "EPSG:9067",
           "naam": "ETRF2000", "decimalen": 9},
}
_CRS = re.compile(r"(?:epsg:(\d+)|https?://www\.opengis\.net/def/crs/epsg/0/(\d+))", re.IGNORECASE)


@lru_cache(maxsize=8)
def _transformer(naar: int) -> Transformer:
    # RD New -> target; EPSG:9067 (ETRF2000) via the same datum transformation as ETRS89 in
    # pyproj's default pipeline (sub-metre difference, documented in the spec).
    return Transformer.from_crs(28992, naar, always_xy=False)


def _afronden(o: Any, decimalen: int) -> Any:
    if isinstance(o, float):
        r = round(o, decimalen)
        return int(r) if r.is_integer() else r     # no trailing zeros
    if isinstance(o, (list, tuple)):
        return [_afronden(x, decimalen) for x in o]
    return o


def crs_parameter(request: Request) -> int:
    w = basis.tekst(request, "crs", max_lengte=200)
    if w is None:
        raise basis.ongeldige_parameter(
            "crs", "Parameter is verplicht: zonder crs geldt CRS84 en dat wordt niet "
                   "ondersteund. Gebruik bijvoorbeeld " + CRSS[28992]["uri"] + ".",
            "required", status=422)
    m = _CRS.fullmatch(w.strip())
    code = int(m.group(1) or m.group(2)) if m else None
    if code not in CRSS:
        raise basis.ongeldige_parameter(
            "crs", f"CRS '{w}' wordt niet ondersteund; ondersteund: "
                   + ", ".join(c["uri"] for c in CRSS.values()) + ".", "crs", status=422)
    return code


def dienst(config: Config) -> basis.Dienst:
    d = basis.Dienst("geometrieopvragen", BASISPAD, basis.SPECS / "geometrieopvragen.yaml")
    store = gedeelde_store(config)
    bekend = frozenset(store.geometrie_ids())

    @d.get("/geometrieen/{geometrieIdentificatie}", levert=(GEO_JSON, basis.JSON))
    async def geometrie(request: Request) -> Response:
        basis.onbekende_parameters(request, ("crs",))
        code = crs_parameter(request)
        ident = request.path_params["geometrieIdentificatie"]
        if ident not in bekend:
            raise basis.Probleem(404, f"Geometrie '{ident}' bestaat niet.")
        vorm = store.locatie_vorm(ident)
        if code != 28992:
            t = _transformer(code)
            vorm = shapely.transform(vorm, t.transform, interleaved=False)
        crs = CRSS[code]
        geo = mapping(vorm)
        inhoud = {
            "type": "Feature", "id": ident,
            "geometry": {"type": geo["type"],
                         "coordinates": _afronden(geo["coordinates"], crs["decimalen"])},
            "properties": {"geometrieIdentificatie": ident, "crs": crs["uri"]},
            "_links": {"self": {"href": str(request.url)}},
        }
        return basis.json_antwoord(inhoud, media_type=GEO_JSON,
                                   headers={"Content-Crs": crs["uri"]})

    @d.get("/crss")
    async def crss(request: Request) -> Response:
        basis.onbekende_parameters(request, ())
        return basis.hal({"_embedded": {"crss": [{k: c[k] for k in ("uri", "code", "naam")}
                                                 for c in CRSS.values()]},
                          "_links": {"self": {"href": str(request.url)}}})

    return d
