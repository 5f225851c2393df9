"""The loket's view of the data store (in-process; the same package as the APIs).

Only reads: the store is opened once per data folder and shared. Everything returned is shaped
for the templates (Dutch labels, RD coordinates, shapely shapes for the map).
"""

from __future__ import annotations

from shapely.geometry import Point

# Locations too large or too technical to draw on a location's map.
NIET_TEKENEN = ("ambtsgebied", ".pons")
SOORT_REGELING = {"/join/id/stop/regelingtype_003": "Omgevingsplan"}


def store(data_map: str | None = None):
    """The process-wide Store of this data folder, shared with the API services."""
    from referentie_lv.data.store import (
        Store,  # opened on first use, not when the app is built
    )

    return Store.gedeeld(data_map)


class Bron:
    def __init__(self, data_map: str | None = None):
        self.data_map = data_map

    @property
    def s(self):
        return store(self.data_map)

    # --- addresses -------------------------------------------------------------------------------
    @staticmethod
    def _adres_uit(a: dict) -> dict:
        return {"adres": a["weergavenaam"], "x": a["rd_x"], "y": a["rd_y"], "adres_id": a["id"],
                "type": a.get("type"), "gemeente": a.get("gemeentenaam")}

    def adres(self, ident: str) -> dict | None:
        a = self.s.adres(ident)
        return self._adres_uit(a) if a and a.get("rd_x") is not None else None

    def zoek_adressen(self, tekst: str, n: int = 5) -> list[dict]:
        _, docs = self.s.zoek_adressen(tekst, rows=n)
        return [self._adres_uit(a) for a in docs if a.get("rd_x") is not None]

    def in_gebied(self, x: float, y: float) -> bool:
        return bool(self.s.locaties_op(Point(x, y)))

    # --- rules at a location --------------------------------------------------------------------
    def _annotaties(self, x: float, y: float) -> dict:
        return self.s.annotaties_op(Point(x, y))

    def activiteiten_op_locatie(self, x: float, y: float) -> list[dict]:
        uit = []
        for ident in self._annotaties(x, y)["activiteiten"]:
            a = self.s.activiteit(ident)
            if a:
                uit.append({"id": ident, "naam": a.get("naam") or ident})
        return sorted(uit, key=lambda a: a["naam"])

    def documenten_op_locatie(self, x: float, y: float, activiteit: str | None = None) -> list[dict]:
        ann = self._annotaties(x, y)
        per_regeling: dict[str, list[dict]] = {}
        locs = set(ann["locaties"])
        for rt_id in ann["regelteksten"]:
            rt = self.s.regeltekst(rt_id)
            if not rt or not rt.get("artikel"):
                continue
            acts = []
            for jr in rt["juridischeRegels"]:
                for aa in jr.get("activiteiten") or []:
                    if set(aa["locaties"]) & locs:
                        acts.append((aa["activiteit"]["identificatie"], aa["activiteit"]["naam"]))
            if activiteit and activiteit not in {a for a, _ in acts}:
                continue
            art = rt["artikel"]
            per_regeling.setdefault(art["regeling"], []).append({
                "wid": art["wId"], "kop": self.kop(art), "volgorde": art.get("volgorde", 0),
                "activiteiten": sorted({n for _, n in acts if n})})
        uit = []
        for work, regels in per_regeling.items():
            reg = self.s.regeling(work) or {}
            uit.append({
                "titel": reg.get("citeertitel") or reg.get("officieleTitel") or work,
                "soort": SOORT_REGELING.get(reg.get("soortRegeling"), "Omgevingsdocument"),
                "bevoegd_gezag": self.bevoegd_gezag(reg.get("eindverantwoordelijke")),
                "regels": sorted(regels, key=lambda r: r["volgorde"])})
        return uit

    def _locatie_laag(self, ident: str) -> dict | None:
        if any(n in ident for n in NIET_TEKENEN):
            return None
        loc = self.s.locatie(ident)
        vorm = self.s.locatie_vorm(ident)
        if not loc or vorm is None or vorm.is_empty:
            return None
        return {"id": ident, "naam": loc.get("noemer") or naam_uit_id(ident), "geometrie": vorm}

    def gebieden_op_locatie(self, x: float, y: float) -> list[dict]:
        lagen = [self._locatie_laag(i) for i in self._annotaties(x, y)["locaties"]]
        lagen = [laag for laag in lagen if laag]
        # Named groups say it best; unnamed single areas that only repeat a group are left out.
        met_naam = [laag for laag in lagen if laag["naam"] and not laag["naam"].startswith("gebied ")]
        return sorted(met_naam or lagen, key=lambda laag: -laag["geometrie"].area)

    def regeltekst(self, wid: str) -> dict | None:
        rt = self.s.regeltekst_bij_wid(wid)
        art = self.s.tekstelement(wid)
        if not art:
            return None
        reg = self.s.regeling(art["regeling"]) or {}
        leden = [{"nummer": (lid.get("nummer") or "").rstrip("."), "tekst": alineas(lid)}
                 for lid in art.get("leden", [])]
        loc_ids, acts = [], []
        for jr in (rt or {}).get("juridischeRegels", []):
            loc_ids += jr.get("locaties") or []
            for aa in jr.get("activiteiten") or []:
                loc_ids += aa["locaties"]
                if aa["activiteit"]["naam"]:
                    acts.append(aa["activiteit"]["naam"])
        gebieden = []
        for ident in dict.fromkeys(loc_ids):
            vorm = self.s.locatie_vorm(ident)
            if vorm is not None and not vorm.is_empty:
                loc = self.s.locatie(ident) or {}
                gebieden.append({"naam": loc.get("noemer") or naam_uit_id(ident), "geometrie": vorm})
        return {"kop": self.kop(art), "document": reg.get("citeertitel") or reg.get("officieleTitel") or "",
                "inhoud": [] if leden else alineas(art), "leden": leden,
                "activiteiten": sorted(set(acts)), "gebieden": gebieden}

    def bevoegd_gezag(self, tooi: str | None) -> str:
        """'Gemeente Zaltbommel (gm0297)' for /tooi/id/gemeente/gm0297, named as in the register
        the verzoeken service uses too, so the loket and the confirmation agree."""
        code = (tooi or "").rsplit("/", 1)[-1]
        for g in self.s.adressen("gemeente"):
            if code and code.lower().removeprefix("gm") == str(g.get("gemeentecode") or "").zfill(4):
                return f"{g.get('weergavenaam') or 'Gemeente ' + g['gemeentenaam']} ({code})"
        return code

    def kop(self, knoop: dict) -> str:
        """'Artikel 5.1 Bouwen…'; a lid is named after its article: 'Artikel 6.1 lid 1'."""
        if knoop.get("type") == "Lid" and knoop.get("ouder"):
            ouder = self.s.tekstelement(knoop["ouder"])
            if ouder:
                return f"{kop(ouder)}, lid {(knoop.get('nummer') or '').rstrip('.')}"
        return kop(knoop)

    # --- concepts --------------------------------------------------------------------------------
    def begrippen(self, zoek: str = "") -> list[dict]:
        z = zoek.strip().lower()
        uit = []
        for b in self.s.begrippen():
            if not z or z in (b.get("term") or "").lower() or z in (b.get("definitie") or "").lower():
                uit.append(b)
        return uit


def kop(art: dict) -> str:
    delen = [art.get("label") or "", (art.get("nummer") or "").rstrip(".")]
    titel = " ".join(d for d in delen if d)
    return f"{titel} {art['opschrift']}" if art.get("opschrift") else titel


def alineas(knoop: dict) -> list[str]:
    """The text blocks of an article or lid as paragraphs; list items keep their letter."""
    uit: list[str] = []

    def blok(b: dict, prefix: str = "") -> None:
        if b.get("soort") == "lijst":
            for item in b.get("items", []):
                eerste = True
                for bb in item.get("blokken", []):
                    blok(bb, (item.get("nummer") or "") + " " if eerste else "")
                    eerste = False
        elif b.get("tekst"):
            uit.append(prefix + b["tekst"])

    for b in knoop.get("inhoud") or []:
        blok(b)
    if not uit and knoop.get("tekst"):
        uit = [r for r in knoop["tekst"].split("\n") if r.strip()]
    return uit


def naam_uit_id(ident: str) -> str:
    if ".ambtsgebied." in ident:
        return "Ambtsgebied van de gemeente"
    return "gebied " + ident.rsplit(".", 1)[-1]
