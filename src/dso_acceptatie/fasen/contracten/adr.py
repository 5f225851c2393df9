"""NL API Design Rules: lint specs with the official Spectral ruleset and map each result.

Spectral runs once for all specs of a run, in the background while schemathesis works, so its
start-up time (Node) does not add to the phase. Results are taken over one to one (rule code,
severity, path, range, message): the test suite checks that they equal Spectral's own output.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from dso_acceptatie.fasen.contracten.instellingen import CONTRACTS, SPECTRAL
from dso_acceptatie.fasen.contracten.specs import pointer

RULESET = CONTRACTS / "adr" / "linter.yaml"
SEVERITY = {0: "error", 1: "warn", 2: "info", 3: "hint"}
METHODEN = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


class SpectralNietBeschikbaar(Exception):
    pass


@dataclass
class Lint:
    proces: subprocess.Popen | None
    paden: list[Path]
    fout: str | None = None

    def resultaten(self, timeout: float = 300) -> dict[str, list[dict]]:
        """Spectral's results per absolute spec path (every linted path is a key)."""
        if self.proces is None:
            raise SpectralNietBeschikbaar(self.fout or "spectral niet gestart")
        try:
            uit, fout = self.proces.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proces.kill()
            raise SpectralNietBeschikbaar(f"spectral was na {timeout:.0f} s niet klaar") from None
        try:
            lijst = json.loads(uit or "[]")
        except json.JSONDecodeError:
            raise SpectralNietBeschikbaar(
                f"spectral gaf geen JSON (code {self.proces.returncode}): {(fout or uit)[:500]}") from None
        per_pad: dict[str, list[dict]] = {str(p.resolve()): [] for p in self.paden}
        for r in lijst:
            per_pad.setdefault(str(Path(r.get("source", "")).resolve()), []).append(r)
        return per_pad


def start(paden: list[Path], ruleset: Path = RULESET) -> Lint:
    """Start ``spectral lint -r RULESET PATHS -f json`` in the background."""
    if not paden:
        return Lint(None, [], "geen specs om te linten")
    if not SPECTRAL.exists():
        return Lint(None, paden, f"Spectral niet gevonden op {SPECTRAL}; installeer de "
                                 "npm-pakketten (scripts/setup.sh)")
    cmd = [str(SPECTRAL), "lint", "-r", str(ruleset), *map(str, paden), "-f", "json", "-q",
           "--fail-severity", "error"]
    proces = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=str(CONTRACTS.parent))
    return Lint(proces, paden)


def regels(ruleset: Path = RULESET) -> list[str]:
    """Codes of the rules the ruleset switches on."""
    data = yaml.safe_load(ruleset.read_text(encoding="utf-8")) or {}
    uit = []
    for code, waarde in (data.get("rules") or {}).items():
        sev = waarde.get("severity", "warn") if isinstance(waarde, dict) else waarde
        if sev not in ("off", False, -1):
            uit.append(code)
    return uit


def onderwerp(pad: list) -> str:
    """The operation a finding is about (``GET /free``), or the spec as a whole."""
    if len(pad) >= 3 and pad[0] == "paths" and str(pad[2]).lower() in METHODEN:
        return f"{str(pad[2]).upper()} {pad[1]}"
    if len(pad) >= 2 and pad[0] == "paths":
        return f"pad {pad[1]}"
    return "specificatie"


def records(resultaten: list[dict], regels_: list[str], *, spec_locatie: str, derden: bool,
            ernst: dict[str, str], ernst_derden: str) -> list[dict]:
    """One failed record per Spectral result (taken over one to one), and one passed record per
    rule of the ruleset without results. Returned as keyword arguments for the record writer."""
    uit = []
    gevonden = set()
    for r in resultaten:
        gevonden.add(r.get("code"))
        sev = SEVERITY.get(r.get("severity"), "warn")
        regel = (r.get("range") or {}).get("start", {}).get("line")
        pad = r.get("path") or []
        bericht = (f"{r.get('message', '').strip()} ({pointer(pad)}"
                   + (f", regel {regel + 1}" if regel is not None else "") + ")")
        if derden:
            bericht = "In de gepubliceerde spec zelf, niet in de implementatie: " + bericht
        uit.append({
            "onderwerp": onderwerp(pad), "controle": str(r.get("code")), "status": "gefaald",
            "ernst": ernst_derden if derden else ernst.get(sev, "hinderlijk"),
            "bericht": f"API Design Rules [{sev}]: {bericht}",
            "details": {"regel": r.get("code"), "spectral_severity": r.get("severity"),
                        "severity": sev, "pad": pad, "pointer": pointer(pad),
                        "bereik": r.get("range"), "melding": r.get("message"),
                        "spec": spec_locatie, "derden": derden}})
    for code in regels_:
        if code not in gevonden:
            uit.append({"onderwerp": "specificatie", "controle": code, "status": "geslaagd",
                        "ernst": "informatief",
                        "bericht": f"API Design Rules: regel {code} zonder bevindingen",
                        "details": {"regel": code, "spec": spec_locatie}})
    return uit
