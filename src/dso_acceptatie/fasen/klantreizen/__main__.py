"""The klantreizen phase: runs the Dutch Gherkin features in a real browser and writes records.

    python -m dso_acceptatie.fasen.klantreizen --run-map DIR --doel DIR/doel.json --run-id ID
        [--selectie "TAG-EXPRESSIE"] [--werkers N|auto] [--herhalingen N]

The same three options can come from the environment (DSO_KLANTREIZEN_SELECTIE, _WERKERS,
_HERHALINGEN), so ``dso-acceptatie run`` can be narrowed without changing the orchestrator.

It runs pytest as a child process with its own configuration (not the project's pyproject, whose
addopts switch off both Allure plugins): pytest-bdd, pytest-xdist (``-n auto``), pytest-rerunfailures
(one retry; pass-on-retry is ``instabiel``), allure-pytest-bdd writing to ``<run-map>/allure-results``
(and allure-pytest switched off: the two cannot load together, allure-python #486), and the
records plugin of :mod:`dso_acceptatie.fasen.klantreizen.plugin`. Afterwards it turns the raw
axe-core results into accessibility records and writes one phase record.

Exit code 0 when pytest ran (whatever the scenarios did: the records say that), 2 when it could not.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from dso_acceptatie.browser import find_browser
from dso_acceptatie.configuratie import ConfiguratieFout
from dso_acceptatie.fasen.basis import FaseContext
from dso_acceptatie.fasen.klantreizen import paden, toegankelijkheid
from dso_acceptatie.fasen.klantreizen.tags import markers
from dso_acceptatie.fasen.klantreizen.testdata import Testdata

FASE = "klantreizen"
PLUGIN = "dso_acceptatie.fasen.klantreizen.plugin"
PYTEST_UITKOMST = {0: "alle scenario's zijn uitgevoerd", 1: "er zijn gefaalde scenario's"}


def schrijf_ini(map_: Path) -> Path:
    """The phase's own pytest configuration (one file in the run folder: how it was run)."""
    regels = ["[pytest]",
              f"bdd_features_base_dir = {paden.FEATURES}",
              "# every tag is a declared marker; a typo in a tag stops the run",
              "markers =", *(f"    {m}" for m in markers()),
              "# warnings of third-party code must not fail a journey",
              "filterwarnings =", "    ignore::DeprecationWarning",
              "xfail_strict = true",
              "timeout = 180",
              ""]
    pad = map_ / "pytest.ini"
    pad.write_text("\n".join(regels), encoding="utf-8")
    return pad


def pytest_opdracht(ctx: FaseContext, werkmap: Path, selectie: str | None,
                    werkers: str, herhalingen: int = 1) -> list[str]:
    ini = schrijf_ini(werkmap)
    cmd = [sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", str(paden.REPO),
           "--confcutdir", str(paden.REPO),
           "-p", PLUGIN, "-p", "no:allure_pytest", "-p", "allure_pytest_bdd",
           "-p", "no:cacheprovider",
           "--alluredir", str(ctx.run_map / "allure-results"),
           "--strict-markers", "--strict-config",
           "--reruns", str(herhalingen),
           "--klantreizen-run-map", str(ctx.run_map),
           "--klantreizen-doel", str(ctx.run_map / "doel.json"),
           "--klantreizen-run-id", ctx.run_id,
           "-q", "-rfEs", "--no-header", "--tb=short"]
    if werkers not in ("0", "1"):
        cmd += ["-n", werkers, "--dist", "load"]
    if selectie:
        cmd += ["-m", selectie]
    cmd.append(str(paden.FEATURES))
    return cmd


