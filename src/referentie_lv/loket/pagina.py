"""Rendering helpers shared by the loket's pages: templates, menu, faults, session user."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

MAP = Path(__file__).resolve().parent

MENU = [
    ("/regels-op-de-kaart", "Regels op de kaart"),
    ("/vergunningcheck", "Vergunningcheck"),
    ("/aanvragen", "Aanvragen"),
    ("/maatregelen", "Maatregelen op maat"),
    ("/stelselcatalogus", "Stelselcatalogus"),
    ("/ontwikkelaars", "Ontwikkelaars"),
]

_env = Environment(loader=FileSystemLoader(MAP / "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)

_env.filters["paren"] = lambda xs: [(str(x), str(x)) for x in xs]


def fout_actief(request: Request, naam: str) -> bool:
    """Whether a loket fault is on; the set is fixed when the app is built (fouten.py's rule)."""
    return naam in getattr(request.app.state, "loket_fouten", frozenset())


def gebruiker(request: Request) -> dict | None:
    return request.session.get("gebruiker")


def toon(request: Request, sjabloon: str, status_code: int = 200, **context) -> HTMLResponse:
    actief = next((pad for pad, _ in MENU if request.url.path.startswith(pad)), None)
    aan = getattr(request.app.state, "loket_fouten", frozenset())
    context.setdefault("foutmeldingen", {})
    context.setdefault("kruimels", [])
    html = _env.get_template(sjabloon).render(
        request=request, menu=MENU, actief=actief, gebruiker=gebruiker(request),
        fout_aan=lambda naam: naam in aan,
        url_for=lambda name, **p: request.app.url_path_for(name, **p),
        **context)
    return HTMLResponse(html, status_code=status_code)
