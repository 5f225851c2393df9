"""Generate the FICTITIOUS test address register for the Gemeentestad plan area (run once, output committed).

    .venv/bin/python -m referentie_lv.data.maak_testadressen      # writes bronnen/testadressen.csv

The real delivery has no addresses. Every street, number and postcode here is invented; only the
positions are derived from the plan's real locations (points are drawn, seeded, inside the GIO
geometries, so each named area has several addresses). Deterministic: same input, same file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
from pathlib import Path

from pyproj import Transformer
from shapely.geometry import Point
from shapely.ops import unary_union

from referentie_lv.data import bouw

WOONPLAATS = "Gemeentestad"
GEMEENTE = "Zaltbommel"
GEMEENTECODE = "0297"          # PDOK form (4 digits); the bevoegd-gezag code is gm0297
BG_CODE = "gm0297"
PROVINCIE, PROVINCIECODE, PROVINCIEAFKORTING = "Gelderland", "PV25", "GD"
WOONPLAATSCODE = "9999"        # fictitious

# (area key, OW locatie identificatie, display name, [streets], count, postcode prefix, exclude keys)
GEBIEDEN = [
    ("centrum", "nl.imow-gm0297.gebiedengroep.centrumgebied", "Centrumgebied",
     ["Marktplein", "Kerkstraat"], 14, "5391", []),
    ("zoneA", "nl.imow-gm0297.gebiedengroep.zoneA", "Zone A",
     ["Lindelaan", "Beukenlaan"], 12, "5392", ["centrum", "speelhal", "ig1", "ig2", "ig3", "ig4"]),
    ("zoneB", "nl.imow-gm0297.gebiedengroep.zoneB", "Zone B",
     ["Dijkstraat", "Polderweg"], 12, "5393", ["speelhal", "ig1", "ig2", "ig3", "ig4"]),
    ("speelhal", "nl.imow-gm0297.gebiedengroep.speelhal", "Speelhal",
     ["Kermisstraat"], 10, "5394", ["ig1", "ig2", "ig3", "ig4"]),
    ("ig1", "nl.imow-gm0297.gebied.2019000008", "Bouwhoogte: Zuilichem industriegebied 1",
     ["Industrieweg"], 4, "5395", []),
    ("ig2", "nl.imow-gm0297.gebied.2019000009", "Bouwhoogte: Zuilichem industriegebied 2",
     ["Fabrieksstraat"], 4, "5395", []),
    ("ig3", "nl.imow-gm0297.gebied.2019000010", "Bouwhoogte: Zuilichem industriegebied 3",
     ["Havenweg"], 4, "5396", []),
    ("ig4", "nl.imow-gm0297.gebied.2019000013", "Bouwhoogte: Zuilichem industriegebied 4",
     ["Werkplaatsweg"], 4, "5396", []),
    ("bedrijf2", "nl.imow-gm0297.gebiedengroep.Bedrijfcategorie2", "Bedrijf categorie 2",
     ["Ambachtsstraat"], 8, "5397", ["centrum", "speelhal", "ig1", "ig2", "ig3", "ig4"]),
    ("zuilichem", "nl.imow-gm0297.gebiedengroep.zuilichem", "Zuilichem",
     ["Zuilichemsedijk"], 8, "5398", ["bedrijf2"]),
    ("regelingsgebied", "nl.imow-gm0297.ambtsgebied.ZaltbommelAmbtsgebied", "Regelingsgebied (buiten de zones)",
     ["Buitenweg", "Uiterwaardenpad"], 10, "5399", ["alle"]),
]

ALLE_STRATEN = [s for g in GEBIEDEN for s in g[3]]

KOP = [
    "# FICTIEVE TESTADRESSEN - geen echte adressen, geen BAG-gegevens.",
    "# Gegenereerd door src/referentie_lv/data/maak_testadressen.py voor de referentie-LV (dso-acceptatie).",
    "# Straatnamen, huisnummers en postcodes zijn verzonnen; de punten (RD New, EPSG:28992) liggen binnen de",
    "# echte locaties van het voorbeeldomgevingsplan Gemeentestad (Geonovum). lat/lon = WGS84 via pyproj.",
]

VELDEN = ["id", "type", "weergavenaam", "straatnaam", "huisnummer", "huisletter", "huisnummertoevoeging",
          "huis_nlt", "postcode", "woonplaatsnaam", "woonplaatscode", "gemeentenaam", "gemeentecode",
          "bevoegdgezag", "provincienaam", "provinciecode", "provincieafkorting", "rd_x", "rd_y", "lat", "lon",
          "centroide_rd", "centroide_ll", "gebied", "gebiednaam", "gebieden", "bron"]

RD_NAAR_WGS84 = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)


def _id(prefix: str, sleutel: str) -> str:
    # A stable PDOK-style id, not security: md5 as PDOK's ids look.
    return f"{prefix}-{hashlib.md5(sleutel.encode(), usedforsecurity=False).hexdigest()}"


def _punt_in(vorm, rnd: random.Random, bestaande: list, min_afstand: float = 15.0) -> Point:
    minx, miny, maxx, maxy = vorm.bounds
    binnen = vorm.buffer(-5) if vorm.buffer(-5).area > 0 else vorm   # keep clear of the border
    for _ in range(20000):
        p = Point(round(rnd.uniform(minx, maxx), 2), round(rnd.uniform(miny, maxy), 2))
        if binnen.contains(p) and all(p.distance(q) >= min_afstand for q in bestaande):
            return p
    raise RuntimeError("geen punt gevonden")


def maak(bronnen: Path) -> list[dict]:
    data = bouw.lees_bronnen(bronnen)
    geo = {g["id"]: g["geometrie"] for g in data["geometrieen"].values()}
    ow = {r["identificatie"]: r["data"] for r in data["ow"] if r["versie_nr"] == 1}

    def vorm(ident: str):
        d = ow[ident]
        ids = [d["geometrieRef"]] if d.get("geometrieRef") else []
        ids += [ow[g]["geometrieRef"] for g in d.get("groepselementen") or []]
        return unary_union([geo[i] for i in ids])

    vormen = {k: vorm(ident) for k, ident, *_ in GEBIEDEN}
    # 'alle' = every GIO geometry except the ambtsgebied stand-in and the pons (which covers nearly all).
    vormen["alle"] = unary_union([v for k, v in vormen.items() if k != "regelingsgebied"])
    rnd = random.Random(297)  # noqa: S311 -- reproducible test data, not a secret
    docs, punten = [], []
    for sleutel, ident, naam, straten, aantal, pc4, uitsluiten in GEBIEDEN:
        gebied = vormen[sleutel]
        for k in uitsluiten:
            gebied = gebied.difference(vormen[k])
        for n in range(aantal):
            straat = straten[n % len(straten)]
            huisnummer = 2 * (n // len(straten)) + 1 + (10 if n % 3 == 2 else 0)
            letter = "A" if n % 7 == 3 else None
            toevoeging = "1" if n % 11 == 5 else None
            # One postcode belongs to one street (as in the real register): 2nd letter = street number.
            postcode = f"{pc4}{'ABCDEFGH'[(n // 4) % 8]}{'ABCDEFGHJKLMNPRSTVWXZ'[ALLE_STRATEN.index(straat)]}"
            p = _punt_in(gebied, rnd, punten)
            punten.append(p)
            lon, lat = RD_NAAR_WGS84.transform(p.x, p.y)
            huis = f"{huisnummer}{letter or ''}{('-' + toevoeging) if toevoeging else ''}"
            weergave = f"{straat} {huis}, {postcode} {WOONPLAATS}"
            in_gebieden = [i for k, i, *_ in GEBIEDEN if vormen[k].contains(p)]
            docs.append({
                "id": _id("adr", weergave), "type": "adres", "weergavenaam": weergave, "straatnaam": straat,
                "huisnummer": huisnummer, "huisletter": letter, "huisnummertoevoeging": toevoeging,
                "huis_nlt": huis.replace("-", ""), "postcode": postcode, "rd_x": p.x, "rd_y": p.y,
                "lat": round(lat, 8), "lon": round(lon, 8), "gebied": ident, "gebiednaam": naam,
                "gebieden": ";".join(in_gebieden),
            })
    # Non-address docs PDOK also serves: weg, postcode, woonplaats, gemeente (centroid of their addresses).
    def centrum(lijst: list[dict]) -> tuple[float, float]:
        c = unary_union([Point(d["rd_x"], d["rd_y"]) for d in lijst]).centroid
        # A centroid may fall outside every zone; snap to the nearest member address so it stays inside.
        best = min(lijst, key=lambda d: Point(d["rd_x"], d["rd_y"]).distance(c))
        return round(best["rd_x"], 2), round(best["rd_y"], 2)

    adressen = list(docs)
    extra = []
    for straat in sorted({d["straatnaam"] for d in adressen}):
        leden = [d for d in adressen if d["straatnaam"] == straat]
        x, y = centrum(leden)
        extra.append({"id": _id("wgd", straat), "type": "weg", "weergavenaam": f"{straat}, {WOONPLAATS}",
                      "straatnaam": straat, "rd_x": x, "rd_y": y, "gebied": leden[0]["gebied"],
                      "gebiednaam": leden[0]["gebiednaam"]})
    for (straat, pc) in sorted({(d["straatnaam"], d["postcode"]) for d in adressen}):
        leden = [d for d in adressen if d["straatnaam"] == straat and d["postcode"] == pc]
        x, y = centrum(leden)
        extra.append({"id": _id("pcd", f"{straat}|{pc}"), "type": "postcode",
                      "weergavenaam": f"{straat}, {pc} {WOONPLAATS}", "straatnaam": straat, "postcode": pc,
                      "rd_x": x, "rd_y": y, "gebied": leden[0]["gebied"], "gebiednaam": leden[0]["gebiednaam"]})
    x, y = centrum([d for d in adressen if d["gebied"].endswith("centrumgebied")])
    extra.append({"id": _id("wpl", WOONPLAATS), "type": "woonplaats",
                  "weergavenaam": f"{WOONPLAATS}, {GEMEENTE}, {PROVINCIE}", "rd_x": x, "rd_y": y,
                  "gebied": "nl.imow-gm0297.gebiedengroep.centrumgebied", "gebiednaam": "Centrumgebied"})
    extra.append({"id": _id("gem", GEMEENTECODE), "type": "gemeente", "weergavenaam": f"Gemeente {GEMEENTE}",
                  "rd_x": x, "rd_y": y, "gebied": "nl.imow-gm0297.gebiedengroep.centrumgebied",
                  "gebiednaam": "Centrumgebied"})
    for d in extra:
        lon, lat = RD_NAAR_WGS84.transform(d["rd_x"], d["rd_y"])
        d.update(lat=round(lat, 8), lon=round(lon, 8),
                 gebieden=";".join(i for k, i, *_ in GEBIEDEN if vormen[k].contains(Point(d["rd_x"], d["rd_y"]))))
    alle = adressen + extra
    for d in alle:
        d.setdefault("woonplaatsnaam", WOONPLAATS)
        d.update(woonplaatscode=WOONPLAATSCODE, gemeentenaam=GEMEENTE, gemeentecode=GEMEENTECODE,
                 bevoegdgezag=BG_CODE, provincienaam=PROVINCIE, provinciecode=PROVINCIECODE,
                 provincieafkorting=PROVINCIEAFKORTING, bron="testdata (fictief)",
                 centroide_rd=f"POINT({d['rd_x']} {d['rd_y']})", centroide_ll=f"POINT({d['lon']} {d['lat']})")
        if d["type"] == "gemeente":
            d["woonplaatsnaam"] = None
            d["woonplaatscode"] = None
    return alle


def schrijf(docs: list[dict]) -> str:
    buf = io.StringIO()
    buf.write("\n".join(KOP) + "\n")
    w = csv.DictWriter(buf, fieldnames=VELDEN, lineterminator="\n")
    w.writeheader()
    for d in docs:
        w.writerow({k: ("" if d.get(k) is None else d.get(k)) for k in VELDEN})
    return buf.getvalue()


def main() -> None:
    bronnen = bouw.standaard_bronnen()
    doel = bronnen / bouw.ADRESSEN_BESTAND
    docs = maak(bronnen)
    doel.write_text(schrijf(docs), encoding="utf-8")
    per_type: dict[str, int] = {}
    for d in docs:
        per_type[d["type"]] = per_type.get(d["type"], 0) + 1
    print(f"{doel}: {len(docs)} documenten {per_type}")


if __name__ == "__main__":
    main()
