"""Reproduction of a failing check: a curl command and the masked request/response as evidence.

The key never appears: the curl command carries ``$DSO_API_KEY`` (the user sets it in the shell)
and the saved headers carry ``***``. The key header is written as ``-H "x-api-key":" $DSO_API_KEY"``
on purpose: the shell joins it to ``x-api-key: <key>``, and the record writer's own masking (which
masks any value after ``x-api-key:``) leaves this form intact, so the command in a record still
works when pasted.
"""

from __future__ import annotations

import itertools
import json
import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dso_acceptatie.fasen.contracten.instellingen import SLEUTEL_PLAATSHOUDER
from dso_acceptatie.records import MASKER, Masker

SLEUTEL_HEADER = "x-api-key"
# Headers that say nothing about the request's meaning; left out of curl commands.
_RUIS = {"user-agent", "accept-encoding", "connection", "content-length",
         "x-schemathesis-testcaseid", "host"}
MAX_BODY = 64 * 1024


def _platte_headers(headers: Mapping[str, Any] | None) -> dict[str, str]:
    uit: dict[str, str] = {}
    for k, v in (headers or {}).items():
        uit[k] = ", ".join(v) if isinstance(v, (list, tuple)) else str(v)
    return uit


def _tekst(body: bytes | str | None) -> str | None:
    if body is None:
        return None
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    return body if len(body) <= MAX_BODY else body[:MAX_BODY] + f"… [{len(body)} tekens, afgekapt]"


def curl(methode: str, url: str, headers: Mapping[str, Any] | None = None,
         body: bytes | str | None = None) -> str:
    delen = ["curl", "-sS", "-i", "-X", methode.upper(), shlex.quote(url)]
    for naam, waarde in _platte_headers(headers).items():
        laag = naam.lower()
        if laag in _RUIS:
            continue
        if laag == SLEUTEL_HEADER:
            delen += ["-H", f'"{SLEUTEL_HEADER}":" {SLEUTEL_PLAATSHOUDER}"']
        else:
            delen += ["-H", shlex.quote(f"{naam}: {waarde}")]
    tekst = _tekst(body)
    if tekst:
        delen += ["--data-binary", shlex.quote(tekst)]
    return " ".join(delen)


def masker_headers(headers: Mapping[str, Any] | None) -> dict[str, str]:
    return {k: (MASKER if k.lower() in (SLEUTEL_HEADER, "authorization") else v)
            for k, v in _platte_headers(headers).items()}


def _diep(waarde, masker: Masker):
    if isinstance(waarde, str):
        return masker(waarde)
    if isinstance(waarde, dict):
        return {masker(str(k)): _diep(v, masker) for k, v in waarde.items()}
    if isinstance(waarde, list):
        return [_diep(v, masker) for v in waarde]
    return waarde


class Bewijs:
    """Writes evidence files under ``<run>/bewijs/contracten/<dienst>/`` and returns their paths
    relative to the run folder."""

    def __init__(self, run_map: Path, masker: Masker):
        self.run_map = run_map
        self.masker = masker
        self._teller = itertools.count(1)   # next() is atomic: workflows write from a thread

    def _naam(self, dienst: str, onderwerp: str, controle: str) -> Path:
        nummer = next(self._teller)
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{onderwerp}-{controle}").strip("-")[:80]
        map_ = self.run_map / "bewijs" / "contracten" / dienst
        map_.mkdir(parents=True, exist_ok=True)
        return map_ / f"{nummer:04d}-{slug}.json"

    def schrijf(self, dienst: str, onderwerp: str, controle: str, *, methode: str, url: str,
                verzoek_headers: Mapping[str, Any] | None, verzoek_body: bytes | str | None,
                status: int | None, antwoord_headers: Mapping[str, Any] | None,
                antwoord_body: bytes | str | None, extra: dict | None = None) -> tuple[str, str]:
        """Save the exchange; returns (curl command, evidence path relative to the run folder)."""
        opdracht = curl(methode, url, verzoek_headers, verzoek_body)
        inhoud = {
            "controle": controle, "onderwerp": onderwerp, "curl": opdracht,
            "verzoek": {"methode": methode.upper(), "url": url,
                        "headers": masker_headers(verzoek_headers), "body": _tekst(verzoek_body)},
            "antwoord": None if status is None else {
                "status": status, "headers": masker_headers(antwoord_headers),
                "body": _tekst(antwoord_body)},
            **(extra or {}),
        }
        pad = self._naam(dienst, onderwerp, controle)
        # Mask each text before serialising: masking serialised JSON can eat an escape (\").
        pad.write_text(json.dumps(_diep(inhoud, self.masker), ensure_ascii=False, indent=2),
                       encoding="utf-8")
        return opdracht, str(pad.relative_to(self.run_map))

    def schrijf_tekst(self, dienst: str, naam: str, tekst: str) -> str:
        map_ = self.run_map / "bewijs" / "contracten" / dienst
        map_.mkdir(parents=True, exist_ok=True)
        pad = map_ / naam
        pad.write_text(self.masker(tekst), encoding="utf-8")  # Spectral output: no secrets in it
        return str(pad.relative_to(self.run_map))
