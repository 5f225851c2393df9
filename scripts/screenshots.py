"""Screenshots of the loket's main pages, to look at: reports/screenshots/*.png.

Starts the reference LV on a free loopback port (own temporary data folder), walks the
klantreizen in the system Chromium and saves a full-page PNG per step.

    .venv/bin/python scripts/screenshots.py [--map reports/screenshots] [--breedte 1200]
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn

# Run with the project's venv (.venv/bin/python): both packages are installed there (editable).
from dso_acceptatie.browser import LAUNCH_ARGS, find_browser
from dso_acceptatie.project import project
from referentie_lv.app import create_app
from referentie_lv.config import Config


def start_server(data_map: str) -> tuple[uvicorn.Server, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        poort = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(Config(data_map=data_map)), host="127.0.0.1",
                                           port=poort, log_level="warning", access_log=False))
    threading.Thread(target=server.run, daemon=True).start()
    eind = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > eind:
            raise SystemExit("referentie-LV startte niet")
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{poort}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Maak schermafdrukken van de hoofdpagina's van het loket.")
    p.add_argument("--map", default=str(project() / "reports" / "screenshots"), help="uitvoermap")
    p.add_argument("--breedte", type=int, default=1200, help="breedte van het venster in pixels")
    args = p.parse_args(argv)
    uit = Path(args.map)
    uit.mkdir(parents=True, exist_ok=True)
    pad = find_browser()
    if not pad:
        print("geen Chromium gevonden", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as data, sync_playwright() as pw:
        server, url = start_server(data)
        browser = pw.chromium.launch(executable_path=pad, args=LAUNCH_ARGS)
        pagina = browser.new_page(locale="nl-NL", viewport={"width": args.breedte, "height": 900})
        gemaakt = []

        def foto(naam: str) -> None:
            bestand = uit / f"{len(gemaakt) + 1:02d}-{naam}.png"
            pagina.screenshot(path=str(bestand), full_page=True)
            gemaakt.append(bestand)

        pagina.goto(url + "/")
        foto("home")
        pagina.goto(url + "/regels-op-de-kaart")
        pagina.get_by_label("Adres of postcode en huisnummer").press_sequentially("Marktplein 1", delay=30)
        pagina.get_by_role("option").first.wait_for()
        foto("zoeken-suggesties")
        pagina.get_by_role("option").first.click()
        pagina.get_by_role("button", name="Zoeken").click()
        foto("locatie-met-kaart")
        pagina.get_by_role("link", name="Artikel 5.1 Bouwen van een bijgebouw").click()
        foto("regeltekst")
        pagina.goto(url + "/vergunningcheck")
        pagina.get_by_label("Adres of postcode en huisnummer").fill("Marktplein 1 5391AA")
        pagina.get_by_role("button", name="Verder").click()
        pagina.get_by_role("radio", name="Kappen van een boom").check()
        pagina.get_by_role("button", name="Verder").click()
        pagina.get_by_role("button", name="Volgende").click()       # empty answer: the error state
        foto("vraag-met-fout")
        pagina.get_by_label("Wat is de stamomtrek van de boom?").fill("120")
        pagina.get_by_role("button", name="Volgende").click()
        foto("vraag-ja-nee")
        for antwoord in ("Ja", "Nee", "Nee", "Nee"):
            if pagina.get_by_role("heading", level=1, name="Conclusie: Kappen van een boom").count():
                break
            pagina.get_by_role("radio", name=antwoord).check()
            pagina.get_by_role("button", name="Volgende").click()
        foto("conclusie")
        pagina.get_by_role("link", name="Verder naar Aanvragen").click()
        foto("testinlog")
        pagina.get_by_role("radio").first.check()
        pagina.get_by_role("button", name="Inloggen").click()
        pagina.get_by_label("Projectnaam").fill("Eik kappen achtertuin")
        pagina.get_by_role("button", name="Volgende").click()
        pagina.get_by_role("link", name="Verder met de gekozen locatie").click()
        pagina.get_by_role("radio", name="Aanvraag omgevingsvergunning").check()
        pagina.get_by_role("button", name="Volgende").click()
        pagina.get_by_label("Wat is de stamomtrek van de boom?").fill("120")
        for groep in pagina.get_by_role("group").all():
            groep.get_by_role("radio", name="Nee").check()
        if pagina.get_by_label("Wat is de reden voor het kappen van de boom?").count():
            pagina.get_by_label("Wat is de reden voor het kappen van de boom?").fill("Ziekte")
        foto("indieningsvereisten")
        pagina.get_by_role("button", name="Volgende").click()
        pagina.get_by_label("Document toevoegen").set_input_files(
            files=[{"name": "programma.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}])
        pagina.get_by_role("button", name="Uploaden").click()
        foto("bijlage-fout")
        pagina.get_by_label("Document toevoegen").set_input_files(
            files=[{"name": "situatieschets.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}])
        pagina.get_by_role("button", name="Uploaden").click()
        pagina.get_by_role("link", name="Verder naar het overzicht").click()
        foto("overzicht")
        pagina.get_by_role("checkbox").check()
        pagina.get_by_role("button", name="Indienen").click()
        foto("bevestiging")
        pagina.goto(url + "/maatregelen/nl.imow-gm0297.activiteit.2019000810")
        foto("maatregelen")
        pagina.goto(url + "/ontwikkelaars")
        foto("ontwikkelaars")
        browser.close()
        server.should_exit = True
    for b in gemaakt:
        print(b.relative_to(project()) if b.is_relative_to(project()) else b)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
