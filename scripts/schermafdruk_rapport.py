"""A screenshot of the acceptance report (rapport.html) in the system Chromium, to look at.

Without arguments it builds a demonstration run from generated records (two earlier runs for
the trend, a failing journey with a trace, a self-check of the validator) in a temporary folder;
with a run folder it (re)builds that run's report and photographs it.

    .venv/bin/python scripts/schermafdruk_rapport.py [RUNMAP] [--uit reports/schermafdruk-rapport.png]
                                                     [--breedte 1280] [--volledig]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from dso_acceptatie.browser import LAUNCH_ARGS, find_browser  # noqa: E402 -- after the sys.path setup
from dso_acceptatie.rapport import bouw_rapport  # noqa: E402 -- after the sys.path setup


def demonstratie(map_: Path) -> Path:
    from tests.rapport.generator import controle, maak_run, schrijf_png, veel_records

    runs = map_ / "runs"
    criteria, rollen = ROOT / "acceptatiecriteria.toml", ROOT / "rollen.toml"
    for i, n in enumerate((400, 450)):
        bouw_rapport(maak_run(runs, veel_records(n, seed=i), run_id=f"2026110{i + 1}T100000-referentie-000{i}"),
                     criteria, None, rollen, pi=f"PI-{40 + i}")
    records = veel_records(500, seed=3) + [
        controle(fase="leveringen", component="IMOW", onderwerp="Gemeentestad (voorbeeld)",
                 controle="verwachte-uitkomst", details={"verwacht": "goedgekeurd"}),
        controle(fase="klantreizen", component="Vergunningcheck", onderwerp="Vergunningcheck: dakkapel",
                 controle="scenario", status="gefaald", ernst="blokkerend",
                 bericht="De knop 'Start de check' ontbreekt op /vergunningcheck",
                 bewijs=["bewijs/klantreizen/dakkapel-trace.zip", "bewijs/klantreizen/dakkapel.png"],
                 details={"klantreis": "Vergunningcheck"})]
    run_map = maak_run(runs, records, run_id="20261130T100000-referentie-0009")
    (run_map / "bewijs" / "klantreizen").mkdir(parents=True)
    (run_map / "bewijs" / "klantreizen" / "dakkapel-trace.zip").write_bytes(b"PK")
    schrijf_png(run_map / "bewijs" / "klantreizen" / "dakkapel.png")
    bouw_rapport(run_map, criteria, None, rollen, pi="PI-42")
    return run_map


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Schermafdruk van rapport.html")
    p.add_argument("runmap", nargs="?", type=Path)
    p.add_argument("--uit", type=Path, default=ROOT / "reports" / "schermafdruk-rapport.png")
    p.add_argument("--breedte", type=int, default=1280)
    p.add_argument("--volledig", action="store_true", help="de hele pagina in plaats van het eerste scherm")
    args = p.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="dso-rapport-") as tmp:
        if args.runmap:
            run_map = args.runmap
            bouw_rapport(run_map, ROOT / "acceptatiecriteria.toml", ROOT / "bekende-bevindingen.toml",
                         ROOT / "rollen.toml")
        else:
            run_map = demonstratie(Path(tmp))
        pad = find_browser()
        if not pad:
            print("Geen Chromium gevonden; zie scripts/setup.sh.", file=sys.stderr)
            return 2
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=pad, args=LAUNCH_ARGS)
            page = browser.new_page(viewport={"width": args.breedte, "height": 1000}, locale="nl-NL")
            page.goto((run_map / "rapport.html").resolve().as_uri())
            args.uit.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.uit), full_page=args.volledig)
            browser.close()
    print(f"Schermafdruk: {args.uit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
