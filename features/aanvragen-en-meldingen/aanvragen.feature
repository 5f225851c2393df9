# language: nl
@klantreis-aanvragen-en-meldingen @component-aanvragen-en-meldingen
Functionaliteit: Aanvragen en meldingen
  Als initiatiefnemer wil ik een aanvraag of melding indienen met mijn project, de locatie, de
  activiteiten, de antwoorden op de vragen en mijn documenten, een bevestiging met verzoeknummer
  krijgen, en erop kunnen rekenen dat het bevoegd gezag precies dat ontvangt.
  Alles wat hier wordt ingediend draagt de markering van de run, zodat runs elkaar nooit raken.

  Achtergrond:
    Gegeven ik ben ingelogd met het testaccount

  @blokkerend @keten
  Scenario: Een aanvraag indienen; het bevoegd gezag haalt precies die aanvraag op
    Als ik een aanvraag start
    En ik het project beschrijf met:
      | veld                | waarde                                            |
      | Projectnaam         | Eik kappen in de achtertuin                       |
      | Projectomschrijving | Een zieke eik van 12 meter hoog wordt gekapt.     |
    En ik als locatie het adres van locatie "aanvraag" kies
    En ik de activiteit "Kappen van een boom" kies voor een "Aanvraag omgevingsvergunning"
    En ik de vragen over de aanvraag beantwoord:
      | vraag                                                                  | antwoord                 |
      | Wat is de stamomtrek van de boom?                                      | 120                      |
      | Veroorzaakt de boom gevaar of ernstige hinder?                         | ja                       |
      | Wordt de boom gekapt vanwege een individueel of maatschappelijk belang? | nee                      |
      | Wat is de reden voor het kappen van de boom?                           | De boom is ziek en breekt |
    En ik het document "situatieschets.pdf" toevoeg
    En ik het overzicht controleer en indien
    Dan krijg ik een bevestiging met een verzoeknummer en de datum van vandaag
    En kan ik het ingediende verzoek niet meer wijzigen
    Als het bevoegd gezag dit verzoek ophaalt via de verzoekendienst
    Dan bevat het opgehaalde verzoek wat ik heb ingevuld

  @hinderlijk
  Abstract Scenario: Een document dat niet mag, wordt geweigerd met een duidelijke melding
    Als ik een aanvraag start
    En ik het project beschrijf met:
      | veld        | waarde          |
      | Projectnaam | Schuur bij huis |
    En ik als locatie het adres van locatie "aanvraag" kies
    En ik de activiteit "Bouwen van een bijgebouw" kies voor een "Melding"
    En ik de vragen over de aanvraag beantwoord:
      | vraag | antwoord |
    En ik een document "<bestand>" van <grootte> kB probeer toe te voegen
    Dan zie ik een foutmelding bij het bestand
    En krijgt de pagina geen technische foutmelding

    Voorbeelden:
      | bestand          | grootte |
      | bouwtekening.pdf | 6144    |
      | notitie.exe      | 1       |
