"""Read a toepasbare-regelbestand: DMN 1.1 (Trisotech export) with the STTR/IMTR extensions.

Parsing is safe for untrusted deliveries: no entity expansion, no DTD, no network, no huge trees.
Whatever the evaluator cannot execute faithfully (literal-expression decisions, FEEL beyond simple
unary tests, input expressions that are not a plain name) is refused here with ``DmnFout``.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from referentie_lv.sttr import feel
from referentie_lv.sttr.model import (
    Beslistabel,
    Besluit,
    Invoergegeven,
    Kolom,
    Model,
    Regel,
    Regelgroep,
    Type,
    Uitvoeringsregel,
    Uitvoerkolom,
    functionele_structuur,
)

DMN11 = "http://www.omg.org/spec/DMN/20151101/dmn.xsd"
UITV = "http://toepasbare-regels.omgevingswet.overheid.nl/v1.0/Uitvoeringsregel"
INTER = "http://toepasbare-regels.omgevingswet.overheid.nl/v1.0/Interactieregel"
BEDR = "http://toepasbare-regels.omgevingswet.overheid.nl/v1.0/Bedrijfsregel"
CONTENT = "http://toepasbare-regels.omgevingswet.overheid.nl/v1.0/Content"
NS = {"dmn": DMN11, "uitv": UITV, "inter": INTER, "bedr": BEDR, "content": CONTENT}

MAX_BYTES = 5 * 1024 * 1024      # a real STTR file is tens of kB

HIT_POLICIES = {"UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER"}
AGGREGATIES = {"SUM", "COUNT", "MIN", "MAX"}


class DmnFout(ValueError):
    """A DMN file that cannot be read or executed."""


def parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True)


def lees_xml(data: bytes, wat: str, fout: type[ValueError],
             doctype: str = "een DOCTYPE is niet toegestaan") -> etree._Element:
    """Parse untrusted XML with ``parser()``; ``fout`` naming ``wat`` when it is not XML or has a
    DOCTYPE (``doctype`` is the reason given)."""
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as e:
        raise fout(f"{wat}: geen geldige XML: {e}") from e
    if root.getroottree().docinfo.doctype:
        raise fout(f"{wat}: {doctype}")
    return root


def _tekst(el, pad: str) -> str | None:
    r = el.find(pad, NS)
    if r is None or r.text is None:
        return None
    return r.text.strip()


def _int(s: str | None) -> int | None:
    try:
        return int(s) if s is not None else None
    except ValueError:
        return None


def _bool(s: str | None) -> bool | None:
    return None if s is None else s.strip().lower() == "true"


def _href(el) -> str:
    return (el.get("href") or "").lstrip("#")


def lees_dmn(inhoud: bytes, bestand: str = "") -> Model:
    if len(inhoud) > MAX_BYTES:
        raise DmnFout(f"{bestand}: bestand te groot ({len(inhoud)} bytes)")
    # STTR files never need a DTD; the parser already leaves entities unexpanded, refusing
    # the DOCTYPE outright keeps entity and external-DTD tricks out of the model.
    root = lees_xml(inhoud, bestand, DmnFout, "een DOCTYPE is niet toegestaan in een toepasbare-regelbestand")
    if root.tag != f"{{{DMN11}}}definitions":
        raise DmnFout(f"{bestand}: geen DMN 1.1 definitions (wortel {root.tag})")

    regelgroepen: dict[str, Regelgroep] = {}
    for rg in root.iterfind("dmn:extensionElements/inter:regelgroepen/inter:regelgroep", NS):
        regelgroepen[rg.get("id")] = Regelgroep(rg.get("id"), _tekst(rg, "inter:naam") or "",
                                                _int(_tekst(rg, "inter:prioriteit")))

    uitvoeringsregels: dict[str, Uitvoeringsregel] = {}
    for n, ur in enumerate(root.iterfind(
            "dmn:extensionElements/uitv:uitvoeringsregels/uitv:uitvoeringsregel", NS)):
        ref = ur.find("uitv:regelgroepRef", NS)
        uitvoeringsregels[ur.get("id")] = Uitvoeringsregel(
            id=ur.get("id"),
            regelgroep=regelgroepen.get(_href(ref)) if ref is not None else None,
            bereik=_tekst(ur, "uitv:bereik"),
            classificatie=_tekst(ur, "inter:classificatie"),
            publiceerbaar=_bool(_tekst(ur, "uitv:publiceerbaar")),
            potentieel_vertrouwelijk=_bool(_tekst(ur, "uitv:potentieelVertrouwelijk")),
            prioriteit=_int(_tekst(ur, "inter:prioriteit")),
            gegevenstype=_tekst(ur, "uitv:vraag/uitv:gegevensType"),
            vraagtekst=_tekst(ur, "uitv:vraag/uitv:vraagTekst"),
            bijlagetype=_tekst(ur, "uitv:bijlage/uitv:bijlageType"),
            toelichting=_tekst(ur, "content:uitvoeringsregelToelichting/content:toelichting"),
            volgorde=n,
        )

    types: dict[str, Type] = {}
    for it in root.iterfind("dmn:itemDefinition", NS):
        basis = (_tekst(it, "dmn:typeRef") or "").split(":")[-1]
        waarden = _tekst(it, "dmn:allowedValues/dmn:text")
        toegestaan = None
        if waarden:
            toegestaan = _lijst(waarden, bestand)
        types[it.get("name")] = Type(it.get("name"), basis, toegestaan)

    def type_van(ref: str | None) -> Type:
        if not ref:
            return Type("", "any")
        if ref in types:
            return types[ref]
        return Type(ref, ref.split(":")[-1])

    invoer: dict[str, Invoergegeven] = {}
    for idata in root.iterfind("dmn:inputData", NS):
        var = idata.find("dmn:variable", NS)
        ref = idata.find("dmn:extensionElements/uitv:uitvoeringsregelRef", NS)
        ur = uitvoeringsregels.get(_href(ref)) if ref is not None else None
        if ref is not None and ur is None:
            raise DmnFout(f"{bestand}: inputData {idata.get('id')} verwijst naar onbekende "
                          f"uitvoeringsregel {_href(ref)}")
        invoer[idata.get("id")] = Invoergegeven(
            id=idata.get("id"), naam=idata.get("name") or (var.get("name") if var is not None else ""),
            type=type_van(var.get("typeRef") if var is not None else None), uitvoeringsregel=ur)

    besluiten: dict[str, Besluit] = {}
    for d in root.iterfind("dmn:decision", NS):
        besluiten[d.get("id")] = _besluit(d, type_van, bestand)

    model = Model(id=root.get("id") or "", naam=root.get("name") or "",
                  namespace=root.get("namespace") or "", bestand=bestand,
                  exporter=root.get("exporter"), regelgroepen=regelgroepen,
                  uitvoeringsregels=uitvoeringsregels, invoer=invoer, besluiten=besluiten)
    _controleer(model)
    return model


def _lijst(tekst: str, bestand: str) -> tuple:
    try:
        t = feel.unaire_test_lijst(tekst)
    except feel.FeelFout as e:
        raise DmnFout(f"{bestand}: waardenlijst {tekst!r}: {e}") from e
    delen = t.delen if isinstance(t, feel.Of) else (t,)
    if not all(isinstance(d, feel.Gelijk) for d in delen):
        raise DmnFout(f"{bestand}: waardenlijst met iets anders dan literals: {tekst!r}")
    return tuple(d.waarde for d in delen)


def _besluit(d, type_van, bestand: str) -> Besluit:
    var = d.find("dmn:variable", NS)
    fsref = d.find("dmn:extensionElements/bedr:functioneleStructuurRef", NS)
    tabel_el = d.find("dmn:decisionTable", NS)
    if tabel_el is None:
        soort = [etree.QName(c).localname for c in d if isinstance(c.tag, str)]
        raise DmnFout(f"{bestand}: besluit {d.get('name')!r} heeft geen beslistabel "
                      f"(alleen beslistabellen worden uitgevoerd; gevonden: {soort})")
    hp = (tabel_el.get("hitPolicy") or "UNIQUE").upper()
    if hp not in HIT_POLICIES:
        raise DmnFout(f"{bestand}: hit policy {hp!r} onbekend")
    agg = tabel_el.get("aggregation")
    agg = agg.upper() if agg else None
    if agg and (hp != "COLLECT" or agg not in AGGREGATIES):
        raise DmnFout(f"{bestand}: aggregatie {agg!r} bij hit policy {hp!r} is ongeldig")
    kolommen = []
    for k in tabel_el.iterfind("dmn:input", NS):
        ie = k.find("dmn:inputExpression", NS)
        if ie is None:
            raise DmnFout(f"{bestand}: kolom {k.get('label')!r} van {d.get('name')!r} zonder inputExpression")
        kolommen.append(Kolom(k.get("id"), k.get("label"), _tekst(ie, "dmn:text") or "", ie.get("typeRef")))
    uitvoer = []
    for u in tabel_el.iterfind("dmn:output", NS):
        w = _tekst(u, "dmn:outputValues/dmn:text")
        uitvoer.append(Uitvoerkolom(u.get("id"), u.get("name"), _lijst(w, bestand) if w else None))
    if not uitvoer:
        raise DmnFout(f"{bestand}: beslistabel van {d.get('name')!r} zonder uitvoerkolom")
    regels = []
    for n, r in enumerate(tabel_el.iterfind("dmn:rule", NS), start=1):
        ies = [_tekst(e, "dmn:text") for e in r.iterfind("dmn:inputEntry", NS)]
        oes = [_tekst(e, "dmn:text") or "" for e in r.iterfind("dmn:outputEntry", NS)]
        if len(ies) != len(kolommen) or len(oes) != len(uitvoer):
            raise DmnFout(f"{bestand}: regel {n} van {d.get('name')!r} heeft {len(ies)} invoer- en "
                          f"{len(oes)} uitvoercellen, de tabel {len(kolommen)} en {len(uitvoer)}")
        try:
            tests = tuple(feel.unaire_test(t) for t in ies)
            waarden = tuple(feel.literal_expressie(t) for t in oes)
        except feel.FeelFout as e:
            raise DmnFout(f"{bestand}: regel {n} van {d.get('name')!r}: {e}") from e
        regels.append(Regel(r.get("id") or f"regel{n}", n, tests, waarden, tuple(oes),
                            _tekst(r, "dmn:description")))
    tabel = Beslistabel(tabel_el.get("id") or "", hp, agg, tuple(kolommen), tuple(uitvoer),
                        tuple(regels))
    return Besluit(
        id=d.get("id"), naam=d.get("name") or "",
        type=type_van(var.get("typeRef") if var is not None else None),
        functionele_structuur=functionele_structuur(_href(fsref)) if fsref is not None else None,
        vereist_invoer=tuple(_href(r) for r in d.iterfind("dmn:informationRequirement/dmn:requiredInput", NS)),
        vereist_besluit=tuple(_href(r) for r in d.iterfind("dmn:informationRequirement/dmn:requiredDecision", NS)),
        tabel=tabel)


def _controleer(model: Model) -> None:
    """References resolve, every column reads a name the decision may use, no cycles."""
    b = model.bestand
    for besluit in model.besluiten.values():
        for i in besluit.vereist_invoer:
            if i not in model.invoer:
                raise DmnFout(f"{b}: besluit {besluit.naam!r} vereist onbekende invoer {i}")
        for i in besluit.vereist_besluit:
            if i not in model.besluiten:
                raise DmnFout(f"{b}: besluit {besluit.naam!r} vereist onbekend besluit {i}")
        for k in besluit.tabel.kolommen:
            try:
                soort, ref = model.naam_bron(k.expressie)
            except KeyError:
                raise DmnFout(f"{b}: kolom {k.label!r} van {besluit.naam!r} leest {k.expressie!r}: "
                              "geen invoer of besluit met die naam (alleen namen worden ondersteund)") from None
            vereist = besluit.vereist_invoer if soort == "invoer" else besluit.vereist_besluit
            if ref not in vereist:
                raise DmnFout(f"{b}: kolom {k.expressie!r} van {besluit.naam!r} staat niet in de "
                              "informationRequirements van het besluit")
    bezig: set[str] = set()
    klaar: set[str] = set()

    def bezoek(i: str) -> None:
        if i in klaar:
            return
        if i in bezig:
            raise DmnFout(f"{b}: kringverwijzing tussen besluiten bij {model.besluiten[i].naam!r}")
        bezig.add(i)
        for j in model.besluiten[i].vereist_besluit:
            bezoek(j)
        bezig.discard(i)
        klaar.add(i)

    for i in model.besluiten:
        bezoek(i)


def als_json(waarde):
    """A FEEL value as plain JSON (Decimal → int or float)."""
    if isinstance(waarde, Decimal):
        return int(waarde) if waarde == waarde.to_integral_value() else float(waarde)
    if isinstance(waarde, (list, tuple)):
        return [als_json(w) for w in waarde]
    if isinstance(waarde, dict):
        return {k: als_json(v) for k, v in waarde.items()}
    return waarde
