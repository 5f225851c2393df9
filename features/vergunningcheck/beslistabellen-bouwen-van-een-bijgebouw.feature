# language: nl
# Gegenereerd uit contracts/sttr/Conclusie Bouwen van een bijgebouw - Initiele versie.zip!Conclusie Bouwen van een bijgebouw - Initiele versie.dmn met:
#   python -m dso_acceptatie.fasen.klantreizen.voorbeelden
# Niet met de hand bewerken: tests/klantreizen vergelijkt dit bestand met het DMN-model.
@klantreis-vergunningcheck @component-vergunningcheck @ernstig @alleen-lezen
Functionaliteit: Vergunningcheck "Bouwen van een bijgebouw" volgens de beslistabellen
  Als burger wil ik met de Vergunningcheck weten of ik voor "bouwen van een bijgebouw" een
  vergunning nodig heb, een melding moet doen of vrij ben om te beginnen.
  Elke regel van elke beslistabel van het model "Conclusie Bouwen van een bijgebouw - Initiele versie" is hieronder
  een voorbeeld: de antwoorden die die regel bereiken en de conclusie die het model dan geeft.

  Achtergrond:
    Gegeven ik start de Vergunningcheck op locatie "vergunningcheck"

  Abstract Scenario: <beslistabel>, regel <regel>: <conclusie>
    Als ik de werkzaamheid "Bouwen van een bijgebouw" kies
    En ik de vragen als volgt beantwoord:
      | vraag                                    | antwoord      |
      | Wat is de oppervlakte van het bijgebouw? | <oppervlakte> |
    Dan luidt de conclusie voor "Bouwen van een bijgebouw": <conclusie>

    Voorbeelden:
      | beslistabel                        | regel | oppervlakte | conclusie        |
      | Besluit - Bouwen van een bijgebouw | 1     | 19          | Toestemmingsvrij |
      | Besluit - Bouwen van een bijgebouw | 2     | 20          | Meldingsplicht   |
      | Besluit - Bouwen van een bijgebouw | 3     | 30          | Vergunningplicht |
