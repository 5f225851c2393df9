"""``dso-acceptatie``: the command line. Help, errors and messages in Dutch.

Exit codes: 0 geaccepteerd, 1 criteria niet gehaald (or an internal error: one Dutch line
"interne fout: …", the traceback only with DSO_DEBUG=1), 2 gebruiks- of configuratiefout,
3 niet testbaar, 130 onderbroken met Ctrl-C (SIGINT), 143 onderbroken met SIGTERM.

A run whose ``samenvatting.md`` cannot be written (read-only, or a folder of that name) still ends
with its verdict's exit code: the verdict comes from the records, which are complete, and is
printed on the terminal; the failure is reported on stderr. ``rapport`` exists to write that file,
so there the same failure is exit code 2.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import traceback
from pathlib import Path

from dso_acceptatie.configuratie import ConfiguratieFout
from dso_acceptatie.criteria import Criteria, lees_criteria
from dso_acceptatie.diensten import DIENSTEN
from dso_acceptatie.doelen import controleer_sleutel, doel_van_opdrachtregel, kies_doel, lees_doelen
from dso_acceptatie.fasen import FASEN
from dso_acceptatie.processen import Onderbreker, ontvangen_signaal
from dso_acceptatie.project import project
from dso_acceptatie.records import Masker

EXIT_INTERNE_FOUT = 1
EXIT_GEBRUIK = 2
EXIT_CTRL_C = 130          # 128 + SIGINT
EXIT_SIGTERM = 143         # 128 + SIGTERM
EXIT_GEBROKEN_PIJP = 141   # 128 + SIGPIPE, as a shell reports a pipe whose reader left
EXITCODES_TEKST = ("Exitcodes: 0 accepteren, 1 afwijzen (of interne fout), 2 gebruiks- of "
                   "configuratiefout, 3 niet testbaar, 4 accepteren onder voorwaarden, 5 niet getest, "
                   "130 onderbroken (Ctrl-C), 143 onderbroken (SIGTERM).")


class Gebruiksfout(Exception):
    """Wrong use of the command line (not of a file): Dutch message, exit code 2."""


# --- argparse in Dutch ------------------------------------------------------------------------
# argparse builds its messages from English templates (through gettext). This catalogue maps
# each template the parsers here can produce to Dutch; a message is matched against the English
# template and rebuilt from the Dutch one with the same values.

_CATALOGUS = {
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s: %(message)s",
    "unrecognized arguments: %s": "onbekende argumenten: %s",
    "the following arguments are required: %s": "deze argumenten zijn verplicht: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "ongeldige keuze: %(value)r (kies uit %(choices)s)",
    "invalid %(type)s value: %(value)r": "ongeldige waarde (verwacht %(type)s): %(value)r",
    "expected one argument": "hier hoort één waarde bij",
    "expected at most one argument": "hier hoort hoogstens één waarde bij",
    "expected at least one argument": "hier hoort minstens één waarde bij",
    "expected %s argument": "hier hoort %s waarde bij",
    "expected %s arguments": "hier horen %s waarden bij",
    "not allowed with argument %s": "niet toegestaan samen met argument %s",
    "ignored explicit argument %r": "waarde %r hoort niet bij deze optie",
    "one of the arguments %s is required": "een van deze argumenten is verplicht: %s",
    "ambiguous option: %(option)s could match %(matches)s": "dubbelzinnige optie: %(option)s kan staan voor "
                                                             "%(matches)s",
    "can't open '%(filename)s': %(error)s": "kan '%(filename)s' niet openen: %(error)s",
    "unexpected option string: %s": "onverwachte optie: %s",
}
_TYPEN = {"int": "een geheel getal", "float": "een getal"}
_PLAATSHOUDER = re.compile(r"%\((\w+)\)[sr]|%[sr]")


def _als_patroon(sjabloon: str) -> re.Pattern:
    delen, positie, volgnummer = [], 0, 0
    for plaatshouder in _PLAATSHOUDER.finditer(sjabloon):
        delen.append(re.escape(sjabloon[positie:plaatshouder.start()]))
        naam = plaatshouder.group(1)
        if naam is None:
            naam, volgnummer = f"p{volgnummer}", volgnummer + 1
        delen.append(f"(?P<{naam}>.+?)")
        positie = plaatshouder.end()
    delen.append(re.escape(sjabloon[positie:]))
    return re.compile("^" + "".join(delen) + "$", re.DOTALL)


_PATRONEN = [(_als_patroon(engels), nederlands) for engels, nederlands in _CATALOGUS.items()]


def vertaal(bericht: str) -> str:
    """An argparse message in Dutch (unchanged when it matches no template)."""
    for patroon, nederlands in _PATRONEN:
        gevonden = patroon.match(bericht)
        if not gevonden:
            continue
        waarden = gevonden.groupdict()
        if "message" in waarden:
            waarden["message"] = vertaal(waarden["message"])
        if "type" in waarden:
            waarden["type"] = _TYPEN.get(waarden["type"], waarden["type"])
        return _vul_in(nederlands, waarden)
    return bericht


def _vul_in(sjabloon: str, waarden: dict[str, str]) -> str:
    volgnummer = iter(range(len(waarden) + 1))
    return _PLAATSHOUDER.sub(lambda plaats: waarden[plaats.group(1) or f"p{next(volgnummer)}"], sjabloon)


class NederlandseHelpFormatter(argparse.HelpFormatter):
    def _format_usage(self, usage, actions, groups, prefix):
        return super()._format_usage(usage, actions, groups, "gebruik: " if prefix is None else prefix)


class NederlandseParser(argparse.ArgumentParser):
    """An ArgumentParser whose help, usage and errors are Dutch; errors exit with code 2."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", NederlandseHelpFormatter)
        help_gevraagd = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "argumenten"
        self._optionals.title = "opties"
        if help_gevraagd:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help="toon deze hulp en stop")

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_GEBRUIK, f"{self.prog}: fout: {vertaal(message)}\n")


