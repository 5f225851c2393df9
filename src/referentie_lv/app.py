"""The ASGI application of the reference LV: one origin, every service under its DSO base path.

Each API service is a ``referentie_lv.api.basis.Dienst`` mounted at its base path (see the
docstring of ``referentie_lv/api/basis.py`` for what the framework gives every service). To add a
service: one ``diensten.append(module.dienst(config))`` line below. The loket goes last (it owns
the origin root ``/``).
"""

from __future__ import annotations

import platform

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

from referentie_lv import __version__, fouten, grenzen
from referentie_lv.api import (
    basis,
    catalogus,
    geometrie,
    intake,
    locatieserver,
    presenteren,
    regels_bij_activiteiten,
    uitvoeren,
    verzoeken,
)
from referentie_lv.config import Config
from referentie_lv.loket import maak_loket


def create_app(config: Config | None = None) -> Starlette:
    config = config or Config.uit_omgeving()
    fouten.controleer(config.fouten)       # unknown fault name: Dutch message, exit at start-up
    limieten = basis.limieten_uit_omgeving()

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "UP"})

    async def app_info(request: Request) -> JSONResponse:
        return JSONResponse({
            "name": "referentie-lv",
            "description": "Ingebouwde referentie-implementatie van het DSO-LV (testomgeving)",
            "version": __version__,
            "python": platform.python_version(),
            "fouten": sorted(config.fouten),
            "diensten": {d.naam: d.basispad for d in diensten},
        })

    # API services, one line each.
    diensten: list[basis.Dienst] = []
    diensten.append(locatieserver.dienst(config))
    diensten.append(regels_bij_activiteiten.dienst(config))
    diensten.append(presenteren.dienst(config))
    diensten.append(geometrie.dienst(config))
    diensten.append(catalogus.dienst(config))
    diensten.append(verzoeken.dienst_indienen(config))
    diensten.append(verzoeken.dienst_afhandelen(config))
    diensten.append(uitvoeren.dienst(config))

    routes: list[BaseRoute] = [Route("/health", health), Route("/app-info", app_info)]
    routes += [basis.mount(d, config, limieten) for d in diensten]
    # The LVBB intake (leveringen phase) is mounted apart from 'diensten': app-info lists what the
    # contracten phase fuzzes, and fuzzing the intake would only queue deliveries.
    routes.append(basis.mount(intake.dienst(config), config, limieten))
    routes.append(Mount("/", app=maak_loket(config)))      # the loket: web pages at the origin root, last
    # The Host header may only name this server: links are built from it (grenzen.HostControle).
    app = Starlette(routes=routes, middleware=[Middleware(grenzen.HostControle, origin=config.origin)])
    app.state.config = config
    return app
