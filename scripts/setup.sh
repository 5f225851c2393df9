#!/usr/bin/env bash
# Installs everything dso-acceptatie needs, idempotently: a virtual environment with the pinned
# Python packages (requirements.lock), the npm packages of package-lock.json, and a Chromium.
# A second run with nothing changed only checks stamps and takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3}
VENV="$ROOT/.venv"

say() { printf '[setup] %s\n' "$*" >&2; }

if ! command -v "$PY" >/dev/null 2>&1; then
  say "Python 3.11 of nieuwer ontbreekt. Installeer het (bijv. 'apt-get install python3 python3-venv') en probeer opnieuw."
  exit 2
fi

# --- Python: venv + pinned packages; a stamp of the inputs makes the second run a no-op ----------
py_stamp=$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
if [ ! -x "$VENV/bin/python" ]; then
  say "virtuele omgeving aanmaken in .venv"
  "$PY" -m venv "$VENV"
fi
if [ "$(cat "$VENV/.dso-stamp" 2>/dev/null)" != "$py_stamp" ]; then
  say "Python-pakketten installeren (requirements.lock)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.lock
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
  echo "$py_stamp" > "$VENV/.dso-stamp"
fi

# --- npm: Spectral, Prism, axe-core, NL Design System CSS, exactly as in package-lock.json --------
npm_stamp=$(cat package-lock.json | sha256sum | cut -c1-16)
if [ "$(cat node_modules/.dso-stamp 2>/dev/null)" != "$npm_stamp" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    say "npm ontbreekt. Installeer Node.js 20 met npm (bijv. 'apt-get install nodejs npm') en probeer opnieuw."
    exit 2
  fi
  say "npm-pakketten installeren (package-lock.json)"
  # allure pulls in @scarf/scarf, whose postinstall would send telemetry: switched off.
  SCARF_ANALYTICS=false npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$npm_stamp" > node_modules/.dso-stamp
fi

# --- Browser: system Chromium, Playwright's own, playwright install, apt-get (DESIGN.md) ---------
"$VENV/bin/python" -m dso_acceptatie.browser --installeer
