"""Page objects of the loket: each knows one page the way a user does, by role and accessible name.

A page object finds its heading, its labelled fields and its buttons by role and name (what a
screen reader also sees), never by CSS class or id; steps say what the user does and sees, and
call these. Only pages used by more than one step have a class here.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

ADRESVELD = "Adres of postcode en huisnummer"
CONCLUSIE_KOP = re.compile(r"^(Conclusie|Uitkomst)", re.IGNORECASE)


def tekst_re(tekst: str) -> re.Pattern:
    """Case-insensitive match of a whole phrase inside an accessible name or text."""
    return re.compile(re.escape(tekst), re.IGNORECASE)


class Pagina:
    """What every loket page has: one level-1 heading, a main region, fields with error messages."""

    pad = ""   # where the page lives, relative to the loket URL

    def __init__(self, page: Page):
        self.page = page

    @property
    def kop(self) -> Locator:
        return self.page.get_by_role("heading", level=1)

    @property
    def inhoud(self) -> Locator:
        return self.page.get_by_role("main")

    def open(self, kop: str | re.Pattern | None = None) -> None:
        """Go to the page; with ``kop``, check that its heading says so."""
        self.page.goto(self.pad.lstrip("/"))
        if kop is not None:
            expect(self.kop).to_have_text(kop)

    def knop(self, naam: str) -> Locator:
        return self.page.get_by_role("button", name=naam)

    def volgende(self) -> None:
        self.knop("Volgende").click()

    def tekstveld(self, label: str) -> Locator:
        return self.page.get_by_role("textbox", name=label, exact=True)

    def controleer_foutmelding_bij(self, label: str) -> None:
        """The field is marked invalid, says why (its description), and the page has an alert."""
        veld = self.page.get_by_label(label, exact=True)
        expect(veld).to_have_attribute("aria-invalid", "true")
        expect(veld).to_have_accessible_description(re.compile(r"\w{4,}"))
        expect(self.page.get_by_role("alert")).to_be_visible()


class LocatieZoeken(Pagina):
    """The location search shared by Regels op de kaart, Vergunningcheck and Aanvragen."""

    @property
    def adresveld(self) -> Locator:
        return self.page.get_by_role("combobox", name=ADRESVELD)

    def zoek_adres(self, tekst: str, knop: str | None = None) -> None:
        self.adresveld.fill(tekst)
        self.verstuur(knop)

    def verstuur(self, knop: str | None = None) -> None:
        formulier = self.page.get_by_role("search", name="Locatie zoeken")
        if knop:
            formulier.get_by_role("button", name=knop).click()
        else:
            formulier.get_by_role("button").first.click()

    def typ(self, tekst: str) -> None:
        self.adresveld.press_sequentially(tekst, delay=30)

    def suggesties(self) -> Locator:
        return self.page.get_by_role("listbox", name="Suggesties voor het adres")

    def zoek_coordinaten(self, x: str, y: str, knop: str | None = None) -> None:
        self.page.get_by_text("Of zoek op coördinaten (RD)").click()
        self.page.get_by_label("X-coördinaat (RD, meter)").fill(str(x))
        self.page.get_by_label("Y-coördinaat (RD, meter)").fill(str(y))
        self.verstuur(knop)


class RegelsOpLocatie(Pagina):
    """Regels op de kaart after a search: the documents and rules that apply at one place."""

    pad = "regels-op-de-kaart"
    KOP = tekst_re("Regels op deze locatie")

    def controleer_geopend(self) -> None:
        expect(self.kop).to_have_text(self.KOP)

    def regellinks(self) -> list[str]:
        """The names of the rules the page lists (links inside the result regions)."""
        return self.inhoud.get_by_role("region").get_by_role("link").all_inner_texts()


class Regeltekst(Pagina):
    """One article (Regels op de kaart, and the legal basis in Maatregelen op maat)."""

    @property
    def artikel(self) -> Locator:
        return self.page.get_by_role("article", name="Regeltekst")


class Vragen(Pagina):
    """Questions as the user meets them (Vergunningcheck, Aanvragen): a labelled text field or a
    group of choices with the question as its name."""

    def vraag(self, tekst: str) -> Locator:
        return (self.page.get_by_role("group", name=tekst, exact=True)
                .or_(self.tekstveld(tekst)))

    def beantwoord(self, vraag: str, antwoord: str) -> None:
        groep = self.page.get_by_role("group", name=vraag, exact=True)
        if groep.count():
            groep.get_by_role("radio", name=antwoord, exact=False).first.check()
        else:
            self.tekstveld(vraag).fill(antwoord)

    def controleer_antwoord(self, vraag: str, antwoord: str) -> None:
        groep = self.page.get_by_role("group", name=vraag, exact=True)
        if groep.count():
            expect(groep.get_by_role("radio", name=antwoord)).to_be_checked()
        else:
            expect(self.tekstveld(vraag)).to_have_value(antwoord)

    def wat_staat_er(self) -> str:
        """A short description of the page for a message when the expected question is absent."""
        koppen = self.page.get_by_role("heading").all_inner_texts()[:3]
        velden = [self.page.locator("legend").all_inner_texts(),
                  self.page.locator("label").all_inner_texts()]
        return f"koppen {koppen}, vragen/velden {[v for lijst in velden for v in lijst][:6]}"

    @property
    def conclusiekop(self) -> Locator:
        return self.page.get_by_role("heading", level=1, name=CONCLUSIE_KOP)

    def getoonde_conclusies(self) -> list[str]:
        """The conclusions on the Vergunningcheck's result page, one level-2 heading each."""
        return [t.strip() for t in self.inhoud.get_by_role("heading", level=2).all_inner_texts()]


class Inloggen(Pagina):
    """The test login of the loket (a choice of test accounts)."""

    pad = "inloggen"

    def controleer_geopend(self) -> None:
        expect(self.kop).to_contain_text("Inloggen")

    def log_in(self, account: str) -> None:
        self.page.get_by_role("radio", name=re.compile(re.escape(account))).check()
        self.knop("Inloggen").click()


class Aanvraag(Vragen):
    """The steps of a request in Aanvragen en meldingen: project, location, activity, questions,
    documents, overview."""

    pad = "aanvragen"

    @property
    def projectnaam(self) -> Locator:
        return self.tekstveld("Projectnaam")

    @property
    def documentveld(self) -> Locator:
        return self.page.get_by_label("Document toevoegen")

    def upload(self, pad) -> None:
        self.documentveld.set_input_files(str(pad))
        self.knop("Uploaden").click()
