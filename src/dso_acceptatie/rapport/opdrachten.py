"""The report's commands for the CLI: ``rapport``, ``vergelijk`` and ``verifieer``.

Each has ``argumenten_<naam>(parser)`` and ``cmd_<naam>(args) -> exitcode``, so cli.py only wires
them (as it does for ``levering``). Messages in Dutch; a ConfiguratieFout goes up to the CLI
(exit code 2).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dso_acceptatie.configuratie import ConfiguratieFout
from dso_acceptatie.criteria import lees_criteria
from dso_acceptatie.project import project
from dso_acceptatie.rapport import bouw_rapport, vergelijk, vergelijking_als_tekst, verifieer

VERIFIEER_VARIABELE = "DSO_VERIFIEER_SLEUTEL"


def configuratie(args: argparse.Namespace):
    """Criteria (default file may be absent), register and roles from the options or the project."""
    criteria = lees_criteria(Path(args.criteria) if args.criteria else project() / "acceptatiecriteria.toml",
                             mag_ontbreken=args.criteria is None)
    register = Path(args.register) if getattr(args, "register", None) else project() / "bekende-bevindingen.toml"
    rollen = Path(args.rollen) if getattr(args, "rollen", None) else project() / "rollen.toml"
    for optie, pad in (("--register", getattr(args, "register", None)), ("--rollen", getattr(args, "rollen", None))):
        if pad and not Path(pad).is_file():
            raise ConfiguratieFout(f"{optie} {pad}: bestand niet gevonden.")
    return criteria, register, rollen


def argumenten_rapport(p: argparse.ArgumentParser) -> None:
    p.add_argument("runmap", help="map reports/runs/<run-id>")
    p.add_argument("--criteria", help="pad naar acceptatiecriteria.toml")
    p.add_argument("--register", help="pad naar bekende-bevindingen.toml")
    p.add_argument("--rollen", help="pad naar rollen.toml")
    p.add_argument("--pi", help="label van het programma-increment, bijv. PI-42")
    p.add_argument("--allure-html", action="store_true",
                   help="maak ook het Allure-HTML-rapport (npm-pakket allure) in allure-report/")


def cmd_rapport(args: argparse.Namespace) -> int:
    criteria, register, rollen = configuratie(args)
    r = bouw_rapport(Path(args.runmap), criteria, register, rollen, pi=args.pi, allure_html=args.allure_html)
    print(r.terminal_tekst())
    if r.schrijffout:
        # 'rapport' exists to write these files: not being able to is a usage error (exit code 2)
        print(f"Fout: {r.schrijffout}. Oplossing: maak de runmap schrijfbaar (of verwijder de map met "
              "die naam) en voer 'rapport' opnieuw uit.", file=sys.stderr)
        return 2
    return r.exitcode


def argumenten_vergelijk(p: argparse.ArgumentParser) -> None:
    p.add_argument("runs", nargs=2, metavar="RUN", help="twee runmappen: eerst de oude, dan de nieuwe")


def cmd_vergelijk(args: argparse.Namespace) -> int:
    """0: geen nieuwe bevindingen; 1: nieuwe bevindingen; 2: een run zonder rapport.json."""
    v = vergelijk(Path(args.runs[0]), Path(args.runs[1]))
    print(vergelijking_als_tekst(v))
    return 1 if v["nieuw"] else 0


def argumenten_verifieer(p: argparse.ArgumentParser) -> None:
    p.add_argument("runmap", help="map reports/runs/<run-id> met conformiteitsverklaring.intoto.json")
    p.add_argument("--sleutel", metavar="BESTAND",
                   help=f"publieke Ed25519-sleutel (PEM of base64); standaard ${VERIFIEER_VARIABELE}")


def cmd_verifieer(args: argparse.Namespace) -> int:
    """0: verklaring en runmap ongewijzigd (en handtekening geldig als er een sleutel is); 1: niet."""
    sleutel = None
    if args.sleutel:
        try:
            sleutel = Path(args.sleutel).read_text(encoding="utf-8")
        except OSError as e:
            raise ConfiguratieFout(f"--sleutel {args.sleutel}: niet te lezen ({e.strerror or e}).") from None
    else:
        sleutel = os.environ.get(VERIFIEER_VARIABELE) or None
    v = verifieer(Path(args.runmap), sleutel)
    print(v.als_tekst(), file=sys.stdout if v.in_orde else sys.stderr)
    return 0 if v.in_orde else 1