# --- commands ---------------------------------------------------------------------------------

def _basis(pad: str | None, naam: str) -> Path:
    return Path(pad) if pad else project() / naam


def _criteria(args: argparse.Namespace) -> Criteria:
    # only the default file may be absent (then the defaults hold); a given --criteria must exist
    return lees_criteria(_basis(args.criteria, "acceptatiecriteria.toml"),
                         mag_ontbreken=args.criteria is None)


def bekende_fouten() -> dict[str, str | None]:
    """The reference LV's faults, name -> parameter placeholder (``<dienst>``) or None.

    Read from the output of ``python -m referentie_lv.fouten`` in a separate process: the
    harness never imports the reference LV.
    """
    try:
        uit = subprocess.run([sys.executable, "-m", "referentie_lv.fouten"], capture_output=True,
                             text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as fout:
        raise Gebruiksfout(f"--fouten: de lijst met fouten van de referentie-LV is niet op te vragen "
                           f"({fout}).") from None
    fouten: dict[str, str | None] = {}
    for regel in uit.stdout.splitlines():
        naam = re.fullmatch(r"([a-z0-9][a-z0-9-]*)(?::(<\w+>))?", regel)
        if naam:
            fouten[naam.group(1)] = naam.group(2)
    if uit.returncode != 0 or not fouten:
        raise Gebruiksfout("--fouten: de lijst met fouten van de referentie-LV is niet op te vragen "
                           f"(python -m referentie_lv.fouten stopte met code {uit.returncode}).")
    return fouten


def controleer_fouten(tekst: str) -> None:
    """Every name in ``--fouten a,b`` must be a fault the reference LV knows (exit 2 otherwise)."""
    bekend = bekende_fouten()
    lijst = ", ".join(naam + (f":{p}" if p else "") for naam, p in bekend.items())
    for naam in (deel.strip() for deel in tekst.split(",")):
        if not naam:
            continue
        basis, _, waarde = naam.partition(":")
        if basis not in bekend:
            raise Gebruiksfout(f"--fouten: onbekende fout '{naam}'. Bekende fouten: {lijst}. "
                               "Uitleg per fout: .venv/bin/python -m referentie_lv.fouten")
        parameter = bekend[basis]
        if parameter is None and waarde:
            raise Gebruiksfout(f"--fouten: de fout '{basis}' neemt geen waarde; schrijf '{basis}'.")
        if parameter is not None:
            keuzes = list(DIENSTEN) if parameter == "<dienst>" else None
            if not waarde or (keuzes and waarde not in keuzes):
                raise Gebruiksfout(f"--fouten: de fout '{basis}' heeft een waarde nodig: schrijf "
                                   f"'{basis}:{parameter}'" + (f" met als waarde een van: {', '.join(keuzes)}"
                                                               if keuzes else "") + ".")


def cmd_run(args: argparse.Namespace) -> int:
    from dso_acceptatie.rapport import ADVIES
    from dso_acceptatie.run import Orkestrator

    rapporten = _basis(args.rapporten, "reports")
    if rapporten.exists() and not rapporten.is_dir():
        raise Gebruiksfout(f"--rapporten {rapporten}: dit is een bestand, geen map. Oplossing: geef "
                           "een map (die mag nog niet bestaan).")
    doelen_pad = _basis(args.doelen, "doelen.toml")
    if args.origin or args.loket or args.dienst:
        doel = doel_van_opdrachtregel(args.origin, args.loket, args.dienst, args.sleutel_variabele)
    else:
        doel = kies_doel(lees_doelen(doelen_pad), args.doel, doelen_pad)
    controleer_sleutel(doel, doelen_pad)
    if args.fase:
        onbekend = [fase for fase in args.fase if fase not in FASEN]
        if onbekend:
            raise Gebruiksfout(f"--fase {onbekend[0]}: onbekende fase. Kies uit {', '.join(FASEN)}.")
        doel.fasen = [fase for fase in doel.fasen if fase in args.fase] or list(args.fase)
    criteria = _criteria(args)
    if args.workers is not None and not args.workers.isdigit():
        raise Gebruiksfout(f"--workers {args.workers}: geef een geheel getal (0: één locust-proces zonder workers).")
    # The load phase reads these from its environment (it is a process of its own); it checks
    # the values itself and blocks with a Dutch message when one is wrong.
    for waarde, variabele in ((args.last_profiel, "DSO_LAST_PROFIEL"), (args.workers, "DSO_LAST_WORKERS"),
                              (args.master_host, "DSO_LAST_MASTER_HOST")):
        if waarde is not None:
            os.environ[variabele] = str(waarde)
    if args.fouten:
        if doel.soort != "referentie":
            raise Gebruiksfout("--fouten werkt alleen op het doel 'referentie' (zelftest).")
        controleer_fouten(args.fouten)
    uitkomst = Orkestrator(doel, rapporten=rapporten, criteria=criteria,
                           fouten=args.fouten or "", pi=args.pi).voer_uit()
    rapport = uitkomst.rapport
    code = rapport.exitcode
    if rapport.oordeel == "onderbroken" and uitkomst.signaal == signal.SIGTERM:
        code = EXIT_SIGTERM
    if uitkomst.schrijffout:
        print(f"Let op: {uitkomst.schrijffout}. Het oordeel hierboven geldt; de records staan in "
              f"{uitkomst.run_map / 'records'} en 'dso-acceptatie rapport' schrijft het rapport "
              "opnieuw.", file=sys.stderr)
    print(f"\nRunmap: {uitkomst.run_map}\nOordeel: {rapport.oordeel} (exitcode {code})\n"
          f"Rapport: {uitkomst.run_map / 'rapport.html'}\nAdvies: {ADVIES[rapport.oordeel]}")
    return code


def cmd_referentie(args: argparse.Namespace) -> int:
    if args.fouten:
        controleer_fouten(args.fouten)
    # The harness never imports the reference LV: it becomes this process via exec, so Ctrl-C
    # and exit codes are its own.
    argv = [sys.executable, "-m", "referentie_lv", "--host", args.host, "--port", str(args.port)]
    if args.fouten:
        argv += ["--fouten", args.fouten]
    print(f"Referentie-LV op http://{args.host}:{args.port}/ (Ctrl-C om te stoppen)", flush=True)
    os.execv(sys.executable, argv)  # noqa: S606 - our own interpreter with an argument list, no shell
    return 0  # not reached


def cmd_doelen(args: argparse.Namespace) -> int:
    pad = _basis(args.doelen, "doelen.toml")
    for naam, doel in lees_doelen(pad).items():
        waar = doel.origin or doel.loket or ", ".join(doel.diensten.values()) or "(gestart door de run)"
        print(f"{naam:<14} {doel.omschrijving}\n{'':<14} {waar}; fasen: {', '.join(doel.fasen)}")
    return 0


def cmd_afnemer(args: argparse.Namespace) -> int:
    """A consumer session: recording proxy in front of the target, the vendor's client, verdict per rule."""
    from dso_acceptatie.afnemers.rollen import lees_rol
    from dso_acceptatie.afnemers.sessie import Sessie, als_tekst

    client = list(args.client or [])
    if client[:1] == ["--"]:
        client = client[1:]
    if args.duur is not None and args.duur <= 0:
        raise Gebruiksfout("--duur: geef een positief aantal seconden.")
    rol = lees_rol(args.rol)
    doelen_pad = _basis(args.doelen, "doelen.toml")
    doel = kies_doel(lees_doelen(doelen_pad), args.doel, doelen_pad)
    controleer_sleutel(doel, doelen_pad)
    if doel.alleen_lezen and not rol.alleen_lezen:
        raise Gebruiksfout(f"de rol '{rol.naam}' verandert gegevens (niet alleen-lezen) en mag niet tegen het "
                           f"alleen-lezen doel '{doel.naam}'. Kies 'referentie' of 'pre'.")
    uitkomst = Sessie(rol, doel, rapporten=_basis(args.rapporten, "reports"), opdracht=client,
                      duur_s=args.duur, uit=lambda tekst: print(tekst, flush=True)).voer_uit()
    print("\n" + als_tekst(uitkomst))
    if uitkomst.onderbroken and ontvangen_signaal() == signal.SIGTERM:
        return EXIT_SIGTERM
    return uitkomst.exitcode


def cmd_zelftest(args: argparse.Namespace) -> int:
    """Mutation test of the harness: clean runs, then one run per mutation; exit 0 only when every
    clean run is accepted and clean and every applied mutation rejected."""
    from dso_acceptatie import zelftest
    from dso_acceptatie.zelftest import proxy

    if args.fase:
        onbekend = [fase for fase in args.fase if fase not in FASEN]
        if onbekend:
            raise Gebruiksfout(f"--fase {onbekend[0]}: onbekende fase. Kies uit {', '.join(FASEN)}.")
    for naam in args.mutatie or []:
        if naam not in zelftest.alle_namen():
            raise Gebruiksfout(f"--mutatie {naam}: onbekende mutatie. Kies uit {', '.join(zelftest.alle_namen())}.")
    doelen_pad = _basis(args.doelen, "doelen.toml")
    doel = kies_doel(lees_doelen(doelen_pad), args.doel, doelen_pad)
    fasen = args.fase
    if doel.soort != "referentie":
        fasen = _zelftest_fasen_extern(doel, args, fasen, doelen_pad)
        switches = [n for n in args.mutatie or [] if n not in proxy.PER_NAAM]
        if switches:
            raise Gebruiksfout(f"--mutatie {switches[0]}: een fout van de referentie-LV werkt alleen op het doel "
                               "'referentie'; op een ander doel alleen mutaties 'proxy:…'.")
    kandidaten = zelftest.kies_mutaties(args.snel, fasen, args.mutatie) if doel.soort == "referentie" else []
    kandidaten += [k for k in zelftest.kies_proxy_mutaties(args.snel, fasen, args.mutatie) if k.fase in doel.fasen]
    if not kandidaten:
        raise Gebruiksfout("geen mutatie past bij de gekozen --fase/--mutatie"
                           f"{' in --snel' if args.snel else ''} en de fasen van doel '{doel.naam}'.")
    uitslagen, map_ = zelftest.voer_uit(doel, rapporten=_basis(args.rapporten, "reports"),
                                        criteria=_criteria(args), snel=args.snel, fasen=fasen,
                                        namen=args.mutatie,
                                        uit=lambda tekst: print(tekst, flush=True))
    print("\n" + zelftest.als_tabel(uitslagen) + f"\nVerslag: {map_ / 'zelftest.md'}")
    return 0 if zelftest.geslaagd(uitslagen) else 1


def _zelftest_fasen_extern(doel, args: argparse.Namespace, fasen: list[str] | None, doelen_pad: Path) -> list[str]:
    """The phases a zelftest may run on a target other than the reference (policy in the README,
    "Zelftest"): never on a read-only target; a target not on loopback only with
    --extern-toegestaan, and never the load phase there (the proxy is on loopback, so the load
    phase would pick its heavy profile and send it on to the remote target)."""
    from dso_acceptatie.doelen import is_loopback
    from dso_acceptatie.zelftest import proxy

    if doel.alleen_lezen:
        raise Gebruiksfout(f"zelftest op doel '{doel.naam}' geweigerd: dit doel is alleen-lezen, en een zelftest "
                           "stuurt gemuteerd en foutief verkeer. Kies de referentie of een testsysteem.")
    controleer_sleutel(doel, doelen_pad)
    if proxy.api_origin(doel) is None:
        raise Gebruiksfout(f"zelftest op doel '{doel.naam}': de diensten staan op verschillende hosts; de "
                           "muterende proxy staat voor één origin. Geef het doel één origin.")
    urls = [u for u in (doel.origin, doel.loket, *doel.dienst_urls().values()) if u]
    if all(is_loopback(u) for u in urls):
        return fasen or list(doel.fasen)
    if not args.extern_toegestaan:
        raise Gebruiksfout(f"zelftest op doel '{doel.naam}' geweigerd: het doel staat niet op loopback "
                           f"({doel.origin or doel.loket}). Een zelftest stuurt gemuteerd verkeer; doe dit alleen "
                           "tegen een eigen testsysteem en bevestig dat met --extern-toegestaan.")
    if fasen and "last" in fasen:
        raise Gebruiksfout(f"--fase last: de lastfase draait in een zelftest alleen tegen loopback, niet tegen "
                           f"doel '{doel.naam}'.")
    return [f for f in (fasen or doel.fasen) if f in ("contracten", "klantreizen")]


def parser() -> argparse.ArgumentParser:
    hoofd = NederlandseParser(
        prog="dso-acceptatie",
        description="Acceptatie- en conformiteitstests voor het DSO-LV (Omgevingswet).",
        epilog=EXITCODES_TEKST)
    sub = hoofd.add_subparsers(dest="opdracht", metavar="OPDRACHT", required=True)

    run = sub.add_parser("run", help="volledige acceptatierun (standaard tegen de referentie-LV)",
                       description="Voer een acceptatierun uit: omgevingscontrole, fasen, "
                                   "samenvatting en oordeel.", epilog=EXITCODES_TEKST)
    run.add_argument("--doel", default="referentie", help="doel uit doelen.toml (standaard: referentie)")
    run.add_argument("--doelen", help="pad naar doelen.toml")
    run.add_argument("--criteria", help="pad naar acceptatiecriteria.toml")
    run.add_argument("--rapporten", help="map voor runs (standaard: reports/)")
    run.add_argument("--fase", action="append", help="voer alleen deze fase uit (herhaalbaar)")
    run.add_argument("--fouten", help="zelftest: zet deze fouten aan in de referentie-LV "
                                    "(lijst: python -m referentie_lv.fouten)")
    run.add_argument("--origin", help="leveranciersdoel: één origin met de standaard DSO-basispaden")
    run.add_argument("--loket", help="leveranciersdoel: URL van het loket")
    run.add_argument("--dienst", action="append", default=[], metavar="NAAM=URL",
                   help="leveranciersdoel: URL van één dienst (herhaalbaar)")
    run.add_argument("--sleutel-variabele", help="omgevingsvariabele met de API-sleutel")
    run.add_argument("--last-profiel", metavar="PROFIEL",
                     help="profiel van de lastfase uit load/slo.toml (rook, zacht, piek, duur, trap)")
    run.add_argument("--workers", metavar="N", help="lastfase: locust-master met N workers (zie deploy/)")
    run.add_argument("--master-host", metavar="ADRES",
                     help="lastfase: adres waarop de master workers van andere machines afwacht")
    run.add_argument("--pi", help="label van het programma-increment, bijv. PI-42 (voor de trend)")
    run.set_defaults(func=cmd_run)

    ref = sub.add_parser("referentie", help="start de referentie-LV op de voorgrond")
    ref.add_argument("--host", default="127.0.0.1", help="adres (standaard: 127.0.0.1)")
    ref.add_argument("--port", type=int, default=8800, help="poort (standaard: 8800)")
    ref.add_argument("--fouten", help="komma-gescheiden fouten voor de zelftest")
    ref.set_defaults(func=cmd_referentie)

    from dso_acceptatie.leveringen import opdracht as levering_opdracht

    lev = sub.add_parser("levering", help="valideer een levering (STOP, TPOD/IMOW, STTR, IMRO)",
                         description="Valideer een levering (map, zip of los bestand) tegen de "
                                     "officiële schema's en regels. Exitcodes: 0 geldig, 1 "
                                     "bevindingen met ernst fout, 2 onleesbaar of geweigerd.")
    levering_opdracht.voeg_argumenten_toe(lev)
    lev.set_defaults(func=levering_opdracht.cmd_levering)

    from dso_acceptatie.rapport import opdrachten as rapport_opdrachten

    rap = sub.add_parser("rapport", help="bouw het rapport opnieuw op uit een runmap", epilog=EXITCODES_TEKST)
    rapport_opdrachten.argumenten_rapport(rap)
    rap.set_defaults(func=rapport_opdrachten.cmd_rapport)

    ver = sub.add_parser("vergelijk", help="vergelijk twee runs: nieuw, opgelost, nog steeds",
                         description="Exitcodes: 0 geen nieuwe bevindingen, 1 nieuwe bevindingen, "
                                     "2 een run zonder rapport.json.")
    rapport_opdrachten.argumenten_vergelijk(ver)
    ver.set_defaults(func=rapport_opdrachten.cmd_vergelijk)

    vf = sub.add_parser("verifieer", help="controleer de conformiteitsverklaring van een run",
                        description="Rekent de sha256 van records en bewijs na en controleert de "
                                    "handtekening. Exitcodes: 0 in orde, 1 gewijzigd of ongeldig.")
    rapport_opdrachten.argumenten_verifieer(vf)
    vf.set_defaults(func=rapport_opdrachten.cmd_verifieer)

    afn = sub.add_parser("afnemer", help="certificeer een client: opnameproxy voor het doel, oordeel per rol",
                         description="Start een opnemende reverse proxy voor het doel (standaard de referentie-LV), "
                                     "laat uw client daarmee praten en beoordeel de opname tegen de regels van de "
                                     "rol. Met '-- OPDRACHT' draait uw client met DSO_BASIS_URL en DSO_API_KEY "
                                     "naar de proxy. Exitcodes: 0 alle regels geslaagd, 1 niet geslaagd of niet "
                                     "getest, 2 gebruiks- of configuratiefout.")
    afn.add_argument("--rol", required=True, help="rol uit afnemers/rollen/ (viewer, vth) of pad naar een rolbestand")
    afn.add_argument("--doel", default="referentie", help="doel uit doelen.toml (standaard: referentie)")
    afn.add_argument("--doelen", help="pad naar doelen.toml")
    afn.add_argument("--rapporten", help="map voor runs (standaard: reports/)")
    afn.add_argument("--duur", type=float, help="sessieduur in seconden (zonder opdracht: anders tot Ctrl-C)")
    afn.add_argument("client", nargs=argparse.REMAINDER, metavar="-- OPDRACHT",
                     help="de clientopdracht van de leverancier (na --)")
    afn.set_defaults(func=cmd_afnemer)

    zt = sub.add_parser("zelftest", help="mutatietest van het harnas: schone run, dan één run per mutatie",
                        description="Een schone run, dan één run per mutatie (een fout van de referentie-LV of "
                                    "een muterende proxy voor het doel), beperkt tot de fase die haar moet afwijzen. "
                                    "Toont per mutatie hoe vaak ze is toegepast, welke controle afwees, of GEMIST, "
                                    "en de mutatiescore. Exitcodes: 0 schone runs geaccepteerd en elke toegepaste "
                                    "mutatie afgewezen, 1 anders, 2 gebruiks- of configuratiefout.")
    zt.add_argument("--doel", default="referentie",
                    help="doel uit doelen.toml (standaard: referentie); nooit een alleen-lezen doel")
    zt.add_argument("--extern-toegestaan", action="store_true",
                    help="sta een doel buiten loopback toe (alleen een eigen testsysteem; nooit de lastfase)")
    zt.add_argument("--snel", action="store_true",
                    help="enkele proxy-mutaties (één per fase), snellere contracttests, één klantreis")
    zt.add_argument("--fase", action="append", help="alleen mutaties voor deze fase (herhaalbaar)")
    zt.add_argument("--mutatie", action="append", help="alleen deze mutatie (herhaalbaar; lijst: zie README)")
    zt.add_argument("--doelen", help="pad naar doelen.toml")
    zt.add_argument("--criteria", help="pad naar acceptatiecriteria.toml")
    zt.add_argument("--rapporten", help="map voor de zelftest (standaard: reports/)")
    zt.set_defaults(func=cmd_zelftest)

    doelen = sub.add_parser("doelen", help="toon de doelen uit doelen.toml")
    doelen.add_argument("--doelen", help="pad naar doelen.toml")
    doelen.set_defaults(func=cmd_doelen)
    return hoofd


def _debug() -> bool:
    return os.environ.get("DSO_DEBUG", "") not in ("", "0")


def _interne_fout(fout: BaseException) -> int:
    if _debug():
        traceback.print_exc()
    # an exception text may quote a request; keys never reach the terminal
    masker = Masker.uit_omgeving(naam for naam in os.environ if "API_KEY" in naam or "SLEUTEL" in naam)
    tekst = " ".join(masker(f"{type(fout).__name__}: {fout}").split())
    print(f"interne fout: {tekst}" + ("" if _debug() else " (DSO_DEBUG=1 toont de technische details)"),
          file=sys.stderr)
    return EXIT_INTERNE_FOUT


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    with Onderbreker() as onderbreker:  # SIGTERM like Ctrl-C, for every command
        try:
            return args.func(args)
        except ConfiguratieFout as fout:
            print(f"Configuratiefout: {fout}", file=sys.stderr)
            return EXIT_GEBRUIK
        except Gebruiksfout as fout:
            print(f"Gebruiksfout: {fout}", file=sys.stderr)
            return EXIT_GEBRUIK
        except KeyboardInterrupt:
            print("Onderbroken.", file=sys.stderr)
            return EXIT_SIGTERM if onderbreker.signaal == signal.SIGTERM else EXIT_CTRL_C
        except BrokenPipeError:
            # the reader went away (`dso-acceptatie doelen | head`): not an error of ours
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_GEBROKEN_PIJP
        except Exception as fout:  # noqa: BLE001 - the last line of defence: one Dutch line, no traceback
            return _interne_fout(fout)


if __name__ == "__main__":
    sys.exit(main())
