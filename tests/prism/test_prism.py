"""Prism, a tool no one here wrote, as a second opinion on the contract phase.

``prism proxy`` (without --errors: it forwards everything unchanged and reports its verdict in the
``sl-violations`` header) stands in front of a real reference LV for the Locatieserver, with the
real published PDOK spec; the harness's recording proxy in front of Prism keeps every exchange.
On the same traffic both must see a schema-breaking reference fault, and on a clean reference
Prism must find no answer outside the spec on any operation the harness calls.

The machinery is ``benchmarks/prism.py`` (the benchmark runs more scenarios and prints figures).
Skipped only when the npm packages are absent; ``scripts/setup.sh`` installs them.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PAD = Path(__file__).resolve().parents[2] / "benchmarks" / "prism.py"
_spec = importlib.util.spec_from_file_location("benchmarks_prism", _PAD)
prism = importlib.util.module_from_spec(_spec)
sys.modules["benchmarks_prism"] = prism  # dataclasses look their module up by name
_spec.loader.exec_module(prism)

OPERATIES = {"GET /free", "GET /lookup", "GET /reverse", "GET /suggest"}

pytestmark = [
    pytest.mark.skipif(prism.prism_ontbreekt() is not None,
                       reason=f"npm-pakketten ontbreken: {prism.prism_ontbreekt()}"),
    pytest.mark.traag,
]


def _draai(scenario: str, map_: Path) -> prism.Uitslag:
    # Few examples and no ADR lint: the subject is who sees what on the same traffic, not coverage.
    return prism.draai(prism.SCENARIOS[scenario], map_, diensten=("locatieserver",), voorbeelden=3,
                       adr=False)


def _antwoord_schendingen(u: prism.Uitwisseling) -> list[dict]:
    return [s for s in u.schendingen if (s.get("location") or [""])[0] == "response"]


def test_schema_schending_gezien_door_prism_en_harnas(tmp_path):
    uitslag = _draai("doorlaten-schema-schending", tmp_path)
    assert uitslag.run_map is not None, (tmp_path / "run.log").read_text(errors="replace")
    # Prism: answers of the faulty reference break the published spec (numFound becomes text)
    prism_ziet = [u for u in uitslag.uitwisselingen if _antwoord_schendingen(u)]
    assert prism_ziet, "Prism meldde geen enkele schending van het antwoord"
    assert any(s.get("code") == "type" and "numFound" in "".join(map(str, s["location"]))
               for u in prism_ziet for s in _antwoord_schendingen(u))
    # the harness: the same fault as a failed schema check, and it rejects the target
    schema = [r for r in uitslag.bevindingen if r["controle"] == "response_schema_conformance"]
    assert schema and all(r["status"] == "gefaald" and r["ernst"] == "ernstig" for r in schema)
    assert uitslag.exitcode == 1 and uitslag.oordeel == "afwijzen"
    # on the very exchange the harness keeps as evidence, Prism saw the answer break the spec too
    bewijs = [prism.bewijs_uitwisseling(uitslag, r) for r in schema]
    assert any(u is not None and _antwoord_schendingen(u) for u in bewijs)


def test_schone_referentie_geen_prism_schending_op_de_aangeroepen_operaties(tmp_path):
    uitslag = _draai("doorlaten", tmp_path)
    assert uitslag.run_map is not None, (tmp_path / "run.log").read_text(errors="replace")
    aangeroepen = {u.operatie for u in uitslag.uitwisselingen if u.operatie in OPERATIES}
    assert aangeroepen == OPERATIES, "het harnas riep niet elke operatie van de spec aan"
    fout = [(u.operatie, u.url, _antwoord_schendingen(u)) for u in uitslag.uitwisselingen
            if u.operatie in OPERATIES and _antwoord_schendingen(u)]
    assert not fout, f"Prism vond antwoorden buiten de spec: {fout[:3]}"
    # Prism did validate: the harness's deliberately invalid requests are flagged as such
    assert any(s["location"][0] == "request" for u in uitslag.uitwisselingen for s in u.schendingen)
    assert not [r for r in uitslag.bevindingen if r["controle"] in prism.ANTWOORD_CONTROLES]
    assert not [r for r in uitslag.bevindingen if r["ernst"] in ("blokkerend", "ernstig")]
    # not rejected; "onder voorwaarden" because the ADR lint and the workflows were left out here
    assert uitslag.exitcode in (0, 4), uitslag.oordeel
