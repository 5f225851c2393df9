# language: nl
@klantreis-ontwikkelaar @component-open-stelsel @alleen-lezen
Functionaliteit: Ontwikkelaar (open stelsel)
  Als ontwikkelaar wil ik zien welke API's er zijn, hun specificatie op hun basis-URL vinden en
  weten hoe ik een sleutel meestuur, zodat ik het stelsel in mijn eigen software kan gebruiken.

  @ernstig
  Scenario: De ontwikkelaarspagina noemt elke API met haar specificatie en legt de sleutel uit
    Gegeven ik open de pagina voor ontwikkelaars
    Dan staat elke API van het doel erop met een link naar haar specificatie
    En legt de pagina uit hoe ik een API-sleutel meestuur

  @ernstig
  Abstract Scenario: De specificatie staat op de basis-URL van de API
    Als ik de specificatie van de API "<api>" ophaal
    Dan is het een OpenAPI-specificatie met paden

    Voorbeelden:
      | api                         |
      | Presenteren                 |
      | Geometrie opvragen          |
      | Toepasbare regels uitvoeren |
      | Catalogus opvragen          |
      | Verzoek indienen            |
      | Verzoek afhandelen          |
      | Locatieserver               |
      | Regels bij activiteiten     |

  @blokkerend
  Scenario: Zonder sleutel geeft een API geen gegevens maar een probleembericht
    Gegeven ik een API-sleutel heb voor het doel
    Als ik zonder sleutel "/toepasbare-regels" van "Toepasbare regels uitvoeren" opvraag
    Dan is het antwoord 401 of 403
    En is de foutmelding een probleembericht (RFC 9457)
