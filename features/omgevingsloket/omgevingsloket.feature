# language: nl
@klantreis-omgevingsloket @component-omgevingsloket @alleen-lezen
Functionaliteit: Het Omgevingsloket als geheel
  Als bezoeker wil ik vanaf de homepagina elke klantreis kunnen beginnen, op pagina's die
  zeggen dat ze Nederlands zijn en die ik met het toetsenbord kan gebruiken.
  (Elke bezochte pagina wordt daarnaast met axe-core op WCAG 2.1 A/AA gecontroleerd.)

  Achtergrond:
    Gegeven ik ben op de homepagina van het loket

  @ernstig
  Abstract Scenario: Vanaf de homepagina naar <klantreis>
    Als ik de link "<klantreis>" volg
    Dan zie ik de pagina "<kop>"
    En heeft de pagina een betekenisvolle titel en de taal Nederlands

    Voorbeelden:
      | klantreis              | kop                    |
      | Regels op de kaart     | Regels op de kaart     |
      | Vergunningcheck        | Vergunningcheck        |
      | Aanvragen en meldingen | Aanvragen en meldingen |
      | Maatregelen op maat    | Maatregelen op maat    |
      | Stelselcatalogus       | Stelselcatalogus       |
      | Ontwikkelaars          | API's voor ontwikkelaars |

  @hinderlijk
  Scenario: Met het toetsenbord direct naar de inhoud
    Dan kan ik met de toetsenbord-skiplink naar de inhoud springen
