"""Judging a recorded session against the rules of a role.

Every rule gives an ``Oordeel``: status, a Dutch message, and the numbers of the exchanges that
decided it (the evidence). A rule that finds nothing to judge (the client never made the calls it
is about, a staged condition never happened) is ``geblokkeerd`` — never ``geslaagd``: what was
not seen was not proven.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import orjson

from dso_acceptatie.afnemers.proxy import query_van, url_van
from dso_acceptatie.afnemers.rollen import Regel, Rol
from dso_acceptatie.diensten import DIENSTEN

CRS_RD = re.compile(r"^(?:epsg:28992|https?://www\.opengis\.net/def/crs/epsg/0/28992)$", re.IGNORECASE)
_HREF = re.compile(r"https?://[^\s\"'<>]+")
_META = ("/openapi.json", "/app-info", "/health")


@dataclass
class Oordeel:
    status: str
    bericht: str
    bewijs: list[int] = field(default_factory=list)
    details: dict = field(default_factory=dict)


def _niet_te_beoordelen(reden: str) -> Oordeel:
    return Oordeel("geblokkeerd", f"niet getest: {reden}")


def _ok(status: int) -> bool:
    return 200 <= status < 300


def _echt(verkeer: list[dict]) -> list[dict]:
    """Exchanges the target answered (not staged by the proxy)."""
    return [u for u in verkeer if not u["geënsceneerd"]]


def _toon(nrs: list[int], max_: int = 8) -> str:
    tekst = ", ".join(f"#{n}" for n in nrs[:max_])
    return tekst + (f" en nog {len(nrs) - max_}" if len(nrs) > max_ else "")


# --- rules --------------------------------------------------------------------------------------

def sleutel_in_header(regel: Regel, verkeer: list[dict], ctx: Context) -> Oordeel:
    zonder = [u["nr"] for u in verkeer if not u["sleutel_in_header"] and not u["pad"].endswith(_META)]
    if zonder:
        return Oordeel("gefaald", f"{len(zonder)} van {len(verkeer)} verzoeken zonder header x-api-key "
                                  f"({_toon(zonder)})", zonder)
    return Oordeel("geslaagd", f"alle {len(verkeer)} verzoeken stuurden de sleutel in de header x-api-key",
                   [u["nr"] for u in verkeer[:5]])


def geen_sleutel_in_query(regel: Regel, verkeer: list[dict], ctx: Context) -> Oordeel:
    fout = [u["nr"] for u in verkeer if u["sleutel_in_query"]]
    if fout:
        namen = sorted({n for u in verkeer for n in u["sleutel_in_query"]})
        return Oordeel("gefaald", f"{len(fout)} verzoeken zetten de sleutel in de query-string "
                                  f"(parameter {', '.join(namen)}; {_toon(fout)}); een sleutel in een URL "
                                  "belandt in logbestanden", fout)
    return Oordeel("geslaagd", f"geen van de {len(verkeer)} verzoeken zette een sleutel in de query-string",
                   [u["nr"] for u in verkeer[:5]])


def _passend(verkeer: list[dict], methode: str, pad: re.Pattern) -> list[dict]:
    return [u for u in verkeer if u["methode"] == methode.upper() and pad.search(u["pad"])]


def verplichte_aanroep(regel: Regel, verkeer: list[dict], ctx: Context) -> Oordeel:
    p = regel.parameters
    kandidaten = _passend(verkeer, p.get("methode", "GET"), p["pad"])
    eisen = p.get("query", {})
    passend = [u for u in kandidaten if all(query_van(u).get(k) == str(v) for k, v in eisen.items())]
    gelukt = [u["nr"] for u in passend if _ok(u["status"])]
    if gelukt:
        return Oordeel("geslaagd", f"de aanroep is gedaan ({_toon(gelukt)})", gelukt)
    if passend:
        return Oordeel("gefaald", f"de aanroep is gedaan maar nooit gelukt (status "
                                  f"{', '.join(str(u['status']) for u in passend[:5])})", [u["nr"] for u in passend])
    return Oordeel("gefaald", f"de client deed deze aanroep niet ({p.get('methode', 'GET')} {p['pad'].pattern})")


def accept_crs(regel: Regel, verkeer: list[dict], ctx: Context) -> Oordeel:
    p = regel.parameters
    geo = _passend(verkeer, p.get("methode", "POST"), p["pad"])
    if not geo:
        return _niet_te_beoordelen("de client deed geen enkele geometrie-aanroep "
                                   f"({p.get('methode', 'POST')} {p['pad'].pattern})")
    fout = [u["nr"] for u in geo if not CRS_RD.match(u["verzoek_headers"].get("accept-crs", "").strip())]
    if fout:
        return Oordeel("gefaald", f"{len(fout)} van {len(geo)} geometrie-aanroepen zonder Accept-Crs EPSG:28992 "
                                  f"({_toon(fout)})", fout)
    return Oordeel("geslaagd", f"alle {len(geo)} geometrie-aanroepen vroegen EPSG:28992 met Accept-Crs",
                   [u["nr"] for u in geo])


def _sjabloon(pad: str) -> re.Pattern:
    delen = re.split(r"(\{[^}/]+\})", pad)
    return re.compile("^" + "".join("[^/]+" if d.startswith("{") else re.escape(d) for d in delen) + "$")


def gedocumenteerd(regel: Regel, verkeer: list[dict], ctx: Context) -> Oordeel:
    operaties, fouten = ctx.operaties()
    if not operaties:
        return _niet_te_beoordelen("geen enkele specificatie kon worden geladen (" + "; ".join(fouten) + ")")
    onbekend = []
    for u in verkeer:
        if u["pad"].endswith(_META):
            continue
        if not any(methode == u["methode"] and patroon.match(u["pad"]) for methode, patroon in operaties):
            onbekend.append(u)
    if onbekend:
        return Oordeel("gefaald", f"{len(onbekend)} verzoeken naar operaties die niet in de specificatie staan: "
                                  + "; ".join(f"#{u['nr']} {u['methode']} {u['pad']}" for u in onbekend[:4]),
                       [u["nr"] for u in onbekend])
    return Oordeel("geslaagd", f"alle {len(verkeer)} verzoeken horen bij gedocumenteerde operaties",
                   [u["nr"] for u in verkeer[:5]], {"specificatie_fouten": fouten})


def tempo(regel: Regel, verkeer: list[dict], ctx: Context) -> Oordeel:
    # the role's documented rate, or the target's when that is lower (prod: a few per second)
    grenzen = [float(g) for g in (regel.parameters.get("max_per_seconde"), ctx.max_per_seconde) if g]
    maximum = min(grenzen) if grenzen else 200.0
    starts = [u["start"] for u in verkeer]
    piek, piek_begin, j = 0, 0, 0
    for i, t in enumerate(starts):
        while starts[j] <= t - 1.0:
            j += 1
        if i - j + 1 > piek:
            piek, piek_begin = i - j + 1, j
    bewijs = [u["nr"] for u in verkeer[piek_begin:piek_begin + piek]]
    details = {"piek_per_seconde": piek, "maximum": maximum}
    if piek > maximum:
        return Oordeel("gefaald", f"{piek} verzoeken binnen één seconde; het gedocumenteerde maximum is "
                                  f"{maximum:g} per seconde", bewijs[:50], details)
    return Oordeel("geslaagd", f"hoogstens {piek} verzoeken per seconde (maximum {maximum:g})", bewijs[:5], details)


def _json(u: dict):
    try:
        return orjson.loads(u["antwoord_body"] or "")
    except orjson.JSONDecodeError:
        return None


def alle_paginas(regel: Regel, verkeer: list[dict], ctx: Context) -> Oordeel:
    p = regel.parameters
    lijsten = [u for u in _passend(verkeer, p.get("methode", "GET"), p["pad"]) if _ok(u["status"])]
    paginas = []
    for u in lijsten:
        b = _json(u)
        if isinstance(b, dict) and isinstance(b.get("page"), dict):
            paginas.append((u["nr"], b["page"].get("number"), b["page"].get("totalPages")))
    if not paginas:
        return _niet_te_beoordelen("de client haalde geen enkele pagina van de lijst op")
    totaal = max(t or 0 for _, _, t in paginas)
    if totaal <= 1:
        return _niet_te_beoordelen(f"de lijst had maar één pagina (bij de paginagrootte die de client koos), "
                                   f"dus bladeren is niet gezien ({_toon([n for n, _, _ in paginas])})")
    laatste = [nr for nr, nummer, tot in paginas if nummer is not None and tot and nummer >= tot]
    gezien = sorted({nummer for _, nummer, _ in paginas if nummer is not None})
    if laatste:
        return Oordeel("geslaagd", f"de client bladerde tot de laatste pagina (pagina's {gezien} van {totaal})",
                       [nr for nr, _, _ in paginas])
    return Oordeel("gefaald", f"de client stopte na pagina {max(gezien) if gezien else '?'} van {totaal}: "
                              "verzoeken op latere pagina's blijven liggen", [nr for nr, _, _ in paginas])


def _links(u: dict) -> set[str]:
    return {urlsplit(h).path for h in _HREF.findall(u["antwoord_body"] or "")}


def alle_links_opgehaald(regel: Regel, verkeer: list[dict], ctx: Context) -> Oordeel:
    p = regel.parameters
    bronnen = [u for u in verkeer if u["methode"] == "GET" and p["bron_pad"].search(u["pad"]) and _ok(u["status"])]
    gevonden: dict[str, int] = {}
    for u in bronnen:
        for pad in _links(u):
            if p["link"].fullmatch(pad):
                gevonden.setdefault(pad, u["nr"])
    if not gevonden:
        return _niet_te_beoordelen("de antwoorden die de client ophaalde bevatten geen enkele link van deze soort")
    opgehaald = {u["pad"]: u["nr"] for u in verkeer if u["methode"] == "GET" and _ok(u["status"])}
    missend = sorted(pad for pad in gevonden if pad not in opgehaald)
    if missend:
        return Oordeel("gefaald", f"{len(missend)} van {len(gevonden)} gelinkte bronnen niet (met succes) "
                                  f"opgehaald, bijvoorbeeld {', '.join(missend[:3])}",
                       sorted({gevonden[m] for m in missend})[:50], {"missend": missend[:100]})
    return Oordeel("geslaagd", f"alle {len(gevonden)} gelinkte bronnen zijn opgehaald",
                   sorted(opgehaald[pad] for pad in gevonden)[:50])


def _geënsceneerd(verkeer: list[dict], naam: str) -> dict | None:
    return next((u for u in verkeer if u["geënsceneerd"] == naam), None)


def _volgende_gelijke(verkeer: list[dict], u: dict) -> dict | None:
    return next((v for v in verkeer if v["start"] > u["start"] and v["methode"] == u["methode"]
                 and v["pad"] == u["pad"]), None)


def wacht_retry_after(regel: Regel, verkeer: list[dict], ctx: Context) -> Oordeel:
    u = _geënsceneerd(verkeer, regel.parameters["enscenering"])
    if u is None:
        return _niet_te_beoordelen("de geënsceneerde 429 is niet opgetreden (de client deed de aanroep niet)")
    wacht = float(u["antwoord_headers"].get("retry-after", "0"))
    v = _volgende_gelijke(verkeer, u)
    if v is None:
        return Oordeel("gefaald", f"na de 429 (#{u['nr']}, Retry-After {wacht:g} s) probeerde de client het "
                                  "niet opnieuw", [u["nr"]])
    pauze = v["start"] - u["einde"]
    details = {"retry_after_s": wacht, "gewacht_s": round(pauze, 3)}
    if pauze + 0.005 < wacht:  # 5 ms for clock granularity between the two timestamps
        return Oordeel("gefaald", f"na de 429 met Retry-After {wacht:g} s kwam het volgende verzoek al na "
                                  f"{pauze:.3f} s (#{u['nr']} → #{v['nr']})", [u["nr"], v["nr"]], details)
    return Oordeel("geslaagd", f"de client wachtte {pauze:.2f} s na de 429 (Retry-After {wacht:g} s)",
                   [u["nr"], v["nr"]], details)


def herhaalt_met_wachttijd(regel: Regel, verkeer: list[dict], ctx: Context) -> Oordeel:
    u = _geënsceneerd(verkeer, regel.parameters["enscenering"])
    minimum = float(regel.parameters.get("min_wacht_s", 0.1))
    if u is None:
        return _niet_te_beoordelen("de geënsceneerde storing is niet opgetreden (de client deed de aanroep niet)")
    herhalingen = [v for v in verkeer if v["start"] > u["start"] and v["methode"] == u["methode"]
                   and v["pad"] == u["pad"]]
    if not herhalingen:
        return Oordeel("gefaald", f"na de tijdelijke storing {u['status']} (#{u['nr']}) probeerde de client "
                                  "het niet opnieuw", [u["nr"]])
    pauze = herhalingen[0]["start"] - u["einde"]
    bewijs = [u["nr"], herhalingen[0]["nr"]]
    details = {"gewacht_s": round(pauze, 3), "minimum_s": minimum}
    if pauze < minimum:
        return Oordeel("gefaald", f"na de storing {u['status']} probeerde de client het al na {pauze * 1000:.0f} ms "
                                  f"opnieuw (minimaal {minimum * 1000:.0f} ms wachten: geen snelle lus)", bewijs,
                       details)
    return Oordeel("geslaagd", f"de client wachtte {pauze:.2f} s voor hij het opnieuw probeerde", bewijs, details)


def post_niet_blind_herhaald(regel: Regel, verkeer: list[dict], ctx: Context) -> Oordeel:
    u = _geënsceneerd(verkeer, regel.parameters["enscenering"])
    if u is None:
        return _niet_te_beoordelen("de geënsceneerde fout op de POST is niet opgetreden")
    na = [v for v in verkeer if v["start"] > u["start"]]
    for v in na:
        if v["methode"] == "GET" and u["pad"].startswith(v["pad"].rstrip("/") + "/"):
            return Oordeel("geslaagd", f"na de fout op {u['methode']} {u['pad']} controleerde de client eerst de "
                                       f"toestand (#{v['nr']} GET {v['pad']}) in plaats van blind te herhalen",
                           [u["nr"], v["nr"]])
        if v["methode"] == u["methode"] and v["pad"] == u["pad"]:
            return Oordeel("gefaald", f"de client herhaalde {u['methode']} {u['pad']} blind na de fout "
                                      f"(#{u['nr']} → #{v['nr']}), zonder eerst de toestand op te vragen: de "
                                      "eerste poging was al verwerkt", [u["nr"], v["nr"]])
    return Oordeel("geslaagd", f"de client herhaalde {u['methode']} {u['pad']} niet na de fout", [u["nr"]])


def client_eindigt_netjes(regel: Regel, verkeer: list[dict], ctx: Context) -> Oordeel:
    if ctx.onderbroken:
        return _niet_te_beoordelen("de sessie is onderbroken terwijl de client nog liep")
    if ctx.exitcode is None:
        return Oordeel("overgeslagen", "interactieve sessie: er was geen clientopdracht om te beoordelen")
    if ctx.exitcode == 0:
        return Oordeel("geslaagd", "de clientopdracht eindigde met exitcode 0")
    return Oordeel("gefaald", f"de clientopdracht eindigde met exitcode {ctx.exitcode} (vastgelopen op een "
                              "storing of foutmelding?)", details={"exitcode": ctx.exitcode})


def antwoord_bereikt(regel: Regel, verkeer: list[dict], ctx: Context) -> Oordeel:
    """The client got as far as an answer whose body matches (e.g. a conclusion of the question tree)."""
    p = regel.parameters
    kandidaten = [u for u in _passend(verkeer, p.get("methode", "GET"), p["pad"]) if _ok(u["status"])]
    bereikt = [u["nr"] for u in kandidaten if p["inhoud"].search(u["antwoord_body"] or "")]
    if bereikt:
        return Oordeel("geslaagd", f"de client kwam tot het gevraagde antwoord ({_toon(bereikt)})", bereikt)
    if not kandidaten:
        return Oordeel("gefaald", f"de client kreeg geen enkel geslaagd antwoord op {p.get('methode', 'GET')} "
                                  f"{p['pad'].pattern}")
    return Oordeel("gefaald", f"de client hield op voor het antwoord '{p['inhoud'].pattern}' bereikt was "
                              f"({len(kandidaten)} antwoorden zonder)", [u["nr"] for u in kandidaten][-10:])


def geduldig_bij_traag_antwoord(regel: Regel, verkeer: list[dict], ctx: Context) -> Oordeel:
    """A slow answer (staged delay) is waited for: no copy of the request while it is under way."""
    u = _geënsceneerd(verkeer, regel.parameters["enscenering"])
    if u is None:
        return _niet_te_beoordelen("het geënsceneerde trage antwoord is niet opgetreden (de client deed de "
                                   "aanroep niet)")
    ongeduldig = [v for v in verkeer if v["methode"] == u["methode"] and v["pad"] == u["pad"]
                  and u["start"] < v["start"] < u["einde"]]
    if ongeduldig:
        return Oordeel("gefaald", f"de client stuurde {u['methode']} {u['pad']} opnieuw na "
                                  f"{ongeduldig[0]['start'] - u['start']:.2f} s, terwijl het trage antwoord "
                                  f"({u['duur_ms'] / 1000:.1f} s) nog onderweg was: dubbel werk voor het doel",
                       [u["nr"]] + [v["nr"] for v in ongeduldig])
    return Oordeel("geslaagd", f"de client wachtte het trage antwoord af ({u['duur_ms'] / 1000:.1f} s)", [u["nr"]])


BEOORDELAARS: dict[str, Callable[[Regel, list[dict], Context], Oordeel]] = {
    "sleutel-in-header": sleutel_in_header,
    "geen-sleutel-in-query": geen_sleutel_in_query,
    "verplichte-aanroep": verplichte_aanroep,
    "accept-crs": accept_crs,
    "gedocumenteerd": gedocumenteerd,
    "tempo": tempo,
    "alle-paginas": alle_paginas,
    "alle-links-opgehaald": alle_links_opgehaald,
    "wacht-retry-after": wacht_retry_after,
    "herhaalt-met-wachttijd": herhaalt_met_wachttijd,
    "post-niet-blind-herhaald": post_niet_blind_herhaald,
    "client-eindigt-netjes": client_eindigt_netjes,
    "antwoord-bereikt": antwoord_bereikt,
    "geduldig-bij-traag-antwoord": geduldig_bij_traag_antwoord,
}


class Context:
    """What rules need besides the recording: the specs, the documented rate, the exit code."""

    def __init__(self, rol: Rol, dienst_urls: dict[str, str], *, api_sleutel: str | None,
                 max_per_seconde: float | None, exitcode: int | None):
        self.rol = rol
        self.dienst_urls = dienst_urls
        self.api_sleutel = api_sleutel
        self.max_per_seconde = max_per_seconde
        self.exitcode = exitcode
        self.onderbroken = False
        self._operaties: tuple[list[tuple[str, re.Pattern]], list[str]] | None = None

    def operaties(self) -> tuple[list[tuple[str, re.Pattern]], list[str]]:
        """(method, path pattern) of every documented operation of every service, from the target."""
        if self._operaties is not None:
            return self._operaties
        operaties, fouten = [], []
        headers = {"x-api-key": self.api_sleutel} if self.api_sleutel else {}
        for naam, url in self.dienst_urls.items():
            if naam not in DIENSTEN:
                continue
            basispad = urlsplit(url).path.rstrip("/")
            try:
                r = httpx.get(url + "/openapi.json", headers=headers, timeout=20)
                r.raise_for_status()
                spec = r.json()
            except (httpx.HTTPError, ValueError) as e:
                fouten.append(f"{naam}: {type(e).__name__}")
                continue
            for pad, item in (spec.get("paths") or {}).items():
                for methode in item:
                    if methode.lower() in ("get", "post", "put", "patch", "delete", "head", "options"):
                        operaties.append((methode.upper(), _sjabloon(basispad + pad)))
        self._operaties = (operaties, fouten)
        return self._operaties


def beoordeel(rol: Rol, verkeer: list[dict], ctx: Context) -> list[tuple[Regel, Oordeel]]:
    uit = []
    for regel in rol.regels:
        if not verkeer:  # no rule is proven by a session without traffic, not even a clean exit
            oordeel = _niet_te_beoordelen("de sessie zag geen enkel verzoek")
        else:
            try:
                oordeel = BEOORDELAARS[regel.soort](regel, verkeer, ctx)
            except Exception as e:  # noqa: BLE001 - a crashed rule is blocked, never passed
                oordeel = Oordeel("geblokkeerd", f"de beoordeling zelf liep vast: {type(e).__name__}: {e}")
        uit.append((regel, oordeel))
    return uit


__all__ = ["BEOORDELAARS", "Context", "Oordeel", "beoordeel", "url_van"]
