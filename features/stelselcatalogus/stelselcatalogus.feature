# language: nl
@klantreis-stelselcatalogus @component-stelselcatalogus @alleen-lezen
Functionaliteit: Stelselcatalogus
  Als gebruiker van het stelsel wil ik een begrip opzoeken en de definitie en de bron ervan lezen,
  zodat ik weet wat een woord in de regels precies betekent.

  Achtergrond:
    Gegeven ik open de Stelselcatalogus

  @hinderlijk
  Abstract Scenario: Een begrip opzoeken: definitie en bron
    Als ik zoek naar het begrip "<begrip>"
    Dan zie ik het begrip met zijn definitie en bron

    Voorbeelden:
      | begrip   |
      | bouwwerk |

  @cosmetisch
  Scenario: Een woord dat geen begrip is geeft een duidelijke melding
    Als ik zoek naar het onbekende begrip "xyzzy-geen-begrip"
    Dan zie ik dat er geen begrip is gevonden
    En krijgt de pagina geen technische foutmelding
