# language: nl
# Gegenereerd uit contracts/sttr/Conclusie Kappen van een boom - Initiele versie.zip!Conclusie Kappen van een boom - Initiele versie.dmn met:
#   python -m dso_acceptatie.fasen.klantreizen.voorbeelden
# Niet met de hand bewerken: tests/klantreizen vergelijkt dit bestand met het DMN-model.
@klantreis-vergunningcheck @component-vergunningcheck @ernstig @alleen-lezen
Functionaliteit: Vergunningcheck "Kappen van een boom" volgens de beslistabellen
  Als burger wil ik met de Vergunningcheck weten of ik voor "kappen van een boom" een
  vergunning nodig heb, een melding moet doen of vrij ben om te beginnen.
  Elke regel van elke beslistabel van het model "Conclusie Kappen van een boom - Initiele versie" is hieronder
  een voorbeeld: de antwoorden die die regel bereiken en de conclusie die het model dan geeft.

  Achtergrond:
    Gegeven ik start de Vergunningcheck op locatie "vergunningcheck"

  Abstract Scenario: <beslistabel>, regel <regel>: <conclusie>
    Als ik de werkzaamheid "Kappen van een boom" kies
    En ik de vragen als volgt beantwoord:
      | vraag                                                                                                            | antwoord        |
      | Wat is de stamomtrek van de boom?                                                                                | <stamomtrek>    |
      | Is de boom zichtbaar vanaf openbaar toegankelijk gebied?                                                         | <zichtbaar>     |
      | Wordt de boom gekapt op grond van de Plantenziektenwet?                                                          | <gekapt>        |
      | Wordt de boom gekapt vanwege een aanschrijving op grond van artikel PM van de Algemene plaatselijke verordening? | <aanschrijving> |
    Dan luidt de conclusie voor "Kappen van een boom": <conclusie>

    Voorbeelden:
      | beslistabel                           | regel | stamomtrek | zichtbaar | gekapt | aanschrijving | conclusie        |
      | Besluit - Kappen van een boom         | 1     | 49         | nee       | nee    | nee           | Toestemmingsvrij |
      | Besluit - Kappen van een boom         | 2     | 50         | nee       | nee    | nee           | Toestemmingsvrij |
      | Besluit - Kappen van een boom         | 3     | 50         | ja        | nee    | ja            | Toestemmingsvrij |
      | Besluit - Kappen van een boom         | 4     | 50         | ja        | nee    | nee           | Vergunningplicht |
      | Plantenziektewet of artikel PM in APV | 1     | 50         | ja        | ja     | nee           | Toestemmingsvrij |
      | Plantenziektewet of artikel PM in APV | 2     | 50         | ja        | nee    | ja            | Toestemmingsvrij |
      | Plantenziektewet of artikel PM in APV | 3     | 50         | ja        | nee    | nee           | Vergunningplicht |
