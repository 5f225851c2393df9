"""The reference LV under hostile requests, as its own process on loopback (``python -m
referentie_lv``), so that its memory (VmRSS) is its own: bodies and headers over the limits, deeply
nested JSON, a foreign Host header, a form the loket cannot parse. Each attack gets a Dutch error
with the right status, memory stays bounded, and ``/health`` keeps answering fast.

Large inputs are generated here and streamed from one reused buffer (nothing big is committed).
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import orjson
import pytest

from tests.referentie.api_server import ServerProces
from tests.referentie.probleem import ongeldige_parameters

SLEUTEL = "robuust-test"
MiB = 1024 * 1024

PRESENTEREN_ZOEK = "/publiek/omgevingsdocumenten/api/presenteren/v8/annotaties/regeltekstannotaties/_zoek"
UITVOEREN_BEPAAL = "/publiek/toepasbare-regels/api/toepasbareregelsuitvoerenservices/v3/conclusie/_bepaal"
VERZOEKEN_INDIENEN = "/publiek/verzoeken/api/indienen/v1/verzoeken"

HEALTH_MAX = 1.0              # seconds
RSS_GROEI_MAX = 100 * MiB     # growth of the server's memory over a whole attack


@pytest.fixture(scope="module")
def lv(tmp_path_factory) -> Iterator[ServerProces]:
    with ServerProces(SLEUTEL, tmp_path_factory.mktemp("robuust")) as s:
        # Warm up what every API request touches, so later growth is the attack's own.
        with httpx.Client(base_url=s.url, headers={"x-api-key": SLEUTEL}, timeout=30) as c:
            c.get("/publiek/omgevingsdocumenten/api/presenteren/v8/regelingen")
            c.post(UITVOEREN_BEPAAL, json={})
            c.get("/")
        yield s


def health_duur(lv: ServerProces) -> float:
    begin = time.monotonic()
    r = httpx.get(lv.url + "/health", timeout=10)
    assert r.status_code == 200
    return time.monotonic() - begin


def tijdens(lv: ServerProces, aanval: Callable[[], object]) -> tuple[object, list[float]]:
    """Run ``aanval`` in a thread while /health is asked every 50 ms; its result and the times."""
    uitkomst: list[object] = []
    t = threading.Thread(target=lambda: uitkomst.append(aanval()), daemon=True)
    t.start()
    duren = []
    while t.is_alive() or not duren:
        duren.append(health_duur(lv))
        time.sleep(0.05)
    t.join(timeout=30)
    duren.append(health_duur(lv))
    assert uitkomst, "de aanval gaf geen uitkomst"
    return uitkomst[0], duren


def _lees_antwoord(s: socket.socket, tot: float) -> bytes:
    """All the server sends until it closes (or ``tot`` passes); a reset ends it too."""
    data = b""
    s.settimeout(max(0.1, tot - time.monotonic()))
    with contextlib.suppress(OSError):
        while deel := s.recv(65536):
            data += deel
    return data


def ruw_verzoek(lv: ServerProces, kop: bytes, body: Iterator[bytes], seconden: float = 10) -> bytes:
    """Send ``kop`` and then the chunks of ``body`` on a raw socket, stopping as soon as the
    server answers or closes; return what it answered (b"" when it only closed)."""
    tot = time.monotonic() + seconden
    with socket.create_connection(("127.0.0.1", lv.poort), timeout=seconden) as s:
        try:
            s.sendall(kop)
            for deel in body:
                if time.monotonic() > tot:
                    break
                leesbaar, _, _ = select.select([s], [], [], 0)
                if leesbaar:
                    break
                s.sendall(deel)
        except OSError:
            pass                      # the server closed while we were still sending: fine
        return _lees_antwoord(s, tot)


def http_antwoord(ruw: bytes) -> tuple[int, dict[str, str], bytes]:
    kop, _, body = ruw.partition(b"\r\n\r\n")
    regels = kop.decode("latin-1").split("\r\n")
    status = int(regels[0].split()[1])
    headers = {}
    for regel in regels[1:]:
        naam, _, waarde = regel.partition(":")
        headers[naam.strip().lower()] = waarde.strip()
    return status, headers, body


def blokken(totaal: int, grootte: int = MiB, chunked: bool = False) -> Iterator[bytes]:
    blok = b" " * grootte       # one buffer, sent again and again
    stuk = f"{grootte:x}\r\n".encode() + blok + b"\r\n" if chunked else blok
    for _ in range(totaal // grootte):
        yield stuk
    if chunked:
        yield b"0\r\n\r\n"


def aanvraagkop(lv: ServerProces, pad: str, extra: str) -> bytes:
    return (f"POST {pad} HTTP/1.1\r\nHost: 127.0.0.1:{lv.poort}\r\nx-api-key: {SLEUTEL}\r\n"
            f"Content-Type: application/json\r\nContent-Crs: epsg:28992\r\n{extra}\r\n").encode()


def assert_probleem(status: int, headers: dict[str, str], body: bytes, verwacht: int) -> dict:
    assert status == verwacht, body[:300]
    assert headers["content-type"].startswith("application/problem+json")
    probleem = orjson.loads(body)
    assert probleem["status"] == verwacht and probleem["title"] and probleem["detail"]
    return probleem


# --------------------------------------------------------------------------- bodies

@pytest.mark.parametrize("pad", [PRESENTEREN_ZOEK, UITVOEREN_BEPAAL, VERZOEKEN_INDIENEN])
def test_aangekondigde_grote_body_direct_413(lv, pad):
    """Content-Length says 300 MB: 413 before the body is read (we send only 2 MiB of it)."""
    rss_voor = lv.rss()
    kop = aanvraagkop(lv, pad, f"Content-Length: {300 * 1000 * 1000}\r\n")
    ruw, duren = tijdens(lv, lambda: ruw_verzoek(lv, kop, blokken(2 * MiB)))
    probleem = assert_probleem(*http_antwoord(ruw), 413)
    assert probleem["title"] == "Verzoek te groot." and "groter dan" in probleem["detail"]
    assert max(duren) < HEALTH_MAX
    assert lv.rss() - rss_voor < RSS_GROEI_MAX


@pytest.mark.parametrize("pad", [PRESENTEREN_ZOEK, UITVOEREN_BEPAAL])
def test_chunked_body_boven_de_grens_413_en_vrijgegeven(lv, pad):
    """A chunked body of (up to) 300 MB, five times: each 413 once past the 10 MiB cap, and the
    rejected bodies do not stay in memory: five kept bodies would be 50 MiB or more, the bound
    is 40 MiB (before: a rejected 100 MB body kept 60-100 MB)."""
    rss_voor = lv.rss()
    kop = aanvraagkop(lv, pad, "Transfer-Encoding: chunked\r\n")
    for _ in range(5):
        ruw, duren = tijdens(lv, lambda: ruw_verzoek(lv, kop, blokken(300 * MiB, chunked=True)))
        probleem = assert_probleem(*http_antwoord(ruw), 413)
        assert "groter dan 10 MiB" in probleem["detail"]
        assert max(duren) < HEALTH_MAX
    assert lv.rss() - rss_voor < 40 * MiB
    # and the service still works
    r = httpx.post(lv.url + UITVOEREN_BEPAAL, json={}, headers={"x-api-key": SLEUTEL}, timeout=10)
    assert r.status_code in (200, 400)


def test_body_onder_de_grens_wordt_gewoon_verwerkt(lv):
    """A large but allowed body (5 MiB of JSON whitespace around {}) reaches the handler."""
    body = b" " * (5 * MiB) + b"{}"
    r = httpx.post(lv.url + UITVOEREN_BEPAAL, content=body, timeout=10,
                   headers={"x-api-key": SLEUTEL, "content-type": "application/json"})
    assert r.status_code != 413 and r.status_code < 500


# --------------------------------------------------------------------------- nested JSON

def genest(diepte: int) -> bytes:
    return b'{"a":' * diepte + b"1" + b"}" * diepte


@pytest.mark.parametrize("pad", [PRESENTEREN_ZOEK, UITVOEREN_BEPAAL, VERZOEKEN_INDIENEN])
@pytest.mark.parametrize("body", [genest(1000), b"[" * 1000 + b"]" * 1000, genest(100)],
                         ids=["object-1000", "lijst-1000", "object-100"])
def test_diep_geneste_json_is_400(lv, pad, body):
    r = httpx.post(lv.url + pad, content=body, timeout=10,
                   headers={"x-api-key": SLEUTEL, "content-type": "application/json",
                            "content-crs": "epsg:28992"})
    assert r.status_code == 400, r.text
    ongeldige_parameters(r)
    assert r.json()["detail"] in ("De body is te diep genest: hoogstens 64 niveaus van objecten en "
                                  "lijsten.", "De body is geen geldige JSON.")
    assert health_duur(lv) < HEALTH_MAX


# --------------------------------------------------------------------------- headers

def test_header_van_64_mb_wordt_snel_geweigerd(lv):
    rss_voor = lv.rss()
    kop = f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{lv.poort}\r\nX-Groot: ".encode()
    begin = time.monotonic()
    ruw, duren = tijdens(lv, lambda: ruw_verzoek(lv, kop, blokken(64 * MiB)))
    assert time.monotonic() - begin < 2
    if ruw:                                        # or the connection was simply closed
        probleem = assert_probleem(*http_antwoord(ruw), 431)
        assert probleem["title"] == "Headers te groot."
    assert max(duren) < HEALTH_MAX
    assert lv.rss() - rss_voor < RSS_GROEI_MAX


def test_gewone_headers_blijven_toegestaan(lv):
    r = httpx.get(lv.url + "/health", headers={"x-veel": "a" * 8000, "cookie": "b" * 8000})
    assert r.status_code == 200


# --------------------------------------------------------------------------- Host

@pytest.mark.parametrize("pad", [
    "/publiek/omgevingsdocumenten/api/presenteren/v8/regelingen?size=1",
    "/publiek/catalogus/api/opvragen/v3/begrippen?pageSize=10",
    "/overheid/verzoeken/api/afhandelen/v1/verzoeken",
    "/publiek/omgevingsdocumenten/api/presenteren/v8/bestaat-niet",
    "/ontwikkelaars",
    "/bestaat-niet",
])
@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1@evil.example",
                                  "localhost/evil.example"])
def test_vreemde_host_komt_nergens_in_het_antwoord(lv, pad, host):
    r = httpx.get(lv.url + pad, headers={"x-api-key": SLEUTEL, "host": host}, timeout=10)
    assert r.status_code < 500
    assert "evil" not in r.text
    assert not any("evil" in w for w in r.headers.values())


def test_vreemde_host_bij_indienen_geeft_eigen_location(lv):
    from tests.referentie.test_api_verzoeken import verzoek

    r = httpx.post(lv.url + VERZOEKEN_INDIENEN, json=verzoek(), timeout=10,
                   headers={"x-api-key": SLEUTEL, "host": "evil.example",
                            "content-crs": "epsg:28992"})
    assert r.status_code == 201, r.text
    assert r.headers["location"].startswith(lv.url + "/")
    assert "evil" not in r.text


def test_eigen_host_blijft_in_de_links(lv):
    r = httpx.get(f"http://localhost:{lv.poort}/publiek/omgevingsdocumenten/api/presenteren/v8"
                  "/regelingen?size=1", headers={"x-api-key": SLEUTEL}, timeout=10)
    assert r.json()["_links"]["self"]["href"].startswith(f"http://localhost:{lv.poort}/")


# --------------------------------------------------------------------------- loket

@pytest.fixture
def ingelogd(lv) -> Iterator[httpx.Client]:
    """A citizen with a draft request, at the attachments step."""
    with httpx.Client(base_url=lv.url, timeout=30) as c:
        c.post("/inloggen", data={"account": "999990019", "volgende": "/aanvragen/start"},
               follow_redirects=True)
        assert c.get("/aanvragen/bijlagen").status_code == 200
        yield c


def assert_nederlandse_pagina(r: httpx.Response, status: int, kop: str) -> None:
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    assert f">{kop}</h1>" in r.text
    for engels in ("Invalid", "exceeded", "maximum size", "Traceback"):
        assert engels not in r.text


def test_loket_bestandsnaam_van_5000_tekens(ingelogd):
    r = ingelogd.post("/aanvragen/bijlagen",
                      files={"bestand": ("a" * 5000 + ".pdf", b"%PDF-1.4 test", "application/pdf")})
    assert_nederlandse_pagina(r, 400, "Formulier niet te verwerken")


def test_loket_te_groot_formulierveld(ingelogd):
    r = ingelogd.post("/aanvragen/project", data={"projectnaam": "x" * (2 * MiB)})
    assert_nederlandse_pagina(r, 413, "Te veel gegevens verstuurd")
    r = ingelogd.post("/aanvragen/bijlagen", files={"verwijder": (None, b"x" * (2 * MiB))})
    assert_nederlandse_pagina(r, 413, "Te veel gegevens verstuurd")


def test_loket_body_boven_de_grens(lv, ingelogd):
    rss_voor = lv.rss()
    r = ingelogd.post("/aanvragen/bijlagen",
                      files={"bestand": ("groot.pdf", b"%PDF-" + b"0" * (20 * MiB), "application/pdf")})
    assert_nederlandse_pagina(r, 413, "Te veel gegevens verstuurd")
    assert health_duur(lv) < HEALTH_MAX
    assert lv.rss() - rss_voor < RSS_GROEI_MAX


def test_loket_verkeerde_methode_is_nederlands(lv):
    r = httpx.request("DELETE", lv.url + "/ontwikkelaars")
    assert_nederlandse_pagina(r, 405, "Actie niet mogelijk")


def test_host_met_andere_poort_wordt_deze_server(lv):
    r = httpx.get(lv.url + "/publiek/omgevingsdocumenten/api/presenteren/v8/regelingen?size=1",
                  headers={"x-api-key": SLEUTEL, "host": "127.0.0.1:1"}, timeout=10)
    assert r.json()["_links"]["self"]["href"].startswith(lv.url + "/")


def test_ingestelde_origin_bepaalt_de_links(tmp_path):
    from referentie_lv.app import create_app
    from referentie_lv.config import Config
    from tests.referentie.api_server import UvicornServer

    config = Config(api_sleutels=frozenset({SLEUTEL}), data_map=str(tmp_path),
                    origin="https://lv.example")
    with UvicornServer(create_app(config)) as s:
        for host in (None, "evil.example"):
            r = httpx.get(s.url + "/publiek/catalogus/api/opvragen/v3/begrippen?pageSize=10",
                          headers={"x-api-key": SLEUTEL, **({"host": host} if host else {})},
                          timeout=10)
            assert r.status_code == 200
            assert r.json()["_links"]["self"]["href"].startswith(
                "https://lv.example/publiek/catalogus/api/opvragen/v3/begrippen?")
            assert "evil" not in r.text
