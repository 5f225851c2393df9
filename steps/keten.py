"""Keten steps: what the loket shows or accepts, checked against the services behind it.

- A request submitted in the loket is fetched by the bevoegd gezag through Verzoek afhandelen and
  must be exactly what was entered (project, location, activity, answers, attachments).
- The loket's Vergunningcheck conclusion must equal the uitvoeren service's conclusion for the
  same answers (the loket is only a face on the same rules).
"""

from __future__ import annotations

import hashlib
import re

import pytest
from playwright.sync_api import Page
from pytest_bdd import parsers, then, when

from steps.api import beschrijf
from steps.loket import getoonde_conclusies

JA = {"ja", "true", "waar", "yes"}
NEE = {"nee", "false", "onwaar", "no"}


def _normaal(waarde) -> str:
    tekst = str(waarde).strip().lower()
    if tekst in JA:
        return "ja"
    if tekst in NEE:
        return "nee"
    try:
        getal = float(tekst.replace(",", "."))
        return str(int(getal)) if getal.is_integer() else str(getal)
    except ValueError:
        return tekst


# --- Aanvragen → Verzoek afhandelen --------------------------------------------------------------

@when("het bevoegd gezag dit verzoek ophaalt via de verzoekendienst", target_fixture="verzoek")
def haal_verzoek_op(api, gegevens):
    nummer = gegevens["verzoeknummer"]
    antwoord = api.get("verzoeken-afhandelen", f"/verzoeken/{nummer}",
                       headers={"Accept": "application/hal+json"})
    assert antwoord.status_code == 200, f"het bevoegd gezag kan verzoek {nummer} niet ophalen; {beschrijf(antwoord)}"
    return antwoord.json()


@then("bevat het opgehaalde verzoek wat ik heb ingevuld")
def vergelijk_verzoek(verzoek, gegevens, api):
    verschillen: list[str] = []
    project = verzoek.get("project") or {}
    verwacht = gegevens["project"]
    if project.get("naam") != verwacht.get("Projectnaam"):
        verschillen.append(f"projectnaam: '{project.get('naam')}' in plaats van '{verwacht.get('Projectnaam')}'")
    if "Projectomschrijving" in verwacht and project.get("omschrijving") != verwacht["Projectomschrijving"]:
        verschillen.append(f"projectomschrijving: '{project.get('omschrijving')}' in plaats van "
                           f"'{verwacht['Projectomschrijving']}'")
    locatie = (verzoek.get("locatie") or {}).get("omschrijving") or ""
    if gegevens["adres"] not in locatie:
        verschillen.append(f"locatie: '{locatie}' in plaats van '{gegevens['adres']}'")
    if not verzoek.get("activiteiten"):
        verschillen.append("het verzoek noemt geen enkele activiteit")
    if gegevens.get("soort", "").lower().startswith("aanvraag") and verzoek.get("soort") != "aanvraag":
        verschillen.append(f"soort: '{verzoek.get('soort')}' in plaats van 'aanvraag'")
    opgehaald = {a.get("vraagTekst") or a.get("vraag"): _normaal(a.get("antwoord"))
                 for a in verzoek.get("antwoorden") or []}
    for vraag, antwoord in (gegevens.get("aanvraag_antwoorden") or {}).items():
        if vraag not in opgehaald:
            verschillen.append(f"antwoord op '{vraag}' ontbreekt")
        elif opgehaald[vraag] != _normaal(antwoord):
            verschillen.append(f"antwoord op '{vraag}': '{opgehaald[vraag]}' in plaats van '{antwoord}'")
    bijlagen = {b.get("bestandsnaam"): b for b in verzoek.get("bijlagen") or []}
    for naam, inhoud in (gegevens.get("bijlagen") or {}).items():
        b = bijlagen.get(naam)
        if b is None:
            verschillen.append(f"bijlage '{naam}' ontbreekt")
            continue
        href = ((b.get("_links") or {}).get("inhoud") or {}).get("href")
        if b.get("sha256") and b["sha256"] != hashlib.sha256(inhoud).hexdigest():
            verschillen.append(f"bijlage '{naam}': andere inhoud (sha256)")
        if href:
            antwoord = api.haal(href, headers={"Accept": "*/*"})
            if antwoord.content != inhoud:
                verschillen.append(f"bijlage '{naam}': de opgehaalde inhoud wijkt af")
    assert not verschillen, ("het bevoegd gezag krijgt iets anders dan er is ingevuld: "
                             + "; ".join(verschillen))


