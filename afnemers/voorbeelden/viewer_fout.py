"""Voorbeeldclient: een kaartviewer met de fouten die leveranciers echt maken (rol viewer).

- de sleutel gaat als ?api_key= mee in de URL (handig bij het testen in de browser);
- een 429 wordt meteen opnieuw geprobeerd, Retry-After wordt genegeerd;
- geometrie zonder Accept-Crs (de viewer neemt aan dat het RD is);
- een niet-gedocumenteerde operatie (.../regelingen/{id}/kaart) die "in de oude versie bestond";
- kaarttegels worden in één keer opgehaald, zonder tempobeperking;
- een zoekvraag die na 0,5 s geen antwoord heeft, wordt nog eens gesteld ("de gebruiker wacht").
"""

import os
import sys
from concurrent.futures import ThreadPoolExecutor

import httpx

BASIS = os.environ["DSO_BASIS_URL"].rstrip("/")
PRESENTEREN = BASIS + "/publiek/omgevingsdocumenten/api/presenteren/v8"
SLEUTEL = os.environ["DSO_API_KEY"]


def haal(client: httpx.Client, url: str, **kwargs) -> httpx.Response:
    for _ in range(5):
        antwoord = client.get(url, **kwargs)
        if antwoord.status_code != 429:
            return antwoord
    return antwoord


def main() -> int:
    with httpx.Client(headers={"x-api-key": SLEUTEL}, timeout=30) as client:
        regelingen = haal(client, PRESENTEREN + "/regelingen").json()
        haal(client, PRESENTEREN + "/regelingen", params={"_sort": "citeertitel,desc", "api_key": SLEUTEL})
        eerste = regelingen["_embedded"]["regelingen"][0]["_links"]["self"]["href"]
        client.get(eerste + "/kaart")
        with ThreadPoolExecutor(max_workers=8) as pool:   # "tiles": 40 calls at once
            list(pool.map(lambda i: haal(client, PRESENTEREN + "/regelingen", params={"size": 1 + i % 5}),
                          range(40)))
        for _ in range(3):
            try:
                client.post(PRESENTEREN + "/annotaties/regeltekstannotaties/_zoek",
                            json={"geometrie": {"type": "Point", "coordinates": [136800.0, 424300.0]}},
                            headers={"Content-Crs": "http://www.opengis.net/def/crs/EPSG/0/28992"}, timeout=0.5)
                break
            except httpx.TimeoutException:
                continue
    return 0


if __name__ == "__main__":
    sys.exit(main())
