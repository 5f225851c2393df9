"""A real phase process for the orchestrator tests: behaviour chosen by DSO_PROEF_GEDRAG.

geslaagd | gefaald-ernstig | gefaald-hinderlijk | crash | hangt | stil (writes nothing)
"""

import os
import sys
import time

from dso_acceptatie.fasen.basis import FaseContext


def main() -> int:
    gedrag = os.environ.get("DSO_PROEF_GEDRAG", "geslaagd")
    ctx = FaseContext.uit_argumenten("proef")
    with ctx.writer as w:
        if gedrag == "stil":
            return 0
        w.schrijf(component="proefdienst", onderwerp="GET /iets", controle="status-200",
                  status="geslaagd", bericht="antwoord 200 zoals verwacht",
                  details={"sleutel_gezien": bool(ctx.api_sleutel),
                           "sleutel": ctx.api_sleutel})  # the writer must mask this
        if gedrag.startswith("gefaald-"):
            w.schrijf(component="proefdienst", onderwerp="GET /anders", controle="api-version",
                      status="gefaald", ernst=gedrag.removeprefix("gefaald-"),
                      bericht="API-Version ontbreekt")
        if gedrag == "crash":
            raise RuntimeError("proeffase crasht met opzet")
        if gedrag == "hangt":
            w.schrijf(component="proefdienst", onderwerp="wachten", controle="hangt",
                      status="geslaagd", bericht="proeffase gaat nu hangen")
            time.sleep(600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
