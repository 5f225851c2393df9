"""A real phase process for the orchestrator tests: behaviour chosen by DSO_PROEF_GEDRAG.

geslaagd | gefaald-ernstig | gefaald-hinderlijk | crash | hangt | stil (writes nothing)
kleinkind  starts two grandchildren that keep writing records and ignore SIGTERM: one in the
           phase's process group, one in a session of its own (as the load phase does with
           locust); the phase writes their pids to <run_map>/proef-pids.json, then hangs. On
           SIGTERM the phase itself writes a last record and stops.
wees       starts a grandchild in a session of its own and exits normally, leaving it behind.
voortgang  five steps with progress (ctx.voortgang) and a record each, 0.4 s apart.

DSO_PROEF_SAMENVATTING_MAP=1 makes ``samenvatting.md`` a folder in the run folder, so the
summary cannot be written there.
"""

import json
import os
import signal
import subprocess
import sys
import time

from dso_acceptatie.fasen.basis import FaseContext

KLEINKIND = """
import signal, sys, time
from pathlib import Path
from dso_acceptatie.records import RecordWriter
signal.signal(signal.SIGTERM, signal.SIG_IGN)
w = RecordWriter(Path(sys.argv[1]), sys.argv[2], "proef")
i = 0
while True:
    w.schrijf(component="proefdienst", onderwerp=f"kleinkind {sys.argv[3]} {i}", controle="kleinkind",
              status="geslaagd", bericht="een kleinkind schrijft nog")
    i += 1
    time.sleep(0.05)
"""


def _kleinkind(ctx: FaseContext, naam: str, eigen_sessie: bool) -> subprocess.Popen:
    pad = ctx.run_map / "records" / f"proef-{naam}.jsonl"
    return subprocess.Popen([sys.executable, "-c", KLEINKIND, str(pad), ctx.run_id, naam],
                            start_new_session=eigen_sessie)


def main() -> int:
    gedrag = os.environ.get("DSO_PROEF_GEDRAG", "geslaagd")
    ctx = FaseContext.uit_argumenten("proef")
    if os.environ.get("DSO_PROEF_SAMENVATTING_MAP"):
        (ctx.run_map / "samenvatting.md").mkdir()
    with ctx.writer as w:
        if gedrag == "stil":
            return 0
        if gedrag == "voortgang":
            for stap in range(5):
                ctx.voortgang(stap, 5, "stappen")
                w.schrijf(component="proefdienst", onderwerp=f"stap {stap}", controle="stap",
                          status="gefaald" if stap == 2 else "geslaagd", ernst="hinderlijk",
                          bericht="een stap")
                time.sleep(0.4)
            ctx.voortgang(5, 5, "stappen")
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
        if gedrag == "wees":
            kind = _kleinkind(ctx, "wees", eigen_sessie=True)
            (ctx.run_map / "proef-pids.json").write_text(json.dumps([os.getpid(), kind.pid]))
            return 0
        if gedrag == "kleinkind":
            def bij_sigterm(signum, frame):
                w.schrijf(component="proefdienst", onderwerp="stoppen", controle="fase-gestopt",
                          status="geslaagd", bericht="de proeffase kreeg SIGTERM")
                os._exit(143)
            signal.signal(signal.SIGTERM, bij_sigterm)
            kinderen = [_kleinkind(ctx, "groep", eigen_sessie=False),
                        _kleinkind(ctx, "sessie", eigen_sessie=True)]
            (ctx.run_map / "proef-pids.json").write_text(json.dumps([os.getpid()] + [k.pid for k in kinderen]))
        if gedrag in ("hangt", "kleinkind"):
            w.schrijf(component="proefdienst", onderwerp="wachten", controle="hangt",
                      status="geslaagd", bericht="proeffase gaat nu hangen")
            time.sleep(600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
