"""Voorbeeldclient: een VTH-systeem met fouten die in de praktijk voorkomen (rol vth).

- leest alleen de eerste pagina nieuwe verzoeken (de rest blijft liggen);
- downloadt bijlagen met een losse httpx.get, waardoor de header x-api-key ontbreekt;
- probeert een 5xx meteen opnieuw, in een snelle lus;
- herhaalt een mislukte ontvangstbevestiging blind.
"""

import os
import sys

import httpx

BASIS = os.environ["DSO_BASIS_URL"].rstrip("/")
AFHANDELEN = BASIS + "/overheid/verzoeken/api/afhandelen/v1"


def lees(client: httpx.Client, url: str, **kwargs) -> httpx.Response:
    for _ in range(10):
        antwoord = client.get(url, **kwargs)
        if antwoord.status_code < 500:
            return antwoord
    return antwoord


def main() -> int:
    with httpx.Client(headers={"x-api-key": os.environ["DSO_API_KEY"]}, timeout=30) as client:
        pagina = lees(client, AFHANDELEN + "/verzoeken", params={"status": "nieuw", "pageSize": 10}).json()
        for referentie in pagina["_embedded"]["verzoekreferenties"]:
            verzoek = lees(client, referentie["_links"]["self"]["href"],
                           headers={"Accept": "application/hal+json"}).json()
            for bijlage in verzoek["bijlagen"]:
                httpx.get(bijlage["_links"]["inhoud"]["href"], timeout=30)
            for _ in range(3):
                if client.post(referentie["_links"]["ontvangstbevestigen"]["href"]).status_code < 500:
                    break
    return 0


if __name__ == "__main__":
    sys.exit(main())