# --- Vergunningcheck in het loket ↔ uitvoeren-API -----------------------------------------------------

def _waarde(gegevenstype: str, antwoord: str):
    if gegevenstype == "boolean":
        return _normaal(antwoord) == "ja"
    if gegevenstype == "number":
        getal = float(antwoord.replace(",", "."))
        return int(getal) if getal.is_integer() else getal
    return antwoord


def conclusies_van_api(api, werkzaamheid: str, antwoorden: dict[str, str]) -> dict[str, str]:
    """Ask the uitvoeren service, question by question, with the answers given in the loket."""
    pad = "/toepasbare-regels"
    regels = []
    for _ in range(20):   # follow paging (HAL 'next') a bounded number of times
        antwoord = api.get("uitvoeren", pad, params={"typering": "Conclusie"})
        assert antwoord.status_code == 200, beschrijf(antwoord)
        body = antwoord.json()
        regels += (body.get("_embedded") or {}).get("toepasbareRegels", [])
        volgende = ((body.get("_links") or {}).get("next") or {}).get("href")
        if not volgende:
            break
        pad = volgende.split("/toepasbare-regels", 1)[-1]
        pad = "/toepasbare-regels" + pad
    passend = [r for r in regels if werkzaamheid.lower() in r.get("naam", "").lower()]
    if not passend:
        pytest.skip(f"de uitvoeren-API kent geen Conclusie-regels voor '{werkzaamheid}'")
    activiteiten = sorted({a for r in passend for a in r.get("activiteiten", [])})
    gegeven: list[dict] = []
    for _ in range(len(antwoorden) + 2):
        antwoord = api.post("uitvoeren", "/conclusie/_bepaal", alleen_raadplegen=True,
                            json={"activiteiten": activiteiten, "antwoorden": gegeven})
        assert antwoord.status_code == 200, beschrijf(antwoord)
        body = antwoord.json()
        if body.get("status") == "afgerond":
            return {(r.get("conclusie") or {}).get("besluit", ""): (r.get("conclusie") or {}).get("waarde")
                    for r in body.get("resultaten", [])}
        vraag = next((r["volgendeVraag"] for r in body.get("resultaten", []) if r.get("volgendeVraag")), None)
        assert vraag, f"de uitvoeren-API is niet afgerond maar stelt geen vraag: {body}"
        tekst = vraag.get("tekst") or vraag.get("vraagtekst")
        assert tekst in antwoorden, (f"de uitvoeren-API stelt de vraag '{tekst}', die het loket niet "
                                     f"stelde (loket vroeg: {list(antwoorden)})")
        gegeven.append({"vraagId": vraag["id"], "waarde": _waarde(vraag.get("gegevenstype", ""), antwoorden[tekst])})
    raise AssertionError("de uitvoeren-API komt niet tot een conclusie")


@then("geeft de uitvoeren-API voor dezelfde antwoorden dezelfde conclusie als het loket")
def loket_gelijk_aan_api(page: Page, api, testdata, gegevens):
    werkzaamheid = gegevens["werkzaamheid"]
    api_conclusies = conclusies_van_api(api, werkzaamheid, gegevens["alle_antwoorden"])
    loket = getoonde_conclusies(page)
    verschillen = []
    for besluit, waarde in api_conclusies.items():
        tekst = testdata.vertaal("conclusies", str(waarde))
        naam = re.sub(r"^Besluit\s*-\s*", "", besluit)
        kop = next((k for k in loket if naam.lower() in k.lower()), None)
        if kop is None:
            verschillen.append(f"'{naam}': de API zegt '{tekst}', het loket toont geen conclusie")
        elif not re.search(rf"\b{re.escape(tekst)}\b", kop, re.IGNORECASE):
            verschillen.append(f"'{naam}': de API zegt '{tekst}', het loket toont '{kop}'")
    assert api_conclusies, "de uitvoeren-API gaf geen enkele conclusie"
    assert not verschillen, "loket en uitvoeren-API zijn het oneens: " + "; ".join(verschillen)


