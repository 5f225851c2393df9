# language: nl
@klantreis-regels-op-de-kaart @component-regels-op-de-kaart @alleen-lezen
Functionaliteit: Regels op de kaart
  Als inwoner wil ik bij een adres zien welke omgevingsdocumenten en regels daar gelden,
  ze kunnen filteren op wat ik wil doen, een regel lezen en zien waar die geldt,
  zodat ik weet waar ik aan toe ben voordat ik iets ga doen.

  Achtergrond:
    Gegeven ik open Regels op de kaart

  @blokkerend
  Scenario: Een adres zoeken en de documenten en regels op die plek zien
    Als ik zoek op het adres van locatie "centrum"
    Dan zie ik de regels op locatie "centrum"
    En staan de documenten van locatie "centrum" in de lijst
    En zie ik de locatie gemarkeerd op een kaart

  @ernstig @keten
  Scenario: Het loket toont op een adres dezelfde regels als de Presenteren-API
    Als ik zoek op het adres van locatie "centrum"
    Dan zie ik de regels op locatie "centrum"
    En vindt de Presenteren-API op locatie "centrum" dezelfde regels als het loket

  @ernstig
  Scenario: Suggesties tijdens het typen van een adres
    Als ik de zoektekst van locatie "centrum" typ
    Dan verschijnt het adres van locatie "centrum" als suggestie
    Als ik die suggestie kies en zoek
    Dan zie ik de regels op locatie "centrum"

  @ernstig
  Scenario: Zoeken op postcode en huisnummer
    Als ik zoek op postcode en huisnummer van locatie "centrum"
    Dan zie ik de regels op locatie "centrum"

  @hinderlijk
  Scenario: Zoeken op RD-coördinaten
    Als ik zoek op de coördinaten van locatie "centrum"
    Dan zie ik de regels op de coördinaten van locatie "centrum"
    En zie ik de locatie gemarkeerd op een kaart

  @ernstig
  Scenario: Regels filteren op een activiteit
    Gegeven ik bekijk de regels op locatie "centrum"
    Als ik filter op de activiteit van locatie "centrum"
    Dan staan alleen regels over die activiteit in de lijst

  @ernstig
  Scenario: Een regel lezen en zijn werkingsgebied op de kaart zien
    Gegeven ik bekijk de regels op locatie "centrum"
    Als ik de regel van locatie "centrum" open
    Dan zie ik de regeltekst van het artikel
    En zie ik het werkingsgebied van de regel op een kaart

  @hinderlijk
  Abstract Scenario: Onbruikbare invoer geeft een begrijpelijke melding bij het veld
    Als <actie>
    Dan zie ik een foutmelding bij het veld "<veld>"
    En krijgt de pagina geen technische foutmelding

    Voorbeelden:
      | actie                                                  | veld                            |
      | ik zoek op het adres "Nergensstraat 999, Nergenshuizen" | Adres of postcode en huisnummer |
      | ik zoek zonder iets in te vullen                        | Adres of postcode en huisnummer |
      | ik zoek op de coördinaten x 10 en y 10                  | X-coördinaat (RD, meter)        |
      | ik zoek op de coördinaten x noord en y 424633           | X-coördinaat (RD, meter)        |
