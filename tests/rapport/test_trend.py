"""vergelijk(a, b) on the stable finding key, and the automatic comparison with the previous run."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from dso_acceptatie.rapport import bouw_rapport, vergelijk, vergelijking_als_tekst
from tests.rapport.generator import controle, maak_run

PROJECT = Path(__file__).resolve().parents[2]


def test_vergelijk_nieuw_opgelost_blijvend_en_niet_meer_gecontroleerd(tmp_path):
    runs = tmp_path / "runs"
    a = maak_run(runs, [controle(onderwerp="GET /a", status="gefaald", ernst="ernstig", bericht="500 bij 3"),
                        controle(onderwerp="GET /b", status="gefaald", ernst="ernstig"),
                        controle(onderwerp="GET /c", status="gefaald", ernst="hinderlijk"),
                        controle(onderwerp="GET /d")],
                 run_id="20261101T100000-referentie-aaaa")
    b = maak_run(runs, [controle(onderwerp="GET /a", status="gefaald", ernst="ernstig", bericht="500 bij 7"),
                        controle(onderwerp="GET /b"),
                        controle(onderwerp="GET /d", status="geblokkeerd", ernst="blokkerend")],
                 run_id="20261130T100000-referentie-bbbb")
    ra = bouw_rapport(a)
    rb = bouw_rapport(b)
    v = vergelijk(a, b)
    titel = lambda xs: [x["titel"].split(" — ")[1] for x in xs]  # noqa: E731 -- short local helper
    assert titel(v["blijvend"]) == ["GET /a"]      # same key although the message changed
    assert titel(v["opgelost"]) == ["GET /b"]
    assert titel(v["nieuw"]) == ["GET /d"]
    assert titel(v["niet_meer_gecontroleerd"]) == ["GET /c"]   # not checked is not fixed
    # the automatic comparison with the previous run of the same target gives the same
    assert rb.json["vergelijking"] == v
    assert [p["run_id"] for p in rb.json["trend"]] == [ra.model.run_id, rb.model.run_id]
    assert "Opgelost: 1" in vergelijking_als_tekst(v)
    assert "Sinds de vorige run" in rb.paden["html"].read_text(encoding="utf-8")
    schema = json.loads((PROJECT / "schema" / "rapport.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(rb.paden["json"].read_text(encoding="utf-8")), schema,
                        cls=jsonschema.Draft202012Validator)


def test_ander_doel_wordt_niet_vergeleken(tmp_path):
    runs = tmp_path / "runs"
    bouw_rapport(maak_run(runs, [controle()], run_id="20261101T100000-pre-aaaa", doel="pre"))
    rb = bouw_rapport(maak_run(runs, [controle()], run_id="20261130T100000-referentie-bbbb"))
    assert rb.json["vergelijking"] is None
    assert len(rb.json["trend"]) == 1


def test_pi_label_blijft_bij_opnieuw_bouwen(tmp_path):
    run = maak_run(tmp_path / "runs", [controle()])
    assert bouw_rapport(run, pi="PI-42").json["pi"] == "PI-42"
    assert bouw_rapport(run).json["pi"] == "PI-42"


def test_kapot_of_vreemd_vorig_rapport_wordt_overgeslagen(tmp_path):
    runs = tmp_path / "runs"
    oud = maak_run(runs, [controle()], run_id="20261101T100000-referentie-aaaa")
    (oud / "rapport.json").write_text('{"schema": "iets anders", "doel": "referentie"}')
    kapot = maak_run(runs, [controle()], run_id="20261102T100000-referentie-bbbb")
    (kapot / "rapport.json").write_text("{kapot")
    r = bouw_rapport(maak_run(runs, [controle()], run_id="20261130T100000-referentie-cccc"))
    assert r.json["vergelijking"] is None and len(r.json["trend"]) == 1
