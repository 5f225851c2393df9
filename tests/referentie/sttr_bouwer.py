"""Build small DMN 1.1 files with the STTR extensions, for the evaluator's edge cases.

The real Gemeentestad files only use UNIQUE, ANY and FIRST; the other hit policies and
aggregations are exercised on tables written here, in the same shape as a Trisotech export.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

KOP = ('<dmn11:definitions xmlns:dmn11="http://www.omg.org/spec/DMN/20151101/dmn.xsd" '
       'xmlns:uitv="http://toepasbare-regels.omgevingswet.overheid.nl/v1.0/Uitvoeringsregel" '
       'xmlns:bedr="http://toepasbare-regels.omgevingswet.overheid.nl/v1.0/Bedrijfsregel" '
       'id="_test" name="Test" namespace="urn:test">')


def dmn(invoer: list[tuple[str, str]], regels: list[tuple[list[str], list[str]]],
        hit_policy: str = "UNIQUE", aggregatie: str | None = None,
        uitvoerwaarden: str | None = None, extra: str = "", voor: str = "") -> bytes:
    """One decision 'Uitkomst' over inputs [(name, type)], rules [(input entries, output entries)]."""
    delen = [voor, KOP, "<dmn11:extensionElements><uitv:uitvoeringsregels>"]
    for n, (naam, typ) in enumerate(invoer, 1):
        delen.append(f'<uitv:uitvoeringsregel id="U{n}"><uitv:prioriteit>{n * 10}</uitv:prioriteit>'
                     f'<uitv:vraag><uitv:gegevensType>{typ}</uitv:gegevensType>'
                     f'<uitv:vraagTekst>Vraag {escape(naam)}?</uitv:vraagTekst></uitv:vraag>'
                     '</uitv:uitvoeringsregel>')
    delen.append("</uitv:uitvoeringsregels></dmn11:extensionElements>")
    for n, (naam, typ) in enumerate(invoer, 1):
        delen.append(f'<dmn11:inputData id="I{n}" name="{escape(naam)}"><dmn11:extensionElements>'
                     f'<uitv:uitvoeringsregelRef href="#U{n}"/></dmn11:extensionElements>'
                     f'<dmn11:variable id="V{n}" name="{escape(naam)}" typeRef="feel:{typ}"/></dmn11:inputData>')
    agg = f' aggregation="{aggregatie}"' if aggregatie else ""
    delen.append('<dmn11:decision id="D1" name="Uitkomst"><dmn11:extensionElements>'
                 '<bedr:functioneleStructuurRef href="#http://example/id/concept/Conclusienl.imow-gm9999.activiteit.1"/>'
                 '</dmn11:extensionElements>')
    for n in range(1, len(invoer) + 1):
        delen.append(f'<dmn11:informationRequirement><dmn11:requiredInput href="#I{n}"/>'
                     '</dmn11:informationRequirement>')
    delen.append(f'<dmn11:decisionTable id="T1" hitPolicy="{hit_policy}"{agg}>')
    for n, (naam, typ) in enumerate(invoer, 1):
        delen.append(f'<dmn11:input id="K{n}" label="{escape(naam)}"><dmn11:inputExpression typeRef="feel:{typ}">'
                     f'<dmn11:text>{escape(naam)}</dmn11:text></dmn11:inputExpression></dmn11:input>')
    aantal_uit = len(regels[0][1]) if regels else 1
    for n in range(aantal_uit):
        waarden = (f"<dmn11:outputValues><dmn11:text>{escape(uitvoerwaarden)}</dmn11:text></dmn11:outputValues>"
                   if uitvoerwaarden else "")
        delen.append(f'<dmn11:output id="O{n}" name="uit{n}">{waarden}</dmn11:output>')
    for n, (ie, oe) in enumerate(regels, 1):
        delen.append(f'<dmn11:rule id="R{n}">')
        delen += [f"<dmn11:inputEntry><dmn11:text>{escape(t)}</dmn11:text></dmn11:inputEntry>" for t in ie]
        delen += [f"<dmn11:outputEntry><dmn11:text>{escape(t)}</dmn11:text></dmn11:outputEntry>" for t in oe]
        delen.append("</dmn11:rule>")
    delen.append("</dmn11:decisionTable></dmn11:decision>")
    delen.append(extra)
    delen.append("</dmn11:definitions>")
    return "".join(delen).encode()
