"""The ASGI application of the reference LV: one origin, every service under its DSO base path."""

from __future__ import annotations

import platform

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from referentie_lv import __version__
from referentie_lv.config import Config


def create_app(config: Config | None = None) -> Starlette:
    config = config or Config.uit_omgeving()

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "UP"})

    async def app_info(request: Request) -> JSONResponse:
        return JSONResponse({
            "name": "referentie-lv",
            "description": "Ingebouwde referentie-implementatie van het DSO-LV (testomgeving)",
            "version": __version__,
            "python": platform.python_version(),
            "fouten": sorted(config.fouten),
        })

    app = Starlette(routes=[Route("/health", health), Route("/app-info", app_info)])
    app.state.config = config
    return app
