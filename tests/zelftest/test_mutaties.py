"""Each proxy mutation on a sample exchange (no network): what it changes, what it leaves alone,
and that it counts only the exchanges it changed."""

from __future__ import annotations

import re
import time

import orjson
import pytest

from dso_acceptatie.zelftest import mutatietabel, proxy

SLEUTEL = "echte-sleutel"
JSON = [("content-type", "application/hal+json"), ("api-version", "1.0.0")]
PROBLEEM = [("content-type", "application/problem+json"), ("api-version", "1.0.0")]
HTML = [("content-type", "text/html; charset=utf-8")]


def _antwoord(klasse, status=200, headers=JSON, body=None, methode="GET", pad="/api/v1/dingen"):
    m = klasse(SLEUTEL)
    uit = m.antwoord(methode, pad, status, list(headers), orjson.dumps(body) if body is not None else b"")
    return m, uit


def test_de_lijst_heeft_minstens_20_soorten_met_unieke_namen_en_een_fase():
    namen = [k.naam for k in proxy.MUTATIES]
    assert len(set(namen)) == len(namen) >= 20
    assert {k.groep for k in proxy.MUTATIES} == {"API", "loket", "DMN/STTR", "last"}
    assert all(k.fase in ("contracten", "klantreizen", "last") and k.beschrijving for k in proxy.MUTATIES)
    tabel = mutatietabel()
    assert all(f"`{n}`" in tabel for n in namen) and "`geen-api-version`" in tabel


def test_headers():
    m, (_, h, _) = _antwoord(proxy.GeenApiVersion)
    assert "api-version" not in dict(h) and m.toegepast == 1
    crs = [*JSON, ("content-crs", "http://www.opengis.net/def/crs/EPSG/0/28992")]
    m, (_, h, _) = _antwoord(proxy.GeenContentCrs, headers=crs)
    assert "content-crs" not in dict(h) and m.toegepast == 1
    m, (_, h, _) = _antwoord(proxy.FoutContentCrs, headers=crs)
    assert dict(h)["content-crs"].endswith("/4326") and m.toegepast == 1
    m, _ = _antwoord(proxy.FoutContentCrs)   # no Content-Crs: nothing to lie about
    assert m.toegepast == 0
    m, (_, h, _) = _antwoord(proxy.FoutContentType, status=404, headers=PROBLEEM, body={"status": 404})
    assert dict(h)["content-type"].startswith("text/plain") and m.toegepast == 1
    limiet = [*JSON, ("x-rate-limit-limit", "200"), ("retry-after", "1")]
    m, (_, h, _) = _antwoord(proxy.GeenRateLimitHeaders, status=429, headers=limiet)
    assert dict(h).keys() == {"content-type", "api-version"} and m.toegepast == 1


def test_schema_type_en_verplicht_veld():
    m, (_, _, b) = _antwoord(proxy.SchemaType, body={"_links": {"self": {"href": "x"}}, "aantal": 3, "naam": "a"})
    assert orjson.loads(b) == {"_links": {"self": {"href": "x"}}, "aantal": "3", "naam": "a"} and m.toegepast == 1
    m, (_, _, b) = _antwoord(proxy.SchemaType, body={"response": {"numFound": 1, "docs": []}})
    assert orjson.loads(b)["response"]["numFound"] == "1"
    m, (_, _, b) = _antwoord(proxy.VerplichtVeldWeg, body={"items": [{"identificatie": "a", "naam": "b"}]})
    assert orjson.loads(b) == {"items": [{"naam": "b"}]} and m.toegepast == 1
    m, (_, _, b) = _antwoord(proxy.VerplichtVeldWeg, status=404, headers=PROBLEEM, body={"identificatie": "a"})
    assert m.toegepast == 0   # only successful answers


def test_sleutels():
    zonder = proxy.ZonderSleutelGeaccepteerd(SLEUTEL)
    assert (proxy.SLEUTEL_HEADER, SLEUTEL) in zonder.verzoek("GET", "/x", [("accept", "*/*")])
    assert zonder.verzoek("GET", "/x", [(proxy.SLEUTEL_HEADER, "fout")]) == [(proxy.SLEUTEL_HEADER, "fout")]
    assert zonder.toegepast == 1
    onbekend = proxy.OnbekendeSleutelGeaccepteerd(SLEUTEL)
    assert onbekend.verzoek("GET", "/x", [(proxy.SLEUTEL_HEADER, "fout")]) == [(proxy.SLEUTEL_HEADER, SLEUTEL)]
    assert onbekend.verzoek("GET", "/x", []) == [] and onbekend.toegepast == 1