def fase_klaar(writer, *, status: str, ernst: str, bericht: str, **velden) -> None:
    """The phase's own bookkeeping record: did it run (not a check of the target)."""
    writer.schrijf(component="Omgevingsloket", onderwerp="klantreizen", controle="fase-klaar",
                   soort="administratie", status=status, ernst=ernst, bericht=bericht, **velden)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ctx = FaseContext.uit_argumenten(FASE, argv)
    p = argparse.ArgumentParser(prog=f"fase {FASE}")
    p.add_argument("--selectie", default=os.environ.get("DSO_KLANTREIZEN_SELECTIE"),
                   help="tag-expressie (pytest -m), bijv. 'klantreis-vergunningcheck and blokkerend'")
    # A target with a request limit (the production probe) gets one browser at a time.
    standaard = "1" if ctx.doel.max_verzoeken_per_seconde else "auto"
    p.add_argument("--werkers", default=os.environ.get("DSO_KLANTREIZEN_WERKERS", standaard),
                   help="aantal parallelle browsers (pytest-xdist -n), standaard auto")
    p.add_argument("--herhalingen", type=int,
                   default=int(os.environ.get("DSO_KLANTREIZEN_HERHALINGEN", "1")),
                   help="herhalingen van een gefaald scenario (standaard 1)")
    args, _ = p.parse_known_args(argv)

    with ctx.writer as w:
        if not paden.FEATURES.is_dir():
            fase_klaar(w, status="geblokkeerd", ernst="blokkerend",
                       bericht=f"de features ontbreken ({paden.FEATURES}); draai vanuit een "
                               "checkout van de repository")
            return 2
        try:
            Testdata.laad(ctx.doel.naam)
        except ConfiguratieFout as fout:
            # Bad test data is the harness's input, not the target's fault: nothing can be tested.
            fase_klaar(w, status="geblokkeerd", ernst="blokkerend",
                       bericht=f"de testgegevens van doel '{ctx.doel.naam}' zijn onleesbaar: {fout}")
            return 2
        if ctx.doel.loket and not find_browser():
            fase_klaar(w, status="geblokkeerd", ernst="blokkerend",
                       bericht="geen Chromium gevonden: voer als root 'apt-get install -y chromium' "
                               "uit of zet DSO_CHROMIUM=/pad/naar/chromium")
            return 2
        werkmap = ctx.run_map / FASE
        werkmap.mkdir(parents=True, exist_ok=True)
        cmd = pytest_opdracht(ctx, werkmap, args.selectie, args.werkers, args.herhalingen)
        print("[klantreizen] " + " ".join(cmd), flush=True)
        start = time.monotonic()
        omgeving = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        # The repo root on the path: the root conftest registers the step modules (steps.*).
        omgeving["PYTHONPATH"] = os.pathsep.join(
            [str(paden.REPO)] + ([omgeving["PYTHONPATH"]] if omgeving.get("PYTHONPATH") else []))
        proces = subprocess.run(cmd, cwd=paden.REPO, env=omgeving, check=False)
        duur = time.monotonic() - start

        ruw = toegankelijkheid.lees_ruwe_resultaten(ctx.bewijs_map / "toegankelijkheid")
        axe = toegankelijkheid.schrijf_records(ruw, w, f"bewijs/{FASE}/toegankelijkheid")

        code = proces.returncode
        if code == 5:
            # Nothing selected is nothing tested: never let that pass as an accepted phase.
            fase_klaar(w, status="geblokkeerd", ernst="blokkerend", duur_ms=duur * 1000,
                       bericht="er was geen enkel scenario te draaien"
                               + (f" met selectie '{args.selectie}'" if args.selectie else ""),
                       details={"pytest_exitcode": code, "selectie": args.selectie, "opdracht": cmd})
            return 0
        if code in (0, 1):
            fase_klaar(w, status="geslaagd", ernst="informatief", duur_ms=duur * 1000,
                       bericht=f"pytest klaar in {duur:.1f} s: {PYTEST_UITKOMST[code]}; "
                               f"{axe.gecontroleerd} pagina's op toegankelijkheid gecontroleerd "
                               f"({axe.toetsenbord} ook met het toetsenbord), "
                               f"{axe.bevindingen} bevinding(en)"
                               + (f", {axe.geblokkeerd} pagina('s) niet te controleren"
                                  if axe.geblokkeerd else ""),
                       details={"pytest_exitcode": code, "selectie": args.selectie,
                                "werkers": args.werkers, "opdracht": cmd})
            return 0
        fase_klaar(w, status="geblokkeerd", ernst="blokkerend", duur_ms=duur * 1000,
                   bericht=f"pytest kon de klantreizen niet uitvoeren (exitcode {code}); zie "
                           f"{FASE}.log in de runmap",
                   details={"pytest_exitcode": code, "opdracht": cmd})
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
