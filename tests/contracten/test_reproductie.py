"""Reproduction without leaking the key: curl with $DSO_API_KEY, evidence with ***."""

from __future__ import annotations

import json
import subprocess

from dso_acceptatie.fasen.contracten.reproductie import Bewijs, curl
from dso_acceptatie.records import Masker, RecordWriter, lees_records

SLEUTEL = "geheime-sleutel-1234567890"


def test_curl_draagt_de_plaatshouder_en_overleeft_het_maskeren(tmp_path):
    opdracht = curl("POST", "http://127.0.0.1:1/a/_zoek?page=1",
                    {"X-Api-Key": [SLEUTEL], "Content-Type": "application/json",
                     "User-Agent": "schemathesis/4"}, b'{"geometrie": {"type": "Point"}}')
    assert SLEUTEL not in opdracht and "$DSO_API_KEY" in opdracht
    assert "User-Agent" not in opdracht and "--data-binary" in opdracht
    # The record writer masks anything after x-api-key:, but leaves this form intact.
    with RecordWriter(tmp_path / "records" / "c.jsonl", "r", "contracten",
                      Masker([SLEUTEL])) as w:
        w.schrijf(component="c", onderwerp="o", controle="k", status="gefaald", ernst="ernstig",
                  bericht="b", details={"curl": opdracht})
    record = next(lees_records(tmp_path))
    assert record["details"]["curl"] == opdracht


def test_de_shell_maakt_er_de_echte_header_van():
    opdracht = curl("GET", "http://127.0.0.1:1/x", {"x-api-key": SLEUTEL})
    argv = subprocess.run(["bash", "-c", 'printf "%s\\n" ' + opdracht.split(" ", 1)[1]],
                          capture_output=True, text=True, check=True,
                          env={"DSO_API_KEY": SLEUTEL, "PATH": "/usr/bin:/bin"}).stdout.splitlines()
    assert f"x-api-key: {SLEUTEL}" in argv


def test_bewijs_is_gemaskeerd(tmp_path):
    b = Bewijs(tmp_path, Masker([SLEUTEL]))
    opdracht, pad = b.schrijf("presenteren", "GET /regelingen", "dso_api_version", methode="GET",
                              url="http://127.0.0.1:1/regelingen",
                              verzoek_headers={"x-api-key": SLEUTEL}, verzoek_body=None,
                              status=200, antwoord_headers={"echo": f"sleutel={SLEUTEL}"},
                              antwoord_body=f'{{"api_key={SLEUTEL}": 1}}')
    tekst = (tmp_path / pad).read_text()
    assert SLEUTEL not in tekst
    inhoud = json.loads(tekst)
    assert inhoud["verzoek"]["headers"]["x-api-key"] == "***"
    assert inhoud["curl"] == opdracht and "$DSO_API_KEY" in opdracht