def test_paginalinks_status_en_foutinhoud():
    body = {"_links": {"self": {"href": "/d?page=2"}, "next": {"href": "/d?page=3"}, "prev": {"href": "/d?page=1"}}}
    m, (_, _, b) = _antwoord(proxy.KapottePaginalinks, body=body)
    links = orjson.loads(b)["_links"]
    assert links["next"]["href"] == "/d?page=4" and links["prev"]["href"] == "/d?page=2"
    assert links["self"]["href"] == "/d?page=2" and m.toegepast == 1
    m, (status, _, _) = _antwoord(proxy.StatusVerkeerd, status=404, headers=PROBLEEM, body={"status": 404})
    assert status == 200 and m.toegepast == 1
    m, (_, _, b) = _antwoord(proxy.ProbleemZonderStatus, status=400, headers=PROBLEEM,
                             body={"status": 400, "title": "Fout", "detail": "d"})
    assert orjson.loads(b) == {"detail": "d"} and m.toegepast == 1


def test_503_deel_en_fouten_onder_last():
    m = proxy.VijfHonderdDeel(SLEUTEL)
    statussen = [m.antwoord("GET", "/api/v1/x", 200, JSON, b"{}")[0] for _ in range(10)]
    assert statussen.count(503) == 2 and m.toegepast == 2

    class Proxy:
        onderweg = 1

    m = proxy.FoutenOnderLast(SLEUTEL)
    m.koppel(Proxy)
    assert m.antwoord("GET", "/api/v1/x", 200, JSON, b"{}")[0] == 200
    Proxy.onderweg = 5
    status, headers, body = m.antwoord("GET", "/api/v1/x", 200, JSON, b"{}")
    assert status == 503 and dict(headers)["content-type"] == proxy.PROBLEM_JSON and m.toegepast == 1


def test_spec_drift():
    spec = {"openapi": "3.0.3", "info": {"version": "1"}, "paths": {"/a": {}, "/b": {}}}
    m, (_, _, b) = _antwoord(proxy.SpecDrift, headers=[("content-type", "application/json")], body=spec,
                             pad="/api/v1/openapi.json")
    assert list(orjson.loads(b)["paths"]) == ["/a"] and m.toegepast == 1
    m, _ = _antwoord(proxy.SpecDrift, body=spec)   # not the spec's path
    assert m.toegepast == 0


PAGINA = ('<!DOCTYPE html><html lang="nl"><body><a class="utrecht-skip-link" href="#inhoud">Naar de inhoud</a>'
          '<h1 class="k">Conclusie</h1><label class="l" for="adres">Adres</label><input id="adres">'
          '<h2>Vergunningplicht: bouwen</h2><a href="/aanvragen/start?x=1">Verder naar Aanvragen</a>'
          '<button type="submit">Zoek</button><dt class="k">Verzoeknummer</dt><dd class="v">AB123456</dd></html>')


@pytest.mark.parametrize(("klasse", "weg", "erbij"), [
    (proxy.LoketLabelsWeg, 'for="adres"', None),
    (proxy.LoketLangWeg, 'lang="nl"', None),
    (proxy.LoketKoppenWeg, "<h1", '<p class="k">Conclusie</p>'),
    (proxy.LoketFocusWeg, None, '<a tabindex="-1" class="utrecht-skip-link"'),
    (proxy.LoketConclusieTegenApi, "Vergunningplicht", "Toestemmingsvrij: bouwen"),
    (proxy.LoketVerzoeknummerWeg, "AB123456", None),
    (proxy.LoketLinkKapot, 'href="/aanvragen', 'href="/kapot/aanvragen/start'),
])
def test_loketpaginas(klasse, weg, erbij):
    m = klasse(SLEUTEL)
    _, _, b = m.antwoord("GET", "/vergunningcheck/conclusie", 200, HTML, PAGINA.encode())
    tekst = b.decode()
    assert (weg is None or weg not in tekst) and (erbij is None or erbij in tekst) and m.toegepast == 1
    _, _, json_body = m.antwoord("GET", "/vergunningcheck/x", 200, JSON, PAGINA.encode())
    assert json_body == PAGINA.encode() and m.toegepast == 1   # only HTML pages are rewritten


def test_bijlage_kwijt_alleen_een_upload_met_bestand():
    m = proxy.LoketBijlageKwijt(SLEUTEL)
    kop = [("content-type", "multipart/form-data; boundary=x")]
    met = b'--x\r\nContent-Disposition: form-data; name="bestand"; filename="plan.pdf"\r\n\r\n%PDF\r\n--x--\r\n'
    assert m.kortsluiting("POST", "/aanvragen/bijlagen", kop, met) == (303, [("location", "/aanvragen/bijlagen")], b"")
    leeg = met.replace(b'filename="plan.pdf"', b'filename=""')
    assert m.kortsluiting("POST", "/aanvragen/bijlagen", kop, leeg) is None
    assert m.kortsluiting("POST", "/aanvragen/bijlagen", HTML, b"verwijder=1") is None and m.toegepast == 1


