"""The intake of the reference LV (LVBB aanleveren, modelled): status resource, validation report
with official codes, hostile zips refused, and an accepted delivery served by Presenteren at its
geldigOp while a refused one changes nothing. Real uvicorn server on loopback."""

from __future__ import annotations

import io
import stat
import warnings
import zipfile

import httpx
import pytest

from dso_acceptatie.leveringen import keten
from tests.leveringen.conftest import SLEUTEL

INTAKE = "/overheid/lvbb/api/aanleveren/v1"
PRESENTEREN = "/publiek/omgevingsdocumenten/api/presenteren/v8"


@pytest.fixture(scope="module")
def client(referentie):
    c = keten.Intake(referentie.url + INTAKE, referentie.url + PRESENTEREN, SLEUTEL)
    yield c
    c.close()


def _zip(bestanden: dict[str, bytes], **kw) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", **kw) as z:
        for naam, data in bestanden.items():
            z.writestr(naam, data)
    return buf.getvalue()


def _dubbel() -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w") as z:
        warnings.simplefilter("ignore")          # zipfile warns about the duplicate: that is the point
        z.writestr("opdracht.xml", b"<a/>")
        z.writestr("opdracht.xml", b"<b/>")
    return buf.getvalue()


def _symlink() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("opdracht.xml")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(info, "/etc/passwd")
    return buf.getvalue()


def _codes(item: dict) -> set[str]:
    return {b["code"] for b in item["verslag"]["bevindingen"]}


def test_vaststelling_wijziging_intrekking_zichtbaar_in_presenteren(client):
    werk, gevallen = keten.gevallen("test-keten")
    per_naam = {g.naam.split(" ")[0]: g for g in gevallen if "gepubliceerd" not in g.naam}
    vast = client.lever(keten.zip_van(keten.VOORBEELDEN / "opdracht", per_naam["vaststelling"].vervang))
    assert vast["status"] == "geaccepteerd", vast["verslag"]
    assert [h["status"] for h in vast["historie"]] == ["ontvangen", "inBehandeling", "geaccepteerd"]
    assert vast["regelingversies"] == [{"identificatie": werk, "expressieIdentificatie": f"{werk}/nld@1",
                                        "geldigVanaf": "2020-01-14"}]
    assert client.regeling(werk, "2020-01-13") == (404, None)
    assert client.regeling(werk, "2020-01-14") == (200, f"{werk}/nld@1")

    wijz = client.lever(keten.zip_van(keten.VOORBEELDEN / "opdracht", per_naam["wijziging:"].vervang))
    assert wijz["status"] == "geaccepteerd", wijz["verslag"]
    assert client.regeling(werk, "2023-12-31") == (200, f"{werk}/nld@1")
    assert client.regeling(werk, "2024-01-01") == (200, f"{werk}/nld@2")
    r = httpx.get(f"{client.presenteren}/regelingen/{werk.replace('/', '%2F')}/documentstructuur",
                  params={"geldigOp": "2024-01-01"}, headers={"x-api-key": SLEUTEL})
    assert r.status_code == 200 and r.json()["expressieIdentificatie"] == f"{werk}/nld@2"

    intr = client.lever(keten.zip_van(keten.VOORBEELDEN / "opdracht_intrekking", per_naam["intrekking"].vervang))
    assert intr["status"] == "geaccepteerd", intr["verslag"]
    assert intr["intrekkingen"] == [{"identificatie": werk, "geldigTot": "2025-01-01"}]
    assert client.regeling(werk, "2024-12-31") == (200, f"{werk}/nld@2")
    assert client.regeling(werk, "2025-01-01") == (404, None)
    # the Gemeentestad plan itself is untouched
    assert client.regeling(keten.WORK, "2025-06-01")[0] == 200


def test_ongeldige_levering_afgewezen_met_code_en_verandert_niets(client):
    _, gevallen = keten.gevallen("test-ongeldig")
    ongeldig = [g for g in gevallen if g.naam.startswith(("ongeldig", "vijandig"))]
    assert len(ongeldig) == 5
    voor = client.stand()
    for g in ongeldig:
        inhoud = g.ruw() if g.ruw else keten.zip_van(keten.VOORBEELDEN / g.bron, g.vervang)
        item = client.lever(inhoud)
        assert item["status"] == "afgewezen", g.naam
        assert set(g.codes) <= _codes(item), (g.naam, item["verslag"])
        assert item["regelingversies"] == [] and item["intrekkingen"] == []
    assert client.stand() == voor


