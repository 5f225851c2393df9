"""The conformiteitsverklaring: an in-toto Statement (Test Result predicate) in a DSSE envelope.

Subjects are the sha256 of every record file and every evidence file of the run, so any change
to the run folder shows. The envelope is signed with Ed25519 when ``DSO_ONDERTEKEN_SLEUTEL``
holds a private key (PEM, or base64 of the 32-byte seed); otherwise it is written unsigned and
says so. :func:`verifieer` recomputes everything and checks the signature against a public key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from dso_acceptatie import __version__
from dso_acceptatie.configuratie import ConfiguratieFout

BESTAND = "conformiteitsverklaring.intoto.json"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://in-toto.io/attestation/test-result/v0.1"
EXTENSIE = "https://dso-acceptatie.example/conformiteitsverklaring/v1"
SLEUTEL_VARIABELE = "DSO_ONDERTEKEN_SLEUTEL"
RESULTAAT = {"accepteren": "PASSED", "accepteren onder voorwaarden": "WARNED"}
# What the certificate covers: what the phases wrote. The report's own outputs are derived from
# these and are rebuilt by 'dso-acceptatie rapport', so they are not subjects.
GEDEKTE_MAPPEN = ("records", "bewijs")
GEDEKTE_BESTANDEN = ("doel.json",)


def _sha256(pad: Path) -> str:
    h = hashlib.sha256()
    with open(pad, "rb") as f:
        for blok in iter(lambda: f.read(1 << 20), b""):
            h.update(blok)
    return h.hexdigest()


def gedekte_bestanden(run_map: Path) -> list[str]:
    run_map = Path(run_map)
    uit = []
    for naam in GEDEKTE_MAPPEN:
        map_ = run_map / naam
        if map_.is_dir():
            uit += [p.relative_to(run_map).as_posix() for p in map_.rglob("*")
                    if p.is_file() and not p.is_symlink()]
    uit += [n for n in GEDEKTE_BESTANDEN if (run_map / n).is_file()]
    uit += [p.name for p in run_map.glob("*.log") if p.is_file()]
    return sorted(set(uit))


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE pre-authentication encoding."""
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def _laad_privesleutel(tekst: str):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    tekst = tekst.strip()
    try:
        if tekst.startswith("-----BEGIN"):
            sleutel = load_pem_private_key(tekst.encode(), password=None)
        else:
            sleutel = Ed25519PrivateKey.from_private_bytes(base64.b64decode(tekst, validate=True))
    except (ValueError, TypeError) as e:
        raise ConfiguratieFout(f"${SLEUTEL_VARIABELE}: geen bruikbare Ed25519-privésleutel ({type(e).__name__}). "
                               "Oplossing: een PEM-sleutel (openssl genpkey -algorithm ed25519) of "
                               "base64 van de 32-byte seed.") from None
    if not isinstance(sleutel, Ed25519PrivateKey):
        raise ConfiguratieFout(f"${SLEUTEL_VARIABELE}: dit is geen Ed25519-sleutel.")
    return sleutel


def laad_publieke_sleutel(tekst: str):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    tekst = tekst.strip()
    try:
        if tekst.startswith("-----BEGIN"):
            sleutel = load_pem_public_key(tekst.encode())
        else:
            sleutel = Ed25519PublicKey.from_public_bytes(base64.b64decode(tekst, validate=True))
    except (ValueError, TypeError) as e:
        raise ConfiguratieFout(f"publieke sleutel onbruikbaar ({type(e).__name__}). Oplossing: PEM of "
                               "base64 van de 32 bytes.") from None
    if not isinstance(sleutel, Ed25519PublicKey):
        raise ConfiguratieFout("de publieke sleutel is geen Ed25519-sleutel.")
    return sleutel


