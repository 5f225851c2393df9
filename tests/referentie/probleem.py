"""Shared assertion of the reference-LV service tests: an error is DSO-shaped problem+json."""

from __future__ import annotations

import httpx


def ongeldige_parameters(r: httpx.Response, api_versie: str | None = None) -> list[str]:
    """Assert ``r`` is problem+json with status/title/detail (status equal to the HTTP status)
    and, when given, the API-Version header; return the names listed in ``invalidParams``."""
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body = r.json()
    assert {"status", "title", "detail"} <= body.keys() and body["status"] == r.status_code
    if api_versie is not None:
        assert r.headers["api-version"] == api_versie
    return [p["name"] for p in body.get("invalidParams", [])]
