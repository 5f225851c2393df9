"""Active DSO checks that need requests of their own, run once per operation after schemathesis.

- authentication: the request of a successful example, again without key and with an unknown
  key, must be refused (401/403);
- paging: with a small page size, next/previous links work, page sizes are honoured, and pages
  1 and 2 together equal page 1 of twice the size (no duplicates, no gaps);
- not found: a GET of a resource that cannot exist (a made-up identification of the right shape)
  gives 404 where the spec documents one, never 200.
Each probe returns a :class:`Sonde` verdict with the exchange that decided it.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

import httpx

from dso_acceptatie.fasen.contracten.uitvoering import Uitwisseling

GROOTTE_NAMEN = ("pageSize", "size")


@dataclass
class Sonde:
    status: str                    # geslaagd | gefaald | overgeslagen
    bericht: str
    uitwisseling: Uitwisseling | None = None
    details: dict | None = None


def _uit(r: httpx.Response, body: bytes | None = None) -> Uitwisseling:
    return Uitwisseling(r.request.method, str(r.request.url), dict(r.request.headers),
                        body if body is not None else r.request.content, r.status_code,
                        dict(r.headers), r.content)


def _headers(voorbeeld: Uitwisseling) -> dict[str, str]:
    uit = {}
    for k, v in voorbeeld.verzoek_headers.items():
        if k.lower() in ("content-length", "x-schemathesis-testcaseid", "host"):
            continue
        uit[k] = ", ".join(v) if isinstance(v, list) else str(v)
    return uit


def authenticatie(client: httpx.Client, voorbeeld: Uitwisseling | None, sleutel_header: str
                  ) -> Sonde:
    if voorbeeld is None:
        return Sonde("overgeslagen", "geen geslaagd voorbeeldverzoek om te herhalen zonder sleutel")
    basis = {k: v for k, v in _headers(voorbeeld).items() if k.lower() != sleutel_header}
    pogingen = (("zonder sleutel", basis),
                ("met een onbekende sleutel",
                 {**basis, sleutel_header: "onbekend-" + secrets.token_hex(8)}))
    for wat, headers in pogingen:
        r = client.request(voorbeeld.methode, voorbeeld.url, headers=headers,
                           content=voorbeeld.verzoek_body)
        if r.status_code not in (401, 403):
            return Sonde("gefaald", f"Een verzoek {wat} kreeg HTTP {r.status_code} in plaats van "
                                    "401/403: de API controleert de x-api-key niet.", _uit(r))
    return Sonde("geslaagd", "verzoeken zonder sleutel en met een onbekende sleutel worden "
                             "geweigerd (401/403)")


def _param(operatie: dict, naam: str) -> dict | None:
    for p in operatie.get("parameters", []) or []:
        if isinstance(p, dict) and p.get("in") == "query" and p.get("name") == naam:
            return p
    return None


def _groottes(p: dict) -> tuple[int, int]:
    s = p.get("schema") or {}
    if isinstance(s.get("enum"), list) and s["enum"]:
        waarden = sorted(int(w) for w in s["enum"] if isinstance(w, int))
        return waarden[0], (waarden[1] if len(waarden) > 1 else waarden[0])
    klein = max(2, int(s.get("minimum", 1)))
    groot = klein * 2
    if isinstance(s.get("maximum"), int):
        groot = min(groot, s["maximum"])
    return klein, groot


def pagineerbaar(operatie: dict) -> tuple[str, str, int, int] | None:
    """(page param, size param, small size, big size) when the operation pages with page/size."""
    if _param(operatie, "page") is None:
        return None
    for naam in GROOTTE_NAMEN:
        p = _param(operatie, naam)
        if p is not None:
            klein, groot = _groottes(p)
            return "page", naam, klein, groot
    return None


def _met_query(url: str, **waarden) -> str:
    d = urlsplit(url)
    q = [(k, v) for k, v in parse_qsl(d.query, keep_blank_values=True) if k not in waarden]
    q += [(k, str(v)) for k, v in waarden.items()]
    return urlunsplit((d.scheme, d.netloc, d.path, urlencode(q), ""))


def _items(body) -> list | None:
    if not isinstance(body, dict):
        return None
    emb = body.get("_embedded")
    if not isinstance(emb, dict):
        return None
    for v in emb.values():
        if isinstance(v, list):
            return v
    return []


def _sleutel(item) -> str:
    if isinstance(item, dict):
        href = ((item.get("_links") or {}).get("self") or {}).get("href")
        if href:
            return href
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def _link(body, *namen) -> str | None:
    links = body.get("_links") if isinstance(body, dict) else None
    for n in namen:
        link = links.get(n) if isinstance(links, dict) else None
        if isinstance(link, dict) and link.get("href"):
            return link["href"]
    return None


def paginering(client: httpx.Client, operatie: dict, voorbeeld: Uitwisseling | None,
               headers: dict[str, str]) -> Sonde:
    p = pagineerbaar(operatie)
    if p is None:
        return Sonde("overgeslagen", "de operatie pagineert niet met page/size")
    if voorbeeld is None:
        return Sonde("overgeslagen", "geen geslaagd voorbeeldverzoek om de paginering op te starten")
    pagina, grootte, klein, groot = p
    url = _met_query(voorbeeld.url, **{pagina: 1, grootte: klein})

    def haal(u: str) -> tuple[httpx.Response, object]:
        r = client.get(urljoin(url, u), headers=headers)
        try:
            return r, r.json()
        except ValueError:
            return r, None

    r1, b1 = haal(url)
    if r1.status_code != 200:
        return Sonde("gefaald", f"pagina 1 met {grootte}={klein} gaf HTTP {r1.status_code}", _uit(r1))
    items1 = _items(b1)
    if items1 is None:
        return Sonde("overgeslagen", "het antwoord heeft geen _embedded-lijst om te pagineren")
    if len(items1) > klein:
        return Sonde("gefaald", f"{grootte}={klein} gevraagd, maar pagina 1 bevat "
                                f"{len(items1)} items", _uit(r1))
    volgende = _link(b1, "next")
    if volgende is None:
        return Sonde("geslaagd", f"één pagina ({len(items1)} items, {grootte}={klein}); geen "
                                 "next-link, zoals het hoort", details={"items": len(items1)})
    if len(items1) < klein:
        return Sonde("gefaald", f"pagina 1 is niet vol ({len(items1)} van {klein}) en toch is er "
                                "een next-link", _uit(r1))
    r2, b2 = haal(volgende)
    if r2.status_code != 200:
        return Sonde("gefaald", f"de next-link van pagina 1 ({volgende}) gaf HTTP "
                                f"{r2.status_code}", _uit(r2))
    items2 = _items(b2) or []
    if len(items2) > klein:
        return Sonde("gefaald", f"pagina 2 bevat {len(items2)} items, meer dan {grootte}={klein}",
                     _uit(r2))
    if len(items2) < klein and _link(b2, "next"):
        return Sonde("gefaald", f"pagina 2 is de laatste ({len(items2)} items) maar heeft toch "
                                "een next-link", _uit(r2))
    s1, s2 = [_sleutel(i) for i in items1], [_sleutel(i) for i in items2]
    dubbel = set(s1) & set(s2)
    if dubbel:
        return Sonde("gefaald", f"{len(dubbel)} item(s) staan zowel op pagina 1 als op pagina 2",
                     _uit(r2))
    vorige = _link(b2, "prev", "previous")
    if vorige is None:
        return Sonde("gefaald", "pagina 2 heeft geen previous-link", _uit(r2))
    rv, bv = haal(vorige)
    if rv.status_code != 200 or [_sleutel(i) for i in (_items(bv) or [])] != s1:
        return Sonde("gefaald", f"de previous-link van pagina 2 ({vorige}) leidt niet terug naar "
                                "pagina 1", _uit(rv))
    rg, bg = haal(_met_query(url, **{pagina: 1, grootte: groot}))
    if rg.status_code != 200:
        return Sonde("gefaald", f"pagina 1 met {grootte}={groot} gaf HTTP {rg.status_code}", _uit(rg))
    sg = [_sleutel(i) for i in (_items(bg) or [])]
    verwacht = (s1 + s2)[:groot]
    if groot >= 2 * klein and sg[:len(verwacht)] != verwacht:
        return Sonde("gefaald", f"pagina 1 en 2 met {grootte}={klein} samen zijn niet gelijk aan "
                                f"pagina 1 met {grootte}={groot}: er ontbreken of verschuiven "
                                "items tussen de pagina's", _uit(r2),
                     details={"via_next": s1 + s2, "in_een_keer": sg})
    return Sonde("geslaagd", f"next/previous werken, {grootte} wordt gerespecteerd, geen dubbele "
                             "of ontbrekende items over twee pagina's",
                 details={"pagina1": len(s1), "pagina2": len(s2)})


def minimaal_voorbeeld(client: httpx.Client, basis: str, pad: str, operatie: dict,
                       headers: dict[str, str]) -> Uitwisseling | None:
    """A GET without parameters: where the paging probe starts (the widest list), and the example
    when schemathesis produced no successful one. Only for operations without required
    parameters; None when there are some or the answer is not 2xx."""
    verplicht = [p for p in operatie.get("parameters", []) if isinstance(p, dict)
                 and (p.get("required") or p.get("in") == "path")
                 and str(p.get("name", "")).lower() != "x-api-key"]
    if verplicht or "{" in pad:
        return None
    r = client.get(basis.rstrip("/") + pad, headers=headers)
    return _uit(r) if 200 <= r.status_code < 300 else None


def _niet_bestaand(schema: dict) -> str | None:
    """A value of the parameter's shape that no real resource has; None when we cannot make one."""
    if not isinstance(schema, dict) or "enum" in schema or schema.get("format") in ("date", "date-time", "uuid"):
        return None
    if schema.get("type") == "integer":
        hoogste = min(int(schema.get("maximum", 2_000_000_000)), 2_000_000_000)
        return str(max(int(schema.get("minimum", 0)), hoogste - secrets.randbelow(1000)))
    if schema.get("type") not in (None, "string"):
        return None
    patroon = schema.get("pattern")
    if not patroon:
        return "bestaat-niet-" + secrets.token_hex(6)
    import warnings

    from hypothesis import strategies
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # .example() outside a test: exactly what we want here
        for _ in range(20):
            waarde = strategies.from_regex(patroon, fullmatch=True).example()
            if waarde != schema.get("example") and "/" not in waarde and waarde.isprintable():
                return waarde
    return None


