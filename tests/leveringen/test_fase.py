"""The leveringen phase end to end: `dso-acceptatie run --fase leveringen` on the referentie
target writes one passing record per configured delivery; a wrong expectation fails its record."""

import json
import subprocess
import sys
import tomllib

import jsonschema

from dso_acceptatie.records import lees_records

from .helpers import PROJECT

CONFIG = PROJECT / "contracts" / "leveringen" / "leveringen.toml"


def test_run_fase_leveringen_op_referentie(tmp_path):
    r = subprocess.run([sys.executable, "-m", "dso_acceptatie", "run", "--fase", "leveringen",
                        "--rapporten", str(tmp_path)], check=False, capture_output=True, text=True,
                       timeout=300,
                       cwd=PROJECT)
    # The validator on the project's own samples is a self-check (never decides the verdict);
    # the deliveries through the reference's intake are checks of the target -> accepteren.
    assert r.returncode == 0, r.stdout + r.stderr
    (run_map,) = list((tmp_path / "runs").iterdir())
    rapport = json.loads((run_map / "rapport.json").read_text(encoding="utf-8"))
    assert rapport["zelfcontrole"]["oordeel"] == "accepteren", rapport["zelfcontrole"]
    records = [x for x in lees_records(run_map) if x["fase"] == "leveringen"]
    verwacht = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["levering"]
    eigen = [x for x in records if x["controle"] == "verwachte-uitkomst"]
    doel = [x for x in records if x["component"] == "LVBB aanleveren (doel)"]
    assert doel and {x["status"] for x in doel} == {"geslaagd"}
    assert {x["controle"] for x in doel} == {"aanlevering-uitkomst", "presenteren-zichtbaar",
                                             "presenteren-ongewijzigd"}
    assert len(eigen) == len(verwacht)
    assert all(x["details"]["zelfcontrole"] is True for x in eigen)
    assert {x["status"] for x in eigen} == {"geslaagd"}, [x["bericht"] for x in eigen
                                                          if x["status"] != "geslaagd"]
    assert not [x for x in records if x["status"] in ("gefaald", "geblokkeerd")]
    afgekeurd = [x for x in eigen if x["details"]["verwacht"] == "afgekeurd"]
    assert afgekeurd and all(x["details"]["uitkomst"] == "afgekeurd" for x in afgekeurd)
    bewijs = run_map / eigen[0]["bewijs"][0]
    assert json.loads(bewijs.read_text(encoding="utf-8"))["oordeel"] == "goedgekeurd"
    schema = json.loads((PROJECT / "schema" / "record.schema.json").read_text(encoding="utf-8"))
    for x in records:
        jsonschema.validate(x, schema)
    imro = next(x for x in eigen if x["onderwerp"].startswith("IMRO RW-2025-7b onder TAM v0.14"))
    assert any(rs["naam"] == "IMRO 2012 TAM v0.14" for rs in imro["details"]["regelsets"])


def test_afwijkende_uitkomst_is_gefaald(tmp_path, monkeypatch):
    """A validator that does not reach the expected verdict must show up as gefaald."""
    config = tmp_path / "eigen.toml"
    voorbeeld = PROJECT / "contracts" / "leveringen" / "voorbeelden" / "imro" / "RW-2025-7b.gml"
    config.write_text(f'[[levering]]\nnaam = "verkeerd verwacht"\npad = "{voorbeeld}"\n'
                      'peildatum = "2025-06-01"\nverwacht = "goedgekeurd"\n', encoding="utf-8")
    run = tmp_path / "run"
    run.mkdir()
    (run / "doel.json").write_text(json.dumps({"naam": "x", "soort": "leverancier"}))
    monkeypatch.setenv("DSO_LEVERINGEN_CONFIG", str(config))
    from dso_acceptatie.fasen.leveringen.fase import main
    assert main(["--run-map", str(run), "--doel", str(run / "doel.json"), "--run-id", "t"]) == 0
    (rec,) = [r for r in lees_records(run) if r["component"] != "LVBB aanleveren (doel)"]
    assert rec["status"] == "gefaald" and "uitkomst afgekeurd, verwacht goedgekeurd" in rec["bericht"]


def test_ander_doel_zonder_config_slaat_over(tmp_path, monkeypatch):
    monkeypatch.delenv("DSO_LEVERINGEN_CONFIG", raising=False)
    run = tmp_path / "run"
    run.mkdir()
    (run / "doel.json").write_text(json.dumps({"naam": "pre", "soort": "pre"}))
    from dso_acceptatie.fasen.leveringen.fase import main
    main(["--run-map", str(run), "--doel", str(run / "doel.json"), "--run-id", "t"])
    rec, keten = list(lees_records(run))
    assert rec["status"] == "overgeslagen" and "dso-acceptatie levering" in rec["bericht"]
    assert keten["status"] == "overgeslagen" and "intake" in keten["bericht"]


