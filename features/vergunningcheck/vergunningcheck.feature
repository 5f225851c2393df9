# language: nl
@klantreis-vergunningcheck @component-vergunningcheck @alleen-lezen
Functionaliteit: Vergunningcheck
  Als inwoner wil ik voor mijn plan op mijn adres weten of ik een vergunning nodig heb,
  een melding moet doen of zonder meer mag beginnen, en daarna meteen de aanvraag kunnen starten.
  De conclusie per regel van de beslistabellen staat in beslistabellen-*.feature (gegenereerd).

  Achtergrond:
    Gegeven ik start de Vergunningcheck op locatie "vergunningcheck"

  @blokkerend @keten
  Scenario: De conclusie in het loket is die van de uitvoeren-API (kappen van een boom)
    Als ik de werkzaamheid "Kappen van een boom" kies
    En ik de vragen als volgt beantwoord:
      | vraag                                                                                                            | antwoord |
      | Wat is de stamomtrek van de boom?                                                                                | 80       |
      | Is de boom zichtbaar vanaf openbaar toegankelijk gebied?                                                         | ja       |
      | Wordt de boom gekapt op grond van de Plantenziektenwet?                                                          | nee      |
      | Wordt de boom gekapt vanwege een aanschrijving op grond van artikel PM van de Algemene plaatselijke verordening? | nee      |
    Dan geeft de uitvoeren-API voor dezelfde antwoorden dezelfde conclusie als het loket

  @blokkerend @keten
  Scenario: De conclusie in het loket is die van de uitvoeren-API (bouwen van een bijgebouw)
    Als ik de werkzaamheid "Bouwen van een bijgebouw" kies
    En ik de vragen als volgt beantwoord:
      | vraag                                     | antwoord |
      | Wat is de oppervlakte van het bijgebouw? | 25       |
    Dan geeft de uitvoeren-API voor dezelfde antwoorden dezelfde conclusie als het loket

  @ernstig @component-aanvragen-en-meldingen
  Scenario: Vanuit de conclusie verder naar Aanvragen, met locatie en activiteit al ingevuld
    Als ik de werkzaamheid "Bouwen van een bijgebouw" kies
    En ik de vragen als volgt beantwoord:
      | vraag                                     | antwoord |
      | Wat is de oppervlakte van het bijgebouw? | 45       |
    En ik verder ga naar Aanvragen
    En ik inlog met het testaccount
    Dan is de locatie van locatie "vergunningcheck" al gekozen
    En is de activiteit "Bouwen van een bijgebouw" al aangevinkt

  @hinderlijk
  Abstract Scenario: Een antwoord van het verkeerde soort geeft een melding bij de vraag
    Als ik de werkzaamheid "Bouwen van een bijgebouw" kies
    En ik op de vraag "Wat is de oppervlakte van het bijgebouw?" "<antwoord>" antwoord
    Dan zie ik een foutmelding bij het veld "Wat is de oppervlakte van het bijgebouw?"
    En krijgt de pagina geen technische foutmelding

    Voorbeelden:
      | antwoord     |
      | twintig      |
      | -5           |

  @hinderlijk
  Abstract Scenario: Terug naar de vorige vraag houdt het antwoord (<terug>)
    Als ik de werkzaamheid "Kappen van een boom" kies
    En ik op de vraag "Wat is de stamomtrek van de boom?" "80" antwoord
    En ik op de vraag "Is de boom zichtbaar vanaf openbaar toegankelijk gebied?" "Ja" antwoord
    En ik met <terug> naar de vorige vraag ga
    Dan staat bij de vraag "Is de boom zichtbaar vanaf openbaar toegankelijk gebied?" nog het antwoord "Ja"

    Voorbeelden:
      | terug                         |
      | de knop Vorige                |
      | de terugknop van de browser   |