def _keyid(publiek) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return hashlib.sha256(publiek.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def statement(run_map: Path, rj: dict, configuratie: dict[str, Path | None],
              aangetoond: dict[str, list[str]] | None = None) -> dict:
    run_map = Path(run_map)
    subject = [{"name": n, "digest": {"sha256": _sha256(run_map / n)}} for n in gedekte_bestanden(run_map)]
    config = [{"name": naam, "uri": str(pad), "digest": {"sha256": _sha256(pad)}}
              for naam, pad in sorted(configuratie.items()) if pad is not None and Path(pad).is_file()]
    toetsen: dict[str, list[str]] = {"PASSED": [], "WARNED": [], "FAILED": []}
    for soort in ("rol", "klantreis", "api", "levering", "slo", "component"):
        for g in rj["groepen"][soort]:
            toetsen[RESULTAAT.get(g["oordeel"], "FAILED")].append(f"{soort}:{g['naam']}")
    rollen = [{"rol": g["naam"], "titel": g["titel"], "oordeel": g["oordeel"], "redenen": g["redenen"],
               "telling": g["telling"], "aangetoond": (aangetoond or {}).get(g["naam"], [])}
              for g in rj["groepen"]["rol"]]
    return {
        "_type": STATEMENT_TYPE, "subject": subject, "predicateType": PREDICATE_TYPE,
        "predicate": {
            "result": RESULTAAT.get(rj["oordeel"], "FAILED"),
            "configuration": config,
            "url": f"file:reports/runs/{rj.get('run_id')}",
            "passedTests": toetsen["PASSED"], "warnedTests": toetsen["WARNED"],
            "failedTests": toetsen["FAILED"],
            EXTENSIE: {"run_id": rj.get("run_id"), "doel": rj.get("doel"), "datum": rj.get("datum"),
                       "pi": rj.get("pi"), "harnas_versie": __version__, "oordeel": rj["oordeel"],
                       "redenen": rj["redenen"], "rollen": rollen,
                       "specs": rj.get("configuratie", {}).get("specs", []),
                       "regelsets": rj.get("configuratie", {}).get("regelsets", [])},
        },
    }


def schrijf(run_map: Path, rj: dict, configuratie: dict[str, Path | None],
            privesleutel: str | None = None, aangetoond: dict[str, list[str]] | None = None) -> Path:
    if privesleutel is None:
        privesleutel = os.environ.get(SLEUTEL_VARIABELE) or None
    payload = json.dumps(statement(run_map, rj, configuratie, aangetoond), ensure_ascii=False,
                         sort_keys=True).encode("utf-8")
    handtekeningen = []
    if privesleutel:
        sleutel = _laad_privesleutel(privesleutel)
        sig = sleutel.sign(pae(PAYLOAD_TYPE, payload))
        handtekeningen.append({"keyid": _keyid(sleutel.public_key()),
                               "sig": base64.b64encode(sig).decode()})
    envelope = {"payloadType": PAYLOAD_TYPE, "payload": base64.b64encode(payload).decode(),
                "signatures": handtekeningen}
    pad = Path(run_map) / BESTAND
    pad.write_text(json.dumps(envelope, indent=1) + "\n", encoding="utf-8")
    return pad


@dataclass
class Verificatie:
    in_orde: bool
    ondertekend: bool
    handtekening: str            # "geldig", "ongeldig", "niet gecontroleerd", "geen"
    meldingen: list[str] = field(default_factory=list)

    def als_tekst(self) -> str:
        kop = "IN ORDE" if self.in_orde else "NIET IN ORDE"
        return "\n".join([f"Conformiteitsverklaring: {kop} (handtekening: {self.handtekening})",
                          *[f"  - {m}" for m in self.meldingen]])


def verifieer(run_map: Path, publieke_sleutel: str | None = None) -> Verificatie:
    """Recompute every digest and check the signature. Any difference is reported."""
    run_map = Path(run_map)
    pad = run_map / BESTAND
    meldingen: list[str] = []
    try:
        envelope = json.loads(pad.read_text(encoding="utf-8"))
        payload = base64.b64decode(envelope["payload"], validate=True)
        st = json.loads(payload)
        handtekeningen = envelope.get("signatures") or []
        if envelope.get("payloadType") != PAYLOAD_TYPE:
            meldingen.append(f"payloadType is {envelope.get('payloadType')!r}, verwacht {PAYLOAD_TYPE}")
        if st.get("_type") != STATEMENT_TYPE or st.get("predicateType") != PREDICATE_TYPE:
            meldingen.append("geen in-toto Statement v1 met het Test Result-predicaat")
    except (OSError, ValueError, KeyError, TypeError) as e:
        return Verificatie(False, False, "geen", [f"{pad}: onleesbaar of ontbreekt ({type(e).__name__}: {e})"])

    handtekening = "geen"
    if publieke_sleutel:
        from cryptography.exceptions import InvalidSignature

        sleutel = laad_publieke_sleutel(publieke_sleutel)
        geldig = False
        for h in handtekeningen:
            try:
                sleutel.verify(base64.b64decode(h["sig"]), pae(envelope["payloadType"], payload))
                geldig = True
            except (InvalidSignature, KeyError, ValueError, TypeError):
                continue
        handtekening = "geldig" if geldig else "ongeldig"
        if not geldig:
            meldingen.append("de handtekening klopt niet met de opgegeven publieke sleutel"
                             if handtekeningen else "de verklaring is niet ondertekend")
    elif handtekeningen:
        handtekening = "niet gecontroleerd"
        meldingen.append("ondertekend, maar de handtekening is niet gecontroleerd: geef de publieke "
                         "sleutel op")

    verwacht = {s["name"]: s["digest"]["sha256"] for s in st.get("subject", [])}
    aanwezig = set(gedekte_bestanden(run_map))
    for naam, digest in sorted(verwacht.items()):
        bestand = run_map / naam
        if not bestand.is_file():
            meldingen.append(f"ontbreekt: {naam}")
        elif _sha256(bestand) != digest:
            meldingen.append(f"gewijzigd: {naam}")
    for naam in sorted(aanwezig - set(verwacht)):
        meldingen.append(f"toegevoegd na de verklaring: {naam}")
    inhoud_ok = not [m for m in meldingen if not m.startswith("ondertekend, maar")]
    return Verificatie(inhoud_ok, bool(handtekeningen), handtekening, meldingen)
