"""LVBB Aanleveren (modelled intake, spec ../specs/aanleveren.yaml; a copy for readers in
contracts/leveringen/aanleveren.yaml).

``POST /aanleveringen`` takes an opdracht zip and answers 202 with a status resource; one worker
thread checks it (``referentie_lv.aanlevering``) and moves the status from ``ontvangen`` via
``inBehandeling`` to ``geaccepteerd`` or ``afgewezen``. An accepted delivery is applied to the
shared store (``Store.pas_aanlevering_toe``): its regelingversies and withdrawals are then served
by Presenteren at their dates. A rejected one changes nothing. State lives in memory only.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

from starlette.requests import Request
from starlette.responses import Response

from referentie_lv import aanlevering
from referentie_lv.api import basis
from referentie_lv.api.presenteren import gedeelde_store
from referentie_lv.config import Config

BASISPAD = "/overheid/lvbb/api/aanleveren/v1"
MAX_BEWAARD = 200          # status resources kept (oldest finished ones go first)
MAX_WACHTEND = 20          # deliveries not yet finished; more is 503 (bounded memory and work)
ZIP = "application/zip"


def _nu() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def dienst(config: Config) -> basis.Dienst:
    d = basis.Dienst("aanleveren", BASISPAD, basis.SPECS / "aanleveren.yaml", max_body=aanlevering.MAX_ZIP)
    store = gedeelde_store(config)
    aanleveringen: OrderedDict[str, dict] = OrderedDict()
    slot = threading.Lock()
    # One worker: deliveries are applied in the order they arrived, as the LVBB does per
    # bevoegd gezag; the store is never updated by two deliveries at once.
    werker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="referentie-intake")

    def zet_status(item: dict, status: str) -> None:
        with slot:
            item["status"] = status
            item["historie"].append({"status": status, "tijdstip": _nu()})

    def verwerk(item: dict, inhoud: bytes) -> None:
        zet_status(item, "inBehandeling")
        try:
            b = aanlevering.beoordeel(inhoud, store, date.today().isoformat())
        except Exception as e:  # noqa: BLE001 -- never leave a delivery hanging in behandeling
            basis.log.exception("Aanlevering %s niet te verwerken", item["identificatie"])
            b = aanlevering.Beoordeling()
            b.fout("LVBB1001", f"De aanlevering kon niet worden verwerkt ({type(e).__name__}).")
        item.update(idLevering=b.id_levering, opdracht=b.opdracht)
        item["verslag"] = {"bevindingen": [x.als_dict() for x in b.bevindingen], "owObjecten": b.ow_objecten}
        if b.geaccepteerd:
            store.pas_aanlevering_toe(b.regelingen, b.intrekkingen)
            item["regelingversies"] = [{"identificatie": r["work"], "expressieIdentificatie": r["expression"],
                                        "geldigVanaf": r["geldig_vanaf"]} for r in b.regelingen]
            item["intrekkingen"] = [{"identificatie": w, "geldigTot": dag} for w, dag in b.intrekkingen]
        zet_status(item, "geaccepteerd" if b.geaccepteerd else "afgewezen")

    def weergave(request: Request, item: dict) -> dict:
        with slot:
            uit = {k: v for k, v in item.items()}
            uit["historie"] = list(item["historie"])
        host = request.headers.get("host") or "127.0.0.1"
        uit["_links"] = {"self": {"href": f"{request.url.scheme}://{host}{BASISPAD}/aanleveringen/"
                                          f"{item['identificatie']}"}}
        return uit

    @d.post("/aanleveringen", neemt=(ZIP,))
    async def aanleveren(request: Request) -> Response:
        basis.onbekende_parameters(request, ())
        inhoud = await request.body()
        if not inhoud:
            raise basis.Probleem(400, "De body is leeg; lever een opdracht-zip aan.")
        with slot:
            if sum(1 for x in aanleveringen.values() if x["status"] in ("ontvangen", "inBehandeling")) \
                    >= MAX_WACHTEND:
                raise basis.Probleem(503, "Er zijn te veel aanleveringen in behandeling; probeer het "
                                          "later opnieuw.", headers={"Retry-After": "5"})
            ident = uuid.uuid4().hex
            item = {"identificatie": ident, "status": "ontvangen", "ontvangenOp": _nu(),
                    "idLevering": None, "opdracht": None,
                    "historie": [{"status": "ontvangen", "tijdstip": _nu()}],
                    "verslag": {"bevindingen": [], "owObjecten": 0},
                    "regelingversies": [], "intrekkingen": []}
            aanleveringen[ident] = item
            while len(aanleveringen) > MAX_BEWAARD:
                oudste = next((k for k, v in aanleveringen.items()
                               if v["status"] in ("geaccepteerd", "afgewezen")), None)
                if oudste is None:
                    break
                del aanleveringen[oudste]
        werker.submit(verwerk, item, inhoud)
        antwoord = weergave(request, item)
        return basis.hal(antwoord, status=202, headers={"Location": antwoord["_links"]["self"]["href"]})

    @d.get("/aanleveringen/{aanleveringId}")
    async def status(request: Request) -> Response:
        basis.onbekende_parameters(request, ())
        with slot:
            item = aanleveringen.get(request.path_params["aanleveringId"])
        if item is None:
            raise basis.Probleem(404, "Deze aanlevering bestaat niet (meer).")
        return basis.hal(weergave(request, item))

    return d
