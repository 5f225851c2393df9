"""Een burger raadpleegt de regels op een locatie.

Reis: adres intypen (Locatieserver /suggest) → adres kiezen (/free) → welke regels gelden op dat
punt (Presenteren v8, regeltekstannotaties/_zoek) → het gebied van een regel op de kaart
(Geometrie Opvragen v1) → de regels bij een activiteit die daar geldt (Regels bij activiteiten).
Elke stap gebruikt wat de vorige teruggaf; mislukt een stap, dan telt die als fout en stopt de reis.

Met de hand (sleutel in DSO_API_KEY):
    locust -f load/raadplegen.py --config load/locust.conf -H http://127.0.0.1:8897 -u 10 -r 5 -t 20s
"""

import random
import re

from locust import task

from dso_acceptatie.fasen.last.locust_steun import DsoGebruiker, pad_deel

RD_NEW = "http://www.opengis.net/def/crs/EPSG/0/28992"


class Burger(DsoGebruiker):
    weight = 2

    @task
    def regels_op_locatie(self):
        term = random.choice(self.zoektermen)
        with self.vraag("locatieserver", "GET", "/suggest", params={"q": term, "rows": 5}) as r:
            keuze = r.json()["response"]["docs"][0]["weergavenaam"]
        with self.vraag("locatieserver", "GET", "/free",
                        params={"q": keuze, "fq": "type:adres", "rows": 1}) as r:
            x, y = punt(r.json()["response"]["docs"][0]["centroide_rd"])
        with self.vraag("presenteren", "POST", "/annotaties/regeltekstannotaties/_zoek",
                        params={"size": 10}, headers={"Content-Crs": RD_NEW},
                        json_body={"geometrie": {"type": "Point", "coordinates": [x, y]}}) as r:
            annotaties = r.json()["annotaties"]
            # a group of areas (Gebiedengroep) has no geometry of its own: take a real area
            gebied = random.choice([loc["geometrieIdentificatie"] for loc in annotaties["locaties"]
                                    if loc.get("geometrieIdentificatie")])
            activiteiten = [a["identificatie"] for a in annotaties["activiteiten"]]
        with self.vraag("geometrieopvragen", "GET", f"/geometrieen/{pad_deel(gebied)}",
                        sjabloon="/geometrieen/{geometrieIdentificatie}",
                        params={"crs": RD_NEW}) as r:
            r.json()["geometry"]["coordinates"]
        if activiteiten:
            with self.vraag("regels-bij-activiteiten", "GET",
                            f"/activiteiten/{pad_deel(random.choice(activiteiten))}",
                            sjabloon="/activiteiten/{identificatie}",
                            params={"expand": "juridischeRegelsVoorIedereen"}) as r:
                r.json()["identificatie"]


def punt(wkt: str) -> tuple[float, float]:
    """'POINT(137625.36 424633.65)' → (x, y)."""
    x, y = re.fullmatch(r"POINT\(\s*(\S+)\s+(\S+)\s*\)", wkt).groups()
    return float(x), float(y)