def niet_gevonden(client: httpx.Client, basis: str, pad: str, operatie: dict, spec: dict,
                  headers: dict[str, str], voorbeeld: Uitwisseling | None = None) -> Sonde:
    if "404" not in (operatie.get("responses") or {}):
        return Sonde("overgeslagen", "de spec documenteert geen 404 voor deze operatie")
    verplicht = [p for p in operatie.get("parameters", []) if isinstance(p, dict) and p.get("required")
                 and p.get("in") in ("query", "header") and str(p.get("name", "")).lower() != "x-api-key"]
    query = ""
    if verplicht:
        # The query and headers of a successful example (e.g. Geometrie opvragen's required crs).
        if voorbeeld is None:
            return Sonde("overgeslagen", "de operatie heeft verplichte query- of headerparameters en er "
                                         "is geen geslaagd voorbeeld om ze van over te nemen")
        query = urlsplit(voorbeeld.url).query
        headers = {**_headers(voorbeeld), **headers}
    schemas = {}
    for p in operatie.get("parameters", []):
        if isinstance(p, dict) and p.get("in") == "path":
            schema = p.get("schema") or {}
            while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#/"):
                doel = spec
                for deel in schema["$ref"][2:].split("/"):
                    doel = doel.get(deel, {}) if isinstance(doel, dict) else {}
                schema = doel
            schemas[p.get("name")] = schema
    # Two different made-up identifications: a pattern with a small value space (a four-digit
    # code) can hit a real one by chance, two in a row that both exist is not chance.
    for poging in range(2):
        waarden = {}
        for naam, schema in schemas.items():
            waarde = _niet_bestaand(schema)
            if waarde is None:
                return Sonde("overgeslagen", f"geen niet-bestaande waarde te maken voor '{naam}'")
            waarden[naam] = waarde
        url = basis.rstrip("/") + pad
        for naam, waarde in waarden.items():
            url = url.replace("{" + str(naam) + "}", quote(waarde, safe=""))
        r = client.get(url + (f"?{query}" if query else ""), headers=headers)
        if r.status_code == 404:
            return Sonde("geslaagd", f"een niet-bestaande resource ({', '.join(waarden.values())}) geeft 404",
                         details={"waarden": waarden})
        if not 200 <= r.status_code < 300:
            break
        if poging == 1:
            return Sonde("gefaald", f"resources die niet bestaan (tweemaal verzonnen, laatst "
                                    f"{', '.join(waarden.values())}) gaven HTTP {r.status_code} in plaats van "
                                    "404", _uit(r), details={"waarden": waarden})
    return Sonde("overgeslagen", f"de verzonnen identificatie ({', '.join(waarden.values())}) gaf HTTP "
                                 f"{r.status_code}; niet te beoordelen of een 404 terecht was",
                 details={"waarden": waarden})
