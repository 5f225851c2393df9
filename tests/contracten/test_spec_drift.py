"""Spec drift: the spec a target serves against the pinned contract (contracts/specs/). A
difference in paths, operations or schemas is a blocking finding; prose and examples are not."""

from __future__ import annotations

import copy
import shutil

import yaml

from dso_acceptatie.fasen.contracten import specs
from dso_acceptatie.fasen.contracten.instellingen import CONTRACTS
from tests.contracten.helpers import beschrijf, dienst_urls, draai_fase

VAST = CONTRACTS / "specs" / "dso-uitvoeren" / "openapi.yaml"


def _vast() -> dict:
    return yaml.safe_load(VAST.read_text(encoding="utf-8"))


def test_gelijke_spec_en_alleen_proza_gewijzigd_geeft_geen_drift():
    vast = _vast()
    live = copy.deepcopy(vast)
    assert specs.verschillen(vast, live) == []
    live["info"]["description"] = "andere tekst"
    live["servers"] = [{"url": "https://elders.example"}]
    live["paths"]["/conclusie/_bepaal"]["post"]["summary"] = "anders gezegd"
    live["components"]["schemas"]["Antwoord"]["properties"]["vraagId"]["example"] = "x"
    assert specs.verschillen(vast, live) == []


def test_gewijzigde_kopie_geeft_elk_verschil():
    vast = _vast()
    live = copy.deepcopy(vast)
    del live["paths"]["/maatregelen/_bepaal"]                                   # operation gone
    live["paths"]["/extra"] = {"get": {"responses": {"200": {"description": "ok"}}}}   # one more
    live["components"]["schemas"]["Antwoord"]["required"] = ["vraagId"]        # schema changed
    live["paths"]["/conclusie/_bepaal"]["post"]["responses"].pop("422")        # operation changed
    live["info"]["version"] = "9.9.9"
    verschil = specs.verschillen(vast, live)
    tekst = "\n".join(verschil)
    assert "operatie POST /maatregelen/_bepaal ontbreekt" in tekst
    assert "operatie GET /extra is erbij gekomen" in tekst
    assert "components.schemas.Antwoord is gewijzigd" in tekst
    assert "operatie POST /conclusie/_bepaal is gewijzigd (responses)" in tekst
    assert "info.version is '9.9.9'" in tekst


def test_eigenschap_die_title_heet_is_contract():
    vast = {"openapi": "3.0.3", "info": {"version": "1"}, "paths": {}, "components": {"schemas": {
        "Fout": {"type": "object", "properties": {"title": {"type": "string"}}}}}}
    live = copy.deepcopy(vast)
    live["components"]["schemas"]["Fout"]["properties"]["title"]["type"] = "integer"
    assert specs.verschillen(vast, live) == ["components.schemas.Fout is gewijzigd"]


def test_doel_dat_een_ander_contract_serveert_wordt_afgewezen(start_referentie, tmp_path):
    # A copy of contracts/ whose pinned uitvoeren contract differs from what the reference serves.
    kopie = tmp_path / "contracts"
    kopie.mkdir()
    for naam in ("contracten.toml",):
        shutil.copy(CONTRACTS / naam, kopie / naam)
    for naam in ("specs", "workflows", "sttr", "adr"):
        shutil.copytree(CONTRACTS / naam, kopie / naam)
    vast = _vast()
    vast["components"]["schemas"]["Antwoord"]["required"] = ["vraagId"]
    (kopie / "specs" / "dso-uitvoeren" / "openapi.yaml").write_text(yaml.safe_dump(vast), encoding="utf-8")
    with start_referentie() as (origin, sleutel):
        records = draai_fase(tmp_path / "run", dienst_urls(origin, ("uitvoeren", "catalogus")), sleutel=sleutel,
                             voorbeelden=1, fasen="examples", extra_env={"DSO_CONTRACTS_MAP": str(kopie)})
    drift = {r["component"]: r for r in records if r["controle"] == "dso_spec_drift"}
    assert set(drift) == {"uitvoeren", "catalogus"}, beschrijf(records)
    r = drift["uitvoeren"]
    assert r["status"] == "gefaald" and r["ernst"] == "blokkerend" and r["soort"] == "controle"
    assert "components.schemas.Antwoord is gewijzigd" in r["details"]["verschillen"]
    assert r["bewijs"] and (tmp_path / "run" / r["bewijs"][0]).is_file()
    assert drift["catalogus"]["status"] == "geslaagd"


def test_vastgelegde_contracten_zijn_de_specs_van_de_referentie():
    """A deliberate change of a modelled spec is a new pinned copy in the same commit."""
    bron = CONTRACTS.parent / "src" / "referentie_lv" / "specs"
    for map_ in sorted((CONTRACTS / "specs").glob("dso-*")):
        dienst = map_.name.removeprefix("dso-")
        vast = yaml.safe_load((map_ / "openapi.yaml").read_text(encoding="utf-8"))
        eigen = yaml.safe_load((bron / f"{dienst}.yaml").read_text(encoding="utf-8"))
        assert specs.verschillen(vast, eigen) == [], (
            f"src/referentie_lv/specs/{dienst}.yaml wijkt af van {map_}/openapi.yaml: kopieer de spec "
            "opnieuw als de wijziging bewust is")
