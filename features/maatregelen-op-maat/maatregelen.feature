# language: nl
@klantreis-maatregelen-op-maat @component-maatregelen-op-maat @alleen-lezen
Functionaliteit: Maatregelen op maat
  Als initiatiefnemer wil ik per activiteit zien welke maatregelen en indieningsvereisten gelden,
  met uitleg en de regel waarop ze berusten, zodat ik weet wat ik moet aanleveren.

  @ernstig
  Scenario: De indieningsvereisten bij het kappen van een boom, met uitleg en grondslag
    Gegeven ik open Maatregelen op maat
    Als ik de activiteit "Kappen van een boom" kies
    Dan zie ik de indieningsvereisten met hun uitleg:
      | vereiste       | soort   | uitleg                                            |
      | Stamomtrek     | Vraag   | Wat is de stamomtrek van de boom?                 |
      | Reden          | Vraag   | Wat is de reden voor het kappen van de boom?      |
      | Situatieschets | Bijlage | Teken de te kappen boom op een kaart              |
    En zie ik de juridische grondslag met een link naar de regel
    Als ik de juridische grondslag open
    Dan zie ik de regeltekst van het artikel

  @ernstig @keten
  Scenario: Het loket toont elke indieningsvereiste die de uitvoeren-API geeft
    Gegeven ik open Maatregelen op maat
    Als ik de activiteit "Kappen van een boom" kies
    Dan noemt het loket elke indieningsvereiste die de uitvoeren-API geeft
