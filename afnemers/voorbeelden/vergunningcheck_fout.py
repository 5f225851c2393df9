"""Voorbeeldclient: een ingebedde Vergunningcheck met fouten uit de praktijk (rol vergunningcheck).

- slaat de keuze van de werkzaamheid over (de werkzaamheid staat vast in de widget), zodat een
  bezoeker niets anders kan kiezen;
- bij een 5xx wordt meteen opnieuw gepost, in een snelle lus.
"""

import os
import sys

import httpx

BASIS = os.environ["DSO_BASIS_URL"].rstrip("/")
UITVOEREN = BASIS + "/publiek/toepasbare-regels/api/toepasbareregelsuitvoerenservices/v3"
SLEUTEL = os.environ["DSO_API_KEY"]
BEZOEKER = {"UitvId0001": 120, "UitvId0002": "ja", "UitvId0003": False, "UitvId0004": "nee"}


def main() -> int:
    with httpx.Client(headers={"x-api-key": SLEUTEL}, timeout=30) as client:
        antwoorden = []
        for _ in range(20):
            antwoord = client.post(UITVOEREN + "/conclusie/_bepaal",
                                   json={"werkzaamheden": ["BoomOfStruikKappenOfSnoeien"], "antwoorden": antwoorden})
            if antwoord.status_code >= 500:
                continue
            uitkomst = antwoord.json()
            if uitkomst["status"] == "afgerond":
                break
            vraag = uitkomst["resultaten"][0]["volgendeVraag"]
            antwoorden.append({"vraagId": vraag["id"], "waarde": BEZOEKER[vraag["code"]]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
