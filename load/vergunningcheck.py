"""Een burger doet de Vergunningcheck: moet ik voor dit werk een vergunning aanvragen?

Reis: de werkzaamheden ophalen (Toepasbare regels uitvoeren v3, /werkzaamheden) → er een kiezen
→ conclusie/_bepaal steeds opnieuw, met telkens het antwoord op de volgende vraag erbij, tot de
dienst 'afgerond' zegt. De antwoorden zijn willekeurig, zoals bij echte burgers.

Met de hand (sleutel in DSO_API_KEY):
    locust -f load/vergunningcheck.py --config load/locust.conf -H http://127.0.0.1:8897 -u 5 -t 20s
"""

import random

from locust import task

from dso_acceptatie.fasen.last.locust_steun import DsoGebruiker

MAX_VRAGEN = 25   # a question tree that never ends is a finding, not an endless loop


class Vergunningchecker(DsoGebruiker):
    weight = 1

    @task
    def vergunningcheck(self):
        with self.vraag("uitvoeren", "GET", "/werkzaamheden") as r:
            werkzaamheid = random.choice(r.json()["_embedded"]["werkzaamheden"])
        activiteiten = [a["identificatie"] for a in werkzaamheid["activiteiten"]]
        antwoorden = []
        for _ in range(MAX_VRAGEN):
            with self.vraag("uitvoeren", "POST", "/conclusie/_bepaal",
                            json_body={"activiteiten": activiteiten, "antwoorden": antwoorden}) as r:
                body = r.json()
                if body["status"] == "afgerond":
                    return
                open_ = [x["volgendeVraag"] for x in body["resultaten"] if x.get("volgendeVraag")]
                vraag = open_[0]   # 'vragen' without a next question: IndexError, a failure
            antwoorden.append({"vraagId": vraag["id"], "waarde": antwoord(vraag)})


def antwoord(vraag: dict):
    soort = vraag.get("gegevenstype")
    if soort == "boolean":
        return random.choice([True, False])
    if soort == "number":
        return random.choice([5, 40, 80, 150, 400])
    opties = vraag.get("opties") or vraag.get("waarden") or ["ja"]
    return random.choice(opties)
