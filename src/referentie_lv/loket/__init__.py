"""The reference Omgevingsloket: server-rendered pages for the klantreizen of DSO.md.

``maak_loket(config)`` returns an ASGI app that the reference LV mounts at the origin root.
It has its own session middleware (signed cookie) so it adds nothing to the API routes.
"""

from __future__ import annotations

import os
import secrets

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from referentie_lv.grenzen import BodyGrens
from referentie_lv.loket.bron import Bron
from referentie_lv.loket.pagina import MAP

MAX_BODY = 12 * 1024 * 1024     # a request body of the loket (forms, two attachments of 5 MB)


def maak_loket(config=None) -> Starlette:
    from referentie_lv.loket import routes

    # A fresh key per process unless set: sessions need not outlive the reference.
    sleutel = os.environ.get("REFERENTIE_LV_SESSIESLEUTEL") or secrets.token_hex(32)
    app = Starlette(
        routes=[*routes.ROUTES, Mount("/static/loket", StaticFiles(directory=MAP / "static"), name="static")],
        middleware=[Middleware(SessionMiddleware, secret_key=sleutel, session_cookie="loket_sessie",
                               same_site="lax", https_only=False, max_age=8 * 3600),
                    # After the session (the 413 page shows who is logged in); two attachments
                    # of 5 MB plus the form fit.
                    Middleware(BodyGrens, maximum=MAX_BODY, weigering=routes.te_groot)],
        exception_handlers={404: routes.niet_gevonden, 500: routes.serverfout,
                            HTTPException: routes.ongeldig_verzoek},
    )
    app.state.config = config
    app.state.bron = Bron(getattr(config, "data_map", None))
    # Decided once, at build time: which of the loket's own faults are on (fouten.py's rule).
    aan = getattr(config, "fouten", frozenset()) or frozenset()
    app.state.loket_fouten = frozenset(f for f in aan if f.startswith("loket-"))
    return app