def test_drempel_verschoven_en_het_antwoord_verbergt_het():
    m = proxy.DrempelVerschoven(SLEUTEL)
    verzoek = {"activiteiten": ["a"],
               "antwoorden": [{"vraagId": "opp", "waarde": 19}, {"vraagId": "j", "waarde": True}]}
    omhoog = orjson.loads(m.verzoek_body("POST", "/u/conclusie/_bepaal", JSON, orjson.dumps(verzoek)))
    assert omhoog["antwoorden"] == [{"vraagId": "opp", "waarde": 20}, {"vraagId": "j", "waarde": True}]
    antwoord = {"resultaten": [{"conclusie": {"waarde": "Meldingsplicht",
                                              "gebruikteAntwoorden": [{"vraagId": "opp", "waarde": 20}]}}]}
    _, _, b = m.antwoord("POST", "/u/conclusie/_bepaal", 200, JSON, orjson.dumps(antwoord))
    assert orjson.loads(b)["resultaten"][0]["conclusie"]["gebruikteAntwoorden"][0]["waarde"] == 19
    assert m.verzoek_body("GET", "/u/werkzaamheden", JSON, b"") == b"" and m.toegepast == 1


def test_conclusie_verwisseld_voor_een_activiteit():
    m = proxy.ConclusieVerwisseldEenActiviteit(SLEUTEL)
    antwoord = {"resultaten": [
        {"activiteit": {"naam": "Kappen van een boom"}, "conclusie": {"waarde": "Vergunningplicht"}},
        {"activiteit": {"naam": "Bouwen van een bijgebouw"}, "conclusie": {"waarde": "Vergunningplicht"}}]}
    _, _, b = m.antwoord("POST", "/u/conclusie/_bepaal", 200, JSON, orjson.dumps(antwoord))
    assert [r["conclusie"]["waarde"] for r in orjson.loads(b)["resultaten"]] == ["Toestemmingsvrij", "Vergunningplicht"]
    assert m.toegepast == 1


def test_latentie():
    overal, een = proxy.LatentieOveral(SLEUTEL), proxy.LatentieEenEndpoint(SLEUTEL)
    assert overal.vertraging("GET", "/publiek/omgevingsdocumenten/api/presenteren/v8/regelingen") > 0
    assert overal.vertraging("GET", "/") == 0 and overal.toegepast == 1
    assert een.vertraging("GET", "/publiek/omgevingsdocumenten/api/geometrieopvragen/v1/geometrieen/x") > 0
    assert een.vertraging("GET", "/publiek/omgevingsdocumenten/api/presenteren/v8/regelingen") == 0
    assert een.toegepast == 1


def test_de_proxy_herschrijft_en_kortsluit_echt(tmp_path):
    """Through a real proxy (uvicorn) in front of a tiny ASGI origin on loopback: the hooks apply."""
    import threading

    import httpx
    import uvicorn

    from dso_acceptatie.afnemers.proxy import OpnameProxy
    from dso_acceptatie.records import Masker

    async def origin(scope, receive, send):
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html"), (b"content-length", b"27")]})
        await send({"type": "http.response.body", "body": b'<html lang="nl"><h1>x</h1>'.ljust(27)})

    config = uvicorn.Config(origin, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    draad = threading.Thread(target=server.run, daemon=True)
    draad.start()
    while not server.started:
        time.sleep(0.01)
    poort = server.servers[0].sockets[0].getsockname()[1]
    try:
        for klasse in (proxy.LoketLangWeg, proxy.LoketBijlageKwijt):
            m = klasse(SLEUTEL)
            with OpnameProxy(f"http://127.0.0.1:{poort}", tmp_path / "v.jsonl", masker=Masker([]), mutator=m) as p:
                r = httpx.get(p.url + "/pagina", timeout=10)
                upload = httpx.post(p.url + "/aanvragen/bijlagen", files={"bestand": ("a.pdf", b"%PDF")},
                                    timeout=10, follow_redirects=False)
            if klasse is proxy.LoketLangWeg:
                # the page and the upload's HTML answer were both rewritten
                assert r.status_code == 200 and not re.search("lang=", r.text) and m.toegepast == 2
            else:
                assert upload.status_code == 303 and upload.headers["location"] == "/aanvragen/bijlagen"
                assert m.toegepast == 1
    finally:
        server.should_exit = True
        draad.join(timeout=10)


def test_de_readme_toont_de_actuele_lijst():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    tussen = readme.split("<!-- mutaties:begin -->\n", 1)[1].split("\n<!-- mutaties:einde -->", 1)[0]
    assert tussen == mutatietabel(), "README verouderd: plak de uitvoer van python -m dso_acceptatie.zelftest"
