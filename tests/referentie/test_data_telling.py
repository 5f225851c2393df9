"""Loaded objects against the real files: counts taken independently with lxml/XPath, references resolved."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

import referentie_lv
from referentie_lv.data.store import Store

BRON = Path(referentie_lv.__file__).parent / "bronnen" / "gemeentestad"
REGELING = "/akn/nl/act/gm0297/2019/reg456"
VOOR_10, NA_10 = "2022-01-01", "2024-01-01"
VERSIEMAPPEN = ["opdracht", "opdracht_10"]
# References the delivery makes to ids it does not contain (see data/README.md): the Rijk's parent
# activity (in the source only inside an XML comment) and two locations opdracht_10 never delivers.
BEKEND_EXTERN = {"nl.imow-gm0297.activiteit.ActInOmgevingsplanGem"}
BEKEND_ONTBREKEND_10 = {"nl.imow-gm0297.gebiedengroep.kantoorruimte", "nl.imow-gm0297.gebiedengroep.centrumgebied2"}

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def xp(pad: Path, expr: str) -> list:
    return etree.parse(str(pad), _PARSER).xpath(expr)


def ow_bestanden(map_: str) -> list[Path]:
    namen = xp(BRON / map_ / "manifest-ow.xml", "//*[local-name()='Bestand']/*[local-name()='naam']/text()")
    return [BRON / map_ / n.strip() for n in namen]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return Store.open(tmp_path_factory.mktemp("data"))


@pytest.mark.parametrize("map_", VERSIEMAPPEN)
def test_ow_objecten_per_bestand_gelijk_aan_bestand(store, map_):
    rijen = store.leveringsrijen()
    for pad in ow_bestanden(map_):
        in_bestand = Counter(etree.QName(e).localname for e in xp(pad, "//*[local-name()='owObject']/*"))
        geladen = Counter(r["type"] for r in rijen if r["bron"] == f"{map_}/{pad.name}")
        assert in_bestand and geladen == in_bestand, pad.name


def test_ow_stand_per_datum_gelijk_aan_bestanden(store):
    """State on a date = objects of opdracht, replaced/added/ended by opdracht_10 (computed from the XML)."""
    def ids(map_: str, status: str | None = None) -> dict[str, str]:
        uit = {}
        for pad in ow_bestanden(map_):
            for obj in xp(pad, "//*[local-name()='owObject']/*"):
                naam = etree.QName(obj).localname
                ident = obj.xpath("string(*[local-name()='identificatie'])").strip()
                st = obj.xpath("string(*[local-name()='status'])").strip()
                if naam == "SymbolisatieItem" or (status and st != status):
                    continue
                uit[ident] = naam
        return uit

    v1 = ids("opdracht")
    v10, beeindigd = ids("opdracht_10"), ids("opdracht_10", "beëindigen")
    verwacht_na = {**v1, **v10}
    for i in beeindigd:
        verwacht_na.pop(i)
    for dag, verwacht in ((VOOR_10, v1), (NA_10, verwacht_na)):
        geladen = {o["identificatie"]: o["type"] for o in store.ow_objecten(geldig_op=dag)
                   if o["type"] != "SymbolisatieItem"}
        assert geladen == verwacht, dag
    assert len(store.activiteiten(VOOR_10)) == sum(1 for t in v1.values() if t == "Activiteit") == 16
    assert len(store.activiteiten(NA_10)) == sum(1 for t in verwacht_na.values() if t == "Activiteit")


def test_tekst_en_begrippen_gelijk_aan_besluit(store):
    besluit = BRON / "opdracht" / "akn_nl_bill_gm0297-3520-01.xml"
    rc = "//*[local-name()='RegelingCompact']"
    for soort in ("Hoofdstuk", "Afdeling", "Artikel", "Lid", "Bijlage", "Divisietekst"):
        n = len(xp(besluit, f"{rc}//*[local-name()='{soort}']"))
        assert len(store.tekstelementen(REGELING, soort, VOOR_10)) == n, soort
    termen = sorted(t.strip() for t in xp(besluit, f"{rc}//*[local-name()='Begrip']/*[local-name()='Term']/text()"))
    assert sorted(b["term"] for b in store.begrippen(VOOR_10)) == termen and len(termen) == 10
    # Every article keeps its number/heading; every lid its number and text.
    for art in xp(besluit, f"{rc}//*[local-name()='Artikel']"):
        knoop = store.tekstelement(art.get("wId"))
        assert knoop["nummer"] == art.xpath("string(*[local-name()='Kop']/*[local-name()='Nummer'])").strip()
        leden = art.xpath("*[local-name()='Lid']")
        assert [lid["wId"] for lid in knoop["leden"]] == [lid.get("wId") for lid in leden]
        assert all(lid["tekst"] for lid in knoop["leden"])


def test_gio_geometrieen_gelijk_aan_gml(store):
    gmls = sorted((BRON / "opdracht").glob("*.gml"))
    ids = [i.strip() for g in gmls for i in xp(g, "//*[local-name()='Geometrie']/*[local-name()='id']/text()")]
    eigen = [i for i in store.geometrie_ids() if not i.startswith("afgeleid.")]
    assert sorted(ids) == sorted(eigen) and len(ids) == 14
    gio_xml = [p for p in (BRON / "opdracht").glob("*.xml")
               if etree.QName(etree.parse(str(p), _PARSER).getroot()).localname == "AanleveringInformatieObject"]
    assert len(store.informatieobjecten()) == len(gio_xml) == 10
    # Coordinates: every posList vertex is in the loaded geometry (RD New, same numbers).
    for g in gmls:
        for geo in xp(g, "//*[local-name()='Geometrie']"):
            gid = geo.xpath("string(*[local-name()='id'])").strip()
            getallen = [float(x) for pl in geo.xpath(".//*[local-name()='posList']/text()") for x in pl.split()]
            minx, miny = min(getallen[0::2]), min(getallen[1::2])
            maxx, maxy = max(getallen[0::2]), max(getallen[1::2])
            assert store.geometrie(gid)["bbox"] == pytest.approx([minx, miny, maxx, maxy]), gid
            assert store.geometrie(gid)["crs"] == "EPSG:28992"


@pytest.mark.parametrize("dag", [VOOR_10, NA_10])
def test_verwijzingen_opgelost(store, dag):
    onopgelost = {r["naar"] for r in store.onopgeloste_verwijzingen(dag)}
    verwacht = BEKEND_EXTERN | (BEKEND_ONTBREKEND_10 if dag == NA_10 else set())
    assert onopgelost == verwacht
    # ... and those really are in no file of the delivery (outside comments).
    alle_ids = {i.strip() for m in VERSIEMAPPEN for p in ow_bestanden(m)
                for i in xp(p, "//*[local-name()='identificatie']/text()")}
    assert not (verwacht & alle_ids)
    # Regeltekst -> article text; juridische regel -> regeltekst; locatie -> geometry.
    for rt in store.regelteksten(dag):
        assert rt["artikel"] is not None, rt["identificatie"]
        assert rt["juridischeRegels"], rt["identificatie"]
    for jr in store.juridische_regels(dag):
        assert store.regeltekst(jr["regeltekst"], dag) is not None
        for a in jr["activiteiten"]:
            assert a["activiteit"]["naam"], a
    for loc in store.locaties(dag):
        assert loc["geometrieIds"] and loc["bbox"], loc["identificatie"]


def test_regeltekst_keten_zoals_in_xml(store):
    """regeltekst -> juridische regel -> activiteit/locatie, checked against the XML itself."""
    pad = BRON / "opdracht" / "owRegeltekst-Gemeentestad.xml"
    for regel in xp(pad, "//*[local-name()='RegelVoorIedereen' or local-name()='Omgevingswaarderegel']"):
        ident = regel.xpath("string(*[local-name()='identificatie'])").strip()
        rt = regel.xpath("string(*[local-name()='artikelOfLid']/*/@*[local-name()='href'])")
        acts = set(regel.xpath("*[local-name()='activiteitaanduiding']/*[local-name()='ActiviteitRef']"
                               "/@*[local-name()='href']"))
        locs = set(regel.xpath("*[local-name()='locatieaanduiding']/*/@*[local-name()='href']"))
        geladen = store.juridische_regel(ident, VOOR_10)
        assert geladen["regeltekst"] == rt
        assert {a["activiteit"]["identificatie"] for a in geladen["activiteiten"]} == acts
        assert set(geladen["locaties"]) == locs
        assert ident in [j["identificatie"] for j in store.regeltekst(rt, VOOR_10)["juridischeRegels"]]


def test_activiteitenhierarchie(store):
    boom = store.activiteiten_boom(NA_10)
    wortel_ids = {k["identificatie"] for k in boom}
    assert "nl.imow-gm0297.activiteit.2019000540" not in wortel_ids   # under 241 since opdracht_10
    onder_241 = next(k for k in boom if k["identificatie"] == "nl.imow-gm0297.activiteit.2019000241")
    assert [k["identificatie"] for k in onder_241["onderliggende"]] == ["nl.imow-gm0297.activiteit.2019000540"]
    act = store.activiteit("nl.imow-gm0297.activiteit.2019000540", NA_10)
    assert [b["identificatie"] for b in act["bovenliggende"]] == [
        "nl.imow-gm0297.activiteit.2019000241", "nl.imow-gm0297.activiteit.ActInOmgevingsplanGem"]
    assert act["bovenliggende"][-1]["extern"] is True