def test_leverancierslevering_zonder_verwachting_geeft_record_per_bevinding(tmp_path, monkeypatch):
    """A vendor's own delivery (no 'verwacht'): verdict record plus one record per finding."""
    imro = PROJECT / "contracts" / "leveringen" / "voorbeelden" / "imro"
    config = tmp_path / "leverancier.toml"
    config.write_text(
        f'[[levering]]\nnaam = "plan A"\npad = "{imro / "RW-2025-7b.gml"}"\npeildatum = "2025-06-01"\n'
        f'[[levering]]\nnaam = "plan B"\npad = "{imro / "RW-2025-2b.gml"}"\npeildatum = "2025-06-01"\n',
        encoding="utf-8")
    run = tmp_path / "run"
    run.mkdir()
    (run / "doel.json").write_text(json.dumps({"naam": "v", "soort": "leverancier"}))
    monkeypatch.setenv("DSO_LEVERINGEN_CONFIG", str(config))
    from dso_acceptatie.fasen.leveringen.fase import main
    main(["--run-map", str(run), "--doel", str(run / "doel.json"), "--run-id", "t"])
    records = list(lees_records(run))
    a = [r for r in records if r["onderwerp"].startswith("plan A")]
    assert [(r["controle"], r["status"], r["ernst"]) for r in a] == [
        ("conformiteit", "gefaald", "blokkerend"), ("TAM-Besluitgebied_X", "gefaald", "blokkerend")]
    assert a[1]["rol"] == "plansoftware" and "RW-2025-7b.gml, regel 8" in a[1]["bericht"]
    assert a[1]["details"]["regelset"] == "IMRO 2012 TAM v0.13"
    b = [r for r in records if r["onderwerp"].startswith("plan B")]
    assert [(r["controle"], r["status"]) for r in b] == [("conformiteit", "geslaagd")]


def _draai_fase(tmp_path, monkeypatch, toml: str) -> list[dict]:
    config = tmp_path / "eigen.toml"
    config.write_text(toml, encoding="utf-8")
    run = tmp_path / "run"
    run.mkdir()
    (run / "doel.json").write_text(json.dumps({"naam": "v", "soort": "leverancier"}))
    monkeypatch.setenv("DSO_LEVERINGEN_CONFIG", str(config))
    from dso_acceptatie.fasen.leveringen.fase import main
    assert main(["--run-map", str(run), "--doel", str(run / "doel.json"), "--run-id", "t"]) == 0
    # part 2 (deliveries through the target) has no intake here and only records that it skipped
    return [r for r in lees_records(run) if r["component"] != "LVBB aanleveren (doel)"]


def _saxon_weigert_alles(monkeypatch):
    """Saxon refusing every file, as it did on a DOCTYPE before the work copy was cleaned."""
    from saxonche import PySaxonApiError

    from dso_acceptatie.leveringen import stop

    def weiger(pad):
        raise PySaxonApiError("SXXP0003 Error reported by XML parser: DOCTYPE is disallowed")

    monkeypatch.setattr(stop, "saxon_document", weiger)


def test_regelset_die_niet_draaide_is_geblokkeerd_in_de_records(tmp_path, monkeypatch):
    _saxon_weigert_alles(monkeypatch)
    goed = PROJECT / "tests" / "leveringen" / "vijandig" / "doctype-leeg.xml"
    records = _draai_fase(tmp_path, monkeypatch, f'[[levering]]\nnaam = "plan"\npad = "{goed}"\n')
    oordeel, *rest = records
    assert (oordeel["controle"], oordeel["status"], oordeel["ernst"]) == (
        "conformiteit", "gefaald", "blokkerend")
    assert "kon een regelset niet draaien" in oordeel["bericht"]
    geblokkeerd = [r for r in rest if r["controle"] == "REGELSET-NIET-UITGEVOERD"]
    assert geblokkeerd and {(r["status"], r["ernst"]) for r in geblokkeerd} == {
        ("geblokkeerd", "blokkerend")}
    assert all("doctype-leeg.xml" in r["bericht"] and ".sch" in r["details"]["regelset"]
               for r in geblokkeerd)
    assert not [r for r in records if r["status"] == "geslaagd"]


def test_verwacht_afgekeurd_maar_regelset_draaide_niet_is_geblokkeerd(tmp_path, monkeypatch):
    """Rejected for the wrong reason proves nothing about the rules: blocked, not passed."""
    _saxon_weigert_alles(monkeypatch)
    fout = PROJECT / "tests" / "leveringen" / "vijandig" / "doctype-extern.xml"
    (rec,) = _draai_fase(tmp_path, monkeypatch, f'[[levering]]\nnaam = "x"\npad = "{fout}"\n'
                                                'verwacht = "afgekeurd"\n')
    assert (rec["status"], rec["ernst"]) == ("geblokkeerd", "blokkerend")
    assert "kon niet draaien op doctype-extern.xml" in rec["bericht"]


def test_verwacht_niet_uitgevoerd_mag_als_code(tmp_path, monkeypatch):
    _saxon_weigert_alles(monkeypatch)
    fout = PROJECT / "tests" / "leveringen" / "vijandig" / "doctype-extern.xml"
    (rec,) = _draai_fase(tmp_path, monkeypatch, f'[[levering]]\nnaam = "x"\npad = "{fout}"\n'
                                                'verwacht = "afgekeurd"\n'
                                                'codes = ["REGELSET-NIET-UITGEVOERD"]\n')
    assert rec["status"] == "geslaagd"
