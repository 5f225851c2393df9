"""Find (and if needed install) the Chromium that Playwright drives.

Order, as DESIGN.md fixes it: a system Chromium/Chrome, Playwright's own download,
``playwright install chromium``, and, as root with apt, ``apt-get install chromium``. Playwright's
own download fails on machines without internet, so the system browser comes first.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

SYSTEM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# Flags from DESIGN.md: without the background-networking ones Chromium keeps dialling Google
# on a closed network, which costs seconds per start.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _usable(path: str | None) -> bool:
    if not path or not os.access(path, os.X_OK):
        return False
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and ("Chrom" in out.stdout or "Google" in out.stdout)


def _system_browser() -> str | None:
    override = os.environ.get("DSO_CHROMIUM")
    if override:
        return override if _usable(override) else None
    for name in SYSTEM_CANDIDATES:
        path = shutil.which(name)
        if _usable(path):
            return path
    return None


def _playwright_browser() -> str | None:
    cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH", Path.home() / ".cache/ms-playwright"))
    for path in sorted(glob.glob(str(cache / "chromium-*/chrome-linux*/chrome")), reverse=True):
        if _usable(path):
            return path
    return None


def find_browser() -> str | None:
    """Path of a working Chromium, or None."""
    return _system_browser() or _playwright_browser()


def ensure_browser() -> str:
    """Find a browser, installing one if possible; exit 2 with the exact command otherwise."""
    path = find_browser()
    if path:
        return path
    print("[setup] geen Chromium gevonden; probeer 'playwright install chromium'", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"],
                   capture_output=True, timeout=600)
    path = _playwright_browser()
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("[setup] Chromium installeren met apt-get (Debian-pakket 'chromium')", file=sys.stderr)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=900)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env,
                       capture_output=True, timeout=1800)
        path = _system_browser()
        if path:
            return path
    print(
        "Er is geen Chromium beschikbaar en automatisch installeren lukte niet.\n"
        "Voer als root uit:  apt-get update && apt-get install -y chromium\n"
        "of wijs een browser aan met de omgevingsvariabele DSO_CHROMIUM=/pad/naar/chromium.",
        file=sys.stderr,
    )
    raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Zoek (en installeer zo nodig) Chromium.")
    parser.add_argument("--installeer", action="store_true", help="installeer als er geen is")
    args = parser.parse_args(argv)
    path = ensure_browser() if args.installeer else find_browser()
    if not path:
        print("geen Chromium gevonden", file=sys.stderr)
        return 2
    print(f"[setup] browser: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
