"""Voorbeeldclient: een kaartviewer die het goed doet (rol viewer).

Zoals een leverancier hem schrijft: httpx, de basis-URL en de sleutel uit de omgeving
(DSO_BASIS_URL, DSO_API_KEY), de sleutel in de header x-api-key, Accept-Crs bij geometrie,
wachten op Retry-After bij een 429 en een beperkt tempo.

    dso-acceptatie afnemer --rol viewer -- python afnemers/voorbeelden/viewer_goed.py
"""

import os
import sys
import time

import httpx

BASIS = os.environ["DSO_BASIS_URL"].rstrip("/")
PRESENTEREN = BASIS + "/publiek/omgevingsdocumenten/api/presenteren/v8"
RD = "http://www.opengis.net/def/crs/EPSG/0/28992"
MAX_PER_SECONDE = float(os.environ.get("DSO_MAX_VERZOEKEN_PER_SECONDE", "200"))

_laatste = 0.0


def verstuur(client: httpx.Client, methode: str, url: str, **kwargs) -> httpx.Response:
    """One call, under the documented rate, honouring 429 Retry-After and retrying 5xx with backoff."""
    global _laatste
    for poging in range(5):
        wacht = _laatste + 1 / MAX_PER_SECONDE - time.monotonic()
        if wacht > 0:
            time.sleep(wacht)
        _laatste = time.monotonic()
        antwoord = client.request(methode, url, **kwargs)
        if antwoord.status_code == 429:
            time.sleep(float(antwoord.headers.get("Retry-After", "1")))
            continue
        if antwoord.status_code in (502, 503, 504) and methode == "GET":
            time.sleep(0.5 * 2 ** poging)
            continue
        antwoord.raise_for_status()
        return antwoord
    antwoord.raise_for_status()
    return antwoord


def main() -> int:
    with httpx.Client(headers={"x-api-key": os.environ["DSO_API_KEY"]}, timeout=30) as client:
        regelingen = verstuur(client, "GET", PRESENTEREN + "/regelingen").json()
        # the user sorts the list the other way round
        verstuur(client, "GET", PRESENTEREN + "/regelingen", params={"_sort": "citeertitel,desc"})
        for regeling in regelingen["_embedded"]["regelingen"][:2]:
            verstuur(client, "GET", regeling["_links"]["self"]["href"])
        # the user clicks on the map: which rules apply here?
        zoek = verstuur(client, "POST", PRESENTEREN + "/annotaties/regeltekstannotaties/_zoek",
                        json={"geometrie": {"type": "Point", "coordinates": [136800.0, 424300.0]}},
                        headers={"Content-Crs": RD, "Accept-Crs": RD})
        print(f"{len(regelingen['_embedded']['regelingen'])} regelingen; zoeken: status {zoek.status_code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
