"""Run folders made of records written by the real RecordWriter (tests and the benchmark)."""

from __future__ import annotations

import random
from pathlib import Path

from dso_acceptatie.records import RecordWriter

OPERATIES = ["GET /regelingen", "GET /regelingen/{id}", "POST /_zoek", "GET /ontwerpregelingen",
             "GET /locaties/{id}", "GET /activiteiten"]
DIENSTEN = ["presenteren", "geometrieopvragen", "locatieserver", "uitvoeren", "verzoeken-indienen"]
KLANTREIZEN = ["Regels op de kaart", "Vergunningcheck", "Aanvragen en meldingen"]


def controle(fase="contracten", component="presenteren", onderwerp="GET /regelingen",
             controle="status_code_conformance", status="geslaagd", ernst="informatief",
             bericht="in orde", **kw) -> dict:
    return dict(fase=fase, component=component, onderwerp=onderwerp, controle=controle,
                status=status, ernst=ernst, bericht=bericht, **kw)


def maak_run(runs: Path, records: list[dict], *, run_id: str = "20261130T100000-referentie-0001",
             doel: str = "referentie", einde: str | None = "voltooid", tijd: str | None = None) -> Path:
    """A run folder with run-start, the given records (grouped per fase) and run-einde."""
    run_map = Path(runs) / run_id
    (run_map / "records").mkdir(parents=True, exist_ok=True)
    with RecordWriter(run_map / "records" / "run.jsonl", run_id, "run") as w:
        w.schrijf(component="run", onderwerp=doel, controle="run-start", status="geslaagd",
                  bericht=f"run gestart op doel '{doel}'", details={"doel": doel})
    schrijvers: dict[str, RecordWriter] = {}
    try:
        for r in records:
            r = dict(r)
            fase = r.pop("fase")
            if fase not in schrijvers:
                schrijvers[fase] = RecordWriter(run_map / "records" / f"{fase}.jsonl", run_id, fase)
            schrijvers[fase].schrijf(**r)
    finally:
        for w in schrijvers.values():
            w.close()
    if einde:
        with RecordWriter(run_map / "records" / "run.jsonl", run_id, "run") as w:
            w.schrijf(component="run", onderwerp=doel, controle="run-einde",
                      status="geslaagd" if einde == "voltooid" else "geblokkeerd",
                      bericht="alle fasen zijn doorlopen" if einde == "voltooid" else einde,
                      details={"uitkomst": einde})
    return run_map


def veel_records(n: int, seed: int = 7) -> list[dict]:
    """n records over all phases with a realistic mix (mostly passing)."""
    rnd = random.Random(seed)
    uit = []
    for i in range(n):
        keuze = rnd.random()
        status = rnd.choices(["geslaagd", "gefaald", "overgeslagen", "geblokkeerd", "instabiel"],
                             [90, 4, 4, 1, 1])[0]
        ernst = "informatief" if status == "geslaagd" else rnd.choice(["blokkerend", "ernstig",
                                                                        "hinderlijk", "cosmetisch"])
        if keuze < 0.5:
            dienst = rnd.choice(DIENSTEN)
            uit.append(controle(component=dienst, onderwerp=rnd.choice(OPERATIES),
                                controle=f"check-{i % 50}", status=status, ernst=ernst,
                                bericht=f"controle {i}: {status}", duur_ms=rnd.random() * 100,
                                details={"curl": "curl -H 'x-api-key: $DSO_API_KEY' https://x/"}
                                if status == "gefaald" else {}))
        elif keuze < 0.8:
            kr = rnd.choice(KLANTREIZEN)
            uit.append(controle(fase="klantreizen", component=kr, onderwerp=f"{kr}: scenario {i % 300}",
                                controle=f"stap {i % 7}: doe iets", status=status, ernst=ernst,
                                bericht=f"stap {i}", details={"klantreis": kr},
                                bewijs=[f"bewijs/klantreizen/scherm-{i}.png"] if status == "gefaald" else []))
        elif keuze < 0.95:
            uit.append(controle(fase="leveringen", component="IMOW", onderwerp=f"levering-{i % 40}: owRegeling.xml",
                                controle=f"TPOD{1000 + i % 90}", status=status, ernst=ernst,
                                bericht=f"regel {i}", rol="plansoftware"))
        else:
            ep = f"presenteren GET /regelingen/{i % 20}"
            gemeten = rnd.random() * 600
            status = "gefaald" if gemeten > 500 else "geslaagd"
            ernst = "ernstig" if status == "gefaald" else "informatief"
            uit.append(controle(fase="last", component="presenteren", onderwerp=ep, controle="p95-latentie",
                                status=status, ernst=ernst, bericht="p95",
                                details={"gemeten": gemeten, "grens": 500, "eenheid": "ms"}))
    return uit


def schrijf_png(pad: Path, breedte: int = 160, hoogte: int = 100) -> None:
    """A small real PNG (grey with a dark band) to stand in for a screenshot."""
    import struct
    import zlib

    def blok(soort: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + soort + data + struct.pack(">I", zlib.crc32(soort + data))

    rijen = b"".join(b"\x00" + (b"\x40" if hoogte // 3 < y < hoogte // 2 else b"\xd0") * breedte
                     for y in range(hoogte))
    pad.parent.mkdir(parents=True, exist_ok=True)
    pad.write_bytes(b"\x89PNG\r\n\x1a\n" + blok(b"IHDR", struct.pack(">IIBBBBB", breedte, hoogte, 8, 0, 0, 0, 0))
                    + blok(b"IDAT", zlib.compress(rijen)) + blok(b"IEND", b""))
