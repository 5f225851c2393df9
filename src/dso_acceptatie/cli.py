"""``dso-acceptatie``: the command line. Help and messages in Dutch.

Exit codes: 0 geaccepteerd, 1 criteria niet gehaald, 2 gebruiks- of configuratiefout,
3 niet testbaar, 130 onderbroken.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from dso_acceptatie.criteria import lees_criteria
from dso_acceptatie.doelen import ConfiguratieFout, controleer_sleutel, doel_van_opdrachtregel, kies_doel, lees_doelen
from dso_acceptatie.fasen import FASEN
from dso_acceptatie.project import project

EXIT_GEBRUIK = 2


def _basis(pad: str | None, naam: str) -> Path:
    return Path(pad) if pad else project() / naam


def _nog_niet(wat: str) -> int:
    print(f"'{wat}' is nog niet beschikbaar in deze versie van dso-acceptatie. "
          "Er is niets uitgevoerd.", file=sys.stderr)
    return EXIT_GEBRUIK


def cmd_run(args: argparse.Namespace) -> int:
    from dso_acceptatie.run import Orkestrator

    doelen_pad = _basis(args.doelen, "doelen.toml")
    if args.origin or args.loket or args.dienst:
        doel = doel_van_opdrachtregel(args.origin, args.loket, args.dienst, args.sleutel_variabele)
    else:
        doel = kies_doel(lees_doelen(doelen_pad), args.doel, doelen_pad)
    controleer_sleutel(doel, doelen_pad)
    if args.fase:
        onbekend = [f for f in args.fase if f not in FASEN]
        if onbekend:
            raise ConfiguratieFout(f"--fase {onbekend[0]}: onbekende fase. Kies uit "
                                   f"{', '.join(FASEN)}.")
        doel.fasen = [f for f in doel.fasen if f in args.fase] or list(args.fase)
    criteria = lees_criteria(_basis(args.criteria, "acceptatiecriteria.toml"),
                                  mag_ontbreken=args.criteria is None)
    if args.fouten and doel.soort != "referentie":
        raise ConfiguratieFout("--fouten werkt alleen op het doel 'referentie' (zelftest).")
    uitkomst = Orkestrator(doel, rapporten=_basis(args.rapporten, "reports"), criteria=criteria,
                           fouten=args.fouten or "").voer_uit()
    s = uitkomst.samenvatting
    print(f"\nRunmap: {uitkomst.run_map}\nOordeel: {s.oordeel} (exitcode {s.exitcode})")
    return s.exitcode


def cmd_referentie(args: argparse.Namespace) -> int:
    # The harness never imports the reference LV: it becomes this process via exec, so Ctrl-C
    # and exit codes are its own.
    argv = [sys.executable, "-m", "referentie_lv", "--host", args.host, "--port", str(args.port)]
    if args.fouten:
        argv += ["--fouten", args.fouten]
    print(f"Referentie-LV op http://{args.host}:{args.port}/ (Ctrl-C om te stoppen)", flush=True)
    os.execv(sys.executable, argv)
    return 0  # not reached


def cmd_rapport(args: argparse.Namespace) -> int:
    from dso_acceptatie.run import schrijf_samenvatting
    from dso_acceptatie.samenvatting import als_terminal

    run_map = Path(args.runmap)
    if not (run_map / "records").is_dir():
        raise ConfiguratieFout(f"{run_map}: dit is geen runmap (er is geen map 'records'). "
                               "Oplossing: geef een map onder reports/runs/.")
    s = schrijf_samenvatting(run_map, lees_criteria(_basis(args.criteria, "acceptatiecriteria.toml"),
                                  mag_ontbreken=args.criteria is None))
    print(als_terminal(s) + f"\n\nSamenvatting: {run_map / 'samenvatting.md'}")
    return s.exitcode


def cmd_doelen(args: argparse.Namespace) -> int:
    pad = _basis(args.doelen, "doelen.toml")
    for naam, d in lees_doelen(pad).items():
        waar = d.origin or d.loket or ", ".join(d.diensten.values()) or "(gestart door de run)"
        print(f"{naam:<14} {d.omschrijving}\n{'':<14} {waar}; fasen: {', '.join(d.fasen)}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="dso-acceptatie",
        description="Acceptatie- en conformiteitstests voor het DSO-LV (Omgevingswet).",
        epilog="Exitcodes: 0 geaccepteerd, 1 criteria niet gehaald, 2 gebruiks- of "
               "configuratiefout, 3 niet testbaar, 130 onderbroken.")
    sub = p.add_subparsers(dest="opdracht", metavar="OPDRACHT", required=True)

    r = sub.add_parser("run", help="volledige acceptatierun (standaard tegen de referentie-LV)",
                       description="Voer een acceptatierun uit: omgevingscontrole, fasen, "
                                   "samenvatting en oordeel.")
    r.add_argument("--doel", default="referentie", help="doel uit doelen.toml (standaard: referentie)")
    r.add_argument("--doelen", help="pad naar doelen.toml")
    r.add_argument("--criteria", help="pad naar acceptatiecriteria.toml")
    r.add_argument("--rapporten", help="map voor runs (standaard: reports/)")
    r.add_argument("--fase", action="append", help="voer alleen deze fase uit (herhaalbaar)")
    r.add_argument("--fouten", help="zelftest: zet deze fouten aan in de referentie-LV")
    r.add_argument("--origin", help="leveranciersdoel: één origin met de standaard DSO-basispaden")
    r.add_argument("--loket", help="leveranciersdoel: URL van het loket")
    r.add_argument("--dienst", action="append", default=[], metavar="NAAM=URL",
                   help="leveranciersdoel: URL van één dienst (herhaalbaar)")
    r.add_argument("--sleutel-variabele", help="omgevingsvariabele met de API-sleutel")
    r.set_defaults(func=cmd_run)

    ref = sub.add_parser("referentie", help="start de referentie-LV op de voorgrond")
    ref.add_argument("--host", default="127.0.0.1")
    ref.add_argument("--port", type=int, default=8800)
    ref.add_argument("--fouten", help="komma-gescheiden fouten voor de zelftest")
    ref.set_defaults(func=cmd_referentie)

    from dso_acceptatie.leveringen import opdracht as levering_opdracht

    lev = sub.add_parser("levering", help="valideer een levering (STOP, TPOD/IMOW, STTR, IMRO)",
                         description="Valideer een levering (map, zip of los bestand) tegen de "
                                     "officiële schema's en regels. Exitcodes: 0 geldig, 1 "
                                     "bevindingen met ernst fout, 2 onleesbaar of geweigerd.")
    levering_opdracht.voeg_argumenten_toe(lev)
    lev.set_defaults(func=levering_opdracht.cmd_levering)

    rap = sub.add_parser("rapport", help="bouw het rapport opnieuw op uit een runmap")
    rap.add_argument("runmap", help="map reports/runs/<run-id>")
    rap.add_argument("--criteria", help="pad naar acceptatiecriteria.toml")
    rap.set_defaults(func=cmd_rapport)

    ver = sub.add_parser("vergelijk", help="vergelijk twee runs (trend)")
    ver.add_argument("runs", nargs="*")
    ver.set_defaults(func=lambda a: _nog_niet("vergelijk"))

    d = sub.add_parser("doelen", help="toon de doelen uit doelen.toml")
    d.add_argument("--doelen", help="pad naar doelen.toml")
    d.set_defaults(func=cmd_doelen)
    return p


def _sigterm_als_ctrl_c(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _sigterm_als_ctrl_c)
    try:
        return args.func(args)
    except ConfiguratieFout as e:
        print(f"Configuratiefout: {e}", file=sys.stderr)
        return EXIT_GEBRUIK
    except KeyboardInterrupt:
        print("Onderbroken.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
