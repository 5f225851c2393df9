"""Voorbeeldclient: een VTH-systeem dat verzoeken goed ophaalt (rol vth).

Haalt alle nieuwe verzoeken op (bladert via _links.next tot de laatste pagina), haalt elk
verzoek en elke bijlage, bevestigt de ontvangst; probeert een 5xx bij lezen opnieuw met
oplopende wachttijd, en controleert na een mislukte bevestiging eerst de status voordat hij
opnieuw bevestigt (een POST herhaal je niet blind).

    dso-acceptatie afnemer --rol vth -- python afnemers/voorbeelden/vth_goed.py
"""

import os
import sys
import time

import httpx

BASIS = os.environ["DSO_BASIS_URL"].rstrip("/")
AFHANDELEN = BASIS + "/overheid/verzoeken/api/afhandelen/v1"
HAL = "application/hal+json"


def lees(client: httpx.Client, url: str, **kwargs) -> httpx.Response:
    for poging in range(5):
        antwoord = client.get(url, **kwargs)
        if antwoord.status_code == 429:
            time.sleep(float(antwoord.headers.get("Retry-After", "1")))
            continue
        if antwoord.status_code in (502, 503, 504):
            time.sleep(0.3 * 2 ** poging)
            continue
        antwoord.raise_for_status()
        return antwoord
    antwoord.raise_for_status()
    return antwoord


def bevestig(client: httpx.Client, verzoek: dict) -> None:
    link = verzoek["_links"].get("ontvangstbevestigen")
    if not link:
        return
    try:
        antwoord = client.post(link["href"])
        if antwoord.status_code < 500:
            antwoord.raise_for_status()
            return
    except httpx.TransportError:
        pass
    # the answer was lost: was the confirmation processed anyway? Only then confirm again.
    actueel = lees(client, verzoek["_links"]["self"]["href"], headers={"Accept": HAL}).json()
    if actueel["status"] == "nieuw":
        client.post(link["href"]).raise_for_status()


def main() -> int:
    with httpx.Client(headers={"x-api-key": os.environ["DSO_API_KEY"]}, timeout=30) as client:
        referenties = []
        url, params = AFHANDELEN + "/verzoeken", {"status": "nieuw", "pageSize": 10}
        while url:
            pagina = lees(client, url, params=params).json()
            referenties += pagina["_embedded"]["verzoekreferenties"]
            volgende = pagina["_links"].get("next")
            url, params = (volgende["href"], None) if volgende else (None, None)
        for referentie in referenties:
            verzoek = lees(client, referentie["_links"]["self"]["href"], headers={"Accept": HAL}).json()
            for bijlage in verzoek["bijlagen"]:
                lees(client, bijlage["_links"]["inhoud"]["href"])
            bevestig(client, referentie)
        print(f"{len(referenties)} verzoeken opgehaald en bevestigd")
    return 0


if __name__ == "__main__":
    sys.exit(main())
