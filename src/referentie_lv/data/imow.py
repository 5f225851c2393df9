"""Reading IMOW (OW) deelbestanden into plain dicts, one per owObject, references as id lists."""

from __future__ import annotations

from pathlib import Path

from referentie_lv.data.xmlveilig import lees_xml, lokaal

XLINK = "{http://www.w3.org/1999/xlink}href"

JURIDISCHE_REGELS = {"RegelVoorIedereen", "Instructieregel", "Omgevingswaarderegel"}
LOCATIES = {"Gebied", "Gebiedengroep", "Lijn", "Lijnengroep", "Punt", "Puntengroep", "Ambtsgebied",
            "Locatiegroep"}


def _kind(el, naam: str):
    for k in el:
        if lokaal(k) == naam:
            return k
    return None


def _tekst(el, naam: str) -> str | None:
    k = _kind(el, naam)
    return " ".join("".join(k.itertext()).split()) if k is not None else None


def _refs(el, *paden: str) -> list[str]:
    """xlink:href of the *Ref elements under el/<pad> (pad = local names separated by '/')."""
    uit: list[str] = []
    for pad in paden:
        huidige = [el]
        for stap in pad.split("/"):
            huidige = [k for h in huidige for k in h if lokaal(k) == stap]
        for h in huidige:
            for r in h:
                if lokaal(r).endswith("Ref") and r.get(XLINK):
                    uit.append(r.get(XLINK))
    return uit


def _juridische_regel(el, soort: str) -> dict:
    aanduidingen = []
    for aa in (k for k in el if lokaal(k) == "activiteitaanduiding"):
        ala = _kind(aa, "ActiviteitLocatieaanduiding")
        act = next((r.get(XLINK) for r in aa if lokaal(r) == "ActiviteitRef"), None)
        aanduidingen.append({
            "activiteit": act,
            "identificatie": _tekst(ala, "identificatie") if ala is not None else None,
            "activiteitregelkwalificatie": _tekst(ala, "activiteitregelkwalificatie") if ala is not None else None,
            "locaties": _refs(ala, "locatieaanduiding") if ala is not None else [],
            "gebiedsaanwijzingen": _refs(ala, "gebiedsaanwijzing") if ala is not None else [],
            "omgevingsnormen": _refs(ala, "omgevingsnormaanduiding") if ala is not None else [],
        })
    return {
        "soort": soort,
        "idealisatie": _tekst(el, "idealisatie"),
        "regeltekst": next(iter(_refs(el, "artikelOfLid")), None),
        "locaties": _refs(el, "locatieaanduiding"),
        "gebiedsaanwijzingen": _refs(el, "gebiedsaanwijzing"),
        "activiteitaanduidingen": aanduidingen,
        "omgevingsnormen": _refs(el, "omgevingsnormaanduiding"),
        "omgevingswaarden": _refs(el, "omgevingswaardeaanduiding"),
        "kaarten": _refs(el, "kaartaanduiding"),
        "themas": [" ".join("".join(k.itertext()).split()) for k in el if lokaal(k) == "thema"],
        "gerelateerdeRegelteksten": _refs(el, "gerelateerdeRegeltekst"),
        "instructieregelInstrument": _tekst(el, "instructieregelInstrument"),
    }


