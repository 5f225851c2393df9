"""Voorbeeldclient: een website die de Vergunningcheck inbedt en het goed doet (rol vergunningcheck).

Toont de werkzaamheden, stelt de vragen één voor één (hier beantwoord door een "bezoeker" uit een
tabel) tot de conclusie er is; de sleutel alleen in de header; een 5xx wordt na een oplopende
wachttijd opnieuw geprobeerd (bepalen is een berekening zonder bijwerkingen).

    dso-acceptatie afnemer --rol vergunningcheck -- python afnemers/voorbeelden/vergunningcheck_goed.py
"""

import os
import sys
import time

import httpx

BASIS = os.environ["DSO_BASIS_URL"].rstrip("/")
UITVOEREN = BASIS + "/publiek/toepasbare-regels/api/toepasbareregelsuitvoerenservices/v3"
BEZOEKER = {"UitvId0001": 120, "UitvId0002": "ja", "UitvId0003": False, "UitvId0004": "nee"}


def bepaal(client: httpx.Client, body: dict) -> dict:
    for poging in range(5):
        antwoord = client.post(UITVOEREN + "/conclusie/_bepaal", json=body)
        if antwoord.status_code in (502, 503, 504):
            time.sleep(0.3 * 2 ** poging)
            continue
        antwoord.raise_for_status()
        return antwoord.json()
    antwoord.raise_for_status()
    return antwoord.json()


def main() -> int:
    with httpx.Client(headers={"x-api-key": os.environ["DSO_API_KEY"]}, timeout=30) as client:
        werkzaamheden = client.get(UITVOEREN + "/werkzaamheden")
        werkzaamheden.raise_for_status()
        antwoorden = []
        for _ in range(10):
            uitkomst = bepaal(client, {"werkzaamheden": ["BoomOfStruikKappenOfSnoeien"], "antwoorden": antwoorden})
            if uitkomst["status"] == "afgerond":
                break
            vraag = uitkomst["resultaten"][0]["volgendeVraag"]
            antwoorden.append({"vraagId": vraag["id"], "waarde": BEZOEKER[vraag["code"]]})
        print("conclusie:", uitkomst["resultaten"][0]["conclusie"]["waarde"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