def test_opdracht_10_zoals_gepubliceerd_heeft_verwijzingen_die_nergens_landen(client):
    item = client.lever(keten.zip_van(keten.VOORBEELDEN / "opdracht_10", []))
    assert item["status"] == "afgewezen"
    assert {"OZON0045", "OZON0121"} <= _codes(item)
    assert any("kantoorruimte" in b["bericht"] for b in item["verslag"]["bevindingen"])


@pytest.mark.parametrize(("naam", "inhoud", "code"), [
    ("absoluut pad", lambda: _zip({"/etc/x.xml": b"<x/>"}), "LVBB1001"),
    ("dubbele naam", lambda: _dubbel(), "LVBB1042"),
    ("symlink", lambda: _symlink(), "LVBB1001"),
    ("zip-bom", lambda: _zip({"opdracht.xml": b"0" * (80 * 1024 * 1024)},
                             compression=zipfile.ZIP_DEFLATED), "LVBB1041"),
    ("leeg bestand", lambda: _zip({"opdracht.xml": b""}), "LVBB1041"),
    ("entiteiten", lambda: _zip({"opdracht.xml": b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
                                 "manifest.xml": b"<m/>"}), "LVBB1001"),
    ("geen opdracht", lambda: _zip({"manifest.xml": b"<m/>"}), "LVBB1002"),
])
def test_vijandige_en_kapotte_zips_afgewezen(client, naam, inhoud, code):
    item = client.lever(inhoud())
    assert item["status"] == "afgewezen", naam
    assert code in _codes(item), item["verslag"]


def test_sleutel_grootte_en_mediatype(referentie):
    url = referentie.url + INTAKE + "/aanleveringen"
    assert httpx.post(url, content=b"x", headers={"content-type": "application/zip"}).status_code == 401
    assert httpx.post(url, content=b"x", headers={"content-type": "application/zip",
                                                   "x-api-key": "fout"}).status_code == 403
    assert httpx.post(url, content=b"x", headers={"content-type": "text/plain",
                                                   "x-api-key": SLEUTEL}).status_code == 415
    groot = httpx.post(url, content=b"0" * (17 * 1024 * 1024),
                       headers={"content-type": "application/zip", "x-api-key": SLEUTEL})
    assert groot.status_code == 413
    assert httpx.get(url + "/" + "0" * 32, headers={"x-api-key": SLEUTEL}).status_code == 404


def test_spec_in_contracts_is_dezelfde_als_die_de_referentie_serveert():
    from tests.leveringen.helpers import PROJECT
    assert (PROJECT / "contracts/leveringen/aanleveren.yaml").read_bytes() == \
        (PROJECT / "src/referentie_lv/specs/aanleveren.yaml").read_bytes()


def test_dezelfde_regelingversie_twee_keer_afgewezen(client):
    werk, gevallen = keten.gevallen("test-dubbel")
    inhoud = keten.zip_van(keten.VOORBEELDEN / "opdracht", gevallen[0].vervang)
    assert client.lever(inhoud)["status"] == "geaccepteerd"
    tweede = client.lever(inhoud)
    assert tweede["status"] == "afgewezen" and "LVBB4805" in _codes(tweede)
    assert client.regeling(werk, "2020-01-14") == (200, f"{werk}/nld@1")


def test_versie_tussen_twee_bestaande_versies(client):
    werk, gevallen = keten.gevallen("test-tussen")
    vast, wijz = gevallen[0], gevallen[1]
    for g in (vast, wijz):
        assert client.lever(keten.zip_van(keten.VOORBEELDEN / g.bron, g.vervang))["status"] == "geaccepteerd"
    tussen = [*wijz.vervang[:2], (None, f"{werk}/nld@1", f"{werk}/nld@3"),
              (None, "<datum>2020-01-14</datum>", "<datum>2022-01-01</datum>"),
              (None, keten.BESLUIT, keten.BESLUIT + "tussen")]
    assert client.lever(keten.zip_van(keten.VOORBEELDEN / "opdracht", tussen))["status"] == "geaccepteerd"
    assert client.regeling(werk, "2021-12-31") == (200, f"{werk}/nld@1")
    assert client.regeling(werk, "2022-01-01") == (200, f"{werk}/nld@3")
    assert client.regeling(werk, "2024-01-01") == (200, f"{werk}/nld@2")
    lijst = [r for r in client.stand()["2024-06-01"] if r[0] == werk]
    assert lijst == [(werk, f"{werk}/nld@2", "2024-01-01", None)]
