"""Choosing a location: from a suggestion id, typed address text, or RD coordinates.

Shared by Regels op de kaart, the Vergunningcheck and Aanvragen. Returns either a location dict
(``adres``, ``x``, ``y``, ``adres_id``) or Dutch error messages per form field.
"""

from __future__ import annotations

import math

# RD New's valid area (EPSG:28992 bounds, rounded outward): anything outside is no Dutch location.
RD_X = (-7000.0, 300000.0)
RD_Y = (289000.0, 629000.0)


def _getal(tekst: str) -> float | None:
    try:
        v = float(tekst.strip().replace(",", "."))
    except (ValueError, AttributeError):
        return None
    return v if math.isfinite(v) else None


def kies(bron, invoer) -> tuple[dict | None, dict[str, str]]:
    """``invoer``: the query/form fields adres, adres_id, x, y."""
    adres_id = (invoer.get("adres_id") or "").strip()
    adres = (invoer.get("adres") or "").strip()
    xs, ys = (invoer.get("x") or "").strip(), (invoer.get("y") or "").strip()
    fouten: dict[str, str] = {}
    if adres_id:
        gevonden = bron.adres(adres_id)
        if gevonden:
            return gevonden, {}
    if adres:
        if len(adres) > 200:
            return None, {"adres": "Het adres is te lang. Typ een straat met huisnummer, "
                                   "of een postcode met huisnummer."}
        kandidaten = bron.zoek_adressen(adres, 2)
        if kandidaten:
            return kandidaten[0], {}
        return None, {"adres": f"We hebben geen adres gevonden voor ‘{adres}’. Controleer de spelling, "
                               "of typ een postcode met huisnummer, bijvoorbeeld 1234 AB 1."}
    if xs or ys:
        x, y = _getal(xs), _getal(ys)
        if x is None:
            fouten["x"] = "Vul de X-coördinaat in als getal in meters, bijvoorbeeld 155000."
        if y is None:
            fouten["y"] = "Vul de Y-coördinaat in als getal in meters, bijvoorbeeld 463000."
        if fouten:
            return None, fouten
        if not (RD_X[0] <= x <= RD_X[1]) or not (RD_Y[0] <= y <= RD_Y[1]):
            return None, {"x": "Deze coördinaten liggen buiten Nederland. Gebruik RD-coördinaten (EPSG:28992): "
                               "X tussen 0 en 300000, Y tussen 289000 en 629000."}
        if not bron.in_gebied(x, y):
            return None, {"x": "Op deze coördinaten zijn geen gegevens: dit referentieloket kent alleen het gebied "
                               "van Gemeentestad. Kies een punt binnen de gemeente."}
        return {"adres": f"Coördinaten x {x:.0f}, y {y:.0f}", "x": x, "y": y, "adres_id": ""}, {}
    return None, {"adres": "Vul een adres in, of een postcode met huisnummer, of coördinaten."}


def als_query(loc: dict) -> str:
    from urllib.parse import urlencode
    if loc.get("adres_id"):
        return urlencode({"adres_id": loc["adres_id"], "adres": loc["adres"]})
    return urlencode({"x": f"{loc['x']:.2f}", "y": f"{loc['y']:.2f}"})
