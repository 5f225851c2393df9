"""Generate the Vergunningcheck features from the STTR decision models (one file per model).

    python -m dso_acceptatie.fasen.klantreizen.voorbeelden              # (re)write the features
    python -m dso_acceptatie.fasen.klantreizen.voorbeelden --controleer # exit 1 on drift

Every row of every decision table becomes one line of ``Voorbeelden``: the answers that reach the
row and the conclusion the model then gives. The files are committed; the drift check (also a test
in tests/klantreizen) fails as soon as a committed file no longer matches its DMN.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from dso_acceptatie.dmn import (
    DmnFout,
    Model,
    Voorbeeld,
    dmn_bestanden,
    lees_model,
    voorbeelden,
)
from dso_acceptatie.fasen.klantreizen import paden

OPDRACHT = "python -m dso_acceptatie.fasen.klantreizen.voorbeelden"


def _slug(tekst: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", tekst.lower()).strip("-")


def _kolomnamen(model: Model) -> dict[str, str]:
    """Short column names: the first word of each question's name, made unique."""
    namen: dict[str, str] = {}
    for vraag in sorted(model.vragen.values(), key=lambda v: v.prioriteit):
        basis = _slug(vraag.naam.split()[0]) or "vraag"
        naam, n = basis, 2
        while naam in namen.values():
            naam, n = f"{basis}-{n}", n + 1
        namen[vraag.naam] = naam
    return namen


def antwoord_tekst(waarde) -> str:
    if isinstance(waarde, bool):
        return "ja" if waarde else "nee"
    if isinstance(waarde, float) and waarde.is_integer():
        return str(int(waarde))
    return str(waarde).replace(".", ",") if isinstance(waarde, float) else str(waarde)


def _tabel(rijen: list[list[str]], inspring: str) -> list[str]:
    breedtes = [max(len(r[i]) for r in rijen) for i in range(len(rijen[0]))]
    return [inspring + "| " + " | ".join(c.ljust(b) for c, b in zip(r, breedtes, strict=True)) + " |"
            for r in rijen]


def feature_tekst(model: Model, bron: str, lijst: list[Voorbeeld]) -> str:
    kolommen = _kolomnamen(model)
    vragen = sorted(model.vragen.values(), key=lambda v: v.prioriteit)
    w = model.werkzaamheid
    regels = [
        "# language: nl",
        f"# Gegenereerd uit {bron} met:",
        f"#   {OPDRACHT}",
        "# Niet met de hand bewerken: tests/klantreizen vergelijkt dit bestand met het DMN-model.",
        "@klantreis-vergunningcheck @component-vergunningcheck @ernstig @alleen-lezen",
        f"Functionaliteit: Vergunningcheck \"{w}\" volgens de beslistabellen",
        f"  Als burger wil ik met de Vergunningcheck weten of ik voor \"{w.lower()}\" een",
        "  vergunning nodig heb, een melding moet doen of vrij ben om te beginnen.",
        f"  Elke regel van elke beslistabel van het model \"{model.naam}\" is hieronder",
        "  een voorbeeld: de antwoorden die die regel bereiken en de conclusie die het model dan geeft.",
        "",
        "  Achtergrond:",
        "    Gegeven ik start de Vergunningcheck op locatie \"vergunningcheck\"",
        "",
        "  Abstract Scenario: <beslistabel>, regel <regel>: <conclusie>",
        f"    Als ik de werkzaamheid \"{w}\" kies",
        "    En ik de vragen als volgt beantwoord:",
        *_tabel([["vraag", "antwoord"]] + [[v.tekst, f"<{kolommen[v.naam]}>"] for v in vragen],
                "      "),
        f"    Dan luidt de conclusie voor \"{w}\": <conclusie>",
        "",
        "    Voorbeelden:",
        *_tabel([["beslistabel", "regel", *(kolommen[v.naam] for v in vragen), "conclusie"]]
                + [[vb.besluit, str(vb.regel),
                    *(antwoord_tekst(vb.antwoorden[v.naam]) for v in vragen), vb.conclusie]
                   for vb in lijst], "      "),
    ]
    return "\n".join(regels) + "\n"


def genereer(dmn_map: Path = paden.DMN_MAP, repo: Path = paden.REPO) -> dict[str, str]:
    """File name -> content, for every Vergunningcheck (conclusion) model under ``dmn_map``."""
    uit: dict[str, str] = {}
    for naam, inhoud in dmn_bestanden(dmn_map):
        model = lees_model(naam, inhoud)
        if not model.conclusiemodel:
            continue
        try:
            bron = Path(naam).resolve().relative_to(repo.resolve()).as_posix()
        except ValueError:
            bron = Path(naam).name
        naam = f"beslistabellen-{_slug(model.werkzaamheid or model.naam)}.feature"
        uit[naam] = feature_tekst(model, bron, voorbeelden(model))
    return uit


def verschillen(dmn_map: Path = paden.DMN_MAP, doelmap: Path = paden.VERGUNNINGCHECK_FEATURES,
                repo: Path = paden.REPO) -> list[str]:
    """Dutch descriptions of every drift between the DMN models and the committed features."""
    verwacht = genereer(dmn_map, repo)
    fouten: list[str] = []
    if not verwacht:
        fouten.append(f"geen Vergunningcheck-modellen (DMN) gevonden in {dmn_map}")
    for naam, tekst in verwacht.items():
        pad = doelmap / naam
        if not pad.exists():
            fouten.append(f"{pad}: ontbreekt; voer '{OPDRACHT}' uit en commit het resultaat")
        elif pad.read_text(encoding="utf-8") != tekst:
            fouten.append(f"{pad}: wijkt af van het DMN-model; voer '{OPDRACHT}' uit, bekijk het "
                          "verschil en commit het")
    for pad in sorted(doelmap.glob("beslistabellen-*.feature")):
        if pad.name not in verwacht:
            fouten.append(f"{pad}: hoort bij geen DMN-model meer; verwijder het bestand")
    return fouten


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog=OPDRACHT, description="Genereer de Vergunningcheck-voorbeelden uit de DMN-modellen.")
    p.add_argument("--dmn-map", type=Path, default=paden.DMN_MAP,
                   help="map met de STTR-modellen (standaard: %(default)s)")
    p.add_argument("--uit", type=Path, default=paden.VERGUNNINGCHECK_FEATURES,
                   help="map voor de features (standaard: %(default)s)")
    p.add_argument("--controleer", action="store_true",
                   help="schrijf niets; exitcode 1 als een feature niet meer bij zijn DMN past")
    args = p.parse_args(argv)
    try:
        return _voer_uit(args)
    except DmnFout as fout:
        # A model this generator does not evaluate exactly: say which and where, never guess.
        print(f"Geen voorbeelden gegenereerd: {fout}", file=sys.stderr)
        return 2


def _voer_uit(args: argparse.Namespace) -> int:
    if args.controleer:
        fouten = verschillen(args.dmn_map, args.uit)
        for f in fouten:
            print(f, file=sys.stderr)
        if not fouten:
            print("De Vergunningcheck-voorbeelden passen bij de DMN-modellen.")
        return 1 if fouten else 0
    bestanden = genereer(args.dmn_map)
    if not bestanden:
        print(f"Geen Vergunningcheck-modellen (DMN) gevonden in {args.dmn_map}", file=sys.stderr)
        return 2
    args.uit.mkdir(parents=True, exist_ok=True)
    for naam, tekst in bestanden.items():
        (args.uit / naam).write_text(tekst, encoding="utf-8")
        print(f"geschreven: {args.uit / naam}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