# --- Maatregelen op maat in het loket ↔ uitvoeren-API --------------------------------------------------

def toepasbare_regels(api, typering: str, werkzaamheid: str) -> list[dict]:
    """The uitvoeren service's rule sets of one kind for a werkzaamheid, with their questions."""
    antwoord = api.get("uitvoeren", "/toepasbare-regels", params={"typering": typering})
    assert antwoord.status_code == 200, beschrijf(antwoord)
    regels = [r for r in (antwoord.json().get("_embedded") or {}).get("toepasbareRegels", [])
              if werkzaamheid.lower() in r.get("naam", "").lower()]
    if not regels:
        pytest.skip(f"de uitvoeren-API kent geen {typering}-regels voor '{werkzaamheid}'")
    uit = []
    for r in regels:
        detail = api.get("uitvoeren", f"/toepasbare-regels/{r['identificatie']}")
        assert detail.status_code == 200, beschrijf(detail)
        uit.append(detail.json())
    return uit


@then("noemt het loket elke indieningsvereiste die de uitvoeren-API geeft")
def vereisten_gelijk_aan_api(page: Page, api, gegevens):
    regels = toepasbare_regels(api, "Indieningsvereisten", gegevens["werkzaamheid"])
    tabel = " ".join(page.get_by_role("main").get_by_role("row").all_inner_texts())
    ontbreekt = [v.get("toelichting") or v.get("tekst") for r in regels for v in r.get("vragen", [])
                 if (v.get("toelichting") or v.get("tekst") or "") not in tabel]
    assert regels and any(r.get("vragen") for r in regels), "de uitvoeren-API geeft geen vereisten"
    assert not ontbreekt, ("de uitvoeren-API vraagt meer dan het loket toont; ontbreekt op de "
                           f"pagina: {ontbreekt}")


# --- Regels op de kaart in het loket ↔ Presenteren-API ----------------------------------------------

RD = "http://www.opengis.net/def/crs/EPSG/0/28992"


@then(parsers.parse('vindt de Presenteren-API op locatie "{naam}" dezelfde regels als het loket'))
def regels_gelijk_aan_presenteren(page: Page, api, testdata, naam):
    x = float(testdata.vereis("locaties", naam, "x"))
    y = float(testdata.vereis("locaties", naam, "y"))
    regelteksten: list[dict] = []
    for pagina in range(1, 11):   # bounded paging
        antwoord = api.post("presenteren", "/annotaties/regeltekstannotaties/_zoek",
                            alleen_raadplegen=True, params={"page": pagina, "size": 100},
                            headers={"Content-Crs": RD, "Accept-Crs": RD},
                            json={"geometrie": {"type": "Point", "coordinates": [x, y]}})
        assert antwoord.status_code == 200, beschrijf(antwoord)
        body = antwoord.json()
        regelteksten += (body.get("_embedded") or {}).get("regelteksten", [])
        if pagina >= ((body.get("page") or {}).get("totalPages") or 1):
            break
    links = page.get_by_role("main").get_by_role("region").get_by_role("link").all_inner_texts()
    verschillen = []
    if len(links) != len(regelteksten):
        verschillen.append(f"het loket toont {len(links)} regels, de Presenteren-API vindt er "
                           f"{len(regelteksten)}")
    for rt in regelteksten:
        m = re.match(r"(Artikel\s+\S+)", rt.get("opschrift") or "")
        if m and not any(link.startswith(m.group(1) + " ") or link == m.group(1) for link in links):
            verschillen.append(f"'{rt.get('opschrift')}' staat niet in het loket")
    assert not verschillen, "loket en Presenteren-API zijn het oneens: " + "; ".join(verschillen)