def lees_ow_object(obj) -> dict:
    """One child of ow-dc:owObject to a dict with at least 'type' and 'identificatie'."""
    soort = lokaal(obj)
    d: dict = {"type": soort, "identificatie": _tekst(obj, "identificatie"),
               "status": _tekst(obj, "status")}
    if soort == "Regeltekst":
        d.update(wId=obj.get("wId"), themas=[], gerelateerdeRegelteksten=_refs(obj, "gerelateerdeRegeltekst"))
    elif soort in JURIDISCHE_REGELS:
        d.update(_juridische_regel(obj, soort))
    elif soort == "Activiteit":
        d.update(naam=_tekst(obj, "naam"), groep=_tekst(obj, "groep"),
                 bovenliggendeActiviteit=next(iter(_refs(obj, "bovenliggendeActiviteit")), None),
                 gerelateerdeActiviteiten=_refs(obj, "gerelateerdeActiviteit"))
    elif soort in LOCATIES:
        d.update(noemer=_tekst(obj, "noemer"),
                 geometrieRef=next(iter(_refs(obj, "geometrie")), None),
                 groepselementen=_refs(obj, "groepselement"),
                 hoogte=_tekst(obj, "hoogte"))
        if soort == "Ambtsgebied":
            bg = _kind(_kind(obj, "bestuurlijkeGrenzenVerwijzing"), "BestuurlijkeGrenzenVerwijzing")
            d.update(bestuurlijkeGrenzenID=_tekst(bg, "bestuurlijkeGrenzenID"),
                     domein=_tekst(bg, "domein"), geldigOp=_tekst(bg, "geldigOp"))
    elif soort == "Gebiedsaanwijzing":
        d.update(naam=_tekst(obj, "naam"), gebiedsaanwijzingtype=_tekst(obj, "type"),
                 groep=_tekst(obj, "groep"), locaties=_refs(obj, "locatieaanduiding"))
    elif soort in ("Omgevingsnorm", "Omgevingswaarde"):
        waarden = []
        nw = _kind(obj, "normwaarde")
        for w in (nw if nw is not None else []):
            if lokaal(w) != "Normwaarde":
                continue
            waarden.append({
                "identificatie": _tekst(w, "identificatie"),
                "kwantitatieveWaarde": float(_tekst(w, "kwantitatieveWaarde"))
                if _kind(w, "kwantitatieveWaarde") is not None else None,
                "kwalitatieveWaarde": _tekst(w, "kwalitatieveWaarde"),
                "waardeInRegeltekst": _tekst(w, "waardeInRegeltekst"),
                "locaties": _refs(w, "locatieaanduiding"),
            })
        d.update(naam=_tekst(obj, "naam"), normtype=_tekst(obj, "type"), eenheid=_tekst(obj, "eenheid"),
                 groep=_tekst(obj, "groep"), normwaarden=waarden)
    elif soort == "Kaart":
        ext = _kind(_kind(obj, "uitsnede"), "Kaartextent") if _kind(obj, "uitsnede") is not None else None
        lagen = []
        kl = _kind(obj, "kaartlagen")
        for laag in (kl if kl is not None else []):
            if lokaal(laag) != "Kaartlaag":
                continue
            lagen.append({"identificatie": _tekst(laag, "identificatie"), "naam": _tekst(laag, "naam"),
                          "niveau": _tekst(laag, "niveau"),
                          "refs": _refs(laag, "normweergave", "activiteitLocatieweergave",
                                        "gebiedsaanwijzingweergave")})
        d.update(naam=_tekst(obj, "naam"), nummer=_tekst(obj, "nummer"),
                 extent=[float(_tekst(ext, k)) for k in ("minX", "minY", "maxX", "maxY")] if ext is not None else None,
                 kaartlagen=lagen)
    elif soort in ("Pons", "Regelingsgebied"):
        d.update(locaties=_refs(obj, "locatieaanduiding"))
    elif soort == "SymbolisatieItem":
        refs = _refs(obj, "normwaardeSymbolisatie", "activiteitLocatieaanduidingSymbolisatie",
                     "gebiedsaanwijzingSymbolisatie")
        d.update(symboolcode=_tekst(obj, "symboolcode"), refs=refs)
        # SymbolisatieItem carries no identificatie of its own: key it by what it symbolises.
        d["identificatie"] = "symbolisatie:" + "|".join(refs)
    else:
        d["onbekend"] = True
    return d


def lees_ow_bestand(pad: Path) -> dict:
    root = lees_xml(pad).getroot()
    objecten = []
    levering = None
    for el in root.iter():
        naam = lokaal(el)
        if naam == "leveringsId":
            levering = " ".join(el.text.split()) if el.text else None
        if naam == "owObject":
            obj = next((k for k in el if lokaal(k)), None)
            if obj is not None:
                o = lees_ow_object(obj)
                o["bron"] = pad.name
                objecten.append(o)
    return {"bestand": pad.name, "leveringsId": levering, "objecten": objecten}
