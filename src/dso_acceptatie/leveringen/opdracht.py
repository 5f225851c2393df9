"""``dso-acceptatie levering PAD``: validate one delivery and print the findings in Dutch.

Exit codes: 0 valid (no finding of severity fout), 1 findings of severity fout, 2 unreadable or
refused input (or a usage error). Never a stack trace for bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

from dso_acceptatie.leveringen.model import (
    FOUT,
    SOORT_NAAM,
    SOORTEN,
    WAARSCHUWING,
    Uitkomst,
)
from dso_acceptatie.leveringen.veilig import InvoerFout, OnveiligeInvoer, veilige_naam

EXIT_GELDIG, EXIT_FOUTEN, EXIT_ONLEESBAAR = 0, 1, 2


def voeg_argumenten_toe(p: argparse.ArgumentParser) -> None:
    p.add_argument("pad", help="map, zip-bestand of los XML-bestand van de levering")
    p.add_argument("--peildatum", metavar="JJJJ-MM-DD",
                   help="datum waarop de regels gelden (standaard: vandaag); kiest bijv. de "
                        "IMRO TAM-regelset (v0.13 tot 2026-01-01, daarna v0.14)")
    p.add_argument("--soort", choices=SOORTEN,
                   help="valideer alleen deze standaard (standaard: wat in de levering zit)")
    p.add_argument("--tpod-1-0", choices=("auto", "altijd", "nooit"), default="auto",
                   help="TPOD-validaties 1.0.6 (Schematron voor IMOW 1.0.x/STOP 1.0.4): auto = "
                        "alleen waar ze passen; altijd = ook op IMOW 2.x (dan alleen informatief)")
    p.add_argument("--basis", action="append", metavar="MAP", default=[],
                   help="map met een eerdere levering van de regeling die deze levering wijzigt "
                        "(herhaalbaar, in volgorde): de stand in Ozon; dan worden verwijzingen naar "
                        "buiten de levering beslist en gelden OZON0350/TPOD0104 op die stand")
    p.add_argument("--json", action="store_true",
                   help="uitkomst als JSON op stdout, met 'records': dezelfde records als de fase "
                        "leveringen schrijft (schema/record.schema.json)")
    p.add_argument("--svrl", metavar="PAD",
                   help="schrijf alle bevindingen ook als SVRL (ISO Schematron-rapport) naar PAD")
    p.add_argument("--max", type=int, default=200, metavar="N",
                   help="toon ten hoogste N bevindingen (standaard 200; JSON geeft alles)")


def als_tekst(u: Uitkomst, maximum: int = 200) -> str:
    regels = [f"Levering: {u.pad}",
              (f"Soort: {', '.join(SOORT_NAAM[s] for s in u.soorten) or '-'}; "
              f"peildatum {u.peildatum}; {len(u.bestanden)} bestand(en)"),
              "Regelsets:"]
    for r in u.regelsets:
        status = "toegepast" if r.toegepast else "niet toegepast"
        regels.append(f"  - {r.naam}: {status}" + (f" ({r.toelichting})" if r.toelichting else ""))
    volgorde = {FOUT: 0, WAARSCHUWING: 1}
    bevindingen = sorted(u.bevindingen, key=lambda b: (volgorde.get(b.ernst, 2), b.bestand or "",
                                                        b.regel or 0))
    if bevindingen:
        regels.append("Bevindingen:")
    for b in bevindingen[:maximum]:
        regels.append(f"  [{b.ernst}] {b.code} — {b.plaats()}\n      {b.bericht}")
    if len(bevindingen) > maximum:
        regels.append(f"  … en nog {len(bevindingen) - maximum} bevinding(en); gebruik --max of "
                      "--json voor alles.")
    regels.append(f"Oordeel: {u.oordeel} — {u.aantal(FOUT)} fout(en), "
                  f"{u.aantal(WAARSCHUWING)} waarschuwing(en), "
                  f"{len(u.bevindingen) - u.aantal(FOUT) - u.aantal(WAARSCHUWING)} informatief.")
    return "\n".join(regels)


def cmd_levering(args: argparse.Namespace) -> int:
    from dso_acceptatie.leveringen.levering import valideer

    peildatum = None
    if args.peildatum:
        try:
            peildatum = date.fromisoformat(args.peildatum)
        except ValueError:
            print(f"--peildatum {args.peildatum}: geen geldige datum; gebruik JJJJ-MM-DD.",
                  file=sys.stderr)
            return EXIT_ONLEESBAAR
    from dso_acceptatie.leveringen import uitvoer

    svrl_pad = Path(args.svrl) if args.svrl else None
    if svrl_pad is not None and (svrl_pad.is_dir() or not svrl_pad.parent.is_dir()):
        print(f"--svrl {args.svrl}: geen schrijfbaar bestand (map bestaat niet of is zelf een map).",
              file=sys.stderr)
        return EXIT_ONLEESBAAR
    for basis in args.basis:
        if not Path(basis).is_dir():
            print(f"--basis {basis}: geen map; geef de map van een eerdere levering.", file=sys.stderr)
            return EXIT_ONLEESBAAR
    start = time.perf_counter()
    try:
        uitkomst = valideer(args.pad, peildatum=peildatum, soort=args.soort,
                            tpod_1_0=args.tpod_1_0, basis=[Path(b) for b in args.basis])
    except KeyboardInterrupt:
        raise
    except InvoerFout as e:
        soort = "geweigerd" if isinstance(e, OnveiligeInvoer) else "onleesbaar"
        if args.json:
            gegevens = {"pad": veilige_naam(args.pad), "oordeel": soort, "bestand": e.bestand,
                        "regel": e.regel, "kolom": e.kolom, "bericht": e.bericht}
            gegevens["records"] = uitvoer.records(None, veilige_naam(args.pad),
                                                  (time.perf_counter() - start) * 1000, gegevens)
            print(json.dumps(gegevens, ensure_ascii=False, indent=2))
        print(f"Levering {soort}: {e}", file=sys.stderr)
        return EXIT_ONLEESBAAR
    except Exception as e:  # never a stack trace for a user; DSO_DEBUG shows it
        if os.environ.get("DSO_DEBUG"):
            raise
        print(f"De validator kon de levering niet verwerken (interne fout {type(e).__name__}: "
              f"{e}). Zet DSO_DEBUG=1 voor de technische details.", file=sys.stderr)
        return EXIT_ONLEESBAAR
    if svrl_pad is not None:
        try:
            svrl_pad.write_bytes(uitvoer.svrl(uitkomst))
        except OSError as e:
            print(f"--svrl {args.svrl}: niet te schrijven ({e.strerror}).", file=sys.stderr)
            return EXIT_ONLEESBAAR
    if args.json:
        gegevens = uitkomst.als_dict()
        gegevens["records"] = uitvoer.records(uitkomst, veilige_naam(args.pad),
                                              (time.perf_counter() - start) * 1000)
        print(json.dumps(gegevens, ensure_ascii=False, indent=2))
    else:
        print(als_tekst(uitkomst, args.max))
    return EXIT_GELDIG if uitkomst.geldig else EXIT_FOUTEN
