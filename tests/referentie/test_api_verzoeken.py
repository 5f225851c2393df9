"""Verzoek indienen v1 and Verzoek afhandelen v1 of the reference LV, against a real server.

Covers submitting (happy path, every validation error naming its field, limits), immutability
(405 with Allow), the bevoegd gezag's side (references, XML that parses safely and validates
against our XSD, JSON variant, attachments, receipt), and persistence across a restart of the
server process.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from api_server import vrije_poort
from lxml import etree
from probleem import ongeldige_parameters

SLEUTEL = "verzoeken-testsleutel"
ROOT = Path(__file__).resolve().parents[2]
XSD = ROOT / "src" / "referentie_lv" / "specs" / "verzoekbericht.xsd"
IN = "/publiek/verzoeken/api/indienen/v1"
AF = "/overheid/verzoeken/api/afhandelen/v1"
RD = {"Content-Crs": "http://www.opengis.net/def/crs/EPSG/0/28992"}
NS = {"vb": "urn:dso-acceptatie:referentie-lv:verzoekbericht:1",
      "gml": "http://www.opengis.net/gml/3.2"}
KAPPEN = "nl.imow-gm0297.activiteit.2019000810"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def veilige_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False)


def verzoek(**wijzig) -> dict:
    body = {
        "soort": "aanvraag",
        "projectnaam": "Eik <kappen> & \"snoeien\" in de tuin",
        "projectomschrijving": "Een zieke eik van 12 meter wordt gekapt.",
        "locatie": {"omschrijving": "Testweg 1, Gemeentestad",
                    "adres": {"straatnaam": "Testweg", "huisnummer": 1, "postcode": "5301 AB"},
                    "geometrie": {"type": "Point", "coordinates": [136800.0, 424300.0]}},
        "activiteiten": [{"identificatie": KAPPEN}],
        "antwoorden": [{"vraag": "boomOuderDan10Jaar", "vraagTekst": "Is de boom ouder dan 10 jaar?",
                        "antwoord": "true", "functioneleStructuurRef": "kappen-conclusie"},
                       {"vraag": "stamomtrek", "antwoord": "120"}],
        "indiener": {"naam": "J. de Vries", "email": "j.devries@example.org"},
        "bijlagen": [{"bestandsnaam": "situatie.pdf", "mediatype": "application/pdf",
                      "inhoud": base64.b64encode(PDF).decode()},
                     {"bestandsnaam": "foto boom.png", "mediatype": "image/png",
                      "omschrijving": "Foto van de boom", "inhoud": base64.b64encode(PNG).decode()}],
    }
    body.update(wijzig)
    return body


@pytest.fixture(scope="module")
def ingediend(client):
    r = client.post(IN + "/verzoeken", json=verzoek(), headers=RD)
    assert r.status_code == 201, r.text
    return r


def _param(r: httpx.Response) -> list[str]:
    return ongeldige_parameters(r)


# --------------------------------------------------------------------------- indienen

def test_indienen_geeft_verzoeknummer_en_location(client, ingediend):
    b = ingediend.json()
    assert re.fullmatch(r"OLO\d{7}", b["verzoeknummer"])
    assert ingediend.headers["api-version"] == "1.0.0"
    assert ingediend.headers["content-type"].startswith("application/hal+json")
    assert b["bevoegdGezag"]["code"] == "gm0297"
    assert b["activiteiten"] == [{"identificatie": KAPPEN, "naam": "boom kappen"}]
    assert [x["bestandsnaam"] for x in b["bijlagen"]] == ["situatie.pdf", "foto boom.png"]
    assert b["bijlagen"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    loc = ingediend.headers["location"]
    assert loc.endswith(f"{IN}/verzoeken/{b['verzoeknummer']}")
    assert b["_links"]["self"]["href"] == loc
    r = client.get(loc)
    assert r.status_code == 200 and r.json()["verzoeknummer"] == b["verzoeknummer"]


def test_nummers_lopen_op(client, ingediend):
    r = client.post(IN + "/verzoeken", json=verzoek(soort="melding"), headers=RD)
    assert r.status_code == 201
    assert int(r.json()["verzoeknummer"][3:]) > int(ingediend.json()["verzoeknummer"][3:])


@pytest.mark.parametrize("pad", [IN + "/verzoeken/{nr}", AF + "/verzoeken/{nr}"])
@pytest.mark.parametrize("methode", ["PUT", "PATCH", "DELETE"])
def test_ingediend_verzoek_niet_te_wijzigen(client, ingediend, pad, methode):
    nr = ingediend.json()["verzoeknummer"]
    r = client.request(methode, pad.format(nr=nr), json={"projectnaam": "anders"})
    assert r.status_code == 405
    assert {x.strip() for x in r.headers["allow"].split(",")} == {"GET", "HEAD"}
    _param(r)
    assert client.get(AF + f"/verzoeken/{nr}", headers={"Accept": "application/hal+json"}) \
        .json()["project"]["naam"] == verzoek()["projectnaam"]


@pytest.mark.parametrize("wijzig, veld", [
    ({"projectnaam": ""}, "projectnaam"),
    ({"soort": "klacht"}, "soort"),
    ({"activiteiten": []}, "activiteiten"),
    ({"locatie": {"omschrijving": "zonder geometrie"}}, "locatie.geometrie"),
    ({"bijlagen": [{"bestandsnaam": "../../etc/passwd", "mediatype": "text/plain",
                    "inhoud": "YQ=="}]}, "bijlagen[0].bestandsnaam"),
    ({"bijlagen": [{"bestandsnaam": "a.exe", "mediatype": "application/x-msdownload",
                    "inhoud": "YQ=="}]}, "bijlagen[0].mediatype"),
    ({"bijlagen": [{"bestandsnaam": "a.txt", "mediatype": "text/plain",
                    "inhoud": "dit is geen base64!"}]}, "bijlagen[0].inhoud"),
    ({"indiener": {"naam": "X", "email": "geen-adres"}}, "indiener.email"),
])
def test_ongeldige_body_400_noemt_veld(client, wijzig, veld):
    r = client.post(IN + "/verzoeken", json=verzoek(**wijzig), headers=RD)
    assert r.status_code == 400, r.text
    assert veld in _param(r)


def test_ontbrekend_verplicht_veld_genoemd(client):
    body = verzoek()
    del body["projectnaam"]
    r = client.post(IN + "/verzoeken", json=body, headers=RD)
    assert r.status_code == 400 and "projectnaam" in _param(r)


@pytest.mark.parametrize("wijzig, veld", [
    ({"activiteiten": [{"identificatie": "nl.imow-gm0297.activiteit.bestaatniet"}]},
     "activiteiten[0].identificatie"),
    ({"bijlagen": [{"bestandsnaam": "nep.pdf", "mediatype": "application/pdf",
                    "inhoud": base64.b64encode(b"gewone tekst").decode()}]},
     "bijlagen[0].inhoud"),
    ({"locatie": {"geometrie": {"type": "Point", "coordinates": [5.12, 51.8]}}},
     "locatie.geometrie"),
    ({"locatie": {"geometrie": {"type": "Polygon", "coordinates": [
        [[136800, 424300], [136900, 424400], [136900, 424300], [136800, 424400],
         [136800, 424300]]]}}}, "locatie.geometrie"),
])
def test_onverwerkbare_inhoud_422_noemt_veld(client, wijzig, veld):
    r = client.post(IN + "/verzoeken", json=verzoek(**wijzig), headers=RD)
    assert r.status_code == 422, r.text
    assert veld in _param(r)


def test_bijlage_te_groot_413(client):
    groot = b"a" * (5 * 1024 * 1024 + 1)
    r = client.post(IN + "/verzoeken", headers=RD, json=verzoek(bijlagen=[
        {"bestandsnaam": "groot.txt", "mediatype": "text/plain",
         "inhoud": base64.b64encode(groot).decode()}]))
    assert r.status_code == 413
    assert "bijlagen[0].inhoud" in _param(r)


def test_body_te_groot_413_zonder_alles_te_lezen(server):
    # A raw socket: the client announces 31 MiB but sends almost nothing; the server must answer
    # 413 from the announced length instead of waiting for (or buffering) the whole body.
    host, poort = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(poort)), timeout=10) as s:
        s.sendall((f"POST {IN}/verzoeken HTTP/1.1\r\nHost: {host}\r\nx-api-key: {SLEUTEL}\r\n"
                   f"Content-Type: application/json\r\nContent-Crs: epsg:28992\r\n"
                   f"Content-Length: {31 * 1024 * 1024}\r\nConnection: close\r\n\r\n{{").encode())
        antwoord = s.recv(65536).decode(errors="replace")
    assert antwoord.startswith("HTTP/1.1 413"), antwoord[:200]
    assert "application/problem+json" in antwoord


def test_content_crs_verplicht_en_alleen_rd(client):
    r = client.post(IN + "/verzoeken", json=verzoek())
    assert r.status_code == 400 and "Content-Crs" in _param(r)
    r = client.post(IN + "/verzoeken", json=verzoek(),
                    headers={"Content-Crs": "http://www.opengis.net/def/crs/EPSG/0/4326"})
    assert r.status_code == 400 and "Content-Crs" in _param(r)
    r = client.post(IN + "/verzoeken", json=verzoek(), headers={"Content-Crs": "epsg:28992"})
    assert r.status_code == 201


def test_geen_json_400_en_verkeerd_mediatype_415(client):
    r = client.post(IN + "/verzoeken", content=b"{kapot", headers={
        **RD, "Content-Type": "application/json"})
    assert r.status_code == 400
    _param(r)
    r = client.post(IN + "/verzoeken", content=b"projectnaam=x", headers={
        **RD, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    _param(r)


def test_sleutel_verplicht(server):
    r = httpx.post(server.url + IN + "/verzoeken", json=verzoek(), headers=RD)
    assert r.status_code == 401 and r.headers["api-version"] == "1.0.0"
    r = httpx.get(server.url + AF + "/verzoeken", headers={"x-api-key": "onbekend"})
    assert r.status_code == 403
    _param(r)


# --------------------------------------------------------------------------- afhandelen

def test_nieuwe_referenties_en_ontvangst_bevestigen(client):
    nr = client.post(IN + "/verzoeken", json=verzoek(), headers=RD).json()["verzoeknummer"]

    def nummers(status: str) -> list[str]:
        r = client.get(AF + "/verzoeken", params={"status": status, "pageSize": 100})
        assert r.status_code == 200 and r.headers["api-version"] == "1.0.0"
        return [v["verzoeknummer"] for v in r.json()["_embedded"]["verzoekreferenties"]]

    assert nr in nummers("nieuw") and nr not in nummers("ontvangen")
    r = client.post(AF + f"/verzoeken/{nr}/_ontvangstbevestigen")
    assert r.status_code == 200, r.text
    eerste = r.json()
    assert eerste["status"] == "ontvangen" and eerste["ontvangenOp"]
    assert "ontvangstbevestigen" not in eerste["_links"]
    assert nr not in nummers("nieuw") and nr in nummers("ontvangen")
    # Idempotent: confirming again changes nothing.
    tweede = client.post(AF + f"/verzoeken/{nr}/_ontvangstbevestigen").json()
    assert tweede["ontvangenOp"] == eerste["ontvangenOp"]
    xml = etree.fromstring(client.get(AF + f"/verzoeken/{nr}").content, veilige_parser())
    assert xml.findtext("vb:status", namespaces=NS) == "ontvangen"


def test_referenties_pagineren_zonder_gaten(client):
    for _ in range(3):
        assert client.post(IN + "/verzoeken", json=verzoek(), headers=RD).status_code == 201
    alles = [v["verzoeknummer"] for v in client.get(
        AF + "/verzoeken", params={"pageSize": 100}).json()["_embedded"]["verzoekreferenties"]]
    assert len(alles) >= 4
    gezien, url, paginas = [], AF + "/verzoeken?pageSize=2", 0
    while url:
        r = client.get(url)
        assert r.status_code == 200
        b = r.json()
        gezien += [v["verzoeknummer"] for v in b["_embedded"]["verzoekreferenties"]]
        paginas += 1
        if paginas > 1:
            assert "previous" in b["_links"]
        url = b["_links"].get("next", {}).get("href")
        assert paginas <= 50
    assert gezien == alles and len(set(gezien)) == len(gezien)
    assert paginas == b["page"]["totalPages"]


@pytest.mark.parametrize("params, naam", [({"status": "klaar"}, "status"),
                                          ({"pageSize": "0"}, "pageSize"),
                                          ({"bevoegdGezag": "zaltbommel"}, "bevoegdGezag"),
                                          ({"onbekend": "1"}, "onbekend")])
def test_referenties_ongeldige_parameter(client, params, naam):
    r = client.get(AF + "/verzoeken", params=params)
    assert r.status_code == 400 and naam in _param(r)


def test_verzoek_als_xml_veilig_te_parsen_en_volledig(client, ingediend):
    nr = ingediend.json()["verzoeknummer"]
    r = client.get(AF + f"/verzoeken/{nr}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/xml")
    assert b"<!DOCTYPE" not in r.content and b"<!ENTITY" not in r.content
    doc = etree.fromstring(r.content, veilige_parser())
    assert etree.QName(doc).namespace == NS["vb"] and etree.QName(doc).localname == "verzoekbericht"
    schema = etree.XMLSchema(etree.parse(str(XSD), veilige_parser()))
    schema.assertValid(doc)
    def t(pad):
        return doc.findtext(pad, namespaces=NS)
    ingestuurd = verzoek()
    assert t("vb:verzoeknummer") == nr
    assert t("vb:project/vb:naam") == ingestuurd["projectnaam"]      # '<', '&', '"' round-trip
    assert t("vb:project/vb:omschrijving") == ingestuurd["projectomschrijving"]
    assert t("vb:locatie/vb:adres/vb:postcode") == "5301 AB"
    assert t("vb:locatie/vb:geometrie/gml:Point/gml:pos").split() == ["136800.0", "424300.0"]
    assert doc.find("vb:locatie/vb:geometrie/gml:Point", NS).get("srsName").endswith("28992")
    assert [a.get("identificatie") for a in doc.iterfind("vb:activiteiten/vb:activiteit", NS)] \
        == [KAPPEN]
    antwoorden = [(a.findtext("vb:vraag", namespaces=NS), a.findtext("vb:waarde", namespaces=NS))
                  for a in doc.iterfind("vb:antwoorden/vb:antwoord", NS)]
    assert antwoorden == [("boomOuderDan10Jaar", "true"), ("stamomtrek", "120")]
    bijlagen = doc.findall("vb:bijlagen/vb:bijlage", NS)
    assert [b.findtext("vb:bestandsnaam", namespaces=NS) for b in bijlagen] == \
        ["situatie.pdf", "foto boom.png"]
    # Every attachment link works and returns exactly what was submitted.
    for b, inhoud, mt in zip(bijlagen, (PDF, PNG), ("application/pdf", "image/png"), strict=False):
        rb = client.get(b.findtext("vb:href", namespaces=NS))
        assert rb.status_code == 200 and rb.content == inhoud
        assert rb.headers["content-type"].startswith(mt)
        assert "attachment" in rb.headers["content-disposition"]
        assert b.findtext("vb:sha256", namespaces=NS) == hashlib.sha256(inhoud).hexdigest()


def test_verzoek_als_json(client, ingediend):
    nr = ingediend.json()["verzoeknummer"]
    r = client.get(AF + f"/verzoeken/{nr}", headers={"Accept": "application/hal+json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/hal+json")
    b = r.json()
    assert b["project"]["naam"] == verzoek()["projectnaam"]
    assert b["locatie"]["geometrie"] == verzoek()["locatie"]["geometrie"]
    assert len(b["bijlagen"]) == 2 and b["bijlagen"][1]["omschrijving"] == "Foto van de boom"
    r = client.get(AF + f"/verzoeken/{nr}", headers={"Accept": "text/html"})
    assert r.status_code == 406


def test_onbekend_of_ongeldig_verzoeknummer(client, ingediend):
    r = client.get(AF + "/verzoeken/OLO9999999")
    assert r.status_code == 404
    _param(r)
    r = client.get(AF + "/verzoeken/12345")
    assert r.status_code == 400 and "verzoeknummer" in _param(r)
    nr = ingediend.json()["verzoeknummer"]
    assert client.get(AF + f"/verzoeken/{nr}/bijlagen/7").status_code == 404
    r = client.get(AF + f"/verzoeken/{nr}/bijlagen/x")
    assert r.status_code == 400 and "bijlageId" in _param(r)
    assert client.post(AF + "/verzoeken/OLO9999999/_ontvangstbevestigen").status_code == 404


# --------------------------------------------------------------------------- persistence

def _start(poort: int, data_map: Path) -> subprocess.Popen:
    env = {**os.environ, "REFERENTIE_LV_API_SLEUTELS": SLEUTEL}
    p = subprocess.Popen([sys.executable, "-m", "referentie_lv", "--port", str(poort),
                          "--data-map", str(data_map)], env=env, cwd=ROOT,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    eind = time.monotonic() + 60
    while time.monotonic() < eind:
        if p.poll() is not None:
            raise AssertionError("referentie-lv stopte: " + p.stderr.read().decode(errors="replace"))
        try:
            if httpx.get(f"http://127.0.0.1:{poort}/health", timeout=1).status_code == 200:
                return p
        except httpx.HTTPError:
            time.sleep(0.1)
    p.kill()
    raise AssertionError("referentie-lv startte niet binnen 60 s")


def _stop(p: subprocess.Popen) -> None:
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    p.stderr.close()


def test_verzoek_overleeft_herstart(tmp_path):
    poort = vrije_poort()
    basis = f"http://127.0.0.1:{poort}"
    h = {"x-api-key": SLEUTEL}
    p = _start(poort, tmp_path)
    try:
        r = httpx.post(basis + IN + "/verzoeken", json=verzoek(), headers={**h, **RD}, timeout=30)
        assert r.status_code == 201, r.text
        nr = r.json()["verzoeknummer"]
        voor = httpx.get(basis + AF + f"/verzoeken/{nr}", headers=h).content
    finally:
        _stop(p)
    with pytest.raises(httpx.HTTPError):
        httpx.get(basis + "/health", timeout=1)
    p = _start(poort, tmp_path)
    try:
        na = httpx.get(basis + AF + f"/verzoeken/{nr}", headers=h)
        assert na.status_code == 200
        assert na.content == voor
        pdf = httpx.get(basis + AF + f"/verzoeken/{nr}/bijlagen/1", headers=h)
        assert pdf.content == PDF
        # Numbering continues after the restart: no number is handed out twice.
        r2 = httpx.post(basis + IN + "/verzoeken", json=verzoek(), headers={**h, **RD}, timeout=30)
        assert r2.status_code == 201 and r2.json()["verzoeknummer"] != nr
    finally:
        _stop(p)


def test_antwoorden_passen_in_de_eigen_spec(client, ingediend):
    from spec_schema import valideer
    valideer("verzoeken-indienen.yaml", "/verzoeken", "post", 201, "application/hal+json",
             ingediend.json())
    nr = ingediend.json()["verzoeknummer"]
    valideer("verzoeken-indienen.yaml", "/verzoeken/{verzoeknummer}", "get", 200,
             "application/hal+json", client.get(IN + f"/verzoeken/{nr}").json())
    valideer("verzoeken-afhandelen.yaml", "/verzoeken", "get", 200, "application/hal+json",
             client.get(AF + "/verzoeken").json())
    valideer("verzoeken-afhandelen.yaml", "/verzoeken/{verzoeknummer}", "get", 200,
             "application/hal+json",
             client.get(AF + f"/verzoeken/{nr}", headers={"Accept": "application/hal+json"}).json())
    nieuw = client.post(IN + "/verzoeken", json=verzoek(),
                        headers=RD).json()["verzoeknummer"]
    valideer("verzoeken-afhandelen.yaml", "/verzoeken/{verzoeknummer}/_ontvangstbevestigen", "post",
             200, "application/hal+json",
             client.post(AF + f"/verzoeken/{nieuw}/_ontvangstbevestigen").json())
    r = client.post(IN + "/verzoeken", json=verzoek(projectnaam=""), headers=RD)
    valideer("verzoeken-indienen.yaml", "/verzoeken", "post", 400, "application/problem+json",
             r.json())


def test_verzoek_als_pdf(client, ingediend):
    nr = ingediend.json()["verzoeknummer"]
    r = client.get(AF + f"/verzoeken/{nr}", headers={"Accept": "application/pdf"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    pdf = r.content
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    # The cross-reference table points at every object (a reader can open it).
    xref = int(pdf[pdf.rindex(b"startxref"):].split()[1])
    assert pdf[xref:xref + 4] == b"xref"
    regels = pdf[xref:].split(b"trailer")[0].split(b"\n")[3:-1]
    for n, regel in enumerate(regels, start=1):
        assert pdf[int(regel[:10]):].startswith(b"%d 0 obj" % n)
    # The content is readable text (uncompressed), parentheses escaped.
    assert b"(Verzoek " + nr.encode() + b")" in pdf
    assert b"Eik <kappen> & \"snoeien\" in de tuin" in pdf
    assert b"situatie.pdf" in pdf


def test_stuurtekens_en_ongeldige_unicode(client):
    # JSON can carry control characters; the XML replaces them instead of failing.
    r = client.post(IN + "/verzoeken", json=verzoek(projectnaam="boom\x01kappen\x1f"), headers=RD)
    assert r.status_code == 201
    nr = r.json()["verzoeknummer"]
    doc = etree.fromstring(client.get(AF + f"/verzoeken/{nr}").content, veilige_parser())
    assert doc.findtext("vb:project/vb:naam", namespaces=NS) == "boom\ufffdkappen\ufffd"
    # A file name with a control character is refused (it would end up in headers and paths).
    r = client.post(IN + "/verzoeken", headers=RD, json=verzoek(bijlagen=[
        {"bestandsnaam": "a\nb.txt", "mediatype": "text/plain", "inhoud": "YQ=="}]))
    assert r.status_code == 400 and "bijlagen[0].bestandsnaam" in _param(r)
    # A lone surrogate is not Unicode text: 400 naming the field.
    ruw = json_bytes_met_los_surrogaat()
    r = client.post(IN + "/verzoeken", content=ruw, headers={**RD, "Content-Type": "application/json"})
    assert r.status_code == 400 and "projectnaam" in _param(r)


def json_bytes_met_los_surrogaat() -> bytes:
    import json
    tekst = json.dumps(verzoek(projectnaam="X"))
    return tekst.replace('"projectnaam": "X"', '"projectnaam": "X\\ud800"').encode()
